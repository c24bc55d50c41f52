"""ZFNet, from Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks",
ECCV 2014 (section 3, Figure 3).

AlexNet with the changes the deconvnet visualisations suggested (section 4.2): a 7x7
stride-2 first layer instead of 11x11 stride 4 (the large stride aliased the first
layer's features and left many filters dead), a stride-2 second layer, and one tower
(no grouped convolutions) with 384-384-256 filters in layers 3-5.

torchvision has no ZFNet; the layout (``features`` / ``avgpool`` / ``classifier``)
follows its AlexNet.

Notation in the shape comments: N batch; sizes for a 224x224 input.
"""
from __future__ import annotations

import nnlite as nl
from nnlite import nn

__all__ = ["ZFNet", "zfnet"]


class ZFNet(nn.Module):
    """ZFNet (Zeiler & Fergus 2014, Figure 3).

    * layer 1: 96@7x7 stride 2 -> ReLU -> max-pool 3/2 -> contrast normalisation
      (224 -> 110 -> 55)
    * layer 2: 256@5x5 stride 2 -> ReLU -> max-pool 3/2 -> contrast normalisation
      (55 -> 26 -> 13)
    * layers 3, 4, 5: 384, 384, 256 @3x3 -> ReLU; max-pool 3/2 after layer 5 (13 -> 6)
    * layers 6, 7: 4096 fully connected, ReLU, dropout 0.5; layer 8: num_classes

    The sizes of Figure 3 (110, 55, 26, 13, 6) are met with padding 1 in layer 1 and
    ``ceil_mode=True`` in the pools. The paper does not give the parameters of its
    "contrast normalisation across feature maps"; we use AlexNet's local response
    normalisation (n = 5, k = 2, alpha = 1e-4 undivided, beta = 0.75; ``nn`` divides
    alpha by n, hence ``alpha = 5e-4`` below).

    Initialisation (section 3): weights 1e-2 (here N(0, 0.01^2)), biases 0. The paper
    also renormalises, during training, every convolution filter whose RMS exceeds
    0.1 back to 0.1 (section 3); call ``renormalize_filters_()`` after each optimiser
    step to do the same.

    Args:
        num_classes (int): output size. Default: 1000.
        dropout (float): Default: 0.5.

    Shape:
        input (N, 3, 224, 224) -> logits (N, num_classes); the adaptive pooling also
        accepts smaller images (>= 63x63).

    Parameters: 62,357,608 for 1000 classes.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=7, stride=2, padding=1),        # 0  layer 1
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0),
            nn.Conv2d(96, 256, kernel_size=5, stride=2),                 # 4  layer 2
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0),
            nn.Conv2d(256, 384, kernel_size=3, padding=1),               # 8  layer 3
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1),               # 10 layer 4
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),               # 12 layer 5
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),                                # 1  layer 6
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),                                       # 4  layer 7
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),                                # 6  layer 8
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weights N(0, 0.01^2), biases 0 (section 3)."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def renormalize_filters_(self, radius: float = 0.1) -> None:
        """Scale every convolution filter whose RMS exceeds ``radius`` back to RMS
        ``radius`` (in place; section 3: "this is crucial, especially in the first
        layer of the model, where the input images are roughly in the [-128, 128]
        range")."""
        for m in self.features:
            if isinstance(m, nn.Conv2d):
                w = m.weight.array                                             # (O, I, K, K)
                rms = (w.reshape(w.shape[0], -1) ** 2).mean(axis=1) ** 0.5    # (O,)
                scale = radius / rms.clip(min=radius)                          # <= 1
                w *= scale.reshape(-1, 1, 1, 1).astype(w.dtype)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.features(x)         # (N, 256, 6, 6)       from (N, 3, 224, 224)
        x = self.avgpool(x)          # (N, 256, 6, 6)
        x = x.flatten(1)             # (N, 9216)
        return self.classifier(x)    # (N, num_classes)


def zfnet(num_classes: int = 1000, dropout: float = 0.5) -> ZFNet:
    """ZFNet (Zeiler & Fergus 2014)."""
    return ZFNet(num_classes=num_classes, dropout=dropout)
