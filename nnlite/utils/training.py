"""The training loop the example scripts share: one pass over a loader (``run_epoch``), the
epoch loop with checkpoints, history, curves and a time budget (``fit``), and the command-line
options every example has (``training_args`` / ``parse_args``).

A *step* function turns a batch into a loss and counts::

    def step(batch):
        x, y = batch
        logits = model(x)                                     # (N, 10)
        loss = F.cross_entropy(logits, y)                     # mean over the N items
        return loss, {"n": len(y), "correct": count_correct(logits, y)[0]}

``run_epoch`` calls it on every batch -- with backward, gradient clipping and the optimiser
step when given an optimiser, under ``no_grad`` otherwise -- and returns the mean loss per
item, ``acc = correct / n``, the mean of any other reported sums, and the throughput.
"""
from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from ..data.dataset import Subset
from ..nn.utils import clip_grad_norm_
from ..tensor import Tensor, no_grad
from .checkpointer import Checkpointer
from .history import History
from .progress import ProgressBar, format_metrics

__all__ = ["run_epoch", "evaluate", "fit", "FitState", "progress_lr", "step_decay",
           "example_parser", "training_args", "parse_args", "take", "format_metrics",
           "format_seconds"]

Step = Callable[[Any], tuple]


# ============================================================================
# One pass over a loader
# ============================================================================
def _unpack(result: Any, where: str) -> tuple[Any, dict[str, float]]:
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(f"{where}: the step function must return (loss, stats), where stats "
                        f"is the number of items or a dict with 'n'; got {type(result).__name__}")
    loss, stats = result
    if not isinstance(stats, dict):
        stats = {"n": stats}
    if "n" not in stats:
        raise ValueError(f"{where}: the step's stats dict needs 'n' (items in the batch), got "
                         f"keys {sorted(stats)}")
    return loss, stats


def run_epoch(step: Step, loader: Iterable, *, optimizer: Any = None, desc: str = "",
              unit: str = "img", clip_grad_norm: float | None = None, scheduler: Any = None,
              after_step: Callable[[], None] | None = None, progress: bool = True,
              deadline: float | None = None, max_batches: int | None = None) -> dict[str, Any]:
    """One pass of ``step`` over ``loader``; trains if ``optimizer`` is given.

    Args:
        step: ``batch -> (loss, stats)``: ``loss`` a scalar Tensor (the mean over the batch's
            items), ``stats`` the item count ``n`` or a dict with ``"n"`` and optionally
            ``"correct"`` and other per-batch *sums* (averaged per item in the result).
        loader: an iterable of batches (a DataLoader).
        optimizer (optional): when given, each batch runs ``zero_grad``, ``loss.backward()``,
            optional ``clip_grad_norm_``, ``optimizer.step()``, ``scheduler.step()`` (if
            given: a per-batch schedule) and ``after_step()``. Without it the pass runs under
            ``no_grad``.
        desc, unit, progress: the progress bar's label, item unit, and whether to show it.
        clip_grad_norm (float, optional): clip the global gradient norm of the optimiser's
            parameters to this value.
        deadline (float, optional): a ``time.monotonic()`` time; the pass stops after the
            batch that crosses it (``stopped`` is then True).
        max_batches (int, optional): stop after this many batches.

    Returns:
        dict: ``loss`` (per item), ``acc`` (if ``correct`` was reported), the other stats
        per item, ``items``, ``batches``, ``seconds``, ``rate`` (items/s), ``stopped``.

    Raises:
        FloatingPointError: the loss became NaN or infinite (names the batch).
    """
    train = optimizer is not None
    params = ([p for g in optimizer.param_groups for p in g["params"]]
              if train and clip_grad_norm else None)
    total = len(loader) if hasattr(loader, "__len__") else None
    if max_batches is not None and total is not None:
        total = min(total, max_batches)
    bar = ProgressBar(total, desc=desc, unit=unit, enable=progress)
    sums: dict[str, float] = {}
    loss_sum, items, batches, stopped = 0.0, 0, 0, False
    start = time.perf_counter()
    with no_grad() if not train else _nullcontext():
        for batch in loader:
            if train:
                optimizer.zero_grad()
            loss, stats = _unpack(step(batch), "run_epoch")
            n = int(stats["n"])
            value = float(loss.item() if isinstance(loss, Tensor) else loss)
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"run_epoch ({desc or 'pass'}): the loss is {value} at batch {batches + 1}; "
                    f"try a lower learning rate or gradient clipping")
            if train:
                loss.backward()
                if clip_grad_norm:
                    clip_grad_norm_(params, clip_grad_norm)
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                if after_step is not None:
                    after_step()
            loss_sum += value * n
            items += n
            batches += 1
            for k, v in stats.items():
                if k != "n":
                    sums[k] = sums.get(k, 0.0) + float(v)
            shown = {"loss": value}
            if "correct" in stats and n:
                shown["acc"] = float(stats["correct"]) / n
            bar.update(1, items=n, **shown)
            if max_batches is not None and batches >= max_batches:
                break
            if deadline is not None and time.monotonic() >= deadline:
                stopped = True
                break
    seconds = time.perf_counter() - start
    bar.close()
    out: dict[str, Any] = {"loss": loss_sum / items if items else math.nan}
    if "correct" in sums:
        out["acc"] = sums.pop("correct") / items if items else math.nan
    out.update({k: v / items if items else math.nan for k, v in sums.items()})
    out.update(items=items, batches=batches, seconds=seconds,
               rate=items / seconds if seconds > 0 else 0.0, stopped=stopped)
    return out


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_BOOKKEEPING = ("items", "batches", "seconds", "rate", "stopped")


def evaluate(step: Step, loader: Iterable, prefix: str = "test", *, unit: str = "img",
             progress: bool = True, model: Any = None) -> dict[str, float]:
    """``run_epoch`` without an optimiser (under ``no_grad``; ``model.eval()`` for the pass
    if ``model`` is given), returning its metrics prefixed: ``{"test_loss", "test_acc"}``."""
    was_training = getattr(model, "training", False)
    if model is not None:
        model.eval()
    try:
        res = run_epoch(step, loader, desc=prefix, unit=unit, progress=progress)
    finally:
        if model is not None and was_training:
            model.train()
    return {f"{prefix}_{k}": v for k, v in res.items() if k not in _BOOKKEEPING}


# ============================================================================
# The epoch loop
# ============================================================================
@dataclass
class FitState:
    """What ``fit`` knows while it runs, passed to ``after_step(state)``.

    Attributes:
        epoch (int): the current epoch (1-based). epochs (int): the last epoch.
        step (int): optimiser steps so far, over all epochs (survives ``--resume``).
        steps_per_epoch (int): ``len(train_loader)``.
        train_time (float): seconds spent training so far (survives ``--resume``; evaluation
            excluded). time_budget (float or None): seconds allowed.
    """

    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps_per_epoch: int = 0
    train_time: float = 0.0
    time_budget: float | None = None

    @property
    def progress(self) -> float:
        """Fraction of training done, in [0, 1]: the larger of the step fraction and the
        time-budget fraction (for schedules that must finish within the budget)."""
        total = self.epochs * self.steps_per_epoch
        frac = self.step / total if total else 0.0
        if self.time_budget:
            frac = max(frac, self.train_time / self.time_budget)
        return min(frac, 1.0)


def fit(model: Any, optimizer: Any, step: Step, train_loader: Iterable, *, epochs: int,
        out_dir: str | Path, evaluate: Callable[[int], dict[str, float]] | None = None,
        scheduler: Any = None, scheduler_interval: str = "epoch", resume: bool = False,
        progress: bool = True, unit: str = "img", clip_grad_norm: float | None = None,
        after_step: Callable[[FitState], None] | None = None,
        time_budget: float | None = None, title: str | None = None,
        log: Callable[[str], None] | None = print, keep: int = 2, plot: bool = True
        ) -> History:
    """Train ``model`` for ``epochs`` epochs, evaluating, checkpointing and plotting after each.

    Each epoch: ``model.train()``; :func:`run_epoch` over ``train_loader``; the scheduler's
    epoch step; ``evaluate(epoch)`` (under ``no_grad`` with ``model.eval()``; it returns
    metrics named ``<split>_<metric>``, e.g. ``{"test_loss": .., "test_acc": ..}``); the
    record ``train_loss``, ``train_acc``, ``lr``, ``time`` and the evaluation metrics goes into
    the history; then ``out_dir`` gets the checkpoint (:class:`Checkpointer`), ``history.csv``
    and ``curves.png`` (if matplotlib is installed), and one summary line is logged.

    Args:
        model, optimizer, step, train_loader: see :func:`run_epoch`.
        epochs (int): train up to this epoch (with ``resume``, counting the epochs done).
        out_dir: where checkpoints, CSV and PNG go.
        evaluate (callable, optional): ``epoch -> dict`` of metrics.
        scheduler (optional): an LR scheduler, stepped each ``scheduler_interval`` ("epoch" or
            "step").
        resume (bool): continue from the latest checkpoint in ``out_dir`` (model, optimiser,
            scheduler, history, random state, step count and training time).
        progress (bool): show progress bars. unit (str): the items the step counts.
        clip_grad_norm (float, optional): see :func:`run_epoch`.
        after_step (callable, optional): called with the :class:`FitState` after each
            optimiser step (e.g. to set a learning rate from ``state.progress``, or apply a
            weight constraint).
        time_budget (float, optional): seconds of training allowed in all (over resumes);
            the epoch that runs out stops early, is evaluated and saved, and training ends.
        title (str, optional): the plot's title. log: where summary lines go (None: quiet).
        keep (int): checkpoints to keep. plot (bool): draw ``curves.png``. Default: True.

    Returns:
        History: every epoch's metrics (including those before a resume).
    """
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'step', got "
                         f"{scheduler_interval!r}")
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    say = log if log is not None else (lambda s: None)
    out_dir = Path(out_dir)
    history = History()
    ckpt = Checkpointer(out_dir, model, optimizer, scheduler, keep=keep)
    state = FitState(epochs=epochs, time_budget=time_budget,
                     steps_per_epoch=len(train_loader) if hasattr(train_loader, "__len__")
                     else 0)
    start = ckpt.resume(history, log=say) if resume else 0
    if start:
        state.step = int(ckpt.extra.get("step", 0))
        state.train_time = float(ckpt.extra.get("train_time", 0.0))
    if start >= epochs:
        say(f"nothing to train: the checkpoint is at epoch {start} and --epochs is {epochs}")

    for epoch in range(start + 1, epochs + 1):
        if time_budget is not None and state.train_time >= time_budget:
            say(f"time budget of {format_seconds(time_budget)} used up; stopping before "
                f"epoch {epoch}")
            break
        state.epoch = epoch
        deadline = (time.monotonic() + time_budget - state.train_time
                    if time_budget is not None else None)
        epoch_start, time_before = time.monotonic(), state.train_time

        def hook() -> None:
            state.step += 1
            state.train_time = time_before + (time.monotonic() - epoch_start)
            if after_step is not None:
                after_step(state)

        model.train()
        tr = run_epoch(step, train_loader, optimizer=optimizer, desc=f"epoch {epoch}/{epochs}",
                       unit=unit, clip_grad_norm=clip_grad_norm,
                       scheduler=scheduler if scheduler_interval == "step" else None,
                       after_step=hook, progress=progress, deadline=deadline)
        state.train_time = time_before + tr["seconds"]
        lr = optimizer.param_groups[0]["lr"]
        if scheduler is not None and scheduler_interval == "epoch":
            scheduler.step()
        record = {f"train_{k}": v for k, v in tr.items() if k not in _BOOKKEEPING}
        ev: dict[str, float] = {}
        if evaluate is not None:
            model.eval()
            try:
                with no_grad():
                    ev = dict(evaluate(epoch))
            finally:
                model.train()
        history.log(epoch, **record, **ev, lr=lr, time=state.train_time)
        ckpt.save(epoch, history, step=state.step, train_time=state.train_time)
        history.to_csv(out_dir / "history.csv")
        if plot:
            history.plot(out_dir / "curves.png", title=title)
        train_text = format_metrics({k[6:]: v for k, v in record.items()})
        say(f"epoch {epoch}/{epochs}  train {train_text} | {format_metrics(ev)} | "
            f"{tr['rate']:,.0f} {unit}/s, {tr['seconds']:.1f}s")
        if tr["stopped"]:
            say(f"time budget of {format_seconds(time_budget)} reached during epoch {epoch} "
                f"(after {tr['batches']} of {state.steps_per_epoch} batches)")
            break
    return history


# ============================================================================
# Learning rate as a function of training progress
# ============================================================================
def progress_lr(optimizer: Any, factor: Callable[[float], float]
                ) -> Callable[[FitState], None]:
    """An ``after_step`` hook for :func:`fit` that sets each parameter group's learning rate
    to its value now (the initial one) times ``factor(state.progress)``.

    ``state.progress`` counts steps towards ``epochs`` *and* training time towards the time
    budget, whichever is further along, so the whole schedule fits in the budget; it
    survives ``--resume``. Make the hook before ``fit`` resumes (which loads the decayed rate).

    Example:
        >>> fit(..., after_step=progress_lr(opt, step_decay((0.5, 0.75))))   # doctest: +SKIP
    """
    base = [g["lr"] for g in optimizer.param_groups]

    def hook(state: FitState) -> None:
        f = factor(state.progress)
        for group, lr in zip(optimizer.param_groups, base):
            group["lr"] = lr * f
    return hook


def step_decay(milestones: tuple[float, ...], gamma: float = 0.1) -> Callable[[float], float]:
    """``gamma ** (number of milestones passed)``: milestones are fractions of training, e.g.
    He et al.'s ``(0.5, 0.75)`` (divide by 10 at 32k and 48k of 64k iterations)."""
    return lambda p: gamma ** sum(p >= m for m in milestones)


# ============================================================================
# Command line
# ============================================================================
def example_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of an example script: its module docstring (commands, the paper's figure)
    as the ``--help`` text, line breaks kept."""
    return argparse.ArgumentParser(description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def training_args(parser: argparse.ArgumentParser, *, name: str, epochs: int, batch_size: int,
                  lr: float, quick_epochs: int = 1, seed: int = 0,
                  time_budget: float | None = None) -> argparse.ArgumentParser:
    """Add the options every example has: ``--epochs --batch-size --lr --seed --quick
    --resume --out-dir --no-progress``, and ``--time-budget`` (minutes of training, default
    ``time_budget``, 0 for none) when ``time_budget`` is given. Resolve them with
    :func:`parse_args`; ``args.time_budget`` is then in *seconds* (or None)."""
    g = parser.add_argument_group("training")
    g.add_argument("--epochs", type=int, default=None,
                   help=f"epochs to train (default: {epochs}; {quick_epochs} with --quick)")
    g.add_argument("--batch-size", type=int, default=None,
                   help=f"mini-batch size (default: {batch_size})")
    g.add_argument("--lr", type=float, default=None, help=f"learning rate (default: {lr:g})")
    g.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    g.add_argument("--quick", action="store_true",
                   help="a tiny slice of the data and a tiny model: runs in seconds (a smoke "
                        "test, not a result)")
    g.add_argument("--resume", action="store_true",
                   help="continue from the latest checkpoint in --out-dir")
    g.add_argument("--out-dir", type=Path, default=None,
                   help=f"where checkpoints, history.csv and curves.png go (default: "
                        f"runs/{name})")
    g.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars")
    defaults = {"epochs": epochs, "batch_size": batch_size, "lr": lr}
    if time_budget is not None:
        g.add_argument("--time-budget", type=float, default=None, metavar="MIN",
                       help=f"minutes of training (evaluation not counted; over all "
                            f"--resume runs): training stops when they or --epochs run out, "
                            f"and the learning-rate schedule spans whichever comes first; "
                            f"0 for no limit (default: {time_budget:g}; none with --quick)")
        defaults["time_budget"] = time_budget
    parser.set_defaults(_defaults=defaults, _epochs_quick=quick_epochs, _name=name)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None,
               defaults: Callable[[argparse.Namespace], dict[str, Any]] | None = None
               ) -> argparse.Namespace:
    """Parse and resolve the options of :func:`training_args` and check them.

    Options left out get their defaults: those given to ``training_args``, overridden by
    ``defaults(args)`` (defaults that depend on other options, e.g.
    ``lambda a: {"lr": 0.005} if a.classic else {}``); ``--quick`` sets the quick number of
    epochs and no default time budget; ``out_dir`` defaults to ``runs/<name>``;
    ``time_budget`` (if the parser has it) becomes seconds, or None for no limit.
    """
    args = parser.parse_args(argv)
    resolved = dict(args._defaults)
    if defaults is not None:
        resolved.update(defaults(args))
    if args.quick:
        resolved["epochs"] = args._epochs_quick
        if "time_budget" in resolved:
            resolved["time_budget"] = 0.0
    for key, value in resolved.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.out_dir is None:
        args.out_dir = Path("runs") / args._name
    if args.epochs < 0:
        parser.error(f"--epochs must be >= 0, got {args.epochs}")
    if args.batch_size < 1:
        parser.error(f"--batch-size must be >= 1, got {args.batch_size}")
    if not args.lr > 0:
        parser.error(f"--lr must be > 0, got {args.lr}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if "time_budget" in resolved:
        if args.time_budget < 0:
            parser.error(f"--time-budget must be >= 0 minutes, got {args.time_budget:g}")
        args.time_budget = args.time_budget * 60.0 if args.time_budget else None
    return args


def take(dataset: Any, n: int | None, seed: int = 0) -> Any:
    """A random subset of ``n`` samples (fixed by ``seed``, independent of the global
    generator), or the dataset itself if ``n`` is None or not smaller."""
    if n is None or n >= len(dataset):
        return dataset
    idx = np.sort(np.random.default_rng(seed).permutation(len(dataset))[:n])
    return Subset(dataset, idx)


def format_seconds(seconds: float | None) -> str:
    """``75.3`` -> ``"1m15s"``; ``5000`` -> ``"1h23m"``."""
    if seconds is None:
        return "-"
    s = int(round(seconds))
    if s < 60:
        return f"{seconds:.1f}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"
