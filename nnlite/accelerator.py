"""``nl.accelerator``: torch's device-agnostic accelerator questions, for a CPU-only library.

nnlite has no accelerator, so ``is_available()`` is False, ``current_accelerator()`` None
and ``device_count()`` 0 -- the answers a program reads to fall back to the CPU
(``acc = torch.accelerator.current_accelerator(); device = acc if acc else "cpu"``). The
calls that need an accelerator raise ``DeviceError`` (torch raises a RuntimeError with the
same meaning: "Cannot access accelerator device when none is available").

Example:
    >>> import nnlite as nl
    >>> acc = nl.accelerator.current_accelerator()
    >>> device = acc if acc is not None else nl.device("cpu")
"""
from __future__ import annotations

from typing import Any

from .devices import DeviceError, device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "synchronize",
           "empty_cache", "device_index"]


def _none_available(where: str) -> DeviceError:
    return DeviceError(f"accelerator.{where}: Cannot access accelerator device when none is "
                       f"available; nnlite runs on the CPU only")


def is_available() -> bool:
    """False: nnlite has no accelerator.

    Example:
        >>> nl.accelerator.is_available()
        False
    """
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator (with or without ``check_available``).

    Args:
        check_available (bool): accepted, as in torch. Default: False.

    Example:
        >>> nl.accelerator.current_accelerator() is None
        True
    """
    return None


def device_count() -> int:
    """0: no accelerator devices."""
    return 0


def current_device_index() -> int:
    """Raises ``DeviceError``: there is no accelerator device."""
    raise _none_available("current_device_index")


current_device_idx = current_device_index


def set_device_index(device: Any, /) -> None:
    """Raises ``DeviceError``: there is no accelerator device to select.

    Args:
        device (device, str or int): the device torch would select.
    """
    raise _none_available("set_device_index")


set_device_idx = set_device_index


def synchronize(device: Any = None, /) -> None:
    """Raises ``DeviceError``, as torch does without an accelerator (``nl.cuda.synchronize``
    is the no-op a CUDA program calls).

    Args:
        device (optional): the device torch would wait for. Default: None.
    """
    raise _none_available("synchronize")


def empty_cache() -> None:
    """Raises ``DeviceError``, as torch does without an accelerator (``nl.cuda.empty_cache``
    is the no-op a CUDA program calls)."""
    raise _none_available("empty_cache")


class device_index:
    """``with nl.accelerator.device_index(None):`` does nothing, as in torch; any index
    raises ``DeviceError`` (there is no accelerator).

    Args:
        device (int or None): the accelerator index, or None.
    """

    def __init__(self, device: int | None, /) -> None:
        if device is not None:
            raise _none_available("device_index")

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None
