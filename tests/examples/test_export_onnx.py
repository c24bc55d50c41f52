"""``examples/export_onnx.py``: a zoo model exported, checked and compared with ONNX
Runtime (skipped without onnx and onnxruntime)."""
import pytest

from . import example

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("model", ["lenet5", "fasttext"])
def test_exports_and_matches(model, capsys, tmp_path):
    out = tmp_path / f"{model}.onnx"
    assert example("export_onnx").main(["--model", model, "--batch", "2", "--repeats", "1",
                                        "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"{model}: exported") and out.exists()
    assert [line.split(":")[0] for line in lines[1:]] == ["batch 2", "batch 3"]
