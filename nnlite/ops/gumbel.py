"""gumbel_softmax: a differentiable sample from a categorical distribution (Jang et al.
2016, Maddison et al. 2016).

Notation: logits x (any shape), g i.i.d. Gumbel(0, 1) noise drawn as -log(e), e ~
Exponential(1), from nnlite's generator (``nl.manual_seed`` repeats it); tau the
temperature.

    y_soft = softmax((x + g) / tau, dim)
    hard:    y = onehot(argmax y_soft) - y_soft.detach() + y_soft  (straight-through:
             the value is one-hot, the gradient is y_soft's)

Composed of differentiable ops (add, div, softmax), which give the gradient.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..factories import as_tensor
from ..random import default_generator
from ..tensor import Tensor
from ._util import norm_dim
from .reduction import softmax

__all__ = ["gumbel_softmax"]


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Sample from the Gumbel-softmax distribution over ``dim``, optionally discretised.

    Args:
        logits (Tensor): unnormalised log-probabilities, floating, any shape.
        tau (float): the temperature, > 0. Default: 1.
        hard (bool): return one-hot vectors (the argmax of the soft sample) whose
            gradient is the soft sample's (straight-through). Default: False.
        eps (float): deprecated and unused (as torch, which warns when it is changed).
            Default: 1e-10.
        dim (int): the category dim. Default: -1.

    Shape:
        the logits' shape.

    Example:
        >>> y = F.gumbel_softmax(nl.randn(4, 10), tau=0.5, hard=True)
        >>> y.sum(1)
        tensor([1., 1., 1., 1.])
    """
    x = as_tensor(logits)
    if x.dtype.kind != "f":
        raise TypeError(f"gumbel_softmax: logits must be floating, got dtype {x.dtype} "
                        f"(shape {tuple(x.shape)})")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    d = norm_dim(dim, x.ndim, "gumbel_softmax")
    e = default_generator().exponential(1.0, x.shape)
    gumbels = (-np.log(e)).astype(x.dtype)
    y_soft = softmax((x + gumbels) / tau, d)
    if not hard:
        return y_soft
    s = y_soft.array
    index = np.expand_dims(np.argmax(s, axis=d), d) if s.ndim else np.zeros((), np.int64)
    y_hard = np.zeros_like(s)
    if s.ndim:
        np.put_along_axis(y_hard, index, 1, axis=d)
    else:
        y_hard[()] = 1
    return (y_hard - s) + y_soft
