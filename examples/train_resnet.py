"""Train a CIFAR ResNet (He, Zhang, Ren & Sun 2016, section 4.2) on CIFAR-10, or on MNIST
padded to 32x32 when CIFAR-10 is not in --data-dir (it is not shipped; see --data-dir).

    python examples/train_resnet.py                          # ResNet-20, 30 minutes of training
    python examples/train_resnet.py --time-budget 0          # the paper's 164 epochs (days here)
    python examples/train_resnet.py --data-dir ~/data --depth 56
    python examples/train_resnet.py --quick                  # seconds: ResNet-8 on 64 images
    python examples/train_resnet.py --resume                 # continue from runs/resnet/

The paper's recipe: 4 pixels of zero padding and a random 32x32 crop, random horizontal flips;
SGD with momentum 0.9, weight decay 1e-4, batch 128, learning rate 0.1 divided by 10 at 50%
and 75% of training (32k and 48k of 64k iterations); option-A shortcuts. It reports 8.75%
test error (91.25% accuracy) for ResNet-20 on CIFAR-10 (Table 6). Here the schedule spans
--epochs or --time-budget, whichever ends first; the last line is the test accuracy.
"""
import sys

import nnlite
from nnlite import optim
from nnlite.data import transforms as T
from nnlite.models import CifarResNet
from nnlite.optim.lr_scheduler import MultiStepProgressLR
from nnlite.training import set_seed

from common import (example_parser, image_data_args, load_image_data, parse_args,
                    train_classifier, training_args)


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="resnet", epochs=164, batch_size=128, lr=0.1, time_budget=30)
    image_data_args(parser)
    parser.add_argument("--depth", type=int, default=20, choices=(20, 32, 44, 56, 110),
                        help="6n + 2 layers (default: 20; --quick uses 8)")
    args = parse_args(parser, argv)
    set_seed(args.seed)

    data = load_image_data(args.data_dir, args.dataset, channels=3)   # grey digits -> RGB
    flip = [T.RandomHorizontalFlip()] if args.flip else []
    data.train.transform = data.transform([T.RandomCrop(32, padding=4)] + flip)
    data.test.transform = data.transform()                 # the single 32x32 view

    depth = 8 if args.quick else args.depth
    model = CifarResNet((depth - 2) // 6)
    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    train_classifier(model, opt, args, data.train, data.test, name=f"ResNet-{depth}",
                     data_name=data.name, test_batch_size=250, quick_sizes=(64, 32),
                     scheduler=MultiStepProgressLR(opt, (0.5, 0.75), gamma=0.1))
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
