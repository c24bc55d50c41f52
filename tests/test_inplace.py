"""In-place operations, version counters, and ``.data`` / ``.grad`` as Tensors (torch's rules)."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import nn


def _pair(torch, a, requires_grad=True):
    return (nl.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


# ---- .data and .grad ------------------------------------------------------------
def test_data_is_a_detached_tensor_sharing_memory():
    p = nn.Parameter(nl.ones(3))
    d = p.data
    assert isinstance(d, nl.Tensor) and not d.requires_grad and d.grad_fn is None
    d.add_(1.0)                                     # no error: .data is not a leaf in the graph
    np.testing.assert_array_equal(p.array, 2.0)
    p.data = nl.zeros(2)                            # replaces the values, any shape
    assert p.shape == (2,) and p.requires_grad


def test_grad_is_a_tensor_and_the_manual_sgd_idiom_trains(torch):
    w, tw = _pair(torch, [1.0, -2.0, 3.0])
    for _ in range(3):
        for t, lib in ((w, nl), (tw, torch)):
            loss = (t * t).sum()
            loss.backward()
            with lib.no_grad():
                t -= 0.1 * t.grad                   # in place: the leaf itself changes
            t.grad.zero_()
    assert isinstance(w.grad, nl.Tensor)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)


def test_data_add_with_alpha_as_old_programs_write_it(torch):
    model = nn.Linear(3, 2)
    before = model.weight.array.copy()
    model(nl.ones(4, 3)).sum().backward()
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-0.5)
    np.testing.assert_allclose(model.weight.array, before - 0.5 * 4.0, rtol=1e-6)


def test_grad_assignment_checks_shape_and_dtype():
    w = nl.zeros(3, requires_grad=True)
    w.grad = nl.ones(3)
    w.grad = np.ones(3, np.float32)                 # an array is wrapped (torch wants a Tensor)
    with pytest.raises(RuntimeError, match="shape"):
        w.grad = nl.ones(4)
    with pytest.raises(RuntimeError, match="dtype"):
        w.grad = nl.ones(3, dtype=nl.float64)
    with pytest.raises(TypeError, match="Tensor or None"):
        w.grad = [1.0, 2.0, 3.0]


def test_numpy_array_copies_and_asarray_shares():
    t = nl.zeros(3)
    a, b = np.array(t), np.asarray(t)
    t.add_(1.0)
    np.testing.assert_array_equal(a, 0.0)
    np.testing.assert_array_equal(b, 1.0)


# ---- the rules for leaves ---------------------------------------------------------
def test_leaf_that_requires_grad_is_written_only_under_no_grad():
    w = nl.zeros(3, requires_grad=True)
    for write in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(),
                  lambda: w.__setitem__(0, 1.0), lambda: w.copy_(nl.ones(3))):
        with pytest.raises(RuntimeError, match="leaf"):
            write()
    with nl.no_grad():
        w.add_(1).mul_(3)
        w[0] = 0.5
    np.testing.assert_array_equal(w.array, [0.5, 3.0, 3.0])
    assert w.requires_grad and w.is_leaf


def test_module_parameter_updated_in_place_through_augmented_assignment():
    m = nn.Linear(2, 2)
    w = m.weight
    with nl.no_grad():
        for p in m.parameters():
            p -= 1.0
    assert m.weight is w
    np.testing.assert_array_equal(w.array, w.array)        # same object, new values
    assert w._version == 1


# ---- recorded in-place ops on tensors in the graph ------------------------------------
@pytest.mark.parametrize("ops", [
    lambda y, lib: y.add_(1.0).mul_(y.detach() + 1),
    lambda y, lib: y.mul_(2.0).sub_(0.5, alpha=2).div_(3.0),
    lambda y, lib: y.relu_(),
    lambda y, lib: y.pow_(2),
    lambda y, lib: y.sigmoid_(),
    lambda y, lib: y.tanh_(),
    lambda y, lib: y.clamp_(-0.5, 0.5),
])
def test_recorded_inplace_ops_give_torch_gradients(torch, ops):
    a = np.array([[-1.0, 0.2, 0.7], [1.5, -0.3, 0.1]])
    x, tx = _pair(torch, a)
    for t, lib in ((x, nl), (tx, torch)):
        y = t * 1.5
        ops(y, lib)
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_inplace_with_an_argument_that_requires_grad(torch):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    (x, tx), (w, tw) = _pair(torch, a), _pair(torch, b)
    for t, u in ((x, w), (tx, tw)):
        y = t * 1.0
        y.mul_(u)
        y.add_(u, alpha=2)
        y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())


def test_setitem_records_gradients_to_the_value_and_the_rest(torch):
    a = np.arange(6.0).reshape(2, 3)
    (x, tx), (v, tv) = _pair(torch, a), _pair(torch, [7.0, 8.0, 9.0])
    for t, u in ((x, v), (tx, tv)):
        y = t * 2
        y[1] = u * 3
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy())


# ---- writes through views rewrite the base's history (torch's CopySlices) ------------
@pytest.mark.parametrize("write", [
    lambda y, u: y[1:].mul_(3.0),
    lambda y, u: y[0].zero_(),
    lambda y, u: y[:, 1].fill_(2.0),
    lambda y, u: y.view(6)[2:4].add_(u[0, :2]),
    lambda y, u: y.t()[1, 0].mul_(u[1, 2]),
    lambda y, u: y[1].copy_(u[0]),
    lambda y, u: y.reshape(3, 2)[::2].relu_(),
    lambda y, u: y.permute(1, 0).unsqueeze(0)[0, 2].exp_(),
    lambda y, u: y[0][1:].sub_(u[1, 1:], alpha=2),
    lambda y, u: y[1:].__setitem__((0, 0), u[0, 0] * 5),
    lambda y, u: y[:, 1:].clamp_(-1.0, 0.5),
])
def test_write_through_a_view_gives_torch_gradients(torch, write):
    a = np.array([[-1.0, 0.2, 0.7], [1.5, -0.3, 0.1]])
    b = np.array([[0.5, -2.0, 1.0], [3.0, 0.25, -0.5]])
    (x, tx), (w, tw) = _pair(torch, a), _pair(torch, b)
    outs = []
    for t, u in ((x, w), (tx, tw)):
        y = t * 1.5
        write(y, u * 1.0)
        (y * y * u).sum().backward()
        outs.append(y.detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_write_through_a_view_of_a_constant_puts_it_in_the_graph(torch):
    outs = []
    for lib in (nl, torch):
        w = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        z = lib.zeros(3, dtype=lib.float64)
        z[1:].add_(w)
        assert z.requires_grad
        (z * z).sum().backward()
        outs.append(w.grad.numpy())
    np.testing.assert_allclose(outs[0], outs[1])


def test_views_made_before_a_write_see_it_as_torch_views_do(torch):
    outs = []
    for lib in (nl, torch):
        x = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = x * 2
        v, w, u = y[1:], y.view(3, 1), y[:2]
        y.mul_(3)                                   # a write to the base
        u.mul_(5)                                   # a write through another view
        (v.sum() + w[0, 0] * 7).backward()
        outs.append(x.grad.numpy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_element_views_write_into_their_tensor():
    t = nl.zeros(2, 3)
    t[1, 2].fill_(5.0)
    t[0][1] += 1.0
    np.testing.assert_array_equal(t.numpy(), [[0, 1, 0], [0, 0, 5]])


def test_view_of_a_leaf_and_expanded_tensors_refuse_writes():
    x = nl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view .* of a leaf tensor that requires grad"):
        x[1:].mul_(2)
    with nl.no_grad():
        x[1:].mul_(2)                               # what an optimizer may do
    np.testing.assert_array_equal(x.detach().numpy(), [1, 2, 2])
    with pytest.raises(RuntimeError, match="more than one element"):
        nl.zeros(1).expand(3).add_(1)


def test_mul_saves_only_what_the_requested_gradients_read(torch):
    outs = []
    for lib in (nl, torch):
        x = lib.tensor([1.0, 1.0, 1.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y[1:] = y[1:] * 3                           # Mul by a number needs not y[1:] itself
        y.sum().backward()
        outs.append(x.grad.numpy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_fill_and_copy_from_a_tensor_that_requires_grad(torch):
    (s, ts), (src, tsrc) = _pair(torch, 2.0), _pair(torch, [1.0, 2.0])
    for lib, v, c in ((nl, s, src), (torch, ts, tsrc)):
        y = lib.zeros(2, 2, dtype=lib.float64)
        y.fill_(v)
        z = lib.zeros(2, 2, dtype=lib.float64)
        z.copy_(c)
        (y.sum() * 3 + (z * z).sum()).backward()
    np.testing.assert_allclose(s.grad.numpy(), ts.grad.numpy())
    np.testing.assert_allclose(src.grad.numpy(), tsrc.grad.numpy())


# ---- version counters ---------------------------------------------------------------
def test_modifying_a_saved_output_raises_at_backward(torch):
    for lib in (nl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()                              # exp saves its output
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_modifying_a_saved_input_through_a_view_raises_at_backward():
    w = nl.ones(2, 3, requires_grad=True)
    x = nl.ones(3, 4)
    y = w @ x                                    # matmul saves x
    x[0].mul_(2)                                 # a view of x: the same memory
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_chained_inplace_ops_torch_refuses_work_on_copies():
    """relu_ saves its output and pow_ then writes it: torch raises at backward; nnlite's
    recorded in-place ops run on a copy of the old values, so the gradient is right."""
    x = nl.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    y = x * 1.0
    y.relu_().pow_(2)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1.0, 4.0])


def test_modifying_an_unsaved_tensor_is_fine(torch):
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    c = nl.tensor([3.0, 4.0])
    y = x + c                                    # add saves nothing
    c.add_(1)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_version_counts_writes_shared_with_views():
    t = nl.zeros(4)
    v = t[1:3]
    assert t._version == 0
    v.add_(1)
    t.mul_(2)
    assert t._version == 2 and v._version == 2


def test_optimizer_step_between_steps_does_not_trip_the_counter():
    m = nn.Linear(4, 2)
    opt = nl.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        m(nl.ones(5, 4)).pow(2).sum().backward()
        opt.step()


# ---- dtype and shape rules ----------------------------------------------------------------
def test_inplace_result_must_fit_the_tensor(torch):
    for lib in (nl, torch):
        i = lib.tensor([1, 2, 3])
        with pytest.raises(RuntimeError, match="can't be cast"):
            i.add_(1.5)
        with pytest.raises(RuntimeError):
            lib.zeros(3).add_(lib.zeros(2, 3))       # the tensor itself cannot broadcast
    f = nl.zeros(3)
    f.add_(nl.ones(3, dtype=nl.float64))
    assert f.dtype == np.float32


# ---- indexing writes ------------------------------------------------------------------
def test_scatter_index_fill_masked_fill_in_place_match_torch(torch):
    a = np.arange(12.0).reshape(3, 4)
    idx = np.array([[0, 2], [1, 3], [3, 0]])
    src = -np.arange(6.0).reshape(3, 2)
    mask = a % 3 == 0
    for lib in (nl, torch):
        x = lib.tensor(a)
        x.scatter_(1, lib.tensor(idx), lib.tensor(src))
        x.index_fill_(0, lib.tensor([2]), 0.5)
        x.masked_fill_(lib.tensor(mask), 9.0)
        if lib is nl:
            ours = x.numpy().copy()
    np.testing.assert_array_equal(ours, x.numpy())


def test_scatter_gradients_match_torch(torch):
    a = np.random.default_rng(0).standard_normal((3, 4))
    s = np.random.default_rng(1).standard_normal((3, 3))
    idx = np.array([[0, 2, 2], [1, 3, 0], [3, 0, 1]])
    (x, tx), (src, tsrc) = _pair(torch, a), _pair(torch, s)
    for lib, t, u in ((nl, x, src), (torch, tx, tsrc)):
        y = lib.scatter(t, 1, lib.tensor(idx), u)
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(src.grad.numpy(), tsrc.grad.numpy())


def test_random_fills_under_no_grad():
    w = nl.empty(1000, requires_grad=True)
    with nl.no_grad():
        w.normal_(0.0, 2.0)
        assert abs(float(w.array.std()) - 2.0) < 0.2
        w.uniform_(-1, 1)
        assert w.array.min() >= -1 and w.array.max() <= 1
        w.bernoulli_(0.5)
        assert set(np.unique(w.array)) <= {0.0, 1.0}
        w.exponential_(2.0)
        assert w.array.min() >= 0


# ---- torch.Generator -----------------------------------------------------------------
def test_generator_object_seeds_factories_samplers_and_splits():
    g = nl.Generator().manual_seed(7)
    a = nl.rand(3, generator=g)
    perm = list(nl.utils.data.RandomSampler(range(10), generator=g))
    parts = nl.utils.data.random_split(range(10), [0.5, 0.5], generator=g)
    g.manual_seed(7)
    np.testing.assert_array_equal(nl.rand(3, generator=g).numpy(), a.numpy())
    assert list(nl.utils.data.RandomSampler(range(10), generator=g)) == perm
    assert [list(p) for p in nl.utils.data.random_split(range(10), [0.5, 0.5], generator=g)] \
        == [list(p) for p in parts]
    assert g.initial_seed() == 7
    with pytest.raises(RuntimeError, match="CPU"):
        nl.Generator(device="cuda")


# ---- legacy constructors and casts -------------------------------------------------------
def test_legacy_tensor_constructor_and_casts():
    assert nl.Tensor(2, 3).shape == (2, 3) and nl.Tensor(2, 3).dtype == np.float32
    assert nl.Tensor(5).shape == (5,) and nl.Tensor().shape == (0,)
    np.testing.assert_array_equal(nl.Tensor([1.0, 2.0]).numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(nl.Tensor((2, 3)).numpy(), [2.0, 3.0])   # a tuple is data
    w = nn.Parameter(nl.Tensor(4, 3))
    assert w.shape == (4, 3) and w.requires_grad
    m = nn.Linear(2, 2).type("torch.DoubleTensor")
    assert m.weight.dtype == np.float64
    for f in (lambda: nl.zeros(2).bfloat16(), lambda: nn.Linear(2, 2).bfloat16()):
        with pytest.raises(TypeError, match="bfloat16"):
            f()


def test_where_with_the_condition_alone_and_softmax_dtype(torch):
    m = np.array([[True, False, True], [False, True, False]])
    ours, theirs = nl.where(nl.tensor(m)), torch.where(torch.tensor(m))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert nl.tensor([1.0, 2.0]).softmax(0, dtype=nl.float64).dtype == np.float64


# ---- in-place changes of shape, resize_, random_, pin_memory -----------------------
def test_shape_changing_inplace_methods_match_torch(torch):
    a = np.arange(6.0).reshape(2, 1, 3)
    outs = []
    for lib in (nl, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        assert y.squeeze_(1) is y and tuple(y.shape) == (2, 3)
        y.unsqueeze_(0)
        y.transpose_(0, 2)                          # (3, 2, 1)
        z = y.squeeze(2) * 1
        z.t_()                                      # (2, 3)
        (z * z * lib.arange(6.0, dtype=lib.float64).reshape(2, 3)).sum().backward()
        outs.append((tuple(y.shape), x.grad.numpy()))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[0][1], outs[1][1])
    with pytest.raises(RuntimeError, match="leaf"):
        nl.ones(2, 1, requires_grad=True).squeeze_()
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        nl.ones(2, 2, 2).t_()


def test_resize_keeps_the_leading_values_and_refuses_grad(torch):
    for lib in (nl, torch):
        r = lib.arange(6.0)
        r.resize_(2, 2)
        np.testing.assert_array_equal(r.numpy(), [[0, 1], [2, 3]])
        r.resize_(5)
        assert tuple(r.shape) == (5,)
        np.testing.assert_array_equal(r.numpy()[:4], [0, 1, 2, 3])
    with pytest.raises(RuntimeError, match="require grad"):
        nl.ones(3, requires_grad=True).resize_(2)


def test_random_draws_in_range_and_pin_memory_is_a_no_op():
    nl.manual_seed(0)
    x = nl.zeros(1000).random_(3, 7)
    assert set(np.unique(x.numpy())) == {3.0, 4.0, 5.0, 6.0}
    assert (nl.zeros(100).random_(4).numpy() < 4).all()
    assert nl.zeros(10, dtype=nl.uint8).random_().dtype == nl.uint8
    with pytest.raises(RuntimeError, match="less than"):
        nl.zeros(2).random_(5, 5)
    t = nl.ones(2)
    assert t.pin_memory() is t and not t.is_pinned()


def test_recorded_relu_runs_in_place_and_raises_where_torch_does(torch):
    a = np.random.default_rng(0).standard_normal((4, 3))
    grads = []
    for lib in (nl, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        before = y.numpy() if lib is nl else None
        assert lib.nn.functional.relu(y, inplace=True) is y
        if lib is nl:
            assert np.shares_memory(y.numpy(), before)      # no copy
        (y * y).sum().backward()
        grads.append(x.grad.numpy())
        s = lib.tensor(a, requires_grad=True).sigmoid()
        s.relu_()                                           # sigmoid saved its output
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            s.sum().backward()
    np.testing.assert_allclose(grads[0], grads[1])
