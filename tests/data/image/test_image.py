"""Tests of nnlite/data/image/base.py and io.py: the Image type (modes, PIL's size order,
conversions with PIL's integer luma, the array protocol), and reading files (PNG, PGM/PPM
scaled to 8 bits, 16-bit grey, unsupported formats named in the error), read_image."""
from __future__ import annotations

import io

import numpy as np
import pytest

import nnlite as nl
from nnlite.data.image import Image, open_image, read_image

from .pngwriter import encode_png, encode_pnm


def test_image_modes_size_and_array():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    img = Image(rgb)
    assert img.mode == "RGB" and img.size == (3, 2) and (img.width, img.height) == (3, 2)
    assert np.asarray(img) is rgb and img.getbands() == ("R", "G", "B")
    assert Image(np.zeros((2, 2), np.uint8)).mode == "L"
    assert Image(np.zeros((2, 2, 1), np.uint8)).mode == "L"
    assert Image(np.zeros((2, 2, 4), np.uint8)).mode == "RGBA"
    assert Image(np.zeros((2, 2), np.uint16)).mode == "I;16"
    np.testing.assert_array_equal(img.chw(), rgb.transpose(2, 0, 1))
    assert Image.from_chw(img.chw(), "RGB") == img
    assert "mode=RGB size=3x2" in repr(img)
    for bad in (np.zeros((2, 2), np.float32), np.zeros((2, 2, 5), np.uint8)):
        with pytest.raises(ValueError, match="Image: expected uint8"):
            Image(bad)


def test_convert_as_pil():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (4, 5, 4)).astype(np.uint8)
    img = Image(rgba)
    grey = img.convert("L").array
    r, g, b = (rgba[..., k].astype(np.float64) for k in range(3))
    assert np.abs(grey - (0.299 * r + 0.587 * g + 0.114 * b)).max() <= 0.5 + 1e-9
    np.testing.assert_array_equal(img.convert("RGB").array, rgba[..., :3])
    la = Image(grey).convert("LA").array
    np.testing.assert_array_equal(la[..., 1], 255)
    rgb = Image(grey).convert("RGB").array
    assert (rgb == grey[..., None]).all()
    np.testing.assert_array_equal(img.convert("LA").array[..., 1], rgba[..., 3])
    wide = Image(np.array([[0, 256, 65535]], np.uint16)).convert("L").array
    assert wide.tolist() == [[0, 1, 255]]
    with pytest.raises(ValueError, match="mode must be"):
        img.convert("CMYK")


def test_open_png_and_pnm_files(tmp_path):
    px = np.random.default_rng(1).integers(0, 256, (5, 6, 3)).astype(np.uint8)
    (tmp_path / "a.png").write_bytes(encode_png(px, filters=[4]))
    (tmp_path / "b.ppm").write_bytes(encode_pnm(px))
    (tmp_path / "c.pgm").write_bytes(encode_pnm(np.array([[0, 5], [10, 15]]), maxval=15))
    (tmp_path / "d.png").write_bytes(encode_png(np.array([[1, 2]], np.uint16)))
    (tmp_path / "e.png").write_bytes(encode_png(np.full((1, 2, 3), 0x1234, np.uint16)))
    assert open_image(tmp_path / "a.png") == Image(px)
    assert open_image(str(tmp_path / "b.ppm")) == Image(px)
    assert open_image(tmp_path / "c.pgm").array.tolist() == [[0, 85], [170, 255]]
    assert open_image(tmp_path / "d.png").mode == "I;16"
    assert open_image(tmp_path / "e.png").array.tolist() == [[[0x12] * 3] * 2]
    with open(tmp_path / "a.png", "rb") as f:
        assert open_image(f) == Image(px)
    assert open_image(io.BytesIO(encode_png(px))).mode == "RGB"


@pytest.mark.parametrize("head,kind", [(b"\xff\xd8\xff\xe0", "JPEG"), (b"BM", "BMP"),
                                       (b"GIF89a", "GIF"), (b"RIFF\x00\x00\x00\x00WEBP", "WebP"),
                                       (b"hello", "an unknown")])
def test_unsupported_formats_are_named(tmp_path, head, kind):
    path = tmp_path / "x.img"
    path.write_bytes(head + bytes(30))
    with pytest.raises(ValueError, match=f"x.img: {kind} image: nnlite reads only PNG"):
        open_image(path)


def test_a_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(encode_png(np.zeros((2, 2), np.uint8))[:-9])
    with pytest.raises(ValueError, match="broken.png: PNG: truncated"):
        open_image(path)


def test_read_image_gives_a_chw_tensor(tmp_path):
    px = np.random.default_rng(2).integers(0, 256, (3, 4, 4)).astype(np.uint8)
    path = tmp_path / "a.png"
    path.write_bytes(encode_png(px))
    t = read_image(path)
    assert isinstance(t, nl.Tensor) and t.shape == (4, 3, 4)
    np.testing.assert_array_equal(t.numpy(), px.transpose(2, 0, 1))
    assert read_image(path, "RGB").shape == (3, 3, 4)
    assert read_image(path, "GRAY").shape == (1, 3, 4)
    with pytest.raises(ValueError, match="mode must be one of"):
        read_image(path, "XYZ")
