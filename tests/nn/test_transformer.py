"""Tests of nnlite/nn/transformer.py: the encoder and decoder layers, their stacks, the
whole ``Transformer``, ``generate_square_subsequent_mask`` and the positional modules.

Oracle: torch (float64, torch's randomised weights loaded by name through
``state_dict``): outputs, input gradients and every parameter gradient for a random
upstream gradient, in eval mode (dropout 0.1 switched off) and in train mode with
dropout 0.0, post- and pre-norm, relu / gelu / a callable, both batch layouts, with
every mask passed through. Float64 gradchecks of both layers over hypothesis-drawn
batch (or unbatched), lengths, options, masks and seeded dropout. Padded source positions
get exactly zero gradient and change the output not at all. Masks of the wrong shape and
mismatched batches are errors naming the argument. The positional encoding is checked
against the paper's formula written out with Python's math module.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl
import nnlite.nn.functional as F
from nnlite.nn.normalization import LayerNorm
from nnlite.nn.transformer import (LearnedPositionalEmbedding, PositionalEncoding,
                                   Transformer, TransformerDecoder, TransformerDecoderLayer,
                                   TransformerEncoder, TransformerEncoderLayer)

pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")]

RTOL, ATOL = 1e-9, 1e-11
E, H, FF = 8, 2, 16


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(a):
    return nl.tensor(a, requires_grad=True)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.array if isinstance(ours, nl.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def load_from_torch(torch, m, tm, seed=0):
    """Randomise every floating torch parameter (so biases and norms are not trivial)
    and load the state into nnlite by name; the keys must be torch's."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)
    sd = tm.state_dict()
    assert list(m.state_dict()) == list(sd)
    m.load_state_dict({k: v.numpy() for k, v in sd.items()})


def seq(T, N, batch_first, seed):
    shape = (T, E) if N is None else ((N, T, E) if batch_first else (T, N, E))
    return rng(seed).standard_normal(shape)


def compare(torch, m, tm, arrays, kw, train):
    m.train(train)
    tm.train(train)
    xs = [leaf(a) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    y, ty = m(*xs, **kw), tm(*txs, **tkw)
    gy = rng(99).standard_normal(y.shape)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    close(y, ty)
    for x, tx in zip(xs, txs):
        close(x.grad, tx.grad)
    for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert n == tn
        close(p.grad, tp.grad)


def causal(T):
    return np.triu(np.full((T, T), -np.inf), 1)


def padding(N, S, seed):
    m = rng(seed).random((N, S)) > 0.6
    m[:, 0] = False                                       # every sample keeps a key
    return m


MODES = [(False, 0.1), (True, 0.0)]                       # (train, dropout)
ACTS = ["relu", "gelu"]


# ============================================================================
# Layers
# ============================================================================
@pytest.mark.parametrize("train,dropout", MODES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(torch, train, dropout, norm_first, activation,
                                     batch_first):
    kw = dict(dropout=dropout, activation=activation, batch_first=batch_first,
              norm_first=norm_first)
    m = TransformerEncoderLayer(E, H, FF, dtype=nl.float64, **kw)
    tm = torch.nn.TransformerEncoderLayer(E, H, FF, dtype=torch.float64, **kw)
    load_from_torch(torch, m, tm)
    src = seq(5, 3, batch_first, 1)
    masks = dict(src_mask=causal(5), src_key_padding_mask=padding(3, 5, 2))
    compare(torch, m, tm, [src], masks, train)
    compare(torch, m, tm, [src], {}, train)


@pytest.mark.parametrize("train,dropout", MODES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_torch(torch, train, dropout, norm_first, activation,
                                     batch_first):
    kw = dict(dropout=dropout, activation=activation, batch_first=batch_first,
              norm_first=norm_first)
    m = TransformerDecoderLayer(E, H, FF, dtype=nl.float64, **kw)
    tm = torch.nn.TransformerDecoderLayer(E, H, FF, dtype=torch.float64, **kw)
    load_from_torch(torch, m, tm)
    tgt, mem = seq(4, 3, batch_first, 1), seq(5, 3, batch_first, 2)
    masks = dict(tgt_mask=causal(4), memory_mask=rng(3).standard_normal((4, 5)),
                 tgt_key_padding_mask=padding(3, 4, 4),
                 memory_key_padding_mask=padding(3, 5, 5))
    compare(torch, m, tm, [tgt, mem], masks, train)


def test_layers_accept_callable_activation(torch):
    m = TransformerEncoderLayer(E, H, FF, dropout=0.0, activation=F.gelu, dtype=nl.float64)
    tm = torch.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0,
                                          activation=torch.nn.functional.gelu,
                                          dtype=torch.float64)
    load_from_torch(torch, m, tm)
    compare(torch, m, tm, [seq(4, 2, False, 0)], {}, True)
    m = TransformerDecoderLayer(E, H, FF, activation=nl.nn.GELU(), dtype=nl.float64)
    tm = torch.nn.TransformerDecoderLayer(E, H, FF, activation=torch.nn.GELU(),
                                          dtype=torch.float64)
    load_from_torch(torch, m, tm)
    compare(torch, m, tm, [seq(4, 2, False, 0), seq(3, 2, False, 1)], {}, False)


@pytest.mark.parametrize("bias", [True, False])
def test_layers_unbatched_and_without_bias_match_torch(torch, bias):
    m = TransformerEncoderLayer(E, H, FF, bias=bias, dtype=nl.float64)
    tm = torch.nn.TransformerEncoderLayer(E, H, FF, bias=bias, dtype=torch.float64)
    load_from_torch(torch, m, tm)
    compare(torch, m, tm, [seq(5, None, False, 0)],
            dict(src_key_padding_mask=np.array([False, False, True, False, True])), False)
    m = TransformerDecoderLayer(E, H, FF, bias=bias, dtype=nl.float64, batch_first=True)
    tm = torch.nn.TransformerDecoderLayer(E, H, FF, bias=bias, dtype=torch.float64,
                                          batch_first=True)
    load_from_torch(torch, m, tm)
    compare(torch, m, tm, [seq(3, None, True, 0), seq(5, None, True, 1)],
            dict(tgt_mask=causal(3)), False)


# ============================================================================
# Gradient checks (float64, hypothesis-drawn batch, lengths, options and masks)
# ============================================================================
GE, GH, GFF = 4, 2, 6                       # tiny sizes: every element is checked


@st.composite
def layer_case(draw):
    return dict(N=draw(st.sampled_from([None, 1, 2])), T=draw(st.integers(1, 3)),
                S=draw(st.integers(1, 3)), batch_first=draw(st.booleans()),
                norm_first=draw(st.booleans()), activation=draw(st.sampled_from(ACTS)),
                dropout=draw(st.sampled_from([0.0, 0.3])), masks=draw(st.booleans()),
                seed=draw(st.integers(0, 2 ** 16)))


def _case_inputs(case, lengths):
    """The case's generator and leaves of shape (T, N, E) / (N, T, E) / (T, E), one per
    length T."""
    r, N, bf = rng(case["seed"]), case["N"], case["batch_first"]
    xs = [leaf(r.standard_normal((T, GE) if N is None else (N, T, GE) if bf else (T, N, GE)))
          for T in lengths]
    return r, xs


def _padding_mask(r, N, S):
    m = r.random((N or 1, S)) > 0.6
    m[:, 0] = False                                       # every query keeps a key
    return m if N else m[0]


def _gradcheck_layer(cls, case, lengths, masks):
    """Build ``cls`` with the drawn options, draw one input per length and ``masks(r)``
    (when the case has masks), and check every input and parameter (in training, with
    the dropout masks reseeded at each evaluation)."""
    layer = cls(GE, GH, GFF, dropout=case["dropout"], activation=case["activation"],
                batch_first=case["batch_first"], norm_first=case["norm_first"],
                dtype=nl.float64)
    r, inputs = _case_inputs(case, lengths)
    kw = masks(r) if case["masks"] else {}

    def fn(*ts):
        nl.manual_seed(1)                                 # the same dropout masks each call
        return layer(*ts[:len(inputs)], **kw)
    assert nl.gradcheck(fn, inputs + list(layer.parameters()))


@settings(max_examples=12)
@given(layer_case())
def test_encoder_layer_gradcheck(case):
    S, N = case["S"], case["N"]
    _gradcheck_layer(TransformerEncoderLayer, case, [S], lambda r: dict(
        src_mask=r.standard_normal((S, S)), src_key_padding_mask=_padding_mask(r, N, S)))


@settings(max_examples=12)
@given(layer_case())
def test_decoder_layer_gradcheck(case):
    T, S, N = case["T"], case["S"], case["N"]
    _gradcheck_layer(TransformerDecoderLayer, case, [T, S], lambda r: dict(
        tgt_mask=causal(T), memory_mask=r.random((T, S)) > 0.7,
        tgt_key_padding_mask=_padding_mask(r, N, T),
        memory_key_padding_mask=_padding_mask(r, N, S)))


# ============================================================================
# Stacks and the whole model
# ============================================================================
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_and_decoder_stacks_match_torch(torch, norm_first, batch_first):
    kw = dict(batch_first=batch_first, norm_first=norm_first)
    enc = TransformerEncoder(TransformerEncoderLayer(E, H, FF, dtype=nl.float64, **kw), 2,
                             norm=LayerNorm(E, dtype=nl.float64))
    tenc = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(E, H, FF, dtype=torch.float64, **kw), 2,
        norm=torch.nn.LayerNorm(E, dtype=torch.float64), enable_nested_tensor=False)
    load_from_torch(torch, enc, tenc)
    src = seq(5, 3, batch_first, 0)
    compare(torch, enc, tenc, [src],
            dict(mask=causal(5), src_key_padding_mask=padding(3, 5, 1)), False)
    dec = TransformerDecoder(TransformerDecoderLayer(E, H, FF, dtype=nl.float64, **kw), 2)
    tdec = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(E, H, FF, dtype=torch.float64, **kw), 2)
    load_from_torch(torch, dec, tdec)
    compare(torch, dec, tdec, [seq(4, 3, batch_first, 2), src],
            dict(tgt_mask=causal(4), memory_key_padding_mask=padding(3, 5, 1)), False)


def test_stacks_deep_copy_the_layer():
    layer = TransformerEncoderLayer(E, H, FF)
    enc = TransformerEncoder(layer, 3)
    weights = [lay.linear1.weight for lay in enc.layers]
    assert len({id(w) for w in weights}) == 3 and all(w is not layer.linear1.weight
                                                      for w in weights)
    np.testing.assert_array_equal(weights[0].array, layer.linear1.weight.array)
    assert list(enc.state_dict())[:2] == ["layers.0.self_attn.in_proj_weight",
                                          "layers.0.self_attn.in_proj_bias"]


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ACTS)
def test_transformer_matches_torch(torch, norm_first, batch_first, activation):
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2,
              dim_feedforward=FF, dropout=0.0, activation=activation,
              batch_first=batch_first, norm_first=norm_first)
    m = Transformer(dtype=nl.float64, **kw)
    tm = torch.nn.Transformer(dtype=torch.float64, **kw)
    load_from_torch(torch, m, tm)
    src, tgt = seq(5, 3, batch_first, 0), seq(4, 3, batch_first, 1)
    masks = dict(src_mask=rng(2).standard_normal((5, 5)),
                 tgt_mask=Transformer.generate_square_subsequent_mask(4, dtype=nl.float64).array,
                 memory_mask=~(rng(3).random((4, 5)) > 0.3) & (np.arange(5) > 0),
                 src_key_padding_mask=padding(3, 5, 4), tgt_key_padding_mask=padding(3, 4, 5),
                 memory_key_padding_mask=padding(3, 5, 6))
    compare(torch, m, tm, [src, tgt], masks, True)
    compare(torch, m, tm, [src, tgt], {}, False)


def test_transformer_unbatched_and_causal_hints_match_torch(torch):
    kw = dict(d_model=E, nhead=H, num_encoder_layers=1, num_decoder_layers=1,
              dim_feedforward=FF)
    m, tm = Transformer(dtype=nl.float64, **kw), torch.nn.Transformer(dtype=torch.float64,
                                                                      **kw)
    load_from_torch(torch, m, tm)
    compare(torch, m, tm, [seq(5, None, False, 0), seq(4, None, False, 1)],
            dict(tgt_mask=causal(4), tgt_is_causal=True, src_mask=causal(5),
                 src_is_causal=True), False)


def test_transformer_initialisation_and_state_dict_keys(torch):
    nl.manual_seed(0)
    m = Transformer(16, 4, 2, 1, 32)
    tm = torch.nn.Transformer(16, 4, 2, 1, 32)
    assert {k: v.shape for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert list(m.state_dict()) == list(tm.state_dict())
    w = m.encoder.layers[0].linear1.weight.array                  # xavier_uniform_ (32, 16)
    assert np.abs(w).max() <= math.sqrt(6 / 48)
    assert np.all(m.decoder.layers[0].self_attn.in_proj_bias.array == 0)
    assert np.all(m.encoder.norm.weight.array == 1)


def test_generate_square_subsequent_mask_matches_torch(torch):
    ours = Transformer.generate_square_subsequent_mask(5)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(5)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert Transformer.generate_square_subsequent_mask(3, dtype=nl.float64).dtype == \
        np.float64


def test_dropout_is_active_only_in_training():
    nl.manual_seed(0)
    m = TransformerEncoderLayer(E, H, FF, dropout=0.5)
    x = nl.randn(4, 2, E)
    assert not np.allclose(m(x).array, m(x).array)
    m.eval()
    np.testing.assert_array_equal(m(x).array, m(x).array)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_padded_source_positions_get_zero_gradient_and_change_nothing(norm_first,
                                                                      batch_first):
    """Padding masked in the encoder (src_key_padding_mask) and in the decoder's
    cross-attention (memory_key_padding_mask) is invisible: the output is bitwise the
    same whatever the padded positions hold, and their gradient is exactly zero."""
    m = Transformer(E, H, 2, 2, FF, dropout=0.0, batch_first=batch_first,
                    norm_first=norm_first, dtype=nl.float64)
    r = rng(0)
    src, tgt = r.standard_normal((2, 5, E)), r.standard_normal((2, 3, E))     # (N, ., E)
    kpm = np.array([[False] * 3 + [True] * 2, [False, True] + [False] * 3])
    kw = dict(src_key_padding_mask=kpm, memory_key_padding_mask=kpm,
              tgt_mask=Transformer.generate_square_subsequent_mask(3, dtype=nl.float64))

    def layout(a):
        return a if batch_first else a.transpose(1, 0, 2)

    x = leaf(layout(src))
    y = m(x, nl.tensor(layout(tgt)), **kw)
    y.backward(r.standard_normal(y.shape))
    g = layout(x.grad.array)                                                      # (N, S, E)
    assert np.all(g[kpm] == 0) and np.all(g[~kpm] != 0)
    src2 = src.copy()
    src2[kpm] = 100.0 * r.standard_normal((kpm.sum(), E))
    y2 = m(nl.tensor(layout(src2)), nl.tensor(layout(tgt)), **kw)
    np.testing.assert_array_equal(y2.array, y.array)


# ============================================================================
# Bad input
# ============================================================================
def test_bad_input():
    m = Transformer(E, H, 1, 1, FF)
    with pytest.raises(ValueError, match=r"batch number of src and tgt.*\(5, 3, 8\).*"
                                         r"\(4, 2, 8\)"):
        m(nl.randn(5, 3, E), nl.randn(4, 2, E))
    with pytest.raises(ValueError, match=r"d_model=8.*\(5, 3, 6\)"):
        m(nl.randn(5, 3, 6), nl.randn(4, 3, 6))
    with pytest.raises(ValueError, match="both be batched"):
        m(nl.randn(5, 3, E), nl.randn(4, E))
    layer = TransformerEncoderLayer(E, H, FF)
    with pytest.raises(ValueError, match=r"src of shape \(L, N, 8\).*\(5, 3, 7\)"):
        layer(nl.randn(5, 3, 7))
    with pytest.raises(ValueError, match=r"src_mask must have shape \(L, S\) = \(5, 5\) or "
                                         r"\(N\*nhead, L, S\) = \(6, 5, 5\), got shape \(4, 4\)"):
        layer(nl.randn(5, 3, E), src_mask=causal(4))
    with pytest.raises(ValueError, match=r"src_mask.*\(6, 5, 5\), got shape \(2, 5, 5\)"):
        TransformerEncoder(layer, 2)(nl.randn(5, 3, E), mask=np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match=r"src_key_padding_mask must have shape \(N, S\) = "
                                         r"\(3, 5\), got shape \(5, 3\)"):
        layer(nl.randn(5, 3, E), src_key_padding_mask=np.zeros((5, 3), bool))
    with pytest.raises(ValueError, match=r"src_key_padding_mask must have shape \(S,\) = "
                                         r"\(5,\), got shape \(1, 5\)"):
        layer(nl.randn(5, E), src_key_padding_mask=np.zeros((1, 5), bool))
    dec = TransformerDecoderLayer(E, H, FF)
    with pytest.raises(ValueError, match=r"memory of shape.*\(5, 3, 4\)"):
        dec(nl.randn(4, 3, E), nl.randn(5, 3, 4))
    with pytest.raises(ValueError, match=r"tgt and memory.*same batch size N \(dim 1\), got "
                                         r"tgt \(4, 3, 8\) and memory \(5, 2, 8\)"):
        dec(nl.randn(4, 3, E), nl.randn(5, 2, E))
    with pytest.raises(ValueError, match=r"tgt and memory.*tgt \(4, 8\) and memory"):
        dec(nl.randn(4, E), nl.randn(5, 3, E))
    tgt, mem = nl.randn(4, 3, E), nl.randn(5, 3, E)
    with pytest.raises(ValueError, match=r"memory_mask must have shape \(L, S\) = \(4, 5\).*"
                                         r"got shape \(4, 4\)"):
        dec(tgt, mem, memory_mask=causal(4))
    with pytest.raises(ValueError, match=r"tgt_mask.*\(4, 4\).*got shape \(5, 5\)"):
        TransformerDecoder(dec, 1)(tgt, mem, tgt_mask=causal(5))
    with pytest.raises(ValueError, match=r"memory_key_padding_mask.*\(3, 5\), got shape "
                                         r"\(3, 4\)"):
        dec(tgt, mem, memory_key_padding_mask=np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match=r"tgt_key_padding_mask.*\(3, 4\), got shape \(2, 4\)"):
        dec(tgt, mem, tgt_key_padding_mask=np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="activation should be 'relu', 'gelu'"):
        TransformerEncoderLayer(E, H, FF, activation="tanh")
    with pytest.raises(ValueError, match="divisible by num_heads"):
        TransformerEncoderLayer(E, 3, FF)
    with pytest.raises(ValueError, match="num_layers must be positive"):
        TransformerEncoder(layer, 0)


# ============================================================================
# Positional encodings
# ============================================================================
@pytest.mark.parametrize("d_model", [6, 7])
def test_positional_encoding_is_the_papers_formula(d_model):
    pe = PositionalEncoding(d_model, dropout=0.0, max_len=50, dtype=nl.float64)
    table = np.array([[math.sin(pos / 10000 ** (i / d_model)) if i % 2 == 0 else
                       math.cos(pos / 10000 ** ((i - 1) / d_model)) for i in range(d_model)]
                      for pos in range(50)])
    np.testing.assert_allclose(pe.pe.array, table, rtol=1e-12, atol=1e-12)
    x = nl.zeros(9, 2, d_model, dtype=nl.float64)
    y = pe(x)
    np.testing.assert_allclose(y.array, np.broadcast_to(table[:9, None], (9, 2, d_model)))
    pe_bf = PositionalEncoding(d_model, dropout=0.0, max_len=50, batch_first=True,
                               dtype=nl.float64)
    np.testing.assert_allclose(pe_bf(nl.zeros(2, 9, d_model, dtype=nl.float64)).array,
                               np.broadcast_to(table[None, :9], (2, 9, d_model)))


def test_positional_encoding_buffer_is_not_saved_and_follows_dtype():
    pe = PositionalEncoding(16, max_len=100)
    assert pe.pe.dtype == np.float32 and list(pe.state_dict()) == []
    assert [n for n, _ in pe.named_buffers()] == ["pe"] and not list(pe.parameters())
    pe.double()
    assert pe.pe.dtype == np.float64
    pe.eval()
    x = nl.randn(5, 16, dtype=nl.float64, requires_grad=True)
    pe(x).sum().backward()
    np.testing.assert_array_equal(x.grad, 1.0)
    with pytest.raises(ValueError, match=r"sequence length 101 exceeds max_len=100"):
        pe(nl.randn(101, 1, 16))
    with pytest.raises(ValueError, match=r"\(L, N, 16\).*\(5, 1, 8\)"):
        pe(nl.randn(5, 1, 8))


def test_learned_positional_embedding():
    nl.manual_seed(0)
    pos = LearnedPositionalEmbedding(10, 4, batch_first=True, dtype=nl.float64)
    assert list(pos.state_dict()) == ["weight"] and pos.weight.shape == (10, 4)
    x = leaf(rng(0).standard_normal((3, 6, 4)))
    y = pos(x)
    np.testing.assert_allclose(y.array, x.array + pos.weight.array[None, :6])
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(pos.weight.grad[:6], 3.0)        # summed over the batch
    np.testing.assert_array_equal(pos.weight.grad[6:], 0.0)
    assert nl.gradcheck(lambda t: LearnedPositionalEmbedding.forward(pos, t), [x])
    with pytest.raises(ValueError, match="exceeds max_len=10"):
        pos(nl.randn(1, 11, 4))
