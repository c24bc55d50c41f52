"""Grad mode and anomaly mode: two process-wide switches the ops and the engine read.

``_grad_enabled`` says whether ``Function.apply`` records nodes (``no_grad``,
``enable_grad``, ``set_grad_enabled``, ``inference_mode`` switch it); ``_anomaly`` says
whether forward outputs and gradients are checked for NaN/inf (``detect_anomaly``).
Other modules read them as ``grad_mode._grad_enabled`` so they see the current value.
"""
from __future__ import annotations

from typing import Any, Callable

_grad_enabled = True
_anomaly = False


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
