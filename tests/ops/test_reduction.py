"""Tests of nnlite/ops/reduction.py: sum mean var std max min amax amin logsumexp prod
argmax argmin softmax log_softmax.

One table (``SPECS``) drives the gradient checks, the torch parity tests, the float32
tests and the double-backward tests; each entry calls the op as ``fn(x, dim, keepdim)``.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import nnlite as nl

from ._parity import check_double_backward, check_float32, check_parity, gradcheck
from ._shape_helpers import arrays, randn, shapes


# ============================================================================
# The table
# ============================================================================
class Red(NamedTuple):
    name: str
    nl: Callable                 # (x, dim, keepdim) -> Tensor or (values, indices)
    th: Callable | None          # the torch equivalent (None: no parity test)
    dims: str = "tuple"          # which dims to draw: tuple / int / int_only / none
    empty: bool = False          # size-0 axes are legal
    min_count: int = 1           # elements each reduced slice must have
    grad: bool = True
    double: bool = True          # double backward is supported


def _all(x: Any, dim: Any) -> Any:
    """torch spelling of "every dim" for ops that take a dim tuple."""
    return tuple(range(max(x.ndim, 1))) if dim is None else dim


def _th(name: str, **kw: Any) -> Callable:
    """torch.<name>(x, dim=..., keepdim=..., **kw), dim None meaning all dims."""
    def f(x: Any, dim: Any, keepdim: bool) -> Any:
        import torch
        return getattr(torch, name)(x, dim=_all(x, dim), keepdim=keepdim, **kw)
    return f


def _th_prod(x: Any, dim: Any, keepdim: bool) -> Any:
    import torch
    if dim is None:
        y = torch.prod(x)
        return y.reshape((1,) * x.ndim) if keepdim else y
    return torch.prod(x, dim, keepdim)


def _nl(name: str, **kw: Any) -> Callable:
    return lambda x, dim, keepdim: getattr(nl, name)(x, dim, keepdim=keepdim, **kw)


def _th_dim(name: str) -> Callable:
    """torch ops that take an int dim and no keepdim (softmax, log_softmax)."""
    def f(x: Any, dim: Any, keepdim: bool) -> Any:
        import torch
        return getattr(torch, name)(x, dim)
    return f


SPECS = [
    Red("sum", _nl("sum"), _th("sum"), empty=True),
    Red("mean", _nl("mean"), _th("mean")),
    Red("var", _nl("var"), _th("var"), min_count=2),
    Red("var_biased", _nl("var", unbiased=False), _th("var", unbiased=False)),
    Red("var_correction2", _nl("var", correction=2), _th("var", correction=2), min_count=3),
    Red("var_ddof0", lambda x, d, k: nl.var(x, axis=d, keepdims=k, ddof=0),
        _th("var", correction=0)),
    Red("std", _nl("std"), _th("std"), min_count=2),
    Red("std_biased", _nl("std", unbiased=False), _th("std", unbiased=False), min_count=2),
    Red("std_correction2", _nl("std", correction=2), _th("std", correction=2), min_count=3),
    Red("std_ddof0", lambda x, d, k: nl.std(x, axis=d, keepdims=k, ddof=0),
        _th("std", correction=0), min_count=2),
    Red("amax", _nl("amax"), _th("amax")),
    Red("amin", _nl("amin"), _th("amin")),
    Red("max_full", lambda x, d, k: nl.max(x), lambda x, d, k: x.max(), dims="none"),
    Red("min_full", lambda x, d, k: nl.min(x), lambda x, d, k: x.min(), dims="none"),
    Red("max_dim", _nl("max"), lambda x, d, k: x.max(d, k), dims="int_only"),
    Red("min_dim", _nl("min"), lambda x, d, k: x.min(d, k), dims="int_only"),
    Red("logsumexp", _nl("logsumexp"), _th("logsumexp"), empty=True),
    Red("prod", _nl("prod"), _th_prod, dims="int", empty=True, double=False),
    Red("prod_dims", _nl("prod"), None, empty=True, double=False),
    Red("softmax", lambda x, d, k: nl.softmax(x, d), _th_dim("softmax"), dims="int_only",
        empty=True),
    Red("log_softmax", lambda x, d, k: nl.log_softmax(x, d), _th_dim("log_softmax"),
        dims="int_only", empty=True),
    Red("argmax", _nl("argmax"), lambda x, d, k: x.argmax(d, k), dims="int", grad=False),
    Red("argmin", _nl("argmin"), lambda x, d, k: x.argmin(d, k), dims="int", grad=False),
]
GRAD = [s for s in SPECS if s.grad]
PARITY = [s for s in SPECS if s.th is not None]
DOUBLE = [s for s in SPECS if s.grad and s.double and s.th is not None]


def ids(specs: list) -> list:
    return [s.name for s in specs]


# ---- drawing a case ----------------------------------------------------------------
@st.composite
def dims(draw: Any, ndim: int, kind: str) -> Any:
    n = max(ndim, 1)
    one = st.integers(-n, n - 1)
    if kind == "none":
        return None
    if kind == "int_only":
        return draw(one)
    if kind == "int":
        return draw(st.none() | one)
    subset = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    tup = tuple(d - n if draw(st.booleans()) else d for d in subset)
    return draw(st.sampled_from([None, tup[0], tup]))


def _count(shape: tuple, dim: Any) -> int:
    if dim is None:
        return int(np.prod(shape))
    ds = {d % max(len(shape), 1) for d in ((dim,) if isinstance(dim, int) else dim)}
    return int(np.prod([shape[d] for d in ds])) if shape else 1


@st.composite
def red_case(draw: Any, spec: Red) -> tuple:
    shape = draw(shapes(min_side=0 if spec.empty else 1))
    dim = draw(dims(len(shape), spec.dims))
    if spec.min_count > 1:
        assume(_count(shape, dim) >= spec.min_count)
    return draw(arrays(shape)), dim, draw(st.booleans())


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
@pytest.mark.parametrize("spec", GRAD, ids=ids(GRAD))
@given(data=st.data())
def test_gradcheck(spec: Red, data: Any) -> None:
    x, dim, keepdim = data.draw(red_case(spec))
    gradcheck(lambda t: spec.nl(t, dim, keepdim), [x])


@pytest.mark.parametrize("spec", PARITY, ids=ids(PARITY))
@given(data=st.data())
def test_torch_parity(torch, spec: Red, data: Any) -> None:
    x, dim, keepdim = data.draw(red_case(spec))
    check_parity(torch, lambda t: spec.nl(t, dim, keepdim), lambda t: spec.th(t, dim, keepdim),
                 [x])


def _fixed_dims(spec: Red) -> list:
    return {"none": [None], "int_only": [1, -1], "int": [None, 1],
            "tuple": [None, -1, (0, 2)]}[spec.dims]


@pytest.mark.parametrize("spec", GRAD, ids=ids(GRAD))
def test_float32_stays_float32(spec: Red) -> None:
    for dim in _fixed_dims(spec):
        check_float32(lambda t: spec.nl(t, dim, False), [randn((3, 4, 3))],
                      create_graph=spec.double)


@pytest.mark.filterwarnings("ignore:Degrees of freedom <= 0:RuntimeWarning")
@pytest.mark.parametrize("spec", GRAD, ids=ids(GRAD))
def test_zero_dim_float32_stays_float32(spec: Red) -> None:
    """A 0-d input, and a 0-d result fed back through a reduction over a 1-d input (NumPy
    1.x promotes 0-d float32 with a Python number to float64)."""
    dims = [d for d in _fixed_dims(spec) if d is None] or [0]
    for dim in dims:
        with np.errstate(divide="ignore", invalid="ignore"):     # var/std of one element
            check_float32(lambda t: spec.nl(t, dim, False), [randn(())],
                          create_graph=spec.double)


@pytest.mark.parametrize("spec", DOUBLE, ids=ids(DOUBLE))
def test_double_backward(torch, spec: Red) -> None:
    for dim in _fixed_dims(spec):
        for keepdim in (False, True):
            check_double_backward(torch, lambda t: spec.nl(t, dim, keepdim),
                                  lambda t: spec.th(t, dim, keepdim), [randn((3, 4, 3))])


def test_prod_refuses_double_backward_clearly() -> None:
    x = nl.tensor(randn((3,)), requires_grad=True)
    (g,) = nl.autograd.grad(nl.prod(x), x, create_graph=False)
    assert g.shape == (3,)
    with pytest.raises(RuntimeError, match="Prod"):
        nl.autograd.grad(nl.prod(x), x, create_graph=True)


# ============================================================================
# NumPy spellings (axis / keepdims), on the functions and on the Tensor methods
# ============================================================================
NUMPY = [("sum", np.sum, {}), ("mean", np.mean, {}), ("var", np.var, {"ddof": 1}),
         ("std", np.std, {"ddof": 1}), ("amax", np.amax, {}), ("amin", np.amin, {}),
         ("prod", np.prod, {}), ("logsumexp", None, {})]


@pytest.mark.parametrize("name, np_fn, kw", NUMPY, ids=[n for n, _, _ in NUMPY])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (-1, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_axis_keepdims_spelling(name: str, np_fn: Any, kw: dict, axis: Any,
                                keepdims: bool) -> None:
    x = nl.tensor(randn((2, 3, 4)))
    torch_style = getattr(nl, name)(x, dim=axis, keepdim=keepdims)
    for y in (getattr(nl, name)(x, axis=axis, keepdims=keepdims),
              getattr(x, name)(axis=axis, keepdims=keepdims),
              getattr(x, name)(axis, keepdim=keepdims)):
        np.testing.assert_array_equal(y.array, torch_style.array)
    if np_fn is not None:
        np.testing.assert_allclose(torch_style.array, np_fn(x.array, axis=axis,
                                                           keepdims=keepdims, **kw),
                                   rtol=1e-12)


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_axis_keepdims_spelling_with_indices(name: str, keepdims: bool) -> None:
    x = nl.tensor(randn((2, 3, 4)))
    ref = getattr(nl, name)(x, dim=-2, keepdim=keepdims)
    for y in (getattr(nl, name)(x, axis=-2, keepdims=keepdims),
              getattr(x, name)(axis=-2, keepdims=keepdims)):
        for a, b in zip(y if isinstance(y, tuple) else (y,),
                        ref if isinstance(ref, tuple) else (ref,)):
            np.testing.assert_array_equal(a.array, b.array)
    if name.startswith("arg"):
        np_fn = getattr(np, name)
        np.testing.assert_array_equal(ref.array, np_fn(x.array, axis=-2, keepdims=keepdims))
        np.testing.assert_array_equal(getattr(nl, name)(x).array, np_fn(x.array))


def test_max_returns_named_values_and_indices() -> None:
    x = nl.tensor(randn((3, 4)))
    r = nl.max(x, 1)
    values, indices = r
    assert r.values is values and r.indices is indices
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.array, x.array.argmax(1))


def test_max_dim_is_one_node_whose_indices_get_no_gradient() -> None:
    x = nl.tensor(randn((3, 4)), requires_grad=True)
    values, indices = nl.max(x, 1)
    assert values.grad_fn.name() == "MaxDimBackward"
    assert not indices.requires_grad and indices.grad_fn is None
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, x.array == x.array.max(1, keepdims=True))


def test_torch_empty_dim_tuple_reduces_everything_numpy_axis_reduces_nothing(torch) -> None:
    a = randn((2, 3))
    x = nl.tensor(a)
    for name in ("sum", "mean", "amax"):
        np.testing.assert_allclose(getattr(nl, name)(x, ()).array,
                                   getattr(torch, name)(torch.tensor(a), dim=()).numpy())
        np.testing.assert_array_equal(getattr(nl, name)(x, axis=()).array,
                                      getattr(np, name)(a, axis=()))


# ============================================================================
# Semantics to match torch: ties, elementwise max, zeros in prod, empty axes
# ============================================================================
TIES = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 0.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])
TIE_OPS = [("max", lambda x: nl.max(x), lambda x: x.max()),
           ("min", lambda x: nl.min(x), lambda x: x.min()),
           ("amax_dim", lambda x: nl.amax(x, 1), lambda x: x.amax(1)),
           ("amin_dim", lambda x: nl.amin(x, 0), lambda x: x.amin(0)),
           ("amax_all", lambda x: nl.amax(x, (0, 1)), lambda x: x.amax((0, 1))),
           ("max_dim", lambda x: nl.max(x, 1), lambda x: x.max(1)),
           ("min_dim", lambda x: nl.min(x, 0, True), lambda x: x.min(0, True))]


@pytest.mark.parametrize("name, f, g", TIE_OPS, ids=[n for n, _, _ in TIE_OPS])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_ties_follow_torch(torch, name: str, f: Callable, g: Callable, sign: float) -> None:
    """Full max/amax share the gradient evenly among ties; max(dim) sends it to the
    returned index."""
    check_parity(torch, f, g, [sign * TIES])


@given(shape_a=shapes(max_dims=2), shape_b=shapes(max_dims=2), seed=st.integers(0, 99))
@pytest.mark.parametrize("name", ["max", "min"])
def test_elementwise_max_min_of_two_tensors(torch, name: str, shape_a: tuple, shape_b: tuple,
                                            seed: int) -> None:
    try:
        np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        assume(False)
    a, b = randn(shape_a, seed), randn(shape_b, seed + 1000)
    check_parity(torch, getattr(nl, name), getattr(torch, name), [a, b])
    gradcheck(getattr(nl, name), [a, b])


ZEROS = {"none": [1.5, -2.0, 0.5, 3.0], "one": [1.5, 0.0, 0.5, 3.0],
         "two": [0.0, -2.0, 0.0, 3.0], "all": [0.0, 0.0, 0.0, 0.0]}


@pytest.mark.parametrize("zeros", list(ZEROS), ids=list(ZEROS))
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_prod_with_zeros(torch, zeros: str, dim: Any) -> None:
    """The gradient of a product with zeros is the product of the others, not 0/0."""
    row = np.array(ZEROS[zeros])
    x = np.stack([row, np.roll(row, 1), randn((4,))])       # (3, 4)
    check_parity(torch, lambda t: nl.prod(t, dim), lambda t: _th_prod(t, dim, False), [x])
    check_parity(torch, lambda t: nl.prod(t, dim, True), lambda t: _th_prod(t, dim, True), [x])
    gradcheck(lambda t: nl.prod(t, dim), [x])


EMPTY = [("sum", 0.0), ("prod", 1.0), ("logsumexp", -np.inf)]


@pytest.mark.parametrize("name, value", EMPTY, ids=[n for n, _ in EMPTY])
def test_reduce_over_an_empty_axis(name: str, value: float) -> None:
    x = nl.tensor(np.zeros((2, 0, 3)), requires_grad=True)
    y = getattr(nl, name)(x, 1)
    np.testing.assert_array_equal(y.array, np.full((2, 3), value))
    y.backward(np.ones((2, 3)))
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_rows_and_stability(torch, name: str) -> None:
    a = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])
    check_parity(torch, lambda t: getattr(nl, name)(t, -1),
                 lambda t: getattr(torch, name)(t, -1), [a])
    if name == "softmax":
        np.testing.assert_allclose(nl.softmax(nl.tensor(randn((3, 5))), 0).array.sum(0), 1.0)


def test_softmax_numpy_axis_spelling() -> None:
    x = nl.tensor(randn((3, 4)))
    for name in ("softmax", "log_softmax"):
        np.testing.assert_array_equal(getattr(nl, name)(x, axis=0).array,
                                      getattr(nl, name)(x, 0).array)


# ============================================================================
# Bad input
# ============================================================================
OUT_OF_RANGE = [("sum", lambda x: nl.sum(x, 3)), ("mean", lambda x: nl.mean(x, (0, -4))),
                ("var", lambda x: nl.var(x, 3)), ("std", lambda x: x.std(axis=-4)),
                ("amax", lambda x: nl.amax(x, 5)), ("amin", lambda x: nl.amin(x, (1, 3))),
                ("max", lambda x: nl.max(x, 3)), ("min", lambda x: x.min(-4)),
                ("logsumexp", lambda x: nl.logsumexp(x, 3)), ("prod", lambda x: nl.prod(x, 3)),
                ("argmax", lambda x: nl.argmax(x, 3)), ("argmin", lambda x: x.argmin(-4)),
                ("softmax", lambda x: nl.softmax(x, 3)),
                ("log_softmax", lambda x: nl.log_softmax(x, -4))]


@pytest.mark.parametrize("name, call", OUT_OF_RANGE, ids=[n for n, _ in OUT_OF_RANGE])
def test_out_of_range_dim_raises_index_error(name: str, call: Callable) -> None:
    x = nl.tensor(randn((2, 3, 4)))
    with pytest.raises(IndexError, match=rf"^{name}\b.*3 dim"):
        call(x)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "amax", "logsumexp", "prod"])
def test_dim_and_axis_together_is_a_type_error(name: str) -> None:
    with pytest.raises(TypeError, match=name):
        getattr(nl, name)(nl.tensor(randn((2, 3))), dim=0, axis=1)


def test_softmax_without_dim_and_max_of_empty() -> None:
    with pytest.raises(TypeError, match="softmax: dim is required"):
        nl.softmax(nl.tensor(randn((2, 3))))
    with pytest.raises(RuntimeError, match=r"cannot reduce an empty tensor of shape \(2, 0\)"):
        nl.amax(nl.tensor(np.zeros((2, 0))))
    with pytest.raises(IndexError, match=r"max: cannot reduce over dim 1 of size 0"):
        nl.max(nl.tensor(np.zeros((2, 0))), 1)


def test_mean_of_integers_and_var_with_positional_int() -> None:
    with pytest.raises(TypeError, match="mean: input dtype should be floating"):
        nl.mean(nl.tensor(np.arange(3)))
    with pytest.raises(TypeError, match="unbiased"):
        nl.var(nl.tensor(randn((2, 3))), 0, 1)
