"""Parameters as one flat vector and back (e.g. for line searches or flat optimisers)."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ...ops import cat, reshape
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor (differentiable,
    as torch's).

    Example:
        >>> v = nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters())
        >>> v.shape
        (8,)
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([reshape(p, -1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place.

    Unlike torch (which rebinds each parameter to a view of ``vec``), the values are
    copied into the existing arrays, so optimisers and other holders of ``p.array`` see
    them and later changes to ``vec`` do not leak into the model.

    Example:
        >>> nn.utils.vector_to_parameters(v * 0, model.parameters())
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got "
                        f"{type(vec).__name__}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p.array.size for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {total} elements "
                         f"(the parameters' total size), got shape {tuple(vec.shape)}")
    pointer = 0
    for p in params:
        n = p.array.size
        np.copyto(p.array, vec.array[pointer:pointer + n].reshape(p.array.shape),
                  casting="unsafe")
        pointer += n
