"""Special functions as ops: erfc, erfinv, lgamma, digamma, polygamma; and their array
kernels, NumPy only (erf and erfc's kernels are in special.py).

Notation: x is the input, y the output, gy the gradient of the loss with respect to y;
psi is digamma, psi_n the n-th polygamma function (psi_0 = psi, psi_1 = trigamma).

The kernels run on float64 and round once to the input's dtype, and follow the
algorithms torch's CPU kernels use, so values agree to a few ulps, special points
included:

- lgamma: Cephes' ``lgam`` (S. L. Moshier): the recurrence Gamma(x + 1) = x Gamma(x)
  into [2, 3) and a rational approximation there, Stirling's series from 13 on, the
  reflection formula below -34. +inf at the poles (0 and the negative integers) and at
  +-inf, as torch.
- digamma: torch's ``calc_digamma``: the recurrence psi(x) = psi(x + 1) - 1/x up to 10,
  then the asymptotic series; the reflection formula for x < 0; -inf at +0, +inf at -0,
  nan at the negative integers and at -inf.
- polygamma(1, x): torch's ``calc_trigamma`` (its own short series, accurate to ~1e-8
  relative, so gradients of digamma match torch's to that accuracy); polygamma(n, x), n >=
  2: (-1)**(n+1) n! zeta(n + 1, x), with the Hurwitz zeta function by Cephes'
  Euler-Maclaurin summation, as torch.
- erfinv: torch's ``calc_erfinv``: a rational first guess (central range and tails),
  then two Newton steps on erf.

The loops in the kernels run over recurrence steps or series terms (at most a few dozen),
each one array operation over all elements, never over elements.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._elementwise import float_input, in_place_methods, tensor_arg
from .special import erf_array, erfc_array

TWO_OVER_SQRT_PI = 1.1283791670955126
SQRT_PI_OVER_2 = 0.886226925452758


# ============================================================================
# Array kernels (float64 in, float64 out)
# ============================================================================
def _polevl(z: np.ndarray, coefs: tuple) -> np.ndarray:
    """sum_i coefs[i] z**(n-i) (Horner; Cephes polevl)."""
    acc = np.full_like(z, coefs[0])
    for c in coefs[1:]:
        acc = acc * z + c
    return acc


def _p1evl(z: np.ndarray, coefs: tuple) -> np.ndarray:
    """z**n + sum_i coefs[i] z**(n-1-i) (a monic polynomial; Cephes p1evl)."""
    acc = z + coefs[0]
    for c in coefs[1:]:
        acc = acc * z + c
    return acc


# Cephes lgam's published coefficients: A Stirling's series, B/C the rational
# approximation of lgamma(2 + z) / z on [0, 1) (C monic, its leading 1 omitted).
_LGAM_A = (8.11614167470508450300E-4, -5.95061904284301438324E-4,
           7.93650340457716943945E-4, -2.77777777730099687205E-3,
           8.33333333333331927722E-2)
_LGAM_B = (-1.37825152569120859100E3, -3.88016315134637840924E4,
           -3.31612992738871184744E5, -1.16237097492762307383E6,
           -1.72173700820839662146E6, -8.53555664245765465627E5)
_LGAM_C = (-3.51815701436523470549E2, -1.70642106651881159223E4,
           -2.20528590553854454839E5, -1.13933444367982507207E6,
           -2.53252307177582951285E6, -2.01889141433532773231E6)
_LS2PI = 0.91893853320467274178          # log(sqrt(2 pi))
_LOGPI = 1.14472988584940017414


def _lgamma_stirling(x: np.ndarray) -> np.ndarray:
    """lgamma(x) for x >= 13 (finite): Stirling's series."""
    q = (x - 0.5) * np.log(x) - x + _LS2PI
    p = 1.0 / (x * x)
    big = ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
           + 0.0833333333333333333333) / x
    series = np.where(x >= 1000.0, big, _polevl(p, _LGAM_A) / x)
    return np.where(x > 1.0e8, q, q + series)


def _lgamma_small(x: np.ndarray) -> np.ndarray:
    """lgamma(x) for -34 <= x < 13 (not a pole): Gamma(x) = z Gamma(u) with u in [2, 3),
    then log|z| + lgamma(u)."""
    z = np.ones_like(x)
    u = x.copy()
    while True:                                  # at most 10 steps down
        up = u >= 3.0
        if not up.any():
            break
        u = np.where(up, u - 1.0, u)
        z = np.where(up, z * u, z)
    while True:                                  # at most 36 steps up
        low = u < 2.0
        if not low.any():
            break
        z = np.where(low, z / u, z)
        u = np.where(low, u + 1.0, u)
    t = u - 2.0
    return np.log(np.abs(z)) + np.where(t == 0, 0.0, t * _polevl(t, _LGAM_B)
                                        / _p1evl(t, _LGAM_C))


def lgamma_array(x: Any) -> np.ndarray:
    """log|Gamma(x)| of an array, as float64."""
    x = np.asarray(x, np.float64)
    out = np.full(x.shape, np.nan)
    pole = (x <= 0) & (x == np.floor(x))
    out[pole | np.isinf(x)] = np.inf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        big = np.isfinite(x) & (x >= 13.0)
        out[big] = _lgamma_stirling(x[big])
        mid = np.isfinite(x) & (x < 13.0) & (x >= -34.0) & ~pole
        out[mid] = _lgamma_small(x[mid])
        neg = np.isfinite(x) & (x < -34.0) & ~pole
        if neg.any():                            # reflection: Gamma(x) Gamma(-x) = ...
            q = -x[neg]
            w = _lgamma_stirling(q)
            p = np.floor(q)
            z = q - p
            z = np.where(z > 0.5, p + 1.0 - q, z)
            out[neg] = _LOGPI - np.log(q * np.sin(np.pi * z)) - w
    return out


# B_2k / 2k for k = 7 ... 1 (Bernoulli numbers): the asymptotic series of digamma.
_PSI_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2,
          7.57575757575757575758E-3, -4.16666666666666666667E-3,
          3.96825396825396825397E-3, -8.33333333333333333333E-3,
          8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764        # digamma(10)


def _digamma_positive(x: np.ndarray) -> np.ndarray:
    """digamma(x) for x > 0 (and +inf, nan): up to 10 by the recurrence, then the
    asymptotic series; exactly digamma(10) where the recurrence lands on 10."""
    result = np.zeros_like(x)
    for _ in range(10):
        low = x < 10.0
        if not low.any():
            break
        result = np.where(low, result - 1.0 / np.where(low, x, 1.0), result)
        x = np.where(low, x + 1.0, x)
    z = 1.0 / (x * x)
    y = np.where(x < 1.0e17, z * _polevl(z, _PSI_A), 0.0)
    return np.where(x == 10.0, result + _PSI_10, result + np.log(x) - 0.5 / x - y)


def digamma_array(x: Any) -> np.ndarray:
    """digamma(x) = d/dx lgamma(x) of an array, as float64."""
    x = np.asarray(x, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        neg = x < 0
        # psi(x) = psi(1 - x) - pi / tan(pi frac(x)) for x < 0
        arg = np.where(neg, 1.0 - x, x)
        out = _digamma_positive(np.where(arg == 0, 1.0, arg))
        r = x - np.trunc(x)
        out = np.where(neg, out - np.pi / np.tan(np.pi * r), out)
        out = np.where(neg & (x == np.trunc(x)), np.nan, out)     # poles and -inf
        out = np.where(x == 0, np.copysign(np.inf, -x), out)
    return out


def trigamma_array(x: Any) -> np.ndarray:
    """polygamma(1, x) of an array, as float64, by torch's algorithm (reflection below
    1/2, six recurrence steps, then a short asymptotic series)."""
    x = np.asarray(x, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        low = x < 0.5
        s = np.sin(np.pi * x)
        result = np.where(low, -(np.pi * np.pi) / (s * s), 0.0)
        x = np.where(low, 1.0 - x, x)
        for _ in range(6):
            result = result + 1.0 / (x * x)
            x = x + 1.0
        ixx = 1.0 / (x * x)
        result = result + (1.0 + 1.0 / (2.0 * x)
                           + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / x
        return np.where(low, -result, result)


# (2k)! / B_2k for k = 1 ... 12: the Euler-Maclaurin terms of the Hurwitz zeta function
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17,
           -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def zeta_array(s: float, q: Any) -> np.ndarray:
    """The Hurwitz zeta function sum_k (q + k)**-s for a number s > 1 and an array q,
    as float64 (Cephes' ``zeta``: direct sums until q + k > 9 and at least 9 terms, then
    the Euler-Maclaurin correction; +inf at q = 0, -1, ...; nan at negative q for a
    non-integer s)."""
    q = np.asarray(q, np.float64)
    out = np.full(q.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pole = (q <= 0) & (q == np.floor(q))
        bad = np.isnan(q) | ((q < 0) & ~pole & (s != math.floor(s)))
        out[pole] = np.inf
        todo = ~(pole | bad)
        qs = q[todo]
        total = qs ** -s
        a = qs.copy()
        b = np.zeros_like(qs)
        done = np.zeros(qs.shape, np.bool_)
        res = np.full(qs.shape, np.nan)
        i = 0
        while True:
            step = ~done & ((i < 9) | (a <= 9.0))
            if not step.any():
                break
            i += 1
            a = np.where(step, a + 1.0, a)
            b = np.where(step, a ** -s, b)
            total = np.where(step, total + b, total)
            conv = step & (-_MACHEP * total < b) & (b < _MACHEP * total)
            res[conv] = total[conv]
            done |= conv
        w = a
        total = total + b * w / (s - 1.0) - 0.5 * b
        fac = np.ones_like(qs)
        k = 0.0
        for coef in _ZETA_A:
            live = ~done
            if not live.any():
                break
            fac = fac * (s + k)
            b = b / w
            t = fac * b / coef
            total = np.where(live, total + t, total)
            conv = live & (np.abs(t / total) < _MACHEP)
            res[conv] = total[conv]
            done |= conv
            k += 1.0
            fac = fac * (s + k)
            b = b / w
            k += 1.0
        res[~done] = total[~done]
        out[todo] = res
    return out


def polygamma_array(n: int, x: Any) -> np.ndarray:
    """The n-th derivative of digamma of an array, as float64."""
    if n == 0:
        return digamma_array(x)
    if n == 1:
        return trigamma_array(x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * zeta_array(n + 1.0, x)


# torch's calc_erfinv: the first guess's rational coefficients (central range |y| <= 0.7,
# then the tails in z = sqrt(-log((1 - |y|) / 2))), lowest power first
_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def erfinv_array(y: Any) -> np.ndarray:
    """The inverse of erf of an array, as float64: +-inf at +-1, nan outside [-1, 1]."""
    y = np.asarray(y, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ya = np.abs(y)
        z = y * y
        a0, a1, a2, a3 = _ERFINV_A
        b0, b1, b2, b3 = _ERFINV_B
        central = y * (((a3 * z + a2) * z + a1) * z + a0) / ((((b3 * z + b2) * z + b1) * z
                                                               + b0) * z + 1.0)
        c0, c1, c2, c3 = _ERFINV_C
        d0, d1 = _ERFINV_D
        t = np.sqrt(-np.log((1.0 - np.minimum(ya, 1.0)) / 2.0))
        tail = np.copysign((((c3 * t + c2) * t + c1) * t + c0) / ((d1 * t + d0) * t + 1.0), y)
        a = np.minimum(ya, 1.0)
        x = np.abs(np.where(ya <= 0.7, central, tail))
        # Newton on erf(x) = a below a = 0.5, on log erfc(x) = log(1 - a) above: exact
        # near a = 1, where erf(x) rounds to 1 (torch's result to the last digit at
        # 1 - 1e-15, where Newton on erf is off by 5e-5 relative)
        upper = a >= 0.5
        for _ in range(4):
            d = TWO_OVER_SQRT_PI * np.exp(-x * x)                  # erf'(x)
            c = erfc_array(x)
            x = x + np.where(upper, (np.log(c) - np.log1p(-a)) * c / d,
                             -(erf_array(x) - a) / d)
        x = np.copysign(x, y)
        x = np.where(ya == 1.0, np.copysign(np.inf, y), x)
        return np.where(ya > 1.0, np.nan, x)


def _in_dtype(kernel: Any, x: np.ndarray, *args: Any) -> np.ndarray:
    """``kernel`` on float64 values of x, rounded once to x's dtype."""
    return np.asarray(kernel(*args, x.astype(np.float64, copy=False))).astype(x.dtype,
                                                                              copy=False)


# ============================================================================
# Functions
# ============================================================================
class Erfc(Function):
    """y = erfc(x) = 1 - erf(x);  gx = -gy * 2/sqrt(pi) * exp(-x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc_array(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * (np.exp(-(x * x)) * -TWO_OVER_SQRT_PI)


class Erfinv(Function):
    """y = erfinv(x);  gx = gy * sqrt(pi)/2 * exp(y**2)"""

    @staticmethod
    def forward(ctx, x):
        y = _in_dtype(erfinv_array, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return gy * (np.exp(y * y) * SQRT_PI_OVER_2)


class Lgamma(Function):
    """y = log|Gamma(x)|;  gx = gy * psi(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_dtype(lgamma_array, x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * Polygamma.apply(x, 0)


class Polygamma(Function):
    """y = psi_n(x) (``n`` a number >= 0: digamma for 0);  gx = gy * psi_(n+1)(x)"""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _in_dtype(polygamma_array, x, n)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * Polygamma.apply(x, ctx.n + 1), None


def erfc(input: Tensor) -> Tensor:
    """The complementary error function 1 - erf(x), accurate where erf is near 1
    (``torch.erfc``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.erfc(nl.tensor([0.0, 3.0]))
        tensor([1.0000e+00, 2.2090e-05])
    """
    return Erfc.apply(float_input(input, "erfc"))


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function: erfinv(erf(x)) = x on (-1, 1); +-inf at +-1, nan
    outside (``torch.erfinv``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.erfinv(nl.tensor([0.0, 0.5]))
        tensor([0.0000, 0.4769])
    """
    return Erfinv.apply(float_input(input, "erfinv"))


def lgamma(input: Tensor) -> Tensor:
    """The log of the absolute value of the gamma function, log|Gamma(x)|; +inf at 0 and
    the negative integers (``torch.lgamma``). The gradient is digamma.

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.lgamma(nl.tensor([0.5, 1.0, 10.0]))
        tensor([ 0.5724,  0.0000, 12.8018])
    """
    return Lgamma.apply(float_input(input, "lgamma"))


def digamma(input: Tensor) -> Tensor:
    """The digamma function psi(x) = d/dx log Gamma(x) (``torch.digamma``): -inf at +0,
    nan at the negative integers. The gradient is ``polygamma(1, x)``.

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.digamma(nl.tensor([1.0, 0.5]))
        tensor([-0.5772, -1.9635])
    """
    return Polygamma.apply(float_input(input, "digamma"), 0)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of the digamma function (``torch.polygamma``); n = 0 is
    digamma. Differentiable to any order (the gradient is ``polygamma(n + 1, x)``).

    Args:
        n (int): the order, >= 0.
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.polygamma(1, nl.tensor([1.0, 2.0]))
        tensor([1.6449, 0.6449])
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n={n})")
    return Polygamma.apply(float_input(input, "polygamma"), int(n))


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """``Tensor.polygamma(n)``: ``polygamma(n, self)``."""
    return polygamma(n, tensor_arg(self, "polygamma"))


def _polygamma_(self: Tensor, n: int) -> Tensor:
    from . import inplace
    return inplace.write(self, "polygamma_", _polygamma_method, n)


_FUNCTIONS = {"erfc": erfc, "erfinv": erfinv, "lgamma": lgamma, "digamma": digamma}

TENSOR_METHODS: dict[str, Any] = {**_FUNCTIONS, **in_place_methods(_FUNCTIONS),
                                  "polygamma": _polygamma_method,
                                  "polygamma_": _polygamma_}
