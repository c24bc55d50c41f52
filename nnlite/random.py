"""The global random number generator behind every nnlite factory and initialiser, and
``Generator``, torch's generator object.

``manual_seed(s)`` makes everything that draws random numbers (``rand``, ``randn``,
``nn.init``, dropout, ``DataLoader`` shuffling) repeatable, as ``torch.manual_seed`` does.
The streams are NumPy's PCG64, so they differ from torch's: parity tests copy weights
rather than seeds. Every ``generator=`` argument takes a ``Generator`` or any
``numpy.random.Generator`` (a ``Generator`` is one).
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


class Generator(np.random.Generator):
    """torch's ``Generator``: a ``numpy.random.Generator`` (PCG64) with torch's methods, for
    the ``generator=`` arguments of samplers, ``random_split``, factories and initialisers.

    Args:
        device (optional): only the CPU ("cpu" or an ``nl.device``). Default: "cpu".

    Example:
        >>> g = nl.Generator().manual_seed(42)
        >>> a = nl.rand(2, generator=g); _ = g.manual_seed(42)
        >>> bool((nl.rand(2, generator=g) == a).all())
        True
    """

    def __init__(self, device: object = "cpu") -> None:
        if str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"Generator: nnlite runs on the CPU only, got device={device!r}")
        seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(np.random.PCG64(seed))
        self._seed = seed
        self.device = "cpu"

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed this generator; returns it (``Generator().manual_seed(0)``)."""
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Generator.manual_seed: seed must be a non-negative int, got "
                             f"{seed!r}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._seed = int(seed)
        return self

    def seed(self) -> int:
        """Reseed from OS entropy; returns the seed used."""
        s = int(np.random.SeedSequence().generate_state(1)[0])
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last given (or drawn at construction)."""
        return self._seed

    def get_state(self) -> dict:
        """The bit generator's state (a dict, where torch gives a byte tensor)."""
        return self.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.bit_generator.state = state
        return self
