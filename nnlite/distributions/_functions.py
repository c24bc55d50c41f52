"""The differentiable functions the distributions need that nnlite's ops lack: lgamma,
digamma, trigamma, erfinv, expm1, floor, atan, tan, xlogy, the regularized incomplete gamma
function, Gamma(a, 1) draws with their implicit reparameterisation gradient; and two of
linear algebra, cholesky and triangular solves (lower-triangular, from the left), for
``MultivariateNormal``. Private to the package: the public ops of these names belong in
``nnlite.ops`` (their Functions can move there unchanged).

Notation: x the input, y the output, gy the gradient of the loss with respect to y.

    lgamma:   y = log|Gamma(x)|             gx = gy digamma(x)
    expm1:    y = exp(x) - 1                 gx = gy (y + 1)
    digamma:  y = psi(x)                     gx = gy trigamma(x)
    trigamma: y = psi'(x)                    (not differentiable)
    erfinv:   y = erf^-1(x)                  gx = gy sqrt(pi)/2 exp(y^2)
    floor:    y = floor(x)                   gx = 0
    xlogy:    z = x log y (0 at x = 0)       gx = gz log y,  gy = gz x / y
    atan:     y = atan(x)                    gx = gy / (1 + x^2)
    tan:      y = tan(x)                     gx = gy (1 + y^2)
    gammainc: y = P(a, x)                   gx = gy x^(a-1) e^-x / Gamma(a), ga = gy dP/da
    standard_gamma: x ~ Gamma(a, 1)          ga = gy dx/da = -gy (dP(a, x)/da) / p(x; a)
    cholesky: A = L L^T, L lower             gA = L^-T S L^-1,  P = tril(L^T gL),
                                             S = (P + tril(P, -1)^T) / 2   (torch's rule)
    solve_triangular: X = L^-1 B             gB = L^-T gX,  gL = -tril(gB X^T)

digamma and trigamma are computed on arrays by the recurrence psi(x) = psi(x + 1) - 1/x
until x >= 10, then the asymptotic series; x <= 0 by reflection. lgamma is ``math.lgamma``
element by element. erfinv starts from Giles' single-precision approximation and takes
four Newton steps on nnlite's float64 erf / erfc.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..factories import as_tensor
from ..ops._util import like_inputs
from ..ops.special import erf_array, erfc_array
from ..tensor import Tensor

_SQRT_PI_2 = math.sqrt(math.pi) / 2


# ---- special functions on arrays ----------------------------------------------------
def _lgamma_one(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:          # a pole: 0, -1, -2, ...
        return math.inf


_lgamma = np.vectorize(lambda v: math.nan if v != v else _lgamma_one(v), otypes=[np.float64])


def lgamma_array(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return like_inputs(np.asarray(_lgamma(x.astype(np.float64))), x) if x.size else \
        np.zeros(x.shape, np.result_type(x, np.float32))


def _shift_up(x: np.ndarray, f) -> tuple:
    """x moved up to >= 10 by the recurrence; ``f(x)`` the term each step removes."""
    acc = np.zeros_like(x)
    for _ in range(10):
        low = x < 10
        acc = acc + np.where(low, f(np.where(low, x, 1.0)), 0.0)
        x = np.where(low, x + 1, x)
    return x, acc


def digamma_array(x: np.ndarray) -> np.ndarray:
    x0 = np.asarray(x)
    x = x0.astype(np.float64)
    neg = x <= 0
    xr = np.where(neg, 1 - x, x)                     # reflection: psi(1-x) - pi cot(pi x)
    z, acc = _shift_up(xr, lambda v: 1 / v)
    z2 = 1 / (z * z)
    y = (np.log(z) - 0.5 / z
         - z2 * (1 / 12 - z2 * (1 / 120 - z2 * (1 / 252 - z2 * (1 / 240 - z2 / 132)))))
    y = y - acc
    with np.errstate(divide="ignore", invalid="ignore"):
        refl = y - math.pi / np.tan(math.pi * x)
        refl = np.where(x == np.floor(x), np.where(x == 0, -np.inf, np.nan), refl)
    return like_inputs(np.asarray(np.where(neg, refl, y)), x0)


def trigamma_array(x: np.ndarray) -> np.ndarray:
    x0 = np.asarray(x)
    x = x0.astype(np.float64)
    neg = x <= 0
    xr = np.where(neg, 1 - x, x)                     # psi'(1-x) + psi'(x) = pi^2 / sin^2
    z, acc = _shift_up(xr, lambda v: 1 / (v * v))
    z1 = 1 / z
    z2 = z1 * z1
    y = z1 + z2 / 2 + z1 * z2 * (1 / 6 - z2 * (1 / 30 - z2 * (1 / 42 - z2 / 30)))
    y = y + acc
    with np.errstate(divide="ignore", invalid="ignore"):
        refl = (math.pi / np.sin(math.pi * x)) ** 2 - y
        refl = np.where(x == np.floor(x), np.inf, refl)
    return like_inputs(np.asarray(np.where(neg, refl, y)), x0)


def erfinv_array(x: np.ndarray) -> np.ndarray:
    x0 = np.asarray(x)
    x = x0.astype(np.float64)
    sign, a = np.sign(x), np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = -np.log((1 - a) * (1 + a))
        small = w < 5
        ws, wl = w - 2.5, np.sqrt(np.where(small, 5.0, w)) - 3
        ps = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            ps = c + ps * ws
        pl = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            pl = c + pl * wl
        y = np.where(small, ps, pl) * a
        # Newton on erf(y) = a for a < 0.5, on log erfc(y) = log(1 - a) above (exact
        # near a = 1, where erf(y) rounds to 1 and Giles' start is further off)
        tail = a >= 0.5
        for _ in range(4):
            d = np.exp(-y * y) / _SQRT_PI_2                # erf'(y)
            c = erfc_array(y)
            step = np.where(tail, (np.log(c) - np.log1p(-a)) * c / d, (erf_array(y) - a) / d)
            y = y + np.where(tail, step, -step)
    y = np.where(a == 1, np.inf, y) * sign
    y = np.where(a > 1, np.nan, y)
    return like_inputs(np.asarray(y), x0)


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
class Lgamma(Function):
    """y = log|Gamma(x)|;  gx = gy digamma(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lgamma_array(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * Digamma.apply(x)


class Digamma(Function):
    """y = psi(x);  gx = gy trigamma(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return digamma_array(x)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * trigamma_array(x)


class Erfinv(Function):
    """y = erfinv(x);  gx = gy sqrt(pi)/2 exp(y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = erfinv_array(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * np.exp(y * y) * _SQRT_PI_2


class Expm1(Function):
    """y = exp(x) - 1;  gx = gy (y + 1)"""

    @staticmethod
    def forward(ctx, x):
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y + 1)


class Floor(Function):
    """y = floor(x);  gx = 0 (zeros, even where gy is nan, as torch)"""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)

    @staticmethod
    def backward(ctx, gy):
        return gy * 0 if isinstance(gy, Tensor) else np.zeros_like(gy)


class Atan(Function):
    """y = atan(x);  gx = gy / (1 + x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy / (x * x + 1)


class Tan(Function):
    """y = tan(x);  gx = gy (1 + y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y * y + 1)


def _float(x: Any) -> Tensor:
    x = as_tensor(x)
    return x if x.dtype.kind == "f" else x.float()


def lgamma(x: Any) -> Tensor:
    """log|Gamma(x)| elementwise (torch.lgamma); differentiable."""
    return Lgamma.apply(_float(x))


def digamma(x: Any) -> Tensor:
    """The digamma function psi(x) = d/dx log Gamma(x) (torch.digamma); differentiable once."""
    return Digamma.apply(_float(x))


def erfinv(x: Any) -> Tensor:
    """The inverse error function on [-1, 1] (torch.erfinv); differentiable."""
    return Erfinv.apply(_float(x))


def expm1(x: Any) -> Tensor:
    return Expm1.apply(_float(x))


def floor(x: Any) -> Tensor:
    return Floor.apply(_float(x))


def atan(x: Any) -> Tensor:
    return Atan.apply(_float(x))


def tan(x: Any) -> Tensor:
    return Tan.apply(_float(x))


class Xlogy(Function):
    """z = x log y (0 where x == 0, nan where y is nan);
    gx = gz log y (0 where x == y == 0),  gy = gz x / y   (torch's rules)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y))
        return like_inputs(np.asarray(z), x, y)

    @staticmethod
    @once_differentiable
    def backward(ctx, gz):
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = gz * np.where((x == 0) & (y == 0), 0.0, np.log(y))
            gy = gz * x / y
        return gx, gy


def xlogy(x: Any, y: Any) -> Tensor:
    """x * log(y), 0 where x == 0 (torch.xlogy), differentiable in both."""
    x = as_tensor(x)
    y = as_tensor(y)
    if x.dtype.kind != "f" and y.dtype.kind == "f":
        x = x.astype(y.dtype)
    return Xlogy.apply(_float(x), _float(y))


# ---- linear algebra -----------------------------------------------------------------
def _T(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _solve_lower(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """L^-1 B for lower-triangular L (..., n, n), B (..., n, k), batch dims broadcast."""
    batch = np.broadcast_shapes(L.shape[:-2], B.shape[:-2])
    L = np.broadcast_to(L, batch + L.shape[-2:])
    B = np.broadcast_to(B, batch + B.shape[-2:])
    if L.size == 0 or B.size == 0:
        return np.zeros(batch + B.shape[-2:], np.result_type(L, B))
    return np.linalg.solve(L, B)


class Cholesky(Function):
    """L = cholesky(A);  gA = L^-T S L^-1, S = (P + tril(P, -1)^T)/2, P = tril(L^T gL)"""

    @staticmethod
    def forward(ctx, a):
        try:
            L = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(f"cholesky: the input (shape {a.shape}) is not positive-"
                               f"definite") from None
        ctx.save_for_backward(L)
        return L

    @staticmethod
    @once_differentiable
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        P = np.tril(_T(L) @ gL)
        S = 0.5 * (P + _T(np.tril(P, -1)))
        X = np.linalg.solve(_T(L), S)                   # L^-T S
        return _T(np.linalg.solve(_T(L), _T(X)))        # (L^-T X^T)^T = X L^-1


class SolveLower(Function):
    """X = L^-1 B (L lower triangular);  gB = L^-T gX,  gL = -tril(gB X^T) (or, with
    ``full_grad``, -gB X^T: the gradient of a general solve, as torch's cholesky_inverse
    gives)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, L, B, full_grad):
        X = _solve_lower(L, B)
        ctx.save_for_backward(L, X)
        ctx.full_grad = full_grad
        return X

    @staticmethod
    @once_differentiable
    def backward(ctx, gX):
        L, X = ctx.saved_tensors
        batch = X.shape[:-2]
        Lb = np.broadcast_to(L, batch + L.shape[-2:])
        gB = np.linalg.solve(_T(Lb), gX) if gX.size else np.zeros_like(gX)
        gL = None
        if ctx.needs_input_grad[0]:
            gL = -(gB @ _T(X)) if ctx.full_grad else -np.tril(gB @ _T(X))
        return gL, gB, None


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


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    """P(a, x), the regularized lower incomplete gamma (torch.special.gammainc),
    differentiable in both arguments."""
    return Gammainc.apply(_float(a), _float(x))


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) samples of ``concentration``'s shape, differentiable with
    respect to it (implicit reparameterisation, as torch's ``_standard_gamma``)."""
    from .utils import generator
    return StandardGamma.apply(concentration, generator())


def cholesky(a: Tensor) -> Tensor:
    """The lower Cholesky factor of symmetric positive-definite ``a`` (..., n, n)."""
    return Cholesky.apply(a)


def solve_lower(L: Tensor, B: Tensor, full_grad: bool = False) -> Tensor:
    """L^-1 B for lower-triangular L (..., n, n) and B (..., n, k), batch dims broadcast.
    The gradient w.r.t. L is lower triangular unless ``full_grad``."""
    return SolveLower.apply(L, B, full_grad)
