"""What the in-memory datasets share: ``data``/``targets`` arrays, transforms applied per
sample (``__getitem__``) or per batch (``__getitems__``), and the folder search that turns a
missing file into an error saying where it was looked for and how to get it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..dataset import Dataset, check_bounds, as_index_array
from ..download import DatasetNotFoundError, Resource, fetch, missing_message, resolve_root
from ..transforms import Transform, is_batchable
from ...tensor import Tensor


class AsTensor(Transform):
    """Wrap an array in a Tensor, unchanged (the default transform of non-image data)."""

    _min_ndim = 0

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        return x

    def _wrap(self, out: np.ndarray, tensor_in: bool) -> Tensor:
        return Tensor(out)

    def __call__(self, x: Any) -> Tensor:     # a copy: the sample must not alias the dataset
        return x if isinstance(x, Tensor) else Tensor(np.array(x))


class ArrayDataset(Dataset):
    """Samples ``(transform(data[i]), target_transform(targets[i]))`` of in-memory arrays.

    ``__getitems__(idx)`` fetches ``data[idx]`` and ``targets[idx]`` with one fancy index each
    and applies ``transform.batch`` / ``target_transform.batch``. If a transform is not
    batchable (a plain function), it falls back to a list of per-sample results, which the
    loader collates.
    """

    _default_transform: Callable | None = None
    data: np.ndarray
    targets: np.ndarray

    def __init__(self, root: str | os.PathLike | None, transform: Callable | None,
                 target_transform: Callable | None) -> None:
        self.root = resolve_root(root)
        self.transform = transform
        self.target_transform = target_transform

    def _transform(self) -> Callable | None:
        return self.transform if self.transform is not None else self._default_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple:
        x, tf = self.data[index], self._transform()
        if tf is not None:
            x = tf(x)
        y = self.targets[index]
        if np.ndim(y) == 0:
            y = int(y)
        if self.target_transform is not None:
            y = self.target_transform(y)
        elif isinstance(y, np.ndarray):
            y = Tensor(y.copy())
        return x, y

    def __getitems__(self, indices: Any) -> Any:
        idx = check_bounds(as_index_array(indices), len(self), type(self).__name__)
        tf, ttf = self._transform(), self.target_transform
        if (tf is not None and not is_batchable(tf)) or (ttf is not None
                                                          and not is_batchable(ttf)):
            return [self[int(i)] for i in idx]          # a list of samples: collated
        x, y = self.data[idx], self.targets[idx]
        if tf is not None:
            x = tf.batch(x)
        if ttf is not None:
            y = ttf.batch(y)
        return x, y

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}"]
        extra = self.extra_repr()
        if extra:
            lines += [f"    {line}" for line in extra.splitlines()]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


def locate(dataset: str, root: Path, folders: Sequence[str], resources: Iterable[Resource],
           download: bool, progress: bool = True, how: str = "") -> dict[str, Path]:
    """Find each resource in the first folder under ``root`` that holds it (downloading into
    ``root / folders[0]`` when ``download`` is true); map filename -> path."""
    resources = list(resources)
    places = [root / f for f in folders]
    if download:
        return {r.filename: fetch(r, places[0], progress=progress) for r in resources}
    found, missing = {}, []
    for r in resources:
        path = next((p for p in (r.find(place) for place in places) if p is not None), None)
        if path is None:
            missing.append(r)
        else:
            found[r.filename] = path
    if missing:
        names = [r.filename + (f" (or {', '.join(r.alternatives)})" if r.alternatives else "")
                 for r in missing]
        raise DatasetNotFoundError(missing_message(dataset, names, places, missing[0].urls,
                                                   how))
    return found
