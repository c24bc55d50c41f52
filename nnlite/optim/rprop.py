"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real

__all__ = ["Rprop"]


def _check_pair(owner: str, name: str, group: dict) -> tuple[float, float]:
    value = group[name]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{owner}: {name} must be a pair of floats, got {value!r}")
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"{owner}: {name} must have 2 entries, got {len(value)}: {value!r}")
    for i, v in enumerate(value):
        check_real(owner, f"{name}[{i}]", v, low=float("-inf"))
    return value


class Rprop(Optimizer):
    r"""Rprop, as ``torch.optim.Rprop``: a step size per element, grown while the gradient
    keeps its sign and shrunk when it flips; only the gradient's sign is used.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) \quad (- \text{ if maximize}), \qquad
        s = \operatorname{sign}(g_t\, g_{t-1}) \\
        \eta_t &= \operatorname{clip}\big(\eta_{t-1} \cdot
              \{\eta_+ \text{ if } s > 0,\ \eta_- \text{ if } s < 0,\ 1 \text{ if } s = 0\},
              \ \Gamma_{min}, \Gamma_{max}\big) \\
        g_t &\leftarrow 0 \quad \text{where } s < 0 \\
        \theta_t &= \theta_{t-1} - \eta_t \operatorname{sign}(g_t)

    with :math:`\eta_0 = \gamma` and :math:`g_0 = 0`; the stored :math:`g_{t-1}` is the
    gradient after zeroing.

    Args:
        params (iterable): parameters or parameter-group dicts.
        lr (float): initial step size :math:`\gamma` (default: 1e-2).
        etas (tuple[float, float]): :math:`(\eta_-, \eta_+)`, with
            :math:`0 < \eta_- < 1 < \eta_+` (default: (0.5, 1.2)).
        step_sizes (tuple[float, float]): :math:`(\Gamma_{min}, \Gamma_{max})`, the bounds
            of the step sizes (default: (1e-6, 50)).
        capturable (bool, keyword-only): must be False; CUDA graphs have no meaning on the
            CPU (default: False).
        foreach (bool, keyword-only): torch's choice of kernel; accepted, with no effect
            here (default: None).
        maximize (bool, keyword-only): maximize the objective instead (default: False).
        differentiable (bool, keyword-only): must be False; the update is not recorded by
            autograd (default: False).

    State per parameter: ``step`` (float), ``prev`` (:math:`g_{t-1}`) and ``step_size``
    (:math:`\eta_t`).

    Example:
        >>> import numpy as np
        >>> from nnlite.optim import Rprop
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> opt = Rprop([w], lr=0.1)
        >>> for g in ([1.0, 1.0], [1.0, -1.0]):
        ...     w.grad = np.array(g)
        ...     opt.step()
        >>> np.round(w.array, 6)
        array([-0.22, -0.1 ])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_real("Rprop", "lr", group["lr"])
        etaminus, etaplus = _check_pair("Rprop", "etas", group)
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: invalid etas={group['etas']!r}; expected "
                             "0 < etas[0] < 1 < etas[1]")
        _check_pair("Rprop", "step_sizes", group)

    def _update_group(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = (float(e) for e in group["etas"])
        step_min, step_max = (float(s) for s in group["step_sizes"])
        maximize = bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            data = p.array
            state = self.state[p]
            if not state:
                state.update(step=0.0, prev=np.zeros_like(data),
                             step_size=np.full_like(data, float(group["lr"])))
            state["step"] += 1.0
            g = np.negative(p.grad.array) if maximize else p.grad.array
            prev, step_size = state["prev"], state["step_size"]

            sign = np.sign(g * prev)
            factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
            step_size *= factor.astype(data.dtype, copy=False)
            np.clip(step_size, step_min, step_max, out=step_size)
            g = np.where(sign < 0, 0.0, g).astype(data.dtype, copy=False)  # a fresh array
            data -= np.sign(g) * step_size
            np.copyto(prev, g)
