"""Tests of nnlite/models/rnn_classifier.py: LSTMClassifier, the (bi)LSTM N->1 sentence
classifier.

* shapes, forward and backward for both poolings, one and two directions, two layers;
* packed vs padded: a sentence gives the same logits and gradients alone (no padding) as
  in a padded batch of any order, extra padding columns change nothing, and the lengths
  found from the padding are the lengths given;
* parity with the same network written in torch (Embedding, LSTM over
  pack_padded_sequence(enforce_sorted=False), the final states or the max over time,
  Linear), weights copied by state_dict: logits and every gradient;
* the pooling reads the right states ('last' = forward state at each sentence's own last
  word and backward state at its first);
* learning: a task that needs word order (does token A come before token B?), which no
  bag of words solves, is learnt;
* bad input.
"""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, optim
from nnlite.models.rnn_classifier import LSTMClassifier, lengths_from_padding
from nnlite.nn.utils.rnn import pad_packed_sequence


def batch(lengths, vocab=20, seed=0, extra_pad=0):
    """Token ids (B, max(lengths) + extra_pad), 1..vocab-1, padded with 0 at the end."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((len(lengths), max(lengths) + extra_pad), np.int64)
    for i, n in enumerate(lengths):
        ids[i, :n] = rng.integers(1, vocab, n)
    return ids


def small(pooling="last", bidirectional=True, num_layers=1, seed=0, **kw):
    nl.manual_seed(seed)
    return LSTMClassifier(20, 3, embed_dim=6, hidden_size=5, num_layers=num_layers,
                          bidirectional=bidirectional, pooling=pooling, **kw)


def grads(model):
    return {k: p.grad.numpy().copy() for k, p in model.named_parameters()}


# ============================================================================
# Shapes, forward and backward
# ============================================================================
@pytest.mark.parametrize("pooling", ["last", "max"])
@pytest.mark.parametrize("bidirectional,num_layers", [(True, 1), (False, 1), (True, 2)])
def test_shapes_and_backward(pooling, bidirectional, num_layers):
    model = small(pooling, bidirectional, num_layers)
    ids = batch([5, 2, 7, 1])
    out = model(ids)
    assert out.shape == (4, 3) and out.dtype == np.float32
    assert model.encode(ids).shape == (4, (2 if bidirectional else 1) * 5)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    (out * nl.tensor(g)).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
        assert np.isfinite(p.grad.numpy()).all(), name
    assert not model.embedding.weight.grad.numpy()[0].any()      # the padding row: no grad
    assert not model.embedding.weight.numpy()[0].any()           # ... and a zero vector


def test_exported_and_state_dict_keys():
    assert "LSTMClassifier" in models.__all__ and models.LSTMClassifier is LSTMClassifier
    keys = list(small(num_layers=2).state_dict())
    assert keys[0] == "embedding.weight" and keys[-2:] == ["fc.weight", "fc.bias"]
    assert "lstm.weight_hh_l1_reverse" in keys
    assert small().fc.weight.shape == (3, 10)
    assert small(bidirectional=False).fc.weight.shape == (3, 5)


# ============================================================================
# Packed vs padded
# ============================================================================
@pytest.mark.parametrize("pooling", ["last", "max"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_a_sentence_gives_the_same_alone_as_in_a_padded_batch(pooling, num_layers):
    lengths = [3, 7, 1, 5, 7, 2]                    # unsorted, ties, a one-word sentence
    ids = batch(lengths, extra_pad=2)               # 2 columns of padding only, too
    model = small(pooling, num_layers=num_layers).eval()
    y = np.random.default_rng(2).integers(0, 3, len(lengths))

    loss = F.cross_entropy(model(ids), nl.tensor(y), reduction="sum")
    logits = model(ids).numpy()
    loss.backward()
    together = grads(model)
    model.zero_grad()
    alone = []
    for i, n in enumerate(lengths):                  # each sentence unpadded, batch of one
        out = model(ids[i:i + 1, :n])
        alone.append(out.numpy()[0])
        F.cross_entropy(out, nl.tensor(y[i:i + 1]), reduction="sum").backward()
    np.testing.assert_allclose(logits, np.stack(alone), rtol=1e-5, atol=1e-6)
    for k, g in grads(model).items():                # accumulated over the sentences
        np.testing.assert_allclose(together[k], g, rtol=1e-4, atol=1e-6, err_msg=k)


def test_lengths_from_the_padding_equal_the_lengths_given():
    lengths = [4, 1, 6, 6]
    ids = batch(lengths, extra_pad=3)
    assert lengths_from_padding(ids).tolist() == lengths
    model = small("max").eval()
    np.testing.assert_array_equal(model(ids).numpy(), model(ids, lengths).numpy())
    np.testing.assert_array_equal(model(ids).numpy(), model(ids[:, :6]).numpy())
    # a padding id inside a sentence is a word as far as the length goes
    inner = np.array([[5, 0, 7, 0, 0]])
    assert lengths_from_padding(inner).tolist() == [3]


def test_last_pooling_reads_each_sentences_own_last_and_first_steps():
    lengths = [2, 6, 4]
    ids = batch(lengths)
    model = small("last").eval()
    z = model.encode(ids).numpy()                               # (B, 2H)
    x = model.embedding(ids)
    packed = nl.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                  enforce_sorted=False)
    out, _ = pad_packed_sequence(model.lstm(packed)[0], batch_first=True)   # (B, T, 2H)
    out = out.numpy()
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(z[i, :5], out[i, n - 1, :5], rtol=1e-6)  # forward
        np.testing.assert_allclose(z[i, 5:], out[i, 0, 5:], rtol=1e-6)      # backward
    assert not out[0, 2:].any()                                  # padding: zeros
    zmax = small("max").eval().encode(ids).numpy()
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(zmax[i], out[i, :n].max(axis=0), rtol=1e-6)


# ============================================================================
# Parity with torch
# ============================================================================
def _torch_model(torch, vocab, embed, hidden, classes, layers, pooling):
    nn = torch.nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    class TorchLSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab, embed, padding_idx=0)
            self.embed_dropout = nn.Dropout(0.0)
            self.lstm = nn.LSTM(embed, hidden, layers, batch_first=True, bidirectional=True)
            self.dropout = nn.Dropout(0.5)
            self.fc = nn.Linear(2 * hidden, classes)

        def forward(self, ids, lengths):
            packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                          enforce_sorted=False)
            out, (h_n, _) = self.lstm(packed)
            if pooling == "last":
                z = torch.cat([h_n[-2], h_n[-1]], dim=1)
            else:
                z = pad_packed_sequence(out, batch_first=True,
                                        padding_value=float("-inf"))[0].amax(dim=1)
            return self.fc(self.dropout(z))

    return TorchLSTMClassifier()


@pytest.mark.parametrize("pooling", ["last", "max"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_logits_and_gradients_equal_torch(torch, pooling, num_layers):
    torch.manual_seed(0)
    ref = _torch_model(torch, 20, 6, 5, 3, num_layers, pooling).eval()
    model = small(pooling, num_layers=num_layers).eval()
    result = model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    lengths = [3, 7, 1, 5, 7]
    ids = batch(lengths)
    y = np.array([0, 2, 1, 1, 0])

    out = model(ids)
    F.cross_entropy(out, nl.tensor(y)).backward()
    t_out = ref(torch.from_numpy(ids), torch.tensor(lengths))
    torch.nn.functional.cross_entropy(t_out, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    theirs = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs[name].grad.numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=name)


# ============================================================================
# Learning: word order matters
# ============================================================================
def _order_task(n, seed):
    """Sentences of 4-9 random words from 3..11 holding word 1 once and word 2 once; the
    label is 1 if word 1 comes first. The two words are at random places, so a bag of
    words (or the last word alone) says nothing."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 10, n)
    ids = np.zeros((n, 9), np.int64)
    y = rng.integers(0, 2, n)
    for i, m in enumerate(lengths):
        ids[i, :m] = rng.integers(3, 12, m)
        a, b = np.sort(rng.choice(m, 2, replace=False))
        ids[i, a], ids[i, b] = (1, 2) if y[i] else (2, 1)
    return ids, y


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_learns_a_task_that_needs_word_order(pooling):
    nl.manual_seed(0)
    model = LSTMClassifier(12, 2, embed_dim=8, hidden_size=16, pooling=pooling, dropout=0.0)
    opt = optim.Adam(model.parameters(), lr=0.02)
    ids, y = _order_task(512, seed=0)
    for step in range(150):
        sel = np.random.default_rng(step).integers(0, len(y), 64)
        opt.zero_grad()
        F.cross_entropy(model(ids[sel]), nl.tensor(y[sel])).backward()
        opt.step()
    test_ids, test_y = _order_task(500, seed=1)
    with nl.no_grad():
        acc = (model.eval()(test_ids).numpy().argmax(1) == test_y).mean()
    assert acc >= 0.95, acc


# ============================================================================
# Bad input
# ============================================================================
def test_bad_input():
    with pytest.raises(ValueError, match="pooling must be one of"):
        LSTMClassifier(10, 2, pooling="mean")
    with pytest.raises(ValueError, match="padding_idx"):
        LSTMClassifier(10, 2, padding_idx=10)
    model = small()
    with pytest.raises(ValueError, match=r"rows \[1\] of the input are padding only"):
        model(np.array([[3, 4], [0, 0]]))
    with pytest.raises(ValueError, match=r"lengths must be 2 ints, one per row of the input "
                                         r"\(2, 3\)"):
        model(np.array([[3, 4, 5], [1, 0, 0]]), lengths=[3])
    with pytest.raises(ValueError, match=r"lengths must be in \[1, T = 3\]"):
        model(np.array([[3, 4, 5], [1, 0, 0]]), lengths=[4, 1])
    with pytest.raises(ValueError, match="integer token ids"):
        model(np.ones((2, 3)))
