"""``nnlite.onnx``: export a model to ONNX, as ``torch.onnx``.

    import nnlite as nl
    model = nl.models.resnet18(num_classes=10)
    nl.onnx.export(model, nl.randn(1, 3, 224, 224), "resnet18.onnx",
                   input_names=["image"], output_names=["logits"],
                   dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})

The exporter traces one forward pass in eval mode and writes each nnlite op it ran as
ONNX nodes; parameters and buffers become initializers named by their ``state_dict``
keys. It needs the ``onnx`` package (``pip install nnlite-numpy[onnx]``, which also
installs ``onnxruntime`` to run the file); ``import nnlite.onnx`` does not import it.

Files: ``export.py`` (the entry point), ``tracing.py`` (recording the forward),
``dynamic.py`` (dynamic axes), ``convert.py`` (from the traces to nodes),
``converters/`` (the op-to-node table), ``graph.py`` (values, nodes, names),
``writer.py`` (the ModelProto), ``errors.py``.
"""
from .errors import OnnxExporterError, UnsupportedOperatorError
from .export import export, is_in_onnx_export
from .tracing import TracerWarning

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError", "UnsupportedOperatorError",
           "TracerWarning"]
