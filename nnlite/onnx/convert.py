"""From two traces to ONNX nodes: pairing, pruning, folding, and the converters' view.

The export trace and the probe trace (see ``export.py``) must run the same ops; each array
of the first is paired with the array in the same place of the second (a ``Value``). Ops
whose outputs the model's outputs do not need are dropped (pruning). An op on constants
the forward made (not parameters or buffers, which keep their names) is folded into a
constant when ``do_constant_folding`` is on; every other op goes to its converter, which
sees it as an ``Op`` and adds nodes to the ``Graph``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import OnnxExporterError, UnsupportedOperatorError
from .graph import Graph, Value
from .tracing import Record, Slot, Trace, _slots

__all__ = ["Op", "Converter"]


def _equal(a: Any, b: Any) -> bool:
    """Equality of plain arguments of the two traces (numbers, tuples, slices, slots,
    small objects compared attribute by attribute)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Slot):
        return (a.kind, a.key) == (b.kind, b.key) or (a.kind == b.kind == "const")
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, slice):
        return (a.start, a.stop, a.step) == (b.start, b.stop, b.step)
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b))
    if hasattr(a, "__slots__") and not hasattr(a, "__dict__"):
        return all(_equal(getattr(a, s, None), getattr(b, s, None)) for s in a.__slots__)
    if hasattr(a, "__dict__") and not isinstance(a, type) and vars(a):
        return _equal(vars(a), vars(b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


class Op:
    """What a converter sees of one traced op.

    Arguments are read by position (``int``) or, for layers converted whole, by keyword
    name or position (``op.get('hx', 1)``):

    - ``op.v(i)``: the argument as a ``Value`` (shape, dtype, dynamic dims);
    - ``op.x(i)``: its ONNX name (None for a None argument);
    - ``op.plain(i)``: a plain argument (a number, a tuple, ...); it must be the same in
      both traces, else the value depends on the inputs and cannot be frozen;
    - ``op.attr(i, name)``: an attribute of an argument object (a pooling geometry), idem;
    - ``op.outs``: the output Values; ``op.fail(why)`` raises naming the op and the layer.
    """

    def __init__(self, conv: "Converter", rec: Record, alt: Record) -> None:
        self.conv, self.rec, self.alt, self.g = conv, rec, alt, conv.graph
        self.module = rec.module

    # ---- messages --------------------------------------------------------------------
    def describe(self) -> str:
        return self.rec.describe()

    def fail(self, why: str, unsupported: bool = True) -> None:
        cls = UnsupportedOperatorError if unsupported else OnnxExporterError
        raise cls(f"nnlite.onnx.export: cannot export the {self.describe()}: {why}")

    # ---- arguments -------------------------------------------------------------------
    def raw(self, i: Any, pos: int | None = None, default: Any = None,
            alt: bool = False) -> Any:
        """Argument ``i`` as recorded (slots for arrays): a position, or a keyword name
        with its position ``pos`` for a layer's call."""
        rec = self.alt if alt else self.rec
        if isinstance(i, int):
            return rec.args[i] if i < len(rec.args) else default
        if i in rec.kwargs:
            return rec.kwargs[i]
        if pos is not None and pos < len(rec.args):
            return rec.args[pos]
        return default

    def get(self, i: Any, pos: int | None = None, default: Any = None) -> Any:
        """Argument ``i`` as a Value (for an array) or a checked plain value."""
        a = self.raw(i, pos, default)
        if isinstance(a, Slot):
            return self.conv.value(a)
        return self._checked(a, self.raw(i, pos, default, alt=True), i)

    def v(self, i: Any, pos: int | None = None) -> Value:
        a = self.raw(i, pos)
        if not isinstance(a, Slot):
            self.fail(f"argument {i!r} is a {type(a).__name__}, expected a Tensor")
        return self.checked_value(self.conv.value(a))

    def checked_value(self, v: Value) -> Value:
        if len(v.shape) != len(v.alt_shape):
            self.fail(f"an argument of shape {v.shape} changed rank (to {v.alt_shape}) when "
                      f"the dynamic axes were resized", unsupported=False)
        return v

    def x(self, i: Any, pos: int | None = None) -> str | None:
        a = self.raw(i, pos)
        if a is None:
            return None
        if not isinstance(a, Slot):
            self.fail(f"argument {i!r} is a {type(a).__name__}, expected a Tensor")
        return self.name(self.conv.value(a))

    def name(self, v: Value) -> str:
        """The ONNX name of ``v`` (a constant becomes an initializer when first read)."""
        return self.conv.name_of(v, self)

    def plain(self, i: Any, pos: int | None = None, default: Any = None) -> Any:
        return self._checked(self.raw(i, pos, default), self.raw(i, pos, default, alt=True), i)

    def attr(self, i: int, name: str) -> Any:
        a, b = getattr(self.raw(i), name), getattr(self.raw(i, alt=True), name)
        return self._checked(a, b, f"{i}.{name}")

    def item(self, i: int, *path: int) -> Any:
        """Element ``path`` of tuple argument ``i`` (checked alone: other elements may
        hold sizes that change with the dynamic axes)."""
        a, b = self.raw(i), self.raw(i, alt=True)
        for k in path:
            a, b = a[k], b[k]
        return self._checked(a, b, f"{i}{list(path)}")

    def param(self, tensor: Any) -> str:
        """The ONNX name of a parameter or buffer of the model (a layer converted whole
        reads its weights from its module)."""
        return self.name(self.conv.param_value(tensor, self))

    def _checked(self, a: Any, b: Any, what: Any) -> Any:
        if not _equal(a, b):
            self.fail(f"its argument {what!r} is {a!r} here but {b!r} when the inputs change "
                      f"(their values, or the sizes of the dynamic axes): it was computed "
                      f"from the inputs, so it cannot be frozen into the graph (mark fewer "
                      f"axes dynamic, or compute it with nnlite ops)", unsupported=False)
        return a

    def values(self) -> list:
        """Every argument that is an array, as Values."""
        out: list = []

        def walk(o: Any) -> None:
            if isinstance(o, Slot):
                out.append(self.conv.value(o))
            elif isinstance(o, (tuple, list)):
                for e in o:
                    walk(e)
            elif isinstance(o, dict):
                for e in o.values():
                    walk(e)
        walk(self.rec.args)
        walk(self.rec.kwargs)
        return out

    # ---- outputs ---------------------------------------------------------------------
    @property
    def outs(self) -> list:
        return [self.checked_value(self.conv.value(s)) for s in self.rec.outputs]

    def out(self, j: int = 0) -> Value:
        return self.outs[j]


class Converter:
    """Turns the paired traces into nodes of ``graph``.

    Args:
        t1, t2 (Trace): the export trace and the probe trace.
        graph (Graph): where nodes go.
        functions (dict): Function class -> converter ``fn(g, op) -> names``.
        modules (dict): module class -> converter, for layers traced whole.
        fold (bool): fold ops on constants alone into constants.
    """

    def __init__(self, t1: Trace, t2: Trace, graph: Graph, functions: dict, modules: dict,
                 fold: bool) -> None:
        self.graph, self.functions, self.modules, self.fold = graph, functions, modules, fold
        self.t1, self.t2 = t1, t2
        self.values: dict = {}              # id(slot of t1) -> Value
        self._pair_traces()

    # ---- pairing ---------------------------------------------------------------------
    def _pair_traces(self) -> None:
        t1, t2 = self.t1, self.t2
        for k, (r1, r2) in enumerate(zip(t1.records, t2.records)):
            if r1.fn is not r2.fn:
                raise OnnxExporterError(
                    f"nnlite.onnx.export: the forward runs different ops when the inputs "
                    f"change (their values, or the sizes of the dynamic axes): op {k} is the "
                    f"{r1.describe()}, then the {r2.describe()}; control flow that depends "
                    f"on the inputs cannot be exported")
        if len(t1.records) != len(t2.records):
            raise OnnxExporterError(
                f"nnlite.onnx.export: the forward runs {len(t1.records)} ops, then "
                f"{len(t2.records)} when the inputs change (their values, or the sizes of "
                f"the dynamic axes); control flow that depends on the inputs cannot be "
                f"exported")
        for s1, s2 in zip(t1.inputs, t2.inputs):
            self.values[id(s1)] = Value(s1, s2, constant=False)
        for name, s1 in t1.params.items():
            self.values[id(s1)] = Value(s1, t2.params[name], constant=True)
        for r1, r2 in zip(t1.records, t2.records):
            self._pair_args((r1.args, r1.kwargs), (r2.args, r2.kwargs), r1)
        for s1, s2 in zip(t1.outputs, t2.outputs):
            self._pair(s1, s2, None)

    def _pair_args(self, a: Any, b: Any, rec: Record) -> None:
        if isinstance(a, Slot):
            self._pair(a, b, rec)
        elif isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) \
                and len(a) == len(b):
            for x, y in zip(a, b):
                self._pair_args(x, y, rec)
        elif isinstance(a, dict) and isinstance(b, dict):
            for k in a:
                self._pair_args(a[k], b.get(k), rec)

    def _pair(self, s1: Slot, s2: Any, rec: Record | None) -> None:
        """Pair a const slot with its probe twin; a non-const one must be the same."""
        if id(s1) in self.values or s1.kind != "const":
            return
        if isinstance(s2, Slot):
            self.values[id(s1)] = Value(s1, s2, constant=True)
        else:                               # an array in one trace, none in the other
            v = Value(s1, s1, constant=True)
            v.varying = True
            self.values[id(s1)] = v

    def value(self, slot: Slot) -> Value:
        v = self.values.get(id(slot))
        if v is None:
            raise OnnxExporterError(f"nnlite.onnx.export: internal error: no value for {slot}")
        return v

    def param_value(self, tensor: Any, op: Op) -> Value:
        """The Value of a parameter or buffer, found by its array."""
        for s in self.t1.params.values():
            if s.array is tensor.array:
                return self.values[id(s)]
        op.fail("it reads a tensor that is not a parameter or buffer of the model",
                unsupported=False)

    def name_of(self, v: Value, op: Op | None) -> str:
        """``v``'s ONNX name; a constant becomes an initializer when first read."""
        if v.name is not None:
            return v.name
        reader = f"the {op.describe()}" if op is not None else "a graph output"
        if v.varying:
            s1, s2 = v.shape, v.alt_shape
            change = (f"its shape changed from {s1} to {s2} with the dynamic axes" if s1 != s2
                      else "its values changed with the inputs' values")
            if v.slot.kind == "out":
                made = self.t1.records[v.slot.key[0]].describe()
                raise OnnxExporterError(
                    f"nnlite.onnx.export: {reader} reads the result of the {made}, an op on "
                    f"constants made in the forward, yet {change}: those constants were "
                    f"computed from the inputs outside nnlite's ops (in NumPy), so they "
                    f"cannot be frozen into the graph; compute them with nnlite ops on "
                    f"Tensors (or mark fewer axes dynamic)")
            raise OnnxExporterError(
                f"nnlite.onnx.export: {reader} reads an array of shape {s1} that the forward "
                f"made outside nnlite's ops -- not an input, a parameter, a buffer or the "
                f"result of a traced op -- yet {change}: it was computed from the inputs "
                f"in NumPy (or by an op the tracer does not see: comparisons, argmax, ...), "
                f"so it cannot be frozen into the graph; compute it with nnlite ops on "
                f"Tensors (or mark fewer axes dynamic)")
        if not v.constant:
            raise OnnxExporterError(f"nnlite.onnx.export: internal error: {reader} reads "
                                    f"a value no node computes ({v.slot})")
        s = v.slot
        if s.kind == "param":
            v.name = self.graph.initializer(s.key, v.array)
        else:
            v.name = self.graph.const(v.array, "Constant")
        return v.name

    # ---- conversion ------------------------------------------------------------------
    def live_records(self) -> list:
        """The records the outputs depend on, in execution order."""
        live: set = set()
        stack = [s for s in self.t1.outputs]
        records = self.t1.records
        while stack:
            s = stack.pop()
            if s.kind != "out":
                continue
            k = s.key[0]
            if k in live:
                continue
            live.add(k)
            stack.extend(_slots((records[k].args, records[k].kwargs)))
        return [r for r in records if r.index in live]

    def run(self) -> None:
        """Convert every live op, in execution order."""
        g = self.graph
        for rec in self.live_records():
            alt = self.t2.records[rec.index]
            op = Op(self, rec, alt)
            g.scope = "/" + rec.path.replace(".", "/") if rec.path else ""
            ins = op.values()
            # fold ops on constants made in the forward; ops on parameters stay nodes, so
            # every parameter keeps its state_dict name in the graph
            if self.fold and not rec.whole and ins and all(
                    v.constant and v.slot.kind != "param" for v in ins):
                for s1, s2 in zip(rec.outputs, alt.outputs):
                    self.values[id(s1)] = Value(s1, s2, constant=True)
                continue
            for s1, s2 in zip(rec.outputs, alt.outputs):
                self.values[id(s1)] = Value(s1, s2, constant=False)
            table = self.modules if rec.whole else self.functions
            fn = table.get(rec.fn)
            if fn is None:
                op.fail("this op has no ONNX conversion in nnlite.onnx" if not rec.whole
                        else "this layer has no ONNX conversion in nnlite.onnx")
            names = fn(g, op)
            names = [names] if isinstance(names, str) else list(names)
            if len(names) != len(rec.outputs):
                raise OnnxExporterError(f"nnlite.onnx.export: internal error: the converter "
                                        f"of the {op.describe()} gave {len(names)} outputs, "
                                        f"the op has {len(rec.outputs)}")
            for s, n in zip(rec.outputs, names):
                self.values[id(s)].name = n
        g.scope = ""

