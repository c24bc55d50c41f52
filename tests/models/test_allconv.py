"""Tests of nnlite/models/allconv.py: All-CNN-C (Springenberg et al. 2015).

* the layer table: every map size of Table 2 (32 -> 16 -> 8 -> 6 -> 1), the paper's
  parameter count, no pooling layer but the global average, dropout where the paper puts
  it (input 20%, after each strided convolution 50%);
* forward / backward shapes, every parameter gets a gradient; the small variant;
* parity with the same network written in torch (keys, shapes, eval outputs and
  gradients, weights copied by state_dict);
* initialisation (He normal, zero biases) keeps the activations' scale through the stack;
* learning: the small net fits 256 MNIST digits;
* bad input.
"""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, nn, optim
from nnlite.models.allconv import AllCNN, ConvReLU, allcnn_c, allcnn_c_small


def images(n=2, c=3, size=32, seed=0):
    return nl.tensor(np.random.default_rng(seed).standard_normal((n, c, size, size))
                     .astype(np.float32))


# ============================================================================
# The layer table
# ============================================================================
def test_map_sizes_follow_table_2():
    model = allcnn_c().eval()
    x = images()
    sizes = []
    for layer in model.features:
        x = layer(x)
        if isinstance(layer, ConvReLU):
            sizes.append(tuple(x.shape[1:]))
    for layer in model.classifier:
        x = layer(x)
        if not isinstance(layer, nn.ReLU):
            sizes.append(tuple(x.shape[1:]))
    assert sizes == [(96, 32, 32), (96, 32, 32), (96, 16, 16),         # stride 2 replaces
                     (192, 16, 16), (192, 16, 16), (192, 8, 8),        # each max-pool
                     (192, 6, 6), (192, 6, 6), (10, 6, 6)]             # 3x3 unpadded, 1x1s
    assert model.avgpool(x).shape == (2, 10, 1, 1)


def test_parameter_counts_and_builders():
    count = lambda m: sum(p.numel() for p in m.parameters())
    assert count(allcnn_c()) == 1_369_738
    assert count(allcnn_c(num_classes=100)) == 1_369_738 + 90 * 193
    assert count(allcnn_c_small()) == 152_906
    assert allcnn_c_small().widths == (32, 64)
    assert allcnn_c_small().features[1][0].in_channels == 1
    for name in ("AllCNN", "allcnn_c", "allcnn_c_small"):
        assert name in models.__all__


def test_convolutions_only_and_dropout_where_the_paper_puts_it():
    model = allcnn_c()
    kinds = {type(m).__name__ for m in model.modules()}
    assert not kinds & {"MaxPool2d", "AvgPool2d", "Linear"}
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) == 9
    strided = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.stride == (2, 2)]
    assert len(strided) == 2 and all(m.kernel_size == (3, 3) for m in strided)
    drops = [(i, m.p) for i, m in enumerate(model.features) if isinstance(m, nn.Dropout)]
    assert drops == [(0, 0.2), (4, 0.5), (8, 0.5)]               # input, after each stride 2
    assert isinstance(model.classifier[-1], nn.ReLU)             # Table 2: "1x1 conv 10 ReLU"
    assert isinstance(AllCNN(final_relu=False).classifier[-1], nn.Identity)


# ============================================================================
# Forward and backward
# ============================================================================
@pytest.mark.parametrize("build,c", [(allcnn_c, 3), (allcnn_c_small, 1)])
def test_forward_backward(build, c):
    model = build()
    out = model(images(c=c))
    assert out.shape == (2, 10) and out.dtype == np.float32
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    (out * nl.tensor(g)).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
    model.eval()
    np.testing.assert_array_equal(model(images(c=c)).numpy(), model(images(c=c)).numpy())
    assert model(images(c=c, size=28)).shape == (2, 10)          # any size >= 9 works


def test_init_keeps_the_scale_through_the_stack():
    nl.manual_seed(0)
    model = allcnn_c_small(final_relu=False).eval()
    x = images(8, 1)
    for layer in list(model.features) + list(model.classifier)[:2]:
        x = layer(x)
    rms = float(np.sqrt((x.numpy() ** 2).mean()))
    assert 0.3 < rms < 3.0, rms                                   # neither vanished nor blown
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            assert not m.bias.numpy().any()


# ============================================================================
# Parity with torch
# ============================================================================
def _torch_allcnn(torch, c_in, c1, c2, k):
    nn_ = torch.nn

    def conv_relu(i, o, ks, s=1, p=0):
        return nn_.Sequential(nn_.Conv2d(i, o, ks, s, p), nn_.ReLU())

    class TorchAllCNN(nn_.Module):
        def __init__(self):
            super().__init__()
            self.features = nn_.Sequential(
                nn_.Dropout(0.2), conv_relu(c_in, c1, 3, 1, 1), conv_relu(c1, c1, 3, 1, 1),
                conv_relu(c1, c1, 3, 2, 1), nn_.Dropout(0.5), conv_relu(c1, c2, 3, 1, 1),
                conv_relu(c2, c2, 3, 1, 1), conv_relu(c2, c2, 3, 2, 1), nn_.Dropout(0.5))
            self.classifier = nn_.Sequential(conv_relu(c2, c2, 3), conv_relu(c2, c2, 1),
                                             nn_.Conv2d(c2, k, 1), nn_.ReLU())
            self.avgpool = nn_.AdaptiveAvgPool2d(1)

        def forward(self, x):
            return self.avgpool(self.classifier(self.features(x))).flatten(1)

    return TorchAllCNN()


def test_outputs_and_gradients_equal_torch(torch):
    torch.manual_seed(0)
    ref = _torch_allcnn(torch, 3, 12, 20, 10).eval()
    with torch.no_grad():                  # biases off zero, so the ReLUs see both signs
        for m in ref.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.bias.normal_(0, 0.05)
    model = AllCNN(10, 3, widths=(12, 20)).eval()
    ours, theirs = model.state_dict(), ref.state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[k].shape == tuple(theirs[k].shape) for k in ours)
    model.load_state_dict({k: v.numpy() for k, v in theirs.items()})
    x = np.random.default_rng(0).standard_normal((3, 3, 32, 32)).astype(np.float32)
    y = np.array([1, 4, 9])
    out = model(nl.tensor(x))
    F.cross_entropy(out, nl.tensor(y)).backward()
    t_out = ref(torch.from_numpy(x))
    torch.nn.functional.cross_entropy(t_out, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    t_params = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), t_params[name].grad.numpy(), rtol=1e-3,
                                   atol=1e-5, err_msg=name)


# ============================================================================
# Learning
# ============================================================================
def test_small_net_fits_mnist_digits():
    from nnlite.data import DatasetNotFoundError
    from nnlite.data.datasets import MNIST
    try:
        mnist = MNIST(train=True)
    except DatasetNotFoundError:
        pytest.skip("MNIST is not in data/")
    x = np.pad(mnist.data[:256], ((0, 0), (2, 2), (2, 2))).astype(np.float32) / 255.0
    x = nl.tensor((x[:, None] - 0.1) / 0.3)                       # (256, 1, 32, 32)
    y = nl.tensor(mnist.targets[:256].astype(np.int64))
    nl.manual_seed(0)
    model = AllCNN(10, 1, widths=(8, 16), input_dropout=0.0, dropout=0.0)
    opt = optim.Adam(model.parameters(), lr=3e-3)       # 0.85 after 120 steps (chance 0.1)
    for step in range(120):
        sel = np.random.default_rng(step).permutation(256)[:64]
        opt.zero_grad()
        F.cross_entropy(model(x[sel]), y[sel]).backward()
        opt.step()
    with nl.no_grad():
        acc = (model.eval()(x).numpy().argmax(1) == y.numpy()).mean()
    assert acc >= 0.6, acc


# ============================================================================
# Bad input
# ============================================================================
def test_bad_input():
    with pytest.raises(ValueError, match="widths must be two positive"):
        AllCNN(widths=(96,))
    with pytest.raises(ValueError, match="widths must be two positive"):
        AllCNN(widths=(0, 8))
    with pytest.raises(ValueError, match=r"H, W >= 9 .* got shape \(2, 1, 8, 8\)"):
        allcnn_c_small()(images(c=1, size=8))
    with pytest.raises(ValueError, match=r"got shape \(1, 32, 32\)"):
        allcnn_c_small()(nl.randn(1, 32, 32))
