"""Netpbm decoding (PBM, PGM, PPM; plain ``P1``-``P3`` and raw ``P4``-``P6``) with NumPy.

The header is whitespace-separated ASCII: the magic number, width, height and (except for
bitmaps) the maximum value ``maxval``, with ``#`` comments; one whitespace byte ends it. Raw
samples are bytes (``maxval < 256``) or big-endian 16-bit words; raw bitmaps pack 8 pixels a
byte, each row padded to a whole byte; in bitmaps 1 is black.
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["decode_pnm", "MAGICS"]

MAGICS = (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6")
_CHANNELS = {1: 1, 2: 1, 3: 3, 4: 1, 5: 1, 6: 3}
_TOKEN = re.compile(rb"(?:\s|#[^\n\r]*[\n\r])*(\S+)")   # a header token after space/comments


def _header(data: bytes, count: int) -> tuple[list[int], int]:
    """The ``count`` numbers after the magic, and the offset just past the header."""
    pos, numbers = 2, []
    for _ in range(count):
        m = _TOKEN.match(data, pos)
        if m is None or not m.group(1).isdigit():
            raise ValueError("PNM: malformed header (expected width, height and maxval)")
        numbers.append(int(m.group(1)))
        pos = m.end()
    return numbers, pos + 1                       # one whitespace byte ends the header


def decode_pnm(data: bytes) -> tuple[np.ndarray, int]:
    """The pixels of a PBM/PGM/PPM file's bytes, and the file's ``maxval``.

    Args:
        data (bytes): the whole file.

    Returns:
        (ndarray, int): ``(H, W)`` (bitmaps, greymaps) or ``(H, W, 3)`` (pixmaps) samples --
        uint8 if ``maxval < 256``, else uint16 -- unscaled, and ``maxval`` (1 for bitmaps,
        whose pixels are returned as 255 for white and 0 for black).

    Raises:
        ValueError: not a Netpbm file, a malformed header, too few samples, or a sample
            above ``maxval``.

    Example:
        >>> pixels, maxval = decode_pnm(b"P2 2 1 255 0 128")
        >>> pixels.tolist(), maxval
        ([[0, 128]], 255)
    """
    data = bytes(data)
    if data[:2] not in MAGICS:
        raise ValueError("PNM: not a Netpbm file (the magic number is not P1..P6)")
    kind = data[1] - ord("0")
    bitmap = kind in (1, 4)
    (width, height, *rest), start = _header(data, 2 if bitmap else 3)
    maxval = 1 if bitmap else rest[0]
    if width < 1 or height < 1 or not 0 < maxval < 65536:
        raise ValueError(f"PNM: invalid size {width} x {height} or maxval {maxval}")
    channels = _CHANNELS[kind]
    count = width * height * channels
    dtype = np.uint8 if maxval < 256 else np.uint16
    if kind == 4:
        rowbytes = -(-width // 8)
        if len(data) - start < rowbytes * height:
            raise ValueError("PNM: too few bytes for the declared size (truncated file)")
        raw = np.frombuffer(data, np.uint8, rowbytes * height, start)
        bits = np.unpackbits(raw.reshape(height, rowbytes), axis=1)[:, :width]
        return np.where(bits == 1, 0, 255).astype(np.uint8), 1
    if kind in (1, 2, 3):
        text = re.sub(rb"#[^\n\r]*", b"", data[start - 1:])
        tokens = re.findall(rb"[01]", text) if kind == 1 else text.split()
        if len(tokens) < count or not all(t.isdigit() for t in tokens[:count]):
            raise ValueError(f"PNM: expected {count} decimal samples for a {width} x {height} "
                             f"image (truncated or malformed file)")
        values = np.array([int(t) for t in tokens[:count]], np.int64)
    else:
        size = count * (1 if dtype == np.uint8 else 2)
        if len(data) - start < size:
            raise ValueError("PNM: too few bytes for the declared size (truncated file)")
        values = np.frombuffer(data, np.uint8 if dtype == np.uint8 else ">u2", count, start)
    if kind == 1:
        return np.where(values.reshape(height, width) == 1, 0, 255).astype(np.uint8), 1
    if values.max() > maxval:
        raise ValueError(f"PNM: sample {int(values.max())} above maxval {maxval}")
    shape = (height, width) if channels == 1 else (height, width, 3)
    return values.astype(dtype).reshape(shape), maxval
