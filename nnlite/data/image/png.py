"""PNG decoding with the standard library (``zlib``) and NumPy -- no imaging library.

Notation: H x W image height x width; C samples per pixel (1 grey, 2 grey + alpha, 3 RGB,
4 RGBA; 1 palette index); D bit depth (1, 2, 4, 8 or 16); B bytes per filter unit,
``max(1, C * D // 8)``; R bytes per scanline, ``ceil(W * C * D / 8)``.

A PNG file is the 8-byte signature and a run of chunks (length, type, data, CRC-32). The
``IDAT`` chunks, joined and inflated, are H scanlines of one filter-type byte and R filtered
bytes. Undoing the filters (None, Sub, Up, Average, Paeth) needs each byte's left, upper and
upper-left neighbours already decoded; rows that only use None, Sub and Up are decoded a row at
a time (Sub is a cumulative sum), and images with Average or Paeth rows along anti-diagonals
(every pixel on one is independent of the others), so no Python loop runs over pixels.
Interlaced (Adam7) images are seven such sub-images.
"""
from __future__ import annotations

import zlib

import numpy as np

__all__ = ["decode_png", "SIGNATURE"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))                                                  # x0, y0, dx, dy
_MAX_PIXELS = 1 << 31


# ============================================================================
# Chunks
# ============================================================================
def _chunks(data: bytes) -> dict[bytes, list[bytes]]:
    """The chunks by type, each CRC-checked, up to ``IEND``."""
    if data[:8] != SIGNATURE:
        raise ValueError("PNG: not a PNG file (the first 8 bytes are not the PNG signature)")
    found: dict[bytes, list[bytes]] = {}
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise ValueError("PNG: truncated file (no IEND chunk)")
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError(f"PNG: truncated {kind!r} chunk")
        if zlib.crc32(kind + body) != int.from_bytes(crc, "big"):
            raise ValueError(f"PNG: CRC mismatch in the {kind!r} chunk (corrupt file)")
        if kind == b"IEND":
            return found
        if kind[:1].isupper() and kind not in (b"IHDR", b"PLTE", b"IDAT"):
            raise ValueError(f"PNG: unknown critical chunk {kind!r}")
        found.setdefault(kind, []).append(body)
        pos += 12 + length


def _header(chunks: dict[bytes, list[bytes]]) -> tuple[int, int, int, int, int]:
    if b"IHDR" not in chunks or len(chunks[b"IHDR"][0]) != 13:
        raise ValueError("PNG: missing or malformed IHDR chunk")
    h = chunks[b"IHDR"][0]
    width, height = int.from_bytes(h[0:4], "big"), int.from_bytes(h[4:8], "big")
    depth, color, compression, filtering, interlace = h[8], h[9], h[10], h[11], h[12]
    if color not in _CHANNELS or depth not in _DEPTHS[color]:
        raise ValueError(f"PNG: invalid colour type {color} with bit depth {depth}")
    if compression or filtering or interlace > 1:
        raise ValueError(f"PNG: unknown compression/filter/interlace method "
                         f"({compression}, {filtering}, {interlace})")
    if not 0 < width * height <= _MAX_PIXELS:
        raise ValueError(f"PNG: unsupported image size {width} x {height}")
    return width, height, depth, color, interlace


# ============================================================================
# Filters
# ============================================================================
def _unfilter(rows: np.ndarray, unit: int) -> np.ndarray:
    """(H, 1 + R) filtered scanlines -> (H, R) bytes; ``unit`` = B bytes per filter unit."""
    kinds, filtered = rows[:, 0], rows[:, 1:]
    if kinds.size and kinds.max() > 4:
        raise ValueError(f"PNG: invalid filter type {int(kinds.max())}")
    h, r = filtered.shape
    f = filtered.reshape(h, r // unit, unit)
    if (kinds <= 2).all():
        return _unfilter_rows(f, kinds).reshape(h, r)
    return _unfilter_diagonals(f, kinds).reshape(h, r)


def _unfilter_rows(f: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Only None (0), Sub (1) and Up (2): a row at a time; Sub is a cumulative sum mod 256."""
    out = np.empty_like(f)
    prev = np.zeros_like(f[0])
    for y, kind in enumerate(kinds.tolist()):
        if kind == 0:
            prev = f[y]
        elif kind == 1:
            prev = np.cumsum(f[y], axis=0, dtype=np.uint8)           # wraps mod 256
        else:
            prev = f[y] + prev
        out[y] = prev
    return out


def _paeth(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _unfilter_diagonals(f: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Any filters: unit ``(y, x)`` needs ``(y, x-1)``, ``(y-1, x)`` and ``(y-1, x-1)``, all on
    earlier anti-diagonals ``y + x``; each diagonal is one vectorised step."""
    h, n, unit = f.shape
    out = np.zeros((h + 1, n + 1, unit), np.int32)        # row 0 / column 0: zero padding
    fi = f.astype(np.int32)
    for s in range(h + n - 1):
        y = np.arange(max(0, s - n + 1), min(h - 1, s) + 1)
        x = s - y
        a, b, c = out[y + 1, x], out[y, x + 1], out[y, x]        # left, up, upper-left
        kind = kinds[y][:, None]
        pred = np.select([kind == 1, kind == 2, kind == 3, kind == 4],
                         [a, b, (a + b) >> 1, _paeth(a, b, c)], 0)
        out[y + 1, x + 1] = (fi[y, x] + pred) & 255
    return out[1:, 1:].astype(np.uint8)


# ============================================================================
# Samples and colour
# ============================================================================
def _samples(data: np.ndarray, width: int, depth: int, channels: int) -> np.ndarray:
    """(H, R) decoded bytes -> (H, W, C) samples: uint8, or uint16 for 16-bit."""
    h = data.shape[0]
    if depth == 8:
        return data[:, :width * channels].reshape(h, width, channels)
    if depth == 16:
        big = data[:, :width * channels * 2].reshape(h, -1).view(">u2")
        return big.astype(np.uint16).reshape(h, width, channels)
    bits = np.unpackbits(data, axis=1).reshape(h, -1, depth)           # (H, R*8/D, D)
    weights = (1 << np.arange(depth - 1, -1, -1)).astype(np.uint8)
    values = (bits * weights).sum(axis=2, dtype=np.uint8)[:, :width]
    return values[:, :, None]


def _decode_pass(raw: memoryview, pos: int, width: int, height: int, depth: int,
                 channels: int) -> tuple[np.ndarray, int]:
    """One (sub-)image of H x W starting at byte ``pos`` of the inflated data."""
    rowbytes = -(-width * channels * depth // 8)
    size = height * (1 + rowbytes)
    if pos + size > len(raw):
        raise ValueError("PNG: image data too short for the declared size (truncated file)")
    rows = np.frombuffer(raw[pos:pos + size], np.uint8).reshape(height, 1 + rowbytes)
    unit = max(1, channels * depth // 8)
    return _samples(_unfilter(rows, unit), width, depth, channels), pos + size


def _pixels(raw: memoryview, width: int, height: int, depth: int, channels: int,
            interlace: int) -> np.ndarray:
    if not interlace:
        return _decode_pass(raw, 0, width, height, depth, channels)[0]
    out = np.zeros((height, width, channels), np.uint16 if depth == 16 else np.uint8)
    pos = 0
    for x0, y0, dx, dy in _ADAM7:
        pw, ph = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if pw > 0 and ph > 0:
            part, pos = _decode_pass(raw, pos, pw, ph, depth, channels)
            out[y0::dy, x0::dx] = part
    return out


def _inflate(chunks: dict[bytes, list[bytes]], limit: int) -> memoryview:
    if b"IDAT" not in chunks:
        raise ValueError("PNG: no IDAT chunk (no image data)")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(chunks[b"IDAT"]), limit)
    except zlib.error as e:
        raise ValueError(f"PNG: corrupt image data ({e})") from None
    return memoryview(raw)


def decode_png(data: bytes) -> np.ndarray:
    """The pixels of a PNG file's bytes.

    Args:
        data (bytes): the whole file.

    Returns:
        ndarray: ``(H, W)`` grey, ``(H, W, 2)`` grey + alpha, ``(H, W, 3)`` RGB or
        ``(H, W, 4)`` RGBA; uint8, or uint16 for 16-bit files. Palette images are expanded to
        RGB (RGBA if they have a ``tRNS`` chunk); 1-, 2- and 4-bit grey is scaled to 0..255.

    Raises:
        ValueError: not a PNG, corrupt (CRC, truncation, bad filter, palette index out of
            range) or an unknown critical chunk.

    Example:
        >>> pixels = decode_png(open("cat.png", "rb").read())        # doctest: +SKIP
    """
    chunks = _chunks(bytes(data))
    width, height, depth, color, interlace = _header(chunks)
    channels = _CHANNELS[color]
    limit = height * (1 + -(-width * channels * depth // 8)) + 7 * (height + 8)  # + Adam7 rows
    px = _pixels(_inflate(chunks, limit), width, height, depth, channels, interlace)
    if color == 3:
        return _expand_palette(px[:, :, 0], chunks)
    if color == 0 and depth < 8:
        px = px * np.uint8(255 // ((1 << depth) - 1))
    return px[:, :, 0] if channels == 1 else px


def _expand_palette(index: np.ndarray, chunks: dict[bytes, list[bytes]]) -> np.ndarray:
    if b"PLTE" not in chunks or len(chunks[b"PLTE"][0]) % 3 or not chunks[b"PLTE"][0]:
        raise ValueError("PNG: palette image without a valid PLTE chunk")
    palette = np.frombuffer(chunks[b"PLTE"][0], np.uint8).reshape(-1, 3)
    if index.max() >= len(palette):
        raise ValueError(f"PNG: palette index {int(index.max())} out of range for a palette "
                         f"of {len(palette)} colours")
    if b"tRNS" in chunks:
        alpha = np.full((len(palette), 1), 255, np.uint8)
        given = np.frombuffer(chunks[b"tRNS"][0], np.uint8)[:len(palette)]
        alpha[:len(given), 0] = given
        palette = np.concatenate([palette, alpha], axis=1)
    return palette[index]
