"""Collation: a list of samples -> one batch of Tensors (``default_collate``), and the
conversion of an already batched structure (``default_convert``).

The leaves become Tensors with the loader's dtype rule: floating data becomes the default
dtype (float32) unless it is float64, integers become int64, bools stay bool. (Python floats
become float32, where torch would give float64.)
"""
from __future__ import annotations

import collections.abc as abc
from typing import Any

import numpy as np

from ..tensor import Tensor, get_default_dtype

__all__ = ["default_collate", "default_convert"]


def _cast(arr: np.ndarray) -> np.ndarray:
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype != np.float64:
        return arr.astype(get_default_dtype(), copy=False)
    if kind in "iu" and arr.dtype != np.int64:
        return arr.astype(np.int64)
    return arr


def _to_tensor(arr: np.ndarray) -> Tensor:
    return Tensor(_cast(arr))


def _stack(arrays: list) -> np.ndarray:
    shape = arrays[0].shape
    for a in arrays:
        if a.shape != shape:
            raise RuntimeError(f"default_collate: cannot stack samples of different shapes "
                               f"{shape} and {a.shape}; make them equal (e.g. pad them with "
                               f"nnlite.data.datasets.pad_sequences) or pass a collate_fn")
    return np.stack(arrays)


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, recursively.

    ====================================  ===============================================
    sample element                        batch element
    ====================================  ===============================================
    Tensor / ndarray of shape S           Tensor of shape ``(N, *S)``
    Python int / bool / float             int64 / bool / float32 Tensor of shape (N,)
    NumPy scalar                          Tensor of shape (N,) (float64 stays float64)
    str / bytes                           the list of them
    dict / tuple / namedtuple / list      the same structure of collated fields
    ====================================  ===============================================
    """
    if not isinstance(batch, (list, tuple)) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of samples, got "
                        f"{type(batch).__name__}")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _to_tensor(_stack([b.array if isinstance(b, Tensor) else np.asarray(b)
                                  for b in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {elem.dtype}")
        return _to_tensor(_stack([np.asarray(b) for b in batch]))
    if isinstance(elem, np.generic):
        return _to_tensor(np.asarray(batch))
    if isinstance(elem, (bool, int, float)):
        arr = np.asarray(batch)
        if arr.dtype.kind == "f":
            arr = arr.astype(get_default_dtype())
        return _to_tensor(arr)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data: Any) -> Any:
    """Turn the arrays (and Tensors) in an already batched structure into Tensors with the
    loader's dtype rule, recursing into tuples, lists and dicts; anything else is kept."""
    if isinstance(data, Tensor):
        return data if _cast(data.array) is data.array else Tensor(_cast(data.array))
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "USO" else _to_tensor(data)
    if isinstance(data, abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
