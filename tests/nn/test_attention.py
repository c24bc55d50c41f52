"""Tests of nnlite/ops/attention.py (``scaled_dot_product_attention`` and the fused
multi-head nodes) and nnlite/nn/attention.py (``MultiheadAttention``,
``multi_head_attention_forward``).

Oracles: torch (float64, the same weights copied through ``state_dict``: outputs,
attention weights averaged and per head, and the gradients of every input and parameter
for a random upstream gradient, including double backward) and float64 central
differences (``nl.gradcheck`` on hypothesis-drawn tiny shapes and every mask kind).
A padded key gets exactly zero weight and exactly zero gradient.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.nn.attention import MultiheadAttention, multi_head_attention_forward
from nnlite.ops.attention import scaled_dot_product_attention as sdpa

RTOL, ATOL = 1e-9, 1e-12


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(a):
    return nl.tensor(a, requires_grad=True)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.array if isinstance(ours, nl.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def bool_mask(shape, seed, keep_first=True):
    """A random bool mask (True = take part) in which every row keeps its first key."""
    m = rng(seed).random(shape) > 0.4
    if keep_first:
        m[..., 0] = True
    return m


# ============================================================================
# scaled_dot_product_attention: torch parity
# ============================================================================
SDPA_SHAPES = [  # query, key, value shapes (batch dims broadcast)
    ((2, 3, 4), (2, 5, 4), (2, 5, 6)),
    ((2, 3, 3, 4), (2, 3, 5, 4), (2, 3, 5, 2)),
    ((1, 3, 4), (2, 5, 4), (2, 5, 3)),
    ((3, 1, 2, 4), (2, 5, 4), (1, 5, 3)),
    ((4, 2), (4, 2), (4, 2)),
]
MASKS = ["none", "bool", "float", "float_grad", "causal", "bool_batched"]


def _sdpa_mask(kind, L, S, batch, torch):
    if kind == "none":
        return None, None, {}
    if kind == "causal":
        return None, None, {"is_causal": True}
    if kind == "bool":
        m = bool_mask((L, S), 3)
        return m, torch.tensor(m), {}
    if kind == "bool_batched":
        m = bool_mask(batch + (L, S), 4)
        return m, torch.tensor(m), {}
    m = rng(5).standard_normal((L, S))
    if kind == "float":
        return m, torch.tensor(m), {}
    return leaf(m), torch.tensor(m, requires_grad=True), {}


@pytest.mark.parametrize("shapes", SDPA_SHAPES)
@pytest.mark.parametrize("kind", MASKS)
def test_sdpa_matches_torch(torch, shapes, kind):
    F = torch.nn.functional
    arrays = [rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    L, S = shapes[0][-2], shapes[1][-2]
    batch = np.broadcast_shapes(*(s[:-2] for s in shapes))
    mask, tmask, kw = _sdpa_mask(kind, L, S, batch, torch)
    xs = [leaf(a) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = sdpa(*xs, attn_mask=mask, **kw)
    ty = F.scaled_dot_product_attention(*txs, attn_mask=tmask, **kw)
    gy = rng(9).standard_normal(y.shape)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    close(y, ty)
    for x, tx in zip(xs, txs):
        close(x.grad, tx.grad)
    if kind == "float_grad":
        close(mask.grad, tmask.grad)


@pytest.mark.parametrize("scale", [None, 0.3, 2.0])
def test_sdpa_scale_matches_torch(torch, scale):
    arrays = [rng(i).standard_normal((2, 3, 4)) for i in range(3)]
    xs, txs = [leaf(a) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays]
    y = sdpa(*xs, scale=scale)
    ty = torch.nn.functional.scaled_dot_product_attention(*txs, scale=scale)
    y.sum().backward()
    ty.sum().backward()
    close(y, ty)
    for x, tx in zip(xs, txs):
        close(x.grad, tx.grad)


def test_sdpa_fully_masked_row_gives_zero_output_and_gradient(torch):
    q, k, v = (rng(i).standard_normal(s) for i, s in enumerate([(3, 4), (5, 4), (5, 2)]))
    m = bool_mask((3, 5), 1)
    m[1] = False                                         # query 1 may attend to nothing
    xs = [leaf(a) for a in (q, k, v)]
    y = sdpa(*xs, attn_mask=m)
    y.backward(np.ones(y.shape))
    assert np.all(y.array[1] == 0) and np.all(xs[0].grad[1] == 0)
    txs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    ty = torch.nn.functional.scaled_dot_product_attention(*txs, attn_mask=torch.tensor(m))
    ty.backward(torch.ones(ty.shape, dtype=ty.dtype))
    close(y, ty)
    for x, tx in zip(xs, txs):
        close(x.grad, tx.grad)


def test_sdpa_masked_key_gets_zero_weight_and_zero_gradient():
    """A key no query may attend to (a False column of a bool mask, or -inf in a float
    one) gets exactly zero weight, and it and its value get exactly zero gradient."""
    q, k, v = (leaf(rng(i).standard_normal(s)) for i, s in
               enumerate([(2, 3, 4), (2, 5, 4), (2, 5, 3)]))
    keep = np.ones((2, 3, 5), bool)
    keep[0, :, 1] = keep[1, :, 4] = False
    for mask in (keep, np.where(keep, 0.0, -np.inf)):
        for t in (q, k, v):
            t.grad = None
        y = sdpa(q, k, v, attn_mask=mask)
        y.backward(rng(3).standard_normal(y.shape))
        for g in (k.grad, v.grad):
            assert np.all(g[0, 1] == 0) and np.all(g[1, 4] == 0)
            assert np.all(g[0, [0, 2, 3, 4]] != 0) and np.all(g[1, :4] != 0)
        k2 = k.array.copy()
        k2[0, 1] = k2[1, 4] = 1e3                         # the masked keys change nothing
        np.testing.assert_array_equal(sdpa(q, nl.tensor(k2), v, attn_mask=mask).array, y.array)


def test_sdpa_double_backward_matches_torch(torch):
    arrays = [rng(i).standard_normal(s) for i, s in enumerate([(2, 3, 4), (2, 5, 4), (2, 5, 3)])]
    m = rng(7).standard_normal((3, 5))
    xs = [leaf(a) for a in arrays] + [leaf(m)]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays + [m]]
    gy = rng(8).standard_normal((2, 3, 3))
    y = sdpa(*xs[:3], attn_mask=xs[3])
    ty = torch.nn.functional.scaled_dot_product_attention(*txs[:3], attn_mask=txs[3])
    gs = nl.autograd.grad((y * nl.tensor(gy)).sum(), xs, create_graph=True)
    tgs = torch.autograd.grad((ty * torch.tensor(gy)).sum(), txs, create_graph=True)
    h = nl.autograd.grad(sum((g * g).sum() for g in gs), xs)
    th = torch.autograd.grad(sum((g * g).sum() for g in tgs), txs)
    for a, b in zip(h, th):
        close(a, b)


# ============================================================================
# scaled_dot_product_attention: gradcheck on drawn shapes and masks
# ============================================================================
@st.composite
def sdpa_case(draw):
    batch = tuple(draw(st.lists(st.integers(1, 2), min_size=0, max_size=2)))
    L, S, E, Ev = (draw(st.integers(1, 4)) for _ in range(4))
    kind = draw(st.sampled_from(["none", "bool", "float", "float_grad", "causal"]))
    seed = draw(st.integers(0, 2 ** 16))
    return batch, L, S, E, Ev, kind, seed


@given(sdpa_case())
def test_sdpa_gradcheck(case):
    batch, L, S, E, Ev, kind, seed = case
    r = rng(seed)
    q = leaf(r.standard_normal(batch + (L, E)))
    k = leaf(r.standard_normal(batch + (S, E)))
    v = leaf(r.standard_normal(batch + (S, Ev)))
    inputs, kw = [q, k, v], {}
    if kind == "bool":
        kw["attn_mask"] = r.random((L, S)) > 0.3          # fully masked rows allowed
    elif kind == "float":
        kw["attn_mask"] = r.standard_normal((L, S))
    elif kind == "causal":
        kw["is_causal"] = True
    if kind == "float_grad":
        inputs.append(leaf(r.standard_normal(batch + (L, S))))
        fn = lambda q, k, v, m: sdpa(q, k, v, attn_mask=m)  # noqa: E731
    else:
        fn = lambda q, k, v: sdpa(q, k, v, **kw)  # noqa: E731
    assert nl.gradcheck(fn, inputs)


def test_sdpa_gradcheck_with_dropout():
    r = rng(0)
    xs = [leaf(r.standard_normal(s)) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3)]]

    def fn(q, k, v):
        nl.manual_seed(1)                                 # the same dropout mask each call
        return sdpa(q, k, v, dropout_p=0.4)
    assert nl.gradcheck(fn, xs)


def test_gradcheck_catches_a_wrong_attention_gradient(monkeypatch):
    """The oracle is live: a rule with a wrong factor fails the check."""
    from nnlite.ops import attention as A
    xs = [leaf(rng(i).standard_normal((2, 3))) for i in range(3)]
    real = A._attend_backward

    def wrong(*args, **kwargs):
        dq, dk, dv, da = real(*args, **kwargs)
        return dq * 1.01, dk, dv, da
    monkeypatch.setattr(A, "_attend_backward", wrong)
    with pytest.raises(AssertionError):
        nl.gradcheck(lambda q, k, v: sdpa(q, k, v), xs)


# ============================================================================
# scaled_dot_product_attention: dropout, dtype, errors
# ============================================================================
def test_sdpa_dropout_statistics():
    nl.manual_seed(0)
    q, k = nl.zeros(1, 200, 8), nl.zeros(1, 200, 8)       # uniform weights 1/200
    v = nl.ones(1, 200, 1)
    y = sdpa(q, k, v, dropout_p=0.25)
    # each output is (number kept / 200) / 0.75: mean 1
    assert abs(y.array.mean() - 1.0) < 0.02
    assert not np.allclose(y.array, y.array[0, 0])
    assert np.all(sdpa(q, k, v, dropout_p=1.0).array == 0)
    np.testing.assert_allclose(sdpa(q, k, v, dropout_p=0.0).array, 1.0, rtol=1e-6)


def test_sdpa_keeps_float32():
    xs = [nl.randn(2, 3, 4, requires_grad=True) for _ in range(3)]
    y = sdpa(*xs, attn_mask=np.ones((3, 3), bool))
    assert y.dtype == np.float32
    y.sum().backward()
    assert all(x.grad.dtype == np.float32 for x in xs)


def test_sdpa_bad_input():
    q, k, v = nl.randn(2, 3, 4), nl.randn(2, 5, 4), nl.randn(2, 5, 6)
    with pytest.raises(RuntimeError, match="is_causal"):
        sdpa(q, k, v, attn_mask=np.ones((3, 5), bool), is_causal=True)
    with pytest.raises(ValueError, match=r"feature size E.*\(2, 3, 4\).*\(2, 5, 3\)"):
        sdpa(q, nl.randn(2, 5, 3), v)
    with pytest.raises(ValueError, match=r"same length S.*\(2, 5, 4\).*\(2, 4, 6\)"):
        sdpa(q, k, nl.randn(2, 4, 6))
    with pytest.raises(ValueError, match=r"batch dims.*\(3, 3, 4\)"):
        sdpa(nl.randn(3, 3, 4), k, v)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(3, 4\).*\(2, 3, 5\)"):
        sdpa(q, k, v, attn_mask=np.ones((3, 4), bool))
    with pytest.raises(ValueError, match="dropout_p"):
        sdpa(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="same dtype"):
        sdpa(q, k.double(), v)
    with pytest.raises(TypeError, match="bool and floating"):
        sdpa(q, k, v, attn_mask=np.ones((3, 5), np.int64))
    with pytest.raises(ValueError, match="at least 2 dims"):
        sdpa(nl.randn(4), k, v)


# ============================================================================
# MultiheadAttention: parameters and initialisation
# ============================================================================
MHA_CONFIGS = [dict(), dict(kdim=3, vdim=5), dict(bias=False), dict(add_bias_kv=True),
               dict(add_zero_attn=True, bias=False, kdim=2)]


@pytest.mark.parametrize("cfg", MHA_CONFIGS)
def test_mha_state_dict_matches_torch(torch, cfg):
    m = MultiheadAttention(8, 2, **cfg)
    tm = torch.nn.MultiheadAttention(8, 2, **cfg)
    ours = {k: v.shape for k, v in m.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert list(ours) == list(theirs) and ours == theirs
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]


def test_mha_initialisation():
    nl.manual_seed(0)
    m = MultiheadAttention(64, 4)
    bound = np.sqrt(6 / (64 + 192))                       # xavier_uniform_ on (3E, E)
    w = m.in_proj_weight.array
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(m.in_proj_bias.array == 0) and np.all(m.out_proj.bias.array == 0)
    assert np.abs(m.out_proj.weight.array).max() <= 1 / np.sqrt(64)
    m = MultiheadAttention(64, 4, add_bias_kv=True, kdim=10, dtype=nl.float64)
    assert m.in_proj_weight is None and m.k_proj_weight.shape == (64, 10)
    assert m.bias_k.shape == (1, 1, 64) and m.bias_k.dtype == np.float64
    assert np.abs(m.bias_k.data).max() > 0


# ============================================================================
# MultiheadAttention: torch parity
# ============================================================================
def _copy(torch, m, tm):
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})


def _mha_pair(torch, E=8, H=2, seed=0, **cfg):
    torch.manual_seed(seed)
    tm = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **cfg)
    if cfg.get("add_bias_kv"):
        with torch.no_grad():
            tm.bias_k.normal_()
            tm.bias_v.normal_()
    if cfg.get("bias", True):
        with torch.no_grad():                            # nonzero biases
            tm.in_proj_bias.normal_()
            tm.out_proj.bias.normal_()
    m = MultiheadAttention(E, H, dtype=nl.float64, **cfg)
    _copy(torch, m, tm)
    return m, tm


def _inputs(kind, L, S, N, E, kdim, vdim, batch_first, seed=0):
    """Query/key/value arrays and which of them are the same object."""
    def shape(T, e):
        if N is None:
            return (T, e)
        return (N, T, e) if batch_first else (T, N, e)
    r = rng(seed)
    q = r.standard_normal(shape(L, E))
    if kind == "self":
        return [q], (0, 0, 0)
    k = r.standard_normal(shape(S, kdim))
    if kind == "kv":
        return [q, k], (0, 1, 1)
    v = r.standard_normal(shape(S, vdim))
    return [q, k, v], (0, 1, 2)


def _run(torch, m, tm, arrays, which, kw, tkw, seed=0):
    xs = [leaf(a) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, w = m(*(xs[i] for i in which), **kw)
    ty, tw = tm(*(txs[i] for i in which), **tkw)
    gy = rng(seed + 11).standard_normal(y.shape)
    loss, tloss = (y * nl.tensor(gy)).sum(), (ty * torch.tensor(gy)).sum()
    if w is not None:
        gw = rng(seed + 12).standard_normal(w.shape)
        loss, tloss = loss + (w * nl.tensor(gw)).sum(), tloss + (tw * torch.tensor(gw)).sum()
    else:
        assert tw is None
    loss.backward()
    tloss.backward()
    close(y, ty)
    if w is not None:
        close(w, tw)
    for x, tx in zip(xs, txs):
        close(x.grad, tx.grad)
    for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert n == tn
        close(p.grad, tp.grad)
    return xs, y, w


MHA_MASKS = ["none", "attn_bool_2d", "attn_bool_3d", "attn_float_2d", "attn_float_3d",
             "kpm_bool", "kpm_float", "both"]


def _mha_masks(kind, N, H, L, S, torch):
    kw = {}
    if kind in ("attn_bool_2d", "both"):
        kw["attn_mask"] = ~bool_mask((L, S), 1)           # True = may not attend
    if kind == "attn_bool_3d":
        kw["attn_mask"] = ~bool_mask((N * H, L, S), 1)
    if kind == "attn_float_2d":
        kw["attn_mask"] = rng(2).standard_normal((L, S))
    if kind == "attn_float_3d":
        kw["attn_mask"] = rng(2).standard_normal((N * H, L, S))
    if kind in ("kpm_bool", "both"):
        m = np.zeros((N, S), bool)
        m[0, -1] = m[-1, 1] = True
        kw["key_padding_mask"] = m
    if kind == "kpm_float":
        kw["key_padding_mask"] = rng(3).standard_normal((N, S))
    return kw, {k: torch.tensor(v) for k, v in kw.items()}


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kind,kdim,vdim", [("self", None, None), ("kv", None, None),
                                            ("qkv", None, None), ("qkv", 3, 5)])
@pytest.mark.parametrize("mask", MHA_MASKS)
def test_mha_matches_torch(torch, batch_first, kind, kdim, vdim, mask):
    N, H, L, E = 2, 2, 3, 8
    S = L if kind == "self" else 4
    m, tm = _mha_pair(torch, E, H, kdim=kdim, vdim=vdim, batch_first=batch_first)
    arrays, which = _inputs(kind, L, S, N, E, kdim or E, vdim or E, batch_first)
    kw, tkw = _mha_masks(mask, N, H, L, S, torch)
    _run(torch, m, tm, arrays, which, kw, tkw)


@pytest.mark.parametrize("need_weights,average", [(True, False), (False, True)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kind", ["self", "qkv"])
def test_mha_weights_options_match_torch(torch, need_weights, average, batch_first, kind):
    m, tm = _mha_pair(torch, 8, 4, batch_first=batch_first)
    S = 5 if kind != "self" else 3
    arrays, which = _inputs(kind, 3, S, 2, 8, 8, 8, batch_first)
    kw = dict(need_weights=need_weights, average_attn_weights=average)
    xs, y, w = _run(torch, m, tm, arrays, which, kw, kw)
    assert w is None if not need_weights else w.shape == (2, 4, 3, S)


@pytest.mark.parametrize("cfg", [dict(add_bias_kv=True), dict(add_zero_attn=True),
                                 dict(add_bias_kv=True, add_zero_attn=True, bias=False),
                                 dict(add_bias_kv=True, kdim=3, vdim=5, batch_first=True)])
@pytest.mark.parametrize("mask", ["none", "both", "attn_float_3d"])
def test_mha_bias_kv_and_zero_attn_match_torch(torch, cfg, mask):
    m, tm = _mha_pair(torch, 8, 2, **cfg)
    arrays, which = _inputs("qkv", 3, 4, 2, 8, cfg.get("kdim", 8), cfg.get("vdim", 8),
                            cfg.get("batch_first", False))
    kw, tkw = _mha_masks(mask, 2, 2, 3, 4, torch)
    _run(torch, m, tm, arrays, which, kw, tkw)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", ["none", "kpm", "attn3d"])
def test_mha_unbatched_matches_torch(torch, batch_first, mask):
    m, tm = _mha_pair(torch, 8, 2, batch_first=batch_first)
    arrays, which = _inputs("kv", 3, 4, None, 8, 8, 8, batch_first)
    kw = {}
    if mask == "kpm":
        kw["key_padding_mask"] = np.array([False, True, False, False])
    if mask == "attn3d":
        kw["attn_mask"] = rng(4).standard_normal((2, 3, 4))
    tkw = {k: torch.tensor(v) for k, v in kw.items()}
    xs, y, w = _run(torch, m, tm, arrays, which, dict(kw, average_attn_weights=False),
                    dict(tkw, average_attn_weights=False))
    assert y.shape == (3, 8) and w.shape == (2, 3, 4)


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kpm", [False, True])
def test_mha_is_causal_hint_matches_torch(torch, need_weights, kpm):
    m, tm = _mha_pair(torch, 8, 2)
    arrays, which = _inputs("self", 4, 4, 2, 8, 8, 8, False)
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    kw = dict(attn_mask=causal, is_causal=True, need_weights=need_weights)
    if kpm:
        kw["key_padding_mask"] = np.array([[False] * 3 + [True], [False] * 4])
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    _run(torch, m, tm, arrays, which, kw, tkw)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(nl.randn(4, 2, 8, dtype=nl.float64), nl.randn(4, 2, 8, dtype=nl.float64),
          nl.randn(4, 2, 8, dtype=nl.float64), is_causal=True)


@pytest.mark.parametrize("batch_first", [False, True])
def test_functional_static_kv_matches_torch(torch, batch_first):
    """``multi_head_attention_forward`` with static_k / static_v (N*H, S, D), against
    torch's function (always (L, N, E): nnlite's batch_first is a keyword extension)."""
    N, Hh, L, S, Ee = 2, 2, 3, 4, 6
    r = rng(0)
    arrays = dict(q=r.standard_normal((L, N, Ee)), kv=r.standard_normal((S, N, Ee)),
                  w=r.standard_normal((3 * Ee, Ee)), b=r.standard_normal(3 * Ee),
                  wo=r.standard_normal((Ee, Ee)), bo=r.standard_normal(Ee),
                  sk=r.standard_normal((N * Hh, S, Ee // Hh)),
                  sv=r.standard_normal((N * Hh, S, Ee // Hh)))
    xs = {k: leaf(v) for k, v in arrays.items()}
    txs = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    kpm = np.array([[False, True, False, False], [False] * 4])
    q = xs["q"].permute(1, 0, 2) if batch_first else xs["q"]
    kv = xs["kv"].permute(1, 0, 2) if batch_first else xs["kv"]
    y, w = multi_head_attention_forward(
        q, kv, kv, Ee, Hh, xs["w"], xs["b"], None, None, True, 0.0, xs["wo"], xs["bo"],
        key_padding_mask=kpm, static_k=xs["sk"], static_v=xs["sv"], batch_first=batch_first)
    ty, tw = torch.nn.functional.multi_head_attention_forward(
        txs["q"], txs["kv"], txs["kv"], Ee, Hh, txs["w"], txs["b"], None, None, True, 0.0,
        txs["wo"], txs["bo"], key_padding_mask=torch.tensor(kpm), static_k=txs["sk"],
        static_v=txs["sv"])
    y = y.permute(1, 0, 2) if batch_first else y
    gy = rng(1).standard_normal(y.shape)
    (y * nl.tensor(gy)).sum().backward()
    (ty * torch.tensor(gy)).sum().backward()
    close(y, ty)
    close(w, tw)
    for k in ("q", "w", "b", "wo", "bo", "sk", "sv"):
        close(xs[k].grad, txs[k].grad)


def test_mha_double_backward_matches_torch(torch):
    m, tm = _mha_pair(torch, 4, 2)
    x = rng(0).standard_normal((3, 2, 4))
    xx, tx = leaf(x), torch.tensor(x, requires_grad=True)
    y, w = m(xx, xx, xx, attn_mask=rng(1).standard_normal((3, 3)))
    ty, tw = tm(tx, tx, tx, attn_mask=torch.tensor(rng(1).standard_normal((3, 3))))
    ins, tins = [xx] + list(m.parameters()), [tx] + list(tm.parameters())
    gs = nl.autograd.grad((y * y).sum() + 3 * (w * w).sum(), ins, create_graph=True)
    tgs = torch.autograd.grad((ty * ty).sum() + 3 * (tw * tw).sum(), tins, create_graph=True)
    h = nl.autograd.grad(sum((g * g).sum() for g in gs), ins)
    th = torch.autograd.grad(sum((g * g).sum() for g in tgs), tins)
    for a, b in zip(h, th):
        close(a, b, rtol=1e-8)


@pytest.mark.parametrize("kdim", [None, 3])
def test_mha_double_backward_without_weights_gradcheck(kdim):
    """need_weights=False (torch's fused path has no double backward): check the
    gradient function itself against central differences."""
    m = MultiheadAttention(4, 2, kdim=kdim, vdim=kdim, dtype=nl.float64)
    kv = leaf(rng(1).standard_normal((3, 2, kdim or 4)))

    def grad_of_query(q):
        with nl.enable_grad():                            # gradcheck perturbs under no_grad
            q = q if q.requires_grad else leaf(q.array)
            y, _ = m(q, kv, kv, need_weights=False)
            (g,) = nl.autograd.grad((y * y).sum(), q, create_graph=True)
        return g
    assert nl.gradcheck(grad_of_query, [leaf(rng(0).standard_normal((2, 2, 4)))])


# ============================================================================
# MultiheadAttention: masked padding gets exactly zero attention and gradient
# ============================================================================
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_padded_key_gets_zero_weight_and_zero_gradient(need_weights, batch_first):
    m = MultiheadAttention(8, 2, batch_first=batch_first, dtype=nl.float64)
    r = rng(0)
    shape = (2, 5, 8) if batch_first else (5, 2, 8)
    q = leaf(r.standard_normal((2, 3, 8) if batch_first else (3, 2, 8)))
    k, v = leaf(r.standard_normal(shape)), leaf(r.standard_normal(shape))
    kpm = np.zeros((2, 5), bool)
    kpm[0, 3:] = True                                     # sample 0: keys 3, 4 are padding
    kpm[1, 1] = True                                      # sample 1: key 1 is padding
    y, w = m(q, k, v, key_padding_mask=kpm, need_weights=True, average_attn_weights=False)
    assert np.all(w.array[0, :, :, 3:] == 0) and np.all(w.array[1, :, :, 1] == 0)
    y, w = m(q, k, v, key_padding_mask=kpm, need_weights=need_weights)
    loss = (y * nl.tensor(r.standard_normal(y.shape))).sum()
    if need_weights:                                      # through the weights' node too
        loss = loss + (w * nl.tensor(r.standard_normal(w.shape))).sum()
    loss.backward()
    for g in (k.grad.array, v.grad.array):
        g = g if batch_first else g.transpose(1, 0, 2)    # (N, S, E)
        assert np.all(g[0, 3:] == 0) and np.all(g[1, 1] == 0)
        assert np.all(g[0, :3] != 0) and np.all(g[1, [0, 2, 3, 4]] != 0)
    # the padded keys and values do not change the output at all
    k2, v2 = k.array.copy(), v.array.copy()
    if batch_first:
        k2[0, 3:] = v2[0, 3:] = 1e3
    else:
        k2[3:, 0] = v2[3:, 0] = 1e3
    y2, _ = m(q, nl.tensor(k2), nl.tensor(v2), key_padding_mask=kpm, need_weights=False)
    np.testing.assert_array_equal(y2.array, m(q, k, v, key_padding_mask=kpm,
                                             need_weights=False)[0].array)


def test_fully_padded_sample_gives_out_proj_bias(torch):
    m, tm = _mha_pair(torch, 8, 2)
    x = rng(0).standard_normal((3, 2, 8))
    kpm = np.array([[True] * 3, [False, False, True]])
    y, w = m(nl.tensor(x), nl.tensor(x), nl.tensor(x), key_padding_mask=kpm)
    ty, _ = tm(*(torch.tensor(x),) * 3, key_padding_mask=torch.tensor(kpm), need_weights=False)
    close(y, ty)                                          # torch's SDPA path: same
    np.testing.assert_allclose(y.array[:, 0], np.broadcast_to(m.out_proj.bias.array, (3, 8)))
    assert np.all(w.array[0] == 0)                         # (torch's explicit path: NaN)


# ============================================================================
# MultiheadAttention: gradcheck on drawn shapes and masks (functional form)
# ============================================================================
@st.composite
def mha_case(draw):
    E, H = draw(st.sampled_from([(2, 1), (2, 2), (4, 2), (3, 3), (4, 1)]))
    N, L, S = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["self", "kv", "qkv"]))
    mask = draw(st.sampled_from(["none", "attn_bool", "attn_bool_3d", "attn_float_2d",
                                 "attn_float_3d", "kpm_bool", "kpm_float"]))
    return E, H, N, L, S, kind, mask, draw(st.booleans()), draw(st.integers(0, 2 ** 16))


@given(mha_case())
def test_mha_gradcheck(case):
    E, H, N, L, S, kind, mask, batch_first, seed = case
    S = L if kind == "self" else S
    r = rng(seed)
    arrays, which = _inputs(kind, L, S, N, E, E, E, batch_first, seed)
    xs = [leaf(a) for a in arrays]
    params = [leaf(r.standard_normal((3 * E, E))), leaf(r.standard_normal(3 * E)),
              leaf(r.standard_normal((E, E))), leaf(r.standard_normal(E))]
    kw = {}
    if mask == "attn_bool":
        kw["attn_mask"] = r.random((L, S)) > 0.6          # True = masked; rows may be dead
    elif mask == "attn_bool_3d":
        kw["attn_mask"] = r.random((N * H, L, S)) > 0.6
    elif mask == "attn_float_2d":
        kw["attn_mask"] = r.standard_normal((L, S))
    elif mask == "attn_float_3d":
        kw["attn_mask"] = r.standard_normal((N * H, L, S))
    elif mask == "kpm_bool":
        kw["key_padding_mask"] = r.random((N, S)) > 0.6
    elif mask == "kpm_float":
        kw["key_padding_mask"] = r.standard_normal((N, S))
    n = len(xs)

    def fn(*ts):
        x, (w_in, b_in, w_out, b_out) = ts[:n], ts[n:]
        return multi_head_attention_forward(
            *(x[i] for i in which), E, H, w_in, b_in, None, None, False, 0.0, w_out, b_out,
            batch_first=batch_first, average_attn_weights=False, **kw)
    assert nl.gradcheck(fn, xs + params)


def test_mha_gradcheck_with_dropout_and_bias_kv():
    m = MultiheadAttention(4, 2, dropout=0.3, add_bias_kv=True, add_zero_attn=True,
                           dtype=nl.float64)
    q, k = leaf(rng(0).standard_normal((3, 2, 4))), leaf(rng(1).standard_normal((4, 2, 4)))

    def fn(q, k):
        nl.manual_seed(3)
        return m(q, k, k, key_padding_mask=np.array([[0, 0, 1, 0], [0, 0, 0, 0]], bool))
    assert nl.gradcheck(fn, [q, k])


# ============================================================================
# MultiheadAttention: speed structure, dropout, dtype, errors
# ============================================================================
def test_self_attention_uses_one_fused_projection():
    m = MultiheadAttention(8, 2)
    x = nl.randn(3, 2, 8)
    y, _ = m(x, x, x, need_weights=False)
    core = y.grad_fn.parents[0]                           # out_proj's input
    assert core.name() == "MultiheadAttentionCoreBackward" and len(core.parents) == 1
    proj = core.parents[0]
    assert proj.name() == "LinearBackward"
    assert proj.parents[1] is m.in_proj_weight._node      # the whole (3E, E) weight
    y, w = m(x, x, x)
    assert y.dtype == w.dtype == np.float32


def test_mha_dropout_only_in_training():
    m = MultiheadAttention(8, 2, dropout=0.5)
    x = nl.randn(4, 2, 8)
    nl.manual_seed(0)
    _, w1 = m(x, x, x, average_attn_weights=False)
    assert np.any(w1.array == 0) and np.any(w1.array.sum(-1) > 1.01)
    m.eval()
    y1, w2 = m(x, x, x)
    y2, _ = m(x, x, x)
    np.testing.assert_array_equal(y1.array, y2.array)
    np.testing.assert_allclose(w2.array.sum(-1), 1, rtol=1e-5)


def test_mha_bad_arguments():
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads.*10.*3"):
        MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="dropout"):
        MultiheadAttention(8, 2, dropout=1.5)
    with pytest.raises(ValueError, match="num_heads must be positive"):
        MultiheadAttention(8, 0)


def test_mha_bad_input():
    m = MultiheadAttention(8, 2)
    q, kv = nl.randn(3, 2, 8), nl.randn(4, 2, 8)
    with pytest.raises(ValueError, match=r"same batch size.*\(3, 2, 8\).*\(4, 3, 8\)"):
        m(q, nl.randn(4, 3, 8), nl.randn(4, 3, 8))
    with pytest.raises(ValueError, match=r"query of shape \(L, N, 8\).*got shape \(3, 2, 6\)"):
        m(nl.randn(3, 2, 6), kv, kv)
    with pytest.raises(ValueError, match=r"key of shape.*got shape \(4, 2, 5\)"):
        m(q, nl.randn(4, 2, 5), kv)
    with pytest.raises(ValueError, match=r"same length S.*\(4, 2, 8\).*\(5, 2, 8\)"):
        m(q, kv, nl.randn(5, 2, 8))
    with pytest.raises(ValueError, match=r"2D attn_mask is \(3, 3\).*\(3, 4\)"):
        m(q, kv, kv, attn_mask=np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match=r"3D attn_mask is \(2, 3, 4\).*\(4, 3, 4\)"):
        m(q, kv, kv, attn_mask=np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"attn_mask must be 2-D.*\(1, 1, 3, 4\)"):
        m(q, kv, kv, attn_mask=np.zeros((1, 1, 3, 4)))
    with pytest.raises(ValueError, match=r"key_padding_mask of shape \(N, S\) = \(2, 4\).*"
                                         r"\(2, 3\)"):
        m(q, kv, kv, key_padding_mask=np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="key_padding_mask of shape \\(N, S\\), got shape"):
        m(q, kv, kv, key_padding_mask=np.zeros(4, bool))
    with pytest.raises(ValueError, match="3-D .* got shapes"):
        m(q, nl.randn(4, 8), nl.randn(4, 8))
    with pytest.raises(ValueError, match=r"num_heads, L, S"):
        m(nl.randn(3, 8), nl.randn(4, 8), nl.randn(4, 8), attn_mask=np.zeros((3, 3, 4)))
    with pytest.raises(TypeError, match="bool and floating"):
        m(q, kv, kv, attn_mask=np.zeros((3, 4), np.int32))
    with pytest.raises(TypeError, match="query must be a Tensor"):
        m(np.zeros((3, 2, 8)), kv, kv)
