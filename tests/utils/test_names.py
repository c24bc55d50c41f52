"""nnlite.utils: every name it offers is the object of the library's home for it."""
import sys

import nnlite.data
import nnlite.training
import nnlite.utils

# the names that live in nnlite.utils itself (the function summary shadows its module)
OWN = {"summary": "nnlite.utils.summary", "ModelStatistics": "nnlite.utils.model_statistics",
       "LayerInfo": "nnlite.utils.model_statistics", "make_dot": "nnlite.utils.graph",
       "Digraph": "nnlite.utils.graph", "ExecutableNotFound": "nnlite.utils.graph"}


def test_every_name_is_the_one_of_its_home():
    for name in nnlite.utils.__all__:
        home = sys.modules[OWN[name]] if name in OWN else nnlite.data \
            if name in ("BucketBatchSampler", "trim_padding") else nnlite.training
        assert getattr(nnlite.utils, name) is getattr(home, name), name


def test_the_names_users_imported_still_import():
    from nnlite.utils import (BLEUScore, BucketBatchSampler, Checkpointer, FitState,  # noqa: F401
                              History, ProgressBar, accuracy, corpus_bleu, count_correct,
                              evaluate, fit, format_metrics, format_seconds, get_rng_state,
                              have_matplotlib, have_tqdm, progress_lr, run_epoch,
                              sentence_bleu, set_rng_state, set_seed, step_decay,
                              tokenize_13a, trim_padding, warmup_cosine)
    from nnlite.utils import (Digraph, ExecutableNotFound, LayerInfo,  # noqa: F401
                              ModelStatistics, make_dot, summary)
