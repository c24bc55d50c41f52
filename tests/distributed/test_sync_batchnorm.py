"""SyncBatchNorm (nnlite/nn/sync_batchnorm.py, nnlite/ops/sync_batch_norm.py): on 2
processes under mpiexec, workers/sync_batchnorm.py checks it against BatchNorm on the
global batch (one layer with uneven batches in float64, and a converted net in DDP);
here, that without a process group it is BatchNorm, and convert_sync_batchnorm."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import nn

from ._mpi import run_workers


def test_sync_batchnorm_on_two_processes():
    run_workers("sync_batchnorm.py")


def test_without_a_group_it_is_batchnorm():
    sync = nn.SyncBatchNorm(3, momentum=0.3, dtype=nl.float64)
    bn = nn.BatchNorm3d(3, momentum=0.3, dtype=nl.float64)
    x = nl.randn(4, 3, 2, 3, 2, dtype=nl.float64)
    for m in (sync, bn):
        nn.init.normal_(m.weight)
    bn.load_state_dict(sync.state_dict())
    xs, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ys, yb = sync(xs), bn(xb)
    (ys * ys).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_array_equal(ys.numpy(), yb.numpy())
    np.testing.assert_array_equal(xs.grad.numpy(), xb.grad.numpy())
    np.testing.assert_array_equal(sync.running_var.numpy(), bn.running_var.numpy())
    with pytest.raises(ValueError, match="expected at least 2D input"):
        sync(nl.randn(3))
    with pytest.raises(ValueError, match="expected input with 3 channels"):
        sync(nl.randn(4, 2))


def test_convert_sync_batchnorm_shares_parameters_and_statistics():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4, momentum=None),
                        nn.Sequential(nn.Flatten(), nn.BatchNorm1d(36, affine=False)))
    net(nl.randn(2, 1, 5, 5))                      # running statistics to carry over
    net[1].eval()
    bn1, bn2 = net[1], net[2][1]
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net and isinstance(net[1], nn.SyncBatchNorm)
    assert isinstance(net[2][1], nn.SyncBatchNorm) and net[2][1].weight is None
    new = net[1]
    assert new.weight is bn1.weight and new.bias is bn1.bias and new.momentum is None
    assert new.running_mean is bn1.running_mean and new.num_batches_tracked.item() == 1
    assert not new.training and net[2][1].running_var is bn2.running_var
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                      "1.running_mean", "1.running_var",
                                      "1.num_batches_tracked", "2.1.running_mean",
                                      "2.1.running_var", "2.1.num_batches_tracked"]
    layer = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(5))
    assert type(layer) is nn.SyncBatchNorm and layer.num_features == 5
