"""Colour transforms: ``ColorJitter`` (torchvision's, on its tensor path) and AlexNet's
``PCALighting``.

Notation: N batch, C channels (1 or 3, RGB), H x W image; ``f`` a factor per sample (N,).

torchvision's tensor arithmetic, vectorised over samples with their own factors:

* ``blend(a, b, f) = clip(f * a + (1 - f) * b, 0, bound)`` (bound 1 for floats, 255 for
  uint8, whose result is truncated, as ``Tensor.to(uint8)``);
* brightness: ``blend(x, 0, f)``; contrast: ``blend(x, mean(grey(x)), f)``, the mean over the
  whole image; saturation: ``blend(x, grey(x), f)``, with
  ``grey = 0.2989 R + 0.587 G + 0.114 B``;
* hue: to HSV (in float32, uint8 scaled by 1/255), ``h = (h + f) mod 1``, back to RGB.
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np

from .base import Transform, _float, _restore, _rng

__all__ = ["ColorJitter", "PCALighting", "IMAGENET_EIGVAL", "IMAGENET_EIGVEC",
           "rgb_to_grayscale", "adjust_brightness", "adjust_contrast", "adjust_saturation",
           "adjust_hue"]


# AlexNet's PCA of ImageNet RGB pixels (values in [0, 1]), as used by fb.resnet.torch.
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009),
                   (-0.5808, -0.0045, -0.8140),
                   (-0.5836, -0.6948, 0.4203))


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
# torchvision's colour functions on a batch (N, C, H, W), one factor per sample
# ============================================================================
def _work_dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _per_sample(f: Any, x: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(f, np.float64), (len(x),)).reshape(-1, 1, 1, 1)


def _blend(a: np.ndarray, b: np.ndarray | float, f: Any) -> np.ndarray:
    dt = _work_dtype(a)
    r = _per_sample(f, a)
    out = r.astype(dt) * a + (1.0 - r).astype(dt) * b
    bound = 1.0 if a.dtype.kind == "f" else float(np.iinfo(a.dtype).max)
    return np.clip(out, 0, bound).astype(a.dtype)               # integers: truncated


def rgb_to_grayscale(x: np.ndarray) -> np.ndarray:
    """(N, 3, H, W) -> (N, 1, H, W): ``0.2989 R + 0.587 G + 0.114 B`` (truncated for
    integers, as torchvision's tensor path)."""
    dt = _work_dtype(x)
    r, g, b = (x[:, k:k + 1].astype(dt) for k in range(3))
    return (dt.type(0.2989) * r + dt.type(0.587) * g + dt.type(0.114) * b).astype(x.dtype)


def adjust_brightness(x: np.ndarray, factor: Any) -> np.ndarray:
    """``blend(x, 0, factor)``: 0 gives black, 1 the image."""
    return _blend(x, 0.0, factor)


def adjust_contrast(x: np.ndarray, factor: Any) -> np.ndarray:
    """``blend(x, mean grey level of the image, factor)``: 0 gives a uniform grey."""
    dt = _work_dtype(x)
    grey = rgb_to_grayscale(x) if x.shape[1] == 3 else x
    mean = grey.astype(dt).mean(axis=(1, 2, 3), keepdims=True)
    return _blend(x, mean, factor)


def adjust_saturation(x: np.ndarray, factor: Any) -> np.ndarray:
    """``blend(x, grey(x), factor)``: 0 gives the grey image; one channel is unchanged."""
    return x if x.shape[1] == 1 else _blend(x, rgb_to_grayscale(x), factor)


def _rgb_to_hsv(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    maxc, minc = x.max(axis=1), x.min(axis=1)
    eqc = maxc == minc
    cr = maxc - minc
    one = np.ones_like(maxc)
    s = cr / np.where(eqc, one, maxc)
    div = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
         + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)).astype(x.dtype)
    return np.fmod(h / 6.0 + 1.0, 1.0), s, maxc


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    sectors = [i == k for k in range(6)]
    r = np.select(sectors, [v, q, p, p, t, v])
    g = np.select(sectors, [t, v, v, q, p, p])
    b = np.select(sectors, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=1)


def adjust_hue(x: np.ndarray, factor: Any) -> np.ndarray:
    """Rotate the hue by ``factor`` turns (in [-0.5, 0.5]); one channel is unchanged."""
    if x.shape[1] == 1:
        return x
    xf = x.astype(np.float32) / (1.0 if x.dtype.kind == "f" else np.float32(255))
    h, s, v = _rgb_to_hsv(xf)
    h = np.mod(h + _per_sample(factor, x)[:, 0].astype(np.float32), 1.0)
    out = _hsv_to_rgb(h, s, v)
    if x.dtype.kind == "f":
        return out.astype(x.dtype)
    return (out * np.float32(255 + 1 - 1e-3)).astype(x.dtype)   # torchvision's rescaling


def _jitter_range(value: Any, name: str, center: float = 1.0,
                  bound: tuple[float, float] = (0.0, float("inf")),
                  clip_first_on_zero: bool = True) -> tuple[float, float] | None:
    """torchvision's ``ColorJitter._check_input``: a number ``v`` is ``[center - v,
    center + v]``; a range equal to ``(center, center)`` is None (no change)."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"ColorJitter: if {name} is a single number, it must be non "
                             f"negative, got {value}")
        lo, hi = center - float(value), center + float(value)
        if clip_first_on_zero:
            lo = max(lo, 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        lo, hi = float(value[0]), float(value[1])
    else:
        raise TypeError(f"ColorJitter: {name} should be a single number or a list/tuple with "
                        f"length 2, got {value!r}")
    if not bound[0] <= lo <= hi <= bound[1]:
        raise ValueError(f"ColorJitter: {name} values should be between {bound}, but got "
                         f"{[lo, hi]}")
    return None if lo == hi == center else (lo, hi)


_ADJUST = (("brightness", adjust_brightness), ("contrast", adjust_contrast),
           ("saturation", adjust_saturation), ("hue", adjust_hue))


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, applied in a random order, as
    torchvision's ``ColorJitter``.

    Args:
        brightness (float or (lo, hi)): the factor is drawn from ``[max(0, 1 - b), 1 + b]``
            (or ``(lo, hi)``). Default: 0 (unchanged).
        contrast (float or (lo, hi)): likewise. Default: 0.
        saturation (float or (lo, hi)): likewise. Default: 0.
        hue (float or (lo, hi)): drawn from ``[-hue, hue]``, within [-0.5, 0.5]. Default: 0.

    Parameters per sample: a random order of the four adjustments (a permutation) and a
    factor for each one that is active. Images: ``(C, H, W)`` with C = 1 or 3, or ``(H, W)``;
    floats in [0, 1] or uint8 (see the module doc for torchvision's arithmetic).

    Example:
        >>> ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
    """

    def __init__(self, brightness: Any = 0, contrast: Any = 0, saturation: Any = 0,
                 hue: Any = 0) -> None:
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0.0, bound=(-0.5, 0.5),
                                 clip_first_on_zero=False)

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        rng = _rng(generator)
        params: dict = {"order": np.argsort(rng.random((n, 4)), axis=1)}
        for name, _ in _ADJUST:
            span = getattr(self, name)
            params[name] = None if span is None else rng.uniform(span[0], span[1], n)
        return params

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        grey2d = x.ndim == 3                                           # (N, H, W)
        out = (x[:, None] if grey2d else x).copy()
        if out.ndim != 4 or out.shape[1] not in (1, 3):
            raise ValueError(f"ColorJitter: expected images (C, H, W) with 1 or 3 channels, "
                             f"or (H, W); got a batch of shape {x.shape}")
        for step in range(4):
            for k, (name, adjust) in enumerate(_ADJUST):
                factor = params[name]
                chosen = params["order"][:, step] == k
                if factor is not None and chosen.any():
                    out[chosen] = adjust(out[chosen], factor[chosen])
        return out[:, 0] if grey2d else out

    def extra_repr(self) -> str:
        return (f"brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue}")
