"""Tests of nnlite/nn/utils/rnn.py: PackedSequence, pack_padded_sequence,
pad_packed_sequence, pad_sequence, pack_sequence, unpad_sequence, unpack_sequence.

Against torch (data, batch_sizes, indices, padded values, lengths), round trips,
gradients through packing and padding (float64 gradcheck), and bad input.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.nn.utils.rnn import (PackedSequence, invert_permutation, pack_padded_sequence,
                                 pack_sequence, pad_packed_sequence, pad_sequence,
                                 unpack_sequence, unpad_sequence)


def _arr(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t.array)


@pytest.mark.parametrize("batch_first,enforce_sorted,lengths",
                         [(bf, True, [5, 3, 3, 1]) for bf in (False, True)]
                         + [(bf, False, ls) for bf in (False, True)
                            for ls in ([2, 5, 1, 3], [1, 1, 1, 1], [4, 5, 5, 2])])
def test_pack_and_pad_match_torch(torch, batch_first, enforce_sorted, lengths):
    T, B = 5, 4
    x_np = np.random.default_rng(0).standard_normal((B, T, 3) if batch_first else (T, B, 3))
    p = pack_padded_sequence(nl.tensor(x_np), lengths, batch_first, enforce_sorted)
    tp = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x_np), torch.tensor(lengths),
                                                 batch_first, enforce_sorted)
    np.testing.assert_array_equal(p.data.array, _arr(tp.data))
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    assert p.batch_sizes.dtype == np.int64
    for ours, theirs in ((p.sorted_indices, tp.sorted_indices),
                         (p.unsorted_indices, tp.unsorted_indices)):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert ours.tolist() == theirs.tolist()
    for total in (None, 7):
        y, lens = pad_packed_sequence(p, batch_first, padding_value=-2.0, total_length=total)
        ty, tlens = torch.nn.utils.rnn.pad_packed_sequence(tp, batch_first, -2.0, total)
        np.testing.assert_array_equal(y.array, _arr(ty))
        assert lens.tolist() == tlens.tolist() == lengths
        assert lens.dtype == np.int64


@pytest.mark.parametrize("batch_first,padding_side",
                         list(itertools.product([False, True], ["right", "left"])))
def test_pad_sequence_matches_torch(torch, batch_first, padding_side):
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 2, 3)) for n in (3, 5, 1)]
    y = pad_sequence([nl.tensor(s) for s in seqs], batch_first, 9.0, padding_side)
    ty = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, 9.0,
                                         padding_side)
    np.testing.assert_array_equal(y.array, _arr(ty))


def test_pack_sequence_and_unpack_match_torch(torch):
    rng = np.random.default_rng(2)
    seqs = [rng.standard_normal((n, 2)) for n in (2, 4, 3)]
    p = pack_sequence([nl.tensor(s) for s in seqs], enforce_sorted=False)
    tp = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs],
                                          enforce_sorted=False)
    np.testing.assert_array_equal(p.data.array, _arr(tp.data))
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    for got, want in zip(unpack_sequence(p), seqs):
        np.testing.assert_array_equal(got.array, want)
    padded = pad_sequence([nl.tensor(s) for s in seqs])
    for got, want in zip(unpad_sequence(padded, [2, 4, 3]), seqs):
        np.testing.assert_array_equal(got.array, want)


@given(lengths=st.lists(st.integers(1, 4), min_size=1, max_size=4),
       batch_first=st.booleans(), feat=st.integers(1, 3))
def test_gradients_flow_through_pack_and_pad(lengths, batch_first, feat):
    T, B = max(lengths), len(lengths)
    rng = np.random.default_rng(B * 10 + T)
    x = nl.tensor(rng.standard_normal((B, T, feat) if batch_first else (T, B, feat)),
                  requires_grad=True)

    def f(x):
        p = pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False)
        return pad_packed_sequence(p, batch_first, padding_value=1.5)[0] * 2.0

    assert nl.gradcheck(f, [x])
    # padded positions receive no gradient
    f(x).sum().backward()
    g = x.grad.array if batch_first else x.grad.array.transpose(1, 0, 2)
    for b, n in enumerate(lengths):
        assert np.all(g[b, :n] == 2.0) and np.all(g[b, n:] == 0.0)


def test_pad_sequence_gradcheck():
    rng = np.random.default_rng(3)
    seqs = [nl.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (1, 3, 2)]
    assert nl.gradcheck(lambda *s: pad_sequence(list(s), True, padding_side="left"), seqs)


def test_packed_sequence_is_a_namedtuple_with_inverse_indices():
    p = PackedSequence(nl.zeros(4, 2), [2, 1, 1], sorted_indices=[1, 0])
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert batch_sizes.tolist() == [2, 1, 1] and unsorted_indices.tolist() == [1, 0]
    assert p.to(np.float64).data.dtype == np.float64
    assert invert_permutation(nl.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert invert_permutation(None) is None


def test_bad_input():
    x = nl.randn(4, 3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(ValueError, match="greater than 0"):
        pack_padded_sequence(x, [4, 0, 0])
    with pytest.raises(ValueError, match="expected 3 lengths"):
        pack_padded_sequence(x, [4, 2])
    with pytest.raises(ValueError, match="exceeds the padded length 4"):
        pack_padded_sequence(x, [5, 2, 1])
    with pytest.raises(TypeError, match="lengths"):
        pack_padded_sequence(x, [4.0, 2.0, 1.0])
    p = pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="total_length=3"):
        pad_packed_sequence(p, total_length=3)
    with pytest.raises(TypeError, match="PackedSequence"):
        pad_packed_sequence(x)
    with pytest.raises(ValueError, match=r"sequence 1 has shape \(2, 3\)"):
        pad_sequence([nl.zeros(2, 2), nl.zeros(2, 3)])
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([nl.zeros(2, 2)], padding_side="middle")
    with pytest.raises(ValueError, match="non-increasing"):
        PackedSequence(nl.zeros(3, 2), [1, 2])


@pytest.mark.parametrize("method", ["double", "float", "half", "long", "int", "short", "char",
                                    "byte", "cpu", "pin_memory"])
def test_packed_sequence_conversions_match_torch(torch, method):
    x_np = (np.random.default_rng(4).standard_normal((4, 3, 2)) * 3).astype(np.float32)
    p = pack_padded_sequence(nl.tensor(x_np), [1, 4, 2], enforce_sorted=False)
    tp = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x_np), [1, 4, 2],
                                                 enforce_sorted=False)
    q = getattr(p, method)()
    # torch's pin_memory needs an accelerator; on the CPU the batch stays as it is
    tq = tp if method == "pin_memory" else getattr(tp, method)()
    assert isinstance(q, PackedSequence)
    assert str(q.data.dtype) == str(tq.data.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(q.data.array, _arr(tq.data))
    for ours, theirs in zip(q[1:], tq[1:]):                  # the indices stay int64
        assert ours.dtype == np.int64 and ours.tolist() == theirs.tolist()
    assert p.is_cuda is tp.is_cuda is False
    assert p.is_pinned() is False
    if method in ("cpu", "pin_memory", "float"):                # nothing to change
        assert q is p


def test_packed_sequence_cuda_raises_the_tensor_error():
    p = pack_padded_sequence(nl.randn(3, 2, 2), [3, 1])
    with pytest.raises(Exception, match="CPU only"):
        p.cuda()
