"""Tests of nnlite/nn/normalization.py: BatchNorm1d/2d, LayerNorm, GroupNorm,
LocalResponseNorm.

Parity with torch: the same module is built in both libraries (float64), torch's
randomised state is loaded into nnlite through ``load_state_dict``, and several training
steps compare outputs, input and parameter gradients, running statistics and
``num_batches_tracked``; then eval-mode outputs and gradients. Every option combination
of batch norm is covered (affine, bias, track_running_stats, momentum None).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import nnlite as nl
from nnlite.nn.normalization import (BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm,
                                     LocalResponseNorm)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=rtol, atol=atol)


def _randomise(tm, torch, seed=0):
    """Random parameters and running statistics in the torch module."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for t in tm.state_dict().values():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + 0.5)


def _load_from_torch(m, tm):
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})


def _steps(m, tm, shapes, torch, train=True):
    """Run forward/backward on the same inputs in both; compare after every step."""
    m.train(train)
    tm.train(train)
    for step, shape in enumerate(shapes):
        a = randn(*shape, seed=step) * (step + 1) + step
        gy = randn(*shape, seed=100 + step)
        x = nl.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        y, ty = m(x), tm(tx)
        y.backward(gy)
        ty.backward(torch.tensor(gy))
        _close(y.array, ty)
        _close(x.grad, tx.grad)
        for (k, v), (tk, tv) in zip(m.state_dict().items(), tm.state_dict().items()):
            assert k == tk
            _close(v, tv)
    for (k, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        _close(p.grad, tp.grad)


# ============================================================================
# BatchNorm: every option, train then eval, against torch
# ============================================================================
BN_CASES = [(BatchNorm1d, "BatchNorm1d", (6, 3)), (BatchNorm1d, "BatchNorm1d", (4, 3, 5)),
            (BatchNorm2d, "BatchNorm2d", (3, 3, 4, 5))]
OPTIONS = list(itertools.product([True, False], [True, False], [0.1, None]))


@pytest.mark.parametrize("cls,name,shape", BN_CASES)
@pytest.mark.parametrize("affine,track,momentum", OPTIONS)
def test_batch_norm_matches_torch(torch, cls, name, shape, affine, track, momentum):
    C = shape[1]
    kw = dict(affine=affine, track_running_stats=track, momentum=momentum)
    m = cls(C, dtype=nl.float64, **kw)
    tm = getattr(torch.nn, name)(C, dtype=torch.float64, **kw)
    _randomise(tm, torch)
    _load_from_torch(m, tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    _steps(m, tm, [shape] * 3, torch, train=True)               # batch stats, running update
    for t in (m, tm):
        t.zero_grad()
    _steps(m, tm, [shape] * 2, torch, train=False)              # eval: running stats
    if track:
        assert m.num_batches_tracked.array.dtype == np.int64
        assert m.num_batches_tracked.array.shape == ()
        assert int(m.num_batches_tracked.array) == 3


def test_batch_norm_bias_false_matches_torch(torch):
    m = BatchNorm2d(3, dtype=nl.float64, bias=False)
    tm = torch.nn.BatchNorm2d(3, dtype=torch.float64, bias=False)
    _randomise(tm, torch)
    _load_from_torch(m, tm)
    assert m.bias is None and list(m.state_dict()) == list(tm.state_dict())
    _steps(m, tm, [(2, 3, 4, 4)] * 2, torch)
    assert repr(m) == repr(tm)


def test_state_dict_keys_shapes_and_dtypes_equal_torch(torch):
    for cls, name, _ in BN_CASES:
        for affine, track in itertools.product([True, False], [True, False]):
            m = cls(5, affine=affine, track_running_stats=track)
            tm = getattr(torch.nn, name)(5, affine=affine, track_running_stats=track)
            sd, tsd = m.state_dict(), tm.state_dict()
            assert list(sd) == list(tsd)
            for k in sd:
                assert sd[k].shape == tuple(tsd[k].shape)
                assert sd[k].dtype == tsd[k].numpy().dtype


def test_loads_torch_state_dict_after_torch_training(torch):
    tm = torch.nn.BatchNorm2d(4)
    for i in range(3):
        tm(torch.randn(8, 4, 3, 3) * (i + 1) + i)
    m = BatchNorm2d(4)
    _load_from_torch(m, tm)
    assert int(m.num_batches_tracked.array) == 3
    tm.eval()
    m.eval()
    a = randn(2, 4, 3, 3).astype(np.float32)
    _close(m(nl.tensor(a)).array, tm(torch.tensor(a)), rtol=1e-5, atol=1e-6)


def test_checkpoint_without_num_batches_tracked_loads_as_torch():
    m = BatchNorm1d(3)
    sd = {k: v.copy() for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    m.load_state_dict(sd)                                  # strict: no missing-key error


def test_momentum_none_is_cumulative_average():
    m = BatchNorm1d(2, dtype=nl.float64, affine=False, momentum=None)
    batches = [randn(5, 2, seed=s) * (s + 1) + s for s in range(4)]
    for b in batches:
        m(nl.tensor(b))
    np.testing.assert_allclose(m.running_mean.array, np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(m.running_var.array,
                               np.mean([b.var(0, ddof=1) for b in batches], 0))


def test_no_running_stats_uses_batch_stats_in_eval():
    m = BatchNorm2d(3, track_running_stats=False).eval()
    assert m.running_mean is None and m.num_batches_tracked is None
    y = m(nl.randn(4, 3, 5, 5) * 3 + 2).array
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)


def test_eval_does_not_update_running_stats():
    m = BatchNorm2d(3).eval()
    m(nl.randn(4, 3, 5, 5) + 5)
    np.testing.assert_array_equal(m.running_mean.array, 0)
    assert int(m.num_batches_tracked.array) == 0


def test_reset_running_stats_and_parameters():
    m = BatchNorm2d(3)
    m(nl.randn(4, 3, 2, 2) + 1)
    with nl.no_grad():
        m.weight.fill_(3.0)
    m.reset_running_stats()
    np.testing.assert_array_equal(m.running_mean.array, 0)
    np.testing.assert_array_equal(m.running_var.array, 1)
    assert int(m.num_batches_tracked.array) == 0
    np.testing.assert_array_equal(m.weight.array, 3.0)
    m.reset_parameters()
    np.testing.assert_array_equal(m.weight.array, 1.0)
    np.testing.assert_array_equal(m.bias.array, 0.0)


def test_buffers_are_not_parameters():
    m = BatchNorm2d(3)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "running_var",
                                                 "num_batches_tracked"]


def test_float32_module_stays_float32_and_double_converts():
    m = BatchNorm2d(3)
    x = nl.randn(2, 3, 4, 4, requires_grad=True)
    y = m(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == m.weight.grad.dtype == np.float32
    assert m.running_mean.dtype == m.running_var.dtype == np.float32
    m.double()
    assert m.running_var.dtype == np.float64 and m.num_batches_tracked.dtype == np.int64
    assert m(nl.randn(2, 3, 4, 4, dtype=nl.float64)).dtype == np.float64


@pytest.mark.parametrize("make,x,match", [
    (lambda: BatchNorm2d(16), (2, 3, 8, 8), r"BatchNorm2d\(16\).*16 channels.*\(2, 3, 8, 8\)"),
    (lambda: BatchNorm2d(16), (2, 16, 8), r"BatchNorm2d\(16\).*4D.*3D.*\(2, 16, 8\)"),
    (lambda: BatchNorm1d(4), (2, 4, 3, 3), r"BatchNorm1d\(4\).*2D.*3D.*\(2, 4, 3, 3\)"),
    (lambda: BatchNorm1d(4), (2, 5), r"BatchNorm1d\(4\).*4 channels.*\(2, 5\)"),
    (lambda: BatchNorm1d(4), (1, 4), r"more than 1 value per channel"),
    (lambda: LayerNorm((3, 4)), (2, 4, 3), r"LayerNorm\(\(3, 4\)\).*\(\*, 3, 4\).*\(2, 4, 3\)"),
    (lambda: GroupNorm(2, 4), (2, 6, 3), r"GroupNorm\(2, 4\).*\(N, 4, \*\).*\(2, 6, 3\)"),
    (lambda: LocalResponseNorm(3), (2, 4), r"LocalResponseNorm\(3\).*\(2, 4\)"),
])
def test_bad_input_names_layer_and_shapes(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(nl.randn(*x))


@pytest.mark.parametrize("make,match", [
    (lambda: GroupNorm(4, 6), r"num_channels \(6\) must be divisible by num_groups \(4\)"),
    (lambda: BatchNorm2d(0), r"num_features must be positive"),
    (lambda: LayerNorm(()), r"at least one dim"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ============================================================================
# LayerNorm, GroupNorm, LocalResponseNorm
# ============================================================================
@pytest.mark.parametrize("norm,shape", [(6, (4, 6)), ((3, 5), (2, 4, 3, 5)), ([5], (2, 3, 5))])
@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, True)])
def test_layer_norm_matches_torch(torch, norm, shape, affine, bias):
    m = LayerNorm(norm, eps=1e-4, elementwise_affine=affine, bias=bias, dtype=nl.float64)
    tm = torch.nn.LayerNorm(norm, eps=1e-4, elementwise_affine=affine, bias=bias,
                            dtype=torch.float64)
    _randomise(tm, torch)
    _load_from_torch(m, tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    _steps(m, tm, [shape] * 2, torch)
    assert repr(m) == repr(tm)


@pytest.mark.parametrize("groups,C,shape", [(2, 4, (3, 4, 5)), (3, 6, (2, 6, 3, 3)),
                                            (1, 3, (2, 3)), (4, 4, (2, 4, 2, 3))])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_matches_torch(torch, groups, C, shape, affine):
    m = GroupNorm(groups, C, affine=affine, dtype=nl.float64)
    tm = torch.nn.GroupNorm(groups, C, affine=affine, dtype=torch.float64)
    _randomise(tm, torch)
    _load_from_torch(m, tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    _steps(m, tm, [shape] * 2, torch)
    assert repr(m) == repr(tm)


def test_local_response_norm_matches_torch(torch):
    m, tm = LocalResponseNorm(5, 1e-3, 0.75, 2.0), torch.nn.LocalResponseNorm(5, 1e-3, 0.75, 2.0)
    _steps(m, tm, [(2, 7, 4, 4), (1, 3, 5)], torch)
    assert repr(m) == repr(tm) and m.state_dict() == {}


def test_reprs_equal_torch(torch):
    pairs = [
        (BatchNorm2d(16), torch.nn.BatchNorm2d(16)),
        (BatchNorm1d(8, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
         torch.nn.BatchNorm1d(8, eps=1e-3, momentum=None, affine=False,
                              track_running_stats=False)),
        (LayerNorm(10), torch.nn.LayerNorm(10)),
        (LayerNorm((3, 4), elementwise_affine=False),
         torch.nn.LayerNorm((3, 4), elementwise_affine=False)),
        (GroupNorm(2, 8, eps=1e-6, affine=False),
         torch.nn.GroupNorm(2, 8, eps=1e-6, affine=False)),
        (LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
         torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_float32_layer_and_group_norm():
    for m, shape in [(LayerNorm(5), (2, 3, 5)), (GroupNorm(2, 4), (2, 4, 3)),
                     (LocalResponseNorm(3), (2, 4, 3))]:
        x = nl.randn(*shape, requires_grad=True)
        y = m(x)
        y.sum().backward()
        assert y.dtype == x.grad.dtype == np.float32
