"""torch's allow-list of globals for ``torch.load(weights_only=True)``:
``add_safe_globals``, ``get_safe_globals``, ``clear_safe_globals`` and the context manager
``safe_globals``, reached as ``nl.serialization.*`` (and ``add_safe_globals`` as
``nl.serialization.add_safe_globals`` only, as in torch).

nnlite's own checkpoints are ``.npz`` archives read with ``allow_pickle=False``: the list
changes nothing for them. For a file written by ``torch.save`` (a pickle) it does what it
does in torch: ``nl.load`` admits, besides the tensor rebuild functions, containers, dtypes,
storage types, ``torch.Size`` and ``torch.device``, the classes and functions listed here
(by their ``module.qualname``, or the name given in a ``(callable, name)`` tuple), so a
checkpoint holding, e.g., a small config class you trust loads as it does in torch. Names
of modules that run commands or code (``os``, ``sys``, ``subprocess``, ``builtins.eval``,
...) are refused even when listed.

Example:
    >>> import nnlite as nl
    >>> with nl.serialization.safe_globals([MyConfig]):
    ...     state = nl.load("ckpt.pth")
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

__all__ = ["add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_safe: list = []


def _check(globs: Any) -> list:
    if not isinstance(globs, (list, tuple)):
        raise TypeError(f"safe_globals must be a list of callables or (callable, name) "
                        f"tuples, got {type(globs).__name__}")
    for g in globs:
        ok = (callable(g) or (isinstance(g, tuple) and len(g) == 2 and callable(g[0])
                              and isinstance(g[1], str)))
        if not ok:
            raise TypeError(f"safe_globals: expected a callable (class or function) or a "
                            f"(callable, name) tuple, got {g!r}")
    return list(globs)


def add_safe_globals(safe_globals: Sequence[Callable | tuple]) -> None:
    """Add ``safe_globals`` to the allow-list of names a ``torch.save`` file may use
    (nnlite's own checkpoints never need it).

    Args:
        safe_globals (list): classes/functions, or ``(callable, "module.name")`` tuples.

    Example:
        >>> nl.serialization.add_safe_globals([MyConfig])
    """
    for g in _check(safe_globals):
        if g not in _safe:
            _safe.append(g)


def get_safe_globals() -> list:
    """The allow-list, as recorded (a copy)."""
    return list(_safe)


def clear_safe_globals() -> None:
    """Empty the allow-list."""
    _safe.clear()


class safe_globals:
    """Add ``safe_globals`` to the allow-list for a ``with`` block, then restore it.

    Args:
        safe_globals (list): classes/functions, or ``(callable, "module.name")`` tuples.

    Example:
        >>> with nl.serialization.safe_globals([MyConfig]):
        ...     state = nl.load("ckpt.npz")
    """

    def __init__(self, safe_globals: Sequence[Callable | tuple]) -> None:
        self.safe_globals = _check(safe_globals)
        self._saved: list = []

    def __enter__(self) -> None:
        self._saved = list(_safe)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc: Any) -> None:
        _safe[:] = self._saved
