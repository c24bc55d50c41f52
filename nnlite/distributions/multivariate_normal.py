"""The multivariate normal distribution N(loc, Sigma), parameterised by one of
``covariance_matrix`` (Sigma), ``precision_matrix`` (Sigma^-1) or ``scale_tril`` (L, lower
triangular with a positive diagonal, Sigma = L L^T).

Notation: k the event size, L the Cholesky factor (kept unbroadcast), d = x - loc.

    log p(x) = -(k log(2 pi) + |L^-1 d|^2) / 2 - sum(log diag L)
    entropy  = k (1 + log(2 pi)) / 2 + sum(log diag L)
    rsample  = loc + L eps,  eps ~ N(0, I)

A precision matrix P is turned into L as torch does: the Cholesky factor of P with its
rows and columns reversed, flipped back and inverted, so L is lower triangular.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..factories import as_tensor, eye
from ..ops import diagonal, flip, log, matmul
from ..ops.decompositions import cholesky, cholesky_inverse, solve_triangular
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def _T(x: Tensor) -> Tensor:
    return x.transpose(-1, -2)


def _batch_mv(bmat: Tensor, bvec: Tensor) -> Tensor:
    """Matrix (..., n, n) times vector (..., n), batch dims broadcast."""
    return matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(bL: Tensor, bx: Tensor) -> Tensor:
    """|L^-1 x|^2 for L (..., n, n) and x (..., n), batch dims broadcast."""
    return solve_triangular(bL, bx.unsqueeze(-1), upper=False).pow(2).sum((-2, -1))


def _half_log_det(L: Tensor) -> Tensor:
    return log(diagonal(L, dim1=-2, dim2=-1)).sum(-1)


def _precision_to_scale_tril(P: Tensor) -> Tensor:
    Lf = cholesky(flip(P, (-2, -1)))
    L_inv = _T(flip(Lf, (-2, -1)))
    Id = eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(L_inv, Id, upper=False)


class MultivariateNormal(Distribution):
    """A batch of multivariate normal distributions over vectors of size ``k``.

    Args:
        loc (Tensor): the mean (..., k).
        covariance_matrix (Tensor, optional): positive-definite covariance (..., k, k).
        precision_matrix (Tensor, optional): positive-definite inverse covariance.
        scale_tril (Tensor, optional): lower-triangular factor of the covariance with a
            positive diagonal.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Exactly one of the three matrices is given; ``scale_tril`` is the cheapest (no
    factorisation).

    Shape: batch_shape is the broadcast of ``loc.shape[:-1]`` and the matrix's batch
    dims; event_shape (k,).

    Example:
        >>> m = nl.distributions.MultivariateNormal(nl.zeros(2), nl.eye(2))
        >>> m.sample().shape
        (2,)
    """
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:
        loc = as_tensor(loc)
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + \
                (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = next((n, m) for n, m in (("scale_tril", scale_tril),
                                                ("covariance_matrix", covariance_matrix),
                                                ("precision_matrix", precision_matrix))
                            if m is not None)
        matrix = as_tensor(matrix)
        if matrix.dim() < 2:
            raise ValueError(f"{name} matrix must be at least two-dimensional, with optional "
                             f"leading batch dimensions")
        if matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(f"MultivariateNormal: {name} (shape {tuple(matrix.shape)}) must "
                             f"be square with the event size of loc (shape "
                             f"{tuple(loc.shape)}), i.e. (..., {loc.shape[-1]}, "
                             f"{loc.shape[-1]})")
        batch_shape = np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        event_shape = self.loc.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = matrix
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "MultivariateNormal":
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        loc_shape = batch_shape + self.event_shape
        cov_shape = batch_shape + self.event_shape + self.event_shape
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(cov_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(
            self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return matmul(L, _T(L)).expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(
            self._batch_shape + self._event_shape + self._event_shape)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            self._batch_shape + self._event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc.dtype)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = as_tensor(value) - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
