"""DCGAN, from Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks", ICLR 2016, sized for 28x28 MNIST digits.

A generator G maps a noise vector z to an image; a discriminator D maps an image to the
logit of "this image is real". They play Goodfellow et al.'s (2014) minimax game, D
learning to tell real from generated images and G learning to fool D. The paper's box
"Architecture guidelines for stable Deep Convolutional GANs" (section 3):

    * Replace any pooling layers with strided convolutions (discriminator) and
      fractional-strided convolutions (generator).
    * Use batchnorm in both the generator and the discriminator.
    * Remove fully connected hidden layers for deeper architectures.
    * Use ReLU activation in generator for all layers except for the output, which uses
      Tanh.
    * Use LeakyReLU activation in the discriminator for all layers.

"Directly applying batchnorm to all layers however, resulted in sample oscillation and
model instability. This was avoided by not applying batchnorm to the generator output layer
and the discriminator input layer." The generator's first layer "could be called fully
connected as it is just a matrix multiplication, but the result is reshaped into a
4-dimensional tensor and used as the start of the convolution stack": here it is a
transposed convolution of the 1x1 noise "image" with a 4x4 kernel, the same product. "For
the discriminator, the last convolution layer is flattened and then fed into a single
sigmoid output": here a 4x4 convolution to one channel, whose logit goes to
``F.binary_cross_entropy_with_logits`` (the sigmoid folded into the loss).

The paper's generator (Fig. 1, for 64x64 LSUN bedrooms) projects z to 4x4x1024 and grows
it through four fractional-strided convolutions, 4 -> 8 -> 16 -> 32 -> 64, halving the maps
at each step; the discriminator mirrors it with strided convolutions. For 28x28 digits the
same stack is 4 -> 7 -> 14 -> 28 (a 3x3 kernel takes 4 to 7), with base width 32 (ngf =
ndf = 32; PyTorch's DCGAN example uses 64 for 64x64 images):

    Generator                                              output           parameters
    z                                                      (N, 100, 1, 1)
    project   ConvTranspose2d(100, 256, 4) BN ReLU         (N, 256, 4, 4)      410,112
    up1       ConvTranspose2d(256, 128, 3, 2, 1) BN ReLU   (N, 128, 7, 7)      295,168
    up2       ConvTranspose2d(128, 64, 4, 2, 1) BN ReLU    (N, 64, 14, 14)     131,200
    to_image  ConvTranspose2d(64, 1, 4, 2, 1) Tanh         (N, 1, 28, 28)        1,025
                                                                               837,505

    Discriminator                                          output           parameters
    x                                                      (N, 1, 28, 28)
    down1     Conv2d(1, 32, 4, 2, 1) LeakyReLU(0.2)        (N, 32, 14, 14)         544
    down2     Conv2d(32, 64, 4, 2, 1) BN LeakyReLU         (N, 64, 7, 7)        32,896
    down3     Conv2d(64, 128, 3, 2, 1) BN LeakyReLU        (N, 128, 4, 4)       73,984
    to_logit  Conv2d(128, 1, 4)                            (N,)                  2,049
                                                                               109,473

Convolutions followed by batch norm have no bias (BN's shift replaces it); the others
(``down1``, ``to_image``, ``to_logit``) have one.

Training details (section 4): "No pre-processing was applied to training images besides
scaling to the range of the tanh activation function [-1, 1]. All models were trained with
mini-batch stochastic gradient descent (SGD) with a mini-batch size of 128. All weights were
initialized from a zero-centered Normal distribution with standard deviation 0.02. In the
LeakyReLU, the slope of the leak was set to 0.2 in all models. [...] we used the Adam
optimizer [...] learning rate of 0.0002 [...] reducing [beta1] to 0.5 helped stabilize
training." :func:`weights_init` is that initialisation, with batch norm's scale drawn from
N(1, 0.02) as in the authors' code (``dcgan.torch``) and PyTorch's DCGAN example; both
models apply it when built. The noise: Fig. 1 draws z from a 100-dimensional uniform
distribution; the authors' code defaults to N(0, I), which ``examples/train_dcgan.py`` uses.

Notation in the shape comments: N batch, nz noise size, ngf / ndf the generator's /
discriminator's base width, nc image channels.
"""
from __future__ import annotations

from collections import OrderedDict

import nnlite as nl
from nnlite import nn

__all__ = ["Generator", "Discriminator", "GeneratorBlock", "DiscriminatorBlock",
           "weights_init"]

IMAGE_SIZE = 28               # MNIST's: 4 -> 7 -> 14 -> 28 in the generator, the reverse in D


def weights_init(m: nn.Module) -> None:
    """The paper's initialisation, for ``model.apply(weights_init)``: every convolution and
    transposed convolution weight N(0, 0.02), batch-norm scale N(1, 0.02), and every bias
    (convolution and batch-norm shift) 0. Other modules are left alone.

    Example:
        >>> G = Generator()
        >>> _ = G.apply(weights_init)          # what Generator() already did
    """
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def _parameter_counts(model: nn.Module) -> "OrderedDict[str, int]":
    """Trainable parameters of each direct child."""
    return OrderedDict((name, sum(p.numel() for p in child.parameters()))
                       for name, child in model.named_children())


# ============================================================================
# Blocks
# ============================================================================
class GeneratorBlock(nn.Sequential):
    """A fractional-strided convolution, batch norm and ReLU: one step up the generator.

    Args:
        in_channels (int), out_channels (int): feature maps in and out.
        kernel_size (int): Default: 4.
        stride (int): the upsampling factor. Default: 2.
        padding (int): Default: 1 (with kernel 4 and stride 2 the maps double exactly).

    Shape:
        (N, in_channels, H, W) -> (N, out_channels, H_out, W_out),
        H_out = (H - 1) * stride - 2 * padding + kernel_size.

    Example:
        >>> GeneratorBlock(128, 64)(nl.randn(2, 128, 7, 7)).shape
        (2, 64, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 4,
                 stride: int = 2, padding: int = 1) -> None:
        super().__init__(
            nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding,
                               bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True))


class DiscriminatorBlock(nn.Sequential):
    """A stride-2 convolution (the learned downsampling that replaces pooling), batch norm
    (except on the input layer) and LeakyReLU(0.2): one step down the discriminator.

    Args:
        in_channels (int), out_channels (int): feature maps in and out.
        batch_norm (bool): follow the convolution by batch norm (then it has no bias).
            Default: True.
        kernel_size (int): Default: 4 (with padding 1, even maps halve exactly; 3 takes
            7 to 4).
        negative_slope (float): of the LeakyReLU. Default: 0.2 (the paper's).

    Shape:
        (N, in_channels, H, W) -> (N, out_channels, H_out, W_out),
        H_out = floor((H + 2 - kernel_size) / 2) + 1.

    Example:
        >>> DiscriminatorBlock(1, 32, batch_norm=False)(nl.randn(2, 1, 28, 28)).shape
        (2, 32, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, batch_norm: bool = True,
                 kernel_size: int = 4, negative_slope: float = 0.2) -> None:
        layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, kernel_size, stride=2,
                                             padding=1, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.LeakyReLU(negative_slope, inplace=True))
        super().__init__(*layers)


# ============================================================================
# The two players
# ============================================================================
class Generator(nn.Module):
    """DCGAN's generator for 28x28 images: noise z -> image in [-1, 1] (see the module
    docstring for the layer table).

    Args:
        nz (int): size of the noise vector z. Default: 100 (the paper's).
        ngf (int): base width; the layers have 8 * ngf, 4 * ngf, 2 * ngf and nc maps.
            Default: 32.
        nc (int): image channels. Default: 1.

    Shape:
        z (N, nz) or (N, nz, 1, 1) -> images (N, nc, 28, 28), each pixel in [-1, 1].

    Initialisation: :func:`weights_init` (conv weights N(0, 0.02), BN scale N(1, 0.02),
    biases 0). Parameters: 837,505 with the defaults.

    Example:
        >>> G = Generator()
        >>> G(nl.randn(16, 100)).shape
        (16, 1, 28, 28)
    """

    def __init__(self, nz: int = 100, ngf: int = 32, nc: int = 1) -> None:
        super().__init__()
        for name, value in (("nz", nz), ("ngf", ngf), ("nc", nc)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Generator: {name} must be a positive int, got {value!r}")
        self.nz, self.ngf, self.nc = nz, ngf, nc
        self.project = GeneratorBlock(nz, ngf * 8, kernel_size=4, stride=1, padding=0)
        self.up1 = GeneratorBlock(ngf * 8, ngf * 4, kernel_size=3)     # 4 -> 7
        self.up2 = GeneratorBlock(ngf * 4, ngf * 2)                    # 7 -> 14
        self.to_image = nn.ConvTranspose2d(ngf * 2, nc, 4, stride=2, padding=1)
        self.tanh = nn.Tanh()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight with the paper's :func:`weights_init`."""
        self.apply(weights_init)

    def forward(self, z: nl.Tensor) -> nl.Tensor:
        if not (z.ndim == 2 and z.shape[1] == self.nz
                or z.ndim == 4 and tuple(z.shape[1:]) == (self.nz, 1, 1)):
            raise ValueError(f"Generator: expected noise z of shape (N, {self.nz}) or "
                             f"(N, {self.nz}, 1, 1), got shape {tuple(z.shape)}")
        x = z.reshape(z.shape[0], self.nz, 1, 1)       # (N, nz, 1, 1): z as a 1x1 image
        x = self.project(x)                            # (N, 8*ngf, 4, 4)
        x = self.up1(x)                                # (N, 4*ngf, 7, 7)
        x = self.up2(x)                                # (N, 2*ngf, 14, 14)
        return self.tanh(self.to_image(x))             # (N, nc, 28, 28) in [-1, 1]

    def parameter_counts(self) -> "OrderedDict[str, int]":
        """Trainable parameters per layer: project 410,112, up1 295,168, up2 131,200,
        to_image 1,025, tanh 0 (with the defaults)."""
        return _parameter_counts(self)

    def extra_repr(self) -> str:
        return f"nz={self.nz}, ngf={self.ngf}, nc={self.nc}"


class Discriminator(nn.Module):
    """DCGAN's discriminator for 28x28 images: image -> one logit of "real" (see the module
    docstring for the layer table). No pooling and no fully connected layer: three stride-2
    convolutions, then a 4x4 convolution over the whole 4x4 map gives the logit.

    Args:
        ndf (int): base width; the layers have ndf, 2 * ndf, 4 * ndf and 1 maps.
            Default: 32.
        nc (int): image channels. Default: 1.

    Shape:
        images (N, nc, 28, 28) -> logits (N,), for ``F.binary_cross_entropy_with_logits``
        against 1 (real) or 0 (generated).

    Initialisation: :func:`weights_init`. Parameters: 109,473 with the defaults.

    Example:
        >>> D = Discriminator()
        >>> D(nl.randn(16, 1, 28, 28)).shape
        (16,)
    """

    def __init__(self, ndf: int = 32, nc: int = 1) -> None:
        super().__init__()
        for name, value in (("ndf", ndf), ("nc", nc)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Discriminator: {name} must be a positive int, got "
                                 f"{value!r}")
        self.ndf, self.nc = ndf, nc
        self.down1 = DiscriminatorBlock(nc, ndf, batch_norm=False)   # no BN on the input
        self.down2 = DiscriminatorBlock(ndf, ndf * 2)
        self.down3 = DiscriminatorBlock(ndf * 2, ndf * 4, kernel_size=3)    # 7 -> 4
        self.to_logit = nn.Conv2d(ndf * 4, 1, 4)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight with the paper's :func:`weights_init`."""
        self.apply(weights_init)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        if x.ndim != 4 or tuple(x.shape[1:]) != (self.nc, IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"Discriminator: expected images of shape (N, {self.nc}, "
                             f"{IMAGE_SIZE}, {IMAGE_SIZE}), got shape {tuple(x.shape)}")
        x = self.down1(x)                              # (N, ndf, 14, 14)
        x = self.down2(x)                              # (N, 2*ndf, 7, 7)
        x = self.down3(x)                              # (N, 4*ndf, 4, 4)
        x = self.to_logit(x)                           # (N, 1, 1, 1)
        return x.reshape(x.shape[0])                   # (N,) logits

    def parameter_counts(self) -> "OrderedDict[str, int]":
        """Trainable parameters per layer: down1 544, down2 32,896, down3 73,984,
        to_logit 2,049 (with the defaults)."""
        return _parameter_counts(self)

    def extra_repr(self) -> str:
        return f"ndf={self.ndf}, nc={self.nc}"
