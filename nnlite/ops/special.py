"""Special functions NumPy lacks: erf (``math.erf`` applied elementwise, exact to
float64 but a Python call per element)."""
from __future__ import annotations

import math

import numpy as np

_vec_erf = np.frompyfunc(math.erf, 1, 1)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf of an ndarray, keeping its floating dtype."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return _vec_erf(x).astype(dtype)
