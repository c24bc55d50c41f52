"""Tests of nnlite/models/dcgan.py: the generator's and discriminator's shapes, layer
tables and parameter counts; the paper's architecture rules (no pooling, batch norm
except on D's input and G's output, ReLU/Tanh in G, LeakyReLU(0.2) in D); the paper's
initialisation statistics; forward and backward through both players; clear errors on bad
input; and, where PyTorch is installed, the same networks in torch (weights copied by
name) giving the same outputs and gradients in training mode."""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import models, nn
from nnlite.models.dcgan import (DiscriminatorBlock, GeneratorBlock, Discriminator, Generator,
                                 weights_init)


def n_params(model):
    return sum(p.numel() for p in model.parameters())


# ============================================================================
# Shapes, layer tables, architecture rules
# ============================================================================
@pytest.mark.parametrize("z_shape", [(5, 100), (5, 100, 1, 1)])
def test_generator_maps_noise_to_28x28_images_in_tanh_range(z_shape):
    G = Generator()
    x = G(nl.randn(*z_shape))
    assert x.shape == (5, 1, 28, 28) and x.dtype == nl.float32
    assert np.abs(x.numpy()).max() <= 1.0


def test_discriminator_gives_one_logit_per_image():
    D = Discriminator()
    assert D(nl.randn(3, 1, 28, 28)).shape == (3,)


def test_parameter_counts_follow_the_layer_table():
    G, D = Generator(), Discriminator()
    assert dict(G.parameter_counts()) == {"project": 410_112, "up1": 295_168, "up2": 131_200,
                                          "to_image": 1_025, "tanh": 0}
    assert n_params(G) == 837_505
    assert dict(D.parameter_counts()) == {"down1": 544, "down2": 32_896, "down3": 73_984,
                                          "to_logit": 2_049}
    assert n_params(D) == 109_473


def test_the_maps_grow_4_7_14_28_and_shrink_back():
    G, D = Generator(), Discriminator()
    x = G.project(nl.randn(2, 100, 1, 1))
    assert x.shape == (2, 256, 4, 4)
    x = G.up1(x)
    assert x.shape == (2, 128, 7, 7)
    x = G.up2(x)
    assert x.shape == (2, 64, 14, 14)
    y = D.down1(G.to_image(x))
    assert y.shape == (2, 32, 14, 14)
    y = D.down2(y)
    assert y.shape == (2, 64, 7, 7)
    assert D.down3(y).shape == (2, 128, 4, 4)


def test_widths_scale_with_ngf_ndf_and_channels():
    G, D = Generator(nz=16, ngf=8, nc=3), Discriminator(ndf=4, nc=3)
    x = G(nl.randn(2, 16))
    assert x.shape == (2, 3, 28, 28) and D(x).shape == (2,)
    assert G.project[0].weight.shape == (16, 64, 4, 4)        # (nz, 8*ngf, 4, 4)
    assert D.down3[0].weight.shape == (16, 8, 3, 3)           # (4*ndf, 2*ndf, 3, 3)


def test_architecture_follows_the_papers_guidelines():
    G, D = Generator(), Discriminator()
    kinds = lambda m: [type(c) for c in m.modules()]          # noqa: E731
    # no pooling and no fully connected layer anywhere
    for model in (G, D):
        assert not any("Pool" in k.__name__ or k is nn.Linear for k in kinds(model))
    # G: fractional-strided convolutions, BN + ReLU on every hidden layer, Tanh output
    # without BN
    for block in (G.project, G.up1, G.up2):
        assert [type(m) for m in block] == [nn.ConvTranspose2d, nn.BatchNorm2d, nn.ReLU]
    assert G.up1[0].stride == G.up2[0].stride == G.to_image.stride == (2, 2)
    assert isinstance(G.to_image, nn.ConvTranspose2d)
    assert isinstance(G.tanh, nn.Tanh) and nn.ReLU not in kinds(G.to_image)
    # D: strided convolutions, LeakyReLU(0.2), no BN on the input layer
    assert [type(m) for m in D.down1] == [nn.Conv2d, nn.LeakyReLU]
    for block in (D.down2, D.down3):
        assert [type(m) for m in block] == [nn.Conv2d, nn.BatchNorm2d, nn.LeakyReLU]
    assert all(b[0].stride == (2, 2) for b in (D.down1, D.down2, D.down3))
    assert all(m.negative_slope == 0.2 for m in D.modules() if isinstance(m, nn.LeakyReLU))
    # a bias only where no batch norm follows
    assert all(b[0].bias is None for b in (G.project, G.up1, G.up2, D.down2, D.down3))
    assert G.to_image.bias is not None and D.down1[0].bias is not None
    assert D.to_logit.bias is not None


def test_blocks():
    assert GeneratorBlock(256, 128)(nl.randn(2, 256, 7, 7)).shape == (2, 128, 14, 14)
    assert GeneratorBlock(8, 4, kernel_size=3)(nl.randn(2, 8, 4, 4)).shape == (2, 4, 7, 7)
    assert DiscriminatorBlock(64, 128)(nl.randn(2, 64, 14, 14)).shape == (2, 128, 7, 7)
    assert DiscriminatorBlock(8, 4, kernel_size=3)(nl.randn(2, 8, 7, 7)).shape == (2, 4, 4, 4)
    assert len(DiscriminatorBlock(1, 64, batch_norm=False)) == 2


def test_exported_from_models():
    assert models.Generator is Generator and models.Discriminator is Discriminator
    assert models.weights_init is weights_init


# ============================================================================
# The paper's initialisation
# ============================================================================
def test_initialisation_statistics():
    """Conv weights N(0, 0.02), BN scale N(1, 0.02), biases 0. The large conv weights
    (32k-410k numbers) pin mean and std to ~1e-4 - 4e-4; the 704 BN scales to a few
    thousandths."""
    nl.manual_seed(1)
    G, D = Generator(), Discriminator()
    for w in (G.project[0].weight, G.up1[0].weight, G.up2[0].weight, D.down2[0].weight,
              D.down3[0].weight):
        a = w.numpy()
        assert abs(a.mean()) < 4e-4 and abs(a.std() - 0.02) < 4e-4
    conv_small = np.concatenate([m.weight.numpy().ravel() for m in (G.to_image, D.down1[0],
                                                                     D.to_logit)])
    assert abs(conv_small.mean()) < 2e-3 and abs(conv_small.std() - 0.02) < 2e-3
    bn = np.concatenate([b[1].weight.numpy() for b in (G.project, G.up1, G.up2, D.down2,
                                                       D.down3)])           # 704 scales
    assert abs(bn.mean() - 1.0) < 4e-3 and abs(bn.std() - 0.02) < 3e-3
    for m in (*G.modules(), *D.modules()):
        if getattr(m, "bias", None) is not None:
            assert not m.bias.numpy().any(), m


def test_weights_init_redraws_convs_and_batch_norm_only():
    lin = nn.Linear(4, 3)
    before = lin.weight.numpy().copy()
    weights_init(lin)
    np.testing.assert_array_equal(lin.weight.numpy(), before)
    conv = nn.Conv2d(3, 8, 3)
    nn.init.ones_(conv.weight)
    weights_init(conv)
    assert abs(conv.weight.numpy().std() - 0.02) < 0.006 and not conv.bias.numpy().any()


# ============================================================================
# Forward and backward, training mode
# ============================================================================
def test_a_gan_step_sends_gradients_to_both_players():
    G, D = Generator(nz=8, ngf=4), Discriminator(ndf=4)
    fake = G(nl.randn(6, 8))
    d_loss = F.binary_cross_entropy_with_logits(D(fake.detach()), nl.zeros(6))
    d_loss.backward()
    assert all(p.grad is None for p in G.parameters())      # detached: G untouched
    assert all(p.grad is not None and p.grad.shape == p.shape for p in D.parameters())
    for p in D.parameters():
        p.grad = None
    F.binary_cross_entropy_with_logits(D(fake), nl.ones(6)).backward()
    for p in G.parameters():
        assert p.grad is not None and p.grad.shape == p.shape
        assert np.isfinite(p.grad.numpy()).all() and np.abs(p.grad.numpy()).sum() > 0


def test_eval_mode_uses_running_statistics():
    """In eval mode an image does not depend on the rest of its batch."""
    G = Generator(nz=8, ngf=4)
    z = nl.randn(5, 8)
    G(z)                                                     # one training batch
    G.eval()
    with nl.no_grad():
        whole = G(z).numpy()
        alone = G(z[:1]).numpy()
    np.testing.assert_allclose(whole[:1], alone, rtol=1e-5, atol=1e-6)


# ============================================================================
# Bad input
# ============================================================================
def test_bad_input_names_the_shapes():
    with pytest.raises(ValueError, match=r"Generator: expected noise z of shape \(N, 100\).*"
                                         r"got shape \(2, 50\)"):
        Generator()(nl.randn(2, 50))
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\), got shape \(2, 1, 32, 32\)"):
        Discriminator()(nl.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="ngf must be a positive int, got 0"):
        Generator(ngf=0)
    with pytest.raises(ValueError, match="nc must be a positive int"):
        Discriminator(nc=1.5)


# ============================================================================
# The same networks in torch
# ============================================================================
def _torch_players(torch):
    """DCGAN for 28x28 written from the paper with torch.nn, with nnlite's attribute
    names so the state dicts match key for key."""
    tnn = torch.nn

    class TorchG(tnn.Module):
        def __init__(self, nz=100, ngf=32):
            super().__init__()
            self.project = tnn.Sequential(tnn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
                                          tnn.BatchNorm2d(ngf * 8), tnn.ReLU())
            self.up1 = tnn.Sequential(tnn.ConvTranspose2d(ngf * 8, ngf * 4, 3, 2, 1, bias=False),
                                      tnn.BatchNorm2d(ngf * 4), tnn.ReLU())
            self.up2 = tnn.Sequential(tnn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
                                      tnn.BatchNorm2d(ngf * 2), tnn.ReLU())
            self.to_image = tnn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1)

        def forward(self, z):
            x = self.project(z.view(len(z), -1, 1, 1))
            return torch.tanh(self.to_image(self.up2(self.up1(x))))

    class TorchD(tnn.Module):
        def __init__(self, ndf=32):
            super().__init__()
            self.down1 = tnn.Sequential(tnn.Conv2d(1, ndf, 4, 2, 1), tnn.LeakyReLU(0.2))
            self.down2 = tnn.Sequential(tnn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
                                        tnn.BatchNorm2d(ndf * 2), tnn.LeakyReLU(0.2))
            self.down3 = tnn.Sequential(tnn.Conv2d(ndf * 2, ndf * 4, 3, 2, 1, bias=False),
                                        tnn.BatchNorm2d(ndf * 4), tnn.LeakyReLU(0.2))
            self.to_logit = tnn.Conv2d(ndf * 4, 1, 4)

        def forward(self, x):
            return self.to_logit(self.down3(self.down2(self.down1(x)))).view(-1)

    return TorchG(nz=16, ngf=8), TorchD(ndf=8)


def test_same_outputs_and_gradients_as_torch(torch):
    torch.manual_seed(0)
    tg, td = _torch_players(torch)
    G, D = Generator(nz=16, ngf=8), Discriminator(ndf=8)
    assert list(G.state_dict()) == list(tg.state_dict())
    assert list(D.state_dict()) == list(td.state_dict())
    G.load_state_dict({k: v.numpy() for k, v in tg.state_dict().items()})
    D.load_state_dict({k: v.numpy() for k, v in td.state_dict().items()})

    z = np.random.default_rng(0).standard_normal((6, 16)).astype(np.float32)
    ours = D(G(nl.tensor(z)))
    F.binary_cross_entropy_with_logits(ours, nl.ones(6)).backward()
    theirs = td(tg(torch.from_numpy(z)))
    torch.nn.functional.binary_cross_entropy_with_logits(theirs, torch.ones(6)).backward()

    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-4, atol=1e-5)
    for (name, p), (tname, tp) in zip([*G.named_parameters(), *D.named_parameters()],
                                      [*tg.named_parameters(), *td.named_parameters()]):
        assert name == tname
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-3, atol=1e-6,
                                   err_msg=name)
    for (name, b), (_, tb) in zip([*G.named_buffers(), *D.named_buffers()],
                                  [*tg.named_buffers(), *td.named_buffers()]):
        np.testing.assert_allclose(np.asarray(b.numpy(), np.float64),
                                   tb.numpy().astype(np.float64), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
