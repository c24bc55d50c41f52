"""Train a character-level LSTM language model (Graves 2013; Karpathy's char-rnn) on Tiny
Shakespeare, from the shipped data/.

    python examples/train_char_lstm.py                     # 2 x 256 LSTM: 2.20 bits per char.
    python examples/train_char_lstm.py --temperature 0.5   # tamer samples
    python examples/train_char_lstm.py --quick             # a few seconds: a smoke test
    python examples/train_char_lstm.py --resume            # continue from runs/char-lstm/
    python examples/train_char_lstm.py --resume --epochs 0 --prime "ROMEO:"   # sample only

The last 10% of the text is held out. Reference figures: nanoGPT's character-level
Transformer (6 layers, 10.7M parameters, on a GPU) reaches 1.47 nats = 2.12 bits per character
on this split; Graves (2013) reports 1.67 bits per character on Wikipedia (enwik8) with a
7 x 700 LSTM, another corpus. As in char-rnn: windows of 100 characters, the gradient norm
clipped to 5 against exploding gradients; Adam with a cosine decay of the learning rate (which
also ends with --time-budget). The held-out text is read as 16 long streams, the LSTM state
carried from one window to the next, so every character is predicted from its whole past.

Each epoch prints train/held-out loss (nats per character), next-character accuracy and bits
per character; checkpoints, history.csv and curves.png go to --out-dir. Then a sample of
generated text (also in sample.txt), and last the held-out bits per character.
"""
import math
import sys
import time

import numpy as np

import nnlite
import nnlite.nn.functional as F
from nnlite import optim
from nnlite.data import DataLoader
from nnlite.data.datasets import CharCorpus
from nnlite.models import CharRNN
from nnlite.optim.lr_scheduler import WarmupCosineLR
from nnlite.training import count_correct, evaluate, fit, format_seconds, set_seed

from common import example_parser, parse_args, take, training_args

STREAMS = 16                        # parallel streams the held-out text is read as


def windows(ids: np.ndarray, streams: int, seq_len: int) -> list[tuple]:
    """The text ``ids`` as ``streams`` contiguous rows read ``seq_len`` characters at a time:
    batch k is ``(x, y, first)`` with ``x`` (streams, <= seq_len) the k-th window of every
    row, ``y`` the next characters, ``first`` True for k = 0 (start from a zero state)."""
    n = (len(ids) - 1) // streams
    x = ids[:n * streams].reshape(streams, n)                       # (streams, n)
    y = ids[1:n * streams + 1].reshape(streams, n)
    return [(x[:, i:i + seq_len], y[:, i:i + seq_len], i == 0) for i in range(0, n, seq_len)]


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="char-lstm", epochs=10, batch_size=64, lr=2e-3, time_budget=0)
    parser.add_argument("--hidden-size", type=int, default=None,
                        help="LSTM units per layer (default: 256; 32 with --quick)")
    parser.add_argument("--layers", type=int, default=None,
                        help="stacked LSTM layers (default: 2; 1 with --quick)")
    parser.add_argument("--embed-dim", type=int, default=64, help="(default: 64)")
    parser.add_argument("--dropout", type=float, default=0.0, help="(default: 0)")
    parser.add_argument("--seq-len", type=int, default=100,
                        help="characters per training window (default: 100)")
    parser.add_argument("--clip", type=float, default=5.0,
                        help="clip the gradient norm to this (default: 5; 0: off)")
    parser.add_argument("--text", default=None,
                        help="train on this UTF-8 text file instead of Tiny Shakespeare")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding tinyshakespeare/ (default: the repository's data/)")
    g = parser.add_argument_group("sampling")
    g.add_argument("--temperature", type=float, default=0.8,
                   help="softmax temperature (default: 0.8; lower is more conservative)")
    g.add_argument("--sample-len", type=int, default=None,
                   help="characters to generate (default: 500; 50 with --quick)")
    g.add_argument("--prime", default="\n", help="text to start from (default: a newline)")
    args = parse_args(parser, argv, defaults=lambda a: {
        "hidden_size": 32 if a.quick else 256, "layers": 1 if a.quick else 2,
        "sample_len": 50 if a.quick else 500})
    set_seed(args.seed)

    # ---- data: training windows in random order; the held-out part as streams ---------
    train_set = CharCorpus(args.data_dir, train=True, seq_len=args.seq_len, path=args.text)
    held_out = CharCorpus(args.data_dir, train=False, seq_len=args.seq_len, path=args.text)
    val_ids = held_out.ids[:2000] if args.quick else held_out.ids
    if args.quick:
        train_set = take(train_set, 32)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    val_batches = windows(val_ids, STREAMS, args.seq_len)
    try:
        prime = held_out.encode(args.prime)
    except KeyError as e:
        parser.error(f"--prime: {e}")
    corpus = args.text or "Tiny Shakespeare"

    # ---- model, loss, optimiser --------------------------------------------------------
    V = held_out.vocab_size
    model = CharRNN(V, args.embed_dim, args.hidden_size, args.layers, args.dropout)

    def lm_loss(x, y, hx=None) -> tuple:
        logits, hx = model(x, hx)                                   # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        correct, n = count_correct(logits, y)
        return loss, {"n": n, "correct": correct}, hx

    def train_step(batch):
        return lm_loss(*batch)[:2]

    carried = {}

    def held_out_step(batch):
        x, y, first = batch
        loss, stats, carried["hx"] = lm_loss(x, y, None if first else carried["hx"])
        return loss, stats

    def evaluate_epoch(epoch: int) -> dict:
        metrics = evaluate(held_out_step, val_batches, "val", unit="char",
                           progress=args.progress)
        return {**metrics, "val_bpc": metrics["val_loss"] / math.log(2)}

    opt = optim.Adam(model.parameters(), lr=args.lr)
    name = (f"CharRNN {args.layers} x {args.hidden_size} LSTM "
            f"({sum(p.numel() for p in model.parameters()):,} parameters)")
    print(f"{name} on {corpus}: {len(train_set) * args.seq_len:,} training / "
          f"{len(val_ids):,} held-out characters, vocabulary {V}, {args.epochs} epochs"
          + (f", budget {format_seconds(args.time_budget)}" if args.time_budget else ""))
    start = time.time()
    history = fit(model, opt, train_step, train_loader, epochs=args.epochs,
                  out_dir=args.out_dir, evaluate=evaluate_epoch, resume=args.resume,
                  progress=args.progress, unit="char", clip_grad_norm=args.clip or None,
                  scheduler=WarmupCosineLR(opt), scheduler_interval="step",
                  time_budget=args.time_budget,
                  title=f"CharRNN on {corpus}")

    # ---- sample ------------------------------------------------------------------------
    model.eval()
    text = held_out.decode(model.generate(prime, args.sample_len,
                                          temperature=args.temperature).array)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "sample.txt").write_text(text, encoding="utf-8")
    print(f"---- sample (temperature {args.temperature}) ----\n{text}\n----")
    bpc = history.last("val_bpc", math.nan)
    print(f"final: held-out bits per character {bpc:.3f} "
          f"({history.last('val_loss', math.nan):.4f} nats, {len(val_ids):,} characters) | "
          f"{name}, {len(history)} epochs ({format_seconds(history.last('time', 0.0))} of "
          f"training), {format_seconds(time.time() - start)} this run | "
          f"{args.out_dir}")
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
