"""The gradient reducer of ``DistributedDataParallel``: buckets of parameters whose
gradients are averaged over the processes with one allreduce per bucket.

How a synchronised backward runs (torch's ``Reducer``, in NumPy and mpi4py):

1. Buckets are made once: the parameters, in the order the model defines them, are cut
   into runs of one dtype of at most ``bucket_cap`` bytes (the first run: at most
   ``first_bucket_cap``), and the runs are reversed, so bucket 0 holds the last layers,
   whose gradients backward computes first. Each bucket owns one flat buffer.
2. ``prepare_for_backward`` (called by the forward that will be synchronised) arms the
   reducer. Each parameter has a post-accumulate-grad hook: when backward has written its
   ``.grad``, the hook copies it into its slot of the bucket's buffer (``mark_ready``).
3. When every parameter of a bucket is ready -- and every bucket before it has been
   started, so that all processes start the same allreduces in the same order -- the
   bucket is divided by the world size and its allreduce (sum) is started without waiting
   (``MPI_Iallreduce``).
4. When the last bucket has started, the reducer waits for them all and copies the
   averages back into ``.grad`` (in place), or makes ``.grad`` a view of the bucket with
   ``gradient_as_bucket_view``.

With ``find_unused`` the forward also walks the autograd graph from the outputs: a
parameter that the outputs do not depend on gets no gradient, so it is marked ready at the
first hook of the backward (its slot holds its ``.grad`` so far, or zeros), and a small
allreduce of which parameters each process used decides whose ``.grad`` is written: a
parameter no process used keeps its ``.grad`` untouched.
"""
from __future__ import annotations

import weakref
from typing import Any, Iterable, Sequence

import numpy as np

from ...autograd import versions as _versions
from ...autograd.function import AccumulateGrad
from ...tensor import Tensor, from_numpy

__all__ = ["Reducer", "assign_buckets"]


def assign_buckets(params: Sequence[Tensor], bucket_cap: int, first_bucket_cap: int
                   ) -> list[list[int]]:
    """Parameter indices grouped into buckets: consecutive parameters of one dtype, a
    bucket closed once it holds at least its cap of bytes (``first_bucket_cap`` for the
    first bucket of each dtype, ``bucket_cap`` after), the list of buckets reversed (the
    last-defined parameters first), as torch's ``_compute_bucket_assignment_by_size``."""
    open_: dict = {}                 # dtype -> [indices, bytes, buckets closed so far]
    closed: list[list[int]] = []
    for i, p in enumerate(params):
        dt = p.array.dtype
        entry = open_.setdefault(dt, [[], 0, 0])
        entry[0].append(i)
        entry[1] += p.array.nbytes
        cap = first_bucket_cap if entry[2] == 0 else bucket_cap
        if entry[1] >= cap:
            closed.append(entry[0])
            open_[dt] = [[], 0, entry[2] + 1]
    closed += [entry[0] for entry in open_.values() if entry[0]]
    closed.sort(key=lambda b: b[0])
    return closed[::-1]


class _Bucket:
    """Parameters of one dtype and their gradients' flat buffer."""

    def __init__(self, indices: list[int], params: Sequence[Tensor]) -> None:
        self.indices = indices
        sizes = [params[i].array.size for i in indices]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        self.buffer = np.zeros(self.offsets[-1], params[indices[0]].array.dtype)
        self.pending = len(indices)
        self.request: Any = None

    def slot(self, k: int, shape: tuple) -> np.ndarray:
        """The buffer's part for the bucket's ``k``-th parameter, shaped as it."""
        return self.buffer[self.offsets[k]:self.offsets[k + 1]].reshape(shape)


class Reducer:
    """Averages the gradients of ``params`` over ``group`` after each armed backward (see
    the module docstring). ``DistributedDataParallel`` owns one.

    Args:
        params (list of Parameter): those that require grad, in the model's order.
        group (ProcessGroup): the processes to average over.
        bucket_cap (int): bytes per bucket. first_bucket_cap (int): bytes for the first
            bucket (the first-defined parameters).
        find_unused (bool): walk the graph to find parameters without a gradient.
        gradient_as_bucket_view (bool): leave ``.grad`` as a view of the bucket buffer.
    """

    def __init__(self, params: Sequence[Tensor], group: Any, bucket_cap: int,
                 first_bucket_cap: int, find_unused: bool = False,
                 gradient_as_bucket_view: bool = False) -> None:
        self.params, self.group = list(params), group
        self.find_unused, self.as_view = find_unused, gradient_as_bucket_view
        self.buckets = [_Bucket(b, self.params)
                        for b in assign_buckets(self.params, bucket_cap, first_bucket_cap)]
        self.where = {}                                     # param index -> (bucket, k)
        for bi, bucket in enumerate(self.buckets):
            for k, i in enumerate(bucket.indices):
                self.where[i] = (bi, k)
        self.armed = False          # the last forward asked for a synchronised backward
        self.started = False        # a hook of that backward has run
        self.ready = np.zeros(len(self.params), bool)
        self.used = np.ones(len(self.params), np.int32)     # this process's, for find_unused
        self.next_bucket = 0
        ref = weakref.ref(self)
        self.handles = [p.register_post_accumulate_grad_hook(_Hook(ref, i))
                        for i, p in enumerate(self.params)]

    def remove_hooks(self) -> None:
        """Take the reducer's hooks off the parameters."""
        for h in self.handles:
            h.remove()
        self.handles = []

    # ---- forward side -----------------------------------------------------------------
    def check_prior_reduction(self) -> None:
        """Raise if the last synchronised backward did not reduce every bucket (some
        parameter got no gradient), as torch does at the next forward."""
        if self.armed and self.started:
            missing = [i for i in range(len(self.params)) if not self.ready[i]]
            raise RuntimeError(
                f"Expected to have finished reduction in the prior iteration before starting "
                f"a new one. This error indicates that your module has parameters that were "
                f"not used in producing loss (parameter indices {missing[:10]} got no "
                f"gradient). Pass find_unused_parameters=True to DistributedDataParallel, or "
                f"make sure all forward outputs take part in the loss.")

    def prepare_for_backward(self, outputs: Any) -> None:
        """Arm the reducer for the backward of ``outputs`` (the forward's return value)."""
        self.armed, self.started, self.next_bucket = True, False, 0
        self.ready[:] = False
        for b in self.buckets:
            b.pending, b.request = len(b.indices), None
        if self.find_unused:
            reached = _reached_leaves(outputs)
            self.used = np.array([p._node in reached for p in self.params], np.int32)

    # ---- backward side ----------------------------------------------------------------
    def on_grad(self, i: int) -> None:
        """Parameter ``i``'s gradient has been accumulated (its hook)."""
        if not self.armed:
            return                                  # no_sync, or not through the DDP forward
        if not self.started:
            self.started = True
            if self.find_unused:                    # no gradient will come for these
                for j in np.flatnonzero(self.used == 0):
                    self.mark_ready(int(j))
        self.mark_ready(i)

    def mark_ready(self, i: int) -> None:
        """Copy parameter ``i``'s gradient into its bucket; start the buckets now ready."""
        if self.ready[i]:
            raise RuntimeError(f"Expected to mark a variable ready only once (parameter index "
                               f"{i}, shape {tuple(self.params[i].shape)}): it took part in "
                               f"this backward twice (an unused parameter that got a "
                               f"gradient after all?)")
        self.ready[i] = True
        bi, k = self.where[i]
        bucket, p = self.buckets[bi], self.params[i]
        slot = bucket.slot(k, p.array.shape)
        if p.grad is None:
            slot[...] = 0
        else:
            slot[...] = p.grad.array
        bucket.pending -= 1
        while self.next_bucket < len(self.buckets) and \
                self.buckets[self.next_bucket].pending == 0:
            self._start(self.buckets[self.next_bucket])
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets):
            self._finish()

    def _start(self, bucket: _Bucket) -> None:
        np.divide(bucket.buffer, self.group.size(), out=bucket.buffer)
        bucket.request = self.group.iallreduce(bucket.buffer)

    def _finish(self) -> None:
        """Wait for every bucket and write the averages into ``.grad``."""
        self.group.MPI.Request.Waitall([b.request for b in self.buckets])
        used = self.used
        if self.find_unused:
            used = self.used.copy()
            self.group.allreduce(used)              # how many processes used each
        for bucket in self.buckets:
            for k, i in enumerate(bucket.indices):
                if used[i]:
                    _write_grad(self.params[i], bucket.slot(k, self.params[i].array.shape),
                                self.as_view)
        self.armed = self.started = False


class _Hook:
    """The post-accumulate-grad hook of parameter ``index``: tells the reducer (held
    weakly, so the hooks do not keep a discarded DDP model alive)."""

    def __init__(self, reducer: weakref.ref, index: int) -> None:
        self.reducer, self.index = reducer, index

    def __call__(self, param: Tensor) -> None:
        reducer = self.reducer()
        if reducer is not None:
            reducer.on_grad(self.index)


def _write_grad(p: Tensor, avg: np.ndarray, as_view: bool) -> None:
    """Make ``p.grad`` hold ``avg``: in place into an existing gradient (a program holding
    ``p.grad`` sees the average, as in torch), as the bucket's own memory with
    ``as_view``, else a copy."""
    g = p.grad
    if as_view:
        p._grad = from_numpy(avg)
    elif g is not None and g.array.flags.writeable and g.array.dtype == avg.dtype:
        g.array[...] = avg
        _versions.bump(g.array)
    else:
        p._grad = from_numpy(avg.copy())


def _reached_leaves(outputs: Any) -> set:
    """The AccumulateGrad nodes the autograd graph of ``outputs`` reaches."""
    stack = [t._node for t in _tensors(outputs) if t._node is not None]
    seen, leaves = set(), set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.__class__ is AccumulateGrad:
            leaves.add(node)
        for parent in node.parents or ():
            if parent is not None:
                stack.append(parent)
    return leaves


def _tensors(obj: Any) -> Iterable[Tensor]:
    """Every Tensor in a forward's output (nested tuples, lists, dicts, dataclass-like
    objects are searched through their containers only)."""
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)
