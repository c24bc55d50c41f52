"""nnlite.onnx.export's interface: files, names, dynamic axes, options, the model's state
after an export, and the errors for what cannot be exported."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

from ._helpers import export_and_compare, onnx, randomize, session

import nnlite as nl  # noqa: E402
import nnlite.onnx  # noqa: E402,F401
from nnlite import models, nn  # noqa: E402
from nnlite.onnx import OnnxExporterError, TracerWarning, UnsupportedOperatorError  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.bn = nn.BatchNorm2d(3)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 2))

    def forward(self, x):
        return self.head(self.bn(self.conv(x)).relu())


def image(n=2):
    return nl.randn(n, 1, 6, 6)


# ---- files and return value ------------------------------------------------------
def test_writes_a_path_and_a_file_object_and_returns_the_model(tmp_path):
    model = Net()
    path = tmp_path / "net.onnx"
    proto = nl.onnx.export(model, image(), str(path))
    assert onnx.load(str(path)) == proto
    buf = io.BytesIO()
    nl.onnx.export(model, (image(),), buf)
    assert onnx.load_from_string(buf.getvalue()) == proto
    assert nl.onnx.export(model, image()) == proto          # f=None: nothing written
    assert proto.producer_name == "nnlite" and proto.opset_import[0].version == 17


def test_verbose_prints_the_graph(capsys):
    nl.onnx.export(Net(), image(), verbose=True)
    out = capsys.readouterr().out
    assert "Conv" in out and "BatchNormalization" in out and "conv.weight" in out


def test_initializers_are_the_state_dict():
    model = Net()
    proto = nl.onnx.export(model, image())
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    used = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    assert set(used) <= set(inits)
    for k, v in used.items():
        np.testing.assert_array_equal(inits[k], v)


def test_default_and_given_names():
    proto = nl.onnx.export(Net(), image())
    assert [i.name for i in proto.graph.input] == ["x"]           # the forward's argument
    assert [o.name for o in proto.graph.output] == ["output"]
    lstm = nl.onnx.export(nn.LSTM(3, 4), nl.randn(5, 2, 3), input_names=["seq"],
                          output_names=["out", "h"])
    assert [o.name for o in lstm.graph.output] == ["out", "h", "output_2"]
    assert [i.name for i in lstm.graph.input] == ["seq"]
    assert lstm.graph.node[0].name.startswith("/")


def _dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_dynamic_axes_forms_and_output_symbols():
    proto = nl.onnx.export(Net(), image(), input_names=["img"], output_names=["logits"],
                           dynamic_axes={"img": {0: "batch"}})
    assert _dims(proto.graph.input[0]) == ["batch", 1, 6, 6]
    assert _dims(proto.graph.output[0]) == ["batch", 2]            # found, not declared
    proto = nl.onnx.export(Net(), image(), input_names=["img"], output_names=["logits"],
                           dynamic_axes={"img": [0], "logits": {0: "n"}})
    assert _dims(proto.graph.input[0]) == ["img_dynamic_axes_1", 1, 6, 6]
    assert _dims(proto.graph.output[0]) == ["n", 2]
    static = nl.onnx.export(Net(), image())
    assert _dims(static.graph.input[0]) == [2, 1, 6, 6]


def test_batch_one_export_runs_other_batches():
    export_and_compare(randomize(Net()), (image(1),), runs=[(image(4),)],
                       dynamic_axes={"in0": {0: "batch"}})


@pytest.mark.parametrize("opset", [17, 18, 21])
def test_opset_versions(opset):
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.LayerNorm(5),
                          nn.AdaptiveMaxPool2d((2, 3)), nn.Flatten(), nn.LogSoftmax(-1))
    export_and_compare(randomize(model), (nl.randn(2, 2, 5, 5),), runs=[(nl.randn(3, 2, 5, 5),)],
                       dynamic_axes={"in0": {0: "batch"}}, opset_version=opset)


def test_keep_initializers_as_inputs():
    proto = export_and_compare(randomize(Net()), (image(),), keep_initializers_as_inputs=True)
    assert {"conv.weight", "bn.running_var"} <= {i.name for i in proto.graph.input}


class WithConstant(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        offset = nl.arange(4).float() * 0.5 + 1.0          # made in the forward: foldable
        return self.fc(x) + offset


def test_constant_folding_on_and_off():
    model = randomize(WithConstant())
    folded = export_and_compare(model, (nl.randn(2, 4),))
    kept = export_and_compare(model, (nl.randn(2, 4),), do_constant_folding=False)
    assert len(folded.graph.node) < len(kept.graph.node)
    assert "Mul" not in [n.op_type for n in folded.graph.node]


class TwoInputs(nn.Module):
    def forward(self, x, scale=None, *, shift=0.0):
        y = x * scale if scale is not None else x
        return y + shift, x


def test_keyword_arguments_and_outputs_that_are_inputs():
    model = TwoInputs()
    x, s = nl.randn(2, 3), nl.randn(2, 3)
    proto = nl.onnx.export(model, (x, {"scale": s}), kwargs=None)
    assert [i.name for i in proto.graph.input] == ["x", "scale"]
    sess = session(proto.SerializeToString())
    y, x_out = sess.run(None, {"x": x.numpy(), "scale": s.numpy()})
    np.testing.assert_allclose(y, (x * s).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(x_out, x.numpy())
    proto = nl.onnx.export(model, (x,), kwargs={"scale": s, "shift": 1.5})
    y, _ = session(proto.SerializeToString()).run(None, {"x": x.numpy(), "scale": s.numpy()})
    np.testing.assert_allclose(y, (x * s + 1.5).numpy(), rtol=1e-6)


# ---- the model's state ----------------------------------------------------------------
class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.drop = nn.Dropout(0.5)
        self.seen = []

    def forward(self, x):
        self.seen.append((nl.onnx.is_in_onnx_export(), self.training, self.drop.training))
        return self.drop(self.fc(x))


def test_eval_mode_during_export_and_modes_restored():
    model = Probe()
    model.train()
    model.drop.eval()                                   # mixed modes come back as they were
    model.fc.weight.requires_grad_(False)
    assert not nl.onnx.is_in_onnx_export()
    nl.onnx.export(model, nl.randn(2, 3))
    assert model.seen and all(s == (True, False, False) for s in model.seen)
    assert model.training and not model.drop.training
    assert not model.fc.weight.requires_grad and model.fc.bias.requires_grad
    assert not nl.onnx.is_in_onnx_export()


def test_model_error_leaves_the_model_as_it_was():
    model = Net().train()
    with pytest.raises(ValueError):
        nl.onnx.export(model, nl.randn(2, 1, 6))        # wrong rank: the model's own error
    assert model.training
    assert nl.onnx.export(model, image()) is not None   # nothing left patched


# ---- what cannot be exported --------------------------------------------------------------
class CumulativeHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x).cumsum(1)


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(nn.Linear(4, 4), CumulativeHead())

    def forward(self, x):
        return self.block(x)


def test_unsupported_op_names_the_op_and_the_layer():
    with pytest.raises(UnsupportedOperatorError) as e:
        nl.onnx.export(Outer(), nl.randn(2, 4))
    msg = str(e.value)
    assert "CumSum" in msg and "layer 'block.1'" in msg and "CumulativeHead" in msg
    assert isinstance(e.value, OnnxExporterError) and isinstance(e.value, RuntimeError)


def test_dead_code_is_not_converted():
    class Unused(nn.Module):
        def forward(self, x):
            x.cumsum(0)                                 # computed, never used
            return x * 2
    proto = nl.onnx.export(Unused(), nl.randn(2, 3))
    assert [n.op_type for n in proto.graph.node] == ["Mul"]


class SortsInNumPy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(nl.tensor(np.sort(x.numpy(), axis=1)))


def test_values_computed_in_numpy_are_refused_not_frozen():
    with pytest.warns(TracerWarning, match="Tensor.numpy"):
        with pytest.raises(OnnxExporterError, match=r"layer 'fc'.*NumPy"):
            nl.onnx.export(SortsInNumPy(), nl.randn(2, 4))


def test_control_flow_on_values_is_refused():
    class Branches(nn.Module):
        def forward(self, x):
            return x * 2 if float(x.sum()) > 0 else x.exp()
    x = nl.full((2, 3), -0.1)          # the probe input (x / 2 + 1/4) takes the other branch
    with pytest.warns(TracerWarning), pytest.raises(OnnxExporterError, match="control flow"):
        nl.onnx.export(Branches(), x)


def test_dropout_called_in_training_is_refused():
    class Always(nn.Module):
        def forward(self, x):
            return nn.functional.dropout(x, 0.5, training=True)
    with pytest.raises(UnsupportedOperatorError, match="training"):
        nl.onnx.export(Always(), nl.randn(2, 3))


def test_fasttext_ngram_hashing_is_refused():
    model = models.FastText(50, 8, 3, ngram_buckets=100)
    with pytest.raises(OnnxExporterError, match=r"layer 'embedding' \(EmbeddingBag\)"):
        nl.onnx.export(model, nl.randint(1, 50, (2, 6)))


def test_transformer_lm_length_cannot_be_dynamic():
    model = models.TransformerLM(30, d_model=8, nhead=2, num_layers=1, max_len=16)
    with pytest.raises(OnnxExporterError, match=r"GetItem.*layer 'pos'.*slice"):
        nl.onnx.export(model, nl.randint(0, 30, (2, 5)), dynamic_axes={"ids": {1: "t"}})


def test_bad_arguments():
    model, x = Net(), image()
    with pytest.raises(ValueError, match="opset_version"):
        nl.onnx.export(model, x, opset_version=16)
    with pytest.raises(TypeError, match="nn.Module"):
        nl.onnx.export(lambda t: t, x)
    with pytest.raises(TypeError, match="args"):
        nl.onnx.export(model, 3.0)
    with pytest.raises(ValueError, match="'y'"):
        nl.onnx.export(model, x, dynamic_axes={"y": [0]})
    with pytest.raises(ValueError, match="axis 4"):
        nl.onnx.export(model, x, dynamic_axes={"x": [4]})
    with pytest.raises(ValueError, match="input_names"):
        nl.onnx.export(model, x, input_names=["a", "b"])
    with pytest.raises(ValueError, match="taken"):
        nl.onnx.export(model, x, input_names=["conv.weight"])
    with pytest.raises(TypeError, match="f must be"):
        nl.onnx.export(model, x, 42)


def test_missing_onnx_package_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match="pip install onnx"):
        nl.onnx.export(Net(), image())


def test_importing_nnlite_does_not_import_onnx():
    code = ("import sys, nnlite, nnlite.onnx; "
            "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules; "
            "assert nnlite.onnx.export")
    subprocess.run([sys.executable, "-c", code], check=True)
