"""Tests of nnlite/ops/distances.py: cdist dist renorm.

Hypothesis draws the shapes (batch dims that broadcast, size-0 and size-1 axes) and p;
the checks are float64 gradcheck, torch parity of values and gradients (cdist: torch's
direct formula, ``donot_use_mm_for_euclid_dist``), float32 kept. cdist's gradient at a
zero distance (a row repeated) for every p, and bad arguments, are checked against torch.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import Case, float32_test, gradcheck_test, lazy_torch, parity_test
from ._parity import check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes

PS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, math.inf]


@st.composite
def cdist_case(draw: Any) -> Case:
    batch = draw(shapes(max_dims=2))
    b1 = tuple(1 if draw(st.booleans()) else n for n in batch)
    m = draw(st.integers(0, 3))
    p1 = (draw(st.integers(0, 3)), m)
    p2 = (draw(st.integers(0, 3)), m)
    p = draw(st.sampled_from(PS))
    mode = draw(st.sampled_from(["use_mm_for_euclid_dist_if_necessary",
                                 "donot_use_mm_for_euclid_dist"]))
    return Case([draw(arrays(b1 + p1)), draw(arrays(batch + p2))],
                lambda a, b: nl.cdist(a, b, p, mode),
                lambda a, b: lazy_torch().cdist(a, b, p, "donot_use_mm_for_euclid_dist"))


@st.composite
def dist_case(draw: Any) -> Case:
    a = draw(shapes())
    b = tuple(1 if draw(st.booleans()) else n for n in a)
    p = draw(st.sampled_from([1.0, 2.0, 3.0, 0.5, math.inf, -math.inf]))
    f = draw(st.sampled_from([lambda x, y: nl.dist(x, y, p), lambda x, y: x.dist(y, p)]))
    return Case([draw(arrays(a)), draw(arrays(b))], f, lambda x, y: lazy_torch().dist(x, y, p))


@st.composite
def renorm_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=2))
    dim = draw(dim_of(len(shape)))
    p = draw(st.sampled_from([1.0, 2.0, 3.0]))
    maxnorm = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 100.0]))
    f = draw(st.sampled_from([lambda x: nl.renorm(x, p, dim, maxnorm),
                              lambda x: x.renorm(p, dim, maxnorm)]))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().renorm(x, p, dim, maxnorm))


CASES = {"cdist": cdist_case(), "dist": dist_case(), "renorm": renorm_case()}


test_gradcheck = gradcheck_test(CASES, when=lambda case: bool(
    case.nl(*[nl.tensor(a) for a in case.arrays]).numel()))
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES, create_graph=False)

# ============================================================================
# Zero distances, ties, the mm formula
# ============================================================================
@pytest.mark.parametrize("p", PS)
def test_cdist_gradient_at_zero_distance_as_torch(torch, p: float) -> None:
    """Rows repeated in x1 and x2 (distance 0, also some equal coordinates) and ties
    of |diff| for p = inf."""
    x1 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    x2 = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 2.0, 5.0]])
    check_parity(torch, lambda a, b: nl.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
                 [x1, x2])


def test_cdist_matches_torch_mm_formula_within_rounding(torch) -> None:
    x1, x2 = randn((30, 4)), randn((27, 4), 1)
    ours = nl.cdist(nl.tensor(x1), nl.tensor(x2))
    theirs = torch.cdist(torch.tensor(x1), torch.tensor(x2))      # torch's mm path (> 25)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9)


def test_dist_gradient_at_zero_as_torch(torch) -> None:
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    for p in (2.0, 1.0, 3.0, math.inf):
        check_parity(torch, lambda x, y: nl.dist(x, y, p), lambda x, y: torch.dist(x, y, p),
                     [a, a.copy()])


def test_renorm_in_place(torch) -> None:
    a = randn((3, 4)) * 3
    ours, theirs = nl.tensor(a), torch.tensor(a)
    ours.renorm_(2, 0, 1.0)
    theirs.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


# ============================================================================
# Errors
# ============================================================================
BAD = [("cdist_1d", lambda T: T.cdist(T.ones(3), T.ones(2, 3))),
       ("cdist_columns", lambda T: T.cdist(T.ones(2, 3), T.ones(2, 4))),
       ("cdist_negative_p", lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), -1.0)),
       ("cdist_integers", lambda T: T.cdist(T.ones(2, 3, dtype=T.int64),
                                            T.ones(2, 3, dtype=T.int64))),
       ("renorm_1d", lambda T: T.renorm(T.ones(3), 2, 0, 1.0)),
       ("renorm_p", lambda T: T.renorm(T.ones(3, 3), 0, 0, 1.0)),
       ("renorm_maxnorm", lambda T: T.renorm(T.ones(3, 3), 2, 0, -1.0))]


@pytest.mark.parametrize("name, f", BAD, ids=[n for n, _ in BAD])
def test_bad_arguments_raise_as_torch(torch, name: str, f: Callable) -> None:
    with pytest.raises(RuntimeError):
        f(torch)
    with pytest.raises((RuntimeError, ValueError, TypeError), match=name.split("_")[0]):
        f(nl)


def test_cdist_rejects_an_unknown_compute_mode(torch) -> None:
    with pytest.raises(ValueError, match="compute_mode"):
        torch.cdist(torch.ones(2, 2), torch.ones(2, 2), compute_mode="fast")
    with pytest.raises(ValueError, match="compute_mode"):
        nl.cdist(nl.ones(2, 2), nl.ones(2, 2), compute_mode="fast")
