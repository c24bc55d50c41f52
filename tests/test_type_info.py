"""Tests of nnlite/type_info.py: ``nl.finfo`` and ``nl.iinfo`` against torch's."""
from __future__ import annotations

from typing import Any

import pytest

import nnlite as nl

FLOATS = ["float16", "float32", "float64", "bfloat16"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_as_torch(torch, name: str) -> None:
    ours, theirs = nl.finfo(getattr(nl, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                 "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", INTS)
def test_iinfo_as_torch(torch, name: str) -> None:
    ours, theirs = nl.iinfo(getattr(nl, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


def test_finfo_default_is_the_default_dtype() -> None:
    assert nl.finfo().dtype == "float32"
    nl.set_default_dtype(nl.float64)
    try:
        assert nl.finfo().dtype == "float64" and nl.finfo() == nl.finfo(nl.float64)
    finally:
        nl.set_default_dtype(nl.float32)


@pytest.mark.parametrize("dtype", [nl.float32, "float32", float])
def test_finfo_accepts_numpy_dtype_likes(dtype: Any) -> None:
    assert nl.finfo(dtype).bits in (32, 64)


def test_wrong_kinds_raise_as_torch(torch) -> None:
    for lib in (nl, torch):
        with pytest.raises(TypeError, match="floating point"):
            lib.finfo(lib.int32)
        with pytest.raises(TypeError, match="integer"):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError, match="bool"):
            lib.iinfo(lib.bool)
