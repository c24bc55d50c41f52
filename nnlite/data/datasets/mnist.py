"""MNIST and Fashion-MNIST, read from LeCun's IDX files (gzip-compressed or plain).

IDX format (big-endian): a 4-byte magic number ``0x00 0x00 <type> <ndim>`` -- 2051 for
ubyte images (3 dims), 2049 for ubyte labels (1 dim) -- then ``ndim`` 4-byte sizes, then the
values, row-major. The reader checks the magic number, that the sizes match the bytes present
(a truncated file is an error, not a short dataset) and that images and labels agree.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..download import DataFileError, Resource, read_bytes
from ..transforms import ToTensor
from ._base import ArrayDataset, locate

__all__ = ["read_idx", "parse_idx", "MNIST", "FashionMNIST"]

IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049
# type code -> big-endian dtype
_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(raw: bytes, name: str = "<bytes>", expected_magic: int | None = None
              ) -> np.ndarray:
    """Decode the bytes of an IDX file into an array (native byte order, writable).

    Raises:
        DataFileError: wrong magic number, unknown type code, truncated header or data,
            trailing bytes.
    """
    if len(raw) < 4:
        raise DataFileError(f"{name}: truncated IDX file: {len(raw)} bytes, not even the "
                            f"4-byte magic number")
    magic = int.from_bytes(raw[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise DataFileError(f"{name}: wrong magic number {magic} (0x{magic:08x}); expected "
                            f"{expected_magic} (0x{expected_magic:08x}) for an IDX "
                            f"{'image' if expected_magic == IDX_IMAGES_MAGIC else 'label'} "
                            f"file. Is it the right file, fully decompressed?")
    code, ndim = raw[2], raw[3]
    if raw[0] or raw[1] or code not in _IDX_TYPES or ndim == 0:
        raise DataFileError(f"{name}: not an IDX file (magic number {magic} = 0x{magic:08x})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFileError(f"{name}: truncated IDX header: {ndim} dimensions need {header} "
                            f"bytes, the file has {len(raw)}")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))
    dtype = _IDX_TYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got < expected:
        raise DataFileError(f"{name}: truncated IDX file: the header says {' x '.join(map(str, dims))} "
                            f"values ({expected} bytes of data), but only {got} bytes follow. "
                            f"Delete it and download it again.")
    if got > expected:
        raise DataFileError(f"{name}: {got - expected} unexpected bytes after the "
                            f"{' x '.join(map(str, dims))} values the IDX header announces")
    arr = np.frombuffer(raw, dtype, int(np.prod(dims)), header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed (``.gz``) or plain."""
    path = Path(path)
    return parse_idx(read_bytes(path), str(path), expected_magic)


def _mnist_resource(name: str, urls: list[str], **checks: Any) -> Resource:
    return Resource(f"{name}.gz", [u + f"{name}.gz" for u in urls], alternatives=(name,),
                    **checks)


class MNIST(ArrayDataset):
    """The MNIST handwritten digits (LeCun, Cortes & Burges): 60,000 training and 10,000
    test images, 28x28, labels 0-9. Shipped with nnlite in ``data/mnist``.

    Args:
        root (str or Path, optional): folder holding ``mnist/`` (also accepted:
            ``MNIST/raw/`` as torchvision lays it out, or the files directly in ``root``).
            Default: :func:`nnlite.data.download.default_root` (the repo's ``data/`` or
            ``$NNLITE_DATA``).
        train (bool): the 60,000 training images, else the 10,000 test images.
        transform (callable, optional): applied to the uint8 ``(28, 28)`` image array.
            Default: :class:`~nnlite.data.transforms.ToTensor` -> float32 ``(1, 28, 28)`` in
            [0, 1]. A transform with a ``batch`` method is applied to whole batches by
            ``__getitems__`` (the DataLoader's fast path).
        target_transform (callable, optional): applied to the int label.
        download (bool): fetch missing (or corrupt) files, verifying their checksums.

    Attributes:
        data (np.ndarray): uint8 ``(N, 28, 28)``. targets (np.ndarray): int64 ``(N,)``.
        classes (list[str]).

    Example:
        >>> train = MNIST(train=True)
        >>> x, y = train[0]            # Tensor (1, 28, 28) float32, int
    """

    folder = "mnist"
    mirrors = ["http://yann.lecun.com/exdb/mnist/",
               "https://ossci-datasets.s3.amazonaws.com/mnist/"]
    # sha256 of the *decompressed* content: the gzip wrapper differs between mirrors.
    checksums = {
        "train-images-idx3-ubyte":
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte":
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte":
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte":
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }
    checksum_kind = "gunzip_sha256"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    _default_transform = ToTensor()

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        prefix = "train" if train else "t10k"
        names = [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]
        resources = [_mnist_resource(n, self.mirrors, **{self.checksum_kind: self.checksums[n]})
                     for n in names]
        folders = [self.folder, f"{type(self).__name__}/raw", "."]
        paths = locate(type(self).__name__, self.root, folders, resources, download)
        images = read_idx(paths[resources[0].filename], IDX_IMAGES_MAGIC)
        labels = read_idx(paths[resources[1].filename], IDX_LABELS_MAGIC)
        if images.ndim != 3 or labels.ndim != 1:
            raise DataFileError(f"{type(self).__name__}: images must be (N, H, W) and labels "
                                f"(N,), got {images.shape} and {labels.shape}")
        if len(images) != len(labels):
            raise DataFileError(f"{type(self).__name__}: {len(images)} images but "
                                f"{len(labels)} labels in {paths[resources[0].filename].parent}")
        if labels.size and labels.max() >= len(self.classes):
            raise DataFileError(f"{type(self).__name__}: label {int(labels.max())} out of "
                                f"range 0..{len(self.classes) - 1}")
        self.data = images
        self.targets = labels.astype(np.int64)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): same format and sizes as MNIST,
    10 clothing classes. Not shipped: put the four ``.gz`` files in ``<root>/fashion-mnist/``
    or pass ``download=True`` (checked against the md5s the authors publish)."""

    folder = "fashion-mnist"
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    checksums = {  # md5 of the .gz files, as published in zalandoresearch/fashion-mnist
        "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    checksum_kind = "md5"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
