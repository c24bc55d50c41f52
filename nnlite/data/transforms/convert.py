"""Conversion and normalisation: ``ToTensor``, ``PILToTensor``, ``ToPILImage`` (to and from
the :class:`~nnlite.data.image.Image` of an image file) and ``Normalize``."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...tensor import Tensor, get_default_dtype
from ..image.base import Image
from .base import Transform, _unwrap

__all__ = ["ToTensor", "PILToTensor", "ToPILImage", "Normalize"]


class ToTensor(Transform):
    """uint8 ``(H, W)`` or ``(H, W, C)`` image (an array or an :class:`Image`) -> float32
    Tensor ``(C, H, W)`` in [0, 1].

    As torchvision: only uint8 is scaled by 1/255; other dtypes are just moved to CHW.
    ``batch``: ``(N, H, W)`` or ``(N, H, W, C)`` -> ``(N, C, H, W)``.
    """

    def _call_image(self, img: Image) -> Tensor:
        return Tensor(self.apply(img.array[None], None)[0])

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


class PILToTensor:
    """An :class:`Image` -> a Tensor ``(C, H, W)`` of its pixels, same dtype, unscaled.

    Example:
        >>> PILToTensor()(Image(np.zeros((2, 3, 3), np.uint8))).shape
        (3, 2, 3)
    """

    def __call__(self, pic: Any) -> Tensor:
        if not isinstance(pic, Image):
            raise TypeError(f"PILToTensor: pic should be an Image, got {type(pic).__name__}")
        return Tensor(np.ascontiguousarray(pic.chw()))

    def __repr__(self) -> str:
        return "PILToTensor()"


class ToPILImage:
    """A tensor image ``(C, H, W)`` or an array ``(H, W, C)`` / ``(H, W)`` -> an
    :class:`Image`, as torchvision: a float Tensor is multiplied by 255 and truncated to uint8
    (clipped to 0..255 first).

    Args:
        mode (str, optional): ``L``, ``LA``, ``RGB`` or ``RGBA`` (checked against the number
            of channels). Default: from the number of channels.
    """

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Image:
        if isinstance(pic, Tensor):
            a = pic.array
            if a.ndim not in (2, 3):
                raise ValueError(f"ToPILImage: pic should be 2 or 3 dimensional, got shape "
                                 f"{a.shape}")
            a = a[None] if a.ndim == 2 else a
            if a.dtype.kind == "f":
                a = np.clip(a * 255, 0, 255).astype(np.uint8)
            a = np.moveaxis(a, 0, -1)
        elif isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"ToPILImage: pic should be 2 or 3 dimensional, got shape "
                                 f"{pic.shape}")
            a = pic
        else:
            raise TypeError(f"ToPILImage: pic should be a Tensor or ndarray, got "
                            f"{type(pic).__name__}")
        return Image(np.ascontiguousarray(a), self.mode)

    def __repr__(self) -> str:
        return "ToPILImage()" if self.mode is None else f"ToPILImage(mode={self.mode})"


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
        if isinstance(x, Image):
            raise TypeError("Normalize: expected a float tensor image, got an Image; apply "
                            "ToTensor first")
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
