"""Tests of nnlite/ops/sampling.py: multinomial.

The oracle is the distribution itself: frequencies over many seeded draws against the
normalised weights (with replacement) and against the exact probabilities of sequential
draws without replacement (computed by enumeration); torch gives the shapes, dtypes and
errors (its random streams differ from NumPy's, so values are never compared with it).
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest

import nnlite as nl


def _without_replacement_probs(w: np.ndarray, n: int) -> dict:
    """P(first n draws = sequence) for sequential draws without replacement."""
    probs = {}
    for seq in itertools.permutations(range(len(w)), n):
        p, left = 1.0, w.astype(float).copy()
        for c in seq:
            p *= left[c] / left.sum()
            left[c] = 0.0
        probs[seq] = p
    return probs


def test_with_replacement_frequencies_match_the_weights() -> None:
    w = np.array([[0.1, 0.0, 0.6, 0.3], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 5.0, 0.0]])
    s = nl.multinomial(nl.tensor(w), 40000, replacement=True).numpy()
    assert s.shape == (3, 40000) and s.dtype == np.int64
    freq = np.stack([np.bincount(r, minlength=4) for r in s]) / s.shape[1]
    np.testing.assert_allclose(freq, w / w.sum(1, keepdims=True), atol=0.01)
    assert (s[0] != 1).all() and (s[2] == 2).all()            # weight 0: never drawn


def test_without_replacement_follows_sequential_draws() -> None:
    w = np.array([1.0, 2.0, 3.0, 4.0])
    exact = _without_replacement_probs(w, 2)
    draws = np.stack([nl.multinomial(nl.tensor(np.tile(w, (4000, 1))), 2).numpy()])[0]
    assert all(len(set(r)) == 2 for r in draws[:100])         # no repeats within a row
    counts: dict = {}
    for r in map(tuple, draws):
        counts[r] = counts.get(r, 0) + 1
    for seq, p in exact.items():
        assert abs(counts.get(seq, 0) / len(draws) - p) < 0.025, (seq, p)


def test_all_categories_without_replacement_is_a_permutation() -> None:
    s = nl.multinomial(nl.rand(5, 7), 7).numpy()
    assert (np.sort(s, 1) == np.arange(7)).all()


def test_zero_weights_come_last_without_replacement_as_torch(torch) -> None:
    for lib in (nl, torch):
        s = lib.multinomial(lib.tensor([1.0, 0.0, 0.0]), 3)
        np.testing.assert_array_equal(np.asarray(s.numpy()), [0, 1, 2])


@pytest.mark.parametrize("shape, n, replacement", [((5,), 3, False), ((2, 5), 4, True),
                                                    ((0, 3), 2, False), ((1, 1), 3, True)])
def test_shapes_and_dtype_match_torch(torch, shape: tuple, n: int, replacement: bool) -> None:
    ours = nl.multinomial(nl.ones(*shape), n, replacement)
    theirs = torch.multinomial(torch.ones(shape), n, replacement)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.int64
    assert not ours.requires_grad


def test_seeded_and_generator_draws_repeat() -> None:
    w = nl.tensor([0.2, 0.3, 0.5])
    nl.manual_seed(3)
    a = nl.multinomial(w, 10, True).numpy()
    nl.manual_seed(3)
    np.testing.assert_array_equal(nl.multinomial(w, 10, True).numpy(), a)
    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(w.multinomial(3, generator=g1).numpy(),
                                  nl.multinomial(w, 3, generator=g2).numpy())


def test_float32_and_unnormalised_weights() -> None:
    s = nl.multinomial(nl.tensor([1e-30, 3e-30], dtype=nl.float32), 2000, True).numpy()
    assert 0.65 < (s == 1).mean() < 0.85


BAD = [
    ("int", lambda T: T.multinomial(T.tensor([1, 2]), 1),
     r"multinomial only supports floating-point dtypes"),
    ("negative", lambda T: T.multinomial(T.tensor([1.0, -2.0]), 1),
     r"probability tensor contains either `inf`, `nan` or element < 0"),
    ("nan", lambda T: T.multinomial(T.tensor([1.0, float("nan")]), 1), r"`nan`"),
    ("inf", lambda T: T.multinomial(T.tensor([1.0, float("inf")]), 1, True), r"`inf`"),
    ("sum_zero", lambda T: T.multinomial(T.tensor([[1.0, 0.0], [0.0, 0.0]]), 1),
     r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
    ("too_many", lambda T: T.multinomial(T.tensor([1.0, 1.0]), 3),
     r"cannot sample n_sample > prob_dist.size\(-1\) samples without replacement"),
    ("zero_samples", lambda T: T.multinomial(T.tensor([1.0, 1.0]), 0),
     r"cannot sample n_sample <= 0 samples"),
    ("3d", lambda T: T.multinomial(T.ones(2, 2, 2), 1), r"prob_dist must be 1 or 2 dim"),
    ("0d", lambda T: T.multinomial(T.tensor(1.0), 1), r"prob_dist must be 1 or 2 dim"),
]


@pytest.mark.parametrize("name, call, match", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_as_torch(torch, name: str, call: Callable, match: str) -> None:
    with pytest.raises(RuntimeError, match=match):
        call(nl)
    with pytest.raises(RuntimeError):
        call(torch)


def test_num_samples_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="multinomial: num_samples must be an int"):
        nl.multinomial(nl.ones(3), 1.5)
