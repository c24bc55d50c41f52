"""Shape ops: reshape/view flatten squeeze unsqueeze transpose permute expand repeat
tile flip roll, cat/stack/split/chunk, pad.

Notation: x has shape S, y the new shape; every backward maps gy (shape of y) back to
S with the inverse rearrangement (reshape back, inverse permutation, sum over the
repeated copies, slice out the pieces), using only methods ndarray and Tensor share
(roll's backward is roll itself, called through ``Roll.apply``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy
from ..factories import as_tensor
from ._util import norm_dim
from .indexing import getitem


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


# ---- reshape and friends -----------------------------------------------------
class Reshape(Function):
    """y = x viewed with another shape;  gx = gy reshaped to S"""
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, gy):
        return gy.reshape(ctx.in_shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in ``shape`` (one entry may be -1)."""
    shape = _shape_arg(shape)
    if shape == x.array.shape:
        return x
    try:
        return Reshape.apply(x, shape)
    except ValueError:
        raise ValueError(f"reshape: shape {shape} is invalid for input of shape "
                         f"{x.array.shape} ({x.array.size} elements)") from None


def view(x: Tensor, *shape: Any) -> Tensor:
    """torch's ``view``: the same memory with another ``shape`` (one entry may be -1).
    Where that is impossible without a copy (a transposed tensor flattened, say) it raises,
    as torch does, and ``reshape`` is the op to use. ``view(dtype)`` reinterprets the bytes
    as another dtype of the same size (not differentiable)."""
    if len(shape) == 1 and isinstance(shape[0], (type, np.dtype)):
        dtype = np.dtype(shape[0])
        if dtype.itemsize != x.array.dtype.itemsize:
            raise RuntimeError(f"view: cannot view a {x.array.dtype} tensor as {dtype} (the "
                               f"element sizes differ)")
        return from_numpy(x.array.view(dtype))
    out = reshape(x, *shape)
    if out is not x and out.array.size and not np.shares_memory(out.array, x.array):
        raise RuntimeError(f"view: shape {out.array.shape} is not compatible with the input's "
                           f"size and stride (shape {x.array.shape}, not contiguous); use "
                           f".reshape(...) instead")
    return out


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    nd = x.ndim
    if nd == 0:
        return reshape(x, 1)
    s, e = norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) must not come after end_dim "
                         f"({end_dim})")
    shape = x.shape
    return reshape(x, shape[:s] + (int(np.prod(shape[s:e + 1], dtype=np.int64)),) + shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    d = norm_dim(dim, x.ndim, "unflatten")
    sizes = tuple(int(s) for s in sizes)
    n, known = x.shape[d], int(np.prod([s for s in sizes if s != -1], dtype=np.int64))
    if (sizes.count(-1) > 1 or not sizes
            or (known != n if -1 not in sizes else (known == 0 or n % known))):
        raise ValueError(f"unflatten: sizes {sizes} don't multiply up to the size {n} of "
                         f"dim {d} (input shape {x.shape})")
    return reshape(x, x.shape[:d] + sizes + x.shape[d + 1:])


def _dim(dim: Any, axis: Any, op: str) -> Any:
    """The torch ``dim`` or the NumPy ``axis`` spelling, not both."""
    if axis is None:
        return dim
    if dim is not None:
        raise TypeError(f"{op}: pass dim or axis, not both")
    return axis


def squeeze(x: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    """Drop size-1 dims (only ``dim`` if given; a no-op if it is not size 1)."""
    dim = _dim(dim, axis, "squeeze")
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    dims = {norm_dim(d, x.ndim, "squeeze") for d in dims} if x.ndim else set()
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1)))


def unsqueeze(x: Tensor, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Insert a size-1 dim at ``dim`` (in range [-ndim-1, ndim])."""
    dim = _dim(dim, axis, "unsqueeze")
    if dim is None:
        raise TypeError("unsqueeze: dim is required")
    nd = x.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a result with {nd} dims")
    d = dim % nd
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


# ---- permutations ------------------------------------------------------------
class Permute(Function):
    """y = x with axes reordered;  gx = gy with the inverse order"""
    is_view = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, gy):
        return gy.transpose(tuple(np.argsort(ctx.axes)))


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims: output dim i is input dim ``dims[i]``."""
    dims = _shape_arg(dims)
    axes = tuple(norm_dim(d, x.ndim, "permute") for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {x.ndim} dims "
                         f"of a tensor of shape {x.shape}")
    return Permute.apply(x, axes)


def transpose(x: Tensor, dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Swap ``dim0`` and ``dim1`` (with no dims: reverse all, as ndarray.transpose)."""
    if dim0 is None and dim1 is None:
        return permute(x, tuple(range(x.ndim - 1, -1, -1)))
    if isinstance(dim0, (tuple, list)) and dim1 is None:     # ndarray.transpose(axes)
        return permute(x, tuple(dim0))
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    axes = list(range(x.ndim))
    a, b = norm_dim(dim0, x.ndim, "transpose"), norm_dim(dim1, x.ndim, "transpose")
    axes[a], axes[b] = axes[b], axes[a]
    return Permute.apply(x, tuple(axes))


swapaxes = transpose


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dim(s) ``source`` to position(s) ``destination``; the others keep their order."""
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same "
                         f"length")
    src = [norm_dim(d, x.ndim, "movedim") for d in src]
    dst = [norm_dim(d, x.ndim, "movedim") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {tuple(src)} or destination "
                         f"{tuple(dst)}")
    if x.ndim == 0:
        return x
    order = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(x.ndim) if i not in src)
    return permute(x, tuple(next(rest) if o is None else o for o in order))


# ---- expand / repeat / tile ----------------------------------------------------
class BroadcastTo(Function):
    """y = x broadcast to a larger shape (a view);  gx = gy summed over the copies (the
    new leading dims and the dims of size 1 in S)"""
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, gy):
        shape = ctx.in_shape
        lead = gy.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                          if n == 1 and gy.shape[i + lead] != 1)
        return gy.sum(axis=axes, keepdims=True).reshape(shape)


def _broadcast(x: Tensor, shape: tuple, op: str) -> Tensor:
    if shape == x.shape:
        return x
    try:
        ok = np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{op}: shape {x.shape} cannot be broadcast to {shape}")
    return BroadcastTo.apply(x, shape)


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    shape = _shape_arg((shape,) if isinstance(shape, (int, np.integer)) else tuple(shape))
    return _broadcast(x, shape, "broadcast_to")


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``; -1 keeps a dim's size (as torch)."""
    sizes = _shape_arg(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: the number of sizes ({len(sizes)}) must be at least the "
                         f"number of dims ({x.ndim}) of shape {x.shape}")
    if -1 in sizes[:lead]:
        raise ValueError(f"expand: -1 is not allowed for a new leading dim (sizes {sizes}, "
                         f"input shape {x.shape})")
    shape = tuple(x.shape[i - lead] if (n == -1 and i >= lead) else n
                  for i, n in enumerate(sizes))
    return _broadcast(x, shape, "expand")


class Tile(Function):
    """y = x tiled reps times per dim;  gx = gy summed over the tiles"""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.reps, ctx.in_shape = reps, x.shape
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, gy):
        reps, shape = ctx.reps, ctx.in_shape
        lead = len(reps) - len(shape)
        full = (1,) * lead + shape
        inter = []
        for r, n in zip(reps, full):
            inter += [r, n]
        g = gy.reshape(tuple(inter)).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(shape)


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile ``x`` ``sizes`` times along each dim (torch's ``repeat``)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: number of repeat dims ({len(sizes)}) can not be smaller "
                         f"than the number of tensor dims ({x.ndim})")
    return Tile.apply(x, sizes)


def tile(x: Tensor, *reps: Any) -> Tensor:
    """Like ``repeat``; fewer reps than dims are padded with 1s on the left."""
    reps = _shape_arg(reps)
    reps = (1,) * (x.ndim - len(reps)) + reps
    return Tile.apply(x, reps)


# ---- flip / roll -------------------------------------------------------------
class Flip(Function):
    """y = x reversed along dims;  gx = gy reversed again"""

    @staticmethod
    def forward(ctx, x, index):
        ctx.index = index
        return x[index]

    @staticmethod
    def backward(ctx, gy):
        return gy[ctx.index]


def flip(x: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims)
    ds = {norm_dim(d, x.ndim, "flip") for d in dims}
    if len(ds) != len(dims):
        raise ValueError(f"flip: dims {dims} name a dim more than once")
    return Flip.apply(x, tuple(slice(None, None, -1) if i in ds else slice(None)
                               for i in range(x.ndim)))


class Roll(Function):
    """y = x rolled by shifts along dims;  gx = gy rolled back"""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, gy):
        shifts, dims = ctx.shifts, ctx.dims
        back = tuple(-s for s in shifts) if dims is not None else -shifts
        return Roll.apply(gy, back, dims)


def roll(x: Tensor, shifts: Any, dims: Any = None, *, axis: Any = None) -> Tensor:
    """Roll elements along ``dims`` (the flattened tensor if None)."""
    dims = _dim(dims, axis, "roll")
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise ValueError("roll: with dims=None, shifts must be one int")
        return Roll.apply(x, int(shifts), None)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    if x.ndim == 0:
        raise IndexError(f"roll: dims {dims} given for a 0-dim tensor (it has no dims)")
    return Roll.apply(x, shifts, tuple(norm_dim(d, x.ndim, "roll") for d in dims))


# ---- cat / stack / split -----------------------------------------------------
class Cat(Function):
    """y = [x1, x2, ...] joined along dim;  gxi = the slice of gy that came from xi"""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [x.shape[dim] for x in xs]).tolist()
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, gy):
        lead = (slice(None),) * ctx.dim
        b = ctx.bounds
        return (None, *[gy[lead + (slice(b[i], b[i + 1]),)] if need else None
                        for i, need in enumerate(ctx.needs_input_grad[1:])])


class Stack(Function):
    """y = xs stacked along a new dim;  gxi = gy[..., i, ...]"""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, gy):
        lead = (slice(None),) * ctx.dim
        return (None, *[gy[lead + (i,)] if need else None
                        for i, need in enumerate(ctx.needs_input_grad[1:])])


def _tensors(tensors: Any, op: str) -> list:
    if isinstance(tensors, (Tensor, np.ndarray)):
        raise TypeError(f"{op}: expected a sequence of tensors, got a single "
                        f"{type(tensors).__name__}")
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    return ts


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim."""
    ts = _tensors(tensors, "cat")
    for i, t in enumerate(ts):
        if t.ndim == 0:
            raise ValueError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                             f"concatenated; use stack")
    dim = norm_dim(axis if axis is not None else dim, ts[0].ndim, "cat")
    ref = ts[0].shape
    for i, t in enumerate(ts):
        if t.ndim != len(ref) or t.shape[:dim] + t.shape[dim + 1:] != ref[:dim] + ref[dim + 1:]:
            raise ValueError(f"cat: sizes of tensors must match except in dim {dim}; tensor 0 "
                             f"has shape {ref}, tensor {i} has shape {t.shape}")
    return Cat.apply(dim, *ts)


concatenate = concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    ts = _tensors(tensors, "stack")
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: expects each tensor to be equal size, but got "
                             f"{ts[0].shape} at entry 0 and {t.shape} at entry {i}")
    d = axis if axis is not None else dim
    nd = ts[0].ndim + 1
    if not -nd <= d < nd:
        raise IndexError(f"stack: dim {d} is out of range for a result with {nd} dims")
    return Stack.apply(d % nd, *ts)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> list:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the
    given ``sections`` sizes."""
    d = norm_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} sum to {sum(sizes)} but dim {d} has "
                             f"size {n}")
    lead = (slice(None),) * d
    out, start = [], 0
    for s in sizes:
        out.append(getitem(x, lead + (slice(start, start + s),)))
        start += s
    return out


def chunk(x: Tensor, chunks: int, dim: int = 0) -> list:
    """``chunks`` pieces of (nearly) equal size along ``dim``, as torch."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[norm_dim(dim, x.ndim, "chunk")]
    if n == 0:                                   # as torch: `chunks` empty pieces
        return split(x, [0] * chunks, dim)
    return split(x, -(-n // chunks), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple:
    d = norm_dim(dim, x.ndim, "unbind")
    lead = (slice(None),) * d
    return tuple(getitem(x, lead + (i,)) for i in range(x.shape[d]))


# ---- pad -----------------------------------------------------------------------
class PadConstant(Function):
    """y = x surrounded by a constant;  gx = the middle of gy"""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.index = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        if x.ndim == 0:                         # nothing to pad (np.pad refuses 0-d)
            return x.copy()
        return np.pad(x, widths, constant_values=value)

    @staticmethod
    def backward(ctx, gy):
        return gy[ctx.index]


class PadIndexed(Function):
    """y = x padded by reflection / replication / wrapping: every output element is some
    input element, so gx sums gy over the outputs each input went to -- per padded dim d
    a product with the one-hot map M_d (out_d, in_d):  gx = gy @_d M_d"""

    @staticmethod
    def forward(ctx, x, widths, mode):
        ctx.dims, maps = [], []
        for d, (n, w) in enumerate(zip(x.shape, widths)):
            if w != (0, 0):
                idx = np.pad(np.arange(n), w, mode=mode)
                onehot = np.zeros((len(idx), n), x.dtype)
                onehot[np.arange(len(idx)), idx] = 1
                ctx.dims.append(d)
                maps.append(onehot)
        ctx.save_for_backward(*maps)
        return np.pad(x, widths, mode=mode)

    @staticmethod
    def backward(ctx, gy):
        g = gy
        for d, onehot in zip(ctx.dims, ctx.saved_tensors):
            g = (g.swapaxes(d, -1) @ onehot).swapaxes(d, -1)
        return g


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``,
    last dim first (torch's ``F.pad``). Modes: constant, reflect, replicate, circular."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: padding length {len(pad)} must be even and at most 2 * ndim "
                         f"({2 * x.ndim}) for input of shape {x.shape}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} is not supported")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    widths = tuple(widths)
    if mode == "constant":
        return PadConstant.apply(x, widths, value)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or "
                         f"'circular', got {mode!r}")
    for (lo, hi), n in zip(widths, x.shape):
        if mode == "reflect" and max(lo, hi) >= n and (lo or hi):
            raise ValueError(f"pad: reflect padding ({lo}, {hi}) must be smaller than the "
                             f"dim size {n} (input shape {x.shape})")
        if mode != "reflect" and (lo or hi) and n == 0:
            raise ValueError(f"pad: cannot {mode}-pad a dim of size 0 (input shape "
                             f"{x.shape})")
        if mode == "circular" and max(lo, hi) > n:
            raise ValueError(f"pad: circular padding ({lo}, {hi}) must be at most the dim "
                             f"size {n} (input shape {x.shape})")
    return PadIndexed.apply(x, widths, _PAD_MODES[mode])
