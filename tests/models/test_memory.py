"""Memory of training: backward frees the autograd graph and every convolution buffer
(columns, Winograd tiles), repeated training steps do not grow, and a ResNet-18 step at
batch 8 on 224x224 input fits. The large arrays the kernels used stay in the pool of
``nnlite/ops/buffers.py`` for the next step; ``empty_cache()`` gives back those not in
use, which is how these tests see what the graph still holds.

NumPy reports its array allocations to ``tracemalloc``, so the traced memory is what the
arrays (and Python objects) hold. No timing assertions.
"""
from __future__ import annotations

import contextlib
import gc
import tracemalloc

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn, optim
import nnlite.nn.functional as F
from nnlite.models import resnet18
from nnlite.ops import buffers

try:  # small matrices: one BLAS thread beats two on busy shared cores
    from threadpoolctl import threadpool_limits
except ImportError:
    def threadpool_limits(limits=None):
        return contextlib.nullcontext()

SLACK = 64 * 1024          # bytes of Python-object noise allowed between steps


def small_cnn() -> nn.Module:
    """A CNN whose convolutions take each array path: im2col (3 input channels),
    Winograd (float32, 16 channels, 3x3 stride 1) and strided im2col with col2im."""
    nl.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),   # (N, 16, 16, 16)
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # (N, 16, 8, 8)
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),             # (N, 32, 4, 4)
        nn.Flatten(), nn.Linear(32 * 4 * 4, 10))


def batch(n: int = 8) -> tuple:
    rng = np.random.default_rng(0)
    return (nl.tensor(rng.standard_normal((n, 3, 16, 16), dtype=np.float32)),
            nl.tensor(rng.integers(0, 10, n)))


@contextlib.contextmanager
def traced():
    gc.collect()
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def traced_now() -> int:
    return tracemalloc.get_traced_memory()[0]


def test_backward_frees_the_graph_while_the_loss_is_still_alive():
    """Forward holds the activations the graph saved; backward gives them all back
    (the loss tensor is still referenced, so it is the engine that let go)."""
    model, (x, y) = small_cnn(), batch()
    with threadpool_limits(limits=1):
        F.cross_entropy(model(x), y).backward()          # .grad arrays now exist
        buffers.empty_cache()                            # the forward allocates afresh
        with traced():
            before = traced_now()
            loss = F.cross_entropy(model(x), y)
            held = traced_now() - before
            loss.backward()
            buffers.empty_cache()                        # the pool's free arrays
            after = traced_now() - before
    saved_input = 8 * 3 * 16 * 16 * 4                    # the first conv alone saves x
    assert held > 10 * saved_input                       # the graph did hold activations
    assert after < SLACK, f"{after} bytes still held after backward"
    assert loss.grad_fn.saved == ()


def test_training_steps_do_not_grow_memory():
    """100 SGD-momentum steps: the memory held between steps and the peak within a step
    (sampled every 10 steps) stay where they were at the start. (``gc.collect()`` before
    each sample empties CPython's free lists of small objects, which tracemalloc would
    otherwise count as a slow rise; the steps themselves create no reference cycles.)"""
    model, (x, y) = small_cnn(), batch()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    held, peaks = [], []
    with threadpool_limits(limits=1):
        for _ in range(3):                               # momentum buffers, caches
            step()
        with traced():
            for i in range(100):
                if i % 10:
                    step()
                    continue
                gc.collect()
                tracemalloc.reset_peak()
                step()
                now, peak = tracemalloc.get_traced_memory()
                held.append(now)
                peaks.append(peak)
    assert max(held) - held[0] < SLACK, f"held memory grew: {held[0]} -> {max(held)}"
    assert max(peaks) - peaks[0] < SLACK, f"peak grew: {peaks[0]} -> {max(peaks)}"


@pytest.mark.slow
def test_resnet18_batch8_224_forward_backward_fits():
    """ResNet-18, batch 8, 224x224: one forward + backward completes; NumPy's peak stays
    near what the activations need (under 1 GiB; about 0.45 GiB measured), and afterwards
    only the parameters' gradients remain."""
    rng = np.random.default_rng(0)
    model = resnet18()
    x = nl.tensor(rng.standard_normal((8, 3, 224, 224), dtype=np.float32))
    y = nl.tensor(rng.integers(0, 1000, 8))
    grad_bytes = sum(p.array.nbytes for p in model.parameters())
    with threadpool_limits(limits=1), traced():
        before = traced_now()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        buffers.empty_cache()
        now, peak = tracemalloc.get_traced_memory()
    assert np.isfinite(loss.item())
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    assert peak - before < 2 ** 30
    assert now - before - grad_bytes < 4 * 2 ** 20      # the graph and buffers are gone


def test_the_pool_reuses_a_steps_arrays_and_holds_none_in_use():
    """A second identical step allocates no new pooled array, and empty_cache() keeps
    only the arrays still in use (here none, once the step's tensors are gone)."""
    model, (x, y) = small_cnn(), batch(32)
    with threadpool_limits(limits=1):
        F.cross_entropy(model(x), y).backward()
        held = buffers.held_bytes()
        F.cross_entropy(model(x), y).backward()
        assert buffers.held_bytes() == held > 0
        out = model(x)                                   # in use: kept
        buffers.empty_cache()
        assert buffers.held_bytes() > 0
        del out
        buffers.empty_cache()
    assert buffers.held_bytes() == 0
