"""Dynamic axes: the probe inputs, and shapes that keep the dynamic dims free.

The exporter traces the forward twice: with the user's inputs, and with *probe* inputs
whose dynamic axes are longer (a batch axis by one, other axes to about twice their size:
``export._probe``; the new rows repeat the old ones, so token ids stay valid) and whose
values are shuffled.
A dim of any array whose size differs between the two traces is dynamic; a constant whose
value differs was computed from the inputs outside the traced ops.

Shapes that ops bake in (``reshape``'s target, ``expand``'s) are written with ONNX's own
means of keeping a dim free: ``0`` copies the input's dim in ``Reshape``, ``-1`` infers
one dim, ``1`` keeps the input's dim in ``Expand``, and otherwise the size is read at run
time from the input's ``Shape``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .errors import OnnxExporterError
from .graph import Graph, Value

__all__ = ["parse_dynamic_axes", "probe_array", "reshape_target", "expand_target"]


def parse_dynamic_axes(dynamic_axes: Mapping | None, input_names: Sequence[str],
                       output_names: Sequence[str], input_ranks: Sequence[int]) -> dict:
    """``dynamic_axes`` as ``{name: {axis: symbol}}``, checked.

    Args:
        dynamic_axes (dict or None): torch's form: a name -> a list of axes (named
            ``<name>_dynamic_axes_<k>``, k from 1) or a dict axis -> symbol name.
        input_names, output_names: the graph's names.
        input_ranks: the rank of each input.
    """
    if dynamic_axes is None:
        return {}
    if not isinstance(dynamic_axes, Mapping):
        raise TypeError(f"nnlite.onnx.export: dynamic_axes must be a dict of input/output "
                        f"name -> axes, got {type(dynamic_axes).__name__}")
    ranks = dict(zip(input_names, input_ranks))
    out: dict = {}
    for name, axes in dynamic_axes.items():
        if name not in ranks and name not in output_names:
            raise ValueError(f"nnlite.onnx.export: dynamic_axes names {name!r}, which is "
                             f"neither an input ({list(input_names)}) nor an output "
                             f"({list(output_names)})")
        if isinstance(axes, Mapping):
            pairs = [(a, str(s)) for a, s in axes.items()]
        elif isinstance(axes, (list, tuple)):
            pairs = [(a, f"{name}_dynamic_axes_{k + 1}") for k, a in enumerate(axes)]
        else:
            raise TypeError(f"nnlite.onnx.export: dynamic_axes[{name!r}] must be a list of "
                            f"axes or a dict axis -> name, got {type(axes).__name__}")
        rank = ranks.get(name)
        named = {}
        for a, sym in pairs:
            if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
                raise TypeError(f"nnlite.onnx.export: dynamic_axes[{name!r}] holds the axis "
                                f"{a!r}; axes are ints")
            a = int(a)
            if rank is not None:
                if not -rank <= a < rank:
                    raise ValueError(f"nnlite.onnx.export: dynamic_axes[{name!r}] names axis "
                                     f"{a}, but the input has {rank} dims")
                a %= rank
            named[a] = sym
        out[name] = named
    return out


def probe_array(a: np.ndarray, axes: Mapping[int, int]) -> np.ndarray:
    """The probe version of one input: each axis in ``axes`` (axis -> new size) grown by
    repeating its entries cyclically, then the values shuffled (rolled by one); floating
    values are moved (x / 2 + 1/4), and non-negative integers (token ids) get a 0 (the
    usual padding id) at the last position of each row, so that what the forward
    computes from them outside the traced ops changes and is caught."""
    for axis, size in axes.items():
        if a.shape[axis] == 0:
            raise ValueError(f"nnlite.onnx.export: a dynamic axis ({axis}) of an input of "
                             f"shape {a.shape} is empty; export with a non-empty example")
        a = np.take(a, np.arange(size) % a.shape[axis], axis=axis)
    a = np.roll(a.reshape(-1), 1).reshape(a.shape)
    if a.dtype.kind == "f":
        a = (a * a.dtype.type(0.5) + a.dtype.type(0.25)).astype(a.dtype)
    elif a.dtype.kind in "iu" and a.ndim and a.size and a.min() >= 0:
        a[..., -1] = 0
    return np.ascontiguousarray(a)


# ============================================================================
# Shapes that keep dynamic dims free
# ============================================================================
def _source_dim(x: Value, n1: int, n2: int) -> int | None:
    """The axis of ``x`` whose sizes in the two traces are (n1, n2), if one is."""
    for i, (a, b) in enumerate(zip(x.shape, x.alt_shape)):
        if (a, b) == (n1, n2):
            return i
    return None


def reshape_target(g: Graph, x: Value, x_name: str, y: Value, what: str) -> str:
    """The shape input of ``Reshape(x) -> y``: static sizes as numbers, a dynamic dim
    as 0 (copy x's dim at the same index) where it is x's, else read from ``Shape(x)``
    where it is some dim of x, and at most one dynamic dim left as -1 (inferred)."""
    t1, t2 = y.shape, y.alt_shape
    if t1 == t2:
        return g.ints(t1)
    dims: list = []
    free = []
    for j, (a, b) in enumerate(zip(t1, t2)):
        if a == b:
            dims.append(a)
        elif j < x.ndim and (x.shape[j], x.alt_shape[j]) == (a, b):
            dims.append(0)
        else:
            dims.append(None)
            free.append(j)
    if 0 in [d for j, d in enumerate(dims) if t1[j] == t2[j]]:
        raise OnnxExporterError(f"nnlite.onnx.export: {what}: a reshape to {t1} with an "
                                f"empty dim and dynamic axes is not supported")
    if len(free) == 1:
        dims[free[0]] = -1
        return g.ints(dims)
    parts: list = []
    inferred = False
    for j, d in enumerate(dims):
        if d is not None:
            parts.append(("static", d))
            continue
        i = _source_dim(x, t1[j], t2[j])
        if i is not None:
            parts.append(("dim", i))
        elif not inferred:
            parts.append(("static", -1))
            inferred = True
        else:
            raise OnnxExporterError(
                f"nnlite.onnx.export: {what}: the reshape of {x.shape} to {t1} mixes several "
                f"dynamic axes (dims {free} of the result depend on them) in a way the graph "
                f"cannot express with one inferred dim; mark fewer axes dynamic")
    return _concat_shape(g, x_name, parts)


def expand_target(g: Graph, x: Value, x_name: str, y: Value, what: str) -> str:
    """The shape input of ``Expand(x) -> y``: a dynamic dim that is x's own (aligned
    from the right) becomes 1 (Expand keeps it), another one is read from ``Shape(x)``."""
    t1, t2 = y.shape, y.alt_shape
    if t1 == t2:
        return g.ints(t1)
    lead = len(t1) - x.ndim
    parts: list = []
    for j, (a, b) in enumerate(zip(t1, t2)):
        if a == b:
            parts.append(("static", a))
        elif j >= lead and (x.shape[j - lead], x.alt_shape[j - lead]) == (a, b):
            parts.append(("static", 1))
        else:
            i = _source_dim(x, a, b)
            if i is None:
                raise OnnxExporterError(
                    f"nnlite.onnx.export: {what}: the broadcast of {x.shape} to {t1} takes "
                    f"dim {j} from a dynamic size that is not one of the input's dims")
            parts.append(("dim", i))
    return _concat_shape(g, x_name, parts)


def _concat_shape(g: Graph, x_name: str, parts: list) -> str:
    """A 1-D int64 shape built at run time from static sizes and dims of ``x``."""
    if all(kind == "static" for kind, _ in parts):
        return g.ints([n for _, n in parts])
    pieces: list = []
    run: list = []
    for kind, n in parts:
        if kind == "static":
            run.append(n)
            continue
        if run:
            pieces.append(g.ints(run))
            run = []
        pieces.append(g.shape_dims(x_name, n, n + 1))
    if run:
        pieces.append(g.ints(run))
    return pieces[0] if len(pieces) == 1 else g.node("Concat", pieces, axis=0)
