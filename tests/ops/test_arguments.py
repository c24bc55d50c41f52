"""Tests of nnlite/ops/arguments.py: the one parser of size arguments for ops and layers.

1. ``ntuple`` accepts what torch accepts (ints, sequences of ints, NumPy ints) and rejects
   bools, floats, wrong lengths and values below the argument's minimum, naming the owner
   and the argument.
2. The output-size formulas against independent oracles: counting window positions with a
   loop, torch's pooling output length, and ``transposed_out_size`` inverting ``out_size``.
3. groups, 'same'/'valid' padding, pooling windows and divisor_override as torch checks them.
4. ``named_errors`` prefixes the name once, keeps the error's type, and leaves other
   exceptions and successful blocks alone.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from nnlite.ops.arguments import (check_divisor_override, check_groups, conv_padding,
                                  named_errors, ntuple, out_size, pool_window,
                                  transposed_out_size)


# ============================================================================
# ntuple
# ============================================================================
@pytest.mark.parametrize("value, n, kwargs, expected", [
    (3, 2, {}, (3, 3)),
    (np.int64(2), 1, {}, (2,)),
    ((1, 2), 2, {}, (1, 2)),
    ([4, 5], 2, {}, (4, 5)),
    (np.array([1, 2]), 2, {}, (1, 2)),
    ((0, 0), 2, dict(minimum=0), (0, 0)),
    ((3,), 2, dict(broadcast=True), (3, 3)),
])
def test_ntuple_accepts(value: Any, n: int, kwargs: dict, expected: tuple) -> None:
    out = ntuple(value, n, "kernel_size", "op", **kwargs)
    assert out == expected and all(type(v) is int for v in out)


@pytest.mark.parametrize("value, n, kwargs, exc, match", [
    (True, 2, {}, TypeError, r"^op: stride must be an int or a tuple of 2 ints, got True$"),
    ((1, False), 2, {}, TypeError, r"tuple of 2 ints, got \(1, False\)"),
    (2.0, 2, {}, TypeError, r"got 2\.0"),
    ((1, 2.5), 2, {}, TypeError, r"got \(1, 2\.5\)"),
    ((1, 2, 3), 2, {}, TypeError, r"tuple of 2 ints"),
    ((3,), 2, {}, TypeError, r"tuple of 2 ints"),            # no broadcast unless asked
    ("ab", 2, {}, TypeError, r"got 'ab'"),
    (None, 1, {}, TypeError, r"tuple of 1 ints, got None"),
    ((1, 0), 2, dict(minimum=1), ValueError, r"^op: stride must be positive, got \(1, 0\)$"),
    (-1, 2, dict(minimum=0), ValueError, r"^op: stride must be non-negative, got \(-1, -1\)$"),
    (1, 1, dict(minimum=2), ValueError, r"stride must be at least 2, got \(1,\)"),
])
def test_ntuple_rejects(value: Any, n: int, kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        ntuple(value, n, "stride", "op", **kwargs)


# ============================================================================
# Output sizes
# ============================================================================
geometries = st.tuples(st.integers(1, 12), st.integers(1, 4), st.integers(1, 3),
                       st.integers(0, 2), st.integers(0, 2), st.integers(1, 3))


@given(geometries)
def test_out_size_counts_the_windows_that_fit(g: tuple) -> None:
    size, k, s, lo, hi, d = g
    fits = [start for start in range(0, size + lo + hi)
            if start % s == 0 and start + d * (k - 1) < size + lo + hi]
    assert max(out_size(size, k, s, lo, hi, d), 0) == len(fits)


@given(geometries)
def test_out_size_ceil_mode_is_torchs(torch, g: tuple) -> None:
    size, k, s, p, _, d = g
    p = min(p, k // 2)
    expected = out_size(size, k, s, p, p, d, ceil_mode=True)
    x = torch.zeros(1, 1, size, dtype=torch.float64)
    if expected < 1:
        with pytest.raises(RuntimeError):
            torch.nn.functional.max_pool1d(x, k, s, p, d, ceil_mode=True)
        return
    y = torch.nn.functional.max_pool1d(x, k, s, p, d, ceil_mode=True)
    assert y.shape[-1] == expected


@given(geometries, st.integers(0, 2))
def test_transposed_out_size_inverts_out_size(g: tuple, op: int) -> None:
    size, k, s, p, _, d = g
    op = op % s                  # the sizes a stride-s convolution maps back to size
    n = transposed_out_size(size, k, s, p, d, op)
    if n > 0:
        assert out_size(n, k, s, p, p, d) == size


# ============================================================================
# Convolution and pooling arguments
# ============================================================================
def test_check_groups() -> None:
    assert check_groups(np.int64(2), "Conv2d", in_channels=4, out_channels=6) == 2
    for bad in (0, -1, True, 1.0):
        with pytest.raises(ValueError, match=r"^Conv2d: groups must be a positive integer"):
            check_groups(bad, "Conv2d")
    with pytest.raises(ValueError, match=r"^Conv2d: out_channels \(6\) must be divisible "
                                         r"by groups \(4\)$"):
        check_groups(4, "Conv2d", in_channels=4, out_channels=6)
    with pytest.raises(ValueError, match=r"^conv2d: out_channels \(6, weight shape "
                                         r"\(6, 2, 3, 3\)\) must be divisible by groups"):
        check_groups(4, "conv2d", (6, 2, 3, 3), out_channels=6)


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 6), st.integers(1, 3)),
                min_size=1, max_size=2))
def test_same_padding_keeps_the_size(dims: list) -> None:
    sizes, ks, ds = zip(*dims)
    pads = conv_padding("same", ks, (1,) * len(ks), ds, "conv")
    for n, k, d, (lo, hi) in zip(sizes, ks, ds, pads):
        assert out_size(n, k, 1, lo, hi, d) == n and hi - lo in (0, 1)


@pytest.mark.parametrize("padding, expected", [
    ("valid", ((0, 0), (0, 0))), (1, ((1, 1), (1, 1))), ((0, 2), ((0, 0), (2, 2))),
])
def test_conv_padding(padding: Any, expected: tuple) -> None:
    assert conv_padding(padding, (3, 3), (2, 1), (1, 1), "conv2d") == expected


@pytest.mark.parametrize("padding, stride, exc, match", [
    ("full", (1, 1), ValueError, r"^Conv2d: invalid padding string 'full': padding must be "
                                 r"'valid', 'same', an int or a tuple of 2 ints$"),
    ("same", (2, 1), ValueError, r"'same' is not supported for strided convolutions "
                                 r"\(stride=\(2, 1\)\)"),
    (-1, (1, 1), ValueError, r"^Conv2d: padding must be non-negative, got \(-1, -1\)$"),
    ((1, 2, 3), (1, 1), TypeError, r"padding must be an int or a tuple of 2 ints"),
])
def test_conv_padding_rejects(padding: Any, stride: tuple, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        conv_padding(padding, (3, 3), stride, (1, 1), "Conv2d")


def test_pool_window() -> None:
    assert pool_window(3, None, 1, 1, 2, "max_pool2d") == ((3, 3), (3, 3), (1, 1), (1, 1))
    assert pool_window((3,), [], 0, (2,), 2, "p") == ((3, 3), (3, 3), (0, 0), (2, 2))
    assert pool_window(4, 2, 2, 1, 1, "p") == ((4,), (2,), (2,), (1,))
    with pytest.raises(ValueError, match=r"^p: padding should be at most half of the kernel "
                                         r"size, but got padding=\(2, 2\), kernel_size=\(3, 3\)"):
        pool_window(3, None, 2, 1, 2, "p")
    for kwargs, name in [(dict(kernel_size=0), "kernel_size"), (dict(stride=0), "stride"),
                         (dict(dilation=0), "dilation"), (dict(padding=-1), "padding")]:
        args = dict(kernel_size=2, stride=None, padding=0, dilation=1) | kwargs
        with pytest.raises(ValueError, match=f"^p: {name} must be"):
            pool_window(n=2, owner="p", **args)


def test_check_divisor_override() -> None:
    check_divisor_override(None, "avg_pool2d")
    check_divisor_override(np.int32(3), "avg_pool2d")
    for bad in (0, 2.0):
        with pytest.raises(ValueError, match=r"^avg_pool2d: divisor_override must be a "
                                             r"nonzero int"):
            check_divisor_override(bad, "avg_pool2d")


# ============================================================================
# named_errors
# ============================================================================
@pytest.mark.parametrize("exc", [ValueError, TypeError, IndexError])
def test_named_errors_prefixes_the_name_and_keeps_the_type(exc: type) -> None:
    with pytest.raises(exc, match=r"^Layer\(3\): op: bad$") as info:
        with named_errors(lambda: "Layer(3)"):
            raise exc("op: bad")
    assert type(info.value) is exc and info.value.__suppress_context__


def test_named_errors_leaves_success_and_other_errors_alone() -> None:
    def name() -> str:
        raise AssertionError("the name is formatted only for an error")

    with named_errors(name):
        result = 1
    assert result == 1
    with pytest.raises(KeyError, match="'k'"):
        with named_errors(name):
            raise KeyError("k")


def test_named_errors_names_the_clearer_error_of_explain() -> None:
    def explain() -> None:
        raise TypeError("expected a Tensor")

    with pytest.raises(TypeError, match=r"^Layer: expected a Tensor$"):
        with named_errors(lambda: "Layer", explain):
            raise ValueError("op: channel mismatch")
    with pytest.raises(ValueError, match=r"^Layer: op: dtype$"):
        with named_errors(lambda: "Layer", lambda: None):
            raise ValueError("op: dtype")
