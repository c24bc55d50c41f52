"""Tests for nnlite/ops/tensor_info.py: is_floating_point, is_complex, stride, data_ptr,
byte, char, short, against torch."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.uint8,
                                   np.bool_], ids=lambda d: np.dtype(d).name)
def test_dtype_predicates_match_torch(torch, dtype):
    x = np.zeros(2, dtype)
    assert nl.tensor(x).is_floating_point() == torch.tensor(x).is_floating_point()
    assert nl.tensor(x).is_complex() is False


@pytest.mark.parametrize("make", [
    lambda L: L.ones(2, 3, 4), lambda L: L.ones(2, 3, 4).permute(2, 0, 1),
    lambda L: L.ones(2, 3, 4).transpose(0, 2), lambda L: L.ones(2, 3, 4)[:, ::2, 1:],
    lambda L: L.ones(3, 1).expand(3, 5), lambda L: L.ones(5)[1:].unsqueeze(0),
    lambda L: L.tensor(1.0)])
def test_stride_in_elements_matches_torch(torch, make):
    ours, theirs = make(nl), make(torch)
    assert ours.stride() == theirs.stride()
    for d in range(-ours.dim(), ours.dim()):
        assert ours.stride(d) == theirs.stride(d)


def test_stride_errors_as_torch():
    with pytest.raises(IndexError):
        nl.ones(2).stride(1)
    with pytest.raises(IndexError, match="no dimensions"):
        nl.tensor(1.0).stride(0)


def test_data_ptr_is_shared_by_views():
    x = nl.zeros(4, 3)
    assert x.data_ptr() == x.view(12).data_ptr() == x.detach().data_ptr()
    assert x[1:].data_ptr() == x.data_ptr() + 3 * 4
    assert x.clone().data_ptr() != x.data_ptr()


@pytest.mark.parametrize("name,dtype", [("byte", np.uint8), ("char", np.int8),
                                        ("short", np.int16)])
def test_integer_casts_match_torch(torch, name, dtype):
    x = np.array([1.7, -0.5, 3.0, 100.9])
    if name == "byte":
        x = np.abs(x)
    ours = getattr(nl.tensor(x), name)()
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.array, getattr(torch.tensor(x), name)().numpy())
    same = nl.tensor(np.array([1, 2], dtype))
    assert getattr(same, name)() is same
