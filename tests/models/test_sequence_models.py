"""Tests of the sequence models in nnlite/models: textcnn.py, fasttext.py, seq2seq.py,
transformer.py, charrnn.py.

* every model: forward / backward shapes, every trainable parameter gets a gradient;
* the papers' parts: TextCNN's four modes and max-norm constraint, FastText's hashed
  n-grams, padding masks and teacher forcing in the seq2seq models, tied embeddings,
  causal masks, the beam-search engine on a hand-made distribution;
* learning: TextCNN and FastText overfit 64 MR sentences; a TransformerSeq2Seq and a
  Seq2Seq learn to reverse random digit sequences (lengths 4-8, so padding is
  exercised) to >= 99% exact sequence accuracy on unseen sequences, and beam search
  does at least as well as greedy decoding on them; a CharRNN learns a repeating text
  with gradient clipping;
* sampling: seeded-deterministic generation, the temperature's effect, top-k.
"""
import math

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, nn, optim
from nnlite.data import DatasetNotFoundError
from nnlite.data.datasets import MovieReviews
from nnlite.data.datasets.synthetic import BOS, EOS, PAD, ReverseTask
from nnlite.models.charrnn import sample_next
from nnlite.models.fasttext import add_ngrams, hash_ngrams
from nnlite.models.seq2seq import beam_search, gnmt_length_penalty
from nnlite.models.transformer import causal_mask


def ids(*shape, low=3, high=13, seed=0):
    return np.random.default_rng(seed).integers(low, high, size=shape)


def check_backward(model, out):
    """Backward from a random projection of ``out``; every trainable parameter gets a
    gradient of its own shape, every frozen one none."""
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    (out * nl.tensor(g)).sum().backward()
    for name, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and p.grad.shape == p.shape, name
        else:
            assert p.grad is None, name


# ============================================================================
# Shapes, forward and backward
# ============================================================================
@pytest.mark.parametrize("mode", ["rand", "static", "non-static", "multichannel"])
def test_textcnn_shapes(mode):
    model = models.TextCNN(50, 3, embed_dim=8, kernel_sizes=(2, 3), num_filters=4, mode=mode)
    nn.init.normal_(model.fc.weight)                       # zero at init: let grads flow
    out = model(ids(5, 7, high=50))
    assert out.shape == (5, 3)
    check_backward(model, out)
    assert model(ids(2, 1, high=50)).shape == (2, 3)       # shorter than every window


@pytest.mark.parametrize("buckets", [0, 64])
def test_fasttext_shapes(buckets):
    model = models.FastText(30, 6, 4, ngram_buckets=buckets)
    nn.init.normal_(model.fc.weight)
    out = model(ids(5, 7, high=30))
    assert out.shape == (5, 4)
    check_backward(model, out)
    assert model.embedding.weight.shape == (30 + buckets, 6)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("bidirectional,num_layers", [(True, 1), (False, 2)])
def test_seq2seq_shapes(cell, bidirectional, num_layers):
    model = models.Seq2Seq(15, 11, embed_dim=8, hidden_size=12, num_layers=num_layers,
                           cell=cell, bidirectional=bidirectional, attn_size=10)
    src, tgt = ids(3, 6, high=15), ids(3, 5, high=11)
    src[1, 4:] = PAD
    out = model(src, tgt)
    assert out.shape == (3, 5, 11)
    check_backward(model, out)
    model.eval()
    for dec in (model.greedy_decode(src, max_len=4), model.beam_search(src, 3, max_len=4)):
        assert dec.shape[0] == 3 and dec.shape[1] <= 4 and dec.dtype == np.int64


@pytest.mark.parametrize("share_vocab", [False, True])
def test_transformer_seq2seq_shapes(share_vocab):
    model = models.TransformerSeq2Seq(13, 13, d_model=16, nhead=2, num_encoder_layers=2,
                                      num_decoder_layers=1, dim_feedforward=24,
                                      share_vocab=share_vocab, max_len=20)
    src, tgt = ids(3, 6), ids(3, 5)
    src[0, 3:] = PAD
    tgt[2, 3:] = PAD
    out = model(src, tgt)
    assert out.shape == (3, 5, 13)
    check_backward(model, out)
    model.eval()
    for dec in (model.greedy_decode(src, max_len=4), model.beam_search(src, 2, max_len=4)):
        assert dec.shape[0] == 3 and dec.shape[1] <= 4


@pytest.mark.parametrize("positional", ["learned", "sinusoidal"])
def test_transformer_lm_shapes(positional):
    model = models.TransformerLM(17, d_model=16, nhead=2, num_layers=2, max_len=8,
                                 positional=positional)
    out = model(ids(2, 8, low=0, high=17))
    assert out.shape == (2, 8, 17)
    check_backward(model, out)
    assert model.lm_head.weight is model.tok_embed.weight
    with pytest.raises(ValueError, match="max_len=8"):
        model(ids(2, 9, low=0, high=17))


def test_charrnn_shapes():
    model = models.CharRNN(17, embed_dim=5, hidden_size=8, num_layers=2)
    logits, (h, c) = model(ids(3, 6, low=0, high=17))
    assert logits.shape == (3, 6, 17) and h.shape == c.shape == (2, 3, 8)
    check_backward(model, logits)


def test_bad_input_errors():
    with pytest.raises(ValueError, match="mode"):
        models.TextCNN(10, 2, mode="dynamic")
    with pytest.raises(ValueError, match=r"\(B, L\)"):
        models.TextCNN(10, 2, embed_dim=4)(np.ones((2, 3)))          # float ids
    with pytest.raises(ValueError, match="cell"):
        models.Seq2Seq(10, 10, cell="rnn")
    s2s = models.Seq2Seq(10, 10, embed_dim=4, hidden_size=4)
    with pytest.raises(ValueError, match="same batch size"):
        s2s(ids(2, 4, high=10), ids(3, 4, high=10))
    with pytest.raises(ValueError, match="share_vocab"):
        models.TransformerSeq2Seq(10, 12, d_model=8, nhead=2, share_vocab=True)
    t = models.TransformerSeq2Seq(10, 10, d_model=8, nhead=2, num_encoder_layers=1,
                                  num_decoder_layers=1, dim_feedforward=8)
    with pytest.raises(ValueError, match="same batch size"):
        t(ids(2, 4, high=10), ids(3, 4, high=10))
    with pytest.raises(ValueError, match="positional"):
        models.TransformerLM(10, d_model=8, nhead=2, positional="rotary")


# ============================================================================
# TextCNN: modes, initialisation, max-norm
# ============================================================================
def adam_step(model, x, y):
    opt = optim.Adam(model.parameters(), lr=0.1)
    nn.init.normal_(model.fc.weight)
    F.cross_entropy(model(x), nl.tensor(y)).backward()
    opt.step()


def test_textcnn_static_embedding_is_frozen():
    vectors = np.random.default_rng(0).standard_normal((20, 6)).astype(np.float32)
    model = models.TextCNN(20, 2, embed_dim=6, num_filters=3, mode="static",
                           pretrained=vectors)
    before = model.embedding.weight.array.copy()
    adam_step(model, ids(4, 5, low=1, high=20), [0, 1, 0, 1])
    assert not model.embedding.weight.requires_grad
    assert model.embedding.weight.grad is None
    np.testing.assert_array_equal(model.embedding.weight.array, before)
    np.testing.assert_array_equal(before, vectors)                # copied exactly
    assert model.embedding.weight.array is not vectors             # ... not shared


def test_textcnn_non_static_fine_tunes_but_keeps_padding_row():
    vectors = np.random.default_rng(0).standard_normal((20, 6)).astype(np.float32)
    vectors[0] = 0
    model = models.TextCNN(20, 2, embed_dim=6, num_filters=3, mode="non-static",
                           pretrained=vectors)
    x = ids(4, 5, low=1, high=20)
    x[:, 3:] = 0
    adam_step(model, x, [0, 1, 0, 1])
    w = model.embedding.weight.array
    used = np.unique(x[x > 0])
    assert not np.allclose(w[used], vectors[used])                # trained
    np.testing.assert_array_equal(w[0], 0)                        # padding stays zero


def test_textcnn_multichannel_has_one_frozen_and_one_trainable_channel():
    vectors = np.random.default_rng(0).standard_normal((20, 6)).astype(np.float32)
    model = models.TextCNN(20, 2, embed_dim=6, num_filters=3, mode="multichannel",
                           pretrained=vectors)
    np.testing.assert_array_equal(model.embedding.weight.array,
                                  model.embedding_static.weight.array)
    assert model.convs[0].weight.shape == (3, 2 * 6, 3)           # filters see both channels
    adam_step(model, ids(4, 5, low=1, high=20), [0, 1, 0, 1])
    assert model.embedding.weight.grad is not None
    assert model.embedding_static.weight.grad is None
    np.testing.assert_array_equal(model.embedding_static.weight.array, vectors)
    assert not np.allclose(model.embedding.weight.array, vectors)


def test_textcnn_initialisation_follows_the_papers_code():
    model = models.TextCNN(300, 2, embed_dim=50, mode="rand")
    w = model.embedding.weight.array
    assert model.embedding.weight.requires_grad
    np.testing.assert_array_equal(w[0], 0)                        # padding row
    assert np.abs(w).max() <= 0.25 and np.abs(w[1:]).max() > 0.24  # U(-0.25, 0.25)
    assert abs(w[1:].std() - 0.25 / math.sqrt(3)) < 0.005
    for conv in model.convs:
        assert np.abs(conv.weight.array).max() <= 0.01 and not conv.bias.array.any()
    assert not model.fc.weight.array.any() and not model.fc.bias.array.any()
    with pytest.raises(ValueError, match="rand"):
        models.TextCNN(300, 2, embed_dim=50, mode="rand", pretrained=w)
    with pytest.raises(ValueError, match=r"\(300, 40\)"):
        models.TextCNN(300, 2, embed_dim=40, mode="static", pretrained=w)


def test_textcnn_max_norm_constraint():
    model = models.TextCNN(30, 3, embed_dim=4, num_filters=5)
    w = model.fc.weight.array
    w[:] = np.random.default_rng(0).standard_normal(w.shape) * 3
    w[1] *= 0.01                                                  # a row well inside the ball
    small = w[1].copy()
    model.max_norm_(3.0)
    norms = np.linalg.norm(model.fc.weight.array, axis=1)
    np.testing.assert_allclose(norms[[0, 2]], 3.0, rtol=1e-5)    # rescaled onto the sphere
    np.testing.assert_array_equal(model.fc.weight.array[1], small)  # untouched
    assert model.fc.weight.array is w                              # in place


# ============================================================================
# FastText: hashed n-grams
# ============================================================================
def test_hash_ngrams_and_padding():
    x = np.array([[5, 6, 7, 0], [5, 6, 0, 0]])
    grams = hash_ngrams(x, 100, n=2, offset=30)
    assert grams.shape == (2, 3)
    assert grams[0, 0] == grams[1, 0]                             # same bigram, same bucket
    assert grams[0, 2] == grams[1, 1] == grams[1, 2] == 0         # touch padding -> pad
    assert ((grams[0, :2] >= 30) & (grams[0, :2] < 130)).all()
    assert grams[0, 0] == 30 + (5 * 116049371 + 6) % 100          # fastText's hash
    flat, offsets = add_ngrams(np.array([5, 6, 7, 5, 6]), 30, 100, offsets=[0, 3])
    np.testing.assert_array_equal(offsets, [0, 5])
    np.testing.assert_array_equal(flat[:5], [5, 6, 7, grams[0, 0], grams[0, 1]])


def test_fasttext_averages_words_and_ngrams_ignoring_padding():
    model = models.FastText(30, 6, 3, ngram_buckets=50)
    nn.init.normal_(model.embedding.weight)
    model.embedding.weight.array[0] = 0
    nn.init.normal_(model.fc.weight)
    padded = np.array([[4, 5, 6, 0, 0], [7, 8, 0, 0, 0]])
    out = model(padded).numpy()
    np.testing.assert_allclose(model(padded[:1, :3]).numpy(), out[:1], atol=1e-6)
    np.testing.assert_allclose(model(np.array([4, 5, 6, 7, 8]), [0, 3]).numpy(), out,
                               atol=1e-6)
    rows = np.concatenate([[4, 5, 6], hash_ngrams([[4, 5, 6]], 50, offset=30)[0]])
    h = model.embedding.weight.array[rows].mean(axis=0)            # words and bigrams
    np.testing.assert_allclose(out[0], model.fc.weight.array @ h + model.fc.bias.array,
                               atol=1e-5)


# ============================================================================
# Overfitting 64 labelled sentences (MR, Pang & Lee 2005)
# ============================================================================
@pytest.fixture(scope="module")
def mr64():
    try:
        mr = MovieReviews()
    except DatasetNotFoundError:
        pytest.skip("data/rt-polarity is not available")
    pick = np.random.default_rng(0).choice(len(mr), 64, replace=False)
    x, y = mr.data[pick], mr.targets[pick]
    x = x[:, :mr.lengths[pick].max()]
    vocab, x = np.unique(x, return_inverse=True)                  # compact ids; 0 is <pad>
    assert vocab[0] == 0 and 0.3 < y.mean() < 0.7
    return x.reshape(64, -1), y, len(vocab)


@pytest.mark.parametrize("build,steps,max_norm", [
    (lambda V: models.TextCNN(V, 2, embed_dim=32, num_filters=16), 40, True),
    (lambda V: models.TextCNN(V, 2, embed_dim=32, num_filters=16, mode="multichannel"), 40,
     True),
    (lambda V: models.FastText(V, 16, 2), 60, False),
    (lambda V: models.FastText(V, 16, 2, ngram_buckets=1000), 60, False),
], ids=["textcnn", "textcnn-multichannel", "fasttext", "fasttext-bigram"])
def test_text_classifiers_overfit_64_sentences(mr64, build, steps, max_norm):
    x, y, V = mr64
    model = build(V)
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        loss = F.cross_entropy(model(x), nl.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if max_norm:
            model.max_norm_(3.0)
    model.eval()
    assert (model(x).numpy().argmax(axis=1) == y).mean() == 1.0
    if max_norm:
        assert np.linalg.norm(model.fc.weight.array, axis=1).max() <= 3.0 + 1e-5


# ============================================================================
# Seq2Seq: padding masks, teacher forcing
# ============================================================================
def test_seq2seq_padding_changes_nothing_and_gets_no_attention():
    model = models.Seq2Seq(15, 11, embed_dim=8, hidden_size=12, cell="lstm")
    src, tgt = ids(2, 6, high=15), ids(2, 4, high=11)
    src[1, 3:] = PAD
    both = model(src, tgt).numpy()
    alone = model(src[1:, :3], tgt[1:]).numpy()
    np.testing.assert_allclose(both[1], alone[0], atol=1e-5)
    state, keys, keys_proj, mask = model.encode(src)
    assert not keys.numpy()[1, 3:].any()                          # no annotations at padding
    s = state[0]
    _, weights = model.decoder.attention(s, keys, keys_proj, mask)
    assert not weights.numpy()[1, 3:].any()                       # exactly zero attention
    np.testing.assert_allclose(weights.numpy().sum(axis=1), 1.0, rtol=1e-6)


def test_seq2seq_teacher_forcing_ratio():
    model = models.Seq2Seq(15, 11, embed_dim=8, hidden_size=12)
    src, tgt = ids(3, 5, high=15), ids(3, 6, high=11)
    tgt[:, 0] = BOS
    free = model(src, tgt, teacher_forcing_ratio=0.0).numpy()     # feeds its own argmax
    fed = np.concatenate([tgt[:, :1], free.argmax(axis=2)[:, :-1]], axis=1)
    np.testing.assert_allclose(model(src, fed).numpy(), free, atol=1e-6)
    assert not np.allclose(model(src, tgt).numpy(), free)         # ratio 1: the reference


# ============================================================================
# TransformerSeq2Seq: masks, tied weights
# ============================================================================
def test_transformer_seq2seq_padding_and_causal_masks():
    model = models.TransformerSeq2Seq(13, 13, d_model=16, nhead=2, num_encoder_layers=2,
                                      num_decoder_layers=2, dim_feedforward=24)
    model.eval()
    src, tgt = ids(2, 6), ids(2, 5)
    src[1, 3:] = PAD
    tgt[1, 4:] = PAD
    both = model(src, tgt).numpy()
    alone = model(src[1:, :3], tgt[1:, :4]).numpy()               # source padding ignored
    np.testing.assert_allclose(both[1, :4], alone[0], atol=1e-5)
    later = tgt.copy()
    later[:, 3:] = 5                                              # the future is invisible
    np.testing.assert_allclose(model(src, later).numpy()[:, :3], both[:, :3], atol=1e-5)
    assert causal_mask(3).numpy().tolist() == [[False, True, True], [False, False, True],
                                               [False, False, False]]


def test_transformer_seq2seq_shares_one_table():
    model = models.TransformerSeq2Seq(13, 13, d_model=16, nhead=2, num_encoder_layers=1,
                                      num_decoder_layers=1, dim_feedforward=24,
                                      share_vocab=True)
    assert model.src_embed is model.tgt_embed
    assert model.out.weight is model.tgt_embed.weight
    table = model.src_embed.weight
    assert sum(p is table for p in model.parameters()) == 1
    np.testing.assert_array_equal(table.array[PAD], 0)
    assert abs(table.array[1:].std() - 16 ** -0.5) < 0.05          # N(0, 1/d_model)
    sd = model.state_dict()
    model.load_state_dict(sd)
    assert sd["out.weight"] is sd["src_embed.weight"]


# ============================================================================
# The beam-search engine on a known distribution
# ============================================================================
def toy_step(table):
    """A decoder whose next-word log-probabilities depend only on the last word."""
    logp = np.log(np.asarray(table, np.float64))

    def step(tokens, state):
        return logp[tokens[:, -1]], state
    return step


def test_beam_search_beats_greedy_on_a_garden_path():
    # words: 0 pad, 1 bos, 2 eos, 3 "a", 4 "b". Greedy takes "a" (0.6) then must spread
    # over many words; "b" (0.4) is followed by <eos> for sure: 0.4 > 0.6 * 0.5.
    t = np.full((5, 5), 1e-9)
    t[1] = [1e-9, 1e-9, 1e-9, 0.6, 0.4]
    t[3] = [1e-9, 1e-9, 0.5, 0.25, 0.25]
    t[4] = [1e-9, 1e-9, 1.0, 1e-9, 1e-9]
    t[2] = t[0] = [1.0, 1e-9, 1e-9, 1e-9, 1e-9]
    run = dict(reorder=lambda s, rows: s, batch_size=2, max_len=5, bos_idx=1, eos_idx=2,
               pad_idx=0)
    greedy = beam_search(toy_step(t), None, beam_size=1, **run)
    beam = beam_search(toy_step(t), None, beam_size=2, **run)
    np.testing.assert_array_equal(greedy, [[3, 2], [3, 2]])
    np.testing.assert_array_equal(beam, [[4, 2], [4, 2]])


def test_beam_search_length_penalty_favours_longer_answers():
    # <eos> at once (p 0.5) or "a" <eos> (0.5 * 0.9 = 0.45): alpha 0 picks the short
    # answer; with alpha 2 the long one's log-prob is divided by ((5 + 2) / 6)^2 = 1.36.
    t = np.full((4, 4), 1e-9)
    t[1] = [1e-9, 1e-9, 0.5, 0.5]
    t[3] = [1e-9, 1e-9, 0.9, 0.1]
    t[2] = t[0] = [1.0, 1e-9, 1e-9, 1e-9]
    run = dict(reorder=lambda s, rows: s, batch_size=1, beam_size=3, max_len=4, bos_idx=1,
               eos_idx=2, pad_idx=0)
    np.testing.assert_array_equal(beam_search(toy_step(t), None, length_penalty=0.0, **run),
                                  [[2]])
    np.testing.assert_array_equal(beam_search(toy_step(t), None, length_penalty=2.0, **run),
                                  [[3, 2]])
    np.testing.assert_allclose(gnmt_length_penalty([1, 7], 0.6), [1.0, 2.0 ** 0.6])


# ============================================================================
# Learning to reverse digit sequences
# ============================================================================
L_MAX, L_MIN, BATCH = 8, 4, 64


def reverse_data(n, seed):
    task = ReverseTask(n, seq_len=L_MAX, min_len=L_MIN, vocab_size=10, seed=seed)
    return task.data, task.targets, task.num_tokens


def exact_match(pred, tgt):
    """Fraction of decoded rows equal to the reference answer through its <eos>."""
    pred, ans = np.asarray(pred), tgt[:, 1:]
    padded = np.full(ans.shape, PAD)
    padded[:, :pred.shape[1]] = pred
    return float((padded == ans).all(axis=1).mean())


def train_reverser(model, steps, lr, clip=None):
    src, tgt, V = reverse_data(steps * BATCH, seed=1)
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    for s in range(steps):
        b = slice(s * BATCH, (s + 1) * BATCH)
        logits = model(src[b], tgt[b, :-1])                               # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, V), nl.tensor(tgt[b, 1:].reshape(-1)),
                               ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        sched.step()
    return model.eval()


@pytest.fixture(scope="module")
def trained_reversers():
    nl.manual_seed(0)
    V = reverse_data(1, 0)[2]
    transformer = train_reverser(models.TransformerSeq2Seq(
        V, V, d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
        dim_feedforward=64, dropout=0.0, share_vocab=True, max_len=16), steps=600, lr=1e-2)
    nl.manual_seed(0)
    rnn = train_reverser(models.Seq2Seq(V, V, embed_dim=32, hidden_size=64, cell="gru"),
                         steps=200, lr=1e-2, clip=1.0)
    return {"transformer": transformer, "seq2seq": rnn}


@pytest.mark.parametrize("name", ["transformer", "seq2seq"])
def test_learns_to_reverse_digits(trained_reversers, name):
    model = trained_reversers[name]
    src, tgt, _ = reverse_data(1000, seed=1000)                           # unseen
    assert exact_match(model.greedy_decode(src, max_len=L_MAX + 1), tgt) >= 0.99


def sequence_log_prob(model, src, out):
    """log p(out | src) summed over the words through <eos>."""
    out = np.asarray(out)
    tgt_in = np.concatenate([np.full((len(out), 1), BOS), out[:, :-1]], axis=1)
    with nl.no_grad():
        logp = F.log_softmax(model(src, tgt_in), dim=2).numpy()           # (B, t, V)
    word = np.take_along_axis(logp, out[:, :, None], axis=2)[:, :, 0]    # (B, t)
    return (word * (out != PAD)).sum(axis=1)


@pytest.mark.parametrize("name", ["transformer", "seq2seq"])
def test_beam_search_at_least_as_good_as_greedy(trained_reversers, name):
    model = trained_reversers[name]
    src, tgt, _ = reverse_data(300, seed=2000)
    greedy = model.greedy_decode(src, max_len=L_MAX + 1).numpy()
    beam = model.beam_search(src, beam_size=4, max_len=L_MAX + 1).numpy()
    assert exact_match(beam, tgt) >= exact_match(greedy, tgt)
    raw = model.beam_search(src, beam_size=4, max_len=L_MAX + 1, length_penalty=0.0).numpy()
    # without length penalty, beam search maximises the log-probability greedy approximates
    assert (sequence_log_prob(model, src, raw)
            >= sequence_log_prob(model, src, greedy) - 1e-4).all()


# ============================================================================
# Language models: sampling and generation
# ============================================================================
@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sample_next_follows_softmax_at_temperature(temperature):
    logits = np.array([[2.0, 1.0, 0.0, -1.0]])
    n = 20000
    draws = sample_next(np.repeat(logits, n, axis=0), temperature)
    freq = np.bincount(draws, minlength=4) / n
    p = np.exp(logits[0] / temperature)
    np.testing.assert_allclose(freq, p / p.sum(), atol=0.015)


def test_sample_next_greedy_and_top_k():
    logits = np.array([[0.0, 3.0, 1.0, 2.0], [5.0, 0.0, 0.0, 4.0]])
    np.testing.assert_array_equal(sample_next(logits, temperature=0), [1, 0])
    draws = sample_next(np.tile(logits, (500, 1)), 5.0, top_k=2).reshape(500, 2)
    assert set(draws[:, 0]) == {1, 3} and set(draws[:, 1]) == {0, 3}
    with pytest.raises(ValueError, match="temperature"):
        sample_next(logits, -1.0)


LMS = {
    "charrnn": lambda: models.CharRNN(11, embed_dim=6, hidden_size=16, num_layers=2),
    "transformer_lm": lambda: models.TransformerLM(11, d_model=16, nhead=2, num_layers=2,
                                                   max_len=8, dropout=0.0),
}


@pytest.mark.parametrize("name", LMS)
def test_generation_is_seeded_and_keeps_the_prefix(name):
    model = LMS[name]().eval()
    prefix = np.array([[1, 2, 3], [4, 5, 6]])
    nl.manual_seed(5)
    a = model.generate(prefix, 10).numpy()                  # 13 > max_len: context cropped
    nl.manual_seed(5)
    b = model.generate(prefix, 10).numpy()
    c = model.generate(prefix, 10).numpy()
    assert a.shape == (2, 13) and a.dtype == np.int64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a[:, :3], prefix)
    assert model.generate([1, 2, 3], 4).shape == (7,)


@pytest.mark.parametrize("name", LMS)
def test_generation_temperature(name):
    model = LMS[name]().eval()
    prefix = np.array([[1, 2]] * 1000)
    greedy = model.generate(prefix[:1], 6, temperature=0).numpy()
    cold = model.generate(prefix[:50], 6, temperature=1e-6).numpy()
    assert (cold == greedy).all()                           # T -> 0: the argmax path

    def first_word(temperature):
        return model.generate(prefix, 1, temperature=temperature).numpy()[:, 2]

    def entropy(words):
        p = np.bincount(words, minlength=11) / len(words)
        return -(p[p > 0] * np.log(p[p > 0])).sum()

    hot = first_word(100.0)
    assert len(np.unique(hot)) == 11                        # T -> inf: about uniform
    assert entropy(first_word(1e-6)) == 0 < entropy(first_word(1.0)) < entropy(hot)


def test_transformer_lm_is_causal():
    model = models.TransformerLM(11, d_model=16, nhead=2, num_layers=2, max_len=8).eval()
    x = ids(2, 8, low=0, high=11)
    y = x.copy()
    y[:, 5:] = (y[:, 5:] + 1) % 11
    np.testing.assert_allclose(model(x).numpy()[:, :5], model(y).numpy()[:, :5], atol=1e-5)


def test_charrnn_learns_a_repeating_text_with_clipped_bptt():
    text = np.array([3, 4, 5, 5, 6, 7, 8, 6, 9, 5, 10] * 24)           # "hello world"
    streams = text.reshape(4, -1)                                       # (4, 66)
    model = models.CharRNN(11, embed_dim=8, hidden_size=32, num_layers=1)
    opt = optim.Adam(model.parameters(), lr=0.02)
    for epoch in range(15):
        hx = None
        for t in range(0, streams.shape[1] - 1, 16):
            chunk = streams[:, t:t + 17]                                # (4, <= 17)
            logits, hx = model(chunk[:, :-1], hx)                       # (4, T, 11)
            hx = tuple(h.detach() for h in hx)                          # truncated BPTT
            loss = F.cross_entropy(logits.reshape(-1, 11),
                                   nl.tensor(chunk[:, 1:].reshape(-1)))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    model.eval()
    out = model.generate(text[:4], 22, temperature=0).numpy()
    np.testing.assert_array_equal(out, text[:26])
