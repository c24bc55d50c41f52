"""Grids of images as PNGs, for the generative examples: ``tile`` lays a batch out as one
array, ``save_image_grid`` draws it (torchvision's ``make_grid`` + ``save_image``, with an
optional title and axis labels). The PNG needs matplotlib (nnlite's ``examples`` extra);
without it ``save_image_grid`` warns once and returns None.

    save_image_grid(model.sample(64).numpy(), "runs/vae/samples.png", nrow=8,
                    title="samples from the prior")
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["tile", "save_image_grid"]

_warned = False


def tile(images: Any, nrow: int = 8, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """A batch ``(N, C, H, W)`` (C = 1 or 3) or ``(N, H, W)`` as one image, ``nrow`` images
    per row, ``padding`` pixels of ``pad_value`` around each: ``(rows*(H+p)+p,
    nrow*(W+p)+p)`` for grey images, with a trailing channel axis for colour ones."""
    a = np.asarray(getattr(images, "array", images), dtype=np.float32)
    if a.ndim == 3:
        a = a[:, None]                                              # (N, 1, H, W)
    if a.ndim != 4 or a.shape[1] not in (1, 3) or len(a) == 0:
        raise ValueError(f"tile: expected images (N, C, H, W) with C = 1 or 3 and N >= 1, "
                         f"or (N, H, W), got shape {np.shape(images)}")
    if not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"tile: nrow must be a positive int, got {nrow!r}")
    n, c, h, w = a.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    p = padding
    grid = np.full((c, rows * (h + p) + p, cols * (w + p) + p), pad_value, np.float32)
    for k in range(n):                                              # one slice per image
        r, q = divmod(k, cols)
        grid[:, p + r * (h + p):p + r * (h + p) + h, p + q * (w + p):p + q * (w + p) + w] = a[k]
    return grid[0] if c == 1 else grid.transpose(1, 2, 0)          # (H', W') or (H', W', 3)


def save_image_grid(images: Any, path: str | os.PathLike, nrow: int = 8,
                    title: str | None = None, scale: float = 3.0, padding: int = 2,
                    xlabel: str | None = None, ylabel: str | None = None) -> Path | None:
    """Draw ``tile(images, nrow, padding)`` (pixels in [0, 1], grey or RGB) to a PNG,
    ``scale`` screen pixels per image pixel, with an optional title and axis labels.

    Returns the path, or None (with a one-time warning) when matplotlib is not installed.
    """
    global _warned
    grid = np.clip(tile(images, nrow, padding), 0.0, 1.0)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        if not _warned:
            _warned = True
            warnings.warn(f"save_image_grid: matplotlib is not installed, so {path} was not "
                          f"drawn. Install it with `pip install matplotlib` (or nnlite's "
                          f"examples extra: `pip install -e '.[examples]'`).", RuntimeWarning,
                          stacklevel=2)
        return None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = xlabel is not None or ylabel is not None
    top = 0.4 if title else 0.05                                     # margins in inches
    side = 0.45 if labels else 0.05
    w_in, h_in = grid.shape[1] * scale / 100, grid.shape[0] * scale / 100
    fig = Figure(figsize=(w_in + side + 0.05, h_in + top + side), dpi=100)
    FigureCanvasAgg(fig)
    W, H = fig.get_size_inches()
    ax = fig.add_axes((side / W, side / H, w_in / W, h_in / H))
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if not labels:
        ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize="medium", y=1 - 0.12 / H, va="top")
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, format="png")
    os.replace(tmp, path)
    return path
