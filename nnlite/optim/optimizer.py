"""The ``Optimizer`` base class: parameter groups, per-parameter state, checkpoints.

A *parameter* is a floating-point Tensor (a ``nnlite.nn.Parameter`` or any leaf), hashed
by identity; its ``.grad`` is a Tensor of its shape or ``None``. Optimizers update
``p.array`` in place (other objects alias it) and never write into ``p.grad`` (it may be
shared).

Subclasses supply their defaults, validate hyper-parameters in ``_check_hyperparameters``
and update one parameter group in ``_update_group``; everything else lives here.

Hyper-parameters are read with ``float(...)`` at every step, so a value written by a
scheduler as a NumPy scalar never upcasts float32 parameters (NEP 50).

The flags torch uses to choose a kernel or a device feature (``foreach``, ``fused``,
``capturable``, ``differentiable``) are accepted where torch accepts them, kept in the
parameter groups as torch keeps them, and checked in one place (``check_torch_flags``).
"""
from __future__ import annotations

import numbers
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor, enable_grad, get_default_dtype

__all__ = ["Optimizer"]

# The options torch uses only to choose a kernel or a device feature; see check_torch_flags.
TORCH_FLAGS = ("foreach", "fused", "capturable", "differentiable")


# ---------------------------------------------------------------------------
# Argument checks shared by the optimizers
# ---------------------------------------------------------------------------

def check_real(owner: str, name: str, value: Any, low: float = 0.0,
               high: float | None = None, high_open: bool = True) -> None:
    """Raise unless ``value`` is a real number in ``[low, high)`` (or ``[low, high]``).

    The message names the optimizer, the argument and the value received.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r} "
                        f"of type {type(value).__name__}")
    if high is None:
        ok, expected = low <= value, f"{name} >= {low}"
    elif high_open:
        ok, expected = low <= value < high, f"{low} <= {name} < {high}"
    else:
        ok, expected = low <= value <= high, f"{low} <= {name} <= {high}"
    if not ok:
        raise ValueError(f"{owner}: invalid {name}={value!r}; expected {expected}")


def check_betas(owner: str, group: dict) -> None:
    """Check ``group['betas']`` is a pair in ``[0, 1)`` and store it as two Python floats."""
    betas = group["betas"]
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Iterable):
        raise TypeError(f"{owner}: betas must be a pair of floats, got {betas!r}")
    betas = tuple(betas)
    if len(betas) != 2:
        raise ValueError(f"{owner}: betas must have 2 entries, got {len(betas)}: {betas!r}")
    for i, beta in enumerate(betas):
        check_real(owner, f"betas[{i}]", beta, 0.0, 1.0)
    group["betas"] = (float(betas[0]), float(betas[1]))


def check_torch_flags(owner: str, group: dict) -> None:
    """Check the flags torch uses to pick a kernel (``foreach``, ``fused``) or a device
    feature (``capturable``, ``differentiable``), for those of them ``group`` has.

    ``foreach`` and ``fused`` change nothing here (NumPy has one code path, and every
    optimizer computes torch's single-tensor formulas); they are kept in the groups so that
    state dicts and reprs read as torch's. ``capturable=True`` (CUDA graphs) and
    ``differentiable=True`` (autograd through the update) have no meaning for an optimizer
    that updates NumPy arrays in place on the CPU, and raise here rather than at the first
    step (where torch fails on a CPU tensor).
    """
    for name in ("foreach", "fused"):
        if name in group and group[name] not in (None, True, False):
            raise TypeError(f"{owner}: {name} must be None, True or False, got "
                            f"{group[name]!r}")
    for name in ("capturable", "differentiable"):
        if name in group and group[name] not in (True, False):
            raise TypeError(f"{owner}: {name} must be True or False, got {group[name]!r}")
    if group.get("capturable"):
        raise ValueError(f"{owner}: capturable=True is for CUDA graphs, but nnlite runs on "
                         "the CPU; leave capturable=False")
    if group.get("differentiable"):
        raise ValueError(f"{owner}: differentiable=True (autograd through the optimizer "
                         "step) is not supported; nnlite's optimizers update the parameters' "
                         "arrays in place, outside the graph")
    if group.get("foreach") and group.get("fused"):
        raise RuntimeError(f"{owner}: `fused` and `foreach` cannot be `True` together.")


def scalar_dtype() -> type:
    """The dtype torch keeps scalar optimizer state in (``step``, NAdam's ``mu_product``,
    ASGD's ``eta`` and ``mu``): float64 if the default dtype is float64, else float32.

    Values held in float32 are rounded as torch rounds them, so that updates agree with
    torch to float64 precision.
    """
    return np.float64 if get_default_dtype() == np.float64 else np.float32


def decayed_grad(data: np.ndarray, grad: np.ndarray, lr: float, weight_decay: float,
                 decoupled: bool, maximize: bool) -> np.ndarray:
    """The gradient an Adam-family step uses: with ``decoupled`` (AdamW's way) the weights
    shrink in place by ``lr * weight_decay`` and the gradient is left alone, otherwise the
    decay is folded into the gradient (``effective_grad``)."""
    if not decoupled:
        return effective_grad(data, grad, weight_decay, maximize)
    if weight_decay != 0:
        data *= 1.0 - lr * weight_decay
    return effective_grad(data, grad, 0.0, maximize)


def update_moments(g: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray, beta1: float,
                   beta2: float) -> np.ndarray:
    """Adam's moment updates in place, m += (1 - b1)(g - m) and v = b2 v + (1 - b2) g^2, as
    torch computes them; returns the scratch array they used (g's shape, free to reuse)."""
    tmp = np.empty_like(exp_avg)
    np.subtract(g, exp_avg, out=tmp)
    tmp *= 1.0 - beta1
    exp_avg += tmp
    exp_avg_sq *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - beta2
    exp_avg_sq += tmp
    return tmp


def effective_grad(data: np.ndarray, grad: np.ndarray, weight_decay: float,
                   maximize: bool) -> np.ndarray:
    r"""Return :math:`\pm g + \lambda \theta`, in a fresh array only when it differs from ``grad``.

    ``grad`` itself is never written to.
    """
    if weight_decay != 0:
        g = np.multiply(data, weight_decay)
        if maximize:
            g -= grad
        else:
            g += grad
        return g
    if maximize:
        return np.negative(grad)
    return grad


def _snapshot(value: Any) -> Any:
    """A copy of a state value: arrays copied, lists (LBFGS's history) copied deeply."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


def _describe(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _check_parameter(owner: str, p: Any, index: int) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(f"{owner} can only optimize Tensors, but params[{index}] is "
                        f"{_describe(p)}")
    data = p.array
    if not np.issubdtype(data.dtype, np.floating):
        raise TypeError(f"{owner} can only optimize floating-point parameters, but "
                        f"params[{index}] has dtype {data.dtype}")
    if getattr(p, "is_leaf", True) is False:
        raise ValueError(f"{owner}: can't optimize a non-leaf tensor (params[{index}])")
    try:
        hash(p)
    except TypeError:
        raise TypeError(f"{owner}: params[{index}] of type {_describe(p)} is not hashable; "
                        "parameters are keys of optimizer.state and must hash by "
                        "identity") from None


# ---------------------------------------------------------------------------
# Optimizer
# ---------------------------------------------------------------------------

class Optimizer:
    """Base class of all optimizers.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups
            (each with a ``'params'`` entry and optional per-group hyper-parameters).
            ``(name, parameter)`` pairs, as ``named_parameters()`` yields, are accepted
            and the names kept in ``'param_names'``.
        defaults (dict): default hyper-parameters, used by groups that do not set them.

    Attributes:
        param_groups (list[dict]): one dict per group, ``'params'`` plus every
            hyper-parameter (defaults filled in).
        state (dict): per-parameter state (moment estimates, step counts), keyed by
            the parameter object.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import SGD
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.ones(3))
        >>> opt = SGD([w], lr=0.5)
        >>> w.grad = np.ones(3)
        >>> opt.step()
        >>> w.array
        array([0.5, 0.5, 0.5])
    """

    # Names of per-parameter state entries that are scalars (torch keeps them as 0-d
    # tensors); load_state_dict reads them back as Python floats.
    _SCALAR_STATE: tuple[str, ...] = ("step",)

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._validate(self.defaults)
        self.state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        owner = type(self).__name__
        if isinstance(params, (np.ndarray, Tensor)):
            raise TypeError(f"{owner}: params must be an iterable of parameters or of "
                            f"dicts, but got a single {_describe(params)}; wrap it in a list")
        if isinstance(params, (Mapping, set, frozenset, str, bytes)) or \
                not isinstance(params, Iterable):
            raise TypeError(f"{owner}: params must be an ordered iterable (list, tuple, "
                            f"generator) of parameters or of dicts, got {_describe(params)}")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError(f"{owner}: optimizer got an empty parameter list")
        if not isinstance(groups[0], Mapping):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- hooks for subclasses ------------------------------------------------

    _NONNEGATIVE: tuple = ()    # hyper-parameters that must be real numbers >= 0
    _BETAS = False              # whether the group has ``betas``, a pair in [0, 1)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Validate (and normalise in place) the hyper-parameters of one group: here the
        ones ``_NONNEGATIVE`` names and ``betas`` if ``_BETAS``; subclasses check the
        others after calling this, raising ``ValueError`` or ``TypeError`` naming the
        argument and the value.
        """
        owner = type(self).__name__
        for name in self._NONNEGATIVE:
            check_real(owner, name, group[name])
        if self._BETAS:
            check_betas(owner, group)

    def _validate(self, group: dict[str, Any]) -> None:
        check_torch_flags(type(self).__name__, group)
        self._check_hyperparameters(group)

    def _update_group(self, group: dict[str, Any]) -> None:
        """Apply one update to every parameter of ``group`` that has a gradient."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update_group "
                                  "or override step")

    def _state_with(self, p: Any, *buffers: str) -> dict[str, Any]:
        """``p``'s state: a step count of 0.0 when new, and a zero array like ``p.array``
        for each name in ``buffers`` it does not have yet (created on first use, as
        torch does)."""
        state = self.state[p]
        state.setdefault("step", 0.0)
        for name in buffers:
            if name not in state:
                state[name] = np.zeros_like(p.array)
        return state

    # -- public API ----------------------------------------------------------

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step.

        Args:
            closure (callable, optional): re-evaluates the model (zero grads, forward,
                backward) and returns the loss; it is called once, before the update, with
                gradient recording enabled (even inside ``no_grad``).

        Returns:
            The closure's loss, or ``None`` without a closure.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters.

        Args:
            set_to_none (bool): set ``p.grad = None`` (default) instead of a fresh array of
                zeros. A parameter whose grad is ``None`` is skipped by ``step``, one with a
                zero grad is not (weight decay and momentum still act). The old gradient
                array is never written to, since it may be shared.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad = None if set_to_none else np.zeros_like(p.grad.array)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters.

        Args:
            param_group (dict): ``'params'`` (a parameter or an iterable of them) plus any
                hyper-parameters that differ from ``defaults``.
        """
        owner = type(self).__name__
        if not isinstance(param_group, Mapping):
            raise TypeError(f"{owner}: param_group must be a dict, got {_describe(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"{owner}: param_group must have a 'params' entry, got keys "
                             f"{sorted(param_group)}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{owner}: parameters must be given in an ordered collection, "
                            "not a set (its order changes between runs); use a list")
        elif isinstance(params, (np.ndarray, Mapping, str, bytes)) or \
                not isinstance(params, Iterable):
            raise TypeError(f"{owner}: param_group['params'] must be a parameter or an "
                            f"iterable of parameters, got {_describe(params)}")
        params = list(params)
        if params and all(isinstance(p, tuple) for p in params):
            group["param_names"] = [p[0] for p in params]
            params = [p[1] for p in params]
        for i, p in enumerate(params):
            _check_parameter(owner, p, i)
        group["params"] = params

        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._validate(group)

        if len({id(p) for p in params}) != len(params):
            warnings.warn(f"{owner}: a parameter group contains duplicate parameters; "
                          "each will be updated more than once per step", stacklevel=2)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError(f"{owner}: some parameters appear in more than one parameter group")
        if self.param_groups and (("param_names" in group)
                                  != ("param_names" in self.param_groups[0])):
            raise ValueError(f"{owner}: all parameter groups must be given with names or all "
                             "without names")
        self.param_groups.append(group)

    def state_dict(self) -> dict[str, Any]:
        """Return a snapshot of the optimizer in torch's layout.

        ``{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [index]}]}``,
        where parameters are replaced by their position across all groups. Every value is
        a NumPy array (a copy), a Python scalar or (LBFGS's history) a list of these, so the
        dict can be written by ``nnlite.save``.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: _snapshot(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load a dict returned by :meth:`state_dict` (from nnlite or, converted, torch).

        Arrays are copied and cast to each parameter's dtype; scalar state (``'step'``, ...)
        becomes a float and 0-d arrays among the hyper-parameters (as read back from
        ``.npz``) Python scalars.

        Raises:
            ValueError: the number of groups, the size of a group or the shape of a state
                array differs from this optimizer's, or a state index is out of range.
        """
        owner = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}.load_state_dict: expected a dict, got "
                            f"{_describe(state_dict)}")
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise ValueError(f"{owner}.load_state_dict: state_dict has no {key!r} entry")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{owner}.load_state_dict: loaded state dict has "
                             f"{len(saved_groups)} parameter groups, but the optimizer has "
                             f"{len(self.param_groups)}")
        by_index: dict[Any, Any] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{owner}.load_state_dict: parameter group {i} has "
                                 f"{len(saved['params'])} parameters in the state dict, but "
                                 f"{len(group['params'])} in the optimizer")
            by_index.update(zip(saved["params"], group["params"]))

        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, saved_state in state_dict["state"].items():
            if k not in by_index:
                raise ValueError(f"{owner}.load_state_dict: state refers to parameter {k!r}, "
                                 f"which no parameter group lists")
            p = by_index[k]
            state[p] = {name: self._load_state_value(p, k, name, value)
                        for name, value in saved_state.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {k: (v.item() if isinstance(v, (np.ndarray, np.generic)) and np.ndim(v) == 0
                       else v) for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                new.setdefault(name, default)
            self._validate(new)
            new_groups.append(new)
        self.state = state
        self.param_groups = new_groups

    def _load_state_value(self, p: Any, index: Any, name: str, value: Any) -> Any:
        if name in self._SCALAR_STATE:
            return float(value)
        if isinstance(value, numbers.Real) and p.array.ndim == 0:
            return np.array(value, dtype=p.array.dtype)     # state of a 0-d parameter
        if isinstance(value, (numbers.Number, str, bytes)) or value is None:
            return value
        arr = np.asarray(value)
        if arr.ndim == 0 and p.array.ndim != 0:
            return arr.item()
        if np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(p.array.dtype, copy=True)
        else:
            arr = arr.copy()
        if arr.shape != p.array.shape:
            raise ValueError(f"load_state_dict: state[{index!r}][{name!r}] has shape "
                             f"{arr.shape}, but the parameter has shape {p.array.shape}")
        return arr

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        return "\n".join(lines) + "\n)"
