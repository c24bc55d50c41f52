"""``nl.cuda.amp``: torch's older spellings ``torch.cuda.amp.GradScaler`` and
``torch.cuda.amp.autocast``, which are ``nl.amp``'s with the device fixed to 'cuda' (and
change nothing in nnlite, as ``nl.amp`` explains).

Example:
    >>> scaler = nl.cuda.amp.GradScaler()
    >>> with nl.cuda.amp.autocast():
    ...     loss = loss_fn(model(x), y)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..amp import GradScaler as _GradScaler
from ..amp import autocast as _autocast

__all__ = ["GradScaler", "autocast"]


class GradScaler(_GradScaler):
    """``nl.amp.GradScaler("cuda", ...)``, torch.cuda.amp's signature.

    Args:
        init_scale (float): Default: 65536.0. growth_factor (float): Default: 2.0.
        backoff_factor (float): Default: 0.5. growth_interval (int): Default: 2000.
        enabled (bool): Default: True.

    Example:
        >>> nl.cuda.amp.GradScaler(enabled=False).get_scale()
        1.0
    """

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class autocast(_autocast):
    """``nl.amp.autocast("cuda", ...)``, torch.cuda.amp's signature; changes nothing.

    Args:
        enabled (bool): Default: True.
        dtype (optional): recorded only. Default: nl.float16.
        cache_enabled (bool): Default: True.

    Example:
        >>> with nl.cuda.amp.autocast():
        ...     y = model(x)
    """

    def __init__(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> None:
        super().__init__("cuda", np.dtype(np.float16) if dtype is None else dtype, enabled,
                         cache_enabled)
