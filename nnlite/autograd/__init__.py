"""``nl.autograd``: the engine, under torch's names.

``backward(tensors, grad_tensors)`` accumulates into leaves; ``grad(outputs, inputs,
create_graph=True)`` returns gradients that can be differentiated again (Hessian-vector
products); ``Function`` is the base class for new ops.

Modules: ``grad_mode`` (no_grad and its kin, detect_anomaly), ``function`` (Function,
AccumulateGrad), ``hooks`` (gradient hooks), ``engine`` (the backward walk, ``backward``,
``grad``). They work on ``Tensor`` and import it from ``nnlite.tensor``, which binds the
names it needs from here at its end.
"""
from .grad_mode import detect_anomaly, enable_grad, no_grad, set_grad_enabled
from .function import Function
from .engine import backward, grad
from ..gradcheck import gradcheck

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "detect_anomaly", "gradcheck"]
