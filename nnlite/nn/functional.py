"""``nnlite.nn.functional`` (imported as ``F``): the stateless layer functions.

Modules hold parameters and call one function from here in ``forward``; the functions
take every tensor they need as an argument. Sections: linear layers -- activations --
shape helpers -- losses (defined in loss.py, re-exported here).

Notation: N is the flattened batch (all leading dims), in / out the feature sizes.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

from .. import ops as _ops
from ..ops._util import as_tensor as _as_tensor
from ..tensor import Function, Tensor

__all__ = ["linear", "bilinear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh",
           "softplus", "softmax", "log_softmax", "flatten", "pad", "one_hot",
           "conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "embedding",
           "embedding_bag", "scaled_dot_product_attention", "multi_head_attention_forward",
           "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "lp_pool1d", "lp_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d", "dropout", "dropout1d",
           "dropout2d", "alpha_dropout", "batch_norm", "layer_norm", "group_norm",
           "local_response_norm", "interpolate", "huber_loss",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]


# ============================================================================
# Linear layers
# ============================================================================
class Linear(Function):
    """y = x @ W^T + b, one node for any number of leading batch dims.

    Shapes: x (*, in), W (out, in), b (out,), y (*, out). With x2 = x as (N, in) and
    gy2 = gy as (N, out):
        gx = gy @ W,   gW = gy2^T @ x2,   gb = sum of gy2 over N
    The rule uses only reshape / .T / @ / .sum, which arrays and Tensors share, so it
    also runs under ``create_graph=True`` (double backward).
    """
    save_inputs = True

    def forward(self, x, w, b=None):
        if x.ndim == 2:
            y = x @ w.T
        else:
            x2 = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
            y = (x2 @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    def backward(self, gy, x, w, b=None):
        parents = self.parents
        gx = gw = gb = None
        if x.ndim == 2:
            x2, gy2 = x, gy
        else:
            n = math.prod(x.shape[:-1])
            x2, gy2 = x.reshape(n, x.shape[-1]), gy.reshape(n, w.shape[0])
        if parents[0] is not None:
            gx = gy2 @ w
            if x.ndim != 2:
                gx = gx.reshape(x.shape)
        if parents[1] is not None:
            gw = gy2.T @ x2
        if b is None:
            return gx, gw
        if parents[2] is not None:
            gb = gy2.sum(axis=0)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight^T + bias, fused into one autograd node.

    Args:
        input (Tensor): shape (*, in_features), any number of leading dims.
        weight (Tensor): shape (out_features, in_features).
        bias (Tensor, optional): shape (out_features,). Default: None.

    Shape:
        input (*, in) -> output (*, out).

    Example:
        >>> F.linear(nl.randn(8, 3), nl.randn(4, 3), nl.zeros(4)).shape
        (8, 4)
    """
    if not isinstance(input, Tensor):
        input = _as_tensor(input)
    wshape = weight.shape
    if len(wshape) != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got "
                         f"shape {wshape}")
    xshape = input.shape
    if not xshape or xshape[-1] != wshape[1]:
        raise ValueError(f"linear: expected input with last dim {wshape[1]} (weight shape "
                         f"{wshape}), got shape {xshape}")
    if bias is None:
        return Linear().apply(input, weight)
    if bias.shape != (wshape[0],):
        raise ValueError(f"linear: bias must have shape ({wshape[0]},), got {bias.shape}")
    return Linear().apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y_k = input1^T A_k input2 + b_k for every output feature k.

    Composed of matmul / reshape / mul / sum, so every gradient (and double backward)
    comes from those ops.

    Args:
        input1 (Tensor): shape (*, in1_features).
        input2 (Tensor): shape (*, in2_features), the same leading dims.
        weight (Tensor): shape (out_features, in1_features, in2_features).
        bias (Tensor, optional): shape (out_features,). Default: None.

    Shape:
        output (*, out_features).

    Example:
        >>> F.bilinear(nl.randn(8, 3), nl.randn(8, 5), nl.randn(4, 3, 5)).shape
        (8, 4)
    """
    if weight.ndim != 3:
        raise ValueError(f"bilinear: weight must be 3-D (out, in1, in2), got shape "
                         f"{weight.shape}")
    out_f, in1, in2 = weight.shape
    s1, s2 = input1.shape, input2.shape
    if not s1 or s1[-1] != in1 or not s2 or s2[-1] != in2 or s1[:-1] != s2[:-1]:
        raise ValueError(f"bilinear: expected inputs of shapes (*, {in1}) and (*, {in2}) "
                         f"with the same leading dims, got {s1} and {s2}")
    n = math.prod(s1[:-1])
    x1 = input1.reshape(n, in1)                                         # (N, in1)
    x2 = input2.reshape(n, 1, in2)                                      # (N, 1, in2)
    a = weight.permute(1, 0, 2).reshape(in1, out_f * in2)               # (in1, out*in2)
    t = (x1 @ a).reshape(n, out_f, in2)                                 # (N, out, in2)
    y = (t * x2).sum(axis=-1)                                           # (N, out)
    if bias is not None:
        y = y + bias
    return y.reshape(s1[:-1] + (out_f,))


# ============================================================================
# Activations
#
# ``inplace`` is accepted for PyTorch compatibility; nnlite always computes out of
# place and returns the result (the input is left unchanged).
# ============================================================================
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return _ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    return _ops.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _ops.elu(input, alpha)


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
# Convolution: im2col / col2im Functions in nnlite/ops/conv.py
# ============================================================================
from ..ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold  # noqa: E402

# ============================================================================
# Pooling: Functions in nnlite/ops/pooling.py
# ============================================================================
from ..ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d,  # noqa: E402
                           adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                           lp_pool1d, lp_pool2d, max_pool1d, max_pool2d, max_unpool1d,
                           max_unpool2d)

# ============================================================================
# Normalisation and dropout: fused Functions in nnlite/ops
# ============================================================================
from ..ops.dropout import alpha_dropout, dropout, dropout1d, dropout2d  # noqa: E402
from ..ops.normalization import (batch_norm, group_norm, layer_norm,  # noqa: E402
                                 local_response_norm)

# ============================================================================
# Resampling (defined with its modules in upsampling.py)
# ============================================================================
from .upsampling import interpolate  # noqa: E402

# ============================================================================
# Sparse lookups and attention (embedding in sparse.py, attention in ops/attention.py
# and attention.py)
# ============================================================================
from ..ops.attention import scaled_dot_product_attention  # noqa: E402
from .sparse import embedding, embedding_bag  # noqa: E402

# ============================================================================
# Losses: defined in loss.py next to their modules, re-exported here. (Imported last:
# loss.py may itself use the functions above.)
# ============================================================================
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: E402
                   cross_entropy, huber_loss, kl_div, l1_loss, mse_loss, nll_loss,
                   smooth_l1_loss)

# Last: attention.py imports this module (F.linear, F.dropout, ...).
from .attention import multi_head_attention_forward  # noqa: E402,F401
