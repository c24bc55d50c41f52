"""torch's legacy tensor types (``nl.FloatTensor``, ``nl.LongTensor``, ...), the unsupported
``bfloat16``, and the small predicates ``is_tensor``, ``is_floating_point``, ``numel``.

The legacy types are constructors and ``isinstance`` targets, as in torch:
``nl.LongTensor([1, 2])`` holds data, ``nl.FloatTensor(2, 3)`` is uninitialised of that
shape, and ``isinstance(x, nl.FloatTensor)`` is true for a float32 tensor. Every tensor is
still an ``nl.Tensor``; the types only name a dtype.

Example:
    >>> import nnlite as nl
    >>> y = nl.LongTensor([0, 2, 1])
    >>> y.dtype, isinstance(y, nl.LongTensor), isinstance(y, nl.FloatTensor)
    (dtype('int64'), True, False)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .devices import check_device
from .tensor import Tensor, from_numpy, to_array

__all__ = ["bfloat16", "is_tensor", "is_floating_point", "numel", "FloatTensor",
           "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]


# ============================================================================
# bfloat16: a name torch programs use, with no NumPy dtype behind it
# ============================================================================
class _UnsupportedDtype:
    """A dtype name nnlite cannot hold. It can be named, compared and used as a dict key
    (``{"bfloat16": nl.bfloat16}``); using it as a dtype anywhere (a factory, ``.to``,
    ``np.dtype``) raises a TypeError that says so, because NumPy reads a dtype from the
    ``dtype`` attribute, which raises."""

    __slots__ = ("_name", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, itemsize: int) -> None:
        self._name = name
        self.is_floating_point, self.is_complex, self.is_signed = True, False, True
        self.itemsize = itemsize

    @property
    def dtype(self) -> np.dtype:
        raise TypeError(f"nnlite.{self._name} is not supported: NumPy has no {self._name} "
                        f"dtype; use nl.float32 (or nl.float16)")

    def __repr__(self) -> str:
        return f"nnlite.{self._name}"

    def __reduce__(self) -> str:
        return self._name


bfloat16 = _UnsupportedDtype("bfloat16", 2)


# ============================================================================
# Predicates
# ============================================================================
def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is an nnlite Tensor (a Parameter is one).

    Example:
        >>> nl.is_tensor(nl.zeros(1)), nl.is_tensor([1.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


def _check_tensor(where: str, input: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input``'s dtype is a floating one (float16/32/64).

    Args:
        input (Tensor): the tensor.

    Example:
        >>> nl.is_floating_point(nl.zeros(1)), nl.is_floating_point(nl.arange(2))
        (True, False)
    """
    _check_tensor("is_floating_point", input)
    return input.array.dtype.kind == "f"


def numel(input: Tensor) -> int:
    """The number of elements of ``input``.

    Args:
        input (Tensor): the tensor.

    Example:
        >>> nl.numel(nl.zeros(2, 3))
        6
    """
    _check_tensor("numel", input)
    return int(input.array.size)


# ============================================================================
# Legacy tensor types
# ============================================================================
class _TensorType(type):
    """The metaclass of ``FloatTensor`` and its kin: calling one makes a Tensor of its
    dtype, and ``isinstance`` checks the dtype of a Tensor."""

    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        check_device(device, cls.__name__)
        dt = cls.dtype
        if not args:
            return from_numpy(np.empty(0, dt))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))
               for a in args):                                      # sizes
            if any(a < 0 for a in args):
                raise RuntimeError(f"{cls.__name__}: Trying to create tensor with negative "
                                   f"dimension: {list(args)}")
            return from_numpy(np.empty(tuple(int(a) for a in args), dt))
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}() takes either sizes (ints) or one sequence "
                            f"of data, got {args!r}")
        data = args[0]
        if isinstance(data, Tensor):                                # an alias, as torch
            if data.array.dtype != dt:
                raise TypeError(f"{cls.__name__}(): expected a tensor of dtype {dt} (got "
                                f"{data.array.dtype}); use .to({dt}) to convert")
            return from_numpy(data.array)
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"{cls.__name__}(): data must be a sequence (got "
                            f"{type(data).__name__})")
        return from_numpy(np.array(to_array(data, dt)))


def _tensor_type(name: str, dtype: Any) -> type:
    doc = (f"""``nl.{name}``: torch's legacy constructor of {np.dtype(dtype)} tensors.

    ``{name}(data)`` copies a list, tuple or array (converted to {np.dtype(dtype)});
    ``{name}(*sizes)`` is uninitialised of that shape; ``{name}()`` is empty; a tensor of
    the same dtype comes back as an alias sharing its memory. ``isinstance(x, {name})`` is
    true for {np.dtype(dtype)} tensors.

    Args:
        *args: data (one list, tuple or array) or sizes (ints).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.

    Example:
        >>> nl.{name}([1, 0]).dtype
        dtype('{np.dtype(dtype)}')
    """)
    return _TensorType(name, (), {"dtype": np.dtype(dtype), "__doc__": doc,
                                  "__module__": "nnlite"})


FloatTensor = _tensor_type("FloatTensor", np.float32)
DoubleTensor = _tensor_type("DoubleTensor", np.float64)
HalfTensor = _tensor_type("HalfTensor", np.float16)
LongTensor = _tensor_type("LongTensor", np.int64)
IntTensor = _tensor_type("IntTensor", np.int32)
ShortTensor = _tensor_type("ShortTensor", np.int16)
CharTensor = _tensor_type("CharTensor", np.int8)
ByteTensor = _tensor_type("ByteTensor", np.uint8)
BoolTensor = _tensor_type("BoolTensor", np.bool_)
