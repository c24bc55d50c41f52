"""Helpers shared by the distributions (torch's ``torch.distributions.utils``):
``broadcast_all``, ``probs_to_logits`` / ``logits_to_probs``, ``clamp_probs``,
``lazy_property``; and the samplers' draws from nnlite's global generator."""
from __future__ import annotations

from numbers import Number
from typing import Any, Callable

import numpy as np

from .. import random as _random
from ..factories import as_tensor
from ..ops import broadcast_to, clamp, log, log1p, sigmoid, softmax
from ..tensor import Tensor, get_default_dtype

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values: Any) -> tuple:
    """Broadcast Tensors and numbers to one shape (differentiably). Numbers become Tensors
    of the first Tensor's dtype, or of the default dtype when all are numbers.

    Raises:
        ValueError: a value is neither a Tensor nor a number.
    """
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    tensors = [v for v in values if isinstance(v, Tensor)]
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    if dtype.kind != "f" and any(isinstance(v, float) for v in values):
        dtype = get_default_dtype()
    values = [v if isinstance(v, Tensor) else as_tensor(np.asarray(v, dtype=dtype))
              for v in values]
    shape = np.broadcast_shapes(*[v.shape for v in values])
    return tuple(v if v.shape == shape else broadcast_to(v, shape) for v in values)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped to [eps, 1 - eps] (eps of its dtype)."""
    eps = float(np.finfo(probs.dtype).eps)
    return clamp(probs, min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-probabilities (log-odds when ``is_binary``) of clamped ``probs``."""
    ps = clamp_probs(probs)
    return log(ps) - log1p(-ps) if is_binary else log(ps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """sigmoid(logits) when ``is_binary``, else softmax over the last dim."""
    return sigmoid(logits) if is_binary else softmax(logits, dim=-1)


class lazy_property:
    """A property computed on first access and then stored on the instance (torch's
    ``lazy_property``); on the class it is the descriptor itself."""

    def __init__(self, wrapped: Callable) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        from ..autograd.grad_mode import enable_grad
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


# ---- draws ------------------------------------------------------------------------
def generator() -> np.random.Generator:
    """nnlite's global generator (``nl.manual_seed`` reseeds it)."""
    return _random.default_generator()


def standard_normal(shape: tuple, dtype: np.dtype) -> Tensor:
    return as_tensor(generator().standard_normal(shape).astype(dtype, copy=False))


def uniform(shape: tuple, dtype: np.dtype) -> Tensor:
    """Uniform draws in [0, 1)."""
    return as_tensor(generator().random(shape).astype(dtype, copy=False))


def uniform_open(shape: tuple, dtype: np.dtype) -> Tensor:
    """Uniform draws in (0, 1): [tiny, 1 - eps/2] of ``dtype``, so their logs are finite."""
    u = generator().random(shape)
    fi = np.finfo(dtype)
    return as_tensor(np.clip(u, fi.tiny, 1 - fi.eps / 2).astype(dtype, copy=False))


def size(sample_shape: Any) -> tuple:
    """``sample_shape`` as a tuple of ints (a tuple, list, torch-style size or an int)."""
    if isinstance(sample_shape, (int, np.integer)):
        return (int(sample_shape),)
    try:
        shape = tuple(int(s) for s in sample_shape)
    except TypeError:
        raise TypeError(f"sample_shape must be a tuple of ints, got {sample_shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"sample_shape must not hold negative sizes, got {shape}")
    return shape
