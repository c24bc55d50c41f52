"""Gradient hooks: ``Tensor.register_hook`` appends a hook to the tensor's node
(``node.hooks``) and returns a ``RemovableHandle``; the engine calls the node's hooks on
the gradient arriving there, before it uses that gradient.
"""
from __future__ import annotations

from typing import Any, Callable


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook out."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def run_hooks(hooks: list, g: Any) -> Any:
    """Call each hook on the gradient ``g`` in order; a non-None return value replaces it."""
    for hook in list(hooks):
        r = hook(g)
        if r is not None:
            g = r
    return g
