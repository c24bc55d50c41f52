"""Tests of nnlite/data/datasets/folder.py: ImageFolder and DatasetFolder with torchvision's
semantics (sorted classes, class_to_idx, samples/targets/imgs in sorted walk order, nested
folders, extensions and is_valid_file, allow_empty, loader/transform/target_transform), PNG
and PPM/PGM images written by the tests and read back exactly, and the errors."""
from __future__ import annotations

import os

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import DataLoader
from nnlite.data import transforms as T
from nnlite.data.datasets import DatasetFolder, ImageFolder
from nnlite.data.datasets.folder import (IMG_EXTENSIONS, default_loader, find_classes,
                                         make_dataset)
from nnlite.data.image import Image

from ..image.pngwriter import encode_png, encode_pnm


def _px(seed, h=6, w=5, c=3):
    shape = (h, w, c) if c > 1 else (h, w)
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


@pytest.fixture
def tree(tmp_path):
    """root/cat/{a.png, b.ppm}, root/dog/{c.png, nested/d.pgm, notes.txt}, root/emu/ (empty
    but for a text file); and the pixels written."""
    pixels = {}
    files = {"cat/a.png": (encode_png, _px(0)), "cat/b.ppm": (encode_pnm, _px(1)),
             "dog/c.png": (encode_png, _px(2, c=4)), "dog/nested/d.pgm": (encode_pnm,
                                                                           _px(3, c=1))}
    for rel, (encode, px) in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode(px))
        pixels[str(path)] = px
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    (tmp_path / "emu").mkdir()
    (tmp_path / "emu" / "readme.md").write_text("no images")
    (tmp_path / "stray.png").write_bytes(encode_png(_px(4)))      # not in a class folder
    return tmp_path, pixels


def test_classes_samples_targets_as_torchvision(tree):
    root, pixels = tree
    ds = ImageFolder(root, allow_empty=True)
    assert ds.classes == ["cat", "dog", "emu"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1, "emu": 2}
    rel = [(os.path.relpath(p, root), t) for p, t in ds.samples]
    assert rel == [("cat/a.png", 0), ("cat/b.ppm", 0), ("dog/c.png", 1),
                   ("dog/nested/d.pgm", 1)]
    assert ds.targets == [0, 0, 1, 1] and ds.imgs is ds.samples and len(ds) == 4
    assert "Number of datapoints: 4" in repr(ds)


def test_images_read_back_exactly_as_rgb(tree):
    root, pixels = tree
    ds = ImageFolder(root, allow_empty=True)
    for k, (path, target) in enumerate(ds.samples):
        img, label = ds[k]
        assert isinstance(img, Image) and img.mode == "RGB" and label == target
        px = pixels[path]
        expected = (np.repeat(px[:, :, None], 3, axis=2) if px.ndim == 2
                    else px[:, :, :3])                        # grey -> RGB; alpha dropped
        np.testing.assert_array_equal(img.array, expected)


def test_transforms_and_a_loader(tree):
    root, _ = tree
    ds = ImageFolder(root, transform=T.Compose([T.Resize((4, 4)), T.ToTensor()]),
                     target_transform=lambda t: t * 10, allow_empty=True)
    x, y = ds[2]
    assert isinstance(x, nl.Tensor) and x.shape == (3, 4, 4) and y == 10
    xb, yb = next(iter(DataLoader(ds, batch_size=4, shuffle=True)))
    assert xb.shape == (4, 3, 4, 4) and sorted(yb.numpy().tolist()) == [0, 0, 10, 10]


def test_empty_classes_extensions_and_is_valid_file(tree):
    root, _ = tree
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes emu"):
        ImageFolder(root)
    only_png = ImageFolder(root, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert [os.path.basename(p) for p, _ in only_png.samples] == ["a.png", "c.png"]
    texts = DatasetFolder(root, loader=lambda p: open(p).read(), extensions=(".txt", ".md"),
                          allow_empty=True)
    assert texts[0] == ("not an image", 1) and texts.targets == [1, 2]
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        make_dataset(root, extensions=(".png",), is_valid_file=lambda p: True)
    with pytest.raises(ValueError, match="at least one entry"):
        make_dataset(root, class_to_idx={}, extensions=".png")
    assert ".jpg" in IMG_EXTENSIONS and find_classes(root)[0] == ["cat", "dog", "emu"]


def test_a_subclass_can_choose_its_classes(tree):
    root, _ = tree

    class CatsOnly(ImageFolder):
        def find_classes(self, directory):
            return ["cat"], {"cat": 0}

    ds = CatsOnly(root)
    assert ds.classes == ["cat"] and len(ds) == 2


def test_formats_nnlite_cannot_read_are_refused_early(tmp_path):
    for name in ("a/x.jpg", "a/y.JPEG", "a/z.png", "b/w.webp"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"\xff\xd8\xff" + bytes(10) if not name.endswith("png")
                         else encode_png(_px(5)))
    with pytest.raises(ValueError, match=r"cannot read \(1 \.jpeg, 1 \.jpg, 1 \.webp\)"):
        ImageFolder(tmp_path)
    custom = ImageFolder(tmp_path, loader=lambda p: os.path.getsize(p))   # the user decodes
    assert len(custom) == 4
    with pytest.raises(ValueError, match="JPEG image"):
        default_loader(str(tmp_path / "a" / "x.jpg"))


def test_no_class_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(tmp_path)
