"""Constraints: the sets a distribution's parameters and samples live in, torch's
``torch.distributions.constraints``.

A constraint's ``check(value)`` returns a bool Tensor of shape
``value.shape[:len(value.shape) - event_dim]``: whether each event lies in the set.
``is_discrete`` says whether the set is countable, ``event_dim`` how many rightmost dims
make one event. The instances below (``real``, ``positive``, ``simplex`` ...) and the
factories (``greater_than(lb)``, ``interval(lb, ub)``, ``integer_interval(lb, ub)`` ...)
are torch's names; ``repr`` is torch's (``GreaterThan(lower_bound=0.0)``).

``dependent`` / ``dependent_property`` mark a constraint that depends on the
distribution's parameters (``Uniform.support`` is ``interval(low, high)``): validation
skips dependent parameter constraints, as torch's does.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor

__all__ = [
    "Constraint", "boolean", "cat", "dependent", "dependent_property", "greater_than",
    "greater_than_eq", "half_open_interval", "independent", "integer_interval", "interval",
    "is_dependent", "less_than", "lower_cholesky", "lower_triangular", "multinomial",
    "nonnegative", "nonnegative_integer", "one_hot", "positive", "positive_definite",
    "positive_integer", "positive_semidefinite", "real", "real_vector", "simplex",
    "square", "symmetric", "unit_interval",
]


def _arr(value: Any) -> np.ndarray:
    return value.array if isinstance(value, Tensor) else np.asarray(value)


def _bool(a: Any) -> Tensor:
    return as_tensor(np.asarray(a, dtype=bool))


def _is_int(v: np.ndarray) -> np.ndarray:
    """Whether each entry is a whole number (False at nan and inf, quietly)."""
    with np.errstate(invalid="ignore"):
        return v % 1 == 0


class Constraint:
    """Base class: a region over which a variable is valid.

    Attributes:
        is_discrete (bool): whether the space is discrete. Default: False.
        event_dim (int): the number of rightmost dims forming one event. Default: 0.
    """
    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        """A bool Tensor: whether each event of ``value`` satisfies the constraint (every
        concrete constraint defines it; the base class, as torch's, does not)."""
        raise NotImplementedError(f"{type(self).__name__} does not define check(); "
                                  "subclass Constraint and define it")

    def __repr__(self) -> str:
        return self.__class__.__name__[1:] + "()"


class _Dependent(Constraint):
    """A placeholder for a variable whose support depends on other variables; it has no
    ``check``."""

    def __init__(self, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> "_Dependent":
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a ``dependent`` placeholder."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property of a distribution whose value is a constraint built from its parameters
    (``support`` of ``Uniform``); on the class it is a ``dependent`` placeholder."""

    def __init__(self, fn: Callable | None = None, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented):
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn: Callable) -> "_DependentProperty":   # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """``base_constraint`` with its ``reinterpreted_batch_ndims`` rightmost batch dims
    reinterpreted as event dims: an event is valid when all its entries are."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int):
        if not isinstance(base_constraint, Constraint):
            raise TypeError(f"independent: base_constraint must be a Constraint, got "
                            f"{type(base_constraint).__name__}")
        if not isinstance(reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError(f"independent: reinterpreted_batch_ndims must be a non-negative "
                             f"int, got {reinterpreted_batch_ndims!r}")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Any) -> Tensor:
        result = _arr(self.base_constraint.check(value))
        if result.ndim < self.reinterpreted_batch_ndims:
            expected = self.base_constraint.event_dim + self.reinterpreted_batch_ndims
            raise ValueError(f"Expected value.dim() >= {expected} but got {np.ndim(_arr(value))}")
        n = self.reinterpreted_batch_ndims
        result = result.reshape(result.shape[:result.ndim - n] + (-1,)).all(-1)
        return _bool(result)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__[1:]}({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


class _Boolean(Constraint):
    """{0, 1}."""
    is_discrete = True

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((v == 0) | (v == 1))


class _OneHot(Constraint):
    """One-hot vectors: entries in {0, 1} summing to 1 over the last dim."""
    is_discrete = True
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(((v == 0) | (v == 1)).all(-1) & (v.sum(-1) == 1))


class _IntegerInterval(Constraint):
    """Integers in [lower_bound, upper_bound]."""
    is_discrete = True

    def __init__(self, lower_bound: Any, upper_bound: Any):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(_is_int(v) & (_arr(self.lower_bound) <= v) & (v <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _IntegerLessThan(Constraint):
    """Integers <= upper_bound."""
    is_discrete = True

    def __init__(self, upper_bound: Any):
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(_is_int(v) & (v <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__[1:]}(upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    """Integers >= lower_bound."""
    is_discrete = True

    def __init__(self, lower_bound: Any):
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(_is_int(v) & (v >= _arr(self.lower_bound)))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound})"


class _Real(Constraint):
    """The extended real line (-inf, inf); NaN is not in it."""

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(v == v)


class _GreaterThan(Constraint):
    """(lower_bound, inf]."""

    def __init__(self, lower_bound: Any):
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(self.lower_bound) < _arr(value))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    """[lower_bound, inf]."""

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(self.lower_bound) <= _arr(value))


class _LessThan(Constraint):
    """[-inf, upper_bound)."""

    def __init__(self, upper_bound: Any):
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(value) < _arr(self.upper_bound))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__[1:]}(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    """[lower_bound, upper_bound]."""

    def __init__(self, lower_bound: Any, upper_bound: Any):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((_arr(self.lower_bound) <= v) & (v <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _HalfOpenInterval(_Interval):
    """[lower_bound, upper_bound)."""

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((_arr(self.lower_bound) <= v) & (v < _arr(self.upper_bound)))


class _Simplex(Constraint):
    """The unit simplex of the last dim: entries >= 0 summing to 1 (within 1e-6)."""
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((v >= 0).all(-1) & (np.abs(v.sum(-1) - 1) < 1e-6))


class _Multinomial(Constraint):
    """Non-negative integer vectors summing to at most ``upper_bound``."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: Any):
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((v >= 0).all(-1) & (v.sum(-1) <= _arr(self.upper_bound)))


class _Square(Constraint):
    """Square matrices."""
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool(np.full(v.shape[:-2], v.shape[-2] == v.shape[-1], dtype=bool))


class _Symmetric(_Square):
    """Symmetric square matrices (to 1e-6)."""

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        if v.shape[-2] != v.shape[-1]:
            return _bool(np.zeros(v.shape[:-2], bool))
        return _bool(np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6).all((-2, -1)))


class _PositiveSemidefinite(_Symmetric):
    """Symmetric positive semi-definite matrices."""

    def check(self, value: Any) -> Tensor:
        sym = _arr(super().check(value))
        if not sym.all():
            return _bool(sym)
        return _bool(np.linalg.eigvalsh(_arr(value)).min(-1) >= 0)


class _PositiveDefinite(_Symmetric):
    """Symmetric positive-definite matrices (a Cholesky factorisation exists)."""

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        sym = _arr(super().check(value))
        if not sym.all():
            return _bool(sym)
        ok = np.zeros(v.shape[:-2], bool)
        for idx in np.ndindex(ok.shape):      # per matrix: a failed factorisation raises
            try:
                np.linalg.cholesky(v[idx])
                ok[idx] = True
            except np.linalg.LinAlgError:
                ok[idx] = False
        return _bool(ok)


class _LowerTriangular(Constraint):
    """Lower-triangular square matrices."""
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        return _bool((np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).min(-1))


class _LowerCholesky(Constraint):
    """Lower-triangular square matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        tri = (np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).min(-1)
        pos = (np.diagonal(v, axis1=-2, axis2=-1) > 0).min(-1)
        return _bool(tri & pos)


class _Cat(Constraint):
    """Constraints ``cseq`` applied to consecutive pieces (``lengths``) of dim ``dim``."""

    def __init__(self, cseq: list, dim: int = 0, lengths: list | None = None):
        self.cseq = list(cseq)
        self.lengths = list(lengths) if lengths is not None else [1] * len(self.cseq)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"cat: {len(self.cseq)} constraints but {len(self.lengths)} lengths")
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        v = _arr(value)
        parts, start = [], 0
        for c, n in zip(self.cseq, self.lengths):
            parts.append(_arr(c.check(np.take(v, range(start, start + n), axis=self.dim))))
            start += n
        return _bool(np.concatenate(parts, axis=self.dim))


# ---- torch's names ------------------------------------------------------------------
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
