"""``nn.modules.module``: torch's import path ``torch.nn.modules.module``, re-exporting
nnlite's ``Module`` (nn/module.py) and ``Parameter`` (the same objects as ``nn.*``)."""
from ..module import Module, RemovableHandle  # noqa: F401
from ..parameter import Parameter  # noqa: F401

__all__ = ["Module"]
