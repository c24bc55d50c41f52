"""``nn.modules.lazy``: torch's import path ``torch.nn.modules.lazy``, re-exporting
``LazyModuleMixin`` of nn/lazy.py."""
from ..lazy import LazyModuleMixin

__all__ = ["LazyModuleMixin"]
