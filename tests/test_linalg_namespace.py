"""The ``nnlite.linalg`` namespace (torch.linalg's face), the top-level linear-algebra
functions and their Tensor methods: each name exists, is torch's, and is the op of
nnlite/ops/decompositions.py or matrix_functions.py (their own tests check the math)."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite
import nnlite as torch_like

LINALG = ["cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh",
          "inv", "inv_ex", "lstsq", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
          "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
          "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vecdot",
          "vector_norm"]
TOP = ["det", "logdet", "slogdet", "inverse", "pinverse", "cholesky", "cholesky_solve",
       "cholesky_inverse", "qr", "svd", "matrix_power", "matrix_exp", "cross"]
METHODS = ["det", "logdet", "slogdet", "inverse", "pinverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "qr", "svd", "matrix_power", "matrix_exp", "cross"]


def test_import_nnlite_as_torch_gives_torch_linalg() -> None:
    A = torch_like.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch_like.float64)
    U, S, Vh = torch_like.linalg.svd(A)
    np.testing.assert_allclose(S.array, np.linalg.svd(A.array, compute_uv=False))
    assert torch_like.linalg.det(A).item() == pytest.approx(5.0)
    from nnlite import linalg
    assert linalg is nnlite.linalg and set(LINALG) <= set(linalg.__all__)


@pytest.mark.parametrize("name", LINALG)
def test_every_linalg_name_is_torchs(torch, name: str) -> None:
    assert callable(getattr(nnlite.linalg, name))
    assert hasattr(torch.linalg, name), f"torch.linalg has no {name}"


@pytest.mark.parametrize("name", TOP)
def test_top_level_names(torch, name: str) -> None:
    assert callable(getattr(nnlite, name)) and hasattr(torch, name)


@pytest.mark.parametrize("name", METHODS)
def test_tensor_methods(torch, name: str) -> None:
    assert callable(getattr(nnlite.Tensor, name)) and hasattr(torch.Tensor, name)


def test_aliases_share_the_op() -> None:
    assert nnlite.det is nnlite.linalg.det and nnlite.slogdet is nnlite.linalg.slogdet
    assert nnlite.linalg.vector_norm is nnlite.ops.vector_norm
    assert nnlite.matrix_exp is nnlite.linalg.matrix_exp


def test_linalg_error_is_a_runtime_error(torch) -> None:
    assert issubclass(nnlite.linalg.LinAlgError, RuntimeError)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        nnlite.linalg.inv(nnlite.zeros(2, 2))


def test_complex_results_are_absent() -> None:
    """nnlite has no complex tensors: eig and eigvals (complex for non-symmetric
    matrices) are not provided; eigh / eigvalsh are."""
    assert not hasattr(nnlite.linalg, "eig") and not hasattr(nnlite.linalg, "eigvals")


def test_legacy_svd_returns_v_and_linalg_svd_vh() -> None:
    a = nnlite.tensor(np.random.default_rng(0).standard_normal((4, 3)))
    U, S, V = nnlite.svd(a)
    U2, S2, Vh = nnlite.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(np.abs(V.array), np.abs(Vh.array.T), atol=1e-12)
    assert a.svd().V.shape == (3, 3) and nnlite.linalg.svd(a).Vh.shape == (3, 3)
