"""``nl.multiprocessing``: Python's ``multiprocessing``, as ``torch.multiprocessing`` is.

torch re-exports the standard library's module (``Process``, ``Queue``, ``Pool``,
``set_start_method``, ``get_start_method``, ``cpu_count``, ...) and adds the choice of how
tensors are shared between processes. nnlite does the same: the names below are the
standard library's objects, and ``set_sharing_strategy`` / ``get_sharing_strategy`` record
torch's choice. An nnlite tensor sent through a queue is pickled with its array (NumPy's
pickling), so the strategy changes nothing; it is kept so programs that set it run.

Example:
    >>> import nnlite.multiprocessing as mp
    >>> mp.set_start_method("spawn", force=True)
    >>> mp.get_start_method(), mp.get_sharing_strategy()
    ('spawn', 'file_descriptor')
"""
from __future__ import annotations

import multiprocessing as _mp
import sys as _sys
from multiprocessing import *  # noqa: F401,F403  (torch.multiprocessing does the same)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies"]
__all__ += _mp.__all__

_ALL_STRATEGIES = ({"file_descriptor", "file_system"} if _sys.platform.startswith("linux")
                   else {"file_system"})
_sharing_strategy = "file_descriptor" if "file_descriptor" in _ALL_STRATEGIES else "file_system"


def set_sharing_strategy(new_strategy: str) -> None:
    """Record how torch would share tensors between processes.

    Args:
        new_strategy (str): one of ``get_all_sharing_strategies()``.

    Example:
        >>> mp.set_sharing_strategy("file_system")
    """
    global _sharing_strategy
    if new_strategy not in _ALL_STRATEGIES:
        raise ValueError(f"set_sharing_strategy: new_strategy must be one of "
                         f"{sorted(_ALL_STRATEGIES)}, got {new_strategy!r}")
    _sharing_strategy = new_strategy


def get_sharing_strategy() -> str:
    """The strategy last set ('file_descriptor' by default on Linux, as in torch)."""
    return _sharing_strategy


def get_all_sharing_strategies() -> set:
    """The strategies this platform supports, as torch lists them."""
    return set(_ALL_STRATEGIES)
