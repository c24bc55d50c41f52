"""Multi-digit MNIST: images of 1-5 MNIST digits side by side, read as the digit string.

Each composite is drawn on the fly from the shipped MNIST: ``n`` digits (uniform in
``min_digits..max_digits``), each a random image of the split (the training composites use
only MNIST's 60,000 training images, the test composites only its 10,000 test images), laid
left to right with random gaps between their 28 x 28 boxes (negative gaps overlap the boxes'
blank margins; overlapping pixels keep the brighter value), the whole string shifted to a
random horizontal position and each digit to a random height on a fixed canvas.

The layout of composite ``i`` comes from its own generator, seeded with ``(seed, split, i)``:
the same index and seed give the same image whatever was drawn before, in any order, in any
process; another seed gives other composites.

Tokens (as the synthetic tasks): 0 ``<pad>``, 1 ``<bos>``, 2 ``<eos>``, digit ``d`` is
``d + 3``. The target of a composite of ``n`` digits is ``<bos> d_1 .. d_n <eos>`` (length
``n + 2``); ``MultiDigitMNIST.collate`` pads a batch of them to its longest with ``<pad>``.

    train = MultiDigitMNIST(train=True, num_samples=60000, seed=0)
    loader = DataLoader(train, batch_size=64, shuffle=True, collate_fn=MultiDigitMNIST.collate)
    images, targets = next(iter(loader))       # (64, 1, 32, 160) float32, (64, T) int64
"""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np

from ...tensor import Tensor
from ..dataset import Dataset
from ..transforms import ToTensor
from .mnist import MNIST
from .text import Vocab

__all__ = ["MultiDigitMNIST", "DigitLayout"]

PAD, BOS, EOS = 0, 1, 2
DIGIT0 = 3                                   # token of digit 0; digit d is d + 3
SPECIALS = ("<pad>", "<bos>", "<eos>")
DIGIT = 28                                   # MNIST's image side


class DigitLayout(NamedTuple):
    """Where the digits of one composite come from and where they go (each an int64 array
    of length n, left to right): ``digits`` 0-9, ``sources`` indices into the MNIST split,
    ``tops`` and ``lefts`` the canvas row and column of each 28 x 28 box's corner."""

    digits: np.ndarray
    sources: np.ndarray
    tops: np.ndarray
    lefts: np.ndarray


class MultiDigitMNIST(Dataset):
    """Strings of 1-5 MNIST digits on one canvas, for image-to-sequence models.

    Args:
        root (str or Path, optional): folder holding ``mnist/`` (see :class:`MNIST`).
            Default: the repository's ``data/`` (or ``$NNLITE_DATA``).
        train (bool): compose from MNIST's training images, else from its test images only.
            Default: True.
        num_samples (int, optional): composites in the dataset. Default: the size of the
            MNIST split (60,000 or 10,000).
        min_digits, max_digits (int): string lengths, drawn uniformly. Default: 1, 5.
        size (tuple[int, int]): canvas ``(height, width)``. It must hold ``max_digits``
            boxes with the widest gaps; the free rows are the digits' vertical offsets.
            Default: (32, 160).
        gap (tuple[int, int]): smallest and largest gap in pixels between neighbouring
            28 x 28 boxes (MNIST's digits sit in the middle 20 x 20, so a gap of -4 still
            leaves ~4 blank columns between strokes). Default: (-2, 4).
        seed (int): the composites' seed. Default: 0.
        transform (callable, optional): applied to the uint8 ``(H, W)`` canvas. Default:
            :class:`~nnlite.data.transforms.ToTensor` -> float32 ``(1, H, W)`` in [0, 1].
        target_transform (callable, optional): applied to the int64 token array.
        download (bool): fetch MNIST if it is missing (see :class:`MNIST`).

    Attributes:
        mnist (MNIST): the source split. vocab (Vocab): the 13 tokens. num_tokens (int): 13.
        max_target_len (int): ``max_digits + 2``.

    Example:
        >>> test = MultiDigitMNIST(train=False, num_samples=5000, seed=0)
        >>> x, y = test[0]               # Tensor (1, 32, 160), Tensor int64 (n + 2,)
        >>> test.decode(y)               # e.g. '4071'
    """

    PAD, BOS, EOS, DIGIT0 = PAD, BOS, EOS, DIGIT0
    _default_transform = ToTensor()
    vocab = Vocab.from_itos(list(SPECIALS) + [str(d) for d in range(10)])

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 num_samples: int | None = None, min_digits: int = 1, max_digits: int = 5,
                 size: Sequence[int] = (32, 160), gap: Sequence[int] = (-2, 4),
                 seed: int = 0, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        name = type(self).__name__
        for arg, v, lo in (("min_digits", min_digits, 1), ("max_digits", max_digits, 1),
                           ("seed", seed, 0)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
                raise ValueError(f"{name}: {arg} must be an int >= {lo}, got {v!r}")
        if min_digits > max_digits:
            raise ValueError(f"{name}: need min_digits <= max_digits, got {min_digits} and "
                             f"{max_digits}")
        size, gap = tuple(int(s) for s in size), tuple(int(g) for g in gap)
        if len(size) != 2 or len(gap) != 2:
            raise ValueError(f"{name}: size and gap must be pairs, got size={size}, gap={gap}")
        if gap[0] > gap[1] or gap[0] <= -DIGIT:
            raise ValueError(f"{name}: gap must be (smallest, largest) with "
                             f"{-DIGIT} < smallest <= largest, got {gap}")
        widest = max_digits * DIGIT + (max_digits - 1) * gap[1]
        if size[0] < DIGIT or size[1] < widest:
            raise ValueError(f"{name}: a canvas of size {size} cannot hold {max_digits} digits "
                             f"of 28 x 28 with gaps up to {gap[1]}: it needs height >= 28 "
                             f"and width >= {widest}")
        self.mnist = MNIST(root, train=train, download=download)
        self.root, self.train = self.mnist.root, train
        if num_samples is None:
            num_samples = len(self.mnist)
        if not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
            raise ValueError(f"{name}: num_samples must be an int >= 1, got {num_samples!r}")
        self.num_samples = int(num_samples)
        self.min_digits, self.max_digits = int(min_digits), int(max_digits)
        self.size, self.gap, self.seed = size, gap, int(seed)
        self.transform, self.target_transform = transform, target_transform

    @property
    def num_tokens(self) -> int:
        """Size of the token set (specials + 10 digits): the model's vocabulary size."""
        return len(self.vocab)

    @property
    def max_target_len(self) -> int:
        """Longest target, ``<bos>`` and ``<eos>`` included."""
        return self.max_digits + 2

    def __len__(self) -> int:
        return self.num_samples

    # ---- the composites ----------------------------------------------------------
    def _index(self, index: Any) -> int:
        i = int(index)
        if not -self.num_samples <= i < self.num_samples:
            raise IndexError(f"{type(self).__name__}: index {i} is out of range for a dataset "
                             f"of size {self.num_samples}")
        return i % self.num_samples

    def layout(self, index: int) -> DigitLayout:
        """The digits, their MNIST sources and their places in composite ``index``."""
        i = self._index(index)
        rng = np.random.default_rng([self.seed, int(self.train), i])
        H, W = self.size
        n = int(rng.integers(self.min_digits, self.max_digits + 1))
        sources = rng.integers(0, len(self.mnist), size=n)                 # (n,)
        gaps = rng.integers(self.gap[0], self.gap[1] + 1, size=n - 1)      # (n - 1,)
        steps = np.concatenate([[0], np.cumsum(DIGIT + gaps)])             # (n,) box offsets
        width = int(steps[-1]) + DIGIT                                     # of the string
        lefts = steps + rng.integers(0, W - width + 1)                     # (n,)
        tops = rng.integers(0, H - DIGIT + 1, size=n)                      # (n,)
        return DigitLayout(self.mnist.targets[sources].astype(np.int64), sources.astype(np.int64),
                           tops.astype(np.int64), lefts.astype(np.int64))

    def render(self, layout: DigitLayout) -> np.ndarray:
        """The uint8 ``(H, W)`` canvas of a layout: each digit's box written with the
        brighter of its pixel and what is already there."""
        canvas = np.zeros(self.size, np.uint8)                             # (H, W)
        for src, top, left in zip(layout.sources, layout.tops, layout.lefts):
            box = canvas[top:top + DIGIT, left:left + DIGIT]               # (28, 28) view
            np.maximum(box, self.mnist.data[src], out=box)
        return canvas

    def tokens(self, digits: Iterable[int]) -> np.ndarray:
        """Digits -> the target ``<bos> d_1 .. d_n <eos>`` as int64 tokens."""
        d = np.asarray(list(digits), np.int64)
        return np.concatenate([[BOS], d + DIGIT0, [EOS]]).astype(np.int64)

    def __getitem__(self, index: int) -> tuple:
        lay = self.layout(index)
        x = self.render(lay)
        x = (self.transform or self._default_transform)(x)
        y = self.tokens(lay.digits)
        y = self.target_transform(y) if self.target_transform is not None else Tensor(y)
        return x, y

    # ---- batches and strings -------------------------------------------------------
    @staticmethod
    def collate(batch: list) -> tuple[Tensor, Tensor]:
        """A list of ``(image, target)`` samples -> ``(images (B, 1, H, W), targets (B, T))``,
        the targets padded with ``<pad>`` to the batch's longest ``T``."""
        if not batch:
            raise ValueError("MultiDigitMNIST.collate: expected a non-empty list of samples")
        images = [x.array if isinstance(x, Tensor) else np.asarray(x) for x, _ in batch]
        targets = [np.asarray(y.array if isinstance(y, Tensor) else y).reshape(-1)
                   for _, y in batch]
        out = np.full((len(batch), max(len(t) for t in targets)), PAD, np.int64)   # (B, T)
        for row, t in zip(out, targets):
            row[:len(t)] = t
        return Tensor(np.stack(images)), Tensor(out)

    @staticmethod
    def decode(ids: Any) -> str:
        """Token ids -> the digit string, stopping at ``<eos>`` and skipping ``<pad>`` and
        ``<bos>``: ``[1, 7, 3, 2, 0]`` -> ``'40'``."""
        arr = ids.array if isinstance(ids, Tensor) else np.asarray(ids)
        out = []
        for i in arr.reshape(-1).tolist():
            if i == EOS:
                break
            if i >= DIGIT0:
                out.append(str(i - DIGIT0))
        return "".join(out)

    def __repr__(self) -> str:
        return "\n".join([f"Dataset {type(self).__name__}",
                          f"    Number of datapoints: {len(self)}",
                          f"    Root location: {self.root}",
                          f"    Split: {'Train' if self.train else 'Test'} MNIST images",
                          f"    Digits: {self.min_digits}-{self.max_digits}, canvas "
                          f"{self.size[0]} x {self.size[1]}, gaps {self.gap[0]}..{self.gap[1]}, "
                          f"seed {self.seed}"])
