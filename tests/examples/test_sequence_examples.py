"""The sequence examples end to end: each runs with ``--quick`` on a tiny slice in seconds,
prints its final line, writes a checkpoint, history.csv and curves.png, and ``--resume``
continues from the checkpoint. Multi30k is a tiny corpus written here in its format: the real
one is never needed."""
import argparse
import itertools
from pathlib import Path

import numpy as np
import pytest

from nnlite.training import have_matplotlib

from . import example, run


@pytest.fixture(scope="module")
def multi30k_root(tmp_path_factory) -> Path:
    """A folder holding multi30k/ with train, val and test_2016_flickr in .en and .de: plain
    text, one sentence a line, line i of .en translated by line i of .de."""
    root = tmp_path_factory.mktemp("data")
    (root / "multi30k").mkdir()
    people = [("A man", "Ein Mann"), ("A woman", "Eine Frau"), ("A child", "Ein Kind"),
              ("A dog", "Ein Hund")]
    actions = [("runs", "läuft"), ("sits", "sitzt"), ("jumps", "springt")]
    places = [("on the grass.", "auf dem Gras."), ("in the T-shirt shop.", "im T-Shirt-Laden."),
              ("near a red car.", "neben einem roten Auto.")]
    pairs = [(f"{p[0]} {a[0]} {w[0]}", f"{p[1]} {a[1]} {w[1]}")
             for p, a, w in itertools.product(people, actions, places)]      # 36 pairs
    for split, part in (("train", pairs), ("val", pairs[::6]), ("test_2016_flickr", pairs[3::6])):
        for k, lang in enumerate(("en", "de")):
            text = "".join(pair[k] + "\n" for pair in part)
            (root / "multi30k" / f"{split}.{lang}").write_text(text, encoding="utf-8")
    return root


CASES = {
    "textcnn": ("train_textcnn", [], "final: test accuracy"),
    "transformer-reverse": ("train_transformer", [], "final: test exact match"),
    "transformer-multi30k": ("train_transformer", ["--task", "multi30k"],
                             "final: test_2016_flickr BLEU"),
    "char-lstm": ("train_char_lstm", ["--temperature", "0.5"],
                  "final: held-out bits per character"),
}


@pytest.mark.parametrize("case", CASES)
def test_quick_run_writes_checkpoint_and_curves_then_resumes(case, tmp_path, capsys,
                                                             multi30k_root):
    name, extra, final = CASES[case]
    if "multi30k" in extra:
        extra = extra + ["--data-dir", multi30k_root]
    out = tmp_path / "run"
    lines = run(name, extra + ["--out-dir", out], capsys)
    assert lines[-1].startswith(final), lines[-1]
    assert (out / "checkpoint-epoch001.npz").is_file()
    if have_matplotlib():                 # the plot needs the examples extra
        assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    lines = run(name, extra + ["--out-dir", out, "--resume", "--epochs", 2], capsys)
    assert f"resumed from {out / 'checkpoint-epoch001.npz'} (epoch 1)" in lines
    assert any(line.startswith("epoch 2/2") for line in lines)
    assert lines[-1].startswith(final)
    assert (out / "checkpoint-epoch002.npz").is_file()
    assert len((out / "history.csv").read_text().splitlines()) == 1 + 2      # header + 2


@pytest.mark.parametrize("name", ["train_textcnn", "train_transformer", "train_char_lstm"])
def test_help_lists_the_common_options(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        example(name).main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--epochs", "--quick", "--resume", "--out-dir", "--batch-size", "--lr"):
        assert flag in text


def test_textcnn_cross_validation_trains_every_fold(tmp_path, capsys):
    lines = run("train_textcnn", ["--cv", "--folds", 2, "--out-dir", tmp_path], capsys)
    assert "over 2 folds" in lines[-1]
    for fold in ("fold-01", "fold-02"):
        assert (tmp_path / fold / "checkpoint-epoch001.npz").is_file()
    resumed = run("train_textcnn", ["--cv", "--folds", 2, "--out-dir", tmp_path, "--resume"],
                  capsys)
    assert sum(line.startswith("nothing to train") for line in resumed) == 2
    assert resumed[-1].split("|")[0] == lines[-1].split("|")[0]     # the same accuracies


@pytest.mark.parametrize("task", ["copy", "sort", "addition"])
def test_transformer_other_synthetic_tasks(task, tmp_path, capsys):
    lines = run("train_transformer", ["--task", task, "--out-dir", tmp_path], capsys)
    assert lines[0].endswith("1 epochs") and f"on {task}:" in lines[0]
    assert lines[-1].startswith("final: test exact match")


def test_transformer_multi30k_prints_sample_translations(tmp_path, capsys, multi30k_root):
    lines = run("train_transformer", ["--task", "multi30k", "--data-dir",
                                      multi30k_root / "multi30k", "--show", 2, "--beam", 2,
                                      "--out-dir", tmp_path], capsys)
    assert sum(line.startswith("  src: ") for line in lines) == 2
    assert sum(line.startswith("  ref: ") for line in lines) == 2
    assert any(line.startswith("  BLEU = ") for line in lines)
    assert "beam 2" in lines[-1]


def test_transformer_decodes_from_the_datasets_special_tokens(multi30k_root):
    script = example("train_transformer")
    args = argparse.Namespace(d_model=16, nhead=2, layers=1, dim_feedforward=16, dropout=0.0)
    train = script.Multi30k(multi30k_root, "train")             # <pad> <unk> <bos> <eos>
    model = script.build_model(args, train)
    assert (model.pad_idx, model.bos_idx, model.eos_idx) == (0, 2, 3)
    assert not model.share_vocab
    model = script.build_model(args, script.ReverseTask(8, seq_len=4))   # <pad> <bos> <eos>
    assert (model.pad_idx, model.bos_idx, model.eos_idx) == (0, 1, 2)
    assert model.share_vocab


def test_transformer_detokenize_rejoins_hyphenated_words():
    assert example("train_transformer").detokenize("ein t - shirt - laden .") == \
        "ein t-shirt-laden ."


def test_char_lstm_samples_with_prime_and_held_out_streams(tmp_path, capsys):
    lines = run("train_char_lstm", ["--prime", "ROMEO:", "--sample-len", 20, "--out-dir",
                                    tmp_path], capsys)
    sample = (tmp_path / "sample.txt").read_text(encoding="utf-8")
    assert sample.startswith("ROMEO:") and len(sample) == len("ROMEO:") + 20
    assert lines[-1].startswith("final: held-out bits per character")

    windows = example("train_char_lstm").windows
    ids = np.arange(23)
    batches = windows(ids, streams=2, seq_len=4)           # rows 0..10 and 11..21
    assert [b[2] for b in batches] == [True, False, False]
    x = np.concatenate([b[0] for b in batches], axis=1)
    y = np.concatenate([b[1] for b in batches], axis=1)
    assert (x.ravel() == ids[:22]).all() and (y.ravel() == ids[1:23]).all()
