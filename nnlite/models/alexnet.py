"""AlexNet, from Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS 2012.

Three models:

* ``AlexNet`` / ``alexnet()``: torchvision's single-tower variant (the "one weird trick"
  layout of Krizhevsky 2014: 64-192-384-256-256 filters, no LRN), with torchvision's
  layer indices, so ``state_dict`` keys and shapes equal torchvision's. 61,100,840
  parameters for 1000 classes.
* ``AlexNetClassic``: the 2012 paper's network: 96-256-384-384-256 filters, the
  two-GPU towers kept as ``groups=2`` in conv2, conv4 and conv5 (the towers only meet
  in conv3 and the fully connected layers), local response normalisation after conv1
  and conv2, overlapping 3x3 stride-2 max-pooling, and the paper's initialisation.
  60,965,224 parameters for 1000 classes.
* ``AlexNetSmall`` / ``alexnet_small()``: the same five-conv / three-FC layout (and
  keys) scaled to 32x32 images (CIFAR-10).

Notation in the shape comments: N batch; sizes are for the named input size.
"""
from __future__ import annotations

import nnlite as nl
from nnlite import nn

__all__ = ["AlexNet", "AlexNetClassic", "AlexNetSmall", "alexnet", "alexnet_classic",
           "alexnet_small"]


def _lrn() -> nn.LocalResponseNorm:
    """Section 3.3's normalisation: b_i = a_i / (k + alpha * sum of a_j^2 over n = 5 maps)^beta
    with k = 2, alpha = 1e-4, beta = 0.75. ``nn.LocalResponseNorm`` (like torch and Caffe)
    divides alpha by n, the paper does not: alpha = 5 * 1e-4 computes the paper's equation."""
    return nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)


def _pool(lrn: bool) -> nn.Module:
    """Overlapping 3x3 stride-2 max-pooling (section 3.4), after LRN when ``lrn``. LRN has
    no parameters, so wrapping both in one Sequential keeps the parameter indices (and the
    ``state_dict`` keys) of the network without LRN."""
    pool = nn.MaxPool2d(kernel_size=3, stride=2)
    return nn.Sequential(_lrn(), pool) if lrn else pool


def _single_tower(conv1: nn.Conv2d, lrn: bool) -> nn.Sequential:
    """torchvision's five convolutions after ``conv1`` (64-192-384-256-256 filters)."""
    return nn.Sequential(
        conv1,                                                       # 0  conv1
        nn.ReLU(inplace=True),
        _pool(lrn),
        nn.Conv2d(64, 192, kernel_size=5, padding=2),                # 3  conv2
        nn.ReLU(inplace=True),
        _pool(lrn),
        nn.Conv2d(192, 384, kernel_size=3, padding=1),               # 6  conv3
        nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, kernel_size=3, padding=1),               # 8  conv4
        nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, kernel_size=3, padding=1),               # 10 conv5
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
    )


def _classifier(in_features: int, hidden: int, num_classes: int,
                dropout: float) -> nn.Sequential:
    """fc6 and fc7 (``hidden`` units, ReLU, dropout before each), fc8."""
    return nn.Sequential(
        nn.Dropout(p=dropout),
        nn.Linear(in_features, hidden),                              # 1  fc6
        nn.ReLU(inplace=True),
        nn.Dropout(p=dropout),
        nn.Linear(hidden, hidden),                                   # 4  fc7
        nn.ReLU(inplace=True),
        nn.Linear(hidden, num_classes),                              # 6  fc8
    )


class AlexNet(nn.Module):
    """AlexNet as in torchvision (single tower, no LRN).

    Args:
        num_classes (int): output size. Default: 1000.
        dropout (float): dropout probability before the first two fully connected
            layers. Default: 0.5.

    Shape:
        input (N, 3, H, W), H, W >= 63 (224 nominal) -> logits (N, num_classes). The
        adaptive pooling makes the classifier see 256 x 6 x 6 for any input size.

    Initialisation: PyTorch's layer defaults, as torchvision.

    Example:
        >>> alexnet(num_classes=10)(nl.randn(1, 3, 224, 224)).shape
        (1, 10)
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = _single_tower(nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
                                      lrn=False)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = _classifier(256 * 6 * 6, 4096, num_classes, dropout)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.features(x)         # (N, 256, 6, 6)       from (N, 3, 224, 224)
        x = self.avgpool(x)          # (N, 256, 6, 6)
        x = x.flatten(1)             # (N, 9216)
        return self.classifier(x)    # (N, num_classes)


class AlexNetClassic(nn.Module):
    """AlexNet as in the 2012 paper (section 3, Figure 2).

    * conv1 96@11x11 stride 4 -> ReLU -> LRN -> max-pool 3/2
    * conv2 256@5x5, groups=2 (each tower reads only its own 48 maps) -> ReLU -> LRN
      -> max-pool 3/2
    * conv3 384@3x3, full (the towers communicate here) -> ReLU
    * conv4 384@3x3, groups=2 -> ReLU; conv5 256@3x3, groups=2 -> ReLU -> max-pool 3/2
    * fc6 4096 -> ReLU, fc7 4096 -> ReLU, fc8 num_classes, dropout 0.5 before fc6 and
      fc7 (section 4.2)

    Local response normalisation (section 3.3): see ``_lrn``; it computes the paper's
    equation exactly.

    Overlapping pooling (section 3.4): 3x3 windows every 2 pixels (z = 3, s = 2).

    Input 227x227: the paper says 224, but its Figure 2 sizes (55, 27, 13, 6) only work
    out for 227 (as in Caffe's reference model): (227 - 11) / 4 + 1 = 55. The adaptive
    pooling before the classifier is the identity at 227 and lets smaller images
    (>= 67) run too.

    Initialisation (section 5): weights N(0, 0.01^2); biases 1 in conv2, conv4, conv5
    and the hidden fully connected layers ("accelerates the early stages of learning by
    providing the ReLUs with positive inputs"), 0 in conv1, conv3 and fc8.

    Args:
        num_classes (int): output size. Default: 1000.
        dropout (float): Default: 0.5.

    Shape:
        input (N, 3, 227, 227) -> logits (N, num_classes).
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4),                  # 0  conv1
            nn.ReLU(inplace=True),
            _lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2),      # 4  conv2
            nn.ReLU(inplace=True),
            _lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1),               # 8  conv3
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2),     # 10 conv4
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2),     # 12 conv5
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = _classifier(256 * 6 * 6, 4096, num_classes, dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The paper's initialisation (section 5), see the class docstring."""
        conv1, conv2, conv3, conv4, conv5 = (self.features[i] for i in (0, 4, 8, 10, 12))
        fc6, fc7, fc8 = (self.classifier[i] for i in (1, 4, 6))
        for layer in (conv1, conv2, conv3, conv4, conv5, fc6, fc7, fc8):
            nn.init.normal_(layer.weight, 0.0, 0.01)
        for layer in (conv2, conv4, conv5, fc6, fc7):
            nn.init.ones_(layer.bias)
        for layer in (conv1, conv3, fc8):
            nn.init.zeros_(layer.bias)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.features(x)         # (N, 256, 6, 6)       from (N, 3, 227, 227)
        x = self.avgpool(x)          # (N, 256, 6, 6)
        x = x.flatten(1)             # (N, 9216)
        return self.classifier(x)    # (N, num_classes)


class AlexNetSmall(nn.Module):
    """AlexNet's layout for 32x32 images (CIFAR-10): the five convolutions of
    torchvision's AlexNet (64-192-384-256-256 filters) with a 5x5 stride-1 first layer
    instead of 11x11 stride 4, the paper's local response normalisation after conv1 and
    conv2, overlapping 3/2 max-pooling (32 -> 15 -> 7 -> 3), dropout, and narrower fully
    connected layers. Same ``state_dict`` keys as ``AlexNet`` (LRN has no parameters).

    Args:
        num_classes (int): Default: 10.
        dropout (float): Default: 0.5.
        hidden (int): width of fc6 and fc7. Default: 1024.
        in_channels (int): 3 for colour images, 1 for MNIST. Default: 3.
        lrn (bool): local response normalisation before the first two poolings.
            Default: True.

    Shape:
        input (N, in_channels, 32, 32) -> logits (N, num_classes).

    Example:
        >>> alexnet_small(in_channels=1)(nl.randn(2, 1, 32, 32)).shape
        (2, 10)

    Initialisation: PyTorch's layer defaults. Parameters: 5,871,434 for the defaults.
    """

    def __init__(self, num_classes: int = 10, dropout: float = 0.5, hidden: int = 1024,
                 in_channels: int = 3, lrn: bool = True) -> None:
        super().__init__()
        self.features = _single_tower(nn.Conv2d(in_channels, 64, kernel_size=5, padding=2),
                                      lrn=lrn)
        self.avgpool = nn.AdaptiveAvgPool2d((3, 3))
        self.classifier = _classifier(256 * 3 * 3, hidden, num_classes, dropout)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.features(x)         # (N, 256, 3, 3)       from (N, 3, 32, 32)
        x = self.avgpool(x)          # (N, 256, 3, 3)
        x = x.flatten(1)             # (N, 2304)
        return self.classifier(x)    # (N, num_classes)


def alexnet(num_classes: int = 1000, dropout: float = 0.5) -> AlexNet:
    """torchvision's AlexNet (61,100,840 parameters for 1000 classes)."""
    return AlexNet(num_classes=num_classes, dropout=dropout)


def alexnet_classic(num_classes: int = 1000, dropout: float = 0.5) -> AlexNetClassic:
    """The 2012 paper's two-tower AlexNet (60,965,224 parameters for 1000 classes)."""
    return AlexNetClassic(num_classes=num_classes, dropout=dropout)


def alexnet_small(num_classes: int = 10, dropout: float = 0.5, hidden: int = 1024,
                  in_channels: int = 3, lrn: bool = True) -> AlexNetSmall:
    """AlexNet for 32x32 images (see ``AlexNetSmall``)."""
    return AlexNetSmall(num_classes=num_classes, dropout=dropout, hidden=hidden,
                        in_channels=in_channels, lrn=lrn)
