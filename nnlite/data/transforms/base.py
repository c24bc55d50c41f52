"""The machinery every transform shares: the ``Transform`` base class (one sample or a
batch, drawn parameters applied at once; an :class:`~nnlite.data.image.Image` read from a file
transformed as its ``(C, H, W)`` pixels), ``Compose``, ``Lambda``, ``InterpolationMode`` and
the argument helpers.
"""
from __future__ import annotations

import enum
import numbers
from typing import Any, Callable, Sequence

import numpy as np

from ...random import default_generator
from ...tensor import Tensor, get_default_dtype
from ..image.base import Image

__all__ = ["Transform", "Compose", "Lambda", "InterpolationMode", "is_batchable"]


class InterpolationMode(str, enum.Enum):
    """torchvision's interpolation names. A member equals its string value, so
    ``interpolation="bilinear"`` and ``InterpolationMode.BILINEAR`` are the same."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# PIL's integer constants, as torchvision still accepts them
_PIL_MODES = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}


def _interpolation(value: Any, allowed: Sequence[str], who: str) -> InterpolationMode:
    """``value`` (an InterpolationMode, its string or a PIL constant) as a mode in
    ``allowed``, or a ValueError naming them."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = _PIL_MODES.get(int(value), value)
    try:
        mode = InterpolationMode(value)
    except ValueError:
        mode = None
    if mode is None or mode.value not in allowed:
        raise ValueError(f"{who}: interpolation must be one of {list(allowed)}, got {value!r}")
    return mode


def _unwrap(x: Any) -> tuple[np.ndarray, bool]:
    if isinstance(x, Tensor):
        return x.array, True
    return np.asarray(x), False


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


def _pair(size: Any, name: str, who: str) -> tuple[int, int]:
    if isinstance(size, numbers.Integral):
        size = (int(size), int(size))
    size = tuple(size)
    if len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2 or not all(isinstance(s, numbers.Integral) and s > 0 for s in size):
        raise ValueError(f"{who}: {name} must be a positive int or a (h, w) pair, got {size!r}")
    return int(size[0]), int(size[1])


def _range(value: Any, name: str, who: str, center: float = 0.0,
           positive: bool = False) -> tuple[float, float]:
    """A number ``v`` -> ``(center - v, center + v)``; a pair is kept."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"{who}: if {name} is a single number, it must be positive, got "
                             f"{value}")
        lo, hi = center - float(value), center + float(value)
    else:
        value = tuple(value)
        if len(value) != 2:
            raise ValueError(f"{who}: {name} should be a number or a sequence of length 2, "
                             f"got {value!r}")
        lo, hi = float(value[0]), float(value[1])
    if lo > hi or (positive and lo <= 0):
        raise ValueError(f"{who}: {name} range must be (lo, hi) with lo <= hi"
                         + (" and lo > 0" if positive else "") + f", got {(lo, hi)}")
    return lo, hi


def _float(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.kind == "f" else a.astype(get_default_dtype())


def _restore(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Back to an integer input dtype (rounded, clipped) after float arithmetic."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(dtype)
    if dtype.kind == "b":
        return out > 0.5
    return out.astype(dtype, copy=False)


def is_batchable(t: Callable) -> bool:
    """True if ``t`` has a ``batch`` method that handles a whole batch at once."""
    return bool(getattr(t, "batchable", False)) and hasattr(t, "batch")


class Transform:
    """Base class: subclasses define ``apply(x, params)`` on a batch ``x`` (axis 0 = N) and,
    if random, ``get_params(n, sample_shape, generator=None)``."""

    batchable = True
    _min_ndim = 2          # per-sample axes needed: an image is at least (H, W)

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> Any:
        return None

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        """The transform of batch ``x`` with ``get_params``'s draw; each subclass defines
        it (the base class is abstract, like ``Dataset``)."""
        raise NotImplementedError(f"{type(self).__name__} must define apply(x, params)")

    def _wrap(self, out: np.ndarray, tensor_in: bool) -> Any:
        return Tensor(out) if tensor_in else out

    def _check(self, shape: tuple, batch: bool) -> None:
        if len(shape) < self._min_ndim:
            what = "a batch (N, C, H, W) or (N, H, W)" if batch else "(C, H, W) or (H, W)"
            raise ValueError(f"{type(self).__name__}: expected {what}, got shape "
                             f"{(-1,) + shape if batch else shape}")

    def __call__(self, x: Any) -> Any:
        if isinstance(x, Image):
            return self._call_image(x)
        a, tensor_in = _unwrap(x)
        if a.ndim >= 4:
            return self.batch(x)
        self._check(a.shape, batch=False)
        out = self.apply(a[None], self.get_params(1, a.shape))[0]
        return self._wrap(out, tensor_in)

    def _call_image(self, img: Image) -> Any:
        """An Image: transform its ``(C, H, W)`` pixels, return an Image (as torchvision
        returns a PIL image for a PIL image)."""
        a = img.chw()
        out = self.apply(a[None], self.get_params(1, a.shape))[0]
        return Image.from_chw(out, img.mode)

    def batch(self, x: Any) -> Any:
        """Apply to every sample of a batch (axis 0), with per-sample random parameters."""
        a, tensor_in = _unwrap(x)
        if a.ndim < 1:
            raise ValueError(f"{type(self).__name__}.batch: expected a batch, got a scalar")
        self._check(a.shape[1:], batch=True)
        return self._wrap(self.apply(a, self.get_params(len(a), a.shape[1:])), tensor_in)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Compose:
    """Apply transforms in order. ``Compose.batch`` runs each one's ``batch``; it exists
    (``is_batchable``) only if every member is batchable.

    Example:
        >>> Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    """

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    @property
    def batchable(self) -> bool:
        return all(is_batchable(t) for t in self.transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def batch(self, x: Any) -> Any:
        for t in self.transforms:
            if not is_batchable(t):
                raise TypeError(f"Compose.batch: {t!r} cannot be applied to a batch; give it "
                                f"a .batch method (or use Lambda(fn, batched=True))")
            x = t.batch(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class Lambda(Transform):
    """Wrap a function. With ``batched=True`` the function is declared to work on a batch
    too, and ``batch(x)`` calls it on the whole batch."""

    _min_ndim = 0

    def __init__(self, lambd: Callable, batched: bool = False) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd, self.batchable = lambd, batched

    def __call__(self, x: Any) -> Any:
        return self.lambd(x)

    def batch(self, x: Any) -> Any:
        if not self.batchable:
            raise TypeError("Lambda.batch: this Lambda was not declared batched=True")
        return self.lambd(x)
