"""DataLoader worker processes: batches per second of the AlexNet example's augmentation
pipeline with ``num_workers`` 0, 1 and 2: ``python benchmarks/bench_loader.py``.

The pipeline of examples/train_alexnet.py -- ``ToTensor``, a random crop, a horizontal flip,
AlexNet's PCA lighting noise, ``Normalize`` -- applied per batch through the dataset's
``__getitems__``, at two sizes, and sample by sample:

1. ``alexnet32``: the example's own training data: 32x32 crops of the images zero-padded to
   40x40 (CIFAR-10 when --data-dir holds it, else the shipped MNIST padded to 32x32 and
   repeated to 3 channels), batch 128 (1.5 MB).
2. ``alexnet224``: the paper's scale: 224x224 crops of 256x256 colour images (1024 random
   uint8 images in memory), ImageNet's PCA, batch 64 (38.5 MB).
3. ``alexnet32-per-sample``: case 1 with the transforms applied to one image at a time and
   the samples collated (torchvision's way; what a custom ``collate_fn`` or a transform
   without a batched form gets).

Each (case, num_workers) runs in its own subprocess, ``--repeats`` times (3 by default,
the settings interleaved): the loader (shuffled; ``persistent_workers`` with workers) is
iterated for ``warmup`` batches, then ``steps`` batches are timed, epochs following one
another. Only loading is timed: the main process takes each batch and does nothing with
it, as if training were free. A setting's figure is the median over repeats, its spread
(slowest - fastest) / median; the time to the first batch (starting the workers) is
reported apart. Each process uses one BLAS thread.

Options: --only CASE[,CASE], --workers 0,1,2, --repeats N, --quick (1 repeat, fewer steps),
--data-dir DIR (as the example's), --json PATH (one record per case and setting).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks._harness import cpu_model  # noqa: E402

CASES = {   # name: (title, batch size, warm-up batches, timed batches)
    "alexnet32": ("AlexNet example: 32x32 crops + flip + PCA lighting, batch 128", 128, 20,
                  300),
    "alexnet224": ("paper scale: 224x224 crops of 256x256 + flip + PCA lighting, batch 64",
                   64, 6, 48),
    "alexnet32-per-sample": ("AlexNet example's pipeline applied per sample, batch 128", 128,
                             4, 40),
}


def collate_samples(samples: list):
    """``default_collate`` as a custom ``collate_fn``: the loader then fetches sample by
    sample (``dataset[i]``, each transformed alone) and stacks them."""
    from nnlite.data import default_collate
    return default_collate(samples)


# ============================================================================
# Child: one case, one number of workers
# ============================================================================
def _dataset(case: str, data_dir: str | None):
    import numpy as np
    from nnlite.data import transforms as T
    from nnlite.data.datasets._base import ArrayDataset
    if case.startswith("alexnet32"):
        sys.path.insert(0, os.path.join(ROOT, "examples"))
        from common import load_image_data
        data = load_image_data(data_dir, "auto", channels=3, log=None)
        data.train.transform = data.transform([T.RandomCrop(32, padding=4),
                                               T.RandomHorizontalFlip(),
                                               data.pca_lighting(0.1)])
        return data.train, data.name

    class Images(ArrayDataset):
        """In-memory uint8 images (N, 256, 256, 3) and their labels."""

        def __init__(self, n: int, transform) -> None:
            super().__init__(None, transform, None)
            rng = np.random.default_rng(0)
            self.data = rng.integers(0, 256, (n, 256, 256, 3), dtype=np.uint8)
            self.targets = rng.integers(0, 1000, n)

    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)      # ImageNet's
    transform = T.Compose([T.ToTensor(), T.RandomCrop(224), T.RandomHorizontalFlip(),
                           T.PCALighting(0.1), T.Normalize(mean, std)])
    return Images(1024, transform), "random 256x256 RGB"


def run_child(case: str, num_workers: int, steps: int, warmup: int,
              data_dir: str | None) -> dict:
    import nnlite
    from nnlite.data import DataLoader
    nnlite.manual_seed(0)
    dataset, data_name = _dataset(case, data_dir)
    batch_size = CASES[case][1]
    extra = {"persistent_workers": True} if num_workers else {}
    if case.endswith("per-sample"):
        extra["collate_fn"] = collate_samples
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                        num_workers=num_workers, **extra)

    def batches():
        while True:
            yield from loader

    start = time.perf_counter()
    it = batches()
    next(it)
    first = time.perf_counter() - start
    for _ in range(warmup - 1):
        next(it)
    start = time.perf_counter()
    for _ in range(steps):
        next(it)
    elapsed = time.perf_counter() - start
    return {"batches_per_s": steps / elapsed, "first_batch_s": first, "data": data_name}


# ============================================================================
# Parent
# ============================================================================
def _spawn(case: str, num_workers: int, steps: int, warmup: int, args) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=ROOT)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", case, str(num_workers),
           str(steps), str(warmup)] + (["--data-dir", args.data_dir] if args.data_dir else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{case} with num_workers={num_workers} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join(CASES))
    p.add_argument("--workers", default="0,1,2")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", default=None)
    p.add_argument("--child", nargs=4, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        case, nw, steps, warmup = args.child
        print(json.dumps(run_child(case, int(nw), int(steps), int(warmup), args.data_dir)))
        return 0

    cases = [c for c in args.only.split(",") if c]
    for c in cases:
        if c not in CASES:
            p.error(f"--only: unknown case {c!r} (cases: {', '.join(CASES)})")
    workers = [int(w) for w in args.workers.split(",")]
    repeats = 1 if args.quick else args.repeats
    load = os.getloadavg()
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
            "cores": os.cpu_count(), "load_average": [round(v, 2) for v in load],
            "python": platform.python_version(),
            "command": " ".join([os.path.relpath(__file__, ROOT)] + sys.argv[1:])}
    print(f"{meta['date']}  {meta['cpu']}, {meta['cores']} cores; load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {meta['python']}")
    print(f"loading alone (the main process does nothing with the batches); each setting in "
          f"its own subprocess, {repeats} repeat(s), median; ± is half the spread")
    records = []
    for case in cases:
        title, batch_size, warmup, steps = CASES[case]
        if args.quick:
            steps, warmup = max(steps // 3, 4), max(warmup // 2, 2)
        runs: dict[int, list] = {w: [] for w in workers}
        for _ in range(repeats):            # the settings interleaved, repeat by repeat
            for w in workers:
                runs[w].append(_spawn(case, w, steps, warmup, args))
        print(f"\n{title} ({runs[workers[0]][0]['data']}; {steps} batches timed)")
        print(f"  {'num_workers':>11}  {'batches/s':>15}  {'images/s':>9}  {'speed-up':>8}  "
              f"{'first batch':>11}")
        base = None
        for w in workers:
            rates = [r["batches_per_s"] for r in runs[w]]
            rate = statistics.median(rates)
            spread = (max(rates) - min(rates)) / rate
            first = statistics.median(r["first_batch_s"] for r in runs[w])
            base = rate if base is None else base
            print(f"  {w:>11}  {rate:>9.1f} ±{spread / 2:>4.0%}  {rate * batch_size:>9.0f}  "
                  f"{rate / base:>7.2f}x  {first:>10.2f}s")
            records.append({**meta, "case": case, "title": title, "num_workers": w,
                            "batch_size": batch_size, "steps": steps, "repeats": repeats,
                            "batches_per_s": rate, "spread": spread, "runs": rates,
                            "first_batch_s": first, "data": runs[w][0]["data"]})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
