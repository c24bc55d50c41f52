"""Worker: the Tensor collectives of nnlite.distributed on every rank (see test_collectives)."""
import numpy as np
import pytest

import nnlite as nl
import nnlite.distributed as dist
from _worker import main


def check(rank: int, world: int) -> None:
    assert dist.is_initialized() and dist.get_backend() == "mpi"
    ranks = np.arange(world, dtype=np.float64) + 1               # each rank's value
    # all_reduce with each op, in place, float and int
    for op, want in [(dist.ReduceOp.SUM, ranks.sum()), (dist.ReduceOp.AVG, ranks.mean()),
                     (dist.ReduceOp.PRODUCT, ranks.prod()), (dist.ReduceOp.MIN, 1.0),
                     (dist.ReduceOp.MAX, float(world))]:
        t = nl.full((2, 3), rank + 1.0)
        assert dist.all_reduce(t, op=op) is None
        assert t.dtype == nl.float32 and np.all(t.numpy() == want), (op, t)
    t = nl.tensor([rank + 1, 6], dtype=nl.int64)
    dist.all_reduce(t)
    assert t.tolist() == [int(ranks.sum()), 6 * world]
    t = nl.tensor([0b0110 | (1 << rank)], dtype=nl.int32)
    dist.all_reduce(t, op=dist.ReduceOp.BAND)
    assert t.item() == 0b0110 | (1 if world == 1 else 0)
    with pytest.raises(TypeError, match="AVG needs a floating"):
        dist.all_reduce(nl.tensor([1]), op=dist.ReduceOp.AVG)
    # a non-contiguous view and a 0-d tensor are reduced where they lie
    base = nl.zeros(4, 3)
    view = base.t()                                   # (3, 4), not C-contiguous
    view += rank + 1
    dist.all_reduce(view)
    assert np.all(base.numpy() == ranks.sum())
    s = nl.tensor(rank + 1.0)
    dist.all_reduce(s, op=dist.ReduceOp.MAX)
    assert s.item() == world
    # async_op returns a Work; the result is there after wait()
    t = nl.full((1000,), rank + 1.0)
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() and work.is_completed() and np.all(t.numpy() == ranks.sum())
    # broadcast from the last rank, also async and by group_src
    b = nl.full((3,), float(rank))
    dist.broadcast(b, src=world - 1)
    assert b.tolist() == [world - 1.0] * 3
    b = nl.arange(5.0) * (rank + 1)
    dist.broadcast(b, group_src=0, async_op=True).wait()
    assert b.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="src must be a rank"):
        dist.broadcast(b, src=world)
    # all_gather in rank order
    out = [nl.zeros(2, dtype=nl.int64) for _ in range(world)]
    dist.all_gather(out, nl.tensor([rank, 10 * rank]))
    assert [o.tolist() for o in out] == [[r, 10 * r] for r in range(world)]
    with pytest.raises(ValueError, match="must hold world_size"):
        dist.all_gather(out[:1] * (world + 1), nl.tensor([rank, 0]))
    with pytest.raises(TypeError, match="of type Tensor"):
        dist.all_reduce(np.ones(2))
    dist.barrier(async_op=True).wait()
    dist.barrier()
    # the group: once; destroy and make it again; world_size/rank checked against MPI
    with pytest.raises(ValueError, match="twice"):
        dist.init_process_group("mpi")
    dist.destroy_process_group()
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="world_size=5, but MPI says"):
        dist.init_process_group("mpi", world_size=5)
    with pytest.raises(ValueError, match="backend must be 'mpi'"):
        dist.init_process_group("nccl")
    dist.init_process_group(backend="mpi", init_method="env://", world_size=world, rank=rank)
    assert dist.get_rank() == rank and dist.get_world_size() == world


if __name__ == "__main__":
    main(check)
