"""``nnlite.utils``: torch.utils.data's names in ``nnlite.utils.data`` (the same objects as
in :mod:`nnlite.data`), the training helpers of :mod:`nnlite.training`, importable from
here too, and two ways of looking inside a model: ``summary`` (torchinfo's table of layers,
shapes, parameters and mult-adds, ``summary.py``) and ``make_dot`` (torchviz's autograd
graph as Graphviz DOT text, ``graph.py``).

    from nnlite.utils.data import DataLoader, TensorDataset
    from nnlite.utils import Checkpointer, History, fit, run_epoch, set_seed
    from nnlite.utils import make_dot, summary

The learning-rate hooks (``progress_lr``, ``step_decay``, ``warmup_cosine``) compute the
rates of the schedulers ``ProgressLR``, ``MultiStepProgressLR`` and ``WarmupCosineLR`` in
:mod:`nnlite.optim.lr_scheduler`; ``BucketBatchSampler`` and ``trim_padding`` are in
:mod:`nnlite.data`. The example scripts' own plumbing (command line, image data,
``train_classifier``) is in ``examples/common/``.
"""
from . import data
from ..data import BucketBatchSampler, trim_padding
from ..training import (BLEUScore, Checkpointer, FitState, History, ProgressBar, accuracy,
                        corpus_bleu, count_correct, evaluate, fit, format_metrics,
                        format_seconds, get_rng_state, have_matplotlib, have_tqdm,
                        progress_lr, run_epoch, sentence_bleu, set_rng_state, set_seed,
                        step_decay, tokenize_13a, warmup_cosine)
from .graph import Digraph, ExecutableNotFound, make_dot
from .model_statistics import LayerInfo, ModelStatistics
from .summary import summary          # the function shadows its module, as torchinfo's

__all__ = ["BLEUScore", "corpus_bleu", "sentence_bleu", "tokenize_13a", "Checkpointer",
           "get_rng_state", "set_rng_state", "set_seed", "History", "have_matplotlib",
           "accuracy", "count_correct", "ProgressBar", "format_metrics", "have_tqdm", "FitState",
           "evaluate", "fit", "format_seconds", "run_epoch", "BucketBatchSampler",
           "trim_padding", "warmup_cosine", "progress_lr", "step_decay",
           "summary", "ModelStatistics", "LayerInfo", "make_dot", "Digraph", "ExecutableNotFound"]
