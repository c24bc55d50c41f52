"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose1d``,
``ConvTranspose2d``, ``ConvTranspose3d``.

Each layer validates its arguments as torch does, owns ``weight`` and ``bias`` in torch's
layout and default initialisation, and its ``forward`` is one call into the functional
convolution (``nnlite.ops.conv``; ``padding_mode`` other than 'zeros' pads first). Bad
input is reported with the layer and the shapes: ``Conv2d(3, 16, kernel_size=(3, 3)):
expected input with 3 channels, got shape (8, 4, 32, 32)``.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..ops import conv as _conv
from ..ops import conv3d as _conv3d
from ..ops.conv_transpose import conv_transpose1d
from ..ops import pad as _pad
from ..ops.arguments import (check_groups, conv_padding, named_errors, ntuple,
                             transposed_out_size)
from ..tensor import Tensor
from ._checks import factory_dtype
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: argument checks, parameters,
    ``reset_parameters``, ``extra_repr`` and the account of a bad input."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, output_padding: Any, groups: int, bias: bool,
                 padding_mode: str, device: Any, dtype: Any) -> None:
        super().__init__()
        layer, nd = type(self).__name__, self._nd
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"{layer}: {name} must be a positive int, got {v!r}")
        groups = check_groups(groups, layer, in_channels=in_channels,
                              out_channels=out_channels)
        kernel_size = ntuple(kernel_size, nd, "kernel_size", layer, minimum=1)
        stride = ntuple(stride, nd, "stride", layer, minimum=1)
        dilation = ntuple(dilation, nd, "dilation", layer, minimum=1)
        output_padding = ntuple(output_padding, nd, "output_padding", layer)
        if self._transposed:       # zeros only, no 'same'; output_padding < stride or dilation
            if padding_mode != "zeros":
                raise ValueError(f'{layer}: only "zeros" padding mode is supported, got '
                                 f'{padding_mode!r}')
            padding = ntuple(padding, nd, "padding", layer, minimum=0)
            if any(op < 0 or op >= max(s, d)
                   for op, s, d in zip(output_padding, stride, dilation)):
                raise ValueError(f"{layer}: output_padding {output_padding} must be "
                                 f"non-negative and smaller than either stride {stride} "
                                 f"or dilation {dilation}")
        pads = conv_padding(padding, kernel_size, stride, dilation, layer)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{layer}: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        dtype = factory_dtype(layer, device, dtype)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.padding = padding if isinstance(padding, str) else tuple(lo for lo, _ in pads)
        self.output_padding = output_padding
        self.transposed, self.groups = self._transposed, groups
        self.padding_mode = padding_mode
        # F.pad's (left, right, top, bottom) for padding modes other than zeros
        self._reversed_padding_repeated_twice = [v for lo_hi in reversed(pads) for v in lo_hi]
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + kernel_size
        self.weight = Parameter(np.empty(shape, dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default: ``kaiming_uniform_(a=sqrt(5))`` for the weight (bound
        1/sqrt(fan_in)) and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias, where
        fan_in = weight.shape[1] * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        nd = self._nd
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    # ---- bad input -------------------------------------------------------------
    def _name(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size})")

    def _check_tensor(self, input: Any) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"expected a Tensor input, got {type(input).__name__}")

    def _explain(self, input: Any) -> None:
        """Run by ``named_errors`` only when the op has raised: a wrong input type, rank,
        channel count or (for convolutions) size against the kernel, in the layer's
        terms. Finding none of these, it leaves the op's own error."""
        self._check_tensor(input)
        nd, shape = self._nd, input.shape
        dims = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}[nd]
        bdims = "(N, " + dims[1:]
        if input.ndim not in (nd + 1, nd + 2):
            raise ValueError(f"expected {nd + 1}-D {dims} or {nd + 2}-D {bdims} input, got "
                             f"shape {tuple(shape)}")
        c = shape[-nd - 1]
        if c != self.in_channels:
            raise ValueError(f"expected input with {self.in_channels} channels, got shape "
                             f"{tuple(shape)}")
        if self.transposed:
            return
        pads = self._reversed_padding_repeated_twice
        spatial = shape[-nd:]
        padded = tuple(s + pads[2 * (nd - 1 - i)] + pads[2 * (nd - 1 - i) + 1]
                       for i, s in enumerate(spatial))
        kernel = tuple(d * (k - 1) + 1 for k, d in zip(self.kernel_size, self.dilation))
        if any(p < k for p, k in zip(padded, kernel)):
            raise ValueError(f"input of shape {tuple(shape)} padded to {padded} is smaller "
                             f"than the kernel {kernel} (kernel_size {self.kernel_size}, "
                             f"dilation {self.dilation})")

    def _conv_forward(self, input: Tensor, fn: Any) -> Tensor:
        with named_errors(self._name, lambda: self._explain(input)):
            self._check_tensor(input)
            if self.padding_mode != "zeros":
                padded = _pad(input, self._reversed_padding_repeated_twice,
                              mode=self.padding_mode)
                return fn(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                          self.groups)
            return fn(input, self.weight, self.bias, self.stride, self.padding,
                      self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over an (N, C_in, L) signal.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels produced.
        kernel_size (int or tuple): K.
        stride (int or tuple): Default: 1.
        padding (int, tuple or str): zeros (or ``padding_mode``) on both sides, or
            'valid' / 'same' (stride 1 only). Default: 0.
        dilation (int or tuple): spacing between kernel taps. Default: 1.
        groups (int): blocked connections from input to output channels; both must be
            divisible by it. Default: 1.
        bias (bool): learn an additive bias. Default: True.
        padding_mode (str): 'zeros', 'reflect', 'replicate' or 'circular'.
            Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out),
        L_out = (L + 2*padding - dilation*(K-1) - 1) // stride + 1.

    Attributes:
        weight (Parameter): (C_out, C_in/groups, K), U(-k, k), k = 1/sqrt(C_in/groups*K).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.Conv1d(16, 33, 3, stride=2)
        >>> m(nl.randn(20, 16, 50)).shape
        (20, 33, 24)
    """

    _nd = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         (0,), groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, _conv.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over an (N, C_in, H, W) image batch.

    Args:
        in_channels (int): channels of the input image.
        out_channels (int): channels produced.
        kernel_size (int or tuple): (KH, KW).
        stride (int or tuple): Default: 1.
        padding (int, tuple or str): zeros (or ``padding_mode``) on both sides, or
            'valid' / 'same' (stride 1 only; an odd total puts the extra row/column at
            the bottom/right). Default: 0.
        dilation (int or tuple): spacing between kernel taps. Default: 1.
        groups (int): blocked connections from input to output channels; both must be
            divisible by it (groups = in_channels: depthwise). Default: 1.
        bias (bool): learn an additive bias. Default: True.
        padding_mode (str): 'zeros', 'reflect', 'replicate' or 'circular'.
            Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out),
        H_out = (H + 2*padding[0] - dilation[0]*(KH-1) - 1) // stride[0] + 1 (W alike).

    Attributes:
        weight (Parameter): (C_out, C_in/groups, KH, KW), U(-k, k),
            k = 1/sqrt(C_in/groups * KH * KW) (``kaiming_uniform_(a=sqrt(5))``).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.Conv2d(3, 16, 3, padding=1)
        >>> m(nl.randn(8, 3, 32, 32)).shape
        (8, 16, 32, 32)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         (0, 0), groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, _conv.conv2d)


class _ConvTransposeNd(_ConvNd):
    """What ConvTranspose1d, ConvTranspose2d and ConvTranspose3d share: ``forward(input, output_size)``
    through the functional form ``_transposed_fn``."""

    _transposed = True
    _transposed_fn: Any = None

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple:
        if output_size is None:
            return self.output_padding
        nd = self._nd
        output_size = tuple(int(s) for s in output_size)
        if len(output_size) == input.ndim:
            output_size = output_size[-nd:]
        if len(output_size) != nd:
            raise ValueError(f"for {input.ndim}-D input, output_size must have {nd} or "
                             f"{input.ndim} elements (got {len(output_size)})")
        lo = tuple(transposed_out_size(*a) for a in zip(input.shape[-nd:], self.kernel_size,
                                                        self.stride, self.padding,
                                                        self.dilation))
        hi = tuple(a + s - 1 for a, s in zip(lo, self.stride))
        if any(not a <= s <= b for s, a, b in zip(output_size, lo, hi)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                             f"range from {lo} to {hi} (for an input of shape "
                             f"{tuple(input.shape)})")
        return tuple(s - a for s, a in zip(output_size, lo))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        with named_errors(self._name, lambda: self._explain(input)):
            self._check_tensor(input)
            output_padding = self._output_padding(input, output_size)
            return self._transposed_fn(input, self.weight, self.bias, self.stride,
                                       self.padding, output_padding, self.groups,
                                       self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution: the gradient of ``Conv1d`` with respect to its input,
    as a layer (upsampling by ``stride``); runs the 2-D op with a height of 1.

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple): as Conv1d.
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation*(K-1) - padding`` zeros are added to both
            sides of the input. Default: 0.
        output_padding (int or tuple): extra size on the right of the output, smaller
            than stride or dilation. Default: 0.
        groups (int): Default: 1.
        bias (bool): Default: True.
        dilation (int or tuple): Default: 1.
        padding_mode (str): only 'zeros'. Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out),
        L_out = (L-1)*stride - 2*padding + dilation*(K-1) + output_padding + 1.
        ``forward(input, output_size)`` picks the output_padding giving that size.

    Attributes:
        weight (Parameter): (C_in, C_out/groups, K), U(-k, k), k = 1/sqrt(C_out/groups * K).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)
        >>> m(nl.randn(2, 16, 10)).shape
        (2, 8, 20)
    """

    _nd = 1
    _transposed_fn = staticmethod(conv_transpose1d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution: the gradient of ``Conv2d`` with respect to its input,
    as a layer (upsampling by ``stride``).

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple): as Conv2d.
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation*(K-1) - padding`` zeros are added to both
            sides of the input. Default: 0.
        output_padding (int or tuple): extra size on the bottom/right of the output,
            smaller than stride or dilation. Default: 0.
        groups (int): Default: 1.
        bias (bool): Default: True.
        dilation (int or tuple): Default: 1.
        padding_mode (str): only 'zeros'. Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out),
        H_out = (H-1)*stride[0] - 2*padding[0] + dilation[0]*(KH-1) + output_padding[0] + 1.
        ``forward(input, output_size)`` picks the output_padding giving that size.

    Attributes:
        weight (Parameter): (C_in, C_out/groups, KH, KW), U(-k, k),
            k = 1/sqrt(C_out/groups * KH * KW).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        >>> m(nl.randn(2, 16, 8, 8)).shape
        (2, 8, 16, 16)
    """

    _transposed_fn = staticmethod(_conv.conv_transpose2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, device, dtype)


class Conv3d(_ConvNd):
    """3-D convolution over an (N, C_in, D, H, W) volume batch.

    Args:
        in_channels (int): channels of the input volume.
        out_channels (int): channels produced.
        kernel_size (int or tuple): (KD, KH, KW).
        stride (int or tuple): Default: 1.
        padding (int, tuple or str): zeros (or ``padding_mode``) on both sides, or
            'valid' / 'same' (stride 1 only; an odd total puts the extra zero after).
            Default: 0.
        dilation (int or tuple): spacing between kernel taps. Default: 1.
        groups (int): blocked connections from input to output channels; both must be
            divisible by it. Default: 1.
        bias (bool): learn an additive bias. Default: True.
        padding_mode (str): 'zeros', 'reflect', 'replicate' or 'circular'.
            Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W) -> output (N, C_out, D_out, H_out,
        W_out), D_out = (D + 2*padding[0] - dilation[0]*(KD-1) - 1) // stride[0] + 1
        (H, W alike).

    Attributes:
        weight (Parameter): (C_out, C_in/groups, KD, KH, KW), U(-k, k),
            k = 1/sqrt(C_in/groups * KD * KH * KW).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.Conv3d(3, 8, 3, padding=1)
        >>> m(nl.randn(2, 3, 8, 8, 8)).shape
        (2, 8, 8, 8, 8)
    """

    _nd = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         (0, 0, 0), groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, _conv3d.conv3d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution: the gradient of ``Conv3d`` with respect to its input,
    as a layer (upsampling by ``stride``).

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple): as Conv3d.
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation*(K-1) - padding`` zeros are added to both
            sides of the input. Default: 0.
        output_padding (int or tuple): extra size at the end of each spatial dim of the
            output, smaller than stride or dilation. Default: 0.
        groups (int): Default: 1.
        bias (bool): Default: True.
        dilation (int or tuple): Default: 1.
        padding_mode (str): only 'zeros'. Default: 'zeros'.
        device: only None or 'cpu'. dtype: of the parameters (default float32).

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W) -> output (N, C_out, D_out, H_out,
        W_out), D_out = (D-1)*stride[0] - 2*padding[0] + dilation[0]*(KD-1) +
        output_padding[0] + 1 (H, W alike). ``forward(input, output_size)`` picks the
        output_padding giving that size.

    Attributes:
        weight (Parameter): (C_in, C_out/groups, KD, KH, KW), U(-k, k),
            k = 1/sqrt(C_out/groups * KD * KH * KW).
        bias (Parameter or None): (C_out,), U(-k, k).

    Example:
        >>> m = nn.ConvTranspose3d(4, 2, 2, stride=2)
        >>> m(nl.randn(1, 4, 3, 3, 3)).shape
        (1, 2, 6, 6, 6)
    """

    _nd = 3
    _transposed_fn = staticmethod(_conv3d.conv_transpose3d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, device, dtype)
