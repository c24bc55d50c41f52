"""Weight initialisers, with PyTorch's names, defaults and formulas.

Each ``*_`` function fills a tensor in place (its ``.array`` array, never recorded by
autograd), keeps its dtype, and returns it. Random values come from
``nnlite.random.default_generator()`` (so ``nl.manual_seed`` makes them repeatable) or
from the ``generator`` argument. An ndarray may be passed instead of a Tensor.

Notation: a weight of shape ``(out, in, *k)`` has receptive field r = prod(k) (1 for a
Linear weight), fan_in = in * r and fan_out = out * r.

    xavier (Glorot & Bengio 2010):  std = gain * sqrt(2 / (fan_in + fan_out))
    kaiming (He et al. 2015):       std = gain / sqrt(fan),  fan = fan_in or fan_out
    a uniform U(-b, b) with b = sqrt(3) * std has standard deviation std.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import random as _random
from ..ops.special import erf_array
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_",
           "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"]


# ============================================================================
# Helpers: the array behind a tensor, fans, gains
# ============================================================================
def _array(tensor: Any, fn: str) -> np.ndarray:
    """The array to fill in place (a Tensor's ``.array`` or the ndarray itself)."""
    if isinstance(tensor, Tensor):
        return tensor.array
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"init.{fn}: expected a Tensor or an ndarray, got {type(tensor).__name__}")


def _fill(tensor: Any, values: Any, fn: str) -> Any:
    """Write ``values`` into the tensor's array (cast to its dtype); return the tensor."""
    arr = _array(tensor, fn)
    arr[...] = values
    return tensor


def _gen(generator: np.random.Generator | None) -> np.random.Generator:
    return _random.default_generator() if generator is None else generator


def _calculate_fan_in_and_fan_out(tensor: Any) -> tuple:
    """``(fan_in, fan_out)`` of a weight of shape (out, in, *kernel)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"Fan in and fan out can not be computed for tensor with fewer than "
                         f"2 dimensions (got shape {tuple(shape)})")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor: Any, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
               "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    ============ ==========================================
    nonlinearity gain
    ============ ==========================================
    linear/conv  1
    sigmoid      1
    tanh         5/3
    relu         sqrt(2)
    leaky_relu   sqrt(2 / (1 + negative_slope**2))
    selu         3/4
    ============ ==========================================

    Args:
        nonlinearity (str): the name, as in the table.
        param: the negative slope of ``leaky_relu``. Default: None (0.01).

    Example:
        >>> nn.init.calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ============================================================================
# Fixed distributions and constants
# ============================================================================
def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Any:
    """Fill with U(a, b).

    Example:
        >>> w = nn.init.uniform_(nl.empty(3, 5), -0.1, 0.1)
    """
    arr = _array(tensor, "uniform_")
    return _fill(tensor, _gen(generator).uniform(a, b, arr.shape), "uniform_")


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Any:
    """Fill with N(mean, std**2)."""
    arr = _array(tensor, "normal_")
    return _fill(tensor, _gen(generator).normal(mean, std, arr.shape), "normal_")


def _erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function on (-1, 1) in float64: Giles' approximation (2010),
    polished by two Newton steps on ``erf_array``."""
    w = -np.log((1.0 - y) * (1.0 + y))
    central = w < 5.0
    wc = w - 2.5
    pc = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
        pc = c + pc * wc
    wt = np.sqrt(w) - 3.0
    pt = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
        pt = c + pt * wt
    x = np.where(central, pc, pt) * y
    for _ in range(2):
        x = x - (erf_array(x) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


def trunc_normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: np.random.Generator | None = None) -> Any:
    """Fill with N(mean, std**2) truncated to [a, b] (bounds in absolute units, as
    torch), by the inverse-CDF method: works best when a <= mean <= b.

    Example:
        >>> w = nn.init.trunc_normal_(nl.empty(64, 64), std=0.02, a=-0.04, b=0.04)
    """
    arr = _array(tensor, "trunc_normal_")
    if std <= 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
    u = _gen(generator).uniform(2 * lo - 1, 2 * hi - 1, arr.shape)
    u = np.clip(u, -1 + 1e-16, 1 - 1e-16)
    values = np.clip(_erfinv(u) * (std * math.sqrt(2.0)) + mean, a, b)
    return _fill(tensor, values, "trunc_normal_")


def constant_(tensor: Any, val: float) -> Any:
    """Fill with the value ``val``."""
    return _fill(tensor, val, "constant_")


def ones_(tensor: Any) -> Any:
    """Fill with 1."""
    return _fill(tensor, 1, "ones_")


def zeros_(tensor: Any) -> Any:
    """Fill with 0."""
    return _fill(tensor, 0, "zeros_")


def eye_(tensor: Any) -> Any:
    """Fill a 2-D tensor with the identity (ones on the diagonal, as ``np.eye``)."""
    arr = _array(tensor, "eye_")
    if arr.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{arr.shape}")
    return _fill(tensor, np.eye(*arr.shape), "eye_")


def dirac_(tensor: Any, groups: int = 1) -> Any:
    """Fill a 3/4/5-D conv weight with the Dirac delta: the convolution preserves the
    identity of its inputs (of each group's channels, with ``groups > 1``)."""
    arr = _array(tensor, "dirac_")
    if arr.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, "
                         f"got shape {arr.shape}")
    if arr.shape[0] % groups != 0:
        raise ValueError(f"dirac_: dim 0 ({arr.shape[0]}) must be divisible by groups "
                         f"({groups})")
    out_per_group = arr.shape[0] // groups
    values = np.zeros(arr.shape)
    centre = tuple(k // 2 for k in arr.shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, arr.shape[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values, "dirac_")


# ============================================================================
# Scaled by the fans: xavier (Glorot) and kaiming (He)
# ============================================================================
def xavier_uniform_(tensor: Any, gain: float = 1.0,
                    generator: np.random.Generator | None = None) -> Any:
    """Fill with U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio).

    Example:
        >>> w = nn.init.xavier_uniform_(nl.empty(3, 5), gain=nn.init.calculate_gain("relu"))
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_array(tensor, "xavier_uniform_"))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Any, gain: float = 1.0,
                   generator: np.random.Generator | None = None) -> Any:
    """Fill with N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_array(tensor, "xavier_normal_"))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Any, a: float, mode: str, nonlinearity: str, fn: str) -> float | None:
    arr = _array(tensor, fn)
    if 0 in arr.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(arr, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Any, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Any:
    """Fill with U(-b, b), b = sqrt(3) * gain / sqrt(fan) (He et al.).

    Args:
        tensor: the weight, at least 2-D.
        a (float): negative slope of the rectifier after this layer (``leaky_relu``).
            Default: 0.
        mode (str): ``'fan_in'`` keeps the forward variance, ``'fan_out'`` the backward
            one. Default: 'fan_in'.
        nonlinearity (str): as in ``calculate_gain``. Default: 'leaky_relu'.

    ``nn.Linear`` uses ``a=sqrt(5)``, which gives b = 1 / sqrt(fan_in).

    Example:
        >>> w = nn.init.kaiming_uniform_(nl.empty(3, 5), mode="fan_in", nonlinearity="relu")
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Any, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Any:
    """Fill with N(0, std**2), std = gain / sqrt(fan) (He et al.); arguments as in
    ``kaiming_uniform_``."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Any, gain: float = 1, generator: np.random.Generator | None = None) -> Any:
    """Fill with a (semi-)orthogonal matrix (Saxe et al. 2013), times ``gain``.

    The tensor is viewed as (rows, cols) = (shape[0], numel / shape[0]); rows are
    orthonormal when rows <= cols, columns otherwise.

    Example:
        >>> w = nn.init.orthogonal_(nl.empty(3, 5))
        >>> np.allclose(w.array @ w.array.T, np.eye(3), atol=1e-6)
        True
    """
    arr = _array(tensor, "orthogonal_")
    if arr.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are "
                         f"supported, got shape {arr.shape}")
    if arr.size == 0:
        return tensor
    rows = arr.shape[0]
    cols = arr.size // rows
    flat = _gen(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))          # make Q unique (uniformly distributed)
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(arr.shape), "orthogonal_")


def sparse_(tensor: Any, sparsity: float, std: float = 0.01,
            generator: np.random.Generator | None = None) -> Any:
    """Fill a 2-D tensor with N(0, std**2) and zero ``ceil(sparsity * rows)`` randomly
    chosen entries of every column (Martens 2010).

    Args:
        tensor: a 2-D Tensor (or ndarray) of shape (rows, cols).
        sparsity (float): the fraction of each column set to zero.
        std (float): standard deviation of the non-zero values. Default: 0.01.
        generator (np.random.Generator, optional): Default: nnlite's.

    Example:
        >>> w = nn.init.sparse_(nl.empty(10, 3), sparsity=0.2)
        >>> (w.array == 0).sum(axis=0)
        array([2, 2, 2])
    """
    arr = _array(tensor, "sparse_")
    if arr.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape "
                         f"{arr.shape}")
    rows, cols = arr.shape
    num_zeros = int(math.ceil(sparsity * rows))
    gen = _gen(generator)
    values = gen.normal(0.0, std, arr.shape)
    # a random permutation of the rows per column (argsort of uniform keys); its first
    # num_zeros rows are zeroed
    order = np.argsort(gen.random((rows, cols)), axis=0)
    values[order[:num_zeros], np.arange(cols)] = 0
    return _fill(tensor, values, "sparse_")
