"""``nl.compile`` and ``nl.compiler``: torch 2's compiler entry points, for programs that
call them (nanoGPT's ``model = torch.compile(model)``).

nnlite has no compiler: it runs each op as NumPy calls, in the order the program makes
them. ``nl.compile(model)`` therefore returns ``model`` itself, unchanged (a module, or a
function), so the program runs as it would in torch's eager mode: the same numbers, the
same ``state_dict`` keys (torch's compiled module prefixes them with ``_orig_mod.``; programs
that strip that prefix find none to strip).

Example:
    >>> model = nl.compile(nn.Linear(2, 2))     # the module itself
    >>> @nl.compile
    ... def f(x):
    ...     return x * 2
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["compile", "is_compiling", "is_dynamo_compiling", "reset", "disable"]

_BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")
_MODES = (None, "default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
          "max-autotune")


def compile(model: Callable | None = None, *, fullgraph: bool = False,
            dynamic: bool | None = None, backend: str | Callable = "inductor",
            mode: str | None = None, options: dict | None = None,
            disable: bool = False) -> Any:
    """torch's ``torch.compile``: returns ``model`` unchanged (nnlite runs eagerly, see the
    module docstring); called without ``model``, a decorator that does the same.

    Args:
        model (Module or callable, optional): what to compile.
        fullgraph, dynamic, backend, mode, options, disable: torch's options, checked as
            torch checks them and otherwise without effect.
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(m for m in _MODES if m)}")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise RuntimeError(f"Invalid backend: {backend!r} (torch's backends: "
                           f"{', '.join(_BACKENDS)})")
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"A callable function is expected, but {type(model)} is provided.")
    return model


def is_compiling() -> bool:
    """False: nnlite never traces a program."""
    return False


is_dynamo_compiling = is_compiling


def reset() -> None:
    """torch clears its compilation caches; nnlite has none."""


def disable(fn: Callable | None = None, recursive: bool = True, *,
            reason: str | None = None) -> Any:
    """torch's ``torch.compiler.disable``: ``fn`` unchanged (nothing is compiled)."""
    return (lambda f: f) if fn is None else fn
