"""Tests of the fused recurrent kernels in nnlite/ops/recurrent.py (``lstm_layer``,
``gru_layer``, ``rnn_layer``) at the op level; the layers built on them are tested in
tests/nn/test_recurrent.py.

- float64 gradchecks on hypothesis-drawn small shapes: dense and packed batches, both
  directions, with and without biases (and a projection for the LSTM);
- several outputs of one node: a gradient from only y, only h_n or only c_n matches
  central differences, and the outputs share their node;
- on arrays alone the op only runs forward; the kernels refuse create_graph.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.ops.recurrent import gru_layer, lstm_layer, rnn_layer

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def leaf(a: np.ndarray) -> nl.Tensor:
    return nl.tensor(a, requires_grad=True)


@st.composite
def layer_case(draw):
    """(kind, batch_sizes, I, H, P, bias, reverse, seed): batch_sizes non-increasing."""
    kind = draw(st.sampled_from(sorted(GATES)))
    T = draw(st.integers(1, 4))
    B = draw(st.integers(1, 3))
    sizes = sorted((draw(st.integers(1, B)) for _ in range(T)), reverse=True)
    sizes[0] = B
    I, H = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    P = draw(st.integers(1, H)) if kind == "lstm" and draw(st.booleans()) else H
    return (kind, sizes, I, H, P, draw(st.booleans()), draw(st.booleans()),
            draw(st.integers(0, 2 ** 16)))


def _make(kind: str, sizes: list, I: int, H: int, P: int, bias: bool, seed: int) -> tuple:
    """Leaf tensors for one layer-direction: (x, states, weights) in the op's order."""
    r = np.random.default_rng(seed)
    G = GATES[kind] * H
    N, B = sum(sizes), sizes[0]
    x = leaf(r.standard_normal((N, I)))
    states = [leaf(r.standard_normal((B, P)))]
    if kind == "lstm":
        states.append(leaf(r.standard_normal((B, H))))
    weights = [leaf(r.standard_normal((G, I)) * 0.5), leaf(r.standard_normal((G, P)) * 0.5)]
    weights += [leaf(r.standard_normal(G) * 0.5) for _ in range(2)] if bias else [None, None]
    if kind == "lstm":
        weights.append(leaf(r.standard_normal((P, H)) * 0.5) if P != H else None)
    return x, states, weights


def _run(kind: str, x, states, weights, sizes, reverse):
    if kind == "lstm":
        return lstm_layer(x, *states, *weights, sizes, reverse)
    if kind == "gru":
        return gru_layer(x, *states, *weights, sizes, reverse)
    return rnn_layer(x, *states, *weights, sizes, reverse, kind.split("_")[1])


@given(layer_case())
def test_layer_gradcheck(case):
    kind, sizes, I, H, P, bias, reverse, seed = case
    x, states, weights = _make(kind, sizes, I, H, P, bias, seed)
    inputs = [x, *states, *weights]
    present = [t for t in inputs if t is not None]

    def fn(*ts):
        it = iter(ts)
        args = [None if t is None else next(it) for t in inputs]
        n = len(states)
        return _run(kind, args[0], args[1:1 + n], args[1 + n:], sizes, reverse)
    assert nl.gradcheck(fn, present)


@pytest.mark.parametrize("kind", sorted(GATES))
@pytest.mark.parametrize("sizes", [[2, 2, 2], [3, 2, 1]])
@pytest.mark.parametrize("reverse", [False, True])
def test_gradient_from_one_output_only(kind, sizes, reverse):
    """Each output alone: the op's backward gets None for the others."""
    x, states, weights = _make(kind, sizes, 2, 3, 3, True, 0)
    inputs = [x, *states] + [w for w in weights if w is not None]
    n_out = 3 if kind == "lstm" else 2
    for which in range(n_out):
        def fn(*ts):
            n = len(states)
            w = list(ts[1 + n:]) + ([None] if kind == "lstm" else [])
            return _run(kind, ts[0], ts[1:1 + n], w, sizes, reverse)[which]
        assert nl.gradcheck(fn, inputs)


def test_outputs_share_one_node_and_unused_outputs_cost_nothing():
    x, states, weights = _make("lstm", [2, 2], 2, 3, 3, True, 1)
    y, h, c = _run("lstm", x, states, weights, [2, 2], False)
    assert y.grad_fn is h.grad_fn is c.grad_fn
    assert y.grad_fn.name() == "LSTMLayerBackward"
    h.sum().backward()                       # y and c get no gradient
    assert x.grad is not None and np.all(np.isfinite(x.grad))
    # the gradient from h_n alone equals that from (y's last rows) when no step is packed
    g_h = x.grad.array.copy()
    x.grad = None
    y, _, _ = _run("lstm", x, states, weights, [2, 2], False)
    y[2:].sum().backward()
    np.testing.assert_allclose(x.grad, g_h, rtol=1e-12)


def test_on_arrays_only_forward_runs():
    x, states, weights = _make("gru", [2, 1], 2, 3, 3, True, 2)
    arrays = [t.array for t in (x, *states, *weights)]
    y, h = gru_layer(*arrays, [2, 1])
    ty, th = gru_layer(x, *states, *weights, [2, 1])
    assert isinstance(y, np.ndarray) and isinstance(h, np.ndarray)
    np.testing.assert_array_equal(y, ty.data)
    np.testing.assert_array_equal(h, th.data)


def test_kernels_refuse_create_graph():
    x, states, weights = _make("rnn_tanh", [2], 2, 3, 3, True, 3)
    y, _ = _run("rnn_tanh", x, states, weights, [2], False)
    with pytest.raises(RuntimeError, match="RNNLayerBackward cannot be differentiated twice"):
        nl.autograd.grad(y.sum(), x, create_graph=True)
