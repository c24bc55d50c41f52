"""``nl.autograd.Function``, the custom-function face torch programs use: Tensors in and
out, written once for both libraries and compared with torch."""
import numpy as np
import pytest

import nnlite as nl


def relu_fn(lib):
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input
    return MyReLU


def cube_fn(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, gy):
            (x,) = ctx.saved_tensors
            return gy * 3 * x * x * ctx.k, None
    return Cube


def split_fn(lib):
    class Split(lib.autograd.Function):
        """Two outputs; backward sees zeros for the one that got no gradient."""

        @staticmethod
        def forward(ctx, x):
            e = x.exp()
            ctx.save_for_backward(e)
            return x * 2, e

        @staticmethod
        def backward(ctx, ga, gb):
            assert ga is not None and gb is not None      # materialized, as torch
            (e,) = ctx.saved_tensors
            return ga * 2 + gb * e
    return Split


def split_fn_torch2(lib):
    class Split(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x * 2, x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output[1])

        @staticmethod
        def backward(ctx, ga, gb):
            (e,) = ctx.saved_tensors
            return ga * 2 + gb * e
    return Split


def both(torch, a):
    return (nl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))


def test_custom_relu_matches_torch(torch):
    a = np.array([-1.5, 0.5, 2.0, -0.1])
    x, tx = both(torch, a)
    for lib, t in ((nl, x), (torch, tx)):
        y = relu_fn(lib).apply(t * 3)
        assert type(y) is (nl.Tensor if lib is nl else torch.Tensor)
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_plain_arguments_and_double_backward_match_torch(torch):
    a = np.array([0.3, -1.2, 2.0])
    x, tx = both(torch, a)
    grads = []
    for lib, t in ((nl, x), (torch, tx)):
        y = cube_fn(lib).apply(t, 2.5)
        (g,) = lib.autograd.grad(y.sum(), t, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), t)
        grads.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


@pytest.mark.parametrize("make", [split_fn, split_fn_torch2])
def test_several_outputs_and_setup_context_match_torch(torch, make):
    a = np.array([0.1, 0.7, -0.4])
    x, tx = both(torch, a)
    for lib, t in ((nl, x), (torch, tx)):
        first, _ = make(lib).apply(t)
        first.sum().backward()                      # the second output gets no gradient
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_ctx_needs_input_grad_and_non_differentiable_outputs():
    class ArgMaxAndMax(nl.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            i = x.argmax(-1)
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(x, i)
            return x.amax(-1) * w, i

        @staticmethod
        def backward(ctx, gv, gi):
            assert ctx.needs_input_grad == (True, False)
            x, i = ctx.saved_tensors
            gx = nl.zeros(*x.shape, dtype=x.dtype)
            gx.scatter_(-1, i.unsqueeze(-1), gv.unsqueeze(-1))
            return gx, None

    x = nl.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 5.0]], requires_grad=True)
    w = nl.tensor(2.0)
    v, i = ArgMaxAndMax.apply(x, w)
    assert not i.requires_grad and v.requires_grad
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [0, 0, 1]])


def test_numpy_argument_arrives_unchanged():
    seen = []

    class AddArray(nl.autograd.Function):
        @staticmethod
        def forward(ctx, x, arr):
            seen.append(type(arr))
            return x + nl.from_numpy(arr)

        @staticmethod
        def backward(ctx, gy):
            return gy, None

    x = nl.zeros(3, requires_grad=True)
    AddArray.apply(x, np.ones(3)).sum().backward()
    assert seen == [np.ndarray]
    np.testing.assert_array_equal(x.grad.numpy(), 1.0)


def test_materialize_grads_off_gives_none():
    got = []

    class Two(nl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 1

        @staticmethod
        def backward(ctx, ga, gb):
            got.append(gb)
            return ga

    x = nl.ones(2, requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert got == [None]
