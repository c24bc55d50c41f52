"""Per-epoch metrics, saved with the checkpoint and drawn as training curves.

    history = History()
    history.log(1, train_loss=0.31, train_acc=0.91, test_loss=0.12, test_acc=0.963)
    history.plot("runs/lenet5/curves.png")      # one panel per metric: loss, acc
    history.to_csv("runs/lenet5/history.csv")

Metric names are ``<split>_<metric>`` (``train_loss``, ``val_acc``, ``test_bleu``,
``test-10crop_acc``): the plot draws every split of one metric in the same panel. The PNG
needs matplotlib (nnlite's ``examples`` extra); without it ``plot`` warns once, says how to
install it, and returns None.
"""
from __future__ import annotations

import csv
import math
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

__all__ = ["History", "have_matplotlib"]

SPLITS = ("train", "val", "valid", "dev", "test")


def have_matplotlib() -> bool:
    """True if matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _split_name(key: str) -> tuple[str, str]:
    """``"train_loss"`` -> ``("train", "loss")``; ``"test-10crop_acc"`` ->
    ``("test-10crop", "acc")`` (a split may carry a ``-variant``); ``"lr"`` -> ``("", "lr")``."""
    head, _, tail = key.partition("_")
    return (head, tail) if head.partition("-")[0] in SPLITS and tail else ("", key)


class History:
    """Metrics per epoch: a list of records ``{"epoch": e, name: value, ...}``.

    ``log`` adds (or, for an epoch already logged, updates) a record; ``history["test_acc"]``
    is that metric's list over epochs (NaN where an epoch did not log it); ``state_dict`` /
    ``load_state_dict`` store it in a checkpoint.

    Args:
        records (iterable of dict, optional): records to start from, each with ``"epoch"``.

    Example:
        >>> h = History()
        >>> _ = h.log(1, train_loss=0.5, test_acc=0.9)
        >>> _ = h.log(2, train_loss=0.3, test_acc=0.95)
        >>> h["test_acc"], h.last("train_loss"), h.best("test_acc")["epoch"]
        ([0.9, 0.95], 0.3, 2)
    """

    _warned = False

    def __init__(self, records: Iterable[dict] = ()) -> None:
        self.records: list[dict[str, Any]] = [dict(r) for r in records]

    # ---- recording ------------------------------------------------------------------
    def log(self, epoch: int, **metrics: Any) -> dict[str, Any]:
        """Record ``metrics`` for ``epoch``; returns the epoch's record."""
        clean = {k: (float(v) if _is_number(v) else v) for k, v in metrics.items()}
        for rec in self.records:
            if rec["epoch"] == epoch:
                rec.update(clean)
                return rec
        rec = {"epoch": int(epoch), **clean}
        self.records.append(rec)
        self.records.sort(key=lambda r: r["epoch"])
        return rec

    def truncate(self, epoch: int) -> None:
        """Forget the records after ``epoch`` (used when resuming from an older checkpoint)."""
        self.records = [r for r in self.records if r["epoch"] <= epoch]

    # ---- reading ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.records)

    def keys(self) -> list[str]:
        """Metric names in order of first appearance (``epoch`` excluded)."""
        out: list[str] = []
        for rec in self.records:
            out += [k for k in rec if k != "epoch" and k not in out]
        return out

    @property
    def epochs(self) -> list[int]:
        return [r["epoch"] for r in self.records]

    def __getitem__(self, key: str) -> list:
        if key != "epoch" and key not in self.keys():
            raise KeyError(f"History: no metric {key!r}; logged: {self.keys()}")
        return [r.get(key, math.nan) for r in self.records]

    def last(self, key: str, default: Any = None) -> Any:
        """The most recent value of ``key`` (or ``default``)."""
        for rec in reversed(self.records):
            if key in rec:
                return rec[key]
        return default

    def best(self, key: str, mode: str = "max") -> dict[str, Any] | None:
        """The record with the best finite value of ``key`` (``mode`` 'max' or 'min'); the
        first one on a tie."""
        if mode not in ("max", "min"):
            raise ValueError(f"History.best: mode must be 'max' or 'min', got {mode!r}")
        found = [r for r in self.records if _is_number(r.get(key)) and math.isfinite(r[key])]
        if not found:
            return None
        sign = 1 if mode == "max" else -1
        return max(found, key=lambda r: (sign * r[key], -r["epoch"]))

    # ---- persistence ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"records": [dict(r) for r in self.records]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.records = [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                        for r in state["records"]]

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write the records as CSV (one row per epoch); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = ["epoch"] + self.keys()
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=keys, restval="")
            writer.writeheader()
            for rec in self.records:
                writer.writerow(rec)
        os.replace(tmp, path)
        return path

    # ---- plotting ----------------------------------------------------------------------
    def panels(self) -> dict[str, list[str]]:
        """Metric -> the keys drawn in its panel: ``{"loss": ["train_loss", "test_loss"]}``."""
        out: dict[str, list[str]] = {}
        for key in self.keys():
            if not any(_is_number(r.get(key)) for r in self.records):
                continue
            out.setdefault(_split_name(key)[1], []).append(key)
        return out

    def plot(self, path: str | os.PathLike, title: str | None = None) -> Path | None:
        """Draw the training curves to a PNG: one panel per metric, one line per split.

        Returns the path, or None (with a one-time warning saying how to get it) when
        matplotlib is not installed. Uses matplotlib's object API (no pyplot, no global
        backend change), so it is safe in scripts, threads and tests.
        """
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
        except ImportError:
            if not History._warned:
                History._warned = True
                warnings.warn(
                    f"History.plot: matplotlib is not installed, so the training curves "
                    f"were not drawn to {path}. Install it with `pip install matplotlib` (or "
                    f"nnlite's examples extra: `pip install -e '.[examples]'`); the numbers "
                    f"are in the checkpoint and the history CSV.", RuntimeWarning,
                    stacklevel=2)
            return None
        panels = self.panels()
        if not panels:
            return None
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        n = len(panels)
        cols = min(n, 3)
        rows = -(-n // cols)
        fig = Figure(figsize=(4.2 * cols, 3.2 * rows), dpi=100)
        FigureCanvasAgg(fig)
        epochs = self.epochs
        for i, (metric, keys) in enumerate(panels.items()):
            ax = fig.add_subplot(rows, cols, i + 1)
            percent = metric.endswith(("acc", "accuracy", "exact", "match"))
            for key in keys:
                pts = [(e, r[key]) for e, r in zip(epochs, self.records)
                       if _is_number(r.get(key))]
                xs = [p[0] for p in pts]
                ys = [100.0 * p[1] if percent else p[1] for p in pts]
                ax.plot(xs, ys, marker="o" if len(xs) < 30 else None,
                        markersize=3 if len(xs) > 1 else 6,
                        label=_split_name(key)[0] or key)
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric + (" (%)" if percent else " (s)" if metric == "time" else ""))
            ax.set_title(metric)
            ax.grid(True, alpha=0.3)
            if metric == "loss" and all(v > 0 for k in keys for v in self[k]
                                        if _is_number(v) and math.isfinite(v)):
                ax.set_yscale("log")
            if len(keys) > 1:
                ax.legend(fontsize="small")
            if len(epochs) <= 15:
                ax.set_xticks(epochs)
        if title:
            fig.suptitle(title)
        # fixed margins (in inches, so the same for any grid): tight_layout measures every
        # label and takes most of a second
        w, h = fig.get_size_inches()
        fig.subplots_adjust(left=0.75 / w, right=1 - 0.2 / w, bottom=0.55 / h,
                            top=1 - (0.75 if title else 0.45) / h, wspace=0.35, hspace=0.55)
        tmp = path.with_name(path.stem + ".tmp.png")
        fig.savefig(tmp, format="png")
        os.replace(tmp, path)
        return path

    def __repr__(self) -> str:
        return f"History({len(self.records)} epochs: {', '.join(self.keys())})"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) or (
        hasattr(v, "dtype") and getattr(v, "ndim", 1) == 0 and v.dtype.kind in "iuf")
