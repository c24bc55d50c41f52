"""Tests of nnlite/nn/lazy.py: LazyLinear, LazyConv1d/2d/3d, LazyBatchNorm1d/2d and the
placeholders UninitializedParameter / UninitializedBuffer.

Against torch: the state_dict keys before and after the first forward, the class the
module becomes, its repr, and the output after loading torch's materialized weights.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn

CASES = [("LazyLinear", (4,), (3, 5)), ("LazyLinear", (2, False), (2, 3, 6)),
         ("LazyConv1d", (4, 3), (2, 6, 8)), ("LazyConv2d", (4, 3, 1, 1, 1, 2), (6, 8, 8)),
         ("LazyConv3d", (4, 2), (2, 6, 3, 4, 4)), ("LazyBatchNorm1d", (), (4, 3)),
         ("LazyBatchNorm2d", (), (2, 3, 4, 4))]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name, args, shape", CASES)
def test_first_forward_materializes(torch, name, args, shape):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    params = list(ours.parameters())
    assert all(isinstance(p, nn.UninitializedParameter) for p in params)
    y, yt = ours(nl.randn(*shape)), theirs(torch.randn(*shape))
    assert y.shape == tuple(yt.shape)
    assert type(ours).__name__ == type(theirs).__name__ == name[4:]
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(a is b for a, b in zip(params, ours.parameters()))   # identities kept
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert not ours._forward_pre_hooks
    fresh = getattr(nn, name)(*args)
    fresh.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(fresh.eval()(nl.tensor(x)).numpy(),
                               theirs.eval()(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_optimizer_built_before_first_forward_trains():
    m = nn.LazyLinear(2)
    opt = nl.optim.SGD(m.parameters(), lr=0.1)
    x = nl.randn(4, 3)
    m(x).sum().backward()
    w = m.weight.numpy().copy()
    opt.step()
    assert not np.allclose(m.weight.numpy(), w)


def test_default_init_and_dtype():
    nl.manual_seed(0)
    m = nn.LazyConv2d(5, 3, dtype=nl.float64)
    m(nl.randn(1, 4, 6, 6).double())
    bound = 1 / np.sqrt(4 * 9)
    assert m.weight.dtype == np.float64 and np.abs(m.weight.numpy()).max() <= bound
    bn = nn.LazyBatchNorm2d()
    bn(nl.randn(2, 3, 2, 2))
    np.testing.assert_array_equal(bn.weight.numpy(), 1)
    assert bn.num_batches_tracked.item() == 1


def test_placeholders():
    p = nn.UninitializedParameter()
    assert p.shape == (0,) and p.requires_grad
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == np.float32
    b = nn.UninitializedBuffer(dtype=nl.float64)
    b.materialize(4)
    assert type(b) is nl.Tensor and b.shape == (4,) and b.dtype == np.float64
    with pytest.raises(ValueError, match="CPU only"):
        nn.UninitializedParameter().materialize(3, device="cuda")


def test_errors():
    with pytest.raises(ValueError, match=r"LazyConv2d: expected 3-D \(unbatched\) or 4-D"):
        nn.LazyConv2d(3, 3)(nl.randn(4, 4))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(nl.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="LazyBatchNorm2d: expected 4D"):
        nn.LazyBatchNorm2d()(nl.randn(2, 3))
    m = nn.LazyLinear(2)
    with pytest.raises(TypeError, match="expected a Tensor"):
        m([1.0, 2.0])
    with pytest.raises(ValueError, match="can't have uninitialized"):
        nn.utils.weight_norm(nn.LazyLinear(2))


def test_torch_import_paths(torch):
    from nnlite.nn.modules.batchnorm import LazyBatchNorm1d
    from nnlite.nn.modules.conv import LazyConv3d
    from nnlite.nn.modules.lazy import LazyModuleMixin
    from nnlite.nn.modules.linear import LazyLinear
    from torch.nn.modules.lazy import LazyModuleMixin as TorchMixin  # noqa: F401
    assert LazyLinear is nn.LazyLinear and LazyConv3d is nn.LazyConv3d
    assert LazyBatchNorm1d is nn.LazyBatchNorm1d
    assert isinstance(nn.LazyLinear(2), LazyModuleMixin)
