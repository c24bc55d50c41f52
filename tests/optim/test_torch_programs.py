"""Short training loops in everyday torch style, using the optimizers and schedulers of
nnlite/optim, run once with ``lib = torch`` and once with ``lib = nnlite`` from the same
weights and data (float64): the losses and learning rates agree at every step.

Each program is written once, against ``lib``, the way a torch user writes it (a module, a
loss from ``lib.nn``, ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``,
``scheduler.step()``), so a gap in the surface fails here as it would in a user's program.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnlite

STEPS = 25


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 6))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)
    return x, y, rng.standard_normal((32, 1))


def _model(lib, torch):
    """A small MLP, the torch one's weights copied into the nnlite one."""
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(),
                                    torch.nn.Linear(16, 2)).double()
    if lib is torch:
        return reference
    model = nnlite.nn.Sequential(nnlite.nn.Linear(6, 16), nnlite.nn.Tanh(),
                                 nnlite.nn.Linear(16, 2)).double()
    model.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return model


def _classify(lib, torch, make_optimizer, make_scheduler, per_batch_epoch=False):
    """Minibatches of 8 over 32 examples; the scheduler steps per batch (or, for
    CosineAnnealingWarmRestarts, is given the fractional epoch)."""
    x, y, _ = _data()
    model = _model(lib, torch)
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = make_optimizer(lib, model)
    scheduler = make_scheduler(lib, optimizer)
    losses, lrs = [], []
    for step in range(STEPS):
        i = (step % 4) * 8
        inputs, targets = lib.tensor(x[i:i + 8]), lib.tensor(y[i:i + 8])
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        if per_batch_epoch:
            scheduler.step(step // 4 + (step % 4) / 4)
        else:
            scheduler.step()
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr())
    return losses, lrs


PROGRAMS = [
    pytest.param(lambda lib, m: lib.optim.NAdam(m.parameters(), lr=0.01, weight_decay=1e-3),
                 lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
                     o, [lib.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=5),
                         lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20)],
                     milestones=[5]), False, id="NAdam-warmup-cosine"),
    pytest.param(lambda lib, m: lib.optim.RAdam(m.parameters(), lr=0.02,
                                                decoupled_weight_decay=True,
                                                weight_decay=0.01),
                 lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05,
                                                                   total_steps=STEPS),
                 False, id="RAdam-OneCycle"),
    pytest.param(lambda lib, m: lib.optim.Adadelta(m.parameters()),
                 lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
                     [lib.optim.lr_scheduler.ConstantLR(o, 0.5, total_iters=4),
                      lib.optim.lr_scheduler.PolynomialLR(o, total_iters=30, power=1.5)]),
                 False, id="Adadelta-chained"),
    pytest.param(lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9),
                 lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.01, 0.2, step_size_up=4,
                                                                 mode="triangular2"),
                 False, id="SGD-CyclicLR"),
    pytest.param(lambda lib, m: lib.optim.Adamax(m.parameters(), lr=0.02),
                 lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
                     o, T_0=2, T_mult=2, eta_min=1e-4), True, id="Adamax-warm-restarts"),
    pytest.param(lambda lib, m: lib.optim.ASGD(m.parameters(), lr=0.05, t0=10),
                 lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.97),
                 False, id="ASGD-multiplicative"),
    pytest.param(lambda lib, m: lib.optim.Rprop(m.parameters(), lr=0.01),
                 lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0),
                 False, id="Rprop"),
]


@pytest.mark.parametrize("make_optimizer, make_scheduler, per_batch_epoch", PROGRAMS)
def test_training_loop_matches_torch(torch, make_optimizer, make_scheduler, per_batch_epoch):
    ours = _classify(nnlite, torch, make_optimizer, make_scheduler, per_batch_epoch)
    theirs = _classify(torch, torch, make_optimizer, make_scheduler, per_batch_epoch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-15)
    assert ours[0][-1] < ours[0][0]


def _fit_lbfgs(lib, torch, line_search_fn):
    """Full-batch regression with LBFGS and a closure, as in torch's examples."""
    x, _, t = _data()
    torch.manual_seed(1)
    reference = torch.nn.Linear(6, 1).double()
    if lib is torch:
        model = reference
    else:
        model = nnlite.nn.Linear(6, 1).double()
        model.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    inputs, targets = lib.tensor(x), lib.tensor(t)
    criterion = lib.nn.MSELoss()
    optimizer = lib.optim.LBFGS(model.parameters(), lr=1, max_iter=5, history_size=4,
                                line_search_fn=line_search_fn)

    def closure():
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(6)]
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_closure_program_matches_torch(torch, line_search_fn):
    ours, ours_params = _fit_lbfgs(nnlite, torch, line_search_fn)
    theirs, theirs_params = _fit_lbfgs(torch, torch, line_search_fn)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    for a, b in zip(ours_params, theirs_params):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert ours[-1] < ours[0]
