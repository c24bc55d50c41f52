"""Parametrizations built on ``nn.utils.parametrize`` (torch's
``nn.utils.parametrizations``): ``weight_norm`` and ``spectral_norm``.

    weight_norm:    weight = original1 * (original0 / norm_except_dim(original1, 2, dim))
                    original0 = g (the magnitude), original1 = v (the direction)
    spectral_norm:  weight = original / sigma, sigma = u . (Wm v) with Wm the weight as
                    an (H, W) matrix (``dim`` first) and u, v (buffers ``_u``, ``_v`` of
                    the parametrization) refined by power iteration in training mode

State_dict keys are torch's: ``parametrizations.weight.original0`` /
``original1``, and ``parametrizations.weight.original``, ``parametrizations.weight.0._u``,
``parametrizations.weight.0._v``.
"""
from __future__ import annotations

import numpy as np

from ... import random as _random
from ...tensor import Tensor
from ..module import Module
from . import parametrize
from .spectral_norm import _as_matrix, _is_transposed_conv, _normalize
from .weight_norm import norm_except_dim

__all__ = ["weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    """weight = v * (g / ||v|| over every dim but ``dim``);  right_inverse(w) = (g, v)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple:
        return Tensor(norm_except_dim(weight.array, 2, self.dim)), Tensor(weight.array)


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as magnitude times direction (Salimans & Kingma
    2016), as a parametrization: ``parametrizations.<name>.original0`` is g,
    ``original1`` is v.

    Args:
        module (Module): holds the parameter.
        name (str): the parameter's name. Default: 'weight'.
        dim (int or None): the dim kept by the norm; None: one magnitude for the whole
            tensor. Default: 0.

    Returns:
        the module.

    Example:
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.shape
        (40, 1)
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is not None and not -weight.ndim <= dim < max(weight.ndim, 1):
        raise IndexError(f"weight_norm: dim {dim} is out of range for {name} of shape "
                         f"{tuple(weight.shape)}")
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the spectral norm of the weight estimated by power
    iteration (in training mode) from the buffers ``_u`` (H,) and ``_v`` (W,); a 1-D
    weight is simply normalised."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            wm = _as_matrix(weight.array, self.dim)
            h, w = wm.shape
            gen = _random.default_generator()
            u = _normalize(gen.standard_normal(h), eps).astype(weight.dtype)
            v = _normalize(gen.standard_normal(w), eps).astype(weight.dtype)
            self.register_buffer("_u", Tensor(u))
            self.register_buffer("_v", Tensor(v))
            self._power_method(wm, 15)

    def _power_method(self, wm: np.ndarray, n_power_iterations: int) -> None:
        """u, v <- normalize(Wm v), normalize(Wm^T u), written into the buffers."""
        for _ in range(n_power_iterations):
            self._u.array[...] = _normalize(wm @ self._v.array, self.eps)
            self._v.array[...] = _normalize(wm.T @ self._u.array, self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / weight.norm().clamp_min(self.eps)
        wm = _as_matrix(weight, self.dim)
        if self.training:
            self._power_method(wm.array, self.n_power_iterations)
        u, v = Tensor(self._u.array.copy()), Tensor(self._v.array.copy())
        sigma = (u * (wm @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (Miyato et al. 2018), as a
    parametrization; u and v are the buffers ``parametrizations.<name>.0._u`` / ``_v``.

    Args:
        module (Module): holds the parameter.
        name (str): the parameter's name. Default: 'weight'.
        n_power_iterations (int): power iterations per training forward. Default: 1.
        eps (float): the smallest norm divided by when normalising. Default: 1e-12.
        dim (int, optional): the dim of the output channels: 1 for transposed
            convolutions, else 0 (None picks it). Default: None.

    Returns:
        the module.

    Example:
        >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> list(m.state_dict())
        ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_transposed_conv(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
