"""Tests of nnlite/data/datasets/cifar.py on small files written in CIFAR-10's binary format
(3073-byte records: label, then R, G, B planes row by row): pixel layout, train/test files,
truncated and wrong-label files, missing-file errors, batched access."""
from __future__ import annotations

import numpy as np
import pytest

from nnlite.data import DataLoader, DataFileError, DatasetNotFoundError
from nnlite.data import transforms as T
from nnlite.data.datasets import CIFAR10, read_cifar_bin


def write_cifar(path, images_hwc: np.ndarray, labels: np.ndarray) -> None:
    """Write images (N, 32, 32, 3) uint8 and labels as CIFAR-10 binary records."""
    planes = images_hwc.transpose(0, 3, 1, 2).reshape(len(images_hwc), -1)     # R, G, B
    records = np.concatenate([labels.astype(np.uint8)[:, None], planes], axis=1)
    path.write_bytes(records.astype(np.uint8).tobytes())


@pytest.fixture
def cifar_root(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    parts = {}
    for k, name in enumerate([f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]):
        n = 3 + k % 2
        images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n)
        write_cifar(folder / name, images, labels)
        parts[name] = (images, labels)
    return tmp_path, folder, parts


def test_record_layout_is_label_then_rgb_planes(tmp_path):
    record = np.zeros(3073, np.uint8)
    record[0] = 7
    record[1 + 0 * 1024 + 2 * 32 + 5] = 200      # R at row 2, col 5
    record[1 + 1 * 1024 + 31] = 100              # G at row 0, col 31
    record[1 + 2 * 1024 + 31 * 32] = 50          # B at row 31, col 0
    (tmp_path / "one.bin").write_bytes(record.tobytes())
    images, labels = read_cifar_bin(tmp_path / "one.bin")
    assert images.shape == (1, 32, 32, 3) and labels.tolist() == [7]
    assert images[0, 2, 5, 0] == 200 and images[0, 0, 31, 1] == 100 and images[0, 31, 0, 2] == 50
    assert images.sum() == 350


def test_train_and_test_sets(cifar_root):
    root, _, parts = cifar_root
    train, test = CIFAR10(root, train=True), CIFAR10(root, train=False)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)]
    assert len(train) == sum(len(parts[n][1]) for n in names) and len(test) == 4
    np.testing.assert_array_equal(train.data, np.concatenate([parts[n][0] for n in names]))
    np.testing.assert_array_equal(test.targets, parts["test_batch.bin"][1])
    x, y = test[1]
    assert x.shape == (3, 32, 32) and x.array.dtype == np.float32
    np.testing.assert_array_equal(x.array, parts["test_batch.bin"][0][1].transpose(2, 0, 1) / np.float32(255))
    assert y == int(parts["test_batch.bin"][1][1])


def test_batches_with_augmentation(cifar_root):
    root, _, _ = cifar_root
    tf = T.Compose([T.ToTensor(), T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()])
    ds = CIFAR10(root, train=True, transform=tf)
    xb, yb = next(iter(DataLoader(ds, batch_size=8, shuffle=True)))
    assert xb.shape == (8, 3, 32, 32) and yb.array.dtype == np.int64


def test_truncated_file(cifar_root):
    root, folder, _ = cifar_root
    path = folder / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataFileError, match=r"truncated.*not a multiple of the 3073-byte record"):
        CIFAR10(root, train=False)
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        CIFAR10(root, train=False)


def test_bad_label(cifar_root):
    root, folder, _ = cifar_root
    write_cifar(folder / "test_batch.bin", np.zeros((2, 32, 32, 3), np.uint8), np.array([1, 12]))
    with pytest.raises(DataFileError, match="record 1 has label 12"):
        CIFAR10(root, train=False)


def test_missing_files(cifar_root, tmp_path):
    root, folder, _ = cifar_root
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        CIFAR10(root, train=True)
    msg = str(info.value)
    assert "data_batch_3.bin" in msg and str(folder) in msg
    assert "cifar-10-binary.tar.gz" in msg and "download=True" in msg
    assert len(CIFAR10(root, train=False)) == 4


def test_download_uses_the_archive_without_network_when_present(cifar_root, tmp_path, monkeypatch):
    """download=True with an archive already in root (md5 patched to match it) just extracts."""
    import hashlib
    import tarfile
    src_root, folder, parts = cifar_root
    new_root = tmp_path / "fresh"
    new_root.mkdir()
    archive = new_root / CIFAR10.archive
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-bin")
    monkeypatch.setattr(CIFAR10, "archive_md5", hashlib.md5(archive.read_bytes()).hexdigest())
    monkeypatch.setattr(CIFAR10, "url", "http://127.0.0.1:9/never-used")
    ds = CIFAR10(new_root, train=False, download=True)
    np.testing.assert_array_equal(ds.data, parts["test_batch.bin"][0])
