"""Worker: DistributedDataParallel against a single process on the global batch (see
test_ddp.py). Every rank also trains the single-process reference itself, on the whole
global batch, from the same initial weights."""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.nn.parallel import DistributedDataParallel as DDP
from _worker import gathered, main, same_on_all_ranks  # noqa: I001

B, STEPS = 4, 6                       # per-rank batch, optimiser steps


def small_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(6 * 3 * 3, 16), nn.Tanh(), nn.Linear(16, 5))


def batches(world: int, steps: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield (rng.standard_normal((B * world, 1, 8, 8)).astype(np.float32),
               rng.integers(0, 5, B * world))


def check_parity_with_one_process(rank: int, world: int) -> None:
    """N steps of SGD with momentum and weight decay: every rank's parameters equal the
    single-process run on the global batch to 1e-5, and each other exactly."""
    nl.manual_seed(100 + rank)                          # different weights: DDP copies rank 0's
    model = small_cnn()
    ddp = DDP(model, bucket_cap_mb=0.0003)              # ~300 B buckets: 3 allreduces
    assert len(ddp.reducer.buckets) >= 3
    assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
    ref = small_cnn()
    ref.load_state_dict(model.state_dict())
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    ref_opt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    mine = slice(rank * B, (rank + 1) * B)
    for x, y in batches(world, STEPS):
        opt.zero_grad()
        F.cross_entropy(ddp(nl.tensor(x[mine])), nl.tensor(y[mine])).backward()
        opt.step()
        ref_opt.zero_grad()
        F.cross_entropy(ref(nl.tensor(x)), nl.tensor(y)).backward()
        ref_opt.step()
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-5, atol=1e-5, err_msg=name)
        assert same_on_all_ranks(p.numpy()), name


def check_no_sync_accumulates(rank: int, world: int) -> None:
    """Two micro-batches under no_sync and one synchronised: the gradient is the average
    over ranks of the accumulated local gradients (= the sum of the global batches' ones).
    With gradient_as_bucket_view the averaged .grad is the bucket's memory."""
    nl.manual_seed(0)
    model = small_cnn()
    ddp = DDP(model, gradient_as_bucket_view=True)
    ref = small_cnn()
    ref.load_state_dict(model.state_dict())
    mine = slice(rank * B, (rank + 1) * B)
    data = list(batches(world, 3, seed=1))
    with ddp.no_sync():
        for x, y in data[:2]:
            F.cross_entropy(ddp(nl.tensor(x[mine])), nl.tensor(y[mine])).backward()
    local = [p.grad.numpy().copy() for p in model.parameters()]
    x, y = data[2]
    F.cross_entropy(ddp(nl.tensor(x[mine])), nl.tensor(y[mine])).backward()
    for x, y in data:
        F.cross_entropy(ref(nl.tensor(x)), nl.tensor(y)).backward()
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)
        assert any(np.shares_memory(p.grad.numpy(), b.buffer) for b in ddp.reducer.buckets)
    if world > 1:       # under no_sync nothing was averaged: the ranks' gradients differed
        assert not same_on_all_ranks(local[0])


class Branchy(nn.Module):
    """``a`` is used on rank 0 only, ``unused`` by no rank."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.unused = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x, use_a):
        return self.b(x) + (self.a(x) if use_a else 0)


def check_unused_parameters(rank: int, world: int) -> None:
    x = nl.ones(4, 3) * (rank + 1)
    ddp = DDP(Branchy(), find_unused_parameters=True)
    ddp(x, rank == 0).sum().backward()
    m = ddp.module
    # rank 0's gradient of a.weight is 4 (rows of ones), the others' none: the average
    # over ranks is written on every rank, also where .grad was None
    np.testing.assert_allclose(m.a.weight.grad.numpy(), np.full((2, 3), 4.0 / world))
    np.testing.assert_allclose(m.b.bias.grad.numpy(), np.full(2, 4.0), rtol=1e-6)
    assert m.unused.weight.grad is None                  # unused by every rank: untouched
    # without find_unused_parameters, a parameter without gradient stops the next forward
    strict = DDP(Branchy())
    strict(x, True).sum().backward()                     # all but `unused` reduced
    with pytest.raises(RuntimeError, match="finished reduction in the prior iteration"):
        strict(x, True)


def check_batchnorm_buffers(rank: int, world: int) -> None:
    """BatchNorm under DDP normalises with each rank's own batch statistics (as torch);
    the next forward broadcasts rank 0's running statistics to every rank."""
    nl.manual_seed(rank)
    ddp = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
    bn = ddp.module[1]
    x = nl.randn(8, 3) + rank                             # different data per rank
    ddp(x).sum().backward()
    assert world == 1 or not same_on_all_ranks(bn.running_mean.numpy())    # local statistics
    after_first = gathered(bn.running_mean.numpy())[0]
    ddp.eval()
    with nl.no_grad():
        ddp(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), after_first)   # rank 0's


def check_arguments(rank: int, world: int) -> None:
    if world > 1:
        with pytest.raises(RuntimeError, match="differs between processes"):
            DDP(nn.Linear(3, 2 + rank))
    with pytest.raises(ValueError, match="device_ids must be None"):
        DDP(nn.Linear(3, 2), device_ids=[0])
    with pytest.raises(RuntimeError, match="doesn't have any parameter"):
        DDP(nn.ReLU())
    with pytest.raises(RuntimeError, match="uninitialized parameters"):
        DDP(nn.LazyLinear(2))
    with pytest.warns(FutureWarning, match="broadcast_buffers"):
        assert DDP(nn.Linear(3, 2), broadcast_buffers=False).broadcast_buffers is False


def check(rank: int, world: int) -> None:
    check_arguments(rank, world)
    check_parity_with_one_process(rank, world)
    check_no_sync_accumulates(rank, world)
    check_unused_parameters(rank, world)
    check_batchnorm_buffers(rank, world)


if __name__ == "__main__":
    main(check)
