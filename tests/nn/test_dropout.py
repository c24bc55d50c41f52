"""Tests of nnlite/nn/dropout.py: Dropout, Dropout1d, Dropout2d, AlphaDropout modules
(train/eval switching, seeded masks, validation, repr equal to torch's). The ops
themselves are tested in tests/ops/test_dropout.py."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import nnlite as nl
from nnlite.nn.dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d

MODULES = [Dropout, Dropout1d, Dropout2d, AlphaDropout]


@pytest.mark.parametrize("cls", MODULES)
def test_identity_in_eval_mode(cls):
    m = cls(0.5).eval()
    x = nl.randn(4, 3, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert m(x) is x


@pytest.mark.parametrize("cls", MODULES)
def test_train_mode_drops_and_is_seeded(cls):
    m = cls(0.5)
    x = nl.randn(8, 16, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nl.manual_seed(5)
        a = m(x).array
        nl.manual_seed(5)
        b = m(x).array
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, x.array)


def test_dropout_inverted_scaling_and_gradient():
    m = Dropout(0.25)
    x = nl.ones(300, 300, requires_grad=True)
    y = m(x)
    kept = y.array != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.array[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / np.float32(0.75), rtol=1e-6)


def test_dropout2d_module_zeroes_whole_channels():
    y = Dropout2d(0.5)(nl.ones(8, 12, 4, 4)).array
    assert (y == y[:, :, :1, :1]).all()
    assert 0 < (y[:, :, 0, 0] == 0).sum() < 96


def test_dropout1d_module_zeroes_whole_channels_and_checks_rank():
    y = Dropout1d(0.5)(nl.ones(8, 12, 6)).array
    assert (y == y[:, :, :1]).all()
    with pytest.raises(ValueError, match=r"Dropout1d.*\(2, 3, 4, 5\)"):
        Dropout1d(0.5)(nl.ones(2, 3, 4, 5))


@pytest.mark.parametrize("cls", MODULES)
@pytest.mark.parametrize("p", [-0.5, 1.01])
def test_p_outside_unit_interval_names_layer(cls, p):
    with pytest.raises(ValueError, match=f"{cls.__name__}: dropout probability has to be "
                                         f"between 0 and 1, but got {p}"):
        cls(p)


@pytest.mark.parametrize("cls", MODULES)
def test_repr_equals_torch(torch, cls):
    for args in [(), (0.2,), (0.3, True)]:
        assert repr(cls(*args)) == repr(getattr(torch.nn, cls.__name__)(*args))


def test_float32_stays_float32_and_no_parameters():
    for cls in MODULES:
        m = cls(0.3)
        assert list(m.parameters()) == [] and m.state_dict() == {}
        shape = (2, 3, 4) if cls is Dropout1d else (2, 3, 4, 4)
        assert m(nl.randn(*shape)).dtype == np.float32
