"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2014, section 7)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, effective_grad

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax, as ``torch.optim.Adamax``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \quad (- \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t \\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,\frac{m_t}{u_t}

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 2e-3).
        betas (tuple[float, float]): decay rates :math:`(\beta_1, \beta_2)` of the first
            moment and of the infinity norm (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` added to :math:`|g_t|` (default: 1e-8).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        foreach (bool, optional): torch's choice of kernel; accepted, with no effect here
            (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by
            autograd (default: False).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the
            CPU (default: False).

    State per parameter: ``step`` (float), ``exp_avg`` (:math:`m`) and ``exp_inf``
    (:math:`u`).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import Adamax
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = Adamax([w], lr=0.1, eps=0.0)
        >>> w.grad = np.array([2.0, -4.0])
        >>> opt.step()
        >>> np.round(w.array, 6)
        array([-0.1,  0.1])
    """

    _NONNEGATIVE = ('lr', 'eps', 'weight_decay')
    _BETAS = True

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay, maximize = float(group["weight_decay"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self._state_with(p, "exp_avg", "exp_inf")
            state["step"] = step = state["step"] + 1.0
            g = effective_grad(data, p.grad.array, weight_decay, maximize)
            exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]

            tmp = np.empty_like(data)
            np.subtract(g, exp_avg, out=tmp)                   # m += (1 - b1) (g - m)
            tmp *= 1.0 - beta1
            exp_avg += tmp
            exp_inf *= beta2                                   # u = max(b2 u, |g| + eps)
            np.abs(g, out=tmp)
            tmp += eps
            np.maximum(exp_inf, tmp, out=exp_inf)
            np.divide(exp_avg, exp_inf, out=tmp)
            tmp *= lr / (1.0 - beta1 ** step)
            data -= tmp
