"""Reading image files: ``open_image`` (an :class:`Image`, as ``PIL.Image.open``) and
``read_image`` (a ``(C, H, W)`` Tensor, as ``torchvision.io.read_image``), for PNG and
PBM/PGM/PPM -- the formats the standard library can decode. Other formats raise an error
that names the format and says to convert the file.
"""
from __future__ import annotations

import os
from typing import IO, Any

import numpy as np

from ...tensor import Tensor
from .base import Image
from .png import SIGNATURE, decode_png
from .pnm import MAGICS, decode_pnm

__all__ = ["open_image", "read_image", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = (".png", ".ppm", ".pgm", ".pbm", ".pnm")

_READ_MODES = {"UNCHANGED": None, "GRAY": "L", "L": "L", "GRAY_ALPHA": "LA", "LA": "LA",
               "RGB": "RGB", "RGB_ALPHA": "RGBA", "RGBA": "RGBA"}
_OTHER_FORMATS = ((b"\xff\xd8\xff", "JPEG"), (b"BM", "BMP"), (b"GIF8", "GIF"),
                  (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"RIFF", "WebP"))


def _read(fp: str | os.PathLike | IO[bytes]) -> tuple[bytes, str]:
    if hasattr(fp, "read"):
        return fp.read(), str(getattr(fp, "name", "<file object>"))
    with open(fp, "rb") as f:
        return f.read(), os.fspath(fp)


def _scale(values: np.ndarray, maxval: int, top: int, dtype: type) -> np.ndarray:
    """Samples in 0..maxval to 0..top, rounded."""
    if maxval == top:
        return values.astype(dtype)
    return np.rint(values.astype(np.float64) * (top / maxval)).astype(dtype)


def _png_image(pixels: np.ndarray) -> Image:
    if pixels.dtype == np.uint8:
        return Image(pixels)
    if pixels.ndim == 2:
        return Image(pixels, "I;16")
    return Image((pixels >> 8).astype(np.uint8))             # 16-bit colour: the high byte


def _pnm_image(pixels: np.ndarray, maxval: int) -> Image:
    if maxval < 256:
        return Image(_scale(pixels, maxval, 255, np.uint8))
    if pixels.ndim == 2:
        return Image(_scale(pixels, maxval, 65535, np.uint16), "I;16")
    return Image(_scale(pixels, maxval, 255, np.uint8))


def open_image(fp: str | os.PathLike | IO[bytes]) -> Image:
    """Read a PNG or Netpbm image file.

    Args:
        fp (str, path or binary file object): the file.

    Returns:
        Image: mode ``L``, ``LA``, ``RGB`` or ``RGBA`` (8-bit); 16-bit grey is ``I;16``,
        16-bit colour is brought to 8 bits (its high byte, as PIL). Netpbm samples are
        scaled from ``0..maxval`` to ``0..255`` (or ``0..65535`` for 16-bit grey).

    Raises:
        ValueError: a corrupt file, or a format nnlite cannot decode (JPEG, BMP, GIF, TIFF,
            WebP...), naming the file and the format.

    Example:
        >>> img = open_image("cat.png").convert("RGB")               # doctest: +SKIP
    """
    data, name = _read(fp)
    try:
        if data.startswith(SIGNATURE):
            return _png_image(decode_png(data))
        if data[:2] in MAGICS:
            return _pnm_image(*decode_pnm(data))
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    kind = next((k for magic, k in _OTHER_FORMATS if data.startswith(magic)), "an unknown")
    raise ValueError(f"{name}: {kind} image: nnlite reads only PNG and PBM/PGM/PPM files "
                     f"(it decodes with the standard library); convert the file, e.g. to PNG")


def read_image(path: str | os.PathLike, mode: Any = None) -> Tensor:
    """The pixels of an image file as a uint8 ``(C, H, W)`` Tensor (uint16 for 16-bit grey),
    as ``torchvision.io.read_image``.

    Args:
        path (str or path): a PNG or Netpbm file.
        mode (str, optional): ``"L"``, ``"LA"``, ``"RGB"`` or ``"RGBA"`` to convert to, or
            torchvision's ``ImageReadMode`` names (``UNCHANGED``, ``GRAY``, ``GRAY_ALPHA``,
            ``RGB``, ``RGB_ALPHA``). Default: as stored.

    Example:
        >>> read_image("cat.png", "RGB").shape                      # doctest: +SKIP
        (3, 32, 32)
    """
    key = "UNCHANGED" if mode is None else str(getattr(mode, "name", mode)).upper()
    if key not in _READ_MODES:
        raise ValueError(f"read_image: mode must be one of {sorted(_READ_MODES)}, got {mode!r}")
    img = open_image(path)
    if _READ_MODES[key] is not None:
        img = img.convert(_READ_MODES[key])
    return Tensor(np.ascontiguousarray(img.chw()))
