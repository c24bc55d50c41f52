"""Tests of nnlite/models/show_attend_tell.py (Xu et al. 2015):

* shapes: forward (logits, attention on the grid), backward into every parameter, with and
  without the gate, one- and two-row grids;
* the paper's parts: attention weights sum to 1 over the locations, h_0/c_0 from the mean
  annotation, teacher forcing is causal (a later input word changes no earlier output),
  the doubly stochastic penalty against a NumPy oracle and a float64 gradcheck;
* decoding: on a hand-made, sharply peaked model greedy and beam search read the same
  string, and return one attention map per emitted word (zero after <eos>);
* learning: a tiny model overfits a few composites of MultiDigitMNIST;
* bad input: wrong channels, mismatched batches, tiny images.
"""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, nn, optim
from nnlite.models.show_attend_tell import (Caption, CaptionOutput, ShowAttendTell,
                                            doubly_stochastic_penalty)

PAD, BOS, EOS = 0, 1, 2


def small(**kw) -> ShowAttendTell:
    nl.manual_seed(0)
    args = dict(channels=(4, 8), embed_dim=8, hidden_size=12, attn_size=10)
    args.update(kw)
    return ShowAttendTell(13, **args)


def images(b=3, h=16, w=40, seed=0):
    return nl.tensor(np.random.default_rng(seed).random((b, 1, h, w), np.float32))


def tokens(b=3, t=5, seed=0):
    ids = np.random.default_rng(seed).integers(3, 13, size=(b, t))
    ids[:, 0] = BOS
    return ids


# ============================================================================
# Shapes, forward and backward
# ============================================================================
@pytest.mark.parametrize("gate", [True, False])
@pytest.mark.parametrize("grid_rows", [1, 2])
def test_forward_backward_shapes(gate, grid_rows):
    model = small(gate=gate, grid_rows=grid_rows)
    out = model(images(), tokens())
    assert isinstance(out, CaptionOutput)
    assert out.logits.shape == (3, 5, 13)
    assert out.attention.shape == (3, 5, grid_rows, 20)        # 40 columns / stride 2
    g = np.random.default_rng(1).standard_normal(out.logits.shape).astype(np.float32)
    ((out.logits * nl.tensor(g)).sum() + doubly_stochastic_penalty(out.attention)).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
    assert (model.decoder.f_beta is not None) == gate
    assert models.ShowAttendTell is ShowAttendTell


def test_default_model_reads_a_32_by_160_canvas_on_a_1_by_20_grid():
    model = ShowAttendTell(13)
    features = model.encode(images(2, 32, 160))
    assert features.shape == (2, 1, 20, 128 + 16)                   # CNN features, positions
    assert 700_000 < sum(p.numel() for p in model.parameters()) < 800_000


def test_grid_positions_append_row_and_column_sinusoids():
    model = small(grid_rows=2, position_dim=6)
    features = model.encode(images(2, 16, 40))                      # (2, 2, 20, 8 + 6)
    assert features.shape == (2, 2, 20, 14)
    pos = features.array[..., 8:]
    col = np.arange(20)[:, None] * np.exp(np.arange(0, 3, 2) * -np.log(1e4) / 3)   # (20, 2)
    assert np.allclose(pos[0, 1, :, 0], np.sin(col[:, 0]), atol=1e-6)
    assert np.allclose(pos[1, 0, :, 2], np.sin(col[:, 1]), atol=1e-6)
    assert np.allclose(pos[:, 0, :, 1], np.cos(col[:, 0]), atol=1e-6)
    assert np.allclose(pos[:, 1, 5, 3:], [np.sin(1.0), np.cos(1.0), np.sin(1e-4 ** (2 / 3))],
                       atol=1e-6)                                   # row 1, any column
    assert small(position_dim=0).encode(images()).shape == (3, 1, 20, 8)
    with pytest.raises(ValueError, match="position_dim must be 0 or >= 2"):
        small(position_dim=1)


def test_attention_is_a_distribution_and_the_state_starts_from_the_mean_annotation():
    model = small()
    features = model.encode(images())
    out = model.decode(features, tokens())
    a = out.attention.array
    assert (a >= 0).all() and np.allclose(a.sum(axis=(2, 3)), 1.0, atol=1e-5)
    D = features.shape[-1]
    h0, c0 = model.decoder.init_state(features.reshape(3, -1, D))
    mean = features.array.reshape(3, -1, D).mean(axis=1)                  # (B, D)
    dec = model.decoder
    want_h = np.tanh(mean @ dec.init_h.weight.array.T + dec.init_h.bias.array)
    want_c = np.tanh(mean @ dec.init_c.weight.array.T + dec.init_c.bias.array)
    assert np.allclose(h0.array, want_h, atol=1e-5) and np.allclose(c0.array, want_c, atol=1e-5)


def test_teacher_forcing_is_causal():
    model = small()
    x, t = images(), tokens()
    changed = t.copy()
    changed[:, 3] = np.where(t[:, 3] == 5, 6, 5)              # another word at step 3
    a, b = model(x, t), model(x, changed)
    assert np.allclose(a.logits.array[:, :3], b.logits.array[:, :3])
    assert np.allclose(a.attention.array[:, :4], b.attention.array[:, :4])   # alpha_t uses h_{t-1}
    assert not np.allclose(a.logits.array[:, 3], b.logits.array[:, 3])


# ============================================================================
# The doubly stochastic regularisation (eq. 14)
# ============================================================================
def test_doubly_stochastic_penalty_matches_numpy():
    rng = np.random.default_rng(0)
    alpha = rng.random((4, 6, 2, 5))
    mask = rng.random((4, 6)) < 0.7
    got = doubly_stochastic_penalty(nl.tensor(alpha), mask, tau=1.0).item()
    per_loc = (alpha.reshape(4, 6, 10) * mask[:, :, None]).sum(axis=1)    # (B, L)
    assert np.isclose(got, ((1.0 - per_loc) ** 2).sum(axis=1).mean())
    full = doubly_stochastic_penalty(nl.tensor(alpha), tau=0.5).item()
    assert np.isclose(full, ((0.5 - alpha.reshape(4, 6, 10).sum(1)) ** 2).sum(1).mean())
    with pytest.raises(ValueError, match=r"mask must be \(B, T\) = \(4, 6\)"):
        doubly_stochastic_penalty(nl.tensor(alpha), mask[:, :5])


def test_doubly_stochastic_penalty_gradcheck():
    rng = np.random.default_rng(1)
    alpha = nl.tensor(rng.random((3, 4, 7)), dtype=nl.float64, requires_grad=True)
    mask = rng.random((3, 4)) < 0.6
    assert nl.gradcheck(lambda a: doubly_stochastic_penalty(a, mask), (alpha,))


# ============================================================================
# Decoding
# ============================================================================
CHAIN = {BOS: 10, 10: 7, 7: 3, 3: EOS, EOS: PAD, PAD: PAD}       # <bos> 7 4 0 <eos>


def peaked_model() -> ShowAttendTell:
    """A model whose next word is a fixed function of the previous one, with a margin of
    ~38 nats: emb = one-hot, L_h = L_z = 0, so tanh(E y) is 0.76 at y, and L_o maps it to
    50 * 0.76 on CHAIN[y] (digits not in CHAIN go to <eos>)."""
    model = small(embed_dim=13)
    dec = model.decoder
    dec.embedding.weight.data = nl.tensor(np.eye(13, dtype=np.float32))
    for layer in (dec.L_h, dec.L_z):
        layer.weight.data = nl.zeros(*layer.weight.shape)
        layer.bias.data = nl.zeros(*layer.bias.shape)
    w = np.zeros((13, 13), np.float32)
    for y in range(13):
        w[CHAIN.get(y, EOS), y] = 50.0
    dec.L_o.weight.data = nl.tensor(w)
    dec.L_o.bias.data = nl.zeros(13)
    return model.eval()


def test_greedy_and_beam_agree_on_a_peaked_model():
    model = peaked_model()
    x = images(4, 16, 40)
    greedy = model.greedy_decode(x, max_len=8)
    beam = model.beam_search(x, beam_size=3, max_len=8)
    assert isinstance(greedy, Caption)
    want = [[10, 7, 3, EOS]] * 4
    assert greedy.tokens.tolist() == want and beam.tokens.tolist() == want
    assert greedy.attention.shape == beam.attention.shape == (4, 4, 1, 20)
    assert np.allclose(greedy.attention.array, beam.attention.array, atol=1e-6)
    assert np.allclose(greedy.attention.array.sum(axis=(2, 3)), 1.0, atol=1e-5)


def test_decoded_attention_is_the_teacher_forced_one_and_zero_after_eos():
    model = small().eval()
    x = images(5, 16, 40, seed=3)
    cap = model.beam_search(x, beam_size=2, max_len=4)
    tok = cap.tokens.array
    fed = np.concatenate([np.full((5, 1), BOS), tok[:, :-1]], axis=1)
    forced = model(x, fed).attention.array
    live = tok != PAD
    assert np.allclose(cap.attention.array[live], forced[live], atol=1e-6)
    assert not cap.attention.array[~live].any()
    assert tok.shape[1] <= 4


def test_search_on_features_equals_decoding_the_images():
    model = small().eval()
    x = images()
    a = model.search(model.encode(x), beam_size=1, max_len=5)
    b = model.greedy_decode(x, max_len=5)
    assert np.array_equal(a.tokens.array, b.tokens.array)


# ============================================================================
# Learning
# ============================================================================
def test_overfits_a_few_composites():
    from nnlite.data.datasets import MultiDigitMNIST
    data = MultiDigitMNIST(train=False, num_samples=8, max_digits=2, size=(28, 64), seed=0)
    x, t = MultiDigitMNIST.collate([data[i] for i in range(8)])
    nl.manual_seed(0)
    model = ShowAttendTell(13, channels=(8, 16, 16), embed_dim=16, hidden_size=32)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    t = t.array
    for _ in range(60):
        out = model(x, t[:, :-1])
        loss = F.cross_entropy(out.logits.reshape(-1, 13), t[:, 1:].reshape(-1),
                               ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    read = model.greedy_decode(x, max_len=3).tokens.array
    assert [MultiDigitMNIST.decode(r) for r in read] == [MultiDigitMNIST.decode(r) for r in t]


# ============================================================================
# Bad input
# ============================================================================
def test_bad_input_is_named():
    model = small()
    with pytest.raises(ValueError, match=r"expected images of shape \(B, 1, H, W\), got "
                                         r"\(3, 3, 16, 40\)"):
        model(nl.randn(3, 3, 16, 40), tokens())
    with pytest.raises(ValueError, match="same batch size, got 3 and 2"):
        model(images(), tokens(2))
    with pytest.raises(ValueError, match="smaller than the encoder's stride 2"):
        model(images(3, 1, 40), tokens())
    with pytest.raises(ValueError, match="tokens_in as integer token ids"):
        model(images(), np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="eos_idx=20 is outside the vocabulary of 13"):
        ShowAttendTell(13, eos_idx=20)
    with pytest.raises(ValueError, match="channels"):
        ShowAttendTell(13, channels=())
    with pytest.raises(ValueError, match="grid_rows"):
        ShowAttendTell(13, grid_rows=0)
    assert isinstance(model.encoder.blocks[0].conv, nn.Conv2d)
