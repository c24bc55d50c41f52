"""Datasets of files in class folders, as torchvision's ``DatasetFolder`` and ``ImageFolder``::

    root/dog/xxx.png
    root/dog/nested/xxy.png
    root/cat/123.png

The classes are the sub-folders of ``root``, sorted (``class_to_idx`` numbers them); the
samples are the files under each (walked in sorted order, symbolic links followed) that have
an allowed extension or pass ``is_valid_file``. ``ImageFolder`` reads PNG and PBM/PGM/PPM with
the standard library (:mod:`nnlite.data.image`); finding files of other image formats (JPEG,
...) with the default loader is an error that says so, at construction.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import Any, Callable, Sequence

from ..dataset import Dataset
from ..image import SUPPORTED_EXTENSIONS, Image, open_image

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "default_loader", "find_classes",
           "make_dataset", "has_file_allowed_extension", "is_image_file"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | Sequence[str]) -> bool:
    """Whether ``filename`` ends with one of ``extensions`` (case-insensitive)."""
    ext = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(ext)


def is_image_file(filename: str) -> bool:
    """Whether ``filename`` has one of torchvision's image extensions (``IMG_EXTENSIONS``)."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def default_loader(path: str) -> Image:
    """The image at ``path`` as an RGB :class:`~nnlite.data.image.Image` (torchvision's
    loader gives an RGB PIL image)."""
    return open_image(path).convert("RGB")


def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
    """The sorted names of the sub-folders of ``directory`` and their indices.

    Raises:
        FileNotFoundError: no sub-folder.
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory: str | os.PathLike, class_to_idx: dict[str, int] | None = None,
                 extensions: str | Sequence[str] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """The ``(path, class_index)`` samples under ``directory``, as torchvision.

    Args:
        directory (str or path): the root folder.
        class_to_idx (dict, optional): class folder -> index; default from
            :func:`find_classes`.
        extensions (str or sequence, optional): allowed extensions; exactly one of
            ``extensions`` and ``is_valid_file`` must be given.
        is_valid_file (callable, optional): path -> whether it is a sample.
        allow_empty (bool): allow class folders without samples. Default: False.

    Raises:
        ValueError: an empty ``class_to_idx``, or both or neither of ``extensions`` and
            ``is_valid_file``.
        FileNotFoundError: a class without samples (unless ``allow_empty``).
    """
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any "
                         "samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if extensions is not None:
        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)

    instances, found = [], set()
    for target in sorted(class_to_idx):
        target_dir = os.path.join(directory, target)
        if not os.path.isdir(target_dir):
            continue
        for root, _, names in sorted(os.walk(target_dir, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[target]))
                    found.add(target)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {shown}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(Dataset):
    """Samples ``(loader(path), class_index)`` of the files in class folders, as
    torchvision's ``DatasetFolder``.

    Args:
        root (str or path): the folder of class folders.
        loader (callable): path -> sample.
        extensions (sequence of str, optional): allowed extensions (or ``is_valid_file``).
        transform (callable, optional): applied to the loaded sample.
        target_transform (callable, optional): applied to the class index.
        is_valid_file (callable, optional): path -> whether it is a sample.
        allow_empty (bool): allow class folders without samples. Default: False.

    Attributes:
        classes (list of str): the class folders, sorted. class_to_idx (dict): class ->
        index. samples (list of (path, index)). targets (list of int): the indices.

    Subclasses may override :meth:`find_classes` and :meth:`make_dataset`.
    """

    def __init__(self, root: str | os.PathLike, loader: Callable[[str], Any],
                 extensions: Sequence[str] | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        self.root = os.path.expanduser(os.fspath(root))
        self.transform, self.target_transform = transform, target_transform
        classes, class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file,
                                         allow_empty)
        self.loader, self.extensions = loader, extensions
        self.classes, self.class_to_idx = classes, class_to_idx
        self.targets = [target for _, target in self.samples]

    @staticmethod
    def make_dataset(directory: str, class_to_idx: dict[str, int],
                     extensions: Sequence[str] | None = None,
                     is_valid_file: Callable[[str], bool] | None = None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        """The samples (see :func:`make_dataset`); ``class_to_idx`` is required."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
        """The classes (see :func:`find_classes`)."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


class ImageFolder(DatasetFolder):
    """Images in class folders, as torchvision's ``ImageFolder``: samples
    ``(transform(image), class_index)``, the image an RGB
    :class:`~nnlite.data.image.Image` (use ``transforms.ToTensor``, as with torchvision).

    Args:
        root (str or path): the folder of class folders.
        transform (callable, optional): applied to the image, e.g. ``Compose([
            RandomResizedCrop(224), RandomHorizontalFlip(), ToTensor(), Normalize(...)])``.
        target_transform (callable, optional): applied to the class index.
        loader (callable): path -> image. Default: :func:`default_loader` (PNG and
            PBM/PGM/PPM, converted to RGB).
        is_valid_file (callable, optional): path -> whether it is a sample; default: a file
            with one of torchvision's image extensions (``IMG_EXTENSIONS``).
        allow_empty (bool): allow class folders without images. Default: False.

    Attributes:
        classes, class_to_idx, samples, targets: as :class:`DatasetFolder`; ``imgs`` is
        ``samples``.

    Raises:
        ValueError: with the default loader, image files of a format nnlite cannot read
            (JPEG, BMP, TIFF, WebP), counted by extension.

    Example:
        >>> train = ImageFolder("data/train", transform=T.Compose([T.Resize(32),
        ...                     T.CenterCrop(32), T.ToTensor()]))        # doctest: +SKIP
        >>> image, label = train[0]
    """

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None,
                 target_transform: Callable | None = None,
                 loader: Callable[[str], Any] = default_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
        if loader is default_loader:
            self._check_readable()

    def _check_readable(self) -> None:
        unreadable = Counter(os.path.splitext(path)[1].lower() for path, _ in self.samples
                             if not has_file_allowed_extension(path, SUPPORTED_EXTENSIONS))
        if unreadable:
            counts = ", ".join(f"{n} {ext}" for ext, n in sorted(unreadable.items()))
            raise ValueError(f"ImageFolder: {self.root} holds images nnlite cannot read "
                             f"({counts}): it decodes PNG and PBM/PGM/PPM with the standard "
                             f"library. Convert them (e.g. to PNG), or pass a loader that "
                             f"reads them.")
