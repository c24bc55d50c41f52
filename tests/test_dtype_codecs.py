"""Tests for nnlite/_dtype_codecs.py: bfloat16, float8 and complex32 decoded to NumPy,
against the formats' definitions and, bit pattern by bit pattern, against torch."""
import numpy as np
import pytest

from nnlite._dtype_codecs import (FLOAT8_FORMATS, decode_bfloat16, decode_complex32,
                                  decode_float8)


@pytest.mark.parametrize("name, byte, value", [
    ("float8_e4m3fn", 0x38, 1.0), ("float8_e4m3fn", 0x7E, 448.0),        # largest
    ("float8_e4m3fn", 0x01, 2.0 ** -9), ("float8_e4m3fn", 0xB8, -1.0),   # smallest subnormal
    ("float8_e4m3fn", 0x80, -0.0), ("float8_e4m3fn", 0x7F, np.nan),
    ("float8_e5m2", 0x3C, 1.0), ("float8_e5m2", 0x7B, 57344.0), ("float8_e5m2", 0x7C, np.inf),
    ("float8_e5m2", 0xFC, -np.inf), ("float8_e5m2", 0x7D, np.nan),
    ("float8_e5m2", 0x01, 2.0 ** -16),
    ("float8_e4m3fnuz", 0x40, 1.0), ("float8_e4m3fnuz", 0x80, np.nan),
    ("float8_e4m3fnuz", 0x7F, 240.0), ("float8_e5m2fnuz", 0x40, 1.0),
    ("float8_e5m2fnuz", 0x7F, 57344.0), ("float8_e5m2fnuz", 0x80, np.nan),
    ("float8_e8m0fnu", 127, 1.0), ("float8_e8m0fnu", 0, 2.0 ** -127),
    ("float8_e8m0fnu", 254, 2.0 ** 127), ("float8_e8m0fnu", 255, np.nan),
])
def test_float8_values_from_the_definitions(name, byte, value):
    got = decode_float8(np.array([byte], np.uint8), name)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.float32([value]))
    assert np.signbit(got[0]) == np.signbit(value) or np.isnan(value)


def test_bfloat16_and_complex32():
    bits = np.array([0x3F80, 0xC000, 0x7F80, 0x0001, 0x8000], np.uint16)
    got = decode_bfloat16(bits)
    np.testing.assert_array_equal(got, np.float32([1.0, -2.0, np.inf, 2.0 ** -133, -0.0]))
    assert np.signbit(got[-1])
    halves = np.array([1.5, -2.0, 0.0, 65504.0], np.float16)
    np.testing.assert_array_equal(decode_complex32(halves), np.complex64([1.5 - 2j, 65504j]))


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
def test_every_bit_pattern_equals_torchs(torch):
    every_byte = torch.arange(256, dtype=torch.uint8)
    for name in FLOAT8_FORMATS:
        if not hasattr(torch, name):
            continue
        expected = every_byte.view(getattr(torch, name)).float().numpy()
        got = decode_float8(every_byte.numpy(), name)
        np.testing.assert_array_equal(got, expected, err_msg=name)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(expected), err_msg=name)
    every_short = np.arange(2 ** 16, dtype=np.uint16)
    expected = torch.from_numpy(every_short.view(np.int16)).view(torch.bfloat16).float().numpy()
    got = decode_bfloat16(every_short)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
    c = (torch.randn(6) + 1j * torch.randn(6)).to(torch.complex32)
    np.testing.assert_array_equal(decode_complex32(c.view(torch.float16).numpy()),
                                  c.to(torch.complex64).numpy())
