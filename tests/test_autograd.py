"""The autograd engine: traversal, accumulation, graph freeing, grad modes, hooks,
second-order gradients, anomaly detection and gradcheck itself."""
import gc
import weakref

import numpy as np
import pytest

import nnlite as nl
from nnlite.gradcheck import GradcheckError


def leaf(*shape, dtype=nl.float64):
    return nl.randn(*shape, dtype=dtype, requires_grad=True)


# ---- traversal and accumulation ----------------------------------------------------
def test_long_chain_is_iterative():
    x = nl.tensor(1.0, dtype=nl.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0000001 ** 100_000, rtol=1e-9)


def test_diamond_graph_sums_both_paths():
    x = leaf(3)
    a = x * 2
    y = (a * a + a.exp()).sum()     # a used by three consumers
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * (2 * a.array + np.exp(a.array)))


def test_zero_dim_gradients_accumulate_from_many_paths():
    x = nl.tensor(np.array(2.0), requires_grad=True)
    (x * x * x).backward()
    np.testing.assert_allclose(x.grad, 12.0)
    x.grad = None
    y = x * 1.0
    (y + y + y).backward()
    np.testing.assert_allclose(x.grad, 3.0)
    assert isinstance(nl.tensor([1.0, 2.0]).sum().array, np.ndarray)


def test_leaf_grad_accumulates_across_backwards_and_zero():
    x = leaf(4)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, 6.0)
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad, 1.0)


def test_same_gradient_array_never_aliased_between_leaves():
    a, b = leaf(3), leaf(3)
    (a + b).sum().backward()                    # Add passes one array to both parents
    assert a.grad is not b.grad
    a.grad *= 5                                 # e.g. clip_grad_norm_ in place
    np.testing.assert_allclose(b.grad, 1.0)


def test_views_of_one_gradient_never_alias_two_leaves():
    a, b = leaf(2, 3), leaf(6)
    (a.reshape(6) + b).sum().backward()         # a gets a view of the array b gets
    a.grad *= 5
    np.testing.assert_allclose(b.grad, 1.0)
    np.testing.assert_allclose(a.grad, 5.0)


def test_relu_gradient_is_zero_where_inactive_even_for_inf():
    x = nl.tensor([0.0, 1.0], requires_grad=True)
    nl.relu(x).backward(np.array([np.inf, 1.0], np.float32))
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_gradcheck_fails_on_a_non_finite_numerical_gradient():
    x = nl.tensor([0.0, 1.0], dtype=nl.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="not finite at element"):
        nl.gradcheck(lambda t: t.log(), (x,))      # log(-eps) is nan


def test_user_gradient_is_not_aliased():
    x = leaf(3)
    g = np.ones(3)
    (x + 0).backward(g)
    x.grad *= 2
    np.testing.assert_allclose(g, 1.0)


def test_grad_of_broadcast_input_has_input_shape():
    x, b = leaf(4, 3), leaf(3)
    (x * b).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad, x.array.sum(0))


def test_float32_gradients_stay_float32():
    x = nl.randn(3, 3, requires_grad=True)
    (x * np.float64(2.0) + np.float64(1.0)).tanh().mean().backward()
    assert x.grad.dtype == np.float32


def test_gradient_reaching_a_tensor_has_its_dtype():
    """As in torch: y (float32) feeds a float64 op, and y.grad, a hook on x, and
    autograd.grad all see float32."""
    x = nl.randn(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    seen = []
    x.register_hook(lambda g: seen.append(g.dtype))
    z = y + nl.tensor(np.ones(3), dtype=nl.float64)
    assert z.dtype == np.float64
    (gy,) = nl.autograd.grad(z.sum(), y, retain_graph=True)
    assert gy.dtype == np.float32
    z.sum().backward()
    assert y.grad.dtype == np.float32 and x.grad.dtype == np.float32
    assert seen and all(d == np.float32 for d in seen)     # autograd.grad runs hooks too


def test_zero_dim_float32_graph_stays_float32():
    """NumPy 1.x promotes a 0-d float32 with a Python number to float64; nothing of the
    graph should."""
    x = nl.tensor(np.float32(0.5), requires_grad=True)
    h = x * 1
    h.retain_grad()
    y = ((h ** 2).sqrt() + h.tanh() * 0.5 + h.sigmoid() + h.relu()).mean() ** 0.5
    assert y.dtype == np.float32
    y.backward()
    assert h.grad.dtype == np.float32 and x.grad.dtype == np.float32


def test_non_requiring_inputs_get_nothing():
    x, c = leaf(3), nl.randn(3, dtype=nl.float64)
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad


# ---- graph freeing and retain_graph ----------------------------------------------
def test_second_backward_through_freed_graph_raises():
    x = leaf(3)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.array)


def test_saved_arrays_are_released_after_backward():
    x = leaf(50)
    h = x.exp()                             # Exp saves its output
    ref = weakref.ref(h.array)
    y = (h * 2).sum()                       # Mul saves h.array too
    del h
    y.backward()
    gc.collect()
    assert ref() is None


def test_backward_on_non_scalar_needs_gradient():
    y = leaf(2, 3) * 2
    with pytest.raises(RuntimeError, match=r"scalar outputs.*\(2, 3\)"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))


def test_backward_on_tensor_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nl.ones(3).sum().backward()


# ---- grad modes --------------------------------------------------------------------
def test_no_grad_context_and_decorator():
    x = leaf(3)
    with nl.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None

    @nl.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert (x * 2).requires_grad
    assert nl.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_set_grad_enabled():
    x = leaf(3)
    with nl.no_grad():
        with nl.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    with nl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert nl.is_grad_enabled()
    nl.set_grad_enabled(False)
    assert not nl.is_grad_enabled()
    nl.set_grad_enabled(True)
    assert nl.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with nl.no_grad():
            raise ValueError
    assert nl.is_grad_enabled()


MODES = {"no_grad()": lambda: nl.no_grad(), "no_grad": lambda: nl.no_grad,
         "inference_mode()": lambda: nl.inference_mode(),
         "inference_mode": lambda: nl.inference_mode,
         "set_grad_enabled": lambda: nl.set_grad_enabled(False)}    # it switches when made


@pytest.mark.parametrize("mode", list(MODES))
def test_grad_modes_on_generators_switch_each_step(mode):
    """A decorated generator runs every step under the mode and gives the caller back its
    own mode between steps (issue 15 B4: @no_grad() on a generator recorded)."""
    x = leaf(3)

    @MODES[mode]()
    def steps():
        got = yield x * 2
        yield got, (x * 2).requires_grad
        try:
            yield "waiting"
        except KeyError:
            yield "caught", nl.is_grad_enabled()
        return "done"

    assert nl.is_grad_enabled()
    gen = steps()
    assert not next(gen).requires_grad
    assert (x * 2).requires_grad                       # the caller's mode between steps
    assert gen.send(7) == (7, False)
    next(gen)
    assert gen.throw(KeyError) == ("caught", False)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done" and nl.is_grad_enabled()


def test_enable_grad_generator_inside_no_grad_and_close():
    x = leaf(3)

    @nl.enable_grad
    def steps():
        try:
            while True:
                yield (x * 2).requires_grad
        finally:
            assert nl.is_grad_enabled()               # close() runs under the mode too

    with nl.no_grad():
        gen = steps()
        assert next(gen) and next(gen)
        gen.close()
        assert not nl.is_grad_enabled()


def test_inference_mode_false_and_class_decoration():
    with nl.no_grad():
        with nl.inference_mode(False):
            assert nl.is_grad_enabled() and not nl.is_inference_mode_enabled()
        with nl.inference_mode():
            assert not nl.is_grad_enabled() and nl.is_inference_mode_enabled()
    with pytest.warns(FutureWarning, match="Decorating classes is deprecated"):
        @nl.no_grad()
        class Probe:
            def __init__(self):
                self.grad_enabled = nl.is_grad_enabled()
    assert Probe().grad_enabled is False and nl.is_grad_enabled()


# ---- hooks ---------------------------------------------------------------------------
def test_hooks_see_and_replace_gradients():
    x = leaf(3)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g.clone()))
    h = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert isinstance(seen[0], nl.Tensor) and not seen[0].requires_grad   # as torch's
    np.testing.assert_allclose(seen[0].array, 1.0)
    np.testing.assert_allclose(x.grad, 20.0)
    h.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad, 2.0)


def test_retain_grad_on_non_leaf():
    x = leaf(3)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad, 2 * y.array)


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        nl.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook_as_torch(torch):
    """It runs once per backward, after .grad holds the accumulated sum (so an in-place
    change sticks), not under autograd.grad; removable; leaves only."""
    for lib in (nl, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []

        def hook(p):
            seen.append(p.grad.clone())
            p.grad.mul_(0.5)

        h = w.register_post_accumulate_grad_hook(hook)
        (w * w).sum().backward()                    # w reaches the loss along two paths
        (3 * w).sum().backward()
        lib.autograd.grad((w * 5).sum(), w)
        h.remove()
        (w * 1).sum().backward()
        assert [s.tolist() for s in seen] == [[2.0, 4.0], [4.0, 5.0]]
        assert w.grad.tolist() == [3.0, 3.5]
        with pytest.raises(RuntimeError, match="non-leaf"):
            (w * 2).register_post_accumulate_grad_hook(hook)


def test_hooks_get_tensors_and_must_return_one_of_the_same_shape(torch):
    """The Tensor methods a torch hook calls work on what it receives; a hook returning
    another shape raises, as torch's."""
    for lib in (nl, torch):
        x = lib.tensor([3.0, 4.0], requires_grad=True)
        norms = []
        y = x * 2
        y.register_hook(lambda g: norms.append(g.norm().item()))
        y.register_hook(lambda g: g.clamp(max=0.5))
        (y * y).sum().backward()
        np.testing.assert_allclose(norms[0], 20.0)
        np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])
        z = lib.tensor([1.0, 2.0], requires_grad=True)
        w = z * 1
        w.register_hook(lambda g: g[:1])
        with pytest.raises(RuntimeError, match="has changed the size of value"):
            w.sum().backward()
    z = nl.tensor([1.0], requires_grad=True)
    w = z * 1
    w.register_hook(lambda g: g.numpy())
    with pytest.raises(TypeError, match="returns a Tensor or None"):
        w.sum().backward()


def test_hooks_under_create_graph_get_the_graph_tensor():
    x = leaf(2)
    y = x ** 2
    y.register_hook(lambda g: g * x)             # recorded: the result depends on x
    (g,) = nl.autograd.grad(y.sum(), x, create_graph=True)      # 2x * x
    np.testing.assert_allclose(g.array, 2 * x.array ** 2)
    (h,) = nl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.array, 4 * x.array)


# ---- autograd.grad and second order ----------------------------------------------
def test_grad_leaves_dot_grad_untouched():
    x = leaf(3)
    (g,) = nl.autograd.grad((x ** 3).sum(), x)
    np.testing.assert_allclose(g.array, 3 * x.array ** 2)
    assert x.grad is None


def test_grad_allow_unused():
    x, z = leaf(3), leaf(3)
    with pytest.raises(RuntimeError, match="input 1.*not used"):
        nl.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = nl.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None


def test_grad_takes_torch_keywords(torch):
    """torch's signature: only_inputs (deprecated, ignored), materialize_grads (zeros for
    an unused input), in torch's order; the WGAN-GP call runs as written."""
    for lib in (nl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = lib.tensor([3.0], requires_grad=True)
        y = (x * x).sum()
        gx, gz = lib.autograd.grad(outputs=y, inputs=[x, z], grad_outputs=lib.ones_like(y),
                                   create_graph=True, retain_graph=True, only_inputs=True,
                                   materialize_grads=True)
        np.testing.assert_array_equal(gx.detach().numpy(), [2.0, 4.0])
        np.testing.assert_array_equal(gz.detach().numpy(), [0.0])
        assert gz.requires_grad and gz.is_leaf       # torch's materialized zeros
        ((gx.norm(2) - 1) ** 2).backward()           # the gradient penalty's double backward
        # gx = 2x, |gx| = 2|x|: d/dx (|gx| - 1)^2 = 2 (|gx| - 1) * 2 gx / |gx|
        norm = 2 * np.sqrt(5)
        np.testing.assert_allclose(x.grad.numpy(), 2 * (norm - 1) * 2 * np.array([2.0, 4.0])
                                   / norm, rtol=1e-6)
        with pytest.raises(ValueError, match="Expected allow_unused to be True"):
            lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=False,
                              materialize_grads=True)
        with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
            lib.autograd.grad((x * 2).sum(), x, only_inputs=False)


def test_set_detect_anomaly_as_call_and_context():
    assert nl.is_anomaly_enabled() is False
    try:
        with nl.autograd.set_detect_anomaly(True):
            assert nl.autograd.is_anomaly_enabled() is True
            x = nl.tensor([-1.0], requires_grad=True)
            with pytest.raises(RuntimeError, match="produced a non-finite"), \
                    np.errstate(invalid="ignore"):
                x.sqrt()
        assert nl.is_anomaly_enabled() is False
        nl.autograd.set_detect_anomaly(True)            # a plain call keeps it on
        assert nl.is_anomaly_enabled() is True
        nl.autograd.set_detect_anomaly(True, check_nan=False)
        assert nl.is_anomaly_enabled() is False
    finally:
        nl.autograd.set_detect_anomaly(False)


def test_third_derivative_of_a_power():
    x = leaf(4)
    (g,) = nl.autograd.grad((x ** 4).sum(), x, create_graph=True)
    (h,) = nl.autograd.grad(g.sum(), x, create_graph=True)
    (t,) = nl.autograd.grad(h.sum(), x)
    np.testing.assert_allclose(t.array, 24 * x.array)


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf(3)
    (x.sin() * x).sum().backward(create_graph=True)
    assert isinstance(x.grad, nl.Tensor) and x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    d = x.array
    np.testing.assert_allclose(x.grad, 2 * np.cos(d) - d * np.sin(d))


def test_hessian_vector_product_of_tanh_mlp_matches_torch(torch):
    nl.manual_seed(1)
    x, y = nl.randn(8, 5, dtype=nl.float64), nl.randn(8, 2, dtype=nl.float64)
    ws = [leaf(16, 5), leaf(16), leaf(2, 16), leaf(2)]
    vs = [nl.randn(*w.shape, dtype=nl.float64) for w in ws]

    def loss(lib, x, y, w1, b1, w2, b2):
        h = lib.tanh(x @ w1.T + b1)
        return ((h @ w2.T + b2 - y) ** 2).mean()

    gs = nl.autograd.grad(loss(nl, x, y, *ws), ws, create_graph=True)
    hv = nl.autograd.grad(sum((g * v).sum() for g, v in zip(gs, vs)), ws)

    tw = [torch.tensor(w.array, requires_grad=True) for w in ws]
    tgs = torch.autograd.grad(loss(torch, torch.tensor(x.array), torch.tensor(y.array), *tw),
                              tw, create_graph=True)
    thv = torch.autograd.grad(sum((g * torch.tensor(v.array)).sum() for g, v in zip(tgs, vs)), tw)
    for a, b in zip(gs, tgs):
        np.testing.assert_allclose(a.array, b.detach().numpy(), rtol=1e-10, atol=1e-13)
    for a, b in zip(hv, thv):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-10, atol=1e-13)


class _Probe(nl.Function):
    """y = x; its backward records the type of the gradient it receives."""
    kinds: list = []

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, gy):
        _Probe.kinds.append(type(gy))
        return gy


def test_first_order_pass_creates_no_tensors_in_rules():
    """Default backward runs rules on arrays: the gradient reaching a rule is an ndarray."""
    x = leaf(3)
    _Probe.kinds.clear()
    y = _Probe.apply(x.tanh())
    (y * y).sum().backward()
    assert _Probe.kinds == [np.ndarray]


def test_rule_that_cannot_be_differentiated_twice_raises():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="ProdBackward cannot be differentiated twice"):
        nl.autograd.grad(x.prod(), x, create_graph=True)


# ---- anomaly detection -------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_op():
    x = nl.tensor([-1.0, 1.0], requires_grad=True)
    with nl.detect_anomaly():
        with pytest.raises(RuntimeError, match="LogBackward produced a non-finite forward"):
            x.log()
        z = nl.tensor([0.0, 1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="SqrtBackward produced a non-finite gradient"):
            z.sqrt().sum().backward()        # d sqrt(z)/dz is inf at 0


# ---- gradcheck ------------------------------------------------------------------------------
class WrongSquare(nl.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * x * 3          # should be 2


def test_gradcheck_passes_a_correct_op_and_catches_a_wrong_backward():
    x = leaf(2, 3)
    assert nl.gradcheck(lambda t: t * t, (x,))
    with pytest.raises(GradcheckError, match=r"input 0.*worst element \(\d, \d\)"):
        nl.gradcheck(lambda t: WrongSquare.apply(t), (x,))


def test_gradcheck_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        nl.gradcheck(lambda t: t * 2, (nl.randn(3, requires_grad=True),))


class TupleIdentity(nl.Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, gy):
        return (gy,)                # a 1-tuple is as good as a bare gradient


def test_single_input_rule_may_return_a_tuple():
    x = nl.tensor([1.0], requires_grad=True)
    TupleIdentity.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, 1.0)


def test_a_0d_leaf_accumulates_over_backward_calls():
    p = nl.tensor(2.0, requires_grad=True)
    (p * 3).backward()
    (p * 3).backward()
    assert p.grad.item() == 6.0 and p.grad.dtype == nl.float32 and p.grad.shape == ()
