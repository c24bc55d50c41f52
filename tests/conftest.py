"""Shared test configuration: hypothesis profiles and a seeded RNG for every test."""
import os

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
