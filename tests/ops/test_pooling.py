"""Tests of nnlite/ops/pooling.py: max / avg / lp / adaptive pooling and max_unpool.

1. An independent oracle: Python loops over output positions, written from torch's
   rules (output size, ceil_mode's last-window rule, divisors, adaptive bounds), checked
   against the vectorised forward (values and indices) over hypothesis-drawn geometries.
2. Float64 gradient checks over the same draws. Max pooling draws distinct values (a
   scaled random permutation) so no window has a tie within the finite-difference step.
3. Torch parity of outputs, indices and gradients (float64, rtol 1e-10) over a grid of
   named geometries (AlexNet 3/2, ResNet 3/2/1, ceil_mode, dilation, unbatched, 1-D,
   ties, global and non-divisible adaptive sizes), and of double backward.
4. float32 stays float32; bad arguments raise clear errors.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import nnlite as nl
from nnlite.ops import pooling as P

from ._parity import check_double_backward, check_float32, check_parity, gradcheck


# ============================================================================
# The oracle: loops over output positions
# ============================================================================
def ref_out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = (n + 2 * p - d * (k - 1) - 1) / s
    o = (math.ceil(span) if ceil_mode else math.floor(span)) + 1
    if ceil_mode and (o - 1) * s >= n + p:     # the last window starts in the right padding
        o -= 1
    return o


def ref_max_pool2d(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple,
                   ceil_mode: bool) -> tuple:
    """Values and flat indices; the first maximum in row-major window order wins."""
    N, C, H, W = x.shape
    OH = ref_out_size(H, k[0], s[0], p[0], d[0], ceil_mode)
    OW = ref_out_size(W, k[1], s[1], p[1], d[1], ceil_mode)
    y, idx = np.zeros((N, C, OH, OW)), np.zeros((N, C, OH, OW), np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    best, where = -np.inf, None
                    for kh in range(k[0]):
                        for kw in range(k[1]):
                            r, q = i * s[0] - p[0] + kh * d[0], j * s[1] - p[1] + kw * d[1]
                            if 0 <= r < H and 0 <= q < W:
                                if where is None or x[n, c, r, q] > best:
                                    best, where = x[n, c, r, q], r * W + q
                    # a dilated window may lie entirely in the padding: -inf, and no
                    # meaningful index (torch's points outside the plane); -1 here
                    y[n, c, i, j], idx[n, c, i, j] = best, -1 if where is None else where
    return y, idx


def assert_indices_equal(idx: np.ndarray, ref: np.ndarray) -> None:
    inside = ref >= 0
    np.testing.assert_array_equal(np.where(inside, idx, -1), ref)


def ref_avg_pool2d(x: np.ndarray, k: tuple, s: tuple, p: tuple, ceil_mode: bool,
                   count_include_pad: bool, divisor_override: Any) -> np.ndarray:
    N, C, H, W = x.shape
    OH = ref_out_size(H, k[0], s[0], p[0], 1, ceil_mode)
    OW = ref_out_size(W, k[1], s[1], p[1], 1, ceil_mode)
    y = np.zeros((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            r0, q0 = i * s[0] - p[0], j * s[1] - p[1]
            # the window clipped to input + padding, then to the input
            r1, q1 = min(r0 + k[0], H + p[0]), min(q0 + k[1], W + p[1])
            padded = (r1 - r0) * (q1 - q0)
            rows = [r for r in range(r0, r1) if 0 <= r < H]
            cols = [q for q in range(q0, q1) if 0 <= q < W]
            total = sum(x[:, :, r, q] for r in rows for q in cols)
            div = (divisor_override if divisor_override is not None
                   else padded if count_include_pad else len(rows) * len(cols))
            y[:, :, i, j] = total / div
    return y


def ref_lp_pool2d(x: np.ndarray, norm_type: float, k: tuple, s: tuple,
                  ceil_mode: bool) -> np.ndarray:
    """(sum of x**p over the window's input elements * KH*KW / their count) ** (1/p)."""
    N, C, H, W = x.shape
    OH = ref_out_size(H, k[0], s[0], 0, 1, ceil_mode)
    OW = ref_out_size(W, k[1], s[1], 0, 1, ceil_mode)
    y = np.zeros((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            count = win.shape[2] * win.shape[3]
            y[:, :, i, j] = ((win ** norm_type).sum((2, 3)) * (k[0] * k[1]) / count) \
                ** (1 / norm_type)
    return y


def ref_adaptive(x: np.ndarray, out: tuple, kind: str) -> tuple:
    """Adaptive avg or max over windows [floor(i*H/OH), ceil((i+1)*H/OH))."""
    N, C, H, W = x.shape
    OH, OW = out
    y, idx = np.zeros((N, C, OH, OW)), np.zeros((N, C, OH, OW), np.int64)
    for i in range(OH):
        r0, r1 = (i * H) // OH, math.ceil((i + 1) * H / OH)
        for j in range(OW):
            q0, q1 = (j * W) // OW, math.ceil((j + 1) * W / OW)
            win = x[:, :, r0:r1, q0:q1]
            if kind == "avg":
                y[:, :, i, j] = win.mean((2, 3))
            else:
                flat = win.reshape(N, C, -1)
                a = flat.argmax(-1)
                y[:, :, i, j] = flat.max(-1)
                idx[:, :, i, j] = (r0 + a // win.shape[3]) * W + q0 + a % win.shape[3]
    return y, idx


# ============================================================================
# Hypothesis draws: tiny geometries with a non-empty output
# ============================================================================
def distinct(shape: tuple, seed: int) -> np.ndarray:
    """Distinct values 0.1 apart (a random permutation), centred: no ties in a window."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) - n / 2) * 0.1


@st.composite
def geometry(draw: Any, dilation: bool = True, padding: bool = True) -> dict:
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    H, W = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2))) if padding \
        else (0, 0)
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    ceil_mode = draw(st.booleans())
    assume(ref_out_size(H, k[0], s[0], p[0], d[0], ceil_mode) >= 1)
    assume(ref_out_size(W, k[1], s[1], p[1], d[1], ceil_mode) >= 1)
    return dict(shape=(N, C, H, W), k=k, s=s, p=p, d=d, ceil_mode=ceil_mode,
                seed=draw(st.integers(0, 2 ** 16)))


def _max(g: dict, **kw: Any) -> Any:
    return lambda t: P.max_pool2d(t, g["k"], g["s"], g["p"], g["d"], g["ceil_mode"], **kw)


@given(g=geometry())
def test_max_pool2d_matches_loop_oracle(g: dict) -> None:
    x = distinct(g["shape"], g["seed"])
    y, idx = _max(g, return_indices=True)(nl.tensor(x))
    ry, ridx = ref_max_pool2d(x, g["k"], g["s"], g["p"], g["d"], g["ceil_mode"])
    np.testing.assert_array_equal(y.array, ry)
    assert_indices_equal(idx.array, ridx)


@given(g=geometry())
def test_max_pool2d_gradcheck(g: dict) -> None:
    x = distinct(g["shape"], g["seed"])
    assume(np.isfinite(ref_max_pool2d(x, g["k"], g["s"], g["p"], g["d"], g["ceil_mode"])[0])
           .all())                      # a window wholly in the padding is -inf: no slope
    gradcheck(_max(g), [x])


@given(g=geometry())
def test_max_pool2d_ties_follow_first_maximum(g: dict) -> None:
    """Integer values in {0, 1, 2}: many ties; indices still equal the oracle's."""
    x = np.random.default_rng(g["seed"]).integers(0, 3, g["shape"]).astype(np.float64)
    _, idx = _max(g, return_indices=True)(nl.tensor(x))
    assert_indices_equal(
        idx.array, ref_max_pool2d(x, g["k"], g["s"], g["p"], g["d"], g["ceil_mode"])[1])


@st.composite
def avg_geometry(draw: Any) -> tuple:
    g = draw(geometry(dilation=False))
    return g, draw(st.booleans()), draw(st.none() | st.integers(1, 5))


@given(a=avg_geometry())
def test_avg_pool2d_matches_loop_oracle_and_gradcheck(a: tuple) -> None:
    g, include_pad, override = a
    x = np.random.default_rng(g["seed"]).standard_normal(g["shape"])

    def f(t):
        return P.avg_pool2d(t, g["k"], g["s"], g["p"], g["ceil_mode"], include_pad, override)
    np.testing.assert_allclose(f(nl.tensor(x)).array, ref_avg_pool2d(
        x, g["k"], g["s"], g["p"], g["ceil_mode"], include_pad, override), rtol=1e-12, atol=1e-12)
    gradcheck(f, [x])


@given(g=geometry(dilation=False, padding=False), norm=st.sampled_from([1, 2, 3, 1.5]))
def test_lp_pool2d_matches_loop_oracle_and_gradcheck(g: dict, norm: float) -> None:
    x = np.random.default_rng(g["seed"]).uniform(0.5, 2.0, g["shape"])   # positive: x**1.5

    def f(t):
        return P.lp_pool2d(t, norm, g["k"], g["s"], g["ceil_mode"])
    np.testing.assert_allclose(f(nl.tensor(x)).array,
                               ref_lp_pool2d(x, norm, g["k"], g["s"], g["ceil_mode"]),
                               rtol=1e-12, atol=1e-12)
    gradcheck(f, [x])


@given(H=st.integers(1, 7), W=st.integers(1, 7), OH=st.integers(1, 8), OW=st.integers(1, 8),
       seed=st.integers(0, 2 ** 16))
def test_adaptive_pools_match_loop_oracle_and_gradcheck(H: int, W: int, OH: int, OW: int,
                                                         seed: int) -> None:
    x = distinct((2, 2, H, W), seed)
    ry, ridx = ref_adaptive(x, (OH, OW), "max")
    y, idx = P.adaptive_max_pool2d(nl.tensor(x), (OH, OW), return_indices=True)
    np.testing.assert_array_equal(y.array, ry)
    np.testing.assert_array_equal(idx.array, ridx)
    np.testing.assert_allclose(P.adaptive_avg_pool2d(nl.tensor(x), (OH, OW)).array,
                               ref_adaptive(x, (OH, OW), "avg")[0], rtol=1e-12, atol=1e-12)
    gradcheck(lambda t: P.adaptive_max_pool2d(t, (OH, OW)), [x])
    gradcheck(lambda t: P.adaptive_avg_pool2d(t, (OH, OW)), [x])


# ============================================================================
# Torch parity over named geometries
# ============================================================================
# (id, input shape, kernel, stride, padding, dilation, ceil_mode)
MAX_GRID = [
    ("alexnet_3_2", (2, 3, 13, 13), 3, 2, 0, 1, False),
    ("resnet_3_2_1", (2, 3, 16, 16), 3, 2, 1, 1, False),
    ("vgg_2x2", (2, 3, 8, 8), 2, 2, 0, 1, False),
    ("2x2_odd_floor", (2, 3, 7, 9), 2, 2, 0, 1, False),
    ("2x2_odd_ceil", (2, 3, 7, 9), 2, 2, 0, 1, True),
    ("3_2_ceil", (2, 2, 11, 10), 3, 2, 0, 1, True),
    ("3_2_1_ceil", (2, 2, 10, 11), 3, 2, 1, 1, True),
    ("ceil_last_window_in_padding", (1, 2, 5, 5), 3, 3, 1, 1, True),
    ("stride_gt_kernel", (2, 2, 9, 10), 2, 3, 1, 1, False),
    ("stride_1_pad_1", (2, 2, 6, 5), 3, 1, 1, 1, False),
    ("stride_1_no_pad", (2, 2, 6, 5), 3, 1, 0, 1, False),
    ("dilated", (2, 2, 11, 12), 3, 2, 1, 2, True),
    ("rect", (2, 2, 9, 8), (3, 2), (2, 1), (1, 0), (1, 2), False),
    ("kernel_1", (2, 2, 5, 4), 1, 2, 0, 1, True),
    ("whole_image", (2, 2, 4, 5), (4, 5), 1, 0, 1, False),
    ("unbatched", (3, 9, 9), 3, 2, 1, 1, False),
]
MAX_IDS = [c[0] for c in MAX_GRID]


def _th_max(k, s, p, d, c, ri=True):
    import torch
    return lambda t: torch.nn.functional.max_pool2d(t, k, s, p, d, c, return_indices=ri)


def _nl_max(k, s, p, d, c, ri=True):
    return lambda t: P.max_pool2d(t, k, s, p, d, c, return_indices=ri)


@pytest.mark.parametrize("case", MAX_GRID, ids=MAX_IDS)
def test_max_pool2d_torch_parity(torch, case: tuple) -> None:
    _, shape, *args = case
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, _nl_max(*args), _th_max(*args), [x])
    ties = np.random.default_rng(1).integers(0, 3, shape).astype(np.float64)  # ReLU-like
    check_parity(torch, _nl_max(*args), _th_max(*args), [ties])


@pytest.mark.parametrize("case", MAX_GRID[:3] + MAX_GRID[5:7], ids=MAX_IDS[:3] + MAX_IDS[5:7])
def test_max_pool2d_double_backward(torch, case: tuple) -> None:
    _, shape, *args = case
    x = np.random.default_rng(0).standard_normal(shape)
    check_double_backward(torch, _nl_max(*args, ri=False), _th_max(*args, ri=False), [x])


def test_max_pool2d_all_minus_inf_window_points_inside_the_input(torch) -> None:
    x = np.full((1, 1, 4, 4), -np.inf)
    x[0, 0, 3, 3] = 1.0
    y, idx = P.max_pool2d(nl.tensor(x), 3, 2, 1, return_indices=True)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(y.array, yt.numpy())
    np.testing.assert_array_equal(idx.array, it.numpy())


def test_max_pool2d_nan_propagates() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    y = P.max_pool2d(nl.tensor(x), 2)
    assert np.isnan(y.array[0, 0, 0, 0]) and not np.isnan(y.array[0, 0, 1:, 1:]).any()


MAX1D_GRID = [("3_2_1", (2, 3, 11), 3, 2, 1, 1, False), ("2x2", (2, 3, 8), 2, 2, 0, 1, False),
              ("ceil_dilated", (2, 3, 12), 3, 2, 1, 2, True),
              ("unbatched", (3, 10), 4, 3, 2, 1, True)]


@pytest.mark.parametrize("case", MAX1D_GRID, ids=[c[0] for c in MAX1D_GRID])
def test_max_pool1d_torch_parity(torch, case: tuple) -> None:
    _, shape, k, s, p, d, c = case
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: P.max_pool1d(t, k, s, p, d, c, return_indices=True),
                 lambda t: torch.nn.functional.max_pool1d(t, k, s, p, d, c,
                                                          return_indices=True), [x])


# (id, shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_GRID = [
    ("2x2", (2, 3, 8, 8), 2, 2, 0, False, True, None),
    ("3_2_1", (2, 3, 16, 16), 3, 2, 1, False, True, None),
    ("3_2_1_exclude_pad", (2, 3, 16, 16), 3, 2, 1, False, False, None),
    ("3_2_1_ceil", (2, 2, 10, 11), 3, 2, 1, True, True, None),
    ("3_2_1_ceil_exclude_pad", (2, 2, 10, 11), 3, 2, 1, True, False, None),
    ("2_2_ceil_odd", (2, 2, 7, 9), 2, 2, 0, True, True, None),
    ("ceil_last_window_in_padding", (1, 2, 5, 5), 3, 3, 1, True, True, None),
    ("divisor_override", (2, 2, 9, 8), 3, 2, 1, True, True, 5),
    ("rect_stride1", (2, 2, 6, 7), (3, 2), 1, (1, 1), False, False, None),
    ("unbatched", (3, 9, 9), 3, 2, 1, False, True, None),
]


@pytest.mark.parametrize("case", AVG_GRID, ids=[c[0] for c in AVG_GRID])
def test_avg_pool2d_torch_parity_and_double_backward(torch, case: tuple) -> None:
    _, shape, *args = case
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: P.avg_pool2d(t, *args),
                 lambda t: torch.nn.functional.avg_pool2d(t, *args), [x])
    check_double_backward(torch, lambda t: P.avg_pool2d(t, *args),
                          lambda t: torch.nn.functional.avg_pool2d(t, *args), [x])


@pytest.mark.parametrize("args", [(3, 2, 1, False, True), (2, 2, 0, True, False),
                                  (4, 3, 2, True, True)])
def test_avg_pool1d_torch_parity(torch, args: tuple) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 11))
    check_parity(torch, lambda t: P.avg_pool1d(t, *args),
                 lambda t: torch.nn.functional.avg_pool1d(t, *args), [x])


# (id, norm_type, kernel, stride, ceil_mode)
LP_GRID = [("l2_2x2", 2, 2, None, False), ("l2_3_2_ceil", 2, 3, 2, True),
           ("l1_rect", 1, (3, 2), (1, 2), False), ("l3", 3, 2, 1, False),
           ("l1.5", 1.5, 3, 2, True), ("linf", math.inf, 2, None, False)]


@pytest.mark.parametrize("case", LP_GRID, ids=[c[0] for c in LP_GRID])
def test_lp_pool2d_torch_parity(torch, case: tuple) -> None:
    _, norm, k, s, c = case
    x = np.random.default_rng(0).uniform(0.1, 2.0, (2, 3, 7, 8))
    check_parity(torch, lambda t: P.lp_pool2d(t, norm, k, s, c),
                 lambda t: torch.nn.functional.lp_pool2d(t, norm, k, s, c), [x])


def test_lp_pool_sign_relu_detail_matches_torch(torch) -> None:
    """Zero windows have gradient 0 (not NaN); signed sums follow sign(a) * relu(|a|)."""
    x = np.zeros((1, 2, 4, 4))
    x[0, 1] = np.random.default_rng(0).standard_normal((4, 4))
    for norm in (2, 3, 1):
        check_parity(torch, lambda t: P.lp_pool2d(t, norm, 2),
                     lambda t: torch.nn.functional.lp_pool2d(t, norm, 2), [x])
    check_parity(torch, lambda t: P.lp_pool1d(t, 2, 3, 2, True),
                 lambda t: torch.nn.functional.lp_pool1d(t, 2, 3, 2, True), [x[0]])


# (id, shape, output_size)
ADAPTIVE_GRID = [
    ("global", (2, 3, 7, 7), 1), ("global_rect", (2, 3, 5, 9), (1, 1)),
    ("divisible", (2, 3, 8, 12), (4, 3)), ("divisible_big_blocks", (2, 3, 12, 10), (2, 2)),
    ("non_divisible", (2, 3, 10, 11), (4, 3)), ("larger_than_input", (2, 3, 3, 2), (5, 4)),
    ("none_keeps_size", (2, 3, 6, 10), (None, 3)), ("identity", (2, 3, 5, 4), (5, 4)),
    ("unbatched", (3, 9, 7), (4, 4)),
]


@pytest.mark.parametrize("case", ADAPTIVE_GRID, ids=[c[0] for c in ADAPTIVE_GRID])
def test_adaptive_pools_torch_parity_and_double_backward(torch, case: tuple) -> None:
    F = torch.nn.functional
    _, shape, out = case
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: P.adaptive_avg_pool2d(t, out),
                 lambda t: F.adaptive_avg_pool2d(t, out), [x])
    check_parity(torch, lambda t: P.adaptive_max_pool2d(t, out, True),
                 lambda t: F.adaptive_max_pool2d(t, out, True), [x])
    ties = np.random.default_rng(1).integers(0, 2, shape).astype(np.float64)
    check_parity(torch, lambda t: P.adaptive_max_pool2d(t, out, True),
                 lambda t: F.adaptive_max_pool2d(t, out, True), [ties])
    check_double_backward(torch, lambda t: P.adaptive_avg_pool2d(t, out),
                          lambda t: F.adaptive_avg_pool2d(t, out), [x])
    check_double_backward(torch, lambda t: P.adaptive_max_pool2d(t, out),
                          lambda t: F.adaptive_max_pool2d(t, out), [x])


@pytest.mark.parametrize("L, out", [(10, 4), (12, 3), (5, 7), (9, 1)])
def test_adaptive_pools_1d_torch_parity(torch, L: int, out: int) -> None:
    F = torch.nn.functional
    x = np.random.default_rng(0).standard_normal((2, 3, L))
    check_parity(torch, lambda t: P.adaptive_avg_pool1d(t, out),
                 lambda t: F.adaptive_avg_pool1d(t, out), [x])
    check_parity(torch, lambda t: P.adaptive_max_pool1d(t, out, True),
                 lambda t: F.adaptive_max_pool1d(t, out, True), [x])


def test_max_unpool2d_inverts_max_pool2d_as_torch(torch) -> None:
    F = torch.nn.functional
    y, idx = P.max_pool2d(nl.tensor(np.random.default_rng(1).standard_normal((2, 3, 9, 11))),
                          3, 2, 1, return_indices=True)
    x = np.random.default_rng(0).standard_normal(idx.shape)
    it = torch.tensor(idx.array)
    check_parity(torch, lambda t: P.max_unpool2d(t, idx, 3, 2, 1, output_size=(9, 11)),
                 lambda t: F.max_unpool2d(t, it, 3, 2, 1, output_size=(9, 11)), [x])
    check_parity(torch, lambda t: P.max_unpool2d(t, idx, 3, 2, 1),
                 lambda t: F.max_unpool2d(t, it, 3, 2, 1), [x])


# ============================================================================
# dtype, grad mode, no mutation
# ============================================================================
FLOAT32_CASES = {
    "max_pool2d_3_2_1": lambda t: P.max_pool2d(t, 3, 2, 1),
    "max_pool2d_2x2": lambda t: P.max_pool2d(t, 2),
    "max_pool1d": lambda t: P.max_pool1d(t.reshape(2, 3, -1), 3, 2),
    "avg_pool2d_ceil": lambda t: P.avg_pool2d(t, 3, 2, 1, True, False),
    "avg_pool1d": lambda t: P.avg_pool1d(t.reshape(2, 3, -1), 2),
    "lp_pool2d": lambda t: P.lp_pool2d(t, 2, 2),
    "adaptive_avg_global": lambda t: P.adaptive_avg_pool2d(t, 1),
    "adaptive_avg_odd": lambda t: P.adaptive_avg_pool2d(t, (3, 4)),
    "adaptive_max_odd": lambda t: P.adaptive_max_pool2d(t, (3, 4)),
    "adaptive_max_2x2": lambda t: P.adaptive_max_pool2d(t, 4),
}


@pytest.mark.parametrize("name", list(FLOAT32_CASES))
def test_float32_stays_float32(name: str) -> None:
    check_float32(FLOAT32_CASES[name], [np.random.default_rng(0).uniform(0.1, 1, (2, 3, 8, 8))],
                  create_graph=name != "lp_pool2d")      # lp_pool's root: once differentiable


def test_no_grad_forward_and_indices_match_the_recorded_ones() -> None:
    x = nl.tensor(np.random.default_rng(0).standard_normal((2, 3, 9, 9)), requires_grad=True)
    y, idx = P.max_pool2d(x, 3, 2, 1, return_indices=True)
    with nl.no_grad():
        y2 = P.max_pool2d(x, 3, 2, 1)
        _, idx2 = P.max_pool2d(x, 3, 2, 1, return_indices=True)
    assert not y2.requires_grad and y.requires_grad and not idx.requires_grad
    np.testing.assert_array_equal(y.array, y2.array)
    np.testing.assert_array_equal(idx.array, idx2.array)
    assert idx.dtype == np.int64


def test_backward_does_not_mutate_input_or_upstream_gradient() -> None:
    rng = np.random.default_rng(0)
    for f in (lambda t: P.max_pool2d(t, 3, 2, 1), lambda t: P.avg_pool2d(t, 2),
              lambda t: P.max_pool2d(t, 2), lambda t: P.adaptive_avg_pool2d(t, (3, 2))):
        x0 = rng.standard_normal((2, 3, 8, 8))
        x = nl.tensor(x0.copy(), requires_grad=True)
        y = f(x)
        gy = rng.standard_normal(y.shape)
        gy0 = gy.copy()
        y.backward(gy)
        np.testing.assert_array_equal(x.array, x0)
        np.testing.assert_array_equal(gy, gy0)


def test_non_contiguous_input_and_upstream_gradient() -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal((9, 9, 3, 2))
    x = nl.tensor(base, requires_grad=True)
    xt = x.permute(3, 2, 0, 1)                           # (2, 3, 9, 9), not contiguous
    y = P.max_pool2d(xt, 3, 2, 1)
    gy = rng.standard_normal((5, 5, 3, 2)).transpose(3, 2, 0, 1)
    y.backward(gy)
    ref = ref_max_pool2d(base.transpose(3, 2, 0, 1), (3, 3), (2, 2), (1, 1), (1, 1), False)
    np.testing.assert_array_equal(y.array, ref[0])
    assert x.grad.shape == base.shape and np.isclose(x.grad.sum(), gy.sum())


# ============================================================================
# Errors
# ============================================================================
@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.max_pool2d(nl.randn(1, 2, 2, 2), 3), ValueError, r"\(2, 2\).*too small"),
    (lambda: P.avg_pool2d(nl.randn(1, 2, 2, 2), 3), ValueError, r"too small"),
    (lambda: P.max_pool2d(nl.randn(4, 4), 2), ValueError, r"3-D or 4-D.*\(4, 4\)"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 1, 4, 4), 2), ValueError, r"got shape \(1, 1, 1, 4, 4\)"),
    (lambda: P.max_pool1d(nl.randn(4, 4, 4, 4), 2), ValueError, r"2-D or 3-D"),
    (lambda: P.max_pool2d(nl.randn(1, 0, 4, 4), 2), ValueError, r"non-empty"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), 3, 1, 2), ValueError, r"at most half"),
    (lambda: P.avg_pool2d(nl.randn(1, 1, 5, 5), 2, 1, 2), ValueError, r"at most half"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), 2, 0), ValueError, r"stride"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), 0), ValueError, r"kernel_size"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), 2, dilation=0), ValueError, r"dilation"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), (2, 2, 2)), TypeError, r"kernel_size"),
    (lambda: P.max_pool2d(nl.randn(1, 1, 5, 5), 2.5), TypeError, r"kernel_size"),
    (lambda: P.max_pool2d(nl.tensor(np.ones((1, 1, 4, 4), np.int64)), 2), TypeError,
     r"floating"),
    (lambda: P.avg_pool2d(nl.randn(1, 1, 5, 5), 2, divisor_override=0), ValueError, r"divisor"),
    (lambda: P.adaptive_avg_pool2d(nl.randn(1, 1, 5, 5), (2, 2, 2)), TypeError,
     r"output_size"),
    (lambda: P.adaptive_max_pool2d(nl.randn(1, 1, 5, 5), (0, 2)), ValueError, r"positive"),
    (lambda: P.adaptive_avg_pool2d(nl.randn(5, 5), 2), ValueError, r"3-D or 4-D"),
    (lambda: P.max_pool2d(np.ones((1, 1, 4, 4)), 2), TypeError, r"Tensor"),
])
def test_errors_name_the_op_and_shapes(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_empty_batch_is_allowed() -> None:
    y, idx = P.max_pool2d(nl.randn(0, 2, 5, 5), 2, return_indices=True)
    assert y.shape == (0, 2, 2, 2) and idx.shape == (0, 2, 2, 2)
    assert P.avg_pool2d(nl.randn(0, 2, 5, 5), 3, 2, 1).shape == (0, 2, 3, 3)


# ============================================================================
# Blocking: the kernels walk the planes in cache-sized blocks
# ============================================================================
@pytest.mark.parametrize("block", [1, 70, 200])
def test_blocked_kernels_equal_the_oracle(torch, monkeypatch: Any, block: int) -> None:
    """Tiny blocks (1 plane, a few planes, a partial last block) give the same results."""
    F = torch.nn.functional
    monkeypatch.setattr(P, "_BLOCK", block)
    P._windows.cache_clear()
    try:
        x = np.random.default_rng(0).standard_normal((2, 5, 9, 8))   # 10 planes
        for args in [(3, 2, 1, 1, False), (2, 2, 0, 1, True), (3, 1, 1, 2, False)]:
            check_parity(torch, _nl_max(*args), _th_max(*args), [x])
            check_double_backward(torch, _nl_max(*args, ri=False), _th_max(*args, ri=False), [x])
        for args in [(3, 2, 1, True, False), (2, 2, 0), (3, 1, 1)]:
            check_parity(torch, lambda t: P.avg_pool2d(t, *args),
                         lambda t: F.avg_pool2d(t, *args), [x])
            check_double_backward(torch, lambda t: P.avg_pool2d(t, *args),
                                  lambda t: F.avg_pool2d(t, *args), [x])
    finally:
        P._windows.cache_clear()
