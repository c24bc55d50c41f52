"""Importing nnlite changes nothing outside it; the process-wide settings are opt-ins
(nnlite/tuning.py)."""
import json
import os
import subprocess
import sys

from nnlite.tuning import blas_env

# Runs in a fresh interpreter: records every libc ``mallopt`` call and the environment,
# NumPy's error and print state, then imports nnlite and every one of its modules.
_CHILD = r"""
import ctypes, json, os, pkgutil, importlib
calls = []
_CDLL = ctypes.CDLL
class RecordingCDLL(_CDLL):
    def __getattr__(self, name):
        calls.append(name)
        return _CDLL.__getattr__(self, name)
ctypes.CDLL = RecordingCDLL
env = dict(os.environ)
import numpy as np
state = (np.geterr(), np.get_printoptions())
import nnlite
names = ["nnlite"]
for info in pkgutil.walk_packages(nnlite.__path__, "nnlite."):
    importlib.import_module(info.name)
    names.append(info.name)
after = (np.geterr(), np.get_printoptions())
print(json.dumps({"env_changed": sorted(set(env.items()) ^ set(os.environ.items())),
                  "libc_calls": calls, "numpy_state_same": state == after,
                  "modules": names}))
"""


def _import_everything() -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_changes_no_environment_allocator_or_numpy_state():
    out = _import_everything()
    assert len(out["modules"]) > 50, out["modules"]          # it did import every module
    assert out["env_changed"] == []
    assert out["libc_calls"] == []                            # no mallopt, nothing in libc
    assert out["numpy_state_same"]


def test_import_leaves_openblas_coretype_unset():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    proc = subprocess.run(
        [sys.executable, "-c", "import os, nnlite; print(os.environ.get('OPENBLAS_CORETYPE'))"],
        capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.strip() == "None"


def test_tune_cpu_is_an_explicit_call():
    proc = subprocess.run([sys.executable, "-c", "import nnlite; print(nnlite.tune_cpu())"],
                          capture_output=True, text=True, check=True)
    expected = "True" if sys.platform.startswith("linux") else "False"
    # glibc accepts the thresholds; musl has no mallopt and reports False
    assert proc.stdout.strip() in (expected, "False")


def test_blas_env(tmp_path):
    avx512 = tmp_path / "avx512"
    avx512.write_text("processor : 0\nflags : fpu avx2 avx512f avx512bw avx512dq avx512vl\n")
    avx2 = tmp_path / "avx2"
    avx2.write_text("processor : 0\nflags : fpu avx2 fma\n")
    on_linux = sys.platform.startswith("linux")
    assert blas_env({}, str(avx512)) == ({"OPENBLAS_CORETYPE": "SkylakeX"} if on_linux else {})
    assert blas_env({"OPENBLAS_CORETYPE": "Haswell"}, str(avx512)) == {}   # respected
    assert blas_env({}, str(avx2)) == {}
    assert blas_env({}, str(tmp_path / "missing")) == {}


def test_blas_corename_names_the_kernel_set_or_none():
    from nnlite.tuning import blas_corename
    name = blas_corename()
    assert name is None or (isinstance(name, str) and name)   # "Haswell", "SkylakeX", ...
