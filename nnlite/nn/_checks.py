"""Argument checks every layer constructor shares: positive sizes and the factory dtype.

Errors name the layer and the argument, e.g. ``Linear: in_features must be positive, got 0``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import check_device
from ..tensor import get_default_dtype


def positive_int(layer: str, name: str, n: Any) -> int:
    """``n`` as an int, or a TypeError / ValueError naming ``layer`` and ``name``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{layer}: {name} must be an int, got {n!r}")
    if n <= 0:
        raise ValueError(f"{layer}: {name} must be positive, got {n}")
    return int(n)


def check_positive(layer: str, **sizes: Any) -> None:
    """``positive_int`` for each keyword: ``check_positive("Linear", in_features=3)``."""
    for name, n in sizes.items():
        positive_int(layer, name, n)


def factory_dtype(layer: str, device: Any, dtype: Any) -> np.dtype:
    """The parameter dtype from the ``device=`` / ``dtype=`` factory keywords (CPU only,
    floating; None means the default dtype)."""
    check_device(device, layer)
    dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{layer}: dtype must be floating, got {dtype}")
    return dtype
