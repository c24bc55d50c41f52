"""The Tensor: a NumPy array (``.array``) with autograd, and the default dtype.

When an op runs on tensors that require gradients, ``Function.apply`` records one node
(``autograd/function.py``); a leaf that requires gradients owns an ``AccumulateGrad`` node
that adds the gradient arriving at it into ``leaf.grad``; ``backward`` walks the nodes
(``autograd/engine.py``); grad mode lives in ``autograd/grad_mode.py``. The autograd
modules and the ops work on Tensors and import this module, so the names Tensor's methods
take from them are bound at the end of this file (and re-exported: ``nnlite.tensor.no_grad``
and ``nnlite.tensor.Function`` keep working).

Sections: default dtype -- Tensor -- late bindings. Factories live in factories.py.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Sequence

import numpy as np

from . import devices as _devices
from . import random as _random

# ============================================================================
# The default dtype
# ============================================================================
_default_dtype = np.dtype(np.float32)


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype of new floating tensors (float32 unless changed)."""
    global _default_dtype
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    _default_dtype = d


def get_default_dtype() -> np.dtype:
    """The dtype of new floating tensors (float32 unless ``set_default_dtype`` changed it)."""
    return _default_dtype


def from_numpy(a: np.ndarray) -> "Tensor":
    """A Tensor sharing the array ``a`` (no copy, its dtype kept), as ``torch.from_numpy``.

    The one way nnlite wraps an array it already holds: the ops' outputs, constants,
    ``detach``. (``Tensor(data)`` converts user data: Python floats become the default
    dtype.)

    Example:
        >>> a = np.zeros(3); t = nl.from_numpy(a); t[0] = 1; a[0]
        1.0
    """
    if a.__class__ is not np.ndarray and not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(a).__name__})")
    t = _new(Tensor)
    t.array, t._grad, t._node = a, None, None
    return t


_new = object.__new__   # an instance without __init__ (from_numpy sets its fields)


# ============================================================================
# Tensor
# ============================================================================
_NUMBER = (bool, int, float, np.bool_, np.integer, np.floating)
_BFLOAT16 = "bfloat16 is not supported: NumPy has no bfloat16 dtype; use float32 (or float16)"


def to_array(data: Any, dtype: Any = None, like: np.dtype | None = None) -> np.ndarray:
    """The one conversion of data to an array, with torch's dtype rules.

    Args:
        data: a Tensor (its array), an ndarray (kept, not copied), a number or nested
            lists of numbers.
        dtype (optional): convert to this dtype. Default: None.
        like (np.dtype, optional): the dtype of the other operand when ``data`` is one
            operand of an op: a number then takes this floating dtype (torch's "wrapped
            numbers" do not promote a float32 tensor). Default: None.

    Without ``dtype``: Python floats and lists of them become the default dtype (float32
    unless changed); NumPy scalars and arrays keep theirs; strings and objects raise.

    Example:
        >>> to_array(2.0).dtype, to_array(2, like=np.dtype(np.float64)).dtype
        (dtype('float32'), dtype('float64'))
    """
    if isinstance(data, Tensor):
        data = data.array
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if like is not None and like.kind == "f" and isinstance(data, _NUMBER):
        return np.asarray(data, dtype=like)
    arr = np.asarray(data)
    if arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(_default_dtype)
    elif arr.dtype.kind in "OUS":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} data "
                        f"(got dtype {arr.dtype}); expected numbers or arrays")
    return arr


def _is_size(n: Any) -> bool:
    """A size of torch's legacy ``Tensor(*sizes)``: a Python int (not bool), or a tuple of them."""
    if isinstance(n, tuple):
        return all(type(k) is int for k in n)
    return type(n) is int


def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: bool) -> "Tensor":
    t = cls.__new__(cls)
    t.array, t._grad, t._node = data, None, None
    if requires_grad:
        t.requires_grad_(True)
    return t


class Tensor:
    """A NumPy array with autograd.

    ``Tensor(data)`` wraps data (``nl.tensor(data)`` copies it); ``Tensor(*sizes)`` with
    ints is torch's legacy constructor of an uninitialised tensor of the default dtype.

    Args:
        data: array-like; Python numbers and sequences (of ints or bools too) become
            ``get_default_dtype()`` (float32), as torch's; ndarrays keep their dtype and are
            not copied (torch converts them to float32: ``nl.tensor`` is the factory that
            infers dtypes).
        dtype (optional): convert to this dtype. Default: None.
        requires_grad (bool): record ops on this tensor for backward. Default: False.

    Attributes:
        array (np.ndarray): the values (``numpy()`` returns it).
        data (Tensor): the values as a Tensor that shares this one's memory and is cut
            from the graph, as torch's.
        grad (Tensor or None): the gradient ``backward`` accumulated into a leaf.

    Example:
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    __slots__ = ("array", "_grad", "_node", "_view", "_views", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, data: Any = (), *sizes: Any, dtype: Any = None,
                 requires_grad: bool = False) -> None:
        if _is_size(data) and all(_is_size(n) for n in sizes) and (sizes or
                                                                   type(data) is int):
            # torch's legacy constructor: nl.Tensor(2, 3) is an uninitialized (2, 3) tensor
            shape = tuple(data) if isinstance(data, tuple) else (data, *sizes)
            self.array = np.empty(shape, _default_dtype if dtype is None else dtype)
        elif sizes:
            if len(sizes) > 1 or dtype is not None:
                raise TypeError(f"Tensor: expected data and an optional dtype, or sizes "
                                f"(ints), got {(data, *sizes)!r}")
            self.array = to_array(data, sizes[0])
        else:
            if dtype is None and not isinstance(data, (np.ndarray, np.generic, Tensor)):
                dtype = _default_dtype          # torch.Tensor([1, 2]) is float32, as here
            self.array = to_array(data, dtype)
        self._grad = None
        self._node = None
        if requires_grad:
            self.requires_grad_(True)

    @property
    def data(self) -> "Tensor":
        """The values as a new Tensor that shares this one's memory and is cut from the
        graph (torch's ``.data``); ``t.data = x`` puts ``x``'s values (any shape) in
        place of this tensor's. ``t.array`` is the NumPy array itself."""
        return from_numpy(self.array)

    @data.setter
    def data(self, value: Any) -> None:
        self.array = value.array if isinstance(value, Tensor) else to_array(value)

    @property
    def grad(self) -> "Tensor | None":
        """The gradient ``backward`` accumulated into this leaf: a Tensor of its shape and
        dtype, or None. May be assigned a Tensor (or, unlike torch, an array) of the same
        shape and dtype, or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                if not isinstance(value, np.ndarray):
                    raise TypeError(f"grad: assigned grad expected to be a Tensor or None, "
                                    f"got {type(value).__name__}")
                value = from_numpy(value)
            if value.array.shape != self.array.shape:
                raise RuntimeError(f"grad: assigned grad has shape {value.array.shape}, but "
                                   f"the tensor has shape {self.array.shape}")
            if value.array.dtype != self.array.dtype:
                raise RuntimeError(f"grad: assigned grad has dtype {value.array.dtype}, but "
                                   f"the tensor has dtype {self.array.dtype}")
        self._grad = value

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has had (shared with its views)."""
        return _versions.version(self.array)

    # ---- autograd attributes -------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._node is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Start (or stop) recording ops on this leaf. In place; returns self."""
        if not self.is_leaf:
            if requires_grad:
                return self
            raise RuntimeError("requires_grad_: you can only change requires_grad of leaf "
                               "tensors; use .detach() for a non-leaf")
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(f"requires_grad_: only floating tensors can require "
                               f"gradients, got dtype {self.array.dtype}")
        self._node = AccumulateGrad(self) if requires_grad else None
        return self

    @property
    def grad_fn(self) -> Function | None:
        node = self._node
        if node is None or node.__class__ is AccumulateGrad:
            return None
        return node.node if node.__class__ is OutputEdge else node

    @property
    def is_leaf(self) -> bool:
        node = self._node
        return node is None or node.__class__ is AccumulateGrad

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence["Tensor"] | None = None) -> None:
        """Compute gradients of this tensor and accumulate them into the leaves' ``.grad``.

        Args:
            gradient: the gradient of some scalar with respect to this tensor; may be
                omitted only for a one-element tensor. Default: None.
            retain_graph (bool): keep the graph for another backward. Default: create_graph.
            create_graph (bool): record the backward itself, for higher derivatives.
                Default: False.
            inputs (optional): accumulate only into these leaves.
        """
        backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook: Callable[[Any], Any]) -> "RemovableHandle":
        """Call ``hook(grad)`` when this tensor's gradient is computed; a non-None return
        value replaces the gradient. Returns a handle with ``remove()``."""
        node = self._node
        if node is None:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")
        if node.hooks is None:
            node.hooks = []
        node.hooks.append(hook)
        return RemovableHandle(node.hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[["Tensor"], None]
                                           ) -> "RemovableHandle":
        """Call ``hook(self)`` after a backward pass has accumulated this leaf's gradient
        into ``self.grad`` (as torch): the hook sees the updated ``.grad`` and may change it
        in place (e.g. an optimiser step per parameter, or DistributedDataParallel's
        gradient averaging). Not called by ``autograd.grad``, which leaves ``.grad`` alone.
        Returns a handle with ``remove()``.

        Example:
            >>> w = nl.ones(3, requires_grad=True)
            >>> h = w.register_post_accumulate_grad_hook(lambda p: p.grad.mul_(0.5))
            >>> (2 * w).sum().backward()
            >>> w.grad.tolist()
            [1.0, 1.0, 1.0]
        """
        node = self._node
        if node is None:
            raise RuntimeError("register_post_accumulate_grad_hook: cannot register a hook "
                               "on a tensor that doesn't require gradient")
        if node.__class__ is not AccumulateGrad:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if node.post_hooks is None:
            node.post_hooks = []
        node.post_hooks.append(hook)
        return RemovableHandle(node.post_hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (as torch)."""
        if self.is_leaf:
            return
        ref = weakref.ref(self)

        def keep(g: Tensor) -> None:
            t = ref()
            if t is not None:           # a copy: g shares the engine's buffer
                g = g if g.requires_grad else from_numpy(g.array.copy())
                t._grad = g if t._grad is None else t._grad + g

        self.register_hook(keep)

    def detach(self) -> "Tensor":
        """A new tensor sharing the data, cut from the graph."""
        return from_numpy(self.array)

    def detach_(self) -> "Tensor":
        self._node = None
        return self

    # ---- array attributes ----------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> "_devices.device":
        """``device(type='cpu')``: nnlite tensors live on the CPU."""
        return _devices.CPU

    def size(self, dim: int | None = None) -> Any:
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    ndimension = dim

    def numel(self) -> int:
        return self.array.size

    nelement = numel

    def element_size(self) -> int:
        return self.array.itemsize

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)`` shares the memory, ``np.array(t)`` (``copy=True``) copies."""
        if copy:
            return np.array(self.array, dtype=dtype, copy=True)
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def item(self) -> Any:
        if self.array.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted to Python "
                             f"scalars, got shape {self.array.shape}")
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(f"Boolean value of a tensor with {self.array.size} elements "
                               f"(shape {self.array.shape}) is ambiguous")
        return bool(self.array.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.array.item())

    __hash__ = object.__hash__

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("deepcopy: only tensors created by the user (graph leaves) "
                               "support the deepcopy protocol; detach() first")
        t = type(self).__new__(type(self))
        memo[id(self)] = t
        t.array, t._grad, t._node = self.array.copy(), None, None
        if self._grad is not None:
            t._grad = from_numpy(self._grad.array.copy())
        if self._node is not None:
            t.requires_grad_(True)
        return t

    def __reduce_ex__(self, protocol: int) -> tuple:
        if not self.is_leaf:
            raise RuntimeError("pickle: only leaf tensors can be pickled; detach() first")
        return (_rebuild_tensor, (type(self), self.array, self.requires_grad))

    def __repr__(self) -> str:
        body = _printing.array_string(self.array, "tensor(")
        extra = ""
        if self.array.dtype not in (_default_dtype, np.dtype(np.int64), np.dtype(np.bool_)):
            extra += f", dtype={self.array.dtype}"
        node = self._node
        if node is not None:
            extra += (", requires_grad=True" if node.__class__ is AccumulateGrad
                      else f", grad_fn=<{node.name()}>")
        return f"tensor({body}{extra})"

    # ---- dtype ---------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """This tensor with another dtype, as torch's ``to``: ``to(dtype)``,
        ``to(device, dtype)``, ``to(other)`` (its dtype and device), ``to(device=None,
        dtype=None, non_blocking=False, copy=False)``.

        Returns self when nothing changes and ``copy`` is False, else a new tensor (recorded
        for backward). nnlite runs on the CPU only: ``"cpu"`` is accepted, any other device
        raises ``DeviceError``; ``non_blocking`` has nothing to overlap and is accepted.

        Example:
            >>> x = nl.zeros(2)
            >>> x.to("cpu") is x, x.to("cpu", nl.float64).dtype
            (True, dtype('float64'))
        """
        dtype, copy = _devices.parse_to(args, kwargs, "Tensor.to", Tensor)
        if dtype is None or dtype == self.array.dtype:
            return _ops.clone(self) if copy else self
        return _ops.astype(self, dtype)

    def astype(self, dtype: Any) -> "Tensor":
        return _ops.astype(self, dtype)

    def type(self, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        """With no argument, torch's name of this tensor's type (``'torch.FloatTensor'``);
        with a dtype, a type name or a legacy type (``nl.LongTensor``), this tensor cast to
        it (self if the dtype is already that).

        Args:
            dtype (optional): the target. Default: None (return the name).
            non_blocking (bool): accepted, as in torch (nothing runs asynchronously).
                Default: False.

        Example:
            >>> nl.zeros(2).type(), nl.zeros(2).type("torch.LongTensor").dtype
            ('torch.FloatTensor', dtype('int64'))
        """
        kwargs.pop("async", None)
        if kwargs:
            raise TypeError(f"type() got unexpected keyword arguments {sorted(kwargs)}")
        if dtype is None:
            return _devices.type_name(self.array.dtype)
        dtype = _devices.parse_type(dtype)
        return self if dtype == self.array.dtype else _ops.astype(self, dtype)

    def float(self) -> "Tensor":
        return _ops.astype(self, np.float32)

    def double(self) -> "Tensor":
        return _ops.astype(self, np.float64)

    def bfloat16(self) -> "Tensor":
        """Not supported (NumPy has no bfloat16): raises a TypeError that says so."""
        raise TypeError(_BFLOAT16)

    def half(self) -> "Tensor":
        return _ops.astype(self, np.float16)

    def long(self) -> "Tensor":
        return _ops.astype(self, np.int64)

    def int(self) -> "Tensor":
        return _ops.astype(self, np.int32)

    def bool(self) -> "Tensor":
        return _ops.astype(self, np.bool_)

    def clone(self) -> "Tensor":
        return _ops.clone(self)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        """Self if its array is C-contiguous, else a contiguous copy (as torch)."""
        return self if self.array.flags.c_contiguous else _ops.clone(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.array.flags.c_contiguous)

    def cpu(self, memory_format: Any = None) -> "Tensor":
        """Self: nnlite tensors are on the CPU already."""
        return self

    def pin_memory(self, device: Any = None) -> "Tensor":
        """This tensor: pinned memory speeds up copies to a GPU, and nnlite has none."""
        return self

    def is_pinned(self, device: Any = None) -> bool:
        """False: nnlite's memory is never pinned (see ``pin_memory``)."""
        return False

    def cuda(self, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> "Tensor":
        """Raises ``DeviceError``: nnlite runs on the CPU only (``nl.cuda.is_available()``
        is False)."""
        raise _devices.cpu_only_error("Tensor.cuda", "cuda" if device is None else device)

    @property
    def is_cuda(self) -> bool:
        """False: nnlite tensors are on the CPU."""
        return False

    @property
    def is_cpu(self) -> bool:
        """True: nnlite tensors are on the CPU."""
        return True

    def get_device(self) -> int:
        """-1, torch's answer for a CPU tensor."""
        return -1

    # ---- operators -----------------------------------------------------------
    def __add__(self, o: Any) -> "Tensor":
        return _ops.add(self, o)

    def __radd__(self, o: Any) -> "Tensor":
        return _ops.add(o, self)

    def __sub__(self, o: Any) -> "Tensor":
        return _ops.sub(self, o)

    def __rsub__(self, o: Any) -> "Tensor":
        return _ops.sub(o, self)

    def __mul__(self, o: Any) -> "Tensor":
        return _ops.mul(self, o)

    def __rmul__(self, o: Any) -> "Tensor":
        return _ops.mul(o, self)

    def __truediv__(self, o: Any) -> "Tensor":
        return _ops.div(self, o)

    def __rtruediv__(self, o: Any) -> "Tensor":
        return _ops.div(o, self)

    def __floordiv__(self, o: Any) -> "Tensor":
        return _ops.floor_divide(self, o)

    def __rfloordiv__(self, o: Any) -> "Tensor":
        return _ops.floor_divide(o, self)

    def __mod__(self, o: Any) -> "Tensor":
        return _ops.remainder(self, o)

    def __rmod__(self, o: Any) -> "Tensor":
        return _ops.remainder(o, self)

    def __pow__(self, o: Any) -> "Tensor":
        return _ops.pow(self, o)

    def __rpow__(self, o: Any) -> "Tensor":
        return _ops.pow(o, self)

    def __matmul__(self, o: Any) -> "Tensor":
        return _ops.matmul(self, o)

    def __rmatmul__(self, o: Any) -> "Tensor":
        return _ops.matmul(o, self)

    def __neg__(self) -> "Tensor":
        return _ops.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> "Tensor":
        return _ops.getitem(self, index)

    # comparisons: non-differentiable bool tensors
    def __eq__(self, o: Any) -> "Tensor":  # type: ignore[override]
        return _ops.eq(self, o)

    def __ne__(self, o: Any) -> "Tensor":  # type: ignore[override]
        return _ops.ne(self, o)

    def __lt__(self, o: Any) -> "Tensor":
        return _ops.lt(self, o)

    def __le__(self, o: Any) -> "Tensor":
        return _ops.le(self, o)

    def __gt__(self, o: Any) -> "Tensor":
        return _ops.gt(self, o)

    def __ge__(self, o: Any) -> "Tensor":
        return _ops.ge(self, o)

    def __invert__(self) -> "Tensor":
        return _ops.bitwise_not(self)

    def __and__(self, o: Any) -> "Tensor":
        return _ops.bitwise_and(self, o)

    def __or__(self, o: Any) -> "Tensor":
        return _ops.bitwise_or(self, o)

    def __xor__(self, o: Any) -> "Tensor":
        return _ops.bitwise_xor(self, o)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on Tensors run as nnlite ops (``np.exp(t)``, ``array * t``)."""
        fn = _ops.UFUNCS.get(ufunc) if method == "__call__" and not kwargs else None
        if fn is not None:
            return fn(*inputs)
        # any other ufunc (np.isfinite, np.add.at, out=...) runs on the arrays and gives
        # arrays, as NumPy does on torch tensors
        inputs = tuple([a.array if isinstance(a, Tensor) else a for a in inputs])
        if "out" in kwargs:
            kwargs["out"] = tuple([a.array if isinstance(a, Tensor) else a
                                   for a in kwargs["out"]])
        return getattr(ufunc, method)(*inputs, **kwargs)

    # ---- math methods (each is the op function of the same name) -------------
    def add(self, other: Any, alpha: Any = 1) -> "Tensor":
        return _ops.add(self, other, alpha)

    def sub(self, other: Any, alpha: Any = 1) -> "Tensor":
        return _ops.sub(self, other, alpha)

    def mul(self, other: Any) -> "Tensor":
        return _ops.mul(self, other)

    def div(self, other: Any, rounding_mode: str | None = None) -> "Tensor":
        return _ops.div(self, other, rounding_mode)

    def neg(self) -> "Tensor":
        return _ops.neg(self)

    def eq(self, other: Any) -> "Tensor":
        return _ops.eq(self, other)

    def exp(self) -> "Tensor":
        return _ops.exp(self)

    def log(self) -> "Tensor":
        return _ops.log(self)

    def log1p(self) -> "Tensor":
        return _ops.log1p(self)

    def sqrt(self) -> "Tensor":
        return _ops.sqrt(self)

    def rsqrt(self) -> "Tensor":
        return _ops.rsqrt(self)

    def abs(self) -> "Tensor":
        return _ops.abs(self)

    def sign(self) -> "Tensor":
        return _ops.sign(self)

    def sin(self) -> "Tensor":
        return _ops.sin(self)

    def cos(self) -> "Tensor":
        return _ops.cos(self)

    def tanh(self) -> "Tensor":
        return _ops.tanh(self)

    def sigmoid(self) -> "Tensor":
        return _ops.sigmoid(self)

    def relu(self) -> "Tensor":
        return _ops.relu(self)

    def square(self) -> "Tensor":
        return _ops.mul(self, self)

    def pow(self, exponent: Any) -> "Tensor":
        return _ops.pow(self, exponent)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        return _ops.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> "Tensor":
        return _ops.clamp(self, min, None)

    def clamp_max(self, max: Any) -> "Tensor":
        return _ops.clamp(self, None, max)

    def maximum(self, other: Any) -> "Tensor":
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> "Tensor":
        return _ops.minimum(self, other)

    def matmul(self, other: Any) -> "Tensor":
        return _ops.matmul(self, other)

    def masked_fill(self, mask: Any, value: Any) -> "Tensor":
        return _ops.masked_fill(self, mask, value)

    def gather(self, dim: int, index: Any) -> "Tensor":
        return _ops.gather(self, dim, index)

    def scatter_add(self, dim: int, index: Any, src: Any) -> "Tensor":
        return _ops.scatter_add(self, dim, index, src)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Any = None) -> "Tensor":
        return _ops.norm(self, p, dim, keepdim, dtype)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> "Tensor":
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def index_fill(self, dim: int, index: Any, value: Any) -> "Tensor":
        return _ops.index_fill(self, dim, index, value)

    def softmax(self, dim: int = -1, dtype: Any = None) -> "Tensor":
        return _ops.softmax(self, dim, dtype)

    def log_softmax(self, dim: int = -1, dtype: Any = None) -> "Tensor":
        return _ops.log_softmax(self, dim, dtype)

    # ---- reductions ----------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None, dtype: Any = None) -> "Tensor":
        return _ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None, dtype: Any = None) -> "Tensor":
        return _ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: Any = None, axis: Any = None, keepdims: bool | None = None,
            ddof: Any = None) -> "Tensor":
        return _ops.var(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                        keepdims=keepdims, ddof=ddof)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: Any = None, axis: Any = None, keepdims: bool | None = None,
            ddof: Any = None) -> "Tensor":
        return _ops.std(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                        keepdims=keepdims, ddof=ddof)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> "Tensor":
        return _ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> "Tensor":
        return _ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
                  keepdims: bool | None = None) -> "Tensor":
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> "Tensor":
        return _ops.prod(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
               keepdims: bool | None = None) -> "Tensor":
        return _ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
               keepdims: bool | None = None) -> "Tensor":
        return _ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: Any = None, out: None = None) -> "Tensor":
        d, k = _ops.axes(dim, axis, keepdim, keepdims, self.array.ndim, "all")
        return Tensor(np.all(self.array, axis=d, keepdims=k))

    def any(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: Any = None, out: None = None) -> "Tensor":
        d, k = _ops.axes(dim, axis, keepdim, keepdims, self.array.ndim, "any")
        return Tensor(np.any(self.array, axis=d, keepdims=k))

    # ---- shape ops -----------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> "Tensor":
        return _ops.view(self, *shape)

    def view_as(self, other: "Tensor") -> "Tensor":
        return _ops.view(self, other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        return _ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None, *, axis: Any = None) -> "Tensor":
        return _ops.squeeze(self, dim if axis is None else axis)

    def unsqueeze(self, dim: int = None, *, axis: int | None = None) -> "Tensor":  # type: ignore[assignment]
        return _ops.unsqueeze(self, dim if axis is None else axis)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        return _ops.unflatten(self, dim, sizes)

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        return _ops.movedim(self, source, destination)

    def unbind(self, dim: int = 0) -> tuple:
        return _ops.unbind(self, dim)

    def index_select(self, dim: int, index: Any) -> "Tensor":
        return _ops.index_select(self, dim, index)

    def transpose(self, dim0: int = None, dim1: int = None) -> "Tensor":  # type: ignore[assignment]
        return _ops.transpose(self, dim0, dim1)

    def swapaxes(self, axis0: int, axis1: int) -> "Tensor":
        return _ops.transpose(self, axis0, axis1)

    def permute(self, *dims: Any) -> "Tensor":
        return _ops.permute(self, *dims)

    @property
    def T(self) -> "Tensor":
        return _ops.permute(self, tuple(range(self.array.ndim - 1, -1, -1)))

    @property
    def mT(self) -> "Tensor":
        return _ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> "Tensor":
        return _ops.expand(self, *sizes)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return _ops.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> "Tensor":
        return _ops.broadcast_to(self, shape)

    def repeat(self, *sizes: Any) -> "Tensor":
        return _ops.repeat(self, *sizes)

    def tile(self, *reps: Any) -> "Tensor":
        return _ops.tile(self, *reps)

    def flip(self, *dims: Any) -> "Tensor":
        return _ops.flip(self, *dims)

    def roll(self, shifts: Any, dims: Any = None, *, axis: Any = None) -> "Tensor":
        return _ops.roll(self, shifts, dims if axis is None else axis)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> list:
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> list:
        return _ops.chunk(self, chunks, dim)

    # ---- more torch methods: matrices, sorting, scans, selection, new_* -------
    # (each is the op function of the same name in nnlite.ops, with self first)
    def t(self) -> "Tensor":
        return _ops.t(self)

    def mm(self, mat2: "Tensor") -> "Tensor":
        return _ops.mm(self, mat2)

    def bmm(self, mat2: "Tensor") -> "Tensor":
        return _ops.bmm(self, mat2)

    def addmm(self, mat1: "Tensor", mat2: "Tensor", *, beta: Any = 1,
              alpha: Any = 1) -> "Tensor":
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def dot(self, other: "Tensor") -> "Tensor":
        return _ops.dot(self, other)

    def outer(self, vec2: "Tensor") -> "Tensor":
        return _ops.outer(self, vec2)

    def tril(self, diagonal: int = 0) -> "Tensor":
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> "Tensor":
        return _ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> "Tensor":
        return _ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> "Tensor":
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self) -> "Tensor":
        return _ops.trace(self)

    def narrow(self, dim: int, start: Any, length: int) -> "Tensor":
        return _ops.narrow(self, dim, start, length)

    def where(self, condition: Any, y: Any) -> "Tensor":
        """``nl.where(condition, self, y)``."""
        return _ops.where(condition, self, y)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return _ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *,
                stable: bool = False) -> "Tensor":
        return _ops.argsort(self, dim, descending, stable=stable)

    def msort(self) -> "Tensor":
        return _ops.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _ops.kthvalue(self, k, dim, keepdim)

    def cumsum(self, dim: int, *, dtype: Any = None) -> "Tensor":
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> "Tensor":
        return _ops.cumprod(self, dim, dtype=dtype)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _ops.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> "Tensor":
        return _ops.argwhere(self)

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> "Tensor":
        return _ops.multinomial(self, num_samples, replacement, generator=generator)

    def prelu(self, weight: "Tensor") -> "Tensor":
        return _ops.prelu(self, weight)

    def type_as(self, other: "Tensor") -> "Tensor":
        """This tensor cast to ``other``'s dtype (itself if the dtype is the same)."""
        return self if self.array.dtype == other.dtype else _ops.astype(self, other.dtype)

    @staticmethod
    def _new_args(size: tuple, device: Any, what: str) -> tuple:
        """``new_*``'s size (ints or one sequence of ints) as a tuple; CPU only."""
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"{what}: nnlite runs on the CPU only, got device {device!r}")
        if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
            size = tuple(size[0])
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
                   for n in size):
            raise TypeError(f"{what}: size must be non-negative ints, got {size!r}")
        return tuple(int(n) for n in size)

    def _new_leaf(self, array: np.ndarray, requires_grad: bool) -> "Tensor":
        t = from_numpy(array)
        return t.requires_grad_(True) if requires_grad else t

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> "Tensor":
        """A new tensor holding a copy of ``data``, of this tensor's dtype unless
        ``dtype`` is given (never part of this tensor's graph)."""
        self._new_args((), device, "new_tensor")
        dt = self.array.dtype if dtype is None else np.dtype(dtype)
        return self._new_leaf(np.array(to_array(data), dtype=dt, copy=True), requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> "Tensor":
        """Zeros of ``size``, of this tensor's dtype unless ``dtype`` is given."""
        size = self._new_args(size, device, "new_zeros")
        dt = self.array.dtype if dtype is None else np.dtype(dtype)
        return self._new_leaf(np.zeros(size, dt), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> "Tensor":
        """Ones of ``size``, of this tensor's dtype unless ``dtype`` is given."""
        size = self._new_args(size, device, "new_ones")
        dt = self.array.dtype if dtype is None else np.dtype(dtype)
        return self._new_leaf(np.ones(size, dt), requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> "Tensor":
        """An uninitialised tensor of ``size``, of this tensor's dtype unless ``dtype``
        is given."""
        size = self._new_args(size, device, "new_empty")
        dt = self.array.dtype if dtype is None else np.dtype(dtype)
        return self._new_leaf(np.empty(size, dt), requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Any, *, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> "Tensor":
        """``fill_value`` everywhere in ``size`` (a sequence of ints), of this tensor's
        dtype unless ``dtype`` is given."""
        if isinstance(size, (int, np.integer)):
            raise TypeError(f"new_full(): argument 'size' must be a sequence of ints, not "
                            f"{type(size).__name__}")
        size = self._new_args((size,), device, "new_full")
        dt = self.array.dtype if dtype is None else np.dtype(dtype)
        return self._new_leaf(np.full(size, fill_value, dt), requires_grad)

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its Python number (``f"{loss:.4f}"``); any other
        tensor only with an empty spec (``f"{t}"``, its repr), as torch."""
        if self.array.ndim == 0:
            return self.array.item().__format__(format_spec)
        return object.__format__(self, format_spec)


# ============================================================================
# Late bindings: these modules import Tensor from here, so they load once it exists
# ============================================================================
from .autograd import grad_mode as _grad_mode  # noqa: E402
from .autograd import versions as _versions  # noqa: E402
from .autograd.engine import backward, grad  # noqa: E402,F401
from .autograd.function import AccumulateGrad, Function, OutputEdge  # noqa: E402,F401
from .autograd.grad_mode import (detect_anomaly, enable_grad, inference_mode,  # noqa: E402,F401
                                 is_grad_enabled, no_grad, set_grad_enabled)
from .autograd.hooks import RemovableHandle  # noqa: E402
from . import printing as _printing  # noqa: E402
from . import ops as _ops  # noqa: E402  (the ops import Tensor and Function from here)
from .ops import inplace as _inplace  # noqa: E402

for _name in _inplace.METHODS:          # add_, mul_, zero_, +=, t[i] = v, ...: ops/inplace.py
    setattr(Tensor, _name, getattr(_inplace, _name))
for _module in _ops.METHOD_MODULES:    # t.floor(), t.unique(), ...: each module's TENSOR_METHODS
    for _name, _fn in _module.TENSOR_METHODS.items():
        setattr(Tensor, _name, _fn)
