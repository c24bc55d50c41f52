"""Tests of nnlite/data/datasets/mnist.py: the IDX reader on the shipped MNIST (counts, first
labels, the published md5 of the uncompressed content) and on small files the tests write
(gz vs plain, wrong magic, truncated header/data/gzip, trailing bytes), and the MNIST /
FashionMNIST datasets (per-sample vs vectorised batches, transforms, missing-file errors)."""
from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import DataLoader, DatasetNotFoundError, DataFileError
from nnlite.data import transforms as T
from nnlite.data.datasets import MNIST, FashionMNIST, read_idx
from nnlite.data.download import default_root

MNIST_DIR = default_root() / "mnist"
PUBLISHED_MD5 = {  # LeCun's files, uncompressed (shared/data/README.md)
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


def write_idx(path: Path, array: np.ndarray, magic: int | None = None, gz: bool = False,
              cut: int = 0, extra: bytes = b"") -> Path:
    """Write ``array`` (uint8) as an IDX file, optionally with a wrong magic number, the last
    ``cut`` bytes missing, or ``extra`` bytes appended."""
    magic = (0x0800 | array.ndim) if magic is None else magic
    raw = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    raw += array.astype(np.uint8).tobytes() + extra
    raw = raw[:len(raw) - cut]
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path


@pytest.fixture(scope="module")
def train_set():
    return MNIST(train=True)


@pytest.fixture(scope="module")
def test_set():
    return MNIST(train=False)


# ---- the shipped files ---------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PUBLISHED_MD5))
def test_shipped_files_have_the_published_uncompressed_md5(name):
    raw = gzip.decompress((MNIST_DIR / f"{name}.gz").read_bytes())
    assert hashlib.md5(raw).hexdigest() == PUBLISHED_MD5[name]
    arr = read_idx(MNIST_DIR / f"{name}.gz")
    header = 16 if "images" in name else 8
    assert arr.tobytes() == raw[header:]


def test_mnist_counts_shapes_and_first_labels(train_set, test_set):
    assert len(train_set) == 60000 and len(test_set) == 10000
    assert train_set.data.shape == (60000, 28, 28) and train_set.data.dtype == np.uint8
    assert train_set.targets.dtype == np.int64
    assert train_set.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert test_set.targets[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(train_set.targets).tolist() == [5923, 6742, 5958, 6131, 5842, 5421,
                                                       5918, 6265, 5851, 5949]
    assert "Number of datapoints: 60000" in repr(train_set)


def test_getitem_default_is_float32_chw_in_unit_range(train_set):
    x, y = train_set[0]
    assert isinstance(x, nl.Tensor) and x.shape == (1, 28, 28) and x.array.dtype == np.float32
    assert isinstance(y, int) and y == 5
    np.testing.assert_array_equal(x.array[0], train_set.data[0] / np.float32(255))
    assert x.array.min() == 0.0 and x.array.max() == 1.0


def test_getitems_is_vectorised_and_equals_per_sample(test_set):
    idx = np.array([3, 0, 9999, 3])
    xb, yb = test_set.__getitems__(idx)
    for k, i in enumerate(idx):
        x, y = test_set[int(i)]
        np.testing.assert_array_equal(xb.array[k], x.array)
        assert yb[k] == y


def test_transforms_apply_per_sample_and_per_batch():
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = MNIST(train=False, transform=tf, target_transform=T.Lambda(lambda y: y * 2,
                                                                     batched=True))
    x, y = ds[1]
    assert x.shape == (1, 28, 28) and y == 4
    xb, yb = ds.__getitems__([1, 2])
    np.testing.assert_allclose(xb.array[0], x.array, rtol=1e-6)
    assert yb.tolist() == [4, 2]
    loader = DataLoader(ds, batch_size=100)
    xb, yb = next(iter(loader))
    assert xb.shape == (100, 1, 28, 28) and xb.array.dtype == np.float32
    assert abs(float(xb.array.mean())) < 0.3


def test_unbatchable_transform_falls_back_to_per_sample():
    ds = MNIST(train=False, transform=lambda img: nl.tensor(img[None, ::2, ::2] / 255.0))
    xb, yb = next(iter(DataLoader(ds, batch_size=5)))
    assert xb.shape == (5, 1, 14, 14) and yb.array.tolist() == [7, 2, 1, 0, 4]


# ---- files the tests write -----------------------------------------------------------
@pytest.fixture
def tiny_mnist(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.uint8)
    folder = tmp_path / "mnist"
    folder.mkdir()
    return tmp_path, folder, images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_reader_gz_and_plain_give_the_same_arrays(tiny_mnist, gz):
    root, folder, images, labels = tiny_mnist
    write_idx(folder / "t10k-images-idx3-ubyte", images, gz=gz)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels, gz=gz)
    ds = MNIST(root, train=False)
    np.testing.assert_array_equal(ds.data, images)
    assert ds.targets.tolist() == labels.tolist()


def test_reader_other_idx_types(tmp_path):
    arr = np.arange(12, dtype=np.int32).reshape(3, 4) - 5
    raw = struct.pack(">I", 0x0C02) + struct.pack(">2I", 3, 4) + arr.astype(">i4").tobytes()
    (tmp_path / "a.idx").write_bytes(raw)
    out = read_idx(tmp_path / "a.idx")
    np.testing.assert_array_equal(out, arr)
    assert out.dtype.isnative and out.flags.writeable


def test_wrong_magic_number(tiny_mnist):
    root, folder, images, labels = tiny_mnist
    write_idx(folder / "t10k-images-idx3-ubyte", images, magic=2049)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels)
    with pytest.raises(DataFileError, match=r"wrong magic number 2049.*expected 2051"):
        MNIST(root, train=False)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tiny_mnist, gz):
    root, folder, images, labels = tiny_mnist
    write_idx(folder / "t10k-images-idx3-ubyte", images, cut=100, gz=gz)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels, gz=gz)
    with pytest.raises(DataFileError, match=r"truncated IDX file.*7 x 28 x 28.*5488 bytes"):
        MNIST(root, train=False)


def test_truncated_header_and_trailing_bytes(tmp_path):
    (tmp_path / "h").write_bytes(struct.pack(">I", 2051) + b"\x00\x00\x00\x07")
    with pytest.raises(DataFileError, match="truncated IDX header"):
        read_idx(tmp_path / "h", 2051)
    (tmp_path / "m").write_bytes(b"\x00\x00")
    with pytest.raises(DataFileError, match="not even the 4-byte magic"):
        read_idx(tmp_path / "m")
    write_idx(tmp_path / "t", np.zeros(3, np.uint8), extra=b"xx")
    with pytest.raises(DataFileError, match="2 unexpected bytes"):
        read_idx(tmp_path / "t", 2049)


def test_truncated_gzip_stream(tiny_mnist):
    root, folder, images, labels = tiny_mnist
    path = write_idx(folder / "t10k-images-idx3-ubyte", images, gz=True)
    path.write_bytes(path.read_bytes()[:-50])
    write_idx(folder / "t10k-labels-idx1-ubyte", labels, gz=True)
    with pytest.raises(DataFileError, match="corrupt or truncated gzip"):
        MNIST(root, train=False)


def test_label_and_count_mismatch(tiny_mnist):
    root, folder, images, labels = tiny_mnist
    write_idx(folder / "t10k-images-idx3-ubyte", images)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels[:5])
    with pytest.raises(DataFileError, match="7 images but 5 labels"):
        MNIST(root, train=False)
    write_idx(folder / "t10k-labels-idx1-ubyte", np.array([0, 1, 2, 3, 4, 5, 10]))
    with pytest.raises(DataFileError, match="label 10 out of range"):
        MNIST(root, train=False)


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(tmp_path, train=True)
    msg = str(info.value)
    assert "train-images-idx3-ubyte.gz" in msg and str(tmp_path / "mnist") in msg
    assert "download=True" in msg and "http" in msg and "NNLITE_DATA" in msg
    assert isinstance(info.value, FileNotFoundError)


def test_torchvision_layout_and_fashion_mnist(tiny_mnist):
    root, _, images, labels = tiny_mnist
    folder = root / "FashionMNIST" / "raw"
    folder.mkdir(parents=True)
    write_idx(folder / "train-images-idx3-ubyte", images, gz=True)
    write_idx(folder / "train-labels-idx1-ubyte", labels, gz=True)
    ds = FashionMNIST(root)
    assert len(ds) == 7 and ds.classes[9] == "Ankle boot"
    with pytest.raises(DatasetNotFoundError, match="fashion-mnist"):
        FashionMNIST(root, train=False)


def test_nnlite_data_env_var_sets_default_root(tiny_mnist, monkeypatch):
    root, folder, images, labels = tiny_mnist
    write_idx(folder / "t10k-images-idx3-ubyte", images)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels)
    monkeypatch.setenv("NNLITE_DATA", str(root))
    assert len(MNIST(train=False)) == 7


def test_loader_never_calls_getitem_on_mnist(test_set, monkeypatch):
    def boom(self, index):
        raise AssertionError("per-sample __getitem__ called")

    monkeypatch.setattr(MNIST, "__getitem__", boom)
    nl.manual_seed(0)
    loader = DataLoader(test_set, batch_size=1000, shuffle=True)
    labels = np.concatenate([yb.array for _, yb in loader])
    assert len(labels) == 10000 and np.bincount(labels).tolist() == np.bincount(
        test_set.targets).tolist()
