"""The examples' command line (examples/common/cli.py) and their data slices
(examples/common/subset.py)."""
import argparse
from pathlib import Path

import numpy as np
import pytest

from nnlite.data import TensorDataset
from nnlite.training import format_seconds

from common import example_parser, parse_args, take, training_args   # examples/common


def test_training_args():
    p = training_args(argparse.ArgumentParser(), name="demo", epochs=7, batch_size=32, lr=0.01)
    a = parse_args(p, [])
    assert (a.epochs, a.batch_size, a.lr, a.seed, a.quick, a.resume, a.progress) == \
        (7, 32, 0.01, 0, False, False, True)
    assert a.out_dir == Path("runs/demo")
    a = parse_args(p, ["--quick", "--out-dir", "x", "--no-progress"])
    assert a.epochs == 1 and a.out_dir == Path("x") and not a.progress
    assert parse_args(p, ["--quick", "--epochs", "3"]).epochs == 3
    a = parse_args(p, ["--lr", "0.5"], defaults=lambda a: {"lr": 0.1, "epochs": 2})
    assert (a.lr, a.epochs) == (0.5, 2)
    with pytest.raises(SystemExit):
        parse_args(p, ["--lr", "0"])
    assert "default: 7; 1 with --quick" in p.format_help()


def test_take_and_format_seconds():
    ds = TensorDataset(np.arange(100))
    sub = take(ds, 10)
    assert len(sub) == 10 and take(ds, 10).indices.tolist() == sub.indices.tolist()
    assert take(ds, None) is ds and take(ds, 1000) is ds
    assert format_seconds(5.25) == "5.2s" and format_seconds(75) == "1m15s"
    assert format_seconds(5000) == "1h23m" and format_seconds(None) == "-"


def test_time_budget_option_and_example_parser():
    p = training_args(example_parser("Demo.\n\n    python demo.py --quick    # fast"),
                      name="demo", epochs=7, batch_size=32, lr=0.01, time_budget=30)
    assert "    python demo.py --quick    # fast" in p.format_help()       # kept as written
    assert "default: 30; none with --quick" in " ".join(p.format_help().split())
    assert parse_args(p, []).time_budget == 1800.0
    assert parse_args(p, ["--time-budget", "0.5"]).time_budget == 30.0
    assert parse_args(p, ["--time-budget", "0"]).time_budget is None
    assert parse_args(p, ["--quick"]).time_budget is None
    assert parse_args(p, ["--quick", "--time-budget", "1"]).time_budget == 60.0
    with pytest.raises(SystemExit):
        parse_args(p, ["--time-budget", "-1"])
    plain = training_args(argparse.ArgumentParser(), name="d", epochs=1, batch_size=1, lr=0.1)
    assert not hasattr(parse_args(plain, []), "time_budget")
