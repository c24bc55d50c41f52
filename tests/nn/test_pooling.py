"""Tests of nnlite/nn/pooling.py: the pooling layers against torch's (float64, outputs,
indices and input gradients), their reprs, and the errors naming the layer. The pooling
arithmetic itself is tested in tests/ops/test_pooling.py.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlite as nl
from nnlite.nn import pooling as pool

RTOL, ATOL = 1e-10, 1e-12

CONFIGS = [
    # class name, args, kwargs, input shape
    ("MaxPool2d", (3,), dict(stride=2, padding=1), (2, 3, 16, 16)),            # ResNet
    ("MaxPool2d", (3, 2), {}, (2, 3, 13, 13)),                                 # AlexNet
    ("MaxPool2d", (2,), {}, (2, 6, 28, 28)),                                   # LeNet
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                  ceil_mode=True, return_indices=True), (2, 3, 10, 11)),
    ("MaxPool2d", (2,), dict(ceil_mode=True), (3, 7, 9)),                      # unbatched
    ("MaxPool1d", (3,), dict(stride=2, padding=1, return_indices=True), (2, 3, 11)),
    ("MaxPool1d", (2,), dict(ceil_mode=True), (3, 9)),                         # unbatched
    ("AvgPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False), (2, 3, 10, 11)),
    ("AvgPool2d", ((3, 2),), dict(stride=1, padding=(1, 1), divisor_override=4), (2, 2, 6, 5)),
    ("AvgPool1d", (3, 2, 1), dict(ceil_mode=True), (2, 3, 10)),
    ("LPPool2d", (2, 2), {}, (2, 3, 8, 8)),
    ("LPPool2d", (3, (3, 2)), dict(stride=(2, 1), ceil_mode=True), (2, 3, 9, 8)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 10)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 8, 7, 7)),                             # global
    ("AdaptiveAvgPool2d", ((5, 3),), {}, (2, 3, 11, 7)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 6, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool2d", ((4, 3),), dict(return_indices=True), (2, 3, 10, 11)),
    ("AdaptiveMaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AdaptiveMaxPool1d", (3,), dict(return_indices=True), (2, 3, 10)),
]


def _ids(configs):
    return [f"{c[0]}{c[1]}{c[2] or ''}{c[3]}".replace(" ", "") for c in configs]


@pytest.mark.parametrize("name, args, kwargs, shape", CONFIGS, ids=_ids(CONFIGS))
def test_layer_matches_torch(torch, name, args, kwargs, shape) -> None:
    ours, theirs = getattr(pool, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0.1, 2.0, shape)                  # positive: any LP norm is defined
    x, xt = nl.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    if kwargs.get("return_indices"):
        (y, idx), (yt, it) = y, yt
        np.testing.assert_array_equal(idx.array, it.numpy())
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=RTOL, atol=ATOL)
    gy = rng.standard_normal(y.shape)
    y.backward(gy)
    yt.backward(torch.tensor(gy))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=RTOL, atol=ATOL)


REPRS = [
    ("MaxPool2d", (3,), {}), ("MaxPool2d", ([3, 2],), {}),
    ("MaxPool2d", (3, 2, 1, 2), dict(return_indices=True, ceil_mode=True)),
    ("MaxPool1d", (4,), dict(stride=1)), ("AvgPool2d", (3,), {}),
    ("AvgPool2d", ((2, 2),), dict(divisor_override=3, ceil_mode=True)),
    ("AvgPool1d", (3,), {}), ("AvgPool1d", (4, 2, 1), {}),
    ("LPPool2d", (2, 3), {}), ("LPPool2d", (2.0, (3, 2), 1, True), {}),
    ("LPPool1d", (1, 3), {}), ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((None, 7),), {}), ("AdaptiveAvgPool1d", (5,), {}),
    ("AdaptiveMaxPool2d", ((2, 3), True), {}), ("AdaptiveMaxPool1d", (3,), {}),
    ("MaxUnpool2d", (2,), {}), ("MaxUnpool1d", (3, 2), {}),
]


@pytest.mark.parametrize("name, args, kwargs", REPRS, ids=_ids([r + ((),) for r in REPRS]))
def test_repr_equals_torch(torch, name, args, kwargs) -> None:
    assert repr(getattr(pool, name)(*args, **kwargs)) == \
        repr(getattr(torch.nn, name)(*args, **kwargs))


def test_attributes_and_defaults_follow_torch(torch) -> None:
    for name, args in [("MaxPool2d", (3,)), ("AvgPool2d", (2,)), ("LPPool2d", (2, 3)),
                       ("MaxPool1d", (3,)), ("AvgPool1d", (3,)), ("MaxUnpool2d", (2,))]:
        ours, theirs = getattr(pool, name)(*args), getattr(torch.nn, name)(*args)
        for attr in ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                     "return_indices", "count_include_pad", "divisor_override", "norm_type"):
            if hasattr(theirs, attr):
                assert getattr(ours, attr) == getattr(theirs, attr), (name, attr)
    assert list(pool.MaxPool2d(2).parameters()) == [] and pool.MaxPool2d(2).state_dict() == {}


def test_max_unpool2d_layer_inverts_max_pool2d(torch) -> None:
    x0 = np.random.default_rng(0).standard_normal((2, 3, 8, 9))
    y, idx = pool.MaxPool2d(2, return_indices=True)(nl.tensor(x0))
    yt, it = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x0))
    out = pool.MaxUnpool2d(2)(y, idx, output_size=(8, 9))
    np.testing.assert_array_equal(out.array, torch.nn.MaxUnpool2d(2)(yt, it, (8, 9)).numpy())


def test_global_pooling_in_a_model_head() -> None:
    head = nl.nn.Sequential(pool.AdaptiveAvgPool2d(1), nl.nn.Flatten())
    x = nl.tensor(np.random.default_rng(0).standard_normal((4, 16, 7, 7)).astype(np.float32),
                  requires_grad=True)
    y = head(x)
    assert y.shape == (4, 16) and y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.full(x.shape, 1 / 49, np.float32), rtol=1e-6)


@pytest.mark.parametrize("layer, shape, match", [
    (pool.MaxPool2d(3), (1, 3, 2, 2), r"^MaxPool2d\(kernel_size=3.*\(2, 2\).*too small"),
    (pool.MaxPool2d(2), (4, 4), r"^MaxPool2d\(kernel_size=2.*3-D or 4-D.*\(4, 4\)"),
    (pool.MaxPool2d(2), (1, 1, 1, 4, 4), r"^MaxPool2d.*got shape \(1, 1, 1, 4, 4\)"),
    (pool.AvgPool2d(5, padding=1), (1, 1, 2, 2), r"^AvgPool2d\(kernel_size=5.*too small"),
    (pool.MaxPool1d(4), (2, 3, 2), r"^MaxPool1d\(kernel_size=4.*\(2,\).*too small"),
    (pool.AvgPool1d(2), (2, 2, 2, 2), r"^AvgPool1d.*2-D or 3-D"),
    (pool.LPPool2d(2, 3), (1, 1, 2, 2), r"^LPPool2d\(norm_type=2.*too small"),
    (pool.AdaptiveAvgPool2d(2), (3, 4), r"^AdaptiveAvgPool2d\(output_size=2\).*\(3, 4\)"),
    (pool.AdaptiveMaxPool2d((2, 0)), (1, 1, 3, 4), r"^AdaptiveMaxPool2d.*positive"),
])
def test_bad_input_names_the_layer_and_shape(layer, shape, match) -> None:
    with pytest.raises(ValueError, match=match):
        layer(nl.randn(*shape))


@pytest.mark.parametrize("build, match", [
    (lambda: pool.MaxPool2d(3, padding=2), r"MaxPool2d.*at most half"),
    (lambda: pool.AvgPool2d(2, padding=2), r"AvgPool2d.*at most half"),
    (lambda: pool.MaxPool2d(0), r"MaxPool2d.*positive"),
    (lambda: pool.MaxPool2d(2, stride=0), r"MaxPool2d.*positive"),
    (lambda: pool.AvgPool2d(2, divisor_override=0), r"AvgPool2d.*divisor_override"),
])
def test_bad_arguments_fail_when_the_layer_is_built(build, match) -> None:
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_argument_types_fail_when_the_layer_is_built() -> None:
    with pytest.raises(TypeError, match="kernel_size"):
        pool.MaxPool2d((2, 2, 2))
    with pytest.raises(TypeError, match="kernel_size"):
        pool.AvgPool1d(2.5)


def test_lp_pool_inf_is_max_of_abs() -> None:
    x = nl.tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)))
    np.testing.assert_array_equal(pool.LPPool2d(math.inf, 2)(x).array,
                                  pool.MaxPool2d(2)(nl.abs(x)).array)
