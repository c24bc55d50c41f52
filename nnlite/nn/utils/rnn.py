"""Variable-length batches for the recurrent layers: ``PackedSequence`` and the functions
that make and undo it, with PyTorch's names and arguments.

Notation: B sequences of lengths L_0 >= L_1 >= ... (after sorting), T = L_0 the longest,
``*`` any trailing feature dims. A padded batch is ``(T, B, *)`` or, with ``batch_first``,
``(B, T, *)``. The packed form keeps only the valid steps, time major: ``data`` ``(N, *)`` with
N = sum(L_i) holds the rows of step 0 for every sequence, then those of step 1 for the
sequences longer than 1, and so on; ``batch_sizes[t]`` (non-increasing) is how many
sequences are still running at step t. The recurrent layers consume this layout
directly (see nnlite/ops/recurrent.py), so padded steps cost nothing and change
neither the outputs at valid steps nor the final state.

Packing and unpacking are one row gather and one row scatter (``PackRows`` /
``UnpackRows`` in nnlite/ops/packing.py, each the other's backward), so gradients flow
through them.

Example:
    >>> x = nl.randn(5, 3, 8)                                  # (T, B, features)
    >>> packed = pack_padded_sequence(x, [5, 3, 2])
    >>> out, h_n = nn.GRU(8, 16)(packed)
    >>> y, lengths = pad_packed_sequence(out)     # y (5, 3, 16), zeros past each length
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ...ops import cat as _cat
from ...factories import as_tensor
from ...ops.packing import PackRows, UnpackRows
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "pack_sequence", "unpad_sequence",
           "unpack_sequence"]


# ============================================================================
# PackedSequence
# ============================================================================
def invert_permutation(permutation: Any) -> Tensor | None:
    """The inverse of an index permutation (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation.array if isinstance(permutation, Tensor) else permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor(inv)


def _index_array(value: Any, name: str) -> np.ndarray | None:
    if value is None:
        return None
    arr = np.asarray(value.array if isinstance(value, Tensor) else value)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"PackedSequence: {name} must be a 1-D integer tensor, got dtype "
                        f"{arr.dtype} and shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences in packed form (see the module docstring).
    Made by ``pack_padded_sequence`` / ``pack_sequence``, never by hand in normal use;
    accepted by ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``, which return one.

    Attributes:
        data (Tensor): ``(N, *)`` the valid steps, time major.
        batch_sizes (Tensor): int64 (T,), the number of sequences running at each step.
        sorted_indices (Tensor or None): int64 (B,), the original batch position of each
            packed sequence (None: the batch was already sorted by decreasing length).
        unsorted_indices (Tensor or None): its inverse permutation.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor, batch_sizes: Any = None, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> "PackedSequence":
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required; make packed sequences "
                            "with pack_padded_sequence or pack_sequence")
        bs = _index_array(batch_sizes, "batch_sizes")
        if bs.size == 0 or bs.min() <= 0 or np.any(np.diff(bs) > 0):
            raise ValueError(f"PackedSequence: batch_sizes must be positive and "
                             f"non-increasing, got {bs.tolist()}")
        data = as_tensor(data)
        if data.ndim < 1 or data.shape[0] != int(bs.sum()):
            raise ValueError(f"PackedSequence: data must have sum(batch_sizes) = "
                             f"{int(bs.sum())} rows, got shape {data.shape}")
        si = _index_array(sorted_indices, "sorted_indices")
        ui = _index_array(unsorted_indices, "unsorted_indices")
        if ui is None and si is not None:
            ui = invert_permutation(si).array
        return super().__new__(cls, data, Tensor(bs), None if si is None else Tensor(si),
                               None if ui is None else Tensor(ui))

    def to(self, *args: Any, **kwargs: Any) -> "PackedSequence":
        """A PackedSequence with ``data.to(...)`` (the indices are unchanged)."""
        return self._with_data(self.data.to(*args, **kwargs))

    def _with_data(self, data: Tensor) -> "PackedSequence":
        """This batch with other data rows (the same indices), or itself if unchanged."""
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> "PackedSequence":
        """Itself: nnlite's tensors live on the CPU."""
        return self._with_data(self.data.cpu())

    def cuda(self, *args: Any, **kwargs: Any) -> "PackedSequence":
        """Raises as ``Tensor.cuda`` does: nnlite runs on the CPU only."""
        return self._with_data(self.data.cuda(*args, **kwargs))

    @property
    def is_cuda(self) -> bool:
        """False: the data are on the CPU."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        """Whether the data are in pinned memory (never, on the CPU)."""
        return self.data.is_pinned()

    def pin_memory(self) -> "PackedSequence":
        """Itself: pinned memory is a CUDA notion (``Tensor.pin_memory``)."""
        return self._with_data(self.data.pin_memory())

    def double(self) -> "PackedSequence":
        return self.to(np.float64)

    def float(self) -> "PackedSequence":
        return self.to(np.float32)

    def half(self) -> "PackedSequence":
        return self.to(np.float16)

    def long(self) -> "PackedSequence":
        return self.to(np.int64)

    def int(self) -> "PackedSequence":
        return self.to(np.int32)

    def short(self) -> "PackedSequence":
        return self.to(np.int16)

    def char(self) -> "PackedSequence":
        return self.to(np.int8)

    def byte(self) -> "PackedSequence":
        return self.to(np.uint8)


# ============================================================================
# Packing and padding
# ============================================================================
def _lengths(lengths: Any, B: int, T: int) -> np.ndarray:
    arr = np.asarray(lengths.array if isinstance(lengths, Tensor) else lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"pack_padded_sequence: lengths must be a 1-D sequence of ints, got "
                        f"dtype {arr.dtype} and shape {arr.shape}")
    if arr.size != B:
        raise ValueError(f"pack_padded_sequence: expected {B} lengths (the batch size), got "
                         f"{arr.size}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() <= 0:
        raise ValueError(f"pack_padded_sequence: length of all samples has to be greater "
                         f"than 0, but found an element in 'lengths' that is <= 0 "
                         f"(lengths {arr.tolist()})")
    if arr.size and arr.max() > T:
        raise ValueError(f"pack_padded_sequence: a length of {int(arr.max())} exceeds the "
                         f"padded length {T} of the input")
    return arr


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch of variable-length sequences.

    Args:
        input (Tensor): ``(T, B, *)`` padded sequences, or ``(B, T, *)`` if ``batch_first``.
        lengths (list, array or Tensor of ints): the length of each sequence (B,).
        batch_first (bool): input is ``(B, T, *)``. Default: False.
        enforce_sorted (bool): require lengths sorted in decreasing order; if False the
            batch is sorted here and ``sorted_indices`` records the permutation.
            Default: True.

    Returns:
        a ``PackedSequence``.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must have at least 2 dims (T, B, *), "
                         f"got shape {x.shape}")
    T, B = (x.shape[1], x.shape[0]) if batch_first else x.shape[:2]
    lens = _lengths(lengths, B, T)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep "
                               f"this requirement (got lengths {lens.tolist()})")
        order = np.arange(B)
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = order
        lens = lens[order]
    t_max = int(lens[0])
    mask = lens[None, :] > np.arange(t_max)[:, None]            # (T', B) valid (t, j)
    tt, jj = np.nonzero(mask)                                   # time major
    orig = order[jj]
    rows = orig * T + tt if batch_first else tt * B + orig
    flat = x.reshape((T * B,) + x.shape[2:])
    data = PackRows.apply(flat, rows)
    return PackedSequence(data, mask.sum(axis=1), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """Undo ``pack_padded_sequence``: pad a ``PackedSequence`` back to a batch.

    Args:
        sequence (PackedSequence): the batch to pad.
        batch_first (bool): return ``(B, T, *)`` instead of ``(T, B, *)``. Default: False.
        padding_value (float): value of the padded positions. Default: 0.0.
        total_length (int, optional): pad to this length instead of the longest
            sequence's (must be at least that). Default: None.

    Returns:
        (padded Tensor, lengths) with lengths an int64 Tensor (B,) in the original order
        of the batch.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    data = sequence.data
    bs = sequence.batch_sizes.array
    T, B = len(bs), int(bs[0])
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the "
                             f"longest sequence in input, but got total_length="
                             f"{total_length} and max sequence length being {T}")
        T = int(total_length)
    lens = (bs[None, :] > np.arange(B)[:, None]).sum(axis=1)    # sorted order
    order = (np.arange(B) if sequence.sorted_indices is None
             else sequence.sorted_indices.array)
    mask = lens[None, :] > np.arange(len(bs))[:, None]
    tt, jj = np.nonzero(mask)
    orig = order[jj]
    rows = orig * T + tt if batch_first else tt * B + orig
    rest = data.shape[1:]
    padded = UnpackRows.apply(data, rows, (T * B,) + rest, padding_value)
    padded = padded.reshape(((B, T) if batch_first else (T, B)) + rest)
    lengths = np.empty(B, np.int64)
    lengths[order] = lens
    return padded, Tensor(lengths)


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths ``(L_i, *)`` into one padded batch.

    Args:
        sequences (list of Tensors): each ``(L_i, *)``, the same trailing dims.
        batch_first (bool): return ``(B, T, *)`` instead of ``(T, B, *)``. Default: False.
        padding_value (float): value of the padded positions. Default: 0.0.
        padding_side (str): 'right' (pad after each sequence) or 'left'. Default: 'right'.

    Returns:
        ``(T, B, *)`` or ``(B, T, *)`` Tensor with T = max L_i.
    """
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    seqs = [as_tensor(s) for s in sequences]
    if not seqs:
        raise ValueError("pad_sequence: received an empty list of sequences")
    rest = seqs[0].shape[1:]
    for i, s in enumerate(seqs):
        if s.ndim < 1 or s.shape[1:] != rest:
            raise ValueError(f"pad_sequence: every sequence must be (L, *) with the same "
                             f"trailing dims; sequence 0 has shape {seqs[0].shape}, "
                             f"sequence {i} has shape {s.shape}")
    lens = np.array([s.shape[0] for s in seqs], np.int64)
    B, T = len(seqs), int(lens.max())
    seq_id = np.repeat(np.arange(B), lens)
    t = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t = t + (T - lens)[seq_id]
    rows = seq_id * T + t if batch_first else t * B + seq_id
    data = seqs[0] if B == 1 else _cat(seqs, 0)
    padded = UnpackRows.apply(data, rows, (T * B,) + rest, padding_value)
    return padded.reshape(((B, T) if batch_first else (T, B)) + rest)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(...))``.

    Args:
        sequences (list of Tensors): each ``(L_i, *)``, by decreasing length if
            ``enforce_sorted``.
        enforce_sorted (bool): as in ``pack_padded_sequence``. Default: True.
    """
    lengths = [as_tensor(s).shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list:
    """Split a padded batch into a list of B tensors ``(L_i, *)`` (inverse of pad_sequence)."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lens = np.asarray(lengths.array if isinstance(lengths, Tensor) else lengths).tolist()
    return [x[i, :int(n)] for i, n in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Split a PackedSequence into a list of tensors ``(L_i, *)`` in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
