"""Activation modules: each holds its settings and calls one function of ``F``.

``inplace`` is accepted where PyTorch has it (and shown in the repr), but nnlite always
computes out of place: the result is returned and the input is left unchanged.

Shape (all of them): input (*) -> output (*), the same shape.
"""
from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Softplus"]


def _inplace_str(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """max(x, 0), elementwise.

    Args:
        inplace (bool): accepted for PyTorch compatibility. Default: False.

    Example:
        >>> nn.ReLU()(nl.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.

    Args:
        negative_slope (float): slope for x < 0. Default: 0.01.
        inplace (bool): accepted for PyTorch compatibility. Default: False.

    Example:
        >>> nn.LeakyReLU(0.1)(nl.tensor([-1.0, 2.0]))
        tensor([-0.1,  2. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1) (Clevert et al. 2015).

    Args:
        alpha (float): the value approached for x -> -inf is -alpha. Default: 1.0.
        inplace (bool): accepted for PyTorch compatibility. Default: False.

    Example:
        >>> nn.ELU()(nl.tensor([0.0, 1.0])).shape
        (2,)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x), Phi the standard normal cdf (Hendrycks & Gimpel 2016).

    Args:
        approximate (str): 'none' (exact, with erf) or 'tanh'
            (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))). Default: 'none'.

    Example:
        >>> nn.GELU(approximate="tanh")(nl.randn(4)).shape
        (4,)
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got "
                             f"{approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)).

    Example:
        >>> nn.Sigmoid()(nl.zeros(2))
        tensor([0.5, 0.5])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x).

    Example:
        >>> nn.Tanh()(nl.zeros(2))
        tensor([0., 0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """exp(x_i) / sum_j exp(x_j) along ``dim``: each slice sums to 1.

    Args:
        dim (int): the dim to normalise. None picks torch's legacy default (0 for 0-,
            1- and 3-D input, else 1) with a warning. Default: None.

    Example:
        >>> nn.Softmax(dim=-1)(nl.randn(2, 3)).shape
        (2, 3)
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably.

    Args:
        dim (int): the dim to normalise; None as in ``Softmax``. Default: None.

    Example:
        >>> nn.LogSoftmax(dim=1)(nl.randn(2, 3)).shape
        (2, 3)
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, a smooth ReLU; linear where beta * x > threshold.

    Args:
        beta (float): sharpness. Default: 1.0.
        threshold (float): above this value of beta * x the output is x. Default: 20.0.

    Example:
        >>> nn.Softplus()(nl.zeros(1))
        tensor([0.6931472])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"

