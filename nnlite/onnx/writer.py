"""The writer: the converted graph as an ``onnx.ModelProto``, with its inputs (dynamic
dims named), outputs, initializers, opset, IR version, checked by ``onnx.checker``."""
from __future__ import annotations

from typing import Any

import onnx
from onnx import helper

from .. import __version__
from .convert import Converter
from .errors import OnnxExporterError
from .graph import Graph, Value, dtype_to_onnx, tensor_proto
from .tracing import Trace

__all__ = ["build_model"]


def build_model(t1: Trace, t2: Trace, functions: dict, modules: dict, opset: int, fold: bool,
                in_names: list, out_names: list, axes: dict,
                keep_initializers_as_inputs: bool) -> onnx.ModelProto:
    """Convert the paired traces and wrap the graph into a checked model."""
    g = Graph(opset)
    conv = Converter(t1, t2, g, functions, modules, fold)
    in_values = [conv.value(s) for s in t1.inputs]
    for v, name in zip(in_values, in_names):
        v.name = g.take(name)
    conv.run()
    out_values = [conv.value(s) for s in t1.outputs]
    _name_outputs(g, conv, out_values, out_names)
    _prune(g, out_names)
    used = {i for n in g.nodes for i in n.input} | set(out_names)
    inputs = [_value_info(v, name, axes.get(name, {}), {}) for v, name in
              zip(in_values, in_names)]
    symbols = _input_symbols(in_values, in_names, axes)
    outputs = [_value_info(v, name, axes.get(name, {}), symbols, auto=True)
               for v, name in zip(out_values, out_names)]
    inits = [tensor_proto(n, a) for n, a in g.initializers.items() if n in used]
    if keep_initializers_as_inputs:
        inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
                   for t in inits]
    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, initializer=inits)
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="nnlite",
                              producer_version=__version__)
    model.ir_version = helper.find_min_ir_version_for(opsets)
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise OnnxExporterError(f"nnlite.onnx.export: internal error: onnx.checker rejects "
                                f"the exported model: {e}") from e
    return model


def _name_outputs(g: Graph, conv: Converter, values: list, names: list) -> None:
    """Give the graph outputs their names: the node making a value renames its output
    (everywhere), or an Identity node copies an input, an initializer or a value that is
    already another output."""
    produced = {o: (k, j) for k, n in enumerate(g.nodes) for j, o in enumerate(n.output)}
    renames: dict = {}
    g.scope = ""
    for v, name in zip(values, names):
        src = conv.name_of(v, None)
        src = renames.get(src, src)
        g.take(name)
        if src in produced and src not in renames.values() and src not in renames:
            renames[src] = name
        else:
            g.nodes.append(helper.make_node("Identity", [src], [name],
                                            name=g.fresh(f"/{name}/Identity")))
    for node in g.nodes:
        for seq in (node.input, node.output):
            for i, n in enumerate(seq):
                if n in renames:
                    seq[i] = renames[n]


def _prune(g: Graph, outputs: list) -> None:
    """Drop the nodes no output needs (a converter's unused intermediate results)."""
    needed = set(outputs)
    keep = []
    for node in reversed(g.nodes):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(i for i in node.input if i)
    g.nodes[:] = keep[::-1]


def _input_symbols(values: list, names: list, axes: dict) -> dict:
    """(size in the export trace, size in the probe trace) -> symbol, from the inputs'
    dynamic axes, so an output dim of the same sizes gets the same symbol."""
    out: dict = {}
    for v, name in zip(values, names):
        for a, sym in axes.get(name, {}).items():
            out.setdefault((v.shape[a], v.alt_shape[a]), sym)
    return out


def _value_info(v: Value, name: str, named: dict, symbols: dict,
                auto: bool = False) -> Any:
    """The declared type of an input or output: dims named in ``dynamic_axes`` are
    symbols; an output's other dims that changed between the traces take the symbol of
    the input axis of the same sizes (or ``<name>_dynamic_axes_<k>``)."""
    dims: list = []
    for a, n in enumerate(v.shape):
        if a in named:
            dims.append(named[a])
        elif auto and len(v.alt_shape) == len(v.shape) and v.alt_shape[a] != n:
            dims.append(symbols.get((n, v.alt_shape[a]), f"{name}_dynamic_axes_{a + 1}"))
        else:
            dims.append(int(n))
    return helper.make_tensor_value_info(name, dtype_to_onnx(v.dtype), dims)
