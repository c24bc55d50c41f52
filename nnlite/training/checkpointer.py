"""Checkpoints written each epoch, and the random state that makes resuming exact.

    ckpt = Checkpointer("runs/lenet5", model, optimizer, scheduler)
    start = ckpt.resume(history) if args.resume else 0     # last finished epoch, or 0
    for epoch in range(start + 1, epochs + 1):
        ...
        ckpt.save(epoch, history)

A checkpoint is one ``nl.save`` file (``.npz``, written atomically, loaded without pickle)
holding the model's, optimiser's and scheduler's ``state_dict``, the epoch, the metrics
history, the random number generators' states and any extra values. Resuming restores all of
them, so training for 2 epochs, or for 1 and then 1 more after ``--resume``, gives the same
weights bit for bit (for a given data order, which is drawn from the restored generator).
"""
from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..random import default_generator, manual_seed
from ..serialization import load, save

__all__ = ["Checkpointer", "set_seed", "get_rng_state", "set_rng_state"]

_FORMAT = "nnlite.utils.Checkpointer"           # the tag every checkpoint file carries


# ============================================================================
# Random state
# ============================================================================
def set_seed(seed: int) -> None:
    """Seed every generator a training script draws from: nnlite's (``nl.manual_seed``:
    initialisation, dropout, shuffling, transforms), NumPy's legacy global one and Python's
    ``random``."""
    manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def get_rng_state() -> dict[str, Any]:
    """The state of nnlite's, NumPy's global and Python's generators, as a dict that
    ``nl.save`` can store."""
    version, internal, gauss = random.getstate()
    return {"nnlite": default_generator().bit_generator.state,
            "numpy": np.random.get_state(legacy=False),
            "python": {"version": version, "internal": np.asarray(internal, dtype=np.uint64),
                       "gauss": gauss}}


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore a state from :func:`get_rng_state`. nnlite's generator is restored in place,
    so objects holding it (a DataLoader's sampler) continue from the saved state."""
    if "nnlite" in state:
        gen = default_generator()
        want = state["nnlite"]["bit_generator"]
        if gen.bit_generator.state["bit_generator"] != want:
            gen = manual_seed(0)                     # a fresh PCG64, the kind nnlite makes
        gen.bit_generator.state = _plain(state["nnlite"])
    if "numpy" in state:
        np.random.set_state(_plain(state["numpy"]))
    if "python" in state:
        py = state["python"]
        random.setstate((int(py["version"]), tuple(int(v) for v in py["internal"]),
                         py["gauss"]))


def _plain(x: Any) -> Any:
    """Dicts as plain dicts and NumPy scalars as Python ones (NumPy's state setters want
    them so)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, np.generic):
        return x.item()
    return x


# ============================================================================
# Checkpointer
# ============================================================================
class Checkpointer:
    """Save training state each epoch; find and load the latest to resume.

    Args:
        directory (str or Path): where the files go (created on the first save).
        model: a Module (anything with ``state_dict``/``load_state_dict``).
        optimizer, scheduler (optional): the same protocol.
        keep (int): how many epoch files to keep; older ones are deleted after a successful
            save. ``0`` keeps all. Default: 2.
        prefix (str): file name prefix. Default: ``"checkpoint"``.

    Files are ``<directory>/<prefix>-epoch<NNN>.npz``. Each holds ``{"epoch", "model",
    "optimizer", "scheduler", "history", "rng", "extra"}``.

    Example:
        >>> ckpt = Checkpointer(tmp_path, model, opt)        # doctest: +SKIP
        >>> ckpt.save(1, history, best_acc=0.98)             # doctest: +SKIP
        >>> Checkpointer(tmp_path, model2, opt2).resume()    # doctest: +SKIP
        1
    """

    def __init__(self, directory: str | os.PathLike, model: Any, optimizer: Any = None,
                 scheduler: Any = None, keep: int = 2, prefix: str = "checkpoint") -> None:
        if not isinstance(keep, int) or keep < 0:
            raise ValueError(f"Checkpointer: keep must be an int >= 0, got {keep!r}")
        if not prefix or "/" in prefix or os.sep in prefix:
            raise ValueError(f"Checkpointer: prefix must be a plain file name part, got "
                             f"{prefix!r}")
        self.directory = Path(directory)
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.keep, self.prefix = keep, prefix
        self._pattern = re.compile(rf"^{re.escape(prefix)}-epoch(\d+)\.npz$")
        self.extra: dict[str, Any] = {}

    # ---- files ---------------------------------------------------------------------
    def path(self, epoch: int) -> Path:
        return self.directory / f"{self.prefix}-epoch{epoch:03d}.npz"

    def checkpoints(self) -> list[tuple[int, Path]]:
        """``(epoch, path)`` of every checkpoint in the directory, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for p in self.directory.iterdir():
            m = self._pattern.match(p.name)
            if m:
                found.append((int(m.group(1)), p))
        return sorted(found)

    def latest(self) -> Path | None:
        """The checkpoint of the highest epoch, or None."""
        found = self.checkpoints()
        return found[-1][1] if found else None

    # ---- save / load ----------------------------------------------------------------
    def state(self, epoch: int, history: Any = None, **extra: Any) -> dict[str, Any]:
        """The checkpoint's contents (what :meth:`save` writes)."""
        return {
            "format": _FORMAT,
            "epoch": int(epoch),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict() if self.optimizer is not None else None,
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "history": history.state_dict() if history is not None else None,
            "rng": get_rng_state(),
            "extra": extra,
        }

    def save(self, epoch: int, history: Any = None, **extra: Any) -> Path:
        """Write the checkpoint of ``epoch`` (atomically) and prune old ones; returns its
        path. ``extra`` values (numbers, strings, arrays, nested dicts/lists) are stored
        too and come back in ``load()["extra"]``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(epoch)
        save(self.state(epoch, history, **extra), path)
        if self.keep:
            for e, old in self.checkpoints()[:-self.keep]:
                if e != epoch:
                    try:
                        old.unlink()
                    except FileNotFoundError:
                        pass
        return path

    def load(self, path: str | os.PathLike | None = None, history: Any = None,
             restore_rng: bool = True) -> dict[str, Any]:
        """Load a checkpoint (default: the latest) into the model, optimiser, scheduler,
        ``history`` and the random generators; return its contents (``["epoch"]``,
        ``["extra"]``, ...).

        Raises:
            FileNotFoundError: no checkpoint (names the directory).
            ValueError: the file is not a Checkpointer checkpoint, or its state does not fit
                the model / optimiser (the message names the mismatched keys).
        """
        if path is None:
            path = self.latest()
            if path is None:
                raise FileNotFoundError(
                    f"Checkpointer: no checkpoint '{self.prefix}-epoch*.npz' in "
                    f"{self.directory}")
        ckpt = load(path)
        if not isinstance(ckpt, dict) or ckpt.get("format") != _FORMAT:
            raise ValueError(f"Checkpointer: {path} is an nnlite file but not a training "
                             f"checkpoint written by Checkpointer.save")
        self.model.load_state_dict(ckpt["model"])
        if self.optimizer is not None and ckpt.get("optimizer") is not None:
            self.optimizer.load_state_dict(ckpt["optimizer"])
        if self.scheduler is not None and ckpt.get("scheduler") is not None:
            self.scheduler.load_state_dict(_plain_scalars(ckpt["scheduler"]))
        if history is not None and ckpt.get("history") is not None:
            history.load_state_dict(ckpt["history"])
            history.truncate(int(ckpt["epoch"]))
        if restore_rng and ckpt.get("rng") is not None:
            set_rng_state(ckpt["rng"])
        self.extra = dict(ckpt.get("extra") or {})
        return ckpt

    def resume(self, history: Any = None, log: Any = print) -> int:
        """Load the latest checkpoint if there is one; return its epoch (0 if none).
        ``log`` (a print-like function, or None) reports what happened."""
        path = self.latest()
        if path is None:
            if log is not None:
                log(f"--resume: no checkpoint in {self.directory}; starting from scratch")
            return 0
        epoch = int(self.load(path, history)["epoch"])
        if log is not None:
            log(f"resumed from {path} (epoch {epoch})")
        return epoch


def _plain_scalars(x: Any) -> Any:
    """0-d arrays -> Python scalars, recursively (a scheduler's attributes come back from
    ``.npz`` as NumPy scalars)."""
    if isinstance(x, dict):
        return {k: _plain_scalars(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain_scalars(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_plain_scalars(v) for v in x)
    if isinstance(x, (np.generic,)) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return x.item()
    return x
