"""``nl.amp``: torch's automatic-mixed-precision names for programs that use them.

nnlite computes in the dtypes it is given (float32 by default, on the CPU), so
``autocast`` regions change nothing and ``GradScaler`` keeps a scale of 1.0 while keeping
torch's protocol, including skipping an optimizer step whose gradients are inf or NaN.
A program written for GPU mixed precision runs unchanged and gets float32 numbers.

Example:
    >>> scaler = nl.amp.GradScaler()
    >>> with nl.amp.autocast(device_type="cpu"):
    ...     loss = loss_fn(model(x), y)
    >>> scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
"""
from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
