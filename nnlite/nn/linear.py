"""Linear layers: ``Identity``, ``Linear``, ``Bilinear``, and the shape layers
``Flatten`` / ``Unflatten``."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..ops import unflatten
from ..tensor import Tensor
from ._checks import check_positive, factory_dtype
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]






class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored.

    Example:
        >>> nn.Identity(54, unused="x")(nl.randn(2, 3)).shape
        (2, 3)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    """y = x W^T + b.

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: True.
        device: only ``None`` or ``"cpu"``. Default: None.
        dtype: of the parameters. Default: None (``nl.get_default_dtype()``, float32).

    Shape:
        input (*, in_features) -> output (*, out_features), any number of leading dims.

    Attributes:
        weight (Parameter): (out_features, in_features), initialised U(-k, k) with
            k = 1 / sqrt(in_features) (``kaiming_uniform_(a=sqrt(5))``, as torch).
        bias (Parameter or None): (out_features,), U(-k, k).

    Example:
        >>> m = nn.Linear(20, 30)
        >>> m(nl.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_positive("Linear", in_features=in_features, out_features=out_features)
        dtype = factory_dtype("Linear", device, dtype)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default: kaiming_uniform_(a=sqrt(5)) for the weight (bound
        1/sqrt(fan_in)) and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"Linear(in_features={self.in_features}): expected input with "
                             f"last dim {self.in_features}, got shape {tuple(shape)}")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k.

    Args:
        in1_features (int): size of each first input sample.
        in2_features (int): size of each second input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: True.
        device: only ``None`` or ``"cpu"``. Default: None.
        dtype: of the parameters. Default: None (float32).

    Shape:
        input1 (*, in1_features), input2 (*, in2_features) with the same leading dims
        -> output (*, out_features).

    Attributes:
        weight (Parameter): (out_features, in1_features, in2_features), U(-k, k) with
            k = 1 / sqrt(in1_features).
        bias (Parameter or None): (out_features,), U(-k, k).

    Example:
        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(nl.randn(128, 20), nl.randn(128, 30)).shape
        (128, 40)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_positive("Bilinear", in1_features=in1_features, in2_features=in2_features,
                        out_features=out_features)
        dtype = factory_dtype("Bilinear", device, dtype)
        self.in1_features = int(in1_features)
        self.in2_features = int(in2_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in1_features,
                                          self.in2_features), dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(in1_features), 1/sqrt(in1_features)) for weight and bias (torch)."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        s1, s2 = input1.shape, input2.shape
        if (not s1 or s1[-1] != self.in1_features or not s2 or s2[-1] != self.in2_features
                or s1[:-1] != s2[:-1]):
            raise ValueError(f"Bilinear(in1_features={self.in1_features}, in2_features="
                             f"{self.in2_features}): expected inputs of shapes "
                             f"(*, {self.in1_features}) and (*, {self.in2_features}) with the "
                             f"same leading dims, got {tuple(s1)} and {tuple(s2)}")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Merge the dims ``start_dim..end_dim`` into one.

    Args:
        start_dim (int): first dim to flatten. Default: 1 (keeps the batch dim).
        end_dim (int): last dim to flatten. Default: -1.

    Shape:
        input (*, S_start, ..., S_end, *) -> output (*, prod(S_start..S_end), *).

    Example:
        >>> nn.Flatten()(nl.randn(32, 1, 5, 5)).shape
        (32, 25)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dim ``dim`` into the shape ``unflattened_size`` (the inverse of Flatten).

    Args:
        dim (int): the dim to expand.
        unflattened_size (tuple or list of ints): its new shape; one entry may be -1.

    Shape:
        input (*, S_dim, *) -> output (*, U_1, ..., U_n, *) with prod(U) = S_dim.

    Example:
        >>> nn.Unflatten(1, (2, 5, 5))(nl.randn(2, 50)).shape
        (2, 2, 5, 5)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                for n in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple or list of ints, "
                            f"got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        ndim = input.ndim
        if not -ndim <= self.dim < ndim:
            raise IndexError(f"Unflatten(dim={self.dim}): dim out of range for input of shape "
                             f"{tuple(input.shape)}")
        size = input.shape[self.dim]
        sizes = tuple(int(n) for n in self.unflattened_size)
        known = math.prod(n for n in sizes if n != -1)
        ok = (size == known) if -1 not in sizes else (
            sizes.count(-1) == 1 and known > 0 and size % known == 0)
        if not ok:
            raise ValueError(f"Unflatten(dim={self.dim}, unflattened_size={sizes}): cannot "
                             f"unflatten a dim of size {size} (input shape "
                             f"{tuple(input.shape)})")
        return unflatten(input, self.dim, sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

