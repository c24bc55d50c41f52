"""Shared test configuration: hypothesis profiles, a seeded RNG for every test, and a summary
line for each optional package whose absence skipped tests."""
import os
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import settings

# "ci" is the default everywhere (CI and a developer's plain `pytest`): few, repeatable
# examples and no per-example deadline (the first call of an op can be slow on 2 cores).
# HYPOTHESIS_PROFILE=dev draws more examples when hunting a bug.
settings.register_profile("ci", deadline=None, max_examples=25, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

try:
    from nnlite.random import manual_seed
except ImportError:  # the package is not importable yet: tests that need it fail on their own
    manual_seed = None


@pytest.fixture(autouse=True)
def _seed_rngs():
    """Every test starts from the same random state: nnlite's generator and NumPy's legacy one."""
    if manual_seed is not None:
        manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the parity reference: a test that takes this argument skips, with the reason
    "could not import 'torch'" counted by the summary below, when torch is not installed."""
    return pytest.importorskip("torch")


# Tests that need an optional package call pytest.importorskip (PyTorch through the `torch`
# fixture above); without it they skip, and pytest -ra lists them one line per call site.
# These lines say in one place what is missing and how to add it. torch: only the exact pin,
# and the CPU-only wheel (the default Linux wheel is a multi-GB CUDA build).
OPTIONAL_PACKAGES = {   # import name: (what is missing, how to install it)
    "torch": ("PyTorch not installed (the parity tests)",
              "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"),
    "matplotlib": ("matplotlib not installed (training-curve plots)",
                   'pip install -e ".[examples]"'),
    "tqdm": ("tqdm not installed (progress bars)", 'pip install -e ".[examples]"'),
    "sacrebleu": ("sacrebleu not installed (BLEU checked against it)", "pip install sacrebleu"),
    # --no-deps: torchinfo requires torch, which would otherwise come as the CUDA build
    "torchinfo": ("torchinfo not installed (summary's totals checked against it)",
                  "pip install --no-deps torchinfo"),
    "safetensors": ("safetensors not installed (nnlite.safetensors checked against it)",
                    'pip install -e ".[safetensors]"'),
    "mpi4py": ("mpi4py not installed (the mpiexec runs of nnlite.distributed)",
               'pip install -e ".[distributed]"'),
}


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After pytest's short summary, one line per missing optional package, most skips first:
    "N tests skipped: PyTorch not installed (the parity tests); install with: pip install ..."."""
    yield
    missing = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        found = re.search(r"could not import '([\w.]+)'", str(report.longrepr))
        if found:
            missing[found.group(1).split(".")[0]] += 1
    for name, count in missing.most_common():
        what, install = OPTIONAL_PACKAGES.get(name, (f"{name} not installed",
                                                     f"pip install {name}"))
        terminalreporter.write_line(f"{count} test{'s' * (count != 1)} skipped: {what}; "
                                    f"install with: {install}", yellow=True, bold=True)
