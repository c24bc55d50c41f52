"""Tests for nnlite/nn/linear.py and the fused ``F.linear`` / ``F.bilinear``: Identity,
Linear, Bilinear, Flatten, Unflatten.

Oracles: torch (same weights copied through state_dict; forward values and every
gradient for a seeded random upstream gradient, double backward of linear) and float64
central differences (``nl.gradcheck`` on hypothesis-drawn leading batch dims, including
none and several). Default initialisation is checked against its distribution.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn

lead_dims = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
features = st.integers(1, 4)


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(a):
    return nl.tensor(a, requires_grad=True)


def torch_copy(torch, module, tmodule):
    """Load nnlite ``module``'s weights into the torch module (float64)."""
    tmodule.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in
                             module.state_dict().items()})
    return tmodule


# ---------------------------------------------------------------------------
# Linear: parity with torch, gradcheck, double backward
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3), (2, 1, 2, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch, shape, bias):
    m = nn.Linear(3, 4, bias=bias, dtype=nl.float64)
    tm = torch_copy(torch, m, torch.nn.Linear(3, 4, bias=bias, dtype=torch.float64))
    x = rng(1).standard_normal(shape)
    gy = rng(2).standard_normal(shape[:-1] + (4,))
    xx, tx = leaf(x), torch.tensor(x, requires_grad=True)
    y, ty = m(xx), tm(tx)
    y.backward(gy)
    ty.backward(torch.from_numpy(gy))
    assert y.shape == tuple(ty.shape) and y.dtype == np.float64
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xx.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad, tm.weight.grad.numpy(), rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(m.bias.grad, tm.bias.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_is_one_node_and_keeps_float32():
    m = nn.Linear(3, 2)
    assert m.weight.dtype == np.float32 and m.bias.dtype == np.float32
    y = m(nl.randn(5, 4, 3))
    assert y.dtype == np.float32 and y.shape == (5, 4, 2)
    assert y.grad_fn.name() == "LinearBackward"
    assert all(p is None or p is m.weight._node or p is m.bias._node
               for p in y.grad_fn.parents)
    y.sum().backward()
    assert m.weight.grad.dtype == np.float32 and m.bias.grad.dtype == np.float32


def test_linear_skips_gradients_nobody_needs():
    m = nn.Linear(3, 2)
    m.weight.requires_grad_(False)
    x = leaf(np.ones((2, 3), np.float32))
    m(x).sum().backward()
    assert m.weight.grad is None and x.grad is not None and m.bias.grad is not None


@given(lead=lead_dims, fin=features, fout=features, bias=st.booleans())
def test_linear_gradcheck(lead, fin, fout, bias):
    r = rng(sum(lead) + 10 * fin + fout)
    x = leaf(r.standard_normal(lead + (fin,)))
    w = leaf(r.standard_normal((fout, fin)))
    b = leaf(r.standard_normal(fout)) if bias else None
    inputs = (x, w, b) if bias else (x, w)
    assert nl.gradcheck(lambda *t: F.linear(*t), inputs)


def test_gradcheck_catches_a_wrong_linear_rule(monkeypatch):
    """The checker itself fails when the weight gradient is wrong."""
    from nnlite.ops.linear import LinearFn
    good = LinearFn.backward

    def bad(ctx, gy):
        gx, gw, *rest = good(ctx, gy)
        return (gx, gw * 1.01, *rest)

    monkeypatch.setattr(LinearFn, "backward", staticmethod(bad))
    x, w = leaf(rng().standard_normal((2, 3))), leaf(rng(1).standard_normal((4, 3)))
    with pytest.raises(AssertionError, match="input 1"):
        nl.gradcheck(lambda a, b: F.linear(a, b), (x, w))


@given(lead=lead_dims, fin=features, fout=features)
def test_linear_second_order_gradcheck(lead, fin, fout):
    """The first-order gradients (taken with create_graph) pass gradcheck themselves."""
    r = rng(3 + sum(lead))
    x = leaf(r.standard_normal(lead + (fin,)))
    w = leaf(r.standard_normal((fout, fin)))
    b = leaf(r.standard_normal(fout))

    def grads(x, w, b):
        with nl.enable_grad():                    # gradcheck evaluates fn under no_grad
            y = F.linear(x, w, b)
            return nl.autograd.grad((y * y).sum(), (x, w, b), create_graph=True)

    assert nl.gradcheck(grads, (x, w, b))


@pytest.mark.parametrize("shape", [(4, 3), (2, 2, 3), (3,)])
def test_linear_double_backward_matches_torch(torch, shape):
    r = rng(5)
    x, w, b = r.standard_normal(shape), r.standard_normal((2, 3)), r.standard_normal(2)
    u, v = r.standard_normal(shape), r.standard_normal((2, 3))

    def run(T, mk, lin, grad):
        xs = [mk(a) for a in (x, w, b)]
        y = lin(*xs)
        gx, gw = grad((y * y * y).sum(), xs[:2])
        ((gx * mk(u, False)).sum() + (gw * mk(v, False)).sum()).backward()
        return [a.grad for a in xs]

    ours = run(nl, lambda a, g=True: nl.tensor(a, requires_grad=g), F.linear,
               lambda out, ins: nl.autograd.grad(out, ins, create_graph=True))
    theirs = run(torch, lambda a, g=True: torch.tensor(a, requires_grad=g),
                 torch.nn.functional.linear,
                 lambda out, ins: torch.autograd.grad(out, ins, create_graph=True))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a), t.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------
# Linear: construction, init, errors
# ---------------------------------------------------------------------------
def test_linear_parameters_and_state_dict():
    m = nn.Linear(3, 4)
    assert m.weight.shape == (4, 3) and m.bias.shape == (4,)
    assert list(m.state_dict()) == ["weight", "bias"]
    m2 = nn.Linear(3, 4, bias=False)
    assert m2.bias is None and list(m2.state_dict()) == ["weight"]
    assert nn.Linear(3, 4, dtype=nl.float64).weight.dtype == np.float64
    assert nn.Linear(3, 4, device="cpu").in_features == 3


def test_linear_default_init_bounds_and_std():
    fan_in = 400
    m = nn.Linear(fan_in, 1000)
    bound = 1 / math.sqrt(fan_in)                       # kaiming_uniform_(a=sqrt(5))
    w, b = m.weight.array, m.bias.array
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound / math.sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound               # really U(-bound, bound)
    assert abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound / math.sqrt(3)


def test_linear_init_is_seeded():
    nl.manual_seed(7)
    a = nn.Linear(5, 5).weight.array.copy()
    nl.manual_seed(7)
    np.testing.assert_array_equal(nn.Linear(5, 5).weight.array, a)
    m = nn.Linear(5, 5)
    before = m.weight.array
    m.reset_parameters()
    assert m.weight.array is before                       # re-initialised in place


@pytest.mark.parametrize("args, error, pattern", [
    ((0, 3), ValueError, "in_features must be positive, got 0"),
    ((3, -1), ValueError, "out_features must be positive, got -1"),
    ((2.5, 3), TypeError, "in_features must be an int"),
    ((True, 3), TypeError, "in_features must be an int"),
])
def test_linear_bad_construction(args, error, pattern):
    with pytest.raises(error, match=pattern):
        nn.Linear(*args)


def test_linear_bad_dtype_and_device():
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(2, 2, dtype=np.int64)
    with pytest.raises(ValueError, match="CPU only"):
        nn.Linear(2, 2, device="cuda")


def test_linear_wrong_input_size_names_layer_and_shapes():
    m = nn.Linear(3, 4)
    with pytest.raises(ValueError, match=r"^Linear\(in_features=3\): expected input with last "
                                         r"dim 3, got shape \(2, 5\)$"):
        m(nl.zeros(2, 5))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        m(nl.tensor(1.0))
    with pytest.raises(ValueError, match=r"linear: expected input with last dim 3 \(weight "
                                         r"shape \(4, 3\)\), got shape \(2, 5\)"):
        F.linear(nl.zeros(2, 5), m.weight, m.bias)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\), got \(3,\)"):
        F.linear(nl.zeros(2, 3), m.weight, nl.zeros(3))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(nl.zeros(2, 3), nl.zeros(3), None)


# ---------------------------------------------------------------------------
# Bilinear
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("lead", [(4,), (), (2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(torch, lead, bias):
    m = nn.Bilinear(3, 2, 4, bias=bias, dtype=nl.float64)
    tm = torch_copy(torch, m, torch.nn.Bilinear(3, 2, 4, bias=bias, dtype=torch.float64))
    x1, x2 = rng(1).standard_normal(lead + (3,)), rng(2).standard_normal(lead + (2,))
    gy = rng(3).standard_normal(lead + (4,))
    a, b = leaf(x1), leaf(x2)
    ta, tb = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    y, ty = m(a, b), tm(ta, tb)
    y.backward(gy)
    ty.backward(torch.from_numpy(gy))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in [(a.grad, ta.grad), (b.grad, tb.grad), (m.weight.grad, tm.weight.grad)]:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(m.bias.grad, tm.bias.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert list(m.state_dict()) == list(tm.state_dict())


@given(lead=lead_dims, f1=features, f2=features, fout=features)
def test_bilinear_gradcheck(lead, f1, f2, fout):
    r = rng(f1 + 5 * f2 + 25 * fout)
    ins = (leaf(r.standard_normal(lead + (f1,))), leaf(r.standard_normal(lead + (f2,))),
           leaf(r.standard_normal((fout, f1, f2))), leaf(r.standard_normal(fout)))
    assert nl.gradcheck(F.bilinear, ins)


def test_bilinear_init_and_errors():
    m = nn.Bilinear(50, 7, 40)
    bound = 1 / math.sqrt(50)
    assert m.weight.shape == (40, 50, 7) and np.abs(m.weight.array).max() <= bound
    assert np.abs(m.bias.array).max() <= bound
    with pytest.raises(ValueError, match=r"Bilinear\(in1_features=50, in2_features=7\).*"
                                         r"got \(2, 50\) and \(3, 7\)"):
        m(nl.zeros(2, 50), nl.zeros(3, 7))
    with pytest.raises(ValueError, match="in2_features must be positive"):
        nn.Bilinear(2, 0, 3)


# ---------------------------------------------------------------------------
# Identity, Flatten, Unflatten
# ---------------------------------------------------------------------------
def test_identity():
    x = nl.randn(2, 3)
    assert nn.Identity(5, foo="bar")(x) is x
    assert list(nn.Identity().state_dict()) == []


@pytest.mark.parametrize("shape, start, end", [((2, 3, 4, 5), 1, -1), ((2, 3, 4, 5), 0, 2),
                                               ((2, 3, 4), 1, 1), ((2, 3), -2, -1)])
def test_flatten_matches_torch(torch, shape, start, end):
    x = rng().standard_normal(shape)
    y = nn.Flatten(start, end)(leaf(x))
    ty = torch.nn.Flatten(start, end)(torch.from_numpy(x))
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(y.array, ty.numpy())


@pytest.mark.parametrize("shape, dim, sizes", [((2, 12), 1, (3, 4)), ((2, 12, 5), -2, [2, -1, 3]),
                                               ((6,), 0, (6,))])
def test_unflatten_matches_torch_and_flatten_inverts_it(torch, shape, dim, sizes):
    x = leaf(rng().standard_normal(shape))
    y = nn.Unflatten(dim, sizes)(x)
    ty = torch.nn.Unflatten(dim, sizes)(torch.from_numpy(x.array))
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(y.array, ty.numpy())
    g = rng(1).standard_normal(y.shape)
    y.backward(g)
    np.testing.assert_array_equal(x.grad, g.reshape(shape))


def test_unflatten_errors():
    with pytest.raises(ValueError, match=r"cannot unflatten a dim of size 12 .*\(2, 12\)"):
        nn.Unflatten(1, (5, 3))(nl.zeros(2, 12))
    with pytest.raises(IndexError, match="out of range"):
        nn.Unflatten(3, (2, 6))(nl.zeros(2, 12))
    with pytest.raises(TypeError, match="tuple or list of ints"):
        nn.Unflatten(1, 12)
