"""conv_transpose1d: the 1-D transposed convolution, a ``conv_transpose2d`` with H = 1.

Notation: x (N, C_in, L), weight (C_in, C_out / groups, K). The input and the weight get
a size-1 height, the 2-D op runs with stride, padding, dilation and output_padding
(1, s), (0, p), (1, d), (0, op), and the height is dropped again; the 2-D op's
Function gives the gradients.
"""
from __future__ import annotations

from typing import Any

from ..factories import as_tensor
from ..tensor import Tensor
from .arguments import ntuple
from .conv import conv_transpose2d

__all__ = ["conv_transpose1d"]


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution ("deconvolution") over an (N, C_in, L) signal: the
    gradient of ``conv1d`` with respect to its input, as a layer.

    Args:
        input (Tensor): (N, C_in, L), or (C_in, L) unbatched.
        weight (Tensor): (C_in, C_out/groups, K).
        bias (Tensor, optional): (C_out,). Default: None.
        stride, padding, output_padding, dilation (int or 1-tuple): as
            ``conv_transpose2d``. Defaults: 1, 0, 0, 1.
        groups (int): Default: 1.

    Shape:
        output (N, C_out, L_out), L_out = (L-1)*S - 2*P + D*(K-1) + OP + 1.

    Example:
        >>> F.conv_transpose1d(nl.randn(2, 4, 10), nl.randn(4, 3, 3), stride=2).shape
        (2, 3, 21)
    """
    op = "conv_transpose1d"
    input, weight = as_tensor(input), as_tensor(weight)
    stride = ntuple(stride, 1, "stride", op, minimum=1)
    padding = ntuple(padding, 1, "padding", op, minimum=0)
    opad = ntuple(output_padding, 1, "output_padding", op, minimum=0)
    dilation = ntuple(dilation, 1, "dilation", op, minimum=1)
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must be 3-D (in_channels, out_channels/groups, kW), "
                         f"got shape {tuple(weight.shape)}")
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected 2-D (unbatched) or 3-D (batched) input, got "
                         f"shape {tuple(input.shape)}")
    x4 = input.unsqueeze(-2)                                       # (N, C_in, 1, L)
    w4 = weight.unsqueeze(-2)                                      # (C_in, C_out/g, 1, K)
    y = conv_transpose2d(x4, w4, bias, (1,) + stride, (0,) + padding, (0,) + opad, groups,
                         (1,) + dilation)
    return y.squeeze(-2)
