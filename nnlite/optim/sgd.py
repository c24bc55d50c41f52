"""Stochastic gradient descent with optional (Nesterov) momentum."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real, effective_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, as ``torch.optim.SGD``.

    For each parameter :math:`\theta` with gradient :math:`\nabla f(\theta_{t-1})`:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \quad (- \text{ if maximize}) \\
        b_t &= \begin{cases} g_t & t = 1 \\ \mu\,b_{t-1} + (1-\tau)\,g_t & t > 1 \end{cases}
              \quad (\text{if } \mu \ne 0) \\
        g_t &\leftarrow g_t + \mu\,b_t \text{ if nesterov, else } b_t \\
        \theta_t &= \theta_{t-1} - \gamma\,g_t

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): learning rate :math:`\gamma` (default: 1e-3).
        momentum (float): momentum factor :math:`\mu` (default: 0).
        dampening (float): dampening :math:`\tau` for momentum (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        nesterov (bool): use Nesterov momentum; needs momentum > 0 and zero dampening
            (default: False).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        foreach (bool, keyword-only): torch's choice of kernel; accepted, with no effect here
            (default: None).
        differentiable (bool, keyword-only): must be False; the update is not recorded by autograd
            (default: False).
        fused (bool, keyword-only): torch's choice of kernel; accepted, with no effect here
            (default: None).

    State per parameter: ``momentum_buffer`` (only when momentum is non-zero).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import SGD
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     w.grad = np.ones(2)
        ...     opt.step()
        >>> w.array
        array([-0.29, -0.29])
    """

    _NONNEGATIVE = ('lr', 'momentum', 'weight_decay')

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_real("SGD", "dampening", group["dampening"], low=float("-inf"))
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov=True requires momentum > 0 and dampening == 0, "
                             f"got momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r}")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        weight_decay = float(group["weight_decay"])
        nesterov, maximize = bool(group["nesterov"]), bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            g = effective_grad(data, p.grad.array, weight_decay, maximize)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = np.array(g, dtype=data.dtype)
                else:
                    buf *= momentum
                    if dampening == 0:
                        buf += g
                    else:
                        buf += (1 - dampening) * g
                if nesterov:
                    g = np.multiply(buf, momentum) + g
                else:
                    g = buf
            data -= lr * g
