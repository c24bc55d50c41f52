"""einsum: sums of products of tensors' entries named by letters, as ``torch.einsum``.

Notation: operand i has the letters s_i (one per dim; ``...`` stands for the leading
dims not named, broadcast across operands as in NumPy); the output has the letters o.
A letter's size is the same in every operand that has it, or 1 there (broadcast). The
equation is first made explicit: ``...`` becomes unused letters, and without ``->`` the
output is ``...`` then the letters that appear once, in alphabetical order (A-Z before
a-z). An operand with a repeated letter ("ii") is replaced by its diagonal
(``TakeDiagonals``), so the core op ``Einsum`` sees distinct letters in each operand:

    y = einsum(s_1, ..., s_m -> o)(x_1, ..., x_m)
    gx_i = einsum(o, s_j (j != i) -> s_i')(gy, x_j (j != i))

where s_i' keeps the letters of s_i that gy or another operand has; the letters only x_i
has (summed away) come back by broadcasting, and a letter of size 1 in x_i but larger
elsewhere is summed back to 1. Each gradient is an einsum of the others, recorded under
``create_graph``, so einsum can be differentiated again.
"""
from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from .shape import BroadcastTo

LETTERS = string.ascii_uppercase + string.ascii_lowercase   # torch's label order


# ---- the ops ---------------------------------------------------------------------------
class Einsum(Function):
    """y = einsum(terms -> out)(*xs), each term without repeated letters;
    gx_i = einsum(out, other terms -> kept letters of term i)(gy, other xs), then
    broadcast to x_i's shape (letters only x_i has) and summed where x_i has size 1"""

    @staticmethod
    def forward(ctx, terms, out, *xs):
        ctx.terms, ctx.out = terms, out
        ctx.shapes = [x.shape for x in xs]
        ctx.save_for_backward(*xs)
        return np.asarray(np.einsum(",".join(terms) + "->" + out, *xs,
                                    optimize=len(xs) > 1))

    @staticmethod
    def backward(ctx, gy):
        xs, terms, out = ctx.saved_tensors, ctx.terms, ctx.out
        grads = [None, None]
        for i, need in enumerate(ctx.needs_input_grad[2:]):
            if not need:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            known = set(out).union(*others)
            kept = "".join(c for c in terms[i] if c in known)
            g = Einsum.apply([out, *others], kept, gy, *(x for j, x in enumerate(xs) if j != i))
            grads.append(_fit(g, kept, terms[i], ctx.shapes[i]))
        return tuple(grads)


def _fit(g: Any, kept: str, term: str, shape: tuple) -> Any:
    """``g`` (the letters ``kept``) as the gradient of an operand with letters ``term`` and
    shape ``shape``: size-1 dims for the missing letters, a sum where the operand has
    size 1 and g more, a broadcast where g has 1 and the operand more."""
    g = g.reshape(tuple(g.shape[kept.index(c)] if c in kept else 1 for c in term))
    axes = tuple(k for k, (a, b) in enumerate(zip(g.shape, shape)) if b == 1 and a != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g if g.shape == shape else BroadcastTo.apply(g, shape)


class TakeDiagonals(Function):
    """y = the diagonal of x over the dims that share a letter (``einsum('iij->ij')``);
    gx = gy put on that diagonal of zeros (``PutDiagonals``)"""

    @staticmethod
    def forward(ctx, x, term, uniq):
        ctx.term, ctx.uniq, ctx.shape = term, uniq, x.shape
        return np.einsum(term + "->" + uniq, x).copy()

    @staticmethod
    def backward(ctx, gy):
        return PutDiagonals.apply(gy, ctx.term, ctx.uniq, ctx.shape)


class PutDiagonals(Function):
    """y = zeros(shape) with g on the diagonal of the dims that share a letter;
    gg = that diagonal of gy (``TakeDiagonals``)"""

    @staticmethod
    def forward(ctx, g, term, uniq, shape):
        ctx.term, ctx.uniq = term, uniq
        out = np.zeros(shape, g.dtype)
        grids = np.indices(g.shape, sparse=True)
        out[tuple(grids[uniq.index(c)] for c in term)] = g
        return out

    @staticmethod
    def backward(ctx, ggx):
        return TakeDiagonals.apply(ggx, ctx.term, ctx.uniq)


# ---- parsing -----------------------------------------------------------------------------
def _sublist_equation(args: Sequence[Any]) -> tuple:
    """torch's sublist form ``einsum(x, [0, 1], y, [1, 2], [0, 2])`` as an equation:
    label k in [0, 52) is ``LETTERS[k]``, ``...`` is Ellipsis."""
    def term(sub: Any) -> str:
        out = []
        for v in sub:
            if v is Ellipsis:
                out.append("...")
            elif isinstance(v, (int, np.integer)) and 0 <= v < 52:
                out.append(LETTERS[int(v)])
            else:
                raise ValueError(f"einsum(): subscript in subscript list is not within the "
                                 f"valid range [0, 52), got {v!r}")
        return "".join(out)

    operands = list(args[0::2][:len(args) // 2])
    terms = [term(s) for s in args[1::2][:len(args) // 2]]
    eq = ",".join(terms)
    if len(args) % 2:
        eq += "->" + term(args[-1])
    return eq, operands


def _check_term(term: str, where: str) -> None:
    body = term.replace("...", "", 1)
    for c in body:
        if c == ".":
            raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any "
                             f"ellipsis")
        if c not in LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript {c!r} for {where}: subscripts "
                             f"must be in [a-zA-Z]")


def _explicit(equation: str, shapes: list) -> tuple:
    """(terms, out) with ``...`` replaced by letters and the output made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError(f"einsum(): fewer operands were provided ({len(shapes)}) than "
                         f"specified in the equation {equation!r} ({len(terms)})")
    if len(terms) < len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided ({len(shapes)}) than "
                         f"specified in the equation {equation!r} ({len(terms)})")
    for i, t in enumerate(terms):
        _check_term(t, f"operand {i}")
    if arrow:
        _check_term(rhs, "the output")
    unused = [c for c in LETTERS if c not in eq]
    n_ell = []
    for i, (t, shape) in enumerate(zip(terms, shapes)):
        named = len(t.replace("...", ""))
        if "..." in t:
            if named > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                 f"({named}) is more than the number of dimensions "
                                 f"({len(shape)}) for operand {i} (shape {shape})")
            n_ell.append(len(shape) - named)
        else:
            if named != len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                 f"({named}) does not match the number of dimensions "
                                 f"({len(shape)}) for operand {i} (shape {shape}) and no "
                                 f"ellipsis was given")
            n_ell.append(0)
    width = max(n_ell, default=0)
    if width > len(unused):
        raise RuntimeError(f"einsum(): the equation {equation!r} uses too many dimensions "
                         f"(at most 52 letters)")
    ell = "".join(unused[:width])
    terms = [t.replace("...", ell[width - n:]) for t, n in zip(terms, n_ell)]
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {c: "".join(terms).count(c) for c in set("".join(terms))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    for c in set(out):
        if out.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                             f"output of {equation!r}")
        if not any(c in t for t in terms):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                             f"equation {equation!r} for any input operand")
    return terms, out


def _check_sizes(terms: list, shapes: list) -> None:
    """A letter's size agrees across operands (or is 1 there), and exactly within one."""
    seen: dict = {}
    for i, (t, shape) in enumerate(zip(terms, shapes)):
        mine: dict = {}
        for c, n in zip(t, shape):
            if c in mine and mine[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but "
                                 f"the sizes don't match, {mine[c]} != {n} (shape {shape})")
            mine[c] = n
        for c, n in mine.items():
            m = seen.get(c, 1)
            if n != 1 and m != 1 and n != m:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                 f"(shape {shape}) which does not broadcast with "
                                 f"previously seen size {m}")
            seen[c] = n if m == 1 else m


def einsum(*args: Any) -> Tensor:
    """Sum of products of the operands' entries, named by an equation of letters.

    ``einsum("ij,jk->ik", a, b)`` is ``a @ b``; ``einsum("bhqd,bhkd->bhqk", q, k)`` the
    attention scores; ``einsum("ii", a)`` the trace; ``einsum("i,j->ij", u, v)`` the outer
    product. Letters shared by operands are multiplied along; letters missing from the
    output are summed over. ``...`` stands for the leading dims not named (broadcast
    across operands). Without ``->`` the output is ``...`` then the letters that appear
    once, alphabetically. Spaces are ignored.

    Args:
        equation (str): the subscripts, e.g. ``"bij,bjk->bik"``.
        *operands (Tensor): one per term of the equation, of one dtype; also accepted as
            one list, or in torch's sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    Shape: each letter has one size (or 1, broadcast); the output has a dim per letter
    of the output subscripts.

    Example:
        >>> a, b = nl.ones(2, 3), nl.ones(3, 4)
        >>> nl.einsum("ij,jk->ik", a, b).shape
        (2, 4)
        >>> nl.einsum("ij,jk", [a, b]).shape
        (2, 4)
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one "
                        "operand, or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    xs = [as_tensor(x) for x in operands]
    if not xs:
        raise RuntimeError("einsum(): must provide at least one operand")
    for i, x in enumerate(xs):
        if x.dtype != xs[0].dtype:
            raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                            f"{xs[0].dtype} (operand 0) and {x.dtype} (operand {i})")
    shapes = [x.shape for x in xs]
    terms, out = _explicit(equation, shapes)
    _check_sizes(terms, shapes)
    for i, t in enumerate(terms):
        uniq = "".join(dict.fromkeys(t))
        if uniq != t:
            xs[i], terms[i] = TakeDiagonals.apply(xs[i], t, uniq), uniq
    return Einsum.apply(terms, out, *xs)
