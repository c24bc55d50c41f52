"""Size arguments of ops and layers, parsed and checked in one place.

The convolution and pooling ops in ``nnlite.ops`` and the convolution, pooling and padding
layers in ``nnlite.nn`` read kernel_size, stride, padding, dilation, groups and output
sizes through these functions, so an argument is accepted, rejected and reported the same
way everywhere: the error names the op or layer and the argument, e.g. ``conv2d: stride
must be positive, got (0, 1)``. Layers call them once, in ``__init__``; the functional
forms once per call. ``named_errors`` is how a layer puts its name on its op's errors.

Sections: tuples -- output sizes -- convolution -- pooling -- naming errors.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["ntuple", "out_size", "transposed_out_size", "check_groups", "conv_padding",
           "pool_window", "check_divisor_override", "named_errors"]


# ============================================================================
# Tuples
# ============================================================================
def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def ntuple(value: Any, n: int, name: str, owner: str, minimum: int | None = None,
           broadcast: bool = False) -> tuple[int, ...]:
    """An int, or a sequence of ``n`` ints, as an ``n``-tuple of Python ints.

    Args:
        value: the argument as given.
        n (int): how many ints (one a spatial dim).
        name (str): the argument's name, for the error.
        owner (str): the op or layer, for the error.
        minimum (int, optional): the smallest element allowed: 1 for sizes, strides and
            dilations ("positive"), 0 for paddings ("non-negative"). Default: None.
        broadcast (bool): a 1-sequence stands for all ``n`` (torch's pooling).
            Default: False.

    Raises:
        TypeError: ``value`` is not an int or a sequence of ``n`` ints (a bool is not).
        ValueError: an element is below ``minimum``.

    Example:
        >>> ntuple(3, 2, "kernel_size", "conv2d")
        (3, 3)
        >>> ntuple((1, 0), 2, "stride", "conv2d", minimum=1)
        Traceback (most recent call last):
        ValueError: conv2d: stride must be positive, got (1, 0)
    """
    if _is_int(value):
        out = (int(value),) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = ()
        if broadcast and len(items) == 1:
            items *= n
        if len(items) != n or not all(_is_int(v) for v in items):
            raise TypeError(f"{owner}: {name} must be an int or a tuple of {n} ints, got "
                            f"{value!r}")
        out = tuple(int(v) for v in items)
    if minimum is not None and min(out) < minimum:
        bound = {0: "non-negative", 1: "positive"}.get(minimum, f"at least {minimum}")
        raise ValueError(f"{owner}: {name} must be {bound}, got {out}")
    return out


# ============================================================================
# Output sizes
# ============================================================================
def out_size(size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int, dilation: int,
             ceil_mode: bool = False) -> int:
    """How many windows fit along one axis (torch's ``pooling_output_shape``).

    Args:
        size (int): the input's length along the axis.
        kernel, stride, dilation (int): of the window.
        pad_lo, pad_hi (int): padding before and after.
        ceil_mode (bool): round up; the last window must still start inside the input
            or the padding before it. Default: False.

    Returns:
        ``(size + pad_lo + pad_hi - dilation*(kernel - 1) - 1) // stride + 1`` (floor or
        ceil); zero or negative when the input is too small.

    Example:
        >>> out_size(32, 3, 2, 1, 1, 1)
        16
    """
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    o = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (o - 1) * stride >= size + pad_lo:
        o -= 1
    return o


def transposed_out_size(size: int, kernel: int, stride: int, padding: int,
                        dilation: int = 1, output_padding: int = 0) -> int:
    """The length along one axis of a transposed convolution (or max-unpooling) output:
    ``(size - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1``.

    Example:
        >>> transposed_out_size(8, 4, 2, 1)
        16
    """
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


# ============================================================================
# Convolution
# ============================================================================
def check_groups(groups: Any, owner: str, weight_shape: tuple | None = None,
                 **channels: int) -> int:
    """``groups`` as an int, checked positive and dividing each of ``channels``.

    Args:
        groups: the argument as given.
        owner (str): the op or layer, for the error.
        weight_shape (tuple, optional): shown beside a channel count read from it.
        **channels (int): the channel counts that must be divisible, by name.

    Example:
        >>> check_groups(2, "Conv2d", in_channels=4, out_channels=6)
        2
        >>> check_groups(2, "Conv2d", in_channels=3)
        Traceback (most recent call last):
        ValueError: Conv2d: in_channels (3) must be divisible by groups (2)
    """
    if not _is_int(groups) or groups <= 0:
        raise ValueError(f"{owner}: groups must be a positive integer, got {groups!r}")
    for name, c in channels.items():
        if c % groups:
            shown = c if weight_shape is None else f"{c}, weight shape {tuple(weight_shape)}"
            raise ValueError(f"{owner}: {name} ({shown}) must be divisible by groups "
                             f"({groups})")
    return int(groups)


def conv_padding(padding: Any, kernel_size: tuple, stride: tuple, dilation: tuple,
                 owner: str) -> tuple[tuple[int, int], ...]:
    """The zeros (before, after) each spatial dim of a convolution's input gets.

    Args:
        padding: an int or a tuple (the same on both sides), 'valid' (none) or 'same'
            (output size = input size; stride 1 only; an odd total puts the extra zero
            after, as torch).
        kernel_size, stride, dilation (tuple of int): parsed, one per spatial dim.
        owner (str): the op or layer, for the error.

    Example:
        >>> conv_padding("same", (4, 3), (1, 1), (1, 1), "conv2d")
        ((1, 2), (1, 1))
    """
    nd = len(kernel_size)
    if not isinstance(padding, str):
        return tuple((p, p) for p in ntuple(padding, nd, "padding", owner, minimum=0))
    if padding == "valid":
        return ((0, 0),) * nd
    if padding != "same":
        raise ValueError(f"{owner}: invalid padding string {padding!r}: padding must be "
                         f"'valid', 'same', an int or a tuple of {nd} ints")
    if any(s != 1 for s in stride):
        raise ValueError(f"{owner}: padding='same' is not supported for strided "
                         f"convolutions (stride={stride})")
    totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


# ============================================================================
# Pooling
# ============================================================================
def pool_window(kernel_size: Any, stride: Any, padding: Any, dilation: Any, n: int,
                owner: str) -> tuple:
    """A pooling window's (kernel_size, stride, padding, dilation) as ``n``-tuples, checked
    as torch does: sizes positive, padding at most half the kernel; a stride of None (or
    empty) is the kernel size; a 1-tuple stands for all ``n`` dims.

    Example:
        >>> pool_window(3, None, 1, 1, 2, "max_pool2d")
        ((3, 3), (3, 3), (1, 1), (1, 1))
    """
    k = ntuple(kernel_size, n, "kernel_size", owner, 1, broadcast=True)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        s = k
    else:
        s = ntuple(stride, n, "stride", owner, 1, broadcast=True)
    p = ntuple(padding, n, "padding", owner, 0, broadcast=True)
    d = ntuple(dilation, n, "dilation", owner, 1, broadcast=True)
    if any(pi > ki // 2 for pi, ki in zip(p, k)):
        raise ValueError(f"{owner}: padding should be at most half of the kernel size, but "
                         f"got padding={p}, kernel_size={k} and dilation={d}")
    return k, s, p, d


def check_divisor_override(divisor_override: Any, owner: str) -> None:
    """Average pooling's ``divisor_override``: None or a nonzero int.

    Example:
        >>> check_divisor_override(0, "avg_pool2d")
        Traceback (most recent call last):
        ValueError: avg_pool2d: divisor_override must be a nonzero int, got 0
    """
    if divisor_override is not None and (not isinstance(divisor_override, (int, np.integer))
                                         or divisor_override == 0):
        raise ValueError(f"{owner}: divisor_override must be a nonzero int, got "
                         f"{divisor_override!r}")


# ============================================================================
# Naming errors
# ============================================================================
_NAMED = (ValueError, TypeError, IndexError)


class named_errors:
    """Context manager: a ValueError, TypeError or IndexError raised in its block is raised
    again, same type, with ``name()`` in front of the message. This is the one place a
    layer adds its name to the errors of the op it calls.

    Args:
        name (callable): returns the name (e.g. a layer's ``__repr__``); called only when
            an error passes, so a block that succeeds costs no formatting.
        explain (callable, optional): called first when an error passes; a clearer error
            it raises (the layer's account in its own terms) is named and raised instead.
            Default: None.

    Example:
        >>> with named_errors(lambda: "MaxPool2d(kernel_size=3)"):
        ...     F.max_pool2d(nl.randn(1, 1, 2, 2), 3)
        Traceback (most recent call last):
        ValueError: MaxPool2d(kernel_size=3): max_pool2d: input of spatial size (2, 2) ...
    """

    __slots__ = ("name", "explain")

    def __init__(self, name: Callable[[], str],
                 explain: Callable[[], None] | None = None) -> None:
        self.name, self.explain = name, explain

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, err: Any, tb: Any) -> bool:
        if kind is None or not issubclass(kind, _NAMED):
            return False
        if self.explain is not None:
            try:
                self.explain()
            except _NAMED as clearer:
                err = clearer
        raise type(err)(f"{self.name()}: {err}") from None
