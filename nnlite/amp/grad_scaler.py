"""``GradScaler``: torch's loss-scaling protocol on the CPU, without the scaling.

Mixed-precision training on a GPU multiplies the loss by a large factor before backward so
that float16 gradients do not underflow, then divides the gradients back before the
optimizer step and skips any step whose gradients overflowed. nnlite trains in float32 on
the CPU, where gradients do not underflow that way, so its scale is 1.0: ``scale(loss)``
returns the loss, ``unscale_`` divides by 1. What it keeps is the protocol and the safety
net: ``step(optimizer)`` checks the gradients and skips the step when any is inf or NaN,
as torch does, and the call-order errors are torch's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import device as _device
from ..tensor import Tensor

__all__ = ["GradScaler"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class GradScaler:
    """As ``torch.amp.GradScaler``, with a constant scale of 1.0 on nnlite (see below).

    Used exactly as in torch::

        scaler = nl.amp.GradScaler()
        loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)               # optional, e.g. before clipping
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)                   # skipped if a gradient is inf/NaN
        scaler.update()

    Where nnlite differs on purpose: the scale starts at 1.0 and is never grown or backed
    off (float32 gradients on the CPU do not need it; ``init_scale``, ``growth_factor``,
    ``backoff_factor`` and ``growth_interval`` are checked, kept and reported by
    ``state_dict``); ``update(new_scale)`` sets it explicitly. Torch on a machine without
    CUDA disables a ``"cuda"`` scaler instead; nnlite keeps it enabled, so the step still
    skips on non-finite gradients.

    Args:
        device (str): the device type the program names (any of torch's; only recorded).
            Default: 'cuda'.
        init_scale (float): torch's initial scale (recorded; nnlite's scale is 1.0).
            Default: 65536.0.
        growth_factor (float): ``> 1``. Default: 2.0.
        backoff_factor (float): in ``(0, 1)``. Default: 0.5.
        growth_interval (int): ``> 0``. Default: 2000.
        enabled (bool): False makes every method a pass-through, as in torch
            (``step`` just calls ``optimizer.step()``). Default: True.

    Example:
        >>> scaler = nl.amp.GradScaler(enabled=True)
        >>> scaler.get_scale()
        1.0
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = str(_device(device).type)
        self._enabled = bool(enabled)
        if self._enabled:
            if not init_scale > 0:
                raise ValueError(f"GradScaler: init_scale must be > 0, got {init_scale}")
            if not growth_factor > 1.0:
                raise ValueError("GradScaler: The growth factor must be > 1.0.")
            if not 0.0 < backoff_factor < 1.0:
                raise ValueError("GradScaler: The backoff factor must be < 1.0.")
            if isinstance(growth_interval, bool) or not isinstance(growth_interval, int) \
                    or growth_interval <= 0:
                raise ValueError(f"GradScaler: growth_interval must be a positive int, got "
                                 f"{growth_interval!r}")
        self._init_scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._scale = 1.0
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict] = {}

    # ---- the protocol -------------------------------------------------------------
    def is_enabled(self) -> bool:
        """Whether the scaler acts (``enabled`` at construction)."""
        return self._enabled

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a Tensor or nested lists/tuples of them) times the scale; with the
        scale at 1.0 (nnlite's) the outputs themselves come back."""
        if not self._enabled or self._scale == 1.0:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer: Any) -> dict:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY,
                                                              "found_inf": False})

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale, in place, and record whether any
        is inf or NaN. At most once per optimizer between ``update()`` calls, and before
        ``step`` (torch's RuntimeErrors otherwise)."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv = 1.0 / self._scale
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                arr = g.array if isinstance(g, Tensor) else g
                if inv != 1.0:
                    arr *= arr.dtype.type(inv)
                if not found and not np.isfinite(arr).all():
                    found = True
        state["found_inf"] = found
        state["stage"] = _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (unless ``unscale_`` was called) and call ``optimizer.step(*args,
        **kwargs)`` unless a gradient is inf or NaN; returns what ``step`` returned, or
        None when it was skipped. A closure is refused, as in torch."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: Any = None) -> None:
        """End the iteration: forget the per-optimizer records and count a step without
        overflow (``state_dict``'s ``_growth_tracker``, reset by one with overflow).
        ``new_scale`` (a positive float or one-element tensor) sets the scale."""
        if not self._enabled:
            return
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else new_scale
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"update: new_scale must be a positive float or a "
                                 f"one-element tensor, got {new_scale!r}")
            self._scale = float(value)
        else:
            if not self._per_optimizer:
                raise RuntimeError("No inf checks were recorded prior to update().")
            if any(s["found_inf"] for s in self._per_optimizer.values()):
                self._growth_tracker = 0
            else:
                self._growth_tracker = (self._growth_tracker + 1) % self._growth_interval
        self._per_optimizer = {}

    # ---- inspection and checkpoints ------------------------------------------
    def get_scale(self) -> float:
        """The scale: 1.0 unless ``update(new_scale)`` set another (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        """``growth_factor`` as given (nnlite never grows the scale)."""
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        """``backoff_factor`` as given (nnlite never backs the scale off)."""
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        """``growth_interval`` as given."""
        return self._growth_interval

    def state_dict(self) -> dict:
        """torch's keys (``scale``, ``growth_factor``, ``backoff_factor``,
        ``growth_interval``, ``_growth_tracker``); empty when disabled, as in torch."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore ``state_dict()``'s values (a torch scaler's state_dict works too)."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was "
                               "saved from a disabled instance of GradScaler.")
        try:
            self._scale = float(state_dict["scale"])
            self._growth_factor = float(state_dict["growth_factor"])
            self._backoff_factor = float(state_dict["backoff_factor"])
            self._growth_interval = int(state_dict["growth_interval"])
            self._growth_tracker = int(state_dict["_growth_tracker"])
        except KeyError as e:
            raise KeyError(f"GradScaler.load_state_dict: missing key {e}") from None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_per_optimizer"] = {}
        return state

    def __repr__(self) -> str:
        return (f"GradScaler(device={self._device!r}, scale={self.get_scale()}, "
                f"enabled={self._enabled})")
