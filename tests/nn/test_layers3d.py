"""Tests of the 3-D layers: Conv3d, ConvTranspose3d (nn/conv.py), MaxPool3d, AvgPool3d,
AdaptiveAvg/MaxPool3d (nn/pooling.py), BatchNorm3d (nn/normalization.py), Dropout3d
(nn/dropout.py), the 3-D padding layers (nn/padding.py) and Upsample / interpolate on
5-D input (nn/upsampling.py, ops/upsampling.py).

Each layer is built in both libraries, torch's weights are copied through state_dict
(same keys) in float64, and the output, input gradient and parameter gradients must
agree; reprs match torch's.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 4, 5, 6, 7))


def _parity(torch, ours, theirs, x, train=True):
    theirs = theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.double().train(train)
    theirs.train(train)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xt = torch.tensor(x, requires_grad=True)
    xn = nl.tensor(x, requires_grad=True)
    yt, y = theirs(xt), ours(xn)
    g = RNG.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    y.backward(nl.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-11,
                                   err_msg=name)
    for k, v in theirs.state_dict().items():      # running statistics
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-10, atol=1e-12)
    assert repr(ours) == repr(theirs)


LAYERS = [
    ("Conv3d", (4, 6, 3), dict(padding="same", padding_mode="reflect", groups=2)),
    ("Conv3d", (4, 6, (1, 2, 3)), dict(stride=2, padding=(0, 1, 2), padding_mode="circular")),
    ("Conv3d", (4, 2, 2), dict(dilation=(2, 1, 1), bias=False, padding_mode="replicate",
                               padding=1)),
    ("ConvTranspose3d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("ConvTranspose3d", (4, 2, (2, 1, 3)), dict(dilation=2, bias=False)),
    ("BatchNorm3d", (4,), dict()),
    ("BatchNorm3d", (4,), dict(momentum=None, affine=False)),
    ("MaxPool3d", (2,), dict(ceil_mode=True)),
    ("MaxPool3d", (3,), dict(stride=(1, 2, 2), padding=1, dilation=(2, 1, 1))),
    ("AvgPool3d", (3, 2, 1), dict(count_include_pad=False)),
    ("AvgPool3d", ((2, 3, 2),), dict(divisor_override=3, ceil_mode=True)),
    ("AdaptiveMaxPool3d", ((2, None, 3),), dict()),
    ("AdaptiveAvgPool3d", (3,), dict()),
    ("ConstantPad3d", ((1, 2, 0, 1, 2, 0), 1.5), dict()),
    ("ZeroPad3d", (1,), dict()),
    ("ReflectionPad3d", ((1, 2, 0, 1, 2, 0),), dict()),
    ("ReplicationPad3d", (2,), dict()),
]


@pytest.mark.parametrize("name, args, kw", LAYERS)
def test_layer_parity(torch, name, args, kw):
    _parity(torch, getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw), X)


def test_batchnorm3d_eval_and_unbatched_layers(torch):
    _parity(torch, nn.BatchNorm3d(4), torch.nn.BatchNorm3d(4), X, train=False)
    _parity(torch, nn.Conv3d(4, 3, 2), torch.nn.Conv3d(4, 3, 2), X[0])
    _parity(torch, nn.MaxPool3d(2), torch.nn.MaxPool3d(2), X[0])


def test_conv_transpose3d_output_size(torch):
    m = nn.ConvTranspose3d(4, 2, 3, stride=2)
    assert m(nl.randn(1, 4, 3, 3, 3), output_size=(8, 8, 8)).shape == (1, 2, 8, 8, 8)
    with pytest.raises(ValueError, match="valid sizes"):
        m(nl.randn(1, 4, 3, 3, 3), output_size=(9, 9, 10))


def test_layer_errors():
    with pytest.raises(ValueError, match=r"Conv3d\(4, 6, kernel_size=\(3, 3, 3\)\): expected "
                                         r"input with 4 channels"):
        nn.Conv3d(4, 6, 3)(nl.randn(2, 3, 5, 5, 5))
    with pytest.raises(ValueError, match="expected 4-D"):
        nn.Conv3d(4, 6, 3)(nl.randn(4, 5, 5))
    with pytest.raises(ValueError, match="BatchNorm3d.*5D"):
        nn.BatchNorm3d(4)(nl.randn(2, 4, 5, 5))
    with pytest.raises(ValueError, match="6-tuple"):
        nn.ZeroPad3d((1, 2))
    with pytest.raises(ValueError, match="MaxPool3d"):
        nn.MaxPool3d(3)(nl.randn(1, 1, 2, 2, 2))
    with pytest.raises(ValueError, match="padding mode"):
        nn.ConvTranspose3d(2, 2, 3, padding_mode="reflect")


def test_dropout3d():
    nl.manual_seed(0)
    x = nl.ones(4, 3, 2, 2, 2, requires_grad=True)
    y = nn.Dropout3d(0.5)(x)
    per_channel = y.numpy().reshape(4, 3, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel == per_channel[..., :1]).all()          # whole volumes
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())
    u = F.dropout3d(nl.ones(3, 2, 2, 2), 0.5).numpy().reshape(3, -1)
    assert (u == u[:, :1]).all()                                  # unbatched: per channel
    np.testing.assert_array_equal(nn.Dropout3d(0.5).eval()(x).numpy(), x.numpy())
    with pytest.warns(UserWarning, match="dropout3d"):
        F.dropout3d(nl.ones(2, 3, 4), 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout3d(1.5)


UPSAMPLE = [("trilinear", None, dict(size=(6, 8, 10))), ("trilinear", True, dict(scale_factor=2.3)),
            ("trilinear", False, dict(scale_factor=(1.3, 2.0, 0.7))),
            ("nearest", None, dict(size=(7, 4, 9))), ("nearest", None, dict(size=(6, 8, 10))),
            ("nearest-exact", None, dict(scale_factor=(1.5, 2, 0.6)))]


@pytest.mark.parametrize("mode, align, kw", UPSAMPLE)
def test_upsample_5d(torch, mode, align, kw):
    x = RNG.standard_normal((2, 2, 3, 4, 5))
    _parity(torch, nn.Upsample(mode=mode, align_corners=align, **kw),
            torch.nn.Upsample(mode=mode, align_corners=align, **kw), x)


def test_upsample_5d_nearest_values_where_torch_backward_differs(torch):
    """With a scale factor whose output is twice the input (3 * 2.3 -> 6), ATen's 3-D
    nearest forward reads floor(dst / 2.3) while its backward scatters by dst // 2; the
    forward is matched, and the gradient is the true adjoint of it (gradcheck)."""
    x = RNG.standard_normal((1, 1, 3, 2, 2))
    y = F.interpolate(nl.tensor(x), scale_factor=2.3, mode="nearest")
    yt = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=2.3, mode="nearest")
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    assert nl.gradcheck(lambda t: F.interpolate(t, scale_factor=2.3, mode="nearest"),
                        [nl.tensor(x, requires_grad=True)])


@settings(max_examples=6, deadline=None)
@given(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
       st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
       st.sampled_from(["nearest", "trilinear"]))
def test_upsample_5d_gradcheck(size, out, mode):
    x = nl.tensor(RNG.standard_normal((1, 2) + size), requires_grad=True)
    assert nl.gradcheck(lambda t: F.interpolate(t, size=out, mode=mode), [x])


def test_interpolate_mode_rank_errors():
    with pytest.raises(ValueError, match="trilinear mode needs 5D"):
        F.interpolate(nl.randn(1, 1, 4, 4), scale_factor=2, mode="trilinear")
    with pytest.raises(ValueError, match="bilinear mode needs 4D"):
        F.interpolate(nl.randn(1, 1, 4, 4, 4), scale_factor=2, mode="bilinear")
