"""Spectral normalisation in torch's older hook form: ``spectral_norm``,
``remove_spectral_norm`` (Miyato et al. 2018).

``spectral_norm(module, 'weight')`` moves the parameter to ``weight_orig``, adds the
buffers ``weight_u`` (H,) and ``weight_v`` (W,) (torch's names) and a forward pre-hook
that sets ``weight`` (a plain Tensor attribute, recorded by autograd) before every
forward:

    Wm = weight_orig as an (H, W) matrix (dim ``dim`` first, the rest flattened)
    in training, n_power_iterations times, without grad:
        v = normalize(Wm^T u),  u = normalize(Wm v)      (written into the buffers)
    sigma = u . (Wm v)              (u, v constants; gradient flows through Wm)
    weight = weight_orig / sigma

In eval mode u and v are used as stored. The parametrization form is
``nn.utils.parametrizations.spectral_norm``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as _random
from ...tensor import Tensor, no_grad
from ..module import Module
from ..parameter import Parameter

__all__ = ["spectral_norm", "remove_spectral_norm"]


def _normalize(a: np.ndarray, eps: float) -> np.ndarray:
    """a / max(||a||, eps) (F.normalize on an array)."""
    return a / max(float(np.linalg.norm(a)), eps)


def _as_matrix(w: Any, dim: int) -> Any:
    """w with ``dim`` first, flattened to (shape[dim], -1); Tensors or arrays."""
    if dim != 0:
        w = w.permute(dim, *[d for d in range(w.ndim) if d != dim]) if isinstance(w, Tensor) \
            else np.moveaxis(w, dim, 0)
    return w.reshape(w.shape[0], -1)


class SpectralNorm:
    """The forward pre-hook of ``spectral_norm``."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim, self.eps = name, dim, eps
        self.n_power_iterations = n_power_iterations

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        wm = _as_matrix(weight, self.dim)
        if do_power_iteration:
            m = wm.array
            for _ in range(self.n_power_iterations):
                v.array[...] = _normalize(m.T @ u.array, self.eps)
                u.array[...] = _normalize(m @ v.array, self.eps)
        u_c, v_c = Tensor(u.array.copy()), Tensor(v.array.copy())
        sigma = (u_c * (wm @ v_c)).sum()
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.array))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> "SpectralNorm":
        for hook, _ in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        weight = module._parameters.get(name)
        if weight is None:
            raise ValueError(f"spectral_norm: module {type(module).__name__} has no "
                             f"parameter named {name!r}")
        if weight.ndim < 1 or not -weight.ndim <= dim < weight.ndim:
            raise IndexError(f"spectral_norm: dim {dim} is out of range for {name} of shape "
                             f"{tuple(weight.shape)}")
        fn = SpectralNorm(name, n_power_iterations, dim % weight.ndim, eps)
        h, w = _as_matrix(weight.array, fn.dim).shape
        gen = _random.default_generator()
        u = _normalize(gen.standard_normal(h), eps).astype(weight.dtype)
        v = _normalize(gen.standard_normal(w), eps).astype(weight.dtype)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, Tensor(weight.array))
        module.register_buffer(name + "_u", Tensor(u))
        module.register_buffer(name + "_v", Tensor(v))
        module.register_forward_pre_hook(fn)
        return fn


def _is_transposed_conv(module: Module) -> bool:
    return bool(getattr(module, "transposed", False))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (largest singular value), estimated
    by power iteration in training mode (torch's older ``nn.utils.spectral_norm``;
    state_dict keys ``<name>_orig``, ``<name>_u``, ``<name>_v``).

    Args:
        module (Module): holds the parameter.
        name (str): the parameter's name. Default: 'weight'.
        n_power_iterations (int): power iterations per training forward. Default: 1.
        eps (float): the smallest norm divided by when normalising. Default: 1e-12.
        dim (int, optional): the dim of the output channels: 1 for transposed
            convolutions, else 0 (None picks it). Default: None.

    Returns:
        the module, with the forward pre-hook registered.

    Example:
        >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
        >>> m.weight_u.shape
        (40,)
    """
    if dim is None:
        dim = 1 if _is_transposed_conv(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``spectral_norm``: ``<name>`` becomes a Parameter again, holding the current
    normalised weight (no power iteration).

    Example:
        >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(20, 40)))
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
