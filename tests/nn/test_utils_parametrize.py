"""Tests of nn.utils weight_norm / spectral_norm (hook forms, nn/utils/weight_norm.py and
spectral_norm.py), parametrize and parametrizations, fusion, skip_init (nn/utils/init.py),
get_total_norm / clip_grads_with_norm_ (nn/utils/clip_grad.py) and nn.init.sparse_.

torch is the oracle: the same module in both libraries, torch's state_dict copied by
name (the keys must be torch's), then outputs, input gradients and the gradients of the
reparametrized parameters compared in float64, over training steps that run the power
iteration.
"""
from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
from nnlite import nn

RNG = np.random.default_rng(0)


def _run(torch, ours, theirs, x, train=True, steps=2):
    """Copy torch's state into ours, then compare ``steps`` forwards/backwards."""
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.train(train)
    theirs.train(train)
    for _ in range(steps):
        for p in list(ours.parameters()):
            p.grad = None
        theirs.zero_grad()
        xt = torch.tensor(x, requires_grad=True)
        xn = nl.tensor(x, requires_grad=True)
        yt, y = theirs(xt), ours(xn)
        g = RNG.standard_normal(tuple(yt.shape))
        yt.backward(torch.tensor(g))
        y.backward(nl.tensor(g))
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        ps, pts = dict(ours.named_parameters()), dict(theirs.named_parameters())
        assert list(ps) == list(pts)
        for k in ps:
            np.testing.assert_allclose(ps[k].grad.numpy(), pts[k].grad.numpy(), rtol=1e-9,
                                       atol=1e-11, err_msg=k)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=k)


def _pair(torch, name, *args):
    return getattr(nn, name)(*args).double(), getattr(torch.nn, name)(*args).double()


X_LIN = RNG.standard_normal((3, 5))
X_IMG = RNG.standard_normal((2, 3, 6, 6))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dim", [0, 1, None, -2])
@pytest.mark.parametrize("form", ["hook", "parametrization"])
def test_weight_norm(torch, dim, form):
    ours, theirs = _pair(torch, "Linear", 5, 4)
    if form == "hook":
        ours, theirs = nn.utils.weight_norm(ours, dim=dim), torch.nn.utils.weight_norm(theirs, dim=dim)
    else:
        ours = nn.utils.parametrizations.weight_norm(ours, dim=dim)
        theirs = torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    _run(torch, ours, theirs, X_LIN, steps=1 if dim is None else 2)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_weight_norm_conv(torch):
    ours, theirs = _pair(torch, "Conv2d", 3, 4, 3)
    _run(torch, nn.utils.weight_norm(ours), torch.nn.utils.weight_norm(theirs), X_IMG)
    ours, theirs = _pair(torch, "Conv3d", 3, 2, 2)
    _run(torch, nn.utils.parametrizations.weight_norm(ours, dim=1),
         torch.nn.utils.parametrizations.weight_norm(theirs, dim=1),
         RNG.standard_normal((1, 3, 3, 4, 3)))


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("layer, args, x", [("Linear", (5, 4), X_LIN),
                                            ("Conv2d", (3, 4, 3), X_IMG),
                                            ("ConvTranspose2d", (3, 4, 3), X_IMG)])
def test_spectral_norm(torch, train, layer, args, x):
    ours, theirs = _pair(torch, layer, *args)
    _run(torch, nn.utils.spectral_norm(ours, n_power_iterations=2),
         torch.nn.utils.spectral_norm(theirs, n_power_iterations=2), x, train)
    ours, theirs = _pair(torch, layer, *args)
    _run(torch, nn.utils.parametrizations.spectral_norm(ours),
         torch.nn.utils.parametrizations.spectral_norm(theirs), x, train)


def test_spectral_norm_estimates_the_largest_singular_value():
    m = nn.utils.parametrizations.spectral_norm(nn.Linear(6, 4).double())
    for _ in range(30):
        m(nl.randn(2, 6).double())
    assert np.isclose(np.linalg.norm(m.weight.numpy(), 2), 1.0, rtol=1e-6)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_remove_hook_forms():
    for apply, remove in [(nn.utils.weight_norm, nn.utils.remove_weight_norm),
                          (nn.utils.spectral_norm, nn.utils.remove_spectral_norm)]:
        m = apply(nn.Linear(5, 4))
        m.eval()
        w = m(nl.randn(2, 5)) is not None and m.weight.numpy().copy()
        remove(m)
        assert list(m.state_dict()) == ["bias", "weight"]
        assert isinstance(m.weight, nn.Parameter)
        np.testing.assert_allclose(m.weight.numpy(), w, rtol=1e-6)
        with pytest.raises(ValueError, match="not found"):
            remove(m)
    m = nn.utils.weight_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="two weight_norm hooks"):
        nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="no parameter named 'nope'"):
        nn.utils.spectral_norm(nn.Linear(2, 2), name="nope")


class _Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


class _Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.s = nn.Parameter(nl.tensor(2.0).double())

    def forward(self, x):
        return x * self.s


def test_parametrize_parity_and_keys(torch):
    class TSym(torch.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    P = nn.utils.parametrize
    ours, theirs = _pair(torch, "Linear", 4, 4)
    P.register_parametrization(ours, "weight", _Symmetric())
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight", TSym())
    _run(torch, ours, theirs, RNG.standard_normal((3, 4)))
    assert type(ours).__name__ == "ParametrizedLinear"
    assert isinstance(ours, nn.Linear)
    w = ours.weight.numpy()
    np.testing.assert_array_equal(w, w.T)
    assert P.is_parametrized(ours) and P.is_parametrized(ours, "weight")
    assert not P.is_parametrized(ours, "bias")
    assert P.type_before_parametrizations(ours) is nn.Linear


def test_parametrize_chain_assign_cache_remove():
    P = nn.utils.parametrize
    m = nn.Linear(3, 3).double()
    P.register_parametrization(m, "weight", _Symmetric())
    P.register_parametrization(m, "weight", _Scale())
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original",
                                    "parametrizations.weight.1.s"]
    target = np.arange(9.0).reshape(3, 3)
    target = target + target.T
    with pytest.raises(RuntimeError, match="_Scale does not implement right_inverse"):
        m.weight = nl.tensor(target)
    with P.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert type(m) is nn.Linear and "parametrizations" not in m._modules
    assert list(m.state_dict()) == ["bias", "weight"]

    m = nn.Linear(3, 3).double()
    P.register_parametrization(m, "weight", _Symmetric())
    m.weight = nl.tensor(target)                         # right_inverse
    np.testing.assert_allclose(m.weight.numpy(), target)
    w = m.weight.numpy().copy()
    P.remove_parametrizations(m, "weight")
    np.testing.assert_allclose(m.weight.numpy(), w)
    assert isinstance(m.weight, nn.Parameter)


def test_parametrize_buffers_copy_and_errors():
    P = nn.utils.parametrize
    m = nn.BatchNorm1d(3).double()
    P.register_parametrization(m, "running_var", _Scale())
    assert "parametrizations.running_var.original" in m.state_dict()
    np.testing.assert_allclose(m.running_var.numpy(), 2.0)
    m2 = copy.deepcopy(m)
    np.testing.assert_allclose(m2.running_var.numpy(), 2.0)
    with pytest.raises(RuntimeError, match="state_dict"):
        pickle.dumps(m)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        P.register_parametrization(nn.Linear(2, 2), "nope", _Scale())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        P.remove_parametrizations(nn.Linear(2, 2), "weight")

    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(nn.Linear(2, 2), "weight", Shrink())
    m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="sequence of tensors"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)


@settings(max_examples=6, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from([0, 1, None]))
def test_weight_norm_gradcheck(o, i, dim):
    m = nn.utils.parametrizations.weight_norm(nn.Linear(i, o).double(), dim=dim)
    g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
    x = nl.tensor(RNG.standard_normal((2, i)), requires_grad=True)
    assert nl.gradcheck(lambda x, g, v: nl.nn.functional.linear(
        x, m.parametrizations.weight[0](g, v), m.bias), [x, g, v])


# ============================================================================
# fusion, skip_init, total norms, sparse_
# ============================================================================
@pytest.mark.parametrize("conv, bn, x, transpose", [
    ("Conv2d", "BatchNorm2d", (2, 3, 5, 5), False),
    ("Conv3d", "BatchNorm3d", (1, 3, 3, 4, 4), False),
    ("ConvTranspose2d", "BatchNorm2d", (2, 3, 4, 4), True)])
def test_fuse_conv_bn(torch, conv, bn, x, transpose):
    c = getattr(nn, conv)(3, 4, 2).double()
    b = getattr(nn, bn)(4).double()
    b.running_mean.array[...] = RNG.standard_normal(4)
    b.running_var.array[...] = RNG.uniform(0.5, 2, 4)
    b.weight.array[...] = RNG.standard_normal(4)
    c.eval(), b.eval()
    fused = nn.utils.fusion.fuse_conv_bn_eval(c, b, transpose)
    xi = nl.tensor(RNG.standard_normal(x))
    np.testing.assert_allclose(fused(xi).numpy(), b(c(xi)).numpy(), rtol=1e-10, atol=1e-12)
    tc = getattr(torch.nn, conv)(3, 4, 2).double().eval()
    tb = getattr(torch.nn, bn)(4).double().eval()
    tc.load_state_dict({k: torch.tensor(v) for k, v in c.state_dict().items()})
    tb.load_state_dict({k: torch.tensor(v) for k, v in b.state_dict().items()})
    tf = torch.nn.utils.fusion.fuse_conv_bn_eval(tc, tb, transpose)
    for k, v in tf.state_dict().items():
        np.testing.assert_allclose(fused.state_dict()[k], v.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="only for eval"):
        nn.utils.fusion.fuse_conv_bn_eval(c.train(), b)


def test_fuse_linear_bn(torch):
    lin, bn = nn.Linear(3, 4, bias=False).double().eval(), nn.BatchNorm1d(4).double()
    bn.running_mean.array[...] = RNG.standard_normal(4)
    bn.eval()
    fused = nn.utils.fusion.fuse_linear_bn_eval(lin, bn)
    x = nl.tensor(RNG.standard_normal((5, 3)))
    np.testing.assert_allclose(fused(x).numpy(), bn(lin(x)).numpy(), rtol=1e-10, atol=1e-12)
    tl, tb = torch.nn.Linear(3, 4, bias=False).double().eval(), torch.nn.BatchNorm1d(4).double().eval()
    tl.load_state_dict({k: torch.tensor(v) for k, v in lin.state_dict().items()})
    tb.load_state_dict({k: torch.tensor(v) for k, v in bn.state_dict().items()})
    w, b = torch.nn.utils.fusion.fuse_linear_bn_weights(
        tl.weight, tl.bias, tb.running_mean, tb.running_var, tb.eps, tb.weight, tb.bias)
    np.testing.assert_allclose(fused.weight.numpy(), w.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(fused.bias.numpy(), b.detach().numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="out_features"):
        nn.utils.fusion.fuse_linear_bn_eval(lin, nn.BatchNorm1d(3).eval())


def test_skip_init():
    m = nn.utils.skip_init(nn.Linear, 5, 2, bias=True)
    assert type(m) is nn.Linear and m.weight.shape == (2, 5) and m.bias.shape == (2,)
    m = nn.utils.skip_init(nn.Conv3d, 2, 3, 2, device="cpu")
    assert m.weight.shape == (3, 2, 2, 2, 2)

    class NoDevice(nn.Module):
        def __init__(self):
            super().__init__()

    with pytest.raises(RuntimeError, match="'device' arg"):
        nn.utils.skip_init(NoDevice)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf, -math.inf])
def test_total_norm_and_clip(torch, norm_type):
    grads = [RNG.standard_normal((3, 4)), RNG.standard_normal(5), RNG.standard_normal(())]
    total = nn.utils.get_total_norm([nl.tensor(g) for g in grads] + [None], norm_type)
    total_t = torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads], norm_type)
    np.testing.assert_allclose(total.item(), total_t.item(), rtol=1e-12)
    ps = [nn.Parameter(nl.zeros(*g.shape).double()) for g in grads]
    pts = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, pt, g in zip(ps, pts, grads):
        p.grad, pt.grad = nl.tensor(g), torch.tensor(g)
    nn.utils.clip_grads_with_norm_(ps, 0.5, total)
    torch.nn.utils.clip_grads_with_norm_(pts, 0.5, total_t)
    for p, pt in zip(ps, pts):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-12)


def test_total_norm_edge_cases():
    assert nn.utils.get_total_norm([]).item() == 0.0
    assert nn.utils.get_total_norm(nl.tensor([3.0, 4.0])).item() == 5.0
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm([nl.tensor([np.inf])], error_if_nonfinite=True)
    p = nn.Parameter(nl.ones(2))
    p.grad = nl.tensor([0.1, 0.1])
    nn.utils.clip_grads_with_norm_([p], 1.0, 0.5)              # under max_norm: unchanged
    np.testing.assert_array_equal(p.grad.numpy(), np.float32([0.1, 0.1]))


def test_sparse_init():
    w = nn.init.sparse_(nl.empty(10, 6), sparsity=0.3, std=0.5)
    zeros = (w.numpy() == 0).sum(axis=0)
    np.testing.assert_array_equal(zeros, [3] * 6)              # ceil(0.3 * 10)
    assert w.dtype == np.float32
    g = np.random.default_rng(1)
    a = nn.init.sparse_(np.empty((8, 4)), 0.5, generator=g)
    assert ((a == 0).sum(axis=0) == 4).all()
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.sparse_(nl.empty(3, 3, 3), 0.1)
