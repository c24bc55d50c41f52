"""The errors of ``nnlite.onnx``, named as torch's (``torch.onnx.errors``)."""
from __future__ import annotations

__all__ = ["OnnxExporterError", "UnsupportedOperatorError"]


class OnnxExporterError(RuntimeError):
    """An export that cannot be done: the message names the op, the layer (its module
    path in the model) and the reason."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op or layer that has no ONNX conversion (or not with these arguments)."""
