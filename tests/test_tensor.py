"""The Tensor API: construction, factories, attributes, conversions, in-place rules."""
import numpy as np
import pytest

import nnlite as nl


# ---- construction and dtypes -----------------------------------------------------------
@pytest.mark.parametrize("data,dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([1, 2], np.int64), ([True], np.bool_),
    (np.zeros(2, np.float64), np.float64), (np.zeros(2, np.int32), np.int32),
])
def test_tensor_dtype_follows_torch_rules(data, dtype):
    assert nl.tensor(data).dtype == dtype


def test_tensor_copies_but_as_tensor_shares():
    a = np.zeros(3, np.float32)
    t, s = nl.tensor(a), nl.as_tensor(a)
    a[0] = 1
    assert t.array[0] == 0 and s.array[0] == 1


def test_default_dtype_can_change():
    try:
        nl.set_default_dtype(nl.float64)
        assert nl.tensor([1.0]).dtype == np.float64 and nl.zeros(2).dtype == np.float64
    finally:
        nl.set_default_dtype(nl.float32)
    assert nl.get_default_dtype() == np.float32
    with pytest.raises(TypeError, match="floating"):
        nl.set_default_dtype(np.int64)


def test_tensor_rejects_strings():
    with pytest.raises(TypeError, match="cannot make a tensor"):
        nl.tensor(["a", "b"])


# ---- factories -----------------------------------------------------------------------------
@pytest.mark.parametrize("make,shape,dtype", [
    (lambda: nl.zeros(2, 3), (2, 3), np.float32),
    (lambda: nl.ones((2, 3)), (2, 3), np.float32),
    (lambda: nl.empty(4), (4,), np.float32),
    (lambda: nl.full((2,), 7), (2,), np.int64),
    (lambda: nl.full((2,), 7.0), (2,), np.float32),
    (lambda: nl.zeros_like(nl.ones(2, dtype=nl.float64)), (2,), np.float64),
    (lambda: nl.ones_like(nl.ones(3, 1)), (3, 1), np.float32),
    (lambda: nl.arange(5), (5,), np.int64),
    (lambda: nl.arange(0, 1, 0.25), (4,), np.float32),
    (lambda: nl.linspace(0, 1, 5), (5,), np.float32),
    (lambda: nl.eye(3), (3, 3), np.float32),
    (lambda: nl.rand(2, 2), (2, 2), np.float32),
    (lambda: nl.randn(2, 5, dtype=nl.float64), (2, 5), np.float64),
    (lambda: nl.randint(0, 10, (3, 4)), (3, 4), np.int64),
    (lambda: nl.randint(10, (6,)), (6,), np.int64),
])
def test_factories(make, shape, dtype):
    t = make()
    assert t.shape == shape and t.dtype == dtype and not t.requires_grad


def test_factories_match_torch_values(torch):
    np.testing.assert_allclose(nl.linspace(-1, 2, 7).array, torch.linspace(-1, 2, 7).numpy())
    np.testing.assert_array_equal(nl.arange(2, 11, 3).array, torch.arange(2, 11, 3).numpy())
    np.testing.assert_array_equal(nl.eye(2, 3).array, torch.eye(2, 3).numpy())


def test_manual_seed_makes_draws_repeatable():
    nl.manual_seed(3)
    a = nl.randn(5).array
    nl.manual_seed(3)
    np.testing.assert_array_equal(a, nl.randn(5).array)
    r = nl.randint(2, 5, (1000,)).array
    assert r.min() >= 2 and r.max() < 5


def test_factory_bad_sizes():
    with pytest.raises(RuntimeError, match="non-negative"):      # torch's RuntimeErrors
        nl.zeros(-1, 2)
    with pytest.raises(RuntimeError, match="high"):
        nl.randint(5, 5, (2,))


# ---- attributes and conversions ---------------------------------------------------------
def test_attributes():
    t = nl.randn(2, 3, requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(1) == 3
    assert t.is_leaf and t.grad_fn is None and t.requires_grad
    y = t * 2
    assert not y.is_leaf and y.grad_fn is not None and "MulBackward" in repr(y)
    assert t.T.shape == (3, 2) and t.numel() == 6 and len(t) == 2
    assert t.numpy() is t.array


def test_item_tolist_and_python_conversions():
    t = nl.tensor([[1.5]])
    assert t.item() == 1.5 and float(t) == 1.5 and t.tolist() == [[1.5]]
    assert bool(nl.tensor(True)) and int(nl.tensor(3)) == 3
    with pytest.raises(ValueError, match=r"one-element.*\(2,\)"):
        nl.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(nl.tensor([1.0, 2.0]))


def test_detach_shares_data_and_cuts_graph():
    x = nl.randn(3, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None


@pytest.mark.parametrize("conv,dtype", [
    (lambda t: t.to(nl.float64), np.float64), (lambda t: t.double(), np.float64),
    (lambda t: t.float(), np.float32), (lambda t: t.astype(np.float16), np.float16),
    (lambda t: t.long(), np.int64), (lambda t: t.bool(), np.bool_),
])
def test_dtype_conversions(conv, dtype):
    assert conv(nl.randn(3, dtype=nl.float64)).dtype == dtype


def test_cast_is_differentiable_and_grad_keeps_leaf_dtype():
    x = nl.randn(3, requires_grad=True)
    (x.double() * 2).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, 2.0)


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating"):
        nl.arange(3).requires_grad_()
    y = nl.randn(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_comparisons_are_bool_and_not_differentiable():
    x = nl.randn(3, requires_grad=True)
    for c in (x > 0, x < 0, x >= 0, x <= 0, x == x, x != 0):
        assert c.dtype == np.bool_ and not c.requires_grad
    assert x in {x}                     # hashable by identity


# ---- in-place updates ----------------------------------------------------------------------
def test_inplace_on_leaf_needs_no_grad():
    w = nl.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place operation on a leaf"):
        w.fill_(1.0)
    with nl.no_grad():
        w.fill_(2.0).add_(1.0).mul_(2.0).sub_(1.0).div_(5.0)
        w.zero_()
        w[0] = 4.0
        w.copy_(np.ones(3))
    np.testing.assert_allclose(w.array, 1.0)


def test_inplace_keeps_dtype():
    w = nl.zeros(3)
    w.add_(np.float64(1.5))
    assert w.dtype == np.float32


def test_repr_looks_like_torch():
    assert repr(nl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(nl.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "dtype=float64" in repr(nl.tensor([1.0], dtype=nl.float64))


def test_numpy_ufuncs_and_arrays_on_the_left_give_tensors():
    x = nl.randn(3, requires_grad=True)
    for y in (np.exp(x), np.ones(3) * x, np.ones(3) - x, 2.0 ** x):
        assert isinstance(y, nl.Tensor) and y.requires_grad


def test_deepcopy_and_pickle_make_independent_leaves():
    import copy
    import pickle
    x = nl.randn(3, requires_grad=True)
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert y is not x and y.requires_grad and y.is_leaf
        np.testing.assert_array_equal(y.array, x.array)
        (y * 2).sum().backward()
        assert x.grad is None and y.grad is not None
    with pytest.raises(RuntimeError, match="leaves"):
        copy.deepcopy(x * 2)
