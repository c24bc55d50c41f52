"""Matrix decompositions and what is built on them: det, slogdet, inv, solve,
solve_triangular, cholesky, qr, svd, eigh, pinv, matrix_rank, lstsq (torch.linalg's
names), and torch's top-level det, logdet, inverse, pinverse, cholesky_solve,
cholesky_inverse, svd and qr.

Notation: A is a batch of matrices (..., m, n) (square: n x n); ^T swaps the last two
dims; gX is the gradient of the output X. Every rule is written with matmuls, masks and
the Functions of this module, so it runs on arrays and, under create_graph, on Tensors
(every op here can be differentiated twice).
    det:       y = det A,            gA = gy adj(A)^T  (= gy y A^-T; adj by SVD, also singular A)
    slogdet:   (sign, log|det A|),   gA = g A^-T       (sign has no gradient)
    inv:       Y = A^-1,             gA = -Y^T gY Y^T
    solve:     X = A^-1 B,           gB = A^-T gX,   gA = -gB X^T
    triangular solve: as solve, gA kept on A's triangle (strict if unitriangular)
    cholesky:  A = L L^T,            P = tril(L^T gL),  gA = L^-T (P + tril(P,-1)^T) L^-1 / 2
    qr (m>=n): A = Q R,              M = R gR^T - gQ^T Q,  gA = (gQ + Q copyltu(M)) R^-T,
               copyltu(M) = tril(M) + tril(M,-1)^T;  m<n: A = [X|Y], the rule on X, gY = Q gV
    svd:       A = U diag(S) V^T,    J = skew(U^T gU), K = skew(V^T gV), skew(X) = X - X^T,
               E_ij = S_j^2 - S_i^2, gA = U [(J S + S K) / E + diag(gS)] V^T
               + (I - U U^T) gU S^-1 V^T (m > n)  or  U S^-1 gV^T (I - V V^T) (m < n)
               (needs distinct singular values when gU or gV flows: E_ij = 0 gives inf/nan,
               as in torch)
    eigh:      A = V diag(w) V^T,    K = V^T gV,  gA = V [(K - K^T) / 2E + diag(gw)] V^T,
               E_ij = w_j - w_i (distinct eigenvalues when gV flows)
    pinv:      torch's pinv_backward (matmuls of A, A^+ and the gradient; rank may be < min)
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy
from ._util import GradWhere, ShapeError, torch_name


class LinAlgError(RuntimeError):
    """A linear-algebra op failed on its input (a singular matrix for ``inv``/``solve``, a
    matrix that is not positive-definite for ``cholesky``), as torch.linalg.LinAlgError:
    a RuntimeError."""


SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])
InvExResult = namedtuple("inv_ex", ["inverse", "info"])
CholeskyExResult = namedtuple("cholesky_ex", ["L", "info"])
QRResult = namedtuple("qr", ["Q", "R"])
SVDResult = namedtuple("svd", ["U", "S", "Vh"])
LegacySVDResult = namedtuple("svd", ["U", "S", "V"])
EighResult = namedtuple("eigh", ["eigenvalues", "eigenvectors"])
LstsqResult = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])


# ============================================================================
# Checks and helpers (arrays and Tensors alike)
# ============================================================================
def _mT(x: Any) -> Any:
    """x with its last two dims swapped (an array or a Tensor)."""
    return x.swapaxes(-1, -2)


def _check(A: Any, op: str, name: str = "A", square: bool = True) -> Tensor:
    """A floating (float32/float64) Tensor of at least 2 dims (square ones if ``square``)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(A).__name__}")
    if A.ndim < 2:
        raise ShapeError(f"{op}: The input tensor {name} must have at least 2 dimensions "
                         f"(got shape {A.shape}).")
    dt = A.array.dtype
    if dt.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got "
                           f"{torch_name(dt)} ({name} of shape {A.shape}; nnlite has no "
                           f"complex tensors)")
    if dt.itemsize < 4:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {torch_name(dt)} "
                           f"({name} of shape {A.shape}); use float32 or float64")
    if square and A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"{op}: {name} must be batches of square matrices, but they are "
                         f"{A.shape[-2]} by {A.shape[-1]} matrices (shape {A.shape})")
    return A


def _same_dtype(op: str, A: Tensor, B: Tensor, names: str = "A and B") -> None:
    if A.array.dtype != B.array.dtype:
        a, b = names.split(" and ")
        raise RuntimeError(f"{op}: Expected {names} to have the same dtype, but found {a} of "
                           f"type {torch_name(A.array.dtype)} and {b} of type "
                           f"{torch_name(B.array.dtype)} instead (shapes {A.shape} and "
                           f"{B.shape})")


def _batch_prefix(info: np.ndarray, k: int) -> str:
    """torch's "(Batch element k): " for a batched input, "" for one matrix."""
    return f"(Batch element {k}): " if info.ndim else ""


def _lu_info(a: np.ndarray) -> np.ndarray:
    """LAPACK getrf's ``info`` per matrix of ``a`` (..., n, n): the 1-based index of the
    first exactly-zero pivot of LU with partial pivoting, 0 if none. A loop over the n
    columns, vectorized over the batch; only run once a solver reported failure."""
    n = a.shape[-1]
    lu = np.array(a, dtype=np.float64).reshape((-1, n, n))
    rows = np.arange(lu.shape[0])
    info = np.zeros(lu.shape[0], np.int32)
    for k in range(n):
        p = np.argmax(np.abs(lu[:, k:, k]), axis=1) + k
        top = lu[rows, k].copy()
        lu[rows, k] = lu[rows, p]
        lu[rows, p] = top
        piv = lu[:, k, k]
        zero = piv == 0
        info[zero & (info == 0)] = k + 1
        f = np.where(zero[:, None], 0.0, lu[:, k + 1:, k] / np.where(zero, 1.0, piv)[:, None])
        lu[:, k + 1:, k:] -= f[:, :, None] * lu[:, k, k:][:, None, :]
    return info.reshape(a.shape[:-2])


def _cholesky_info(a: np.ndarray) -> np.ndarray:
    """LAPACK potrf's ``info`` per matrix: the order of the first leading minor that is
    not positive-definite, 0 if none. Only run once a factorization failed."""
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    info = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(flat[b, :k, :k])
            except np.linalg.LinAlgError:
                info[b] = k
                break
    return info.reshape(a.shape[:-2])


def _singular_error(op: str, a: np.ndarray) -> LinAlgError:
    info = _lu_info(a)
    k = int(np.flatnonzero(info.reshape(-1))[0]) if np.any(info) else 0
    at = int(info.reshape(-1)[k]) if info.size else 0
    return LinAlgError(f"{op}: {_batch_prefix(info, k)}The diagonal element {at} is zero, "
                       f"the inversion could not be completed because the input matrix is "
                       f"singular (A of shape {a.shape}).")


def _not_pd_error(op: str, a: np.ndarray) -> LinAlgError:
    info = _cholesky_info(a)
    k = int(np.flatnonzero(info.reshape(-1))[0]) if np.any(info) else 0
    at = int(info.reshape(-1)[k]) if info.size else 0
    return LinAlgError(f"{op}: {_batch_prefix(info, k)}The factorization could not be "
                       f"completed because the input is not positive-definite (the leading "
                       f"minor of order {at} is not positive-definite; A of shape {a.shape}).")


def _tri_mask(n: int, upper: bool, strict: bool = False) -> np.ndarray:
    """The bool mask of an n x n triangle (the diagonal left out if ``strict``)."""
    k = 1 if strict else 0
    return np.triu(np.ones((n, n), bool), k) if upper else np.tril(np.ones((n, n), bool), -k)


def _broadcast_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.linalg.solve of a (..., n, n) and b (..., n, k), batch dims broadcast (spelled
    out: NumPy 1.x reads a b with one dim less than a as a stack of vectors)."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if a.shape[-1] == 0 or b.shape[-1] == 0:
        return np.zeros(b.shape, np.result_type(a, b))
    return np.linalg.solve(a, b)


def _diag_embed(v: Any) -> Any:
    """(..., k) -> (..., k, k) with v on the diagonal (an array or a Tensor)."""
    k = v.shape[-1]
    return v[..., None] * np.eye(k, dtype=_dtype(v))


def _dtype(x: Any) -> np.dtype:
    return x.array.dtype if isinstance(x, Tensor) else x.dtype


def _zeros(x: Any) -> np.ndarray:
    return np.zeros(x.shape, _dtype(x))


# ============================================================================
# The Functions
# ============================================================================
class Inv(Function):
    """Y = A^-1;  gA = -Y^T gY Y^T"""

    @staticmethod
    def forward(ctx, A):
        try:
            Y = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            raise _singular_error("linalg.inv", A) from None
        ctx.save_for_backward(Y)
        return Y

    @staticmethod
    def backward(ctx, gY):
        (Y,) = ctx.saved_tensors
        return -(_mT(Y) @ gY @ _mT(Y))


class Adjugate(Function):
    """adj(A) = det(A) A^-1, computed by SVD so singular A works: A = U S V^T gives
    adj(A) = det(V) V diag(prod_{j != i} S_j) det(U) U^T;
    gA = <G, adj> A^-T - adj^T G A^-T  (needs an invertible A)"""

    @staticmethod
    def forward(ctx, A):
        n = A.shape[-1]
        U, S, Vh = np.linalg.svd(A)
        ones = np.ones(S.shape[:-1] + (1,), S.dtype)
        left = np.cumprod(np.concatenate([ones, S[..., :-1]], -1), -1)   # prod_{j<i}
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(S, -1)[..., :-1]], -1),
                                   -1), -1)                               # prod_{j>i}
        p = left * right if n else S
        sgn = np.linalg.det(U) * np.linalg.det(Vh)
        adj = (_mT(Vh) * p[..., None, :]) @ _mT(U) * sgn[..., None, None]
        ctx.save_for_backward(A, adj)
        return adj

    @staticmethod
    def backward(ctx, G):
        A, adj = ctx.saved_tensors
        invT = _mT(Inv.apply(A))
        s = (G * adj).sum(-1).sum(-1)
        return s[..., None, None] * invT - _mT(adj) @ G @ invT


class Det(Function):
    """y = det A;  gA = gy adj(A)^T"""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return np.linalg.det(A)

    @staticmethod
    def backward(ctx, gy):
        (A,) = ctx.saved_tensors
        return gy[..., None, None] * _mT(Adjugate.apply(A))


class Slogdet(Function):
    """sign, logabsdet = sign(det A), log|det A|;  gA = g_logabsdet A^-T"""

    @staticmethod
    def forward(ctx, A):
        sign, logabsdet = np.linalg.slogdet(A)
        sign, logabsdet = np.asarray(sign, A.dtype), np.asarray(logabsdet, A.dtype)
        ctx.save_for_backward(A)
        ctx.mark_non_differentiable(sign)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, gsign, glog):
        (A,) = ctx.saved_tensors
        return glog[..., None, None] * _mT(Inv.apply(A))


class Solve(Function):
    """X = A^-1 B (B: (..., n, k), batch dims broadcast);  gB = A^-T gX,  gA = -gB X^T"""
    broadcasts = True

    @staticmethod
    def forward(ctx, A, B):
        try:
            X = _broadcast_solve(A, B)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"torch.linalg.solve: The solver failed because the input "
                              f"matrix is singular (A of shape {A.shape}).") from None
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, gX):
        A, X = ctx.saved_tensors
        gB = Solve.apply(_mT(A), gX)
        gA = -(gB @ _mT(X)) if ctx.needs_input_grad[0] else None
        return gA, gB


def _tri_solve(A: np.ndarray, B: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """T^-1 B for T the upper or lower triangle of A (unit diagonal if ``unit``)."""
    n = A.shape[-1]
    T = np.where(_tri_mask(n, upper, unit), A, 0)
    if unit:
        T = T + np.eye(n, dtype=A.dtype)
    try:
        return _broadcast_solve(T, B)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"linalg.solve_triangular: The solver failed because the "
                          f"triangular matrix A is singular (a zero on the diagonal; A "
                          f"of shape {A.shape}).") from None


class SolveTriangular(Function):
    """X = T^-1 B with T the upper or lower triangle of A (unit diagonal if
    ``unitriangular``);  gB = T^-T gX,  gA = -(gB X^T) on the triangle"""
    broadcasts = True

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular):
        X = _tri_solve(A, B, upper, unitriangular)
        ctx.save_for_backward(A, X)
        ctx.upper, ctx.unit = upper, unitriangular
        return X

    @staticmethod
    def backward(ctx, gX):
        A, X = ctx.saved_tensors
        gB = SolveTriangular.apply(_mT(A), gX, not ctx.upper, ctx.unit)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = GradWhere.apply(-(gB @ _mT(X)),
                                 _tri_mask(A.shape[-1], ctx.upper, ctx.unit))
        return gA, gB, None, None


def _right_solve_lower_T(L: Any, X: Any) -> Any:
    """X L^-1 for lower-triangular L: (L^-T X^T)^T."""
    return _mT(SolveTriangular.apply(_mT(L), _mT(X), True, False))


class Cholesky(Function):
    """L = cholesky(A) (lower; upper: U = L^T), from A's lower triangle;
    P = tril(L^T gL),  gA = L^-T (P + tril(P, -1)^T) L^-1 / 2"""

    @staticmethod
    def forward(ctx, A, upper):
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            raise _not_pd_error("linalg.cholesky", A) from None
        ctx.save_for_backward(L)
        ctx.upper = upper
        return np.ascontiguousarray(_mT(L)) if upper else L

    @staticmethod
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        if ctx.upper:
            gL = _mT(gL)
        n = L.shape[-1]
        P = GradWhere.apply(_mT(L) @ gL, _tri_mask(n, False))
        M = 0.5 * (P + _mT(GradWhere.apply(P, _tri_mask(n, False, True))))
        gA = SolveTriangular.apply(_mT(L), M, True, False)          # L^-T M
        return _right_solve_lower_T(L, gA), None


def _qr_backward_tall(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    """The rule of A = QR for m >= n (Q: m x n, R: n x n upper): (gQ + Q copyltu(M)) R^-T."""
    n = R.shape[-1]
    if gR is not None:
        M = R @ _mT(gR)
        if gQ is not None:
            M = M - _mT(gQ) @ Q
    else:
        M = -(_mT(gQ) @ Q)
    low = GradWhere.apply(M, _tri_mask(n, False))
    strict = GradWhere.apply(M, _tri_mask(n, False, True))
    B = Q @ (low + _mT(strict))
    if gQ is not None:
        B = B + gQ
    return _mT(SolveTriangular.apply(R, _mT(B), True, False))       # B R^-T


class QR(Function):
    """Q, R = qr(A) (``mode`` reduced / complete / r, as NumPy);  the module notation's
    rule (reduced, or complete when m <= n, where the two agree)"""

    @staticmethod
    def forward(ctx, A, mode):
        m, n = A.shape[-2:]
        if mode == "r":
            R = np.linalg.qr(A, mode="r")
            Q = np.zeros((0,), A.dtype)
        else:
            Q, R = np.linalg.qr(A, mode=mode)
        ctx.save_for_backward(Q, R, A)
        ctx.mode = mode
        if mode == "r":
            ctx.mark_non_differentiable(Q)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R, A = ctx.saved_tensors
        m, n = A.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("linalg.qr: The derivative of linalg.qr depends on Q, which is "
                               "not computed when mode='r'. Please use linalg.qr(A, "
                               "mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(f"linalg.qr: The QR decomposition is not differentiable when "
                               f"mode='complete' and nrows > ncols (A of shape {A.shape}).")
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR), None
        # m < n: A = [X | Y], R = [U | V] with X = Q U (m x m) and V = Q^T Y
        eye = np.eye(n, dtype=A.dtype)
        P1, P2 = eye[:m], eye[m:]                       # (m, n), (n - m, n) selectors
        Y = A @ _mT(P2)
        gU = gR @ _mT(P1) if gR is not None else None
        gV = gR @ _mT(P2) if gR is not None else None
        gQx = gQ
        if gV is not None:
            gQx = Y @ _mT(gV) if gQx is None else gQx + Y @ _mT(gV)
        U = R @ _mT(P1)
        gA = _qr_backward_tall(Q, U, gQx, gU) @ P1
        if gV is not None:
            gA = gA + (Q @ gV) @ P2
        return gA, None


class SVD(Function):
    """U, S, Vh = svd(A) (``full_matrices``: U m x m and Vh n x n, whose extra columns get
    no gradient, as torch);  the module notation's rule"""

    @staticmethod
    def forward(ctx, A, full_matrices):
        U, S, Vh = np.linalg.svd(A, full_matrices=full_matrices)
        k = S.shape[-1]
        ctx.save_for_backward(U, S, Vh)
        ctx.full, ctx.k, ctx.mn = full_matrices, k, A.shape[-2:]
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        k = ctx.k
        m, n = ctx.mn
        if ctx.full:
            U, Vh = U[..., :k], Vh[..., :k, :]
            gU = gU[..., :k] if gU is not None else None
            gVh = gVh[..., :k, :] if gVh is not None else None
        if gU is None and gVh is None:
            if gS is None:
                return None, None
            return (U * gS[..., None, :]) @ Vh, None
        S2 = S * S
        E = S2[..., None, :] - S2[..., :, None] + np.eye(k, dtype=_dtype(S))   # diag 1
        core = None
        if gU is not None:
            J = _mT(U) @ gU
            core = (J - _mT(J)) * S[..., None, :] / E
        if gVh is not None:
            K = Vh @ _mT(gVh)
            t = S[..., :, None] * (K - _mT(K)) / E
            core = t if core is None else core + t
        if gS is not None:
            core = core + _diag_embed(gS)
        if m > n and gU is not None:
            gUS = gU / S[..., None, :]
            return (U @ core + gUS - U @ (_mT(U) @ gUS)) @ Vh, None
        if m < n and gVh is not None:
            SgVh = gVh / S[..., :, None]
            return U @ (core @ Vh + SgVh - (SgVh @ _mT(Vh)) @ Vh), None
        return U @ core @ Vh, None


class Eigh(Function):
    """w, V = eigh(A) (ascending, from the ``UPLO`` triangle);
    gA = V [(K - K^T) / 2E + diag(gw)] V^T, K = V^T gV, E_ij = w_j - w_i"""

    @staticmethod
    def forward(ctx, A, UPLO):
        w, V = np.linalg.eigh(A, UPLO=UPLO)
        ctx.save_for_backward(w, V)
        return w, V

    @staticmethod
    def backward(ctx, gw, gV):
        w, V = ctx.saved_tensors
        n = w.shape[-1]
        if gV is None:
            core = _diag_embed(gw)
        else:
            E = w[..., None, :] - w[..., :, None] + np.eye(n, dtype=_dtype(w))
            K = _mT(V) @ gV
            core = 0.5 * (K - _mT(K)) / E
            if gw is not None:
                core = core + _diag_embed(gw)
        return V @ core @ _mT(V), None


class Pinv(Function):
    """Y = A^+ (singular values at most ``max(atol, rtol * S_max)`` count as zero);
    gA by torch's pinv_backward (matmuls of A, Y and gY)"""

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        Y = _pinv_array(A, atol, rtol, hermitian)
        ctx.save_for_backward(A, Y)
        return Y

    @staticmethod
    def backward(ctx, g):
        A, Y = ctx.saved_tensors
        m, n = A.shape[-2:]
        Yh, gh = _mT(Y), _mT(g)
        if m <= n:
            K = gh @ Y
            KYh = K @ Yh
            return (-_mT(Y @ K) + KYh - (A @ Y) @ KYh + (Yh @ Y) @ (gh - K @ A),
                    None, None, None)
        K = Y @ gh
        YhK = Yh @ K
        return (-_mT(K @ Y) + (gh - A @ K) @ Y @ Yh + YhK - YhK @ Y @ A,
                None, None, None)


class CholeskySolve(Function):
    """X = A^-1 B with A = L L^T (upper: U^T U), by two triangular solves that read L's
    triangle;  gB = A^-1 gX,  gL = -(gB X^T + X gB^T) L (upper: -U (gB X^T + X gB^T)),
    torch's rule, which differentiates A = L L^T in every entry of L"""
    broadcasts = True

    @staticmethod
    def forward(ctx, B, L, upper):
        if upper:           # A = U^T U: X = U^-1 U^-T B
            X = _tri_solve(L, _tri_solve(_mT(L), B, False, False), True, False)
        else:               # A = L L^T: X = L^-T L^-1 B
            X = _tri_solve(_mT(L), _tri_solve(L, B, False, False), True, False)
        ctx.save_for_backward(L, X)
        ctx.upper = upper
        return X

    @staticmethod
    def backward(ctx, gX):
        L, X = ctx.saved_tensors
        gB = CholeskySolve.apply(gX, L, ctx.upper)
        gL = None
        if ctx.needs_input_grad[1]:
            common = gB @ _mT(X)
            common = common + _mT(common)
            gL = -(L @ common) if ctx.upper else -(common @ L)
        return gB, gL, None


def _tolerance(S: np.ndarray, atol: Any, rtol: Any, default_rtol: float) -> np.ndarray:
    """torch's threshold per matrix: max(atol, rtol * largest singular value)."""
    def arr(v: Any) -> np.ndarray:
        return np.asarray(v.array if isinstance(v, Tensor) else v, np.float64)
    if rtol is None:
        rtol = 0.0 if atol is not None and np.any(arr(atol) > 0) else default_rtol
    smax = S.max(-1) if S.shape[-1] else np.zeros(S.shape[:-1], S.dtype)
    tol = np.maximum(arr(0.0 if atol is None else atol), arr(rtol) * smax)
    return tol.astype(S.dtype)


def _pinv_array(A: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
    m, n = A.shape[-2:]
    default = np.finfo(A.dtype).eps * max(m, n)
    if hermitian:
        w, V = np.linalg.eigh(A)
        tol = _tolerance(np.abs(w), atol, rtol, default)
        keep = np.abs(w) > tol[..., None]
        inv_w = np.where(keep, 1 / np.where(keep, w, 1), 0).astype(A.dtype)
        return (V * inv_w[..., None, :]) @ _mT(V)
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    tol = _tolerance(S, atol, rtol, default)
    keep = S > tol[..., None]
    inv_s = np.where(keep, 1 / np.where(keep, S, 1), 0).astype(A.dtype)
    return (_mT(Vh) * inv_s[..., None, :]) @ _mT(U)


# ============================================================================
# torch.linalg's functions
# ============================================================================
def det(A: Tensor) -> Tensor:
    """The determinant of each matrix of A (``torch.linalg.det``, ``torch.det``).

    Differentiable everywhere, also at singular matrices (the gradient is the transposed
    adjugate, computed by SVD).

    Args:
        A (Tensor): (..., n, n), float32 or float64.

    Shape: (..., n, n) -> (...).

    Example:
        >>> nl.linalg.det(nl.tensor([[2.0, 1.0], [1.0, 3.0]]))
        tensor(5.)
    """
    _check(A, "linalg.det")
    return Det.apply(A)


def slogdet(A: Tensor) -> SlogdetResult:
    """The sign and the log of the absolute value of the determinant
    (``torch.linalg.slogdet``, ``torch.slogdet``): ``det = sign * exp(logabsdet)``,
    stable where det over- or underflows. A singular matrix gives sign 0 and logabsdet -inf.

    Args:
        A (Tensor): (..., n, n), float32 or float64.

    Returns:
        ``(sign, logabsdet)``, both (...); ``sign`` has no gradient.

    Example:
        >>> nl.linalg.slogdet(nl.tensor([[-2.0, 0.0], [0.0, 3.0]]))
        slogdet(sign=tensor(-1.), logabsdet=tensor(1.7917595))
    """
    _check(A, "linalg.slogdet")
    return SlogdetResult(*Slogdet.apply(A))


def logdet(input: Tensor) -> Tensor:
    """``torch.logdet``: log(det A); nan where det < 0 and -inf where det = 0.

    Args:
        input (Tensor): (..., n, n), float32 or float64.

    Shape: (..., n, n) -> (...).

    Example:
        >>> nl.logdet(nl.tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(1.7917595)
    """
    from .pointwise import where
    _check(input, "logdet")
    sign, logabsdet = Slogdet.apply(input)
    return where(sign < 0, np.array(np.nan, input.array.dtype), logabsdet)


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    """The inverse of each matrix of A (``torch.linalg.inv``, ``torch.inverse``).

    Args:
        A (Tensor): (..., n, n), float32 or float64, invertible.

    Raises:
        LinAlgError: a matrix is singular (naming the batch element and the zero pivot).

    Shape: (..., n, n) -> (..., n, n).

    Example:
        >>> nl.linalg.inv(nl.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5 , 0.  ],
                [0.  , 0.25]])
    """
    _no_out(out, "linalg.inv")
    _check(A, "linalg.inv")
    return Inv.apply(A)


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse``: the same as :func:`nnlite.linalg.inv`.

    Example:
        >>> nl.inverse(nl.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5 , 0.  ],
                [0.  , 0.25]])
    """
    _check(input, "inverse")
    return Inv.apply(input)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> InvExResult:
    """The inverse and an int32 ``info`` per matrix: 0 on success, else the 1-based index
    of the zero pivot (the inverse of that matrix is then not meaningful: nan here).

    Args:
        A (Tensor): (..., n, n), float32 or float64.
        check_errors (bool): raise ``LinAlgError`` on a singular matrix. Default: False.

    Returns:
        ``(inverse, info)``: (..., n, n) and (...).

    Example:
        >>> nl.linalg.inv_ex(nl.tensor([[1.0, 2.0], [2.0, 4.0]])).info
        tensor(2, dtype=int32)
    """
    _check(A, "linalg.inv_ex")
    try:
        np.linalg.inv(A.array)
        ok = True
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        return InvExResult(Inv.apply(A), from_numpy(np.zeros(A.shape[:-2], np.int32)))
    if check_errors:
        raise _singular_error("linalg.inv_ex", A.array)
    info = _lu_info(A.array)
    good = info == 0
    safe = np.where(good[..., None, None], A.array, np.eye(A.shape[-1], dtype=A.array.dtype))
    Y = np.where(good[..., None, None], np.linalg.inv(safe), np.nan).astype(A.array.dtype)
    return InvExResult(from_numpy(Y), from_numpy(info))


def _vector_rhs(A: Tensor, B: Tensor) -> bool:
    """torch's rule: B is a (batch of) vector(s) when 1-D, or when it has one dim less
    than A and A's shape without its last dim."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """The solution X of ``A X = B`` (``left=False``: ``X A = B``), batch dims broadcast.

    Args:
        A (Tensor): (..., n, n), invertible.
        B (Tensor): (..., n, k), or (n,) / (..., n) for vectors (torch's rule: a vector
            when B is 1-D, or has one dim less than A and ``B.shape == A.shape[:-1]``).
            Same dtype as A.
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.

    Raises:
        LinAlgError: A is singular.

    Shape: X has B's shape with the batch dims broadcast against A's.

    Example:
        >>> nl.linalg.solve(nl.tensor([[2.0, 0.0], [0.0, 4.0]]), nl.tensor([2.0, 2.0]))
        tensor([1. , 0.5])
    """
    _no_out(out, "linalg.solve")
    _check(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve: expected B to be a Tensor, got {type(B).__name__}")
    _same_dtype("linalg.solve", A, B)
    n = A.shape[-1]
    vector = _vector_rhs(A, B)
    if vector and not left:
        raise RuntimeError(f"linalg.solve: Vector broadcasting of the left hand side is not "
                           f"supported for left=False (A {tuple(A.shape)}, B {tuple(B.shape)}"
                           f"). In this case linalg.solve is equivalent to B / A.squeeze(-1)")
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2 if left or vector else -1] != n:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                         f"{'AX = B' if left else 'XA = B'} ({tuple(A.shape)} and "
                         f"{tuple(B.shape)})")
    if not left and not vector:
        X = _mT(Solve.apply(_mT(A), _mT(Bm)))
    else:
        _check_batch("linalg.solve", A, Bm)
        X = Solve.apply(A, Bm)
    return X.squeeze(-1) if vector else X


def _check_batch(op: str, A: Tensor, B: Tensor) -> None:
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise ShapeError(f"{op}: the batch dims of A {tuple(A.shape)} and B {tuple(B.shape)} "
                         f"cannot be broadcast together") from None


def _no_out(out: Any, op: str) -> None:
    if out is not None:
        raise TypeError(f"{op}: out= is not supported by nnlite; use the returned tensor")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """The solution X of ``A X = B`` (``left=False``: ``X A = B``) for a triangular A:
    only A's upper (``upper=True``) or lower triangle is read.

    Args:
        A (Tensor): (..., n, n).
        B (Tensor): (..., n, k) (left) or (..., k, n) (right), same dtype; batch dims
            broadcast.
        upper (bool): A is upper triangular (keyword only, required).
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        unitriangular (bool): take A's diagonal as ones. Default: False.

    Example:
        >>> A = nl.tensor([[2.0, 1.0], [0.0, 4.0]])
        >>> nl.linalg.solve_triangular(A, nl.tensor([[3.0], [4.0]]), upper=True)
        tensor([[1.],
                [1.]])
    """
    _no_out(out, "linalg.solve_triangular")
    _check(A, "linalg.solve_triangular")
    _check(B, "linalg.solve_triangular", "B", square=False)
    _same_dtype("linalg.solve_triangular", A, B)
    n = A.shape[-1]
    if B.shape[-2 if left else -1] != n:
        raise ShapeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                         f"equation {'AX = B' if left else 'XA = B'} ({tuple(A.shape)} and "
                         f"{tuple(B.shape)})")
    _check_batch("linalg.solve_triangular", A, B)
    if left:
        return SolveTriangular.apply(A, B, bool(upper), bool(unitriangular))
    return _mT(SolveTriangular.apply(_mT(A), _mT(B), not upper, bool(unitriangular)))


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """The Cholesky factor of each symmetric positive-definite matrix of A: lower L with
    ``A = L L^T`` (``upper=True``: U = L^T, ``A = U^T U``). Only A's lower triangle is
    read. (``torch.linalg.cholesky``; ``torch.cholesky(input, upper=False)`` too.)

    Args:
        A (Tensor): (..., n, n), float32 or float64, positive-definite.
        upper (bool): return U = L^T. Default: False.

    Raises:
        LinAlgError: a matrix is not positive-definite (naming the leading minor).

    Example:
        >>> nl.linalg.cholesky(nl.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    _no_out(out, "linalg.cholesky")
    _check(A, "linalg.cholesky")
    return Cholesky.apply(A, bool(upper))


def cholesky_ex(A: Tensor, *, upper: bool = False,
                check_errors: bool = False) -> CholeskyExResult:
    """The Cholesky factor and an int32 ``info`` per matrix: 0 on success, else the order
    of the leading minor that is not positive-definite (that matrix's factor is then nan).

    Args:
        A (Tensor): (..., n, n).
        upper (bool): return U = L^T. Default: False.
        check_errors (bool): raise ``LinAlgError`` on failure. Default: False.

    Returns:
        ``(L, info)``: (..., n, n) and (...).

    Example:
        >>> nl.linalg.cholesky_ex(nl.tensor([[1.0, 2.0], [2.0, 1.0]])).info
        tensor(2, dtype=int32)
    """
    _check(A, "linalg.cholesky_ex")
    try:
        np.linalg.cholesky(A.array)
        ok = True
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        return CholeskyExResult(Cholesky.apply(A, bool(upper)),
                                from_numpy(np.zeros(A.shape[:-2], np.int32)))
    if check_errors:
        raise _not_pd_error("linalg.cholesky_ex", A.array)
    info = _cholesky_info(A.array)
    good = (info == 0)[..., None, None]
    n = A.shape[-1]
    L = np.linalg.cholesky(np.where(good, A.array, np.eye(n, dtype=A.array.dtype)))
    L = np.where(good, _mT(L) if upper else L, np.nan).astype(A.array.dtype)
    return CholeskyExResult(from_numpy(np.ascontiguousarray(L)), from_numpy(info))


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> QRResult:
    """The QR decomposition ``A = Q R``: Q with orthonormal columns, R upper triangular
    (LAPACK's Householder signs, as torch).

    Args:
        A (Tensor): (..., m, n), float32 or float64.
        mode (str): ``'reduced'`` (Q: m x k, R: k x n, k = min(m, n)), ``'complete'``
            (Q: m x m, R: m x n) or ``'r'`` (R only; Q is an empty tensor). Default:
            ``'reduced'``.

    Gradients: for 'reduced' and for 'complete' with m <= n; 'r', and 'complete' with
    m > n, raise on backward (as torch).

    Example:
        >>> Q, R = nl.linalg.qr(nl.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> R
        tensor([[-5. , -2.2],
                [ 0. ,  0.4]])
    """
    _no_out(out, "linalg.qr")
    _check(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: qr received unrecognized mode '{mode}' but expected "
                         f"one of 'reduced' (default), 'r', or 'complete'")
    return QRResult(*QR.apply(A, mode))


def legacy_qr(input: Tensor, some: bool = True) -> QRResult:
    """``torch.qr``: ``linalg.qr`` with ``some=True`` for mode 'reduced' and ``some=False``
    for 'complete'.

    Args:
        input (Tensor): (..., m, n).
        some (bool): the reduced decomposition. Default: True.

    Example:
        >>> Q, R = nl.qr(nl.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> (Q @ R).round()
        tensor([[3., 1.],
                [4., 2.]])
    """
    _check(input, "qr", square=False)
    return QRResult(*QR.apply(input, "reduced" if some else "complete"))


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None,
        out: Any = None) -> SVDResult:
    """The singular value decomposition ``A = U diag(S) Vh`` (``torch.linalg.svd``),
    singular values descending. U and Vh are unique only up to the signs of their
    columns / rows (nnlite's follow NumPy's LAPACK call and may differ from torch's);
    gauge-invariant quantities (``U @ diag(S) @ Vh``, ``U U^T``, S) agree.

    Args:
        A (Tensor): (..., m, n), float32 or float64.
        full_matrices (bool): U (m x m) and Vh (n x n) complete (their extra columns get
            no gradient, as torch); False: U (m x k), Vh (k x n), k = min(m, n).
            Default: True.
        driver: accepted for torch's signature (CUDA only there); must be None.

    Gradients: through S always; through U or Vh only for distinct (and, with m != n,
    non-zero) singular values: repeated ones give inf/nan, as torch.

    Example:
        >>> nl.linalg.svd(nl.tensor([[3.0, 0.0], [0.0, -4.0]])).S
        tensor([4., 3.])
    """
    _no_out(out, "linalg.svd")
    _check(A, "linalg.svd", square=False)
    if driver is not None:
        raise ValueError(f"linalg.svd: driver= is only supported on CUDA inputs, got "
                         f"{driver!r}")
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: Any = None, out: Any = None) -> Tensor:
    """The singular values of each matrix of A, descending (differentiable everywhere:
    gA = U diag(gS) Vh).

    Args:
        A (Tensor): (..., m, n), float32 or float64.

    Shape: (..., m, n) -> (..., min(m, n)).

    Example:
        >>> nl.linalg.svdvals(nl.tensor([[3.0, 0.0], [0.0, -4.0]]))
        tensor([4., 3.])
    """
    _no_out(out, "linalg.svdvals")
    _check(A, "linalg.svdvals", square=False)
    return SVD.apply(A, False)[1]


def legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> LegacySVDResult:
    """``torch.svd``: ``input = U diag(S) V^T`` with V (not Vh) returned.

    Args:
        input (Tensor): (..., m, n).
        some (bool): the reduced decomposition (U: m x k, V: n x k); False: U m x m, V
            n x n. Default: True.
        compute_uv (bool): False: U and V are zero-filled (m x m and n x n) and only S is
            computed. Default: True.

    Returns:
        ``(U, S, V)``.

    Example:
        >>> nl.svd(nl.tensor([[3.0, 0.0], [0.0, -4.0]])).S
        tensor([4., 3.])
    """
    _check(input, "svd", square=False)
    m, n = input.shape[-2:]
    if not compute_uv:
        S = SVD.apply(input, False)[1]
        dt = input.array.dtype
        batch = tuple(input.shape[:-2])
        return LegacySVDResult(from_numpy(np.zeros(batch + (m, m), dt)), S,
                               from_numpy(np.zeros(batch + (n, n), dt)))
    U, S, Vh = SVD.apply(input, not some)
    return LegacySVDResult(U, S, _mT(Vh))


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> EighResult:
    """The eigenvalues (ascending) and orthonormal eigenvectors (columns) of each
    symmetric matrix of A, read from its ``UPLO`` triangle: ``A = V diag(w) V^T``.
    Eigenvectors are unique only up to sign (nnlite's may differ from torch's).

    Args:
        A (Tensor): (..., n, n), float32 or float64, symmetric.
        UPLO (str): ``'L'`` (lower triangle) or ``'U'``. Default: ``'L'``.

    Gradients: through the eigenvalues always; through the eigenvectors only for distinct
    eigenvalues (repeated ones give inf/nan, as torch). The gradient is symmetric.

    Returns:
        ``(eigenvalues, eigenvectors)``: (..., n) and (..., n, n).

    Example:
        >>> nl.linalg.eigh(nl.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
        tensor([1., 3.])
    """
    _no_out(out, "linalg.eigh")
    _check(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got "
                         f"{UPLO!r}")
    return EighResult(*Eigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """The eigenvalues (ascending) of each symmetric matrix of A (gA = V diag(gw) V^T).

    Args:
        A (Tensor): (..., n, n), float32 or float64, symmetric.
        UPLO (str): ``'L'`` or ``'U'``. Default: ``'L'``.

    Shape: (..., n, n) -> (..., n).

    Example:
        >>> nl.linalg.eigvalsh(nl.tensor([[2.0, 1.0], [1.0, 2.0]]))
        tensor([1., 3.])
    """
    return eigh(A, UPLO, out=out)[0]


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
         out: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix of A: singular values at most
    ``max(atol, rtol * S_max)`` count as zero.

    Args:
        A (Tensor): (..., m, n), float32 or float64.
        atol (float or Tensor, optional): absolute tolerance. Default: None (0).
        rtol (float or Tensor, optional): relative tolerance. Default: None, which is
            ``eps * max(m, n)`` when atol is None or 0, else 0 (as torch).
        hermitian (bool): A is symmetric (read through ``eigh``). Default: False.

    Gradient: torch's rule, valid where the rank is constant around A.

    Shape: (..., m, n) -> (..., n, m).

    Example:
        >>> nl.linalg.pinv(nl.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5, 0. ],
                [0. , 0. ]])
    """
    _no_out(out, "linalg.pinv")
    _check(A, "linalg.pinv", square=False)
    if hermitian and A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.pinv: hermitian=True needs square matrices, got shape "
                         f"{A.shape}")
    return Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input: Tensor, rcond: float = 1e-15, hermitian: bool = False) -> Tensor:
    """``torch.pinverse``: ``linalg.pinv(input, rtol=rcond, hermitian=hermitian)``.

    Args:
        input (Tensor): (..., m, n).
        rcond (float): relative tolerance. Default: 1e-15.
        hermitian (bool): input is symmetric. Default: False.

    Example:
        >>> nl.pinverse(nl.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5, 0. ],
                [0. , 0. ]])
    """
    return pinv(input, rtol=rcond, hermitian=hermitian)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
                out: Any = None) -> Tensor:
    """The numerical rank of each matrix of A: its number of singular values above
    ``max(atol, rtol * S_max)`` (tolerances as :func:`pinv`). int64, no gradient.

    Args:
        A (Tensor): (..., m, n).
        atol, rtol (float or Tensor, optional): tolerances. Default: None.
        hermitian (bool): A is symmetric. Default: False.

    Shape: (..., m, n) -> (...).

    Example:
        >>> nl.linalg.matrix_rank(nl.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
    """
    _no_out(out, "linalg.matrix_rank")
    _check(A, "linalg.matrix_rank", square=False)
    a = A.array
    S = (np.abs(np.linalg.eigvalsh(a)) if hermitian
         else np.linalg.svd(a, compute_uv=False))
    tol = _tolerance(S, atol, rtol, np.finfo(a.dtype).eps * max(a.shape[-2:]))
    return from_numpy(np.asarray(np.sum(S > tol[..., None], -1), np.int64))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: Any = None) -> LstsqResult:
    """The least-squares solution X minimising ``||A X - B||`` (the minimum-norm one for
    rank-deficient A), computed as ``pinv(A) @ B`` (so its gradient is pinv's).

    Args:
        A (Tensor): (..., m, n).
        B (Tensor): (..., m, k), or (..., m) with one dim less than A; same dtype.
        rcond (float, optional): singular values below ``rcond * S_max`` count as zero.
            Default: None (eps of the dtype times max(m, n)).
        driver (str, optional): torch's LAPACK driver, which sets what is returned:
            ``'gelsy'`` (the default), ``'gelsd'``, ``'gelss'``, ``'gels'``.

    Returns:
        ``(solution, residuals, rank, singular_values)`` as torch on the CPU:
        ``residuals`` (..., k), the squared residual norms, for drivers other than gelsy
        when m > n and every A is full rank (else empty); ``rank`` (..., int64) for all
        but gels; ``singular_values`` (..., min(m, n)) for gelsd and gelss (else empty).

    Example:
        >>> A = nl.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        >>> nl.linalg.lstsq(A, nl.tensor([[1.0], [2.0], [3.0]])).solution
        tensor([[1.],
                [2.]])
    """
    _check(A, "linalg.lstsq", square=False)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.lstsq: expected B to be a Tensor, got {type(B).__name__}")
    _same_dtype("linalg.lstsq", A, B)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"{_DRIVERS}, got {driver!r}")
    m, n = A.shape[-2:]
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2] != m:
        raise ShapeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2) "
                         f"(A of shape {tuple(A.shape)}, B of shape {tuple(B.shape)})")
    _check_batch("linalg.lstsq", A, Bm)
    dt = A.array.dtype
    eps = np.finfo(dt).eps * max(m, n)
    rtol = eps if rcond is None or rcond < 0 else rcond
    X = Pinv.apply(A, None, rtol, False) @ Bm
    S = np.linalg.svd(A.array, compute_uv=False)
    tol = _tolerance(S, None, rtol, eps)
    rank_arr = np.asarray(np.sum(S > tol[..., None], -1), np.int64)
    empty = from_numpy(np.zeros((0,), dt))
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank_arr == n):
        r = A @ X - Bm
        residuals = (r * r).sum(-2)
    rank = from_numpy(rank_arr) if driver != "gels" else from_numpy(np.zeros((0,), np.int64))
    sv = from_numpy(np.asarray(S)) if driver in ("gelsd", "gelss") else empty
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, sv)


# ============================================================================
# torch's top-level Cholesky helpers
# ============================================================================
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky_solve``: the solution X of ``A X = B`` given A's Cholesky factor
    (``A = L L^T``, or ``A = U^T U`` with ``upper=True``).

    Args:
        B (Tensor): (..., n, k).
        L (Tensor): (..., n, n) lower (upper) triangular; batch dims broadcast with B's.
        upper (bool): L is the upper factor U. Default: False.

    Example:
        >>> L = nl.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> nl.cholesky_solve(nl.tensor([[4.0], [2.0]]), L)
        tensor([[1.],
                [0.]])
    """
    _check(L, "cholesky_solve", "L")
    _check(B, "cholesky_solve", "B", square=False)
    _same_dtype("cholesky_solve", B, L, "B and L")
    if B.shape[-2] != L.shape[-1]:
        raise ShapeError(f"cholesky_solve: Incompatible matrix sizes for the equation A X = "
                         f"B: B {tuple(B.shape)}, L {tuple(L.shape)}")
    _check_batch("cholesky_solve", L, B)
    return CholeskySolve.apply(B, L, bool(upper))


def cholesky_inverse(L: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """``torch.cholesky_inverse``: ``A^-1`` from A's Cholesky factor (``A = L L^T``, or
    ``U^T U`` with ``upper=True``).

    Args:
        L (Tensor): (..., n, n) triangular.
        upper (bool): L is the upper factor. Default: False.

    Example:
        >>> nl.cholesky_inverse(nl.tensor([[2.0, 0.0], [0.0, 1.0]]))
        tensor([[0.25, 0.  ],
                [0.  , 1.  ]])
    """
    _no_out(out, "cholesky_inverse")
    _check(L, "cholesky_inverse", "L")
    eye = np.broadcast_to(np.eye(L.shape[-1], dtype=L.array.dtype), L.shape)
    return cholesky_solve(from_numpy(np.ascontiguousarray(eye)), L, upper)


def legacy_cholesky(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """``torch.cholesky(input, upper=False)``: :func:`nnlite.linalg.cholesky` with
    ``upper`` positional.

    Example:
        >>> nl.cholesky(nl.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    _no_out(out, "cholesky")
    _check(input, "cholesky")
    return Cholesky.apply(input, bool(upper))


TENSOR_METHODS = {
    "det": det, "slogdet": slogdet, "logdet": logdet, "inverse": inverse,
    "pinverse": pinverse, "cholesky": legacy_cholesky, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "svd": legacy_svd, "qr": legacy_qr,
}
