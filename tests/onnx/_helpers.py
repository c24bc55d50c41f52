"""Shared by the ONNX tests: export a module, run the file in ONNX Runtime, compare with
nnlite's own outputs."""
from __future__ import annotations

import io
from typing import Any, Sequence

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import nnlite as nl  # noqa: E402
from nnlite.onnx.tracing import flatten_tensors  # noqa: E402

RTOL = 1e-5     # relative to the largest magnitude of each output (float32)


def session(model_bytes: bytes) -> Any:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def randomize(model: Any, scale: float = 0.5) -> Any:
    """Every parameter and BatchNorm statistic drawn at random (the zoo's initialisers
    leave some layers zero, which would hide a wrong conversion)."""
    rng = np.random.default_rng(0)
    for name, p in model.named_parameters():
        p.array[...] = rng.normal(0.0, scale / np.sqrt(max(p.array[0].size, 1)),
                                  p.shape).astype(p.dtype)
    for name, b in model.named_buffers():
        if name.endswith("running_mean"):
            b.array[...] = rng.normal(0.0, 0.2, b.shape).astype(b.dtype)
        elif name.endswith("running_var"):
            b.array[...] = rng.uniform(0.5, 1.5, b.shape).astype(b.dtype)
    return model


def relative_error(ref: np.ndarray, got: np.ndarray) -> float:
    """max |ref - got| / max |ref| (0 when both are zero)."""
    scale = float(np.abs(ref).max()) if ref.size else 0.0
    diff = float(np.abs(ref.astype(np.float64) - got).max()) if ref.size else 0.0
    return diff / scale if scale else diff


def export_and_compare(model: Any, args: Sequence, runs: Sequence[Sequence] = (),
                       dynamic_axes: dict | None = None, rtol: float = RTOL,
                       **kw: Any) -> Any:
    """Export ``model`` on ``args`` (the input Tensors named in0, in1, ...), check the file with
    onnx.checker, and compare ONNX Runtime with nnlite on ``args`` and on each input
    tuple of ``runs`` (e.g. another batch size). Returns the ModelProto."""
    model.eval()
    args = tuple(args)
    names = [f"in{i}" for i in range(len(flatten_tensors(args)))]
    buf = io.BytesIO()
    proto = nl.onnx.export(model, args, buf, input_names=names, dynamic_axes=dynamic_axes,
                           **kw)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    sess = session(buf.getvalue())
    for inputs in [args, *runs]:
        with nl.no_grad():
            refs = [t.numpy() for t in flatten_tensors(model(*inputs))]
        feed = {n: x.numpy() for n, x in zip(names, flatten_tensors(tuple(inputs)))}
        outs = sess.run(None, feed)
        assert len(outs) == len(refs)
        for r, o in zip(refs, outs):
            assert o.shape == r.shape and o.dtype == r.dtype
            err = relative_error(r, o)
            assert err <= rtol, f"relative error {err:.2e} > {rtol:.0e}"
    return proto
