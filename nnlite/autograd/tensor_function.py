"""``nl.autograd.Function``: torch's custom-function face, with Tensors in and out.

A program ported from torch defines its own ops as torch does::

    class MyReLU(nl.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    y = MyReLU.apply(x)

``forward`` and ``backward`` receive Tensors (detached, sharing the inputs' memory; a
non-Tensor argument, NumPy arrays included, arrives unchanged) and return Tensors, as in
torch; ``forward`` runs under ``no_grad``. ``ctx`` offers ``save_for_backward``,
``saved_tensors``, ``needs_input_grad``, ``mark_non_differentiable``, ``mark_dirty`` (accepted:
nnlite needs no notice of a forward that writes its input) and ``set_materialize_grads``
(by default a ``None`` gradient of an output reaches backward as zeros, as in torch). The
torch 2 style with ``forward(*args)`` and a separate ``setup_context(ctx, inputs, output)``
works too. Under ``backward(create_graph=True)`` the rule runs on Tensors in the graph,
so a backward written with Tensor ops can be differentiated again.

nnlite's own ops subclass the array-level base, ``nnlite.autograd.function.Function``
(``forward`` and ``backward`` on NumPy arrays, no wrapping): this class is that base with
a Tensor wrapper around the two static methods.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, from_numpy
from . import grad_mode as _mode
from .function import Function as _ArrayFunction


class _Plain:
    """A NumPy array given as a plain (non-Tensor) argument: passed through unwrapped."""

    __slots__ = ("value",)

    def __init__(self, value: np.ndarray) -> None:
        self.value = value


def _as_arrays(out: Any) -> Any:
    """A forward's result for the array level: Tensors become their arrays."""
    if isinstance(out, tuple):
        return tuple([o.array if isinstance(o, Tensor) else o for o in out])
    return out.array if isinstance(out, Tensor) else out


def _as_gradients(gxs: Any) -> Any:
    """A backward's result for the engine: a Tensor outside the graph becomes its array;
    one in the graph (``create_graph=True``) stays a Tensor."""
    def one(g: Any) -> Any:
        return g.array if isinstance(g, Tensor) and g._node is None else g
    return tuple([one(g) for g in gxs]) if isinstance(gxs, tuple) else one(gxs)


def _tensor_forward(fwd: Callable, setup: Callable | None) -> Callable:
    def forward(ctx: Any, *args: Any) -> Any:
        targs = tuple([a.value if isinstance(a, _Plain)
                       else from_numpy(a) if isinstance(a, np.ndarray) else a for a in args])
        with _mode.no_grad():
            out = fwd(*targs) if setup is not None else fwd(ctx, *targs)
            if setup is not None:
                setup(ctx, targs, out)
        outs = out if isinstance(out, tuple) else (out,)
        ctx._out_meta = tuple([(o.array.shape, o.array.dtype) if isinstance(o, Tensor)
                               else None for o in outs])
        ctx._in_meta = tuple([(a.array.shape, a.array.dtype) if isinstance(a, Tensor)
                              else None for a in targs])
        return _as_arrays(out)
    return forward


def _tensor_backward(bwd: Callable) -> Callable:
    def backward(ctx: Any, *grads: Any) -> Any:
        tgrads = []
        for g, meta in zip(grads, ctx._out_meta):
            if g is None and meta is not None and ctx._materialize:
                g = np.zeros(*meta)
            tgrads.append(from_numpy(g) if isinstance(g, np.ndarray) else g)
        return _as_gradients(_checked(ctx, bwd(ctx, *tgrads)))
    return backward


def _checked(ctx: Any, gxs: Any) -> tuple:
    """A backward's gradients checked as torch checks them: one per ``forward`` argument
    (extra ones must be None), each a Tensor (or None) of its argument's shape or of a shape
    that argument broadcasts to (then summed back to it, as torch does), in its dtype."""
    gxs = gxs if isinstance(gxs, tuple) else (gxs,)
    name = ctx.name()
    n = len(ctx._in_meta)
    if len(gxs) < n or any(g is not None for g in gxs[n:]):
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {n}, got {len(gxs)})")
    out = []
    for i, (g, meta) in enumerate(zip(gxs, ctx._in_meta)):
        if g is None or meta is None:
            out.append(None)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"function {name} returned a gradient of type {type(g).__name__} "
                            f"at index {i}: expected a Tensor or None")
        shape, dtype = meta
        if g.shape != shape:
            try:
                ok = np.broadcast_shapes(shape, g.shape) == g.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(f"Function {name} returned an invalid gradient at index "
                                   f"{i} - got {list(g.shape)} but expected shape compatible "
                                   f"with {list(shape)}")
            lead = g.ndim - len(shape)
            axes = tuple(range(lead)) + tuple(k + lead for k, m in enumerate(shape)
                                              if m == 1 and g.shape[k + lead] != 1)
            g = g.sum(axis=axes, keepdims=True).reshape(shape)
        if g.dtype != dtype and dtype.kind in "fc":
            g = g.to(dtype)
        out.append(g)
    return tuple(out)


def _function_of(method: Any) -> Callable:
    return method.__func__ if isinstance(method, staticmethod) else method


class Function(_ArrayFunction):
    """Base class for custom autograd functions written as in torch (Tensors in and out);
    the module docstring states the protocol with an example."""

    _materialize = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        setup = cls.__dict__.get("setup_context")
        fwd = cls.__dict__.get("forward")
        if fwd is not None:
            cls.forward = staticmethod(_tensor_forward(
                _function_of(fwd), None if setup is None else _function_of(setup)))
        bwd = cls.__dict__.get("backward")
        if bwd is not None:
            cls.backward = staticmethod(_tensor_backward(_function_of(bwd)))

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the function on ``args``: Tensors are recorded, other arguments (NumPy
        arrays too) reach ``forward`` unchanged."""
        return super().apply(*[_Plain(a) if isinstance(a, np.ndarray) else a for a in args])

    # ---- ctx, with Tensors --------------------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep these Tensors (or None) for ``backward`` (``ctx.saved_tensors``)."""
        self.saved = tuple([t.array if isinstance(t, Tensor) else t for t in tensors])

    @property
    def saved_tensors(self) -> tuple:
        return tuple([from_numpy(s) if isinstance(s, np.ndarray) else s for s in self.saved])

    def mark_non_differentiable(self, *outputs: Any) -> None:
        super().mark_non_differentiable(
            *[o.array if isinstance(o, Tensor) else o for o in outputs])

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted for torch's protocol: nnlite needs no notice of a forward that writes
        its inputs in place (the write is counted by the version counters all the same)."""

    def set_materialize_grads(self, value: bool) -> None:
        """``False``: a ``None`` gradient of an output reaches backward as None, not zeros."""
        self._materialize = bool(value)
