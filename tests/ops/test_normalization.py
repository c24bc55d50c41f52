"""Tests of nnlite/ops/normalization.py: batch_norm (training and eval), layer_norm,
group_norm, local_response_norm.

- float64 gradient checks with hypothesis-drawn tiny shapes, w.r.t. every input;
- torch parity of outputs, gradients and running statistics (float64), including the
  BLAS path of batch norm (rows of >= 16 elements) and non-contiguous inputs;
- double backward against torch (gradient of a gradient);
- float32 stays float32 and matches torch to float32 accuracy at a larger shape;
- the inputs are never written to; bad shapes raise errors naming the shapes.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
from nnlite.ops.normalization import batch_norm, group_norm, layer_norm, local_response_norm

from ._parity import assert_close, check_double_backward, check_parity


def t64(a, grad=True):
    return nl.tensor(np.array(a, np.float64), requires_grad=grad)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ============================================================================
# Strategies: tiny (N, C, *spatial) shapes
# ============================================================================
@st.composite
def nc_shapes(draw, min_spatial=0, max_spatial=2, max_side=3):
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    spatial = draw(st.lists(st.integers(1, max_side), min_size=min_spatial,
                            max_size=max_spatial))
    return (n, c, *spatial)


def _affine(draw_flags, C, seed):
    has_w, has_b = draw_flags
    w = t64(randn(C, seed=seed + 1)) if has_w else None
    b = t64(randn(C, seed=seed + 2)) if has_b else None
    return w, b


def _inputs(*ts):
    return tuple(t for t in ts if t is not None)


# ============================================================================
# Gradient checks (float64)
# ============================================================================
@given(shape=nc_shapes(), flags=st.tuples(st.booleans(), st.booleans()),
       seed=st.integers(0, 1000))
def test_batch_norm_train_gradcheck(shape, flags, seed):
    if shape[0] * int(np.prod(shape[2:])) == 1:
        shape = (2,) + shape[1:]                     # training needs 2 values per channel
    x = t64(randn(*shape, seed=seed) * 2 + 1)
    w, b = _affine(flags, shape[1], seed)

    def f(x, *p):
        it = iter(p)
        return batch_norm(x, None, None, next(it) if w is not None else None,
                          next(it) if b is not None else None, training=True)

    assert nl.gradcheck(f, _inputs(x, w, b))


def test_batch_norm_train_gradcheck_blas_path():
    """Rows of >= 16 elements go through the BLAS row dots."""
    x = t64(randn(2, 3, 4, 5) * 3 - 2)
    w, b = t64(randn(3, seed=1)), t64(randn(3, seed=2))
    assert nl.gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
                        (x, w, b))


@pytest.mark.parametrize("flags", [(True, True), (False, False), (True, False)])
def test_batch_norm_in_chunks_matches_whole_passes_and_gradchecks(monkeypatch, flags):
    """Above CHUNKED_MIN_BYTES the passes run over chunks of images (an odd last one):
    the same values as whole passes, and the same gradients."""
    from nnlite.ops import normalization as Nm
    x = t64(randn(5, 3, 4, 5, seed=3) * 3 - 2)
    w, b = _affine(flags, 3, 4)
    g = randn(5, 3, 4, 5, seed=5)

    def run():
        xs = x.detach().requires_grad_()
        ps = [p.detach().requires_grad_() for p in (w, b) if p is not None]
        it = iter(ps)
        y = batch_norm(xs, None, None, next(it) if w is not None else None,
                       next(it) if b is not None else None, training=True)
        y.backward(nl.tensor(g))
        return [y.array, xs.grad.array] + [p.grad.array for p in ps]

    whole = run()
    monkeypatch.setattr(Nm, "CHUNKED_MIN_BYTES", 0)
    monkeypatch.setattr(Nm, "CHUNK_BYTES", 2 * x[0].array.nbytes)     # 2 + 2 + 1 images
    assert Nm._image_chunks(x.array.reshape(5, 3, 20), None)[0] == [(0, 2), (2, 4), (4, 5)]
    for a, b_ in zip(run(), whole):
        np.testing.assert_allclose(a, b_, rtol=1e-12, atol=1e-12)

    def f(x, *p):
        it = iter(p)
        return batch_norm(x, None, None, next(it) if w is not None else None,
                          next(it) if b is not None else None, training=True)

    assert nl.gradcheck(f, _inputs(x, w, b))


@given(shape=nc_shapes(), flags=st.tuples(st.booleans(), st.booleans()),
       seed=st.integers(0, 1000))
def test_batch_norm_eval_gradcheck(shape, flags, seed):
    C = shape[1]
    x = t64(randn(*shape, seed=seed))
    rm, rv = nl.tensor(randn(C, seed=seed + 3)), nl.tensor(np.abs(randn(C, seed=seed + 4)) + .5)
    w, b = _affine(flags, C, seed)

    def f(x, *p):
        it = iter(p)
        return batch_norm(x, rm, rv, next(it) if w is not None else None,
                          next(it) if b is not None else None, training=False)

    assert nl.gradcheck(f, _inputs(x, w, b))


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4),
       k=st.integers(1, 3), flags=st.tuples(st.booleans(), st.booleans()),
       seed=st.integers(0, 1000))
def test_layer_norm_gradcheck(shape, k, flags, seed):
    k = min(k, len(shape))
    norm = tuple(shape[len(shape) - k:])
    if int(np.prod(norm)) == 1:
        shape, norm = shape + [2], norm + (2,)
    x = t64(randn(*shape, seed=seed))
    w = t64(randn(*norm, seed=seed + 1)) if flags[0] else None
    b = t64(randn(*norm, seed=seed + 2)) if flags[1] else None

    def f(x, *p):
        it = iter(p)
        return layer_norm(x, norm, next(it) if w is not None else None,
                          next(it) if b is not None else None)

    assert nl.gradcheck(f, _inputs(x, w, b))


@given(n=st.integers(1, 2), groups=st.integers(1, 3), per=st.integers(1, 2),
       spatial=st.lists(st.integers(1, 3), max_size=2),
       flags=st.tuples(st.booleans(), st.booleans()), seed=st.integers(0, 1000))
def test_group_norm_gradcheck(n, groups, per, spatial, flags, seed):
    C = groups * per
    if per * int(np.prod(spatial)) == 1:
        spatial = spatial + [2]
    x = t64(randn(n, C, *spatial, seed=seed))
    w, b = _affine(flags, C, seed)

    def f(x, *p):
        it = iter(p)
        return group_norm(x, groups, next(it) if w is not None else None,
                          next(it) if b is not None else None)

    assert nl.gradcheck(f, _inputs(x, w, b))


@given(shape=nc_shapes(min_spatial=1), size=st.integers(1, 5),
       beta=st.sampled_from([0.75, 0.5, 1.3]), seed=st.integers(0, 1000))
def test_local_response_norm_gradcheck(shape, size, beta, seed):
    x = t64(randn(*shape, seed=seed))
    assert nl.gradcheck(lambda x: local_response_norm(x, size, alpha=0.7, beta=beta, k=1.5),
                        (x,))


# ============================================================================
# torch parity (float64): outputs, gradients, running statistics
# ============================================================================
SHAPES = [(5, 3), (4, 3, 7), (2, 3, 5, 6), (3, 2, 4, 5, 2), (2, 4, 9, 9)]


def _pair(a, torch):
    return t64(a), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch_train_then_eval(torch, shape, affine):
    F = torch.nn.functional
    C = shape[1]
    x, tx = _pair(randn(*shape) * 1.5 + 0.7, torch)
    w, tw = _pair(randn(C, seed=1), torch) if affine else (None, None)
    b, tb = _pair(randn(C, seed=2), torch) if affine else (None, None)
    rm, rv = nl.zeros(C, dtype=nl.float64), nl.ones(C, dtype=nl.float64)
    trm, trv = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
    for step in range(3):                          # running stats over several steps
        xs = randn(*shape, seed=10 + step) * (step + 1) + step
        x, tx = _pair(xs, torch)
        gy = randn(*shape, seed=20 + step)
        y = batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
        ty = F.batch_norm(tx, trm, trv, tw, tb, training=True, momentum=0.3)
        y.backward(gy)
        ty.backward(torch.tensor(gy))
        assert_close(y.array, ty)
        assert_close(x.grad, tx.grad)
        assert_close(rm.array, trm)
        assert_close(rv.array, trv)
    if affine:
        assert_close(w.grad, tw.grad)
        assert_close(b.grad, tb.grad)
    x, tx = _pair(randn(*shape, seed=5), torch)
    y = batch_norm(x, rm, rv, w, b, training=False)
    ty = F.batch_norm(tx, trm, trv, tw, tb, training=False)
    gy = randn(*shape, seed=6)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    assert_close(y.array, ty)
    assert_close(x.grad, tx.grad)
    if affine:
        assert_close(w.grad, tw.grad)
        assert_close(b.grad, tb.grad)


def test_batch_norm_non_contiguous_input(torch):
    a = randn(6, 5, 3, 4).transpose(3, 2, 1, 0)          # (4, 3, 5, 6) view
    x, tx = nl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    gy = randn(4, 3, 5, 6, seed=1)
    y = batch_norm(x, None, None, training=True)
    ty = torch.nn.functional.batch_norm(tx, None, None, training=True)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    assert_close(y.array, ty)
    assert_close(x.grad, tx.grad)


@pytest.mark.parametrize("shape,norm", [((4, 6), (6,)), ((2, 3, 5), (5,)),
                                        ((2, 3, 4, 5), (3, 4, 5)), ((3, 7, 20), (7, 20))])
def test_layer_norm_matches_torch(torch, shape, norm):
    check_parity(torch, lambda x, w, b: layer_norm(x, norm, w, b, eps=1e-3),
                 lambda x, w, b: torch.nn.functional.layer_norm(x, norm, w, b, eps=1e-3),
                 [randn(*shape) * 2 + 3, randn(*norm, seed=1), randn(*norm, seed=2)], seed=3)


@pytest.mark.parametrize("shape,groups", [((3, 6), 3), ((2, 6, 5), 2), ((2, 4, 3, 5), 4),
                                          ((2, 4, 3, 5), 1), ((1, 6, 2, 2, 2), 3)])
def test_group_norm_matches_torch(torch, shape, groups):
    C = shape[1]
    check_parity(torch, lambda x, w, b: group_norm(x, groups, w, b),
                 lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b),
                 [randn(*shape) - 1, randn(C, seed=1), randn(C, seed=2)], seed=3)


@pytest.mark.parametrize("shape", [(2, 7, 5), (2, 9, 4, 3), (1, 3, 2, 2, 2), (2, 2, 3)])
@pytest.mark.parametrize("size,alpha,beta,k", [(5, 1e-4, 0.75, 2.0), (2, 0.5, 0.75, 1.0),
                                               (4, 1.0, 1.5, 0.5), (1, 0.3, 0.6, 1.0),
                                               (9, 0.9, 0.75, 1.0)])
def test_local_response_norm_matches_torch(torch, shape, size, alpha, beta, k):
    check_parity(torch, lambda x: local_response_norm(x, size, alpha, beta, k),
                 lambda x: torch.nn.functional.local_response_norm(x, size, alpha, beta, k),
                 [randn(*shape) * 3], seed=1)


# ============================================================================
# Double backward: the gradient of the gradient, against torch
# ============================================================================
# first-order gradients to rtol 1e-9, second-order ones to rtol 1e-8
DOUBLE = dict(seed=7, rtol=1e-9, atol=1e-10, second_tol=(1e-8, 1e-9))


def test_double_backward_batch_norm_train(torch):
    check_double_backward(torch, lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
                          lambda x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b,
                                                                         training=True),
                          [randn(3, 2, 4, 5), randn(2, seed=1), randn(2, seed=2)], **DOUBLE)


def test_double_backward_batch_norm_eval(torch):
    rm, rv = randn(3, seed=3), np.abs(randn(3, seed=4)) + 0.5
    check_double_backward(
        torch,
        lambda x, w, b: batch_norm(x, nl.tensor(rm), nl.tensor(rv), w, b),
        lambda x, w, b: torch.nn.functional.batch_norm(x, torch.tensor(rm), torch.tensor(rv),
                                                       w, b),
        [randn(4, 3, 5), randn(3, seed=1), randn(3, seed=2)], **DOUBLE)


def test_double_backward_layer_and_group_norm(torch):
    F = torch.nn.functional
    check_double_backward(torch, lambda x, w, b: layer_norm(x, (3, 4), w, b),
                          lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
                          [randn(2, 3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2)], **DOUBLE)
    check_double_backward(torch, lambda x, w, b: group_norm(x, 2, w, b),
                          lambda x, w, b: F.group_norm(x, 2, w, b),
                          [randn(2, 4, 3), randn(4, seed=1), randn(4, seed=2)], **DOUBLE)


def test_double_backward_local_response_norm(torch):
    check_double_backward(torch, lambda x: local_response_norm(x, 3, 0.5, 0.75, 1.0),
                          lambda x: torch.nn.functional.local_response_norm(x, 3, 0.5, 0.75,
                                                                            1.0),
                          [randn(2, 5, 3)], **DOUBLE)


# ============================================================================
# float32
# ============================================================================
def test_float32_stays_float32():
    x = nl.randn(4, 3, 5, 5, requires_grad=True)
    w, b = nl.ones(3, requires_grad=True), nl.zeros(3, requires_grad=True)
    rm, rv = nl.zeros(3), nl.ones(3)
    outs = [batch_norm(x, rm, rv, w, b, training=True), batch_norm(x, rm, rv, w, b),
            layer_norm(x, (5, 5)), group_norm(x, 3, w, b), local_response_norm(x, 3)]
    for y in outs:
        assert y.dtype == np.float32
        y.backward(np.ones(y.shape, np.float32))
    for t in (x, w, b):
        assert t.grad.dtype == np.float32
    assert rm.dtype == rv.dtype == np.float32


def test_batch_norm_float32_accuracy_matches_torch(torch):
    """Row sums and dots run in float32 and the across-batch sums in float64: errors
    against a float64 reference are at torch's level, also with a large mean."""
    rng = np.random.default_rng(0)
    shape = (8, 4, 32, 32)
    x = (rng.standard_normal(shape) * 2 + 6).astype(np.float32)
    gy = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(4).astype(np.float32)
    ref_x = torch.tensor(x.astype(np.float64), requires_grad=True)
    ref = torch.nn.functional.batch_norm(ref_x, None, None, torch.tensor(w, dtype=torch.float64),
                                         training=True)
    ref.backward(torch.tensor(gy, dtype=torch.float64))
    ours_x = nl.tensor(x, requires_grad=True)
    y = batch_norm(ours_x, None, None, nl.tensor(w), training=True)
    y.backward(gy)
    th_x = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.batch_norm(th_x, None, None, torch.tensor(w), training=True)
    ty.backward(torch.tensor(gy))
    for ours, theirs, exact in [(y.array, ty, ref), (ours_x.grad, th_x.grad, ref_x.grad)]:
        exact = exact.detach().numpy()
        err_ours = np.abs(ours - exact).max()
        err_torch = np.abs(theirs.detach().numpy() - exact).max()
        assert err_ours <= 4 * err_torch + 1e-6


# ============================================================================
# Inputs untouched; errors
# ============================================================================
def test_inputs_are_not_mutated():
    a = randn(2, 3, 4, 5)
    x = t64(a.copy())
    w, b = t64(np.ones(3)), t64(np.zeros(3))
    gy = randn(2, 3, 4, 5, seed=1)
    gy0 = gy.copy()
    for y in (batch_norm(x, None, None, w, b, training=True), layer_norm(x, (4, 5)),
              group_norm(x, 3, w, b), local_response_norm(x, 2),
              batch_norm(x, nl.zeros(3, dtype=nl.float64), nl.ones(3, dtype=nl.float64))):
        y.backward(gy)
    np.testing.assert_array_equal(x.array, a)
    np.testing.assert_array_equal(gy, gy0)


def test_running_stats_not_part_of_graph():
    x = nl.randn(4, 3, requires_grad=True)
    rm, rv = nl.zeros(3), nl.ones(3)
    batch_norm(x, rm, rv, training=True)
    assert not rm.requires_grad and not rv.requires_grad
    assert np.abs(rm.array).max() > 0


@pytest.mark.parametrize("call,match", [
    (lambda: batch_norm(nl.randn(4, 3), nl.zeros(4), nl.ones(4)), r"running_mean.*\(3,\).*\(4,\)"),
    (lambda: batch_norm(nl.randn(4, 3, 2), None, None, nl.ones(2), training=True),
     r"weight.*\(3,\).*\(4, 3, 2\)"),
    (lambda: batch_norm(nl.randn(1, 3), None, None, training=True), r"more than 1 value"),
    (lambda: batch_norm(nl.randn(4), None, None, training=True), r"\(N, C, \*\).*\(4,\)"),
    (lambda: layer_norm(nl.randn(2, 3, 4), (3,)), r"\(2, 3, 4\).*normalized_shape \(3,\)"),
    (lambda: layer_norm(nl.randn(2, 3), (3,), nl.ones(4)), r"weight.*\(3,\).*\(4,\)"),
    (lambda: group_norm(nl.randn(2, 6, 3), 4), r"num_groups \(4\).*C=6"),
    (lambda: local_response_norm(nl.randn(2, 3), 2), r"3D.*\(2, 3\)"),
])
def test_bad_input_raises_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_eval_mode_without_running_stats_raises():
    with pytest.raises(RuntimeError, match="running_mean"):
        batch_norm(nl.randn(4, 3), None, None, training=False)
