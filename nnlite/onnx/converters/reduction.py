"""Converters of the reductions: sum, mean, var, std, amax/amin, max/min over a dim,
logsumexp, prod, softmax and log_softmax."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import reduction as red
from ..graph import Graph

__all__ = ["TABLE"]


def _axes(op: Any, i: int = 1) -> list | None:
    """The reduced axes (None: all), normalised to non-negative ints."""
    axis = op.plain(i)
    if axis is None:
        return None
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    n = op.v(0).ndim
    return [int(a) % n if n else int(a) for a in axes]


def _input(g: Graph, op: Any) -> str:
    """The input, cast to the result's dtype (a sum of bools is an integer)."""
    x, dt = op.v(0), op.out().dtype
    return op.x(0) if x.dtype == dt else g.cast(op.x(0), dt)


def _reduce(onnx_op: str):
    def convert(g: Graph, op: Any) -> str:
        return g.reduce(onnx_op, _input(g, op), _axes(op), op.plain(2))
    convert.__name__ = onnx_op.lower()
    return convert


def amax(g: Graph, op: Any) -> str:
    kind = "ReduceMax" if op.plain(3) is np.maximum else "ReduceMin"
    return g.reduce(kind, op.x(0), _axes(op), op.plain(2))


def max_dim(g: Graph, op: Any) -> list:
    """(values, indices) along one dim."""
    dim, keep = int(op.plain(1)) % max(op.v(0).ndim, 1), bool(op.plain(2))
    is_max = op.plain(3) is np.argmax
    values = g.reduce("ReduceMax" if is_max else "ReduceMin", op.x(0), [dim], keep)
    indices = g.node("ArgMax" if is_max else "ArgMin", [op.x(0)], axis=dim, keepdims=int(keep))
    return [values, indices]


def _var(g: Graph, op: Any) -> str:
    """sum (x - mean)^2 / (N - correction), N the number of elements reduced: a constant,
    or read from the input's Shape when a reduced axis is dynamic."""
    axes, keep, correction = _axes(op), op.plain(2), float(op.plain(3))
    x, xv, dt = op.x(0), op.v(0), op.out().dtype
    d = g.node("Sub", [x, g.reduce("ReduceMean", x, axes, True)])
    ss = g.reduce("ReduceSum", g.node("Mul", [d, d]), axes, keep)
    reduced = list(range(xv.ndim)) if axes is None else axes
    if not any(xv.dynamic[a] for a in reduced):
        n = g.scalar(np.prod([xv.shape[a] for a in reduced]) - correction, dt)
    else:
        sizes = g.node("Gather", [g.node("Shape", [x]), g.ints(reduced)], axis=0)
        n = g.cast(g.reduce("ReduceProd", sizes, None, False), dt)
        n = g.node("Sub", [n, g.scalar(correction, dt)])
    return g.node("Div", [ss, n])


def std(g: Graph, op: Any) -> str:
    return g.node("Sqrt", [_var(g, op)])


def logsumexp(g: Graph, op: Any) -> str:
    """log sum exp(x - m) + m with m the max (finite: stable, as nnlite's)."""
    axes, keep = _axes(op), op.plain(2)
    x = op.x(0)
    m = g.reduce("ReduceMax", x, axes, True)
    s = g.reduce("ReduceSum", g.node("Exp", [g.node("Sub", [x, m])]), axes, True)
    y = g.node("Add", [g.node("Log", [s]), m])
    if not keep:
        y = g.squeeze(y, axes if axes is not None else list(range(op.v(0).ndim)))
    return y


def softmax(g: Graph, op: Any) -> str:
    return g.node("Softmax", [op.x(0)], axis=int(op.plain(1)))


def log_softmax(g: Graph, op: Any) -> str:
    return g.node("LogSoftmax", [op.x(0)], axis=int(op.plain(1)))


TABLE = {
    red.Sum: _reduce("ReduceSum"), red.Mean: _reduce("ReduceMean"),
    red.Prod: _reduce("ReduceProd"), red.Var: _var, red.Std: std, red.Amax: amax,
    red.MaxDim: max_dim, red.LogSumExp: logsumexp, red.SoftmaxFn: softmax,
    red.LogSoftmaxFn: log_softmax,
}
