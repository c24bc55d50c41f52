"""Decoding the floating-point formats NumPy has no dtype for, as foreign files hold them.

torch and safetensors files may hold bfloat16, the float8 formats and complex32 (pairs of
float16). NumPy cannot hold these, so the readers widen them, exactly (every value of each
narrow format is a float32 value):

=================  ==============================================  ==========
format             bits (sign, exponent, mantissa; exponent bias)  loaded as
=================  ==============================================  ==========
bfloat16           1, 8, 7; 127 (float32's top half)               float32
float8_e4m3fn      1, 4, 3; 7. No infinity; NaN is S.1111.111      float32
float8_e5m2        1, 5, 2; 15. IEEE-like (inf, NaN)               float32
float8_e4m3fnuz    1, 4, 3; 8. No inf, no -0; NaN is 1.0000.000    float32
float8_e5m2fnuz    1, 5, 2; 16. No inf, no -0; NaN is 1.00000.00   float32
float8_e8m0fnu     0, 8, 0; 127. Powers of two; NaN is 0xFF        float32
complex32          two float16 (real, imaginary)                   complex64
=================  ==============================================  ==========

Each decoder takes the raw little-endian bits as a 1-D array (``uint16`` for bfloat16,
``uint8`` for float8, ``float16`` for complex32) and returns a new array.
"""
from __future__ import annotations

import numpy as np

__all__ = ["decode_bfloat16", "decode_float8", "decode_complex32", "FLOAT8_FORMATS"]


def decode_bfloat16(bits: np.ndarray) -> np.ndarray:
    """bfloat16 bits (``uint16``) -> float32: the bits are float32's upper 16 bits."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def _float8_table(exp_bits: int, man_bits: int, bias: int, nan: str) -> np.ndarray:
    """The float32 value of each of the 256 bytes of one float8 format.

    ``nan`` names the format's special values: ``"ieee"`` (all-ones exponent: inf when the
    mantissa is 0, else NaN), ``"fn"`` (no inf; only all-ones exponent and mantissa is NaN),
    ``"fnuz"`` (no inf, no negative zero: the byte 0x80 is NaN).
    """
    b = np.arange(256, dtype=np.int64)
    sign = np.where(b >> (exp_bits + man_bits) & 1, -1.0, 1.0)
    exp = (b >> man_bits) & ((1 << exp_bits) - 1)
    man = b & ((1 << man_bits) - 1)
    normal = (1.0 + man / 2.0 ** man_bits) * 2.0 ** (exp - bias)
    subnormal = (man / 2.0 ** man_bits) * 2.0 ** (1 - bias)
    value = sign * np.where(exp == 0, subnormal, normal)
    top = (1 << exp_bits) - 1
    if nan == "ieee":
        value = np.where((exp == top) & (man == 0), sign * np.inf, value)
        value = np.where((exp == top) & (man != 0), np.copysign(np.nan, sign), value)
    elif nan == "fn":
        value = np.where((exp == top) & (man == (1 << man_bits) - 1),
                         np.copysign(np.nan, sign), value)
    else:
        value[0x80] = np.nan
    return value.astype(np.float32)      # NaNs keep their sign bit, as torch's do


def _e8m0_table() -> np.ndarray:
    value = 2.0 ** (np.arange(256, dtype=np.float64) - 127)
    value[255] = np.nan
    return value.astype(np.float32)


# name -> the float32 value of each byte
FLOAT8_FORMATS = {
    "float8_e4m3fn": _float8_table(4, 3, 7, "fn"),
    "float8_e5m2": _float8_table(5, 2, 15, "ieee"),
    "float8_e4m3fnuz": _float8_table(4, 3, 8, "fnuz"),
    "float8_e5m2fnuz": _float8_table(5, 2, 16, "fnuz"),
    "float8_e8m0fnu": _e8m0_table(),
}


def decode_float8(bits: np.ndarray, name: str) -> np.ndarray:
    """float8 bytes (``uint8``) of the format ``name`` (a key of FLOAT8_FORMATS) -> float32."""
    return FLOAT8_FORMATS[name][bits]


def decode_complex32(halves: np.ndarray) -> np.ndarray:
    """complex32 as interleaved float16 (real, imaginary, ...) -> complex64."""
    return halves.astype(np.float32).view(np.complex64)
