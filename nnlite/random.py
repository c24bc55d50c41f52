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


class Generator(np.random.Generator):
    """torch's ``Generator``: a random generator of its own, for ``random_split``,
    samplers, ``DataLoader`` and the random factories (``generator=`` arguments).

    It is a ``numpy.random.Generator`` (PCG64) that can be reseeded in place, so it works
    wherever nnlite takes a NumPy generator. As torch's, a new one starts from the same
    fixed seed (67280421310721) until ``manual_seed`` or ``seed`` is called. Streams differ
    from torch's (NumPy's PCG64, not Philox/MT19937): the same seed gives other numbers.

    Args:
        device (str or nnlite.device): ``"cpu"``; any other device raises ``DeviceError``.

    Example:
        >>> g = Generator().manual_seed(42)          # manual_seed returns the generator
        >>> g.initial_seed()
        42
        >>> state = g.get_state(); a = g.random(); _ = g.set_state(state)
        >>> a == g.random()
        True
    """

    _DEFAULT_SEED = 67280421310721        # torch's seed of a new Generator

    def __init__(self, device: object = "cpu") -> None:
        from .devices import check_device
        check_device(device, "Generator")
        super().__init__(np.random.PCG64(self._DEFAULT_SEED))
        self._initial_seed = self._DEFAULT_SEED

    @property
    def device(self) -> object:
        from .devices import CPU
        return CPU

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed in place from ``seed`` (an int; negative values wrap as torch's uint64)
        and return the generator."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        seed = int(seed) % 2 ** 64
        self.bit_generator.state = np.random.PCG64(seed).state
        self._initial_seed = seed
        return self

    def seed(self) -> int:
        """Reseed from OS entropy; returns the seed used."""
        s = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last given to ``manual_seed`` or ``seed`` (or the fixed default)."""
        return self._initial_seed

    def get_state(self) -> object:
        """The generator's state as a uint8 Tensor (torch's ByteTensor): the PCG64 state
        and increment (16 bytes each), then the buffered 32-bit draw (flag, value)."""
        from .tensor import from_numpy
        st = self.bit_generator.state
        data = (st["state"]["state"].to_bytes(16, "little")
                + st["state"]["inc"].to_bytes(16, "little")
                + int(st["has_uint32"]).to_bytes(4, "little")
                + int(st["uinteger"]).to_bytes(4, "little"))
        return from_numpy(np.frombuffer(data, np.uint8).copy())

    def set_state(self, new_state: object) -> "Generator":
        """Restore a state from ``get_state`` (a uint8 Tensor or array of 40 bytes)."""
        raw = np.asarray(getattr(new_state, "array", new_state))
        if raw.dtype != np.uint8 or raw.shape != (40,):
            raise RuntimeError(f"Generator.set_state: expected a uint8 tensor of 40 bytes "
                               f"(from get_state), got dtype {raw.dtype}, shape {raw.shape}")
        data = raw.tobytes()
        self.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(data[:16], "little"),
                      "inc": int.from_bytes(data[16:32], "little")},
            "has_uint32": int.from_bytes(data[32:36], "little"),
            "uinteger": int.from_bytes(data[36:40], "little")}
        return self

    def __reduce__(self) -> tuple:
        return (_rebuild_generator, (self.bit_generator.state, self._initial_seed))


def _rebuild_generator(state: dict, initial_seed: int) -> Generator:
    g = Generator()
    g.bit_generator.state = state
    g._initial_seed = initial_seed
    return g
