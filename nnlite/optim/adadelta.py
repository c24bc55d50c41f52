"""Adadelta (Zeiler, 2012)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real, effective_grad

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \rho\,v_{t-1} + (1-\rho)\,g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\,g_t \\
        u_t &= \rho\,u_{t-1} + (1-\rho)\,\Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma\,\Delta_t

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma`, scaling the update (default: 1.0).
        rho (float): decay :math:`\rho` of the running averages, in [0, 1] (default: 0.9).
        eps (float): :math:`\epsilon` inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        foreach (bool, optional): torch's choice of kernel; accepted, with no effect here
            (default: None).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the
            CPU (default: False).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by
            autograd (default: False).

    State per parameter: ``step`` (float), ``square_avg`` (:math:`v`) and ``acc_delta``
    (:math:`u`).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import Adadelta
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = Adadelta([w], lr=1.0, rho=0.5, eps=1e-2)
        >>> w.grad = np.array([1.0, -1.0])
        >>> opt.step()
        >>> np.round(w.array, 6)
        array([-0.140028,  0.140028])
    """

    _NONNEGATIVE = ('lr', 'eps', 'weight_decay')

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_real("Adadelta", "rho", group["rho"], 0.0, 1.0, high_open=False)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay, maximize = float(group["weight_decay"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self._state_with(p, "square_avg", "acc_delta")
            state["step"] += 1.0
            g = effective_grad(data, p.grad.array, weight_decay, maximize)
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]

            tmp = np.empty_like(data)
            square_avg *= rho                                  # v = rho v + (1 - rho) g^2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - rho
            square_avg += tmp
            std = np.empty_like(data)                          # sqrt(v + eps)
            np.add(square_avg, eps, out=std)
            np.sqrt(std, out=std)
            np.add(acc_delta, eps, out=tmp)                    # delta = sqrt(u + eps) / std g
            np.sqrt(tmp, out=tmp)
            tmp /= std
            tmp *= g
            acc_delta *= rho                                   # u = rho u + (1 - rho) delta^2
            np.multiply(tmp, tmp, out=std)
            std *= 1.0 - rho
            acc_delta += std
            tmp *= lr
            data -= tmp
