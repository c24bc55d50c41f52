"""Dropout layers: ``Dropout``, ``Dropout1d``, ``Dropout2d``, ``Dropout3d``, ``AlphaDropout``.

Active in training mode (``model.train()``), the identity in eval mode. The masks come
from nnlite's generator, so ``nl.manual_seed`` makes them repeatable. Each layer calls
one function of ``nnlite.ops.dropout``.
"""
from __future__ import annotations

from ..ops.dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d
from ..tensor import Tensor
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]


class _DropoutNd(Module):
    """Base: checks and stores ``p`` and ``inplace``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: dropout probability has to be between "
                             f"0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)`` (inverted dropout, Srivastava et al. 2014), so eval mode is the
    identity.

    Args:
        p (float): probability of an element being zeroed. Default: 0.5.
        inplace (bool): write the result into the input and return it. Default:
            False.

    Shape:
        input of any shape -> output of the same shape.

    Example:
        >>> m = nn.Dropout(p=0.2)
        >>> m(nl.randn(20, 16)).shape
        (20, 16)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """During training, zero whole channels (each (sample, channel) sequence) with
    probability ``p``; scale the rest by ``1 / (1 - p)``.

    Args:
        p (float): probability of a channel being zeroed. Default: 0.5.
        inplace (bool): as ``Dropout``. Default: False.

    Shape:
        input (N, C, L) or (C, L) -> output of the same shape.

    Example:
        >>> m = nn.Dropout1d(p=0.2)
        >>> m(nl.randn(20, 16, 32)).shape
        (20, 16, 32)
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (2, 3):
            raise ValueError(f"Dropout1d: expected 2D (C, L) or 3D (N, C, L) input, got "
                             f"shape {tuple(input.shape)}")
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """During training, zero whole channels (each (sample, channel) feature map) with
    probability ``p``; scale the rest by ``1 / (1 - p)`` (Tompson et al. 2015).

    Args:
        p (float): probability of a channel being zeroed. Default: 0.5.
        inplace (bool): as ``Dropout``. Default: False.

    Shape:
        input (N, C, H, W) -> output of the same shape. As torch, a 3D input is taken
        as (N, C, L) with a warning.

    Example:
        >>> m = nn.Dropout2d(p=0.2)
        >>> m(nl.randn(20, 16, 32, 32)).shape
        (20, 16, 32, 32)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """During training, zero whole channels (each (sample, channel) volume) with
    probability ``p``; scale the rest by ``1 / (1 - p)``.

    Args:
        p (float): probability of a channel being zeroed. Default: 0.5.
        inplace (bool): as ``Dropout``. Default: False.

    Shape:
        input (N, C, D, H, W) or (C, D, H, W) -> output of the same shape.

    Example:
        >>> m = nn.Dropout3d(p=0.2)
        >>> m(nl.randn(2, 4, 3, 8, 8)).shape
        (2, 4, 3, 8, 8)
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for self-normalising (SELU) networks (Klambauer et al. 2017): dropped units
    take SELU's negative saturation value and an affine correction keeps the input's
    mean and variance. The identity in eval mode.

    Args:
        p (float): probability of an element being dropped. Default: 0.5.
        inplace (bool): as ``Dropout``. Default: False.

    Shape:
        input of any shape -> output of the same shape.
    """

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training, self.inplace)
