"""VGG, from Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015 (Table 1, configurations A, B, D, E).

A stack of 3x3 stride-1 padding-1 convolutions (two stacked 3x3 layers see 5x5, three
see 7x7, with fewer parameters and more non-linearities), five 2x2 max-pools halving
the resolution, then three fully connected layers. The ``_bn`` variants (not in the
paper) put a BatchNorm2d between every convolution and its ReLU.

Layout, keys and initialisation are torchvision's (``features.<i>``, ``avgpool``,
``classifier.<i>``): the convolutions of ``features`` are numbered in order with their
ReLUs and pools, so e.g. vgg16's last convolution is ``features.28``.

    builder    config  weight layers  parameters (1000 classes)
    vgg11      A       11             132,863,336    (vgg11_bn 132,868,840)
    vgg13      B       13             133,047,848    (vgg13_bn 133,053,736)
    vgg16      D       16             138,357,544    (vgg16_bn 138,365,992)
    vgg19      E       19             143,667,240    (vgg19_bn 143,678,248)

Notation in the shape comments: N batch; sizes for a 224x224 input.
"""
from __future__ import annotations

import nnlite as nl
from nnlite import nn

__all__ = ["VGG", "make_layers", "cfgs", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16",
           "vgg16_bn", "vgg19", "vgg19_bn"]

# Table 1 of the paper: output channels of each 3x3 convolution, "M" a 2x2 max-pool.
cfgs: dict = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


def make_layers(cfg: list, batch_norm: bool = False) -> nn.Sequential:
    """The convolutional part of a VGG configuration: for each number c, a 3x3
    convolution to c channels (+ BatchNorm2d) + ReLU; for each "M", a 2x2 max-pool."""
    layers: list = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """A VGG network: ``features`` (from ``make_layers``), a 7x7 adaptive average pool,
    and the classifier FC-4096, FC-4096, FC-num_classes with ReLU and dropout.

    Args:
        features (nn.Sequential): the convolutional stack, 512 output channels.
        num_classes (int): Default: 1000.
        init_weights (bool): torchvision's initialisation: convolutions
            ``kaiming_normal_(mode='fan_out', nonlinearity='relu')`` with zero bias,
            BatchNorm weight 1 and bias 0, linear layers N(0, 0.01^2) with zero bias.
            (The paper trained A from N(0, 0.01^2) and initialised the deeper nets'
            first four conv and last three FC layers from A.) Default: True.
        dropout (float): before fc7 and fc8. Default: 0.5.

    Shape:
        input (N, 3, H, W), H, W >= 32 (224 nominal) -> logits (N, num_classes).
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        """torchvision's initialisation (see ``init_weights``)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.features(x)         # (N, 512, 7, 7)       from (N, 3, 224, 224)
        x = self.avgpool(x)          # (N, 512, 7, 7)
        x = x.flatten(1)             # (N, 25088)
        return self.classifier(x)    # (N, num_classes)


def _vgg(cfg: str, batch_norm: bool, **kwargs) -> VGG:
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(**kwargs) -> VGG:
    """VGG 11-layer, configuration A. Keyword arguments go to ``VGG``."""
    return _vgg("A", False, **kwargs)


def vgg11_bn(**kwargs) -> VGG:
    """VGG 11-layer (configuration A) with batch normalisation."""
    return _vgg("A", True, **kwargs)


def vgg13(**kwargs) -> VGG:
    """VGG 13-layer, configuration B."""
    return _vgg("B", False, **kwargs)


def vgg13_bn(**kwargs) -> VGG:
    """VGG 13-layer (configuration B) with batch normalisation."""
    return _vgg("B", True, **kwargs)


def vgg16(**kwargs) -> VGG:
    """VGG 16-layer, configuration D."""
    return _vgg("D", False, **kwargs)


def vgg16_bn(**kwargs) -> VGG:
    """VGG 16-layer (configuration D) with batch normalisation."""
    return _vgg("D", True, **kwargs)


def vgg19(**kwargs) -> VGG:
    """VGG 19-layer, configuration E."""
    return _vgg("E", False, **kwargs)


def vgg19_bn(**kwargs) -> VGG:
    """VGG 19-layer (configuration E) with batch normalisation."""
    return _vgg("E", True, **kwargs)
