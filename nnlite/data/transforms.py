"""Image transforms, torchvision's names, NumPy underneath, vectorised over a batch.

Notation: N batch, C channels, H x W image height x width, h x w output (crop) size.

Every transform works on one sample and on a batch:

* ``t(x)`` -- one image: ``(C, H, W)`` or ``(H, W)`` (``ToTensor``: ``(H, W)`` or
  ``(H, W, C)`` uint8). An input with 4 or more axes is taken as a batch (axis 0 = N).
* ``t.batch(x)`` -- always a batch: ``x[k]`` is one sample as above. For ``ToTensor`` this is
  how an ``(N, H, W)`` uint8 stack is converted (``t(x)`` would read it as one HWC image).

A random transform draws one set of parameters per sample, as arrays of length N, with
``get_params(n, sample_shape)``, then applies them all at once with ``apply(x, params)``
(fancy indexing / ``np.where`` / one gather -- no Python loop over samples). So
``t.apply(x, p)[k] == t.apply(x[k:k+1], p[k:k+1])[0]``: batched and per-sample agree for the
same draws. Draws come from nnlite's global generator (``nl.manual_seed``) unless a
``numpy.random.Generator`` is passed to ``get_params``.

Arrays in give arrays out, Tensors in give Tensors out (``ToTensor`` always gives a Tensor);
float32 stays float32.

Example (LeCun-style distortions on MNIST, batched by the dataset's ``__getitems__``)::

    tf = Compose([ToTensor(), RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1)),
                  Normalize((0.1307,), (0.3081,))])
    MNIST(train=True, transform=tf)
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

import numpy as np

from ..random import default_generator
from ..tensor import Tensor, get_default_dtype

__all__ = ["Transform", "Compose", "Lambda", "ToTensor", "Normalize", "Pad", "CenterCrop",
           "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomAffine",
           "ElasticDistortion", "PCALighting", "FiveCrop", "TenCrop", "is_batchable",
           "IMAGENET_EIGVAL", "IMAGENET_EIGVEC"]

# AlexNet's PCA of ImageNet RGB pixels (values in [0, 1]), as used by fb.resnet.torch.
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009),
                   (-0.5808, -0.0045, -0.8140),
                   (-0.5836, -0.6948, 0.4203))


# ============================================================================
# Helpers
# ============================================================================
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


# ============================================================================
# Base class and composition
# ============================================================================
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
        a, tensor_in = _unwrap(x)
        if a.ndim >= 4:
            return self.batch(x)
        self._check(a.shape, batch=False)
        out = self.apply(a[None], self.get_params(1, a.shape))[0]
        return self._wrap(out, tensor_in)

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


# ============================================================================
# Conversion and normalisation
# ============================================================================
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


class PCALighting(Transform):
    """AlexNet's colour augmentation (Krizhevsky et al. 2012, sec. 4.1).

    Adds ``eigvec @ (alpha * eigval)`` to every pixel of an RGB image, with
    ``alpha ~ N(0, alphastd^2)`` drawn per image -- "altering the intensities of the RGB
    channels" along the principal components of the training set's pixels.

    Args:
        alphastd (float): standard deviation of alpha. Default: 0.1 (the paper's).
        eigval (sequence of 3 floats): PCA eigenvalues. Default: ImageNet's
            (for pixels in [0, 1]: apply after ``ToTensor``, before ``Normalize``).
        eigvec (3x3): eigenvectors as columns. Default: ImageNet's.
    """

    _min_ndim = 3

    def __init__(self, alphastd: float = 0.1, eigval: Sequence[float] = IMAGENET_EIGVAL,
                 eigvec: Sequence[Sequence[float]] = IMAGENET_EIGVEC) -> None:
        self.alphastd = float(alphastd)
        self.eigval = np.asarray(eigval, dtype=np.float64)
        self.eigvec = np.asarray(eigvec, dtype=np.float64)
        k = len(self.eigval)
        if self.eigval.ndim != 1 or self.eigvec.shape != (k, k):
            raise ValueError(f"PCALighting: eigval must be (C,) and eigvec (C, C), got "
                             f"{self.eigval.shape} and {self.eigvec.shape}")
        if self.alphastd < 0:
            raise ValueError(f"PCALighting: alphastd must be >= 0, got {alphastd}")

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> np.ndarray:
        alpha = _rng(generator).normal(0.0, self.alphastd, size=(n, len(self.eigval)))
        return (alpha * self.eigval) @ self.eigvec.T                      # (N, C) offsets

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        if x.shape[-3] != len(self.eigval):
            raise ValueError(f"PCALighting: expected {len(self.eigval)} channels on axis -3, "
                             f"got shape {x.shape}")
        xf = _float(x)
        shape = (len(x),) + (1,) * (x.ndim - 4) + (len(self.eigval), 1, 1)
        return _restore(xf + params.reshape(shape).astype(xf.dtype), x.dtype)

    def extra_repr(self) -> str:
        return f"alphastd={self.alphastd}"


# ============================================================================
# Padding and crops
# ============================================================================
_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


def _ltrb(padding: Any, who: str) -> tuple[int, int, int, int]:
    if isinstance(padding, numbers.Integral):
        p = (int(padding),) * 4
    else:
        p = tuple(int(v) for v in padding)
        if len(p) == 1:
            p = p * 4
        elif len(p) == 2:
            p = (p[0], p[1], p[0], p[1])
        elif len(p) != 4:
            raise ValueError(f"{who}: padding must be an int or a sequence of 1, 2 or 4 ints, "
                             f"got {padding!r}")
    if min(p) < 0:
        raise ValueError(f"{who}: padding must be non-negative, got {padding!r}")
    return p  # left, top, right, bottom


def _pad(x: np.ndarray, ltrb: tuple, fill: float, mode: str) -> np.ndarray:
    left, top, right, bottom = ltrb
    if not any(ltrb):
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=_PAD_MODES[mode])


class Pad(Transform):
    """Pad the last two axes.

    Args:
        padding (int or sequence): all sides; ``(left/right, top/bottom)``; or
            ``(left, top, right, bottom)`` -- torchvision's order.
        fill (number): value for ``padding_mode="constant"``. Default: 0.
        padding_mode (str): ``constant``, ``edge``, ``reflect`` or ``symmetric``.
    """

    def __init__(self, padding: Any, fill: float = 0, padding_mode: str = "constant") -> None:
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"Pad: padding_mode should be one of {sorted(_PAD_MODES)}, got "
                             f"{padding_mode!r}")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode
        self._ltrb = _ltrb(padding, "Pad")

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        return _pad(x, self._ltrb, self.fill, self.padding_mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


def _crop_windows(x: np.ndarray, top: np.ndarray, left: np.ndarray, h: int, w: int
                  ) -> np.ndarray:
    """``out[k] = x[k, ..., top[k]:top[k]+h, left[k]:left[k]+w]`` by one fancy index into a
    sliding-window view (no copy until the gather)."""
    n, lead = x.shape[0], x.shape[1:-2]
    x3 = x.reshape((n, -1) + x.shape[-2:])                              # (N, M, H, W)
    win = np.lib.stride_tricks.sliding_window_view(x3, (h, w), axis=(-2, -1))
    out = win[np.arange(n), :, top, left]                               # (N, M, h, w)
    return out.reshape((n,) + lead + (h, w))


def _center_crop(x: np.ndarray, h: int, w: int) -> np.ndarray:
    H, W = x.shape[-2:]
    if h > H or w > W:   # torchvision pads with zeros first
        ltrb = ((w - W) // 2 if w > W else 0, (h - H) // 2 if h > H else 0,
                (w - W + 1) // 2 if w > W else 0, (h - H + 1) // 2 if h > H else 0)
        x = _pad(x, ltrb, 0, "constant")
        H, W = x.shape[-2:]
    top, left = int(round((H - h) / 2.0)), int(round((W - w) / 2.0))
    return x[..., top:top + h, left:left + w]


class CenterCrop(Transform):
    """Crop the centre ``size`` (int or (h, w)); pads with zeros if the image is smaller."""

    def __init__(self, size: Any) -> None:
        self.size = _pair(size, "size", "CenterCrop")

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        return _center_crop(x, *self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class RandomCrop(Transform):
    """Crop a random ``size`` window, optionally after padding (CIFAR: size 32, padding 4).

    Args:
        size (int or (h, w)): output size.
        padding (int or sequence, optional): as :class:`Pad`, applied first.
        pad_if_needed (bool): pad an image smaller than ``size``. Default: False.
        fill, padding_mode: as :class:`Pad`.

    Parameters per sample: ``top`` in ``[0, H - h]`` and ``left`` in ``[0, W - w]`` (after
    padding), uniform.
    """

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = _pair(size, "size", "RandomCrop")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode should be one of {sorted(_PAD_MODES)}, "
                             f"got {padding_mode!r}")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode
        self._ltrb = _ltrb(padding, "RandomCrop") if padding is not None else (0, 0, 0, 0)

    def _padded_hw(self, shape: tuple) -> tuple[int, int]:
        left, top, right, bottom = self._ltrb
        H, W = shape[-2] + top + bottom, shape[-1] + left + right
        h, w = self.size
        if self.pad_if_needed:     # torchvision pads the shortfall on *both* sides
            H, W = H + 2 * max(h - H, 0), W + 2 * max(w - W, 0)
        if h > H or w > W:
            raise ValueError(f"RandomCrop: required crop size {self.size} is larger than the "
                             f"(padded) input image size {(H, W)}")
        return H, W

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        H, W = self._padded_hw(shape)
        h, w = self.size
        rng = _rng(generator)
        return {"top": rng.integers(0, H - h + 1, size=n),
                "left": rng.integers(0, W - w + 1, size=n)}

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        x = _pad(x, self._ltrb, self.fill, self.padding_mode)
        h, w = self.size
        if self.pad_if_needed and (x.shape[-2] < h or x.shape[-1] < w):
            dh, dw = max(h - x.shape[-2], 0), max(w - x.shape[-1], 0)
            x = _pad(x, (dw, dh, dw, dh), self.fill, self.padding_mode)
        return _crop_windows(x, params["top"], params["left"], h, w)

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


def _five_crop(x: np.ndarray, h: int, w: int, axis: int) -> np.ndarray:
    H, W = x.shape[-2:]
    if h > H or w > W:
        raise ValueError(f"FiveCrop: requested crop size {(h, w)} is bigger than the input "
                         f"size {(H, W)}")
    crops = [x[..., :h, :w], x[..., :h, W - w:], x[..., H - h:, :w], x[..., H - h:, W - w:],
             _center_crop(x, h, w)]
    return np.stack(crops, axis=axis)


class FiveCrop(Transform):
    """The four corners and the centre: top-left, top-right, bottom-left, bottom-right,
    centre (torchvision's order).

    Returns the crops *stacked* on a new axis before C: ``(C, H, W) -> (5, C, h, w)`` and,
    batched, ``(N, C, H, W) -> (N, 5, C, h, w)`` (torchvision returns a tuple; iterating the
    result gives the same crops). Average a model over them with
    ``model(x.reshape(-1, C, h, w)).reshape(N, 5, -1).mean(1)``.
    """

    _ncrops = 5

    def __init__(self, size: Any) -> None:
        self.size = _pair(size, "size", type(self).__name__)

    def _crops(self, x: np.ndarray, axis: int) -> np.ndarray:
        return _five_crop(x, *self.size, axis=axis)

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        # x is (N, ..., H, W): crops go right after the batch axis for (N, H, W) input, and
        # before the channel axis otherwise
        return self._crops(x, axis=1 if x.ndim <= 3 else x.ndim - 3)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class TenCrop(FiveCrop):
    """:class:`FiveCrop` of the image followed by FiveCrop of its horizontal flip (vertical
    with ``vertical_flip=True``): AlexNet's test-time averaging over 10 patches.
    ``(C, H, W) -> (10, C, h, w)``; batched ``(N, 10, C, h, w)``."""

    _ncrops = 10

    def __init__(self, size: Any, vertical_flip: bool = False) -> None:
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def _crops(self, x: np.ndarray, axis: int) -> np.ndarray:
        flipped = x[..., ::-1, :] if self.vertical_flip else x[..., ::-1]
        return np.concatenate([_five_crop(x, *self.size, axis=axis),
                               _five_crop(flipped, *self.size, axis=axis)], axis=axis)

    def extra_repr(self) -> str:
        return f"size={self.size}, vertical_flip={self.vertical_flip}"


# ============================================================================
# Flips
# ============================================================================
class RandomHorizontalFlip(Transform):
    """Mirror left-right with probability ``p`` (per sample). Parameter: a bool per sample."""

    _axis = -1

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> np.ndarray:
        return _rng(generator).random(n) < self.p

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        mask = params.reshape((-1,) + (1,) * (x.ndim - 1))
        return np.where(mask, np.flip(x, axis=self._axis), x)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p`` (per sample)."""

    _axis = -2


# ============================================================================
# Geometric warps: an inverse map from output to input pixels, sampled bilinearly
# ============================================================================
def _sample(x: np.ndarray, src_x: np.ndarray, src_y: np.ndarray, mode: str,
            fill: float) -> np.ndarray:
    """``out[k, ..., i, j] = x[k, ..., src_y[k, i, j], src_x[k, i, j]]`` (pixel-centre
    coordinates), bilinear or nearest; points outside the image read ``fill``.

    x: (N, ..., H, W); src_x, src_y: (N, H', W'). One padded gather per corner.
    """
    n, lead, (H, W) = x.shape[0], x.shape[1:-2], x.shape[-2:]
    Ho, Wo = src_x.shape[1:]
    xf = _float(x).reshape((n, -1, H, W))
    xp = np.pad(xf, [(0, 0), (0, 0), (1, 1), (1, 1)], constant_values=fill)  # fill border
    rows = np.arange(n)[:, None]
    sx, sy = src_x.reshape(n, -1), src_y.reshape(n, -1)                      # (N, P)

    def gather(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        yy = np.clip(yy + 1, 0, H + 1)       # outside -> the fill border
        xx = np.clip(xx + 1, 0, W + 1)
        return xp[rows, :, yy, xx]           # (N, P, M)

    if mode == "nearest":
        out = gather(np.floor(sy + 0.5).astype(np.int64), np.floor(sx + 0.5).astype(np.int64))
    else:
        x0, y0 = np.floor(sx), np.floor(sy)
        wx, wy = (sx - x0).astype(xf.dtype)[..., None], (sy - y0).astype(xf.dtype)[..., None]
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        out = ((1 - wy) * ((1 - wx) * gather(y0, x0) + wx * gather(y0, x0 + 1))
               + wy * ((1 - wx) * gather(y0 + 1, x0) + wx * gather(y0 + 1, x0 + 1)))
    out = out.transpose(0, 2, 1).reshape((n,) + lead + (Ho, Wo))
    return _restore(out, x.dtype)


def _check_mode(mode: str, who: str) -> str:
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"{who}: interpolation must be 'bilinear' or 'nearest', got {mode!r}")
    return mode


class RandomAffine(Transform):
    """Random rotation, translation, scale and shear about the image centre.

    Args:
        degrees (number or (lo, hi)): rotation angle range in degrees; a number ``d`` means
            ``(-d, d)``. Positive angles turn the image counter-clockwise as displayed.
        translate ((a, b), optional): maximal shifts as fractions of W and H; the shift is
            drawn in ``(-a*W, a*W) x (-b*H, b*H)`` and rounded to whole pixels (torchvision).
        scale ((lo, hi), optional): scale factor range. Default: no scaling.
        shear (number or sequence of 2 or 4, optional): shear angle range in degrees, along x
            (and along y with 4 values). Default: no shear.
        interpolation (str): ``bilinear`` or ``nearest``. Default: ``bilinear``.
        fill (number): value of pixels that come from outside the image. Default: 0.

    The map sends an input point ``p`` (relative to the centre ``c = ((W-1)/2, (H-1)/2)``)
    to ``c + t + s * R(angle) @ Sh @ (p - c)``, with ``Sh = [[1, tan sx], [0, 1]] @
    [[1, 0], [tan sy, 1]]``; each output pixel samples the inverse image.
    """

    def __init__(self, degrees: Any, translate: Sequence[float] | None = None,
                 scale: Sequence[float] | None = None, shear: Any = None,
                 interpolation: str = "bilinear", fill: float = 0) -> None:
        who = "RandomAffine"
        self.degrees = _range(degrees, "degrees", who)
        if translate is not None:
            translate = tuple(translate)
            if len(translate) != 2 or not all(0.0 <= t <= 1.0 for t in translate):
                raise ValueError(f"{who}: translate should be a pair of fractions in [0, 1], "
                                 f"got {translate!r}")
        self.translate = translate
        self.scale = None if scale is None else _range(scale, "scale", who, positive=True)
        if shear is None:
            self.shear = None
        elif isinstance(shear, numbers.Number) or len(tuple(shear)) == 2:
            self.shear = _range(shear, "shear", who) + (0.0, 0.0)
        elif len(tuple(shear)) == 4:
            s = tuple(float(v) for v in shear)
            self.shear = s
        else:
            raise ValueError(f"{who}: shear should be a number or a sequence of 2 or 4, got "
                             f"{shear!r}")
        self.interpolation = _check_mode(interpolation, who)
        self.fill = fill

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        rng = _rng(generator)
        H, W = shape[-2:]
        p = {"angle": rng.uniform(*self.degrees, size=n)}
        if self.translate is not None:
            p["tx"] = np.round(rng.uniform(-self.translate[0] * W, self.translate[0] * W, n))
            p["ty"] = np.round(rng.uniform(-self.translate[1] * H, self.translate[1] * H, n))
        else:
            p["tx"] = p["ty"] = np.zeros(n)
        p["scale"] = rng.uniform(*self.scale, size=n) if self.scale is not None else np.ones(n)
        if self.shear is not None:
            p["shear_x"] = rng.uniform(self.shear[0], self.shear[1], n)
            p["shear_y"] = rng.uniform(self.shear[2], self.shear[3], n)
        else:
            p["shear_x"] = p["shear_y"] = np.zeros(n)
        return p

    @staticmethod
    def matrices(params: dict) -> np.ndarray:
        """The forward linear parts ``s * R @ Sh``, shape (N, 2, 2), in (x, y) order."""
        a = np.deg2rad(params["angle"])
        cos, sin = np.cos(a), np.sin(a)
        rot = np.stack([np.stack([cos, sin], -1), np.stack([-sin, cos], -1)], -2)  # y down
        tx, ty = np.tan(np.deg2rad(params["shear_x"])), np.tan(np.deg2rad(params["shear_y"]))
        one, zero = np.ones_like(tx), np.zeros_like(tx)
        shx = np.stack([np.stack([one, tx], -1), np.stack([zero, one], -1)], -2)
        shy = np.stack([np.stack([one, zero], -1), np.stack([ty, one], -1)], -2)
        return params["scale"][:, None, None] * rot @ shx @ shy

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        H, W = x.shape[-2:]
        inv = np.linalg.inv(self.matrices(params))                          # (N, 2, 2)
        cx, cy = (W - 1) / 2.0, (H - 1) / 2.0
        gy, gx = np.mgrid[0:H, 0:W].astype(np.float64)
        # p_in = c + inv @ (p_out - c - t)
        dx = gx[None] - cx - params["tx"][:, None, None]                    # (N, H, W)
        dy = gy[None] - cy - params["ty"][:, None, None]
        src_x = cx + inv[:, 0, 0, None, None] * dx + inv[:, 0, 1, None, None] * dy
        src_y = cy + inv[:, 1, 0, None, None] * dx + inv[:, 1, 1, None, None] * dy
        return _sample(x, src_x, src_y, self.interpolation, self.fill)

    def extra_repr(self) -> str:
        return (f"degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={self.interpolation}")


def gaussian_kernel(sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Normalised 1-D Gaussian of std ``sigma``, radius ``ceil(truncate * sigma)``."""
    radius = max(int(math.ceil(truncate * sigma)), 1)
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def _smoothing_matrix(n: int, kernel: np.ndarray) -> np.ndarray:
    """(n, n) banded matrix G with ``G @ f`` = f convolved with ``kernel``, zero outside."""
    r = len(kernel) // 2
    offset = np.arange(n)[None, :] - np.arange(n)[:, None]                 # j - i
    inside = np.abs(offset) <= r
    return np.where(inside, kernel[np.clip(offset + r, 0, 2 * r)], 0.0)


def gaussian_smooth(fields: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of the last two axes with zero boundary: the separable convolution as
    one banded-matrix product per axis, ``G_H @ f @ G_W^T``."""
    H, W = fields.shape[-2:]
    k = gaussian_kernel(sigma)
    return _smoothing_matrix(H, k) @ fields @ _smoothing_matrix(W, k).T


class ElasticDistortion(Transform):
    """Elastic distortion of Simard, Steinkraus & Platt (2003), "Best practices for CNNs
    applied to visual document analysis" -- the distortions behind LeCun-style MNIST
    augmentation.

    Each pixel gets a random displacement ``(dx, dy)`` drawn uniformly in (-1, 1), the two
    displacement fields are smoothed by a Gaussian of std ``sigma`` (zero boundary) and
    scaled by ``alpha``; the output pixel at ``p`` samples the input at ``p + (dx, dy)``.

    Args:
        alpha (float): displacement scale in pixels. Default: 34 (Simard's for MNIST).
        sigma (float): smoothing (elasticity) in pixels. Default: 4.
        interpolation (str): ``bilinear`` or ``nearest``. Default: ``bilinear``.
        fill (number): value for pixels that come from outside. Default: 0.

    Parameters per sample: the displacement fields, shape (N, 2, H, W).
    """

    def __init__(self, alpha: float = 34.0, sigma: float = 4.0,
                 interpolation: str = "bilinear", fill: float = 0) -> None:
        if alpha < 0 or sigma <= 0:
            raise ValueError(f"ElasticDistortion: need alpha >= 0 and sigma > 0, got "
                             f"alpha={alpha}, sigma={sigma}")
        self.alpha, self.sigma = float(alpha), float(sigma)
        self.interpolation = _check_mode(interpolation, "ElasticDistortion")
        self.fill = fill

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> np.ndarray:
        H, W = shape[-2:]
        noise = _rng(generator).uniform(-1.0, 1.0, size=(n, 2, H, W))
        return self.alpha * gaussian_smooth(noise, self.sigma)              # (N, 2, H, W)

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        H, W = x.shape[-2:]
        gy, gx = np.mgrid[0:H, 0:W].astype(np.float64)
        return _sample(x, gx + params[:, 0], gy + params[:, 1], self.interpolation, self.fill)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, sigma={self.sigma}"
