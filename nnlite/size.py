"""``nl.Size``: the type of a tensor's shape, as ``torch.Size``: a tuple of ints.

Example:
    >>> s = nl.Size([2, 3])
    >>> s, s.numel(), s[1:], s == (2, 3)
    (nnlite.Size([2, 3]), 6, nnlite.Size([3]), True)
"""
from __future__ import annotations

import operator
from typing import Any, Iterable

__all__ = ["Size"]


class Size(tuple):
    """A tensor's shape: a tuple of ints, equal to the plain tuple of the same sizes.

    Slicing, ``+`` and ``*`` give a ``Size`` again; ``numel()`` is the product of the
    sizes (the number of elements of a tensor of this shape).

    Args:
        sizes (iterable of ints): the sizes (0-d integer tensors count as ints).
            Default: () (the shape of a 0-d tensor).

    Example:
        >>> nl.Size([2, 3]).numel()
        6
    """

    def __new__(cls, sizes: Iterable[Any] = ()) -> "Size":
        items = []
        for i, n in enumerate(sizes):
            try:
                items.append(operator.index(n))
            except TypeError:
                raise TypeError(f"nnlite.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(n).__name__}')") from None
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        return f"nnlite.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index: Any) -> Any:
        out = super().__getitem__(index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: Any) -> "Size":
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> "Size":
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times: Any) -> "Size":
        return Size(tuple(self) * operator.index(times))

    __rmul__ = __mul__

    def numel(self) -> int:
        """The product of the sizes: the number of elements of a tensor of this shape
        (1 for ``Size([])``)."""
        out = 1
        for n in self:
            out *= n
        return out

    def __reduce__(self) -> tuple:
        return (Size, (tuple(self),))
