"""``nn.modules.batchnorm``: torch's import path ``torch.nn.modules.batchnorm``, re-exporting
the batch normalisation layers of nn/normalization.py and the lazy ones of nn/lazy.py (the
same objects as ``nn.*``)."""
from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d
from ..normalization import _BatchNorm  # noqa: F401
from ..normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d"]
