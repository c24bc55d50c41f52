"""Token-id inputs of the sequence models: any integer array or Tensor -> int64 array."""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlite.tensor import Tensor


def token_ids(x: Any, name: str, arg: str = "input", ndim: int | None = 2) -> np.ndarray:
    """``x`` as an int64 array of token ids, or a clear error naming the model and argument.

    Args:
        x: integer array-like or Tensor.
        name (str): the model, for the message.
        arg (str): the argument, for the message. Default: "input".
        ndim (int or None): required number of dims, (B, L) by default; None: any.
    """
    ids = x.array if isinstance(x, Tensor) else np.asarray(x)
    if ids.dtype.kind not in "iu" or (ndim is not None and ids.ndim != ndim):
        want = "of shape (B, L)" if ndim == 2 else ("" if ndim is None else f"with {ndim} dims")
        raise ValueError(f"{name}: expected {arg} as integer token ids {want}, got "
                         f"{ids.dtype} array of shape {ids.shape}".replace("  ", " "))
    return ids.astype(np.int64, copy=False)
