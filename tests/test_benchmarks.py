"""The benchmark harness (benchmarks/_harness.py): children run alone, records are
complete, and report.py turns them into a table. Nothing here asserts on time."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {ROOT!r})
    import numpy as np
    from benchmarks._harness import Case, main

    def build(lib):
        assert "torch" not in sys.modules or lib.__name__ == "torch"   # alone
        x = lib.tensor(np.ones((4, 4), np.float32), requires_grad=True)
        def step():
            x.grad = None
            (x * x).sum().backward()
        return step

    main([Case("square", "x * x", build, items=4, unit="img", target=1.0, steps=3,
               warmup=1)], "test benchmark")
""")


def _table(records: list) -> str:
    """benchmarks/report.py's markdown table (benchmarks/ is not a package on sys.path)."""
    sys.path.insert(0, ROOT)
    try:
        from benchmarks.report import table
    finally:
        sys.path.remove(ROOT)
    return table(records)


def test_harness_writes_one_record_per_case(tmp_path):
    script = tmp_path / "bench_tiny.py"
    script.write_text(SCRIPT)
    out = tmp_path / "records.json"
    proc = subprocess.run([sys.executable, str(script), "--no-torch", "--repeats", "2",
                           "--threads", "1", "--tune", "--json", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "load average at start" in proc.stdout and "x * x" in proc.stdout
    records = json.loads(out.read_text())
    assert len(records) == 1
    rec = records[0]
    for key in ("case", "nnlite_ms", "torch_ms", "ratio", "spread", "threads", "blas",
                "date", "cpu", "load_average", "command"):
        assert key in rec, key
    assert rec["case"] == "square" and rec["threads"] == 1 and rec["repeats"] == 2
    assert rec["nnlite_ms"] > 0 and rec["torch_ms"] is None and rec["ratio"] is None
    assert set(rec["blas"]) == {"nnlite"} and rec["steps"] == 3
    assert rec["tuned"] and rec["tuned_ms"] > 0 and rec["tuned_ratio"] is None

    md = _table(records)
    assert "| x * x |" in md and "bench_tiny.py" in md


def test_report_says_when_a_target_is_missed():
    rec = {"case": "c", "title": "c", "nnlite_ms": 3.0, "nnlite_spread": 0.1,
           "torch_ms": 2.0, "torch_spread": 0.1, "ratio": 1.5, "spread": [1.4, 1.6],
           "target": 1.0, "items": 0, "unit": "", "threads": 2, "repeats": 3,
           "tuned": False, "blas": {"nnlite": "openblas"}, "versions": {"nnlite": "0.1.0"},
           "date": "2026-12-07T08:00:00", "cpu": "cpu", "load_average": [0.0, 0.0, 0.0],
           "command": "benchmarks/bench_x.py"}
    md = _table([rec])
    assert "**missed** by 50%" in md and "(1.40-1.60)" in md


def test_accuracy_script_runs_and_reports(tmp_path):
    """benchmarks/accuracy_lenet5.py end to end at 0 epochs (the untrained model's test
    accuracy), nnlite only: one run per process, the JSON record, the summary lines."""
    out = tmp_path / "acc.json"
    run = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "accuracy_lenet5.py"),
                          "--epochs", "0", "--seeds", "0", "--libraries", "nnlite",
                          "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "nnlite  seed 0: test accuracy" in run.stdout
    record = json.loads(out.read_text())
    assert record["epochs"] == 0 and 0 <= record["means"]["nnlite"] <= 100


def test_vae_script_runs_both_libraries_and_reports(tmp_path, torch):
    """benchmarks/accuracy_vae.py at a tiny setting (1 epoch on 256 digits, 100 test
    digits), nnlite and torch: one run per process, the summary lines, the JSON record."""
    out = tmp_path / "vae.json"
    run = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "accuracy_vae.py"),
                          "--epochs", "1", "--seeds", "0", "--train-size", "256",
                          "--test-size", "100", "--json", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "nnlite  seed 0: test loss" in run.stdout and "torch   seed 0: test loss" in run.stdout
    assert "nnlite - torch: " in run.stdout
    record = json.loads(out.read_text())
    assert record["epochs"] == 1 and record["train_size"] == 256 and record["test_size"] == 100
    for lib in ("nnlite", "torch"):    # 2 batches of training: still near log(2) per pixel
        assert 300 < record["means"][lib] < 600
        assert record["results"][lib]["0"]["seconds"] >= 0


def test_gemm_floor_shapes_are_the_models():
    """benchmarks/gemm_floor.py times the products of nnlite's LeNet5 and LSTM: its forward
    shapes are the layers' weights, and the LSTM's count of FLOPs is the textbook one."""
    sys.path.insert(0, ROOT)
    try:
        from benchmarks.gemm_floor import lenet5, lstm
    finally:
        sys.path.remove(ROOT)
    from nnlite.models import LeNet5
    weights = [p.shape for name, p in LeNet5().named_parameters() if name.endswith("weight")]
    forwards = [(m, k) if name[:2] in ("C1", "C3") else (n, k)
                for name, m, k, n, _ in lenet5() if name.endswith("forward")]
    assert forwards == [(w[0], int(np.prod(w[1:]))) for w in weights]
    flops = sum(2 * m * k * n * count for _, m, k, n, count in lstm())
    rows, gates = 35 * 32, 4 * 256
    assert flops == 2 * (3 * rows * 128 * gates + 3 * rows * 256 * gates)
