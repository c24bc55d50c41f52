"""Tracing: run a model's forward once and record every op it applies, as torch's tracer.

Notation: a *slot* is one array the forward handled -- an input, a parameter or buffer,
the output of an op, or a constant the forward made itself (in NumPy, or a Tensor built
from numbers). A *record* is one op: the autograd ``Function`` class (or, for a layer the
converters take whole, such as ``nn.LSTM``, the module's class), its arguments with every
array replaced by its slot, its output slots, and the layer (module path) it ran in.

How: while ``trace`` runs, ``Function.apply`` -- the one door every nnlite op goes
through -- is wrapped (and put back afterwards), and every module of the model carries a
pre- and a post-forward hook (removed afterwards) that keep the stack of layers.

A Tensor is known by its autograd node, an array by its identity (the trace holds every
node and array it has seen, so ids are never reused); an array argument the trace has not
seen is a constant. The forward runs with grad mode on, the floating inputs as copies made
by a recorded op and every floating parameter requiring grad (restored afterwards), so every
Tensor computed from them has a node: in-place ops then take their recorded path (e.g.
``relu_`` is ``ReluInplaceFn``) and a copy made for an in-place write keeps the node of
the value it copies. An in-place write (``versions.bump``) makes the trace forget the
arrays sharing the written memory: only their new nodes name them from then on.

Only ops applied to Tensors at the outermost level are recorded: an op's own forward works
on arrays (the ``apply`` calls inside it get no Tensor), and a user's
``nl.autograd.Function`` (Tensors in and out) is inlined: the ops of its forward are
recorded, not the Function itself.
"""
from __future__ import annotations

import threading
import warnings
from typing import Any, Callable

import numpy as np

from ..autograd import versions as _versions
from ..autograd.function import AccumulateGrad, Function
from ..autograd.grad_mode import enable_grad
from ..autograd.tensor_function import Function as TensorFunction
from ..ops.arithmetic import Clone
from ..tensor import Tensor, from_numpy
from .errors import OnnxExporterError

__all__ = ["Slot", "Record", "Trace", "TracerWarning", "trace", "flatten_tensors",
           "map_tensors"]


class TracerWarning(Warning):
    """Warned when the traced forward turns a Tensor computed from the inputs into a
    Python value (``item``, ``float``, ``int``, ``bool``, ``tolist``, ``numpy``): the value,
    and any branch taken on it, is frozen into the graph, which then does not follow other
    inputs (as ``torch.jit.TracerWarning``)."""


class Slot:
    """One array of the traced forward: ``kind`` 'input' (key: its position among the
    inputs), 'param' (key: its ``state_dict`` name), 'out' (key: (record index, output
    index)) or 'const' (key: (record index, argument path)); ``stale``: the record of an
    in-place op that wrote into this array's memory through another view, if any;
    ``dep``: whether it was computed from the inputs."""

    __slots__ = ("kind", "key", "array", "stale", "dep")

    def __init__(self, kind: str, key: Any, array: np.ndarray, dep: bool = False) -> None:
        self.kind, self.key, self.array, self.stale = kind, key, array, None
        self.dep = dep

    def __repr__(self) -> str:
        return f"Slot({self.kind}, {self.key!r}, {self.array.shape}, {self.array.dtype})"


class Record:
    """One op of the trace: ``fn`` the Function class (or, with ``module`` set and
    ``whole`` True, the class of a layer converted whole), ``args`` and ``kwargs`` with
    arrays replaced by slots, ``outputs`` (slots), and the layer it ran in: ``module`` and
    its ``path`` ('' for the model itself)."""

    __slots__ = ("index", "fn", "args", "kwargs", "outputs", "module", "path", "whole")

    def __init__(self, index: int, fn: type, args: tuple, kwargs: dict, module: Any,
                 path: str, whole: bool) -> None:
        self.index, self.fn, self.args, self.kwargs = index, fn, args, kwargs
        self.module, self.path, self.whole = module, path, whole
        self.outputs: list = []

    def describe(self) -> str:
        """E.g. "op Conv2dFn (nnlite.ops.conv) in layer 'features.0' (Conv2d)", or for a
        layer converted whole "layer 'lstm' (LSTM)", for messages."""
        kind = "" if self.module is None else f" ({type(self.module).__name__})"
        where = "the model itself" if not self.path else f"layer '{self.path}'"
        if self.whole:
            return f"{where}{kind}"
        return f"op {self.fn.__name__} ({self.fn.__module__}) in {where}{kind}"


class Trace:
    """What one traced forward gave: ``inputs`` (slots, one per input Tensor), ``params``
    (name -> slot), ``records`` in execution order and ``outputs`` (slots, one per output
    Tensor, in the order ``flatten_tensors`` gives)."""

    def __init__(self, inputs: list, params: dict, records: list, outputs: list) -> None:
        self.inputs, self.params, self.records, self.outputs = inputs, params, records, outputs


# ============================================================================
# Nested arguments and outputs
# ============================================================================
def flatten_tensors(obj: Any) -> list:
    """The Tensors in ``obj`` (a Tensor, or tuples, lists and dicts of them), in order."""
    out: list = []
    map_tensors(obj, lambda t: out.append(t) or t)
    return out


def map_tensors(obj: Any, fn: Callable) -> Any:
    """``obj`` with every Tensor ``t`` in it (through tuples, named tuples, lists and
    dicts) replaced by ``fn(t)``."""
    if isinstance(obj, Tensor):
        return fn(obj)
    if isinstance(obj, tuple):
        items = [map_tensors(o, fn) for o in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, list):
        return [map_tensors(o, fn) for o in obj]
    if isinstance(obj, dict):
        return {k: map_tensors(v, fn) for k, v in obj.items()}
    return obj


# ============================================================================
# The tracer
# ============================================================================
_active: "_Tracer | None" = None
_plain_apply = Function.__dict__["apply"]        # the classmethod, as Function defines it


def _traced_apply(cls: type, *args: Any) -> Any:
    """``Function.apply`` while tracing: run the op, and record it when it is an op on
    Tensors called by the model's forward (not from inside another op, not from the
    tracing thread's neighbours, not inside a layer taken whole)."""
    t = _active
    if (t is None or t.depth or t.suppress or threading.get_ident() != t.thread
            or issubclass(cls, TensorFunction)
            or not any(isinstance(a, Tensor) for a in args)):
        return _plain_apply.__func__(cls, *args)
    rec = t.new_record(cls, args, {}, whole=False)
    t.depth += 1
    try:
        out = _plain_apply.__func__(cls, *args)
    finally:
        t.depth -= 1
    t.finish_record(rec, out, args)
    return out


class _Tracer:
    """The state of one trace; ``trace`` drives it."""

    def __init__(self, model: Any, capture: Callable) -> None:
        self.thread = threading.get_ident()
        self.depth = 0          # > 0 inside a recorded op's forward
        self.suppress = 0       # > 0 inside a layer recorded whole
        self.capture = capture  # a layer's call -> the class it converts whole as, or None
        self.slots: dict = {}   # id(array) -> Slot
        self.nodes: dict = {}   # id(autograd node) -> Slot
        self.held: list = []    # every array and node seen, so ids stay unique
        self.records: list = []
        self.stack: list = []   # (path, module, record or None) of the running layers
        self.params = {}
        for name, p in list(model.named_parameters()) + list(model.named_buffers()):
            if p is not None and id(p.array) not in self.slots:
                self.params[name] = self._register(Slot("param", name, p.array))

    def _register(self, slot: Slot, node: Any = None) -> Slot:
        self.slots[id(slot.array)] = slot
        self.held.append(slot.array)
        if node is not None and node.__class__ is not AccumulateGrad:
            self.nodes[id(node)] = slot
            self.held.append(node)
        return slot

    def forget(self, a: np.ndarray) -> None:
        """After an in-place write into ``a``: the arrays sharing its memory no longer
        hold what their slots say (their Tensors' nodes still name them)."""
        for k in [k for k, s in self.slots.items() if np.may_share_memory(s.array, a)]:
            del self.slots[k]

    # ---- arguments ---------------------------------------------------------------
    def slot_of(self, a: Any, key: Any, reader: Record) -> Slot:
        """The slot of Tensor or array ``a`` read by ``reader``; a new constant if
        unseen."""
        s = None
        if isinstance(a, Tensor):
            node = a._node
            if node is not None:
                s = self.nodes.get(id(node))
            a = a.array
        if s is None:
            s = self.slots.get(id(a))
        if s is None:
            return self._register(Slot("const", key, a))
        if s.stale is not None:
            raise OnnxExporterError(
                f"nnlite.onnx.export: the {reader.describe()} reads an array that the "
                f"in-place {s.stale.describe()} changed through another view of the same "
                f"memory; the exporter cannot follow writes through views (use the "
                f"out-of-place op, e.g. relu instead of relu_)")
        return s

    def map_args(self, obj: Any, rec: Record, path: tuple) -> Any:
        """``obj`` with Tensors and arrays (through tuples, lists, dicts) as slots."""
        if isinstance(obj, (Tensor, np.ndarray)):
            return self.slot_of(obj, (rec.index, path), rec)
        if isinstance(obj, (tuple, list)) and not hasattr(obj, "_fields"):
            items = [self.map_args(o, rec, path + (i,)) for i, o in enumerate(obj)]
            return tuple(items) if isinstance(obj, tuple) else items
        if isinstance(obj, dict):
            return {k: self.map_args(v, rec, path + (k,)) for k, v in obj.items()}
        return obj

    # ---- records -------------------------------------------------------------------
    def new_record(self, fn: type, args: tuple, kwargs: dict, whole: bool) -> Record:
        path, module, _ = self.stack[-1] if self.stack else ("", None, None)
        rec = Record(len(self.records), fn, (), {}, module, path, whole)
        rec.args = tuple(self.map_args(a, rec, (i,)) for i, a in enumerate(args))
        rec.kwargs = {k: self.map_args(v, rec, (k,)) for k, v in kwargs.items()}
        return rec

    def finish_record(self, rec: Record, out: Any, args: Any) -> None:
        """Give ``rec`` its output slots and append it; an output that is one of the
        arguments' arrays was written in place: other views of its memory go stale."""
        written = {id(t.array) for t in flatten_tensors(list(args))}
        written |= {id(a) for a in _arrays(args)}
        dep = any(s.dep for s in _slots((rec.args, rec.kwargs)))
        for j, t in enumerate(flatten_tensors(out)):
            y = t.array
            if id(y) in written:
                self._clobber(y, rec)
            slot = Slot("out", (rec.index, j), y, dep)
            rec.outputs.append(self._register(slot, t._node))
        self.records.append(rec)

    def depends(self, x: Tensor) -> bool:
        """Whether ``x`` was computed from the inputs (as far as the trace knows)."""
        s = self.nodes.get(id(x._node)) if x._node is not None else None
        s = s or self.slots.get(id(x.array))
        return s is not None and s.dep

    def _clobber(self, y: np.ndarray, rec: Record) -> None:
        for s in self.slots.values():
            if s.array is not y and np.may_share_memory(s.array, y):
                s.stale = rec

    # ---- module hooks ----------------------------------------------------------------
    def pre_hook(self, path: str) -> Callable:
        def hook(module: Any, args: tuple, kwargs: dict) -> None:
            rec = None
            cls = None if self.suppress else self.capture(module, args, kwargs,
                                                                self.depends)
            if cls is not None:
                self.stack.append((path, module, None))
                rec = self.new_record(cls, args, kwargs, whole=True)
                self.stack.pop()
                self.suppress += 1
            self.stack.append((path, module, rec))
        return hook

    def post_hook(self, module: Any, args: tuple, kwargs: dict, output: Any) -> None:
        _, _, rec = self.stack.pop()
        if rec is not None:
            self.suppress -= 1
            self.finish_record(rec, output, (args, kwargs))


def _slots(obj: Any) -> list:
    """The slots among ``obj``'s nested tuples, lists and dicts."""
    if isinstance(obj, Slot):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [s for o in obj for s in _slots(o)]
    if isinstance(obj, dict):
        return [s for o in obj.values() for s in _slots(o)]
    return []


def _arrays(obj: Any) -> list:
    """The NumPy arrays among ``obj``'s nested tuples, lists and dicts."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [a for o in obj for a in _arrays(o)]
    if isinstance(obj, dict):
        return [a for o in obj.values() for a in _arrays(o)]
    return []


def trace(model: Any, args: tuple, kwargs: dict, capture: Callable) -> Trace:
    """Run ``model(*args, **kwargs)`` once and record its ops (see the module docstring).

    Args:
        model (nn.Module): the model (in the mode the caller chose).
        args (tuple), kwargs (dict): the forward's arguments; every Tensor among them
            (nested in tuples, lists, dicts) is an input of the trace, in order.
        capture (callable): ``capture(module, args, kwargs, depends)`` is the class a
            layer's call is recorded whole as (its inner ops are not recorded), or None;
            ``depends(tensor)`` tells whether a Tensor was computed from the inputs.

    Returns:
        Trace.
    """
    global _active
    if _active is not None:
        raise OnnxExporterError("nnlite.onnx.export: an export is already tracing "
                                "(exports cannot be nested or run concurrently)")
    t = _Tracer(model, capture)
    frozen = [p for _, p in model.named_parameters()
              if p._node is None and p.array.dtype.kind == "f"]
    handles = []
    plain_bump = _versions.bump
    try:
        for p in frozen:
            p.requires_grad_(True)
        with enable_grad():
            fed = map_tensors((args, kwargs), _fed)
            inputs = [t._register(Slot("input", k, x.array, dep=True), x._node)
                      for k, x in enumerate(flatten_tensors(fed))]
            for path, module in model.named_modules():
                handles.append(module.register_forward_pre_hook(t.pre_hook(path),
                                                                with_kwargs=True))
                handles.append(module.register_forward_hook(t.post_hook, with_kwargs=True))
            _active = t
            Function.apply = classmethod(_traced_apply)
            _versions.bump = _traced_bump
            saved = _watch_conversions()
            out = model(*fed[0], **fed[1])
    finally:
        Function.apply = _plain_apply
        _versions.bump = plain_bump
        if "saved" in locals():
            _unwatch_conversions(saved)
        _active = None
        for h in handles:
            h.remove()
        for p in frozen:
            p.requires_grad_(False)
    _check_outputs(out)
    end = Record(len(t.records), type(model), (), {}, model, "", whole=False)
    outputs = [t.slot_of(o, ("output", k), end) for k, o in enumerate(flatten_tensors(out))]
    return Trace(inputs, t.params, t.records, outputs)


def _fed(x: Tensor) -> Tensor:
    """An input as the forward receives it: a floating one as a copy with a node (the
    ``Clone`` of a leaf that requires grad), so what is computed from it has nodes too."""
    if x.array.dtype.kind != "f":
        return x
    return Clone.apply(from_numpy(x.array).requires_grad_())


_plain_bump = _versions.bump


def _traced_bump(a: np.ndarray) -> None:
    """``versions.bump`` while tracing: count the write, and forget what ``a`` held."""
    _plain_bump(a)
    t = _active
    if t is not None and threading.get_ident() == t.thread:
        t.forget(a)


_TO_PYTHON = ("item", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__")


def _watched(name: str, method: Callable) -> Callable:
    def method_while_tracing(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        t = _active
        if (t is not None and not t.depth and threading.get_ident() == t.thread
                and t.depends(self)):
            warnings.warn(f"nnlite.onnx.export: Tensor.{name} turns a Tensor computed from "
                          f"the inputs into a Python value; the tracer cannot record what "
                          f"is done with it, so it is frozen into the graph (with any branch "
                          f"taken on it), and the graph may not follow other inputs",
                          TracerWarning, stacklevel=2)
        return method(self, *args, **kwargs)
    return method_while_tracing


def _watch_conversions() -> dict:
    """Wrap Tensor's conversions to Python values (``_TO_PYTHON``) to warn while
    tracing; returns what to put back."""
    saved = {name: Tensor.__dict__.get(name) for name in _TO_PYTHON}
    for name in _TO_PYTHON:
        setattr(Tensor, name, _watched(name, getattr(Tensor, name)))
    return saved


def _unwatch_conversions(saved: dict) -> None:
    for name, method in saved.items():
        if method is None:
            delattr(Tensor, name)
        else:
            setattr(Tensor, name, method)


def _check_outputs(out: Any) -> None:
    """The forward must return Tensors (in tuples, lists, dicts; None is skipped)."""
    if out is None or isinstance(out, Tensor):
        return
    if isinstance(out, (tuple, list)):
        for o in out:
            _check_outputs(o)
        return
    if isinstance(out, dict):
        for o in out.values():
            _check_outputs(o)
        return
    raise OnnxExporterError(f"nnlite.onnx.export: the model's forward returned a "
                            f"{type(out).__name__}; only Tensors (and tuples, lists and "
                            f"dicts of them) can be graph outputs")
