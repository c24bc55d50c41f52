"""What torch programs read off the graph: ``grad_fn.next_functions``, ``AccumulateGrad.
variable``, ``view`` that refuses to copy, ``contiguous``."""
import numpy as np
import pytest

import nnlite as nl


def test_next_functions_walk_back_to_the_leaves():
    x = nl.ones(2, 3, requires_grad=True)
    c = nl.ones(2, 3)
    y = (x * 2 + c).sum()
    add = y.grad_fn.next_functions[0][0]
    assert add.name() == "AddBackward"
    mul, none = add.next_functions
    assert none == (None, 0)
    acc = mul[0].next_functions[0][0]
    assert acc.name() == "AccumulateGradBackward" or type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is x


def test_next_functions_of_a_several_output_op_name_the_output():
    x = nl.randn(3, 4, requires_grad=True)
    values, _ = x.max(dim=1)
    node, index = (values * 1).grad_fn.next_functions[0]
    assert index == 0 and node is values.grad_fn


def test_view_refuses_what_needs_a_copy_and_reshape_does_not(torch):
    for lib in (nl, torch):
        t = lib.ones(2, 3).transpose(0, 1)
        assert not t.is_contiguous()
        with pytest.raises(RuntimeError, match="view"):
            t.view(6)
        assert t.reshape(6).shape == (6,) and t.contiguous().view(6).shape == (6,)
    a = nl.zeros(2, 3)
    v = a.view(3, 2)
    v[0, 0] = 7.0
    assert a.array[0, 0] == 7.0                           # a view shares the memory
    assert nl.zeros(2, dtype=nl.float32).view(nl.int32).dtype == np.int32
