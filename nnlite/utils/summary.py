"""``summary(model, input_size)``: torchinfo's table of a model -- each layer with its output
shape, parameter count and mult-adds, and the totals -- from one forward pass watched by
forward hooks.

How it works: a pre-hook on every module opens a ``LayerInfo`` row when the module is
called (a module called twice gets two rows, the second marked recursive) and a forward
hook fills in the shapes and mult-adds when it returns. The pass runs under ``no_grad`` in
eval mode (``mode="train"`` to change it); every module's own mode is restored afterwards.
Containers that were never called themselves (a ``ModuleList``) get their rows put back in
the tree.

Mult-adds are counted as torchinfo counts them: each use of a weight element is one
multiply-add, a bias element one more, so a layer costs ``numel(param) * positions`` summed
over its parameters, where positions is

    Conv*:    batch x output spatial size (N * H_out * W_out for Conv2d; ConvTranspose too)
    Linear*:  every leading axis of the output (N * L for an (N, L, F) input)
    RNN/LSTM/GRU (weight_ih_l0, ...): every time step of every sequence (T * N)
    others with weight/bias (BatchNorm, LayerNorm, ...): the batch size N (torchinfo's rule)
    Embedding, EmbeddingBag: 0 (a lookup multiplies nothing)
    MultiheadAttention: its Q/K/V and output projections plus 2 * L * S * E for the scores
                        and the weighted sum (one row: out_proj is not called as a module)

Only leaf layers (and attention) are summed into the total, so no work is counted twice.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..autograd.grad_mode import no_grad
from ..factories import rand, zeros
from ..tensor import Tensor, from_numpy, get_default_dtype
from ..nn.attention import MultiheadAttention
from ..nn.module import Module
from ..nn.sparse import Embedding, EmbeddingBag

__all__ = ["summary", "ModelStatistics", "LayerInfo"]

COLUMNS = {"input_size": "Input Shape", "output_size": "Output Shape",
           "num_params": "Param #", "params_percent": "Param %",
           "kernel_size": "Kernel Shape", "mult_adds": "Mult-Adds", "trainable": "Trainable"}
DEFAULT_COLUMNS = ("output_size", "num_params", "mult_adds")
NEEDS_INPUT = ("input_size", "output_size", "mult_adds")
ROW_SETTINGS = ("depth", "var_names", "ascii_only", "hide_recursive_layers")
# Modules that do their children's work themselves (MultiheadAttention reads out_proj's
# weight without calling it): one row each, their children are not hooked.
LAYER_MODULES = (MultiheadAttention,)


# ============================================================================
# One row: a module's call
# ============================================================================
class LayerInfo:
    """What ``summary`` records of one call of a module (one row of the table).

    Attributes:
        module: the module; ``class_name``, ``var_name`` (its attribute name), ``depth``
            (0 for the model) and ``depth_index`` (its rank among the rows of its depth).
        input_size, output_size (list of int): the shapes of the first input and output
            (``[]`` before the call).
        num_params, trainable_params, param_bytes (int): of the module and its children.
        macs (int): the mult-adds of this call; ``output_bytes`` the output's size.
        is_leaf_layer, is_recursive, executed (bool): no children (or a ``LAYER_MODULES``
            one); a module already listed; the call has returned.
        children (list): the rows below this one in the tree.
    """

    def __init__(self, var_name: str, module: Module, depth: int,
                 parent_info: "LayerInfo | None" = None) -> None:
        self.module, self.var_name, self.depth = module, var_name, depth
        self.layer_id = id(module)
        self.class_name = type(module).__name__
        self.parent_info = parent_info
        self.depth_index: int | None = None
        self.children: list[LayerInfo] = []
        self.is_leaf_layer = isinstance(module, LAYER_MODULES) or not any(
            m is not None for m in module._modules.values())
        self.is_recursive = self.executed = False
        self.input_size: list = []
        self.output_size: list = []
        self.output_bytes = self.macs = 0
        k = getattr(module, "kernel_size", None)
        self.kernel_size = list(k) if isinstance(k, (tuple, list)) else k
        self.num_params = self.trainable_params = self.param_bytes = 0
        self.inner_layers: dict[str, dict[str, str]] = {}   # verbose=2: a row per parameter
        for name, p in module.named_parameters():
            n = p.numel()
            self.num_params += n
            self.param_bytes += n * p.element_size()
            self.trainable_params += n if p.requires_grad else 0
            if parent_info is not None or "." not in name:   # the model: its own only
                shape = list(p.shape)
                if name == "weight" and len(shape) > 1:      # [in, out, *kernel] as torchinfo
                    shape[0], shape[1] = shape[1], shape[0]
                self.inner_layers[name] = {"kernel_size": str(shape), "num_params": f"├─{n:,}"}
        if self.inner_layers:
            last = self.inner_layers[name if name in self.inner_layers else
                                     list(self.inner_layers)[-1]]
            last["num_params"] = "└─" + last["num_params"][2:]

    def __repr__(self) -> str:
        return f"{self.class_name}: {self.depth}"

    @property
    def trainable(self) -> str:
        """"True", "False", "Partial" (some parameters frozen) or "--" (none)."""
        if self.num_params == 0:
            return "--"
        if self.trainable_params == 0:
            return "False"
        return "True" if self.trainable_params == self.num_params else "Partial"

    def get_layer_name(self, show_var_name: bool, show_depth: bool) -> str:
        """``Conv2d: 1-1`` (``Conv2d (c1): 1-1`` with ``show_var_name``)."""
        name = self.class_name
        if show_var_name and self.var_name:
            name += f" ({self.var_name})"
        if show_depth and self.depth > 0:
            name += f": {self.depth}" + (f"-{self.depth_index}" if self.depth_index else "")
        return name

    def leftover_params(self) -> int:
        """Parameters of this module not counted in a child's row (its own, an unused
        child's)."""
        return self.num_params - sum(c.num_params for c in self.children
                                     if c.depth == self.depth + 1 and not c.is_recursive)

    def num_params_to_str(self, reached_max_depth: bool) -> str:
        if self.num_params == 0:
            return "--"
        if self.is_recursive:
            return "(recursive)"
        if reached_max_depth or self.is_leaf_layer:
            n = f"{self.num_params:,}"
            return n if self.trainable_params else f"({n})"       # frozen: in parentheses
        left = self.leftover_params()
        return f"{left:,}" if left > 0 else "--"

    def params_percent(self, total_params: int, reached_max_depth: bool) -> str:
        if total_params == 0:
            return "     --"
        if self.is_recursive:
            return "(recursive)"
        n = self.num_params if reached_max_depth or self.is_leaf_layer else self.leftover_params()
        return f"{n / total_params:>7.2%}" if n else "     --"

    def macs_to_str(self, reached_max_depth: bool) -> str:
        if self.is_leaf_layer:
            return f"{self.macs:,}" if self.macs > 0 else "--"
        if reached_max_depth:                         # the rows hidden below this one
            n = sum(c.macs for c in self.children if c.is_leaf_layer)
            return f"{n:,}" if n > 0 else "--"
        return "--"


# ============================================================================
# The result: rows and totals
# ============================================================================
class ModelStatistics:
    """What ``summary`` returns: ``str()`` is the table; the totals are attributes.

    Attributes:
        summary_list (list of LayerInfo): the rows, in call order.
        input_size (list): the shape of each input.
        total_params, trainable_params, non_trainable_params (int): over the model's
            parameters (a shared one once).
        total_mult_adds (int): over the calls of leaf layers.
        total_input, total_output_bytes, total_param_bytes (int): bytes of the inputs, of
            the outputs of layers with parameters (x 2: their gradients too) and of the
            parameters.
    """

    def __init__(self, summary_list: list, input_size: list, total_input: int,
                 model: Module, col_names: tuple, col_width: int, depth: int, verbose: int,
                 row_settings: set) -> None:
        self.summary_list, self.input_size, self.total_input = summary_list, input_size, total_input
        self.col_names, self.col_width, self.max_depth = col_names, col_width, depth
        self.verbose, self.row_settings = verbose, row_settings
        params = list(model.parameters())
        self.total_params = sum(p.numel() for p in params)
        self.trainable_params = sum(p.numel() for p in params if p.requires_grad)
        self.total_param_bytes = sum(p.numel() * p.element_size() for p in params)
        leaves = [r for r in summary_list if r.is_leaf_layer]
        self.total_mult_adds = sum(r.macs for r in leaves)
        self.total_output_bytes = sum(2 * r.output_bytes for r in leaves if r.num_params)
        show = self._show_var_name, self._show_depth = ("var_names" in row_settings,
                                                        "depth" in row_settings)
        width = max([len(r.get_layer_name(*show)) + r.depth * 5 + 1 for r in summary_list],
                    default=0)
        self.layer_name_width = max(40, math.ceil(width / 5) * 5)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    # ---- the table -------------------------------------------------------------
    def _row(self, name: str, values: Mapping[str, str]) -> str:
        line = f"{name:<{self.layer_name_width}} "
        for col in self.col_names:
            line += f"{values.get(col, ''):<{self.col_width}} "
        return line.rstrip() + "\n"

    def _prefix(self, depth: int) -> str:
        ascii_only = "ascii_only" in self.row_settings
        if depth == 0:
            return ""
        tip = "+ " if ascii_only else ("├─" if depth == 1 else "└─")
        return ("|    " if ascii_only else "│    ") * (depth - 1) + tip

    def _layer_rows(self, r: LayerInfo) -> str:
        at_max = r.depth == self.max_depth
        values = {"input_size": str(r.input_size) if r.input_size else "--",
                  "output_size": str(r.output_size) if r.output_size else "--",
                  "kernel_size": str(r.kernel_size) if r.kernel_size else "--",
                  "num_params": r.num_params_to_str(at_max),
                  "params_percent": r.params_percent(self.total_params, at_max),
                  "mult_adds": r.macs_to_str(at_max), "trainable": r.trainable}
        name = r.get_layer_name(self._show_var_name, self._show_depth)
        text = self._row(self._prefix(r.depth) + name, values)
        if self.verbose == 2:
            for inner, vals in r.inner_layers.items():
                if "ascii_only" in self.row_settings:
                    vals = {k: v.replace("├─", "+ ").replace("└─", "+ ") for k, v in vals.items()}
                text += self._row(self._prefix(r.depth + 1) + inner, vals)
        return text

    @staticmethod
    def _count(n: int, auto_units: bool) -> str:
        """``: 61,706`` or, with units, `` (M): 0.42`` (G, T above 1e9, 1e12)."""
        if not auto_units:
            return f": {n:,}"
        unit, scale = (("T", 1e12) if n >= 1e12 else ("G", 1e9) if n >= 1e9 else ("M", 1e6))
        v = n / scale
        return f" ({unit}): {int(v):,}" if float(v).is_integer() else f" ({unit}): {v:,.2f}"

    def __str__(self) -> str:
        divider = "=" * (len(self.col_names) * self.col_width + self.layer_name_width)
        header = "Layer (type" + (" (var_name)" if self._show_var_name else "") + \
                 (":depth-idx" if self._show_depth else "") + ")"
        rows = "".join(self._layer_rows(r) for r in self.summary_list
                       if r.depth <= self.max_depth and not (
                           "hide_recursive_layers" in self.row_settings and r.is_recursive))
        text = (f"{divider}\n{self._row(header, COLUMNS)}{divider}\n{rows}{divider}\n"
                f"Total params{self._count(self.total_params, False)}\n"
                f"Trainable params{self._count(self.trainable_params, False)}\n"
                f"Non-trainable params{self._count(self.non_trainable_params, False)}\n")
        if self.input_size:
            total = self.total_input + self.total_output_bytes + self.total_param_bytes
            text += (f"Total mult-adds{self._count(self.total_mult_adds, True)}\n{divider}\n"
                     f"Input size (MB): {self.total_input / 1e6:0.2f}\n"
                     f"Forward/backward pass size (MB): {self.total_output_bytes / 1e6:0.2f}\n"
                     f"Params size (MB): {self.total_param_bytes / 1e6:0.2f}\n"
                     f"Estimated Total Size (MB): {total / 1e6:0.2f}\n")
        return text + divider

    __repr__ = __str__


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
            Random inputs of ``dtypes`` are made (zeros for integer dtypes). Default: None.
        input_data: the input itself instead: a Tensor (or array), a list/tuple of
            positional arguments, or a dict of keyword arguments. Default: None.
        batch_dim (int, optional): where to insert a batch axis of 1 into each
            ``input_size`` shape (which then leaves it out). Default: None.
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
    if dtypes is None:
        dtypes = [get_default_dtype()] * len(shapes)
    elif len(dtypes) != len(shapes):
        raise ValueError(f"summary: dtypes has {len(dtypes)} entries for {len(shapes)} "
                         f"input shapes")
    out = []
    for shape, dtype in zip(shapes, dtypes):
        if batch_dim is not None:
            shape = shape[:batch_dim] + [1] + shape[batch_dim:] if batch_dim >= 0 else \
                shape[:len(shape) + batch_dim + 1] + [1] + shape[len(shape) + batch_dim + 1:]
        kind = np.dtype(dtype).kind
        out.append(rand(*shape, dtype=dtype) if kind in "fc" else zeros(shape, dtype=dtype))
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
            info.is_recursive = any(r.layer_id == info.layer_id for r in rows)
            rows.append(info)
            current[id(module)] = info
        return hook

    def post_hook(module: Module, inputs: tuple, kw: dict, output: Any) -> None:
        info = current[id(module)]
        info.input_size = _shape_and_itemsize(inputs)[0]
        info.output_size, itemsize = _shape_and_itemsize(output)
        info.output_bytes = itemsize * math.prod(info.output_size)
        info.macs = _mult_adds(module, inputs, kw, info.output_size)
        info.executed = True

    stack = [(type(model).__name__, model, 0, None)]         # depth-first, in order
    while stack:
        name, module, depth, parent = stack.pop()
        static = LayerInfo(name, module, depth, parent)      # the parent of its children
        hook = pre_hook(name, depth, parent)
        if args is None:
            hook(module, ())
        else:
            handles.append(module.register_forward_pre_hook(hook))
            handles.append(module.register_forward_hook(post_hook, with_kwargs=True))
        if not isinstance(module, LAYER_MODULES):
            stack += [(n, m, depth + 1, static)
                      for n, m in reversed(module._modules.items()) if m is not None]
    if args is not None:
        modes = [(m, m.training) for m in model.modules()]
        try:
            model.train(mode == "train")
            with no_grad():
                model(*args, **kwargs)
        except Exception as exc:
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


# ---- mult-adds ---------------------------------------------------------------------
def _mult_adds(module: Module, inputs: tuple, kwargs: dict, out: list) -> int:
    """The mult-adds of one call (the rules in this module's docstring)."""
    if isinstance(module, MultiheadAttention):
        return _attention_mult_adds(module, inputs, kwargs)
    if isinstance(module, (Embedding, EmbeddingBag)) or not out:
        return 0
    name, total = type(module).__name__, 0
    for pname, p in module.named_parameters():
        if pname in ("weight", "bias"):
            if "Conv" in name:                 # batch x spatial: all but the channel axis
                k = module.weight.ndim - 2 if getattr(module, "weight", None) is not None \
                    else len(out) - 2
                positions = math.prod(out) // out[-k - 1] if len(out) > k else 1
            elif "Linear" in name:
                positions = math.prod(out[:-1])
            else:
                positions = out[0]
        elif "weight" in pname or "bias" in pname:           # weight_ih_l0, ...: per step
            positions = math.prod(out[:-1])
        else:
            continue
        total += p.numel() * positions
    return total


def _attention_mult_adds(m: MultiheadAttention, inputs: tuple, kwargs: dict) -> int:
    """Q, K, V projections + Q K^T + weights x V + output projection (with biases)."""
    qkv = list(inputs[:3]) + [kwargs.get(k) for k in ("query", "key", "value")[len(inputs):]]
    q, k, _ = qkv
    if not isinstance(q, Tensor) or not isinstance(k, Tensor):
        return 0
    E = m.embed_dim
    n_q, n_k = math.prod(q.shape[:-1]), math.prod(k.shape[:-1])     # tokens, batch included
    seq_axis = 1 if m.batch_first and k.ndim == 3 else 0
    S = k.shape[seq_axis] + (m.bias_k is not None) + bool(m.add_zero_attn)
    macs = n_q * E * E + n_k * E * (m.kdim + m.vdim)                # in projections
    macs += (n_q + 2 * n_k) * E if m.in_proj_bias is not None else 0
    macs += 2 * n_q * S * E                                         # scores, weighted sum
    macs += n_q * E * E + (n_q * E if m.out_proj.bias is not None else 0)
    return macs
