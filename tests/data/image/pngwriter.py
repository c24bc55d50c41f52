"""A small PNG and Netpbm *encoder* for the tests: every colour type and bit depth, a chosen
filter per scanline (the five filters written from the PNG specification, Paeth as its scalar
pseudo-code), Adam7 interlacing, palettes with tRNS, and image data split over several IDAT
chunks -- the independent oracle of nnlite's decoders."""
from __future__ import annotations

import struct
import zlib

import numpy as np

ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2))
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def paeth(a: int, b: int, c: int) -> int:
    """The PNG specification's PaethPredictor, scalar."""
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    if pb <= pc:
        return b
    return c


def filter_row(kind: int, raw: list[int], prior: list[int], bpp: int) -> list[int]:
    out = []
    for i, x in enumerate(raw):
        a = raw[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - pred) % 256)
    return out


def pack_rows(samples: np.ndarray, depth: int) -> list[list[int]]:
    """(H, W, C) sample values -> the bytes of each scanline."""
    h = samples.shape[0]
    flat = samples.reshape(h, -1).astype(np.int64)
    if depth == 16:
        return [[v for s in row for v in (s >> 8, s & 255)] for row in flat.tolist()]
    if depth == 8:
        return flat.tolist()
    rows = []
    for row in flat.tolist():
        bits = [(v >> (depth - 1 - k)) & 1 for v in row for k in range(depth)]
        bits += [0] * (-len(bits) % 8)
        rows.append([int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8)])
    return rows


def scanlines(samples: np.ndarray, depth: int, filters: list[int], start: int = 0) -> bytes:
    channels = samples.shape[2]
    bpp = max(1, channels * depth // 8)
    rows = pack_rows(samples, depth)
    out, prior = bytearray(), [0] * len(rows[0])
    for y, raw in enumerate(rows):
        kind = filters[(start + y) % len(filters)]
        out += bytes([kind] + filter_row(kind, raw, prior, bpp))
        prior = raw
    return bytes(out)


def encode_png(pixels, color: int | None = None, depth: int | None = None, palette=None,
               trns: bytes | None = None, filters=(0,), interlace: bool = False,
               idat_parts: int = 1, extra_chunks: list[bytes] = ()) -> bytes:
    """PNG bytes of ``pixels``: (H, W) grey or palette indices, (H, W, C) otherwise."""
    px = np.asarray(pixels)
    samples = px[:, :, None] if px.ndim == 2 else px
    if color is None:
        color = 3 if palette is not None else {1: 0, 2: 4, 3: 2, 4: 6}[samples.shape[2]]
    if depth is None:
        depth = 16 if px.dtype == np.uint16 else 8
    h, w = samples.shape[:2]
    filters = list(filters)
    if interlace:
        data, row = b"", 0
        for x0, y0, dx, dy in ADAM7:
            part = samples[y0::dy, x0::dx]
            if part.size:
                data += scanlines(part, depth, filters, row)
                row += part.shape[0]
    else:
        data = scanlines(samples, depth, filters)
    z = zlib.compress(data, 9)
    cut = [len(z) * k // idat_parts for k in range(idat_parts + 1)]
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0,
                                                            0, int(interlace)))
    if palette is not None:
        out += chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1).tolist()))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    for extra in extra_chunks:
        out += extra
    for a, b in zip(cut, cut[1:]):
        out += chunk(b"IDAT", z[a:b])
    return out + chunk(b"IEND", b"")


def encode_pnm(pixels, maxval: int = 255, plain: bool = False, comment: bool = True) -> bytes:
    """PGM (2-D) or PPM (3-D) bytes, raw or plain, with a comment in the header."""
    px = np.asarray(pixels)
    magic = (b"P2" if plain else b"P5") if px.ndim == 2 else (b"P3" if plain else b"P6")
    head = magic + (b"\n# written by the tests\n" if comment else b"\n")
    head += b"%d %d\n%d\n" % (px.shape[1], px.shape[0], maxval)
    if plain:
        return head + " ".join(str(v) for v in px.reshape(-1).tolist()).encode() + b"\n"
    return head + px.astype(">u2" if maxval > 255 else np.uint8).tobytes()
