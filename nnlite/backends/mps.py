"""``nl.backends.mps``: Apple's Metal backend, which nnlite does not have (it runs on the
CPU), so ``is_available()`` and ``is_built()`` are False and a program falls back to 'cpu'.

Example:
    >>> device = "mps" if nl.backends.mps.is_available() else "cpu"
"""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: nnlite has no MPS backend."""
    return False


def is_built() -> bool:
    """False: nnlite is not built with MPS."""
    return False
