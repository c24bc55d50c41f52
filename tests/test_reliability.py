"""Regression tests for the reliability defects of issue 15 (section B), one group per
defect, each with torch as the reference: the same code runs under both libraries (a
function of the library module ``L``) and must give the same values, dtypes and shapes
(float64, 1e-9), the same NaN pattern, or an error of torch's type in both.

B1  masked backward rules select (no NaN * 0 leaking into dropped entries)
B2  std/var gradients on constant and degenerate inputs
B4  grad-mode context managers as decorators of generators, classes, bare
B5  dtype promotion by torch's rules; matrix products refuse mixed dtypes
B6  softmax / log_softmax of integer tensors; their dtype= argument
B7  errors where torch raises: relu of bool, integer division by zero
B8  reductions of empty tensors
B11 relu / maximum / minimum / clamp gradients at a NaN input
B12 corrupt checkpoints: one ValueError, before any large allocation; torch's signatures
"""
from __future__ import annotations

import io
import itertools
import json
import struct
import warnings
import zipfile
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn.functional as F

NAN, INF = float("nan"), float("inf")


# ============================================================================
# Running the same code under both libraries
# ============================================================================
def arr(x: Any) -> Any:
    """A value of either library as a NumPy array (tuples/lists element by element)."""
    if isinstance(x, (tuple, list)):
        return [arr(v) for v in x]
    if isinstance(x, nl.Tensor):
        return np.asarray(x.array)
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return x if x is None else np.asarray(x)


def outcome(L: Any, fn: Callable) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return True, arr(fn(L))
        except Exception as e:         # noqa: BLE001 - the outcome is what is compared
            return False, e


def assert_same(ours: Any, theirs: Any, what: str = "", tol: float = 1e-9) -> None:
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), what
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{what}[{k}]", tol)
        return
    if theirs is None or ours is None:          # an unused input: None or zeros
        assert not np.any(ours) and not np.any(theirs), what
        return
    assert isinstance(ours, np.ndarray), f"{what}: {type(ours).__name__}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype}, torch {theirs.dtype}"
    if ours.dtype.kind in "fc":
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, equal_nan=True,
                                   err_msg=what)
    else:
        np.testing.assert_array_equal(ours, theirs, err_msg=what)


def same_as_torch(torch: Any, fn: Callable, what: str = "", tol: float = 1e-9) -> None:
    """``fn(nl)`` and ``fn(torch)`` agree: equal results, or both raise, nnlite's error an
    instance of torch's error type."""
    ok, ours = outcome(nl, fn)
    tok, theirs = outcome(torch, fn)
    if not tok:
        assert not ok, f"{what}: torch raises {theirs!r}, nnlite returns {ours!r}"
        assert isinstance(ours, type(theirs)), (
            f"{what}: nnlite raises {type(ours).__name__}({ours}), torch "
            f"{type(theirs).__name__}({theirs})")
        return
    assert ok, f"{what}: nnlite raises {ours!r}, torch returns {theirs!r}"
    assert_same(ours, theirs, what, tol)


def grads(L: Any, fn: Callable, *values: Any, gy: Any = None, dtype: str = "float64") -> list:
    """``fn``'s output and the gradients of its float inputs for the upstream ``gy``
    (ones if None), in library ``L``."""
    xs = [L.tensor(np.asarray(v), dtype=getattr(L, dtype), requires_grad=True)
          if np.asarray(v).dtype.kind == "f" else L.tensor(np.asarray(v)) for v in values]
    y = fn(L, *xs)
    g = np.ones(y.shape) if gy is None else np.asarray(gy, dtype=np.float64)
    y.backward(L.tensor(g, dtype=y.dtype))
    return [y] + [x.grad for x in xs if x.requires_grad]


def same_grads(torch: Any, fn: Callable, *values: Any, gy: Any = None) -> None:
    ours = [arr(v) for v in grads(nl, fn, *values, gy=gy)]
    theirs = [arr(v) for v in grads(torch, fn, *values, gy=gy)]
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert_same(a, b, "output" if k == 0 else f"gradient {k}")


# ============================================================================
# B1: masked backward rules select instead of multiplying by a 0/1 mask
# ============================================================================
def test_b1_attention_with_a_fully_masked_row(torch) -> None:
    """The issue's example: a padded (fully masked) row gives torch's gradients (zeros
    there), not NaN rows; the softmax output keeps torch's NaN row."""
    rng = np.random.default_rng(0)
    s = rng.standard_normal((3, 4))
    m = np.array([[0, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 1]], bool)

    def run(L: Any) -> list:
        st_ = L.tensor(s, requires_grad=True)
        p = L.softmax(st_.masked_fill(L.tensor(m), -INF), 1)
        p.masked_fill(L.tensor(m), 0).sum().backward()
        return [p, st_.grad]

    ours, theirs = outcome(nl, run), outcome(torch, run)
    assert ours[0] and theirs[0]
    assert np.isnan(ours[1][0][1]).all() and not np.isnan(ours[1][1]).any()
    assert_same(ours[1], theirs[1], "attention", tol=1e-12)


# upstream gradients with NaN / inf exactly where each rule drops the gradient
MASKED_RULES = {
    "masked_fill": (lambda L, x: x.masked_fill(L.tensor(np.array([1, 0, 1, 0], bool)), 0.0),
                    [[1.0, 2.0, 3.0, 4.0]], [NAN, 1.0, INF, 2.0]),
    "where_a": (lambda L, a, b: L.where(L.tensor(np.array([1, 0, 1, 0], bool)), a, b),
                [[1.0, 2, 3, 4], [5.0, 6, 7, 8]], [1.0, NAN, 2.0, INF]),
    "clamp": (lambda L, x: L.clamp(x, -1.0, 1.0), [[-2.0, 0.5, 2.0, 0.0]], [NAN, 1.0, INF, 2.0]),
    "clamp_min": (lambda L, x: L.clamp(x, min=0.0), [[-2.0, 0.5, -3.0, 1.0]],
                  [NAN, 1.0, -INF, 2.0]),
    "clamp_tensor": (lambda L, x, lo: L.clamp(x, min=lo), [[-2.0, 0.5, -3.0, 1.0],
                                                          [0.0, 0.0, 0.0, 0.0]],
                     [NAN, 1.0, INF, 2.0]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [[1.0, 5, 3, 2], [4.0, 2, 3, 1]],
                [NAN, INF, 2.0, 1.0]),
    "minimum": (lambda L, a, b: L.minimum(a, b), [[1.0, 5, 3, 2], [4.0, 2, 3, 1]],
                [NAN, INF, 2.0, 1.0]),
    "relu": (lambda L, x: L.relu(x), [[-1.0, 2.0, -3.0, 0.0]], [NAN, 1.0, INF, NAN]),
    "max_pool1d": (lambda L, x: F.max_pool1d(x, 2) if L is nl
                   else L.nn.functional.max_pool1d(x, 2),
                   [[[1.0, 3.0, 5.0, 4.0]]], [[NAN, INF]]),
    "max_pool2d_overlap": (lambda L, x: (F if L is nl else L.nn.functional).max_pool2d(
        x, 2, 1), [np.arange(9.0).reshape(1, 1, 3, 3)[..., ::-1, :].copy()],
        [[[[NAN, 1.0], [INF, 2.0]]]]),
    "amax": (lambda L, x: L.amax(x, 1), [[[1.0, 3.0], [2.0, 2.0]]], [NAN, 1.0]),
    "max_dim": (lambda L, x: L.max(x, 1)[0], [[[1.0, 3.0], [4.0, 2.0]]], [NAN, INF]),
}


@pytest.mark.parametrize("name", list(MASKED_RULES))
def test_b1_nan_upstream_gradient_does_not_leak(torch, name: str) -> None:
    fn, values, gy = MASKED_RULES[name]
    same_grads(torch, fn, *values, gy=gy)


@pytest.mark.parametrize("name", ["masked_fill", "where_a", "clamp", "clamp_tensor",
                                  "maximum", "relu", "max_pool2d_overlap"])
def test_b1_masked_rules_keep_double_backward(torch, name: str) -> None:
    """The selects are ops: second derivatives (w.r.t. the upstream gradient) as torch."""
    fn, values, _ = MASKED_RULES[name]
    rng = np.random.default_rng(1)

    def run(L: Any) -> list:
        xs = [L.tensor(np.asarray(v), requires_grad=True) for v in values]
        y = fn(L, *xs)
        gy = L.tensor(rng.standard_normal(y.shape), requires_grad=True)
        g = L.autograd.grad(y, xs, gy, create_graph=True)
        s = sum((gi * gi).sum() for gi in g)
        return list(L.autograd.grad(s, [gy] + xs, allow_unused=True))

    rng = np.random.default_rng(1)
    ours = outcome(nl, run)
    rng = np.random.default_rng(1)
    theirs = outcome(torch, run)
    assert ours[0] and theirs[0], (ours, theirs)
    assert_same(ours[1], theirs[1], name)


def test_b1_keep_where_leaves_a_saved_mask_alone() -> None:
    from nnlite.ops._util import keep_where
    g = np.array([NAN, 1.0, INF, -2.0])
    m = np.array([True, False, False, True])
    before = m.copy()
    np.testing.assert_array_equal(keep_where(g, m), [NAN, 0.0, 0.0, -2.0])
    np.testing.assert_array_equal(keep_where(g, m, keep=False), [0.0, 1.0, INF, 0.0])
    np.testing.assert_array_equal(m, before)


# ============================================================================
# B2: std / var gradients where the std is 0 or the correction eats every element
# ============================================================================
STD_CASES = [([1.0] * 5, {}), ([1.0], {}), ([1.0], {"correction": 0}), ([3.0] * 4, {"dim": 0}),
             ([[1.0, 1.0], [2.0, 3.0]], {"dim": 1}), ([1.0, 1.0, 2.0], {"correction": 3}),
             ([1.0, 1.0, 2.0], {"correction": 4}), ([1.0, 1.0, 2.0], {"correction": 3, "dim": 0}),
             ([1.0, 1.0, 2.0], {"correction": 4, "dim": 0}), ([1.0, 1.0, 1.0], {"correction": 3}),
             ([1.0, 1.0, 1.0], {"correction": 4, "dim": 0}), ([1.0, 1.0, 2.0], {"correction": 2.5}),
             ([1.0, 1.0, 2.0], {"correction": 0.5}), ([2.0], {"dim": 0}),
             ([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]], {"dim": (0, 1), "correction": 6}),
             ([[5.0, 5.0], [5.0, 5.0]], {"dim": (0, 1), "keepdim": True})]


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("name", ["std", "var"])
@pytest.mark.parametrize("values, kw", STD_CASES, ids=[str(i) for i in range(len(STD_CASES))])
def test_b2_std_var_gradients_as_torch(torch, name: str, values: list, kw: dict) -> None:
    same_grads(torch, lambda L, x: getattr(x, name)(**kw).sum(), values)


def test_b2_std_of_a_constant_has_zero_gradient() -> None:
    x = nl.ones(5, requires_grad=True)
    x.std().backward()
    np.testing.assert_array_equal(arr(x.grad), np.zeros(5, np.float32))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_b2_zero_dim_std(torch) -> None:
    same_grads(torch, lambda L, x: x.std(), 3.0)
    same_grads(torch, lambda L, x: x.var(correction=0), 3.0)


# ============================================================================
# B4: grad mode as a decorator of generators, classes, bare
# ============================================================================
def _grad_mode_script(L: Any) -> list:
    out = []

    @L.no_grad()
    def gen():
        for _ in range(2):
            yield L.is_grad_enabled()

    out += [list(gen()), L.is_grad_enabled()]

    @L.no_grad
    def bare():
        return L.is_grad_enabled()

    out.append(bare())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @L.no_grad()
        class C:
            def __init__(self):
                self.g = L.is_grad_enabled()

    out.append(C().g)
    with L.inference_mode(mode=False):
        out.append(L.is_grad_enabled())

    @L.inference_mode(False)
    def inf_false():
        return L.is_grad_enabled()

    @L.inference_mode
    def inf_bare():
        return L.is_grad_enabled()

    with L.no_grad():
        out += [inf_false(), inf_bare()]

    @L.enable_grad()
    def enabling():
        yield L.is_grad_enabled()

    with L.no_grad():
        out.append(next(enabling()))

    @L.set_grad_enabled(False)
    def switching():
        yield L.is_grad_enabled()
        yield L.is_grad_enabled()

    it = switching()
    out += [next(it), L.is_grad_enabled(), next(it)]

    @L.no_grad()
    def echo():
        x = yield L.is_grad_enabled()
        while True:
            x = yield (x, L.is_grad_enabled())

    it = echo()
    out += [next(it), it.send(5), L.is_grad_enabled()]
    it.close()

    @L.no_grad()
    def returning():
        yield 1
        return 5

    it = returning()
    next(it)
    try:
        next(it)
    except StopIteration as stop:
        out.append(stop.value)

    @L.no_grad()
    def catching():
        try:
            yield 1
        except ValueError:
            yield ("caught", L.is_grad_enabled())

    it = catching()
    next(it)
    out += [it.throw(ValueError("x")), L.is_grad_enabled()]
    x = L.ones(2, requires_grad=True)

    @L.no_grad()
    def records():
        for _ in range(2):
            yield x * 2

    out += [[y.requires_grad for y in records()], (x * 2).requires_grad]
    return out


def test_b4_grad_modes_decorate_like_torch(torch) -> None:
    ours = _grad_mode_script(nl)
    assert ours == _grad_mode_script(torch)
    assert ours[-2] == [False, False] and ours[-1] is True      # the issue's case


def test_b4_decorated_generator_keeps_its_name() -> None:
    @nl.no_grad()
    def batches():
        """Yield nothing."""
        yield from ()

    assert batches.__name__ == "batches" and batches.__doc__ == "Yield nothing."


# ============================================================================
# B5: dtype promotion as torch
# ============================================================================
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
          "float64", "complex64", "complex128"]
NUMBERS = [True, 2, 2.5, 1 + 2j]


def dtype_of(L: Any, name: str) -> Any:
    """The dtype called ``name`` in library ``L`` (nnlite's are NumPy dtypes)."""
    return np.dtype(name) if L is nl else getattr(L, name)


def _operand(L: Any, kind: str, dtype: str) -> Any:
    if kind == "scalar":
        return {"bool": True, "int": 2, "float": 2.5, "complex": 1 + 2j}[dtype]
    values = np.array([1, 2]) if kind == "dim" else np.array(2)
    return L.tensor(values.astype(dtype), dtype=dtype_of(L, dtype))


OPERANDS = st.one_of(
    st.tuples(st.sampled_from(["dim", "zero"]), st.sampled_from(DTYPES)),
    st.tuples(st.just("scalar"), st.sampled_from(["bool", "int", "float", "complex"])))


@given(a=OPERANDS, b=OPERANDS)
def test_b5_result_type_as_torch(torch, a: tuple, b: tuple) -> None:
    if a[0] == "scalar" and b[0] == "scalar":
        return

    def run(L: Any) -> str:
        return str(L.result_type(_operand(L, *a), _operand(L, *b))).replace("torch.", "")

    ok, ours = outcome(nl, run)
    tok, theirs = outcome(torch, run)
    assert ok == tok, (a, b, ours, theirs)
    if ok:
        assert str(ours) == str(theirs), (a, b)


@pytest.mark.parametrize("x, y", list(itertools.product(DTYPES, DTYPES)))
def test_b5_promote_types_as_torch(torch, x: str, y: str) -> None:
    def run(L: Any) -> Any:
        return np.dtype(str(L.promote_types(dtype_of(L, x), dtype_of(L, y))).replace(
            "torch.", ""))
    ok, ours = outcome(nl, run)
    tok, theirs = outcome(torch, run)
    assert ok == tok and (not ok or ours == theirs), (x, y, ours, theirs)
    assert nl.can_cast(dtype_of(nl, x), dtype_of(nl, y)) == torch.can_cast(
        dtype_of(torch, x), dtype_of(torch, y))


REAL = DTYPES[:-2]
BINARY = {"add": lambda L, a, b: L.add(a, b) if not isinstance(a, (int, float)) else a + b,
          "mul": lambda L, a, b: a * b, "sub": lambda L, a, b: a - b,
          "div": lambda L, a, b: a / b, "pow": lambda L, a, b: a ** b,
          "floor_divide": lambda L, a, b: a // b, "remainder": lambda L, a, b: a % b,
          "maximum": lambda L, a, b: L.maximum(a, b), "eq": lambda L, a, b: a == b,
          "lt": lambda L, a, b: a < b, "where": lambda L, a, b: L.where(
              L.tensor(np.array([True, False])), a, b)}
REAL_OPERANDS = st.one_of(
    st.tuples(st.sampled_from(["dim", "zero"]), st.sampled_from(REAL)),
    st.tuples(st.just("scalar"), st.sampled_from(["bool", "int", "float"])))


@pytest.mark.parametrize("op", list(BINARY))
@given(a=REAL_OPERANDS, b=REAL_OPERANDS)
def test_b5_binary_ops_give_torchs_dtype_and_values(torch, op: str, a: tuple,
                                                     b: tuple) -> None:
    """Every pair of operand kinds (tensor, zero-dim tensor, Python number) and dtypes:
    the result (dtype, values) or the error is torch's."""
    if a[0] == "scalar" and b[0] == "scalar":
        return
    if op in ("maximum",) and "scalar" in (a[0], b[0]):
        return                                   # torch's maximum takes tensors only
    fn = BINARY[op]
    tol = 1e-3 if "float16" in (a[1], b[1]) else 1e-6
    same_as_torch(torch, lambda L: fn(L, _operand(L, *a), _operand(L, *b)), f"{op} {a} {b}",
                  tol=tol)


@pytest.mark.parametrize("case", [
    ("float32 * int64", lambda L: L.ones(2) * L.ones(2, dtype=L.int64)),
    ("int32 * 2", lambda L: L.ones(2, dtype=L.int32) * 2),
    ("int32 + 2.5", lambda L: L.ones(2, dtype=L.int32) + 2.5),
    ("float32 ** int64", lambda L: L.ones(2) ** L.ones(2, dtype=L.int64)),
    ("float32 + float64 0-dim", lambda L: L.ones(2) + L.tensor(1.0, dtype=L.float64)),
    ("int32 + float64 0-dim", lambda L: L.ones(2, dtype=L.int32) + L.tensor(1.0,
                                                                              dtype=L.float64)),
    ("bool + bool", lambda L: L.tensor([True, False]) + L.tensor([True, True])),
    ("bool * 2", lambda L: L.tensor([True, False]) * 2),
    ("int8 + 1000", lambda L: L.tensor([1, 2], dtype=L.int8) + 1000),
    ("uint8 - 3", lambda L: L.tensor([1, 2], dtype=L.uint8) - 3),
    ("float16 + int64", lambda L: L.ones(2, dtype=L.float16) + L.ones(2, dtype=L.int64)),
    ("int ** 2.5", lambda L: L.tensor([3], dtype=L.int32) ** 2.5),
    ("2 ** int32", lambda L: 2 ** L.tensor([3], dtype=L.int32)),
    ("bool ** 2", lambda L: L.tensor([True]) ** 2),
    ("int ** negative", lambda L: L.tensor([3]) ** -1),
    ("int ** negative tensor", lambda L: L.tensor([2, 1, -1, -1]) ** L.tensor([-1, -3, -3, -2])),
    ("exp of int", lambda L: L.exp(L.tensor([1, 2]))),
    ("sigmoid of int", lambda L: L.sigmoid(L.tensor([1, 2]))),
    ("sqrt of bool", lambda L: L.sqrt(L.tensor([True]))),
    ("clamp int at 1.5", lambda L: L.clamp(L.tensor([1, 2, 3]), min=1.5)),
    ("clamp int at 2", lambda L: L.clamp(L.tensor([1, 2, 3]), min=2)),
    ("logsumexp of int", lambda L: L.logsumexp(L.tensor([1, 2]), 0)),
    ("sum of int32", lambda L: L.tensor([1, 2], dtype=L.int32).sum()),
    ("sum of uint8", lambda L: L.tensor([200, 100], dtype=L.uint8).sum()),
    ("prod of bool", lambda L: L.tensor([True, True]).prod()),
    ("where of 1 and 0.5", lambda L: L.where(L.tensor([True, False]), 1, 0.5)),
    ("compare int64 with float32", lambda L: L.tensor([16777217]) == L.tensor([16777216.0])),
    ("div of int32", lambda L: L.tensor([3], dtype=L.int32) / L.tensor([2], dtype=L.int32)),
    ("sub of bools", lambda L: L.tensor([True]) - L.tensor([True])),
    ("neg of bool", lambda L: -L.tensor([True])),
    ("abs of bool", lambda L: L.abs(L.tensor([True]))),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_b5_promotion_cases_from_the_issue(torch, case: tuple) -> None:
    same_as_torch(torch, case[1], case[0], tol=1e-6)


FLOAT16_OPS = {
    "sigmoid": lambda L, x: L.sigmoid(x), "gelu": lambda L, x: L.nn.functional.gelu(x),
    "gelu_tanh": lambda L, x: L.nn.functional.gelu(x, approximate="tanh"),
    "softplus": lambda L, x: L.nn.functional.softplus(x),
    "leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x),
    "rsqrt": lambda L, x: L.rsqrt(x.abs() + 0.01), "softmax": lambda L, x: L.softmax(x, 0),
    "log_softmax": lambda L, x: L.log_softmax(x, 0),
    "std": lambda L, x: x.reshape(-1, 1).expand(-1, 3).std(1), "var": lambda L, x: x.var(),
}


@pytest.mark.parametrize("name", list(FLOAT16_OPS))
def test_b5_float16_ops_round_once_as_torch(torch, name: str) -> None:
    """float16 ops made of several steps run in float32 and round once, as torch's CPU
    kernels: within an ulp of torch (they were off by up to 40%: gelu, std)."""
    v = np.linspace(-6, 6, 241)

    def run(L: Any) -> list:
        x = L.tensor(v, dtype=dtype_of(L, "float16"), requires_grad=True)
        y = FLOAT16_OPS[name](L, x)
        y.backward(L.ones_like(y))
        return [y, x.grad]

    ok, ours = outcome(nl, run)
    tok, theirs = outcome(torch, run)
    assert ok and tok, (ours, theirs)
    for a, b in zip(ours, theirs):                  # (a gradient up to its cancellation)
        assert a.dtype == b.dtype == np.float16
        a, b = a.astype(np.float64), b.astype(np.float64)
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3 * max(1.0, np.abs(b).max()))


def test_b5_float32_parameter_keeps_float32_against_int_data() -> None:
    w = nl.ones(3, requires_grad=True)
    y = w * nl.tensor([1, 2, 3])
    assert y.dtype == np.float32
    y.sum().backward()
    assert arr(w.grad).dtype == np.float32


def test_b5_zero_dim_float64_meets_float32_parameter_gradient_dtypes() -> None:
    w = nl.ones(3, requires_grad=True)
    s = nl.tensor(2.0, dtype=nl.float64, requires_grad=True)
    y = w * s
    assert y.dtype == np.float32
    y.sum().backward()
    assert arr(w.grad).dtype == np.float32 and arr(s.grad).dtype == np.float64
    assert arr(s.grad) == 3.0


MATMULS = {
    "linear": lambda L, x, w: (F if L is nl else L.nn.functional).linear(x, w),
    "linear_bias": lambda L, x, w: (F if L is nl else L.nn.functional).linear(
        x, w, L.zeros(4, dtype=w.dtype)),
    "matmul": lambda L, x, w: x @ w.T,
    "matmul_rev": lambda L, x, w: w @ x.T,
    "mm": lambda L, x, w: L.mm(x, w.T),
    "bmm": lambda L, x, w: L.bmm(x[None], w.T[None]),
    "dot": lambda L, x, w: L.dot(x[0], w[0]),
    "matmul_3d": lambda L, x, w: x[None] @ w.T,
}


@pytest.mark.parametrize("name", list(MATMULS))
@pytest.mark.parametrize("dtype", ["float64", "float16", "int64", "int32", "bool"])
def test_b5_matrix_products_refuse_mixed_dtypes(torch, name: str, dtype: str) -> None:
    def run(L: Any) -> Any:
        w = L.tensor(np.arange(12.0).reshape(4, 3), dtype=L.float32)
        return MATMULS[name](L, L.ones(2, 3, dtype=getattr(L, dtype)), w)

    same_as_torch(torch, run, f"{name} {dtype}")
    ok, err = outcome(nl, run)
    assert not ok and "float32" in str(err) and dtype in str(err)


def test_b5_linear_layer_refuses_double_input_with_both_dtypes_named() -> None:
    with pytest.raises(RuntimeError, match=r"float64.*float32.*shape \(2, 3\).*shape \(4, 3\)"):
        nl.nn.Linear(3, 4)(nl.ones(2, 3, dtype=nl.float64))


@pytest.mark.parametrize("dtype", ["int64", "int32", "float16", "float64"])
def test_b5_same_dtype_matrix_products_work(torch, dtype: str) -> None:
    same_as_torch(torch, lambda L: L.ones(2, 3, dtype=getattr(L, dtype)) @ L.ones(
        3, 2, dtype=getattr(L, dtype)), dtype, tol=1e-3)


# ============================================================================
# B6: softmax / log_softmax of integer tensors; dtype=
# ============================================================================
@pytest.mark.parametrize("case", [
    ("softmax int", lambda L: L.softmax(L.tensor([1, 2]), 0)),
    ("log_softmax int", lambda L: L.log_softmax(L.tensor([1, 2]), 0)),
    ("softmax bool", lambda L: L.softmax(L.tensor([True, False]), 0)),
    ("softmax dtype=float64", lambda L: L.softmax(L.tensor([1, 2]), 0, dtype=L.float64)),
    ("log_softmax dtype=float64", lambda L: L.log_softmax(L.tensor([1.0, 2.0]), 0,
                                                           dtype=L.float64)),
    ("softmax float16 dtype=float32", lambda L: L.softmax(L.tensor([1.0, 2], dtype=L.float16),
                                                          0, dtype=L.float32)),
    ("softmax to int64", lambda L: L.softmax(L.tensor([1.0, 2]), 0, dtype=L.int64)),
    ("F.softmax int", lambda L: (F if L is nl else L.nn.functional).softmax(L.tensor([1, 2]),
                                                                           0)),
    ("cross_entropy int input", lambda L: (F if L is nl else L.nn.functional).cross_entropy(
        L.tensor([[1, 2]]), L.tensor([0]))),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_b6_softmax_dtypes(torch, case: tuple) -> None:
    same_as_torch(torch, case[1], case[0], tol=1e-6)


def test_b6_softmax_of_int_names_the_function_and_dtype() -> None:
    with pytest.raises(NotImplementedError, match=r"softmax.*int64"):
        nl.softmax(nl.tensor([1, 2]), 0)
    with pytest.raises(TypeError, match=r"log_softmax.*int32"):
        nl.log_softmax(nl.tensor([1, 2], dtype=nl.int32), 0)


def test_b6_softmax_dtype_casts_before_and_keeps_the_gradient_dtype() -> None:
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = nl.softmax(x, 0, dtype=nl.float64)
    assert y.dtype == np.float64
    (y * nl.tensor([1.0, 0.0], dtype=nl.float64)).sum().backward()
    assert arr(x.grad).dtype == np.float32


# ============================================================================
# B7: torch raises, nnlite must not return silently
# ============================================================================
@pytest.mark.parametrize("case", [
    ("relu of bool", lambda L: L.relu(L.tensor([True, False]))),
    ("F.relu of bool", lambda L: (F if L is nl else L.nn.functional).relu(L.tensor([True]))),
    ("relu of int", lambda L: L.relu(L.tensor([1, -2]))),
    ("int // 0", lambda L: L.tensor([1]) // 0),
    ("int // tensor 0", lambda L: L.tensor([1, 2]) // L.tensor([1, 0])),
    ("int % 0", lambda L: L.tensor([1]) % 0),
    ("int % tensor 0", lambda L: L.tensor([1]) % L.tensor([0])),
    ("div floor 0", lambda L: L.div(L.tensor([1]), 0, rounding_mode="floor")),
    ("div trunc 0", lambda L: L.div(L.tensor([1]), 0, rounding_mode="trunc")),
    ("int / 0", lambda L: L.div(L.tensor([1]), 0)),
    ("fmod int 0", lambda L: L.fmod(L.tensor([1]), 0)),
    ("float // 0", lambda L: L.tensor([1.0, -1.0, 0.0]) // 0),
    ("float % 0", lambda L: L.tensor([-1.0]) % 0),
    ("floor division of floats", lambda L: L.tensor([1.0, -7.5, 5.3], dtype=L.float64) //
     L.tensor([0.1, 2.0, -0.7], dtype=L.float64)),
    ("trunc division of ints", lambda L: L.div(L.tensor([-7, 7, 7, -8]), L.tensor([2, -2, 2, 2]),
                                               rounding_mode="trunc")),
    ("remainder signs", lambda L: L.remainder(L.tensor([-7, 7]), L.tensor([2, -2]))),
    ("fmod signs", lambda L: L.fmod(L.tensor([-7, 7]), L.tensor([2, -2]))),
    ("7 // tensor", lambda L: 7 // L.tensor([2])),
    ("7 % tensor", lambda L: 7 % L.tensor([2])),
    ("bool // bool", lambda L: L.tensor([True]) // L.tensor([True])),
    ("gelu of int", lambda L: (F if L is nl else L.nn.functional).gelu(L.tensor([1, -2]))),
    ("mean of int", lambda L: L.tensor([1, 2]).mean()),
    ("std of int", lambda L: L.tensor([1, 2]).std()),
    ("add float alpha to ints", lambda L: L.add(L.tensor([1]), L.tensor([2]), alpha=0.5)),
    ("bitwise_and of floats", lambda L: L.tensor([1.0]) & L.tensor([1.0])),
    ("bitwise_not of floats", lambda L: ~L.tensor([1.0])),
    ("clamp without bounds", lambda L: L.clamp(L.tensor([1.0]))),
    ("sign of nan", lambda L: L.sign(L.tensor([NAN, -0.0, 2.0]))),
    ("square of bool", lambda L: L.square(L.tensor([True, False]))),
    ("argmax of bool", lambda L: L.tensor([True, False]).argmax()),
    ("argmin of bool", lambda L: L.tensor([True, False]).argmin(0)),
    ("max_pool of int", lambda L: (F if L is nl else L.nn.functional).max_pool1d(
        L.tensor([[1, 2]]), 2)),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_b7_errors_and_results_as_torch(torch, case: tuple) -> None:
    same_as_torch(torch, case[1], case[0])


SHAPE_ERRORS = {
    "add": lambda L: L.ones(3) + L.ones(4), "mul": lambda L: L.ones(2, 3) * L.ones(2),
    "maximum": lambda L: L.maximum(L.ones(3), L.ones(4)),
    "where": lambda L: L.where(L.ones(3) > 0, L.ones(4), 0.0),
    "pow": lambda L: L.ones(3) ** L.ones(4), "eq": lambda L: L.ones(3) == L.ones(4),
    "remainder": lambda L: L.ones(3) % L.ones(4),
    "clamp": lambda L: L.clamp(L.ones(3), L.ones(4)),
    "matmul": lambda L: L.ones(2, 3) @ L.ones(4, 5), "matmul_0d": lambda L: L.ones(()) @ L.ones(3),
    "matmul_batch": lambda L: L.ones(2, 2, 3) @ L.ones(3, 3, 4),
    "mm": lambda L: L.mm(L.ones(2, 2, 3), L.ones(3, 4)),
    "bmm": lambda L: L.bmm(L.ones(2, 3), L.ones(3, 4)),
    "dot": lambda L: L.dot(L.ones(3), L.ones(4)),
    "linear": lambda L: (F if L is nl else L.nn.functional).linear(L.ones(2, 3), L.ones(4, 5)),
    "linear_bias": lambda L: (F if L is nl else L.nn.functional).linear(L.ones(2, 3), L.ones(4, 3),
                                                                       L.ones(5)),
    "gather_oob": lambda L: L.gather(L.ones(2, 3), 1, L.tensor([[3]])),
    "gather_negative": lambda L: L.gather(L.ones(2, 3), 1, L.tensor([[-1]])),
    "gather_float_index": lambda L: L.gather(L.ones(2, 3), 1, L.tensor([[1.0]])),
    "gather_dims": lambda L: L.gather(L.ones(2, 3), 1, L.tensor([1])),
    "scatter_add_oob": lambda L: L.scatter_add(L.ones(2, 3), 1, L.tensor([[3]]), L.ones(1, 1)),
    "index_select_oob": lambda L: L.index_select(L.ones(2, 3), 1, L.tensor([3])),
    "masked_fill_shape": lambda L: L.ones(2, 3).masked_fill(L.ones(3, 2) > 0, 1.0),
    "masked_fill_value": lambda L: L.ones(2, 3).masked_fill(L.ones(2, 3) > 0, L.ones(2)),
}


@pytest.mark.parametrize("name", list(SHAPE_ERRORS))
def test_b7_shape_and_index_errors_are_torchs_type_too(torch, name: str) -> None:
    """nnlite's ValueError / IndexError / TypeError naming the shapes, and torch's
    RuntimeError, in one error."""
    same_as_torch(torch, SHAPE_ERRORS[name], name)


def test_b7_integer_division_by_zero_is_a_runtime_and_zero_division_error() -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        nl.tensor([1]) // 0
    with pytest.raises(ZeroDivisionError):
        nl.tensor([1]) % nl.tensor([0])


def test_b7_remainder_gradient_as_torch(torch) -> None:
    same_grads(torch, lambda L, a, b: L.remainder(a, b), [5.3, -2.5, 7.0], [0.7, 0.8, -2.0])
    same_grads(torch, lambda L, a, b: L.fmod(a, b), [5.3, -2.5, 7.0], [0.7, 0.8, -2.0])


# ============================================================================
# B8: reductions of empty tensors
# ============================================================================
EMPTY_REDUCTIONS = ["argmax", "argmin", "amax", "amin", "max", "min", "sum", "mean", "prod",
                    "std", "var", "logsumexp", "softmax", "log_softmax"]
EMPTY_CASES = [(fn, shape, kw) for shape in [(0,), (2, 0), (0, 2)] for fn in EMPTY_REDUCTIONS
               for kw in [{}, {"dim": 0}, {"dim": -1}, {"dim": 0, "keepdim": True}]
               if not (fn in ("softmax", "log_softmax", "logsumexp") and "dim" not in kw)
               and not (fn in ("softmax", "log_softmax") and "keepdim" in kw)]


@pytest.mark.parametrize("fn, shape, kw", EMPTY_CASES,
                         ids=[f"{f}{s}{k}" for f, s, k in EMPTY_CASES])
def test_b8_empty_reductions_as_torch(torch, fn: str, shape: tuple, kw: dict) -> None:
    def run(L: Any) -> Any:
        r = getattr(L.zeros(shape), fn)(**kw)
        return list(r) if isinstance(r, tuple) else r

    same_as_torch(torch, run, f"{fn}{shape}{kw}")


def test_b8_the_issues_cases() -> None:
    assert nl.amax(nl.zeros(2, 0), dim=0).shape == (0,)
    with pytest.raises(IndexError, match="dim 0"):
        nl.amax(nl.zeros(0, 2), dim=0)
    with pytest.raises(IndexError, match="argmax"):
        nl.argmax(nl.zeros(0))


def test_b8_empty_amax_backward() -> None:
    x = nl.zeros(2, 0, requires_grad=True)
    nl.amax(x, 0).sum().backward()
    assert arr(x.grad).shape == (2, 0)


# ============================================================================
# B11: gradients at a NaN input
# ============================================================================
NAN_INPUTS = {
    "relu": (lambda L, x: L.relu(x), [[NAN, -1.0, 0.0, 1.0, INF, -INF]]),
    "clamp": (lambda L, x: x.clamp(-1, 1), [[NAN, -2.0, 0.0, 2.0, -1.0, 1.0]]),
    "clamp_min": (lambda L, x: x.clamp(min=-1), [[NAN, -2.0, 0.0, 2.0, -1.0, 1.0]]),
    "clamp_max": (lambda L, x: x.clamp(max=1), [[NAN, -2.0, 0.0, 2.0, -1.0, 1.0]]),
    "clamp_nan_bound": (lambda L, x: x.clamp(min=NAN), [[NAN, -2.0, 0.0]]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [[NAN, 1.0, NAN, 2.0], [1.0, NAN, NAN, 2.0]]),
    "minimum": (lambda L, a, b: L.minimum(a, b), [[NAN, 1.0, NAN, 2.0], [1.0, NAN, NAN, 2.0]]),
    "clamp_tensors": (lambda L, x, lo, hi: x.clamp(lo, hi),
                      [[NAN, -2.0, 0.0, 2.0, 0.5], [-1.0, NAN, -1, -1, 1.0],
                       [1.0, 1, NAN, 1, -1.0]]),
    "max": (lambda L, x: x.max(), [[1.0, NAN, 3.0]]),
    "max_two_nans": (lambda L, x: x.max(), [[1.0, NAN, 3.0, NAN]]),
    "amax": (lambda L, x: x.amax(), [[1.0, NAN, 3.0, NAN]]),
    "max_dim": (lambda L, x: x.max(0)[0], [[1.0, NAN, 3.0, NAN]]),
    "min_dim": (lambda L, x: x.min(0)[0], [[1.0, NAN, 3.0, NAN]]),
    "max_pool1d": (lambda L, x: (F if L is nl else L.nn.functional).max_pool1d(x, 4),
                   [[[1.0, NAN, 3.0, NAN, 1.0, 5.0, NAN, 2.0]]]),
    "max_pool1d_overlap": (lambda L, x: (F if L is nl else L.nn.functional).max_pool1d(x, 3, 1),
                           [[[1.0, NAN, 3.0, 4.0, 1.0, 5.0, NAN, 2.0]]]),
    "adaptive_max_pool1d": (lambda L, x: (F if L is nl else L.nn.functional)
                            .adaptive_max_pool1d(x, 3), [[[1.0, NAN, 3.0, 4.0, NAN]]]),
    "elu": (lambda L, x: (F if L is nl else L.nn.functional).elu(x), [[NAN, -1.0, 0.0, 1.0]]),
    "leaky_relu": (lambda L, x: (F if L is nl else L.nn.functional).leaky_relu(x),
                   [[NAN, -1.0, 0.0, 1.0]]),
    "abs": (lambda L, x: L.abs(x), [[NAN, -2.0, 0.0, 7.0]]),
    "sign": (lambda L, x: L.sign(x), [[NAN, -2.0, 0.0, 7.0]]),
    "pow_tensors_at_0": (lambda L, x, e: x ** e, [[0.0, 0.0, 0.0, 2.0, -1.0],
                                                 [0.0, -1.0, 2.0, 0.0, 0.5]]),
    "pow_0_at_0": (lambda L, x: x ** 0.0, [[0.0, 2.0]]),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")       # NumPy's 0 ** -1 and (-1) ** .5
@pytest.mark.parametrize("name", list(NAN_INPUTS))
def test_b11_gradient_at_a_nan_input_as_torch(torch, name: str) -> None:
    fn, values = NAN_INPUTS[name]
    same_grads(torch, fn, *values)


# ============================================================================
# B12: corrupt checkpoints
# ============================================================================
def _checkpoint() -> tuple:
    rng = np.random.default_rng(0)
    obj = {"fc.weight": rng.standard_normal((3, 4)).astype(np.float32),
           "fc.bias": np.zeros(3, np.float32), "steps": 7, "name": "net",
           "state": {0: {"momentum": np.arange(5, dtype=np.int64)}}}
    buf = io.BytesIO()
    nl.save(obj, buf)
    return obj, buf.getvalue()


def _same_checkpoint(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b))
    if isinstance(a, dict):
        return (isinstance(b, dict) and list(a) == list(b)
                and all(_same_checkpoint(a[k], b[k]) for k in a))
    return type(a) is type(b) and a == b


def _load_outcome(data: bytes) -> Any:
    """What loading ``data`` gives: the object, or the ValueError; any other error fails."""
    try:
        return nl.load(io.BytesIO(data))
    except ValueError as e:
        assert str(e).startswith("load: "), e
        return e


def test_b12_every_truncation_raises_value_error() -> None:
    _, data = _checkpoint()
    for cut in range(len(data)):
        assert isinstance(_load_outcome(data[:cut]), ValueError), cut


def test_b12_bit_flips_raise_value_error_or_load_the_same() -> None:
    obj, data = _checkpoint()
    rng = np.random.default_rng(0)
    for pos in range(len(data)):
        for bit in {0, 7, int(rng.integers(8))}:
            bad = bytearray(data)
            bad[pos] ^= 1 << bit
            out = _load_outcome(bytes(bad))
            assert isinstance(out, ValueError) or _same_checkpoint(obj, out), (pos, bit)


def test_b12_random_byte_edits_raise_value_error_or_load_the_same() -> None:
    obj, data = _checkpoint()
    rng = np.random.default_rng(1)
    for _ in range(300):
        bad = bytearray(data)
        for pos in rng.integers(0, len(data), rng.integers(1, 6)):
            bad[pos] = rng.integers(256)
        out = _load_outcome(bytes(bad))
        assert isinstance(out, ValueError) or _same_checkpoint(obj, out)


def _npy_header(descr: str, shape: Any, fortran: Any = False) -> bytes:
    """A .npy version 1.0 header (magic, length, dict) for any values, valid or not."""
    text = "{'descr': %r, 'fortran_order': %r, 'shape': %s, }" % (descr, fortran, shape)
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def _zip(members: dict, compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buf.getvalue()


def _raw_structure(text: str) -> bytes:
    return _npy_header("|u1", f"({len(text)},)") + text.encode()


def _structure(root: Any) -> bytes:
    return _raw_structure(json.dumps({"format": "nnlite.checkpoint", "version": 1,
                                      "root": root}))


ENTRY_W = {"t": "dict", "items": [[{"t": "str", "v": "w"}, {"t": "array", "entry": "w"}]]}
BAD_FILES = {
    "declares 10^13 elements": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                     "w.npy": _npy_header("<f8", "(10000000000000,)") + b"x"}),
    "declares a huge 2-d shape": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                       "w.npy": _npy_header("<f4", "(4000000, 4000000)")}),
    "shape too small for the data": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                          "w.npy": _npy_header("<f8", "(1,)") + bytes(16)}),
    "negative shape": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                            "w.npy": _npy_header("<f8", "(-1,)") + bytes(8)}),
    "shape not a tuple": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                               "w.npy": _npy_header("<f8", "'abc'") + bytes(8)}),
    "shape of floats": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                             "w.npy": _npy_header("<f8", "(1.5,)") + bytes(8)}),
    "unknown descr": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                           "w.npy": _npy_header("<zz", "(1,)") + bytes(8)}),
    "object descr": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                          "w.npy": _npy_header("|O", "(1,)") + bytes(8)}),
    "fortran_order not a bool": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                      "w.npy": _npy_header("<f8", "(1,)", "'x'") + bytes(8)}),
    "header is not Python": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                  "w.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8\n"
                                           + bytes(8)}),
    "header of unbalanced brackets": _zip({
        "__nnlite_structure__.npy": _structure(ENTRY_W),
        "w.npy": b"\x93NUMPY\x01\x00\x20\x00{'descr': ((((((((((((((((((\n" + bytes(8)}),
    "header length beyond the entry": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                            "w.npy": b"\x93NUMPY\x01\x00\xff\xff{"}),
    "unknown npy version": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                                 "w.npy": b"\x93NUMPY\x09\x00" + bytes(40)}),
    "not npy at all": _zip({"__nnlite_structure__.npy": _structure(ENTRY_W),
                            "w.npy": b"hello world"}),
    "entry name not a string": _zip({"__nnlite_structure__.npy": _structure(
        {"t": "array", "entry": ["w"]})}),
    "dict key a list": _zip({"__nnlite_structure__.npy": _structure(
        {"t": "dict", "items": [[[1], {"t": "none"}]]})}),
    "deeply nested structure": _zip({"__nnlite_structure__.npy": _raw_structure(
        '{"format": "nnlite.checkpoint", "version": 1, "root": '
        + '{"t": "list", "items": [' * 900 + "]}" * 900 + "}")}),
    "structure of a huge int": _zip({"__nnlite_structure__.npy": _npy_header("|u1", "(5000,)")
                                     + b"9" * 5000}),
    "deflated": None,        # built below: a deflated checkpoint with a flipped method
}


def _compression_method(data: bytes, method: int) -> bytes:
    """``data`` with every zip record's compression method field set to ``method``."""
    out = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            out[i + off:i + off + 2] = struct.pack("<H", method)
            start = i + 4
    return bytes(out)


@pytest.mark.parametrize("name", [k for k in BAD_FILES if BAD_FILES[k] is not None])
def test_b12_malformed_headers_raise_value_error(name: str) -> None:
    out = _load_outcome(BAD_FILES[name])
    assert isinstance(out, ValueError), (name, out)


@pytest.mark.parametrize("method", [1, 12, 14, 93, 99])
def test_b12_unknown_compression_method_raises_value_error(method: int) -> None:
    _, data = _checkpoint()
    with pytest.raises(ValueError, match="compression method"):
        nl.load(io.BytesIO(_compression_method(data, method)))


def test_b12_encrypted_member_raises_value_error() -> None:
    _, data = _checkpoint()
    out = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            out[i + off] |= 1
            start = i + 4
    with pytest.raises(ValueError, match="encrypted"):
        nl.load(io.BytesIO(bytes(out)))


def test_b12_deflated_checkpoints_load_and_their_corruptions_raise_value_error() -> None:
    obj, data = _checkpoint()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    deflated = _zip(members, zipfile.ZIP_DEFLATED)
    assert _same_checkpoint(obj, nl.load(io.BytesIO(deflated)))
    for pos in range(0, len(deflated), 3):
        bad = bytearray(deflated)
        bad[pos] ^= 0x10
        out = _load_outcome(bytes(bad))
        assert isinstance(out, ValueError) or _same_checkpoint(obj, out), pos


def test_b12_small_file_declaring_a_huge_array_fails_before_allocating(monkeypatch) -> None:
    """A ~300-byte file declaring 10^13 float64 elements fails on its sizes: no buffer
    larger than the file is ever asked for."""
    data = BAD_FILES["declares 10^13 elements"]
    assert len(data) < 1000
    real = bytearray

    def small_only(n: Any = 0, *args: Any) -> Any:
        assert not isinstance(n, int) or n <= len(data), f"allocated {n} bytes"
        return real(n, *args)

    monkeypatch.setattr("builtins.bytearray", small_only)
    with pytest.raises(ValueError, match=r"10000000000000|truncated or corrupt"):
        nl.load(io.BytesIO(data))


def test_b12_load_and_save_take_torchs_arguments(tmp_path) -> None:
    obj, _ = _checkpoint()
    path = tmp_path / "c.pt"
    nl.save(obj, path, pickle_protocol=4, _use_new_zipfile_serialization=True)
    for kw in [{}, {"map_location": "cpu"}, {"map_location": None}, {"weights_only": True},
               {"map_location": "cpu", "weights_only": True, "mmap": False},
               {"map_location": {"cuda:0": "cpu"}}, {"pickle_module": None},
               {"map_location": lambda storage, loc: storage}, {"encoding": "latin1"}]:
        assert _same_checkpoint(obj, nl.load(path, **kw)), kw
    doubled = nl.load(path, map_location=lambda a, loc: a * 2)
    np.testing.assert_array_equal(doubled["fc.weight"], obj["fc.weight"] * 2)
    with pytest.raises(ValueError, match="never unpickles"):
        nl.load(path, weights_only=False)
    with pytest.raises(RuntimeError, match="CPU"):
        nl.load(path, map_location="cuda:0")


def test_b12_load_takes_a_torch_device_as_map_location(torch, tmp_path) -> None:
    obj, _ = _checkpoint()
    nl.save(obj, tmp_path / "c.pt")
    assert _same_checkpoint(obj, nl.load(tmp_path / "c.pt", map_location=torch.device("cpu")))


def test_b12_saving_a_module_says_to_save_its_state_dict(tmp_path) -> None:
    model = nl.nn.Sequential(nl.nn.Linear(2, 3))
    with pytest.raises(TypeError, match=r"Sequential.*state_dict\(\)"):
        nl.save(model, tmp_path / "m.pt")
    with pytest.raises(TypeError, match=r"'model'.*state_dict\(\)"):
        nl.save({"model": model, "epoch": 3}, tmp_path / "m.pt")
    assert not (tmp_path / "m.pt").exists()
    nl.save({"model": model.state_dict(), "w": nl.ones(2, requires_grad=True)},
            tmp_path / "m.pt")
    assert arr(nl.load(tmp_path / "m.pt")["w"]).tolist() == [1.0, 1.0]
