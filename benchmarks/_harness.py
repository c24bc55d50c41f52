"""The benchmark harness: each library timed alone, as a user would time it.

A benchmark script declares its workloads as ``Case``s and calls ``main(CASES, __doc__)``.
The parent process then runs every (case, library) pair in a fresh subprocess of the same
script (``--child CASE LIBRARY``). The child imports the library it times and no other
(nnlite's children never import torch; torch's children build their inputs from the same
NumPy seeds), sets the thread count, builds the workload, runs ``warmup`` steps, times
``steps`` steps one by one and prints the per-step times as JSON. So no call of one
library ever runs next to a spinning thread pool of the other (OpenMP in torch, pthreads
in OpenBLAS), which is what a user timing one library sees.

Each pair runs ``repeats`` times (3 by default), the library that goes first alternating
between repeats. A library's time is the median over repeats of each repeat's median step;
its spread is (slowest - fastest repeat) / median. The ratio is nnlite / torch (lower is
better); the range of the per-repeat ratios is reported beside it.

Both libraries get the same threads (all cores unless ``--threads N``): the children's
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``, and
``torch.set_num_threads``. The header prints the date, the CPU, the load average at the
start, Python and library versions, and each library's BLAS, kernels and threads (from
threadpoolctl, the ``bench`` extra).

Command line of every benchmark script:
    --only A,B       run the cases whose name starts with one of these
    --repeats N      subprocess runs per library and case (default 3)
    --quick          1 repeat, a third of the steps: a smoke run, not a measurement
    --threads N      threads for both libraries (default: every core)
    --json PATH      also write one record per case (a JSON list)
    --tune           also time nnlite after ``nnlite.tune_cpu()`` (the process-wide
                     allocator opt-in of nnlite/tuning.py, which the examples make): a third
                     column, "nnlite tuned", and its own ratio
    --no-torch       time nnlite only
    --list           print the case names
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARIES = ("nnlite", "nnlite-tuned", "torch")
"""What a child can time: nnlite as imported, nnlite after ``nnlite.tune_cpu()``, torch."""


@dataclass
class Case:
    """One workload, built for either library.

    Attributes:
        name: the id used by ``--only`` and in the JSON records ("lenet5_b64").
        title: the table's label.
        build: ``build(lib)`` returns a no-argument step for ``lib``, the imported module
            (``nnlite`` or ``torch``); ``lib.__name__`` tells which.
        items: items per step (images, tokens) for the throughput column, or 0.
        unit: what an item is ("img", "tok").
        target: the target ratio nnlite / torch, or None.
        steps, warmup: timed and untimed steps per child.
        torch: False for an nnlite-only row (a composite baseline, say).
        note: a function of (nnlite seconds, torch seconds or None) giving the last column.
    """
    name: str
    title: str
    build: Callable[[object], Callable[[], object]]
    items: int = 0
    unit: str = ""
    target: float | None = None
    steps: int = 30
    warmup: int = 5
    torch: bool = True
    note: Callable[[float, float | None], str] = field(default=lambda ours, theirs: "")


# ============================================================================
# Helpers for building cases
# ============================================================================
def fwd_bwd(lib, fn: Callable, x0: np.ndarray, gy0: np.ndarray,
            params: Sequence[np.ndarray] = ()) -> Callable[[], None]:
    """A step running ``fn(x, *params).backward(gy)`` on fresh copies of the arrays in
    ``lib``, clearing the gradients first."""
    x = lib.tensor(x0, requires_grad=True)
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    gy = lib.tensor(gy0)

    def step() -> None:
        for t in [x] + ps:
            t.grad = None
        fn(x, *ps).backward(gy)

    return step


def module_step(lib, module, call: Callable, x0: np.ndarray, gy0: np.ndarray,
                requires_grad: bool = True):
    """A step running ``call(module, x).backward(gy)`` with the module's gradients and
    the input's cleared first; ``requires_grad=False`` for an input that takes no
    gradient (token ids)."""
    x = lib.tensor(x0, requires_grad=requires_grad)
    gy = lib.tensor(gy0)
    params = list(module.parameters()) + ([x] if requires_grad else [])

    def step() -> None:
        for p in params:
            p.grad = None
        call(module, x).backward(gy)

    return step


def train_step(lib, model, opt, x0, y0: np.ndarray, loss_fn: Callable, clip: float = 0.0):
    """A training step as a user writes it: zero_grad, ``loss_fn(model(*inputs), y)``,
    backward, gradient-norm clipping when ``clip`` > 0, optimizer step. ``x0`` is the
    input array, or a tuple of them for a model of several inputs."""
    inputs = tuple(lib.tensor(a) for a in (x0 if isinstance(x0, tuple) else (x0,)))
    y = lib.tensor(y0)
    params = list(model.parameters())

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(*inputs), y).backward()
        if clip:
            lib.nn.utils.clip_grad_norm_(params, clip)
        opt.step()

    return step


def op_case(name: str, title: str, shape: tuple, call: Callable,
            params: Callable = lambda rng: (), backward: bool = True, **kw) -> Case:
    """A case timing ``call(F, x, *params)`` on a random float32 ``shape`` input, F the
    library's ``nn.functional`` and ``params(rng)`` the other inputs (NumPy arrays drawn
    after x): forward + backward (upstream gradient drawn after them), or with
    ``backward=False`` the forward alone under ``no_grad``. ``items`` is the batch
    (``shape[0]`` images); ``kw`` goes to ``Case``."""
    def build(lib):
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal(shape, dtype=np.float32)
        ps = params(rng)
        F = lib.nn.functional
        if not backward:
            x, ts = lib.tensor(x0), [lib.tensor(p) for p in ps]

            def step() -> None:
                with lib.no_grad():
                    call(F, x, *ts)
            return step
        with lib.no_grad():
            out_shape = call(F, lib.tensor(x0), *[lib.tensor(p) for p in ps]).shape
        gy0 = rng.standard_normal(tuple(out_shape), dtype=np.float32)
        return fwd_bwd(lib, lambda x, *p: call(F, x, *p), x0, gy0, ps)
    return Case(name, title, build, items=shape[0], unit="img", **kw)


def speedups(pairs: Sequence[tuple[str, str]], what: str = "fused") -> Callable:
    """An ``after`` for ``main``: for each (baseline case, case) pair of which both ran,
    how many times faster nnlite runs the case than the baseline (an nnlite-only
    composite of generic ops, say), printed and added to the baseline's JSON note."""
    def after(args, records: list) -> None:
        by_name = {rec["case"]: rec for rec in records}
        lines = []
        for slow, fast in pairs:
            if slow in by_name and fast in by_name:
                factor = by_name[slow]["nnlite_ms"] / by_name[fast]["nnlite_ms"]
                note = f"{what} is {factor:.1f}x faster" if factor >= 1 else \
                    f"{what} is {1 / factor:.1f}x slower"
                by_name[slow]["note"] = "  ".join(s for s in (by_name[slow]["note"], note) if s)
                lines.append(f"{fast} against {slow}: {note}")
        if lines:
            print("\nnnlite against its baselines:\n" + "\n".join(lines))
    return after


def is_torch(lib) -> bool:
    return lib.__name__ == "torch"


def target_note(ratio: float | None, target: float | None, prefix: str = "target ",
                missed: str = "MISSED") -> str:
    """"target <= 1.0: met", or "... MISSED by 20%"; "" without a target or a ratio."""
    if target is None or ratio is None:
        return ""
    if ratio <= target:
        return f"{prefix}<= {target}: met"
    return f"{prefix}<= {target}: {missed} by {100 * (ratio / target - 1):.0f}%"


# ============================================================================
# Machine
# ============================================================================
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> str:
    """This process's BLAS and OpenMP pools: library, version, kernels, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    parts = []
    for d in threadpool_info():
        arch = f" {d['architecture']}" if d.get("architecture") else ""
        parts.append(f"{d.get('internal_api')} {d.get('version') or ''}{arch} "
                     f"{d.get('num_threads')} threads".replace("  ", " "))
    core = os.environ.get("OPENBLAS_CORETYPE")
    return "; ".join(parts) + (f" (OPENBLAS_CORETYPE={core})" if core else "")


def torch_info(torch) -> str:
    """What torch computes with: its BLAS, oneDNN, the CPU kernels it picked, threads."""
    parts = ["MKL" if torch.backends.mkl.is_available() else "no MKL"]
    if torch.backends.mkldnn.is_available():
        parts.append("oneDNN")
    return (" + ".join(parts) + f", CPU capability {torch.backends.cpu.get_cpu_capability()}"
            f", {torch.get_num_threads()} threads (OpenMP)")


# ============================================================================
# Child: one library, one case
# ============================================================================
def import_library(name: str, threads: int):
    if name == "torch":
        import torch
        torch.set_num_threads(threads)
        return torch
    import nnlite
    return nnlite


def run_child(case: Case, library: str, threads: int, steps: int, warmup: int) -> dict:
    lib = import_library(library, threads)
    if library == "nnlite-tuned":
        lib.tune_cpu()
    step = case.build(lib)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    if library == "torch":
        return {"times": times, "blas": torch_info(lib), "version": lib.__version__}
    return {"times": times, "blas": blas_info(), "version": f"{lib.__version__}, NumPy "
            f"{np.__version__}"}


# ============================================================================
# Parent: every case, every library, in subprocesses
# ============================================================================
def _spawn(script: str, case: Case, library: str, args) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    steps = max(1, case.steps // 3) if args.quick else case.steps
    warmup = min(case.warmup, 2) if args.quick else case.warmup
    cmd = [sys.executable, script, "--child", case.name, library, "--threads",
           str(args.threads), "--steps", str(steps), "--warmup", str(warmup)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{case.name} in {library} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _summary(medians: list[float]) -> tuple[float, float]:
    med = float(np.median(medians))
    return med, (max(medians) - min(medians)) / med


def measure(script: str, case: Case, args) -> dict:
    """Run ``case`` in each library, ``args.repeats`` times each, alternating order."""
    wanted = {"nnlite": True, "nnlite-tuned": args.tune, "torch": case.torch and args.torch}
    libs = [lib for lib in LIBRARIES if wanted[lib]]
    runs = {lib: [] for lib in libs}
    for r in range(args.repeats):
        for lib in (libs if r % 2 == 0 else libs[::-1]):
            time.sleep(0.3)
            runs[lib].append(_spawn(script, case, lib, args))
    med = {lib: [float(np.median(run["times"])) for run in runs[lib]] for lib in libs}
    summary = {lib: _summary(med[lib]) for lib in libs}        # (seconds, spread)

    def ms(lib: str) -> float | None:
        return 1e3 * summary[lib][0] if lib in summary else None

    def spread(lib: str) -> float | None:
        return summary[lib][1] if lib in summary else None

    def ratio(lib: str) -> tuple:
        """nnlite / torch of the medians, and the range of the per-repeat ratios."""
        if lib not in med or "torch" not in med:
            return None, None
        per_repeat = [a / b for a, b in zip(med[lib], med["torch"])]
        return summary[lib][0] / summary["torch"][0], [min(per_repeat), max(per_repeat)]

    rec = {"case": case.name, "title": case.title,
           "nnlite_ms": ms("nnlite"), "nnlite_spread": spread("nnlite"),
           "torch_ms": ms("torch"), "torch_spread": spread("torch"),
           "tuned_ms": ms("nnlite-tuned"), "tuned_spread": spread("nnlite-tuned"),
           "target": case.target, "items": case.items, "unit": case.unit,
           "threads": args.threads, "repeats": args.repeats,
           "steps": len(runs["nnlite"][0]["times"]), "tuned": args.tune,
           "blas": {lib: runs[lib][0]["blas"] for lib in libs if lib != "nnlite-tuned"},
           "versions": {lib: runs[lib][0]["version"] for lib in libs if lib != "nnlite-tuned"}}
    rec["ratio"], rec["spread"] = ratio("nnlite")
    rec["tuned_ratio"], rec["tuned_ratio_spread"] = ratio("nnlite-tuned")
    ours = summary["nnlite"][0]
    rec["note"] = "  ".join(s for s in (
        target_note(rec["ratio"], case.target),
        case.note(ours, rec["torch_ms"] and rec["torch_ms"] / 1e3)) if s)
    return rec


def _fmt_ms(ms: float | None, spread: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:,.2f} ms ±{100 * spread / 2:.0f}%" if ms < 100 else \
        f"{ms:,.0f} ms ±{100 * spread / 2:.0f}%"


def _fmt_ratio(ratio: float | None, spread: list | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f} ({spread[0]:.2f}-{spread[1]:.2f})"


def print_row(rec: dict) -> None:
    """One table line: times, ratio (and the tuned nnlite's, with --tune), throughput,
    notes."""
    cols = [f"{rec['title']:52s}", f"{_fmt_ms(rec['nnlite_ms'], rec['nnlite_spread']):>17s}",
            f"{_fmt_ms(rec['torch_ms'], rec['torch_spread']):>17s}",
            f"{_fmt_ratio(rec['ratio'], rec['spread']):>17s}"]
    if rec["tuned"]:
        cols += [f"{_fmt_ms(rec['tuned_ms'], rec['tuned_spread']):>17s}",
                 f"{_fmt_ratio(rec['tuned_ratio'], rec['tuned_ratio_spread']):>17s}"]
    notes = []
    if rec["items"]:
        notes.append(f"{rec['items'] / rec['nnlite_ms'] * 1e3:,.0f} {rec['unit']}/s"
                     + (f" (torch {rec['items'] / rec['torch_ms'] * 1e3:,.0f})"
                        if rec["torch_ms"] else ""))
    if rec["note"]:
        notes.append(rec["note"])
    if rec["tuned_ratio"] is not None and rec["target"] is not None:
        notes.append("tuned: " + target_note(rec["tuned_ratio"], rec["target"]))
    print(" ".join(cols) + "  " + "  ".join(notes), flush=True)


def print_table_head(tuned: bool) -> None:
    cols = [f"{'case':52s}", f"{'nnlite':>17s}", f"{'torch':>17s}", f"{'ratio':>17s}"]
    if tuned:
        cols += [f"{'nnlite tuned':>17s}", f"{'tuned ratio':>17s}"]
    print("\n" + " ".join(cols) + "  notes")


def header(args) -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "cpu": cpu_model(), "cores": os.cpu_count(), "threads": args.threads,
            "load_average": [round(v, 2) for v in load], "python": platform.python_version(),
            "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])}
    print(f"{meta['date']}  {meta['cpu']}, {meta['cores']} cores; both libraries on "
          f"{args.threads} threads; load average at start {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; Python {meta['python']}")
    print(f"each library alone in its own subprocess; {args.repeats} repeats, median of "
          f"the repeats' median steps; ± is half the spread of the repeats; ratio = "
          f"nnlite / torch (range over repeats)"
          + ("; 'tuned': nnlite after nnlite.tune_cpu()" if args.tune else ""))
    return meta


def parse_args(doc: str, argv: list[str] | None = None):
    p = argparse.ArgumentParser(description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="", help="comma-separated case-name prefixes")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--json", default=None, metavar="PATH")
    p.add_argument("--tune", action="store_true")
    p.add_argument("--no-torch", dest="torch", action="store_false")
    p.add_argument("--list", action="store_true")
    p.add_argument("--child", nargs=2, metavar=("CASE", "LIBRARY"), help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    p.add_argument("--warmup", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick and "--repeats" not in (argv or sys.argv):
        args.repeats = 1
    return args


def main(cases: list[Case], doc: str, argv: list[str] | None = None,
         after: Callable[[object, list], None] | None = None) -> list[dict]:
    """The benchmark scripts' entry point (see the module docstring); ``after(args,
    records)`` runs once the table is printed (extra sections such as memory)."""
    args = parse_args(doc, argv)
    by_name = {c.name: c for c in cases}
    if args.child:
        name, library = args.child
        case = by_name[name]
        print(json.dumps(run_child(case, library, args.threads, args.steps, args.warmup)))
        return []
    prefixes = [s for s in args.only.split(",") if s]
    chosen = [c for c in cases if not prefixes or any(c.name.startswith(p) for p in prefixes)]
    if args.list:
        print("\n".join(f"{c.name:28s} {c.title}" for c in cases))
        return []
    if args.torch:
        try:
            import importlib.util
            args.torch = importlib.util.find_spec("torch") is not None
        except ValueError:
            args.torch = False
        if not args.torch:
            print("torch is not installed: nnlite times only, no ratios")
    meta = header(args)
    script = os.path.abspath(sys.argv[0])
    records = []
    for case in chosen:
        rec = measure(script, case, args)
        if not records:
            for lib, info in rec["blas"].items():
                print(f"{lib} {rec['versions'][lib]}: {info}")
            print_table_head(args.tune)
        print_row(rec)
        records.append({**meta, **rec})
    if after is not None:
        after(args, records)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(records, f, indent=1)
        os.replace(tmp, args.json)
        print(f"\nwrote {len(records)} records to {args.json}")
    return records
