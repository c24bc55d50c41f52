"""``nl.cuda``: torch.cuda's questions, answered for a CPU-only library.

nnlite runs on the CPU, so there is no CUDA device: ``is_available()`` is False and
``device_count()`` 0, which is what a PyTorch program asks before it picks its device
(``device = "cuda" if torch.cuda.is_available() else "cpu"``). The calls such programs make
unconditionally -- seeding, synchronising, emptying the cache, reading memory counters --
work and do nothing, as each docstring says; the calls that need a device
(``current_device``, ``set_device``, ``get_device_name``, ...) raise ``DeviceError``.
``nl.cuda.amp`` holds torch's deprecated ``GradScaler``/``autocast`` spellings.

Example:
    >>> import nnlite as nl
    >>> nl.cuda.is_available(), nl.cuda.device_count()
    (False, 0)
    >>> nl.cuda.manual_seed_all(0)        # does nothing: nl.manual_seed seeds nnlite
"""
from __future__ import annotations

from typing import Any

from ..devices import cpu_only_error
from . import amp

__all__ = ["is_available", "device_count", "is_initialized", "is_bf16_supported",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "synchronize",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "current_device", "set_device",
           "get_device_name", "get_device_capability", "amp"]


def is_available() -> bool:
    """False: nnlite has no CUDA backend.

    Example:
        >>> device = "cuda" if nl.cuda.is_available() else "cpu"
    """
    return False


def device_count() -> int:
    """0: there are no CUDA devices for nnlite.

    Example:
        >>> nl.cuda.device_count()
        0
    """
    return 0


def is_initialized() -> bool:
    """False: there is no CUDA state to initialise."""
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: no CUDA device, and nnlite has no bfloat16 (``nl.bfloat16`` is unsupported).

    Args:
        including_emulation (bool): accepted, as in torch. Default: True.
    """
    return False


def _check_seed(where: str, seed: Any) -> None:
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise TypeError(f"{where}: seed must be an int, got {seed!r}")


def manual_seed(seed: int) -> None:
    """Does nothing (there is no CUDA generator); ``nl.manual_seed`` seeds every random
    draw nnlite makes. Accepted so that programs seeding both run unchanged.

    Args:
        seed (int): checked to be an int, then ignored.

    Example:
        >>> nl.manual_seed(0); nl.cuda.manual_seed(0)
    """
    _check_seed("cuda.manual_seed", seed)


def manual_seed_all(seed: int) -> None:
    """Does nothing, as ``manual_seed``: there are no CUDA generators to seed.

    Args:
        seed (int): checked to be an int, then ignored.
    """
    _check_seed("cuda.manual_seed_all", seed)


def seed() -> None:
    """Does nothing: there is no CUDA generator (``nl.seed`` seeds nnlite's)."""
    return None


def seed_all() -> None:
    """Does nothing: there are no CUDA generators (``nl.seed`` seeds nnlite's)."""
    return None


def synchronize(device: Any = None) -> None:
    """Does nothing: nnlite runs every op on the CPU to completion before returning, so
    there is no queued work to wait for (timing code that synchronises runs unchanged).

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return None


def empty_cache() -> None:
    """Does nothing: nnlite keeps no device memory cache (freed arrays go back to NumPy)."""
    return None


def memory_allocated(device: Any = None) -> int:
    """0: nnlite allocates no CUDA memory.

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return 0


def max_memory_allocated(device: Any = None) -> int:
    """0: nnlite allocates no CUDA memory.

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return 0


def memory_reserved(device: Any = None) -> int:
    """0: nnlite reserves no CUDA memory.

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return 0


def max_memory_reserved(device: Any = None) -> int:
    """0: nnlite reserves no CUDA memory.

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return 0


def reset_peak_memory_stats(device: Any = None) -> None:
    """Does nothing: the CUDA memory peaks are always 0.

    Args:
        device (optional): accepted and ignored. Default: None.
    """
    return None


def current_device() -> int:
    """Raises ``DeviceError``: there is no CUDA device to be current."""
    raise cpu_only_error("cuda.current_device", "cuda")


def set_device(device: Any) -> None:
    """Raises ``DeviceError``: there is no CUDA device to select.

    Args:
        device (int, str or device): the device torch would select.
    """
    raise cpu_only_error("cuda.set_device", device)


def get_device_name(device: Any = None) -> str:
    """Raises ``DeviceError``: there is no CUDA device to name.

    Args:
        device (optional): the device torch would name. Default: None.
    """
    raise cpu_only_error("cuda.get_device_name", "cuda" if device is None else device)


def get_device_capability(device: Any = None) -> tuple:
    """Raises ``DeviceError``: there is no CUDA device to ask.

    Args:
        device (optional): the device torch would ask. Default: None.
    """
    raise cpu_only_error("cuda.get_device_capability", "cuda" if device is None else device)
