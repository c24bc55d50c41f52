"""pdist: the p-norm distances between the rows of a matrix.

Notation: x is (N, M), rows x_i; the output holds ||x_i - x_j||_p for i < j in row-major
order of the upper triangle (N (N - 1) / 2 values), as torch. Composed of
differentiable ops (row gathers, subtraction, vector_norm), which give the gradient.
"""
from __future__ import annotations

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor
from .norms import vector_norm

__all__ = ["pdist"]


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance between every pair of rows of ``input``.

    Args:
        input (Tensor): (N, M), floating.
        p (float): the order, >= 0 (``inf`` included). Default: 2.

    Shape:
        (N, M) -> (N (N - 1) / 2,), the pairs (0, 1), (0, 2), ..., (1, 2), ... in order.

    Example:
        >>> F.pdist(nl.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
        tensor([ 5., 10.,  5.])
    """
    x = as_tensor(input)
    if x.ndim != 2:
        raise ValueError(f"pdist only supports 2D tensors, got: {x.ndim}D (shape "
                         f"{tuple(x.shape)})")
    if x.dtype.kind != "f":
        raise TypeError(f"pdist only supports floating-point dtypes, got {x.dtype}")
    if not p >= 0:
        raise ValueError(f"pdist only supports non-negative p values, got p={p}")
    i, j = np.triu_indices(x.shape[0], 1)
    return vector_norm(x[i] - x[j], p, 1)
