"""Averaged stochastic gradient descent (Polyak & Juditsky, 1992)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real, effective_grad, scalar_dtype

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD, as ``torch.optim.ASGD``.

    SGD with a decaying step size :math:`\eta_t` and a running average :math:`\bar\theta`
    of the iterates, which starts averaging after ``t0`` steps:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda_{wd}\,\theta_{t-1}
              \quad (- \text{ if maximize}) \\
        \theta_t &= (1 - \lambda\,\eta_{t-1})\,\theta_{t-1} - \eta_{t-1}\,g_t \\
        \bar\theta_t &= \bar\theta_{t-1} + \mu_{t-1}(\theta_t - \bar\theta_{t-1})
              \quad (\bar\theta_t = \theta_t \text{ while } \mu_{t-1} = 1) \\
        \eta_t &= \gamma / (1 + \lambda\gamma t)^\alpha, \qquad
        \mu_t = 1 / \max(1, t - t_0)

    with :math:`\eta_0 = \gamma` and :math:`\mu_0 = 1`. The average is in the state
    (``ax``); the parameters themselves follow plain SGD. As in torch, the scalars
    :math:`\eta` and :math:`\mu` are kept in float32 unless the default dtype is float64.

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-2).
        lambd (float): decay term :math:`\lambda` (default: 1e-4).
        alpha (float): power :math:`\alpha` of the step-size decay (default: 0.75).
        t0 (float): step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty :math:`\lambda_{wd}` (default: 0).
        foreach (bool, optional): torch's choice of kernel; accepted, with no effect here
            (default: None).
        maximize (bool): maximize the objective instead (default: False).
        differentiable (bool): must be False; the update is not recorded by autograd
            (default: False).
        capturable (bool): must be False; CUDA graphs have no meaning on the CPU
            (default: False).

    State per parameter: ``step``, ``eta``, ``mu`` (floats) and ``ax`` (the average).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import ASGD
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.ones(2))
        >>> opt = ASGD([w], lr=0.5, lambd=0.0, t0=0)
        >>> for _ in range(3):
        ...     w.grad = np.ones(2)
        ...     opt.step()
        >>> w.array, opt.state[w]["ax"]
        (array([-0.5, -0.5]), array([-0.25, -0.25]))
    """

    _SCALAR_STATE = ("step", "eta", "mu")

    _NONNEGATIVE = ('lr', 'weight_decay')

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        for name in ("lambd", "alpha", "t0"):
            check_real("ASGD", name, group[name], low=float("-inf"))

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lambd = float(group["lr"]), float(group["lambd"])
        alpha, t0 = float(group["alpha"]), float(group["t0"])
        weight_decay, maximize = float(group["weight_decay"]), bool(group["maximize"])
        rounded = scalar_dtype()
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self.state[p]
            if not state:
                state.update(step=0.0, eta=float(rounded(lr)), mu=1.0,
                             ax=np.zeros_like(data))
            state["step"] = step = state["step"] + 1.0
            g = effective_grad(data, p.grad.array, weight_decay, maximize)

            eta = state["eta"]
            data *= 1.0 - lambd * eta                          # decay, then the SGD step
            data -= eta * g
            ax = state["ax"]
            if state["mu"] != 1:
                ax += state["mu"] * (data - ax)
            else:
                np.copyto(ax, data)
            state["eta"] = float(rounded(lr / (1.0 + lambd * lr * step) ** alpha))
            state["mu"] = float(rounded(1.0 / max(1.0, step - t0)))
