"""Train TextCNN CNN-rand (Kim 2014) on MR sentence polarity, from the shipped data/.

    python examples/train_textcnn.py              # fold 1 of 10, a fixed 90/10 split: 78.8%
    python examples/train_textcnn.py --cv         # all 10 folds, the paper's protocol: 77.5%
    python examples/train_textcnn.py --quick      # a few seconds: a smoke test on 400 sentences
    python examples/train_textcnn.py --resume     # continue from runs/textcnn/

Kim (2014), Table 2, MR (10-fold cross-validation): CNN-rand 76.1%; CNN-static 81.0%,
CNN-non-static 81.5% and CNN-multichannel 81.1% start from word2vec vectors, which nnlite does
not ship. The paper's settings: windows 3, 4, 5 with 100 maps each, dropout 0.5, l2-norm
constraint 3 on the softmax weights, mini-batches of 50; as in its code, 10% of each training
part is a dev set and the test accuracy reported is that of the epoch with the best dev
accuracy. Kim trains with Adadelta, which nnlite lacks: Adam here. Batches hold sentences of
similar lengths (less padding). Each epoch prints train/dev/test loss and accuracy;
checkpoints, history.csv and curves.png go to --out-dir (a fold-NN/ folder per fold with
--cv); the last line is the test accuracy.
"""
import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import nnlite
from nnlite import optim
from nnlite.data import BucketBatchSampler, DataLoader, Subset, kfold_split, trim_padding
from nnlite.data.datasets import MovieReviews
from nnlite.models import TextCNN
from nnlite.training import History, evaluate, fit, format_seconds, set_seed

from common import classification_step, example_parser, parse_args, training_args

PAPER = 0.761                       # Kim (2014), Table 2: CNN-rand on MR


def loader(dataset: MovieReviews, idx: np.ndarray, batch_size: int, shuffle: bool
           ) -> DataLoader:
    """Batches of ``dataset[idx]`` of similar sentence lengths (shuffled for training)."""
    sampler = BucketBatchSampler(dataset.lengths[idx], batch_size, shuffle=shuffle)
    return DataLoader(Subset(dataset, idx), batch_sampler=sampler)


def train_fold(args: argparse.Namespace, dataset: MovieReviews, fold: int,
               train_idx: np.ndarray, test_idx: np.ndarray, out_dir: Path) -> History:
    """Train one fold: 90% of ``train_idx`` to learn, 10% as dev set; test on ``test_idx``."""
    set_seed(args.seed + fold)
    perm = np.random.default_rng(args.seed + fold).permutation(train_idx)
    n_dev = len(perm) // 10
    dev_idx, learn_idx = perm[:n_dev], perm[n_dev:]
    train_loader = loader(dataset, learn_idx, args.batch_size, shuffle=True)
    dev_loader, test_loader = (loader(dataset, idx, 500, shuffle=False)
                               for idx in (dev_idx, test_idx))

    model = TextCNN(len(dataset.vocab), num_classes=2, embed_dim=args.embed_dim,
                    num_filters=args.num_filters, dropout=0.5, mode="rand")
    step = classification_step(lambda ids: model(trim_padding(ids)))   # logits (B, 2)

    def evaluate_all(epoch: int) -> dict:
        return {**evaluate(step, dev_loader, "val", unit="sent", progress=args.progress),
                **evaluate(step, test_loader, "test", unit="sent", progress=args.progress)}

    opt = optim.Adam(model.parameters(), lr=args.lr)
    print(f"fold {fold + 1}/{args.folds}: {len(learn_idx):,} train / {len(dev_idx):,} dev / "
          f"{len(test_idx):,} test sentences, TextCNN CNN-rand "
          f"({sum(p.numel() for p in model.parameters()):,} parameters)")
    return fit(model, opt, step, train_loader, epochs=args.epochs, out_dir=out_dir,
               evaluate=evaluate_all, resume=args.resume, progress=args.progress, unit="sent",
               after_step=lambda state: model.max_norm_(args.max_norm),
               title=f"TextCNN CNN-rand on MR, fold {fold + 1}/{args.folds}")


def selected(history: History) -> dict:
    """The record of the epoch with the best dev accuracy (Kim's early stopping)."""
    return history.best("val_acc") or {"epoch": 0, "val_acc": math.nan, "test_acc": math.nan}


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="textcnn", epochs=5, batch_size=50, lr=1e-3)
    parser.add_argument("--cv", action="store_true",
                        help="train every fold (k-fold cross-validation) and report the mean")
    parser.add_argument("--folds", type=int, default=10, help="k of k-fold (default: 10)")
    parser.add_argument("--embed-dim", type=int, default=None,
                        help="word vector size (default: 300; 32 with --quick)")
    parser.add_argument("--num-filters", type=int, default=None,
                        help="feature maps per window size (default: 100; 16 with --quick)")
    parser.add_argument("--max-norm", type=float, default=3.0,
                        help="l2-norm constraint s on the softmax weights (default: 3)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding rt-polarity/ (default: the repository's data/)")
    args = parse_args(parser, argv, defaults=lambda a: {
        "embed_dim": 32 if a.quick else 300, "num_filters": 16 if a.quick else 100})
    if args.folds < 2:
        parser.error(f"--folds must be >= 2, got {args.folds}")

    dataset = MovieReviews(args.data_dir)
    subset = (np.random.default_rng(args.seed).permutation(len(dataset))[:400] if args.quick
              else np.arange(len(dataset)))
    folds = kfold_split(Subset(dataset, subset), args.folds,
                        generator=np.random.default_rng(args.seed))
    print(f"MR: {len(subset):,} sentences, vocabulary {len(dataset.vocab):,} words, "
          f"{args.folds} folds{'' if args.cv else ' (training on fold 1 only; --cv for all)'}")

    start = time.time()
    picked = []
    for fold, (train_part, test_part) in enumerate(folds if args.cv else folds[:1]):
        out_dir = args.out_dir / f"fold-{fold + 1:02d}" if args.cv else args.out_dir
        history = train_fold(args, dataset, fold, subset[train_part.indices],
                             subset[test_part.indices], out_dir)
        best = selected(history)
        picked.append(best["test_acc"])
        print(f"fold {fold + 1}: test accuracy {100 * best['test_acc']:.2f}% at epoch "
              f"{best['epoch']} (best dev accuracy {100 * best['val_acc']:.2f}%; last epoch "
              f"{100 * history.last('test_acc', math.nan):.2f}%)")

    acc = float(np.mean(picked))
    spread = f" +- {100 * np.std(picked):.2f} over {len(picked)} folds" if args.cv else \
        f" on fold 1 of {args.folds}"
    print(f"final: test accuracy {100 * acc:.2f}%{spread} (paper: CNN-rand {100 * PAPER:.1f}%) "
          f"| TextCNN CNN-rand, {args.epochs} epochs, {format_seconds(time.time() - start)} "
          f"this run | {args.out_dir}")
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
