"""``nnlite.onnx.export``: write a model as an ONNX file by tracing, as ``torch.onnx.export``.

The steps: put the model in eval mode; trace its forward on the example inputs
(``tracing.py``); trace it again on *probe* inputs, the dynamic axes longer and the values
shuffled (``dynamic.py``); pair the two traces and convert each op the outputs need
(``convert.py`` and the table in ``converters/``); add the inputs and outputs; check the
model with ``onnx.checker``; write it; restore every module's mode.
"""
from __future__ import annotations

import inspect
import os
from typing import Any, Mapping, Sequence

import numpy as np

from ..tensor import Tensor, from_numpy
from .errors import OnnxExporterError
from .tracing import flatten_tensors, map_tensors, trace

__all__ = ["export", "is_in_onnx_export", "MIN_OPSET", "MAX_OPSET"]

MIN_OPSET = 17      # LayerNormalization
MAX_OPSET = 21      # the newest opset the converters are tested at
DEFAULT_OPSET = 17  # torch's default for its TorchScript exporter

_exporting = False


def is_in_onnx_export() -> bool:
    """Whether an ``nnlite.onnx.export`` is running (tracing the model), as
    ``torch.onnx.is_in_onnx_export``: a forward can check it to take an export-friendly
    path.

    Returns:
        bool.

    Example:
        >>> nl.onnx.is_in_onnx_export()
        False
    """
    return _exporting


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as e:
        raise ImportError("nnlite.onnx.export needs the 'onnx' package: pip install onnx "
                          "(or pip install nnlite-numpy[onnx])") from e
    return onnx


def export(model: Any, args: Any = (), f: Any = None, *, kwargs: Mapping | None = None,
           verbose: bool = False, input_names: Sequence[str] | None = None,
           output_names: Sequence[str] | None = None,
           opset_version: int | None = DEFAULT_OPSET,
           dynamic_axes: Mapping | None = None, keep_initializers_as_inputs: bool = False,
           do_constant_folding: bool = True, dynamo: bool = False) -> Any:
    """Export ``model`` to ONNX by tracing one forward pass in eval mode.

    The forward runs on ``args`` (with the model in eval mode; every module's mode is
    restored afterwards) and every nnlite op it applies is recorded and written as ONNX
    nodes; parameters and buffers become initializers named by their ``state_dict`` keys.
    Python control flow is frozen at the path the example took, as in torch's tracer; a
    value computed from the inputs outside nnlite's ops (in NumPy), which the graph could
    not recompute, raises an error rather than being frozen silently: the exporter runs
    the forward a second time on *probe* inputs (the dynamic axes longer, the values
    shuffled, a 0 in each row of integer inputs) and compares. A value that does not
    change on the probe escapes that check, so give examples that exercise the model
    (a padded batch with its padding, say).

    Args:
        model (nn.Module): the model.
        args (Tensor or tuple): the forward's positional arguments (a Tensor alone is one
            argument; a trailing dict holds keyword arguments, as in torch). Every Tensor
            (or NumPy array) among them is a graph input; other values are frozen.
        f (str, os.PathLike, file object or None): where to write the model (a path, or
            a binary file object); None writes nothing. Default: None.
        kwargs (dict, optional): keyword arguments of the forward. Default: None.
        verbose (bool): print the graph. Default: False.
        input_names (list of str, optional): names of the graph inputs, in order (the rest
            keep the default: the forward's argument names). Default: None.
        output_names (list of str, optional): names of the graph outputs (default
            'output', or 'output_0', 'output_1', ... for several). Default: None.
        opset_version (int): the ONNX opset, from 17 to 21. Default: 17.
        dynamic_axes (dict, optional): ``{name: [axis, ...]}`` or
            ``{name: {axis: 'symbol'}}`` for inputs and outputs whose sizes may differ at
            run time (e.g. ``{'input': {0: 'batch'}}``); other dims are fixed to the
            example's. Default: None.
        keep_initializers_as_inputs (bool): also list the initializers as graph inputs
            (so a runtime may override them). Default: False.
        do_constant_folding (bool): replace ops on constants made inside the forward by
            their results (ops on parameters stay in the graph, so every parameter keeps
            its state_dict name; ONNX Runtime folds those when it loads the model).
            Default: True.
        dynamo (bool): accepted so torch code runs unchanged; nnlite has one exporter
            (tracing). Default: False.

    Returns:
        onnx.ModelProto: the model (also written to ``f`` when given).

    Raises:
        UnsupportedOperatorError: an op (or layer) with no ONNX conversion; the message
            names the op and the layer (its module path).
        OnnxExporterError: an export the graph cannot express (a value computed from the
            inputs outside nnlite's ops, control flow that changes with the inputs, ...).
        ImportError: the ``onnx`` package is missing (``pip install onnx``).

    Example:
        >>> model = nl.models.LeNet5()
        >>> proto = nl.onnx.export(model, nl.randn(2, 1, 28, 28), "lenet5.onnx",
        ...                        input_names=["image"], output_names=["logits"],
        ...                        dynamic_axes={"image": {0: "batch"}})
        >>> [d.dim_param or d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
        ['batch', 10]
    """
    onnx = _require_onnx()
    from ..nn.module import Module
    if not isinstance(model, Module):
        raise TypeError(f"nnlite.onnx.export: model must be an nn.Module, got "
                        f"{type(model).__name__}")
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) \
            or not MIN_OPSET <= opset <= MAX_OPSET:
        raise ValueError(f"nnlite.onnx.export: opset_version must be an int from "
                         f"{MIN_OPSET} to {MAX_OPSET}, got {opset_version!r}")
    args, kwargs = _split_args(args, kwargs)
    inputs = flatten_tensors((args, kwargs))
    params = {n for n, _ in model.named_parameters()} | {n for n, _ in model.named_buffers()}
    in_names = _names(input_names, _default_input_names(model, args, kwargs), "input_names",
                      params)
    modes = [(m, m.training) for m in model.modules()]
    global _exporting
    _exporting = True
    try:
        model.eval()
        from .converters import FUNCTIONS, MODULES, converted_whole
        t1 = trace(model, args, kwargs, converted_whole)
        defaults = ["output"] if len(t1.outputs) == 1 else [
            f"output_{k}" for k in range(len(t1.outputs))]
        out_names = _names(output_names, defaults, "output_names", params | set(in_names))
        axes = _dynamic(dynamic_axes, in_names, out_names, inputs)
        probe = _probe(args, kwargs, inputs, in_names, axes)
        try:
            t2 = trace(model, probe[0], probe[1], converted_whole)
        except OnnxExporterError:
            raise
        except Exception as e:
            raise OnnxExporterError(
                f"nnlite.onnx.export: the model failed on the probe inputs (the example "
                f"inputs with their dynamic axes longer and their values shuffled, which "
                f"the exporter runs to find what depends on the inputs): "
                f"{type(e).__name__}: {e}") from e
    finally:
        _exporting = False
        for m, mode in modes:
            m.training = mode
    from .writer import build_model
    proto = build_model(t1, t2, FUNCTIONS, MODULES, opset, bool(do_constant_folding),
                        in_names, out_names, axes, keep_initializers_as_inputs)
    if verbose:
        print(onnx.printer.to_text(proto.graph))
    if f is not None:
        if isinstance(f, (str, os.PathLike)):
            onnx.save_model(proto, os.fspath(f))
        elif hasattr(f, "write"):
            f.write(proto.SerializeToString())
        else:
            raise TypeError(f"nnlite.onnx.export: f must be a path, a binary file object "
                            f"or None, got {type(f).__name__}")
    return proto


# ============================================================================
# Arguments
# ============================================================================
def _split_args(args: Any, kwargs: Mapping | None) -> tuple:
    """(args tuple, kwargs dict), NumPy arrays among them as Tensors; torch's conventions:
    a Tensor alone is one argument, a trailing dict holds keyword arguments."""
    if isinstance(args, (Tensor, np.ndarray)):
        args = (args,)
    elif isinstance(args, list):
        args = tuple(args)
    elif not isinstance(args, tuple):
        raise TypeError(f"nnlite.onnx.export: args must be a Tensor or a tuple of "
                        f"arguments, got {type(args).__name__}")
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict) and not kwargs:
        args, kwargs = args[:-1], dict(args[-1])
    return _arrays_as_tensors(args), _arrays_as_tensors(kwargs)


def _arrays_as_tensors(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return from_numpy(obj)
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_arrays_as_tensors(o) for o in obj)
    if isinstance(obj, list):
        return [_arrays_as_tensors(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _arrays_as_tensors(v) for k, v in obj.items()}
    return obj


def _default_input_names(model: Any, args: tuple, kwargs: dict) -> list:
    """The forward's argument names (``x``, ``input``, ...), ``name_k`` for the k-th
    Tensor of a nested argument."""
    try:
        params = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    names: list = []
    for i, a in enumerate(args):
        p = params[i] if i < len(params) else None
        if p is None or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            base = f"input_{i}"
        else:
            base = p.name
        ts = flatten_tensors(a)
        names += [base] if isinstance(a, Tensor) else [f"{base}_{k}" for k in range(len(ts))]
    for key, a in kwargs.items():
        ts = flatten_tensors(a)
        names += [key] if isinstance(a, Tensor) else [f"{key}_{k}" for k in range(len(ts))]
    return names


def _names(given: Sequence[str] | None, defaults: list, what: str, taken: set) -> list:
    """``given`` for the first names, defaults (kept clear of ``taken``) for the rest."""
    if given is None:
        given = []
    if isinstance(given, str) or not all(isinstance(n, str) for n in given):
        raise TypeError(f"nnlite.onnx.export: {what} must be a list of str, got {given!r}")
    given = list(given)
    if len(given) > len(defaults):
        raise ValueError(f"nnlite.onnx.export: {len(given)} {what} given for "
                         f"{len(defaults)} {what.split('_')[0]}s")
    names = given[:]
    used = set(taken) | set(given)
    for d in defaults[len(given):]:
        n = d
        while n in used:
            n += "_"
        used.add(n)
        names.append(n)
    if len(set(names)) != len(names):
        raise ValueError(f"nnlite.onnx.export: {what} {names} repeat a name")
    clash = set(given) & set(taken)
    if clash:
        raise ValueError(f"nnlite.onnx.export: {what} {sorted(clash)} are already taken "
                         f"(by the model's state_dict keys or the input names)")
    return names


def _dynamic(dynamic_axes: Mapping | None, in_names: list, out_names: list,
             inputs: list) -> dict:
    from .dynamic import parse_dynamic_axes
    return parse_dynamic_axes(dynamic_axes, in_names, out_names, [x.ndim for x in inputs])


def _probe(args: tuple, kwargs: dict, inputs: list, in_names: list, axes: dict) -> tuple:
    """The probe arguments: each input's values shuffled (``dynamic.probe_array``) and
    its dynamic axes longer, by the same amount for every axis of one symbol: a symbol
    first seen at axis 0 (a batch, usually) grows by 1, any other to twice its size plus
    one (a spatial or sequence size: downsampling by up to 2^k keeps the two traces'
    sizes apart, and odd sizes meet the ceil-mode windows); the k-th symbol adds k more,
    so no two symbols grow alike."""
    from .dynamic import probe_array
    growth: dict = {}
    for x, name in zip(inputs, in_names):
        for a, sym in axes.get(name, {}).items():
            if sym not in growth:
                growth[sym] = (1 if a == 0 else x.shape[a] + 1) + len(growth)
    arrays = []
    for x, name in zip(inputs, in_names):
        sizes = {a: x.shape[a] + growth[s] for a, s in axes.get(name, {}).items()}
        arrays.append(from_numpy(probe_array(x.array, sizes)))
    it = iter(arrays)
    return map_tensors((args, kwargs), lambda t: next(it))
