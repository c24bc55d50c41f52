"""The variational autoencoder, from Kingma & Welling, "Auto-Encoding Variational Bayes",
ICLR 2014.

A latent variable z explains each image x. The generative model is a standard normal
prior and a decoder network giving a Bernoulli distribution over the pixels; a second
network, the encoder (the "recognition model"), approximates the posterior by a diagonal
Gaussian (section 2.4, appendix C):

    p(z)        = N(0, I)                                     prior
    p(x | z)    = prod_d Bernoulli(x_d; sigmoid(f_theta(z)_d))  decoder: logits f_theta(z)
    q(z | x)    = N(mu(x), diag(sigma^2(x)))                  encoder: mu and log sigma^2

Both networks are trained together by maximising, per image, the evidence lower bound

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || p(z))  <=  log p(x)      (eq. 3)

The expectation is estimated with one sample drawn by the *reparameterisation trick*
(section 2.4): z = mu + sigma * eps with eps ~ N(0, I), so z is a differentiable function
of mu and sigma and the gradient flows through the sample. The KL term of two Gaussians has
a closed form (appendix B):

    -KL = 1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)

The loss minimised is the negative ELBO in nats per image: the Bernoulli negative
log-likelihood (binary cross-entropy summed over the pixels) plus that KL
(:func:`vae_loss`). On grey-level pixels in [0, 1] (the common PyTorch example's data)
the cross-entropy is not a proper log-likelihood -- it includes the entropy of each grey
pixel -- so those figures are not comparable with results on binarised MNIST.

Two models:

* ``VAE``: the paper's MLPs, one hidden layer in each network; 784-400-20 by default (the
  common PyTorch example's sizes and ReLU; the paper uses tanh units and, for MNIST, 500
  hidden units; ``activation="tanh"`` and ``hidden_size=500`` give its networks). Its
  parameters keep the PyTorch example's names (``fc1``, ``fc21``, ``fc22``, ``fc3``,
  ``fc4``), so weights move between the two by name.
* ``ConvVAE``: a convolutional encoder (stride-2 convolutions, no pooling) and a mirrored
  decoder (Linear -> Unflatten -> stride-2 transposed convolutions).

Both share ``VariationalAutoencoder``: ``encode``, ``reparameterize``, ``decode``
(Bernoulli means), ``decode_logits``, ``forward`` (logits, mu, logvar) and ``sample``
from the prior. ``forward`` returns the decoder's *logits*, not its means, so that the loss
is the numerically stable ``binary_cross_entropy_with_logits``; ``sigmoid(logits)`` (or
``decode(z)``) is the reconstruction.

Notation in the shape comments: N batch, C channels, H x W image, D = C*H*W pixels,
Hd hidden units, L latent dimensions.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F
from nnlite.tensor import Tensor

__all__ = ["VariationalAutoencoder", "VAE", "ConvVAE", "reparameterize", "gaussian_kl",
           "bernoulli_nll", "vae_loss"]

_ACTIVATIONS = {"relu": F.relu, "tanh": F.tanh}
_REDUCTIONS = ("mean", "sum", "none")


def _positive(value: int, name: str, who: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{who}: {name} must be a positive int, got {value!r}")
    return int(value)


# ============================================================================
# The reparameterisation trick and the two terms of the loss
# ============================================================================
def reparameterize(mu: Tensor, logvar: Tensor,
                   generator: np.random.Generator | None = None) -> Tensor:
    """One sample z ~ N(mu, exp(logvar)) as a differentiable function of ``mu`` and
    ``logvar``: ``z = mu + exp(logvar / 2) * eps`` with eps ~ N(0, I) drawn from
    ``generator`` (default: nnlite's global generator, so ``nl.manual_seed`` repeats it).

    Shape:
        mu, logvar (N, L) -> z (N, L).
    """
    if tuple(mu.shape) != tuple(logvar.shape):
        raise ValueError(f"reparameterize: mu and logvar must have the same shape, got "
                         f"{tuple(mu.shape)} and {tuple(logvar.shape)}")
    std = (0.5 * logvar).exp()                                    # (N, L) sigma
    eps = nl.randn(*std.shape, generator=generator, dtype=std.dtype)
    return mu + eps * std                                         # (N, L)


def _reduce(per_item: Tensor, reduction: str, fn: str) -> Tensor:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {list(_REDUCTIONS)}, got "
                         f"{reduction!r}")
    if reduction == "none":
        return per_item
    return per_item.sum() if reduction == "sum" else per_item.mean()


def gaussian_kl(mu: Tensor, logvar: Tensor, reduction: str = "mean") -> Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) in nats, in closed form (appendix B):
    ``-1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))``, summed over the latent axes.

    Args:
        mu, logvar (Tensor): (N, L) the encoder's outputs.
        reduction (str): ``'mean'`` over the batch (default), ``'sum'``, or ``'none'``
            (one value per item, shape (N,)).
    """
    if tuple(mu.shape) != tuple(logvar.shape) or mu.ndim < 1:
        raise ValueError(f"gaussian_kl: mu and logvar must have the same shape (N, L), got "
                         f"{tuple(mu.shape)} and {tuple(logvar.shape)}")
    terms = 1 + logvar - mu * mu - logvar.exp()                   # (N, L)
    per_item = -0.5 * terms.reshape(mu.shape[0], -1).sum(1)       # (N,)
    return _reduce(per_item, reduction, "gaussian_kl")


def bernoulli_nll(logits: Tensor, x: Tensor, reduction: str = "mean") -> Tensor:
    """-log p(x | z) in nats for pixels ``x`` in [0, 1] under Bernoulli distributions with
    ``logits``: the binary cross-entropy summed over each image's pixels.

    Args:
        logits (Tensor): (N, ...) the decoder's logits.
        x (Tensor): the images, with ``logits``' number of values per item (e.g. logits
            (N, 784) for x (N, 1, 28, 28)).
        reduction (str): ``'mean'`` over the batch (default), ``'sum'``, or ``'none'``.
    """
    n = logits.shape[0] if logits.ndim else 0
    if x.ndim < 1 or x.shape[0] != n or x.numel() != logits.numel():
        raise ValueError(f"bernoulli_nll: x of shape {tuple(x.shape)} does not match logits "
                         f"of shape {tuple(logits.shape)} (expected the same number of "
                         f"values per item)")
    bce = F.binary_cross_entropy_with_logits(logits.reshape(n, -1), x.reshape(n, -1),
                                             reduction="none")   # (N, D)
    return _reduce(bce.sum(1), reduction, "bernoulli_nll")       # (N,) summed over pixels


def vae_loss(logits: Tensor, x: Tensor, mu: Tensor, logvar: Tensor,
             reduction: str = "mean") -> Tensor:
    """The negative ELBO in nats: ``bernoulli_nll(logits, x) + gaussian_kl(mu, logvar)``.

    ``reduction='mean'`` (default) gives nats per image; ``'sum'`` the batch's total, the
    PyTorch example's ``loss_function`` (``F.binary_cross_entropy(recon, x,
    reduction='sum') + KLD``); ``'none'`` one value per image.

    Example:
        >>> model = VAE()
        >>> x = nl.rand(8, 1, 28, 28)
        >>> logits, mu, logvar = model(x)
        >>> vae_loss(logits, x, mu, logvar).shape            # nats per image
        ()
    """
    return (bernoulli_nll(logits, x, reduction) + gaussian_kl(mu, logvar, reduction))


# ============================================================================
# The model: encoder, reparameterised sample, decoder
# ============================================================================
class VariationalAutoencoder(nn.Module):
    """What every VAE here shares; subclasses define ``encode`` and ``decode_logits``.

    Attributes:
        latent_dim (int): L. image_shape (tuple): (C, H, W) of the images ``decode`` makes.
    """

    latent_dim: int
    image_shape: tuple

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """q(z | x): the Gaussian's mean and log-variance, each (N, L)."""
        raise NotImplementedError(f"{type(self).__name__} must define encode(x)")

    def decode_logits(self, z: Tensor) -> Tensor:
        """p(x | z): the Bernoulli logits, (N, C, H, W)."""
        raise NotImplementedError(f"{type(self).__name__} must define decode_logits(z)")

    def reparameterize(self, mu: Tensor, logvar: Tensor,
                       generator: np.random.Generator | None = None) -> Tensor:
        """z = mu + exp(logvar / 2) * eps, eps ~ N(0, I): see :func:`reparameterize`."""
        return reparameterize(mu, logvar, generator)

    def decode(self, z: Tensor) -> Tensor:
        """The Bernoulli means (pixel intensities in [0, 1]) of p(x | z), (N, C, H, W)."""
        return F.sigmoid(self.decode_logits(z))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Encode, draw z by the reparameterisation trick, decode.

        Returns:
            (logits, mu, logvar): the decoder's logits in ``x``'s shape, and q(z | x)'s
            mean and log-variance (N, L).
        """
        mu, logvar = self.encode(x)                                # (N, L) each
        z = self.reparameterize(mu, logvar)                        # (N, L)
        logits = self.decode_logits(z)                             # (N, C, H, W)
        return logits.reshape(x.shape), mu, logvar

    def sample(self, n: int, generator: np.random.Generator | None = None) -> Tensor:
        """``n`` images from the model: z ~ p(z) = N(0, I), then the decoder's means
        (N, C, H, W). Call it under ``nl.no_grad()`` unless you need the graph."""
        n = _positive(n, "n", f"{type(self).__name__}.sample")
        dtype = next(iter(self.parameters())).dtype
        z = nl.randn(n, self.latent_dim, generator=generator, dtype=dtype)   # (N, L)
        return self.decode(z)

    def _check_latent(self, z: Tensor) -> None:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"{type(self).__name__}.decode: expected z of shape (N, "
                             f"{self.latent_dim}), got {tuple(z.shape)}")


# ---- the paper's MLPs (appendix C) -------------------------------------------------
class VAE(VariationalAutoencoder):
    """The VAE with MLP encoder and decoder (appendix C.1-C.2), one hidden layer each.

    Encoder (Gaussian MLP)::     h = act(W1 x + b1);  mu = W21 h + b21;  logvar = W22 h + b22
    Decoder (Bernoulli MLP)::    logits = W4 act(W3 z + b3) + b4;  means = sigmoid(logits)

    Args:
        image_shape (tuple): (C, H, W) of the images. Default: (1, 28, 28), D = 784.
        hidden_size (int): Hd, units of each hidden layer. Default: 400.
        latent_dim (int): L. Default: 20.
        activation (str): ``"relu"`` (default, the PyTorch example's) or ``"tanh"`` (the
            paper's).

    Shape:
        x (N, C, H, W) or (N, D) -> logits of x's shape, mu (N, L), logvar (N, L).

    Attributes:
        fc1 (D -> Hd), fc21 (Hd -> L, mu), fc22 (Hd -> L, logvar), fc3 (L -> Hd),
        fc4 (Hd -> D): Linear layers with PyTorch's default initialisation
        (U(-1/sqrt(fan_in), 1/sqrt(fan_in))); the paper draws N(0, 0.01). Names and shapes
        are those of PyTorch's examples/vae. Parameters: 652,824 for 784-400-20.

    Example:
        >>> model = VAE()
        >>> logits, mu, logvar = model(nl.rand(8, 1, 28, 28))
        >>> logits.shape, mu.shape
        ((8, 1, 28, 28), (8, 20))
        >>> model.sample(4).shape
        (4, 1, 28, 28)
    """

    def __init__(self, image_shape: Sequence[int] = (1, 28, 28), hidden_size: int = 400,
                 latent_dim: int = 20, activation: str = "relu") -> None:
        super().__init__()
        image_shape = tuple(image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"VAE: image_shape must be (C, H, W), got {image_shape!r}")
        for i, s in enumerate(image_shape):
            _positive(s, f"image_shape[{i}]", "VAE")
        hidden_size = _positive(hidden_size, "hidden_size", "VAE")
        latent_dim = _positive(latent_dim, "latent_dim", "VAE")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"VAE: activation must be one of {list(_ACTIVATIONS)}, got "
                             f"{activation!r}")
        self.image_shape, self.hidden_size, self.latent_dim = image_shape, hidden_size, latent_dim
        self.activation = activation
        self.in_features = D = math.prod(image_shape)
        self.fc1 = nn.Linear(D, hidden_size)                  # encoder: hidden layer
        self.fc21 = nn.Linear(hidden_size, latent_dim)        #          mu
        self.fc22 = nn.Linear(hidden_size, latent_dim)        #          log sigma^2
        self.fc3 = nn.Linear(latent_dim, hidden_size)         # decoder: hidden layer
        self.fc4 = nn.Linear(hidden_size, D)                  #          Bernoulli logits

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        n = x.shape[0] if x.ndim else 0
        if x.ndim < 2 or x.numel() != n * self.in_features:
            raise ValueError(f"VAE.encode: expected x of shape (N, {self.in_features}) or "
                             f"(N, *{self.image_shape}), got {tuple(x.shape)}")
        act = _ACTIVATIONS[self.activation]
        h = act(self.fc1(x.reshape(n, self.in_features)))     # (N, Hd)   x: (N, D)
        return self.fc21(h), self.fc22(h)                     # (N, L), (N, L)

    def decode_logits(self, z: Tensor) -> Tensor:
        self._check_latent(z)
        act = _ACTIVATIONS[self.activation]
        h = act(self.fc3(z))                                  # (N, Hd)
        return self.fc4(h).reshape(z.shape[0], *self.image_shape)   # (N, C, H, W) <- (N, D)

    def extra_repr(self) -> str:
        return (f"{self.in_features}-{self.hidden_size}-{self.latent_dim}, "
                f"activation={self.activation!r}")


# ---- the convolutional variant -------------------------------------------------------
class ConvEncoder(nn.Module):
    """Stride-2 convolutions (kernel 4, padding 1: each halves H and W) with ReLU, then two
    linear heads for mu and log sigma^2.

    Shape:
        x (N, C, H, W) -> mu, logvar (N, L).
    """

    def __init__(self, in_channels: int, image_size: int, channels: Sequence[int],
                 latent_dim: int) -> None:
        super().__init__()
        layers, c = [], in_channels
        for out in channels:
            layers += [nn.Conv2d(c, out, kernel_size=4, stride=2, padding=1), nn.ReLU()]
            c = out
        self.convs = nn.Sequential(*layers)
        s = image_size >> len(channels)                           # H / 2^stages
        self.fc_mu = nn.Linear(c * s * s, latent_dim)
        self.fc_logvar = nn.Linear(c * s * s, latent_dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.convs(x)                                         # (N, c, s, s)
        h = h.flatten(1)                                          # (N, c*s*s)
        return self.fc_mu(h), self.fc_logvar(h)                  # (N, L), (N, L)


class ConvDecoder(nn.Module):
    """The encoder mirrored: Linear -> ReLU -> Unflatten to (c, s, s) -> stride-2
    transposed convolutions (kernel 4, padding 1: each doubles H and W), ReLU between,
    the last one giving the Bernoulli logits.

    Shape:
        z (N, L) -> logits (N, C, H, W).
    """

    def __init__(self, out_channels: int, image_size: int, channels: Sequence[int],
                 latent_dim: int) -> None:
        super().__init__()
        c = channels[-1]
        s = image_size >> len(channels)
        self.fc = nn.Linear(latent_dim, c * s * s)
        self.unflatten = nn.Unflatten(1, (c, s, s))
        layers: list[nn.Module] = []
        for out in list(channels[-2::-1]) + [out_channels]:     # e.g. 64 -> 32 -> 1
            layers += [nn.ReLU(), nn.ConvTranspose2d(c, out, kernel_size=4, stride=2,
                                                     padding=1)]
            c = out
        self.deconvs = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        h = self.unflatten(self.fc(z))                            # (N, c, s, s) <- (N, c*s*s)
        return self.deconvs(h)                                    # (N, C, H, W)


class ConvVAE(VariationalAutoencoder):
    """A VAE with a convolutional encoder and decoder (no pooling: stride-2 convolutions
    down, stride-2 transposed convolutions up).

    For 28x28 digits and the defaults::

        encoder  (N, 1, 28, 28) -conv 4x4/2-> (N, 32, 14, 14) -conv 4x4/2-> (N, 64, 7, 7)
                 -flatten-> (N, 3136) -Linear-> mu, logvar (N, 20)
        decoder  z (N, 20) -Linear-> (N, 3136) -unflatten-> (N, 64, 7, 7)
                 -convT 4x4/2-> (N, 32, 14, 14) -convT 4x4/2-> logits (N, 1, 28, 28)

    Args:
        in_channels (int): C. Default: 1.
        image_size (int): H = W; divisible by 2^len(channels). Default: 28.
        channels (sequence of int): the encoder's feature maps per stride-2 stage (the
            decoder mirrors them). Default: (32, 64).
        latent_dim (int): L. Default: 20.

    Shape:
        x (N, C, H, W) -> logits (N, C, H, W), mu (N, L), logvar (N, L).

    Attributes:
        encoder (ConvEncoder), decoder (ConvDecoder); every layer with PyTorch's default
        initialisation. Parameters: 258,025 with the defaults.

    Example:
        >>> model = ConvVAE()
        >>> logits, mu, logvar = model(nl.rand(8, 1, 28, 28))
        >>> logits.shape, logvar.shape
        ((8, 1, 28, 28), (8, 20))
    """

    def __init__(self, in_channels: int = 1, image_size: int = 28,
                 channels: Sequence[int] = (32, 64), latent_dim: int = 20) -> None:
        super().__init__()
        in_channels = _positive(in_channels, "in_channels", "ConvVAE")
        image_size = _positive(image_size, "image_size", "ConvVAE")
        latent_dim = _positive(latent_dim, "latent_dim", "ConvVAE")
        channels = tuple(channels)
        if not channels:
            raise ValueError("ConvVAE: channels must name at least one stage, got ()")
        for i, c in enumerate(channels):
            _positive(c, f"channels[{i}]", "ConvVAE")
        if image_size % (1 << len(channels)):
            raise ValueError(f"ConvVAE: image_size {image_size} must be divisible by "
                             f"2^{len(channels)} = {1 << len(channels)} (one halving per "
                             f"stage of channels={channels})")
        self.image_shape = (in_channels, image_size, image_size)
        self.channels, self.latent_dim = channels, latent_dim
        self.encoder = ConvEncoder(in_channels, image_size, channels, latent_dim)
        self.decoder = ConvDecoder(in_channels, image_size, channels, latent_dim)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if x.ndim == 2 and x.shape[1] == math.prod(self.image_shape):
            x = x.reshape(x.shape[0], *self.image_shape)          # (N, C, H, W) <- (N, D)
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(f"ConvVAE.encode: expected x of shape (N, *{self.image_shape}), "
                             f"got {tuple(x.shape)}")
        return self.encoder(x)

    def decode_logits(self, z: Tensor) -> Tensor:
        self._check_latent(z)
        return self.decoder(z)

    def extra_repr(self) -> str:
        return f"image_shape={self.image_shape}, latent_dim={self.latent_dim}"
