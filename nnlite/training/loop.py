"""One pass of a step function over a loader: ``run_epoch`` (training when given an
optimiser) and ``evaluate`` (under ``no_grad``, metrics prefixed by the split's name).

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

import math
import time
from contextlib import nullcontext
from typing import Any, Callable, Iterable

from ..nn.utils import clip_grad_norm_
from ..tensor import Tensor, no_grad
from .progress import ProgressBar

__all__ = ["run_epoch", "evaluate", "Step"]

Step = Callable[[Any], tuple]
"""``batch -> (loss, stats)``: see the module docstring."""

BOOKKEEPING = ("items", "batches", "seconds", "rate", "stopped")
"""The keys of ``run_epoch``'s result that are not metrics."""


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

    Example:
        >>> res = run_epoch(step, train_loader, optimizer=opt, clip_grad_norm=5.0)  # doctest: +SKIP
        >>> res["loss"], res["acc"], res["rate"]                               # doctest: +SKIP
        (0.3127, 0.9071, 11234.5)
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
    with no_grad() if not train else nullcontext():
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


BOOKKEEPING = ("items", "batches", "seconds", "rate", "stopped")


def evaluate(step: Step, loader: Iterable, prefix: str = "test", *, unit: str = "img",
             progress: bool = True, model: Any = None) -> dict[str, float]:
    """``run_epoch`` without an optimiser (under ``no_grad``; ``model.eval()`` for the pass
    if ``model`` is given), returning its metrics prefixed: ``{"test_loss", "test_acc"}``.

    Args:
        step, loader, unit, progress: see :func:`run_epoch`.
        prefix (str): the split's name, put before each metric. Default: "test".
        model (Module, optional): put in eval mode for the pass, and back after.

    Example:
        >>> evaluate(step, test_loader, "val", model=model)         # doctest: +SKIP
        {'val_loss': 0.0712, 'val_acc': 0.9784}
    """
    was_training = getattr(model, "training", False)
    if model is not None:
        model.eval()
    try:
        res = run_epoch(step, loader, desc=prefix, unit=unit, progress=progress)
    finally:
        if model is not None and was_training:
            model.train()
    return {f"{prefix}_{k}": v for k, v in res.items() if k not in BOOKKEEPING}
