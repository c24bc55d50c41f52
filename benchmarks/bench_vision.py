"""Vision speed and memory against PyTorch, in one run: ``python benchmarks/bench_vision.py``.

float32, both libraries on every core, nnlite and torch timed in alternating rounds
(each round runs one library for ``min_time`` seconds, then the other), medians of the
rounds. Ratios are nnlite / torch (lower is better), with the issue's targets:

1. LeNet-5 training step, written as a user would (``model(x)``, ``F.cross_entropy``,
   ``zero_grad``, ``backward``, ``SGD(momentum=0.9).step``) at batch 64 and 256, MNIST
   sized input (N, 1, 28, 28); nnlite's ``models.LeNet5`` against the same layers in
   torch, with the same weights. Target <= 1.2.
2. Conv2d 3x3 (padding 1) forward + backward at (64, 64, 32, 32) and (64, 128, 16, 16),
   with the GFLOP/s each library reaches (counting the 3 direct-convolution GEMMs,
   2*N*H*W*O*C*9 flops each) next to NumPy's own float32 matmul peak measured in the
   same run (a 2048^3 sgemm; Winograd needs fewer multiplies than it is credited with,
   so it can pass 100% of that peak). Target <= 1.6.
3. max_pool2d and training-mode batch_norm forward + backward at ResNet shapes (the
   shapes of bench_pooling.py and bench_norm.py). Target <= 2.0.
4. Memory: one ResNet-18 forward + backward (cross-entropy) at batch 8 on 224x224
   input, each library in a fresh subprocess. Reported: the growth of the peak resident
   set (VmHWM, reset through /proc/self/clear_refs) during the first step over the
   resident set before it, the same way for both; for nnlite also the peak of NumPy's
   own allocations (NumPy reports them to ``tracemalloc``) and what stays allocated
   after backward (the parameters' ``.grad``: the graph, columns and Winograd buffers
   are freed); and the median time of the next steps.

The header shows the BLAS and the kernels OpenBLAS uses (``nnlite._blas`` selects the
AVX-512 ones when OPENBLAS_CORETYPE is unset; nnlite is imported before NumPy here so
it can). Flags: ``--quick`` (fewer rounds), ``--rounds N``, ``--no-memory``,
``--only lenet,conv,pool,norm,memory`` (a subset of the sections),
``--threads N`` (both libraries on N threads instead of every core: OpenBLAS's threads
wait for each other at every GEMM call, which collapses when other processes hold the
cores, so on a shared machine ``--threads 1`` shows the kernels themselves).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

THREADS = os.cpu_count() or 1
if "--threads" in sys.argv:                 # before NumPy loads OpenBLAS
    THREADS = int(sys.argv[sys.argv.index("--threads") + 1])
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
elif "OPENBLAS_NUM_THREADS" in os.environ:  # set by the user (or a parent's --threads)
    THREADS = int(os.environ["OPENBLAS_NUM_THREADS"])

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nnlite as nl  # noqa: E402  (first: nnlite._blas must run before NumPy loads)
import numpy as np  # noqa: E402

import nnlite.nn.functional as F  # noqa: E402
from _timing import blas_info, median_time, report, try_torch  # noqa: E402
from bench_norm import BN_SHAPES  # noqa: E402
from bench_pooling import MAX_CASES  # noqa: E402
from nnlite import optim  # noqa: E402
from nnlite.models import LeNet5, resnet18  # noqa: E402
from nnlite.ops.normalization import batch_norm  # noqa: E402

CONV_SHAPES = [((64, 64, 32, 32), 64), ((64, 128, 16, 16), 128)]   # (N, C, H, W), O
LENET_BATCHES = (64, 256)
POOL_CASES = MAX_CASES[:2]                                         # the ResNet-sized ones
TARGETS = {"lenet": 1.2, "conv": 1.6, "pool": 2.0, "norm": 2.0}
RESNET_BATCH, RESNET_SIZE = 8, 224


# ============================================================================
# Machine
# ============================================================================
def sgemm_peak(n: int = 2048) -> float:
    """GFLOP/s of NumPy's float32 (n, n) @ (n, n)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return 2 * n ** 3 / median_time(lambda: a @ b) / 1e9


def interleaved(fns: list, rounds: int, min_time: float = 0.05) -> list:
    """Median seconds per call of each function, timed in alternating rounds."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(rounds):
        for fn, t in zip(fns, times):
            t.append(median_time(fn, repeat=1, warmup=0, min_time=min_time))
    return [float(np.median(t)) for t in times]


def verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return f"target <= {target}: no torch"
    if ratio <= target:
        return f"target <= {target}: met"
    return f"target <= {target}: MISSED by {100 * (ratio / target - 1):.0f}%"


# ============================================================================
# Workloads: each returns a no-argument step for nnlite and one for torch (or None)
# ============================================================================
def torch_lenet5(torch, model: LeNet5):
    """LeNet5's layers in torch, with ``model``'s weights."""
    tnn = torch.nn
    tmodel = tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(16, 120, 5), tnn.ReLU(), tnn.Flatten(),
        tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))
    with torch.no_grad():
        for tp, p in zip(tmodel.parameters(), model.parameters(), strict=True):
            tp.copy_(torch.from_numpy(p.data))
    return tmodel


def lenet_steps(torch, batch: int, rng: np.random.Generator) -> tuple:
    x0 = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y0 = rng.integers(0, 10, batch)
    model = LeNet5()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = nl.tensor(x0), nl.tensor(y0)

    def step() -> None:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    if torch is None:
        return step, None
    tmodel = torch_lenet5(torch, model)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
    xt, yt = torch.from_numpy(x0), torch.from_numpy(y0)

    def tstep() -> None:
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(tmodel(xt), yt)
        loss.backward()
        topt.step()

    return step, tstep


def fwd_bwd_step(lib, fn, x0: np.ndarray, gy0: np.ndarray, params: tuple = ()):
    """A step running ``fn(x, *params).backward(gy)`` with fresh gradients."""
    x = lib.tensor(x0, requires_grad=True)
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    gy = gy0 if lib is nl else lib.from_numpy(gy0)

    def step() -> None:
        for t in [x] + ps:
            t.grad = None
        fn(x, *ps).backward(gy)

    return step


def op_steps(torch, fn_nl, fn_th, shape: tuple, params: tuple,
             rng: np.random.Generator) -> tuple:
    x0 = rng.standard_normal(shape, dtype=np.float32)
    with nl.no_grad():
        out_shape = fn_nl(nl.tensor(x0), *[nl.tensor(p) for p in params]).shape
    gy0 = rng.standard_normal(out_shape, dtype=np.float32)
    step = fwd_bwd_step(nl, fn_nl, x0, gy0, params)
    tstep = None if torch is None else fwd_bwd_step(torch, fn_th, x0, gy0, params)
    return step, tstep


def conv_steps(torch, shape: tuple, o: int, rng: np.random.Generator) -> tuple:
    c = shape[1]
    bound = 1 / np.sqrt(c * 9)
    w0 = rng.uniform(-bound, bound, (o, c, 3, 3)).astype(np.float32)
    b0 = rng.uniform(-bound, bound, o).astype(np.float32)
    return op_steps(torch, lambda x, w, b: F.conv2d(x, w, b, padding=1),
                    lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1),
                    shape, (w0, b0), rng)


def pool_steps(torch, k: int, s: int, p: int, shape: tuple, rng) -> tuple:
    return op_steps(torch, lambda x: F.max_pool2d(x, k, s, p),
                    lambda x: torch.nn.functional.max_pool2d(x, k, s, p), shape, (), rng)


def norm_steps(torch, shape: tuple, rng: np.random.Generator) -> tuple:
    C = shape[1]
    params = (rng.standard_normal(C).astype(np.float32),
              rng.standard_normal(C).astype(np.float32))
    rm, rv = nl.zeros(C), nl.ones(C)
    trm = trv = None
    if torch is not None:
        trm, trv = torch.zeros(C), torch.ones(C)
    return op_steps(torch, lambda x, w, b: batch_norm(x, rm, rv, w, b, training=True),
                    lambda x, w, b: torch.nn.functional.batch_norm(x, trm, trv, w, b,
                                                                   training=True),
                    shape, params, rng)


# ============================================================================
# Memory: ResNet-18 forward + backward, one library per subprocess
# ============================================================================
def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                    # resets VmHWM to the current RSS


def memory_child(lib_name: str) -> dict:
    """Run in a subprocess: ResNet-18 steps at batch 8, 224x224; returns the numbers."""
    import time
    import tracemalloc
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((RESNET_BATCH, 3, RESNET_SIZE, RESNET_SIZE), dtype=np.float32)
    y0 = rng.integers(0, 1000, RESNET_BATCH)
    if lib_name == "nnlite":
        model, x, y = resnet18(), nl.tensor(x0), nl.tensor(y0)
        loss_fn = F.cross_entropy
    else:
        import torch
        from tests.models._torch_reference import BasicBlock, ResNet
        torch.set_num_threads(THREADS)
        model, x, y = ResNet(BasicBlock, [2, 2, 2, 2]), torch.from_numpy(x0), torch.from_numpy(y0)
        loss_fn = torch.nn.functional.cross_entropy

    def step() -> None:
        for p in model.parameters():
            p.grad = None
        loss_fn(model(x), y).backward()

    out = {}
    rss0 = _rss_bytes("VmRSS")
    _reset_peak_rss()
    step()
    out["rss_peak_growth"] = _rss_bytes("VmHWM") - rss0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    out["time"] = float(np.median(times))
    if lib_name == "nnlite":
        for p in model.parameters():
            p.grad = None
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        step()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["traced_peak"] = peak - before
        out["retained"] = current - before
        out["grad_bytes"] = sum(p.data.nbytes for p in model.parameters())
    return out


def memory_report(torch) -> tuple:
    """(the ResNet-18 timing row, the memory lines printed under the table)."""
    def run(lib_name: str) -> dict:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child",
                               lib_name], capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    mb = 2 ** 20
    ours = run("nnlite")
    theirs = run("torch") if torch is not None else None
    shape = (RESNET_BATCH, 3, RESNET_SIZE, RESNET_SIZE)
    row = (f"ResNet-18 fwd+bwd {shape}", ours["time"], theirs and theirs["time"],
           f"nnlite {RESNET_BATCH / ours['time']:.1f} img/s")
    lines = [f"Memory, ResNet-18 forward + backward {shape}, first step in a fresh process:",
             f"  peak RSS growth: nnlite {ours['rss_peak_growth'] / mb:,.0f} MiB"]
    if theirs is not None:
        lines[-1] += (f", torch {theirs['rss_peak_growth'] / mb:,.0f} MiB (ratio "
                      f"{ours['rss_peak_growth'] / theirs['rss_peak_growth']:.2f})")
    lines.append(f"  nnlite's NumPy allocations (tracemalloc): peak {ours['traced_peak'] / mb:,.0f}"
                 f" MiB; {ours['retained'] / mb:,.0f} MiB still allocated after backward, "
                 f"the .grad arrays being {ours['grad_bytes'] / mb:,.0f} MiB")
    return row, lines


# ============================================================================
# Main
# ============================================================================
def main() -> None:
    quick = "--quick" in sys.argv
    rounds = 5 if quick else 9
    if "--rounds" in sys.argv:
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1])
    torch = try_torch()
    if torch is not None:
        torch.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    print(f"BLAS: {blas_info()}; cores: {os.cpu_count()}")
    peak = sgemm_peak()
    print(f"NumPy float32 matmul peak (2048^3 sgemm): {peak:.0f} GFLOP/s")
    print(f"nnlite {nl.__version__}, NumPy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch
             else ", torch not installed (no ratios)")
          + f"; medians of {rounds} alternating rounds\n")
    rows = []
    only = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv \
        else set(TARGETS) | {"memory"}

    def timed(name: str, steps: tuple, target: float, extra=lambda ours, theirs: "") -> None:
        step, tstep = steps
        if tstep is None:
            ours, theirs = interleaved([step], rounds)[0], None
        else:
            ours, theirs = interleaved([step, tstep], rounds)
        ratio = None if theirs is None else ours / theirs
        rows.append((name, ours, theirs, f"{verdict(ratio, target)}; {extra(ours, theirs)}"))

    for batch in LENET_BATCHES * ("lenet" in only):
        def per_s(ours, theirs, b=batch):
            s = f"nnlite {b / ours:,.0f} img/s"
            return s + (f", torch {b / theirs:,.0f} img/s" if theirs else "")
        timed(f"LeNet-5 train step, batch {batch}", lenet_steps(torch, batch, rng),
              TARGETS["lenet"], per_s)
    for shape, o in CONV_SHAPES * ("conv" in only):
        n, c, h, w = shape
        flops = 3 * 2 * n * h * w * o * c * 9

        def gflops(ours, theirs, f=flops, n=n):
            s = f"nnlite {f / ours / 1e9:.0f} GFLOP/s ({100 * f / ours / 1e9 / peak:.0f}% of peak)"
            if theirs:
                s += f", torch {f / theirs / 1e9:.0f}"
            return s + f"; {n / ours:,.0f} img/s"
        timed(f"Conv2d {c}->{o} 3x3 fwd+bwd {shape}", conv_steps(torch, shape, o, rng),
              TARGETS["conv"], gflops)
    for name, shape, k, s, p in POOL_CASES * ("pool" in only):
        timed(f"{name} fwd+bwd {shape}", pool_steps(torch, k, s, p, shape, rng),
              TARGETS["pool"], lambda ours, theirs, n=shape[0]: f"{n / ours:,.0f} img/s")
    for shape in BN_SHAPES * ("norm" in only):
        timed(f"batch_norm train fwd+bwd {shape}", norm_steps(torch, shape, rng),
              TARGETS["norm"], lambda ours, theirs, n=shape[0]: f"{n / ours:,.0f} img/s")
    lines = []
    if "--no-memory" not in sys.argv and "memory" in only:
        row, lines = memory_report(torch)
        rows.append(row)
    report(rows)
    print("\n".join([""] + lines) if lines else "")


if __name__ == "__main__":
    if "--memory-child" in sys.argv:
        print(json.dumps(memory_child(sys.argv[sys.argv.index("--memory-child") + 1])))
    else:
        main()
