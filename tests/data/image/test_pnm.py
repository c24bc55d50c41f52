"""Tests of nnlite/data/image/pnm.py: raw and plain PGM/PPM at 8 and 16 bits with header
comments, PBM bitmaps (1 is black), and clear errors for malformed files."""
from __future__ import annotations

import numpy as np
import pytest

from nnlite.data.image import decode_pnm

from .pngwriter import encode_pnm


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("maxval", [255, 15, 1000, 65535])
@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (1, 1)])
def test_greymaps_and_pixmaps_read_back_exactly(plain, maxval, shape):
    px = np.random.default_rng(0).integers(0, maxval + 1, size=shape)
    out, m = decode_pnm(encode_pnm(px, maxval, plain=plain))
    assert m == maxval and out.dtype == (np.uint8 if maxval < 256 else np.uint16)
    np.testing.assert_array_equal(out, px)


def test_bitmaps_plain_and_raw():
    bits = np.array([[0, 1, 1, 0, 1, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0, 0, 1, 0, 1]])
    plain = b"P1\n# a comment\n10 2\n" + b"\n".join(
        "".join(map(str, row)).encode() for row in bits.tolist())
    raw = b"P4 10 2\n" + np.packbits(bits, axis=1).tobytes()
    for data in (plain, raw):
        out, m = decode_pnm(data)
        assert m == 1
        np.testing.assert_array_equal(out, np.where(bits == 1, 0, 255))


@pytest.mark.parametrize("data,match", [
    (b"P7 1 1 255 x", "not a Netpbm"),
    (b"P5 2 x 255\n", "malformed header"),
    (b"P5 2 2 255\n\x00\x01", "truncated"),
    (b"P2 2 1 10 3 11", "above maxval"),
    (b"P2 2 1 10 3", "expected 2 decimal samples"),
    (b"P3 1 1 255 1 2 x", "malformed"),
    (b"P5 0 2 255\n", "invalid size"),
])
def test_malformed_files(data, match):
    with pytest.raises(ValueError, match=match):
        decode_pnm(data)
