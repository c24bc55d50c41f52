"""PyTorch's autograd.Function protocol for Functions users write
(nnlite/autograd/tensor_function.py): forward and backward on Tensors, as a torch program's
custom Function is written, and torch's checks of the gradients backward returns. Each
Function here is written once, as a torch user writes it, and built in both libraries from
the same source where torch is installed (test_custom_function.py tests the rest)."""
import numpy as np
import pytest

import nnlite as nl


def define(lib):
    """The same torch-style custom Functions, subclassing ``lib.autograd.Function``."""

    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            ctx.grad_was_enabled = lib.is_grad_enabled()
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    class Cube(lib.autograd.Function):
        """Differentiable backward: create_graph goes through it."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * g * x * x

    class ScaleShift(lib.autograd.Function):
        """A plain number among the arguments, and a broadcast bias."""
        @staticmethod
        def forward(ctx, x, k, b):
            ctx.k = k
            return x * k + b

        @staticmethod
        def backward(ctx, g):
            gx = g * ctx.k if ctx.needs_input_grad[0] else None
            gb = g if ctx.needs_input_grad[2] else None     # (n, m): summed to b's (m,)
            return gx, None, gb

    class SplitHalves(lib.autograd.Function):
        """Two outputs; reports what backward received for each."""
        seen = []

        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            n = x.shape[0] // 2
            return x[:n].clone(), x[n:].clone()

        @staticmethod
        def backward(ctx, ga, gb):
            SplitHalves.seen.append((ga, gb))
            ga = ga if ga is not None else lib.zeros(2, dtype=lib.float64)
            gb = gb if gb is not None else lib.zeros(2, dtype=lib.float64)
            return lib.cat([ga, gb]), None

    class Argmax(lib.autograd.Function):
        """Value and a non-differentiable index."""
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            ctx.n = x.shape[0]
            return x.max(), idx

        @staticmethod
        def backward(ctx, gv, gi):
            idx, = ctx.saved_tensors
            g = lib.zeros(ctx.n, dtype=gv.dtype)
            g[idx] = gv
            return g

    class Square(lib.autograd.Function):
        """torch 2's style: forward without ctx, and setup_context."""
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    return dict(MyReLU=MyReLU, Cube=Cube, ScaleShift=ScaleShift, SplitHalves=SplitHalves,
                Argmax=Argmax, Square=Square)


@pytest.fixture(scope="module")
def fns():
    return define(nl)


def leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


X = [-1.5, 0.25, 2.0, -0.5]


def run_cases(lib, F):
    """Values and gradients of each Function under ``lib``, as NumPy arrays."""
    out = {}
    x = leaf(lib, X)
    y = F["MyReLU"].apply(x)
    (y * lib.arange(4.0, dtype=lib.float64)).sum().backward()
    out["relu"] = (y.detach().numpy(), x.grad.numpy())

    x = leaf(lib, X)
    (g,) = lib.autograd.grad(F["Cube"].apply(x).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    out["cube"] = (g.detach().numpy(), h.numpy())

    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = leaf(lib, [0.5, -0.5, 1.0])
    y = F["ScaleShift"].apply(x, 2.5, b)
    (y * y).sum().backward()
    out["scale_shift"] = (y.detach().numpy(), x.grad.numpy(), b.grad.numpy())

    x = leaf(lib, X)
    v, i = F["Argmax"].apply(x)
    (3 * v).backward()
    out["argmax"] = (v.detach().numpy(), i.numpy(), i.requires_grad, x.grad.numpy())

    x = leaf(lib, X)
    y = F["Square"].apply(x)
    y.sum().backward()
    out["square"] = (y.detach().numpy(), x.grad.numpy())
    return out


def test_custom_functions_match_torch(torch, fns):
    ours = run_cases(nl, fns)
    theirs = run_cases(torch, define(torch))
    assert ours.keys() == theirs.keys()
    for key in ours:
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=key)


def test_forward_gets_tensors_with_grad_mode_off(fns):
    x = leaf(nl, X)
    y = fns["MyReLU"].apply(x)
    assert y.grad_fn.grad_was_enabled is False and nl.is_grad_enabled()
    assert y.grad_fn.name() == "MyReLUBackward" and y.requires_grad
    assert y.grad_fn.needs_input_grad == (True,)
    assert all(isinstance(t, nl.Tensor) for t in y.grad_fn.saved_tensors)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1, 0])


def test_a_subclass_keeps_the_protocol(fns):
    class Child(fns["Cube"]):
        pass
    x = leaf(nl, [2.0])
    Child.apply(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0])


def test_without_grad_forward_outputs_are_returned_unrecorded(fns):
    x = leaf(nl, X)
    with nl.no_grad():
        y = fns["MyReLU"].apply(x)
    assert y.grad_fn is None and not y.requires_grad
    z = fns["MyReLU"].apply(nl.tensor(X))
    assert isinstance(z, nl.Tensor) and z.grad_fn is None


def test_grads_are_materialized_as_zeros_unless_turned_off(fns):
    F = fns["SplitHalves"]
    for materialize in (True, False):
        F.seen.clear()
        x = leaf(nl, X)
        a, _ = F.apply(x, materialize)
        (a * 2).sum().backward()
        ga, gb = F.seen[0]
        np.testing.assert_array_equal(ga.numpy(), [2, 2])
        if materialize:
            assert isinstance(gb, nl.Tensor) and gb.numpy().tolist() == [0, 0]
        else:
            assert gb is None
        np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 0, 0])


def test_saved_tensor_modified_in_place_raises(fns):
    x = leaf(nl, X)
    h = x * 1.0
    y = fns["Cube"].apply(h)
    with nl.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def bad_function(result):
    class Bad(nl.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return result(g)
    return Bad


@pytest.mark.parametrize("result,error,message", [
    (lambda g: g, RuntimeError,
     r"function BadBackward returned an incorrect number of gradients \(expected 2, got 1\)"),
    (lambda g: (g, None, g), RuntimeError, r"incorrect number of gradients \(expected 2, got 3\)"),
    (lambda g: (g[:2], None), RuntimeError,
     r"Function BadBackward returned an invalid gradient at index 0 - got \[2\] but expected "
     r"shape compatible with \[4\]"),
    (lambda g: (g.numpy(), None), TypeError, "returned a gradient of type ndarray at index 0"),
])
def test_wrong_gradients_raise_as_torch(result, error, message):
    x = leaf(nl, X)
    with pytest.raises(error, match=message):
        bad_function(result).apply(x, 2.0).sum().backward()


def test_wrong_gradients_raise_in_torch_too(torch):
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g
    x = torch.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(x, 2.0).sum().backward()


def test_gradient_of_another_dtype_is_cast_to_the_input_dtype():
    class Half(nl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 0.5

        @staticmethod
        def backward(ctx, g):
            return (g * 0.5).double()
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    Half.apply(x).sum().backward()
    assert x.grad.dtype == nl.float32
    np.testing.assert_array_equal(x.grad.numpy(), [0.5, 0.5])
