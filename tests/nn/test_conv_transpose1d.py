"""Tests for the 1-D transposed convolution: F.conv_transpose1d
(nnlite/ops/conv_transpose.py) and ConvTranspose1d (nnlite/nn/conv.py): torch parity on
copied weights (float64 outputs and gradients of input, weight and bias), state_dict keys,
repr, ``output_size``, gradient checks with hypothesis shapes and argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck

CONFIGS = [dict(), dict(stride=2), dict(stride=3, padding=1, output_padding=2),
           dict(groups=2, dilation=2, padding=2), dict(stride=2, dilation=3, output_padding=1)]


@pytest.mark.parametrize("kw", CONFIGS, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_functional_parity(torch, kw, bias):
    rng = np.random.default_rng(0)
    g = kw.get("groups", 1)
    arrays = [rng.standard_normal((2, 4, 7)), rng.standard_normal((4, 6 // g, 3))]
    if bias:
        arrays.append(rng.standard_normal(6))
    check_parity(torch, lambda *a: F.conv_transpose1d(*a, **kw),
                 lambda *a: torch.nn.functional.conv_transpose1d(*a, **kw), arrays)


def test_unbatched_parity(torch):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((4, 5)), rng.standard_normal((4, 3, 2))]
    check_parity(torch, lambda x, w: F.conv_transpose1d(x, w, stride=2),
                 lambda x, w: torch.nn.functional.conv_transpose1d(x, w, stride=2), arrays)


@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_module_parity(torch, kw):
    ours = nn.ConvTranspose1d(4, 6, 3, dtype=np.float64, **kw)
    theirs = torch.nn.ConvTranspose1d(4, 6, 3, dtype=torch.float64, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(np.array(v)) for k, v in
                            ours.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((3, 4, 6))
    xx, tx = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(xx), theirs(tx)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    gy = np.random.default_rng(3).standard_normal(y.shape)
    y.backward(nl.tensor(gy))
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(xx.grad.array, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.bias.grad.array, theirs.bias.grad.numpy(), rtol=1e-10)


def test_module_output_size_and_default_init(torch):
    m = nn.ConvTranspose1d(3, 2, 4, stride=3)
    t = torch.nn.ConvTranspose1d(3, 2, 4, stride=3)
    x = nl.randn(1, 3, 5)
    for size in (16, 17, 18):
        assert m(x, output_size=[size]).shape == (1, 2, size)
        assert tuple(t(torch.randn(1, 3, 5), output_size=[size]).shape) == (1, 2, size)
    with pytest.raises(ValueError, match="requested an output size"):
        m(x, output_size=[30])
    k = 1 / np.sqrt(2 * 4)                      # 1/sqrt(C_out/groups * K)
    assert np.abs(m.weight.array).max() <= k and m.weight.shape == (3, 2, 4)
    assert m.weight.dtype == np.float32


@given(n=st.integers(1, 2), cin=st.integers(1, 3), cout=st.integers(1, 3),
       L=st.integers(1, 5), k=st.integers(1, 3), stride=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_gradcheck(n, cin, cout, L, k, stride, seed):
    rng = np.random.default_rng(seed)
    gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, stride=stride),
              [rng.standard_normal((n, cin, L)), rng.standard_normal((cin, cout, k)),
               rng.standard_normal(cout)])


def test_errors():
    with pytest.raises(ValueError, match="weight must be 3-D"):
        F.conv_transpose1d(nl.randn(1, 2, 3), nl.randn(2, 2, 2, 2))
    with pytest.raises(ValueError, match="expected 2-D .unbatched. or 3-D"):
        F.conv_transpose1d(nl.randn(1, 1, 2, 3), nl.randn(2, 2, 2))
    with pytest.raises(ValueError, match="channels"):
        F.conv_transpose1d(nl.randn(1, 3, 5), nl.randn(2, 2, 2))
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose1d(2, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="padding mode"):
        nn.ConvTranspose1d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="expected input with 2 channels"):
        nn.ConvTranspose1d(2, 2, 3)(nl.randn(1, 3, 5))
