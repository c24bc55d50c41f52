"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, decayed_grad, scalar_dtype, update_moments

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam, as ``torch.optim.NAdam``.

    For each parameter at step :math:`t` (counted per parameter, from 1), with
    :math:`\psi` the momentum decay:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \quad (\text{no } \lambda \text{ term if decoupled; } - \text{ if maximize}) \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
              \quad (\text{only if decoupled\_weight\_decay}) \\
        \mu_t &= \beta_1\big(1 - \tfrac12\, 0.96^{t\psi}\big), \qquad
        \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 \\
        \theta_t &= \theta_{t-1}
              - \gamma\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
              - \gamma\,\frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,
                \frac{m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

    As in torch, the product :math:`\Pi_t` is kept in float32 unless the default dtype is
    float64.

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 2e-3).
        betas (tuple[float, float]): decay rates :math:`(\beta_1, \beta_2)` of the first and
            second moment estimates (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-8).
        weight_decay (float): weight decay :math:`\lambda` (default: 0).
        momentum_decay (float): momentum decay :math:`\psi` (default: 4e-3).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW does, instead
            of adding :math:`\lambda\theta` to the gradient (NAdamW) (default: False).
        foreach (bool, keyword-only): torch's choice of kernel; accepted, with no effect
            here (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the
            CPU (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by
            autograd (default: False).

    State per parameter: ``step`` and ``mu_product`` (:math:`\Pi_t`) (floats), ``exp_avg``
    and ``exp_avg_sq``.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import NAdam
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = NAdam([w], lr=0.1)
        >>> w.grad = np.array([1.0, -2.0])
        >>> opt.step()
        >>> np.round(w.array, 4)
        array([-0.1056,  0.1056])
    """

    _SCALAR_STATE = ("step", "mu_product")

    _NONNEGATIVE = ('lr', 'eps', 'weight_decay', 'momentum_decay')
    _BETAS = True

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay, psi = float(group["weight_decay"]), float(group["momentum_decay"])
        decoupled, maximize = bool(group["decoupled_weight_decay"]), bool(group["maximize"])
        rounded = scalar_dtype()
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self.state[p]
            if not state:
                state.update(step=0.0, mu_product=1.0, exp_avg=np.zeros_like(data),
                             exp_avg_sq=np.zeros_like(data))
            state["step"] = step = state["step"] + 1.0

            g = decayed_grad(data, p.grad.array, lr, weight_decay, decoupled, maximize)

            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1.0) * psi))
            # torch multiplies in the scalar dtype: float32(product) * float32(mu)
            mu_product = float(rounded(state["mu_product"]) * rounded(mu))
            state["mu_product"] = mu_product

            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            tmp = update_moments(g, exp_avg, exp_avg_sq, beta1, beta2)

            denom = np.empty_like(data)
            np.divide(exp_avg_sq, 1.0 - beta2 ** step, out=denom)
            np.sqrt(denom, out=denom)
            denom += eps
            np.divide(g, denom, out=tmp)                       # the gradient's share
            tmp *= lr * (1.0 - mu) / (1.0 - mu_product)
            data -= tmp
            np.divide(exp_avg, denom, out=tmp)                 # the momentum's share
            tmp *= lr * mu_next / (1.0 - mu_product * mu_next)
            data -= tmp
