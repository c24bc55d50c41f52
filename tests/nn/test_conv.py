"""Tests of nnlite/nn/conv.py: Conv1d, Conv2d, ConvTranspose2d.

The layers against torch's with weights copied through ``state_dict`` (float64, outputs
and every gradient), their reprs, parameter shapes and default initialisation, and the
errors for bad arguments and bad input. The convolution arithmetic itself is tested in
tests/ops/test_conv.py.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlite as nl
from nnlite.nn.conv import Conv1d, Conv2d, ConvTranspose2d

RTOL, ATOL = 1e-10, 1e-12

CONFIGS = [
    # class name, args, kwargs, input shape
    ("Conv2d", (3, 16, 3), {}, (2, 3, 8, 8)),
    ("Conv2d", (3, 16, 3), dict(padding="same", padding_mode="reflect"), (2, 3, 7, 6)),
    ("Conv2d", (3, 16, 3), dict(padding="valid"), (2, 3, 7, 6)),
    ("Conv2d", (4, 8, (3, 5)), dict(stride=(2, 1), padding=(1, 2), dilation=2, groups=4,
                                    bias=False, padding_mode="circular"), (2, 4, 9, 8)),
    ("Conv2d", (4, 6, (4, 2)), dict(padding="same", dilation=(1, 3)), (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), dict(padding=2, padding_mode="replicate", stride=2), (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 1), dict(groups=2), (2, 4, 5, 3)),
    ("Conv2d", (3, 5, 3), dict(padding=1), (3, 6, 5)),                      # unbatched
    ("Conv1d", (3, 16, 3), {}, (2, 3, 10)),
    ("Conv1d", (4, 6, 5), dict(stride=2, padding=2, dilation=2, groups=2,
                               padding_mode="reflect"), (2, 4, 13)),
    ("Conv1d", (4, 6, 4), dict(padding="same"), (4, 9)),                   # unbatched
    ("ConvTranspose2d", (4, 8, 3), dict(stride=2, output_padding=1, groups=2, bias=False,
                                        dilation=2), (2, 4, 5, 4)),
    ("ConvTranspose2d", (6, 3, 4), dict(stride=2, padding=1), (2, 6, 4, 5)),
    ("ConvTranspose2d", (6, 3, (1, 3)), dict(padding=(0, 1)), (6, 4, 5)),  # unbatched
]
LAYERS = {"Conv1d": Conv1d, "Conv2d": Conv2d, "ConvTranspose2d": ConvTranspose2d}


def _pair(torch, name, args, kwargs):
    """The same layer in both libraries, float64, torch's weights copied into ours."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = LAYERS[name](*args, **kwargs, dtype=nl.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name,args,kwargs,shape", CONFIGS)
def test_layer_matches_torch(torch, name, args, kwargs, shape):
    ours, theirs = _pair(torch, name, args, kwargs)
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert all(sd[k].shape == tuple(tsd[k].shape) for k in sd)
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(shape)
    x, xt = nl.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    assert y.shape == tuple(yt.shape) and y.dtype == np.float64
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=RTOL, atol=ATOL)
    gy = rng.standard_normal(y.shape)
    y.backward(gy)
    yt.backward(torch.tensor(gy))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    for (k, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=k)


def test_conv_transpose2d_output_size_matches_torch(torch):
    ours, theirs = _pair(torch, "ConvTranspose2d", (4, 2, 3), dict(stride=2, padding=1))
    x = np.random.default_rng(1).standard_normal((1, 4, 5, 5))
    for size in [(9, 9), (10, 9), (1, 2, 10, 10)]:
        y, yt = ours(nl.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match=r"requested an output size of \(11, 9\), but valid "
                                         r"sizes range from \(9, 9\) to \(10, 10\)"):
        ours(nl.tensor(x), output_size=(11, 9))


def test_gradcheck_through_the_layer():
    m = Conv2d(2, 3, 3, stride=(1, 2), padding=1, padding_mode="replicate", dtype=nl.float64)
    x = nl.randn(1, 2, 4, 5, dtype=nl.float64, requires_grad=True)
    assert nl.gradcheck(lambda x, w, b: m(x), (x, m.weight, m.bias))   # w, b are m's


# ---- parameters and initialisation -------------------------------------------------
@pytest.mark.parametrize("layer,shape,fan_in", [
    (lambda: Conv2d(16, 32, 3), (32, 16, 3, 3), 16 * 9),
    (lambda: Conv2d(16, 32, (3, 5), groups=4), (32, 4, 3, 5), 4 * 15),
    (lambda: Conv1d(8, 12, 7), (12, 8, 7), 8 * 7),
    (lambda: ConvTranspose2d(16, 32, 4, groups=2), (16, 16, 4, 4), 16 * 16),
])
def test_default_init_is_torchs(layer, shape, fan_in):
    m = layer()
    assert m.weight.shape == shape and m.bias.shape == (shape[0] if not isinstance(
        m, ConvTranspose2d) else m.out_channels,)
    assert m.weight.dtype == np.float32 and m.bias.dtype == np.float32
    bound = 1 / math.sqrt(fan_in)                  # kaiming_uniform_(a=sqrt(5))
    w, b = m.weight.array, m.bias.array
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound           # filled, not a smaller range
    np.testing.assert_allclose(w.std(), bound / math.sqrt(3), rtol=0.1)
    before = w.copy()
    m.reset_parameters()
    assert not np.array_equal(before, m.weight.array)


def test_no_bias_and_dtype():
    m = Conv2d(3, 4, 3, bias=False, dtype=nl.float64)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    assert m.weight.dtype == np.float64
    assert m(nl.randn(1, 3, 5, 5, dtype=nl.float64)).dtype == np.float64
    assert Conv2d(3, 4, 3)(nl.randn(1, 3, 5, 5)).dtype == np.float32


# ---- errors --------------------------------------------------------------------------
@pytest.mark.parametrize("make,exc,match", [
    (lambda: Conv2d(3, 16, 3, groups=2), ValueError,
     r"in_channels \(3\) must be divisible by groups \(2\)"),
    (lambda: Conv2d(4, 6, 3, groups=4), ValueError,
     r"out_channels \(6\) must be divisible by groups \(4\)"),
    (lambda: Conv2d(4, 6, 3, groups=0), ValueError, r"groups must be a positive integer"),
    (lambda: Conv2d(4, 6, 3, padding="full"), ValueError, r"invalid padding string 'full'"),
    (lambda: Conv2d(4, 6, 3, stride=2, padding="same"), ValueError,
     r"'same' is not supported for strided"),
    (lambda: Conv2d(4, 6, 3, padding_mode="mirror"), ValueError,
     r"padding_mode must be one of .*'mirror'"),
    (lambda: Conv2d(4, 6, (3, 3, 3)), TypeError, r"kernel_size must be an int or a tuple of 2"),
    (lambda: Conv2d(4, 6, 0), ValueError, r"kernel_size must be positive"),
    (lambda: Conv2d(0, 6, 3), ValueError, r"in_channels must be a positive int"),
    (lambda: ConvTranspose2d(4, 6, 3, padding_mode="reflect"), ValueError,
     r'only "zeros" padding mode'),
    (lambda: ConvTranspose2d(4, 6, 3, stride=2, output_padding=2), ValueError,
     r"output_padding \(2, 2\) must be non-negative and smaller"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("layer,x_shape,match", [
    (lambda: Conv2d(3, 16, 3), (8, 4, 32, 32),
     r"^Conv2d\(3, 16, kernel_size=\(3, 3\)\): expected input with 3 channels, got shape "
     r"\(8, 4, 32, 32\)$"),
    (lambda: Conv2d(3, 16, 3), (8, 3, 32),
     r"^Conv2d\(3, 16, kernel_size=\(3, 3\)\): expected input with 3 channels, got shape "
     r"\(8, 3, 32\)$"),
    (lambda: Conv2d(3, 16, 3), (3, 32),
     r"^Conv2d\(3, 16, kernel_size=\(3, 3\)\): expected 3-D \(C, H, W\) or 4-D "
     r"\(N, C, H, W\) input, got shape \(3, 32\)$"),
    (lambda: Conv2d(3, 16, 3), (1, 1, 3, 32, 32), r"got shape \(1, 1, 3, 32, 32\)"),
    (lambda: Conv2d(3, 16, 5, padding=1), (2, 3, 2, 8),
     r"^Conv2d\(3, 16, kernel_size=\(5, 5\)\): input of shape \(2, 3, 2, 8\) padded to "
     r"\(4, 10\) is smaller than the kernel \(5, 5\)"),
    (lambda: Conv2d(3, 16, 3, dilation=3), (2, 3, 6, 8),
     r"smaller than the kernel \(7, 7\) \(kernel_size \(3, 3\), dilation \(3, 3\)\)"),
    (lambda: Conv1d(3, 16, 3), (2, 3, 4, 4),
     r"^Conv1d\(3, 16, kernel_size=\(3,\)\): expected 2-D \(C, L\) or 3-D \(N, C, L\)"),
    (lambda: Conv1d(3, 16, 3), (2, 5, 4), r"expected input with 3 channels"),
    (lambda: ConvTranspose2d(4, 2, 3), (1, 2, 5, 5),
     r"^ConvTranspose2d\(4, 2, kernel_size=\(3, 3\)\): expected input with 4 channels"),
])
def test_bad_input_names_layer_and_shape(layer, x_shape, match):
    with pytest.raises(ValueError, match=match):
        layer()(nl.zeros(*x_shape))
