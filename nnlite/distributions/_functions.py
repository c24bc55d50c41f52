"""The differentiable functions the distributions need that nnlite's ops lack: the
regularized incomplete gamma function P(a, x) (``Gamma.cdf``) and Gamma(a, 1) draws with
their implicit reparameterisation gradient (``Gamma.rsample``, ``Dirichlet.rsample``).
Everything else the distributions compute (erfinv, lgamma, digamma, expm1, floor, atan,
tan, xlogy, cholesky, triangular solves) is a public op in ``nnlite.ops``.

Notation: x the input, y the output, gy the gradient of the loss with respect to y.

    gammainc: y = P(a, x)                   gx = gy x^(a-1) e^-x / Gamma(a), ga = gy dP/da
    standard_gamma: x ~ Gamma(a, 1)          ga = gy dx/da = -gy (dP(a, x)/da) / p(x; a)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..factories import as_tensor
from ..ops._util import like_inputs
from ..ops.special_functions import lgamma_array
from ..tensor import Tensor



# ---- special functions on arrays ----------------------------------------------------
def gammainc_array(a: np.ndarray, x: np.ndarray, upper: bool = False) -> np.ndarray:
    """The regularized lower incomplete gamma P(a, x) (``upper``: Q(a, x) = 1 - P(a, x))
    for a > 0, x >= 0, float64. The series where x < a + 1, Lentz's continued fraction for
    Q elsewhere (each accurate to ~1e-15), both run on every element and ``np.where``
    picks; the other of P, Q is 1 minus it."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    with np.errstate(all="ignore"):
        xs = np.where(x > 0, x, 1.0)
        log_front = a * np.log(xs) - xs - lgamma_array(a)
        # series: P = x^a e^-x / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n))
        use_series = x < a + 1
        xr = np.where(use_series, xs, 0.0)
        term = 1 / a
        total = term.copy()
        for n in range(1, 500):
            term = term * xr / (a + n)
            total = total + term
            if n % 20 == 0 and np.all(np.abs(term) <= np.abs(total) * 1e-17):
                break
        p_series = np.exp(log_front) * total
        # continued fraction for Q (modified Lentz)
        xc = np.where(use_series, a + 2.0, xs)
        tiny = 1e-300
        b = xc + 1 - a
        c = np.full_like(b, 1 / tiny)
        d = 1 / b
        h = d.copy()
        for i in range(1, 500):
            an = -i * (i - a)
            b = b + 2
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1 / d
            delta = d * c
            h = h * delta
            if i % 20 == 0 and np.all(np.abs(delta - 1) <= 1e-16):
                break
        q_cf = np.exp(log_front) * h
        p = np.where(use_series, p_series, 1 - q_cf)
        q = np.where(use_series, 1 - p_series, q_cf)
        out = q if upper else p
        out = np.where(x <= 0, 1.0 if upper else 0.0, out)
        out = np.where(np.isinf(x), 0.0 if upper else 1.0, out)
    return out


def standard_gamma_grad_array(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dx/da of a Gamma(a, 1) sample x held at a fixed quantile (implicit
    reparameterisation): -(dP(a, x)/da) / p(x; a), with dP/da by a central difference of
    step 1e-5 a on the side (P or Q) that is not close to 1, so no digits cancel."""
    a = np.asarray(a, np.float64)
    x = np.asarray(x, np.float64)
    h = 1e-5 * a
    upper = x >= a + 1
    dp = np.where(upper,
                  -(gammainc_array(a + h, x, True) - gammainc_array(a - h, x, True)),
                  gammainc_array(a + h, x) - gammainc_array(a - h, x)) / (2 * h)
    with np.errstate(all="ignore"):
        log_pdf = (a - 1) * np.log(x) - x - lgamma_array(a)
        return -dp / np.exp(log_pdf)


# ---- Functions --------------------------------------------------------------------
class StandardGamma(Function):
    """x ~ Gamma(a, 1) (drawn from ``generator``);  ga = gy dx/da, the implicit
    reparameterisation gradient (x held at its quantile P(a, x))"""

    @staticmethod
    def forward(ctx, a, gen):
        x = gen.standard_gamma(a).astype(a.dtype, copy=False)
        x = np.maximum(x, np.finfo(a.dtype).tiny)
        ctx.save_for_backward(x, a)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, a = ctx.saved_tensors
        return gy * standard_gamma_grad_array(x, a).astype(a.dtype, copy=False), None


class Gammainc(Function):
    """y = P(a, x), the regularized lower incomplete gamma;
    gx = gy x^(a-1) e^-x / Gamma(a),  ga = gy dP/da (central difference, step 1e-5 a)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        return like_inputs(np.asarray(gammainc_array(a, x)), a, x)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        a, x = ctx.saved_tensors
        a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
        ga = gx = None
        if ctx.needs_input_grad[0]:
            h = 1e-5 * a64
            upper = x64 >= a64 + 1
            dp = np.where(upper, -(gammainc_array(a64 + h, x64, True)
                                   - gammainc_array(a64 - h, x64, True)),
                          gammainc_array(a64 + h, x64) - gammainc_array(a64 - h, x64))
            ga = (gy * dp / (2 * h)).astype(a.dtype, copy=False)
        if ctx.needs_input_grad[1]:
            with np.errstate(all="ignore"):
                xs = np.where(x64 > 0, x64, 1.0)
                pdf = np.where(x64 > 0, np.exp((a64 - 1) * np.log(xs) - xs - lgamma_array(a64)),
                               0.0)
            gx = (gy * pdf).astype(x.dtype, copy=False)
        return ga, gx


def _float(x: Any) -> Tensor:
    x = as_tensor(x)
    return x if x.dtype.kind == "f" else x.float()


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    """P(a, x), the regularized lower incomplete gamma (torch.special.gammainc),
    differentiable in both arguments."""
    return Gammainc.apply(_float(a), _float(x))


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) samples of ``concentration``'s shape, differentiable with
    respect to it (implicit reparameterisation, as torch's ``_standard_gamma``)."""
    from .utils import generator
    return StandardGamma.apply(concentration, generator())
