"""How tensors print: ``set_printoptions``, torch's function, over NumPy's formatting.

Tensors print with NumPy's ``array2string`` (so ``tensor([0.33333334])`` where torch
prints ``tensor([0.3333])``); the options set here apply to nnlite's tensors only and
leave NumPy's own print options alone.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# None: NumPy's own setting at print time
_DEFAULTS = {"precision": None, "threshold": None, "edgeitems": None, "linewidth": None,
             "sci_mode": None}
_PROFILES = {"default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
             "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
             "full": {"precision": 4, "threshold": np.inf, "edgeitems": 3, "linewidth": 80}}
_options = dict(_DEFAULTS)


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision (int, optional): digits after the decimal point. Default: NumPy's (8).
        threshold (float, optional): above this many elements, print a summary. Default:
            NumPy's (1000).
        edgeitems (int, optional): items shown at each end of a summarised dim. Default: 3.
        linewidth (int, optional): characters per line. Default: NumPy's (75).
        profile (str, optional): ``"default"``, ``"short"`` or ``"full"``, torch's
            presets (precision 4 / 2 / 4; ``"full"`` never summarises); the other
            arguments then override it. Default: None.
        sci_mode (bool, optional): True always scientific, False never, None automatic.
            Default: None.

    Example:
        >>> nl.set_printoptions(precision=2)
        >>> nl.tensor([1 / 3])
        tensor([0.33])
        >>> nl.set_printoptions(profile="default", precision=8)
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        _options.update(_DEFAULTS)
        _options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
             "linewidth": linewidth, "sci_mode": sci_mode}
    for name, value in given.items():
        if value is None:
            continue
        if name == "sci_mode":
            if not isinstance(value, bool):
                raise TypeError(f"set_printoptions: sci_mode must be a bool or None, got "
                                f"{value!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or value < 0:
            raise ValueError(f"set_printoptions: {name} must be a non-negative number, got "
                             f"{value!r}")
        _options[name] = value


def array_string(a: np.ndarray, prefix: str) -> str:
    """``a`` formatted with the options set (NumPy's where none is)."""
    kw = {k: v for k, v in _options.items() if v is not None and k != "sci_mode"}
    if "linewidth" in kw:
        kw["max_line_width"] = kw.pop("linewidth")
    if "threshold" in kw and kw["threshold"] == np.inf:
        kw["threshold"] = np.iinfo(np.intp).max
    sci = _options["sci_mode"]
    if sci is False:
        kw["suppress_small"] = True
    elif sci is True and a.dtype.kind == "f":
        kw["formatter"] = {"float_kind": lambda v: np.format_float_scientific(
            v, precision=_options["precision"] or 8, unique=False)}
    return np.array2string(a, separator=", ", prefix=prefix, **kw)
