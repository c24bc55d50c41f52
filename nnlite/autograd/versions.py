"""Version counters: catching a saved array that was written in place before backward.

A backward rule reads the arrays its op saved. If one of them is overwritten in place
afterwards (``y = x.exp(); y.add_(1); y.sum().backward()``), the gradient would silently
be wrong, so, as in torch, backward raises instead.

torch keeps a version counter per tensor, shared by its views. nnlite keeps it per block
of memory: every in-place write through a Tensor (its ``_`` methods, ``+=``, ``t[i] = v``)
calls ``bump(array)``, which counts a write to the array that owns the memory
(``array.base`` followed to its end), so a view and its base share one count. A node that
saves arrays remembers the clock (the number of writes so far) when it was recorded;
before its rule runs, ``check(node)`` looks for a write to the memory of a saved array
made after that (skipping an array the rule reads only for a gradient that was not
asked for, as torch saves ``a`` of ``a * b`` only when ``b`` requires grad). Nothing is done per op when no in-place write happened since the node
was recorded (one integer comparison), which is the case in an ordinary training step
(the optimizer writes before the next forward).

One difference from torch: writes through ``t.data`` count as well (torch does not track
them, and a rule then computes with the modified values without a word).
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

clock = 0                   # the number of in-place writes so far (read by Function.apply)
_writes: dict = {}          # id(owner array) -> [clock of its last write, its write count, ref]


def owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def bump(a: np.ndarray) -> None:
    """Count an in-place write to ``a``'s memory."""
    global clock
    clock += 1
    base = owner(a)
    key = id(base)
    entry = _writes.get(key)
    if entry is None:       # forget the entry when the memory is freed (ids are reused)
        _writes[key] = [clock, 1, weakref.ref(base, lambda _, k=key: _writes.pop(k, None))]
    else:
        entry[0] = clock
        entry[1] += 1


def version(a: np.ndarray) -> int:
    """How many in-place writes ``a``'s memory has had (torch's ``t._version``)."""
    entry = _writes.get(id(owner(a)))
    return 0 if entry is None else entry[1]


def check(node: Any) -> None:
    """Raise if a saved array of ``node`` was written in place after the node was recorded."""
    since = node._clock
    if since >= clock:
        return
    needs = node.needs_input_grad if node.saved_for is not None else None
    for k, a in enumerate(node.saved):
        if needs is not None and node.saved_for[k] is not None and not needs[node.saved_for[k]]:
            continue                        # read only for a gradient nobody asked for
        if isinstance(a, np.ndarray):
            entry = _writes.get(id(owner(a)))
            if entry is not None and entry[0] > since:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: saved array {k} of {node.name()} (shape "
                    f"{a.shape}, dtype {a.dtype}) was written to after it was saved (it is at "
                    f"version {entry[1]}). Hint: use an out-of-place op, or .clone() the "
                    f"tensor before modifying it in place")
