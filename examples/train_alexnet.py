"""Train the AlexNet-style network for 32x32 images (Krizhevsky, Sutskever & Hinton 2012) on
CIFAR-10, or on MNIST padded to 32x32 when CIFAR-10 is not in --data-dir (see --data-dir).

    python examples/train_alexnet.py                         # 30 minutes of training
    python examples/train_alexnet.py --time-budget 0         # 90 epochs, as the paper
    python examples/train_alexnet.py --data-dir ~/data       # CIFAR-10
    python examples/train_alexnet.py --quick                 # seconds: 16 images
    python examples/train_alexnet.py --resume                # continue from runs/alexnet/

The paper's ingredients, scaled to 32x32: ReLU, local response normalisation after conv1
and conv2, overlapping 3x3/2 max-pooling, dropout 0.5 in fc6 and fc7 (AlexNetSmall); random
crops (32x32 of the image zero-padded to 40x40, as 224x224 of 256x256), horizontal flips
and PCA lighting noise (alpha ~ N(0, 0.1^2) along the training pixels' principal colour
components); SGD with momentum 0.9, weight decay 5e-4, batch 128, learning rate 0.01 divided
by 10 three times (here at 50%, 75% and 90% of --epochs or --time-budget, whichever ends
first). The test accuracy is reported for the single centre view each epoch, and at the end
also averaged over 10 views (the four corner crops and the centre of the padded image, and
their mirror images; 5 with --no-flip), as the paper does. The paper reports 37.5% top-1
and 17.0% top-5 error on the ILSVRC-2010 test set (1000 classes, with the 10 views): no
figure comparable with 10 classes of 32x32 images.
"""
import sys

import nnlite
from nnlite import optim
from nnlite.data import transforms as T
from nnlite.models import alexnet_small
from nnlite.optim.lr_scheduler import MultiStepProgressLR
from nnlite.training import set_seed

from common import (example_parser, image_data_args, load_image_data, parse_args,
                    train_classifier, training_args, with_transform)


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="alexnet", epochs=90, batch_size=128, lr=0.01, time_budget=30)
    image_data_args(parser)
    args = parse_args(parser, argv)
    set_seed(args.seed)

    data = load_image_data(args.data_dir, args.dataset)     # 3 channels, or 1 for MNIST
    flip = [T.RandomHorizontalFlip()] if args.flip else []
    data.train.transform = data.transform([T.RandomCrop(32, padding=4)] + flip
                                          + [data.pca_lighting(0.1)])
    data.test.transform = data.transform()                  # the centre view
    ncrops = 10 if args.flip else 5        # corners and centre of the padded image (+ mirrored)
    views = (T.TenCrop if args.flip else T.FiveCrop)(32)    # -> (N, ncrops, C, 32, 32)
    multi = with_transform(data.test, data.transform([T.Pad(4), views]))

    model = alexnet_small(in_channels=data.channels, lrn=True)
    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    train_classifier(model, opt, args, data.train, data.test, name="AlexNetSmall",
                     data_name=data.name, test_batch_size=200, quick_sizes=(16, 8),
                     final_tests={f"test-{ncrops}crop": multi},
                     scheduler=MultiStepProgressLR(opt, (0.5, 0.75, 0.9), gamma=0.1))
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
