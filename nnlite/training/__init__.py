"""``nnlite.training``: what a training script imports besides the model, data and optimiser
-- the training loop, checkpoints, metrics history, a progress bar, metrics and BLEU::

    from nnlite.training import (Checkpointer, History, accuracy, corpus_bleu, evaluate, fit,
                                 run_epoch, set_seed)

    set_seed(0)
    history = fit(model, optimizer, step, train_loader, epochs=10, out_dir="runs/lenet5",
                  evaluate=lambda epoch: evaluate(step, test_loader, "test"))

* ``loop.py``         ``run_epoch`` (one pass: backward, clipping, optimiser step, progress
                      bar) and ``evaluate`` (under ``no_grad``)
* ``fit.py``          ``fit`` (epochs, checkpoint each epoch, resume, history CSV + PNG, time
                      budget, a scheduler per epoch or per step) and ``FitState``
* ``lr_hooks.py``     ``progress_lr``, ``step_decay``, ``warmup_cosine``: learning rates set
                      from ``fit``'s ``after_step`` hook (the schedulers of
                      ``nnlite.optim.lr_scheduler`` compute the same as ``ProgressLR``,
                      ``MultiStepProgressLR`` and ``WarmupCosineLR``)
* ``checkpointer.py`` ``Checkpointer`` (model + optimiser + scheduler + history + random
                      state, via ``nl.save``), ``set_seed``, ``get_rng_state`` /
                      ``set_rng_state``
* ``history.py``      ``History``: metrics per epoch, ``plot`` to PNG with matplotlib if
                      installed
* ``progress.py``     ``ProgressBar``: tqdm if installed, else a small text bar; loss,
                      accuracy, items/s
* ``metrics.py``      ``accuracy``, ``count_correct``
* ``bleu.py``         ``corpus_bleu`` / ``sentence_bleu`` as sacreBLEU computes them, with its
                      ``13a`` tokenizer
"""
from .bleu import BLEUScore, corpus_bleu, sentence_bleu, tokenize_13a
from .checkpointer import Checkpointer, get_rng_state, set_rng_state, set_seed
from .fit import FitState, fit, format_seconds
from .history import History, have_matplotlib
from .loop import Step, evaluate, run_epoch
from .lr_hooks import progress_lr, step_decay, warmup_cosine
from .metrics import accuracy, count_correct
from .progress import ProgressBar, format_metrics, have_tqdm

__all__ = ["run_epoch", "evaluate", "Step", "fit", "FitState", "format_seconds",
           "progress_lr", "step_decay", "warmup_cosine", "Checkpointer", "set_seed",
           "get_rng_state", "set_rng_state", "History", "have_matplotlib", "ProgressBar",
           "format_metrics", "have_tqdm", "accuracy", "count_correct", "BLEUScore",
           "corpus_bleu", "sentence_bleu", "tokenize_13a"]
