"""Tests of the torch methods of nnlite/tensor.py's ``Tensor`` that are not forwarders of
one op tested in tests/ops: ``new_tensor/new_zeros/new_ones/new_full/new_empty``,
``type_as``, ``__format__``, and the method spellings of ops (``t``, ``mm``, ``bmm``,
``dot``, ``outer``, ``where``, ...) against the functions and torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import nnlite as nl
from tests.ops._parity import check_parity


def _x(dtype: Any = np.float32) -> nl.Tensor:
    return nl.tensor(np.arange(6).reshape(2, 3).astype(dtype))


# ============================================================================
# new_* keep self's dtype unless told, and never join self's graph
# ============================================================================
NEW = [("new_zeros", lambda T, x: x.new_zeros(2, 3)),
       ("new_zeros_tuple", lambda T, x: x.new_zeros((2, 3))),
       ("new_zeros_list", lambda T, x: x.new_zeros([4])),
       ("new_zeros_scalar", lambda T, x: x.new_zeros(())),
       ("new_ones", lambda T, x: x.new_ones(3)),
       ("new_ones_dtype", lambda T, x: x.new_ones((2,), dtype=T.float64)),
       ("new_full", lambda T, x: x.new_full((2, 2), 7)),
       ("new_full_float", lambda T, x: x.new_full([3], 1.5)),
       ("new_full_dtype", lambda T, x: x.new_full((1,), 2, dtype=T.int32)),
       ("new_empty", lambda T, x: x.new_empty(2, 2).fill_(0)),
       ("new_tensor_list", lambda T, x: x.new_tensor([1.5, 2.5])),
       ("new_tensor_ints", lambda T, x: x.new_tensor([[1, 2], [3, 4]])),
       ("new_tensor_dtype", lambda T, x: x.new_tensor([1, 2], dtype=T.float64))]


@pytest.mark.parametrize("name, f", NEW, ids=[n for n, _ in NEW])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_new_factories_match_torch(torch, name: str, f: Callable, dtype: Any) -> None:
    a = np.arange(6).reshape(2, 3).astype(dtype)
    ours, theirs = f(nl, nl.tensor(a)), f(torch, torch.tensor(a))
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_new_tensor_copies_and_is_a_leaf() -> None:
    src = np.array([1.0, 2.0], np.float32)
    x = nl.tensor([0.0], requires_grad=True)
    y = x.new_tensor(src)
    src[0] = 9.0
    assert y.numpy()[0] == 1.0 and y.is_leaf and not y.requires_grad
    z = x.new_zeros(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf
    w = (x * 2).new_tensor(x)                     # from a tensor: a detached copy
    assert w.is_leaf and not w.requires_grad


def test_new_factories_refuse_bad_sizes_and_gpus() -> None:
    x = _x()
    with pytest.raises(TypeError, match=r"new_zeros: size must be non-negative ints"):
        x.new_zeros(-1)
    with pytest.raises(TypeError, match=r"new_full\(\): argument 'size' must be a sequence"):
        x.new_full(2, 1.0)
    with pytest.raises(RuntimeError, match=r"new_ones: nnlite runs on the CPU only"):
        x.new_ones(2, device="cuda")
    assert x.new_ones(2, device="cpu").shape == (2,)


# ============================================================================
# type_as, __format__
# ============================================================================
def test_type_as_casts_to_the_other_dtype() -> None:
    x = nl.tensor([1.5, 2.5], requires_grad=True)
    y = x.type_as(nl.zeros(1, dtype=nl.float64))
    assert y.dtype == np.float64
    y.sum().backward()
    assert np.asarray(x.grad).dtype == np.float32
    assert x.type_as(nl.zeros(1)) is x
    assert x.type_as(nl.zeros(1, dtype=nl.int64)).tolist() == [1, 2]


def test_format_as_torch(torch) -> None:
    loss = nl.tensor(0.123456, requires_grad=True) * 2
    assert f"{loss:.4f}" == "0.2469"
    assert f"{nl.tensor(3):04d}" == "0003" == f"{torch.tensor(3):04d}"
    assert "{:>8.2f}".format(nl.tensor(2.5)) == "    2.50"
    t = nl.tensor([1.0, 2.0])
    assert f"{t}" == repr(t)
    with pytest.raises(TypeError):           # as torch: a spec needs a 0-d tensor
        f"{t:.2f}"
    with pytest.raises(TypeError):
        f"{torch.tensor([1.0, 2.0]):.2f}"


# ============================================================================
# Method spellings of ops: the function's result and torch's
# ============================================================================
METHODS = [("t", lambda x, y: x.t()), ("mm", lambda x, y: x.mm(y.t())),
           ("bmm", lambda x, y: x.unsqueeze(0).bmm(y.t().unsqueeze(0))),
           ("dot", lambda x, y: x[0].dot(y[1])), ("outer", lambda x, y: x[0].outer(y[1])),
           ("addmm", lambda x, y: x[:, :2].addmm(x, y.t())),
           ("where", lambda x, y: x.where(x > y, y)),
           ("cumsum", lambda x, y: x.cumsum(1)), ("cumprod", lambda x, y: y.cumprod(dim=0)),
           ("triu", lambda x, y: x.triu(1)), ("tril", lambda x, y: x.tril()),
           ("diagonal", lambda x, y: x.diagonal(1)), ("narrow", lambda x, y: x.narrow(1, 1, 2))]


@pytest.mark.parametrize("name, f", METHODS, ids=[n for n, _ in METHODS])
def test_methods_match_torch(torch, name: str, f: Callable) -> None:
    rng = np.random.default_rng(0)
    check_parity(torch, f, f, [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))])


def test_mm_bmm_and_t_refuse_the_wrong_number_of_dims() -> None:
    with pytest.raises(ValueError, match=r"mm: expected 2-D tensors"):
        nl.ones(2, 3, 4).mm(nl.ones(4, 2))
    with pytest.raises(ValueError, match=r"bmm: expected 3-D tensors"):
        nl.ones(2, 3).bmm(nl.ones(3, 2))
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        nl.ones(2, 3, 4).t()


def test_torch_method_aliases(torch) -> None:
    """ndimension / nelement (dim / numel's old names) and clamp_min / clamp_max."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3))
    for lib in (nl, torch):
        x = lib.tensor(a)
        assert (x.ndimension(), x.nelement()) == (2, 6)
    check_parity(torch, lambda x, y: x.clamp_min(0.1), lambda x, y: x.clamp_min(0.1), [a, a])
    check_parity(torch, lambda x, y: x.clamp_max(-0.2), lambda x, y: x.clamp_max(-0.2), [a, a])
