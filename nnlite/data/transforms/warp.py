"""Geometric warps: an inverse map from output to input pixels, sampled bilinearly or at the
nearest pixel -- ``RandomAffine`` and ``ElasticDistortion``."""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np

from .base import Transform, _float, _range, _restore, _rng

__all__ = ["RandomAffine", "ElasticDistortion", "gaussian_kernel", "gaussian_smooth"]


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
