"""Normalisations within each sample: instance_norm and rms_norm.

Notation: x is (N, C, *) for instance_norm (statistics per sample and channel over the
spatial dims *), and (*, D1, ..., Dk) for rms_norm (statistics over the last k dims,
``normalized_shape``); w and b the optional scale and shift.

- instance_norm (Ulyanov et al. 2016): y = (x - mean) / sqrt(var + eps) * w[c] + b[c],
  mean and (biased) var of each (n, c) slice; this is ``group_norm`` with one group
  per channel, whose Function gives the gradients. Running statistics, when given,
  are updated in place with the batch mean of the per-instance mean and unbiased
  variance (torch's rule); with ``use_input_stats=False`` they normalise instead
  (``batch_norm`` in eval mode).
- rms_norm (Zhang & Sennrich 2019): y = x / sqrt(mean(x^2) + eps) * w, composed of
  differentiable ops (mean, rsqrt, mul), which give the gradients.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor
from .normalization import _channel_input, _check_float, _update_running, batch_norm, group_norm
from .pointwise import rsqrt

__all__ = ["instance_norm", "rms_norm"]


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation: each channel of each sample normalised over its spatial
    dims.

    Args:
        input (Tensor): ``(N, C, *)``; with ``use_input_stats``, more than one spatial
            element per (n, c) slice.
        running_mean, running_var (Tensor, optional): (C,); updated in place when
            ``use_input_stats``, used to normalise otherwise. Default: None.
        weight, bias (Tensor, optional): (C,) scale and shift. Default: None.
        use_input_stats (bool): normalise with each instance's statistics. Default: True.
        momentum (float): running-statistics factor. Default: 0.1.
        eps (float): added to the variance. Default: 1e-5.

    Shape:
        ``(N, C, *) -> (N, C, *)``.

    Example:
        >>> F.instance_norm(nl.randn(2, 3, 8)).shape
        (2, 3, 8)
    """
    op = "instance_norm"
    x, rm, rv = _channel_input(input, op, running_mean=running_mean, running_var=running_var)
    C = x.shape[1]
    if not use_input_stats:
        if rm is None or rv is None:
            raise RuntimeError(f"{op}: Expected running_mean and running_var to be defined "
                               f"when use_input_stats is false")
        return batch_norm(x, rm, rv, weight, bias, False, momentum, eps)
    R = int(np.prod(x.shape[2:], dtype=np.int64))
    if R <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input "
                         f"size {list(x.shape)}")
    y = group_norm(x, C, weight, bias, eps)
    if rm is not None or rv is not None:
        a = x.array.reshape(x.shape[0], C, R)
        if rm is not None:
            _update_running(rm.array, a.mean(axis=(0, 2)), momentum)
        if rv is not None:
            _update_running(rv.array, a.var(axis=2, ddof=1).mean(axis=0), momentum)
    return y


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int],
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """Root-mean-square normalisation over the last ``len(normalized_shape)`` dims:
    ``y = x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        input (Tensor): ``(*, normalized_shape)``, floating.
        normalized_shape (int or tuple): the trailing dims normalised over.
        weight (Tensor, optional): of shape ``normalized_shape``. Default: None.
        eps (float, optional): added to the mean square; None for the machine epsilon of
            the input's dtype (``np.finfo(dtype).eps``). Default: None.

    Shape:
        (*, normalized_shape) -> the same.

    Example:
        >>> F.rms_norm(nl.tensor([[3.0, 4.0]]), (2,))
        tensor([[0.8485281, 1.1313708]])
    """
    x = as_tensor(input)
    op = "rms_norm"
    _check_float(x, op)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    shape = tuple(int(n) for n in shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} does not end with "
                         f"normalized_shape {shape}; expected input of shape "
                         f"(*, {', '.join(map(str, shape))})")
    if weight is not None and tuple(as_tensor(weight).shape) != shape:
        raise ValueError(f"{op}: weight should have shape {shape} (normalized_shape), got "
                         f"shape {tuple(as_tensor(weight).shape)}")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    y = x * rsqrt((x * x).mean(dims, keepdim=True) + eps)
    return y if weight is None else y * as_tensor(weight)
