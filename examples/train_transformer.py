"""Train the Transformer (Vaswani et al. 2017) on a synthetic task, or on Multi30k en->de.

    python examples/train_transformer.py                    # reverse 1-12 symbols: 100% exact
    python examples/train_transformer.py --task sort        # also: copy, addition
    python examples/train_transformer.py --task multi30k --data-dir DIR   # DIR holds multi30k/
    python examples/train_transformer.py --task multi30k --time-budget 40   # 28.7 BLEU
    python examples/train_transformer.py --quick            # a few seconds: a smoke test
    python examples/train_transformer.py --resume           # continue from runs/transformer-<task>/

The paper's base model reaches 27.3 BLEU on WMT 2014 en-de (4.5M sentence pairs, 12 hours on
8 GPUs); Multi30k (Elliott et al. 2016: 29,000 image descriptions) is the small corpus a CPU
can learn from, with a smaller model (d_model 256, 3 + 3 layers). As in the paper: Adam
(0.9, 0.98, 1e-9), a linear learning-rate warm-up (then a cosine decay, which also ends with
--time-budget), label smoothing 0.1, dropout 0.1 (none on the synthetic tasks, which draw
fresh sequences), beam search with beam 4 and length penalty 0.6. Multi30k is not shipped
(its terms forbid redistribution): --data-dir is the folder holding multi30k/ (train, val,
test_2016_flickr .en/.de, plain or .gz; default the repository's data/, where it is
git-ignored). BLEU is sacreBLEU's (13a, lower-cased, as the vocabulary is) on
test_2016_flickr.

Each epoch prints train/test (synthetic: exact match by greedy decoding) or train/val
(Multi30k) loss and token accuracy; checkpoints, history.csv and curves.png go to --out-dir;
the last line is the test exact match or BLEU, after a few sample outputs.
"""
import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

import nnlite
import nnlite.nn.functional as F
from nnlite import optim
from nnlite.data import BucketBatchSampler, DataLoader, Subset, trim_padding
from nnlite.data.datasets import AdditionTask, CopyTask, Multi30k, ReverseTask, SortTask
from nnlite.models import TransformerSeq2Seq
from nnlite.optim.lr_scheduler import WarmupCosineLR
from nnlite.training import (corpus_bleu, count_correct, evaluate, fit, format_seconds,
                             set_seed)

from common import example_parser, parse_args, take, training_args

PAD = 0                                      # <pad> in the synthetic tasks and in Multi30k
SYNTHETIC = {"reverse": ReverseTask, "copy": CopyTask, "sort": SortTask,
             "addition": AdditionTask}
# d_model, nhead, layers, dim_feedforward, dropout, batch_size, lr, warmup steps, epochs
# (the synthetic tasks draw fresh sequences and do not overfit: no dropout, which they learn
# faster without)
CONFIGS = {"synthetic": (64, 4, 2, 256, 0.0, 64, 1e-3, 100, 10),
           "multi30k": (256, 8, 3, 512, 0.1, 128, 5e-4, 200, 10),
           "quick": (32, 4, 1, 64, 0.0, 32, 1e-3, 5, 1)}


def synthetic_data(args: argparse.Namespace) -> tuple:
    """Train and test sets of the synthetic task, drawn with different seeds."""
    def make(n: int, seed: int):
        if args.task == "addition":
            return AdditionTask(n, num_digits=3, seed=seed)
        return SYNTHETIC[args.task](n, seq_len=args.seq_len, vocab_size=args.symbols,
                                    min_len=1, seed=seed)
    return make(args.num_samples, args.seed), make(max(args.num_samples // 20, 64),
                                                    args.seed + 1)


def multi30k_data(args: argparse.Namespace) -> tuple:
    """Train, val and test (test_2016_flickr) sets; the vocabularies come from train."""
    root = Path(args.data_dir) if args.data_dir else None
    if root is not None and root.name == "multi30k":     # the folder itself was given
        root = root.parent
    train = Multi30k(root, "train", min_freq=args.min_freq)
    val, test = (Multi30k(root, split, src_vocab=train.src_vocab, tgt_vocab=train.tgt_vocab)
                 for split in ("val", "test"))
    return train, val, test


def build_model(args: argparse.Namespace, train_set) -> TransformerSeq2Seq:
    """The model for the task's vocabularies (one shared by both sides in the synthetic
    tasks), with the special tokens of the data: <bos> and <eos> are 1, 2 there and 2, 3 in
    Multi30k."""
    if isinstance(train_set, Multi30k):
        src, tgt = train_set.src_vocab, train_set.tgt_vocab
    else:
        src = tgt = train_set.vocab
    return TransformerSeq2Seq(len(src), len(tgt), d_model=args.d_model, nhead=args.nhead,
                              num_encoder_layers=args.layers, num_decoder_layers=args.layers,
                              dim_feedforward=args.dim_feedforward, dropout=args.dropout,
                              share_vocab=src is tgt, pad_idx=tgt["<pad>"],
                              bos_idx=tgt["<bos>"], eos_idx=tgt["<eos>"])


def parts(dataset) -> tuple:
    """``(whole dataset, indices)`` of a ``take()`` subset, or of a whole dataset."""
    if isinstance(dataset, Subset):
        return dataset.dataset, dataset.indices
    return dataset, np.arange(len(dataset))


def loader(dataset, batch_size: int, shuffle: bool) -> DataLoader:
    """Batches of pairs of similar lengths (the longer of source and target)."""
    base, idx = parts(dataset)
    lengths = np.maximum((base.data[idx] != PAD).sum(1), (base.targets[idx] != PAD).sum(1))
    return DataLoader(dataset, batch_sampler=BucketBatchSampler(lengths, batch_size, shuffle))


def translate(model: TransformerSeq2Seq, src: np.ndarray, beam: int, extra_len: int,
              batch_size: int = 100) -> list[np.ndarray]:
    """Decode every row of ``src`` (N, S), in batches of similar lengths; greedy if
    ``beam == 1``. At most S + ``extra_len`` words each; the outputs in ``src``'s order."""
    model.eval()
    out: list = [None] * len(src)
    for idx in BucketBatchSampler((src != PAD).sum(1), batch_size, shuffle=False
                                  ).index_batches():
        s = trim_padding(src[idx])                                          # (b, S)
        ids = model.beam_search(s, beam, s.shape[1] + extra_len) if beam > 1 else \
            model.greedy_decode(s, s.shape[1] + extra_len)                  # (b, <= max_len)
        for i, row in zip(idx, ids.array):
            out[i] = row
    return out


def detokenize(text: str) -> str:
    """Undo the tokenizer's split of hyphenated words: ``t - shirt`` -> ``t-shirt``."""
    return re.sub(r"(?<=\w) - (?=\w)", "-", text)


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    parser.add_argument("--task", choices=[*SYNTHETIC, "multi30k"], default="reverse",
                        help="a synthetic task (addition: 3-digit a + b) or Multi30k "
                             "en->de translation (default: reverse)")
    training_args(parser, name="transformer", epochs=10, batch_size=64, lr=1e-3,
                  time_budget=0)
    g = parser.add_argument_group("model (defaults: d_model 64, 4 heads, 2 + 2 layers, d_ff "
                                  "256, dropout 0 for the synthetic tasks; 256, 8, 3 + 3, 512, "
                                  "0.1 for Multi30k; 32, 4, 1 + 1, 64, 0 with --quick)")
    g.add_argument("--d-model", type=int, default=None)
    g.add_argument("--nhead", type=int, default=None)
    g.add_argument("--layers", type=int, default=None, help="encoder and decoder layers, each")
    g.add_argument("--dim-feedforward", type=int, default=None)
    g.add_argument("--dropout", type=float, default=None, help="P_drop")
    g = parser.add_argument_group("optimisation")
    g.add_argument("--warmup", type=int, default=None,
                   help="warm-up steps (default: 100 synthetic, 200 Multi30k)")
    g.add_argument("--label-smoothing", type=float, default=0.1, help="(default: 0.1)")
    g.add_argument("--clip", type=float, default=1.0,
                   help="clip the gradient norm to this (default: 1.0; 0: off)")
    g = parser.add_argument_group("data and decoding")
    g.add_argument("--data-dir", default=None,
                   help="Multi30k: the folder holding multi30k/ (default: the repository's "
                        "data/, where it is git-ignored)")
    g.add_argument("--min-freq", type=int, default=2,
                   help="Multi30k: keep words seen this often in train (default: 2)")
    g.add_argument("--num-samples", type=int, default=None,
                   help="synthetic training pairs (default: 20000; 256 with --quick)")
    g.add_argument("--seq-len", type=int, default=12, help="synthetic: longest input (12)")
    g.add_argument("--symbols", type=int, default=10, help="synthetic: symbol count (10)")
    g.add_argument("--beam", type=int, default=None,
                   help="beam size of the final decoding (default: 4 for Multi30k, 1 = "
                        "greedy otherwise)")
    g.add_argument("--show", type=int, default=5, help="sample outputs to print (default: 5)")

    def task_defaults(a: argparse.Namespace) -> dict:
        kind = "quick" if a.quick else "multi30k" if a.task == "multi30k" else "synthetic"
        d, h, n, ff, drop, bs, lr, warm, epochs = CONFIGS[kind]
        return {"d_model": d, "nhead": h, "layers": n, "dim_feedforward": ff, "dropout": drop,
                "batch_size": bs, "lr": lr, "warmup": warm, "epochs": epochs,
                "beam": 4 if a.task == "multi30k" else 1,
                "num_samples": 256 if a.quick else 20000,
                "out_dir": Path("runs") / f"transformer-{a.task}"}

    args = parse_args(parser, argv, defaults=task_defaults)
    set_seed(args.seed)

    # ---- data ------------------------------------------------------------------------
    translation = args.task == "multi30k"
    if translation:
        train_set, val_set, test_set = multi30k_data(args)
        eval_set, eval_name = val_set, "val"
    else:
        train_set, test_set = synthetic_data(args)
        eval_set, eval_name = test_set, "test"
    if args.quick:
        train_set, eval_set, test_set = (take(train_set, 256), take(eval_set, 64),
                                         take(test_set, 64))
    train_loader = loader(train_set, args.batch_size, shuffle=True)
    eval_loader = loader(eval_set, 250, shuffle=False)
    base_test, test_idx = parts(test_set)                    # decode() and the raw text

    # ---- model, loss, optimiser --------------------------------------------------------
    model = build_model(args, parts(train_set)[0])
    def step(batch):
        src, tgt = trim_padding(batch[0]), trim_padding(batch[1])
        logits = model(src, tgt[:, :-1])                                    # (B, T, V)
        y = tgt[:, 1:]                                                      # (B, T)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                               ignore_index=PAD, label_smoothing=args.label_smoothing)
        correct, n = count_correct(logits, y, ignore_index=PAD)
        return loss, {"n": n, "correct": correct}

    def exact_match(dataset, idx: np.ndarray, beam: int) -> tuple[float, list]:
        preds = translate(model, dataset.data[idx], beam, extra_len=2)
        pairs = [(dataset.decode(p), dataset.decode(dataset.targets[i][1:]))
                 for p, i in zip(preds, idx)]
        return float(np.mean([p == t for p, t in pairs])), pairs

    def evaluate_epoch(epoch: int) -> dict:
        metrics = evaluate(step, eval_loader, eval_name, unit="tok", progress=args.progress)
        if not translation:
            metrics["test_exact"] = exact_match(base_test, test_idx, beam=1)[0]
        return metrics

    opt = optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    name = (f"Transformer d_model {args.d_model}, {args.layers}+{args.layers} layers "
            f"({sum(p.numel() for p in model.parameters()):,} parameters)")
    print(f"{name} on {args.task}: {len(train_set):,} train / {len(eval_set):,} {eval_name}"
          + (f" / {len(test_set):,} test" if translation else "") + " pairs, "
          f"{args.epochs} epochs"
          + (f", budget {format_seconds(args.time_budget)}" if args.time_budget else ""))
    start = time.time()
    history = fit(model, opt, step, train_loader, epochs=args.epochs, out_dir=args.out_dir,
                  evaluate=evaluate_epoch, resume=args.resume, progress=args.progress,
                  unit="tok", clip_grad_norm=args.clip or None,
                  scheduler=WarmupCosineLR(opt, warmup_steps=args.warmup),
                  scheduler_interval="step", time_budget=args.time_budget,
                  title=f"Transformer on {args.task}")

    # ---- final decoding and samples --------------------------------------------------
    def done() -> str:
        return (f"{len(history)} epochs ({format_seconds(history.last('time', 0.0))} of "
                f"training), {format_seconds(time.time() - start)} this run")

    if not translation:
        exact, pairs = exact_match(base_test, test_idx, args.beam)
        for i in range(min(args.show, len(pairs))):
            src = base_test.decode(base_test.data[test_idx[i]])
            print(f"  {src}  ->  {pairs[i][0]}  (target {pairs[i][1]})")
        print(f"final: test exact match {100 * exact:.2f}% ({len(pairs):,} sequences, "
              f"{'greedy' if args.beam == 1 else f'beam {args.beam}'}) | {name}, {done()} | "
              f"{args.out_dir}")
        return 0
    preds = translate(model, base_test.data[test_idx], args.beam, extra_len=10)
    hyps = [detokenize(base_test.decode(p)) for p in preds]
    refs = [base_test.tgt_sentences[i] for i in test_idx]
    bleu = corpus_bleu(hyps, [refs], lowercase=True)
    for i in range(min(args.show, len(hyps))):
        print(f"  src: {base_test.src_sentences[test_idx[i]]}\n  ref: {refs[i]}\n"
              f"  hyp: {hyps[i]}")
    print(f"  {bleu}")
    print(f"final: test_2016_flickr BLEU {bleu.score:.2f} ({len(hyps):,} sentences, beam "
          f"{args.beam}) | {name}, {done()} | {args.out_dir}")
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
