"""``autocast``: torch's mixed-precision region, which changes nothing in nnlite.

In torch, ops inside ``with torch.autocast(device_type, dtype):`` run in a lower precision
where that is safe. nnlite keeps every op in its inputs' dtype (float32 stays float32), so
``autocast`` checks its arguments, records them, and lets the region run as written: the
numbers are those of the same program without autocast. It works as a context manager and
as a decorator, like torch's.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from ..devices import device as _device

__all__ = ["autocast", "is_autocast_available"]


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast(device_type)`` may be used: True for any device type torch knows
    (the region changes nothing in nnlite).

    Args:
        device_type (str): e.g. 'cpu' or 'cuda'.
    """
    _device(device_type)
    return True


class autocast:
    """As ``torch.autocast``, but nnlite casts nothing: the ops inside keep their inputs'
    dtype (documented difference; float32 programs get their float32 numbers).

    Args:
        device_type (str): 'cpu', 'cuda', ... (any device type torch knows).
        dtype (optional): the lower precision torch would use (``nl.float16``,
            ``nl.bfloat16``); recorded only, so even ``nl.bfloat16`` is accepted here.
            Default: None.
        enabled (bool): Default: True.
        cache_enabled (bool, optional): accepted, as in torch. Default: None.

    Example:
        >>> with nl.autocast(device_type="cpu", dtype=nl.bfloat16):
        ...     y = model(x)                      # as without autocast
        >>> @nl.autocast("cuda")
        ... def forward(x): ...
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: "
                             f"`{type(device_type)}`")
        self.device = _device(device_type).type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled

    def __enter__(self) -> "autocast":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, func: Callable) -> Callable:
        """Use as a decorator: ``func`` runs inside this region (generators too)."""
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return (yield from func(*args, **kwargs))
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return wrapper
