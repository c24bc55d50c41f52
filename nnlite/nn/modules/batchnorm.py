"""``nn.modules.batchnorm``: torch's import path ``torch.nn.modules.batchnorm``, re-exporting
the batch normalisation layers of nn/normalization.py, the lazy ones of nn/lazy.py and
``SyncBatchNorm`` of nn/sync_batchnorm.py (the same objects as ``nn.*``)."""
from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d
from ..normalization import _BatchNorm  # noqa: F401
from ..normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from ..sync_batchnorm import SyncBatchNorm

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "SyncBatchNorm"]
