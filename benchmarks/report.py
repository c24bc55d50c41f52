"""Markdown tables from the benchmarks' ``--json`` records:
``python benchmarks/report.py vision.json [e2e.json ...]``.

One table per file, with the machine, the date, the load average at the start and the
command that produced it, so the README's performance section is regenerated from the
records rather than typed in. A row whose ratio misses its target says so.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import target_note  # noqa: E402


def _ms(ms: float | None, spread: float | None) -> str:
    if ms is None:
        return "-"
    value = f"{ms:,.2f}" if ms < 10 else f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"
    return f"{value} ms ±{100 * spread / 2:.0f}%"


def _rate(rec: dict, ms: float | None) -> str:
    return f"{rec['items'] / ms * 1e3:,.0f} {rec['unit']}/s" if rec["items"] and ms else ""


def _ratio(rec: dict, key: str = "ratio", spread_key: str = "spread") -> str:
    if rec[key] is None:
        return "-"
    lo, hi = rec[spread_key]
    return f"**{rec[key]:.2f}**" + (f" ({lo:.2f}-{hi:.2f})" if rec["repeats"] > 1 else "")


def _target(rec: dict, key: str = "ratio") -> str:
    return target_note(rec[key], rec["target"], prefix="", missed="**missed**")


def table(records: list[dict]) -> str:
    """A markdown table of one benchmark run, under a line saying how it was made."""
    first = records[0]
    tuned = first.get("tuned", False)
    load = " ".join(f"{v:.2f}" for v in first["load_average"])
    blas = "; ".join(f"{lib} {first['versions'][lib]}: {info}"
                     for lib, info in first["blas"].items())
    head = ["case", "nnlite", "torch", "ratio (range)", "target"]
    if tuned:
        head += ["nnlite tuned", "tuned ratio", "tuned target"]
    head += ["nnlite rate", "torch rate"]
    lines = [f"`python {first['command']}` — {first['date'][:10]}, {first['cpu']}, "
             f"{first['threads']} threads each, load average at start {load}, "
             f"{first['repeats']} repeats. {blas}.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in records:
        row = [rec["title"], _ms(rec["nnlite_ms"], rec["nnlite_spread"]),
               _ms(rec["torch_ms"], rec["torch_spread"]), _ratio(rec), _target(rec)]
        if tuned:
            row += [_ms(rec["tuned_ms"], rec["tuned_spread"]),
                    _ratio(rec, "tuned_ratio", "tuned_ratio_spread"),
                    _target(rec, "tuned_ratio")]
        row += [_rate(rec, rec["nnlite_ms"]), _rate(rec, rec["torch_ms"])]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    for path in paths:
        with open(path) as f:
            print(table(json.load(f)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
