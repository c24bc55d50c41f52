"""The epoch loop: ``fit`` trains, evaluates, checkpoints, logs and plots each epoch, resumes
from the last checkpoint, and stops within a time budget; ``FitState`` is what it knows
while it runs.

    history = fit(model, optimizer, step, train_loader, epochs=10, out_dir="runs/lenet5",
                  evaluate=lambda epoch: evaluate(step, test_loader, "test"))
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..optim.lr_scheduler import ProgressLR
from ..tensor import no_grad
from .checkpointer import Checkpointer
from .history import History
from .loop import BOOKKEEPING, Step, run_epoch
from .progress import format_metrics

__all__ = ["fit", "FitState", "format_seconds"]


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
        log: Callable[[str], None] | None = print, keep: int = 2, plot: bool = True,
        save: bool = True) -> History:
    """Train ``model`` for ``epochs`` epochs, evaluating, checkpointing and plotting after each.

    Each epoch: ``model.train()``; ``set_epoch(epoch - 1)`` of the loader's sampler if it
    has one (a ``DistributedSampler``: a new order each epoch, the same on every process);
    :func:`run_epoch` over ``train_loader``; the scheduler's
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
            "step"). A :class:`~nnlite.optim.lr_scheduler.ProgressLR` (e.g.
            ``WarmupCosineLR``) is given ``state.progress``, so that its schedule ends with
            ``epochs`` or ``time_budget``, whichever comes first.
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
        save (bool): write the checkpoint, ``history.csv`` and ``curves.png``; False on all
            processes but one of a data-parallel run (they still read a checkpoint to
            ``resume``). Default: True.

    Returns:
        History: every epoch's metrics (including those before a resume).

    Example:
        >>> sched = WarmupCosineLR(opt, warmup_steps=400)                  # doctest: +SKIP
        >>> history = fit(model, opt, step, train_loader, epochs=10, out_dir="runs/lm",
        ...               evaluate=lambda epoch: evaluate(step, val_loader, "val"),
        ...               scheduler=sched, scheduler_interval="step",
        ...               time_budget=1800)                                  # doctest: +SKIP
        >>> history.last("val_loss")                                       # doctest: +SKIP
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
            if scheduler is not None and scheduler_interval == "step":
                _step_scheduler(scheduler, state)
            if after_step is not None:
                after_step(state)

        model.train()
        sampler = getattr(train_loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch - 1)
        tr = run_epoch(step, train_loader, optimizer=optimizer, desc=f"epoch {epoch}/{epochs}",
                       unit=unit, clip_grad_norm=clip_grad_norm, after_step=hook,
                       progress=progress, deadline=deadline)
        state.train_time = time_before + tr["seconds"]
        lr = optimizer.param_groups[0]["lr"]
        if scheduler is not None and scheduler_interval == "epoch":
            _step_scheduler(scheduler, state)
        record = {f"train_{k}": v for k, v in tr.items() if k not in BOOKKEEPING}
        ev: dict[str, float] = {}
        if evaluate is not None:
            model.eval()
            try:
                with no_grad():
                    ev = dict(evaluate(epoch))
            finally:
                model.train()
        history.log(epoch, **record, **ev, lr=lr, time=state.train_time)
        if save:
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


def _step_scheduler(scheduler: Any, state: FitState) -> None:
    """One step of ``scheduler``; a schedule over training progress is told how far along
    training is (steps or time budget, whichever is further)."""
    if isinstance(scheduler, ProgressLR):
        scheduler.step(state.progress)
    else:
        scheduler.step()


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
