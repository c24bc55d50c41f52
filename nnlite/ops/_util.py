"""Small helpers shared by the op modules: torch's dtype promotion (``result_type``,
``promote_types``, ``can_cast``; ``pair`` and ``cast`` apply it to an op's operands),
the dtype error (``UnsupportedDtypeError``), wrapping constants, reading dim/axis, and
masking gradients by selection (``keep_where`` on arrays, ``GradWhere`` as an op)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy, get_default_dtype, to_array
from . import buffers as _buf


def const(value: Any, like: Tensor | None = None) -> Tensor:
    """An operand that is not a Tensor as a constant Tensor (``to_array``'s rules: a
    number takes the floating dtype of the other operand ``like``)."""
    if isinstance(value, Tensor):
        return value
    return from_numpy(to_array(value, like=None if like is None else like.array.dtype))


# ============================================================================
# Dtype promotion: torch's rules (c10 promoteTypes + at::result_type), not NumPy's
# ============================================================================
_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                "int32": "Int", "int64": "Long", "float16": "Half", "float32": "Float",
                "float64": "Double", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble", "uint16": "UInt16", "uint32": "UInt32",
                "uint64": "UInt64"}
_BAREBONES_UNSIGNED = (np.dtype(np.uint16), np.dtype(np.uint32), np.dtype(np.uint64))
_BOOL = np.dtype(np.bool_)
_INT64 = np.dtype(np.int64)


class UnsupportedDtypeError(NotImplementedError, TypeError):
    """An op given a dtype it does not compute in (softmax of integers, relu of bools...).

    torch raises ``NotImplementedError`` ('"softmax_lastdim_kernel_impl" not implemented
    for 'Long'') or ``RuntimeError`` there; this error is both of those (NotImplementedError
    is a RuntimeError) and a ``TypeError``, so code written for either library catches it.
    The message names the op and the dtype."""


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes do not fit (broadcasting, matrix products, index shapes):
    nnlite's ValueError, whose message names the op and the shapes; torch raises a
    RuntimeError there; this error is both."""


class IndexRangeError(IndexError, RuntimeError):
    """An index out of range in gather / scatter / index_select: nnlite's IndexError,
    torch's RuntimeError; this error is both."""


def unsupported(op: str, dtype: Any, hint: str = "") -> UnsupportedDtypeError:
    """The error for ``op`` given a tensor of ``dtype`` (``hint`` says what to do)."""
    d = np.dtype(dtype)
    return UnsupportedDtypeError(f"{op}: not implemented for dtype {d} ('{torch_name(d)}')"
                                 + (f"; {hint}" if hint else ""))


def torch_name(dtype: Any) -> str:
    """torch's name of a dtype in its messages ('Float', 'Long', ...)."""
    d = np.dtype(dtype)
    return _TORCH_NAMES.get(d.name, d.name)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The smallest dtype both ``type1`` and ``type2`` cast to, by torch's table
    (``nl.promote_types``, as ``torch.promote_types``).

    As NumPy's within a category (bool < integer < floating < complex), but a mix of
    categories gives the higher one's dtype: int64 with float16 is float16 (NumPy:
    float64), int32 with float32 is float32, int with complex64 is complex64; a float
    with a complex keeps the wider of the two widths (float64 with complex64 is
    complex128). uint16/32/64 promote only with themselves and floating dtypes (as torch).

    Example:
        >>> nl.promote_types(nl.int64, nl.float16), nl.promote_types(nl.uint8, nl.int8)
        (dtype('float16'), dtype('int16'))
    """
    a, b = np.dtype(type1), np.dtype(type2)
    if a == b:
        return a
    if a in _BAREBONES_UNSIGNED or b in _BAREBONES_UNSIGNED:
        if a.kind == "f":
            return a
        if b.kind == "f":
            return b
        raise UnsupportedDtypeError(f"promote_types: promotion for uint16, uint32, uint64 "
                                    f"types is not supported, attempted to promote "
                                    f"{torch_name(a)} and {torch_name(b)}")
    ka, kb = _category(a), _category(b)
    if ka == kb or {ka, kb} == {2, 3}:          # same category, or float with complex
        return np.promote_types(a, b)
    return a if ka > kb else b


def _category(d: np.dtype) -> int:
    """bool 0 < integer 1 < floating 2 < complex 3."""
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}.get(d.kind, 2)


def _complex_of(d: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if d == np.float64 else np.complex64)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """torch's combine_categories: ``higher`` (dimensioned tensors) wins unless ``lower``
    (zero-dim tensors, then Python numbers) is of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.kind == "c":
        return higher
    if lower.kind == "c":
        return _complex_of(higher) if higher.kind == "f" else lower
    if higher.kind == "f":
        return higher
    if higher == _BOOL or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def _number_dtype(x: Any) -> np.dtype | None:
    """The dtype of a Python (or NumPy) number as torch wraps it, None if not a number:
    bool, int64, the default float dtype, the default complex dtype."""
    if isinstance(x, (bool, np.bool_)):
        return _BOOL
    if isinstance(x, (int, np.integer)):
        return _INT64
    if isinstance(x, (float, np.floating)):
        return get_default_dtype()
    if isinstance(x, (complex, np.complexfloating)):
        return _complex_of(get_default_dtype())
    return None


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an elementwise op on ``operands`` by torch's rules (``nl.result_type``,
    as ``torch.result_type``; any number of operands).

    Operands are Tensors (or arrays) and numbers. Tensors with dimensions decide first;
    zero-dim tensors count only if of a higher category (bool < integer < floating <
    complex) than every dimensioned one; Python numbers come last, and a number of a
    higher category gives that category's default dtype: an int32 tensor times 2 is int32,
    an int tensor times 2.5 is the default float dtype (float32), a float32 tensor times a
    float64 zero-dim tensor is float32, a float32 tensor times an int64 tensor is float32.

    Example:
        >>> nl.result_type(nl.ones(3, dtype=nl.int32), 2.5)
        dtype('float32')
    """
    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, Tensor):
            x = x.array
        if isinstance(x, np.ndarray):
            if x.ndim:
                dim = x.dtype if dim is None else promote_types(dim, x.dtype)
            else:
                zero = x.dtype if zero is None else promote_types(zero, x.dtype)
            continue
        d = _number_dtype(x)
        if d is None:
            if isinstance(x, np.dtype) or isinstance(x, type):
                raise TypeError("result_type: expected Tensors or numbers; for two dtypes "
                                "use promote_types")
            d = to_array(x).dtype                        # a list: as the tensor it makes
            dim = d if dim is None else promote_types(dim, d)
            continue
        wrapped = d if wrapped is None else promote_types(wrapped, d)
    out = _combine(dim, _combine(zero, wrapped))
    if out is None:
        raise TypeError("result_type: expected at least one Tensor or number")
    return out


def can_cast(from_: Any, to: Any) -> bool:
    """Whether torch's in-place ops allow writing a ``from_`` result into a ``to`` tensor
    (``nl.can_cast``, as ``torch.can_cast``): not complex into non-complex, not floating
    into integer or bool, not a non-bool into bool; everything else (narrowing included)
    is allowed."""
    f, t = np.dtype(from_), np.dtype(to)
    if f.kind == "c" and t.kind != "c":
        return False
    if f.kind == "f" and t.kind in "iub":
        return False
    return not (f != _BOOL and t == _BOOL)


class Astype(Function):
    """y = x cast to another dtype;  gx = gy cast back (between floating dtypes)"""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, gy):
        return gy.astype(ctx.src)


def cast(x: Any, dtype: np.dtype) -> Tensor:
    """``x`` (a Tensor, array or number) as a Tensor of ``dtype``: a Tensor in the graph is
    cast by the differentiable ``Astype`` between floating dtypes; a number wraps round
    into a narrower integer dtype as in torch (an int8 tensor + 1000 adds -24)."""
    if isinstance(x, Tensor):
        if x.array.dtype == dtype:
            return x
        if x._node is not None and dtype.kind in "fc" and x.array.dtype.kind in "fc":
            return Astype.apply(x, dtype)
        return from_numpy(x.array.astype(dtype))
    if isinstance(x, int) and not isinstance(x, bool) and not -2**63 <= x < 2**64:
        raise OverflowError(f"int too big to convert: {x} does not fit in 64 bits")
    a = x if isinstance(x, np.ndarray) else np.asarray(x)
    if a.dtype == dtype:
        return from_numpy(a)
    if a.dtype.kind in "OUS":
        raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")
    with np.errstate(over="ignore", invalid="ignore"):
        return from_numpy(a.astype(dtype))


_HALF, _FLOAT = np.dtype(np.float16), np.dtype(np.float32)


def via_float32(apply: Any, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``apply(x, *args)`` for a float16 ``x`` computed as torch does on the CPU: in
    float32, rounded once to float16 at the end (several float16 steps would round at
    each: float16 gelu or std were off by far more than an ulp). Both casts are
    differentiable, so the backward also runs in float32."""
    return cast(apply(cast(x, _FLOAT), *args, **kwargs), _HALF)


def pair(a: Any, b: Any) -> tuple:
    """Both operands of a binary op as Tensors of one dtype, torch's ``result_type(a, b)``
    (a Python number never widens a tensor; float32 with int64 is float32)."""
    if a.__class__ is Tensor:                               # the hot paths
        if b.__class__ is Tensor:
            da, db = a.array.dtype, b.array.dtype
            if da is db or da == db:
                return a, b
        elif b.__class__ is float or b.__class__ is int:
            number = _number_like(b, a.array.dtype)
            if number is not None:
                return a, number
    elif b.__class__ is Tensor and (a.__class__ is float or a.__class__ is int):
        number = _number_like(a, b.array.dtype)
        if number is not None:
            return number, b
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = const(a)                                        # two numbers: a is a tensor
    dt = result_type(a, b)
    return cast(a, dt), cast(b, dt)


def _number_like(x: Any, dtype: np.dtype) -> Tensor | None:
    """A Python float or int as a 0-d tensor of a tensor's ``dtype`` when that is the
    result dtype (a floating tensor; an int with an integer tensor, in range); None
    otherwise (the general path decides)."""
    if dtype.kind == "f" or (dtype.kind in "iu" and x.__class__ is int):
        try:
            return from_numpy(np.array(x, dtype))
        except OverflowError:                   # an int out of the tensor's range wraps
            return None
    return None


def axes(dim: Any, axis: Any, keepdim: bool, keepdims: Any, ndim: int, op: str) -> tuple:
    """Resolve torch (dim/keepdim) and NumPy (axis/keepdims) spellings of a reduction's
    axes into (axis tuple or None, keepdims bool), checking the range."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} "
                             f"dimension(s)")
        out.append(int(d) % max(ndim, 1))
    if ndim == 0:
        return None, bool(keepdim)
    return tuple(out), bool(keepdim)


def norm_dim(dim: int, ndim: int, op: str) -> int:
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dimension(s)")
    return int(dim) % max(ndim, 1)


def like_inputs(y: Any, *xs: np.ndarray) -> Any:
    """``y`` in the inputs' promoted dtype when the two differ only in width (float64 vs
    float32, ...); ``y`` itself otherwise (the usual case: one dtype comparison).

    For forward kernels that mix their inputs with Python numbers (``1 / (1 + e)``,
    ``np.maximum(x, 0)``): NumPy 2 (NEP 50) keeps the inputs' dtype there, but NumPy 1.x
    promotes when every operand is 0-d, so 0-d float32 inputs would give float64
    (``np.array(2, np.float32) * 0.5`` is float64 under NumPy 1.26).
    """
    if y.dtype == xs[0].dtype:
        return y
    dt = np.result_type(*xs)
    if y.dtype != dt and y.dtype.kind == dt.kind:
        return y.astype(dt)
    return y


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def keep_where(g: np.ndarray, mask: np.ndarray, keep: bool = True,
               scratch: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """``np.where(mask, g, 0)`` (with ``keep=False``: ``np.where(mask, 0, g)``) for a
    floating ``g`` and a boolean ``mask`` of g's shape.

    The mask becomes all-ones or all-zeros bytes and is ANDed with g's bits, so a
    dropped element is exactly 0 even where g is inf or nan (as ``np.where``, unlike
    ``g * mask``, which turns nan * 0 into nan), at ~15x the speed of ``np.where`` on
    random masks (no branches). ``mask`` is left as it is, unless ``scratch`` says it is
    a temporary the caller is done with: its bytes are then reused. ``out`` (g's shape and
    dtype) receives the result instead of a new array.
    """
    if (not isinstance(mask, np.ndarray) or g.dtype.kind != "f" or g.shape != mask.shape
            or g.itemsize not in _SAME_SIZE_INT):
        zero = g.dtype.type(0)
        res = np.where(mask, g, zero) if keep else np.where(mask, zero, g)
        if out is None:
            return res
        out[...] = res
        return out
    m8 = mask.view(np.int8)
    into = m8 if scratch and mask.flags.writeable else None
    if keep:
        ones = np.negative(m8, out=into)            # True -> 0xff, False -> 0x00
    else:
        ones = np.subtract(m8, 1, out=into)         # True -> 0x00, False -> 0xff
    it = _SAME_SIZE_INT[g.itemsize]
    if out is None:
        out = _buf.empty(g.shape, g.dtype)
    np.bitwise_and(g.view(it), ones, out=out.view(it))
    return out


class GradWhere(Function):
    """y = g where mask, else exactly 0 (``keep=False``: where not mask), even where g is
    inf or nan (``keep_where``); linear in g, so gg = the same selection of ggy.

    The select every backward rule that masks a gradient uses (relu aside, which has
    ``ThresholdBackward``): a rule that multiplied by a 0/1 mask would let a nan or inf
    in the incoming gradient leak into the entries it drops (nan * 0 = nan), where torch
    gives 0. ``mask`` is a constant bool array (or Tensor) of g's shape.
    """

    @staticmethod
    def forward(ctx, g, mask, keep=True):
        ctx.save_for_backward(mask)
        ctx.keep = keep
        return keep_where(g, mask, keep)

    @staticmethod
    def backward(ctx, ggy):
        (mask,) = ctx.saved_tensors
        return GradWhere.apply(ggy, mask, ctx.keep), None, None
