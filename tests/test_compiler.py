"""nnlite/compiler.py: torch.compile's entry points return what they are given (nnlite runs
eagerly), with torch's argument checks."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import nn


def test_compile_returns_the_module_and_function_unchanged():
    model = nn.Linear(2, 3)
    assert nl.compile(model) is model
    assert nl.compile(model, mode="max-autotune", fullgraph=True, dynamic=False) is model

    @nl.compile
    def double(x):
        return x * 2

    @nl.compile(backend="eager")
    def triple(x):
        return x * 3
    np.testing.assert_array_equal(double(nl.ones(2)).numpy(), [2, 2])
    np.testing.assert_array_equal(triple(nl.ones(2)).numpy(), [3, 3])
    assert nl.compiler.is_compiling() is False and nl.compiler.disable(double) is double
    nl.compiler.reset()


def test_compile_checks_arguments_as_torch(torch):
    for lib in (nl, torch):
        with pytest.raises(RuntimeError, match="Unrecognized mode=fastest"):
            lib.compile(lambda x: x, mode="fastest")
        with pytest.raises(RuntimeError, match="Either mode or options"):
            lib.compile(lambda x: x, mode="default", options={})
    with pytest.raises(RuntimeError, match="Invalid backend: 'nope'"):
        nl.compile(nn.Linear(1, 1), backend="nope")
    with pytest.raises(TypeError, match="A callable function is expected"):
        nl.compile(3)
