"""Tests of nnlite/models: every builder's exact parameter count, forward and backward;
torchvision's state_dict layout and outputs (against torch re-implementations in
_torch_reference.py); and the paper-specific parts -- LeNet-5's per-layer counts, C3
table, RBF layer and losses, AlexNet's towers and LRN, ZFNet's sizes, option-A
shortcuts, GoogLeNet's auxiliary heads.

The heavy models run at the smallest input their pooling accepts (VGG at 32x32,
AlexNet at 64x64); the nominal sizes are checked forward-only under ``no_grad``.
"""
import contextlib
import gzip
import math
from pathlib import Path

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, nn, optim
from nnlite.models.googlenet import INCEPTION_CFG
from nnlite.models.lenet import (C3_TABLE, PartialConv2d, RBF, ScaledTanh, Subsampling,
                                 rbf_codes)
from nnlite.models.resnet import ShortcutA
from nnlite.models.vgg import cfgs, make_layers

try:  # LeNet's matrices are tiny: one BLAS thread beats two on busy shared cores
    from threadpoolctl import threadpool_limits
except ImportError:
    def threadpool_limits(limits=None):
        return contextlib.nullcontext()

def n_params(model):
    return sum(p.numel() for p in model.parameters())


# ============================================================================
# Every builder: exact parameter count, forward and backward on a tiny batch
# ============================================================================
# (builder, kwargs, parameters, input shape, output shape). Counts are torchvision's
# where it has the model, the paper's for LeNet-5 and AlexNetClassic, He et al.'s
# Table 6 ("0.27M" ...) for the CIFAR ResNets.
NO_INIT = {"init_weights": False}
BUILDERS = [
    ("lenet5", {}, 61_706, (2, 1, 28, 28), (2, 10)),
    ("lenet5_classic", {}, 60_000, (2, 1, 28, 28), (2, 10)),
    ("alexnet", {}, 61_100_840, (2, 3, 64, 64), (2, 1000)),
    ("alexnet_classic", {}, 60_965_224, (2, 3, 67, 67), (2, 1000)),
    ("alexnet_small", {}, 5_871_434, (2, 3, 32, 32), (2, 10)),
    ("zfnet", {}, 62_357_608, (2, 3, 63, 63), (2, 1000)),
    ("vgg11", {}, 132_863_336, (1, 3, 32, 32), (1, 1000)),
    ("vgg11_bn", {}, 132_868_840, (1, 3, 32, 32), (1, 1000)),
    # init_weights=False only skips re-drawing ~130M numbers (the VGG init policy is
    # tested on vgg11_bn below); the layers and counts are the builders' own.
    ("vgg13", NO_INIT, 133_047_848, (1, 3, 32, 32), (1, 1000)),
    ("vgg13_bn", NO_INIT, 133_053_736, (1, 3, 32, 32), (1, 1000)),
    ("vgg16", NO_INIT, 138_357_544, (1, 3, 32, 32), (1, 1000)),
    ("vgg16_bn", NO_INIT, 138_365_992, (1, 3, 32, 32), (1, 1000)),
    ("vgg19", NO_INIT, 143_667_240, (1, 3, 32, 32), (1, 1000)),
    ("vgg19_bn", NO_INIT, 143_678_248, (1, 3, 32, 32), (1, 1000)),
    ("googlenet", {}, 6_624_904, (2, 3, 32, 32), (2, 1000)),
    ("googlenet", {"aux_logits": True}, 13_004_888, (2, 3, 64, 64), (2, 1000)),
    ("googlenet", {"branch3_kernel_size": 5}, 7_005_832, (2, 3, 32, 32), (2, 1000)),
    ("resnet18", {}, 11_689_512, (2, 3, 64, 64), (2, 1000)),
    ("resnet34", {}, 21_797_672, (2, 3, 32, 32), (2, 1000)),
    ("resnet50", {}, 25_557_032, (2, 3, 32, 32), (2, 1000)),
    ("resnet101", {}, 44_549_160, (2, 3, 32, 32), (2, 1000)),
    ("resnet152", {}, 60_192_808, (2, 3, 32, 32), (2, 1000)),
    ("resnet20", {}, 269_722, (2, 3, 32, 32), (2, 10)),
    ("resnet20", {"shortcut": "B"}, 272_474, (2, 3, 32, 32), (2, 10)),
    ("resnet32", {}, 464_154, (2, 3, 32, 32), (2, 10)),
    ("resnet44", {}, 658_586, (2, 3, 32, 32), (2, 10)),
    ("resnet56", {}, 853_018, (2, 3, 32, 32), (2, 10)),
    ("resnet110", {}, 1_727_962, (2, 3, 32, 32), (2, 10)),
]


@pytest.mark.parametrize("name, kwargs, count, in_shape, out_shape", BUILDERS,
                         ids=[f"{b[0]}{''.join(f'-{k}={v}' for k, v in b[1].items())}"
                              for b in BUILDERS])
def test_builder_count_forward_backward(name, kwargs, count, in_shape, out_shape):
    model = getattr(models, name)(**kwargs)
    assert n_params(model) == count
    model.train()
    x = nl.randn(*in_shape, requires_grad=True)
    out = model(x)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    for o in outs:
        assert o.shape == out_shape and o.dtype == np.float32
        assert np.isfinite(o.numpy()).all()
    upstream = [nl.tensor(np.random.randn(*o.shape).astype(np.float32)) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, upstream))
    loss.backward()
    assert x.grad is not None and x.grad.shape == in_shape and np.abs(x.grad).sum() > 0
    for key, p in model.named_parameters():
        assert p.grad is not None, key
        assert p.grad.shape == p.shape and np.isfinite(p.grad).all(), key


def test_builders_exported():
    for name in {b[0] for b in BUILDERS}:
        assert name in models.__all__
    assert models.resnet20().fc.out_features == 10
    assert models.resnet18(num_classes=7).fc.out_features == 7


# ============================================================================
# torchvision's layout: keys, order, shapes and outputs (torch re-implementations)
# ============================================================================
OURS = {
    "alexnet": lambda: models.alexnet(),
    "vgg11": lambda: models.vgg11(init_weights=False),
    "vgg11_bn": lambda: models.vgg11_bn(init_weights=False),
    "resnet18": lambda: models.resnet18(),
    "resnet50": lambda: models.resnet50(),
    "googlenet": lambda: models.googlenet(),
    "googlenet_aux": lambda: models.googlenet(aux_logits=True),
}


@pytest.mark.parametrize("name", list(OURS))
def test_state_dict_layout_equals_torchvision(torch, name):
    from ._torch_reference import REFERENCES
    ref = REFERENCES[name]().state_dict()
    ours = OURS[name]().state_dict()
    assert list(ours) == list(ref)                     # same keys, same order
    for key, value in ours.items():
        assert value.shape == tuple(ref[key].shape), key
    assert sum(v.numel() for k, v in ref.items() if "running" not in k
               and "num_batches" not in k) == sum(
        v.size for k, v in ours.items() if "running" not in k and "num_batches" not in k)


def _copy_from_torch(torch, ours, ref):
    """Load torch weights into the nnlite model by name; give BatchNorm layers
    non-trivial running statistics first, so eval mode is really tested."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    result = ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


@pytest.mark.parametrize("name, size", [("alexnet", 64), ("vgg11_bn", 32), ("resnet18", 64),
                                        ("resnet50", 32), ("googlenet", 64)])
def test_eval_outputs_equal_torchvision_layout(torch, name, size):
    from ._torch_reference import REFERENCES
    torch.manual_seed(0)
    ref = REFERENCES[name]().eval()
    ours = OURS[name]().eval()
    _copy_from_torch(torch, ours, ref)
    x = np.random.randn(2, 3, size, size).astype(np.float32)
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    with nl.no_grad():
        got = ours(nl.tensor(x)).numpy()
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * scale)


def test_resnet18_training_step_equals_torch(torch):
    """Train mode (batch statistics) forward and backward, through every block."""
    from ._torch_reference import REFERENCES
    torch.manual_seed(0)
    ref = REFERENCES["resnet18"]().train()
    ours = models.resnet18().train()
    _copy_from_torch(torch, ours, ref)
    x = np.random.randn(2, 3, 64, 64).astype(np.float32)
    g = np.random.randn(2, 1000).astype(np.float32)
    xt = torch.from_numpy(x).requires_grad_()
    (ref(xt) * torch.from_numpy(g)).sum().backward()
    xn = nl.tensor(x, requires_grad=True)
    (ours(xn) * nl.tensor(g)).sum().backward()
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), rtol=0,
                               atol=1e-4 * np.abs(xt.grad.numpy()).max())
    ref_params = dict(ref.named_parameters())
    for key in ("conv1.weight", "layer1.0.bn1.weight", "layer4.1.conv2.weight",
                "layer3.0.downsample.0.weight", "fc.weight", "fc.bias"):
        expected = ref_params[key].grad.numpy()
        got = ours.get_parameter(key).grad
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * np.abs(expected).max(),
                                   err_msg=key)
    sd_ref = ref.state_dict()
    for key in ("bn1.running_mean", "layer2.1.bn2.running_var", "bn1.num_batches_tracked"):
        np.testing.assert_allclose(ours.state_dict()[key], sd_ref[key].numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=key)


# ============================================================================
# LeNet-5
# ============================================================================
# Table I of LeCun et al. 1998 as printed: rows are S2 maps 0-5, columns C3 maps 0-15.
PAPER_TABLE_I = [
    "X   XXX  XXXX XX",
    "XX   XXX  XXXX X",
    "XXX   XXX  X XXX",
    " XXX  XXXX  X XX",
    "  XXX  XXXX XX X",
    "   XXX  XXXX XXX",
]


def test_lenet5_classic_per_layer_counts_equal_the_paper():
    model = models.LeNet5Classic()
    assert dict(model.parameter_counts()) == {
        "C1": 156, "S2": 12, "C3": 1_516, "S4": 32, "C5": 48_120, "F6": 10_164, "RBF": 0}
    assert n_params(model) == 60_000
    assert model.c3.weight.shape == (60, 5, 5) and model.c3.bias.shape == (16,)


def test_lenet5_per_layer_counts():
    assert dict(models.LeNet5().parameter_counts()) == {
        "C1": 156, "S2": 0, "C3": 2_416, "S4": 0, "C5": 48_120, "F6": 10_164, "OUTPUT": 850}


def test_c3_connection_table_is_table_one():
    expected = np.array([[c == "X" for c in row] for row in PAPER_TABLE_I])
    assert (PartialConv2d().connection_matrix() == expected).all()
    assert expected.sum() == 60
    # the structure the paper describes
    def cyclic_run(maps, n):
        return any(set(maps) == {(s + k) % 6 for k in range(n)} for s in range(6))
    assert all(len(C3_TABLE[o]) == 3 and cyclic_run(C3_TABLE[o], 3) for o in range(6))
    assert all(len(C3_TABLE[o]) == 4 and cyclic_run(C3_TABLE[o], 4) for o in range(6, 12))
    assert all(len(C3_TABLE[o]) == 4 and not cyclic_run(C3_TABLE[o], 4) for o in range(12, 15))
    assert set(C3_TABLE[15]) == set(range(6))


def _naive_partial_conv(x, weight, bias, table):
    """y[n, o] = b[o] + sum over the connections (o, i) of the valid cross-correlation
    of x[n, i] with that connection's kernel -- loops, no im2col."""
    n, _, h, w = x.shape
    k = weight.shape[-1]
    y = np.zeros((n, len(table), h - k + 1, w - k + 1))
    conn = 0
    for o, maps in enumerate(table):
        y[:, o] += bias[o]
        for i in maps:
            for r in range(h - k + 1):
                for c in range(w - k + 1):
                    y[:, o, r, c] += (x[:, i, r:r + k, c:c + k] * weight[conn]).sum(axis=(1, 2))
            conn += 1
    return y


def _check_parameter_grads(module, x, eps=1e-6):
    """Central differences on every element of every parameter of a float64 module,
    against backward, for a random upstream gradient."""
    g = np.random.randn(*module(x).shape)
    module.zero_grad()
    (module(x) * nl.tensor(g)).sum().backward()
    for name, p in module.named_parameters():
        numeric = np.zeros(p.shape)
        for i in np.ndindex(*p.shape):
            old = p.array[i]
            p.array[i] = old + eps
            up = (module(x).numpy() * g).sum()
            p.array[i] = old - eps
            down = (module(x).numpy() * g).sum()
            p.array[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(p.grad, numeric, rtol=1e-5, atol=1e-7, err_msg=name)


def test_partial_conv_equals_naive_loops_and_gradcheck():
    layer = PartialConv2d().double()
    x = np.random.randn(2, 6, 7, 8)
    y = layer(nl.tensor(x)).numpy()
    expected = _naive_partial_conv(x, layer.weight.numpy(), layer.bias.numpy(), C3_TABLE)
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)
    # the dense weight is zero exactly where Table I has no X
    nonzero = np.abs(layer.dense_weight().numpy()).sum(axis=(2, 3)) > 0     # (16, 6)
    assert (nonzero.T == layer.connection_matrix()).all()
    small = PartialConv2d(kernel_size=2).double()
    xs = nl.tensor(np.random.randn(1, 6, 3, 3), requires_grad=True)
    assert nl.gradcheck(lambda x_: small(x_), [xs])
    _check_parameter_grads(small, xs.detach())


def test_subsampling_is_trainable_sum_pool():
    layer = Subsampling(3).double()
    x = np.random.randn(2, 3, 4, 6)
    y = layer(nl.tensor(x)).numpy()
    s = x[:, :, 0::2, 0::2] + x[:, :, 1::2, 0::2] + x[:, :, 0::2, 1::2] + x[:, :, 1::2, 1::2]
    w, b = layer.weight.numpy()[None, :, None, None], layer.bias.numpy()[None, :, None, None]
    np.testing.assert_allclose(y, s * w + b, rtol=1e-12)
    assert nl.gradcheck(lambda x_: layer(x_), [nl.tensor(x, requires_grad=True)])
    _check_parameter_grads(layer, nl.tensor(x))
    with pytest.raises(ValueError, match="even"):
        layer(nl.randn(1, 3, 5, 4).double())


def test_scaled_tanh():
    f = ScaledTanh()
    y = f(nl.tensor(np.array([-1.0, 0.0, 1.0, 100.0], dtype=np.float32)))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), [-1.0, 0.0, 1.0, 1.7159], atol=2e-4)


def test_rbf_codes_are_orthogonal_balanced_and_fixed():
    codes = rbf_codes(83)
    assert codes.shape == (83, 84) and set(np.unique(codes)) == {-1.0, 1.0}
    np.testing.assert_array_equal(codes @ codes.T, 84 * np.eye(83))   # Hadamard rows
    np.testing.assert_array_equal(codes.sum(axis=1), 0)               # 42 +1, 42 -1
    np.testing.assert_array_equal(rbf_codes(10), codes[:10])
    a, b = models.LeNet5Classic(), models.LeNet5Classic()
    np.testing.assert_array_equal(a.rbf.codes.numpy(), b.rbf.codes.numpy())
    with pytest.raises(ValueError):
        rbf_codes(84)
    with pytest.raises(ValueError):
        rbf_codes(10, size=85)


def test_rbf_output_is_squared_euclidean_distance():
    layer = RBF(84, 10).double()
    assert n_params(layer) == 0 and "codes" in layer.state_dict()
    x = np.random.randn(3, 84)
    y = layer(nl.tensor(x)).numpy()
    expected = ((x[:, None, :] - rbf_codes(10)[None].astype(np.float64)) ** 2).sum(-1)
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_rbf_loss_criteria():
    p = np.abs(np.random.randn(4, 10)) * 30
    t = np.array([3, 0, 9, 3])
    pen = nl.tensor(p, requires_grad=True)
    np.testing.assert_allclose(models.rbf_loss(pen, nl.tensor(t)).item(),
                               p[np.arange(4), t].mean(), rtol=1e-12)   # eq. (8)
    for j in (0.5, 5.0):                                                # eq. (9)
        expected = np.mean(p[np.arange(4), t]
                           + np.log(np.exp(-j) + np.exp(-p).sum(axis=1)))
        np.testing.assert_allclose(models.rbf_loss(pen, nl.tensor(t), j=j).item(), expected,
                                   rtol=1e-10)
    ce = F.cross_entropy(-pen, nl.tensor(t))
    np.testing.assert_allclose(models.rbf_loss(pen, nl.tensor(t), j=math.inf).item(),
                               ce.item(), rtol=1e-12)
    assert nl.gradcheck(lambda q: models.rbf_loss(q, nl.tensor(t), j=2.0), [pen])
    assert nl.gradcheck(lambda q: models.rbf_loss(q, nl.tensor(t)), [pen])


def test_lenet5_classic_input_padding_and_errors():
    model = models.LeNet5Classic()
    x = nl.randn(2, 1, 28, 28)
    padded = np.full((2, 1, 32, 32), -0.1, dtype=np.float32)
    padded[:, :, 2:30, 2:30] = x.numpy()
    np.testing.assert_allclose(model(x).numpy(), model(nl.tensor(padded)).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match=r"LeNet5Classic.*\(2, 3, 32, 32\)"):
        model(nl.randn(2, 3, 32, 32))


def _mnist_dir():
    root = Path(__file__).resolve().parents[2]
    for d in (root / "data" / "mnist", Path("/work/shared/data/mnist")):
        if (d / "train-images-idx3-ubyte.gz").exists():
            return d
    pytest.skip("MNIST IDX files not found")


def _read_idx(path):
    """An IDX file (gzip) as a NumPy array: magic (2 zero bytes, dtype code, ndim),
    then ndim big-endian int32 sizes, then the uint8 data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def test_lenet5_classic_learns_mnist():
    """200 SGD steps of the MAP criterion on 2,000 digits: well above chance on 1,000
    held-out test digits (about 0.94 in practice; chance is 0.1)."""
    d = _mnist_dir()
    images = _read_idx(d / "t10k-images-idx3-ubyte.gz")
    labels = _read_idx(d / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    x_all = models.lecun_normalize(nl.tensor(images[:, None].astype(np.float32) / 255))
    x_train, y_train = x_all.numpy()[:2000], labels[:2000]
    x_test, y_test = x_all.numpy()[-1000:], labels[-1000:]
    model = models.LeNet5Classic()
    opt = optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        for _ in range(200):
            idx = rng.integers(0, len(x_train), 32)
            penalties = model(nl.tensor(x_train[idx]))                      # (32, 10)
            loss = models.rbf_loss(penalties, nl.tensor(y_train[idx]), j=1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with nl.no_grad():
            accuracy = (model(nl.tensor(x_test)).numpy().argmin(axis=1) == y_test).mean()
    assert accuracy > 0.8


# ============================================================================
# AlexNet and ZFNet
# ============================================================================
def _feature_sizes(model, size, layer_types):
    """Spatial size after each layer of ``model.features`` of the given types, for one
    (1, 3, size, size) image, forward only."""
    sizes = []
    for m in model.features:
        if isinstance(m, layer_types):
            m.register_forward_hook(lambda mod, inp, out: sizes.append(out.shape[-1]))
    with nl.no_grad():
        model.eval()(nl.randn(1, 3, size, size))
    return sizes


def test_alexnet_nominal_224_input():
    model = models.alexnet()
    assert _feature_sizes(model, 224, (nn.Conv2d, nn.MaxPool2d)) == [55, 27, 27, 13, 13, 13, 13, 6]


def test_alexnet_classic_towers_lrn_and_init():
    model = models.AlexNetClassic()
    f, c = model.features, model.classifier
    shapes = {i: tuple(f[i].weight.shape) for i in (0, 4, 8, 10, 12)}
    assert shapes == {0: (96, 3, 11, 11), 4: (256, 48, 5, 5), 8: (384, 256, 3, 3),
                      10: (384, 192, 3, 3), 12: (256, 192, 3, 3)}
    assert [f[i].groups for i in (0, 4, 8, 10, 12)] == [1, 2, 1, 2, 2]
    assert [type(f[i]).__name__ for i in (2, 3, 6, 7, 14)] == [
        "LocalResponseNorm", "MaxPool2d", "LocalResponseNorm", "MaxPool2d", "MaxPool2d"]
    # section 5: biases 1 in conv2, conv4, conv5, fc6, fc7; 0 in conv1, conv3, fc8
    for layer, bias in [(f[0], 0), (f[4], 1), (f[8], 0), (f[10], 1), (f[12], 1),
                        (c[1], 1), (c[4], 1), (c[6], 0)]:
        assert (layer.bias.numpy() == bias).all()
    assert abs(c[1].weight.numpy().std() - 0.01) < 1e-4
    # Figure 2's sizes for a 227x227 image: 55 -> 27 -> 27 -> 13 -> 13 -> 13 -> 13 -> 6
    assert _feature_sizes(model, 227, (nn.Conv2d, nn.MaxPool2d)) == [55, 27, 27, 13, 13, 13, 13, 6]


def test_alexnet_lrn_computes_the_papers_equation():
    """b_i = a_i / (k + alpha * sum_{|j - i| <= 2} a_j^2)^beta with the paper's
    k = 2, alpha = 1e-4 (not divided by n), beta = 0.75."""
    lrn = models.AlexNetClassic(num_classes=2).features[2]
    a = np.random.randn(2, 9, 3, 3) * 30
    got = lrn(nl.tensor(a)).numpy()
    expected = np.empty_like(a)
    for i in range(9):
        s = (a[:, max(0, i - 2):min(9, i + 3)] ** 2).sum(axis=1)
        expected[:, i] = a[:, i] / (2 + 1e-4 * s) ** 0.75
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_alexnet_small_keys_equal_alexnet_keys():
    small, full = models.alexnet_small(), models.alexnet()
    assert list(small.state_dict()) == list(full.state_dict())
    assert list(models.alexnet_small(lrn=False).state_dict()) == list(full.state_dict())


def test_alexnet_small_has_lrn_before_the_first_two_pools_and_takes_grey_images():
    lrns = [m for m in models.alexnet_small().modules() if isinstance(m, nn.LocalResponseNorm)]
    assert len(lrns) == 2 and all(m.alpha == 5e-4 and m.k == 2.0 for m in lrns)
    assert not any(isinstance(m, nn.LocalResponseNorm)
                   for m in models.alexnet_small(lrn=False).modules())
    grey = models.alexnet_small(in_channels=1)
    assert tuple(grey.features[0].weight.shape) == (64, 1, 5, 5)
    assert grey(nl.randn(2, 1, 32, 32)).shape == (2, 10)


def test_zfnet_figure3_sizes_and_filter_renormalisation():
    model = models.zfnet()
    assert tuple(model.features[0].weight.shape) == (96, 3, 7, 7)
    assert model.features[0].stride == (2, 2) and model.features[4].stride == (2, 2)
    assert _feature_sizes(model, 224, (nn.Conv2d, nn.MaxPool2d)) == [110, 55, 26, 13, 13, 13,
                                                                    13, 6]
    w = model.features[0].weight.array
    w[0] = 1.0                                          # RMS 1 > 0.1
    small = w[1].copy()                                 # RMS 0.01 < 0.1
    model.renormalize_filters_()
    np.testing.assert_allclose(np.sqrt((w[0] ** 2).mean()), 0.1, rtol=1e-5)
    np.testing.assert_array_equal(w[1], small)


# ============================================================================
# VGG
# ============================================================================
def test_vgg_configs_weight_layers():
    """Table 1: A, B, D, E have 8, 10, 13, 16 convolutions (+ 3 FC = 11, 13, 16, 19)."""
    for cfg, convs in {"A": 8, "B": 10, "D": 13, "E": 16}.items():
        assert sum(isinstance(v, int) for v in cfgs[cfg]) == convs
        assert cfgs[cfg].count("M") == 5
    features = make_layers(cfgs["D"])
    assert isinstance(features[28], nn.Conv2d) and isinstance(features[30], nn.MaxPool2d)
    assert len(features) == 31 and len(make_layers(cfgs["D"], batch_norm=True)) == 44


def test_vgg_init_policy():
    """torchvision's policy, run on a small stand-in (VGG's classifier alone holds 120M
    numbers): kaiming fan_out convs with zero bias, BN 1/0, linear N(0, 0.01^2)."""
    stand_in = nn.Sequential(nn.Conv2d(3, 256, 3, padding=1), nn.BatchNorm2d(256),
                             nn.Linear(1000, 500))
    models.VGG.reset_parameters(stand_in)
    conv, bn, fc = stand_in
    std = math.sqrt(2 / (256 * 9))
    assert abs(conv.weight.numpy().std() - std) < 0.05 * std
    assert (conv.bias.numpy() == 0).all() and (fc.bias.numpy() == 0).all()
    assert (bn.weight.numpy() == 1).all() and (bn.bias.numpy() == 0).all()
    assert abs(fc.weight.numpy().std() - 0.01) < 2e-4


# ============================================================================
# GoogLeNet
# ============================================================================
def test_googlenet_inception_widths_and_aux_outputs():
    model = models.googlenet(aux_logits=True, num_classes=5)
    widths = {}
    for name, m in model.named_children():
        if isinstance(m, models.Inception):
            m.register_forward_hook(lambda mod, inp, out, name=name: widths.update(
                {name[-2:]: out.shape[1]}))
    out = model.train()(nl.randn(2, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs)
    assert [o.shape for o in out] == [(2, 5)] * 3
    assert widths == {k: c[1] + c[3] + c[5] + c[6] for k, c in INCEPTION_CFG.items()}
    assert widths["5b"] == 1024
    logits = model.eval()(nl.randn(2, 3, 64, 64))
    assert isinstance(logits, nl.Tensor) and logits.shape == (2, 5)


def test_googlenet_paper_5x5_branch_and_transform_input():
    paper = models.googlenet(branch3_kernel_size=5)
    assert paper.inception3a.branch3[1].conv.weight.shape == (32, 16, 5, 5)
    model = models.googlenet(num_classes=3).eval()
    transformed = models.googlenet(num_classes=3, transform_input=True).eval()
    transformed.load_state_dict(model.state_dict())
    x = np.random.rand(1, 3, 32, 32).astype(np.float32)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x_t = (x * (std / 0.5)[None, :, None, None] + ((mean - 0.5) / 0.5)[None, :, None, None])
    with nl.no_grad():
        np.testing.assert_allclose(transformed(nl.tensor(x)).numpy(),
                                   model(nl.tensor(x_t.astype(np.float32))).numpy(),
                                   rtol=1e-4, atol=1e-5)


# ============================================================================
# ResNet
# ============================================================================
def test_resnet_init_and_zero_init_residual():
    model = models.resnet18()
    std = model.conv1.weight.numpy().std()
    assert abs(std - math.sqrt(2 / (64 * 49))) < 0.05 * std             # kaiming, fan_out
    assert (model.bn1.weight.numpy() == 1).all() and (model.bn1.bias.numpy() == 0).all()
    zero = models.resnet18(zero_init_residual=True)
    assert all((b.bn2.weight.numpy() == 0).all() for layer in
               (zero.layer1, zero.layer2, zero.layer3, zero.layer4) for b in layer)
    assert (zero.layer1[0].bn1.weight.numpy() == 1).all()
    bottleneck = models.resnet50(zero_init_residual=True)
    assert (bottleneck.layer3[2].bn3.weight.numpy() == 0).all()
    # every residual branch is 0 at init, so each block is relu(shortcut(x))
    block = zero.layer1[0].eval()
    x = nl.randn(1, 64, 8, 8)
    np.testing.assert_allclose(block(x).numpy(), np.maximum(x.numpy(), 0), atol=1e-6)


def test_option_a_shortcut_subsamples_and_zero_pads():
    shortcut = ShortcutA(16, 32, stride=2)
    assert n_params(shortcut) == 0
    x = np.random.randn(2, 16, 8, 8).astype(np.float32)
    y = shortcut(nl.tensor(x)).numpy()
    assert y.shape == (2, 32, 4, 4)
    np.testing.assert_array_equal(y[:, 8:24], x[:, :, ::2, ::2])
    assert (y[:, :8] == 0).all() and (y[:, 24:] == 0).all()


def test_cifar_resnet_depth_and_keys():
    for n, builder in [(3, models.resnet20), (5, models.resnet32), (18, models.resnet110)]:
        model = builder()
        weighted = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        assert len(weighted) == 6 * n + 2
    keys = list(models.resnet20().state_dict())
    assert keys[0] == "conv1.weight" and keys[-1] == "fc.bias"
    assert not any("downsample" in k for k in keys)
    assert "layer3.2.bn2.running_var" in keys
    assert "layer2.0.downsample.0.weight" in models.resnet20(shortcut="B").state_dict()
    with pytest.raises(ValueError, match="shortcut"):
        models.resnet20(shortcut="C")
