"""Views: the tensor a view's memory belongs to, so that an in-place write through the
view rewrites the base's history too (torch's CopySlices).

A view op (a Function with ``is_view = True``: indexing with ints and slices, reshape,
permute, expand) whose output shares its input's memory marks the output with
``_view = (root, steps)``: ``root`` is the tensor that owns the memory (followed through
views of views) and ``steps`` the ops, as ``(Function, other arguments)``, that make the
view from it, so ``replay`` can make the same view of another tensor of root's shape.
``ops/inplace.py`` uses it: a recorded write through a view computes on the old values of
the view, puts the result into a copy of the old root (``SetItem`` at the view's positions)
and makes that root's history, as torch does.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..tensor import from_numpy


def track(out: Any, fn: type, args: tuple) -> None:
    """Mark ``out``, made by the view op ``fn`` from ``args[0]`` (its other arguments
    ``args[1:]``), as a view of its root when it shares its memory (a reshape that had to
    copy does not)."""
    x = args[0]
    if not np.may_share_memory(out.array, x.array):
        return
    view = getattr(x, "_view", None)
    root, steps = (x, ()) if view is None else view
    out._view = (root, steps + ((fn, args[1:]),))
    refs = getattr(root, "_views", None)
    if refs is None:
        root._views = [weakref.ref(out)]
        return
    n = len(refs)
    if n >= 64 and n & (n - 1) == 0:        # now and then, forget the views that died
        refs[:] = [r for r in refs if r() is not None]
    refs.append(weakref.ref(out))


def replay(base: Any, steps: tuple) -> Any:
    """The view ``steps`` make of ``base`` (a Tensor of the root's shape), recorded."""
    for fn, rest in steps:
        base = fn.apply(base, *rest)
    return base


def of(t: Any) -> tuple | None:
    """``(root, steps)`` if ``t`` is a view whose root still owns its memory, else None."""
    view = getattr(t, "_view", None)
    if view is None or not np.may_share_memory(view[0].array, t.array):
        return None
    return view


def rebase(root: Any, new: Any, skip: Any = None) -> None:
    """After a recorded write changed ``root``'s history, give each live view of ``root``
    (but ``skip``) the history of the same view of ``new`` (a Tensor with root's values
    and new history), as torch regenerates a view's ``grad_fn`` after its base changed."""
    refs = getattr(root, "_views", None)
    if not refs:
        return
    for ref in list(refs):
        v = ref()
        if v is None or v is skip:
            continue
        view = of(v)
        if view is not None and view[0] is root:
            v._node = replay(new, view[1])._node


def positions(view: tuple) -> tuple:
    """The view's elements' positions in its root, as an index of the root (for
    ``SetItem``)."""
    root, steps = view
    shape = root.array.shape
    flat = replay(from_numpy(np.arange(root.array.size).reshape(shape)), steps).array
    return np.unravel_index(flat, shape)
