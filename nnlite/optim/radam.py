"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2019)."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import (Optimizer, decayed_grad, update_moments)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam, as ``torch.optim.RAdam``.

    Adam's adaptive step is used only once the variance of its estimate is tractable
    (:math:`\rho_t > 5`); before that, the update is SGD with (bias-corrected) momentum.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \quad (\text{no } \lambda \text{ term if decoupled; } - \text{ if maximize}) \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
              \quad (\text{only if decoupled\_weight\_decay}) \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 \qquad
        \hat m_t = m_t / (1 - \beta_1^t) \\
        \rho_\infty &= \frac{2}{1-\beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t} \\
        \theta_t &= \theta_{t-1} - \gamma\,\hat m_t\, r_t\,
              \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}, \quad
              r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}
                                {(\rho_\infty-4)(\rho_\infty-2)\rho_t}}
              \quad \text{if } \rho_t > 5 \\
        \theta_t &= \theta_{t-1} - \gamma\,\hat m_t \quad \text{otherwise}

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        betas (tuple[float, float]): decay rates :math:`(\beta_1, \beta_2)` of the first and
            second moment estimates (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-8).
        weight_decay (float): weight decay :math:`\lambda` (default: 0).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW does, instead
            of adding :math:`\lambda\theta` to the gradient (default: False).
        foreach (bool, keyword-only): torch's choice of kernel; accepted, with no effect
            here (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the
            CPU (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by
            autograd (default: False).

    State per parameter: ``step`` (float), ``exp_avg`` and ``exp_avg_sq``.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import RAdam
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = RAdam([w], lr=0.1)
        >>> w.grad = np.array([1.0, -2.0])     # first steps: momentum SGD
        >>> opt.step()
        >>> w.array
        array([-0.1,  0.2])
    """

    _NONNEGATIVE = ('lr', 'eps', 'weight_decay')
    _BETAS = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay = float(group["weight_decay"])
        decoupled, maximize = bool(group["decoupled_weight_decay"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self._state_with(p, "exp_avg", "exp_avg_sq")
            state["step"] = step = state["step"] + 1.0

            g = decayed_grad(data, p.grad.array, lr, weight_decay, decoupled, maximize)

            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            tmp = update_moments(g, exp_avg, exp_avg_sq, beta1, beta2)

            bias_correction1 = 1.0 - beta1 ** step
            bias_correction2 = 1.0 - beta2 ** step
            rho_inf = 2.0 / (1.0 - beta2) - 1.0
            rho_t = rho_inf - 2.0 * step * beta2 ** step / bias_correction2

            np.divide(exp_avg, bias_correction1, out=tmp)      # m_hat
            tmp *= lr
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                                 / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                adaptive = np.empty_like(data)                 # sqrt(1 - b2^t) / (sqrt(v) + eps)
                np.sqrt(exp_avg_sq, out=adaptive)
                adaptive += eps
                np.divide(bias_correction2 ** 0.5, adaptive, out=adaptive)
                tmp *= adaptive
                tmp *= rect
            data -= tmp
