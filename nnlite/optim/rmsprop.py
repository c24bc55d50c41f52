"""RMSprop (Hinton), optionally centered (Graves, 2013) and with momentum."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, effective_grad

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \alpha\,v_{t-1} + (1-\alpha)\,g_t^2 \\
        \tilde v_t &= v_t - \bar g_t^2, \quad
              \bar g_t = \alpha\,\bar g_{t-1} + (1-\alpha)\,g_t
              \quad (\text{if centered, else } \tilde v_t = v_t) \\
        b_t &= \mu\,b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \quad
              \theta_t = \theta_{t-1} - \gamma\,b_t \quad (\text{if } \mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma\,g_t / (\sqrt{\tilde v_t} + \epsilon)
              \quad (\text{if } \mu = 0)

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-2).
        alpha (float): smoothing constant :math:`\alpha` (default: 0.99).
        eps (float): :math:`\epsilon` added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        momentum (float): momentum factor :math:`\mu` (default: 0).
        centered (bool): normalise by the estimated variance of the gradient instead of its
            second moment (default: False).
        capturable (bool): must be False; CUDA graphs have no meaning on the CPU
            (default: False).
        foreach (bool, optional): torch's choice of kernel; accepted, with no effect here
            (default: None).
        maximize (bool): maximize the objective instead (default: False).
        differentiable (bool): must be False; the update is not recorded by autograd
            (default: False).

    State per parameter: ``step`` (float), ``square_avg``, ``momentum_buffer`` (if
    momentum > 0) and ``grad_avg`` (if centered).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import RMSprop
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
        >>> w.grad = np.array([3.0, -3.0])
        >>> opt.step()
        >>> np.round(w.array, 6)
        array([-0.02,  0.02])
    """

    _NONNEGATIVE = ('lr', 'eps', 'momentum', 'weight_decay', 'alpha')

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        centered, maximize = bool(group["centered"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self._state_with(p, "square_avg", *["momentum_buffer"] * (momentum > 0),
                                     *["grad_avg"] * centered)
            state["step"] += 1.0
            g = effective_grad(data, p.grad.array, weight_decay, maximize)
            square_avg = state["square_avg"]

            tmp = np.empty_like(data)
            np.multiply(g, g, out=tmp)                         # v = a v + (1 - a) g^2
            tmp *= 1.0 - alpha
            square_avg *= alpha
            square_avg += tmp
            if centered:
                grad_avg = state["grad_avg"]                   # gbar += (1 - a) (g - gbar)
                np.subtract(g, grad_avg, out=tmp)
                tmp *= 1.0 - alpha
                grad_avg += tmp
                np.multiply(grad_avg, grad_avg, out=tmp)
                np.subtract(square_avg, tmp, out=tmp)
                np.sqrt(tmp, out=tmp)
            else:
                np.sqrt(square_avg, out=tmp)
            tmp += eps                                         # denominator
            np.divide(g, tmp, out=tmp)
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                buf += tmp
                np.multiply(buf, lr, out=tmp)
            else:
                tmp *= lr
            data -= tmp
