"""Random flips: ``RandomHorizontalFlip``, ``RandomVerticalFlip``."""
from __future__ import annotations

import numpy as np

from .base import Transform, _rng

__all__ = ["RandomHorizontalFlip", "RandomVerticalFlip"]


class RandomHorizontalFlip(Transform):
    """Mirror left-right with probability ``p`` (per sample). Parameter: a bool per sample."""

    _axis = -1

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> np.ndarray:
        return _rng(generator).random(n) < self.p

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        mask = params.reshape((-1,) + (1,) * (x.ndim - 1))
        return np.where(mask, np.flip(x, axis=self._axis), x)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p`` (per sample)."""

    _axis = -2
