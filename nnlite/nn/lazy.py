"""Lazy modules: layers whose input size is read from the first input
(``LazyLinear``, ``LazyConv1d/2d/3d``, ``LazyBatchNorm1d/2d``), and the pieces they are
made of: ``UninitializedParameter``, ``UninitializedBuffer`` and ``LazyModuleMixin``.

A lazy layer is built with its parameters (and, for batch norm, running statistics)
*uninitialized*: placeholders without a shape. A forward pre-hook runs at the first
call: it reads ``in_features`` / ``in_channels`` / ``num_features`` from the input,
``materialize``s every placeholder with its shape (turning it into an ordinary
Parameter or Tensor of the same identity, so an optimizer built before still holds it),
runs ``reset_parameters()`` (torch's initialisation), removes itself, and turns the module
into its eager class (``LazyLinear`` becomes ``Linear``: ``cls_to_become``).
``load_state_dict`` on a module still lazy materializes each placeholder with the shape
of its checkpoint entry first, as torch.

Differences from torch: nnlite's placeholders are empty arrays of shape (0,) (their
dtype the layer's), so an op given one before materialization fails with that op's own
shape error rather than torch's "uninitialized parameter" error; ``state_dict()`` of a
module still lazy holds those empty arrays.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..tensor import Tensor, no_grad
from ._checks import factory_dtype
from .conv import Conv1d, Conv2d, Conv3d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d
from .parameter import Parameter

__all__ = ["UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
           "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyBatchNorm1d", "LazyBatchNorm2d"]


# ============================================================================
# Placeholders
# ============================================================================
class _Uninitialized:
    """What both placeholders share: ``materialize`` and the flag."""

    __slots__ = ()
    cls_to_become: type = Tensor
    is_uninitialized = True

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the placeholder an (uninitialised) array of ``shape`` and make it an
        ordinary ``cls_to_become`` (Parameter or Tensor), keeping its identity.

        Args:
            shape (int or tuple): the shape.
            device: only None or 'cpu'. Default: None.
            dtype: Default: the placeholder's dtype.
        """
        if device not in (None, "cpu"):
            raise ValueError(f"materialize: nnlite runs on the CPU only, got device {device!r}")
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else \
            tuple(int(s) for s in shape)
        self.array = np.empty(shape, self.array.dtype if dtype is None else np.dtype(dtype))
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter without a shape yet, for lazy modules; ``materialize(shape)`` turns it
    into an ordinary Parameter.

    Args:
        requires_grad (bool): Default: True.
        device: only None or 'cpu'. dtype: Default: the default dtype.

    Example:
        >>> p = nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, p.shape
        ('Parameter', (2, 3))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        dtype = factory_dtype("UninitializedParameter", device, dtype)
        super().__init__(np.empty((0,), dtype), requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer without a shape yet, for lazy modules; ``materialize(shape)`` turns it
    into an ordinary Tensor.

    Args:
        requires_grad (bool): Default: False.
        device: only None or 'cpu'. dtype: Default: the default dtype.
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        dtype = factory_dtype("UninitializedBuffer", device, dtype)
        super().__init__(np.empty((0,), dtype), requires_grad=requires_grad)


def _is_lazy(t: Any) -> bool:
    return isinstance(t, _Uninitialized)


# ============================================================================
# The mixin
# ============================================================================
class LazyModuleMixin:
    """Put before a layer class: its subclass is built with placeholders and
    materialized at its first forward (see the module docstring). A subclass defines
    ``initialize_parameters(input)`` and ``cls_to_become``."""

    cls_to_become: type | None = None
    _dims: tuple
    _dims_text: str

    def _start_lazy(self) -> None:
        """Register the first-forward hook (called at the end of ``__init__``)."""
        self._initialize_hook = self.register_forward_pre_hook(
            LazyModuleMixin._infer_parameters, with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module is still a placeholder."""
        return any(_is_lazy(t) for t in list(self._parameters.values())
                   + list(self._buffers.values()))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")

    @staticmethod
    def _infer_parameters(module: Any, args: tuple, kwargs: dict) -> None:
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, *args: Any) -> None:
        materialized = False
        for registry in (self._parameters, self._buffers):
            for name, t in registry.items():
                key = prefix + name
                if _is_lazy(t) and key in state_dict:
                    t.materialize(np.shape(state_dict[key]))
                    materialized = True
        if materialized:
            self._read_sizes()
        super()._load_from_state_dict(state_dict, prefix, *args)

    def _read_sizes(self) -> None:
        """Set the input size attribute (``in_features``, ...) from the materialized
        parameters' shapes after a load. Each lazy layer below overrides it; the mixin
        itself holds no size, so here there is nothing to set."""

    def _input(self, input: Any, ndims: tuple, what: str) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        if input.ndim not in ndims:
            raise ValueError(f"{type(self).__name__}: expected {what} input, got shape "
                             f"{tuple(input.shape)}")
        return input


# ============================================================================
# Lazy layers
# ============================================================================
class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dim of its first input.

    Args:
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: True.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Attributes:
        weight (UninitializedParameter, then Parameter): (out_features, in_features).
        bias (UninitializedParameter, then Parameter, or None): (out_features,).

    Example:
        >>> m = nn.LazyLinear(10)
        >>> m(nl.randn(4, 7)).shape, type(m).__name__, m.weight.shape
        ((4, 10), 'Linear', (10, 7))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(1, out_features, bias, device, dtype)
        dtype = self.weight.dtype
        self.in_features = 0
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._start_lazy()

    def _read_sizes(self) -> None:
        if not _is_lazy(self.weight):
            self.in_features = int(self.weight.shape[1])

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            input = self._input(input, tuple(range(1, 64)), "an at least 1-D")
            with no_grad():
                self.in_features = int(input.shape[-1])
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvXdMixin(LazyModuleMixin):
    """What the lazy convolutions share: ``in_channels`` is dim -nd-1 of the first
    input (dim 1 of a batched one)."""

    _nd = 2

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        # in_channels = groups until the first input says (the conv's checks pass)
        super().__init__(groups, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)
        self._make_lazy()

    def _make_lazy(self) -> None:
        dtype = self.weight.dtype
        self.in_channels = 0
        self.weight = UninitializedParameter(dtype=dtype)
        if self.bias is not None:
            self.bias = UninitializedParameter(dtype=dtype)
        self._start_lazy()

    def _read_sizes(self) -> None:
        if not _is_lazy(self.weight):
            self.in_channels = int(self.weight.shape[1]) * self.groups

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            nd = self._nd
            input = self._input(input, (nd + 1, nd + 2),
                                f"{nd + 1}-D (unbatched) or {nd + 2}-D (batched)")
            c = int(input.shape[-nd - 1])
            if c % self.groups:
                raise ValueError(f"{type(self).__name__}: in_channels ({c}, input shape "
                                 f"{tuple(input.shape)}) must be divisible by groups "
                                 f"({self.groups})")
            with no_grad():
                self.in_channels = c
                self.weight.materialize((self.out_channels, c // self.groups)
                                        + tuple(self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


def _conv_doc(nd: int) -> str:
    names = {1: "(N, C_in, L)", 2: "(N, C_in, H, W)", 3: "(N, C_in, D, H, W)"}[nd]
    return f"""``Conv{nd}d`` whose ``in_channels`` is read from its first input {names}.

    Args:
        out_channels (int), kernel_size, stride, padding, dilation, groups, bias,
        padding_mode, device, dtype: as ``Conv{nd}d`` (its defaults).

    Attributes:
        weight (UninitializedParameter, then Parameter): (C_out, C_in/groups) + kernel_size.
        bias (UninitializedParameter, then Parameter, or None): (C_out,).

    Example:
        >>> m = nn.LazyConv{nd}d(8, 3)
        >>> _ = m(nl.randn(2, 4{', 10' * nd}))
        >>> type(m).__name__, m.weight.shape[:2]
        ('Conv{nd}d', (8, 4))
    """


class LazyConv1d(_LazyConvXdMixin, Conv1d):
    __doc__ = _conv_doc(1)
    cls_to_become = Conv1d
    _nd = 1


class LazyConv2d(_LazyConvXdMixin, Conv2d):
    __doc__ = _conv_doc(2)
    cls_to_become = Conv2d
    _nd = 2


class LazyConv3d(_LazyConvXdMixin, Conv3d):
    __doc__ = _conv_doc(3)
    cls_to_become = Conv3d
    _nd = 3


class _LazyNormBase(LazyModuleMixin):
    """What the lazy batch norms share: ``num_features`` is dim 1 of the first input
    (its accepted ranks ``_dims`` are the eager class's)."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(1, eps, momentum, affine, track_running_stats, device, dtype)
        dtype = factory_dtype(type(self).__name__, device, dtype)
        self.num_features = 0
        if self.affine:
            self.weight = UninitializedParameter(dtype=dtype)
            self.bias = UninitializedParameter(dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
        self._start_lazy()

    def _read_sizes(self) -> None:
        for t in (self.weight, self.running_mean):
            if t is not None and not _is_lazy(t):
                self.num_features = int(t.shape[0])

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            input = self._input(input, self._dims, self._dims_text)
            with no_grad():
                self.num_features = int(input.shape[1])
                for t in (self.weight, self.bias, self.running_mean, self.running_var):
                    if t is not None:
                        t.materialize((self.num_features,))
                self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """``BatchNorm1d`` whose ``num_features`` is dim 1 of its first input (N, C) or
    (N, C, L).

    Args:
        eps, momentum, affine, track_running_stats, device, dtype: as ``BatchNorm1d``.

    Example:
        >>> m = nn.LazyBatchNorm1d()
        >>> _ = m(nl.randn(8, 5))
        >>> type(m).__name__, m.running_mean.shape
        ('BatchNorm1d', (5,))
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """``BatchNorm2d`` whose ``num_features`` is dim 1 of its first input (N, C, H, W).

    Args:
        eps, momentum, affine, track_running_stats, device, dtype: as ``BatchNorm2d``.

    Example:
        >>> m = nn.LazyBatchNorm2d()
        >>> _ = m(nl.randn(2, 3, 4, 4))
        >>> type(m).__name__, m.weight.shape
        ('BatchNorm2d', (3,))
    """

    cls_to_become = BatchNorm2d
