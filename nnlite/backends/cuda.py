"""``nl.backends.cuda``: torch's CUDA backend switches. nnlite has no CUDA (``is_built()``
is False); ``matmul.allow_tf32`` and the scaled-dot-product-attention switches are kept and
read back as in torch but change no computation.

Example:
    >>> nl.backends.cuda.matmul.allow_tf32 = True
    >>> nl.get_float32_matmul_precision()
    'high'
"""
from __future__ import annotations

from typing import Any

from .. import backends as _backends

__all__ = ["is_built", "matmul", "enable_flash_sdp", "flash_sdp_enabled",
           "enable_mem_efficient_sdp", "mem_efficient_sdp_enabled", "enable_math_sdp",
           "math_sdp_enabled"]


def is_built() -> bool:
    """False: nnlite is not built with CUDA."""
    return False


class _Matmul:
    """``nl.backends.cuda.matmul``: ``allow_tf32`` (tied to
    ``set_float32_matmul_precision`` as in torch: True means 'high'),
    ``allow_fp16_reduced_precision_reduction`` and ``allow_bf16_reduced_precision_reduction``
    (default True). An unknown attribute raises AttributeError, as in torch."""

    _FLAGS = ("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction")

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", dict.fromkeys(self._FLAGS, True))

    @property
    def allow_tf32(self) -> bool:
        return _backends.get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _backends.set_float32_matmul_precision("high" if value else "highest")

    def __getattr__(self, name: str) -> Any:
        flags = object.__getattribute__(self, "_flags")
        if name in flags:
            return flags[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "allow_tf32":
            object.__setattr__(self, name, value)
        elif name in self._flags:
            self._flags[name] = bool(value)
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = _Matmul()

_sdp = {"flash": True, "mem_efficient": True, "math": True}


def enable_flash_sdp(enabled: bool) -> None:
    """Record whether flash attention may be used (nnlite has one attention path)."""
    _sdp["flash"] = bool(enabled)


def flash_sdp_enabled() -> bool:
    """What ``enable_flash_sdp`` recorded (default True)."""
    return _sdp["flash"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Record whether memory-efficient attention may be used (nnlite has one path)."""
    _sdp["mem_efficient"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """What ``enable_mem_efficient_sdp`` recorded (default True)."""
    return _sdp["mem_efficient"]


def enable_math_sdp(enabled: bool) -> None:
    """Record whether the math attention path may be used (nnlite's only one)."""
    _sdp["math"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """What ``enable_math_sdp`` recorded (default True)."""
    return _sdp["math"]
