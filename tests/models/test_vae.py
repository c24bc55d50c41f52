"""Tests of nnlite/models/vae.py: the shapes of VAE and ConvVAE (forward, backward,
encode, decode, sample), the reparameterisation trick (seeded, its distribution, its
gradient), the two loss terms against closed forms written independently in NumPy, a
float64 gradient check of the loss, and parity with PyTorch: its vae example's
``loss_function`` on copied weights, and the ConvVAE's layers rebuilt in torch.
"""
import math

import numpy as np
import pytest

import nnlite as nl
from nnlite import optim
from nnlite.models import (ConvVAE, VAE, VariationalAutoencoder, bernoulli_nll, gaussian_kl,
                           reparameterize, vae_loss)


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def images(n=4, shape=(1, 28, 28), seed=0, dtype=np.float32):
    return nl.from_numpy(np.random.default_rng(seed).random((n, *shape)).astype(dtype))


# ============================================================================
# Shapes, parameter counts, backward
# ============================================================================
@pytest.mark.parametrize("model, count", [
    (lambda: VAE(), 784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784),
    (lambda: VAE(hidden_size=500, latent_dim=2, activation="tanh"),
     784 * 500 + 500 + 2 * (500 * 2 + 2) + 2 * 500 + 500 + 500 * 784 + 784),
    (lambda: ConvVAE(), 258_025),
], ids=["vae-784-400-20", "vae-paper-tanh-500-2", "conv-vae"])
def test_forward_backward_shapes_and_parameter_count(model, count):
    model = model()
    assert n_params(model) == count
    L = model.latent_dim
    x = images(3)
    logits, mu, logvar = model(x)
    assert logits.shape == (3, 1, 28, 28) and mu.shape == (3, L) and logvar.shape == (3, L)
    assert logits.dtype == np.float32
    vae_loss(logits, x, mu, logvar).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
        assert np.isfinite(p.grad.numpy()).all(), name


def test_vae_reads_flat_images_and_other_sizes():
    model = VAE(image_shape=(3, 8, 6), hidden_size=16, latent_dim=5)
    flat = images(2, (144,))
    logits, mu, _ = model(flat)
    assert logits.shape == (2, 144) and mu.shape == (2, 5)          # the input's shape
    assert model.decode(nl.randn(7, 5)).shape == (7, 3, 8, 6)
    assert model.sample(3).shape == (3, 3, 8, 6)
    conv = ConvVAE(in_channels=3, image_size=16, channels=(4, 8, 8), latent_dim=3)
    logits, mu, _ = conv(images(2, (3, 16, 16)))
    assert logits.shape == (2, 3, 16, 16) and mu.shape == (2, 3)
    assert conv(images(2, (3 * 16 * 16,)))[0].shape == (2, 768)     # flat in, flat out


def test_decode_gives_bernoulli_means_of_the_logits():
    model = VAE(hidden_size=32, latent_dim=4)
    z = nl.randn(5, 4)
    means = model.decode(z).numpy()
    logits = model.decode_logits(z).numpy()
    np.testing.assert_allclose(means, 1 / (1 + np.exp(-logits)), rtol=1e-6, atol=1e-7)
    assert means.min() >= 0 and means.max() <= 1


def test_sample_is_seeded_by_the_generator_or_nnlite_seed():
    model = VAE(hidden_size=32, latent_dim=4)
    a = model.sample(6, generator=np.random.default_rng(3)).numpy()
    b = model.sample(6, generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(a, b)
    nl.manual_seed(5)
    c = model.sample(6).numpy()
    nl.manual_seed(5)
    np.testing.assert_array_equal(c, model.sample(6).numpy())
    assert not np.array_equal(a, c)


def test_forward_is_repeatable_under_manual_seed():
    model = ConvVAE(channels=(4, 8), latent_dim=3)
    x = images(2)
    nl.manual_seed(11)
    first = model(x)[0].numpy()
    nl.manual_seed(11)
    np.testing.assert_array_equal(first, model(x)[0].numpy())
    assert not np.array_equal(first, model(x)[0].numpy())          # a new z each call


def test_float64_model_keeps_float64():
    model = VAE(hidden_size=8, latent_dim=2).to(nl.float64)
    x = images(2, dtype=np.float64)
    logits, mu, logvar = model(x)
    assert logits.dtype == np.float64 and mu.dtype == np.float64
    assert vae_loss(logits, x, mu, logvar).dtype == np.float64
    assert model.sample(2).dtype == np.float64


def test_repr_and_base_class():
    assert "784-400-20, activation='relu'" in repr(VAE())
    assert isinstance(ConvVAE(), VariationalAutoencoder)

    class NoEncoder(VariationalAutoencoder):
        latent_dim = 2

    with pytest.raises(NotImplementedError, match="NoEncoder must define encode"):
        NoEncoder()(images(1))


@pytest.mark.parametrize("build, match", [
    (lambda: VAE(hidden_size=0), "hidden_size must be a positive int"),
    (lambda: VAE(latent_dim=2.5), "latent_dim must be a positive int"),
    (lambda: VAE(image_shape=(28, 28)), r"image_shape must be \(C, H, W\)"),
    (lambda: VAE(activation="gelu"), "activation must be one of"),
    (lambda: ConvVAE(image_size=30), "image_size 30 must be divisible by 2\\^2 = 4"),
    (lambda: ConvVAE(channels=()), "channels must name at least one stage"),
])
def test_bad_arguments_are_named(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_inputs_name_the_shapes():
    model, conv = VAE(), ConvVAE()
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 784\).*got \(2, 1, 28, 27\)"):
        model(images(2, (1, 28, 27)))
    with pytest.raises(ValueError, match=r"expected x of shape \(N, \*\(1, 28, 28\)\), got "
                                         r"\(2, 3, 28, 28\)"):
        conv(images(2, (3, 28, 28)))
    with pytest.raises(ValueError, match=r"expected z of shape \(N, 20\), got \(4, 2\)"):
        model.decode(nl.randn(4, 2))
    with pytest.raises(ValueError, match="n must be a positive int"):
        model.sample(0)
    logits, mu, logvar = model(images(2))
    with pytest.raises(ValueError, match=r"x of shape \(3, 1, 28, 28\) does not match logits "
                                         r"of shape \(2, 1, 28, 28\)"):
        bernoulli_nll(logits, images(3))
    with pytest.raises(ValueError, match=r"same shape.*\(2, 20\) and \(2, 19\)"):
        gaussian_kl(mu, logvar[:, :19])
    with pytest.raises(ValueError, match="reduction must be one of"):
        vae_loss(logits, images(2), mu, logvar, reduction="batchmean")


# ============================================================================
# The reparameterisation trick
# ============================================================================
def test_reparameterize_draws_from_the_posterior():
    mu = nl.tensor(np.array([[1.0, -2.0, 0.0]] * 20000, np.float64))
    logvar = nl.tensor(np.array([[0.0, math.log(4.0), math.log(0.25)]] * 20000, np.float64))
    z = reparameterize(mu, logvar, generator=np.random.default_rng(0)).numpy()
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0, 0.0], atol=0.04)
    np.testing.assert_allclose(z.std(0), [1.0, 2.0, 0.5], rtol=0.02)


def test_reparameterize_gradient_flows_through_the_sample():
    mu = nl.tensor(np.array([[0.5, -1.0]]), requires_grad=True)
    logvar = nl.tensor(np.array([[0.2, -0.4]]), requires_grad=True)
    z = reparameterize(mu, logvar, generator=np.random.default_rng(7))
    eps = np.random.default_rng(7).standard_normal((1, 2))              # the same draw
    np.testing.assert_allclose(z.numpy(), mu.numpy() + eps * np.exp(0.5 * logvar.numpy()))
    z.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), np.ones((1, 2)))        # dz/dmu = 1
    np.testing.assert_allclose(logvar.grad.numpy(),                     # dz/dlogvar
                               0.5 * eps * np.exp(0.5 * logvar.numpy()))


# ============================================================================
# The loss against closed forms
# ============================================================================
def test_gaussian_kl_is_the_kl_of_two_normals():
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    sigma = np.exp(0.5 * logvar)
    # KL(N(m, s^2) || N(0, 1)) = log(1 / s) + (s^2 + m^2) / 2 - 1/2, per dimension
    per_item = (np.log(1 / sigma) + (sigma ** 2 + mu ** 2) / 2 - 0.5).sum(1)
    kl = gaussian_kl(nl.tensor(mu), nl.tensor(logvar), reduction="none")
    np.testing.assert_allclose(kl.numpy(), per_item, rtol=1e-12)
    np.testing.assert_allclose(gaussian_kl(nl.tensor(mu), nl.tensor(logvar)).item(),
                               per_item.mean(), rtol=1e-12)
    np.testing.assert_allclose(gaussian_kl(nl.tensor(mu), nl.tensor(logvar), "sum").item(),
                               per_item.sum(), rtol=1e-12)
    assert gaussian_kl(nl.zeros(2, 4), nl.zeros(2, 4)).item() == 0.0   # q = prior


def test_bernoulli_nll_is_the_summed_cross_entropy():
    rng = np.random.default_rng(1)
    logits, x = 3 * rng.standard_normal((4, 1, 5, 5)), rng.random((4, 1, 5, 5))
    p = 1 / (1 + np.exp(-logits))
    per_item = -(x * np.log(p) + (1 - x) * np.log(1 - p)).reshape(4, -1).sum(1)
    got = bernoulli_nll(nl.tensor(logits), nl.tensor(x), reduction="none").numpy()
    np.testing.assert_allclose(got, per_item, rtol=1e-10)
    flat = bernoulli_nll(nl.tensor(logits.reshape(4, 25)), nl.tensor(x)).item()
    np.testing.assert_allclose(flat, per_item.mean(), rtol=1e-10)


def test_vae_loss_is_reconstruction_plus_kl_in_float64_gradcheck():
    rng = np.random.default_rng(2)
    logits = nl.tensor(rng.standard_normal((3, 6)), requires_grad=True)
    x = nl.tensor(rng.random((3, 6)))
    mu = nl.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    logvar = nl.tensor(0.5 * rng.standard_normal((3, 2)), requires_grad=True)
    total = vae_loss(logits, x, mu, logvar, reduction="sum").item()
    assert total == pytest.approx(bernoulli_nll(logits, x, "sum").item()
                                  + gaussian_kl(mu, logvar, "sum").item(), rel=1e-12)
    assert nl.gradcheck(lambda lg, m, lv: vae_loss(lg, x, m, lv), (logits, mu, logvar))


def test_a_few_adam_steps_lower_the_loss():
    model = VAE(hidden_size=32, latent_dim=4)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    patterns = np.random.default_rng(0).random((4, 1, 28, 28)) < 0.2     # 4 binary digits
    x = nl.from_numpy(np.repeat(patterns, 4, axis=0).astype(np.float32))
    losses = []
    for _ in range(20):
        opt.zero_grad()
        logits, mu, logvar = model(x)
        loss = vae_loss(logits, x, mu, logvar)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# ============================================================================
# Parity with PyTorch
# ============================================================================
def _torch_example_vae(torch):
    """pytorch/examples vae/main.py's VAE and loss_function, written out independently."""
    nn, F = torch.nn, torch.nn.functional

    class TorchVAE(nn.Module):
        def __init__(self, hidden=400, latent=20):
            super().__init__()
            self.fc1, self.fc21 = nn.Linear(784, hidden), nn.Linear(hidden, latent)
            self.fc22, self.fc3 = nn.Linear(hidden, latent), nn.Linear(latent, hidden)
            self.fc4 = nn.Linear(hidden, 784)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def decode(self, z):
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld

    return TorchVAE, loss_function


def test_loss_and_gradients_match_the_pytorch_example(torch):
    """The same weights (copied by name), the same images and the same eps: nnlite's
    ``vae_loss(..., 'sum')`` on logits equals the example's BCE on sigmoid outputs + KLD,
    and so do the gradients of every parameter."""
    TorchVAE, loss_function = _torch_example_vae(torch)
    model = VAE(hidden_size=64, latent_dim=5)
    ref = TorchVAE(hidden=64, latent=5).double()
    ref.load_state_dict({k: torch.from_numpy(v.astype(np.float64))
                         for k, v in model.state_dict().items()})
    model = model.to(nl.float64)
    x = images(6, dtype=np.float64)
    eps = np.random.default_rng(4).standard_normal((6, 5))

    mu, logvar = model.encode(x)
    z = model.reparameterize(mu, logvar, generator=np.random.default_rng(4))
    loss = vae_loss(model.decode_logits(z), x, mu, logvar, reduction="sum")
    loss.backward()

    xt = torch.from_numpy(x.numpy()).view(-1, 784)
    mu_t, logvar_t = ref.encode(xt)
    z_t = mu_t + torch.from_numpy(eps) * torch.exp(0.5 * logvar_t)
    loss_t = loss_function(ref.decode(z_t), xt, mu_t, logvar_t)
    loss_t.backward()

    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-10)
    np.testing.assert_allclose(z.numpy(), z_t.detach().numpy(), rtol=1e-12)
    grads = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-10, err_msg=name)


def test_conv_vae_matches_its_layers_in_torch(torch):
    """ConvVAE's encoder and decoder rebuilt from torch.nn (Conv2d stride 2, Linear,
    Unflatten, ConvTranspose2d), weights copied by name: the same mu, logvar and logits."""
    nn = torch.nn
    model = ConvVAE(channels=(4, 8), latent_dim=3)
    convs = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), nn.ReLU(), nn.Conv2d(4, 8, 4, 2, 1),
                          nn.ReLU())
    enc = nn.ModuleDict({"convs": convs, "fc_mu": nn.Linear(392, 3),
                         "fc_logvar": nn.Linear(392, 3)})
    deconvs = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(8, 4, 4, 2, 1), nn.ReLU(),
                            nn.ConvTranspose2d(4, 1, 4, 2, 1))
    dec = nn.ModuleDict({"fc": nn.Linear(3, 392), "unflatten": nn.Unflatten(1, (8, 7, 7)),
                         "deconvs": deconvs})
    ref = nn.ModuleDict({"encoder": enc, "decoder": dec})
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})

    x = images(2)
    mu, logvar = model.encode(x)
    z = nl.randn(2, 3)
    logits = model.decode_logits(z)
    with torch.no_grad():
        h = enc["convs"](torch.from_numpy(x.numpy())).flatten(1)
        zt = torch.from_numpy(z.numpy())
        logits_t = deconvs(dec["unflatten"](dec["fc"](zt)))
        np.testing.assert_allclose(mu.numpy(), enc["fc_mu"](h).numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(logvar.numpy(), enc["fc_logvar"](h).numpy(), rtol=1e-4,
                                   atol=1e-5)
        np.testing.assert_allclose(logits.numpy(), logits_t.numpy(), rtol=1e-4, atol=1e-5)
