"""The all-convolutional net, from Springenberg, Dosovitskiy, Brox & Riedmiller, "Striving
for Simplicity: The All Convolutional Net", ICLR 2015 (workshop).

Max-pooling is a fixed operation that a convolution can learn: replace every 3x3
max-pooling of stride 2 by a 3x3 convolution of stride 2 (with ReLU, and as many channels
as the layer before), and replace the fully connected layers at the top by 1x1
convolutions and a global average: the network is convolutions only (section 2).
All-CNN-C is model C of Table 1 with its two pooling layers so replaced (Table 2):

    layer                               channels          32x32 input
    input, dropout 20%                  3                 32 x 32
    3x3 conv, ReLU                      96                32 x 32
    3x3 conv, ReLU                      96                32 x 32
    3x3 conv stride 2, ReLU             96                16 x 16    (was 3x3 max-pool /2)
    dropout 50%
    3x3 conv, ReLU                      192               16 x 16
    3x3 conv, ReLU                      192               16 x 16
    3x3 conv stride 2, ReLU             192               8 x 8      (was 3x3 max-pool /2)
    dropout 50%
    3x3 conv (no padding), ReLU         192               6 x 6
    1x1 conv, ReLU                      192               6 x 6
    1x1 conv, ReLU                      num_classes       6 x 6
    global average over 6 x 6          num_classes       1 x 1      -> softmax

The paddings: 1 on the 3x3 convolutions of the two stages (stride 1 keeps the size, stride
2 halves it, as the pooling did), none on the first 3x3 convolution of the head (8 -> 6,
"global averaging over 6 x 6 spatial dimensions"). Dropout is applied to the input image
and after each layer that replaces a pooling layer, 20% and 50% (section 3.2). The
class scores go through a ReLU before the average, as the table has it
(``final_relu=False`` drops it).

``allcnn_c`` is that network (1,369,738 parameters for 10 classes); ``allcnn_c_small`` the
same layout with 32 and 64 channels for digits (MNIST padded to 32x32: 1 input channel,
~1/9 of the multiply-adds). The paper's training: SGD with momentum 0.9, weight decay
0.001, the learning rate from {0.25, 0.1, 0.05, 0.01} multiplied by 0.1 after epochs 200,
250 and 300 of 350; 9.08% test error on CIFAR-10 without data augmentation, 7.25% with
translations and flips (Table 3).

Initialisation (the paper does not state it): He et al. (2015)'s normal init for the ReLU
convolutions, fan_in mode, and zero biases: with no batch normalisation, each layer then
keeps the scale of its input, which a nine-layer ReLU stack needs to start learning.

Notation in the shape comments: N batch, C input channels, c1/c2 the two widths (96/192),
K num_classes; sizes for a 32x32 input.
"""
from __future__ import annotations

import nnlite as nl
from nnlite import nn

__all__ = ["AllCNN", "ConvReLU", "allcnn_c", "allcnn_c_small"]


class ConvReLU(nn.Sequential):
    """A convolution and its ReLU: the only layer the net has.

    Args:
        in_channels (int), out_channels (int): as ``nn.Conv2d``.
        kernel_size (int): 3 or 1 here.
        stride (int): 2 where a pooling layer was. Default: 1.
        padding (int): Default: 0.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int = 0) -> None:
        super().__init__(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
                         nn.ReLU(inplace=True))


class AllCNN(nn.Module):
    """All-CNN-C (Table 2; see the module docstring): convolutions, a global average and
    nothing else.

    Args:
        num_classes (int): K. Default: 10.
        in_channels (int): C, 3 for colour images, 1 for digits. Default: 3.
        widths (tuple of 2 ints): channels of the two stages (c1, c2); the head keeps c2.
            Default: (96, 192), the paper's.
        input_dropout (float): on the input image. Default: 0.2.
        dropout (float): after each strided convolution. Default: 0.5.
        final_relu (bool): a ReLU on the class maps before the average, as in Table 2.
            Default: True.

    Shape:
        input (N, C, H, W) -> logits (N, K); H, W >= 9 (32 in the paper): the head's
        unpadded 3x3 convolution needs maps of at least 3x3 after the two halvings,
        ceil(ceil(H / 2) / 2) >= 3.

    Attributes:
        features (Sequential): the two stages, indices 0-8 (dropout at 0, 4 and 8).
        classifier (Sequential): 3x3 conv, 1x1 conv, 1x1 conv to K maps (ReLU each).
        avgpool (AdaptiveAvgPool2d): the global average, (N, K, 6, 6) -> (N, K, 1, 1).

    Example:
        >>> model = allcnn_c_small(num_classes=10, in_channels=1)
        >>> model(nl.randn(4, 1, 32, 32)).shape
        (4, 10)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 3,
                 widths: tuple[int, int] = (96, 192), input_dropout: float = 0.2,
                 dropout: float = 0.5, final_relu: bool = True) -> None:
        super().__init__()
        widths = tuple(int(w) for w in widths)
        if len(widths) != 2 or min(widths) < 1:
            raise ValueError(f"AllCNN: widths must be two positive channel counts (c1, c2), "
                             f"got {widths}")
        c1, c2 = widths
        self.widths = widths
        self.features = nn.Sequential(
            nn.Dropout(input_dropout),
            ConvReLU(in_channels, c1, 3, padding=1),
            ConvReLU(c1, c1, 3, padding=1),
            ConvReLU(c1, c1, 3, stride=2, padding=1),              # replaces max-pool 3/2
            nn.Dropout(dropout),
            ConvReLU(c1, c2, 3, padding=1),
            ConvReLU(c2, c2, 3, padding=1),
            ConvReLU(c2, c2, 3, stride=2, padding=1),              # replaces max-pool 3/2
            nn.Dropout(dropout))
        self.classifier = nn.Sequential(
            ConvReLU(c2, c2, 3),                                   # no padding: 8 -> 6
            ConvReLU(c2, c2, 1),
            nn.Conv2d(c2, num_classes, 1),
            nn.ReLU(inplace=True) if final_relu else nn.Identity())
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """He et al. (2015) normal init (fan_in, for ReLU) on every convolution, zero
        biases."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        if x.ndim != 4 or min(x.shape[2:]) < 9:
            raise ValueError(f"AllCNN: expected input (N, C, H, W) with H, W >= 9 (32 in "
                             f"the paper; the head needs 3x3 maps after two halvings), got "
                             f"shape {x.shape}")
        x = self.features(x)                      # (N, c2, 8, 8)
        x = self.classifier(x)                    # (N, K, 6, 6)
        x = self.avgpool(x)                       # (N, K, 1, 1)
        return x.flatten(1)                       # (N, K)

    def extra_repr(self) -> str:
        return f"widths={self.widths}"


def allcnn_c(num_classes: int = 10, in_channels: int = 3, **kwargs) -> AllCNN:
    """All-CNN-C with the paper's widths 96 and 192 (1,369,738 parameters for 10 classes
    and 3 input channels). ``kwargs`` go to :class:`AllCNN`."""
    return AllCNN(num_classes, in_channels, widths=(96, 192), **kwargs)


def allcnn_c_small(num_classes: int = 10, in_channels: int = 1, **kwargs) -> AllCNN:
    """All-CNN-C with widths 32 and 64, for MNIST padded to 32x32 (1 input channel by
    default; 152,906 parameters for 10 classes). ``kwargs`` go to :class:`AllCNN`."""
    return AllCNN(num_classes, in_channels, widths=(32, 64), **kwargs)
