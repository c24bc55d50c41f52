"""``skip_init``: build a module without initialising its parameters (torch's
``nn.utils.skip_init``)."""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """An instance of ``module_cls(*args, **kwargs)`` whose parameters and buffers are
    uninitialised memory (``np.empty``), to be filled by the caller (e.g. from a
    checkpoint or a custom initialiser).

    As torch, the class must accept a ``device`` argument. nnlite has no meta device:
    the constructor runs as usual (its initialisation included), then every parameter
    and buffer array is replaced by an uninitialised one of the same shape and dtype,
    keeping the Parameter objects.

    Args:
        module_cls (type): a Module subclass.
        ``*args``, ``**kwargs``: its constructor's arguments (``device`` only None or
            'cpu').

    Example:
        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> m.weight.shape
        (1, 5)
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls!r}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    module = module_cls(*args, **kwargs)
    return module._apply(lambda a: np.empty_like(a))
