"""Running scripts under ``mpiexec -n 2`` from a test: ``run_workers("ddp.py")`` for a
worker of ``workers/``, ``mpirun([script, *args])`` for any script.

The workers are ordinary scripts that every process runs; they check their results
themselves and print ``ok <rank>`` at the end. A test skips, with the reason, when mpi4py
or ``mpiexec`` is missing (``pip install mpi4py mpich``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = Path(__file__).resolve().parent / "workers"


def mpiexec() -> str:
    """The ``mpiexec`` to launch with (skips the test if there is none or no mpi4py)."""
    pytest.importorskip("mpi4py")
    beside = Path(sys.executable).parent / "mpiexec"       # the mpich wheel's, in this env
    path = str(beside) if beside.is_file() else shutil.which("mpiexec")
    if path is None:
        pytest.skip("mpiexec not found (pip install mpich puts it next to python)")
    return path


def mpirun(argv: list, n: int = 2, timeout: float = 120) -> str:
    """``mpiexec -n <n> python <argv>`` on this machine, with this checkout's nnlite and one
    BLAS thread per process; fails the test with the output unless it exits with 0.
    Returns stdout."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cmd = [mpiexec(), "-n", str(n), sys.executable] + [str(a) for a in argv]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                             cwd=ROOT)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout}s (a collective waiting "
                    f"for a process that failed?)\n{err.stdout}\n{err.stderr}")
    if res.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited with {res.returncode}:\n{res.stdout}\n"
                    f"{res.stderr}")
    return res.stdout


def run_workers(script: str, n: int = 2, timeout: float = 120) -> str:
    """Run ``workers/<script>`` on ``n`` processes; fail the test with their output unless
    every rank printed ``ok <rank>``. Returns the output."""
    out = mpirun([WORKERS / script], n, timeout)
    # the ranks' lines may interleave ("ok 0ok 1"): look for each anywhere
    missing = [r for r in range(n) if not re.search(rf"ok {r}(?!\d)", out)]
    if missing:
        pytest.fail(f"workers/{script}: ranks {missing} did not finish:\n{out}")
    return out
