"""Reused memory for the large arrays of the hot ops (convolution, pooling, activations).

A training step allocates the same large arrays every time: a convolution's columns, its
output, the gradients of each layer. Freed, such an array goes back to the C allocator,
which often returns it to the operating system, so the next step's array of the same
size is fresh memory that the kernel must map and zero page by page (on Linux, about half
of a small CNN's training step went to these page faults). ``empty`` instead keeps every
large block it hands out, per (size in bytes, dtype), and hands it out again, reshaped to
the shape asked for, once nobody holds it any more: the only references left are the
pool's own, which CPython's reference count tells exactly (the arrays handed out are
views of the block and hold a reference to it, as do views of them, so a block is never
reused while any of them is alive). Keying by size rather than shape lets arrays of the
same size and different shapes (a convolution's columns in forward and in backward)
share one block, which keeps a step's memory, and so its cache footprint, smaller: 11 %
of a LeNet-5 step at batch 64. This is what torch's caching allocator does, for the arrays of
nnlite's own kernels; it changes no process-wide setting.

The pool keeps at most ``LIMIT`` bytes (arrays past it are ordinary arrays); when a new
block would pass it, blocks not in use are dropped first, oldest size first.
``empty_cache()`` drops every array not in use.
"""
from __future__ import annotations

import sys
from math import prod
from typing import Any

import numpy as np

from ..autograd import versions as _versions

MIN_BYTES = 1 << 17
"""Arrays smaller than this (128 KiB, glibc's default mmap threshold) are not pooled:
the allocator's own free lists serve them without page faults."""

LIMIT = 1 << 30
"""The most bytes the pool holds (in use or not)."""

_pool: dict = {}        # (nbytes, dtype) -> [flat array, ...], in the order sizes were first seen
_held = 0               # bytes in the pool
_getrefcount = sys.getrefcount
_forget = _versions._writes.pop           # versions.forget, without the call


def _free_count() -> int:
    """The reference count ``empty``'s loop sees for an array only the pool holds (3 in
    CPython 3.11: the list, the loop variable, the call's argument), measured on this
    interpreter by the same loop rather than assumed."""
    arrays = [np.empty(0)]
    for a in arrays:
        return _getrefcount(a)
    return 0


_FREE = _free_count()


def empty(shape: tuple | int, dtype: Any) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` (an int or a tuple of ints) and
    ``dtype``: a pooled one not in use when there is one."""
    if not isinstance(shape, tuple):
        shape = (shape,)
    if not isinstance(dtype, np.dtype):
        dtype = np.dtype(dtype)
    nbytes = dtype.itemsize * prod(shape)
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    size = _size_class(nbytes)
    key = (size, dtype)
    count = nbytes // dtype.itemsize
    arrays = _pool.get(key)
    if arrays is not None:
        for a in arrays:
            if _getrefcount(a) == _FREE:
                _forget(id(a), None)        # a new tensor's writes count from zero
                return a[:count].reshape(shape)
    a = np.empty(size // dtype.itemsize, dtype)
    if _make_room(size):
        _pool.setdefault(key, []).append(a)
    return a[:count].reshape(shape)


def _size_class(nbytes: int) -> int:
    """``nbytes`` rounded up to the next of 8 sizes per power of two."""
    top = 1 << (nbytes.bit_length() - 4)        # an eighth of the power of two below
    return -(-nbytes // top) * top


def zeros(shape: tuple | int, dtype: Any) -> np.ndarray:
    """``empty`` filled with zeros."""
    return full(shape, 0, dtype)


def full(shape: tuple | int, fill_value: Any, dtype: Any) -> np.ndarray:
    """``empty`` filled with ``fill_value``."""
    a = empty(shape, dtype)
    a.fill(fill_value)
    return a


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (2-D or batched, at least 2-D each) into an array from ``empty``."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return np.matmul(a, b, out=empty(shape, np.result_type(a.dtype, b.dtype)))


def mm(a: Any, b: Any) -> Any:
    """``a @ b``: into an array from ``empty`` for two arrays (at least 2-D each), else
    (Tensors, in a backward rule under ``create_graph``) the operator's own result."""
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray:
        return matmul(a, b)
    return a @ b


def contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` if it is C-contiguous, else a C-contiguous copy of it from ``empty``."""
    if a.flags.c_contiguous:
        return a
    out = empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def _make_room(nbytes: int) -> bool:
    """Whether ``nbytes`` more fit in the pool, after dropping free arrays if needed."""
    global _held
    if _held + nbytes > LIMIT:
        empty_cache(LIMIT - nbytes)
        if _held + nbytes > LIMIT:
            return False
    _held += nbytes
    return True


def empty_cache(keep: int = 0) -> None:
    """Drop the pooled arrays not in use (the oldest shapes first) until the pool holds at
    most ``keep`` bytes, or none is left to drop. Default: drop all that are free."""
    global _held
    for key in list(_pool):
        arrays = _pool[key]
        kept = []
        for a in arrays:
            if _held > keep and _getrefcount(a) == _FREE:
                _held -= a.nbytes
            else:
                kept.append(a)
        if kept:
            _pool[key] = kept
        else:
            del _pool[key]
        if _held <= keep:
            return


def held_bytes() -> int:
    """Bytes the pool holds now, in use or not."""
    return _held
