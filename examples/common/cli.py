"""The command line every example has: ``example_parser`` (the script's docstring as
``--help``), ``training_args`` (``--epochs --batch-size --lr --seed --quick --resume
--out-dir --no-progress`` and ``--time-budget``) and ``parse_args``, which resolves their
defaults and checks them; ``run_summary``, the end of every example's last line.

    parser = example_parser(__doc__)
    training_args(parser, name="lenet5", epochs=15, batch_size=64, lr=0.05)
    args = parse_args(parser, argv)          # args.out_dir == Path("runs/lenet5"), ...
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Callable

from nnlite.training import format_seconds

__all__ = ["example_parser", "training_args", "parse_args", "plural", "run_summary"]


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"3 epochs"``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def run_summary(epochs: int, train_seconds: float, start: float, out_dir: Any) -> str:
    """The end of an example's ``final:`` line: ``"3 epochs, 1m02s training, 1m10s this
    run | runs/NAME"`` (``start``: the ``time.time()`` at the script's start)."""
    return (f"{plural(epochs, 'epoch')}, {format_seconds(train_seconds)} training, "
            f"{format_seconds(time.time() - start)} this run | {out_dir}")


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of an example script: its module docstring (commands, the paper's figure)
    as the ``--help`` text, line breaks kept."""
    return argparse.ArgumentParser(description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def training_args(parser: argparse.ArgumentParser, *, name: str, epochs: int, batch_size: int,
                  lr: float, quick_epochs: int = 1, seed: int = 0,
                  time_budget: float | None = None) -> argparse.ArgumentParser:
    """Add the options every example has: ``--epochs --batch-size --lr --seed --quick
    --resume --out-dir --no-progress``, and ``--time-budget`` (minutes of training, default
    ``time_budget``, 0 for none) when ``time_budget`` is given. Resolve them with
    :func:`parse_args`; ``args.time_budget`` is then in *seconds* (or None)."""
    g = parser.add_argument_group("training")
    g.add_argument("--epochs", type=int, default=None,
                   help=f"epochs to train (default: {epochs}; {quick_epochs} with --quick)")
    g.add_argument("--batch-size", type=int, default=None,
                   help=f"mini-batch size (default: {batch_size})")
    g.add_argument("--lr", type=float, default=None, help=f"learning rate (default: {lr:g})")
    g.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    g.add_argument("--quick", action="store_true",
                   help="a tiny slice of the data and a tiny model: runs in seconds (a smoke "
                        "test, not a result)")
    g.add_argument("--resume", action="store_true",
                   help="continue from the latest checkpoint in --out-dir")
    g.add_argument("--out-dir", type=Path, default=None,
                   help=f"where checkpoints, history.csv and curves.png go (default: "
                        f"runs/{name})")
    g.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars")
    defaults = {"epochs": epochs, "batch_size": batch_size, "lr": lr}
    if time_budget is not None:
        g.add_argument("--time-budget", type=float, default=None, metavar="MIN",
                       help=f"minutes of training (evaluation not counted; over all "
                            f"--resume runs): training stops when they or --epochs run out, "
                            f"and the learning-rate schedule spans whichever comes first; "
                            f"0 for no limit (default: {time_budget:g}; none with --quick)")
        defaults["time_budget"] = time_budget
    parser.set_defaults(_defaults=defaults, _epochs_quick=quick_epochs, _name=name)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None,
               defaults: Callable[[argparse.Namespace], dict[str, Any]] | None = None
               ) -> argparse.Namespace:
    """Parse and resolve the options of :func:`training_args` and check them.

    Options left out get their defaults: those given to ``training_args``, overridden by
    ``defaults(args)`` (defaults that depend on other options, e.g.
    ``lambda a: {"lr": 0.005} if a.classic else {}``); ``--quick`` sets the quick number of
    epochs and no default time budget; ``out_dir`` defaults to ``runs/<name>``;
    ``time_budget`` (if the parser has it) becomes seconds, or None for no limit.
    """
    args = parser.parse_args(argv)
    resolved = dict(args._defaults)
    if defaults is not None:
        resolved.update(defaults(args))
    if args.quick:
        resolved["epochs"] = args._epochs_quick
        if "time_budget" in resolved:
            resolved["time_budget"] = 0.0
    for key, value in resolved.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.out_dir is None:
        args.out_dir = Path("runs") / args._name
    if args.epochs < 0:
        parser.error(f"--epochs must be >= 0, got {args.epochs}")
    if args.batch_size < 1:
        parser.error(f"--batch-size must be >= 1, got {args.batch_size}")
    if not args.lr > 0:
        parser.error(f"--lr must be > 0, got {args.lr}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if "time_budget" in resolved:
        if args.time_budget < 0:
            parser.error(f"--time-budget must be >= 0 minutes, got {args.time_budget:g}")
        args.time_budget = args.time_budget * 60.0 if args.time_budget else None
    return args
