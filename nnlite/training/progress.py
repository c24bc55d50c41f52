"""A progress bar for training loops: tqdm when it is installed, else a small text bar.

    bar = ProgressBar(total=len(loader), desc="epoch 3/10", unit="img")
    for x, y in loader:
        ...
        bar.update(items=len(y), loss=loss.item(), acc=correct / len(y))
    bar.close()                         # -> "epoch 3/10 469/469 [12.1s] loss 0.0712 ..."

Besides the batch count, the bar shows the running mean of each metric passed to
``update`` (weighted by ``items``) and the throughput in ``unit``/s (images/s, tokens/s).
"""
from __future__ import annotations

import math
import sys
import time
from typing import IO, Any

__all__ = ["ProgressBar", "format_metrics", "have_tqdm"]


def have_tqdm() -> bool:
    """True if the ``tqdm`` package can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _is_percent(name: str) -> bool:
    return name.endswith(("acc", "accuracy", "exact", "match")) or name.startswith("acc")


def format_metrics(metrics: dict[str, Any], sep: str = " ") -> str:
    """``{"loss": 0.1234, "acc": 0.9712}`` -> ``"loss 0.1234 acc 97.12%"``: accuracies
    (names ending in ``acc``, ``accuracy``, ``exact`` or ``match``) as percentages, other
    floats with 4 significant decimals, integers as they are."""
    parts = []
    for k, v in metrics.items():
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int):
            parts.append(f"{k} {v}")
        elif isinstance(v, float) and _is_percent(k) and math.isfinite(v):
            parts.append(f"{k} {100.0 * v:.2f}%")
        elif isinstance(v, float):
            parts.append(f"{k} {v:.4g}" if abs(v) >= 1e4 or 0 < abs(v) < 1e-3
                         else f"{k} {v:.4f}")
        else:
            parts.append(f"{k} {v}")
    return sep.join(parts)


def _rate(items: float, seconds: float, unit: str) -> str:
    r = items / seconds if seconds > 0 else 0.0
    return f"{r:,.0f} {unit}/s" if r >= 10 else f"{r:.2f} {unit}/s"


class ProgressBar:
    """Progress over one pass of a loader.

    Args:
        total (int, optional): number of batches (``len(loader)``).
        desc (str): label at the left, e.g. ``"epoch 3/10"``.
        unit (str): what ``items`` counts, for the throughput: ``"img"``, ``"tok"``, ...
        enable (bool): False shows nothing (``close`` still returns the summary line).
        use_tqdm (bool, optional): force tqdm (True) or the built-in text bar (False);
            default: tqdm if it is installed.
        file (file, optional): where the bar goes. Default: ``sys.stderr``.
        mininterval (float): seconds between redraws of the text bar. Default: 0.5.
        log_interval (float): when ``file`` is not a terminal, the text bar prints a plain
            line at most this often (seconds) instead of redrawing. Default: 30.

    Attributes:
        n (int): batches done. items (int): items done. elapsed (float): seconds.
        means (dict): running means of the metrics.

    Example:
        >>> bar = ProgressBar(total=len(loader), desc="epoch 1/10", unit="img")  # doctest: +SKIP
        >>> bar.update(1, items=64, loss=0.31, acc=0.91)                         # doctest: +SKIP
        >>> bar.close()                                                           # doctest: +SKIP
    """

    def __init__(self, total: int | None = None, desc: str = "", unit: str = "it",
                 enable: bool = True, use_tqdm: bool | None = None, file: IO[str] | None = None,
                 mininterval: float = 0.5, log_interval: float = 30.0) -> None:
        self.total, self.desc, self.unit, self.enable = total, desc, unit, enable
        self.file = file if file is not None else sys.stderr
        self.mininterval, self.log_interval = mininterval, log_interval
        self.n, self.items = 0, 0
        self._sums: dict[str, float] = {}
        self._weights: dict[str, float] = {}
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._closed = False
        self._tqdm = None
        if use_tqdm is None:
            use_tqdm = have_tqdm()
        if enable and use_tqdm:
            from tqdm.auto import tqdm
            self._tqdm = tqdm(total=total, desc=desc, unit="batch", file=self.file,
                              dynamic_ncols=True, leave=False, mininterval=mininterval)
        self._tty = bool(getattr(self.file, "isatty", lambda: False)())

    # ---- state ----------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    @property
    def rate(self) -> float:
        """Items per second so far."""
        e = self.elapsed
        return self.items / e if e > 0 else 0.0

    @property
    def means(self) -> dict[str, float]:
        return {k: self._sums[k] / self._weights[k] for k in self._sums if self._weights[k]}

    def postfix(self) -> str:
        """``"loss 0.0712 acc 97.81% 2,345 img/s"``."""
        text = format_metrics(self.means)
        rate = _rate(self.items, self.elapsed, self.unit) if self.items else ""
        return " ".join(t for t in (text, rate) if t)

    # ---- updates ----------------------------------------------------------------------
    def update(self, n: int = 1, items: int = 0, **metrics: float) -> None:
        """Count ``n`` batches of ``items`` items; fold ``metrics`` (per-item means of this
        batch, e.g. ``loss=0.07``) into the running means, weighted by ``items`` (or 1)."""
        self.n += n
        self.items += items
        w = items if items else 1
        for k, v in metrics.items():
            self._sums[k] = self._sums.get(k, 0.0) + float(v) * w
            self._weights[k] = self._weights.get(k, 0.0) + w
        if not self.enable:
            return
        if self._tqdm is not None:
            self._tqdm.update(n)
            now = time.perf_counter()
            if now - self._last_draw >= self.mininterval:
                self._tqdm.set_postfix_str(self.postfix(), refresh=False)
                self._last_draw = now
            return
        self._draw()

    def _bar_text(self, width: int = 20) -> str:
        if self.total:
            filled = int(width * min(self.n, self.total) / self.total)
            bar = "[" + "#" * filled + "." * (width - filled) + "]"
            count = f"{self.n}/{self.total}"
        else:
            bar, count = "", f"{self.n}"
        parts = [self.desc, bar, count, f"[{self.elapsed:.1f}s]", self.postfix()]
        return " ".join(p for p in parts if p)

    def _draw(self) -> None:
        now = time.perf_counter()
        done = self.total is not None and self.n >= self.total
        if self._tty:
            if now - self._last_draw >= self.mininterval or done:
                self.file.write("\r" + self._bar_text() + "\033[K")
                self.file.flush()
                self._last_draw = now
        elif now - self._last_draw >= self.log_interval and not done:
            if self._last_draw:          # not on the very first batch
                self.file.write(self._bar_text() + "\n")
                self.file.flush()
            self._last_draw = now

    def close(self) -> str:
        """Finish the bar; return (and, when enabled, show) the summary line."""
        if self._closed:
            return self._final
        line = self._final = self._bar_text()
        self._closed = True
        if self._tqdm is not None:
            self._tqdm.close()
        if self.enable:
            if self._tty and self._tqdm is None:
                self.file.write("\r" + line + "\033[K\n")
            else:
                self.file.write(line + "\n")
            self.file.flush()
        return line

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
