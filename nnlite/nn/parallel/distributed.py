"""``DistributedDataParallel``: data-parallel training over processes (torch's DDP).

Every process holds a replica of the model and trains it on its own share of each batch
(a ``DistributedSampler`` gives each process different samples). The wrapper keeps the
replicas equal: at construction it copies rank 0's parameters and buffers to every
process, and after each backward it averages the gradients over the processes (bucketed
allreduces, see ``reducer.py``), so each optimiser step is the same step everywhere: the
step a single process would take on the whole global batch (when the loss is a mean over
the batch and every process has as many samples).

    dist.init_process_group(backend="mpi")               # launched by mpiexec -n N
    model = DistributedDataParallel(model)
    loss = F.cross_entropy(model(x), y)                  # x: this process's samples
    loss.backward()                                      # gradients averaged here
    opt.step()
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import numpy as np

from ...autograd import versions as _versions
from ...autograd.grad_mode import is_grad_enabled
from ...distributed.process_group import ProcessGroup, _group
from ..lazy import UninitializedParameter
from ..module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel"]

MB = 1024 * 1024
DEFAULT_BUCKET_CAP_MB = 25               # torch's bucket_cap_mb default
DEFAULT_FIRST_BUCKET_BYTES = 1 * MB      # torch's dist._DEFAULT_FIRST_BUCKET_BYTES
BROADCAST_BUCKET_BYTES = 250 * MB        # torch's broadcast_bucket_size


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training over the processes of the default group.

    At construction rank 0's parameters and buffers are broadcast to every process (after
    checking that every process has the same parameter shapes). In each forward with
    gradients enabled the buffers (e.g. BatchNorm's running statistics) are broadcast from
    rank 0 again (``forward_sync_buffers``), and the following backward averages every
    parameter's ``.grad`` over the processes. BatchNorm layers normalise with the
    statistics of each process's own batch, as in torch; use :class:`~nnlite.nn.SyncBatchNorm`
    (``SyncBatchNorm.convert_sync_batchnorm(model)``) for statistics over the global batch.

    Args:
        module (Module): the model; it must have at least one parameter that requires grad.
        device_ids, output_device: must be None (torch's rule for CPU modules).
        dim (int): the batch dimension (accepted; inputs are not split). Default: 0.
        broadcast_buffers (bool, optional): torch's older name of ``forward_sync_buffers``
            (deprecated there; ``False`` also leaves the buffers out of the initial copy).
            Default: None.
        init_sync (bool): check the shapes and copy rank 0's parameters and buffers at
            construction. Default: True.
        process_group (ProcessGroup, optional): None or the default group.
        bucket_cap_mb (float, optional): bucket size in MiB. Default: None (25 MiB, and
            1 MiB for the bucket of the first-defined parameters, as torch).
        find_unused_parameters (bool): find, after each forward, the parameters that the
            outputs do not depend on, so that backward does not wait for their gradients.
            Default: False (such a parameter makes the next forward raise, as torch).
        check_reduction (bool): deprecated in torch and unused. Default: False.
        gradient_as_bucket_view (bool): after the reduction ``.grad`` is a view of the
            bucket's buffer instead of a copy. Default: False.
        static_graph (bool): accepted; unused parameters are then found as with
            ``find_unused_parameters``. Default: False.
        forward_sync_buffers (bool, optional): broadcast the buffers from rank 0 in each
            forward. Default: None (True).

    Attributes:
        module (Module): the wrapped model (its ``state_dict()`` has the plain keys; the
            wrapper's keys start with ``module.``, as torch's).

    Example:
        >>> dist.init_process_group(backend="mpi")               # doctest: +SKIP
        >>> model = nn.parallel.DistributedDataParallel(LeNet5())  # doctest: +SKIP
        >>> F.cross_entropy(model(x), y).backward()              # doctest: +SKIP
        >>> nl.save(model.module.state_dict(), "lenet5.npz")     # on rank 0 # doctest: +SKIP
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool | None = None, init_sync: bool = True,
                 process_group: ProcessGroup | None = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 forward_sync_buffers: bool | None = None) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value is not None:
                raise ValueError(f"DistributedDataParallel: {name} must be None for a CPU "
                                 f"module (as in torch), got {name}={value!r}")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got "
                             f"{bucket_cap_mb!r}")
        self.process_group = _group(process_group, "DistributedDataParallel")
        self.module = module
        self.dim = dim
        params = [p for p in module.parameters() if p.requires_grad]
        if any(isinstance(p, UninitializedParameter) for p in module.parameters()):
            raise RuntimeError("Modules with uninitialized parameters can't be used with "
                               "`DistributedDataParallel`. Run a dummy forward pass to "
                               "correctly initialize the modules")
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self.forward_sync_buffers, init_buffers = _buffer_flags(broadcast_buffers,
                                                                forward_sync_buffers)
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        if check_reduction:
            warnings.warn("The `check_reduction` argument in `DistributedDataParallel` "
                          "module is deprecated. Please avoid using it.", FutureWarning,
                          stacklevel=2)
        cap = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * MB)
        first = DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        if init_sync:
            self._verify_shapes()
            self._broadcast([p.array for p in module.parameters()] +
                            ([b.array for b in module.buffers()] if init_buffers else []))
        self.reducer = Reducer(params, self.process_group, self.bucket_bytes_cap,
                               min(first, self.bucket_bytes_cap),
                               find_unused=find_unused_parameters or static_graph,
                               gradient_as_bucket_view=gradient_as_bucket_view)

    @property
    def broadcast_buffers(self) -> bool:
        """torch's older name of ``forward_sync_buffers``."""
        return self.forward_sync_buffers

    @broadcast_buffers.setter
    def broadcast_buffers(self, value: bool) -> None:
        self.forward_sync_buffers = value

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self.reducer.check_prior_reduction()
        if self.require_forward_param_sync and self.forward_sync_buffers:
            buffers = [b.array for b in self.module.buffers()]
            if buffers:
                self._broadcast(buffers)
        out = self.module(*inputs, **kwargs)
        if sync:
            self.reducer.prepare_for_backward(out)
        self.require_forward_param_sync = sync
        return out

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """A context in which forwards are not followed by gradient averaging: the
        gradients accumulate on each process, and the first synchronised backward after
        it averages the accumulated ones (gradient accumulation over several batches).

        Example:
            >>> with ddp.no_sync():
            ...     for x, y in first_batches:
            ...         F.cross_entropy(ddp(x), y).backward()       # local only
            >>> F.cross_entropy(ddp(x_last), y_last).backward()      # averaged here
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # ---- construction-time synchronisation --------------------------------------------
    def _verify_shapes(self) -> None:
        """Raise, on every process, if the processes' parameters differ in names, shapes
        or dtypes (the collectives would otherwise mix unrelated numbers or hang)."""
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()]
        everyone = self.process_group.allgather_object(mine)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                diff = next(((a, b) for a, b in zip(everyone[0], theirs) if a != b),
                            (f"{len(everyone[0])} parameters", f"{len(theirs)} parameters"))
                raise RuntimeError(f"DistributedDataParallel: the model differs between "
                                   f"processes: rank 0 has {diff[0]}, rank {rank} has "
                                   f"{diff[1]}")

    def _broadcast(self, arrays: list[np.ndarray]) -> None:
        """Copy rank 0's ``arrays`` into every process's, in flat buffers of one dtype of
        at most ``BROADCAST_BUCKET_BYTES`` each."""
        by_dtype: dict = {}
        for a in arrays:
            by_dtype.setdefault(a.dtype, []).append(a)
        for same_dtype in by_dtype.values():
            for part in _chunks(same_dtype, BROADCAST_BUCKET_BYTES):
                flat = np.concatenate([a.reshape(-1) for a in part])
                self.process_group.bcast(flat, 0)
                offset = 0
                for a in part:
                    a[...] = flat[offset:offset + a.size].reshape(a.shape)
                    _versions.bump(a)
                    offset += a.size


def _chunks(arrays: list[np.ndarray], cap: int) -> Iterator[list[np.ndarray]]:
    """Consecutive runs of ``arrays`` of at most ``cap`` bytes (an array larger than
    ``cap`` alone)."""
    part: list[np.ndarray] = []
    nbytes = 0
    for a in arrays:
        if part and nbytes + a.nbytes > cap:
            yield part
            part, nbytes = [], 0
        part.append(a)
        nbytes += a.nbytes
    if part:
        yield part


def _buffer_flags(broadcast_buffers: bool | None, forward_sync_buffers: bool | None
                  ) -> tuple[bool, bool]:
    """(sync the buffers in each forward, include them in the initial copy), from torch
    2.13's two arguments: ``forward_sync_buffers`` wins; the deprecated
    ``broadcast_buffers=False`` also keeps the buffers out of the initial copy."""
    if broadcast_buffers is not None:
        warnings.warn("`broadcast_buffers` is deprecated. Use `forward_sync_buffers` "
                      "instead." + (" `broadcast_buffers` is ignored when "
                                    "`forward_sync_buffers` is given."
                                    if forward_sync_buffers is not None else ""),
                      FutureWarning, stacklevel=3)
    if forward_sync_buffers is not None:
        return bool(forward_sync_buffers), True
    flag = True if broadcast_buffers is None else bool(broadcast_buffers)
    return flag, flag
