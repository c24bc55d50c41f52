"""Rotation: ``RandomRotation`` and ``rotate``, torchvision's tensor path (an affine grid
sampled as ``torch.nn.functional.grid_sample`` does, ``align_corners=False``).

Notation: N batch, M channels, H x W input, h x w output (``expand=True`` grows it to hold the
whole rotated image); ``(cx, cy)`` the centre relative to the image's middle.

Each output pixel ``(i, j)`` has centred coordinates ``(x, y) = (j - w/2 + 1/2,
i - h/2 + 1/2)``; the inverse rotation about the centre maps it into the input,
``(x', y') = R(a) (x - cx, y - cy) + (cx, cy)`` with ``R(a) = [[cos a, sin a],
[-sin a, cos a]]`` -- a positive angle turns the image counter-clockwise as displayed. The
input pixel ``(x' + W/2 - 1/2, y' + H/2 - 1/2)`` is read bilinearly (out-of-image corners read
0) or at the nearest pixel (ties to even). As torchvision, a channel of ones is sampled the
same way: with ``fill`` the result is ``sample * m + (1 - m) * fill`` (bilinear) or ``fill``
where ``m < 0.5`` (nearest). Integer images are computed in float32 and rounded back.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import InterpolationMode, Transform, _interpolation, _range, _restore, _rng

__all__ = ["RandomRotation", "rotate"]


def _inverse_matrices(angle: np.ndarray, center: tuple[float, float]) -> np.ndarray:
    """(N,) angles in degrees -> (N, 2, 3) inverse affine maps, in float64, as torchvision's
    ``_get_inverse_affine_matrix(center, -angle, [0, 0], 1, [0, 0])``."""
    rot = np.radians(-np.asarray(angle, np.float64))
    cos, sin = np.cos(rot), np.sin(rot)
    cx, cy = center
    m = np.zeros((len(rot), 2, 3))
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = cos, sin, -sin, cos
    m[:, 0, 2] = m[:, 0, 0] * -cx + m[:, 0, 1] * -cy + cx
    m[:, 1, 2] = m[:, 1, 0] * -cx + m[:, 1, 1] * -cy + cy
    return m


def _expanded_size(theta: np.ndarray, w: int, h: int) -> tuple[int, int]:
    """torchvision's ``_compute_affine_output_size``: the (w, h) holding the rotated corners
    (float32, coordinates truncated to 1e-4 before rounding outwards)."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], np.float32)
    new = pts @ theta.astype(np.float32).T
    half = np.array([w * 0.5, h * 0.5], np.float32)
    lo, hi = new.min(axis=0) + half, new.max(axis=0) + half
    tol = np.float32(1e-4)
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def _grid_sample(x: np.ndarray, ix: np.ndarray, iy: np.ndarray, nearest: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Read x (N, M, H, W) at pixel coordinates ix, iy (N, h, w), zeros outside; also the
    in-image weight ``mask`` (N, 1, h, w), the sample of a channel of ones."""
    n, _, H, W = x.shape
    rows = np.arange(n)[:, None, None]

    def corner(yy: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inside = (xx >= 0) & (xx < W) & (yy >= 0) & (yy < H)
        val = x[rows, :, np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]       # (N, h, w, M)
        return np.moveaxis(val, -1, 1) * inside[:, None], inside[:, None].astype(x.dtype)

    if nearest:
        return corner(np.rint(iy).astype(np.int64), np.rint(ix).astype(np.int64))
    x0, y0 = np.floor(ix), np.floor(iy)
    wx, wy = ix - x0, iy - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = mask = 0
    for dy, dx, weight in ((0, 0, (1 - wy) * (1 - wx)), (0, 1, (1 - wy) * wx),
                           (1, 0, wy * (1 - wx)), (1, 1, wy * wx)):
        val, inside = corner(y0 + dy, x0 + dx)
        out = out + val * weight[:, None]
        mask = mask + inside * weight[:, None]
    return out, mask


def rotate(x: np.ndarray, angle: Any, interpolation: Any = "nearest", expand: bool = False,
           center: Sequence[float] | None = None, fill: Any = 0) -> np.ndarray:
    """Rotate each image of the batch ``x`` (N, ..., H, W) by its ``angle`` (degrees,
    counter-clockwise), as torchvision's ``F.rotate`` on tensors.

    Args:
        x (ndarray): the batch.
        angle (float or (N,) floats): one angle for all, or one each.
        interpolation (str or InterpolationMode): ``nearest`` or ``bilinear``.
            Default: nearest.
        expand (bool): enlarge the output to hold the whole rotated image (then all angles
            must give the same size). Default: False.
        center ((x, y), optional): the centre of rotation in pixels from the top-left
            corner; default the image's centre.
        fill (number or sequence): value of pixels from outside the image, one for all
            channels or one per channel. Default: 0.
    """
    mode = _interpolation(interpolation, ("nearest", "bilinear"), "rotate").value
    n, lead, (H, W) = x.shape[0], x.shape[1:-2], x.shape[-2:]
    x4 = x.reshape((n, -1, H, W))
    fills = [float(fill)] if isinstance(fill, numbers.Number) else [float(f) for f in fill]
    if len(fills) not in (1, x4.shape[1]):
        raise ValueError(f"rotate: the number of elements in fill cannot broadcast to match "
                         f"the number of channels of the image ({len(fills)} != "
                         f"{x4.shape[1]})")
    c = (0.0, 0.0) if center is None else (center[0] - W * 0.5, center[1] - H * 0.5)
    angles = np.broadcast_to(np.asarray(angle, np.float64).reshape(-1), (n,))
    m = _inverse_matrices(angles, c)                                        # (N, 2, 3)
    w, h = W, H
    if expand:
        sizes = {_expanded_size(mk, W, H) for mk in m}
        if len(sizes) > 1:
            raise ValueError(f"rotate: with expand=True the rotated images of a batch have "
                             f"different sizes {sorted(sizes)}; rotate them one at a time")
        w, h = sizes.pop()
    dt = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    theta = m.astype(dt)
    scaled = theta.transpose(0, 2, 1) / np.array([0.5 * W, 0.5 * H], dt)  # (N, 3, 2)
    xs = np.arange(w, dtype=dt) - dt.type(w * 0.5 - 0.5)
    ys = (np.arange(h, dtype=dt) - dt.type(h * 0.5 - 0.5))[:, None]
    gx = xs * scaled[:, None, None, 0, 0] + ys * scaled[:, None, None, 1, 0] \
        + scaled[:, None, None, 2, 0]
    gy = xs * scaled[:, None, None, 0, 1] + ys * scaled[:, None, None, 1, 1] \
        + scaled[:, None, None, 2, 1]
    ix = (gx + 1) * dt.type(W / 2) - dt.type(0.5)                          # (N, h, w)
    iy = (gy + 1) * dt.type(H / 2) - dt.type(0.5)
    out, mask = _grid_sample(x4.astype(dt, copy=False), ix, iy, mode == "nearest")
    fill_img = np.asarray(fills, dt).reshape(1, -1, 1, 1)
    if mode == "nearest":
        out = np.where(mask < 0.5, fill_img, out)
    else:
        out = out * mask + (1.0 - mask) * fill_img
    return _restore(out, x.dtype).reshape((n,) + lead + (h, w))


class RandomRotation(Transform):
    """Rotate by a random angle, as torchvision's ``RandomRotation`` on tensors.

    Args:
        degrees (number or (lo, hi)): the angle range in degrees; a number ``d`` means
            ``(-d, d)``. Positive angles turn counter-clockwise.
        interpolation (InterpolationMode or str): ``nearest`` or ``bilinear``.
            Default: nearest (torchvision's).
        expand (bool): enlarge each output to hold the whole rotated image. The sizes then
            depend on the angles, so the transform is applied sample by sample
            (``batchable`` is False). Default: False.
        center ((x, y), optional): centre of rotation in pixels from the top-left corner.
            Default: the image's centre.
        fill (number or sequence): value of pixels from outside the image, one for all or
            one per channel. Default: 0.

    Parameters per sample: the angle, uniform in ``degrees``.

    Example:
        >>> RandomRotation(15, interpolation="bilinear")(np.ones((3, 8, 8), np.float32)).shape
        (3, 8, 8)
    """

    def __init__(self, degrees: Any, interpolation: Any = InterpolationMode.NEAREST,
                 expand: bool = False, center: Sequence[float] | None = None,
                 fill: Any = 0) -> None:
        self.degrees = _range(degrees, "degrees", "RandomRotation")
        self.interpolation = _interpolation(interpolation, ("nearest", "bilinear"),
                                            "RandomRotation")
        if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
            raise ValueError(f"RandomRotation: center should be a sequence of length 2, got "
                             f"{center!r}")
        if fill is None:
            fill = 0
        elif not (isinstance(fill, numbers.Number) or (
                isinstance(fill, Sequence) and not isinstance(fill, str)
                and all(isinstance(f, numbers.Number) for f in fill))):
            raise TypeError(f"RandomRotation: fill should be either a sequence or a number, "
                            f"got {fill!r}")
        self.expand, self.center, self.fill = bool(expand), center, fill
        self.batchable = not self.expand

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        return {"angle": _rng(generator).uniform(*self.degrees, size=n)}

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        return rotate(x, params["angle"], self.interpolation, self.expand, self.center,
                      self.fill)

    def extra_repr(self) -> str:
        return (f"degrees={self.degrees}, interpolation={self.interpolation.value}, "
                f"expand={self.expand}, fill={self.fill}")
