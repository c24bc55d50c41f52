"""What a tensor is and how it is stored, as Tensor methods: is_floating_point,
is_complex, stride, data_ptr; and the casts byte, char, short (to uint8, int8, int16),
torch's names beside ``float``, ``long`` ... of tensor.py."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import arithmetic


def is_floating_point(self: Tensor) -> bool:
    """Whether the dtype is a floating one (float16, float32, float64)."""
    return self.array.dtype.kind == "f"


def is_complex(self: Tensor) -> bool:
    """Whether the dtype is a complex one (nnlite's ops compute in real dtypes)."""
    return self.array.dtype.kind == "c"


def stride(self: Tensor, dim: int | None = None) -> Any:
    """The step in elements between neighbours along each dim (a tuple), or along ``dim``
    (an int), as torch: the NumPy strides divided by the item size (0 along a broadcast
    dim)."""
    steps = tuple(s // self.array.itemsize for s in self.array.strides)
    if dim is None:
        return steps
    n = self.array.ndim
    if n == 0:
        raise IndexError(f"stride: dimension specified as {dim} but the tensor has no "
                         f"dimensions")
    if not -n <= dim < n:
        raise IndexError(f"stride: dim {dim} is out of range for a tensor with {n} "
                         f"dimension(s)")
    return steps[dim % n]


def data_ptr(self: Tensor) -> int:
    """The address of the first element (tensors that share memory from the same start
    have the same one)."""
    return int(self.array.__array_interface__["data"][0])


def byte(self: Tensor) -> Tensor:
    """A copy as uint8 (``self`` itself if already uint8)."""
    return arithmetic.astype(self, np.uint8)


def char(self: Tensor) -> Tensor:
    """A copy as int8 (``self`` itself if already int8)."""
    return arithmetic.astype(self, np.int8)


def short(self: Tensor) -> Tensor:
    """A copy as int16 (``self`` itself if already int16)."""
    return arithmetic.astype(self, np.int16)


TENSOR_METHODS: dict[str, Any] = {
    "is_floating_point": is_floating_point, "is_complex": is_complex, "stride": stride,
    "data_ptr": data_ptr, "byte": byte, "char": char, "short": short,
}
