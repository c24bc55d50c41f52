"""Markdown tables from the benchmarks' ``--json`` records:
``python benchmarks/report.py vision.json [e2e.json ...]``.

One table per file, with the machine, the date, the load average at the start and the
command that produced it, so the README's performance section is regenerated from the
records rather than typed in. A row whose ratio misses its target says so.
"""
from __future__ import annotations

import json
import sys


def _ms(ms: float | None, spread: float | None) -> str:
    if ms is None:
        return "-"
    value = f"{ms:,.2f}" if ms < 10 else f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"
    return f"{value} ms ±{100 * spread / 2:.0f}%"


def _rate(rec: dict, ms: float | None) -> str:
    return f"{rec['items'] / ms * 1e3:,.0f} {rec['unit']}/s" if rec["items"] and ms else ""


def _ratio(rec: dict) -> str:
    if rec["ratio"] is None:
        return "-"
    lo, hi = rec["spread"]
    text = f"**{rec['ratio']:.2f}**" + (f" ({lo:.2f}-{hi:.2f})" if rec["repeats"] > 1 else "")
    return text


def _target(rec: dict) -> str:
    if rec["target"] is None or rec["ratio"] is None:
        return ""
    if rec["ratio"] <= rec["target"]:
        return f"<= {rec['target']}: met"
    return f"<= {rec['target']}: **missed** by {100 * (rec['ratio'] / rec['target'] - 1):.0f}%"


def table(records: list[dict]) -> str:
    first = records[0]
    load = " ".join(f"{v:.2f}" for v in first["load_average"])
    blas = "; ".join(f"{lib} {first['versions'][lib]}: {info}"
                     for lib, info in first["blas"].items())
    lines = [f"`python {first['command']}` — {first['date'][:10]}, {first['cpu']}, "
             f"{first['threads']} threads each, load average at start {load}, "
             f"{first['repeats']} repeats{', nnlite tuned' if first['tuned'] else ''}. "
             f"{blas}.", "",
             "| case | nnlite | torch | ratio (range) | target | nnlite rate | torch rate |",
             "|---|---|---|---|---|---|---|"]
    for rec in records:
        lines.append(f"| {rec['title']} | {_ms(rec['nnlite_ms'], rec['nnlite_spread'])} | "
                     f"{_ms(rec['torch_ms'], rec['torch_spread'])} | {_ratio(rec)} | "
                     f"{_target(rec)} | {_rate(rec, rec['nnlite_ms'])} | "
                     f"{_rate(rec, rec['torch_ms'])} |")
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    for path in paths:
        with open(path) as f:
            print(table(json.load(f)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
