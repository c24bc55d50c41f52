"""Adam and AdamW (Adam with decoupled weight decay)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import (Optimizer, decayed_grad, update_moments)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), as ``torch.optim.Adam``.

    For each parameter at step :math:`t` (counted per parameter, from 1):

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \quad (\text{no } \lambda \text{ term if decoupled; } - \text{ if maximize}) \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
              \quad (\text{only if decoupled\_weight\_decay}) \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        betas (tuple[float, float]): decay rates :math:`(\beta_1, \beta_2)` of the first and
            second moment estimates (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-8).
        weight_decay (float): weight decay :math:`\lambda` (default: 0).
        amsgrad (bool): use the AMSGrad variant (default: False).
        foreach (bool, keyword-only): torch's choice of kernel; accepted, with no effect
            here (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the CPU
            (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by autograd
            (default: False).
        fused (bool, keyword-only): torch's choice of kernel; accepted, with no effect here
            (default: None).
        decoupled_weight_decay (bool, keyword-only): decay the weights directly instead of
            adding :math:`\lambda\theta` to the gradient, i.e. AdamW (default: False).

    State per parameter: ``step`` (float), ``exp_avg``, ``exp_avg_sq`` and, with amsgrad,
    ``max_exp_avg_sq``.

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import Adam
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = Adam([w], lr=0.1)
        >>> w.grad = np.array([1.0, -2.0])
        >>> opt.step()
        >>> np.round(w.array, 6)
        array([-0.1,  0.1])
    """

    _NONNEGATIVE = ('lr', 'eps', 'weight_decay')
    _BETAS = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay = float(group["weight_decay"])
        decoupled = bool(group["decoupled_weight_decay"])
        amsgrad, maximize = bool(group["amsgrad"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self._state_with(p, "exp_avg", "exp_avg_sq", *["max_exp_avg_sq"] * amsgrad)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            state["step"] = step = state["step"] + 1.0

            g = decayed_grad(data, p.grad.array, lr, weight_decay, decoupled, maximize)

            tmp = update_moments(g, exp_avg, exp_avg_sq, beta1, beta2)

            step_size = lr / (1.0 - beta1 ** step)
            bias_correction2_sqrt = (1.0 - beta2 ** step) ** 0.5
            if amsgrad:
                v = state["max_exp_avg_sq"]
                np.maximum(v, exp_avg_sq, out=v)
            else:
                v = exp_avg_sq
            np.sqrt(v, out=tmp)                                # denom
            tmp /= bias_correction2_sqrt
            tmp += eps
            np.divide(exp_avg, tmp, out=tmp)
            tmp *= step_size
            data -= tmp


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2017), as ``torch.optim.AdamW``.

    Identical to :class:`Adam` with ``decoupled_weight_decay=True``: before the Adam update
    the weights shrink, :math:`\theta \leftarrow (1 - \gamma\lambda)\,\theta`, and the
    gradient carries no :math:`\lambda\theta` term.

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        betas (tuple[float, float]): :math:`(\beta_1, \beta_2)` (default: (0.9, 0.999)).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-8).
        weight_decay (float): decoupled weight decay :math:`\lambda` (default: 1e-2).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        foreach, capturable, differentiable, fused (keyword-only): as for :class:`Adam`
            (defaults: None, False, False, None).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import AdamW
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.ones(2))
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = np.zeros(2)
        >>> opt.step()
        >>> w.array
        array([0.95, 0.95])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        group["decoupled_weight_decay"] = True
