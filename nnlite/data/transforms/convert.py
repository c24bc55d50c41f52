"""Conversion and normalisation: ``ToTensor`` and ``Normalize``."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...tensor import Tensor, get_default_dtype
from .base import Transform, _unwrap

__all__ = ["ToTensor", "Normalize"]


class ToTensor(Transform):
    """uint8 ``(H, W)`` or ``(H, W, C)`` image -> float32 Tensor ``(C, H, W)`` in [0, 1].

    As torchvision: only uint8 is scaled by 1/255; other dtypes are just moved to CHW.
    ``batch``: ``(N, H, W)`` or ``(N, H, W, C)`` -> ``(N, C, H, W)``.
    """

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        if x.ndim == 3:                      # (N, H, W) -> (N, 1, H, W)
            x = x[:, None]
        elif x.ndim == 4:                    # (N, H, W, C) -> (N, C, H, W)
            x = x.transpose(0, 3, 1, 2)
        else:
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), got a sample "
                             f"of shape {x.shape[1:]}")
        if x.dtype == np.uint8:
            return np.ascontiguousarray(x, dtype=get_default_dtype()) / np.float32(255)
        if x.dtype == np.bool_:
            return np.ascontiguousarray(x, dtype=get_default_dtype())
        return np.ascontiguousarray(x)

    def _wrap(self, out: np.ndarray, tensor_in: bool) -> Tensor:
        return Tensor(out)


class Normalize(Transform):
    """``(x - mean[c]) / std[c]`` per channel (axis -3), any leading axes.

    Args:
        mean, std (sequence of float): one value per channel (or one for all).
        inplace (bool): write into the input array. Default: False.
    """

    _min_ndim = 3

    def __init__(self, mean: Sequence[float], std: Sequence[float],
                 inplace: bool = False) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize: mean and std must be sequences of numbers, got "
                             f"shapes {self.mean.shape} and {self.std.shape}")
        if (self.std == 0).any():
            raise ValueError(f"Normalize: std evaluated to zero ({tuple(self.std)}), leading "
                             f"to division by zero")
        self.inplace = inplace

    def __call__(self, x: Any) -> Any:     # elementwise: one sample or a batch alike
        a, tensor_in = _unwrap(x)
        self._check(a.shape, batch=False)
        return self._wrap(self.apply(a, None), tensor_in)

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        if x.dtype.kind != "f":
            raise TypeError(f"Normalize: input must be a floating tensor (use ToTensor "
                            f"first), got dtype {x.dtype}")
        c = x.shape[-3]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if len(v) not in (1, c):
                raise ValueError(f"Normalize: {name} has {len(v)} values but the input has "
                                 f"{c} channels (shape {x.shape}, channels on axis -3)")
        mean = self.mean.astype(x.dtype)[:, None, None]
        std = self.std.astype(x.dtype)[:, None, None]
        if self.inplace:
            x -= mean
            x /= std
            return x
        return (x - mean) / std

    def extra_repr(self) -> str:
        return f"mean={self.mean.tolist()}, std={self.std.tolist()}"
