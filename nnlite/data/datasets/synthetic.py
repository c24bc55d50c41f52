"""Synthetic sequence-to-sequence tasks for testing a Transformer or a seq2seq RNN.

Token layout (all tasks): 0 ``<pad>``, 1 ``<bos>``, 2 ``<eos>``, then the task's symbols.
A sample is ``(src, tgt)``, int64 arrays:

* ``src`` = symbols, ``<eos>``, padding -- length ``seq_len + 1``;
* ``tgt`` = ``<bos>``, answer, ``<eos>``, padding -- length ``seq_len + 2``
  (teacher forcing: feed ``tgt[:-1]``, predict ``tgt[1:]``).

The whole dataset is generated at construction, vectorised, from ``seed`` (an int: its own
generator) or, if None, nnlite's global generator (``nl.manual_seed``).
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from ...random import default_generator
from ._base import ArrayDataset, AsTensor
from .text import Vocab

__all__ = ["CopyTask", "ReverseTask", "SortTask", "AdditionTask"]

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<bos>", "<eos>")


def _rng(seed: int | None, generator: np.random.Generator | None) -> np.random.Generator:
    if generator is not None:
        return generator
    return default_generator() if seed is None else np.random.default_rng(seed)


class _SequenceTask(ArrayDataset):
    """Base: subclasses define ``_answer(symbols, lengths) -> (answers, answer_lengths)``."""

    PAD, BOS, EOS = PAD, BOS, EOS
    _default_transform = AsTensor()

    def __init__(self, num_samples: int = 10000, seq_len: int = 10, vocab_size: int = 10,
                 min_len: int | None = None, seed: int | None = None,
                 generator: np.random.Generator | None = None,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        super().__init__(None, transform, target_transform)
        name = type(self).__name__
        for arg, v, lo in (("num_samples", num_samples, 1), ("seq_len", seq_len, 1),
                           ("vocab_size", vocab_size, 1)):
            if not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{name}: {arg} must be an int >= {lo}, got {v!r}")
        min_len = seq_len if min_len is None else min_len
        if not 1 <= min_len <= seq_len:
            raise ValueError(f"{name}: need 1 <= min_len <= seq_len, got min_len={min_len}, "
                             f"seq_len={seq_len}")
        self.num_samples, self.seq_len, self.min_len = num_samples, seq_len, min_len
        self.vocab = Vocab.from_itos(list(SPECIALS) + self._symbols(vocab_size))
        rng = _rng(seed, generator)
        self.data, self.targets = self._generate(rng, num_samples, seq_len, vocab_size, min_len)

    def _symbols(self, vocab_size: int) -> list[str]:
        return [str(i) for i in range(vocab_size)]

    @property
    def num_tokens(self) -> int:
        """Size of the whole token set (specials + symbols): the embedding size to use."""
        return len(self.vocab)

    def _generate(self, rng: np.random.Generator, n: int, L: int, V: int, min_len: int
                  ) -> tuple[np.ndarray, np.ndarray]:
        symbols = rng.integers(3, 3 + V, size=(n, L))
        lengths = rng.integers(min_len, L + 1, size=n)
        valid = np.arange(L)[None, :] < lengths[:, None]
        symbols = np.where(valid, symbols, PAD)
        src = np.full((n, L + 1), PAD, dtype=np.int64)
        src[:, :L] = symbols
        src[np.arange(n), lengths] = EOS
        answer = self._answer(symbols, lengths, valid)
        tgt = np.full((n, L + 2), PAD, dtype=np.int64)
        tgt[:, 0] = BOS
        tgt[:, 1:L + 1] = answer
        tgt[np.arange(n), lengths + 1] = EOS
        return src, tgt

    def _answer(self, symbols: np.ndarray, lengths: np.ndarray, valid: np.ndarray
                ) -> np.ndarray:
        """The target symbols (n, L) of each task (pad past each length); each task
        subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define _answer")

    def decode(self, ids: Iterable[int]) -> str:
        """Ids -> space-separated symbols, stopping at ``<eos>``, skipping pad/bos."""
        out = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.vocab.lookup_token(i))
        return " ".join(out)


class CopyTask(_SequenceTask):
    """Output the input sequence. Args: ``num_samples``, ``seq_len`` (max length),
    ``vocab_size`` (number of symbols), ``min_len`` (default ``seq_len``: fixed length),
    ``seed`` / ``generator``."""

    def _answer(self, symbols: np.ndarray, lengths: np.ndarray, valid: np.ndarray
                ) -> np.ndarray:
        return symbols


class ReverseTask(_SequenceTask):
    """Output the input sequence reversed."""

    def _answer(self, symbols: np.ndarray, lengths: np.ndarray, valid: np.ndarray
                ) -> np.ndarray:
        pos = lengths[:, None] - 1 - np.arange(symbols.shape[1])[None, :]     # (N, L)
        gathered = np.take_along_axis(symbols, np.clip(pos, 0, None), axis=1)
        return np.where(valid, gathered, PAD)


class SortTask(_SequenceTask):
    """Output the input symbols in ascending order."""

    def _answer(self, symbols: np.ndarray, lengths: np.ndarray, valid: np.ndarray
                ) -> np.ndarray:
        big = np.iinfo(np.int64).max
        return np.where(valid, np.sort(np.where(valid, symbols, big), axis=1), PAD)


class AdditionTask(_SequenceTask):
    """``a + b`` with ``a, b`` uniform in ``[0, 10**num_digits)``.

    ``src`` = the digits of ``a`` (zero-padded to ``num_digits``), ``+``, the digits of ``b``,
    ``<eos>``; ``tgt`` = ``<bos>``, the ``num_digits + 1`` digits of the sum (zero-padded;
    reversed with ``reverse_target=True``, which is easier to learn), ``<eos>``. Tokens:
    digits 0-9 are 3-12, ``+`` is 13.

    Args:
        num_samples (int), num_digits (int): Default 10000, 3.
        reverse_target (bool): Default False.
        seed, generator, transform, target_transform: as the other tasks.
    """

    PLUS = 13

    def __init__(self, num_samples: int = 10000, num_digits: int = 3,
                 reverse_target: bool = False, seed: int | None = None,
                 generator: np.random.Generator | None = None,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        if not isinstance(num_digits, (int, np.integer)) or not 1 <= num_digits <= 17:
            raise ValueError(f"AdditionTask: num_digits must be an int in 1..17, got "
                             f"{num_digits!r}")
        self.num_digits, self.reverse_target = int(num_digits), reverse_target
        super().__init__(num_samples, seq_len=2 * num_digits + 1, vocab_size=11, seed=seed,
                         generator=generator, transform=transform,
                         target_transform=target_transform)

    def _symbols(self, vocab_size: int) -> list[str]:
        return [str(d) for d in range(10)] + ["+"]

    @staticmethod
    def _digits(values: np.ndarray, width: int) -> np.ndarray:
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        return (values[:, None] // powers[None, :]) % 10 + 3                 # (N, width)

    def _generate(self, rng: np.random.Generator, n: int, L: int, V: int, min_len: int
                  ) -> tuple[np.ndarray, np.ndarray]:
        d = self.num_digits
        a = rng.integers(0, 10 ** d, size=n, dtype=np.int64)
        b = rng.integers(0, 10 ** d, size=n, dtype=np.int64)
        plus = np.full((n, 1), self.PLUS, dtype=np.int64)
        eos = np.full((n, 1), EOS, dtype=np.int64)
        src = np.concatenate([self._digits(a, d), plus, self._digits(b, d), eos], axis=1)
        answer = self._digits(a + b, d + 1)
        if self.reverse_target:
            answer = answer[:, ::-1]
        bos = np.full((n, 1), BOS, dtype=np.int64)
        tgt = np.concatenate([bos, answer, eos], axis=1)
        self.operands = np.stack([a, b], axis=1)
        return src, tgt

    def decode(self, ids: Iterable[int]) -> str:
        return super().decode(ids).replace(" ", "")

