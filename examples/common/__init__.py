"""What the example scripts share, so each stays short: their command line, the quick data
slices, and the image-classification plumbing. The library parts a training script of your
own would import (``fit``, ``Checkpointer``, ``History``, metrics, BLEU) are in
``nnlite.training``; this package is the examples' own (the scripts run with ``examples/``
on ``sys.path``).

* ``cli.py``     ``example_parser``, ``training_args``, ``parse_args``: the options every
                 example has (``--epochs --batch-size --lr --seed --quick --resume --out-dir
                 --no-progress --time-budget``); ``run_summary``, the end of the last line
* ``subset.py``  ``take``: a fixed random slice of a dataset (``--quick``, ``--test-size``)
* ``vision.py``  the image-classification examples' data (CIFAR-10, else MNIST padded to
                 32x32; pixel statistics and PCA; ``--data-dir`` and the other data options,
                 and how to get CIFAR-10), the step (with multi-crop averaging) and the
                 script body ``train_classifier``
* ``images.py``  ``tile``, ``save_image_grid``: batches of generated images as PNG grids
                 (imported as ``from common.images import save_image_grid``)
"""
from .cli import example_parser, parse_args, plural, run_summary, training_args
from .subset import take
from .vision import (CIFAR10_HELP, ImageData, PixelStats, RepeatChannels, classification_step,
                     image_data_args, load_image_data, pixel_stats, train_classifier,
                     with_transform)

__all__ = ["example_parser", "parse_args", "plural", "run_summary", "training_args", "take", "CIFAR10_HELP",
           "ImageData", "PixelStats", "RepeatChannels", "classification_step",
           "image_data_args", "load_image_data", "pixel_stats", "train_classifier",
           "with_transform"]
