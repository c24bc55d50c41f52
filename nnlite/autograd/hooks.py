"""Gradient hooks: ``Tensor.register_hook`` appends a hook to the tensor's node
(``node.hooks``) and returns a ``RemovableHandle``; the engine calls the node's hooks on
the gradient arriving there, before it uses that gradient. As in torch, a hook receives the
gradient as a Tensor and may return a Tensor of its shape to replace it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, from_numpy


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook out."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def run_hooks(hooks: list, g: Any) -> Any:
    """Call each hook on the gradient ``g`` in order, as a Tensor (sharing ``g``'s array
    on a plain backward, where the engine works on arrays); a non-None return value, a
    Tensor of the same shape, replaces it. Returns the gradient as the engine passed it:
    an array, or a Tensor under ``create_graph``."""
    on_arrays = not isinstance(g, Tensor)
    t = from_numpy(np.asarray(g)) if on_arrays else g
    for hook in list(hooks):
        r = hook(t)
        if r is not None:
            if not isinstance(r, Tensor):
                raise TypeError(f"hook {getattr(hook, '__name__', hook)!r} returned "
                                f"{type(r).__name__}: a gradient hook returns a Tensor or None")
            if r.shape != t.shape:
                raise RuntimeError(f"hook {getattr(hook, '__name__', hook)!r} has changed the "
                                   f"size of value: expected {list(t.shape)}, got "
                                   f"{list(r.shape)}")
            t = r
    return t.array if on_arrays else t
