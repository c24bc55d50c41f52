"""Elementwise tests, each a bool tensor with no gradient: isinf, isposinf, isneginf,
isreal, signbit, isclose, isin; the reductions all and any; and the Tensor method forms
of the comparisons and logical ops of arithmetic.py (``t.lt(u)``, ``t.greater(u)``,
``t.isnan()``, ``t.logical_and(u)`` ...).

Dtypes are torch's: integer and bool tensors are never inf and have a sign bit only
where negative; isclose wants both tensors of one dtype; isin promotes its operands
by torch's rules before comparing.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, from_numpy, get_default_dtype
from . import arithmetic
from ._elementwise import check_broadcast, in_place_methods, tensor_arg
from ._util import result_type


def _bool(a: Any) -> Tensor:
    return from_numpy(np.asarray(a, np.bool_))


def isinf(input: Tensor) -> Tensor:
    """Where each element is +inf or -inf (``torch.isinf``).

    Args:
        input (Tensor): any tensor (integers and bools are never inf).

    Shape: a bool tensor of the input's shape.

    Example:
        >>> nl.isinf(nl.tensor([1.0, float("inf"), -float("inf"), float("nan")]))
        tensor([False,  True,  True, False])
    """
    return _bool(np.isinf(tensor_arg(input, "isinf").array))


def isposinf(input: Tensor) -> Tensor:
    """Where each element is +inf (``torch.isposinf``).

    Args:
        input (Tensor): any tensor.

    Shape: a bool tensor of the input's shape.

    Example:
        >>> nl.isposinf(nl.tensor([1.0, float("inf"), -float("inf")]))
        tensor([False,  True, False])
    """
    a = tensor_arg(input, "isposinf").array
    return _bool(np.isinf(a) & (a > 0))


def isneginf(input: Tensor) -> Tensor:
    """Where each element is -inf (``torch.isneginf``).

    Args:
        input (Tensor): any tensor.

    Shape: a bool tensor of the input's shape.

    Example:
        >>> nl.isneginf(nl.tensor([1.0, float("inf"), -float("inf")]))
        tensor([False, False,  True])
    """
    a = tensor_arg(input, "isneginf").array
    return _bool(np.isinf(a) & (a < 0))


def isreal(input: Tensor) -> Tensor:
    """Where each element is real (``torch.isreal``): everywhere, nan included, for the
    real dtypes nnlite has.

    Args:
        input (Tensor): any tensor.

    Shape: a bool tensor of the input's shape.

    Example:
        >>> nl.isreal(nl.tensor([1.0, float("nan")]))
        tensor([True, True])
    """
    a = tensor_arg(input, "isreal").array
    return _bool(np.isreal(a) if a.dtype.kind == "c" else np.ones(a.shape, np.bool_))


def signbit(input: Tensor) -> Tensor:
    """Where the sign bit of each element is set: negative numbers, -0.0 and nans with
    the bit (``torch.signbit``).

    Args:
        input (Tensor): any tensor (a bool tensor has no sign bit).

    Shape: a bool tensor of the input's shape.

    Example:
        >>> nl.signbit(nl.tensor([-1.0, -0.0, 0.0, 2.0]))
        tensor([ True,  True, False, False])
    """
    a = tensor_arg(input, "signbit").array
    if a.dtype.kind == "f":
        return _bool(np.signbit(a))
    return _bool(a < 0 if a.dtype.kind in "iu" else np.zeros(a.shape, np.bool_))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Where ``|input - other| <= atol + rtol * |other|`` elementwise (``torch.isclose``);
    equal infinities are close, nan is close to nan only with ``equal_nan``.

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second, of the same dtype; the two broadcast together.
        rtol (float): the relative tolerance, >= 0. Default: 1e-05.
        atol (float): the absolute tolerance, >= 0. Default: 1e-08.
        equal_nan (bool): whether two nans are close. Default: False.

    Shape: a bool tensor of the broadcast shape.

    Example:
        >>> nl.isclose(nl.tensor([1.0, 1.1]), nl.tensor([1.0, 1.0]))
        tensor([ True, False])
    """
    x = tensor_arg(input, "isclose")
    y = tensor_arg(other, "isclose", "other")
    a, b = x.array, y.array
    if a.dtype != b.dtype:
        raise RuntimeError(f"isclose: {a.dtype} did not match {b.dtype} (input and other "
                           f"must have the same dtype)")
    if rtol < 0:
        raise RuntimeError(f"isclose: rtol must be greater than or equal to zero, but got "
                           f"{rtol}")
    if atol < 0:
        raise RuntimeError(f"isclose: atol must be greater than or equal to zero, but got "
                           f"{atol}")
    check_broadcast("isclose", x, y)
    close = a == b
    if a.dtype.kind == "b":
        a, b = a.astype(get_default_dtype()), b.astype(get_default_dtype())
    with np.errstate(invalid="ignore", over="ignore"):
        if equal_nan and a.dtype.kind in "fc":
            close = close | (np.isnan(a) & np.isnan(b))
        fdt = a.dtype if a.dtype.kind in "fc" else get_default_dtype()
        allowed = np.abs(b.astype(fdt) * fdt.type(rtol)) + fdt.type(atol)
        actual = np.abs(a - b) if a.dtype.kind in "fc" else np.abs(a.astype(np.float64)
                                                                     - b)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return _bool(close)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Where each of ``elements`` is one of ``test_elements`` (``torch.isin``).

    Args:
        elements (Tensor or number): the values tested.
        test_elements (Tensor or number): the values looked for; at least one of the two
            is a Tensor; both promote by torch's rules before comparing (bools raise, as
            torch).
        assume_unique (bool): both hold unique values (a hint; the result is the same).
            Default: False.
        invert (bool): give where each is NOT among them. Default: False.

    Shape: a bool tensor of the shape of ``elements``.

    Example:
        >>> nl.isin(nl.tensor([1, 2, 3, 4]), nl.tensor([2, 4]))
        tensor([False,  True, False,  True])
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin(): expected a Tensor among the arguments, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    for v in (elements, test_elements):
        if isinstance(v, Tensor) and v.array.dtype.kind == "b" or isinstance(v, bool):
            raise RuntimeError("isin: unsupported input type encountered for isin(): Bool")
    dt = result_type(elements, test_elements)
    e = (elements.array if isinstance(elements, Tensor) else np.asarray(elements)).astype(dt)
    t = (test_elements.array if isinstance(test_elements, Tensor)
         else np.asarray(test_elements)).astype(dt)
    return _bool(np.isin(e, t, assume_unique=assume_unique, invert=invert))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element (along ``dim``) is nonzero (``torch.all``; the method
    ``Tensor.all``).

    Args:
        input (Tensor): any tensor.
        dim (int or tuple of ints, optional): the dims to reduce. Default: all.
        keepdim (bool): keep the reduced dims as size 1. Default: False.

    Shape: a bool tensor of the input's shape without ``dim`` (with it as 1 if keepdim).

    Example:
        >>> nl.all(nl.tensor([[True, False], [True, True]]), dim=1)
        tensor([False,  True])
    """
    return tensor_arg(input, "all").all(dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether any element (along ``dim``) is nonzero (``torch.any``; the method
    ``Tensor.any``).

    Args:
        input (Tensor): any tensor.
        dim (int or tuple of ints, optional): the dims to reduce. Default: all.
        keepdim (bool): keep the reduced dims as size 1. Default: False.

    Shape: a bool tensor of the input's shape without ``dim`` (with it as 1 if keepdim).

    Example:
        >>> nl.any(nl.tensor([[True, False], [False, False]]), dim=1)
        tensor([ True, False])
    """
    return tensor_arg(input, "any").any(dim, keepdim)


# ---- Tensor methods -------------------------------------------------------------------
_COMPARISONS = {"ne": arithmetic.ne, "lt": arithmetic.lt, "le": arithmetic.le,
                "gt": arithmetic.gt, "ge": arithmetic.ge,
                "not_equal": arithmetic.ne, "greater": arithmetic.gt,
                "greater_equal": arithmetic.ge, "less": arithmetic.lt,
                "less_equal": arithmetic.le}
_LOGICAL = {"logical_and": arithmetic.logical_and, "logical_or": arithmetic.logical_or,
            "logical_xor": arithmetic.logical_xor}

TENSOR_METHODS: dict[str, Any] = {
    "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf, "isreal": isreal,
    "signbit": signbit, "isclose": isclose, "isin": isin,
    "isnan": arithmetic.isnan, "isfinite": arithmetic.isfinite,
    "logical_not": arithmetic.logical_not, "bitwise_not": arithmetic.bitwise_not,
    "bitwise_and": arithmetic.bitwise_and, "bitwise_or": arithmetic.bitwise_or,
    "bitwise_xor": arithmetic.bitwise_xor,
    **_COMPARISONS, **_LOGICAL,
}
# the in-place comparisons write 0/1 into the tensor's own dtype (t.lt_(u), as torch)
TENSOR_METHODS.update(in_place_methods({**_COMPARISONS, "eq": arithmetic.eq}))
