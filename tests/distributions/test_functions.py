"""The package's own special function (``_functions.py``) against torch and central
differences: gammainc. erfinv, lgamma, digamma, expm1, floor, atan, tan, xlogy, cholesky
and triangular solves are nnlite.ops' (tested in tests/ops)."""
from __future__ import annotations

import numpy as np

import nnlite as nl
from nnlite.distributions import _functions as F
from tests.ops._parity import check_parity, gradcheck

R = np.random.default_rng(5)
UNIT = R.uniform(-0.99, 0.99, (3, 4))


def test_gammainc(torch):
    a, x = R.uniform(0.2, 30, 12), R.uniform(0.0, 40, 12)
    out = F.gammainc(nl.tensor(a), nl.tensor(x))
    np.testing.assert_allclose(out.numpy(), torch.special.gammainc(torch.tensor(a),
                                                                   torch.tensor(x)).numpy(),
                               rtol=1e-8, atol=1e-14)
    check_parity(torch, lambda x_: F.gammainc(nl.tensor(a), x_),
                 lambda x_: torch.special.gammainc(torch.tensor(a), x_), [x], rtol=1e-8)
    assert nl.gradcheck(F.gammainc, [nl.tensor(a[:5], requires_grad=True),
                                     nl.tensor(x[:5] + 0.1, requires_grad=True)],
                        atol=1e-6, rtol=1e-4)
