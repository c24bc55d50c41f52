"""Adagrad (Duchi, Hazan & Singer, 2011)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, effective_grad

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    .. math::
        \tilde\gamma_t &= \gamma / (1 + (t-1)\,\eta) \\
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \quad (- \text{ if maximize}) \\
        s_t &= s_{t-1} + g_t^2, \qquad s_0 = \tau \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t\, g_t / (\sqrt{s_t} + \epsilon)

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-2).
        lr_decay (float): learning-rate decay :math:`\eta` (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        initial_accumulator_value (float): start value :math:`\tau` of the sum of squares
            (default: 0).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-10).
        foreach (bool, optional): torch's choice of kernel; accepted, with no effect here
            (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by autograd
            (default: False).
        fused (bool, keyword-only): torch's choice of kernel; accepted, with no effect here
            (default: None).

    State per parameter: ``step`` (float) and ``sum``, created for every parameter when
    the optimizer is built (as torch does), and for parameters of groups added later at
    their first step.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import Adagrad
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = Adagrad([w], lr=0.5)
        >>> w.grad = np.array([2.0, -4.0])
        >>> opt.step()
        >>> np.round(w.array, 6)
        array([-0.5,  0.5])
    """

    _NONNEGATIVE = ('lr', 'lr_decay', 'weight_decay', 'initial_accumulator_value', 'eps')

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        state["step"] = 0.0
        state["sum"] = np.full_like(p.array, float(group["initial_accumulator_value"]))
        return state

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay = float(group["lr"]), float(group["lr_decay"])
        weight_decay, eps = float(group["weight_decay"]), float(group["eps"])
        maximize = bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self.state[p] or self._init_state(p, group)
            state["step"] = step = state["step"] + 1.0
            g = effective_grad(data, p.grad.array, weight_decay, maximize)
            clr = lr / (1.0 + (step - 1.0) * lr_decay)

            state_sum = state["sum"]
            tmp = np.empty_like(data)
            np.multiply(g, g, out=tmp)                         # s += g^2
            state_sum += tmp
            np.sqrt(state_sum, out=tmp)
            tmp += eps
            np.divide(g, tmp, out=tmp)
            tmp *= clr
            data -= tmp
