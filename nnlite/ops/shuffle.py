"""Rearranging ops: pixel_shuffle, pixel_unshuffle, channel_shuffle.

Notation: N the leading (batch) dims, C channels, H, W the spatial size, r the upscale
(or downscale) factor, g the number of groups. Each is a reshape, a permutation and a
reshape (no copy until the last reshape), so the gradient is the inverse rearrangement,
which the shape ops' own rules give.

- pixel_shuffle:   (*, C r^2, H, W) -> (*, C, H r, W r),
                   y[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w]
- pixel_unshuffle: the inverse, (*, C, H r, W r) -> (*, C r^2, H, W)
- channel_shuffle: (N, C, *) -> (N, C, *), the channels seen as a (g, C / g) grid read
                   by columns: y[:, k (g) + j] = x[:, j (C / g) + k]
"""
from __future__ import annotations

from typing import Any

from ..factories import as_tensor
from ..tensor import Tensor
from .arguments import _is_int

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]


def _factor(v: Any, name: str, op: str) -> int:
    if not _is_int(v):
        raise TypeError(f"{op}: {name} must be an int, got {v!r}")
    if v <= 0:
        raise ValueError(f"{op} expects a positive {name}, but got {v}")
    return int(v)


def _at_least_3d(x: Tensor, op: str) -> None:
    if x.ndim < 3:
        raise ValueError(f"{op} expects input to have at least 3 dimensions, but got input "
                         f"with {x.ndim} dimension(s) (shape {tuple(x.shape)})")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r) (the sub-pixel convolution of
    Shi et al. 2016).

    Args:
        input (Tensor): at least 3-D, its channel dim (-3) divisible by r^2.
        upscale_factor (int): r, positive.

    Shape:
        (*, C r^2, H, W) -> (*, C, H r, W r).

    Example:
        >>> F.pixel_shuffle(nl.randn(1, 8, 3, 3), 2).shape
        (1, 2, 6, 6)
    """
    op = "pixel_shuffle"
    x = as_tensor(input)
    r = _factor(upscale_factor, "upscale_factor", op)
    _at_least_3d(x, op)
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(f"{op} expects its input's 'channel' dimension to be divisible by "
                         f"the square of upscale_factor, but input.size(-3)={c} is not "
                         f"divisible by {r * r} (input shape {tuple(x.shape)})")
    k = len(lead)
    y = x.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    y = y.permute(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))   # (*, C, H, r, W, r)
    return y.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), the inverse of ``pixel_shuffle``.

    Args:
        input (Tensor): at least 3-D, H and W divisible by r.
        downscale_factor (int): r, positive.

    Shape:
        (*, C, H r, W r) -> (*, C r^2, H, W).

    Example:
        >>> F.pixel_unshuffle(nl.randn(1, 2, 6, 6), 2).shape
        (1, 8, 3, 3)
    """
    op = "pixel_unshuffle"
    x = as_tensor(input)
    r = _factor(downscale_factor, "downscale_factor", op)
    _at_least_3d(x, op)
    *lead, c, h, w = x.shape
    for name, size, d in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise ValueError(f"{op} expects {name} to be divisible by downscale_factor, but "
                             f"input.size({d})={size} is not divisible by {r} (input shape "
                             f"{tuple(x.shape)})")
    k = len(lead)
    y = x.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    y = y.permute(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))   # (*, C, r, r, H, W)
    return y.reshape(tuple(lead) + (c * r * r, h // r, w // r))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Shuffle the channels across ``groups`` (ShuffleNet, Zhang et al. 2017): the C
    channels seen as a (groups, C / groups) grid are read column by column.

    Args:
        input (Tensor): ``(N, C, *)``, at least 3-D, C divisible by ``groups``.
        groups (int): positive.

    Shape:
        ``(N, C, *) -> (N, C, *)``.

    Example:
        >>> F.channel_shuffle(nl.arange(4.0).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    op = "channel_shuffle"
    x = as_tensor(input)
    if not _is_int(groups):
        raise TypeError(f"{op}: groups must be an int, got {groups!r}")
    if groups <= 0:
        raise ValueError(f"Number of groups to divide channels in must be positive. Value of "
                         f"groups:{groups}")
    _at_least_3d(x, op)
    n, c, *rest = x.shape
    if c % groups:
        raise ValueError(f"Number of channels must be divisible by groups. Got {c} channels "
                         f"and {groups} groups.")
    y = x.reshape((n, groups, c // groups) + tuple(rest)).transpose(1, 2)
    return y.reshape((n, c) + tuple(rest))


native_channel_shuffle = channel_shuffle
