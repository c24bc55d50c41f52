"""Train LeNet-5 on MNIST (LeCun, Bottou, Bengio & Haffner 1998) from the shipped data/.

    python examples/train_lenet5.py                 # LeNet5 (ReLU, max-pool): >= 99.0% test acc.
    python examples/train_lenet5.py --classic       # the paper's net: RBF outputs, scaled tanh
    python examples/train_lenet5.py --distort       # + random affine distortions (paper: 0.8% err.)
    python examples/train_lenet5.py --quick         # a few seconds: a smoke test on 128 digits
    python examples/train_lenet5.py --resume        # continue from runs/lenet5/
    mpiexec -n 2 python examples/train_lenet5.py --distributed   # data-parallel, 2 processes

The paper reports 0.95% test error without distortions and 0.8% with them (section III.C).
Each epoch prints train/test loss and accuracy; checkpoints, history.csv and curves.png go to
--out-dir; the last line is the test accuracy.
"""
import functools
import os
import sys

import nnlite
import nnlite.distributed as dist
from nnlite import optim
from nnlite.data import transforms as T
from nnlite.data.datasets import MNIST
from nnlite.models import LeNet5, LeNet5Classic, lecun_normalize, rbf_loss
from nnlite.nn.parallel import DistributedDataParallel
from nnlite.optim.lr_scheduler import WarmupCosineLR
from nnlite.training import set_seed

from common import (classification_step, example_parser, parse_args, train_classifier,
                    training_args)

MEAN, STD = (0.1307,), (0.3081,)          # MNIST training-set pixel statistics


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="lenet5", epochs=15, batch_size=64, lr=0.05)  # see defaults=
    parser.add_argument("--classic", action="store_true",
                        help="train LeNet5Classic (scaled tanh, trainable subsampling, partial "
                             "C3 table, RBF output with the MAP criterion, eq. 9; default "
                             "--lr 0.005)")
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
    parser.add_argument("--distributed", action="store_true",
                        help="data-parallel training over the processes mpiexec starts "
                             "(mpiexec -n 2 python examples/train_lenet5.py --distributed; "
                             "needs mpi4py: pip install mpi4py mpich): each process trains "
                             "on its share of every epoch and the gradients are averaged, "
                             "so --batch-size is PER PROCESS and the global batch is "
                             "--batch-size x processes (keep it at 64 with --batch-size 32 "
                             "on 2 processes); rank 0 prints and writes the checkpoints; "
                             "1 BLAS thread per process unless OPENBLAS_NUM_THREADS or "
                             "OMP_NUM_THREADS says otherwise")
    args = parse_args(parser, argv, defaults=lambda a: {
        "epochs": 30 if a.distort or a.elastic else 15,
        "lr": 0.005 if a.classic else 0.05})
    if args.distributed:
        dist.init_process_group(backend="mpi")
        if not {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"} & set(os.environ):
            nnlite.set_num_threads(1)             # as torchrun: one thread per process
    set_seed(args.seed)

    # ---- data: ToTensor -> (distortions) -> Normalize, applied to whole batches ----------
    augment = []
    if args.distort:
        augment.append(T.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1),
                                      shear=10))
    if args.elastic:
        augment.append(T.ElasticDistortion(alpha=34.0, sigma=4.0))
    norm = ([T.Lambda(lecun_normalize, batched=True)] if args.classic     # the paper's range
            else [T.Normalize(MEAN, STD)])
    train_set = MNIST(args.data_dir, train=True, transform=T.Compose([T.ToTensor()] + augment
                                                                      + norm))
    test_set = MNIST(args.data_dir, train=False, transform=T.Compose([T.ToTensor()] + norm))

    # ---- model, loss, optimiser ---------------------------------------------------------
    model = LeNet5Classic() if args.classic else LeNet5()
    # distributed: the step runs the DDP wrapper (rank 0's weights, gradients averaged);
    # the checkpoints hold the model inside it
    net = DistributedDataParallel(model) if args.distributed else model
    if args.classic:     # RBF penalties (N, 10): the MAP criterion; predict the smallest
        step = classification_step(net, functools.partial(rbf_loss, j=args.rbf_j),
                                   scores=lambda penalties: -penalties.array)
    else:
        step = classification_step(net)
    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)

    train_classifier(model, opt, args, train_set, test_set, step=step,
                     scheduler=WarmupCosineLR(opt),         # cosine decay to 0, step by step
                     name=type(model).__name__, data_name="MNIST",
                     note=", distorted" if args.distort or args.elastic else "",
                     distributed=args.distributed)
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
