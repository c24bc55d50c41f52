"""The distributions under test, each built the same way in nnlite and torch from the
same float64 parameters: ``build(D, p)`` takes the library's ``distributions`` module and
a dict of its leaves. ``values`` lie in the support (shape: some sample dims + batch +
event); ``quantiles`` in (0, 1) for ``icdf``.

``methods`` are the parity-checked results: properties (mean, mode, ...) and one-argument
methods (log_prob, cdf on ``values``; icdf on ``quantiles``; entropy)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

R = np.random.default_rng(1234)


def pos(*shape: int, lo: float = 0.5, hi: float = 2.0) -> np.ndarray:
    return R.uniform(lo, hi, shape)


def real(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def simplex(*shape: int) -> np.ndarray:
    p = R.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def lower_cholesky(*batch: int, n: int = 3) -> np.ndarray:
    L = np.tril(R.standard_normal(batch + (n, n)) * 0.3)
    idx = np.arange(n)
    L[..., idx, idx] = R.uniform(0.5, 1.5, batch + (n,))
    return L


def spd(*batch: int, n: int = 3) -> np.ndarray:
    L = lower_cholesky(*batch, n=n)
    return L @ np.swapaxes(L, -1, -2)


@dataclass
class Case:
    name: str
    build: Callable[[Any, dict], Any]
    params: dict
    values: np.ndarray | None = None
    methods: tuple = ("log_prob", "entropy", "mean", "variance", "stddev", "mode")
    quantiles: np.ndarray | None = None
    rsample: bool = False            # rsample is a deterministic function of the params
    moments: bool = True             # sample mean / variance match mean / variance
    tol: tuple = (1e-9, 1e-11)       # rtol, atol
    extra: dict = field(default_factory=dict)


Q = R.uniform(0.05, 0.95, (4, 3))
CONT = ("log_prob", "entropy", "cdf", "icdf", "mean", "variance", "stddev", "mode")

CASES = [
    Case("Normal", lambda D, p: D.Normal(p["loc"], p["scale"]),
         {"loc": real(3), "scale": pos(3)}, real(4, 3), CONT, Q, rsample=True),
    Case("Normal-broadcast", lambda D, p: D.Normal(p["loc"], p["scale"]),
         {"loc": real(2, 1), "scale": pos(3)}, real(4, 2, 3), CONT, R.uniform(0.1, 0.9, (2, 3)),
         rsample=True),
    Case("Uniform", lambda D, p: D.Uniform(p["low"], p["low"] + p["width"]),
         {"low": real(3), "width": pos(3)}, None,
         ("log_prob", "entropy", "cdf", "icdf", "mean", "variance", "stddev"), Q, rsample=True),
    Case("Exponential", lambda D, p: D.Exponential(p["rate"]), {"rate": pos(3)},
         pos(4, 3, lo=0.01, hi=3), CONT, Q, rsample=True),
    Case("Laplace", lambda D, p: D.Laplace(p["loc"], p["scale"]),
         {"loc": real(3), "scale": pos(3)}, real(4, 3) + 0.1, CONT, Q, rsample=True),
    Case("Categorical-probs", lambda D, p: D.Categorical(probs=p["probs"]),
         {"probs": simplex(2, 4)}, R.integers(0, 4, (5, 2)),
         ("log_prob", "entropy", "mode", "mean", "variance", "probs", "logits")),
    Case("Categorical-logits", lambda D, p: D.Categorical(logits=p["logits"]),
         {"logits": real(2, 4)}, R.integers(0, 4, (5, 2)),
         ("log_prob", "entropy", "mode", "probs", "logits")),
    Case("Bernoulli-probs", lambda D, p: D.Bernoulli(probs=p["probs"]),
         {"probs": R.uniform(0.05, 0.95, 5)}, R.integers(0, 2, (4, 5)).astype(float),
         ("log_prob", "entropy", "mean", "variance", "mode", "logits")),
    Case("Bernoulli-logits", lambda D, p: D.Bernoulli(logits=p["logits"]),
         {"logits": real(5)}, R.integers(0, 2, (4, 5)).astype(float),
         ("log_prob", "entropy", "mean", "variance", "probs")),
    Case("OneHotCategorical", lambda D, p: D.OneHotCategorical(probs=p["probs"]),
         {"probs": simplex(2, 4)}, np.eye(4)[R.integers(0, 4, (5, 2))],
         ("log_prob", "entropy", "mean", "variance", "mode")),
    Case("OneHotCategorical-logits", lambda D, p: D.OneHotCategorical(logits=p["logits"]),
         {"logits": real(3)}, np.eye(3)[R.integers(0, 3, (5,))],
         ("log_prob", "entropy", "mean", "variance", "mode")),
    Case("MVN-scale_tril", lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["L"]),
         {"loc": real(2, 3), "L": lower_cholesky()}, real(4, 2, 3),
         ("log_prob", "entropy", "mean", "variance", "mode", "covariance_matrix",
          "precision_matrix", "scale_tril"), rsample=True),
    Case("MVN-covariance", lambda D, p: D.MultivariateNormal(
        p["loc"], covariance_matrix=(p["C"] + p["C"].transpose(-1, -2)) / 2),
         {"loc": real(3), "C": spd(2)}, real(4, 2, 3),
         ("log_prob", "entropy", "variance", "scale_tril", "precision_matrix"), rsample=True,
         tol=(1e-8, 1e-10)),
    Case("MVN-precision", lambda D, p: D.MultivariateNormal(
        p["loc"], precision_matrix=(p["P"] + p["P"].transpose(-1, -2)) / 2),
         {"loc": real(2, 3), "P": spd(2)}, real(4, 2, 3),
         ("log_prob", "entropy", "variance", "scale_tril", "covariance_matrix"), rsample=True,
         tol=(1e-8, 1e-10)),
    Case("Independent", lambda D, p: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
         {"loc": real(2, 3), "scale": pos(2, 3)}, real(4, 2, 3),
         ("log_prob", "entropy", "mean", "variance", "mode"), rsample=True),
    # ---- the second group ----
    Case("Gamma", lambda D, p: D.Gamma(p["concentration"], p["rate"]),
         {"concentration": pos(3, lo=0.5, hi=4), "rate": pos(3)}, pos(4, 3, lo=0.05, hi=4),
         ("log_prob", "entropy", "cdf", "mean", "variance", "mode"), tol=(1e-8, 1e-10),
         extra={"cdf_no_grad": ("concentration",)}),     # torch has no igamma derivative
    Case("Chi2", lambda D, p: D.Chi2(p["df"]), {"df": pos(3, lo=1, hi=5)},
         pos(4, 3, lo=0.05, hi=4), ("log_prob", "entropy", "mean", "variance", "mode")),
    Case("Beta", lambda D, p: D.Beta(p["a"], p["b"]),
         {"a": pos(3, lo=0.5, hi=3), "b": pos(3, lo=0.5, hi=3)}, R.uniform(0.05, 0.95, (4, 3)),
         ("log_prob", "entropy", "mean", "variance", "mode"), tol=(1e-8, 1e-10)),
    Case("Dirichlet", lambda D, p: D.Dirichlet(p["concentration"]),
         {"concentration": pos(2, 4, lo=0.5, hi=3)}, simplex(5, 2, 4),
         ("log_prob", "entropy", "mean", "variance", "mode"), tol=(1e-8, 1e-10)),
    Case("Poisson", lambda D, p: D.Poisson(p["rate"]), {"rate": pos(3, lo=0.5, hi=6)},
         R.integers(0, 8, (4, 3)).astype(float), ("log_prob", "mean", "variance", "mode")),
    Case("Binomial-probs", lambda D, p: D.Binomial(7, probs=p["probs"]),
         {"probs": R.uniform(0.1, 0.9, 3)}, R.integers(0, 8, (4, 3)).astype(float),
         ("log_prob", "entropy", "mean", "variance", "mode")),
    Case("Binomial-logits", lambda D, p: D.Binomial(p["n"].detach() * 0 + 5,
                                                    logits=p["logits"]),
         {"n": np.ones(3), "logits": real(3)}, R.integers(0, 6, (4, 3)).astype(float),
         ("log_prob", "entropy", "mean", "variance")),
    Case("Geometric", lambda D, p: D.Geometric(probs=p["probs"]),
         {"probs": R.uniform(0.2, 0.9, 3)}, R.integers(0, 6, (4, 3)).astype(float),
         ("log_prob", "entropy", "mean", "variance", "mode")),
    Case("Geometric-logits", lambda D, p: D.Geometric(logits=p["logits"]),
         {"logits": real(3)}, R.integers(0, 6, (4, 3)).astype(float),
         ("log_prob", "entropy", "mean", "variance", "probs")),
    Case("LogNormal", lambda D, p: D.LogNormal(p["loc"], p["scale"] * 0.5),
         {"loc": real(3) * 0.3, "scale": pos(3)}, pos(4, 3, lo=0.1, hi=3), CONT, Q,
         rsample=True),
    Case("Cauchy", lambda D, p: D.Cauchy(p["loc"], p["scale"]),
         {"loc": real(3), "scale": pos(3)}, real(4, 3),
         ("log_prob", "entropy", "cdf", "icdf", "mode"), Q, rsample=True, moments=False),
    Case("StudentT", lambda D, p: D.StudentT(p["df"], p["loc"], p["scale"]),
         {"df": pos(3, lo=2.5, hi=8), "loc": real(3), "scale": pos(3)}, real(4, 3),
         ("log_prob", "entropy", "mean", "variance", "mode"), tol=(1e-8, 1e-10),
         moments=False),
    Case("Gumbel", lambda D, p: D.Gumbel(p["loc"], p["scale"]),
         {"loc": real(3), "scale": pos(3)}, real(4, 3),
         ("log_prob", "entropy", "cdf", "icdf", "mean", "variance", "stddev", "mode"), Q,
         rsample=True),
]
CASES += [
    Case("RelaxedBernoulli", lambda D, p: D.RelaxedBernoulli(p["t"], p["probs"]),
         {"t": np.array(0.7), "probs": R.uniform(0.1, 0.9, 3)}, R.uniform(0.05, 0.95, (4, 3)),
         ("log_prob",), rsample=True, moments=False),
    Case("LogitRelaxedBernoulli",
         lambda D, p: D.relaxed_bernoulli.LogitRelaxedBernoulli(p["t"], logits=p["l"]),
         {"t": np.array(1.3), "l": real(3)}, real(4, 3), ("log_prob",), rsample=True,
         moments=False),
    Case("RelaxedOneHotCategorical", lambda D, p: D.RelaxedOneHotCategorical(p["t"], p["probs"]),
         {"t": np.array(0.8), "probs": simplex(2, 3)}, simplex(4, 2, 3), ("log_prob",),
         rsample=True, moments=False),
    Case("ExpRelaxedCategorical",
         lambda D, p: D.relaxed_categorical.ExpRelaxedCategorical(p["t"], logits=p["l"]),
         {"t": np.array(1.5), "l": real(2, 3)}, np.log(simplex(4, 2, 3)), ("log_prob",),
         rsample=True, moments=False),
]
CASES[2].values = CASES[2].params["low"] + R.uniform(0.01, 0.99, (4, 3)) * CASES[2].params["width"]

BY_NAME = {c.name: c for c in CASES}


def leaves(lib: Any, params: dict) -> dict:
    """The parameters as float64 leaves of ``lib`` that require grad."""
    return {k: lib.tensor(np.array(v, dtype=np.float64), requires_grad=True)
            for k, v in params.items()}


def value_tensor(lib: Any, case: Case, values: np.ndarray) -> Any:
    if np.asarray(values).dtype.kind in "iu":
        return lib.tensor(np.asarray(values, dtype=np.int64))
    return lib.tensor(np.array(values, dtype=np.float64))
