"""The global random number generator behind every nnlite factory and initialiser.

``manual_seed(s)`` makes everything that draws random numbers (``rand``, ``randn``,
``nn.init``, dropout, ``DataLoader`` shuffling) repeatable, as ``torch.manual_seed`` does.
The streams are NumPy's PCG64, so they differ from torch's: parity tests copy weights
rather than seeds.
"""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator and return it.

    Args:
        seed (int): any non-negative integer.

    Example:
        >>> import nnlite as nl
        >>> _ = nl.manual_seed(0)
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The generator in use now (changes after each ``manual_seed``)."""
    return _generator


def seed() -> int:
    """Seed the global generator from OS entropy and return the seed used."""
    s = int(np.random.SeedSequence().generate_state(1)[0])
    manual_seed(s)
    return s
