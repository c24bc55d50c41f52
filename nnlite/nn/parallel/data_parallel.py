"""``DataParallel``: torch's single-process multi-GPU wrapper, as the identity on the CPU.

In torch, ``nn.DataParallel(model)`` splits each batch across GPUs and gathers the outputs.
nnlite has one device, the CPU, so the wrapper runs the model on the whole batch: the
outputs, gradients and training are exactly the wrapped module's. What a program sees of
the wrapper is kept: ``.module`` is the wrapped model, ``state_dict()`` keys start with
``"module."`` as torch's do, and saving ``model.module.state_dict()`` gives the plain keys.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wrap ``module`` as torch's ``nn.DataParallel`` does; on nnlite's one device (the
    CPU) ``forward`` is ``module.forward`` on the whole batch (documented difference: no
    split, since there is nothing to split across).

    Args:
        module (Module): the model to wrap.
        device_ids (list, optional): ignored, as torch ignores them when no GPU is
            available (``device_ids`` is then ``[]``). Default: None.
        output_device (optional): ignored likewise. Default: None.
        dim (int): the batch dimension torch would split. Default: 0.

    Attributes:
        module (Module): the wrapped model.

    Example:
        >>> model = nn.DataParallel(nn.Linear(4, 2))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> model(nl.randn(8, 4)).shape
        (8, 2)
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        self.module = module
        self.device_ids: list = []          # torch's value when no GPU is available
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0,
                  module_kwargs: dict | None = None) -> Any:
    """``module(*inputs, **module_kwargs)``, torch's functional DataParallel on one device.

    Args:
        module (Module): the model. inputs: one input or a tuple of inputs.
        device_ids, output_device: ignored, as ``DataParallel``'s. Default: None.
        dim (int): accepted. Default: 0. module_kwargs (dict, optional): Default: None.

    Example:
        >>> nn.parallel.data_parallel(nn.Linear(4, 2), nl.randn(8, 4)).shape
        (8, 2)
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
