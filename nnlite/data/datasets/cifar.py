"""CIFAR-10 from its *binary* distribution (``cifar-10-binary.tar.gz``), never the pickled
Python one: loading a dataset must not run code.

Binary format: each file is a run of 3073-byte records -- 1 label byte (0-9), then 3072 pixel
bytes: the 1024 red values of the 32x32 image row by row, then the 1024 green, then the 1024
blue. ``data_batch_1.bin`` .. ``data_batch_5.bin`` hold 10,000 training images each,
``test_batch.bin`` the 10,000 test images.
"""
from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import Callable

import numpy as np

from ..download import DataFileError, Resource, download_url, extract_archive, check_integrity
from ..transforms import ToTensor
from ._base import ArrayDataset, locate

__all__ = ["read_cifar_bin", "CIFAR10"]

RECORD = 1 + 3 * 32 * 32


def read_cifar_bin(path: str | os.PathLike, num_classes: int = 10) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Read one CIFAR-10 binary file -> (uint8 images (N, 32, 32, 3) HWC, int64 labels (N,)).

    Raises:
        DataFileError: empty, truncated (size not a multiple of 3073 bytes) or a label
            outside ``0..num_classes-1``.
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw:
        raise DataFileError(f"{path}: empty CIFAR-10 binary file")
    if len(raw) % RECORD:
        raise DataFileError(
            f"{path}: truncated or not a CIFAR-10 binary file: its size {len(raw)} is not a "
            f"multiple of the {RECORD}-byte record ({len(raw) // RECORD} whole records and "
            f"{len(raw) % RECORD} bytes left over). Delete it and download it again.")
    rec = np.frombuffer(raw, np.uint8).reshape(-1, RECORD)
    labels = rec[:, 0].astype(np.int64)
    if labels.max() >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise DataFileError(f"{path}: record {bad} has label {labels[bad]}, outside "
                            f"0..{num_classes - 1}: not a CIFAR-10 binary file")
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)   # (N, 32, 32, 3)
    return np.ascontiguousarray(images), labels


class CIFAR10(ArrayDataset):
    """CIFAR-10 (Krizhevsky 2009): 50,000 training and 10,000 test 32x32 colour images in 10
    classes. Not shipped with nnlite (163 MB).

    Args:
        root (str or Path, optional): folder holding ``cifar-10-batches-bin/`` (what the
            archive extracts to). Default: the repo's ``data/`` (or ``$NNLITE_DATA``).
        train (bool): the five training batches, else the test batch.
        transform (callable, optional): applied to the uint8 ``(32, 32, 3)`` HWC image.
            Default: ``ToTensor()`` -> float32 ``(3, 32, 32)`` in [0, 1]. Batched (``.batch``)
            by ``__getitems__`` when it can be.
        target_transform (callable, optional): applied to the int label.
        download (bool): fetch ``cifar-10-binary.tar.gz`` (md5-checked, the digest the
            authors publish) and extract it into ``root``.

    Attributes:
        data: uint8 ``(N, 32, 32, 3)``; targets: int64 ``(N,)``; classes: list of names.
    """

    base_folder = "cifar-10-batches-bin"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    archive = "cifar-10-binary.tar.gz"
    archive_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck"]
    _default_transform = ToTensor()

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        files = self.train_list if train else self.test_list
        if download:
            self.download()
        resources = [Resource(f, [self.url]) for f in files]
        paths = locate(type(self).__name__, self.root, [self.base_folder, "."], resources,
                       download=False,
                       how=f" (The files are in {self.archive}; extract it into root.)")
        parts = [read_cifar_bin(paths[f]) for f in files]
        self.data = np.concatenate([p[0] for p in parts])
        self.targets = np.concatenate([p[1] for p in parts])

    def _complete(self) -> bool:
        folder = self.root / self.base_folder
        return all((folder / f).is_file() for f in self.train_list + self.test_list)

    def download(self) -> None:
        """Fetch and extract the binary archive unless all six files are present."""
        if self._complete():
            return
        archive = self.root / self.archive
        if not check_integrity(archive, md5=self.archive_md5):
            download_url(self.url, archive, md5=self.archive_md5)
        wanted = {f"{self.base_folder}/{f}" for f in
                  self.train_list + self.test_list + ["batches.meta.txt"]}
        with tarfile.open(archive) as tar:
            present = [m for m in tar.getnames() if m in wanted]
        extract_archive(archive, self.root, members=present)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"
