"""nl.amp (GradScaler, autocast) and nl.cuda.amp: torch's mixed-precision protocol runs
unchanged; nothing is cast, the scale is 1.0, and a step with inf/NaN gradients is skipped
as torch skips it."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import nn, optim


def _setup():
    nl.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = nl.randn(8, 3), nl.randn(8, 2)
    return model, opt, x, y


def _weights(model):
    return [p.numpy().copy() for p in model.parameters()]


def test_scaler_training_loop_is_the_plain_loop():
    model, opt, x, y = _setup()
    plain, popt, _, _ = _setup()
    scaler = nl.amp.GradScaler()
    for _ in range(3):
        for m, o, scaled in ((model, opt, True), (plain, popt, False)):
            o.zero_grad()
            with nl.autocast(device_type="cpu", dtype=nl.bfloat16):
                loss = ((m(x) - y) ** 2).mean()
            if scaled:
                out = scaler.scale(loss)
                assert out is loss
                out.backward()
                scaler.unscale_(o)
                nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                scaler.step(o)
                scaler.update()
            else:
                loss.backward()
                nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                o.step()
    for a, b in zip(_weights(model), _weights(plain)):
        np.testing.assert_array_equal(a, b)
    assert scaler.get_scale() == 1.0 and scaler.is_enabled()
    assert scaler.state_dict() == {"scale": 1.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                                   "growth_interval": 2000, "_growth_tracker": 3}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")         # NumPy on the inf/NaN grads
@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_scaler_skips_the_step_on_non_finite_gradients(bad):
    model, opt, x, y = _setup()
    scaler = nl.amp.GradScaler()
    before = _weights(model)
    loss = ((model(x) - y) ** 2).mean() * bad
    scaler.scale(loss).backward()
    assert scaler.step(opt) is None
    scaler.update()
    for a, b in zip(_weights(model), before):
        np.testing.assert_array_equal(a, b)
    assert scaler.state_dict()["_growth_tracker"] == 0
    opt.zero_grad()                                     # the next finite step is taken
    scaler.scale(((model(x) - y) ** 2).mean()).backward()
    scaler.step(opt)
    scaler.update()
    assert any(not np.array_equal(a, b) for a, b in zip(_weights(model), before))


def test_scaler_call_order_errors_as_torch():
    model, opt, x, y = _setup()
    scaler = nl.amp.GradScaler()
    with pytest.raises(RuntimeError, match="No inf checks"):
        scaler.update()
    ((model(x) - y) ** 2).mean().backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="after step"):
        scaler.unscale_(opt)
    scaler.update()
    with pytest.raises(RuntimeError, match="Closure"):
        scaler.step(opt, closure=lambda: 0.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_disabled_scaler_passes_through_as_torch(torch):
    model, opt, x, y = _setup()
    ours = nl.amp.GradScaler(enabled=False)
    theirs = torch.amp.GradScaler("cpu", enabled=False)
    assert ours.get_scale() == theirs.get_scale() == 1.0
    assert ours.state_dict() == theirs.state_dict() == {}
    loss = ((model(x) - y) ** 2).mean() * float("inf")
    loss.backward()
    ours.unscale_(opt)
    ours.step(opt)                       # disabled: steps even with inf gradients, as torch
    ours.update()
    assert not np.isfinite(model.weight.numpy()).all()


def test_scaler_state_dict_round_trip_and_torch_keys(torch):
    theirs = torch.amp.GradScaler("cpu").state_dict()
    ours = nl.amp.GradScaler()
    assert set(ours.state_dict()) == set(theirs)
    ours.load_state_dict(theirs)                          # a torch scaler's state loads
    assert ours.get_scale() == theirs["scale"]
    ours.update(new_scale=1.0)
    assert ours.get_scale() == 1.0
    with pytest.raises(RuntimeError, match="empty"):
        ours.load_state_dict({})
    for kwargs, match in (({"growth_factor": 0.5}, "growth factor"),
                          ({"backoff_factor": 1.5}, "backoff factor"),
                          ({"growth_interval": 0}, "growth_interval")):
        with pytest.raises(ValueError, match=match):
            nl.amp.GradScaler(**kwargs)


def test_scaler_with_an_explicit_scale_unscales_exactly():
    model, opt, x, y = _setup()
    scaler = nl.amp.GradScaler()
    scaler.update(new_scale=1024.0)
    loss = ((model(x) - y) ** 2).mean()
    scaler.scale(loss).backward()
    scaled = np.asarray(model.weight.grad).copy()
    scaler.unscale_(opt)
    np.testing.assert_array_equal(np.asarray(model.weight.grad), scaled / 1024)


def test_autocast_changes_nothing_as_context_and_decorator():
    x = nl.randn(4, 3)
    lin = nn.Linear(3, 2)
    want = lin(x).numpy()
    with nl.autocast("cuda", dtype=nl.float16) as ctx:
        assert isinstance(ctx, nl.amp.autocast)
        out = lin(x)
    assert out.dtype == np.float32 and np.array_equal(out.numpy(), want)

    @nl.amp.autocast(device_type="cpu")
    def f(v):
        return lin(v)

    @nl.amp.autocast(device_type="cpu", enabled=False)
    def gen(v):
        yield lin(v)

    assert np.array_equal(f(x).numpy(), want) and np.array_equal(next(gen(x)).numpy(), want)
    with pytest.raises(ValueError, match="device_type"):
        nl.autocast(1)
    with pytest.raises(RuntimeError, match="Expected one of"):
        nl.autocast("gpu")
    assert nl.amp.is_autocast_available("cuda")


def test_cuda_amp_aliases():
    scaler = nl.cuda.amp.GradScaler(init_scale=2.0 ** 10)
    assert isinstance(scaler, nl.amp.GradScaler) and scaler.get_scale() == 1.0
    with nl.cuda.amp.autocast():
        y = nl.ones(2) * 2
    assert y.dtype == np.float32

    @nl.cuda.amp.autocast()
    def f():
        return 3

    assert f() == 3
