"""``nnlite.linalg``: torch.linalg's functions (``import nnlite as torch;
torch.linalg.svd(A)``), all batched over leading dims and differentiable where torch's
are. The ops live in ``nnlite/ops/decompositions.py`` (det, inv, solve, cholesky, qr, svd,
eigh, pinv, lstsq, ...), ``nnlite/ops/matrix_functions.py`` (matrix_exp, matrix_power,
multi_dot, the matrix norms, ...), ``nnlite/ops/norms.py`` (vector_norm) and
``nnlite/ops/linalg.py`` (matmul).

nnlite has no complex tensors, so ``eig``, ``eigvals`` (complex results for non-symmetric
matrices) are not here; ``eigh`` / ``eigvalsh`` cover symmetric matrices.
"""
from .ops.decompositions import (LinAlgError, cholesky, cholesky_ex, det, eigh, eigvalsh, inv,
                                 inv_ex, lstsq, matrix_rank, pinv, qr, slogdet, solve,
                                 solve_triangular, svd, svdvals)
from .ops.linalg import matmul
from .ops.matrix_functions import (cond, cross, diagonal, matrix_exp, matrix_norm,
                                   matrix_power, multi_dot, norm, tensorinv, tensorsolve,
                                   vecdot)
from .ops.norms import vector_norm

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal",
           "eigh", "eigvalsh", "inv", "inv_ex", "lstsq", "matmul", "matrix_exp",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "solve_triangular", "svd", "svdvals", "tensorinv",
           "tensorsolve", "vecdot", "vector_norm"]
