"""Tests of nnlite/ops/conv.py: im2col/col2im, conv1d, conv2d, conv_transpose2d, unfold,
fold.

Three independent oracles:
- naive loops (below, in this file): plain Python loops over output positions (and
  kernel offsets), one small einsum per position -- nothing shared with the library;
- float64 central differences (``nl.gradcheck``) over shapes, kernels, strides,
  paddings (including 'same'), dilations and groups drawn by hypothesis;
- torch (forward and all three gradients, float64, rtol 1e-10: tests/ops/_parity.py's
  check_parity) over a parametrized grid, skipped without torch.
"""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
from nnlite.ops import conv as C

from ._parity import check_parity


# ============================================================================
# The naive oracles
# ============================================================================
def naive_conv2d(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1):
    """y[n, o, p, q] = b[o] + sum_{c, i, j} xpad[n, c, p*SH + i*DH, q*SW + j*DW] w[o, c, i, j],
    c running over o's group; pads = (top, bottom, left, right)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    pt, pb, pl, pr = pads
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    og = o // groups
    y = np.zeros((n, o, oh, ow))
    for g in range(groups):
        wg = w[g * og:(g + 1) * og]
        for p in range(oh):
            for q in range(ow):
                win = xp[:, g * cg:(g + 1) * cg, p * sh:p * sh + dh * (kh - 1) + 1:dh,
                         q * sw:q * sw + dw * (kw - 1) + 1:dw]
                y[:, g * og:(g + 1) * og, p, q] = np.einsum("ncij,ocij->no", win, wg)
    if b is not None:
        y += b[:, None, None]
    return y


def naive_conv_transpose2d(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                           groups=1, dilation=(1, 1)):
    """Scatter: every input pixel (p, q) adds x[n, c, p, q] * w[c, :, i, j] at output
    (p*SH + i*DH - PH, q*SW + j*DW - PW)."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    wo = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, cog * groups, ho + 2 * ph + dh * kh, wo + 2 * pw + dw * kw))
    cg = cin // groups
    for g in range(groups):
        for p in range(h):
            for q in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        full[:, g * cog:(g + 1) * cog, p * sh + i * dh, q * sw + j * dw] += (
                            x[:, g * cg:(g + 1) * cg, p, q] @ w[g * cg:(g + 1) * cg, :, i, j])
    y = full[:, :, ph:ph + ho, pw:pw + wo]
    if b is not None:
        y = y + b[:, None, None]
    return y


def naive_unfold(x, k, dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    """(N, C, H, W) -> (N, C*KH*KW, L): block l = (p, q) flattened channel-major."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh = (h + 2 * padding[0] - dilation[0] * (k[0] - 1) - 1) // stride[0] + 1
    ow = (w + 2 * padding[1] - dilation[1] * (k[1] - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for p in range(oh):
        for q in range(ow):
            win = xp[:, :, p * stride[0]:p * stride[0] + dilation[0] * (k[0] - 1) + 1:dilation[0],
                     q * stride[1]:q * stride[1] + dilation[1] * (k[1] - 1) + 1:dilation[1]]
            out[:, :, p * ow + q] = win.reshape(n, -1)
    return out


def naive_fold(cols, size, k, dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    n, ck, L = cols.shape
    c = ck // (k[0] * k[1])
    h, w = size
    xp = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]))
    ow = (w + 2 * padding[1] - dilation[1] * (k[1] - 1) - 1) // stride[1] + 1
    for l in range(L):
        p, q = divmod(l, ow)
        xp[:, :, p * stride[0]:p * stride[0] + dilation[0] * (k[0] - 1) + 1:dilation[0],
           q * stride[1]:q * stride[1] + dilation[1] * (k[1] - 1) + 1:dilation[1]] += (
            cols[:, :, l].reshape(n, c, k[0], k[1]))
    return xp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


def same_pads(k, d):
    total = d * (k - 1)
    return total // 2, total - total // 2


def rnd(rng, *shape):
    return rng.standard_normal(shape)


def leaf(a):
    return nl.tensor(np.array(a, dtype=np.float64), requires_grad=True)


# ============================================================================
# Hypothesis: oracle + gradcheck
# ============================================================================
@st.composite
def conv_cases(draw, nd=2):
    """Tiny conv2d (nd=2) or conv1d (nd=1) problems: (x, w, b, kwargs, pads4)."""
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    ks = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(["int", "same", "valid"]))
    if mode == "same":
        stride = (1,) * nd
        padding = "same"
        pads = [same_pads(k, d) for k, d in zip(ks, dil)]
    else:
        stride = tuple(draw(st.integers(1, 2)) for _ in range(nd))
        p = tuple(draw(st.integers(0, 2)) for _ in range(nd)) if mode == "int" else (0,) * nd
        padding = p if mode == "int" else "valid"
        pads = [(v, v) for v in p]
    sizes = []
    for k, d, (lo, hi) in zip(ks, dil, pads):
        least = max(1, d * (k - 1) + 1 - lo - hi)
        sizes.append(draw(st.integers(least, least + 3)))
    if nd == 1:
        sizes = sizes[:1]
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    x = rnd(rng, n, cg * groups, *sizes)
    w = rnd(rng, og * groups, cg, *ks)
    b = rnd(rng, og * groups) if draw(st.booleans()) else None
    kwargs = dict(stride=stride, padding=padding, dilation=dil, groups=groups)
    pads4 = (0, 0) + pads[0] if nd == 1 else pads[0] + pads[1]
    return x, w, b, kwargs, pads4


def _oracle(x, w, b, kwargs, pads4, nd):
    if nd == 1:
        y = naive_conv2d(x[:, :, None], w[:, :, None], b, (1,) + kwargs["stride"], pads4,
                         (1,) + kwargs["dilation"], kwargs["groups"])
        return y[:, :, 0]
    return naive_conv2d(x, w, b, kwargs["stride"], pads4, kwargs["dilation"], kwargs["groups"])


PATHS = ["im2col", "winograd", "im2col+chunked", "winograd+chunked"]


@contextlib.contextmanager
def forced(path):
    """Run as is ("im2col" for float64), or with every 3x3 stride-1 convolution (any
    dtype, any channel count) forced onto the Winograd F(4x4, 3x3) path; "+chunked"
    also makes every array kernel work one image at a time (CHUNK_BYTES = 1)."""
    saved = C.WINOGRAD_DTYPES, C.WINOGRAD_MIN_CHANNELS, C.CHUNK_BYTES
    if path.startswith("winograd"):
        C.WINOGRAD_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
        C.WINOGRAD_MIN_CHANNELS = 1
    if path.endswith("+chunked"):
        C.CHUNK_BYTES = 1
    try:
        yield
    finally:
        C.WINOGRAD_DTYPES, C.WINOGRAD_MIN_CHANNELS, C.CHUNK_BYTES = saved


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
def test_conv_matches_naive_loops_and_gradcheck(nd, data, path):
    x, w, b, kwargs, pads4 = data.draw(conv_cases(nd))
    if path.startswith("winograd") and nd == 2:   # make 3x3 stride 1 likely
        w = np.resize(w, w.shape[:2] + (3, 3))
        kwargs = dict(kwargs, stride=(1, 1), dilation=(1, 1))
        pad = kwargs["padding"]
        if pad == "same":
            pads4 = (1, 1, 1, 1)
        elif pad == "valid":
            pads4 = (0, 0, 0, 0)
        x = np.resize(x, x.shape[:2] + tuple(max(s, 3 - 2 * p) for s, p in
                                              zip(x.shape[2:], pads4[::2])))
    fn = C.conv2d if nd == 2 else C.conv1d
    inputs = [leaf(x), leaf(w)] + ([] if b is None else [leaf(b)])
    with forced(path):
        y = fn(*inputs[:2], None if b is None else inputs[2], **kwargs)
        np.testing.assert_allclose(y.array, _oracle(x, w, b, kwargs, pads4, nd), rtol=1e-11,
                                   atol=1e-11)
        assert nl.gradcheck(lambda *t: fn(t[0], t[1], t[2] if len(t) > 2 else None,
                                          **kwargs), inputs)


@st.composite
def transpose_cases(draw):
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ks = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    opad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dil))
    h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pad = []
    for size, k, s, d, op in zip((h, w), ks, stride, dil, opad):
        full = (size - 1) * s + d * (k - 1) + op + 1        # output size with no padding
        pad.append(draw(st.integers(0, min(2, (full - 1) // 2))))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rnd(rng, draw(st.integers(1, 2)), cg * groups, h, w)
    wt = rnd(rng, cg * groups, og, *ks)
    b = rnd(rng, og * groups) if draw(st.booleans()) else None
    return x, wt, b, dict(stride=stride, padding=tuple(pad), output_padding=opad,
                          groups=groups, dilation=dil)


@given(case=transpose_cases())
def test_conv_transpose2d_matches_naive_loops_and_gradcheck(case):
    x, w, b, kwargs = case
    inputs = [leaf(x), leaf(w)] + ([] if b is None else [leaf(b)])
    y = C.conv_transpose2d(inputs[0], inputs[1], None if b is None else inputs[2], **kwargs)
    np.testing.assert_allclose(y.array, naive_conv_transpose2d(x, w, b, **kwargs), rtol=1e-12,
                               atol=1e-12)
    assert nl.gradcheck(
        lambda *t: C.conv_transpose2d(t[0], t[1], t[2] if len(t) > 2 else None, **kwargs),
        inputs)


@st.composite
def fold_cases(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = tuple(draw(st.integers(max(1, d * (kk - 1) + 1 - 2 * p), 5))
                 for kk, d, p in zip(k, dil, pad))
    c, n = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2 ** 16))
    return n, c, size, dict(kernel_size=k, dilation=dil, padding=pad, stride=stride), seed


@given(case=fold_cases())
def test_unfold_fold_match_naive_loops_and_gradcheck(case):
    n, c, size, kw, seed = case
    rng = np.random.default_rng(seed)
    k = kw["kernel_size"]
    args = (kw["dilation"], kw["padding"], kw["stride"])
    x = rnd(rng, n, c, *size)
    cols = naive_unfold(x, k, *args)
    xt = leaf(x)
    np.testing.assert_allclose(C.unfold(xt, **kw).array, cols, rtol=0, atol=0)
    assert nl.gradcheck(lambda t: C.unfold(t, **kw), [xt])
    ct = leaf(rnd(rng, *cols.shape))
    np.testing.assert_allclose(C.fold(ct, size, **kw).array, naive_fold(ct.array, size, k, *args),
                               rtol=1e-12, atol=1e-12)
    assert nl.gradcheck(lambda t: C.fold(t, size, **kw), [ct])


def test_im2col_col2im_are_adjoint_and_match_the_definition():
    rng = np.random.default_rng(0)
    x = rnd(rng, 2, 3, 7, 6)
    kw = dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 2, 0, 1), dilation=(1, 2))
    cols = C.im2col(x, **kw)
    assert cols.shape == (3, 3, 2, 2, 4, 5) and cols.flags.c_contiguous
    xp = np.pad(x, ((0, 0), (0, 0), (1, 2), (0, 1)))
    for idx in [(0, 0, 0, 0, 0, 0), (2, 1, 1, 1, 3, 4), (1, 2, 0, 0, 2, 1)]:
        c, i, j, n, p, q = idx
        assert cols[idx] == xp[n, c, i + 2 * p, 2 * j + q]
    g = rnd(rng, *cols.shape)
    back = C.col2im(g, x.shape, kw["stride"], kw["padding"], kw["dilation"])
    np.testing.assert_allclose(np.sum(cols * g), np.sum(x * back), rtol=1e-12)


# ============================================================================
# torch parity: forward and every gradient
# ============================================================================
CONV2D_GRID = [
    # x shape, w shape, kwargs
    ((2, 3, 8, 7), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 8, 7), (4, 3, 3, 3), dict(stride=2, padding=(0, 1))),
    ((2, 4, 9, 9), (6, 2, 3, 3), dict(groups=2, dilation=2, padding=2)),
    ((2, 4, 6, 5), (4, 1, 3, 3), dict(groups=4, padding=1)),                # depthwise
    ((2, 4, 6, 5), (8, 4, 1, 1), dict()),                                   # pointwise
    ((2, 4, 6, 5), (6, 2, 1, 1), dict(groups=2)),
    ((2, 4, 7, 6), (5, 4, 1, 1), dict(stride=2)),                           # downsample
    ((1, 2, 7, 8), (3, 2, 4, 2), dict(padding="same")),                     # even kernel
    ((1, 2, 7, 8), (3, 2, 2, 3), dict(padding="same", dilation=(3, 2))),
    ((2, 2, 7, 8), (3, 2, 3, 5), dict(padding="valid", stride=(1, 2))),
    ((2, 3, 11, 10), (4, 3, 5, 5), dict(stride=3, padding=2)),
    ((2, 3, 5, 5), (4, 3, 5, 5), dict()),                                   # 1x1 output
    ((2, 1, 8, 8), (6, 1, 5, 5), dict(padding=2)),      # widening: gx through col2im
    ((2, 8, 6, 7), (8, 8, 3, 3), dict(padding=1)),                          # Winograd-able
    ((2, 8, 5, 4), (6, 8, 3, 3), dict(padding=(0, 2))),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("xs,ws,kw", CONV2D_GRID)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(torch, xs, ws, kw, bias, path):
    import torch.nn.functional as TF
    rng = np.random.default_rng(1)
    arrays = [rnd(rng, *xs), rnd(rng, *ws)] + ([rnd(rng, ws[0])] if bias else [])
    with forced(path):
        check_parity(torch, lambda *t: C.conv2d(*t, **kw), lambda *t: TF.conv2d(*t, **kw),
                     arrays)


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 10), (4, 3, 3), dict(padding=1)),
    ((2, 4, 11), (6, 2, 3), dict(stride=2, dilation=2, groups=2)),
    ((1, 2, 9), (3, 2, 4), dict(padding="same")),
    ((3, 9), (4, 3, 2), dict(padding=1)),                                  # unbatched
])
def test_conv1d_matches_torch(torch, xs, ws, kw):
    import torch.nn.functional as TF
    rng = np.random.default_rng(2)
    arrays = [rnd(rng, *xs), rnd(rng, *ws), rnd(rng, ws[0])]
    check_parity(torch, lambda *t: C.conv1d(*t, **kw), lambda *t: TF.conv1d(*t, **kw), arrays)


def test_conv2d_unbatched_matches_torch(torch):
    import torch.nn.functional as TF
    rng = np.random.default_rng(3)
    arrays = [rnd(rng, 3, 6, 5), rnd(rng, 4, 3, 3, 3), rnd(rng, 4)]
    check_parity(torch, lambda *t: C.conv2d(*t, padding=1),
                 lambda *t: TF.conv2d(*t, padding=1), arrays)


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=(1, 0), groups=2)),
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(padding=1, dilation=2, output_padding=1)),
    ((2, 4, 4, 4), (4, 2, 4, 4), dict(stride=2, padding=1)),               # DCGAN upsample
    ((2, 3, 4, 3), (3, 5, 1, 1), dict()),
    ((2, 3, 4, 3), (3, 2, 2, 3), dict(stride=(3, 1), dilation=(1, 3), padding=(0, 2))),
    ((3, 4, 5), (3, 2, 3, 3), dict(padding=1)),                            # unbatched
    ((1, 1, 1, 1), (1, 1, 1, 1), dict(output_padding=(1, 0), dilation=(2, 1))),
])
def test_conv_transpose2d_matches_torch(torch, xs, ws, kw):
    import torch.nn.functional as TF
    rng = np.random.default_rng(4)
    cout = ws[1] * kw.get("groups", 1)
    arrays = [rnd(rng, *xs), rnd(rng, *ws), rnd(rng, cout)]
    check_parity(torch, lambda *t: C.conv_transpose2d(*t, **kw),
                 lambda *t: TF.conv_transpose2d(*t, **kw), arrays)


def test_unfold_fold_match_torch(torch):
    import torch.nn.functional as TF
    rng = np.random.default_rng(5)
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2))
    check_parity(torch, lambda t: C.unfold(t, **kw), lambda t: TF.unfold(t, **kw),
                 [rnd(rng, 2, 3, 6, 7)])
    check_parity(torch, lambda t: C.fold(t, (6, 7), **kw), lambda t: TF.fold(t, (6, 7), **kw),
                 [rnd(rng, 2, 18, 18)])
    check_parity(torch, lambda t: C.unfold(t, 2), lambda t: TF.unfold(t, 2), [rnd(rng, 3, 4, 4)])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, groups=2, padding=(1, 0))])
def test_double_backward_matches_torch(torch, kw, path):
    """d/d(x, w, gy) of sum(gx^2) + sum(gw^3), gx and gw taken with create_graph."""
    import torch.nn.functional as TF
    rng = np.random.default_rng(6)
    x, w, gy = rnd(rng, 2, 4, 6, 5), rnd(rng, 6, 4 // kw.get("groups", 1), 3, 3), None
    y_shape = TF.conv2d(torch.tensor(x), torch.tensor(w), **kw).shape
    gy = rnd(rng, *y_shape)

    def run(lib, grad, conv):
        ts = [lib.tensor(a, requires_grad=True) for a in (x, w, gy)]
        y = conv(ts[0], ts[1], **kw)
        gx, gw = grad((y * ts[2]).sum(), (ts[0], ts[1]), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        return [t.grad if isinstance(t.grad, np.ndarray) else t.grad.numpy() for t in ts]

    with forced(path):
        ours = run(nl, nl.autograd.grad, C.conv2d)
    theirs = run(torch, torch.autograd.grad, TF.conv2d)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_winograd_float32_accuracy_and_dispatch(torch, monkeypatch):
    """float32 3x3 stride-1 convolutions with >= WINOGRAD_MIN_CHANNELS channels take the
    Winograd path (forward, input and weight gradients); error ~1e-5 of the output's
    scale."""
    import torch.nn.functional as TF
    calls = []
    for name in ("_wino_conv", "_wino_conv_grad_weight"):
        real = getattr(C, name)
        monkeypatch.setattr(C, name, lambda *a, _real=real, _name=name:
                            calls.append(_name) or _real(*a))
    rng = np.random.default_rng(12)
    x = rnd(rng, 4, 64, 13, 10).astype(np.float32)
    w = (rnd(rng, 64, 64, 3, 3) * 0.04).astype(np.float32)
    gy = rnd(rng, 4, 64, 13, 10).astype(np.float32)
    xt, wt = leaf(x).array.astype(np.float32), w
    xs, ws = nl.tensor(xt, requires_grad=True), nl.tensor(wt, requires_grad=True)
    y = C.conv2d(xs, ws, padding=1)
    assert y.dtype == np.float32
    y.backward(gy)
    x64, w64 = torch.tensor(x, dtype=torch.float64, requires_grad=True), torch.tensor(
        w, dtype=torch.float64, requires_grad=True)
    y64 = TF.conv2d(x64, w64, padding=1)
    y64.backward(torch.tensor(gy, dtype=torch.float64))
    for ours, ref in ((y.array, y64), (xs.grad, x64.grad), (ws.grad, w64.grad)):
        ref = ref.detach().numpy()
        assert ours.dtype == np.float32
        assert np.abs(ours - ref).max() <= 5e-5 * np.abs(ref).max()
    assert sorted(calls) == ["_wino_conv", "_wino_conv", "_wino_conv_grad_weight"]


# ============================================================================
# Double backward gradchecks, dtypes, memory
# ============================================================================
@pytest.mark.parametrize("which", ["conv2d", "conv_transpose2d"])
def test_double_backward_gradcheck(which):
    rng = np.random.default_rng(7)
    if which == "conv2d":
        x, w = leaf(rnd(rng, 2, 4, 5, 4)), leaf(rnd(rng, 4, 2, 3, 2))
        kw = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
        fn = C.conv2d
    else:
        x, w = leaf(rnd(rng, 2, 4, 3, 3)), leaf(rnd(rng, 4, 1, 3, 3))
        kw = dict(stride=2, padding=1, output_padding=1, groups=2)
        fn = C.conv_transpose2d

    @nl.enable_grad()
    def f(x, w):
        y = fn(x, w, **kw)
        gx, gw = nl.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw * gw * gw).sum()

    assert nl.gradcheck(f, (x, w))


def test_float32_stays_float32():
    rng = np.random.default_rng(8)
    x = nl.tensor(rnd(rng, 2, 3, 6, 6).astype(np.float32), requires_grad=True)
    w = nl.tensor(rnd(rng, 4, 3, 3, 3).astype(np.float32), requires_grad=True)
    b = nl.tensor(rnd(rng, 4).astype(np.float32), requires_grad=True)
    for y in (C.conv2d(x, w, b, padding=1), C.conv2d(x, w, b, stride=2),
              C.conv_transpose2d(x, w.reshape(3, 4, 3, 3), b, stride=2),
              C.unfold(x, 2), C.conv1d(x.reshape(2, 3, 36), w[:, :, 0], b)):
        assert y.dtype == np.float32
        x.grad = w.grad = b.grad = None
        y.sum().backward()
        for t in (x, w, b):
            assert t.grad is None or t.grad.dtype == np.float32


def test_conv_node_keeps_only_its_inputs_and_frees_them():
    """No column buffer outlives a call: the node keeps x and W (views of the inputs'
    arrays), and backward frees them."""
    rng = np.random.default_rng(9)
    x = nl.tensor(rnd(rng, 2, 3, 6, 6))
    w = leaf(rnd(rng, 4, 3, 3, 3))
    y = C.conv2d(x, w, padding=1)
    node = y.grad_fn
    assert len(node.saved) == 2
    assert node.saved[0] is x.array and node.saved[1] is w.array
    assert sorted(vars(node)) == ["geom", "out_dtype", "parents", "saved"]   # no arrays beyond
    y.sum().backward()
    assert node.saved == ()
    with nl.no_grad():
        assert C.conv2d(x, w, padding=1).grad_fn is None
    frozen = nl.tensor(rnd(rng, 4, 3, 3, 3))     # no weight gradient wanted
    xg = leaf(x.array)
    C.conv2d(xg, frozen, padding=1).sum().backward()
    assert frozen.grad is None and xg.grad.shape == x.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_wide_columns_keep_a_non_finite_pixel_out_of_other_weight_gradients(dtype):
    """In the wide layout, columns past OW hold input values that belong to no output;
    an inf there must not reach weight-gradient entries that never see it."""
    rng = np.random.default_rng(13)
    x = rnd(rng, 2, 3, 6, 6).astype(dtype)
    w = rnd(rng, 4, 3, 3, 3).astype(dtype)
    gy = rnd(rng, 2, 4, 4, 4).astype(dtype)
    assert C._row_width(C._Geom((1, 1), (0,) * 4, (1, 1), 1), (6, 6), (3, 3), 4, 4) == 6
    grads = []
    for pixel in (np.inf, 0.0):                   # last column: only kernel column 2 sees it
        xi = x.copy()
        xi[0, 1, 2, 5] = pixel
        wt = nl.tensor(w, requires_grad=True)
        C.conv2d(nl.tensor(xi), wt).backward(gy)
        grads.append(wt.grad)
    assert not np.isfinite(grads[0][:, 1, :, 2]).any()
    np.testing.assert_array_equal(grads[0][..., :2], grads[1][..., :2])


def test_batch_chunks_cover_the_batch_in_near_equal_parts(monkeypatch):
    monkeypatch.setattr(C, "CHUNK_BYTES", 100)
    assert C._batch_chunks(5, 40) == [(0, 2), (2, 5)]     # 200 bytes: 2 chunks
    assert C._batch_chunks(5, 1000) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    assert C._batch_chunks(5, 1) == [(0, 5)]
    assert C._batch_chunks(1, 10 ** 9) == [(0, 1)]


def test_retain_graph_second_backward_recomputes_columns():
    rng = np.random.default_rng(10)
    w = leaf(rnd(rng, 4, 3, 3, 3))
    y = C.conv2d(nl.tensor(rnd(rng, 2, 3, 5, 5)), w, stride=2).sum()
    y.backward(retain_graph=True)
    first = w.grad.array.copy()
    y.backward()
    np.testing.assert_allclose(w.grad, 2 * first)


def test_inputs_are_not_mutated():
    rng = np.random.default_rng(11)
    arrays = [rnd(rng, 2, 4, 5, 5), rnd(rng, 4, 2, 3, 3), rnd(rng, 4)]
    copies = [a.copy() for a in arrays]
    ts = [leaf(a) for a in arrays]
    gy = rnd(rng, 2, 4, 5, 5)
    C.conv2d(*ts, padding=1, groups=2).backward(gy)
    gy_copy = gy.copy()
    C.conv_transpose2d(*ts, padding=1, groups=2).backward(gy)
    for a, t, c in zip(arrays, ts, copies):
        np.testing.assert_array_equal(t.array, c)
    np.testing.assert_array_equal(gy, gy_copy)


# ============================================================================
# Errors
# ============================================================================
def _x(*shape):
    return nl.zeros(*shape)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: C.conv2d(_x(8, 4, 32, 32), _x(16, 3, 3, 3)), ValueError,
     r"expected input with 3 channels .*got input shape \(8, 4, 32, 32\)"),
    (lambda: C.conv2d(_x(8, 4, 32, 32), _x(6, 2, 3, 3), groups=3), ValueError,
     r"expected input with 6 channels"),
    (lambda: C.conv2d(_x(8, 4, 32, 32), _x(6, 2, 3, 3), groups=4), ValueError,
     r"out_channels \(6.*divisible by groups \(4\)"),
    (lambda: C.conv2d(_x(8, 4, 32), _x(6, 4, 3, 3)), ValueError,     # unbatched: C = 8
     r"expected input with 4 channels .*got input shape \(8, 4, 32\)"),
    (lambda: C.conv2d(_x(4, 32), _x(6, 4, 3, 3)), ValueError,
     r"expected 3-D \(unbatched\) or 4-D \(batched\) input, got shape \(4, 32\)"),
    (lambda: C.conv2d(_x(1, 3, 2, 2), _x(4, 3, 3, 3)), ValueError,
     r"input of shape \(1, 3, 2, 2\) padded to \(2, 2\) is smaller than the dilated kernel "
     r"\(3, 3\)"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), dilation=2), ValueError,
     r"smaller than the dilated kernel \(5, 5\)"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3)), ValueError, r"weight must be 4-D"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), _x(3)), ValueError,
     r"bias must have shape \(4,\), got \(3,\)"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), stride=2, padding="same"), ValueError,
     r"'same' is not supported for strided"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), padding="full"), ValueError,
     r"padding must be 'valid', 'same'"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), padding=-1), ValueError,
     r"non-negative"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), stride=0), ValueError,
     r"stride must be positive"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), stride=(1, 2, 3)), TypeError,
     r"stride must be an int or a tuple of 2 ints"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), _x(4, 3, 3, 3), groups=0), ValueError,
     r"groups must be a positive int"),
    (lambda: C.conv2d(_x(1, 3, 4, 4), nl.zeros(4, 3, 3, 3, dtype=nl.float64)), TypeError,
     r"same dtype.*float32.*float64"),
    (lambda: C.conv2d(nl.zeros(1, 3, 4, 4, dtype=nl.int64), _x(4, 3, 3, 3)), TypeError,
     r"input must be floating point"),
    (lambda: C.conv1d(_x(2, 3, 2), _x(4, 3, 5)), ValueError,
     r"smaller than the dilated kernel \(5,\)"),
    (lambda: C.conv1d(_x(2, 3, 2, 2), _x(4, 3, 5)), ValueError,
     r"expected 2-D \(unbatched\) or 3-D \(batched\) input"),
    (lambda: C.conv_transpose2d(_x(1, 3, 4, 4), _x(4, 2, 3, 3)), ValueError,
     r"expected input with 4 channels"),
    (lambda: C.conv_transpose2d(_x(1, 4, 4, 4), _x(4, 2, 3, 3), stride=2,
                                output_padding=2), ValueError,
     r"output_padding \(2, 2\) must be smaller than either stride"),
    (lambda: C.conv_transpose2d(_x(1, 4, 4, 4), _x(4, 2, 3, 3), groups=3), ValueError,
     r"in_channels \(4.*divisible by groups \(3\)"),
    (lambda: C.conv_transpose2d(_x(1, 4, 1, 1), _x(4, 2, 1, 1), padding=1), ValueError,
     r"output size \(-1, -1\) is not positive"),
    (lambda: C.unfold(_x(1, 3, 2, 2), 3), ValueError, r"smaller than the dilated kernel"),
    (lambda: C.fold(_x(1, 12, 5), (4, 4), 2), ValueError,
     r"has 5 blocks, but output_size \(4, 4\).*gives 9 blocks"),
    (lambda: C.fold(_x(1, 10, 9), (4, 4), 2), ValueError, r"divisible by the product"),
])
def test_errors_name_the_shapes(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("corename", ["Haswell", "SkylakeX", None])
@pytest.mark.parametrize("shape", [((3, 1, 9, 8), (2, 1, 3, 3), 1, 1),    # skinny weight
                                   ((2, 4, 7, 7), (4, 2, 3, 3), 0, 2),    # skinny, groups
                                   ((2, 6, 8, 8), (16, 6, 5, 5), 2, 1)])  # 16 x 150
def test_weight_gradient_call_shapes_agree_on_every_blas(monkeypatch, corename, shape):
    """_weight_product picks its GEMM's call shape (and slices) by OpenBLAS's kernel set:
    every choice gives the definition's gradient."""
    monkeypatch.setattr(C, "blas_corename", lambda: corename)
    monkeypatch.setattr(C, "SKINNY_SLICE", 7)            # several slices, odd last one
    x_shape, w_shape, pad, groups = shape
    rng = np.random.default_rng(12)
    x, w = rnd(rng, *x_shape), rnd(rng, *w_shape)
    geom = C._Geom((1, 1), (pad,) * 4, (1, 1), groups)
    gy = rnd(rng, *C._conv_forward(x, w, None, geom).shape)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    o, cg, kh, kw = w_shape
    oh, ow = gy.shape[2:]
    og = o // groups
    want = np.zeros(w_shape)
    for i in range(kh):
        for j in range(kw):
            win = xp[:, :, i:i + oh, j:j + ow]
            for gi in range(groups):
                want[gi * og:(gi + 1) * og, :, i, j] = np.einsum(
                    "nopq,ncpq->oc", gy[:, gi * og:(gi + 1) * og], win[:, gi * cg:(gi + 1) * cg])
    np.testing.assert_allclose(C._conv_grad_weight(x, gy, w_shape, geom), want, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("last_max_run", [0, 10 ** 9])
@pytest.mark.parametrize("shape", [((3, 1, 9, 8), (2, 1, 3, 3), (1, 2, 0, 1), 1, (1, 1)),
                                   ((2, 4, 7, 7), (4, 2, 3, 3), (0, 0, 1, 1), 2, (2, 1)),
                                   ((2, 6, 8, 8), (16, 6, 5, 5), (2, 2, 2, 2), 1, (1, 1))])
def test_forward_in_both_column_layouts_matches_the_definition(monkeypatch, last_max_run,
                                                                shape):
    """The forward's wide columns, batch-major or batch-last (``LAST_MAX_RUN``)."""
    monkeypatch.setattr(C, "LAST_MAX_RUN", last_max_run)
    x_shape, w_shape, pads, groups, dilation = shape
    rng = np.random.default_rng(13)
    x, w, b = rnd(rng, *x_shape), rnd(rng, *w_shape), rnd(rng, w_shape[0])
    geom = C._Geom((1, 1), pads, dilation, groups)
    np.testing.assert_allclose(C._conv_forward(x, w, b, geom),
                               naive_conv2d(x, w, b, (1, 1), pads, dilation, groups),
                               rtol=1e-12, atol=1e-12)
