"""Tests of nnlite/nn/recurrent.py (RNN, LSTM, GRU and their cells) and of the fused
kernels in nnlite/ops/recurrent.py.

- parity with torch on copied weights (float64): outputs, h_n / c_n, and the gradients
  of the input, the initial states and every parameter, over the grid of cell kinds x
  num_layers {1, 2} x bidirectional x batch_first x with / without h0 x padded / packed
  (variable lengths, unsorted), plus projections, bias=False and unbatched input;
- float64 gradchecks with hypothesis-drawn sizes (cells and whole layers);
- packed batches equal running each sequence alone; dropout between layers (torch parity
  with the deterministic dropout=1, train and eval; seeded masks); a small training run
  with gradient clipping; state_dict keys, reprs, initialisation;
- bad input: clear errors naming the argument and the shapes.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from nnlite.nn.utils.clip_grad import clip_grad_norm_
from nnlite.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

RTOL, ATOL = 1e-9, 1e-12
LAYERS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}
CELLS = {"RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}
KINDS = ["RNN_tanh", "RNN_relu", "LSTM", "GRU"]


def _split(kind: str) -> tuple:
    """'RNN_relu' -> ('RNN', {'nonlinearity': 'relu'})."""
    if kind.startswith("RNN"):
        return "RNN", {"nonlinearity": kind.split("_")[1]}
    return kind, {}


def _pair(torch, kind, *args, **kwargs):
    """The same layer in both libraries, float64, torch's weights copied into ours."""
    name, extra = _split(kind)
    kwargs = {**extra, **kwargs}
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = LAYERS.get(name, CELLS.get(name))(*args, **kwargs, dtype=nl.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _close(ours, theirs, what=""):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.array if isinstance(ours, nl.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


def _run_both(torch, ours, theirs, x_np, lengths=None, h0_np=None, c0_np=None, seed=1):
    """Forward both, backward the same random upstream gradients, compare everything."""
    lstm = isinstance(ours, LSTM)
    bf = ours.batch_first
    x, tx = nl.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    states, tstates = [], []
    for a in (h0_np, c0_np):
        if a is not None:
            states.append(nl.tensor(a, requires_grad=True))
            tstates.append(torch.tensor(a, requires_grad=True))
    hx = (tuple(states) if lstm else states[0]) if states else None
    thx = (tuple(tstates) if lstm else tstates[0]) if tstates else None
    if lengths is None:
        y, hn = ours(x, hx)
        ty, thn = theirs(tx, thx)
    else:
        T = x_np.shape[1] if bf else x_np.shape[0]
        p = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False)
        tp = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths),
                                                     batch_first=bf, enforce_sorted=False)
        out, hn = ours(p, hx)
        tout, thn = theirs(tp, thx)
        _close(out.data, tout.data, "packed data")
        y, _ = pad_packed_sequence(out, batch_first=bf, total_length=T)
        ty, _ = torch.nn.utils.rnn.pad_packed_sequence(tout, batch_first=bf, total_length=T)
    outs = [y] + (list(hn) if lstm else [hn])
    touts = [ty] + (list(thn) if lstm else [thn])
    rng = np.random.default_rng(seed)
    total, ttotal = 0, 0
    for o, to, name in zip(outs, touts, ["output", "h_n", "c_n"]):
        _close(o, to, name)
        g = rng.standard_normal(o.shape)
        total = total + (o * nl.tensor(g)).sum()
        ttotal = ttotal + (to * torch.tensor(g)).sum()
    total.backward()
    ttotal.backward()
    _close(x.grad, tx.grad, "input grad")
    for s, ts, name in zip(states, tstates, ["h0 grad", "c0 grad"]):
        _close(s.grad, ts.grad, name)
    named = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        _close(p.grad, named[k].grad, f"grad of {k}")


# ============================================================================
# Parity with torch
# ============================================================================
GRID = list(itertools.product(KINDS, [1, 2], [False, True], [False, True], [False, True],
                              [False, True]))


@pytest.mark.parametrize("kind,num_layers,bidirectional,batch_first,with_h0,packed", GRID)
def test_layer_matches_torch(torch, kind, num_layers, bidirectional, batch_first, with_h0,
                             packed):
    T, B, I, H = 4, 3, 3, 4
    ours, theirs = _pair(torch, kind, I, H, num_layers=num_layers,
                         bidirectional=bidirectional, batch_first=batch_first)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    D = 2 if bidirectional else 1
    h0 = rng.standard_normal((num_layers * D, B, H)) if with_h0 else None
    c0 = rng.standard_normal((num_layers * D, B, H)) if with_h0 and kind == "LSTM" else None
    lengths = [2, 4, 1] if packed else None
    _run_both(torch, ours, theirs, x, lengths, h0, c0)


@pytest.mark.parametrize("bidirectional,packed,with_h0", [(False, False, True),
                                                          (True, True, True),
                                                          (True, False, False)])
def test_lstm_projection_matches_torch(torch, bidirectional, packed, with_h0):
    T, B, I, H, P, L = 5, 3, 4, 6, 3, 2
    ours, theirs = _pair(torch, "LSTM", I, H, num_layers=L, proj_size=P,
                         bidirectional=bidirectional)
    rng = np.random.default_rng(1)
    D = 2 if bidirectional else 1
    h0 = rng.standard_normal((L * D, B, P)) if with_h0 else None
    c0 = rng.standard_normal((L * D, B, H)) if with_h0 else None
    _run_both(torch, ours, theirs, rng.standard_normal((T, B, I)),
              [5, 2, 3] if packed else None, h0, c0)


@pytest.mark.parametrize("kind", KINDS)
def test_layer_without_bias_matches_torch(torch, kind):
    ours, theirs = _pair(torch, kind, 3, 4, num_layers=2, bias=False, bidirectional=True)
    assert "bias_ih_l0" not in ours.state_dict()
    _run_both(torch, ours, theirs, np.random.default_rng(2).standard_normal((5, 2, 3)))


@pytest.mark.parametrize("kind,with_h0", list(itertools.product(KINDS, [False, True])))
def test_unbatched_input_matches_torch(torch, kind, with_h0):
    ours, theirs = _pair(torch, kind, 3, 4, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(3)
    h0 = rng.standard_normal((4, 4)) if with_h0 else None
    c0 = rng.standard_normal((4, 4)) if with_h0 and kind == "LSTM" else None
    _run_both(torch, ours, theirs, rng.standard_normal((5, 3)), None, h0, c0)


@pytest.mark.parametrize("kind,batched,with_h,bias",
                         list(itertools.product(["RNNCell_tanh", "RNNCell_relu", "LSTMCell",
                                                 "GRUCell"], [True, False], [True, False],
                                                [True, False])))
def test_cell_matches_torch(torch, kind, batched, with_h, bias):
    name, extra = (kind.split("_")[0], {"nonlinearity": kind.split("_")[1]}) \
        if "_" in kind else (kind, {})
    theirs = getattr(torch.nn, name)(3, 5, bias=bias, **extra).double()
    ours = CELLS[name](3, 5, bias=bias, dtype=nl.float64, **extra)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(4)
    shape = (2, 3) if batched else (3,)
    hshape = (2, 5) if batched else (5,)
    x_np = rng.standard_normal(shape)
    x, tx = nl.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    states = [rng.standard_normal(hshape) for _ in range(2 if name == "LSTMCell" else 1)]
    hs = [nl.tensor(s, requires_grad=True) for s in states]
    ths = [torch.tensor(s, requires_grad=True) for s in states]
    if not with_h:
        out, tout = ours(x), theirs(tx)
    elif name == "LSTMCell":
        out, tout = ours(x, tuple(hs)), theirs(tx, tuple(ths))
    else:
        out, tout = ours(x, hs[0]), theirs(tx, ths[0])
    outs = list(out) if name == "LSTMCell" else [out]
    touts = list(tout) if name == "LSTMCell" else [tout]
    total, ttotal = 0, 0
    for o, to in zip(outs, touts):
        _close(o, to)
        g = rng.standard_normal(o.shape)
        total = total + (o * nl.tensor(g)).sum()
        ttotal = ttotal + (to * torch.tensor(g)).sum()
    total.backward()
    ttotal.backward()
    _close(x.grad, tx.grad, "input grad")
    if with_h:
        for h, th in zip(hs, ths):
            _close(h.grad, th.grad, "state grad")
    named = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        _close(p.grad, named[k].grad, k)


CONFIGS = [("LSTM", dict(num_layers=2, bidirectional=True)),
           ("LSTM", dict(proj_size=2, num_layers=3, bias=False)),
           ("GRU", dict(num_layers=3, batch_first=True, dropout=0.5)),
           ("RNN_relu", dict(bidirectional=True, bias=False)),
           ("RNN_tanh", {})]


@pytest.mark.parametrize("kind,kwargs", CONFIGS)
def test_state_dict_keys_shapes_and_repr_match_torch(torch, kind, kwargs):
    ours, theirs = _pair(torch, kind, 3, 5, **kwargs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert all(sd[k].shape == tuple(tsd[k].shape) for k in sd)
    assert repr(ours) == repr(theirs)
    assert [[n for n in names] for names in ours._all_weights] == theirs._all_weights
    assert all(a is getattr(ours, n) for names, ws in zip(ours._all_weights, ours.all_weights)
               for n, a in zip(names, ws))


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_state_dict_and_repr_match_torch(torch, name):
    for kwargs in ({}, {"bias": False}):
        ours, theirs = CELLS[name](3, 5, **kwargs), getattr(torch.nn, name)(3, 5, **kwargs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)
    assert repr(RNNCell(3, 5, nonlinearity="relu")) == repr(
        torch.nn.RNNCell(3, 5, nonlinearity="relu"))


@pytest.mark.parametrize("cls,kwargs", [(LSTM, dict(proj_size=3)), (GRU, {}), (RNN, {}),
                                        (LSTMCell, {}), (GRUCell, {})])
def test_default_init_is_uniform_over_one_over_sqrt_hidden(cls, kwargs):
    m = cls(20, 64, **kwargs)
    k = 1 / math.sqrt(64)
    values = np.concatenate([p.array.ravel() for p in m.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= k
    assert abs(values.std() - k / math.sqrt(3)) < 0.05 * k       # U(-k, k) has std k/sqrt(3)


# ============================================================================
# Gradient checks (float64, hypothesis-drawn sizes)
# ============================================================================
@given(kind=st.sampled_from(["RNNCell_tanh", "RNNCell_relu", "LSTMCell", "GRUCell"]),
       B=st.integers(1, 3), I=st.integers(1, 4), H=st.integers(1, 4),
       batched=st.booleans(), with_h=st.booleans(), bias=st.booleans())
def test_cell_gradcheck(kind, B, I, H, batched, with_h, bias):
    name, extra = (kind.split("_")[0], {"nonlinearity": kind.split("_")[1]}) \
        if "_" in kind else (kind, {})
    cell = CELLS[name](I, H, bias=bias, dtype=nl.float64, **extra)
    rng = np.random.default_rng(B * 100 + I * 10 + H)
    x = nl.tensor(rng.standard_normal((B, I) if batched else (I,)), requires_grad=True)
    hshape = (B, H) if batched else (H,)
    states = [nl.tensor(rng.standard_normal(hshape), requires_grad=True)
              for _ in range(2 if name == "LSTMCell" else 1)] if with_h else []
    params = list(cell.parameters())

    def f(x, *rest):
        if not states:
            return cell(x)
        hx = tuple(rest[:2]) if name == "LSTMCell" else rest[0]
        return cell(x, hx)

    assert nl.gradcheck(f, [x] + states + params)


@given(kind=st.sampled_from(KINDS), num_layers=st.integers(1, 2),
       bidirectional=st.booleans(), batch_first=st.booleans(), with_h0=st.booleans(),
       lengths=st.lists(st.integers(1, 4), min_size=1, max_size=3), packed=st.booleans(),
       I=st.integers(1, 3), H=st.integers(1, 3), bias=st.booleans(), proj=st.booleans())
def test_layer_gradcheck(kind, num_layers, bidirectional, batch_first, with_h0, lengths,
                         packed, I, H, bias, proj):
    name, extra = _split(kind)
    if name == "LSTM" and proj and H > 1:
        extra["proj_size"] = H - 1                        # h is (B, P), c stays (B, H)
    m = LAYERS[name](I, H, num_layers=num_layers, bidirectional=bidirectional,
                     batch_first=batch_first, bias=bias, dtype=nl.float64, **extra)
    B, T = len(lengths), max(lengths)
    rng = np.random.default_rng(B + 10 * T + 100 * I + 1000 * H)
    x = nl.tensor(rng.standard_normal((B, T, I) if batch_first else (T, B, I)),
                  requires_grad=True)
    D = 2 if bidirectional else 1
    sizes = [extra.get("proj_size", H), H][:(2 if name == "LSTM" else 1) if with_h0 else 0]
    states = [nl.tensor(rng.standard_normal((num_layers * D, B, n)), requires_grad=True)
              for n in sizes]

    def f(x, *rest):
        hx = None
        if states:
            hx = tuple(rest[:2]) if name == "LSTM" else rest[0]
        inp = pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False) \
            if packed else x
        out, hn = m(inp, hx)
        if packed:
            out = pad_packed_sequence(out, batch_first)[0]
        return (out,) + (tuple(hn) if name == "LSTM" else (hn,))

    assert nl.gradcheck(f, [x] + states + list(m.parameters()))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional,packed", [(False, False), (True, True)])
def test_dropout_between_layers_matches_torch_in_training_and_eval(torch, kind,
                                                                   bidirectional, packed):
    """dropout=1 is deterministic (it zeroes every layer's input but the first one's,
    and not the output): in training the outputs, states and all gradients equal
    torch's; in eval mode dropout is off and they equal torch's again."""
    ours, theirs = _pair(torch, kind, 3, 4, num_layers=3, dropout=1.0,
                         bidirectional=bidirectional)
    rng = np.random.default_rng(12)
    x = rng.standard_normal((5, 3, 3))
    h0 = rng.standard_normal((3 * (2 if bidirectional else 1), 3, 4))
    c0 = h0 + 1 if kind == "LSTM" else None
    lengths = [5, 2, 4] if packed else None
    for train in (True, False):
        ours.train(train)
        theirs.train(train)
        _run_both(torch, ours, theirs, x, lengths, h0, c0)


def test_gradcheck_with_dropout_between_layers():
    m = GRU(2, 3, num_layers=2, dropout=0.4, dtype=nl.float64)
    x = nl.tensor(np.random.default_rng(5).standard_normal((4, 2, 2)), requires_grad=True)

    def f(x, *params):
        nl.manual_seed(7)                    # the same masks at every evaluation
        return m(x)[0]

    assert nl.gradcheck(f, [x] + list(m.parameters()))


def test_backward_twice_with_retain_graph_doubles_the_gradients():
    m = LSTM(3, 4, num_layers=2, bidirectional=True, dtype=nl.float64)
    x = nl.tensor(np.random.default_rng(6).standard_normal((5, 2, 3)), requires_grad=True)
    y, (h, c) = m(x)
    loss = (y * y).sum() + h.sum() + (c * c).sum()
    loss.backward(retain_graph=True)
    first = [x.grad.array.copy()] + [p.grad.array.copy() for p in m.parameters()]
    loss.backward()
    second = [x.grad] + [p.grad for p in m.parameters()]
    for a, b in zip(first, second):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-12)


def test_gradcheck_catches_a_wrong_kernel_gradient(monkeypatch):
    """The checks above are not vacuous: a 1% error in one weight gradient fails."""
    from nnlite.gradcheck import GradcheckError
    from nnlite.ops.recurrent import LSTMLayer

    right = LSTMLayer.backward

    def wrong(ctx, *grads):
        grads = list(right(ctx, *grads))
        grads[4] = grads[4] * 1.01                       # weight_hh
        return tuple(grads)

    monkeypatch.setattr(LSTMLayer, "backward", staticmethod(wrong))
    m = LSTM(2, 3, dtype=nl.float64)
    x = nl.tensor(np.random.default_rng(9).standard_normal((3, 2, 2)))
    with pytest.raises(GradcheckError, match="input 1"):
        nl.gradcheck(lambda *p: m(x)[0], list(m.parameters()))


@pytest.mark.parametrize("packed", [False, True])
def test_inputs_states_weights_and_upstream_gradient_are_not_mutated(packed):
    m = LSTM(3, 4, num_layers=2, bidirectional=True, dtype=nl.float64)
    rng = np.random.default_rng(10)
    x = nl.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    h0 = nl.tensor(rng.standard_normal((4, 2, 4)), requires_grad=True)
    c0 = nl.tensor(rng.standard_normal((4, 2, 4)), requires_grad=True)
    arrays = [x.array, h0.array, c0.array] + [p.array for p in m.parameters()]
    before = [a.copy() for a in arrays]
    inp = pack_padded_sequence(x, [5, 3]) if packed else x
    out, (h, c) = m(inp, (h0, c0))
    y = pad_packed_sequence(out)[0] if packed else out
    gy = rng.standard_normal(y.shape)
    gy_before = gy.copy()
    ((y * nl.tensor(gy)).sum() + h.sum() + c.sum()).backward()
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(gy, gy_before)


def test_create_graph_is_refused_with_a_clear_error():
    m = GRU(2, 3, dtype=nl.float64)
    x = nl.tensor(np.ones((2, 1, 2)), requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be differentiated twice"):
        m(x)[0].sum().backward(create_graph=True)


# ============================================================================
# Semantics: packing, dropout, dtypes, training
# ============================================================================
@pytest.mark.parametrize("kind", KINDS)
def test_packed_batch_equals_each_sequence_alone(kind):
    name, extra = _split(kind)
    m = LAYERS[name](3, 4, num_layers=2, bidirectional=True, batch_first=True,
                     dtype=nl.float64, **extra)
    lengths = [3, 6, 1, 4]
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 6, 3))
    x[np.arange(6)[None, :] >= np.array(lengths)[:, None]] = 1e3    # garbage padding
    out, hn = m(pack_padded_sequence(nl.tensor(x), lengths, True, enforce_sorted=False))
    y, lens = pad_packed_sequence(out, batch_first=True, total_length=6)
    assert lens.tolist() == lengths
    for b, n in enumerate(lengths):
        yb, hb = m(nl.tensor(x[b, :n]))                            # unbatched, no padding
        np.testing.assert_allclose(y.array[b, :n], yb.array, rtol=1e-12, atol=1e-14)
        assert np.all(y.array[b, n:] == 0)
        for got, want in zip(hn if name == "LSTM" else (hn,), hb if name == "LSTM" else (hb,)):
            np.testing.assert_allclose(got.array[:, b], want.data, rtol=1e-12, atol=1e-14)


def test_packed_output_keeps_the_batch_sizes_and_indices():
    m = LSTM(2, 3)
    p = pack_padded_sequence(nl.randn(4, 3, 2), [2, 4, 3], enforce_sorted=False)
    out, (h, c) = m(p)
    assert out.batch_sizes.tolist() == p.batch_sizes.tolist() == [3, 3, 2, 1]
    assert out.sorted_indices.tolist() == [1, 2, 0]
    assert out.unsorted_indices.tolist() == [2, 0, 1]
    assert out.data.shape == (9, 3) and h.shape == c.shape == (1, 3, 3)


def test_dropout_only_between_layers_in_training_and_seeded():
    m = LSTM(3, 4, num_layers=3, dropout=0.5)
    ref = LSTM(3, 4, num_layers=3)
    ref.load_state_dict(m.state_dict())
    x = nl.randn(5, 2, 3)
    m.eval()
    np.testing.assert_array_equal(m(x)[0].array, ref(x)[0].array)      # eval: no dropout
    m.train()
    nl.manual_seed(3)
    y1 = m(x)[0].array
    nl.manual_seed(3)
    y2 = m(x)[0].array
    np.testing.assert_array_equal(y1, y2)                            # repeatable
    assert not np.allclose(y1, ref(x)[0].array)                       # and active
    one = LSTM(3, 4, num_layers=1)                                   # no layer after the last
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        drop = LSTM(3, 4, num_layers=1, dropout=0.5)
    drop.load_state_dict(one.state_dict())
    np.testing.assert_array_equal(drop(x)[0].array, one(x)[0].array)


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_float32_stays_float32_and_no_grad_records_nothing(cls):
    m = cls(3, 4, bidirectional=True)
    x = nl.randn(5, 2, 3, requires_grad=True)
    y, hn = m(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and all(p.grad.dtype == np.float32
                                              for p in m.parameters())
    with nl.no_grad():
        y, hn = m(x)
    assert not y.requires_grad


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_a_recurrent_model_learns_with_gradient_clipping(cls):
    """Remember the first input of a sequence of noise: needs the recurrence."""
    nl.manual_seed(0)
    rnn, head = cls(1, 16), nl.nn.Linear(16, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = nl.optim.Adam(params, lr=0.03)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(50):
        x = rng.choice([-1.0, 1.0], size=(6, 32, 1)).astype(np.float32)
        out, _ = rnn(nl.tensor(x))
        loss = ((head(out[-1]) - nl.tensor(x[0])) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        norm = clip_grad_norm_(params, max_norm=1.0)
        assert np.isfinite(float(norm))
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.3 * np.mean(losses[:5])


# ============================================================================
# Bad input
# ============================================================================
def test_wrong_feature_size_names_input_size_and_shape():
    with pytest.raises(ValueError, match=r"input_size=10.*\(5, 3, 7\)"):
        LSTM(10, 20)(nl.randn(5, 3, 7))
    with pytest.raises(ValueError, match=r"input_size=4.*\(9, 3\)"):
        GRU(4, 2)(pack_padded_sequence(nl.randn(5, 2, 3), [5, 4]))
    with pytest.raises(ValueError, match="3 dims"):
        RNN(3, 2)(nl.randn(2, 2, 2, 3))
    with pytest.raises(ValueError, match=r"input_size=3.*\(2, 4\)"):
        LSTMCell(3, 2)(nl.randn(2, 4))


def test_wrong_initial_state_names_the_argument_and_both_shapes():
    x = nl.randn(5, 3, 10)
    m = LSTM(10, 20, num_layers=2)
    with pytest.raises(ValueError, match=r"h_0.*\(2, 3, 20\).*\(1, 3, 20\)"):
        m(x, (nl.zeros(1, 3, 20), nl.zeros(2, 3, 20)))
    with pytest.raises(ValueError, match=r"c_0.*\(2, 3, 20\).*\(2, 4, 20\)"):
        m(x, (nl.zeros(2, 3, 20), nl.zeros(2, 4, 20)))
    with pytest.raises(TypeError, match="tuple"):
        m(x, nl.zeros(2, 3, 20))
    with pytest.raises(TypeError, match="Tensor"):
        GRU(10, 20)(x, (nl.zeros(1, 3, 20),))
    with pytest.raises(ValueError, match=r"\(1, 20\) for unbatched input, got \(1, 3, 20\)"):
        GRU(10, 20)(nl.randn(5, 10), nl.zeros(1, 3, 20))
    with pytest.raises(ValueError, match=r"hx.*\(2, 4\).*\(3, 4\)"):
        GRUCell(3, 4)(nl.randn(2, 3), nl.zeros(3, 4))


def test_dtype_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="float64.*float32"):
        LSTM(3, 4)(nl.tensor(np.zeros((2, 1, 3))))
    with pytest.raises(TypeError, match="h_0"):
        GRU(3, 4)(nl.zeros(2, 1, 3), nl.tensor(np.zeros((1, 1, 4))))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        LSTM(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller"):
        LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="hidden_size must be positive"):
        GRU(3, 0)
    with pytest.raises(TypeError, match="input_size must be an int"):
        LSTM(3.0, 4)
    with pytest.raises(TypeError, match="batch_first should be of type bool"):
        GRU(3, 4, batch_first=1)
    with pytest.raises(TypeError):
        GRU(3, 4, proj_size=2)
