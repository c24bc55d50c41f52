"""``nnlite.utils``: what the training scripts in ``examples/`` share, so each stays short.

    from nnlite.utils import (Checkpointer, History, ProgressBar, accuracy, corpus_bleu,
                              fit, run_epoch, set_seed)

* ``training.py``    ``run_epoch`` (one pass: backward, clipping, optimiser step, progress
                     bar), ``evaluate``, ``fit`` (epochs, checkpoint each epoch, ``--resume``,
                     history CSV + PNG, time budget), learning rates by training progress
                     (``progress_lr``, ``step_decay``) and the examples' common options
* ``vision.py``      what the image-classification examples share: the data (CIFAR-10, else
                     MNIST padded to 32x32; pixel statistics and PCA), the step (with
                     multi-crop averaging) and the script body ``train_classifier``
* ``checkpointer.py`` ``Checkpointer`` (model + optimiser + scheduler + history + random state,
                     via ``nl.save``), ``set_seed``, ``get_rng_state`` / ``set_rng_state``
* ``history.py``     ``History``: metrics per epoch, ``plot`` to PNG with matplotlib if
                     installed
* ``progress.py``    ``ProgressBar``: tqdm if installed, else a small text bar; loss,
                     accuracy, items/s
* ``metrics.py``     ``accuracy``, ``count_correct``
* ``bleu.py``        ``corpus_bleu`` / ``sentence_bleu`` as sacreBLEU computes them, with its
                     ``13a`` tokenizer
* ``sequences.py``   ``BucketBatchSampler`` (batches of similar lengths), ``trim_padding``,
                     ``warmup_cosine`` (a learning-rate hook for ``fit``)
"""
from .bleu import BLEUScore, corpus_bleu, sentence_bleu, tokenize_13a
from .checkpointer import Checkpointer, get_rng_state, set_rng_state, set_seed
from .history import History, have_matplotlib
from .metrics import accuracy, count_correct
from .progress import ProgressBar, format_metrics, have_tqdm
from .sequences import BucketBatchSampler, trim_padding, warmup_cosine
from .training import (FitState, evaluate, example_parser, fit, format_seconds, parse_args,
                       progress_lr, run_epoch, step_decay, take, training_args)
from .vision import (ImageData, PixelStats, classification_step, image_data_args,
                     load_image_data, pixel_stats, train_classifier, with_transform)

__all__ = ["BLEUScore", "corpus_bleu", "sentence_bleu", "tokenize_13a", "Checkpointer",
           "get_rng_state", "set_rng_state", "set_seed", "History", "have_matplotlib",
           "accuracy", "count_correct", "ProgressBar", "format_metrics", "have_tqdm", "FitState",
           "evaluate", "fit", "format_seconds", "parse_args", "run_epoch", "take",
           "training_args", "BucketBatchSampler", "trim_padding", "warmup_cosine",
           "example_parser", "progress_lr", "step_decay", "ImageData", "PixelStats",
           "classification_step", "image_data_args", "load_image_data", "pixel_stats",
           "train_classifier", "with_transform"]
