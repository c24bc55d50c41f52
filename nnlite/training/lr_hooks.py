"""Learning rates set by ``after_step`` hooks of :func:`~nnlite.training.fit`: the hook form
of the progress schedulers in :mod:`nnlite.optim.lr_scheduler` (``ProgressLR``,
``MultiStepProgressLR``, ``WarmupCosineLR``), which compute the same rates and are saved with
the checkpoint.

    fit(..., after_step=progress_lr(opt, step_decay((0.5, 0.75))))
    fit(..., after_step=warmup_cosine(opt, warmup_steps=400))
    fit(..., scheduler=WarmupCosineLR(opt, warmup_steps=400), scheduler_interval="step")
"""
from __future__ import annotations

from typing import Any, Callable

from ..optim.lr_scheduler import MultiStepProgressLR, WarmupCosineLR
from .fit import FitState

__all__ = ["progress_lr", "step_decay", "warmup_cosine"]


def progress_lr(optimizer: Any, factor: Callable[[float], float]
                ) -> Callable[[FitState], None]:
    """An ``after_step`` hook for :func:`fit` that sets each parameter group's learning rate
    to its value now (the initial one) times ``factor(state.progress)``.

    ``state.progress`` counts steps towards ``epochs`` *and* training time towards the time
    budget, whichever is further along, so the whole schedule fits in the budget; it
    survives ``--resume``. Make the hook before ``fit`` resumes (which loads the decayed rate).

    Args:
        optimizer: the optimiser whose rates are set.
        factor: ``progress -> multiplier`` of the initial rates, ``progress`` in [0, 1].

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
    He et al.'s ``(0.5, 0.75)`` (divide by 10 at 32k and 48k of 64k iterations); the factor
    of :class:`~nnlite.optim.lr_scheduler.MultiStepProgressLR`.

    Example:
        >>> step_decay((0.5, 0.75))(0.6)
        0.1
    """
    return lambda p: MultiStepProgressLR.factor_at(p, milestones, gamma)


def warmup_cosine(optimizer: Any, warmup_steps: int = 0, final_fraction: float = 0.0
                  ) -> Callable[[FitState], None]:
    """An ``after_step`` hook for :func:`fit`: each group's learning rate (the one it has
    now: the peak) rises linearly over ``warmup_steps`` steps, then follows a half cosine
    down to ``final_fraction`` of the peak at the end of training -- ``FitState.progress``,
    so the decay also ends with a time budget. The first step's rate is set at once. The
    rates are those of :class:`~nnlite.optim.lr_scheduler.WarmupCosineLR`.

    Args:
        optimizer: the optimiser whose rates are set.
        warmup_steps (int): steps of linear warm-up. Default: 0.
        final_fraction (float): the last rate over the peak, in [0, 1]. Default: 0.0.

    Example:
        >>> fit(..., after_step=warmup_cosine(opt, warmup_steps=400))       # doctest: +SKIP
    """
    WarmupCosineLR.check("warmup_cosine", warmup_steps, final_fraction)
    peaks = [group["lr"] for group in optimizer.param_groups]

    def set_lr(state: FitState) -> None:
        f = WarmupCosineLR.factor_at(state.step, state.progress, warmup_steps, final_fraction)
        for group, peak in zip(optimizer.param_groups, peaks):
            group["lr"] = peak * f

    set_lr(FitState())
    return set_lr
