"""Argument handling shared by the elementwise op modules (rounding.py, trig.py,
explog.py, specfn.py, elementwise.py, predicates.py): checking that an argument is a
Tensor, torch's dtypes of unary float ops, binary operands promoted by torch's rules with
a shape check, and the exact-zero gradient of piecewise-constant ops."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy, get_default_dtype
from ._util import GradWhere, ShapeError, pair, unsupported


def tensor_arg(x: Any, op: str, name: str = "input") -> Tensor:
    """``x`` if it is a Tensor; else torch's TypeError naming the op and the argument."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def float_input(x: Any, op: str) -> Tensor:
    """The input of a float-valued unary op (exp2, tan, lgamma, ...): a floating Tensor
    as it is; an integer or bool one as the default float dtype, as torch."""
    x = tensor_arg(x, op)
    if x.array.dtype.kind in "fc":
        return x
    return from_numpy(x.array.astype(get_default_dtype()))


def float_only(x: Any, op: str) -> Tensor:
    """``x`` if floating; torch's ops that have no integer kernel (frac, hypot,
    logaddexp, ...) raise on other dtypes."""
    x = tensor_arg(x, op)
    if x.array.dtype.kind not in "fc":
        raise unsupported(op, x.array.dtype)
    return x


def check_broadcast(op: str, *xs: Any) -> tuple:
    """The broadcast shape of the operands (Tensors, arrays, numbers); a ShapeError naming
    ``op`` and every shape if they do not broadcast together."""
    shapes = [np.shape(x.array if isinstance(x, Tensor) else x) for x in xs]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"{op}: operands of shapes {', '.join(map(str, shapes))} cannot be "
                         f"broadcast together") from None


def float_pair(a: Any, b: Any, op: str) -> tuple:
    """Both operands of a float-valued binary op (atan2, xlogy, copysign, ...) as Tensors
    of torch's ``result_type``, integer and bool results as the default float dtype, after
    checking that their shapes broadcast."""
    a, b = pair(a, b)
    check_broadcast(op, a, b)
    if a.array.dtype.kind not in "fc":
        dt = get_default_dtype()
        a, b = from_numpy(a.array.astype(dt)), from_numpy(b.array.astype(dt))
    return a, b


class ZeroGrad(Function):
    """Base of the piecewise-constant ops (floor, ceil, round, trunc): their gradient is
    exactly 0, even where the incoming gradient is inf or nan (as torch's zeros_like)."""

    @staticmethod
    def backward(ctx, gy):
        return GradWhere.apply(gy, np.zeros(gy.shape, np.bool_))


def in_place_method(name: str, fn: Callable) -> Callable:
    """The ``_`` method ``name`` (``tan_``, ``atan2_``, ...): ``fn(self, *args, **kwargs)``
    written into ``self`` by ``inplace.write`` (torch's rules for leaves, versions and
    dtypes)."""
    from . import inplace

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return inplace.write(self, name, fn, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{fn.__name__}`` of the tensor, written into it in place."
    return method


def in_place_methods(functions: dict) -> dict:
    """``{name + "_": in_place_method(...)}`` for each ``name: fn`` of ``functions``."""
    return {f"{name}_": in_place_method(f"{name}_", fn) for name, fn in functions.items()}
