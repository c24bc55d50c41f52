"""Gradient clipping, between ``loss.backward()`` and ``optimizer.step()``.

Gradients are replaced, never scaled in place: a ``.grad`` array may be shared with
other code, so ``p.grad = p.grad * coef`` rather than ``p.grad *= coef``.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _params(parameters: Any) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grad_array(g: Any) -> np.ndarray:
    return g.array if isinstance(g, Tensor) else g


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale the gradients so that their total norm is at most ``max_norm``.

    The total norm is the norm of all gradients concatenated into one vector. If it
    exceeds ``max_norm``, every gradient is multiplied by ``max_norm / (total + 1e-6)``.

    Args:
        parameters (iterable of Tensors or a Tensor): those without a gradient are
            skipped.
        max_norm (float): the largest total norm allowed.
        norm_type (float): p of the p-norm; ``float('inf')`` for the max norm.
            Default: 2.0.
        error_if_nonfinite (bool): raise if the total norm is NaN or inf (otherwise the
            gradients are scaled by it anyway, as torch). Default: False.
        foreach: accepted for PyTorch compatibility and ignored. Default: None.

    Returns:
        the total norm before clipping, as a 0-d Tensor (the gradients' dtype).

    Example:
        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> optimizer.step()
    """
    params = _params(parameters)
    grads = [_grad_array(p.grad) for p in params if p.grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return Tensor(np.zeros((), np.float32))
    dtype = grads[0].dtype
    # Norms are accumulated in float64, then reported in the gradients' dtype.
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(g))) if g.size else math.inf for g in grads)
    else:
        norms = np.array([np.linalg.norm(g.reshape(-1).astype(np.float64), norm_type)
                          for g in grads])
        total = float(np.linalg.norm(norms, norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} for "
                           f"gradients from `parameters` is non-finite, so it cannot be "
                           f"clipped. To disable this error and scale the gradients by the "
                           f"non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:                    # also scales by a NaN coefficient, as torch
        for p in params:
            if p.grad is not None:
                g = _grad_array(p.grad)
                with np.errstate(invalid="ignore"):        # inf * 0 gives NaN, as torch
                    p.grad = np.multiply(g, np.asarray(coef, g.dtype), out=np.empty_like(g))
    return Tensor(np.asarray(total, dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: Any = None) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``.

    Args:
        parameters (iterable of Tensors or a Tensor): those without a gradient are
            skipped.
        clip_value (float): the largest magnitude allowed.
        foreach: accepted for PyTorch compatibility and ignored. Default: None.

    Example:
        >>> nn.utils.clip_grad_value_(model.parameters(), 0.5)
    """
    clip_value = float(clip_value)
    for p in _params(parameters):
        if p.grad is not None:
            g = _grad_array(p.grad)
            p.grad = np.clip(g, np.asarray(-clip_value, g.dtype), np.asarray(clip_value, g.dtype),
                             out=np.empty_like(g))


def _tensors(tensors: Any) -> list:
    """A Tensor or an iterable of Tensors (None entries dropped) as a list of arrays."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    out = []
    for t in tensors:
        if t is None:
            continue
        if not isinstance(t, (Tensor, np.ndarray)):
            raise TypeError(f"get_total_norm: expected Tensors, got {type(t).__name__}")
        out.append(_grad_array(t))
    return out


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """The norm of ``tensors`` (usually the gradients) taken as one vector: the norm of
    their norms (torch's ``nn.utils.get_total_norm``).

    Args:
        tensors (iterable of Tensors or a Tensor): e.g. ``[p.grad for p in
            model.parameters()]``; None entries are skipped.
        norm_type (float): p of the p-norm; ``float('inf')`` for the max norm.
            Default: 2.0.
        error_if_nonfinite (bool): raise if the total norm is NaN or inf. Default: False.
        foreach: accepted for PyTorch compatibility and ignored. Default: None.

    Returns:
        the total norm as a 0-d Tensor (the tensors' dtype; float32 for none).

    Example:
        >>> grads = [p.grad for p in model.parameters()]
        >>> total = nn.utils.get_total_norm(grads)
        >>> nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, total)
    """
    arrays = _tensors(tensors)
    norm_type = float(norm_type)
    if not arrays:
        return Tensor(np.zeros((), np.float32))
    dtype = arrays[0].dtype
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(a))) if a.size else math.inf for a in arrays)
    else:
        norms = np.array([np.linalg.norm(a.reshape(-1).astype(np.float64), norm_type)
                          for a in arrays])
        total = float(np.linalg.norm(norms, norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"get_total_norm: the total norm of order {norm_type} for "
                           f"gradients from `parameters` is non-finite, so it cannot be "
                           f"clipped. To disable this error and scale the gradients by the "
                           f"non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor(np.asarray(total, dtype))


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                          total_norm: Any, foreach: Any = None) -> None:
    """Scale the gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1
    (torch's ``nn.utils.clip_grads_with_norm_``; with ``get_total_norm`` it is
    ``clip_grad_norm_`` in two steps, so the norm can be combined across processes or
    logged in between).

    Args:
        parameters (iterable of Tensors or a Tensor): those without a gradient are
            skipped.
        max_norm (float): the largest total norm allowed.
        total_norm (Tensor or float): the total norm of the gradients.
        foreach: accepted for PyTorch compatibility and ignored. Default: None.

    Example:
        >>> total = nn.utils.get_total_norm([p.grad for p in model.parameters()])
        >>> nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, total)
    """
    total = float(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
    coef = float(max_norm) / (total + 1e-6)
    if coef >= 1.0:
        return
    for p in _params(parameters):
        if p.grad is not None:
            g = _grad_array(p.grad)
            with np.errstate(invalid="ignore"):            # inf * 0 gives NaN, as torch
                p.grad = np.multiply(g, np.asarray(coef, g.dtype), out=np.empty_like(g))
