"""Converters of the shape ops: reshape, permute, broadcast, tile, flip, roll, cat, stack,
pad, indexing, and casts.

Shapes baked into an op (``reshape``'s target, ``expand``'s) keep the dynamic dims free
(``dynamic.py``); indices, slices, pads and axes are the traced ones, checked to be the
same in both traces (a slice bound taken from an input's size cannot be frozen).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import indexing, shape as sh
from ..dynamic import expand_target, reshape_target
from ..graph import INT64_MAX, INT64_MIN, Graph
from ..tracing import Slot

__all__ = ["TABLE"]


def reshape(g: Graph, op: Any) -> str:
    x, name = op.v(0), op.x(0)
    return g.node("Reshape", [name, reshape_target(g, x, name, op.out(), op.describe())])


def permute(g: Graph, op: Any) -> str:
    return g.transpose(op.x(0), [int(a) for a in op.plain(1)])


def broadcast_to(g: Graph, op: Any) -> str:
    x, name = op.v(0), op.x(0)
    return g.node("Expand", [name, expand_target(g, x, name, op.out(), op.describe())])


def tile(g: Graph, op: Any) -> str:
    x, name = op.v(0), op.x(0)
    reps = [int(r) for r in op.plain(1)]
    if len(reps) > x.ndim:                      # np.tile: new leading dims
        name = g.unsqueeze(name, list(range(len(reps) - x.ndim)))
    reps = [1] * (x.ndim - len(reps)) + reps
    return g.node("Tile", [name, g.ints(reps)])


def flip(g: Graph, op: Any) -> str:
    axes = [d for d, s in enumerate(op.plain(1)) if s.step == -1]
    n = len(axes)
    return g.slice(op.x(0), [-1] * n, [INT64_MIN] * n, axes, [-1] * n)


def roll(g: Graph, op: Any) -> str:
    x, name = op.v(0), op.x(0)
    shifts, dims = op.plain(1), op.plain(2)
    if dims is None:
        op.fail("roll without dims (over the flattened tensor) is not supported")
    for s, d in zip(shifts, dims):
        if x.dynamic[d]:
            op.fail(f"roll along dim {d}, which is dynamic, is not supported")
        n = x.shape[d]
        k = int(s) % n
        if k:
            tail = g.slice(name, [n - k], [n], [d])
            head = g.slice(name, [0], [n - k], [d])
            name = g.node("Concat", [tail, head], axis=int(d))
    return name


def _same_dtype(g: Graph, op: Any, values: list) -> list:
    dt = op.out().dtype
    return [op.name(v) if v.dtype == dt else g.cast(op.name(v), dt) for v in values]


def cat(g: Graph, op: Any) -> str:
    xs = [op.v(i) for i in range(1, len(op.rec.args))]
    return g.node("Concat", _same_dtype(g, op, xs), axis=int(op.plain(0)))


def stack(g: Graph, op: Any) -> str:
    dim = int(op.plain(0))
    xs = _same_dtype(g, op, [op.v(i) for i in range(1, len(op.rec.args))])
    return g.node("Concat", [g.unsqueeze(x, [dim]) for x in xs], axis=dim)


def _pads(widths: Any) -> list:
    """numpy's ((lo, hi), ...) as ONNX's [lo_0, lo_1, ..., hi_0, hi_1, ...]."""
    return [int(lo) for lo, _ in widths] + [int(hi) for _, hi in widths]


def pad_constant(g: Graph, op: Any) -> str:
    x = op.v(0)
    value = g.scalar(op.plain(2), x.dtype)
    return g.node("Pad", [op.x(0), g.ints(_pads(op.plain(1))), value], mode="constant")


def pad_indexed(g: Graph, op: Any) -> str:
    mode = op.plain(2)
    if mode == "wrap" and g.opset < 19:
        op.fail("circular padding needs opset_version >= 19 (ONNX's Pad mode 'wrap')")
    return g.node("Pad", [op.x(0), g.ints(_pads(op.plain(1)))], mode=mode)


# ---- indexing ----------------------------------------------------------------------
def _full(s: slice) -> bool:
    return s.start in (None, 0) and s.stop is None and s.step in (None, 1)


def _bounds(s: slice) -> tuple:
    """An ONNX (start, end, step) for a Python slice (None ends become the extremes)."""
    step = 1 if s.step is None else int(s.step)
    start = s.start if s.start is not None else (0 if step > 0 else INT64_MAX)
    stop = s.stop if s.stop is not None else (INT64_MAX if step > 0 else INT64_MIN)
    return int(start), int(stop), step


def getitem(g: Graph, op: Any) -> str:
    """Basic indexing (ints, slices, None, ...) as Slice + Squeeze + Unsqueeze, and one
    integer index array (the other entries full slices) as Gather."""
    x, name = op.v(0), op.x(0)
    op.plain(1)                                # same slices in both traces
    index = op.raw(1)
    items = list(index) if isinstance(index, tuple) else [index]
    used = sum(1 for it in items if it is not None and it is not Ellipsis)
    if Ellipsis in items:
        k = items.index(Ellipsis)
        items[k:k + 1] = [slice(None)] * (x.ndim - used)
    else:
        items += [slice(None)] * (x.ndim - used)
    arrays = [k for k, it in enumerate(items) if isinstance(it, Slot)]
    ints = [k for k, it in enumerate(items) if isinstance(it, (int, np.integer))]
    if len(arrays) > 1 or (arrays and ints):
        op.fail("indexing with several index arrays, or with index arrays and ints "
                "together, is not supported (one integer index array is)")
    starts, ends, steps, axes, squeeze, unsqueeze = [], [], [], [], [], []
    ax = out = 0                                # axis of x, axis of the result
    gather = None
    for it in items:
        if it is None:
            unsqueeze.append(out)
            out += 1
        elif isinstance(it, (int, np.integer)):
            i = int(it)
            starts.append(i), ends.append(i + 1 if i != -1 else INT64_MAX), steps.append(1)
            axes.append(ax)
            squeeze.append(ax)
            ax += 1
        elif isinstance(it, slice):
            if not _full(it):
                b = _bounds(it)
                starts.append(b[0]), ends.append(b[1]), steps.append(b[2]), axes.append(ax)
            ax += 1
            out += 1
        elif isinstance(it, Slot):
            gather = (ax - len(squeeze), op.conv.value(it))
            ax += 1
            out += op.conv.value(it).ndim
        else:
            op.fail(f"the index {it!r} is not supported")
    if axes:
        name = g.slice(name, starts, ends, axes, steps)
    if squeeze:
        name = g.squeeze(name, squeeze)
    if gather is not None:
        axis, idx = gather
        if idx.dtype == np.bool_ or idx.dtype.kind not in "iu":
            op.fail("boolean-mask indexing (its result's size depends on the data) is not "
                    "supported")
        iname = op.name(idx)
        if idx.dtype not in (np.int64, np.int32):
            iname = g.cast(iname, np.int64)
        name = g.node("Gather", [name, iname], axis=axis)
    if unsqueeze:
        name = g.unsqueeze(name, unsqueeze)
    if not (axes or squeeze or gather or unsqueeze):
        name = g.node("Identity", [name])
    return name


TABLE = {
    sh.Reshape: reshape, sh.Permute: permute, sh.BroadcastTo: broadcast_to, sh.Tile: tile,
    sh.Flip: flip, sh.Roll: roll, sh.Cat: cat, sh.Stack: stack,
    sh.PadConstant: pad_constant, sh.PadIndexed: pad_indexed,
    indexing.GetItem: getitem,
}
