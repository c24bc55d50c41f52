"""Resizing: ``Resize`` and ``RandomResizedCrop``, with the interpolation of torchvision's
tensor path (``torch.nn.functional.interpolate``, ``align_corners=False``).

Notation: N batch, M the channels (all axes between N and the image's), H x W input,
h x w output; for one axis, n input pixels (the crop's extent, per sample), m output pixels,
T taps.

Interpolation is separable: each output pixel is a weighted sum of T input pixels along the
width, then along the height. For each axis the taps ``idx (N, m, T)`` and weights
``w (N, m, T)`` are computed once per sample (a crop box shifts ``idx``), and the sum is T
gathers -- a loop over taps, never over pixels or samples. The weights are torch's:

* ``nearest``: ``src = min(floor(i * n / m), n - 1)`` in float32 (torch's legacy rule);
  ``nearest-exact``: ``floor((i + 0.5) * n / m)``;
* ``bilinear``: ``src = max((i + 0.5) * n / m - 0.5, 0)``, two taps;
* ``bicubic``: the same source point unclamped, four taps of Keys' kernel with a = -0.75,
  indices clamped to the edge;
* ``antialias=True`` (bilinear, bicubic; torchvision's default): PIL's filters -- the
  triangle (or Keys' kernel with a = -0.5) stretched by ``n / m`` when shrinking, over the
  taps within its support, normalised to sum to 1.

Integer images are computed in float32 and rounded back, as torchvision does.
"""
from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import InterpolationMode, Transform, _interpolation, _pair, _restore, _rng

__all__ = ["Resize", "RandomResizedCrop", "resized_crop", "resized_output_size"]

_MODES = ("nearest", "nearest-exact", "bilinear", "bicubic")


# ============================================================================
# Taps and weights of one axis
# ============================================================================
def _nearest_index(n: np.ndarray, m: int, exact: bool) -> np.ndarray:
    """(N,) input lengths -> (N, m) source indices, in torch's float32 arithmetic."""
    scale = (n.astype(np.float32) / np.float32(m))[:, None]
    i = np.arange(m)
    if exact:
        src = np.floor((i.astype(np.float32) + np.float32(0.5)) * scale)
    else:
        src = np.floor(i.astype(np.float32) * scale)
        src = np.where((n == m)[:, None], i, np.where((2 * n == m)[:, None], i >> 1, src))
    return np.minimum(src.astype(np.int64), n[:, None] - 1)


def _keys(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter ``a``."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _interp_taps(n: np.ndarray, m: int, cubic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear (2 taps) or bicubic (4 taps, a = -0.75) without antialiasing."""
    scale = (n / m)[:, None]
    real = scale * (np.arange(m) + 0.5) - 0.5
    if not cubic:
        real = np.maximum(real, 0.0)
    last = n[:, None] - 1
    i0 = np.minimum(np.floor(real).astype(np.int64), last)
    lam = np.clip(real - i0, 0.0, 1.0)[..., None]
    if not cubic:
        idx = np.stack([i0, i0 + (i0 < last)], axis=-1)
        return idx, np.concatenate([1 - lam, lam], axis=-1)
    idx = np.clip(i0[..., None] + np.arange(-1, 3), 0, last[..., None])
    return idx, _keys(lam - np.arange(-1, 3), -0.75)


def _antialias_taps(n: np.ndarray, m: int, cubic: bool) -> tuple[np.ndarray, np.ndarray]:
    """PIL's resampling filter (torch's ``antialias=True``): the kernel stretched by
    ``scale = n / m`` when shrinking, normalised over the taps within its support."""
    scale = (n / m)[:, None]
    half = 2.0 if cubic else 1.0
    support = np.where(scale >= 1.0, half * scale, half)
    max_taps = np.ceil(support).astype(np.int64) * 2 + 1
    center = scale * (np.arange(m) + 0.5)
    invscale = np.where(scale >= 1.0, 1.0 / scale, 1.0)
    xmin = np.maximum(np.trunc(center - support + 0.5).astype(np.int64), 0)
    xmax = np.minimum(np.trunc(center + support + 0.5).astype(np.int64), n[:, None])
    xsize = np.clip(xmax - xmin, 0, max_taps)
    j = np.arange(max(int(xsize.max()), 1))
    arg = (j + xmin[..., None] - center[..., None] + 0.5) * invscale[..., None]
    w = (_keys(arg, -0.5) if cubic else np.maximum(1.0 - np.abs(arg), 0.0))
    w = np.where(j < xsize[..., None], w, 0.0)
    total = w.sum(axis=-1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1.0), w)
    idx = np.minimum(xmin[..., None] + j, n[:, None, None] - 1)
    return idx, w


def _taps(n: np.ndarray, m: int, mode: str, antialias: bool) -> tuple[np.ndarray, np.ndarray]:
    if antialias:
        return _antialias_taps(n, m, cubic=mode == "bicubic")
    return _interp_taps(n, m, cubic=mode == "bicubic")


def _sum_taps(x: np.ndarray, idx: np.ndarray, w: np.ndarray, axis: int) -> np.ndarray:
    """``out[k, :, .., i, ..] = sum_t w[k, i, t] * x[k, :, .., idx[k, i, t], ..]`` along
    ``axis`` (2 = height, 3 = width) of x (N, M, H, W)."""
    shape = [idx.shape[0], 1, 1, 1]
    shape[axis] = idx.shape[1]
    out = None
    for t in range(idx.shape[2]):
        part = np.take_along_axis(x, idx[:, :, t].reshape(shape), axis=axis)
        part = part * w[:, :, t].reshape(shape)
        out = part if out is None else out + part
    return out


# ============================================================================
# The functional form
# ============================================================================
def resized_crop(x: np.ndarray, top: Any, left: Any, height: Any, width: Any,
                 size: tuple[int, int], interpolation: Any = "bilinear",
                 antialias: bool = True) -> np.ndarray:
    """Crop each sample of ``x`` (N, ..., H, W) to its box and resize the box to ``size``.

    Args:
        x (ndarray): the batch.
        top, left, height, width (int or (N,) ints): the boxes (one for all, or one each).
        size ((h, w)): the output size.
        interpolation (str or InterpolationMode): nearest, nearest-exact, bilinear, bicubic.
            Default: bilinear.
        antialias (bool): PIL-style filtering for bilinear and bicubic. Default: True.

    Returns:
        ndarray (N, ..., h, w), ``x``'s dtype (integers rounded back).
    """
    mode = _interpolation(interpolation, _MODES, "resized_crop").value
    n, lead, (H, W) = x.shape[0], x.shape[1:-2], x.shape[-2:]
    box = [np.broadcast_to(np.asarray(v, np.int64).reshape(-1), (n if np.ndim(v) else 1,))
           for v in (top, left, height, width)]
    top_, left_, h_in, w_in = box
    h, w = size
    x4 = x.reshape((n, -1, H, W))
    if mode.startswith("nearest"):
        exact = mode == "nearest-exact"
        iy = _nearest_index(h_in, h, exact) + top_[:, None]                    # (N, h)
        ix = _nearest_index(w_in, w, exact) + left_[:, None]                   # (N, w)
        out = np.take_along_axis(x4, iy[:, None, :, None], axis=2)
        out = np.take_along_axis(out, ix[:, None, None, :], axis=3)
        return out.reshape((n,) + lead + (h, w))
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    xf = x4.astype(dtype, copy=False)
    iw, ww = _taps(w_in, w, mode, antialias)
    ih, wh = _taps(h_in, h, mode, antialias)
    out = _sum_taps(xf, iw + left_[:, None, None], ww.astype(dtype), axis=3)  # (N, M, H, w)
    out = _sum_taps(out, ih + top_[:, None, None], wh.astype(dtype), axis=2)  # (N, M, h, w)
    return _restore(out, x.dtype).reshape((n,) + lead + (h, w))


def resized_output_size(height: int, width: int, size: Any,
                        max_size: int | None = None) -> tuple[int, int]:
    """torchvision's output size: ``size`` (h, w) as given, or an int (or 1-sequence) for the
    shorter side with the aspect ratio kept (the longer side truncated), the longer side then
    capped at ``max_size``."""
    if isinstance(size, numbers.Integral):
        size = [int(size)]
    size = list(size)
    if len(size) == 2:
        if max_size is not None:
            raise ValueError("Resize: max_size should only be passed if size specifies the "
                             "length of the smaller edge, i.e. size should be an int or a "
                             "sequence of length 1")
        return int(size[0]), int(size[1])
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"Resize: max_size = {max_size} must be strictly greater than the "
                             f"requested size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if width <= height else (new_short, new_long)


def _check_size(size: Any, who: str) -> Any:
    if isinstance(size, bool) or not isinstance(size, (numbers.Integral, Sequence)):
        raise TypeError(f"{who}: size should be int or sequence, got {type(size).__name__}")
    if isinstance(size, Sequence) and len(size) not in (1, 2):
        raise ValueError(f"{who}: if size is a sequence, it should have 1 or 2 values, got "
                         f"{size!r}")
    values = [size] if isinstance(size, numbers.Integral) else list(size)
    if not all(isinstance(v, numbers.Integral) and v > 0 for v in values):
        raise ValueError(f"{who}: size must hold positive ints, got {size!r}")
    return size


# ============================================================================
# Transforms
# ============================================================================
class Resize(Transform):
    """Resize images to ``size``, as torchvision's ``Resize`` on tensors.

    Args:
        size (int or (h, w)): an int (or ``[int]``) is the length of the shorter side, the
            other following the aspect ratio (truncated to an int); ``(h, w)`` is the exact
            output size.
        interpolation (InterpolationMode or str): ``nearest``, ``nearest-exact``,
            ``bilinear`` or ``bicubic``. Default: ``bilinear``.
        max_size (int, optional): cap on the longer side (with an int ``size``).
        antialias (bool): PIL-style antialiasing for bilinear and bicubic, torchvision's
            default. Default: True.

    Shape:
        ``(..., H, W) -> (..., h, w)``. An image already of the output size is returned
        unchanged.

    Example:
        >>> Resize(256)(np.zeros((3, 480, 640), np.float32)).shape
        (3, 256, 341)
    """

    def __init__(self, size: Any, interpolation: Any = InterpolationMode.BILINEAR,
                 max_size: int | None = None, antialias: bool = True) -> None:
        self.size = _check_size(size, "Resize")
        self.interpolation = _interpolation(interpolation, _MODES, "Resize")
        self.max_size, self.antialias = max_size, bool(antialias)
        if max_size is not None:
            resized_output_size(1, 1, size, max_size)                 # checks the pair now

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        H, W = x.shape[-2:]
        h, w = resized_output_size(H, W, self.size, self.max_size)
        if (h, w) == (H, W):
            return x
        return resized_crop(x, 0, 0, H, W, (h, w), self.interpolation, self.antialias)

    def extra_repr(self) -> str:
        return (f"size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias}")


class RandomResizedCrop(Transform):
    """A crop of random area and aspect ratio, resized to ``size`` (Inception's
    augmentation), as torchvision's ``RandomResizedCrop``.

    Args:
        size (int or (h, w)): output size.
        scale ((lo, hi)): range of the crop's area as a fraction of the image's.
            Default: (0.08, 1.0).
        ratio ((lo, hi)): range of the crop's aspect ratio w/h, drawn log-uniformly.
            Default: (3/4, 4/3).
        interpolation, antialias: as :class:`Resize`.

    Parameters per sample: ten attempts, each an area ``U(scale) * H * W`` and a ratio
    ``exp(U(log ratio))`` giving ``w = round(sqrt(area * ratio))``,
    ``h = round(sqrt(area / ratio))``; the first that fits in the image is placed uniformly.
    If none fits: the central crop of the image, its ratio clamped to ``ratio``.

    Example:
        >>> RandomResizedCrop(224)(np.zeros((3, 300, 400), np.float32)).shape
        (3, 224, 224)
    """

    def __init__(self, size: Any, scale: Sequence[float] = (0.08, 1.0),
                 ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
                 interpolation: Any = InterpolationMode.BILINEAR,
                 antialias: bool = True) -> None:
        self.size = _pair(size, "size", "RandomResizedCrop")
        for name, value in (("scale", scale), ("ratio", ratio)):
            if not isinstance(value, Sequence) or len(value) != 2:
                raise TypeError(f"RandomResizedCrop: {name} should be a sequence of 2 numbers, "
                                f"got {value!r}")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("RandomResizedCrop: scale and ratio should be of kind (min, max)",
                          stacklevel=2)
        self.scale = (float(scale[0]), float(scale[1]))
        self.ratio = (float(ratio[0]), float(ratio[1]))
        self.interpolation = _interpolation(interpolation, _MODES, "RandomResizedCrop")
        self.antialias = bool(antialias)

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        rng = _rng(generator)
        H, W = shape[-2:]
        area = rng.uniform(*self.scale, size=(n, 10)) * (H * W)
        aspect = np.exp(rng.uniform(np.log(self.ratio[0]), np.log(self.ratio[1]), (n, 10)))
        w = np.rint(np.sqrt(area * aspect)).astype(np.int64)
        h = np.rint(np.sqrt(area / aspect)).astype(np.int64)
        fits = (w > 0) & (w <= W) & (h > 0) & (h <= H)
        first = np.argmax(fits, axis=1)
        ok = fits[np.arange(n), first]
        fh, fw = self._fallback(H, W)
        h = np.where(ok, h[np.arange(n), first], fh)
        w = np.where(ok, w[np.arange(n), first], fw)
        top = np.where(ok, rng.integers(0, H - h + 1), (H - h) // 2)
        left = np.where(ok, rng.integers(0, W - w + 1), (W - w) // 2)
        return {"top": top, "left": left, "height": h, "width": w}

    def _fallback(self, H: int, W: int) -> tuple[int, int]:
        """The central crop of torchvision's fallback: the whole image, its aspect ratio
        clamped to ``ratio``."""
        in_ratio = W / H
        if in_ratio < min(self.ratio):
            return int(round(W / min(self.ratio))), W
        if in_ratio > max(self.ratio):
            return H, int(round(H * max(self.ratio)))
        return H, W

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        return resized_crop(x, params["top"], params["left"], params["height"],
                            params["width"], self.size, self.interpolation, self.antialias)

    def extra_repr(self) -> str:
        return (f"size={self.size}, scale={self.scale}, ratio={self.ratio}, "
                f"interpolation={self.interpolation.value}, antialias={self.antialias}")
