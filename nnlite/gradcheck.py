"""``gradcheck``: compare analytical gradients with float64 central differences."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .autograd.engine import backward
from .autograd.grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytical gradient disagrees with the numerical one."""


def _outputs(out: Any) -> tuple:
    outs = (out,) if isinstance(out, Tensor) else tuple(out)
    return tuple(o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f")


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check ``fn``'s backward against central differences, in float64.

    The outputs are contracted with a random upstream gradient ``g`` (seeded), so the
    check covers the whole Jacobian-vector product ``g^T J``: for every input that
    requires grad and every element ``i``, ``(f(x + eps e_i) - f(x - eps e_i)) / 2 eps``
    must equal the analytical gradient within ``atol + rtol * |numerical|``.

    Args:
        fn: takes the inputs, returns a Tensor or a tuple of Tensors. Must be
            deterministic.
        inputs: a Tensor or a sequence of Tensors (float64 for those requiring grad).
        eps (float): finite-difference step. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): relative tolerance. Default: 1e-3.
        seed (int): seed of the random upstream gradient. Default: 0.

    Returns:
        True when every gradient matches.

    Raises:
        GradcheckError: naming the input, the worst element, both values.

    Example:
        >>> x = nl.randn(3, 4, dtype=nl.float64, requires_grad=True)
        >>> nl.gradcheck(lambda t: (t * t).sum(1), (x,))
        True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    for i in wrt:
        if inputs[i].dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} has dtype {inputs[i].dtype}; gradients "
                             f"are checked in float64")
    rng = np.random.default_rng(seed)
    outs = _outputs(fn(*inputs))
    if not outs:
        raise ValueError("gradcheck: fn returned no floating Tensor")
    gys = [rng.standard_normal(o.shape).astype(o.dtype) for o in outs]

    saved = [inputs[i].grad for i in wrt]
    for i in wrt:
        inputs[i].grad = None
    live = [(o, g) for o, g in zip(outs, gys) if o.requires_grad]
    if live:
        backward([o for o, _ in live], [g for _, g in live])
    analytical = [np.zeros(inputs[i].shape) if inputs[i].grad is None
                  else np.asarray(inputs[i].grad.array, np.float64) for i in wrt]
    for i, g in zip(wrt, saved):
        inputs[i].grad = g

    def f() -> float:
        with no_grad():
            return float(sum(np.sum(o.array * g) for o, g in zip(_outputs(fn(*inputs)), gys)))

    for i, ana in zip(wrt, analytical):
        x = inputs[i].array
        num = np.zeros(x.shape)
        for idx in np.ndindex(x.shape):
            orig = x[idx]
            x[idx] = orig + eps
            fp = f()
            x[idx] = orig - eps
            fm = f()
            x[idx] = orig
            num[idx] = (fp - fm) / (2 * eps)
        if not np.isfinite(num).all():
            w = tuple(int(v) for v in np.argwhere(~np.isfinite(num))[0])
            raise GradcheckError(f"gradcheck: numerical gradient of input {i} is not finite at "
                                 f"element {w} ({num[w]}); fn is not differentiable there or "
                                 f"eps={eps} steps outside its domain")
        err = np.abs(ana - num) - (atol + rtol * np.abs(num))
        if ana.shape != num.shape:
            raise GradcheckError(f"gradcheck: gradient of input {i} has shape {ana.shape}, "
                                 f"expected {num.shape}")
        if err.size and (err.max() > 0 or not np.isfinite(ana).all()):
            w = np.unravel_index(np.argmax(np.where(np.isfinite(err), err, np.inf)), err.shape)
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {x.shape}) is wrong; worst element "
                f"{tuple(int(v) for v in w)}: analytical {ana[w]:.10g}, numerical "
                f"{num[w]:.10g} (atol={atol}, rtol={rtol}); "
                f"{int((err > 0).sum())} of {err.size} elements out of tolerance")
    return True
