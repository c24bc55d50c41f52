"""The global random number generator behind every nnlite factory and initialiser, and
``Generator``, torch's generator object.

``manual_seed(s)`` makes everything that draws random numbers (``rand``, ``randn``,
``nn.init``, dropout, ``DataLoader`` shuffling) repeatable, as ``torch.manual_seed`` does.
The streams are NumPy's PCG64, so they differ from torch's: parity tests copy weights
rather than seeds. Every ``generator=`` argument takes a ``Generator`` or any
``numpy.random.Generator`` (a ``Generator`` is one).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

_initial_seed = int(np.random.SeedSequence().generate_state(1)[0])
_generator = np.random.default_rng(_initial_seed)


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
    global _initial_seed
    _generator = np.random.default_rng(int(seed))
    _initial_seed = int(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator in use now (changes after each ``manual_seed``)."""
    return _generator


def _state_tensor(state: dict) -> Any:
    """A bit generator's state as a uint8 tensor (JSON bytes), torch's ByteTensor state:
    it can be saved with ``nl.save`` and given back to ``set_state`` / ``set_rng_state``."""
    from .tensor import from_numpy
    return from_numpy(np.frombuffer(json.dumps(state).encode(), np.uint8).copy())


def _state_dict(new_state: Any, op: str) -> dict:
    """The bit generator's state ``new_state`` holds (a tensor from ``get_state``, or the
    dict NumPy's ``bit_generator.state`` gives)."""
    if isinstance(new_state, dict):
        return new_state
    arr = np.asarray(getattr(new_state, "array", new_state))
    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise TypeError(f"{op}: expected the uint8 tensor get_state/get_rng_state returned, "
                        f"got {type(new_state).__name__} of dtype {arr.dtype} and shape "
                        f"{arr.shape}")
    try:
        return json.loads(arr.tobytes().decode())
    except (UnicodeDecodeError, ValueError):
        raise RuntimeError(f"{op}: the state tensor (shape {arr.shape}) is not a generator "
                           f"state made by get_state/get_rng_state") from None


def get_rng_state() -> Any:
    """The global generator's state, a uint8 tensor (give it to ``set_rng_state``)."""
    return _state_tensor(_generator.bit_generator.state)


def set_rng_state(new_state: Any) -> None:
    """Restore the global generator's state from ``get_rng_state()``'s tensor."""
    state = _state_dict(new_state, "set_rng_state")
    try:
        _generator.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as e:
        raise RuntimeError(f"set_rng_state: not a state of this generator ({e})") from None


def initial_seed() -> int:
    """The seed of the global generator's last ``manual_seed`` (or of its OS-entropy seed)."""
    return _initial_seed


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

    As torch's, a new generator starts from one fixed seed (67280421310721) until it is
    seeded, so an unseeded ``random_split(..., generator=nl.Generator())`` repeats run after
    run; copies and pickles keep the class and the stream.

    Example:
        >>> g = nl.Generator().manual_seed(42)
        >>> a = nl.rand(2, generator=g); _ = g.manual_seed(42)
        >>> bool((nl.rand(2, generator=g) == a).all())
        True
    """

    _DEFAULT_SEED = 67280421310721       # torch's seed of a new Generator

    def __init__(self, device: object = "cpu") -> None:
        from .devices import CPU, check_device
        check_device(device, "Generator")
        super().__init__(np.random.PCG64(self._DEFAULT_SEED))
        self._seed = self._DEFAULT_SEED
        self.device = CPU

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed this generator; returns it (``Generator().manual_seed(0)``). A negative
        seed wraps to an unsigned 64-bit one, as torch's."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got {seed!r}")
        seed = int(seed) % 2 ** 64
        self.bit_generator.state = np.random.PCG64(seed).state
        self._seed = seed
        return self

    def seed(self) -> int:
        """Reseed from OS entropy; returns the seed used."""
        s = int(np.random.SeedSequence().generate_state(1)[0])
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last given (torch's fixed default before any)."""
        return self._seed

    def get_state(self) -> Any:
        """The generator's state, a uint8 tensor as torch's (give it to ``set_state``)."""
        return _state_tensor(self.bit_generator.state)

    def set_state(self, new_state: Any) -> "Generator":
        """Restore the state ``get_state()`` returned (a dict of NumPy's form works too)."""
        state = _state_dict(new_state, "Generator.set_state")
        try:
            self.bit_generator.state = state
        except (TypeError, ValueError, KeyError) as e:
            raise RuntimeError(f"Generator.set_state: not a state of this generator ({e})"
                               ) from None
        return self

    def __reduce__(self) -> tuple:
        return (_rebuild_generator, (self.bit_generator.state, self._seed))


def _rebuild_generator(state: dict, seed: int) -> Generator:
    g = Generator()
    g.bit_generator.state = state
    g._seed = seed
    return g
