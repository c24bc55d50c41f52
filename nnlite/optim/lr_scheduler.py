"""Learning-rate schedulers, step for step equal to ``torch.optim.lr_scheduler``.

A scheduler rewrites ``group['lr']`` of its optimizer's parameter groups each time
``step()`` is called (after ``optimizer.step()``). Like torch, most schedulers are
*recursive*: the new rate is computed from the rate currently in the group, so several
schedulers can be chained on one optimizer (or combined with :class:`ChainedScheduler` and
:class:`SequentialLR`). Rates are Python floats.

Building a scheduler with the default ``last_epoch=-1`` stores each group's starting rate
as ``group['initial_lr']`` and takes the initial step (``last_epoch`` becomes 0).
``step(epoch)`` (deprecated in torch, and warned about as torch does) jumps to ``epoch``,
with the closed form of the schedule where it has one.

A scheduler's ``state_dict()`` is its attributes, with torch's names, so that a torch
scheduler's state (its tensors made arrays) loads into the nnlite scheduler and back.

``ProgressLR`` and its subclasses ``MultiStepProgressLR`` and ``WarmupCosineLR`` are
nnlite's own: closed-form schedules over the *fraction of training done*, which is
``last_epoch / total_steps`` or a value passed to ``step(progress)`` -- so a schedule can end
with a time budget as well as with a number of steps (``nnlite.training.fit`` passes it).
"""
from __future__ import annotations

import math
import numbers
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
           "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
           "SequentialLR", "ChainedScheduler", "CyclicLR", "CosineAnnealingWarmRestarts",
           "OneCycleLR", "ReduceLROnPlateau", "ProgressLR", "MultiStepProgressLR",
           "WarmupCosineLR"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


def _check_optimizer(owner: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: optimizer must be an nnlite.optim.Optimizer, got "
                        f"{type(optimizer).__name__}")


def _check_positive_int(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")


def _check_count(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{owner}: {name} must be a non-negative integer, got {value!r}")


def _check_number(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")


def _check_factor(owner: str, name: str, value: Any, low_open: bool = False) -> None:
    """``value`` in [0, 1] (or (0, 1] when ``low_open``)."""
    _check_number(owner, name, value)
    if value > 1.0 or value < 0 or (low_open and value == 0):
        low = "0 < " if low_open else "0 <= "
        raise ValueError(f"{owner}: {name} must satisfy {low}{name} <= 1, got {value!r}")


def _per_group(owner: str, name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: a scalar is repeated, a sequence must match."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: {name} has {len(value)} values, but the optimizer "
                             f"has {n} parameter groups")
        return list(value)
    return [value] * n


def _warn_get_lr_called_within_step(scheduler: LRScheduler) -> None:
    if not scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, "
                      "please use `get_last_lr()`.", UserWarning, stacklevel=3)


# ---------------------------------------------------------------------------
# Base class
# ---------------------------------------------------------------------------

class LRScheduler:
    """Base class of the learning-rate schedulers.

    Subclasses implement :meth:`get_lr`, the rates for ``last_epoch`` (already advanced),
    and may implement ``_get_closed_form_lr``, the rates for any ``last_epoch`` computed
    from ``base_lrs`` (used by ``step(epoch)`` and by :class:`SequentialLR`).

    Args:
        optimizer (Optimizer): the optimizer whose learning rates are scheduled.
        last_epoch (int): index of the last epoch (or batch) seen. ``-1`` (default) starts
            a new schedule; another value resumes one and requires ``'initial_lr'`` in
            every parameter group.

    Attributes:
        base_lrs (list[float]): each group's ``initial_lr``.
        last_epoch (int): how many times ``step()`` has been called since the start.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import SGD
        >>> from nnlite.optim.lr_scheduler import StepLR
        >>> from nnlite.nn import Parameter as P
        >>> opt = SGD([P(np.zeros(1))], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        _check_optimizer(owner, optimizer)
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral) \
                or last_epoch < -1:
            raise ValueError(f"{owner}: last_epoch must be an integer >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{owner}: param_groups[{i}] has no 'initial_lr', needed "
                                   f"to resume with last_epoch={last_epoch}; load the "
                                   "optimizer's state_dict first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and take the first step (from ``__init__``, or when
        :class:`SequentialLR` hands over to this scheduler)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """Rates for ``self.last_epoch``, one per parameter group (subclasses define this;
        called by :meth:`step`: to read the current rates, use :meth:`get_last_lr`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def get_last_lr(self) -> list[float]:
        """The rates set by the last :meth:`step`, one per parameter group."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one epoch (or batch) and write the new rates.

        Args:
            epoch (int, optional): deprecated, as in torch (a ``UserWarning`` says so): set
                ``last_epoch`` to ``epoch`` and use the closed form of the schedule where
                there is one (default: None).
        """
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError(f"{type(self).__name__}: computed {len(values)} learning rates "
                             f"for {len(groups)} parameter groups (was a group added after "
                             "the scheduler was built?)")
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (save and load the optimizer separately)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


# ---------------------------------------------------------------------------
# Schedules given by a function of the epoch
# ---------------------------------------------------------------------------

class _LambdaScheduler(LRScheduler):
    """The functions of :class:`LambdaLR` and :class:`MultiplicativeLR`, one per group,
    and their checkpoints (only callable objects' ``__dict__`` is saved, as torch does)."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        owner = type(self).__name__
        _check_optimizer(owner, optimizer)
        lambdas = _per_group(owner, "lr_lambda", optimizer, lr_lambda)
        for i, fn in enumerate(lambdas):
            if not callable(fn):
                raise TypeError(f"{owner}: lr_lambda[{i}] must be callable, got "
                                f"{type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """As the base, but functions are stored as ``None`` (only callable objects'
        ``__dict__`` is saved, as torch does)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state)
        for fn, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                fn.__dict__.update(attributes)


class LambdaLR(_LambdaScheduler):
    r"""Set each group's rate to its initial rate times a function of the epoch.

    .. math:: \eta_t = \eta_0 \cdot \lambda(t)

    Args:
        optimizer (Optimizer): wrapped optimizer.
        lr_lambda (callable or list): ``epoch -> factor``, or one such function per group.
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = LambdaLR(optimizer, lr_lambda=lambda epoch: 0.95 ** epoch)  # doctest: +SKIP
    """

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    r"""Multiply each group's rate by a function of the epoch, every epoch.

    .. math:: \eta_t = \eta_{t-1} \cdot \lambda(t) \quad (t \ge 1)

    Args:
        optimizer (Optimizer): wrapped optimizer.
        lr_lambda (callable or list): ``epoch -> factor``, or one such function per group.
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.95)  # doctest: +SKIP
    """

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


# ---------------------------------------------------------------------------
# Recursive (chainable) schedules
# ---------------------------------------------------------------------------

class StepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_t = \eta_0 \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}

    Args:
        optimizer (Optimizer): wrapped optimizer.
        step_size (int): period of the decay, in epochs.
        gamma (float): multiplicative factor (default: 0.1).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = StepLR(optimizer, step_size=30, gamma=0.1)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        _check_positive_int("StepLR", "step_size", step_size)
        _check_number("StepLR", "gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` at each milestone epoch.

    .. math:: \eta_t = \eta_0 \cdot \gamma^{\#\{m \in \text{milestones} : m \le t\}}

    Args:
        optimizer (Optimizer): wrapped optimizer.
        milestones (iterable of int): epochs at which to decay (a repeated milestone decays
            once per occurrence).
        gamma (float): multiplicative factor (default: 0.1).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        _check_number("MultiStepLR", "gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(Counter(self.milestones).elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base; ``milestones`` read back as a plain dict becomes a Counter."""
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)


class ConstantLR(LRScheduler):
    r"""Multiply the rate by a constant ``factor`` for the first ``total_iters`` epochs.

    .. math:: \eta_t = \eta_0 \cdot \begin{cases} \text{factor} & t < \text{total\_iters}
              \\ 1 & t \ge \text{total\_iters} \end{cases}

    Args:
        optimizer (Optimizer): wrapped optimizer.
        factor (float): the multiplier, in [0, 1] (default: 1/3).
        total_iters (int): epochs during which the rate is multiplied (default: 5).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = ConstantLR(optimizer, factor=0.5, total_iters=4)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        _check_factor("ConstantLR", "factor", factor)
        _check_count("ConstantLR", "total_iters", total_iters)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Multiply the rate by a factor going linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs (a warm-up, typically).

    .. math:: \eta_t = \eta_0 \Big(s + (e - s)\,\frac{\min(t, T)}{T}\Big)

    with :math:`s` = ``start_factor``, :math:`e` = ``end_factor``, :math:`T` =
    ``total_iters``, computed recursively as torch does.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        start_factor (float): the multiplier at epoch 0, in (0, 1] (default: 1/3).
        end_factor (float): the multiplier from epoch ``total_iters`` on, in [0, 1]
            (default: 1.0).
        total_iters (int): epochs of the linear change (default: 5).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = LinearLR(optimizer, start_factor=0.01, total_iters=500)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        _check_factor("LinearLR", "start_factor", start_factor, low_open=True)
        _check_factor("LinearLR", "end_factor", end_factor)
        _check_count("LinearLR", "total_iters", total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        slope = self.end_factor - self.start_factor
        ratio = 1.0 + slope / (self.total_iters * self.start_factor
                               + (self.last_epoch - 1) * slope)
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every epoch.

    .. math:: \eta_t = \eta_0 \cdot \gamma^t

    Args:
        optimizer (Optimizer): wrapped optimizer.
        gamma (float): multiplicative factor.
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = ExponentialLR(optimizer, gamma=0.9)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_number("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay the rate polynomially to 0 over ``total_iters`` epochs.

    .. math:: \eta_t = \eta_0 \Big(1 - \frac{\min(t, T)}{T}\Big)^{p}

    with :math:`T` = ``total_iters`` and :math:`p` = ``power``, computed recursively as
    torch does.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        total_iters (int): epochs of the decay (default: 5).
        power (float): power of the polynomial (default: 1.0).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = PolynomialLR(optimizer, total_iters=100, power=2.0)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        _check_count("PolynomialLR", "total_iters", total_iters)
        _check_number("PolynomialLR", "power", power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, total = self.last_epoch, self.total_iters
        decay = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial rate to ``eta_min`` over ``T_max`` epochs.

    The rate follows torch's recursive form, which equals the closed form
    :math:`\eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})(1 + \cos(\pi t / T_{max}))`
    when no other scheduler touches the rate, and keeps oscillating past ``T_max``:

    .. math::
        \eta_t = \eta_{min} + (\eta_{t-1} - \eta_{min})
                 \frac{1 + \cos(\pi t / T_{max})}{1 + \cos(\pi (t-1) / T_{max})}

    with, when :math:`(t - 1 - T_{max}) \bmod 2T_{max} = 0`,
    :math:`\eta_t = \eta_{t-1} + (\eta_0 - \eta_{min})(1 - \cos(\pi / T_{max}))/2`.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        T_max (int): half period, in epochs.
        eta_min (float): minimum rate (default: 0.0).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = CosineAnnealingLR(optimizer, T_max=100)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        _check_positive_int("CosineAnnealingLR", "T_max", T_max)
        _check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        t, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:      # resumed: closed form from base_lrs
            return self._get_closed_form_lr()
        if (t - 1 - t_max) % (2 * t_max) == 0:   # bottom of the cosine: climb back up
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                    for base, lr in zip(self.base_lrs, self._current_lrs())]
        ratio = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


# ---------------------------------------------------------------------------
# Combinations of schedulers
# ---------------------------------------------------------------------------

def _check_schedulers(owner: str, schedulers: Any, optimizer: Any) -> list[LRScheduler]:
    """The schedulers as a list: at least one, none a ReduceLROnPlateau, all on
    ``optimizer``."""
    if isinstance(schedulers, LRScheduler) or not isinstance(schedulers, Iterable):
        raise TypeError(f"{owner}: schedulers must be a list of schedulers, got "
                        f"{type(schedulers).__name__}")
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{owner} expects at least one scheduler, but got none")
    for i, sched in enumerate(schedulers):
        if not hasattr(sched, "optimizer"):
            raise TypeError(f"{owner}: schedulers[{i}] ({type(sched).__name__}) has no "
                            "'optimizer' attribute; is it a scheduler?")
        if isinstance(sched, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support ReduceLROnPlateau (its step needs a "
                             f"metric), but schedulers[{i}] is one")
        if sched.optimizer is not optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same "
                             f"optimizer, but schedulers[{i}] ({type(sched).__name__}) "
                             "has another")
    return schedulers


class _Combination(LRScheduler):
    """A scheduler made of others (``_schedulers``): its state holds theirs."""

    _schedulers: list

    def state_dict(self) -> dict[str, Any]:
        """As the base, with the state of each wrapped scheduler under ``_schedulers``."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for sched, sd in zip(self._schedulers, saved):
            sched.load_state_dict(sd)


class SequentialLR(_Combination):
    r"""Run several schedulers one after the other, switching at the milestone epochs
    (a warm-up then a decay, typically).

    Scheduler ``i`` runs from ``milestones[i-1]`` on; at a milestone it restarts from its
    own epoch 0 (with its closed form where it has one, as torch does).

    Args:
        optimizer (Optimizer): wrapped optimizer.
        schedulers (list): the schedulers, all built on ``optimizer``.
        milestones (list of int): the epochs at which to switch, one fewer than schedulers.
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)  # doctest: +SKIP
        >>> decay = ExponentialLR(optimizer, gamma=0.9)  # doctest: +SKIP
        >>> scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        owner = "SequentialLR"
        _check_optimizer(owner, optimizer)
        schedulers = _check_schedulers(owner, schedulers, optimizer)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"{owner} expects one milestone fewer than schedulers, but got "
                             f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer

        for group in self.optimizer.param_groups:        # back to the initial rates
            group["lr"] = group["initial_lr"]
        self.recursive_undo()                           # undo the schedulers' first steps
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        """Undo the initial step of every scheduler (recursively through combinations)."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Step the scheduler of the current epoch (restarting it at its milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Combination):
    r"""Step several (chainable) schedulers at once: each ``step()`` steps them in order,
    so their effects on the rate multiply.

    Args:
        schedulers (sequence): the schedulers, all on one optimizer.
        optimizer (Optimizer, optional): that optimizer (default: None, meaning the first
            scheduler's).

    Example:
        >>> scheduler = ChainedScheduler([ConstantLR(optimizer, 0.1, total_iters=2),  # doctest: +SKIP
        ...                               ExponentialLR(optimizer, gamma=0.9)])
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        owner = "ChainedScheduler"
        if optimizer is None:
            first = next(iter(schedulers), None) if isinstance(schedulers, Iterable) else None
            optimizer = getattr(first, "optimizer", None)
        schedulers = _check_schedulers(owner, schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]


# ---------------------------------------------------------------------------
# Cyclic schedules
# ---------------------------------------------------------------------------

class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith, 2017): the rate goes up and down between
    ``base_lr`` and ``max_lr``, once per ``step_size_up + step_size_down`` batches.

    With :math:`c = \lfloor 1 + t/S \rfloor` the cycle (:math:`S` the cycle length) and
    :math:`x = 1 + t/S - c` the position in it, the height is :math:`h = x/r` while
    :math:`x \le r` (:math:`r` the fraction of the cycle going up), else
    :math:`h = (x - 1)/(r - 1)`, and

    .. math:: \eta_t = \eta_{base} + (\eta_{max} - \eta_{base})\, h\, \sigma

    where the scale :math:`\sigma` is 1 (``'triangular'``), :math:`2^{1-c}`
    (``'triangular2'``), :math:`\gamma^t` (``'exp_range'``) or ``scale_fn`` of :math:`c`
    or :math:`t` (``scale_mode``). With ``cycle_momentum`` the momentum (or
    :math:`\beta_1`) moves the other way, from ``max_momentum`` down to ``base_momentum``.
    Call ``step()`` after every batch.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        base_lr (float or list): the lower rate, per group; it also becomes the starting
            rate.
        max_lr (float or list): the upper rate, per group.
        step_size_up (int): batches in the increasing half of a cycle (default: 2000).
        step_size_down (int, optional): batches in the decreasing half (default: None,
            meaning ``step_size_up``).
        mode (str): ``'triangular'``, ``'triangular2'`` or ``'exp_range'``; ignored when
            ``scale_fn`` is given (default: ``'triangular'``).
        gamma (float): the base of ``'exp_range'`` (default: 1.0).
        scale_fn (callable, optional): a custom scale in [0, 1] (default: None).
        scale_mode (str): what ``scale_fn`` is given: ``'cycle'`` or ``'iterations'``
            (default: ``'cycle'``).
        cycle_momentum (bool): cycle the momentum inversely to the rate (default: True).
        base_momentum (float or list): the lower momentum, per group (default: 0.8).
        max_momentum (float or list): the upper momentum, per group (default: 0.9).
        last_epoch (int): index of the last batch (default: -1).

    Example:
        >>> scheduler = CyclicLR(optimizer, base_lr=0.01, max_lr=0.1, step_size_up=10)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        owner = "CyclicLR"
        _check_optimizer(owner, optimizer)
        self.optimizer = optimizer
        base_lrs = _per_group(owner, "base_lr", optimizer, base_lr)
        self.max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        _check_number(owner, "step_size_up", step_size_up)
        if step_size_up <= 0:
            raise ValueError(f"{owner}: step_size_up must be positive, got {step_size_up!r}")
        if step_size_down is not None:
            _check_number(owner, "step_size_down", step_size_down)
            if step_size_down < 0:
                raise ValueError(f"{owner}: step_size_down must be non-negative, got "
                                 f"{step_size_down!r}")
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"{owner}: mode must be 'triangular', 'triangular2' or "
                             f"'exp_range' when scale_fn is None, got {mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{owner}: scale_fn must be callable, got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"{owner}: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        _check_number(owner, "gamma", gamma)
        if cycle_momentum and "momentum" not in optimizer.defaults \
                and "betas" not in optimizer.defaults:
            raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with "
                             f"'momentum' or 'betas', but {type(optimizer).__name__} has "
                             "neither; pass cycle_momentum=False")
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr

        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group(owner, "base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group(owner, "max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for top, bottom, group in zip(self.max_momentums, self.base_momentums,
                                              optimizer.param_groups):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref: Callable[[float], float] = self._triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = self._triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = self._exp_range_scale_fn
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The scale :math:`\\sigma` at ``x`` (a cycle number or a batch index)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return 1 / (2.0 ** (x - 1))

    def _exp_range_scale_fn(self, x: float) -> float:
        return self.gamma ** x

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def get_lr(self) -> list[float]:
        """The rates for this batch; also writes the cycled momentum into each group."""
        _warn_get_lr_called_within_step(self)
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)

        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups, self.base_momentums,
                                          self.max_momentums):
                self._set_momentum(group, top - (top - bottom) * scale_factor * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base, without the built-in scale function; a custom ``scale_fn`` is
        saved only if it is a callable object (its ``__dict__``), as torch does."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_scale_fn_ref", "_scale_fn_custom")}
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (None if fn is None or isinstance(fn, types.FunctionType)
                                     else dict(fn.__dict__))
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        self.__dict__.update(state)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2016).

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
              \big(1 + \cos(\pi\, T_{cur} / T_i)\big)

    :math:`T_{cur}` counts the epochs since the last restart; a restart happens when it
    reaches :math:`T_i`, which starts at ``T_0`` and is multiplied by ``T_mult`` at each
    restart. ``step()`` may be called after every batch with a fractional epoch,
    ``step(epoch + i / iters)``, to restart within an epoch (no warning: this use is not
    deprecated).

    Args:
        optimizer (Optimizer): wrapped optimizer.
        T_0 (int): epochs until the first restart.
        T_mult (int): factor by which :math:`T_i` grows at each restart, >= 1 (default: 1).
        eta_min (float): minimum rate (default: 0.0).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2)  # doctest: +SKIP
        >>> for epoch in range(20):  # doctest: +SKIP
        ...     for i, batch in enumerate(loader):
        ...         train(batch)
        ...         scheduler.step(epoch + i / len(loader))
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        owner = "CosineAnnealingWarmRestarts"
        _check_positive_int(owner, "T_0", T_0)
        if isinstance(T_mult, bool) or not isinstance(T_mult, numbers.Integral) or T_mult < 1:
            raise ValueError(f"{owner}: T_mult must be an integer >= 1, got {T_mult!r}")
        _check_number(owner, "eta_min", eta_min)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (an int or a fraction of epochs,
        >= 0), restarting where the schedule restarts."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            _check_number("CosineAnnealingWarmRestarts", "epoch", epoch)
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be non-negative, "
                                 f"got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)

        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


# ---------------------------------------------------------------------------
# One-cycle policy
# ---------------------------------------------------------------------------

class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2017): warm up to ``max_lr``, then anneal far below.

    With :math:`\eta_{init} = \text{max\_lr}/\text{div\_factor}` and
    :math:`\eta_{min} = \eta_{init}/\text{final\_div\_factor}`, the rate is annealed
    (cosine :math:`e + \tfrac12(s - e)(1 + \cos\pi p)` or linear :math:`s + (e - s)p`,
    :math:`p` the fraction of the phase done) through the phases

    * two phases (default): :math:`\eta_{init} \to \text{max\_lr}` over the first
      ``pct_start`` of the steps, then :math:`\text{max\_lr} \to \eta_{min}`;
    * ``three_phase``: :math:`\eta_{init} \to \text{max\_lr} \to \eta_{init}` (symmetric),
      then :math:`\eta_{init} \to \eta_{min}`.

    With ``cycle_momentum`` the momentum (or :math:`\beta_1` for Adam-like optimizers) moves
    inversely, between ``max_momentum`` and ``base_momentum``. Call ``step()`` after every
    batch; stepping more than ``total_steps`` times raises ``ValueError``.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        max_lr (float or list): peak rate, per group.
        total_steps (int, optional): steps in the cycle (default: None, then
            ``epochs * steps_per_epoch``).
        epochs (int, optional): epochs to train for (default: None).
        steps_per_epoch (int, optional): steps per epoch (default: None).
        pct_start (float): fraction of the cycle spent increasing the rate (default: 0.3).
        anneal_strategy (str): ``'cos'`` or ``'linear'`` (default: ``'cos'``).
        cycle_momentum (bool): cycle momentum inversely to the rate (default: True).
        base_momentum (float or list): momentum at the peak rate (default: 0.85).
        max_momentum (float or list): momentum at the start and end (default: 0.95).
        div_factor (float): ``initial_lr = max_lr / div_factor`` (default: 25.0).
        final_div_factor (float): ``min_lr = initial_lr / final_div_factor`` (default: 1e4).
        three_phase (bool): use the three-phase schedule (default: False).
        last_epoch (int): index of the last batch (default: -1).

    Example:
        >>> scheduler = OneCycleLR(optimizer, max_lr=0.01, total_steps=1000)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        owner = "OneCycleLR"
        _check_optimizer(owner, optimizer)
        if total_steps is not None:
            _check_positive_int(owner, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int(owner, "epochs", epochs)
            _check_positive_int(owner, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{owner}: give either total_steps or both epochs and "
                             f"steps_per_epoch, got total_steps={total_steps}, "
                             f"epochs={epochs}, steps_per_epoch={steps_per_epoch}")
        _check_number(owner, "pct_start", pct_start)
        if not 0 <= pct_start <= 1:
            raise ValueError(f"{owner}: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{owner}: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        self.total_steps = int(total_steps)
        self._anneal_func_type = anneal_strategy
        self.cycle_momentum = cycle_momentum
        self._schedule_phases = self._phases(float(pct_start), self.total_steps, three_phase)

        max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor

        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with "
                                 f"'momentum' or 'betas', but {type(optimizer).__name__} "
                                 "has neither")
            self.use_beta1 = "betas" in optimizer.defaults
            max_moms = _per_group(owner, "max_momentum", optimizer, max_momentum)
            base_moms = _per_group(owner, "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, top, bottom in zip(optimizer.param_groups, max_moms, base_moms):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _phases(pct_start: float, total: int, three_phase: bool) -> list[dict[str, Any]]:
        """Each phase: last step index and the group keys it anneals between."""
        def phase(end: float, lr: tuple[str, str], mom: tuple[str, str]) -> dict[str, Any]:
            return {"end_step": end, "start_lr": lr[0], "end_lr": lr[1],
                    "start_momentum": mom[0], "end_momentum": mom[1]}
        up = phase(pct_start * total - 1, ("initial_lr", "max_lr"),
                   ("max_momentum", "base_momentum"))
        if three_phase:
            return [up,
                    phase(2 * pct_start * total - 2, ("max_lr", "initial_lr"),
                          ("base_momentum", "max_momentum")),
                    phase(total - 1, ("initial_lr", "min_lr"),
                          ("max_momentum", "max_momentum"))]
        return [up, phase(total - 1, ("max_lr", "min_lr"), ("base_momentum", "max_momentum"))]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def get_lr(self) -> list[float]:
        """The rates for this step; also writes the cycled momentum into each group."""
        _warn_get_lr_called_within_step(self)
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, but total_steps is "
                             f"{self.total_steps}")
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, ph in enumerate(self._schedule_phases):
                if step <= ph["end_step"] or i == last:
                    pct = (step - start_step) / (ph["end_step"] - start_step)
                    lrs.append(self._anneal(group[ph["start_lr"]], group[ph["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(
                            group[ph["start_momentum"]], group[ph["end_momentum"]], pct))
                    break
                start_step = ph["end_step"]
        return lrs


# ---------------------------------------------------------------------------
# Metric-driven schedule
# ---------------------------------------------------------------------------

class ReduceLROnPlateau(LRScheduler):
    r"""Reduce the rate when a monitored metric stops improving.

    A metric :math:`a` improves on the best value :math:`b` when (``mode='min'``)
    :math:`a < b(1 - \text{threshold})` (``'rel'``) or :math:`a < b - \text{threshold}`
    (``'abs'``), and mirror-wise for ``mode='max'``. After more than ``patience`` epochs
    without improvement, each rate becomes :math:`\max(\eta \cdot \text{factor},
    \text{min\_lr})` (skipped if that changes it by no more than ``eps``), and ``cooldown``
    epochs follow in which bad epochs are not counted.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        mode (str): ``'min'`` or ``'max'`` (default: ``'min'``).
        factor (float): multiplicative decay, < 1 (default: 0.1).
        patience (int): epochs without improvement tolerated (default: 10).
        threshold (float): minimal significant change (default: 1e-4).
        threshold_mode (str): ``'rel'`` or ``'abs'`` (default: ``'rel'``).
        cooldown (int): epochs to wait after a reduction (default: 0).
        min_lr (float or list): lower bound on the rate, per group (default: 0).
        eps (float): smallest reduction applied (default: 1e-8).

    Example:
        >>> scheduler = ReduceLROnPlateau(optimizer, "min")  # doctest: +SKIP
        >>> for epoch in range(10):  # doctest: +SKIP
        ...     train(...)
        ...     scheduler.step(validate(...))
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0, eps: float = 1e-8) -> None:
        owner = "ReduceLROnPlateau"
        _check_number(owner, "factor", factor)
        if factor >= 1.0:
            raise ValueError(f"{owner}: factor should be < 1.0, got factor={factor!r}")
        _check_optimizer(owner, optimizer)
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{owner}: {name} must be a non-negative integer, got {value!r}")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group(owner, "min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting after a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether metric value ``a`` is a significant improvement on ``best``."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record one epoch's metric.

        Args:
            metrics: the monitored value (a number, 0-d array or scalar tensor).
            epoch (int, optional): deprecated, as in torch (a ``UserWarning`` says so): the
                epoch number to set instead of counting (default: None).
        """
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter "
                                 f"groups but min_lr has {len(self.min_lrs)} values; set "
                                 "min_lrs to match")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def get_lr(self) -> list[float]:
        """The current rates (this scheduler changes them only in :meth:`step`)."""
        return self._current_lrs()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


# ---------------------------------------------------------------------------
# Schedules over the fraction of training done
# ---------------------------------------------------------------------------

class ProgressLR(LRScheduler):
    r"""Set each group's rate to its initial rate times a function of training progress.

    .. math:: \eta = \eta_0 \cdot \lambda(p), \qquad p \in [0, 1]

    :math:`p` is the fraction of training done: ``min(1, last_epoch / total_steps)``, or the
    value last passed to ``step(progress)``, for a measure of progress the scheduler cannot
    count itself -- e.g. :func:`nnlite.training.fit` passes the larger of the step fraction
    and the fraction of its time budget used, so that the schedule ends with whichever
    runs out first. Call ``step()`` after every optimiser step. Subclasses define
    :meth:`factor`.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        lr_lambda (callable, optional): ``p -> factor`` (subclasses leave it None).
        total_steps (int, optional): steps in all; needed when ``step()`` is called without
            ``progress``.
        last_epoch (int): index of the last step (default: -1).

    Attributes:
        progress (float): :math:`p` for ``last_epoch``.

    Example:
        >>> scheduler = ProgressLR(optimizer, lambda p: 1 - p, total_steps=1000)  # doctest: +SKIP
        >>> scheduler.step(0.25)          # a quarter of the time budget used  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[float], float] | None = None,
                 total_steps: int | None = None, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        if lr_lambda is not None and not callable(lr_lambda):
            raise TypeError(f"{owner}: lr_lambda must be callable, got "
                            f"{type(lr_lambda).__name__}")
        if lr_lambda is None and type(self).factor is ProgressLR.factor:
            raise TypeError(f"{owner}: give lr_lambda (or subclass and define factor)")
        if total_steps is not None:
            _check_positive_int(owner, "total_steps", total_steps)
        self.lr_lambda = lr_lambda
        self.total_steps = total_steps
        self.progress = 0.0
        self._given: float | None = None
        super().__init__(optimizer, last_epoch)

    def step(self, progress: float | None = None) -> None:
        """Advance one step; ``progress`` (in [0, 1], optional) is the fraction of training
        done after it, when it is not ``last_epoch / total_steps``."""
        if progress is not None:
            _check_number(type(self).__name__, "progress", progress)
        elif not self._is_initial and self.total_steps is None:
            raise ValueError(f"{type(self).__name__}: step() without progress needs "
                             f"total_steps")
        self._given = None if progress is None else float(progress)
        super().step()

    def _progress(self) -> float:
        if self._given is not None:
            return min(1.0, max(0.0, self._given))
        if self.total_steps is None:
            return self.progress                            # the initial step
        return min(1.0, self.last_epoch / self.total_steps)

    def factor(self) -> float:
        """The multiplier of the initial rates at ``self.progress`` (and ``last_epoch``)."""
        return self.lr_lambda(self.progress)

    def get_lr(self) -> list[float]:
        self.progress = self._progress()
        f = self.factor()
        return [base_lr * f for base_lr in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        """As the base, without ``lr_lambda`` (a function is not state)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambda")}


class MultiStepProgressLR(ProgressLR):
    r"""Multiply the rate by ``gamma`` at each milestone, a fraction of training.

    .. math:: \eta = \eta_0 \cdot \gamma^{\#\{m \in \text{milestones} : m \le p\}}

    :class:`MultiStepLR` with milestones at fractions of training (see :class:`ProgressLR`
    for :math:`p`), e.g. He et al.'s ``(0.5, 0.75)``: divide by 10 at 32k and 48k of 64k
    iterations.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        milestones (iterable of float): fractions of training, in (0, 1].
        gamma (float): multiplicative factor (default: 0.1).
        total_steps (int, optional): see :class:`ProgressLR`.
        last_epoch (int): index of the last step (default: -1).

    Example:
        >>> scheduler = MultiStepProgressLR(optimizer, (0.5, 0.75), total_steps=64000)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[float], gamma: float = 0.1,
                 total_steps: int | None = None, last_epoch: int = -1) -> None:
        _check_number("MultiStepProgressLR", "gamma", gamma)
        self.milestones = [float(m) for m in milestones]
        self.gamma = gamma
        super().__init__(optimizer, None, total_steps, last_epoch)

    @staticmethod
    def factor_at(progress: float, milestones: Iterable[float], gamma: float) -> float:
        """``gamma ** (milestones passed at progress)``."""
        return gamma ** sum(progress >= m for m in milestones)

    def factor(self) -> float:
        return self.factor_at(self.progress, self.milestones, self.gamma)


class WarmupCosineLR(ProgressLR):
    r"""A linear warm-up over ``warmup_steps`` steps, then a half cosine down to
    ``final_fraction`` of the initial (peak) rate at the end of training.

    .. math:: \eta = \eta_0 \cdot \min\Big(1, \frac{t + 1}{\text{warmup\_steps}}\Big)
              \cdot \Big(f + (1 - f)\,\tfrac12\big(1 + \cos \pi p\big)\Big)

    with :math:`t` = ``last_epoch``, :math:`f` = ``final_fraction`` and :math:`p` the
    fraction of training done (see :class:`ProgressLR`). The rate of the first step is
    :math:`\eta_0 / \text{warmup\_steps}`. Without warm-up and with ``total_steps`` it
    equals :class:`CosineAnnealingLR` with ``T_max=total_steps`` and
    ``eta_min=final_fraction * eta_0``.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        total_steps (int, optional): see :class:`ProgressLR`.
        warmup_steps (int): steps of linear warm-up (default: 0).
        final_fraction (float): the last rate over the peak, in [0, 1] (default: 0.0).
        last_epoch (int): index of the last step (default: -1).

    Example:
        >>> scheduler = WarmupCosineLR(optimizer, total_steps=10000, warmup_steps=400)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, total_steps: int | None = None,
                 warmup_steps: int = 0, final_fraction: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.check("WarmupCosineLR", warmup_steps, final_fraction)
        self.warmup_steps = int(warmup_steps)
        self.final_fraction = float(final_fraction)
        super().__init__(optimizer, None, total_steps, last_epoch)

    @staticmethod
    def check(owner: str, warmup_steps: Any, final_fraction: Any) -> None:
        """Raise ``ValueError`` naming ``owner`` unless ``warmup_steps >= 0`` (an int) and
        ``0 <= final_fraction <= 1``."""
        if (isinstance(warmup_steps, bool) or not isinstance(warmup_steps, numbers.Integral)
                or warmup_steps < 0 or not isinstance(final_fraction, numbers.Real)
                or not 0.0 <= final_fraction <= 1.0):
            raise ValueError(f"{owner}: need warmup_steps >= 0 and 0 <= final_fraction "
                             f"<= 1, got {warmup_steps} and {final_fraction}")

    @staticmethod
    def factor_at(step: int, progress: float, warmup_steps: int,
                  final_fraction: float) -> float:
        """The multiplier of the peak rate for step index ``step`` at ``progress``."""
        warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0
        decay = final_fraction + (1.0 - final_fraction) * 0.5 * (
            1.0 + math.cos(math.pi * progress))
        return warm * decay

    def factor(self) -> float:
        return self.factor_at(self.last_epoch, self.progress, self.warmup_steps,
                              self.final_fraction)
