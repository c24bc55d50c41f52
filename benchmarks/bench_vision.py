"""Vision speed and memory against PyTorch: ``python benchmarks/bench_vision.py``.

Each library is timed alone, in its own subprocess (see benchmarks/_harness.py for the
method and the flags: --only, --repeats, --threads, --json PATH, --tune, --quick). float32,
forward + backward; ratios are nnlite / torch (lower is better), with issue 16's targets:

1. lenet5_*: a LeNet-5 training step written as a user writes it (``model(x)``,
   ``F.cross_entropy``, ``zero_grad``, ``backward``, ``SGD(momentum=0.9).step``) at batch
   64 and 256 on (N, 1, 28, 28) input: ``nnlite.models.LeNet5`` against the same layers
   in torch. Target <= 1.0.
2. conv3x3_*: Conv2d 3x3 (padding 1) at (64, 64, 32, 32) and (64, 128, 16, 16), with the
   GFLOP/s reached (the 3 direct-convolution GEMMs, 2*N*H*W*O*C*9 flops each). Target 1.0.
3. maxpool_*, batchnorm_*: max_pool2d and training-mode batch_norm at ResNet shapes.
   Batch norm's target is 1.2; max-pool has none.
4. resnet18: ResNet-18 forward + backward (cross-entropy) at batch 8 on 224x224. Target 1.2.
5. Memory (skipped with --only unless "memory" is named): the growth of the peak resident
   set during the first ResNet-18 step in a fresh process, for each library; for nnlite
   also the peak of NumPy's own allocations (tracemalloc) and what stays allocated after
   backward.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import Case, is_torch, main, op_case, train_step  # noqa: E402

RESNET_BATCH, RESNET_SIZE = 8, 224
BN_SHAPES = [(32, 64, 112, 112), (64, 256, 14, 14)]
MAX_POOLS = [("maxpool_stem", "max_pool2d 3/2/1 (ResNet stem)", (32, 64, 112, 112), 3, 2, 1),
             ("maxpool_2x2", "max_pool2d 2x2", (64, 64, 56, 56), 2, 2, 0)]
CONVS = [("conv3x3_64", (64, 64, 32, 32), 64), ("conv3x3_128", (64, 128, 16, 16), 128)]


# ============================================================================
# Workloads: build(lib) -> one step
# ============================================================================
def lenet5(lib):
    """LeNet-5 (ReLU, max-pool): nnlite's model file, or the same layers in torch."""
    if not is_torch(lib):
        from nnlite.models import LeNet5
        return LeNet5()
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def lenet_case(batch: int) -> Case:
    def build(lib):
        lib.manual_seed(0)
        rng = np.random.default_rng(0)
        model = lenet5(lib)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        return train_step(lib, model, opt, rng.standard_normal((batch, 1, 28, 28), np.float32),
                          rng.integers(0, 10, batch), lib.nn.functional.cross_entropy)
    return Case(f"lenet5_b{batch}", f"LeNet-5 training step, batch {batch}", build,
                items=batch, unit="img", target=1.0, steps=200 if batch <= 64 else 60)


def conv_case(name: str, shape: tuple, o: int) -> Case:
    n, c, h, w = shape
    flops = 3 * 2 * n * h * w * o * c * 9
    bound = 1 / np.sqrt(c * 9)

    def params(rng):
        return (rng.uniform(-bound, bound, (o, c, 3, 3)).astype(np.float32),
                rng.uniform(-bound, bound, o).astype(np.float32))

    def note(ours, theirs):
        return f"nnlite {flops / ours / 1e9:.0f} GFLOP/s" + \
            (f", torch {flops / theirs / 1e9:.0f}" if theirs else "")
    return op_case(name, f"Conv2d {c}->{o} 3x3 {shape}", shape,
                   lambda F, x, w, b: F.conv2d(x, w, b, padding=1), params,
                   target=1.0, note=note)


def batchnorm_case(shape: tuple) -> Case:
    C = shape[1]

    def params(rng):
        return (rng.standard_normal(C).astype(np.float32),
                rng.standard_normal(C).astype(np.float32),
                np.zeros(C, np.float32), np.ones(C, np.float32))

    def call(F, x, w, b, rm, rv):
        return F.batch_norm(x, rm.detach(), rv.detach(), w, b, training=True)
    return op_case(f"batchnorm_{shape[2]}", f"batch_norm training {shape}", shape, call,
                   params, target=1.2)


def resnet18(lib):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((RESNET_BATCH, 3, RESNET_SIZE, RESNET_SIZE), dtype=np.float32)
    y0 = rng.integers(0, 1000, RESNET_BATCH)
    if is_torch(lib):
        from tests.models._torch_reference import BasicBlock, ResNet
        model = ResNet(BasicBlock, [2, 2, 2, 2])
    else:
        from nnlite.models import resnet18 as build
        model = build()
    x, y = lib.tensor(x0), lib.tensor(y0)

    def step():
        for p in model.parameters():
            p.grad = None
        lib.nn.functional.cross_entropy(model(x), y).backward()
    return step


CASES = ([lenet_case(64), lenet_case(256)]
         + [conv_case(name, shape, o) for name, shape, o in CONVS]
         + [op_case(name, title, shape, lambda F, x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p))
            for name, title, shape, k, s, p in MAX_POOLS]
         + [batchnorm_case(shape) for shape in BN_SHAPES]
         + [Case("resnet18", f"ResNet-18 fwd+bwd ({RESNET_BATCH}, 3, 224, 224)", resnet18,
                 items=RESNET_BATCH, unit="img", target=1.2, steps=6, warmup=2)])


# ============================================================================
# Memory: ResNet-18 forward + backward, one library per subprocess
# ============================================================================
def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def memory_child(library: str) -> dict:
    """In a fresh process: the first ResNet-18 step's peak RSS growth (VmHWM reset through
    /proc/self/clear_refs); for nnlite, NumPy's own allocations under tracemalloc."""
    import tracemalloc
    if library == "torch":
        import torch as lib
    else:
        import nnlite as lib
    step = resnet18(lib)
    out = {}
    rss0 = _rss_bytes("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                    # resets VmHWM to the current RSS
    step()
    out["rss_peak_growth"] = _rss_bytes("VmHWM") - rss0
    if library == "nnlite":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        step()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.update(traced_peak=peak - before, retained=current - before)
    return out


def memory_report(args, records: list) -> None:
    only = [s for s in args.only.split(",") if s]
    if only and "memory" not in only or not sys.platform.startswith("linux"):
        return

    def run(library: str) -> dict:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child",
                               library], capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    mb = 2 ** 20
    ours = run("nnlite")
    line = f"\nMemory, ResNet-18 forward + backward at batch {RESNET_BATCH}, first step in a " \
           f"fresh process: peak RSS growth nnlite {ours['rss_peak_growth'] / mb:,.0f} MiB"
    if args.torch:
        theirs = run("torch")
        line += f", torch {theirs['rss_peak_growth'] / mb:,.0f} MiB"
    print(line)
    print(f"nnlite's NumPy allocations (tracemalloc), second step: peak "
          f"{ours['traced_peak'] / mb:,.0f} MiB, {ours['retained'] / mb:,.0f} MiB still "
          f"allocated after backward (the .grad arrays)")


if __name__ == "__main__":
    if "--memory-child" in sys.argv:
        print(json.dumps(memory_child(sys.argv[sys.argv.index("--memory-child") + 1])))
    else:
        main(CASES, __doc__, after=memory_report)
