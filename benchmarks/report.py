"""Markdown tables from the benchmarks' ``--json`` records:
``python benchmarks/report.py vision.json [e2e.json ...]``.

One table per file, with the machine, the date, the load average at the start and the
command that produced it, so the README's performance section is regenerated from the
records rather than typed in. A row whose ratio misses its target says so.

``python benchmarks/report.py --before OLD.json NEW.json`` compares two runs of the same
script case by case: nnlite's time (untuned and tuned) before and after, with a verdict
that calls a change real only when it is larger than the run-to-run spread of both runs,
and the ratio to torch before and after (torch's own time moves between runs too).
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


def _change(old: dict, new: dict, key: str, spread_key: str) -> str:
    """nnlite's time before -> after for one case, and whether the change exceeds the
    spread (relative, over the repeats) of either run."""
    a, b = old.get(key), new.get(key)
    if a is None or b is None:
        return "- | -"
    rel = b / a - 1
    noise = max(old.get(spread_key) or 0, new.get(spread_key) or 0)
    verdict = ("within spread" if abs(rel) <= noise else
               f"**{100 * rel:+.0f}%** (spread {100 * noise:.0f}%)")
    return f"{_ms(a, old.get(spread_key))} -> {_ms(b, new.get(spread_key))} | {verdict}"


def compare(old: list[dict], new: list[dict]) -> str:
    """A markdown table: each case of ``new`` against the same case in ``old``."""
    before = {rec["case"]: rec for rec in old}
    head = ["case", "nnlite before -> after", "change", "tuned before -> after", "change",
            "ratio before -> after"]
    lines = [f"before: `python {old[0]['command']}` ({old[0]['date']}); after: "
             f"`python {new[0]['command']}` ({new[0]['date']})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in new:
        was = before.get(rec["case"])
        if was is None:
            continue
        ratio = "-" if rec["ratio"] is None or was["ratio"] is None else \
            f"{was['ratio']:.2f} -> {rec['ratio']:.2f}"
        lines.append(f"| {rec['title']} | {_change(was, rec, 'nnlite_ms', 'nnlite_spread')} | "
                     f"{_change(was, rec, 'tuned_ms', 'tuned_spread')} | {ratio} |")
    return "\n".join(lines)


def main(args: list[str]) -> None:
    if args[:1] == ["--before"]:
        with open(args[1]) as f, open(args[2]) as g:
            print(compare(json.load(f), json.load(g)))
        return
    for path in args:
        with open(path) as f:
            print(table(json.load(f)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
