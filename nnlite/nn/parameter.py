"""``Parameter``: a Tensor that a Module registers as a learnable weight.

Assigning a Parameter to a Module attribute (``self.weight = Parameter(...)``) registers
it, so it appears in ``parameters()`` and ``state_dict()``; a plain Tensor does not.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..tensor import Tensor, to_array, get_default_dtype

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and is registered by Modules.

    Args:
        data: array-like, ndarray or Tensor. An ndarray (or a Tensor's array) is shared,
            not copied; Python floats become the default dtype (float32). ``None`` gives
            an empty tensor. Default: None.
        requires_grad (bool): whether the parameter records ops for backward.
            Default: True.

    Example:
        >>> w = nn.Parameter(nl.zeros(2, 3))
        >>> w.requires_grad, w.is_leaf
        (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), get_default_dtype())
        self.array = to_array(data)
        self.grad = None
        self._node = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    # A leaf's autograd node holds a weak reference to the leaf itself, so the default
    # copy/pickle machinery would hand the copy a node that still feeds the original.
    # Copies are rebuilt from the data instead.
    def __deepcopy__(self, memo: dict) -> "Parameter":
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(copy.deepcopy(self.array, memo), self.requires_grad)
        if self.grad is not None:
            out.grad = copy.deepcopy(self.grad.array, memo)
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (_rebuild_parameter, (self.array, self.requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)
