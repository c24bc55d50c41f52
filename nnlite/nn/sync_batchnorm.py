"""``SyncBatchNorm``: batch norm whose training statistics are those of the global batch
(the batches of every process of the group), for data-parallel training with small
per-process batches; ``convert_sync_batchnorm`` swaps it in for a model's BatchNorm layers.
The computation is ``nnlite.ops.sync_batch_norm``.
"""
from __future__ import annotations

from typing import Any

from .. import distributed as dist
from ..ops.normalization import batch_norm
from ..ops.sync_batch_norm import sync_batch_norm
from ..tensor import Tensor
from .module import Module
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over an ``(N, C, *)`` input with, in training, the mean and
    variance of the batches of *all* processes of the group, as if they were one batch;
    the backward pass combines the processes' gradient sums likewise (one allreduce).
    The running statistics are the global ones, the same on every process.

    In eval mode, and in training when no process group is initialised or the world
    has one process, it is exactly ``BatchNorm`` (local statistics). Unlike torch's,
    which needs a GPU, it runs on the CPU processes of ``nnlite.distributed``.

    Args:
        num_features (int): C, the number of channels (dim 1 of the input).
        eps (float): added to the variance. Default: 1e-5.
        momentum (float or None): running statistics factor; None for the cumulative
            average. Default: 0.1.
        affine (bool): learn ``weight`` and ``bias``. Default: True.
        track_running_stats (bool): keep running statistics. Default: True.
        process_group (ProcessGroup, optional): None or the default group (where the
            statistics are gathered). Default: None.
        device: only None or ``"cpu"``. dtype: of the parameters and statistics.
        bias (bool, keyword only): with ``affine``, also learn ``bias``. Default: True.

    Shape:
        input (N, C, *) -> output of the same shape (N may differ between processes).

    Example:
        >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)    # doctest: +SKIP
        >>> model = nn.parallel.DistributedDataParallel(model)        # doctest: +SKIP
        >>> nn.SyncBatchNorm(16)(nl.randn(8, 16, 5, 5)).shape         # no group: BatchNorm
        (8, 16, 5, 5)
    """

    _dims = range(2, 1 << 16)             # any (N, C, *)
    _dims_text = "at least 2D"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = self._count_batch()
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        running_mean = self.running_mean if use_running else None
        running_var = self.running_var if use_running else None
        group = None
        if bn_training and self.training and dist.is_initialized():
            group = dist.process_group._group(self.process_group, "SyncBatchNorm")
        if group is None or group.size() == 1:
            return batch_norm(input, running_mean, running_var, self.weight, self.bias,
                              bn_training, factor, self.eps)
        return sync_batch_norm(input, running_mean, running_var, self.weight, self.bias,
                               factor, self.eps, group)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every BatchNorm1d/2d/3d layer of ``module`` (and ``module`` itself, if
        it is one) by a ``SyncBatchNorm`` sharing its parameters and running statistics.

        Args:
            module (Module): a model, or one batch-norm layer.
            process_group (ProcessGroup, optional): given to the new layers. Default: None.

        Returns:
            Module: ``module`` with its batch-norm layers replaced (a new layer if
            ``module`` itself was one).

        Example:
            >>> net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
            >>> nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]
            SyncBatchNorm(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        """
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            out.weight, out.bias = module.weight, module.bias
            out.running_mean, out.running_var = module.running_mean, module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
