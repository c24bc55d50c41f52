"""The ONNX graph under construction: values, nodes, initializers, names.

A ``Value`` is one array of the traced forward seen in both traces (the export trace and
the probe trace, whose inputs differ in their values and in the sizes of the dynamic
axes): its shapes in the two tell which of its dims are dynamic, its arrays in the two
whether a constant depends on the inputs.

``Graph`` makes the nodes. The converters call ``g.node(op_type, inputs, **attributes)``
and the helpers below it; every node gets a name from the layer it converts, as torch
names them (``/features/0/Conv``, output ``/features/0/Conv_output_0``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import onnx
from onnx import helper, numpy_helper

__all__ = ["Value", "Graph", "INT64_MAX", "INT64_MIN"]

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


class Value:
    """One array of the forward, in both traces.

    Attributes:
        slot, alt (tracing.Slot): the array in the export trace and in the probe trace.
        name (str or None): its ONNX name, once a node made it (or it became an
            initializer or an input).
        constant (bool): it does not depend on the graph's inputs (a parameter, a buffer,
            a constant, or folded from them).
        varying (bool): a constant whose value differs between the two traces: it was
            computed from the inputs outside the traced ops, so it cannot be frozen.
    """

    __slots__ = ("slot", "alt", "name", "constant", "varying")

    def __init__(self, slot: Any, alt: Any, constant: bool) -> None:
        self.slot, self.alt, self.name = slot, alt, None
        self.constant = constant
        self.varying = constant and not _same_array(slot.array, alt.array)

    @property
    def array(self) -> np.ndarray:
        return self.slot.array

    @property
    def shape(self) -> tuple:
        return self.slot.array.shape

    @property
    def alt_shape(self) -> tuple:
        return self.alt.array.shape

    @property
    def dtype(self) -> np.dtype:
        return self.slot.array.dtype

    @property
    def ndim(self) -> int:
        return self.slot.array.ndim

    @property
    def dynamic(self) -> tuple:
        """Per dim, whether its size changed with the dynamic axes (same rank assumed:
        ``Op`` checks it)."""
        return tuple(a != b for a, b in zip(self.shape, self.alt_shape))

    def __repr__(self) -> str:
        return f"Value({self.name}, {self.shape}, {self.dtype})"


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    if a is b:
        return True
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def _attr(v: Any) -> Any:
    """An attribute value as onnx.helper wants it (Python numbers, lists, not NumPy's)."""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, (tuple, list)):
        return [_attr(x) for x in v]
    return v


class Graph:
    """Nodes and initializers of the graph being built.

    Args:
        opset (int): the opset version the nodes are written for.
    """

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list = []
        self.initializers: dict = {}        # name -> array, in creation order
        self.names: set = set()             # every name taken (values and nodes)
        self.scope = ""                     # '/features/0' while converting that layer
        self._consts: dict = {}             # (dtype, shape, bytes) -> name

    # ---- names -------------------------------------------------------------------------
    def fresh(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``, ... : a name not taken yet (now taken)."""
        name, k = base, 0
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        self.names.add(name)
        return name

    def take(self, name: str) -> str:
        """Claim ``name`` exactly (an input, an output, a parameter)."""
        if name in self.names:
            raise ValueError(f"nnlite.onnx.export: the name {name!r} is used twice (input "
                             f"and output names must differ from each other and from the "
                             f"model's state_dict keys)")
        self.names.add(name)
        return name

    # ---- nodes and constants --------------------------------------------------------------
    def node(self, op_type: str, inputs: Sequence[str | None], n_out: int = 1,
             **attrs: Any) -> Any:
        """Add an ``op_type`` node reading ``inputs`` (None or '' for an optional input
        left out); returns its output name (a list of ``n_out`` names if n_out != 1)."""
        base = self.fresh(f"{self.scope}/{op_type}")
        outs = [self.fresh(f"{base}_output_{i}") for i in range(n_out)]
        ins = ["" if i is None else i for i in inputs]
        while ins and ins[-1] == "":            # trailing optional inputs: left out
            ins.pop()
        attrs = {k: _attr(v) for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, ins, outs, name=base, **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, array: Any, hint: str = "Constant") -> str:
        """An initializer holding ``array`` (equal constants are stored once)."""
        a = np.asarray(array, order="C")
        key = (a.dtype.str, a.shape, a.tobytes())
        name = self._consts.get(key)
        if name is None:
            name = self.fresh(f"{self.scope}/{hint}" if not hint.startswith("/") else hint)
            self.initializers[name] = a
            self._consts[key] = name
        return name

    def initializer(self, name: str, array: np.ndarray) -> str:
        """An initializer under its own name (a parameter or buffer)."""
        self.initializers[self.take(name)] = np.asarray(array, order="C")
        return name

    def ints(self, values: Sequence[int]) -> str:
        """A 1-D int64 constant (shapes, axes, pads)."""
        return self.const(np.asarray(list(values), np.int64), "Constant")

    def scalar(self, value: Any, dtype: Any) -> str:
        """A 0-d constant of ``dtype``."""
        return self.const(np.asarray(value, dtype), "Constant")

    # ---- helpers the converters share -------------------------------------------------
    def reduce(self, op_type: str, x: str, axes: Sequence[int] | None,
               keepdims: bool) -> str:
        """``ReduceSum``/``ReduceMean``/``ReduceMax``/... over ``axes`` (None: all);
        axes are an attribute before opset 18 (13 for ReduceSum), an input from then."""
        keep = int(bool(keepdims))
        if axes is None:
            return self.node(op_type, [x], keepdims=keep)
        axes = [int(a) for a in axes]
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.node(op_type, [x, self.ints(axes)], keepdims=keep)
        return self.node(op_type, [x], axes=axes, keepdims=keep)

    def unsqueeze(self, x: str, axes: Sequence[int]) -> str:
        return self.node("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x: str, axes: Sequence[int]) -> str:
        return self.node("Squeeze", [x, self.ints(axes)])

    def transpose(self, x: str, perm: Sequence[int]) -> str:
        return self.node("Transpose", [x], perm=list(perm))

    def cast(self, x: str, dtype: Any) -> str:
        return self.node("Cast", [x], to=dtype_to_onnx(dtype))

    def shape_dims(self, x: str, start: int, end: int) -> str:
        """``x.shape[start:end]`` at run time, a 1-D int64 tensor."""
        return self.node("Shape", [x], start=start, end=end)

    def slice(self, x: str, starts: Sequence[int], ends: Sequence[int],
              axes: Sequence[int], steps: Sequence[int] | None = None) -> str:
        ins = [x, self.ints(starts), self.ints(ends), self.ints(axes)]
        if steps is not None and any(s != 1 for s in steps):
            ins.append(self.ints(steps))
        return self.node("Slice", ins)


def dtype_to_onnx(dtype: Any) -> int:
    """The ``onnx.TensorProto`` element type of a NumPy dtype."""
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def tensor_proto(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(array, order="C"), name)
