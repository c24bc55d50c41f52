"""In-place operations: the ``_`` methods and ``+=``, ``-=``, ``*=``, ``/=`` (torch's rules).

Each writes its result into the tensor's own array, so every holder of that memory (a
module's parameter, a view, an optimizer) sees the change, and counts the write
(``autograd/versions.py``), so backward raises if it needed the old values.

The rules, as in torch:

- a leaf that requires grad can be written in place only under ``no_grad`` (what an
  optimizer step does); with grad mode on it is an error;
- under ``no_grad``, or when neither the tensor nor an argument requires grad, the write
  records nothing (the arithmetic ones run as one NumPy ufunc with ``out=``);
- otherwise the write is recorded: the op runs out of place on a copy of the old values,
  the result is copied into the tensor, and the tensor's history becomes that op's, so
  ``y = x * 2; y.add_(1); y.sum().backward()`` works. A write through a view (``y[1:]``,
  ``y.t()``, ``y.view(...)``) rewrites the history of the view's base as torch's
  CopySlices does, and the base's other views follow it (``autograd/views.py``). One
  difference from torch: since each recorded write computes on a copy, the ops before it
  keep what they saved, so chains torch refuses at backward (``y.relu_().pow_(2)``: relu
  saved the output pow_ overwrote) work and give the right gradient.
- the result must keep the tensor's shape (no broadcasting of the tensor itself) and be
  castable to its dtype within its kind (an int tensor cannot take a float result).

The functions take the tensor first and are bound as Tensor methods at the end of
``tensor.py``; ``METHODS`` lists them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import random as _random
from ..autograd import grad_mode as _mode
from ..autograd import versions as _versions
from ..autograd import views as _views
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor, from_numpy
from . import arithmetic, indexing, pointwise, shape

METHODS = ("add_", "sub_", "mul_", "div_", "pow_", "neg_", "abs_", "exp_", "log_", "sqrt_",
           "sigmoid_", "tanh_", "relu_", "clamp_", "clamp_min_", "clamp_max_", "clip_",
           "masked_fill_", "index_fill_", "scatter_", "scatter_add_", "zero_", "fill_",
           "copy_", "uniform_", "normal_", "bernoulli_", "exponential_", "random_",
           "squeeze_", "unsqueeze_", "t_", "transpose_", "resize_", "__setitem__",
           "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__")


def _requires_grad(args: tuple) -> bool:
    return any(isinstance(a, Tensor) and a._node is not None for a in args)


def check_leaf(t: Tensor, name: str) -> None:
    """torch's refusals of an in-place write: to a leaf that requires grad (or a view of
    one) with grad mode on, and to an expanded tensor (several elements, one memory)."""
    if _mode._grad_enabled:
        if t._node is not None and t._node.__class__ is AccumulateGrad:
            raise RuntimeError(f"{name}: in-place operation on a leaf tensor that requires "
                               f"grad (shape {t.array.shape}): torch's 'a leaf Variable that "
                               f"requires grad is being used in an in-place operation'; do it "
                               f"under nl.no_grad(), or use an out-of-place op")
        view = _views.of(t)
        if view is not None and view[0]._node.__class__ is AccumulateGrad:
            raise RuntimeError(f"{name}: in-place operation on a view (shape "
                               f"{t.array.shape}) of a leaf tensor that requires grad (shape "
                               f"{view[0].array.shape}): torch's 'a view of a leaf Variable "
                               f"that requires grad is being used in an in-place operation'")
    strides = t.array.strides
    if 0 in strides and t.array.size > 1 and any(s == 0 and n > 1 for s, n in
                                                 zip(strides, t.array.shape)):
        raise RuntimeError(f"{name}: unsupported operation: more than one element of the "
                           f"written-to tensor (shape {t.array.shape}, expanded) refers to a "
                           f"single memory location. Please clone() the tensor before "
                           f"performing the operation")


def _store(t: Tensor, result: np.ndarray, name: str) -> None:
    """Copy ``result`` into ``t``'s array, with torch's shape and dtype rules."""
    if result.shape != t.array.shape:
        raise RuntimeError(f"{name}: output with shape {t.array.shape} doesn't match the "
                           f"broadcast shape {result.shape}")
    if not np.can_cast(result.dtype, t.array.dtype, "same_kind"):
        raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the desired "
                           f"output type {t.array.dtype}")
    np.copyto(t.array, result, casting="unsafe")


def _graph_view(t: Tensor, args: tuple) -> tuple | None:
    """``(root, steps)`` when a write to ``t`` must be recorded as a write through a view:
    grad mode is on, ``t`` is a view, and its root, ``t`` or an argument requires grad."""
    if not _mode._grad_enabled:
        return None
    view = _views.of(t)
    if view is None or (view[0]._node is None and t._node is None
                        and not _requires_grad(args)):
        return None
    return view


def write(t: Tensor, name: str, op: Callable, *args: Any, **kwargs: Any) -> Tensor:
    """Run ``op(t, *args, **kwargs)`` (an out-of-place op) and write its result into ``t``,
    recording it in the graph when grad mode is on and ``t`` (or its root, if ``t`` is a
    view) or an argument requires grad."""
    check_leaf(t, name)
    view = _graph_view(t, args)
    if view is not None:
        _write_view(t, view, name, op, args, kwargs)
    elif _mode._grad_enabled and (t._node is not None or _requires_grad(args)):
        before = from_numpy(t.array.copy())        # the old values, for the op's rule
        before._node = t._node
        args = tuple([before if a is t else a for a in args])
        out = op(before, *args, **kwargs)
        _store(t, out.array, name)
        t._node = out._node
        _views.rebase(t, t)
    else:
        with _mode.no_grad():
            out = op(from_numpy(t.array), *args, **kwargs)
        _store(t, out.array, name)
    _versions.bump(t.array)
    return t


def _write_view(t: Tensor, view: tuple, name: str, op: Callable, args: tuple,
                kwargs: dict) -> None:
    """``write`` through the view ``t`` of ``root``: the op runs on the view of a copy of
    the old root, its result goes into the root's memory, and the root's history becomes
    "the old root with the view's elements replaced by the result" (``SetItem`` at the
    view's positions), the view's history the view of that."""
    root, steps = view
    before = from_numpy(root.array.copy())
    before._node = root._node
    part = _views.replay(before, steps)             # the view's old values, in the graph
    args = tuple([part if a is t else a for a in args])
    out = op(part, *args, **kwargs)
    _store(t, out.array, name)
    after = indexing.SetItem.apply(before, out, _views.positions(view))
    root._node = after._node
    t._node = _views.replay(after, steps)._node
    _views.rebase(root, after, skip=t)


def _ufunc_(t: Tensor, name: str, ufunc: np.ufunc, op: Callable, other: Any) -> Tensor:
    """``t = ufunc(t, other)`` in place: one ufunc call with ``out=`` when nothing records."""
    check_leaf(t, name)
    if _mode._grad_enabled and (t._node is not None or _requires_grad((other,))):
        return write(t, name, op, other)
    o = other.array if isinstance(other, Tensor) else other
    if isinstance(o, (float, np.floating)) and t.array.dtype.kind in "iub":
        raise RuntimeError(f"{name}: result type float can't be cast to the desired output "
                           f"type {t.array.dtype}")
    try:
        ufunc(t.array, o, out=t.array, casting="same_kind")
    except TypeError:                       # NumPy's casting error
        raise RuntimeError(f"{name}: result type {np.result_type(t.array, o)} can't be cast "
                           f"to the desired output type {t.array.dtype}") from None
    except ValueError:
        raise RuntimeError(f"{name}: output with shape {t.array.shape} doesn't match the "
                           f"broadcast shape {np.broadcast_shapes(t.array.shape, np.shape(o))}"
                           ) from None
    _versions.bump(t.array)
    return t


def _scaled(other: Any, alpha: Any) -> Any:
    if alpha == 1:
        return other
    return other * alpha if isinstance(other, Tensor) else np.multiply(other, alpha)


# ---- arithmetic -----------------------------------------------------------------
def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``self += alpha * other`` in place."""
    return _ufunc_(self, "add_", np.add, arithmetic.add, _scaled(other, alpha))


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``self -= alpha * other`` in place."""
    return _ufunc_(self, "sub_", np.subtract, arithmetic.sub, _scaled(other, alpha))


def mul_(self: Tensor, other: Any) -> Tensor:
    return _ufunc_(self, "mul_", np.multiply, arithmetic.mul, other)


def div_(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        return write(self, "div_", arithmetic.div, other, rounding_mode=rounding_mode)
    return _ufunc_(self, "div_", np.true_divide, arithmetic.div, other)


def pow_(self: Tensor, exponent: Any) -> Tensor:
    return write(self, "pow_", arithmetic.pow, exponent)


def __iadd__(self: Tensor, other: Any) -> Tensor:
    return add_(self, other)


def __isub__(self: Tensor, other: Any) -> Tensor:
    return sub_(self, other)


def __imul__(self: Tensor, other: Any) -> Tensor:
    return mul_(self, other)


def __itruediv__(self: Tensor, other: Any) -> Tensor:
    return div_(self, other)


def __ipow__(self: Tensor, other: Any) -> Tensor:
    return pow_(self, other)


# ---- pointwise --------------------------------------------------------------------
def neg_(self: Tensor) -> Tensor:
    return write(self, "neg_", arithmetic.neg)


def abs_(self: Tensor) -> Tensor:
    return write(self, "abs_", pointwise.abs)


def exp_(self: Tensor) -> Tensor:
    return write(self, "exp_", pointwise.exp)


def log_(self: Tensor) -> Tensor:
    return write(self, "log_", pointwise.log)


def sqrt_(self: Tensor) -> Tensor:
    return write(self, "sqrt_", pointwise.sqrt)


def sigmoid_(self: Tensor) -> Tensor:
    return write(self, "sigmoid_", pointwise.sigmoid)


def tanh_(self: Tensor) -> Tensor:
    return write(self, "tanh_", pointwise.tanh)


def relu_(self: Tensor) -> Tensor:
    return write(self, "relu_", pointwise.relu)


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return write(self, "clamp_", pointwise.clamp, min, max)


def clamp_min_(self: Tensor, min: Any) -> Tensor:
    return write(self, "clamp_min_", pointwise.clamp, min, None)


def clamp_max_(self: Tensor, max: Any) -> Tensor:
    return write(self, "clamp_max_", pointwise.clamp, None, max)


clip_ = clamp_


# ---- indexing ---------------------------------------------------------------------
def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
    return write(self, "masked_fill_", indexing.masked_fill, mask, value)


def index_fill_(self: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    return write(self, "index_fill_", indexing.index_fill, dim, index, value)


def scatter_(self: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    return write(self, "scatter_", indexing.scatter, dim, index, src, value=value,
                 reduce=reduce)


def scatter_add_(self: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    return write(self, "scatter_add_", indexing.scatter_add, dim, index, src)


def __setitem__(self: Tensor, index: Any, value: Any) -> None:
    """``self[index] = value``: recorded (a gradient flows to ``value`` and to the rest of
    ``self``) when grad mode is on and either requires grad."""
    write(self, "__setitem__", indexing.setitem, index, value)


# ---- fills --------------------------------------------------------------------------
def _fill(t: Tensor, name: str, values: Any) -> Tensor:
    """Write ``values`` (broadcast to t's shape) into ``t``: not recorded (the new values
    do not depend on the old ones, so the tensor becomes a constant), except through a
    view of a tensor in the graph, whose history then records the constant part."""
    check_leaf(t, name)
    view = _graph_view(t, ())
    if view is not None:
        const = from_numpy(np.array(np.broadcast_to(values, t.array.shape), t.array.dtype))
        _write_view(t, view, name, lambda _: const, (), {})
    else:
        t.array[...] = values
        if t._node is not None and t._node.__class__ is not AccumulateGrad:
            t._node = None
            _views.rebase(t, t)
    _versions.bump(t.array)
    return t


def zero_(self: Tensor) -> Tensor:
    return _fill(self, "zero_", 0)


def _broadcast_from(t: Tensor, src: Tensor) -> Tensor:
    """``src`` in ``t``'s dtype and shape (what ``fill_``/``copy_`` write, as an op)."""
    return shape.broadcast_to(arithmetic.astype(src, t.array.dtype), t.array.shape)


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.array.ndim != 0:
            raise RuntimeError(f"fill_: only supports 0-dimension value tensor but got tensor "
                               f"with {value.array.ndim} dimensions")
        if _mode._grad_enabled and value._node is not None:
            return write(self, "fill_", _broadcast_from, value)
        value = value.array
    return _fill(self, "fill_", value)


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src``'s values (broadcast to self's shape, cast to its dtype) into self;
    recorded when ``src`` requires grad (the gradient flows to src)."""
    if _mode._grad_enabled and isinstance(src, Tensor) and src._node is not None:
        return write(self, "copy_", _broadcast_from, src)
    a = src.array if isinstance(src, Tensor) else np.asarray(src)
    try:
        b = np.broadcast_to(a, self.array.shape)
    except ValueError:
        raise RuntimeError(f"copy_: source of shape {a.shape} cannot be broadcast to shape "
                           f"{self.array.shape}") from None
    return _fill(self, "copy_", b)


# ---- random fills -----------------------------------------------------------------
def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    g = generator or _random.default_generator()
    return _fill(self, "uniform_", g.uniform(a, b, self.array.shape))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Any = None) -> Tensor:
    g = generator or _random.default_generator()
    return _fill(self, "normal_", g.normal(mean, std, self.array.shape))


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    g = generator or _random.default_generator()
    prob = p.array if isinstance(p, Tensor) else p
    return _fill(self, "bernoulli_", g.random(self.array.shape) < prob)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    g = generator or _random.default_generator()
    return _fill(self, "exponential_", g.exponential(1.0 / lambd, self.array.shape))


def random_(self: Tensor, from_: int = 0, to: int | None = None, *,
            generator: Any = None) -> Tensor:
    """Fill with integers drawn uniformly from ``[from_, to - 1]``; without ``to``, from
    ``[from_, 2**digits]`` for a floating dtype (digits of its mantissa, so every value is
    exact) and up to the dtype's maximum for an integer one, as torch's. (torch's
    ``random_(to)`` with one argument is ``random_(0, to)``, and so is this.)"""
    if to is None and from_ != 0:
        from_, to = 0, from_
    dt = self.array.dtype
    if to is None:
        to = (2 ** (np.finfo(dt).nmant + 1) + 1 if dt.kind == "f" else
              2 if dt.kind == "b" else int(np.iinfo(dt).max) + 1)
    if to <= from_:
        raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got "
                           f"from={from_} >= to={to}")
    g = generator or _random.default_generator()
    return _fill(self, "random_", g.integers(from_, to, self.array.shape, dtype=np.int64,
                                            endpoint=False) if to <= 2 ** 63 else
                 g.integers(from_, to, self.array.shape, dtype=np.uint64))


# ---- in-place changes of shape ------------------------------------------------------
def _reshape_(t: Tensor, name: str, op: Callable, *args: Any) -> Tensor:
    """Give ``t`` the shape of ``op(t, *args)`` (a view op): its array becomes that view
    of the same memory and, when recorded, its history that op's."""
    check_leaf(t, name)
    out = op(t, *args)
    t.array, t._node = out.array, (out._node if _mode._grad_enabled else t._node)
    _versions.bump(t.array)
    return t


def squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    """``squeeze`` in place: the same tensor, without dims of size 1 (only ``dim``)."""
    return _reshape_(self, "squeeze_", shape.squeeze, dim)


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    """``unsqueeze`` in place: a dim of size 1 inserted at ``dim``."""
    return _reshape_(self, "unsqueeze_", shape.unsqueeze, dim)


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """``transpose`` in place: dims ``dim0`` and ``dim1`` swapped (a strided view)."""
    return _reshape_(self, "transpose_", shape.transpose, dim0, dim1)


def t_(self: Tensor) -> Tensor:
    """``t`` in place: a matrix transposed (a 0-d or 1-d tensor unchanged)."""
    if self.array.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{self.array.ndim}D (shape {self.array.shape})")
    return self if self.array.ndim < 2 else transpose_(self, 0, 1)


def resize_(self: Tensor, *sizes: Any) -> Tensor:
    """Give the tensor ``sizes``: the values it had stay, in order, as its first elements;
    the rest are uninitialised (torch's rule). A tensor that requires grad cannot be
    resized, as in torch."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in sizes):
        raise RuntimeError(f"resize_: sizes must be non-negative ints, got {sizes}")
    if self._node is not None:
        raise RuntimeError(f"resize_: cannot resize variables that require grad (shape "
                           f"{self.array.shape})")
    shape = tuple(int(n) for n in sizes)
    if shape == self.array.shape:
        return self
    n = int(np.prod(shape))
    if n == self.array.size and self.array.flags.c_contiguous:
        self.array = self.array.reshape(shape)
    else:
        new = np.empty(shape, self.array.dtype)
        k = min(n, self.array.size)
        new.reshape(-1)[:k] = self.array.reshape(-1)[:k]
        self.array = new
    _versions.bump(self.array)
    return self
