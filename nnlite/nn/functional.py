"""``nnlite.nn.functional`` (imported as ``F``): the stateless layer functions.

Modules hold parameters and call one function from here in ``forward``; the functions
take every tensor they need as an argument. The ops (and their autograd Functions) live
in ``nnlite.ops``; this module is their face with PyTorch's names and arguments, plus the
activations' and shape helpers' thin wrappers below.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

from .. import ops as _ops
from ..ops import activation as _act
from ..ops.attention import scaled_dot_product_attention
from ..ops import rectifiers as _rect
from ..ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from ..ops.conv3d import conv3d, conv_transpose3d
from ..ops.dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d
from ..ops.conv_transpose import conv_transpose1d
from ..ops.ctc import ctc_loss
from ..ops.distance import pdist
from ..ops.gumbel import gumbel_softmax
from ..ops.likelihood_losses import gaussian_nll_loss, poisson_nll_loss
from ..ops.margin_losses import (cosine_embedding_loss, hinge_embedding_loss,
                                 margin_ranking_loss, multi_margin_loss,
                                 multilabel_margin_loss, multilabel_soft_margin_loss,
                                 soft_margin_loss, triplet_margin_loss,
                                 triplet_margin_with_distance_loss)
from ..ops.embedding import embedding, embedding_bag
from ..ops.linear import bilinear, linear
from ..ops.multi_head_attention import multi_head_attention_forward
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                        huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ..ops.normalization import batch_norm, group_norm, layer_norm, local_response_norm
from ..ops.rectifiers import (celu, celu_, elu_, hardshrink, hardtanh_, leaky_relu_, relu_,
                              rrelu_, selu_, softshrink, threshold_)
from ..ops.sample_norms import instance_norm, rms_norm
from ..ops.shuffle import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle
from ..ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                           adaptive_max_pool2d, avg_pool1d, avg_pool2d, lp_pool1d, lp_pool2d,
                           max_pool1d, max_pool2d, max_unpool1d, max_unpool2d)
from ..ops.pooling3d import adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, max_pool3d
from ..tensor import Tensor
from .upsampling import interpolate

__all__ = ["linear", "bilinear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh",
           "softplus", "softmax", "log_softmax", "silu", "mish", "hardswish", "hardsigmoid",
           "relu6", "hardtanh", "selu", "prelu", "softsign", "logsigmoid", "tanhshrink",
           "softmin", "glu", "flatten", "pad", "one_hot", "normalize", "cosine_similarity",
           "pairwise_distance",
           "conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "embedding",
           "embedding_bag", "scaled_dot_product_attention", "multi_head_attention_forward",
           "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "lp_pool1d", "lp_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d", "dropout", "dropout1d",
           "dropout2d", "alpha_dropout", "batch_norm", "layer_norm", "group_norm",
           "local_response_norm", "interpolate", "huber_loss",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d",
           "adaptive_max_pool3d", "dropout3d",
           "celu", "rrelu", "threshold", "hardshrink", "softshrink", "relu_", "elu_",
           "leaky_relu_", "hardtanh_", "rrelu_", "threshold_", "celu_", "selu_",
           "conv_transpose1d", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "native_channel_shuffle", "instance_norm", "rms_norm", "pdist", "gumbel_softmax",
           "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "multi_margin_loss",
           "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
           "max_pool1d_with_indices", "max_pool2d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices"]


# ============================================================================
# Activations
#
# ``inplace=True`` writes the result into the input and returns it, with torch's rules
# (``nnlite.ops.inplace.write``: an error on a leaf that requires grad while grad mode
# is on; the write is recorded when the input is part of a graph). The ``_`` forms
# (``relu_`` ...) are the in-place ones.
# ============================================================================
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return relu_(input) if inplace else _ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _ops.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return elu_(input, alpha) if inplace else _ops.elu(input, alpha)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); alpha must not be 0."""
    return celu_(input, alpha) if inplace else _rect.celu(input, alpha)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    if inplace:
        return threshold_(input, threshold, value)
    return _rect.threshold(input, threshold, value)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """x where x >= 0, else r * x: r ~ U(lower, upper) per element in training (nnlite's
    generator), (lower + upper) / 2 in eval."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    return _rect.rrelu(input, lower, upper, training)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi the normal cdf); ``approximate='tanh'`` uses the tanh formula."""
    return _ops.gelu(input, approximate)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x)."""
    return _ops.tanh(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold."""
    return _ops.softplus(input, beta, threshold)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    if inplace:
        return _rect.in_place(input, "silu_", _act.silu)
    return _act.silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    if inplace:
        return _rect.in_place(input, "mish_", _act.mish)
    return _act.mish(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    if inplace:
        return _rect.in_place(input, "hardswish_", _act.hardswish)
    return _act.hardswish(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    if inplace:
        return _rect.in_place(input, "hardsigmoid_", _act.hardsigmoid)
    return _act.hardsigmoid(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    if inplace:
        return _rect.in_place(input, "relu6_", _act.relu6)
    return _act.relu6(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val] (ValueError if min_val > max_val)."""
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return _act.hardtanh(input, min_val, max_val)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), alpha ~ 1.6733, scale ~ 1.0507."""
    if inplace:
        return _rect.in_place(input, "selu_", _act.selu)
    return _act.selu(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x; ``weight`` is (C) (one slope per channel, dim 1 of the
    input) or has one element."""
    return _act.prelu(input, weight)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return _act.softsign(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably."""
    return _act.logsigmoid(input)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return _act.tanhshrink(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the halves of ``input`` along ``dim`` (its size even)."""
    return _act.glu(input, dim)


def _implicit_dim(name: str, ndim: int) -> int:
    """torch's legacy choice of dim when none is given (with its deprecation warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  f"call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(x) normalised to sum 1 along ``dim`` (computed stably).

    Args:
        input (Tensor): any shape.
        dim (int): the dim to normalise. None picks torch's legacy default (0 for 0-,
            1- and 3-D input, else 1) with a warning. Default: None.
        dtype (optional): cast the input to this dtype first. Default: None.
    """
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim)
    return _ops.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; arguments as in ``softmax``."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim)
    return _ops.log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``; ``dim`` and ``dtype`` as in ``softmax``."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim)
    return _act.softmin(input, dim, dtype)


# ============================================================================
# Shape helpers
# ============================================================================
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (``torch.flatten``)."""
    return _ops.flatten(input, start_dim, end_dim)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left, right, top, bottom, ...)``
    starts from the last dim. Modes: 'constant' (with ``value``, default 0), 'reflect',
    'replicate', 'circular'.

    Example:
        >>> F.pad(nl.ones(1, 2, 2), (1, 1)).shape
        (1, 2, 4)
    """
    return _ops.pad(input, pad, mode, 0.0 if value is None else value)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: a new last dim of size ``num_classes`` (-1: max + 1)."""
    return _ops.one_hot(tensor, num_classes)


# ============================================================================
# Normalisation of vectors and distances (composed of ops, as in torch)
# ============================================================================
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)``, the p-norm taken over ``dim``.

    Args:
        input (Tensor): any shape. p (float): Default: 2. dim (int): Default: 1.
        eps (float): the smallest norm divided by. Default: 1e-12.
        out (Tensor, optional): written with the result (not differentiable), as torch.

    Example:
        >>> F.normalize(nl.tensor([[3.0, 4.0]]))
        tensor([[0.6, 0.8]])
    """
    denom = _ops.norm(input, p, dim, True).clamp_min(eps)
    y = input / denom
    if out is not None:
        return out.copy_(y.detach())
    return y


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcast together):
    ``sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)))``. As torch, each norm is
    clamped at ``eps`` for its value only: its gradient is the unclamped norm's.

    Example:
        >>> F.cosine_similarity(nl.tensor([[1.0, 0.0]]), nl.tensor([[1.0, 1.0]]))
        tensor([0.70710677])
    """
    def clamped_norm(x: Tensor) -> Tensor:
        n = _ops.norm(x, 2, dim, True)
        return n + (n.clamp_min(eps) - n).detach()
    return ((x1 / clamped_norm(x1)) * (x2 / clamped_norm(x2))).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim (torch's ``eps`` is added to the
    difference, which keeps the gradient finite where ``x1 == x2``).

    Example:
        >>> F.pairwise_distance(nl.tensor([[0.0, 0.0]]), nl.tensor([[3.0, 4.0]]))
        tensor([4.9999986])
    """
    dim = max(x1.dim(), x2.dim()) - 1
    return _ops.norm(x1 - x2 + eps, p, dim, keepdim)



# ============================================================================
# Pooling with indices (torch's ``_with_indices`` names: the pooling functions with
# ``return_indices=True``, which the flag only confirms)
# ============================================================================
def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple:
    """``max_pool1d(..., return_indices=True)``: (output, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple:
    """``max_pool2d(..., return_indices=True)``: (output, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """``adaptive_max_pool1d(..., return_indices=True)``: (output, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple:
    """``adaptive_max_pool2d(..., return_indices=True)``: (output, indices)."""
    return adaptive_max_pool2d(input, output_size, True)
