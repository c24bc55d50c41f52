"""Weight normalisation in torch's older hook form: ``weight_norm``, ``remove_weight_norm``.

``weight_norm(module, 'weight', dim)`` replaces the parameter ``weight`` by two,
``weight_g`` (the magnitude) and ``weight_v`` (the direction), torch's names, and a
forward pre-hook that recomputes ``weight`` (then a plain Tensor attribute, recorded by
autograd) before every forward (Salimans & Kingma 2016):

    weight = weight_v * (weight_g / norm_except_dim(weight_v, 2, dim))

``norm_except_dim(v, p, dim)`` is the p-norm of v over every dim but ``dim``, shaped to
broadcast against v (size 1 but along ``dim``); ``dim=None`` (stored as -1, as torch)
takes one norm over the whole tensor. The parametrization form is
``nn.utils.parametrizations.weight_norm``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.norms import vector_norm
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v: Any, pow: float = 2, dim: int = 0) -> Any:
    """The ``pow``-norm of ``v`` over every dim except ``dim``, with size-1 dims kept
    (shape 1 everywhere but ``dim``); ``dim=-1``: the norm of the whole tensor (0-d),
    as torch's ``norm_except_dim``. Tensors (differentiable) or arrays.

    Example:
        >>> norm_except_dim(nl.ones(2, 3), 2, 0)
        tensor([[1.7320508], [1.7320508]])
    """
    if dim == -1:
        if isinstance(v, Tensor):
            return vector_norm(v, pow)
        return np.asarray(np.linalg.norm(v.reshape(-1), pow), v.dtype)
    nd = v.ndim
    d = dim + nd if dim < 0 else dim
    axes = tuple(i for i in range(nd) if i != d)
    if isinstance(v, Tensor):
        return vector_norm(v, pow, axes, True)
    return (np.sum(np.abs(v) ** pow, axis=axes, keepdims=True) ** (1.0 / pow)).astype(v.dtype)


class WeightNorm:
    """The forward pre-hook of ``weight_norm``: recomputes ``module.<name>`` from
    ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> "WeightNorm":
        for hook, _ in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        if name not in module._parameters or module._parameters[name] is None:
            raise ValueError(f"weight_norm: module {type(module).__name__} has no parameter "
                             f"named {name!r}")
        weight = module._parameters[name]
        if getattr(weight, "is_uninitialized", False):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before "
                             "applying weight normalization")
        if dim is None:
            dim = -1
        if not -weight.ndim <= dim < max(weight.ndim, 1):
            raise IndexError(f"weight_norm: dim {dim} is out of range for {name} of shape "
                             f"{tuple(weight.shape)}")
        fn = WeightNorm(name, dim)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight.array, 2, dim)))
        module.register_parameter(name + "_v", Parameter(weight.array))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.array))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as magnitude ``<name>_g`` times direction
    ``<name>_v`` (torch's older ``nn.utils.weight_norm``; state_dict keys ``<name>_g``,
    ``<name>_v``).

    Args:
        module (Module): holds the parameter.
        name (str): the parameter's name. Default: 'weight'.
        dim (int or None): the dim kept by the norm (one magnitude per index of it);
            None: one magnitude for the whole tensor. Default: 0.

    Returns:
        the module, with the forward pre-hook registered.

    Example:
        >>> m = nn.utils.weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.weight_g.shape, m.weight_v.shape
        ((40, 1), (40, 20))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``weight_norm``: ``<name>`` becomes a Parameter again, holding the current
    normalised weight.

    Example:
        >>> m = nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(20, 40)))
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
