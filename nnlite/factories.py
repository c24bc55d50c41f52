"""Tensor factories: tensor, as_tensor, zeros, ones, full, empty, *_like, arange, linspace,
logspace, eye, rand, randn, randint, randperm, normal -- torch's signatures, NumPy
underneath.

Floating results take ``get_default_dtype()`` (float32) unless ``dtype`` is given; random
ones draw from the global generator seeded by ``nl.manual_seed`` (NumPy's PCG64, so the
values differ from torch's while the distributions agree). Every factory takes torch's
``device=``: ``None``, ``"cpu"`` or ``nl.device("cpu")``; any other device raises
``DeviceError``, since nnlite runs on the CPU only. Bad arguments raise torch's errors
(``RuntimeError`` for a negative size or an empty range, ``TypeError`` for a size that is
not an int).

Sections: arguments -- from data -- filled -- ranges -- random.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import random as _random
from .devices import as_dtype, check_device
from .tensor import Tensor, from_numpy, get_default_dtype, to_array

__all__ = ["tensor", "as_tensor", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
           "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "rand", "randn",
           "randint", "randperm", "normal", "rand_like", "randn_like", "randint_like"]


# ============================================================================
# Arguments
# ============================================================================
def _int(where: str, name: str, n: Any) -> int:
    """``n`` as an int (Python, NumPy or a one-element integer Tensor); bools and floats
    raise torch's TypeError."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer, Tensor)):
        raise TypeError(f"{where}(): argument '{name}' must be int, not {type(n).__name__}")
    try:
        return int(n.__index__()) if isinstance(n, Tensor) else int(n)
    except TypeError:
        raise TypeError(f"{where}(): argument '{name}' must be int, not a "
                        f"{n.dtype} tensor of shape {n.shape}") from None


def _size(where: str, size: tuple) -> tuple:
    """torch's ``*size``: ints, or one tuple/list of ints; each >= 0."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(_int(where, "size", n) for n in size)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{where}: Dimension size must be non-negative, got size "
                           f"{list(shape)}")
    return shape


def _shape_arg(where: str, size: Any) -> tuple:
    """One ``size`` argument (``full``, ``randint``, ``normal``): a tuple/list, or an int."""
    return _size(where, (size,) if not isinstance(size, (tuple, list)) else tuple(size))


def _dtype(where: str, dtype: Any, default: Any = None) -> np.dtype:
    if dtype is None:
        return get_default_dtype() if default is None else np.dtype(default)
    return as_dtype(dtype, where)


def _place(where: str, device: Any, pin_memory: bool = False) -> None:
    check_device(device, where)
    if pin_memory:
        raise RuntimeError(f"{where}: pin_memory=True needs an accelerator; nnlite runs on "
                           f"the CPU only, where there is nothing to pin")


def _number(where: str, name: str, v: Any) -> Any:
    """A Python number from a number or a one-element tensor."""
    if isinstance(v, Tensor):
        if v.numel() != 1:
            raise TypeError(f"{where}(): argument '{name}' must be a number, got a tensor of "
                            f"shape {v.shape}")
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (bool, int, float)):
        return v
    raise TypeError(f"{where}(): argument '{name}' must be a number, not {type(v).__name__}")


def _make(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = from_numpy(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


# ============================================================================
# From data
# ============================================================================
def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, as ``torch.tensor``.

    Args:
        data: a number, nested lists of numbers, an ndarray or a Tensor. Python floats
            become the default dtype (float32), ints int64, bools bool.
        dtype (optional): the dtype of the result. Default: None (inferred).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): record ops on the result. Default: False.
        pin_memory (bool): must be False (there is no accelerator to pin for).
            Default: False.

    Example:
        >>> nl.tensor([[1.0, 2.0]], device="cpu").dtype
        dtype('float32')
    """
    _place("tensor", device, pin_memory)
    arr = to_array(data, None if dtype is None else _dtype("tensor", dtype))
    if arr is data or (isinstance(data, Tensor) and arr is data.array):
        arr = arr.copy()
    return _make(arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor, sharing its memory where possible (a Tensor comes back as it
    is, an ndarray is wrapped without a copy); the dtype rules are ``tensor.to_array``'s.

    Args:
        data: a Tensor, an ndarray, a number or nested lists of numbers.
        dtype (optional): convert to this dtype (a copy if it differs). Default: None.
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.

    Example:
        >>> a = np.zeros(3); nl.as_tensor(a).numpy() is a
        True
    """
    _place("as_tensor", device)
    if isinstance(data, Tensor) and (dtype is None or
                                     _dtype("as_tensor", dtype) == data.array.dtype):
        return data
    return from_numpy(to_array(data, None if dtype is None else _dtype("as_tensor", dtype)))


# ============================================================================
# Filled
# ============================================================================
def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.

    Args:
        *size (int...): the shape, as ints or one tuple/list.
        dtype (optional): Default: None (the default dtype, float32).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.
        pin_memory (bool): must be False. Default: False.

    Example:
        >>> nl.zeros(2, 3, device="cpu").shape
        (2, 3)
    """
    _place("zeros", device, pin_memory)
    return _make(np.zeros(_size("zeros", size), _dtype("zeros", dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False) -> Tensor:
    """A tensor of ones; the arguments are ``zeros``'s.

    Example:
        >>> nl.ones(2, dtype=nl.int64).tolist()
        [1, 1]
    """
    _place("ones", device, pin_memory)
    return _make(np.ones(_size("ones", size), _dtype("ones", dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor; the arguments are ``zeros``'s.

    Example:
        >>> nl.empty(2, 3).shape
        (2, 3)
    """
    _place("empty", device, pin_memory)
    return _make(np.empty(_size("empty", size), _dtype("empty", dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``.

    Args:
        size (tuple of ints): the shape (an int is read as ``(n,)``).
        fill_value (number): the value.
        dtype (optional): Default: None -- bool for a bool, int64 for an int, else the
            default dtype.
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.
        pin_memory (bool): must be False. Default: False.

    Example:
        >>> nl.full((2,), 7).tolist()
        [7, 7]
    """
    _place("full", device, pin_memory)
    fill_value = _number("full", "fill_value", fill_value)
    if dtype is None:
        dtype = (np.bool_ if isinstance(fill_value, bool) else
                 np.int64 if isinstance(fill_value, int) else None)
    return _make(np.full(_shape_arg("full", size), fill_value, _dtype("full", dtype)),
                 requires_grad)


def _like(where: str, t: Any, dtype: Any, device: Any) -> tuple:
    _place(where, device)
    a = t.array if isinstance(t, Tensor) else np.asarray(t)
    return a.shape, (a.dtype if dtype is None else _dtype(where, dtype))


def zeros_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape and (unless ``dtype`` is given) dtype.

    Args:
        input (Tensor): the tensor whose shape and dtype to take.
        dtype (optional): Default: None (``input``'s).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    Example:
        >>> nl.zeros_like(nl.ones(2, 3)).shape
        (2, 3)
    """
    return _make(np.zeros(*_like("zeros_like", input, dtype, device)), requires_grad)


def ones_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape and dtype; the arguments are ``zeros_like``'s.

    Example:
        >>> nl.ones_like(nl.zeros(2)).tolist()
        [1.0, 1.0]
    """
    return _make(np.ones(*_like("ones_like", input, dtype, device)), requires_grad)


def empty_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Uninitialised, of ``input``'s shape and dtype; the arguments are ``zeros_like``'s.

    Example:
        >>> nl.empty_like(nl.zeros(2)).shape
        (2,)
    """
    return _make(np.empty(*_like("empty_like", input, dtype, device)), requires_grad)


def full_like(input: Any, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape and dtype (the value is cast to it, as torch).

    Example:
        >>> nl.full_like(nl.zeros(2, dtype=nl.int64), 2.7).tolist()
        [2, 2]
    """
    shape, dt = _like("full_like", input, dtype, device)
    fill_value = _number("full_like", "fill_value", fill_value)
    return _make(np.full(shape, fill_value).astype(dt, copy=False), requires_grad)


# ============================================================================
# Ranges
# ============================================================================
def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values ``start, start + step, ...`` in ``[start, end)``, as ``torch.arange``.

    Args:
        start (number): the first value (or ``end``, when ``end`` is omitted).
        end (number, optional): the bound, excluded. Default: None.
        step (number): nonzero, with the sign of ``end - start``. Default: 1.
        dtype (optional): Default: None -- int64 when every argument is an int, else the
            default dtype. Floating values are ``start + i * step`` in float64, then cast;
            an integer dtype truncates the arguments first, as torch does
            (``arange(0.5, 3, dtype=nl.int64)`` is ``[0, 1, 2]``).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    Example:
        >>> nl.arange(5).tolist(), nl.arange(1, 2, 0.25).tolist()
        ([0, 1, 2, 3, 4], [1.0, 1.25, 1.5, 1.75])
    """
    _place("arange", device)
    if end is None:
        start, end = 0, start
    start, end, step = (_number("arange", n, v) for n, v in
                        (("start", start), ("end", end), ("step", step)))
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    ints = all(isinstance(v, int) for v in (start, end, step))
    dt = _dtype("arange", dtype, np.int64 if ints else None)
    if ints:
        out = np.arange(start, end, step, dtype=np.int64).astype(dt, copy=False)
    elif dt.kind in "fc":
        n = int(math.ceil((end - start) / step))           # the length, in float64
        out = (start + np.arange(n, dtype=np.float64) * step).astype(dt)
    else:                                # torch casts the arguments to the integer dtype
        if int(step) == 0:
            raise ValueError(f"arange: step must be nonzero (step={step} is 0 as {dt})")
        out = np.arange(int(start), int(end), int(step), dtype=np.int64).astype(dt)
    return _make(out, requires_grad)


def _linspace(where: str, start: Any, end: Any, steps: Any, dtype: Any) -> np.ndarray:
    """torch's linspace: the first half counted up from ``start``, the second down from
    ``end``, in the result's dtype (in float64 for an integer dtype)."""
    start, end = _number(where, "start", start), _number(where, "end", end)
    steps = _int(where, "steps", steps)
    if steps < 0:
        raise RuntimeError(f"{where}: number of steps must be non-negative, got {steps}")
    dt = _dtype(where, dtype)
    work = dt if dt.kind in "fc" else np.dtype(np.float64)
    if dt.kind not in "fc":                        # torch casts the ends first
        start, end = int(start), int(end)
    s, e = work.type(start), work.type(end)
    if steps <= 1:
        return np.full(steps, s, work).astype(dt, copy=False)
    step = (e - s) / work.type(steps - 1)
    idx = np.arange(steps)
    half = steps // 2
    out = np.empty(steps, work)
    out[:half] = s + step * idx[:half].astype(work)
    out[half:] = e - step * (steps - idx[half:] - 1).astype(work)
    return out.astype(dt, copy=False)


def linspace(start: Any, end: Any, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive, computed as
    torch computes them: the first half up from ``start``, the second down from ``end``
    (torch's vectorised kernels may differ in the last bit).

    Args:
        start, end (number): the ends.
        steps (int): how many values, ``>= 0``.
        dtype (optional): Default: None (the default dtype).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    Example:
        >>> nl.linspace(0, 1, 5).tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    _place("linspace", device)
    return _make(_linspace("linspace", start, end, steps, dtype), requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``, as ``torch.logspace``.

    Args:
        start, end (number): the exponents at the ends.
        steps (int): how many values, ``>= 0``.
        base (float): Default: 10.0.
        dtype (optional): Default: None (the default dtype).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    Example:
        >>> nl.logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    _place("logspace", device)
    dt = _dtype("logspace", dtype)
    exps = _linspace("logspace", start, end, steps, np.float64)
    base = _number("logspace", "base", base)
    return _make(np.power(np.float64(base), exps).astype(dt), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity (ones on the diagonal).

    Args:
        n (int): rows, ``>= 0``.
        m (int, optional): columns, ``>= 0``. Default: None (``n``).
        dtype (optional): Default: None (the default dtype).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    Example:
        >>> nl.eye(2, 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    _place("eye", device)
    n = _int("eye", "n", n)
    m = n if m is None else _int("eye", "m", m)
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {v}")
    return _make(np.eye(n, m, dtype=_dtype("eye", dtype)), requires_grad)


# ============================================================================
# Random
# ============================================================================
def _float_dtype(where: str, dtype: Any, default: Any = None) -> np.dtype:
    dt = _dtype(where, dtype, default)
    if dt.kind != "f":
        raise NotImplementedError(f"{where}: dtype {dt} is not supported, random floats need "
                                  f"a floating dtype")
    return dt


def rand(*size: Any, generator: np.random.Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples on [0, 1).

    Args:
        *size (int...): the shape, as ints or one tuple/list.
        generator (np.random.Generator, optional): Default: None (the global one).
        dtype (optional): a floating dtype. Default: None (the default dtype).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.
        pin_memory (bool): must be False. Default: False.

    Example:
        >>> nl.rand(2, 3).shape
        (2, 3)
    """
    _place("rand", device, pin_memory)
    shape, dt = _size("rand", size), _float_dtype("rand", dtype)
    gen = generator or _random.default_generator()
    return _make(gen.random(shape).astype(dt, copy=False), requires_grad)


def randn(*size: Any, generator: np.random.Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal samples; the arguments are ``rand``'s.

    Example:
        >>> nl.randn(2, 3, dtype=nl.float64).dtype
        dtype('float64')
    """
    _place("randn", device, pin_memory)
    shape, dt = _size("randn", size), _float_dtype("randn", dtype)
    gen = generator or _random.default_generator()
    return _make(gen.standard_normal(shape).astype(dt, copy=False), requires_grad)


def randint(low: Any = None, high: Any = None, size: Any = None, *,
            generator: np.random.Generator | None = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)``,
    ``randint(low, high, size)`` or ``randint(high=h, size=s)``.

    Args:
        low (int): the lowest value. Default: 0.
        high (int): one above the highest value.
        size (tuple of ints): the shape.
        generator (np.random.Generator, optional): Default: None (the global one).
        dtype (optional): Default: None (int64).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): only with a floating dtype. Default: False.

    Example:
        >>> nl.randint(10, (3,)).dtype, nl.randint(2, 5, (2, 2)).shape
        (dtype('int64'), (2, 2))
    """
    _place("randint", device)
    if size is None:
        if high is None:
            raise TypeError("randint() missing the argument 'size', e.g. randint(10, (3,))")
        if low is not None:                   # randint(high, size)
            low, high, size = 0, low, high
    if high is None:                          # randint(high, size=...)
        low, high = 0, low
    low = 0 if low is None else _int("randint", "low", low)
    high = _int("randint", "high", high)
    if high <= low:
        raise RuntimeError(f"randint: high must be greater than low: random_ expects "
                           f"'from' to be less than 'to', but got from={low} >= to={high}")
    shape, dt = _shape_arg("randint", size), _dtype("randint", dtype, np.int64)
    gen = generator or _random.default_generator()
    return _make(gen.integers(low, high, shape, dtype=np.int64).astype(dt, copy=False),
                 requires_grad)


def randperm(n: int, *, generator: np.random.Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False, pin_memory: bool = False
             ) -> Tensor:
    """A random permutation of the integers 0 to n - 1.

    Args:
        n (int): the length, ``>= 0``.
        generator (np.random.Generator, optional): Default: None (the global one).
        dtype (optional): Default: None (int64).
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): only with a floating dtype. Default: False.
        pin_memory (bool): must be False. Default: False.

    Example:
        >>> sorted(nl.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    _place("randperm", device, pin_memory)
    n = _int("randperm", "n", n)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    gen = generator or _random.default_generator()
    dt = _dtype("randperm", dtype, np.int64)
    return _make(gen.permutation(n).astype(dt, copy=False), requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: np.random.Generator | None = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with the given means and standard deviations, as ``torch.normal``:
    ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)``, or ``normal(mean, std, size)`` with two numbers.

    Args:
        mean (Tensor or float): the means. Default: 0.0.
        std (Tensor or float): the standard deviations, ``>= 0``. Default: 1.0.
        size (tuple of ints, optional): the shape; only when both are numbers.
        generator (np.random.Generator, optional): Default: None (the global one).
        dtype (optional): with two numbers; else the tensors' dtype. Default: None.
        device (optional): ``None`` or ``"cpu"`` (nnlite is CPU only). Default: None.
        requires_grad (bool): Default: False.

    The result is not recorded for backward (its gradient with respect to ``mean`` and
    ``std`` would be zero in torch too).

    Example:
        >>> nl.normal(2.0, 3.0, size=(1, 4)).shape
        (1, 4)
    """
    _place("normal", device)
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal(): size can only be given when mean and std are numbers")
        m = mean.array if isinstance(mean, Tensor) else _number("normal", "mean", mean)
        s = std.array if isinstance(std, Tensor) else _number("normal", "std", std)
        dt = np.result_type(*[t.array.dtype for t in tensors])
        if dtype is not None:
            dt = _dtype("normal", dtype)
        dt = _float_dtype("normal", dt)
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            raise RuntimeError(f"normal: the shapes of mean {np.shape(m)} and std "
                               f"{np.shape(s)} do not broadcast") from None
    else:
        if size is None:
            raise TypeError("normal(): with mean and std both numbers, size is required, "
                            "e.g. normal(0.0, 1.0, size=(2, 3))")
        m, s = _number("normal", "mean", mean), _number("normal", "std", std)
        shape, dt = _shape_arg("normal", size), _float_dtype("normal", dtype)
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    gen = generator or _random.default_generator()
    z = gen.standard_normal(shape)
    return _make((m + s * z).astype(dt, copy=False), requires_grad)


def rand_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``rand`` in ``input``'s shape and dtype (a floating one).

    Example:
        >>> nl.rand_like(nl.zeros(2, 3)).shape
        (2, 3)
    """
    shape, dt = _like("rand_like", input, dtype, device)
    return rand(*shape, dtype=dt, requires_grad=requires_grad)


def randn_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """``randn`` in ``input``'s shape and dtype (a floating one).

    Example:
        >>> nl.randn_like(nl.zeros(2, dtype=nl.float64)).dtype
        dtype('float64')
    """
    shape, dt = _like("randn_like", input, dtype, device)
    return randn(*shape, dtype=dt, requires_grad=requires_grad)


def randint_like(input: Any, low: Any = 0, high: Any = None, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """``randint`` in ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``.

    Example:
        >>> nl.randint_like(nl.zeros(3), 5).dtype
        dtype('float32')
    """
    shape, dt = _like("randint_like", input, dtype, device)
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, dtype=dt, requires_grad=requires_grad)
