"""``summary(model, input_size)``: torchinfo's table of a model -- each layer with its output
shape, parameter count and mult-adds, and the totals -- from one forward pass watched by
forward hooks.

How it works: a pre-hook on every module opens a ``LayerInfo`` row when the module is
called (a module called twice gets two rows, the second marked recursive) and a forward
hook fills in the shapes and the mult-adds (``mult_adds.py``) when it returns. The pass
runs under ``no_grad`` in eval mode (``mode="train"`` to change it); every module's own
mode is restored afterwards. Containers that were never called themselves (a
``ModuleList``) get their rows put back in the tree. The table is ``model_statistics.py``.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..autograd.grad_mode import no_grad
from ..factories import ones, rand, zeros
from ..nn.module import Module
from ..tensor import Tensor, from_numpy, get_default_dtype
from .model_statistics import COLUMNS, LAYER_MODULES, LayerInfo, ModelStatistics
from .mult_adds import mult_adds

__all__ = ["summary"]

DEFAULT_COLUMNS = ("output_size", "num_params", "mult_adds")
NEEDS_INPUT = ("input_size", "output_size", "mult_adds")
ROW_SETTINGS = ("depth", "var_names", "ascii_only", "hide_recursive_layers")


# ============================================================================
# summary()
# ============================================================================
def summary(model: Module, input_size: Sequence[Any] | None = None,
            input_data: Any = None, batch_dim: int | None = None,
            col_names: Iterable[str] | None = None, col_width: int = 25, depth: int = 3,
            device: Any = None, dtypes: Sequence[Any] | None = None, mode: str | None = None,
            row_settings: Iterable[str] | None = None, verbose: int | None = None,
            **kwargs: Any) -> ModelStatistics:
    """Print a table of ``model``'s layers -- output shape, parameters, mult-adds -- and
    its totals, as torchinfo's ``summary`` does, from one forward pass.

    The pass runs under ``no_grad`` in eval mode (or ``mode``); the mode of every module
    is restored afterwards and the hooks removed. Without ``input_size`` and
    ``input_data`` no pass runs and the table lists the modules and their parameters.

    Args:
        model (Module): the model.
        input_size (sequence): the shape of the input, batch axis included
            (``(16, 1, 28, 28)``), or a list of shapes for a model with several inputs.
            Inputs of ``dtypes`` are made: uniform in [0, 1) (ones for an integer dtype,
            so token ids are not padding; False for bool). Default: None.
        input_data: the input itself instead: a Tensor (or array), a list/tuple of
            positional arguments, or a dict of keyword arguments. Default: None.
        batch_dim (int, optional): the axis where a batch of 1 is inserted into each
            ``input_size`` shape, which is then given without it. Default: None.
        col_names (iterable of str): columns among ``"input_size"``, ``"output_size"``,
            ``"num_params"``, ``"params_percent"``, ``"kernel_size"``, ``"mult_adds"``,
            ``"trainable"``. Default: ``("output_size", "num_params", "mult_adds")``
            (``("num_params",)`` without an input).
        col_width (int): width of each column. Default: 25.
        depth (int): deepest level of nested modules shown; a row at that depth sums
            what lies below it. Default: 3.
        device: ``"cpu"`` (nnlite runs on the CPU only; others raise). Default: None.
        dtypes (list): the dtype of each ``input_size`` input. Default: the default dtype.
        mode (str): ``"eval"`` or ``"train"``: the mode of the pass. Default: "eval".
        row_settings (iterable of str): among ``"depth"`` (``Conv2d: 1-1``),
            ``"var_names"`` (``Conv2d (c1): 1-1``), ``"ascii_only"``,
            ``"hide_recursive_layers"``. Default: ``("depth",)``.
        verbose (int): 0 prints nothing, 1 the table, 2 also a row per weight and bias.
            Default: 1 (0 in an interactive session, where the returned value shows).
        **kwargs: more keyword arguments for ``model.forward``.

    Returns:
        ModelStatistics: ``str()`` is the table; ``total_params``, ``trainable_params``,
        ``non_trainable_params``, ``total_mult_adds``, ``total_input``,
        ``total_output_bytes``, ``total_param_bytes`` and the rows (``summary_list``).

    Example:
        >>> from nnlite.models import LeNet5
        >>> from nnlite.utils import summary
        >>> stats = summary(LeNet5(), (1, 1, 28, 28), verbose=0)
        >>> stats.total_params, stats.total_mult_adds
        (61706, 423038)
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    has_input = input_size is not None or input_data is not None
    if input_size is not None and input_data is not None:
        raise RuntimeError("summary: pass only one of input_size and input_data")
    columns = _choices("col_names", col_names, COLUMNS,
                       DEFAULT_COLUMNS if has_input else ("num_params",))
    rows = set(_choices("row_settings", row_settings, ROW_SETTINGS, ("depth",)))
    if not has_input and set(columns) & set(NEEDS_INPUT):
        raise ValueError(f"summary: the columns {sorted(set(columns) & set(NEEDS_INPUT))} "
                         f"need input_size or input_data")
    if mode not in (None, "eval", "train"):
        raise ValueError(f"summary: mode must be 'train' or 'eval', got {mode!r}")
    if verbose is None:
        verbose = 0 if getattr(sys, "ps1", None) else 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"summary: verbose must be 0, 1 or 2, got {verbose!r}")
    if isinstance(col_width, bool) or not isinstance(col_width, int) or col_width <= 0:
        raise ValueError(f"summary: col_width must be a positive int, got {col_width!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"summary: depth must be an int >= 0, got {depth!r}")
    if device is not None:
        model.to(device)                    # "cpu" changes nothing; a GPU raises clearly

    if input_data is not None:
        args, kw = _as_arguments(input_data)
        shapes = _map_tensors(args + list(kw.values()), lambda t: list(t.shape))
    elif input_size is not None:
        shapes = _input_shapes(input_size)
        args, kw = _random_inputs(shapes, batch_dim, dtypes), {}
    else:
        args, kw, shapes = None, {}, []
    summary_list = _forward_pass(model, args, {**kw, **kwargs}, mode or "eval")
    nbytes = _map_tensors((args, kw), lambda t: t.numel() * t.element_size())
    stats = ModelStatistics(summary_list, shapes, _total(nbytes), model, columns, col_width,
                            depth, verbose, rows)
    if verbose:
        print(stats)
    return stats


def _choices(arg: str, given: Iterable[str] | None, allowed: Iterable[str],
             default: tuple) -> tuple:
    if given is None:
        return default
    given = (given,) if isinstance(given, str) else tuple(given)
    bad = [g for g in given if g not in allowed]
    if bad:
        raise ValueError(f"summary: unknown {arg} {bad}; choose from {list(allowed)}")
    return given


# ---- inputs ------------------------------------------------------------------
def _input_shapes(input_size: Any) -> list:
    """``(1, 3, 8, 8)`` or ``[1, 3, 8, 8]`` -> one shape; a sequence of shapes -> each."""
    if not isinstance(input_size, (list, tuple)) or not input_size:
        raise TypeError(f"summary: input_size must be a shape (a tuple of ints) or a list of "
                        f"shapes, got {input_size!r}")
    shapes = [input_size] if all(isinstance(s, (int, np.integer)) for s in input_size) \
        else list(input_size)
    for s in shapes:
        if not isinstance(s, (list, tuple)) or not all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                for d in s):
            raise ValueError(f"summary: input_size must hold shapes of positive ints, got "
                             f"{input_size!r}")
    return [list(s) for s in shapes]


def _random_inputs(shapes: list, batch_dim: int | None, dtypes: Sequence[Any] | None) -> list:
    """Inputs of these shapes: uniform in [0, 1) for a floating dtype; ones for an integer
    dtype (token 1, a word where 0 is padding); False for bool (masks that hide nothing).
    A batch axis of 1 is inserted at ``batch_dim`` (counted as ``unsqueeze`` counts it)."""
    if dtypes is None:
        dtypes = [get_default_dtype()] * len(shapes)
    elif len(dtypes) != len(shapes):
        raise ValueError(f"summary: dtypes has {len(dtypes)} entries for {len(shapes)} "
                         f"input shapes")
    out = []
    for shape, dtype in zip(shapes, dtypes):
        if batch_dim is not None:
            if not -len(shape) - 1 <= batch_dim <= len(shape):
                raise ValueError(f"summary: batch_dim {batch_dim} is out of range for the "
                                 f"input shape {tuple(shape)}")
            shape = list(shape)
            shape.insert(batch_dim if batch_dim >= 0 else len(shape) + batch_dim + 1, 1)
        kind = np.dtype(dtype).kind
        out.append(rand(*shape, dtype=dtype) if kind in "fc" else
                   zeros(shape, dtype=dtype) if kind == "b" else ones(shape, dtype=dtype))
    return out


def _as_arguments(data: Any) -> tuple:
    """``input_data`` -> (positional args, keyword args); arrays become Tensors."""
    data = _map_tensors(data, lambda t: t)
    if isinstance(data, Mapping):
        return [], dict(data)
    if isinstance(data, Tensor):
        return [data], {}
    if isinstance(data, (list, tuple)):
        return list(data), {}
    raise TypeError(f"summary: input_data must be a Tensor, an array, a list/tuple of "
                    f"arguments or a dict of keyword arguments, got {type(data).__name__}")


def _map_tensors(data: Any, fn: Any) -> Any:
    """Apply ``fn`` to every Tensor (or array, made a Tensor) in nested lists/dicts."""
    if isinstance(data, np.ndarray):
        data = from_numpy(data)
    if isinstance(data, Tensor):
        return fn(data)
    if isinstance(data, Mapping):
        return {k: _map_tensors(v, fn) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):    # a namedtuple
        return type(data)(*[_map_tensors(v, fn) for v in data])
    if isinstance(data, (list, tuple)):
        return type(data)(_map_tensors(v, fn) for v in data)
    return data


def _total(nested: Any) -> int:
    if isinstance(nested, Mapping):
        return sum(_total(v) for v in nested.values())
    if isinstance(nested, (list, tuple)):
        return sum(_total(v) for v in nested)
    return nested if isinstance(nested, int) else 0


# ---- the forward pass ----------------------------------------------------------
def _forward_pass(model: Module, args: list | None, kwargs: dict, mode: str) -> list:
    """Hook every module, run the model once (if there is an input), return the rows."""
    rows: list[LayerInfo] = []
    current: dict[int, LayerInfo] = {}        # id(module) -> the row of its latest call
    handles = []

    def pre_hook(var_name: str, depth: int, parent: LayerInfo | None) -> Any:
        def hook(module: Module, inputs: tuple) -> None:
            info = LayerInfo(var_name, module, depth, parent)
            info.is_recursive = id(module) in current       # called before: listed
            rows.append(info)
            current[id(module)] = info
        return hook

    def post_hook(module: Module, inputs: tuple, kw: dict, output: Any) -> None:
        info = current[id(module)]
        info.input_size = _shape_and_itemsize(inputs)[0]
        info.output_size, itemsize = _shape_and_itemsize(output)
        info.output_bytes = itemsize * math.prod(info.output_size)
        info.macs = mult_adds(module, inputs, kw, info.output_size)
        info.executed = True

    modes = [(m, m.training) for m in model.modules()]
    try:
        stack = [(type(model).__name__, model, 0, None)]     # depth-first, in order
        hooked: set[int] = set()
        while stack:
            name, module, depth, parent = stack.pop()
            hook = pre_hook(name, depth, parent)
            if args is None:
                hook(module, ())                 # no pass: a row per place in the tree
            elif id(module) not in hooked:       # a module at two places: hooked once
                handles.append(module.register_forward_pre_hook(hook))
                handles.append(module.register_forward_hook(post_hook, with_kwargs=True))
            if id(module) in hooked or isinstance(module, LAYER_MODULES):
                continue                         # its children are listed once
            hooked.add(id(module))
            static = LayerInfo(name, module, depth, parent)   # the parent of its children
            stack += [(n, m, depth + 1, static)
                      for n, m in reversed(module._modules.items()) if m is not None]
        if args is not None:
            model.train(mode == "train")
            with no_grad():
                model(*args, **kwargs)
    except Exception as exc:
        if args is None:
            raise
        done = [r for r in rows if r.executed]
        running = [f"{r.var_name} ({r.class_name})" for r in rows if not r.executed]
        raise RuntimeError(f"summary: the forward pass of {type(model).__name__} failed "
                           f"in {running[-1] if running else 'the model'} "
                           f"({type(exc).__name__}: {exc}); layers that ran: {done}") from exc
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
    if args is not None:
        rows = _add_missing_containers(rows)
    _set_children(rows)
    return rows


def _add_missing_containers(rows: list) -> list:
    """Put back the row of each container a row sits in but whose own call did not
    happen (a ModuleList, or a Sequential entered through one of its layers)."""
    out: list[LayerInfo] = []
    listed = {r.layer_id for r in rows}
    open_rows: dict[int, LayerInfo] = {}     # depth -> the container row open at that depth
    for r in rows:
        chain, p = {}, r.parent_info
        while p is not None and p.depth > 0:
            chain[p.depth] = p
            p = p.parent_info
        for d in range(1, r.depth):
            have = open_rows.get(d)
            if have is None or have.module is not chain[d].module:
                row = LayerInfo(chain[d].var_name, chain[d].module, d, chain[d].parent_info)
                row.is_recursive = row.layer_id in listed
                listed.add(row.layer_id)
                out.append(row)
                open_rows[d] = row
                for deeper in [k for k in open_rows if k > d]:
                    del open_rows[deeper]
        out.append(r)
        open_rows[r.depth] = r
        for deeper in [k for k in open_rows if k > r.depth]:
            del open_rows[deeper]
    return out


def _set_children(rows: list) -> None:
    """``depth_index`` (the count of rows of that depth so far) and ``children``."""
    count: dict[int, int] = {}
    for i, r in enumerate(rows):
        count[r.depth] = count.get(r.depth, 0) + 1
        r.depth_index = count[r.depth]
        end = i + 1
        while end < len(rows) and rows[end].depth > r.depth:
            end += 1
        r.children = rows[i + 1:end]


def _shape_and_itemsize(obj: Any) -> tuple:
    """The shape (list) and element size of the first tensor in ``obj`` (a tensor; a
    PackedSequence: its data; a list/tuple: its first item; a dict: its last value)."""
    if isinstance(obj, (Tensor, np.ndarray)):
        return list(obj.shape), obj.dtype.itemsize
    if isinstance(obj, tuple) and isinstance(getattr(obj, "data", None), Tensor):
        return _shape_and_itemsize(obj.data)                 # PackedSequence
    if isinstance(obj, Mapping) and obj:
        return _shape_and_itemsize(list(obj.values())[-1])
    if isinstance(obj, (list, tuple)) and obj:
        return _shape_and_itemsize(obj[0])
    return [], 0
