"""Tests of nnlite/data/image/png.py against the tests' own PNG encoder (pngwriter.py): every
colour type and bit depth, each of the five filters alone and mixed, Adam7 interlacing,
palettes with and without tRNS, several IDAT chunks, odd sizes -- read back exactly -- and a
clear ValueError for every kind of corrupt file."""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from nnlite.data.image import decode_png
from nnlite.data.image.png import SIGNATURE

from .pngwriter import chunk, encode_png

CASES = [(0, 8), (0, 16), (2, 8), (2, 16), (4, 8), (4, 16), (6, 8), (6, 16)]
FILTERS = [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4], [4, 3, 1]]
SIZES = [(1, 1), (5, 7), (9, 3), (13, 17)]


def _pixels(color, depth, h, w, seed=0):
    rng = np.random.default_rng(seed)
    c = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    top = (1 << depth) - 1
    px = rng.integers(0, top + 1, size=(h, w, c)).astype(np.uint16 if depth == 16 else np.uint8)
    return px[:, :, 0] if c == 1 else px


@pytest.mark.parametrize("color,depth", CASES)
@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_colour_types_depths_and_filters_read_back_exactly(color, depth, filters):
    for h, w in SIZES:
        px = _pixels(color, depth, h, w)
        out = decode_png(encode_png(px, color=color, depth=depth, filters=filters))
        assert out.dtype == px.dtype and out.shape == px.shape
        np.testing.assert_array_equal(out, px)


@pytest.mark.parametrize("color,depth", [(0, 8), (2, 8), (6, 16), (0, 1), (0, 4)])
@pytest.mark.parametrize("filters", [[0], [4], [1, 3, 2, 4]], ids=str)
def test_interlaced_images(color, depth, filters):
    for h, w in [(1, 1), (3, 2), (8, 8), (11, 13)]:
        top = (1 << depth) - 1
        if depth < 8:
            raw = np.random.default_rng(1).integers(0, top + 1, (h, w)).astype(np.uint8)
            out = decode_png(encode_png(raw, color=0, depth=depth, filters=filters,
                                        interlace=True))
            np.testing.assert_array_equal(out, raw * (255 // top))
            continue
        px = _pixels(color, depth, h, w, seed=2)
        out = decode_png(encode_png(px, color=color, depth=depth, filters=filters,
                                    interlace=True))
        np.testing.assert_array_equal(out, px)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_low_bit_grey_is_scaled_to_8_bits(depth):
    top = (1 << depth) - 1
    raw = np.random.default_rng(3).integers(0, top + 1, (6, 11)).astype(np.uint8)
    out = decode_png(encode_png(raw, color=0, depth=depth, filters=[0, 1, 2, 3, 4]))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, raw.astype(np.int64) * 255 // top)


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_palette_images_expand_to_rgb(depth):
    n = 1 << depth
    palette = np.random.default_rng(4).integers(0, 256, (n, 3)).astype(np.uint8)
    index = np.random.default_rng(5).integers(0, n, (7, 9)).astype(np.uint8)
    out = decode_png(encode_png(index, palette=palette, depth=depth, filters=[4, 1]))
    np.testing.assert_array_equal(out, palette[index])
    assert out.shape == (7, 9, 3)


def test_palette_transparency_gives_rgba():
    palette = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    index = np.array([[0, 1, 2], [2, 1, 0]], np.uint8)
    out = decode_png(encode_png(index, palette=palette, trns=bytes([0, 128])))
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out[..., 3], [[0, 128, 255], [255, 128, 0]])
    np.testing.assert_array_equal(out[..., :3], palette[index])


def test_several_idat_chunks_and_ancillary_chunks():
    px = _pixels(2, 8, 10, 12)
    text = chunk(b"tEXt", b"Comment\x00hello")
    out = decode_png(encode_png(px, filters=[3], idat_parts=4, extra_chunks=[text]))
    np.testing.assert_array_equal(out, px)


def test_a_large_paeth_image_decodes():
    px = _pixels(2, 8, 120, 90, seed=6)
    np.testing.assert_array_equal(decode_png(encode_png(px, filters=[4, 3])), px)


# ---- corrupt files ----------------------------------------------------------------------------
def _good():
    return encode_png(_pixels(2, 8, 4, 4))


def _with_idat(data: bytes) -> bytes:
    """A 2 x 2 grey PNG whose (inflated) image data is ``data``."""
    ihdr = chunk(b"IHDR", (2).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
    return SIGNATURE + ihdr + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data,match", [
    (b"GIF89a" + bytes(20), "not a PNG"),
    (_good()[:40], "truncated"),
    (_good()[:-5] + b"\x00" * 5, "CRC mismatch"),
    (_good()[:33] + chunk(b"ABCD", b"x") + _good()[33:], "unknown critical chunk"),
    (_with_idat(bytes([5, 1, 2, 0, 3, 4])), "invalid filter type 5"),
    (_with_idat(bytes([0, 1, 2])), "too short"),
    (SIGNATURE + chunk(b"IHDR", bytes(13)) + chunk(b"IEND", b""), "invalid colour type|size"),
    (SIGNATURE + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
     + chunk(b"IDAT", b"not zlib") + chunk(b"IEND", b""), "corrupt image data"),
    (encode_png(np.array([[3]], np.uint8), palette=np.zeros((2, 3))), "palette index 3"),
])
def test_corrupt_files_raise_one_clear_error(data, match):
    with pytest.raises(ValueError, match=match):
        decode_png(data)
