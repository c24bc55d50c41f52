"""Train LeNet-5 on MNIST (LeCun, Bottou, Bengio & Haffner 1998) from the shipped data/.

    python examples/train_lenet5.py                 # LeNet5 (ReLU, max-pool): >= 99.0% test acc.
    python examples/train_lenet5.py --classic       # the paper's net: RBF outputs, scaled tanh
    python examples/train_lenet5.py --distort       # + random affine distortions (paper: 0.8% err.)
    python examples/train_lenet5.py --quick         # a few seconds: a smoke test on 128 digits
    python examples/train_lenet5.py --resume        # continue from runs/lenet5/

The paper reports 0.95% test error without distortions and 0.8% with them (section III.C).
Each epoch prints train/test loss and accuracy; checkpoints, history.csv and curves.png go to
--out-dir; the last line is the test accuracy.
"""
import argparse
import math
import sys
import time

import nnlite.nn.functional as F
from nnlite import optim
from nnlite.data import DataLoader
from nnlite.data import transforms as T
from nnlite.data.datasets import MNIST
from nnlite.models import LeNet5, LeNet5Classic, lecun_normalize, rbf_loss
from nnlite.utils import (count_correct, evaluate, fit, format_seconds, parse_args, set_seed,
                          take, training_args)

MEAN, STD = (0.1307,), (0.3081,)          # MNIST training-set pixel statistics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    training_args(parser, name="lenet5", epochs=15, batch_size=64, lr=0.05)  # see defaults=
    parser.add_argument("--classic", action="store_true",
                        help="train LeNet5Classic (scaled tanh, trainable subsampling, partial "
                             "C3 table, RBF output with the MAP criterion, eq. 9; default --lr 0.005)")
    parser.add_argument("--distort", action="store_true",
                        help="random planar affine distortions of the training digits "
                             "(rotation, shift, scale, shear); default 30 epochs")
    parser.add_argument("--elastic", action="store_true",
                        help="also Simard et al.'s elastic distortions (alpha 34, sigma 4)")
    parser.add_argument("--rbf-j", type=float, default=1.0,
                        help="the constant j of the MAP criterion (eq. 9) for --classic "
                             "(default: 1.0; 'inf' for cross-entropy on -penalties)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ (default: the repository's data/)")
    args = parse_args(parser, argv, defaults=lambda a: {
        "epochs": 30 if a.distort or a.elastic else 15,
        "lr": 0.005 if a.classic else 0.05})
    set_seed(args.seed)

    # ---- data: ToTensor -> (distortions) -> Normalize, applied to whole batches ----------
    augment = []
    if args.distort:
        augment.append(T.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1),
                                      shear=10))
    if args.elastic:
        augment.append(T.ElasticDistortion(alpha=34.0, sigma=4.0))
    norm = [] if args.classic else [T.Normalize(MEAN, STD)]     # classic: lecun_normalize
    train_set = MNIST(args.data_dir, train=True, transform=T.Compose([T.ToTensor()] + augment
                                                                      + norm))
    test_set = MNIST(args.data_dir, train=False, transform=T.Compose([T.ToTensor()] + norm))
    if args.quick:
        train_set, test_set = take(train_set, 128), take(test_set, 64)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=500)

    # ---- model, loss, optimiser ---------------------------------------------------------
    if args.classic:
        model = LeNet5Classic()

        def forward(x, y):
            penalties = model(lecun_normalize(x))                        # (N, 10)
            return rbf_loss(penalties, y, j=args.rbf_j), count_correct(-penalties.data, y)[0]
    else:
        model = LeNet5()

        def forward(x, y):
            logits = model(x)                                            # (N, 10)
            return F.cross_entropy(logits, y), count_correct(logits, y)[0]

    def step(batch):
        x, y = batch
        loss, correct = forward(x, y)
        return loss, {"n": len(y), "correct": correct}

    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(train_loader))

    name = "LeNet5Classic" if args.classic else "LeNet5"
    print(f"{name} ({sum(p.numel() for p in model.parameters()):,} parameters) on MNIST: "
          f"{len(train_set):,} train / {len(test_set):,} test digits, {args.epochs} epochs"
          + (", distorted" if args.distort or args.elastic else ""))
    start = time.time()
    history = fit(model, opt, step, train_loader, epochs=args.epochs, out_dir=args.out_dir,
                  evaluate=lambda epoch: evaluate(step, test_loader, "test",
                                                  progress=args.progress),
                  scheduler=sched, scheduler_interval="step", resume=args.resume,
                  progress=args.progress, title=f"{name} on MNIST")
    acc = history.last("test_acc", math.nan)
    print(f"final: test accuracy {100 * acc:.2f}% (error {100 * (1 - acc):.2f}%) | {name}, "
          f"{len(history)} epochs, {format_seconds(time.time() - start)} this run | "
          f"{args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
