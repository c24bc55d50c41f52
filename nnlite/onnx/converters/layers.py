"""Converters of the layer ops: convolution, pooling (max, average, adaptive), local
response, batch, layer and group normalization, linear, matmul, embeddings.

Notation: N batch, C channels, S the spatial dims, K kernel, ST stride, P padding,
D dilation, O output size. ONNX writes pads as [begin of each spatial dim, then end of
each]; nnlite's conv geometry keeps (PT, PB, PL, PR).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...nn import pooling as pool_layers
from ...nn.sparse import EmbeddingBag
from ...ops import conv, conv3d, embedding, linalg, linear, normalization as norm, pooling
from ...ops import dropout as dropout_ops, pooling3d
from ...ops.conv import out_size
from ..graph import Graph

__all__ = ["TABLE", "MODULES"]


# ============================================================================
# Convolution
# ============================================================================
def conv2d(g: Graph, op: Any) -> str:
    w = op.v(1)
    (sh, sw), (pt, pb, pl, pr) = op.attr(3, "stride"), op.attr(3, "pads")
    return g.node("Conv", [op.x(0), op.x(1), op.x(2)], kernel_shape=list(w.shape[2:]),
                  strides=[sh, sw], pads=[pt, pl, pb, pr], dilations=list(op.attr(3, "dilation")),
                  group=op.attr(3, "groups"))


def conv_nd(g: Graph, op: Any) -> str:
    w = op.v(1)
    pads = op.attr(3, "pads")
    return g.node("Conv", [op.x(0), op.x(1), op.x(2)], kernel_shape=list(w.shape[2:]),
                  strides=list(op.attr(3, "stride")),
                  pads=[lo for lo, _ in pads] + [hi for _, hi in pads],
                  dilations=list(op.attr(3, "dilation")), group=op.attr(3, "groups"))


def _transposed(g: Graph, op: Any, pads_lo: list, pads_hi: list) -> str:
    """ConvTranspose with output_padding making the output exactly the traced size."""
    x, w, y = op.v(0), op.v(1), op.out()
    stride, dil = list(op.attr(3, "stride")), list(op.attr(3, "dilation"))
    sd = len(stride)
    out_pad = []
    for i in range(sd):
        n, k = x.shape[2 + i], w.shape[2 + i]
        full = (n - 1) * stride[i] - pads_lo[i] - pads_hi[i] + dil[i] * (k - 1) + 1
        out_pad.append(y.shape[2 + i] - full)
    return g.node("ConvTranspose", [op.x(0), op.x(1), op.x(2)], kernel_shape=list(w.shape[2:]),
                  strides=stride, pads=pads_lo + pads_hi, dilations=dil,
                  group=op.attr(3, "groups"), output_padding=out_pad)


def conv_transpose2d(g: Graph, op: Any) -> str:
    pt, pb, pl, pr = op.attr(3, "pads")
    return _transposed(g, op, [pt, pl], [pb, pr])


def conv_transpose_nd(g: Graph, op: Any) -> str:
    pads = op.attr(3, "pads")
    return _transposed(g, op, [lo for lo, _ in pads], [hi for _, hi in pads])


# ============================================================================
# Pooling
# ============================================================================
_POOL_LAYERS = (pool_layers._MaxPoolNd, pool_layers.AvgPool1d, pool_layers._AvgPoolNd)


def _pool_sizes(op: Any, size: str, osize: str, k: tuple, s: tuple, p: tuple,
                d: tuple, dynamic: list) -> tuple:
    """How ONNX pooling gives the traced output sizes: ``(extra, ceil_mode)``.

    torch's ceil_mode adds a last, partial window. With static spatial sizes it becomes
    ``extra`` end padding per dim in floor mode (exact). With a dynamic spatial size the
    window comes and goes with the size, so the choice follows the layer's ceil_mode (or,
    for a functional call, whether either trace had a partial window): ONNX's own
    ceil_mode (torch also drops a window starting in the right padding, ONNX does not:
    both traces must agree with ONNX's formula) or plain floor mode."""
    extras, onnx_ceil_fits = [], True
    for alt in (False, True):
        obj = op.raw(1, alt=alt)
        extra = []
        for n, o, kk, ss, pp, dd in zip(getattr(obj, size), getattr(obj, osize), k, s, p, d):
            e = 0
            while out_size(n, kk, ss, pp, pp + e, dd) < o:
                e += 1
            extra.append(e)
            onnx_ceil_fits &= -(-(n + 2 * pp - dd * (kk - 1) - 1) // ss) + 1 == o
        extras.append(extra)
    if not any(dynamic):
        return extras[0], False
    module = op.module
    ceil = (module.ceil_mode if isinstance(module, _POOL_LAYERS)
            else any(e for extra in extras for e in extra))
    if not ceil and not any(e for extra in extras for e in extra):
        return [0] * len(k), False
    if ceil and onnx_ceil_fits:
        return [0] * len(k), True
    op.fail("ceil_mode over a dynamic spatial size, with a last window that starts in the "
            "padding for some sizes: ONNX's pooling cannot follow it", unsupported=False)


def _spatial_rank(x: Any, hw: tuple) -> int:
    """2 when x ends with the window's (H, W), else 1 (1-D pooling keeps H = 1)."""
    return 2 if tuple(x.shape[-2:]) == tuple(hw) else 1


def _pool_input(g: Graph, op: Any, sd: int) -> tuple:
    """x as (N, C, *S) for ONNX: an unbatched (C, *S) input gets a batch dim."""
    x = op.v(0)
    lead = x.ndim - sd
    if lead == 2:
        return op.x(0), False
    if lead == 1:
        return g.unsqueeze(op.x(0), [0]), True
    op.fail(f"pooling an input of shape {x.shape} ({lead} leading dims) is not supported")


def _windows(op: Any) -> tuple:
    """(spatial rank, K, ST, ONNX pads, D, ceil_mode) of the pooling geometry in argument
    1: the 2-D one (``pooling._Windows``, 1-D as H = 1) or the N-D one
    (``pooling3d._PoolGeom``)."""
    geom, x = op.raw(1), op.v(0)
    if hasattr(geom, "hw"):
        sd, names = _spatial_rank(x, geom.hw), ("hw", "ohw")
    else:
        sd, names = len(geom.k), ("size", "osize")
    k, s, p, d = (op.attr(1, a) for a in ("k", "s", "p", "d"))
    dynamic = [False] * (len(k) - sd) + list(x.dynamic[x.ndim - sd:])
    extra, ceil = _pool_sizes(op, *names, k, s, p, d, dynamic)
    k, s, p, d, extra = (list(v)[len(v) - sd:] for v in (k, s, p, d, extra))
    return sd, k, s, p + [pi + e for pi, e in zip(p, extra)], d, int(ceil)


def max_pool(g: Graph, op: Any) -> str:
    """MaxPool2dFn (x, win, y_shape, track, return_indices) and MaxPoolNdFn (x, geom,
    y_shape, return_indices)."""
    if op.plain(len(op.rec.args) - 1):
        op.fail("return_indices=True is not supported (ONNX's MaxPool indices count "
                "over the whole tensor, torch's per plane)")
    sd, k, s, pads, d, ceil = _windows(op)
    x, unbatched = _pool_input(g, op, sd)
    y = g.node("MaxPool", [x], kernel_shape=k, strides=s, pads=pads, dilations=d,
               ceil_mode=ceil)
    return g.squeeze(y, [0]) if unbatched else y


def avg_pool(g: Graph, op: Any) -> str:
    """AveragePool counting the padding (every window is full once the ceil-mode
    padding is added), then rescaled by K / torch's divisor where that differs."""
    sd, k, s, pads, _, ceil = _windows(op)
    if ceil:
        op.fail("average pooling with ceil_mode over a dynamic spatial size is not "
                "supported (its last windows' divisors change with the size)")
    x, unbatched = _pool_input(g, op, sd)
    y = g.node("AveragePool", [x], kernel_shape=k, strides=s, pads=pads, count_include_pad=1)
    if unbatched:
        y = g.squeeze(y, [0])
    div = op.get(3)
    if div.varying:
        op.name(div)                            # raises: it changed with the input size
    dv = div.array.astype(np.float64)
    if dv.size == 1 and float(dv.reshape(-1)[0]) == float(np.prod(k)):
        return y
    factor = (np.prod(k) / dv).astype(op.out().dtype)
    return g.node("Mul", [y, g.const(factor)])


def block_avg_pool2d(g: Graph, op: Any) -> str:
    """Average over equal tiles: GlobalAveragePool for one tile (any input size), else
    AveragePool with the tile as kernel and stride."""
    x = op.v(0)
    oh, ow = op.plain(3)
    kh, kw = op.raw(2)
    sd = 2 if x.ndim >= 3 and tuple(x.shape[-2:]) == (kh * oh, kw * ow) else 1
    xn, unbatched = _pool_input(g, op, sd)
    if (oh, ow) == (1, 1):
        y = g.node("GlobalAveragePool", [xn])
    else:
        k = list(op.plain(2))[2 - sd:]
        y = g.node("AveragePool", [xn], kernel_shape=k, strides=k)
    return g.squeeze(y, [0]) if unbatched else y


def adaptive_avg_pool2d(g: Graph, op: Any) -> str:
    """y = A_h @ x @ A_w^T with nnlite's averaging matrices (constants)."""
    ah, aw = op.get(1), op.get(2)
    if aw.varying:
        op.name(aw)                             # raises: it changed with the input size
    y = g.node("MatMul", [op.x(0), g.const(np.ascontiguousarray(aw.array.T))])
    return y if ah is None else g.node("MatMul", [op.name(ah), y])


def adaptive_avg_pool_nd(g: Graph, op: Any) -> str:
    """x multiplied along each spatial axis by its averaging matrix: the axis moved
    last, a MatMul with A^T, moved back."""
    mats = [op.conv.value(a) for a in op.raw(1)]
    x = op.v(0)
    name = op.x(0)
    nd = len(mats)
    for i, A in enumerate(mats):
        if A.varying:
            op.name(A)                          # raises: it changed with the input size
        axis = x.ndim - nd + i
        perm = [a for a in range(x.ndim) if a != axis] + [axis]
        inverse = list(np.argsort(perm))
        at = g.const(np.ascontiguousarray(A.array.T.astype(x.dtype)))
        name = g.transpose(g.node("MatMul", [g.transpose(name, perm), at]), inverse)
    return name


def _adaptive_max(g: Graph, name: str, ndim: int, sizes: tuple, osizes: tuple) -> str:
    """Max over torch's adaptive windows of the last len(sizes) axes. Max is separable:
    one ReduceMax per output window along each axis, concatenated."""
    for i, (n, o) in enumerate(zip(sizes, osizes)):
        if n == o:                              # windows of one element: nothing to do
            continue
        axis = ndim - len(sizes) + i
        starts, ends = pooling._adaptive_bounds(n, o)
        parts = [g.reduce("ReduceMax", g.slice(name, [int(a)], [int(b)], [axis]), [axis], True)
                 for a, b in zip(starts, ends)]
        name = parts[0] if len(parts) == 1 else g.node("Concat", parts, axis=axis)
    return name


def adaptive_max_pool(g: Graph, op: Any) -> str:
    """AdaptiveMaxPool2dFn (x, (H, W), (OH, OW), ...; 1-D has H = OH = 1) and
    AdaptiveMaxPoolNdFn (x, S, OS, ...)."""
    if op.plain(4):
        op.fail("return_indices=True is not supported")
    return _adaptive_max(g, op.x(0), op.v(0).ndim, tuple(op.plain(1)), tuple(op.plain(2)))


# ============================================================================
# Normalization
# ============================================================================
def _channel_param(g: Graph, op: Any, i: int, C: int, fill: float, dtype: Any) -> str:
    """Argument ``i`` (a (C,) weight or bias), or a constant filled with ``fill``."""
    return op.x(i) if op.get(i) is not None else g.const(np.full((C,), fill, dtype))


def batch_norm_eval(g: Graph, op: Any) -> str:
    x = op.v(0)
    C = x.shape[1]
    dt = x.dtype
    ins = [op.x(0), _channel_param(g, op, 1, C, 1.0, dt), _channel_param(g, op, 2, C, 0.0, dt)]
    for i in (3, 4):                            # running stats in the input's dtype
        v = op.get(i)
        ins.append(op.name(v) if v.dtype == dt else g.cast(op.name(v), dt))
    return g.node("BatchNormalization", ins, epsilon=float(op.plain(5)))


def batch_norm_batch_stats(g: Graph, op: Any) -> str:
    """Batch norm with the batch's own statistics (no running stats, as in eval mode
    with track_running_stats=False): (x - mean) / sqrt(var + eps) * w + b."""
    x = op.v(0)
    axes = [0] + list(range(2, x.ndim))
    shape = [x.shape[1]] + [1] * (x.ndim - 2)
    xn = op.x(0)
    mean = g.reduce("ReduceMean", xn, axes, True)
    d = g.node("Sub", [xn, mean])
    var = g.reduce("ReduceMean", g.node("Mul", [d, d]), axes, True)
    eps = g.scalar(op.plain(3), x.dtype)
    y = g.node("Div", [d, g.node("Sqrt", [g.node("Add", [var, eps])])])
    for i, kind in ((1, "Mul"), (2, "Add")):
        if op.get(i) is not None:
            y = g.node(kind, [y, g.node("Reshape", [op.x(i), g.ints(shape)])])
    return y


def norm_over_view(g: Graph, op: Any) -> str:
    """layer_norm (LayerNormalization over the trailing dims) and group_norm (each group
    normalised as one instance, then the per-channel affine)."""
    rank, stat_axes, pdims = len(op.raw(4)[0]), op.item(4, 2), op.item(4, 5)
    x, dt = op.v(0), op.v(0).dtype
    eps = float(op.plain(3))
    if rank == 2 and tuple(stat_axes) == (1,):               # layer_norm
        axis = x.ndim - len(pdims)
        scale = op.x(1) if op.get(1) is not None else g.const(np.ones(pdims, dt))
        return g.node("LayerNormalization", [op.x(0), scale, op.x(2)], axis=axis,
                      epsilon=eps)
    G, C = op.item(4, 1, 1), op.item(4, 0, 1)                  # group_norm
    grouped = g.node("Reshape", [op.x(0), g.ints([0, G, -1])])
    normed = g.node("InstanceNormalization", [grouped, g.const(np.ones(G, dt)),
                                              g.const(np.zeros(G, dt))], epsilon=eps)
    y = g.node("Reshape", [normed, g.node("Shape", [op.x(0)])])
    shape = [C] + [1] * (x.ndim - 2)
    for i, kind in ((1, "Mul"), (2, "Add")):
        if op.get(i) is not None:
            y = g.node(kind, [y, g.node("Reshape", [op.x(i), g.ints(shape)])])
    return y


def local_response_norm(g: Graph, op: Any) -> str:
    """ONNX's LRN for an odd size (its window is torch's then); an even size's window
    [c - size/2, c + size/2 - 1] is summed by an average pool over channels."""
    size, alpha, beta, k = (op.plain(i) for i in (1, 2, 3, 4))
    x = op.v(0)
    if size % 2 == 1 and x.ndim >= 3:
        return g.node("LRN", [op.x(0)], size=int(size), alpha=float(alpha), beta=float(beta),
                      bias=float(k))
    dt = x.dtype
    sq = g.unsqueeze(g.node("Mul", [op.x(0), op.x(0)]), [1])            # (N, 1, C, *S)
    rest = x.ndim - 2
    lo, hi = size // 2, (size - 1) // 2
    pooled = g.node("AveragePool", [sq], kernel_shape=[size] + [1] * rest,
                    pads=[lo] + [0] * rest + [hi] + [0] * rest, count_include_pad=1)
    base = g.squeeze(pooled, [1])                                       # sum / size
    base = g.node("Add", [g.node("Mul", [base, g.scalar(alpha, dt)]), g.scalar(k, dt)])
    return g.node("Mul", [op.x(0), g.node("Pow", [base, g.scalar(-beta, dt)])])


# ============================================================================
# Linear, matmul, embeddings
# ============================================================================
def linear_fn(g: Graph, op: Any) -> str:
    x = op.v(0)
    b = op.x(2)
    if x.ndim == 2:
        return g.node("Gemm", [op.x(0), op.x(1), b], transB=1)
    y = g.node("MatMul", [op.x(0), g.transpose(op.x(1), [1, 0])])
    return y if b is None else g.node("Add", [y, b])


def matmul(g: Graph, op: Any) -> str:
    dt = op.out().dtype
    ins = [op.x(i) if op.v(i).dtype == dt else g.cast(op.x(i), dt) for i in (0, 1)]
    return g.node("MatMul", ins)


def _ids(g: Graph, op: Any, v: Any) -> str:
    name = op.name(v)
    return name if v.dtype in (np.int64, np.int32) else g.cast(name, np.int64)


def embedding_lookup(g: Graph, op: Any) -> str:
    return g.node("Gather", [op.x(0), _ids(g, op, op.v(1))], axis=0)


def embedding_bag(g: Graph, op: Any) -> str:
    """nn.EmbeddingBag on (B, L) ids: look up, leave padding ids out, then sum, mean or
    max over L; an empty bag gives zeros (as nnlite and torch)."""
    bag: EmbeddingBag = op.module
    ids = op.get("input", 0)
    if not hasattr(ids, "slot") or ids.ndim != 2 or op.get("offsets", 1) is not None:
        op.fail("only 2-D input (B, L) without offsets is supported (1-D input with "
                "offsets makes bags of data-dependent sizes)")
    if bag.max_norm is not None:
        op.fail("max_norm is not supported (it renormalises the weight at every call)")
    psw = op.get("per_sample_weights", 2)
    dt = bag.weight.dtype
    idn = _ids(g, op, ids)
    rows = g.node("Gather", [op.param(bag.weight), idn], axis=0)       # (B, L, D)
    keep = None
    if bag.padding_idx is not None:
        ids64 = idn if ids.dtype == np.int64 else g.cast(idn, np.int64)
        pad = g.scalar(bag.padding_idx, np.int64)
        keep = g.node("Not", [g.node("Equal", [ids64, pad])])          # (B, L)
    mode = bag.mode
    if mode == "max":
        if keep is not None:
            ninf = g.scalar(-np.inf, dt)
            rows = g.node("Where", [g.unsqueeze(keep, [2]), rows, ninf])
        y = g.reduce("ReduceMax", rows, [1], False)                    # (B, D)
        if keep is not None:
            any_kept = g.unsqueeze(g.reduce("ReduceMax", g.cast(keep, np.int32), [1], False),
                                   [1])
            y = g.node("Where", [g.cast(any_kept, np.bool_), y, g.scalar(0, dt)])
        return y
    weight = None if keep is None else g.unsqueeze(g.cast(keep, dt), [2])   # (B, L, 1)
    if psw is not None:
        p = g.unsqueeze(op.name(psw), [2])
        weight = p if weight is None else g.node("Mul", [weight, p])
    if weight is not None:
        rows = g.node("Mul", [rows, weight])
    total = g.reduce("ReduceSum", rows, [1], False)                     # (B, D)
    if mode == "sum":
        return total
    if keep is None:
        count = g.cast(g.shape_dims(idn, 1, 2), dt)
    else:
        count = g.reduce("ReduceSum", g.cast(keep, dt), [1], True)      # (B, 1)
        count = g.node("Max", [count, g.scalar(1, dt)])
    return g.node("Div", [total, count])


def dropout(g: Graph, op: Any) -> str:
    op.fail("dropout ran in training mode (a random mask); the exporter puts the model in "
            "eval mode, so this dropout was called with training=True explicitly (pass "
            "training=self.training)")


TABLE = {
    dropout_ops.DropoutFn: dropout,
    conv.Conv2dFn: conv2d, conv.ConvTranspose2dFn: conv_transpose2d,
    conv3d.ConvNdFn: conv_nd, conv3d.ConvTransposeNdFn: conv_transpose_nd,
    pooling.MaxPool2dFn: max_pool, pooling.AvgPool2dFn: avg_pool,
    pooling.BlockAvgPool2D: block_avg_pool2d, pooling.AdaptiveAvgPool2dFn: adaptive_avg_pool2d,
    pooling.AdaptiveMaxPool2dFn: adaptive_max_pool,
    pooling3d.MaxPoolNdFn: max_pool, pooling3d.AvgPoolNdFn: avg_pool,
    pooling3d.AdaptiveAvgPoolNdFn: adaptive_avg_pool_nd,
    pooling3d.AdaptiveMaxPoolNdFn: adaptive_max_pool,
    norm.BatchNormEval: batch_norm_eval, norm.BatchNorm: batch_norm_batch_stats,
    norm._NormOverView: norm_over_view, norm.LocalResponseNormFn: local_response_norm,
    linear.LinearFn: linear_fn, linalg.MatMul: matmul,
    embedding.EmbeddingLookup: embedding_lookup,
}

MODULES = {EmbeddingBag: embedding_bag}
