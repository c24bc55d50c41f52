"""``nl.autograd``: the engine, under torch's names.

``backward(tensors, grad_tensors)`` accumulates into leaves; ``grad(outputs, inputs,
create_graph=True)`` returns gradients that can be differentiated again (Hessian-vector
products); ``Function`` is torch's base class for custom functions, with Tensors in
and out (``tensor_function.py``); ``Variable`` is torch's legacy wrapper (a Tensor is a
Variable).

Modules: ``grad_mode`` (no_grad and its kin, detect_anomaly), ``function`` (the array-level
Function nnlite's own ops subclass, AccumulateGrad), ``tensor_function`` (the Tensor face),
``versions`` (in-place write counters), ``hooks`` (gradient hooks), ``engine`` (the backward walk, ``backward``,
``grad``). They work on ``Tensor`` and import it from ``nnlite.tensor``, which binds the
names it needs from here at its end.
"""
import warnings
from typing import Any

from .grad_mode import (detect_anomaly, enable_grad, is_anomaly_enabled, no_grad,
                        set_detect_anomaly, set_grad_enabled)
from .tensor_function import Function
from .engine import backward, grad
from ..gradcheck import gradcheck
from ..tensor import Tensor, from_numpy

__all__ = ["Function", "Variable", "backward", "grad", "no_grad", "enable_grad",
           "set_grad_enabled", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "gradcheck"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)

    def __call__(cls, data: Any, requires_grad: bool = False, volatile: bool = False,
                 **kwargs: Any) -> Tensor:
        if kwargs:
            raise TypeError(f"Variable() got unexpected keyword arguments {sorted(kwargs)}")
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "nl.no_grad():` instead.", UserWarning, stacklevel=2)
        t = from_numpy(data.array)
        if requires_grad:
            t.requires_grad_(True)
        return t


class Variable(metaclass=_VariableMeta):
    """torch's legacy ``Variable(tensor, requires_grad=False)``: since PyTorch 0.4 a Tensor
    is a Variable, and the call gives the tensor's values as a new leaf (sharing memory,
    cut from the graph, as torch's does) that requires gradients if asked.
    ``isinstance(t, Variable)`` is true for every Tensor.

    Args:
        data (Tensor): the values.
        requires_grad (bool): Default: False.
        volatile (bool): removed in torch; True warns and changes nothing. Default: False.

    Example:
        >>> from nnlite.autograd import Variable
        >>> w = Variable(nl.zeros(3), requires_grad=True)
        >>> w.is_leaf, w.requires_grad, isinstance(w, Variable)
        (True, True, True)
    """
