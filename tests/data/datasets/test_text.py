"""Tests of nnlite/data/datasets/text.py: Kim's tokenizer rules, Vocab (min_freq, specials,
max_size, unknown tokens), pad_sequences, and the MR / SST-2 / tinyshakespeare / Multi30k
datasets (the shipped files, plus small files the tests write)."""
from __future__ import annotations

import collections
import gzip
from pathlib import Path

import numpy as np
import pytest

from nnlite.data import DataLoader, DatasetNotFoundError, DataFileError, kfold_split
from nnlite.data.datasets import (SST2, CharCorpus, MovieReviews, Multi30k, Tokenizer, Vocab,
                                  clean_str, pad_sequences)
from nnlite.data.download import default_root

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


# ---- tokenizer -----------------------------------------------------------------------
def test_kim_clean_str_rules():
    assert clean_str("It's a MOVIE, isn't it?!") == "it 's a movie , is n't it ? !"
    assert clean_str("we'll (maybe) say you'd've -- \"great\"") == \
        "we 'll ( maybe ) say you 'd 've great"
    assert Tokenizer()("Café au lait") == ["caf", "au", "lait"]   # non-ASCII dropped, as Kim
    assert clean_str("KEEP Case", lower=False) == "KEEP Case"


def test_other_tokenizer_rules():
    assert Tokenizer("sst")("a -- b , c 's") == ["a", "b", ",", "c", "'s"]
    assert Tokenizer("basic")("Zwei Männer, im Freien.") == ["zwei", "männer", ",", "im",
                                                            "freien", "."]
    assert Tokenizer("whitespace", lower=False)("A b  C") == ["A", "b", "C"]
    assert Tokenizer("char")("Ab") == ["a", "b"]
    with pytest.raises(ValueError, match="rules must be one of"):
        Tokenizer("spacy")


# ---- vocab ------------------------------------------------------------------------------
def test_vocab_order_specials_and_unknowns():
    v = Vocab([["b", "a", "b"], ["c", "a", "b"]])
    assert v.itos == ["<pad>", "<unk>", "b", "a", "c"]        # freq desc, ties alphabetical
    assert v.stoi["b"] == 2 and len(v) == 5 and "c" in v and "z" not in v
    assert v["never-seen"] == 1 == v.unk_index and v.pad_index == 0
    assert v.lookup_indices(["a", "zzz", "<pad>"]) == [3, 1, 0]
    assert v.lookup_tokens([4, 2]) == ["c", "b"]
    assert v.encode(["c"]).dtype == np.int64
    with pytest.raises(IndexError, match="out of range"):
        v.lookup_tokens([5])


def test_vocab_min_freq_max_size_and_counter():
    counts = collections.Counter({"x": 5, "y": 2, "z": 1, "w": 2})
    assert Vocab(counts, min_freq=2).itos == ["<pad>", "<unk>", "x", "w", "y"]
    assert Vocab(counts, max_size=2).itos == ["<pad>", "<unk>", "x", "w"]
    assert Vocab(["a", "b", "a"], specials=()).itos == ["a", "b"]         # flat token list
    with pytest.raises(ValueError, match="min_freq"):
        Vocab(counts, min_freq=0)


def test_vocab_without_unk_raises_and_default_index():
    v = Vocab(["a"], specials=("<pad>",))
    with pytest.raises(KeyError, match="not in the vocabulary"):
        v["b"]
    v.set_default_index(0)
    assert v["b"] == 0
    spec = Vocab(["<unk>", "a", "a"], specials=("<pad>", "<unk>"))
    assert spec.itos == ["<pad>", "<unk>", "a"]                    # specials not duplicated


def test_pad_sequences():
    seqs = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
    out = pad_sequences(seqs)
    assert out.dtype == np.int64 and out.tolist() == [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0],
                                                      [0] * 5, [5, 6, 7, 8, 9]]
    assert pad_sequences(seqs, max_len=3, padding_value=-1).tolist() == \
        [[1, 2, 3], [4, -1, -1], [-1, -1, -1], [5, 6, 7]]
    assert pad_sequences(seqs, max_len=3, padding="pre", truncating="pre").tolist() == \
        [[1, 2, 3], [0, 0, 4], [0, 0, 0], [7, 8, 9]]
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        pad_sequences(seqs, padding="mid")


# ---- MR ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mr():
    return MovieReviews()


def test_mr_counts_labels_and_kim_statistics(mr):
    assert len(mr) == 10662 and mr.targets.sum() == 5331
    assert mr.targets[:5331].min() == 1 and mr.targets[5331:].max() == 0
    assert mr.max_len == 56                               # Kim 2014, Table 1: l = 56
    assert len(mr.vocab) - 2 == 18765                     # |V| = 18765 (+ <pad>, <unk>)
    assert mr.sentences[0][:4] == ["the", "rock", "is", "destined"]
    assert mr.data.shape == (10662, 56) and mr.lengths[0] == len(mr.sentences[0])


def test_mr_is_decoded_as_cp1252(mr):
    raw = (default_root() / "rt-polarity" / "rt-polarity.neg").read_bytes()
    assert len(raw.split(b"\n")) - 1 == 5331
    lines = MovieReviews.read_lines(default_root() / "rt-polarity" / "rt-polarity.neg")
    assert len(lines) == 5331 and any("\u2026" in s for s in lines)   # 0x85 is an ellipsis


def test_mr_batches_and_folds(mr):
    ids, label = mr[0]
    assert ids.shape == (56,) and label == 1
    xb, yb = next(iter(DataLoader(mr, batch_size=50, shuffle=True)))
    assert xb.shape == (50, 56) and xb.array.dtype == np.int64 and yb.array.dtype == np.int64
    folds = kfold_split(mr, k=10, generator=np.random.default_rng(0))
    assert len(folds) == 10 and sum(len(test) for _, test in folds) == 10662
    train, test = folds[0]
    assert len(set(train.indices) & set(test.indices)) == 0
    assert len(train) + len(test) == 10662


def test_mr_missing_files(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"rt-polarity.pos.*download=True"):
        MovieReviews(tmp_path)


# ---- SST-2 ---------------------------------------------------------------------------
def test_sst2_kim_splits_share_the_train_vocab():
    train, dev, test = (SST2(split=s) for s in ("train", "dev", "test"))
    assert (len(train), len(dev), len(test)) == (6920, 872, 1821)
    assert dev.vocab.itos == train.vocab.itos
    assert set(np.unique(test.targets)) == {0, 1}
    assert train.sentences[0][:3] == ["a", "stirring", ","]
    assert train.targets[:3].tolist() == [1, 0, 0]


def test_sst2_glue_tsv(tmp_path):
    folder = tmp_path / "sst2"
    folder.mkdir()
    (folder / "train.tsv").write_text("sentence\tlabel\nhide new secretions \t0\n"
                                      "a charming journey \t1\n", encoding="utf-8")
    (folder / "test.tsv").write_text("index\tsentence\n0\tuneasy mishmash .\n",
                                     encoding="utf-8")
    train = SST2(tmp_path, split="train", source="glue")
    assert len(train) == 2 and train.targets.tolist() == [0, 1]
    assert train.sentences[1] == ["a", "charming", "journey"]
    test = SST2(tmp_path, split="test", source="glue")
    assert test.targets.tolist() == [-1] and test.vocab.itos == train.vocab.itos
    with pytest.raises(DatasetNotFoundError, match="dev.tsv"):
        SST2(tmp_path, split="dev", source="glue")


@pytest.mark.skipif(not (SHARED / "sst2" / "train.tsv").is_file(),
                    reason="the shared GLUE SST-2 files are not beside the repository")
def test_sst2_glue_real_counts():
    assert len(SST2(SHARED, split="dev", source="glue")) == 872


def test_sst2_bad_line(tmp_path):
    folder = tmp_path / "sst2" / "kim2014"
    folder.mkdir(parents=True)
    (folder / "stsa.binary.train").write_text("1 good\n2 what\n")
    with pytest.raises(DataFileError, match="line 2"):
        SST2(tmp_path)


# ---- characters ------------------------------------------------------------------------
def test_char_corpus_tinyshakespeare():
    train = CharCorpus(seq_len=100)
    val = CharCorpus(train=False, seq_len=100)
    assert train.vocab_size == 65 and len(train.text) == 1115394
    assert len(train.ids) + len(val.ids) == 1115394
    assert len(train) == (len(train.ids) - 1) // 100
    x, y = train[3]
    assert x.shape == (100,) and y.shape == (100,)
    np.testing.assert_array_equal(x.array[1:], y.array[:-1])
    assert train.decode(train[0][0].array).startswith("First Citizen:")
    assert train.decode(train.encode("ROMEO")) == "ROMEO"
    xb, yb = train.__getitems__([3, 0])
    np.testing.assert_array_equal(xb[0], x.array)
    np.testing.assert_array_equal(yb[0], y.array)


def test_char_corpus_from_a_path(tmp_path):
    (tmp_path / "t.txt").write_text("abcabcabcabc", encoding="utf-8")
    ds = CharCorpus(path=tmp_path / "t.txt", seq_len=3, val_fraction=0.0)
    assert ds.vocab.itos == ["a", "b", "c"] and len(ds) == 3
    assert ds[2][0].array.tolist() == [0, 1, 2] and ds[2][1].array.tolist() == [1, 2, 0]


# ---- Multi30k --------------------------------------------------------------------------
def _write_multi30k(root: Path, gz: bool) -> None:
    folder = root / "multi30k"
    folder.mkdir()
    texts = {"train.en": "A man runs.\nTwo dogs play.\n", "train.de": "Ein Mann läuft.\nZwei Hunde spielen.\n",
             "val.en": "A dog runs.\n", "val.de": "Ein Hund läuft.\n"}
    for name, text in texts.items():
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("gz", [True, False])
def test_multi30k_small_files(tmp_path, gz):
    _write_multi30k(tmp_path, gz)
    train = Multi30k(tmp_path, split="train")
    assert len(train) == 2 and train.src_vocab.itos[:4] == ["<pad>", "<unk>", "<bos>", "<eos>"]
    src, tgt = train[0]
    assert train.decode(tgt.array) == "ein mann läuft ."
    assert train.decode(src.array, target=False) == "a man runs ."
    assert src.array[0] == 2 and tgt.array[:1].tolist() == [2]
    val = Multi30k(tmp_path, split="val")
    assert val.decode(val.targets[0]) == "ein <unk> läuft ."      # 'hund' unseen in train
    with pytest.raises(DatasetNotFoundError, match=r"test_2016_flickr.en.gz.*redistribution"):
        Multi30k(tmp_path, split="test")


@pytest.mark.skipif(not (SHARED / "multi30k").is_dir(),
                    reason="the shared Multi30k files are not beside the repository")
def test_multi30k_real_counts():
    val = Multi30k(SHARED, split="val")
    assert len(val) == 1014 and val.data.shape[0] == 1014
    xb, yb = next(iter(DataLoader(val, batch_size=32)))
    assert xb.shape[0] == 32 and (xb.array[:, 0] == 2).all()
