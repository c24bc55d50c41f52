"""Grad mode and anomaly mode: two process-wide switches the ops and the engine read.

``_grad_enabled`` says whether ``Function.apply`` records nodes (``no_grad``,
``enable_grad``, ``set_grad_enabled``, ``inference_mode`` switch it); ``_anomaly`` says
whether forward outputs and gradients are checked for NaN/inf (``detect_anomaly``).
Other modules read them as ``grad_mode._grad_enabled`` so they see the current value.

The switches are context managers and decorators, as in torch: a decorated function runs
under the mode; a decorated generator function runs each of its steps (every resumption
by ``next``, ``send``, ``throw`` or ``close``) under the mode, and the caller's mode in
between, so ``@no_grad()`` on a generator records nothing and leaves the caller's loop
recording. ``no_grad``, ``enable_grad`` and ``inference_mode`` also decorate without
parentheses (``@nl.no_grad``).
"""
from __future__ import annotations

import functools
import inspect
import sys
import warnings
from typing import Any, Callable

_grad_enabled = True
_anomaly = False
_inference = False


def is_grad_enabled() -> bool:
    """Whether ops are being recorded for backward now."""
    return _grad_enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block is active (as torch; in nnlite it only
    turns recording off, like ``no_grad``)."""
    return _inference


def _set_modes(grad: bool, inference: bool) -> tuple:
    global _grad_enabled, _inference
    prev = (_grad_enabled, _inference)
    _grad_enabled, _inference = grad, inference
    return prev


def _restore(prev: tuple) -> None:
    global _grad_enabled, _inference
    _grad_enabled, _inference = prev


class _GradMode:
    """Base of ``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` / ``inference_mode``:
    a try/finally context manager that also decorates functions, generator functions and
    (deprecated, as in torch) classes. A subclass says which modes it sets in
    ``_modes()``: (grad enabled, inference mode)."""

    mode = True

    def _modes(self) -> tuple:
        return self.mode, _inference

    def __enter__(self) -> None:
        self._prev = _set_modes(*self._modes())

    def __exit__(self, *exc: Any) -> None:
        _restore(self._prev)

    def __call__(self, func: Callable) -> Callable:
        modes = self._modes
        if inspect.isclass(func):
            warnings.warn("Decorating classes is deprecated and will be disabled in future "
                          "versions. You should only decorate functions or methods. To "
                          "preserve the current behavior of class decoration, you can "
                          "directly decorate the `__init__` method and nothing else.",
                          FutureWarning, stacklevel=2)

            def construct(*args: Any, **kwargs: Any) -> Any:
                prev = _set_modes(*modes())
                try:
                    return func(*args, **kwargs)
                finally:
                    _restore(prev)

            return construct
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(func, modes)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _set_modes(*modes())
            try:
                return func(*args, **kwargs)
            finally:
                _restore(prev)

        return wrapper

    def _fresh(self) -> "_GradMode":
        return self

    def clone(self) -> "_GradMode":
        """A new context manager of the same kind and mode (torch's ``clone``)."""
        return self._fresh()


def _wrap_generator(func: Callable, modes: Callable) -> Callable:
    """``func`` (a generator function) as a generator function whose every step runs under
    ``modes()``: what ``next``/``send``/``throw``/``close`` on it pass in is passed on to
    the inner generator, and its return value comes back in ``StopIteration``."""

    @functools.wraps(func)
    def generator(*args: Any, **kwargs: Any) -> Any:
        prev = _set_modes(*modes())
        try:
            inner = func(*args, **kwargs)
            value = inner.send(None)                 # run to the first yield
        except StopIteration as stop:
            return stop.value
        finally:
            _restore(prev)
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                prev = _set_modes(*modes())
                try:
                    inner.close()
                finally:
                    _restore(prev)
                raise
            except BaseException:
                prev = _set_modes(*modes())
                try:
                    value = inner.throw(sys.exc_info()[1])
                except StopIteration as stop:
                    return stop.value
                finally:
                    _restore(prev)
            else:
                prev = _set_modes(*modes())
                try:
                    value = inner.send(sent)
                except StopIteration as stop:
                    return stop.value
                finally:
                    _restore(prev)

    return generator


class _NoArgMode(_GradMode):
    """A mode that takes no argument, so it also decorates bare: ``@nl.no_grad``."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def _fresh(self) -> "_GradMode":
        return self.__class__()


class no_grad(_NoArgMode):
    """Context manager and decorator: record nothing, keep no buffers.

    Decorates functions and generator functions (each step of the generator runs without
    recording), with or without parentheses.

    Example:
        >>> with nl.no_grad():
        ...     y = model(x)          # y.requires_grad is False
    """

    mode = False


class enable_grad(_NoArgMode):
    """Context manager and decorator: record ops even inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(mode)``: switches grad mode at once; as a context manager,
    restores the previous mode on exit; as a decorator, switches only inside the
    decorated function (as in torch)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = _set_modes(self.mode, _inference)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _restore(self._prev)

    def __call__(self, func: Callable) -> Callable:
        _restore(self._prev)               # used as a decorator: switch only inside func
        return super().__call__(func)

    def _fresh(self) -> "_GradMode":
        fresh = object.__new__(type(self))
        fresh.mode = self.mode
        return fresh

    def __repr__(self) -> str:
        return f"{type(self).__module__}.set_grad_enabled(mode={self.mode})"


class inference_mode(_GradMode):
    """``inference_mode(mode=True)``: as ``no_grad`` (nnlite has no separate inference
    tensors: outputs are ordinary tensors that do not require grad).
    ``inference_mode(False)`` turns recording on, as torch's does. Decorates with or
    without parentheses.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)                 # @inference_mode on a function

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def _modes(self) -> tuple:
        return (not self.mode), bool(self.mode)

    def _fresh(self) -> "_GradMode":
        return inference_mode(self.mode)


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


class set_detect_anomaly:
    """torch's ``set_detect_anomaly(mode, check_nan=True)``: turn ``detect_anomaly``'s
    checks on or off at once (a plain call, as programs use it) or for a ``with`` block,
    after which the previous setting returns.

    Example:
        >>> nl.autograd.set_detect_anomaly(True)       # from here on
        >>> with nl.autograd.set_detect_anomaly(False):
        ...     loss.backward()                        # unchecked
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        global _anomaly
        self._prev = _anomaly
        _anomaly = bool(mode) and bool(check_nan)

    def __enter__(self) -> "set_detect_anomaly":
        return self

    def __exit__(self, *exc: Any) -> None:
        global _anomaly
        _anomaly = self._prev


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly``'s checks are on (torch's ``is_anomaly_enabled``)."""
    return _anomaly
