"""What the experiments share: their command line, MNIST as arrays, a training loop over
mini-batches of arrays, accuracy, and figures drawn with matplotlib's object API.

Each experiment is a script in this folder (``python examples/experiments/pooling.py``), so
this module is imported as ``_shared`` (the script's folder is on ``sys.path``).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

import nnlite
from nnlite import nn
from nnlite.data.datasets import MNIST
from nnlite.training import set_seed

MEAN, STD = 0.1307, 0.3081          # MNIST training-set pixel statistics


def parser(doc: str, name: str, epochs: int) -> argparse.ArgumentParser:
    """The options every experiment has: ``--epochs --seed --quick --out-dir --data-dir``."""
    p = argparse.ArgumentParser(description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=epochs,
                   help=f"epochs per trained network (default: {epochs}; 1 with --quick)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quick", action="store_true",
                   help="a tiny slice of the data: runs in seconds (a smoke test, not a result)")
    p.add_argument("--out-dir", type=Path, default=Path("runs") / "experiments",
                   help="where the PNG goes (default: runs/experiments)")
    p.add_argument("--data-dir", default=None,
                   help="folder holding mnist/ (default: the repository's data/)")
    p.set_defaults(_name=name)
    return p


def parse(p: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse, apply ``--quick`` (one epoch) and seed every generator."""
    args = p.parse_args(argv)
    if args.quick:
        args.epochs = 1
    if args.epochs < 1:
        p.error(f"--epochs must be >= 1, got {args.epochs}")
    set_seed(args.seed)
    return args


def mnist(args: argparse.Namespace, train_size: int | None = None, flat: bool = True
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as normalized float32 arrays ``(x_train, y_train, x_test, y_test)``: images
    (N, 784) if ``flat`` else (N, 1, 28, 28), labels int64. ``train_size`` takes a fixed
    random slice of the training set; ``--quick`` takes 512 training and 256 test images."""
    def arrays(train: bool, n: int | None) -> tuple[np.ndarray, np.ndarray]:
        ds = MNIST(args.data_dir, train=train)
        x, y = ds.data, ds.targets
        if n is not None and n < len(x):
            idx = np.sort(np.random.default_rng(args.seed).permutation(len(x))[:n])
            x, y = x[idx], y[idx]
        x = ((x.astype(np.float32) / 255.0 - MEAN) / STD).astype(np.float32)
        x = x.reshape(len(x), -1) if flat else x.reshape(len(x), 1, 28, 28)
        return x, y.astype(np.int64)
    if args.quick:
        train_size = 512
    x_train, y_train = arrays(True, train_size)
    x_test, y_test = arrays(False, 256 if args.quick else None)
    return x_train, y_train, x_test, y_test


def batches(x: np.ndarray, y: np.ndarray, batch_size: int,
            rng: np.random.Generator | None = None) -> Iterator[tuple[Any, Any]]:
    """Mini-batches of ``(x, y)`` as tensors, shuffled by ``rng`` (in order without one)."""
    order = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
    for i in range(0, len(x), batch_size):
        idx = order[i:i + batch_size]
        yield nnlite.tensor(x[idx]), nnlite.tensor(y[idx])


def train_epoch(model: nn.Module, opt: Any, x: np.ndarray, y: np.ndarray, batch_size: int,
                rng: np.random.Generator,
                loss_fn: Callable[[Any, Any], Any] = nn.functional.cross_entropy,
                after_backward: Callable[[], None] | None = None) -> tuple[float, float]:
    """One epoch of mini-batch training; returns (mean loss, accuracy) over the epoch.
    ``after_backward`` runs between ``backward`` and the optimizer step."""
    model.train()
    total, correct, n = 0.0, 0, 0
    for xb, yb in batches(x, y, batch_size, rng):
        out = model(xb)
        loss = loss_fn(out, yb)
        opt.zero_grad()
        loss.backward()
        if after_backward is not None:
            after_backward()
        opt.step()
        total += loss.item() * len(yb)
        correct += int((out.array.argmax(1) == yb.array).sum())
        n += len(yb)
    return total / n, correct / n


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray,
             loss_fn: Callable[[Any, Any], Any] = nn.functional.cross_entropy,
             batch_size: int = 1000) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` in eval mode, without recording a graph."""
    model.eval()
    total, correct = 0.0, 0
    with nnlite.no_grad():
        for xb, yb in batches(x, y, batch_size):
            out = model(xb)
            total += loss_fn(out, yb).item() * len(yb)
            correct += int((out.array.argmax(1) == yb.array).sum())
    return total / len(x), correct / len(x)


def figure(cols: int, rows: int = 1, width: float = 4.4, height: float = 3.4) -> Any:
    """A matplotlib Figure with an Agg canvas (no pyplot, no global backend), or None when
    matplotlib is not installed (the numbers are printed either way)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(width * cols, height * rows), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def label(ax: Any, title: str, xlabel: str) -> None:
    """Title, x label, a light grid and a small legend: every panel's finish."""
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)


def save(fig: Any, args: argparse.Namespace) -> str:
    """Write ``fig`` to ``<out-dir>/<experiment>.png``; the path, or a note without matplotlib."""
    if fig is None:
        return "no PNG (matplotlib is not installed: pip install -e '.[examples]')"
    path = args.out_dir / f"{args._name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    return str(path)
