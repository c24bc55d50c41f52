"""Worker: SyncBatchNorm on 2 processes equals BatchNorm on the global batch (see
test_sync_batchnorm.py)."""
import numpy as np

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.nn.parallel import DistributedDataParallel as DDP
from _worker import gathered, main  # noqa: I001

SIZES = [3, 6, 2, 5]                   # per-rank batch sizes: uneven on purpose


def check_layer(rank: int, world: int) -> None:
    """Output, input gradient, summed weight gradients and running statistics of one
    layer, in float64, with a different batch size on each rank (the loss is a sum, so
    each rank's input gradient is its rows of the global one)."""
    sizes = SIZES[:world]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((sum(sizes), 4, 3, 2)) * 3 + 2
    up = rng.standard_normal(x.shape)
    mine = slice(sum(sizes[:rank]), sum(sizes[:rank + 1]))
    sync = nn.SyncBatchNorm(4, momentum=None, dtype=nl.float64)
    nn.init.normal_(sync.weight)
    bn = nn.BatchNorm2d(4, momentum=None, dtype=nl.float64)
    bn.load_state_dict(sync.state_dict())
    for _ in range(2):                   # two steps: the cumulative running average too
        xs, xg = nl.tensor(x[mine], requires_grad=True), nl.tensor(x, requires_grad=True)
        ys, yg = sync(xs), bn(xg)
        (ys * nl.tensor(up[mine])).sum().backward()
        (yg * nl.tensor(up)).sum().backward()
        np.testing.assert_allclose(ys.numpy(), yg.numpy()[mine], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(xs.grad.numpy(), xg.grad.numpy()[mine], atol=1e-12)
    for name in ("weight", "bias"):      # each rank's share; summed over ranks = the global
        total = sum(gathered(getattr(sync, name).grad.numpy()))
        np.testing.assert_allclose(total, getattr(bn, name).grad.numpy(), rtol=1e-12)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(sync, name).numpy(), getattr(bn, name).numpy(),
                                   rtol=1e-12, err_msg=name)
    sync.eval()                          # eval: the running statistics, no communication
    np.testing.assert_allclose(sync(nl.tensor(x[mine])).numpy(),
                               bn.eval()(nl.tensor(x)).numpy()[mine], rtol=1e-12)


def net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 3))


def check_in_ddp(rank: int, world: int) -> None:
    """A convolutional net converted to SyncBatchNorm and wrapped in DDP trains as the
    BatchNorm net on the global batch in one process (float32, 1e-5)."""
    nl.manual_seed(0)
    ref = net()
    model = net()
    model.load_state_dict(ref.state_dict())
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(model[1], nn.SyncBatchNorm)
    ddp = DDP(model)
    opt = optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    ref_opt = optim.SGD(ref.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(1)
    b = 4
    mine = slice(rank * b, (rank + 1) * b)
    for _ in range(4):
        x = rng.standard_normal((b * world, 2, 6, 6)).astype(np.float32)
        y = rng.integers(0, 3, b * world)
        opt.zero_grad()
        F.cross_entropy(ddp(nl.tensor(x[mine])), nl.tensor(y[mine])).backward()
        opt.step()
        ref_opt.zero_grad()
        F.cross_entropy(ref(nl.tensor(x)), nl.tensor(y)).backward()
        ref_opt.step()
    mine_state, ref_state = model.state_dict(), ref.state_dict()
    for k in ref_state:
        np.testing.assert_allclose(mine_state[k], ref_state[k], rtol=1e-5, atol=1e-5, err_msg=k)


def check(rank: int, world: int) -> None:
    check_layer(rank, world)
    check_in_ddp(rank, world)


if __name__ == "__main__":
    main(check)
