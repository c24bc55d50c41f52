"""Constraints: check() against torch's on the same values, reprs, is_discrete /
event_dim, and the dependent placeholders."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.distributions import constraints as C

X = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, np.nan, np.inf, 3.0], [0.25, 0.25, 0.5, 0.0]])
M = np.stack([np.eye(3), [[1.0, 2, 0], [2, 1, 0], [0, 0, 1]], np.tril(np.ones((3, 3))),
              [[1.0, 0, 0], [0, -1, 0], [0, 0, 1]]])

NAMES = ["real", "positive", "nonnegative", "unit_interval", "simplex", "boolean",
         "nonnegative_integer", "positive_integer", "real_vector", "one_hot"]
MATRIX = ["lower_triangular", "lower_cholesky", "positive_definite", "symmetric", "square",
          "positive_semidefinite"]
FACTORIES = [("greater_than", (0.5,)), ("greater_than_eq", (0.5,)), ("less_than", (0.5,)),
             ("interval", (0.0, 1.0)), ("half_open_interval", (0.0, 1.0)),
             ("integer_interval", (0, 2))]


def _both(torch, ours, theirs, x):
    a = ours.check(nl.tensor(x)).numpy()
    b = theirs.check(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(a, b)
    assert repr(ours) == repr(theirs)
    assert ours.is_discrete == theirs.is_discrete and ours.event_dim == theirs.event_dim


@pytest.mark.parametrize("name", NAMES)
def test_named(torch, name):
    _both(torch, getattr(C, name), getattr(torch.distributions.constraints, name), X)


@pytest.mark.parametrize("name", MATRIX)
def test_matrix(torch, name):
    _both(torch, getattr(C, name), getattr(torch.distributions.constraints, name), M)


@pytest.mark.parametrize("name,args", FACTORIES)
def test_factories(torch, name, args):
    _both(torch, getattr(C, name)(*args), getattr(torch.distributions.constraints, name)(*args), X)


def test_independent(torch):
    TC = torch.distributions.constraints
    _both(torch, C.independent(C.positive, 1),
          TC.independent(TC.positive, 1), X)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        C.independent(C.real, -1)


def test_dependent():
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        C.dependent.check(nl.zeros(1))
    assert C.dependent(is_discrete=True, event_dim=0).is_discrete
    with pytest.raises(NotImplementedError):
        C.dependent.event_dim
    d = nl.distributions.Uniform(nl.zeros(2), nl.ones(2))
    assert C.is_dependent(type(d).support)
    assert bool(d.support.check(nl.tensor([0.5, 1.0])).all())
