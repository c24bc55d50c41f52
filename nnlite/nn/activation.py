"""Activation modules: each holds its settings and calls one function of ``F``.

``inplace=True`` (where PyTorch has it, and shown in the repr as torch does) writes the
result into the input and returns it, with torch's rules (an error on a leaf that
requires grad while grad mode is on).

Shape (all of them): input (*) -> output (*), the same shape.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._checks import factory_dtype, positive_int
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Softplus", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Hardtanh", "ReLU6",
           "PReLU", "SELU", "Softsign", "LogSigmoid", "Tanhshrink", "Softmin", "GLU",
           "CELU", "RReLU", "Threshold", "Hardshrink", "Softshrink", "Softmax2d"]


def _inplace_str(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """max(x, 0), elementwise.

    Args:
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.ReLU()(nl.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.

    Args:
        negative_slope (float): slope for x < 0. Default: 0.01.
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.LeakyReLU(0.1)(nl.tensor([-1.0, 2.0]))
        tensor([-0.1,  2. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1) (Clevert et al. 2015).

    Args:
        alpha (float): the value approached for x -> -inf is -alpha. Default: 1.0.
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.ELU()(nl.tensor([0.0, 1.0])).shape
        (2,)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

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



class SiLU(Module):
    """x * sigmoid(x), the sigmoid-weighted linear unit (also called swish).

    Args:
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.SiLU()(nl.tensor([0.0, 1.0]))
        tensor([0.       , 0.7310586])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class Mish(Module):
    """x * tanh(softplus(x)) (Misra 2019).

    Args:
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.Mish()(nl.zeros(2))
        tensor([0., 0.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class Hardswish(Module):
    """x * relu6(x + 3) / 6: 0 below -3, x above 3 (Howard et al. 2019, MobileNetV3).

    Args:
        inplace (bool): write the result into the input (not shown in the repr, as
            torch). Default: False.

    Example:
        >>> nn.Hardswish()(nl.tensor([-4.0, 0.0, 4.0]))
        tensor([-0.,  0.,  4.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Hardsigmoid(Module):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between.

    Args:
        inplace (bool): write the result into the input (not shown in the repr, as
            torch). Default: False.

    Example:
        >>> nn.Hardsigmoid()(nl.tensor([-4.0, 0.0, 4.0]))
        tensor([0. , 0.5, 1. ])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardtanh(Module):
    """x clamped to [min_val, max_val]; the gradient is 0 at and beyond the bounds.

    Args:
        min_val (float): the lower bound. Default: -1.0.
        max_val (float): the upper bound, above ``min_val``. Default: 1.0.
        inplace (bool): write the result into the input. Default: False.
        min_value, max_value (float, optional): torch's deprecated names of the bounds.
            Default: None.

    Example:
        >>> nn.Hardtanh(-2, 2)(nl.tensor([-3.0, 1.0, 3.0]))
        tensor([-2.,  1.,  2.])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        for old, new, value in (("min_value", "min_val", min_value),
                                ("max_value", "max_val", max_value)):
            if value is not None:
                warnings.warn(f"keyword argument `{old}` is deprecated and renamed to "
                              f"`{new}`", FutureWarning, stacklevel=2)
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        if not max_val > min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val "
                             f"({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) (``Hardtanh(0.0, 6.0)``, as torch).

    Args:
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.ReLU6()(nl.tensor([-1.0, 3.0, 7.0]))
        tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class PReLU(Module):
    """x if x > 0 else a * x, with learnt slopes a: one for all channels or one per
    channel (dim 1 of the input) (He et al. 2015).

    Args:
        num_parameters (int): 1, or the number of channels. Default: 1.
        init (float): the slopes' initial value. Default: 0.25.
        device: only ``None`` or ``"cpu"``. Default: None.
        dtype: of the weight. Default: None (``nl.get_default_dtype()``, float32).

    Shape:
        input (N, C, *) or any shape when ``num_parameters`` is 1 -> output, the same.

    Attributes:
        weight (Parameter): (num_parameters,), filled with ``init``.

    Example:
        >>> nn.PReLU()(nl.tensor([-2.0, 3.0]))
        tensor([-0.5,  3. ], grad_fn=<PReluBackward>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = positive_int("PReLU", "num_parameters", num_parameters)
        self.init = init
        dtype = factory_dtype("PReLU", device, dtype)
        self.weight = Parameter(np.empty((self.num_parameters,), dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every slope set to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class SELU(Module):
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), alpha ~ 1.6733 and scale ~
    1.0507: self-normalising (Klambauer et al. 2017).

    Args:
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.SELU()(nl.zeros(2))
        tensor([0., 0.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace)


class Softsign(Module):
    """``x / (1 + |x|)``.

    Example:
        >>> nn.Softsign()(nl.tensor([-1.0, 3.0]))
        tensor([-0.5 ,  0.75])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), computed stably.

    Example:
        >>> nn.LogSigmoid()(nl.zeros(1))
        tensor([-0.6931472])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Tanhshrink(Module):
    """x - tanh(x).

    Example:
        >>> nn.Tanhshrink()(nl.zeros(2))
        tensor([0., 0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softmin(Module):
    """softmax(-x) along ``dim``: each slice sums to 1, the smallest entry weighs most.

    Args:
        dim (int): the dim to normalise; None as in ``Softmax``. Default: None.

    Example:
        >>> nn.Softmin(dim=-1)(nl.randn(2, 3)).shape
        (2, 3)
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """The gated linear unit a * sigmoid(b), a and b the two halves of the input along
    ``dim`` (Dauphin et al. 2017).

    Args:
        dim (int): the dim to halve (its size must be even). Default: -1.

    Shape:
        input (*, 2n, *) -> output (*, n, *).

    Example:
        >>> nn.GLU()(nl.randn(4, 6)).shape
        (4, 3)
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class CELU(Module):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (Barron 2017).

    Args:
        alpha (float): the value approached for x -> -inf is -alpha; not 0. Default: 1.0.
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.CELU(alpha=2.0)(nl.tensor([-1.0, 2.0]))
        tensor([-0.7869387,  2.       ])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class RReLU(Module):
    """The randomised leaky ReLU (Xu et al. 2015): x where x >= 0, else r * x, with r
    drawn from U(lower, upper) per element in training mode (from nnlite's generator,
    so ``nl.manual_seed`` repeats it) and r = (lower + upper) / 2 in eval mode.

    Args:
        lower (float): Default: 1/8. upper (float): Default: 1/3 (lower <= upper).
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.RReLU().eval()(nl.tensor([-1.0, 2.0]))
        tensor([-0.22916667,  2.        ])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return (f"lower={self.lower}, upper={self.upper}"
                + (", inplace=True" if self.inplace else ""))


class Threshold(Module):
    """x where x > threshold, else ``value``.

    Args:
        threshold (float): the cut. value (float): the replacement.
        inplace (bool): write the result into the input. Default: False.

    Example:
        >>> nn.Threshold(0.1, 20.0)(nl.tensor([0.0, 1.0]))
        tensor([20.,  1.])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0.

    Args:
        lambd (float): the cut. Default: 0.5.

    Example:
        >>> nn.Hardshrink()(nl.tensor([-1.0, 0.2, 0.7]))
        tensor([-1. ,  0. ,  0.7])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0.

    Args:
        lambd (float): the cut, >= 0. Default: 0.5.

    Example:
        >>> nn.Softshrink()(nl.tensor([-1.0, 0.2, 0.7]))
        tensor([-0.5,  0. ,  0.2])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softmax2d(Module):
    """Softmax over the channels at every spatial location: ``softmax(x, dim=-3)``.

    Shape:
        (N, C, H, W) or (C, H, W) -> the same.

    Example:
        >>> nn.Softmax2d()(nl.randn(2, 3, 4, 4)).sum(1).shape
        (2, 4, 4)
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             f"instead (shape {tuple(input.shape)})")
        return F.softmax(input, -3)
