"""The Tensor and the autograd engine: the whole core of nnlite in one file.

A ``Tensor`` wraps a NumPy array (``.data``). When an op runs on tensors that require
gradients, it records one ``Function`` node: the node keeps the nodes of its inputs
(``parents``) and the arrays its backward rule needs (``saved``), never the tensors
themselves, so intermediate arrays nobody saved are freed as soon as possible.
Leaves that require gradients own an ``AccumulateGrad`` node that adds the gradient
arriving at it into ``leaf.grad``.

``backward`` walks the nodes reachable from the output in reverse topological order
(Kahn's algorithm on dependency counts: no recursion, so a 100,000-op chain works),
sums the gradients that reach each node, calls its rule once, and frees the node
unless ``retain_graph=True``.

Backward rules run on plain arrays. Under ``create_graph=True`` the engine runs the
*same* rules on Tensors: the saved arrays are re-wrapped as Tensors attached to the
nodes they came from, so every operation inside a rule is recorded and the gradient
can be differentiated again. Rules are therefore written with what ``np.ndarray``
and ``Tensor`` share (operators, ``.sum``, ``.reshape``, ``.transpose``, NumPy ufuncs
such as ``np.exp``, which Tensor dispatches through ``__array_ufunc__``).

Sections: grad mode and dtype -- Function -- Tensor -- engine. Factories live in
factories.py.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Sequence

import numpy as np

from . import random as _random

# ============================================================================
# Grad mode, anomaly mode and the default dtype
# ============================================================================
_grad_enabled = True
_anomaly = False
_default_dtype = np.dtype(np.float32)


def is_grad_enabled() -> bool:
    """Whether ops are being recorded for backward now."""
    return _grad_enabled


class _GradMode:
    """Base of ``no_grad`` / ``enable_grad`` / ``set_grad_enabled``: a try/finally
    context manager that also works as a decorator."""

    mode = True

    def __enter__(self) -> None:
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        global _grad_enabled
        _grad_enabled = self._prev

    def __call__(self, func: Callable) -> Callable:
        mode = self.mode

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _set_mode(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set_mode(prev)

        wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
        wrapper.__wrapped__ = func
        return wrapper


def _set_mode(mode: bool) -> bool:
    global _grad_enabled
    prev, _grad_enabled = _grad_enabled, mode
    return prev


class no_grad(_GradMode):
    """Context manager and decorator: record nothing, keep no buffers.

    Example:
        >>> with nl.no_grad():
        ...     y = model(x)          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager and decorator: record ops even inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(mode)``: switches grad mode at once; as a context manager,
    restores the previous mode on exit (as in torch)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = _set_mode(self.mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _set_mode(self._prev)

    def __call__(self, func: Callable) -> Callable:
        _set_mode(self._prev)              # used as a decorator: switch only inside func
        return super().__call__(func)


class inference_mode(no_grad):
    """Alias of ``no_grad`` (nnlite has no separate inference tensors)."""


class detect_anomaly:
    """Context manager: check every forward output and every gradient for NaN/inf and
    for wrong gradient shapes, and raise naming the op that produced them first."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> "detect_anomaly":
        global _anomaly
        self._prev, _anomaly = _anomaly, self.check_nan
        return self

    def __exit__(self, *exc: Any) -> None:
        global _anomaly
        _anomaly = self._prev


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


# ============================================================================
# Function: one recorded op
# ============================================================================
class Function:
    """Base class of every differentiable op.

    A subclass implements ``forward(*arrays) -> array`` and
    ``backward(gy, *saved) -> grad or tuple of grads`` (one per input, ``None`` for an
    input that gets none). ``saved`` is the input arrays if ``save_inputs``, followed by
    the output array if ``save_output``. Non-differentiable context (shapes, axes,
    masks, indices) is stored on ``self`` by ``forward``. Rules never write into ``gy``.

    Users call op functions (``nl.exp``, ``a * b``), never these classes; to add an op,
    subclass and call ``MyOp(params).apply(*tensors)``.
    """

    save_inputs = False      # backward receives the input arrays
    save_output = False      # backward receives the output array
    broadcasts = False       # inputs may broadcast: the engine sums gradients back
    double_backward = True   # the rule can run on Tensors under create_graph
    parents: tuple | None = ()
    saved: tuple = ()
    in_shapes: tuple | None = None
    hooks: list | None = None
    out_dtype: np.dtype | None = None   # the output's dtype: the gradient arriving here has it

    def forward(self, *xs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, gy: Any, *saved: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def needs_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (rules may skip the others)."""
        return self.parents[i] is not None

    def apply(self, *xs: "Tensor") -> "Tensor":
        """Run forward on the inputs' arrays; record the node if any input requires grad."""
        arrays = tuple([x.data for x in xs])
        y = self.forward(*arrays)
        if y.__class__ is not np.ndarray:       # NumPy gives scalars for 0-d results
            y = np.asarray(y)
        out = _new_tensor(Tensor)
        out.data = y
        out.grad = None
        out._node = None
        if _grad_enabled:
            parents = tuple([x._node for x in xs])
            for p in parents:
                if p is not None:
                    self.parents = parents
                    self.out_dtype = y.dtype
                    if self.save_inputs:
                        self.saved = arrays + (y,) if self.save_output else arrays
                    elif self.save_output:
                        self.saved = (y,)
                    if self.broadcasts:
                        shapes = tuple([a.shape for a in arrays])
                        if shapes.count(y.shape) != len(shapes):
                            self.in_shapes = shapes
                    out._node = self
                    break
        if _anomaly:
            _check_finite(y, self, "forward output")
        return out

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad(Function):
    """The node of a leaf that requires grad: adds the incoming gradient to ``leaf.grad``."""

    def __init__(self, leaf: "Tensor") -> None:
        self.leaf = weakref.ref(leaf)
        self.parents = ()

    @property
    def out_dtype(self) -> np.dtype | None:     # type: ignore[override]
        """The leaf's dtype, read now: ``Module.to`` may have replaced its data since."""
        leaf = self.leaf()
        return None if leaf is None else leaf.data.dtype


_new_tensor = object.__new__


def _check_finite(a: Any, node: Function, what: str) -> None:
    arr = a.data if isinstance(a, Tensor) else a
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise RuntimeError(f"detect_anomaly: {node.name()} produced a non-finite {what} "
                           f"(shape {arr.shape})")


# ============================================================================
# Tensor
# ============================================================================
def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an ndarray; Python floats become the default dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    arr = np.asarray(data)
    if arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(_default_dtype)
    elif arr.dtype.kind in "OUS":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} data "
                        f"(got dtype {arr.dtype}); expected numbers or arrays")
    return arr


def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: bool) -> "Tensor":
    t = cls.__new__(cls)
    t.data, t.grad, t._node = data, None, None
    if requires_grad:
        t.requires_grad_(True)
    return t


class Tensor:
    """A NumPy array with autograd.

    Args:
        data: array-like; Python floats become ``get_default_dtype()`` (float32),
            ndarrays keep their dtype and are not copied.
        dtype (optional): convert to this dtype. Default: None.
        requires_grad (bool): record ops on this tensor for backward. Default: False.

    Attributes:
        data (np.ndarray): the values. ``grad`` (np.ndarray or None): the accumulated
        gradient of a leaf (a Tensor under ``backward(create_graph=True)``).

    Example:
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        array([2., 4.], dtype=float32)
    """

    __slots__ = ("data", "grad", "_node", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        self._node = None
        if requires_grad:
            self.requires_grad_(True)

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
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(f"requires_grad_: only floating tensors can require "
                               f"gradients, got dtype {self.data.dtype}")
        self._node = AccumulateGrad(self) if requires_grad else None
        return self

    @property
    def grad_fn(self) -> Function | None:
        node = self._node
        return None if node is None or node.__class__ is AccumulateGrad else node

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

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (as torch)."""
        if self.is_leaf:
            return
        ref = weakref.ref(self)

        def keep(g: Any) -> None:
            t = ref()
            if t is not None:
                g = g if isinstance(g, Tensor) else np.array(g)
                t.grad = g if t.grad is None else t.grad + g

        self.register_hook(keep)

    def detach(self) -> "Tensor":
        """A new tensor sharing the data, cut from the graph."""
        t = _new_tensor(Tensor)
        t.data, t.grad, t._node = self.data, None, None
        return t

    def detach_(self) -> "Tensor":
        self._node = None
        return self

    # ---- array attributes ----------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    def size(self, dim: int | None = None) -> Any:
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        return self.data.itemsize

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted to Python "
                             f"scalars, got shape {self.data.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of a tensor with {self.data.size} elements "
                               f"(shape {self.data.shape}) is ambiguous")
        return bool(self.data.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.data.item())

    __hash__ = object.__hash__

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("deepcopy: only tensors created by the user (graph leaves) "
                               "support the deepcopy protocol; detach() first")
        t = type(self).__new__(type(self))
        memo[id(self)] = t
        t.data, t.grad, t._node = self.data.copy(), None, None
        if self.grad is not None:
            t.grad = np.array(self.grad.data if isinstance(self.grad, Tensor) else self.grad)
        if self._node is not None:
            t.requires_grad_(True)
        return t

    def __reduce_ex__(self, protocol: int) -> tuple:
        if not self.is_leaf:
            raise RuntimeError("pickle: only leaf tensors can be pickled; detach() first")
        return (_rebuild_tensor, (type(self), self.data, self.requires_grad))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype not in (_default_dtype, np.dtype(np.int64), np.dtype(np.bool_)):
            extra += f", dtype={self.data.dtype}"
        node = self._node
        if node is not None:
            extra += (", requires_grad=True" if node.__class__ is AccumulateGrad
                      else f", grad_fn=<{node.name()}>")
        return f"tensor({body}{extra})"

    # ---- in-place updates (leaves, under no_grad) ----------------------------
    def _check_inplace(self, what: str) -> None:
        if self._node is not None and _grad_enabled:
            kind = "a leaf tensor that requires grad" if self.is_leaf else "a tensor in the graph"
            raise RuntimeError(f"{what}: in-place operation on {kind}; wrap it in "
                               f"nl.no_grad() or use an out-of-place op")

    def zero_(self) -> "Tensor":
        self._check_inplace("zero_")
        self.data[...] = 0
        return self

    def fill_(self, value: Any) -> "Tensor":
        self._check_inplace("fill_")
        self.data[...] = value
        return self

    def copy_(self, src: Any) -> "Tensor":
        self._check_inplace("copy_")
        src = src.data if isinstance(src, Tensor) else np.asarray(src)
        try:
            np.copyto(self.data, np.broadcast_to(src, self.data.shape), casting="unsafe")
        except ValueError:
            raise ValueError(f"copy_: source of shape {src.shape} cannot be broadcast to "
                             f"shape {self.data.shape}") from None
        return self

    def _inplace(self, name: str, other: Any, ufunc: np.ufunc) -> "Tensor":
        self._check_inplace(name)
        ufunc(self.data, other.data if isinstance(other, Tensor) else other,
              out=self.data, casting="same_kind")
        return self

    def add_(self, other: Any, alpha: float = 1) -> "Tensor":
        if alpha != 1:
            other = (other.data if isinstance(other, Tensor) else np.asarray(other)) * alpha
        return self._inplace("add_", other, np.add)

    def sub_(self, other: Any) -> "Tensor":
        return self._inplace("sub_", other, np.subtract)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace("mul_", other, np.multiply)

    def div_(self, other: Any) -> "Tensor":
        return self._inplace("div_", other, np.true_divide)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        self._check_inplace("clamp_")
        np.clip(self.data, min, max, out=self.data)
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> "Tensor":
        self._check_inplace("uniform_")
        self.data[...] = _random.default_generator().uniform(a, b, self.data.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> "Tensor":
        self._check_inplace("normal_")
        self.data[...] = _random.default_generator().normal(mean, std, self.data.shape)
        return self

    # ---- dtype ---------------------------------------------------------------
    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``; devices other than 'cpu' are refused."""
        dtype = kwargs.pop("dtype", dtype)
        if isinstance(dtype, str) and dtype in ("cpu",):
            dtype = args[0] if args else None
        if dtype is None:
            return self
        return _ops.astype(self, dtype)

    def astype(self, dtype: Any) -> "Tensor":
        return _ops.astype(self, dtype)

    type = astype

    def float(self) -> "Tensor":
        return _ops.astype(self, np.float32)

    def double(self) -> "Tensor":
        return _ops.astype(self, np.float64)

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

    def contiguous(self) -> "Tensor":
        return self

    def cpu(self) -> "Tensor":
        return self

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

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace("__setitem__")
        self.data[_ops.unwrap_index(index)] = value.data if isinstance(value, Tensor) else value

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
        if fn is None:
            return NotImplemented
        return fn(*inputs)

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

    def softmax(self, dim: int = -1) -> "Tensor":
        return _ops.softmax(self, dim)

    def log_softmax(self, dim: int = -1) -> "Tensor":
        return _ops.log_softmax(self, dim)

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

    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return Tensor(np.all(self.data, axis=dim, keepdims=keepdim))

    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return Tensor(np.any(self.data, axis=dim, keepdims=keepdim))

    # ---- shape ops -----------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        return _ops.reshape(self, *shape)

    view = reshape

    def view_as(self, other: "Tensor") -> "Tensor":
        return _ops.reshape(self, other.shape)

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
        return _ops.permute(self, tuple(range(self.data.ndim - 1, -1, -1)))

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


# ============================================================================
# The engine
# ============================================================================
class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook out."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _sum_to(g: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient back to ``shape`` (works on arrays and Tensors)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and g.shape[i + lead] != 1)
    g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _root_gradient(t: Tensor, gradient: Any, create_graph: bool) -> Any:
    if gradient is None:
        if t.data.size != 1:
            raise RuntimeError(f"backward: grad can be implicitly created only for scalar "
                               f"outputs; got an output of shape {t.data.shape}, pass "
                               f"`gradient` of the same shape")
        g = np.ones_like(t.data)
        return Tensor(g) if create_graph else g
    if isinstance(gradient, Tensor):
        g = gradient if create_graph else gradient.data
    else:
        g = np.asarray(gradient, dtype=t.data.dtype)
    if g.shape != t.data.shape:
        raise RuntimeError(f"backward: gradient has shape {g.shape} but the output has "
                           f"shape {t.data.shape}")
    return g


def _run_backward(roots: Sequence[Tensor], grads: Sequence[Any], retain_graph: bool,
                  create_graph: bool, capture: dict | None = None) -> None:
    """Propagate ``grads`` from ``roots`` through the graph.

    With ``capture`` (a dict of node -> None), the total gradient reaching each of those
    nodes is stored there and leaves are not touched (``autograd.grad``); otherwise
    gradients accumulate into the leaves' ``.grad``.
    """
    # 1. count, for each node, how many edges point to it from reachable nodes
    deps: dict = {}
    stack = []
    for t in roots:
        node = t._node
        if node is None:
            raise RuntimeError("backward: element 0 of tensors does not require grad and "
                               "does not have a grad_fn")
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        parents = node.parents
        if parents is None:
            raise RuntimeError(f"backward: trying to backward through the graph a second "
                               f"time ({node.name()} was already freed); specify "
                               f"retain_graph=True on the first backward")
        for p in parents:
            if p is not None:
                if p in deps:
                    deps[p] += 1
                else:
                    deps[p] = 1
                    stack.append(p)
    # 2. Kahn: a node runs once all its consumers have sent their gradients
    pending: dict = {}
    owned: set = set()                      # nodes whose summed gradient we allocated
    for t, g in zip(roots, grads):
        node = t._node
        if node in pending:
            pending[node] = pending[node] + g
            owned.add(node)
        else:
            pending[node] = g
    ready = [n for n in pending if deps[n] == 0]
    given = {id(_base(g)) for g in grads}   # arrays the caller passed in: never alias them
    anomaly = _anomaly
    while ready:
        node = ready.pop()
        gy = pending.pop(node)
        dt = node.out_dtype
        if dt is not None and gy.dtype != dt and dt.kind == "f":
            # A gradient has its tensor's dtype, as in torch. Rules keep it, except under
            # NumPy 1.x on 0-d arrays: there a 0-d float32 ``gy * 0.5`` is float64.
            gy = gy.astype(dt)
        if node.hooks is not None:
            for hook in list(node.hooks):
                r = hook(gy)
                if r is not None:
                    gy = r
        if capture is not None and node in capture:
            capture[node] = gy
        if node.__class__ is AccumulateGrad:
            if capture is None:
                _accumulate(node, gy, create_graph, given)
            continue
        parents = node.parents
        if create_graph:
            if not node.double_backward:
                raise RuntimeError(f"backward: {node.name()} cannot be differentiated twice "
                                   f"(create_graph=True is not supported for it)")
            saved = _saved_as_tensors(node)
            with enable_grad():
                gxs = node.backward(gy if isinstance(gy, Tensor) else Tensor(gy), *saved)
        else:
            gxs = node.backward(gy, *node.saved)
        if gxs.__class__ is not tuple:
            gxs = (gxs,)
        shapes = node.in_shapes
        if not retain_graph:
            node.parents = None
            node.saved = ()
        for i, p in enumerate(parents):
            if p is None:
                continue
            gx = gxs[i]
            if gx is None:
                deps[p] -= 1
                if deps[p] == 0 and p in pending:
                    ready.append(p)
                continue
            if shapes is not None:
                gx = _sum_to(gx, shapes[i])
            if anomaly:
                _check_finite(gx, node, f"gradient for input {i}")
            if p in pending:
                acc = pending[p]
                if p in owned and acc.__class__ is np.ndarray:
                    acc += gx                   # our own buffer: add in place
                else:
                    pending[p] = acc + gx
                    owned.add(p)
            else:
                pending[p] = gx
            deps[p] -= 1
            if deps[p] == 0:
                ready.append(p)


def _base(a: Any) -> Any:
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while isinstance(a, np.ndarray) and isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _accumulate(node: AccumulateGrad, g: Any, create_graph: bool, given: set) -> None:
    """Store ``g`` in ``leaf.grad``; a gradient whose memory is shared with the caller or
    with another leaf is copied, anything else (even a view) is kept as it is."""
    leaf = node.leaf()
    if leaf is None:
        return
    if g.shape != leaf.data.shape:
        raise RuntimeError(f"backward: gradient of shape {g.shape} reached a leaf of shape "
                           f"{leaf.data.shape}")
    if isinstance(g, Tensor) and not create_graph:
        g = g.data
    if g.__class__ is not np.ndarray and not isinstance(g, Tensor):
        g = np.asarray(g)                   # a NumPy scalar from a 0-d rule
    if leaf.grad is None:
        if not isinstance(g, Tensor):
            base = _base(g)
            if id(base) in given or not g.flags.writeable:
                g = base = g.copy()         # shared with the caller or another leaf
            given.add(id(base))
        if not isinstance(g, Tensor) and g.dtype != leaf.data.dtype:
            g = g.astype(leaf.data.dtype)
        leaf.grad = g
    else:
        leaf.grad = leaf.grad + g           # out of place: .grad may be shared by the user


def _saved_as_tensors(node: Function) -> tuple:
    """The node's saved arrays as Tensors attached to the nodes they came from."""
    saved = node.saved
    out = []
    n_in = len(node.parents) if node.save_inputs else 0
    for i, a in enumerate(saved):
        t = Tensor(a)
        if i < n_in:
            t._node = node.parents[i]
        else:                               # the output: produced by this very node
            t._node = node
        out.append(t)
    return tuple(out)


def _normalize_roots(tensors: Any, grad_tensors: Any, create_graph: bool) -> tuple:
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
        grad_tensors = (grad_tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, (Tensor, np.ndarray)):
        grad_tensors = (grad_tensors,)
    grad_tensors = tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(tensors)} outputs but "
                           f"{len(grad_tensors)} gradients")
    grads = tuple(_root_gradient(t, g, create_graph) for t, g in zip(tensors, grad_tensors))
    return tensors, grads


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors``
    (``nl.autograd.backward``; ``t.backward()`` calls this)."""
    if retain_graph is None:
        retain_graph = create_graph
    tensors, grads = _normalize_roots(tensors, grad_tensors, create_graph)
    if inputs is not None:
        res = grad(tensors, inputs, grads, retain_graph, create_graph, allow_unused=True)
        for t, g in zip(inputs, res):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
        return
    _run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching
    any ``.grad``; with ``create_graph=True`` they are Tensors that can be differentiated
    again (e.g. a Hessian-vector product).

    Example:
        >>> (g,) = nl.autograd.grad((x ** 3).sum(), x, create_graph=True)
        >>> (h,) = nl.autograd.grad(g.sum(), x)      # 6 * x
    """
    if retain_graph is None:
        retain_graph = create_graph
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    outputs, grads = _normalize_roots(outputs, grad_outputs, create_graph)
    capture = {}
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or t._node is None:
            raise RuntimeError(f"grad: input {i} does not require grad")
        capture[t._node] = None
    _run_backward(outputs, grads, retain_graph, create_graph, capture)
    res = []
    for i, t in enumerate(inputs):
        g = capture[t._node]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute "
                               f"the outputs; pass allow_unused=True")
        if g is not None and not isinstance(g, Tensor):
            g = Tensor(g)
        res.append(g)
    return tuple(res)


from . import ops as _ops  # noqa: E402  (the ops import Tensor and Function from here)
