"""The table ``summary`` prints: ``LayerInfo`` (one row: a module's call, its shapes,
parameters and mult-adds) and ``ModelStatistics`` (the rows, the totals and the layout,
as torchinfo's). ``summary.py`` fills them in; nothing here runs a model.
"""
from __future__ import annotations

import math
from typing import Mapping

from ..nn.attention import MultiheadAttention
from ..nn.module import Module

__all__ = ["LayerInfo", "ModelStatistics", "COLUMNS", "LAYER_MODULES"]

COLUMNS = {"input_size": "Input Shape", "output_size": "Output Shape",
           "num_params": "Param #", "params_percent": "Param %",
           "kernel_size": "Kernel Shape", "mult_adds": "Mult-Adds", "trainable": "Trainable"}
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
        if self.inner_layers:                                 # the last one: └─
            last = self.inner_layers[list(self.inner_layers)[-1]]
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
                    vals = {k: v.replace("├─", "+ ").replace("└─", "+ ")
                            for k, v in vals.items()}
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
