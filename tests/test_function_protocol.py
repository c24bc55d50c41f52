"""The Function protocol (``nnlite/autograd/function.py``): static forward/backward on a
ctx, save_for_backward, several outputs, non-differentiable outputs, once_differentiable,
and apply on arrays alone."""
import numpy as np
import pytest

import nnlite as nl
from nnlite.autograd.function import Function, once_differentiable


class Cube(Function):
    """y = x**3;  gx = 3 gy x**2 (the rule runs on Tensors under create_graph)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * 3 * x * x


class SinCos(Function):
    """Two outputs from one node: (sin x, cos x)."""

    @staticmethod
    def forward(ctx, x):
        s, c = np.sin(x), np.cos(x)
        ctx.save_for_backward(s, c)
        return s, c

    @staticmethod
    def backward(ctx, gs, gc):
        s, c = ctx.saved_tensors
        gx = 0
        if gs is not None:
            gx = gx + gs * c
        if gc is not None:
            gx = gx - gc * s
        return gx


class Scale(Function):
    """y = x * k with k a plain number argument."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, gy):
        return gy * ctx.k, None


class MaxWithIndex(Function):
    """values and (non-differentiable) indices of the max over the last axis."""

    @staticmethod
    def forward(ctx, x):
        idx = x.argmax(-1)
        v = np.take_along_axis(x, idx[..., None], -1)[..., 0]
        ctx.save_for_backward(idx)
        ctx.shape = x.shape
        ctx.mark_non_differentiable(idx)
        return v, idx

    @staticmethod
    @once_differentiable
    def backward(ctx, gv, gi):
        (idx,) = ctx.saved_tensors
        gx = np.zeros(ctx.shape, gv.dtype)
        np.put_along_axis(gx, idx[..., None], gv[..., None], -1)
        return gx


def leaf(*shape, seed=0):
    return nl.tensor(np.random.default_rng(seed).standard_normal(shape),
                     requires_grad=True)


def test_one_output_and_double_backward():
    x = leaf(3)
    y = Cube.apply(x)
    assert type(y.grad_fn) is Cube and y.grad_fn.needs_input_grad == (True,)
    (g,) = nl.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.array, 3 * x.array ** 2)
    (h,) = nl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.array, 6 * x.array)


def test_several_outputs_each_a_tensor_and_one_node():
    x = leaf(4)
    s, c = SinCos.apply(x)
    assert s.grad_fn is c.grad_fn and type(s.grad_fn) is SinCos
    (s * 2 + c * 3).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.cos(x.array) - 3 * np.sin(x.array))


def test_an_output_without_gradient_reaches_backward_as_none():
    x = leaf(4)
    s, _ = SinCos.apply(x)
    s.sum().backward()
    np.testing.assert_allclose(x.grad, np.cos(x.array))


def test_hooks_and_grad_per_output():
    x = leaf(4)
    s, c = SinCos.apply(x)
    seen = []
    c.register_hook(lambda g: seen.append(g.clone()))
    gs, gc = nl.autograd.grad((s + 2 * c).sum(), (s, c))
    np.testing.assert_allclose(gs.array, 1)
    np.testing.assert_allclose(gc.array, 2)
    np.testing.assert_allclose(seen[0], 2)


def test_double_backward_through_several_outputs():
    x = leaf(5)
    s, c = SinCos.apply(x)
    (g,) = nl.autograd.grad((s * c).sum(), x, create_graph=True)   # cos 2x
    (h,) = nl.autograd.grad(g.sum(), x)                               # -2 sin 2x
    np.testing.assert_allclose(g.array, np.cos(2 * x.array), atol=1e-12)
    np.testing.assert_allclose(h.array, -2 * np.sin(2 * x.array), atol=1e-12)


def test_plain_arguments_pass_through_and_get_no_gradient():
    x = leaf(3)
    y = Scale.apply(x, 2.5)
    assert y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2.5)


def test_non_differentiable_output_and_once_differentiable():
    x = leaf(2, 5)
    v, i = MaxWithIndex.apply(x)
    assert not i.requires_grad and v.requires_grad
    assert MaxWithIndex.double_backward is False
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.argmax(-1), i.array)
    x2 = leaf(2, 5)
    v2, _ = MaxWithIndex.apply(x2)
    with pytest.raises(RuntimeError, match="cannot be differentiated twice"):
        nl.autograd.grad(v2.sum(), x2, create_graph=True)


def test_apply_on_arrays_alone_returns_arrays():
    a = np.arange(3.0)
    out = Cube.apply(a)
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, a ** 3)


def test_no_grad_records_nothing():
    x = leaf(3)
    with nl.no_grad():
        y = Cube.apply(x)
    assert y.grad_fn is None and not y.requires_grad


class DropGradient(Function):
    """y = x, but backward sends no gradient (as a rule may, for an input it ignores)."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, gy):
        return None


def test_an_output_whose_consumer_sends_nothing_does_not_stall_the_op():
    """c's only consumer sends no gradient; s's gradient must still reach x."""
    x = leaf(4)
    s, c = SinCos.apply(x)
    (s * 2 + DropGradient.apply(c)).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.cos(x.array))


def test_a_node_reached_only_by_nothing_does_not_stall_its_parents():
    x = leaf(3)
    a = x * 3
    (DropGradient.apply(a * 2) + a).sum().backward()
    np.testing.assert_allclose(x.grad, 3.0)
