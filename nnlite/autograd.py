"""``nl.autograd``: the engine's entry points under torch's names.

``backward(tensors, grad_tensors)`` accumulates into leaves; ``grad(outputs, inputs,
create_graph=True)`` returns gradients that can be differentiated again (Hessian-vector
products); ``Function`` is the base class for new ops.
"""
from .tensor import (Function, backward, detect_anomaly, enable_grad, grad, no_grad,
                     set_grad_enabled)
from .gradcheck import gradcheck

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "detect_anomaly", "gradcheck"]
