"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d``, ``BatchNorm3d``,
``InstanceNorm1d``, ``InstanceNorm2d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``,
``LocalResponseNorm``.

Each layer validates its arguments and its input's shape, owns its parameters (and, for
batch norm, its running statistics as *buffers*, not parameters), and calls one function
of ``nnlite.ops.normalization`` in ``forward``. Names, defaults, ``state_dict`` keys and
``repr`` are torch's.
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any, Mapping

import numpy as np

from ..ops.normalization import batch_norm, group_norm, layer_norm, local_response_norm
from ..ops.sample_norms import instance_norm, rms_norm
from ..tensor import Tensor
from ._checks import factory_dtype, positive_int
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
           "LocalResponseNorm", "InstanceNorm1d", "InstanceNorm2d", "RMSNorm"]


def _make_affine(module: Module, shape: Any, dtype: Any, affine: bool, bias: bool) -> None:
    """``weight`` and ``bias`` Parameters of ``shape`` (None when not ``affine``; bias
    None without ``bias``), as every normalisation layer registers them."""
    module.register_parameter("weight", Parameter(np.empty(shape, dtype)) if affine else None)
    module.register_parameter("bias", Parameter(np.empty(shape, dtype))
                              if affine and bias else None)


def _reset_affine(module: Module) -> None:
    """weight to 1, bias to 0 (those that exist)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


# ============================================================================
# Batch norm
# ============================================================================
class _BatchNorm(Module):
    """Shared body of BatchNorm1d / BatchNorm2d (torch's ``_NormBase`` + ``_BatchNorm``).

    Args:
        num_features (int): C, the number of channels (dim 1 of the input).
        eps (float): added to the variance. Default: 1e-5.
        momentum (float or None): running statistics factor,
            ``running = (1 - momentum) * running + momentum * batch``; None for the
            cumulative average over all batches seen. Default: 0.1.
        affine (bool): learn a per-channel scale ``weight`` and shift ``bias``.
            Default: True.
        track_running_stats (bool): keep running statistics (used in eval mode); when
            False, batch statistics are used in eval mode too. Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters and running
            statistics. Default: None (float32).
        bias (bool, keyword only): with ``affine``, also learn ``bias``. Default: True.

    Attributes:
        weight, bias (Parameter or None): (C,), initialised to 1 and 0.
        running_mean, running_var (buffers, Tensor or None): (C,), initially 0 and 1;
            the variance is the unbiased batch variance, as torch.
        num_batches_tracked (buffer, int64 0-d Tensor or None): training batches seen.
    """

    _dims: tuple = ()
    _dims_text = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = positive_int(name, "num_features", num_features)
        dtype = factory_dtype(name, device, dtype)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        C = self.num_features
        _make_affine(self, C, dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(C, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(C, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self) -> None:
        """Reset the running statistics, weight to 1 and bias to 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input(self, input: Tensor) -> None:
        shape = tuple(input.shape)
        if len(shape) not in self._dims:
            raise ValueError(f"{self._get_name()}({self.num_features}): expected "
                             f"{self._dims_text} input, got {len(shape)}D input of shape "
                             f"{shape}")
        if shape[1] != self.num_features:
            raise ValueError(f"{self._get_name()}({self.num_features}): expected input with "
                             f"{self.num_features} channels (dim 1), got {shape[1]} channels "
                             f"in input of shape {shape}")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = self._count_batch()
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if use_running else None,
                          self.running_var if use_running else None, self.weight, self.bias,
                          bn_training, factor, self.eps)

    def _count_batch(self) -> float:
        """Count a training batch in ``num_batches_tracked`` and return this forward's
        running-statistics factor: ``momentum``, or 1 / batches with ``momentum=None``."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            n = self.num_batches_tracked.array
            np.add(n, 1, out=n)
            if self.momentum is None:                 # cumulative moving average
                factor = 1.0 / float(n)
        return factor

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, *args: Any) -> None:
        # checkpoints from before num_batches_tracked existed load as torch's do: the
        # counter keeps its value instead of being reported missing
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict:
            state_dict = dict(state_dict)
            state_dict[key] = self.num_batches_tracked.array.copy()
        super()._load_from_state_dict(state_dict, prefix, *args)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    __doc__ = """Batch normalisation over a 2D (N, C) or 3D (N, C, L) input (Ioffe & Szegedy
    2015): per channel, ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the
    statistics of the batch (over N and L) in training mode and the running statistics
    in eval mode.

    Shape:
        input (N, C) or (N, C, L) -> output of the same shape.
    """ + _BatchNorm.__doc__.split("\n", 1)[1] + """
    Example:
        >>> m = nn.BatchNorm1d(100)
        >>> m(nl.randn(20, 100)).shape
        (20, 100)
    """
    _dims = (2, 3)
    _dims_text = "2D (N, C) or 3D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    __doc__ = """Batch normalisation over a 4D (N, C, H, W) input (Ioffe & Szegedy 2015):
    per channel, ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the
    statistics of the batch (over N, H, W) in training mode and the running statistics
    in eval mode.

    Shape:
        input (N, C, H, W) -> output of the same shape.
    """ + _BatchNorm.__doc__.split("\n", 1)[1] + """
    Example:
        >>> m = nn.BatchNorm2d(16)
        >>> m(nl.randn(8, 16, 32, 32)).shape
        (8, 16, 32, 32)
    """
    _dims = (4,)
    _dims_text = "4D (N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    __doc__ = """Batch normalisation over a 5D (N, C, D, H, W) input (Ioffe & Szegedy 2015):
    per channel, ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the
    statistics of the batch (over N, D, H, W) in training mode and the running
    statistics in eval mode.

    Shape:
        input (N, C, D, H, W) -> output of the same shape.
    """ + _BatchNorm.__doc__.split("\n", 1)[1] + """
    Example:
        >>> m = nn.BatchNorm3d(4)
        >>> m(nl.randn(2, 4, 3, 5, 5)).shape
        (2, 4, 3, 5, 5)
    """
    _dims = (5,)
    _dims_text = "5D (N, C, D, H, W)"


# ============================================================================
# Layer norm, group norm
# ============================================================================
class LayerNorm(Module):
    """Layer normalisation (Ba et al. 2016) over the trailing ``normalized_shape`` dims
    of each sample: ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Args:
        normalized_shape (int or tuple): the trailing dims to normalise over.
        eps (float): added to the variance. Default: 1e-5.
        elementwise_affine (bool): learn ``weight`` and ``bias`` of shape
            ``normalized_shape``. Default: True.
        bias (bool): with elementwise_affine, also learn ``bias``. Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters. Default: None.

    Shape:
        input (*, *normalized_shape) -> output of the same shape.

    Attributes:
        weight, bias (Parameter or None): ``normalized_shape``, initialised to 1 and 0.

    Example:
        >>> m = nn.LayerNorm(512)
        >>> m(nl.randn(2, 10, 512)).shape
        (2, 10, 512)
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(positive_int("LayerNorm", "normalized_shape", n)
                                      for n in normalized_shape)
        if not self.normalized_shape:
            raise ValueError("LayerNorm: normalized_shape must have at least one dim")
        dtype = factory_dtype("LayerNorm", device, dtype)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _make_affine(self, self.normalized_shape, dtype, elementwise_affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to 1, bias to 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        shape, k = tuple(input.shape), len(self.normalized_shape)
        if len(shape) < k or shape[len(shape) - k:] != self.normalized_shape:
            raise ValueError(f"LayerNorm({self.normalized_shape}): expected input of shape "
                             f"(*, {', '.join(map(str, self.normalized_shape))}), got shape "
                             f"{shape}")
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalisation (Wu & He 2018): the channels of each sample are split into
    ``num_groups`` groups, each normalised over its channels and spatial dims; then a
    per-channel ``weight`` and ``bias`` are applied.

    Args:
        num_groups (int): number of groups; must divide num_channels.
        num_channels (int): C.
        eps (float): added to the variance. Default: 1e-5.
        affine (bool): learn per-channel ``weight`` and ``bias``. Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters. Default: None.
        bias (bool, keyword only): with affine, also learn ``bias``. Default: True.

    Shape:
        input (N, C, *) -> output of the same shape.

    Attributes:
        weight, bias (Parameter or None): (C,), initialised to 1 and 0.

    Example:
        >>> m = nn.GroupNorm(3, 6)
        >>> m(nl.randn(20, 6, 10, 10)).shape
        (20, 6, 10, 10)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        num_groups = positive_int("GroupNorm", "num_groups", num_groups)
        num_channels = positive_int("GroupNorm", "num_channels", num_channels)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        dtype = factory_dtype("GroupNorm", device, dtype)
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _make_affine(self, num_channels, dtype, affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to 1, bias to 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}): expected "
                             f"input of shape (N, {self.num_channels}, *), got shape {shape}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


# ============================================================================
# Local response norm
# ============================================================================
class LocalResponseNorm(Module):
    """Local response normalisation across channels (AlexNet, Krizhevsky et al. 2012):
    ``y_c = x_c / (k + alpha / size * sum_{c' in window(c)} x_{c'}^2) ** beta``, the
    window covering ``size`` neighbouring channels (zero padded), as torch.

    Args:
        size (int): number of neighbouring channels summed.
        alpha (float): multiplicative factor. Default: 1e-4.
        beta (float): exponent. Default: 0.75.
        k (float): additive factor. Default: 1.0.

    Shape:
        input (N, C, *) with at least 3 dims -> output of the same shape.

    Example:
        >>> lrn = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)   # AlexNet's
        >>> lrn(nl.randn(2, 96, 55, 55)).shape
        (2, 96, 55, 55)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = positive_int("LocalResponseNorm", "size", size)
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < 3:
            raise ValueError(f"LocalResponseNorm({self.size}): expected input of shape "
                             f"(N, C, *) with at least 3 dims, got shape {tuple(input.shape)}")
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ============================================================================
# Instance norm, RMS norm
# ============================================================================
class _InstanceNorm(Module):
    """Shared body of InstanceNorm1d / InstanceNorm2d (torch's ``_InstanceNorm``): the
    parameters, buffers, ``reset_parameters`` and ``extra_repr`` of batch norm (torch's
    ``_NormBase``, borrowed from ``_BatchNorm``; not a subclass of it, as in torch), with
    torch's instance-norm defaults (``affine=False``, ``track_running_stats=False``)."""

    _dims: tuple = ()
    _dims_text = ""
    _no_batch_dim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = positive_int(name, "num_features", num_features)
        dtype = factory_dtype(name, device, dtype)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        C = self.num_features
        _make_affine(self, C, dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(C, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(C, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    reset_running_stats = _BatchNorm.reset_running_stats
    reset_parameters = _BatchNorm.reset_parameters
    extra_repr = _BatchNorm.extra_repr

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, *args: Any) -> None:
        # a checkpoint without num_batches_tracked loads as torch's does (the counter
        # keeps its value)
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict:
            state_dict = dict(state_dict)
            state_dict[key] = self.num_batches_tracked.array.copy()
        super()._load_from_state_dict(state_dict, prefix, *args)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        if len(shape) not in self._dims:
            raise ValueError(f"{self._get_name()}({self.num_features}): expected "
                             f"{self._dims_text} input, got {len(shape)}D input of shape "
                             f"{shape}")
        feature_dim = input.ndim - self._no_batch_dim
        if shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          f"You can silence this warning by not passing in num_features, "
                          f"which is not used because affine=False", stacklevel=2)
        unbatched = input.ndim == self._no_batch_dim
        x = input.unsqueeze(0) if unbatched else input
        y = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          self.training or not self.track_running_stats,
                          self.momentum if self.momentum is not None else 0.0, self.eps)
        return y.squeeze(0) if unbatched else y


_INSTANCE_DOC = """
    Args:
        num_features (int): C, the number of channels.
        eps (float): added to the variance. Default: 1e-5.
        momentum (float or None): running-statistics factor (None acts as 0).
            Default: 0.1.
        affine (bool): learn a per-channel ``weight`` and ``bias``. Default: False.
        track_running_stats (bool): keep running statistics, updated in training mode
            and used in eval mode. Default: False.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters and running
            statistics. Default: None (float32).
        bias (bool, keyword only): with ``affine``, also learn ``bias``. Default: True.

    Attributes:
        weight, bias (Parameter or None): (C,), initialised to 1 and 0.
        running_mean, running_var, num_batches_tracked (buffers or None): as BatchNorm's
            (``num_batches_tracked`` is not incremented, as torch).
"""


class InstanceNorm1d(_InstanceNorm):
    __doc__ = """Instance normalisation (Ulyanov et al. 2016) over a (N, C, L) or
    unbatched (C, L) input: each channel of each sample is normalised over L,
    ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Shape:
        input (N, C, L) or (C, L) -> output of the same shape.
    """ + _INSTANCE_DOC + """
    Example:
        >>> m = nn.InstanceNorm1d(100, affine=True)
        >>> m(nl.randn(20, 100, 40)).shape
        (20, 100, 40)
    """
    _dims = (2, 3)
    _dims_text = "2D (C, L) or 3D (N, C, L)"


class InstanceNorm2d(_InstanceNorm):
    __doc__ = """Instance normalisation (Ulyanov et al. 2016) over a (N, C, H, W) or
    unbatched (C, H, W) input: each channel of each sample is normalised over H and W,
    ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output of the same shape.
    """ + _INSTANCE_DOC + """
    Example:
        >>> m = nn.InstanceNorm2d(16)
        >>> m(nl.randn(8, 16, 32, 32)).shape
        (8, 16, 32, 32)
    """
    _dims = (3, 4)
    _dims_text = "3D (C, H, W) or 4D (N, C, H, W)"
    _no_batch_dim = 3


class RMSNorm(Module):
    """Root-mean-square normalisation (Zhang & Sennrich 2019) over the trailing
    ``normalized_shape`` dims: ``y = x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape (int or tuple): the trailing dims to normalise over.
        eps (float, optional): added to the mean square; None for the machine epsilon of
            the input's dtype. Default: None.
        elementwise_affine (bool): learn ``weight`` of shape ``normalized_shape``.
            Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the weight. Default: None.

    Shape:
        input (*, *normalized_shape) -> output of the same shape.

    Attributes:
        weight (Parameter or None): ``normalized_shape``, initialised to 1.

    Example:
        >>> m = nn.RMSNorm([4])
        >>> m(nl.randn(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, normalized_shape: Any, eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
            else tuple(normalized_shape)
        self.normalized_shape = tuple(positive_int("RMSNorm", "normalized_shape", n)
                                      for n in shape)
        dtype = factory_dtype("RMSNorm", device, dtype)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.register_parameter("weight", Parameter(np.empty(self.normalized_shape, dtype))
                                if elementwise_affine else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
