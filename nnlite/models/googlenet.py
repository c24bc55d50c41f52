"""GoogLeNet (Inception v1), from Szegedy et al., "Going Deeper with Convolutions",
CVPR 2015 (section 5, Table 1, Figure 2b and Figure 3).

The network stacks Inception modules: four parallel branches -- a 1x1 convolution, a
1x1 reduction then 3x3, a 1x1 reduction then "5x5", a 3x3 max-pool then a 1x1
projection -- concatenated along channels. The 1x1 reductions keep the cost of the
larger filters down (section 4). Two auxiliary classifiers on inception4a and
inception4d add gradient signal to the middle of the network during training.

Layout, keys, parameter count and initialisation are torchvision's, which departs from
the paper in three ways, kept here so weights move by name:

* every convolution is ``BasicConv2d`` = conv (no bias) + BatchNorm2d(eps=1e-3) + ReLU
  (the paper predates batch normalisation), and the paper's two local response
  normalisations (after the first pool and after conv3) are left out;
* the "5x5" branch uses a 3x3 kernel (a known torchvision bug, pytorch/vision#906,
  kept for its pretrained weights); ``GoogLeNet(branch3_kernel_size=5)`` builds the
  paper's 5x5 (7,005,832 parameters instead of 6,624,904);
* the auxiliary classifiers pool adaptively to 4x4 (the paper: 5x5 average pool,
  stride 3, which gives 4x4 at 224x224).

Notation in the shape comments: N batch; sizes for a 224x224 input.
"""
from __future__ import annotations

from collections import namedtuple

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F

__all__ = ["GoogLeNet", "GoogLeNetOutputs", "Inception", "InceptionAux", "BasicConv2d",
           "googlenet"]

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])
GoogLeNetOutputs.__doc__ = ("What GoogLeNet returns in training mode with auxiliary "
                            "classifiers: the main logits and those of aux2 and aux1.")

# Table 1 of the paper: per Inception module, its input channels and
# (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj); output = 1x1 + 3x3 + 5x5 + proj.
INCEPTION_CFG = {
    "3a": (192, 64, 96, 128, 16, 32, 32),       # -> 256
    "3b": (256, 128, 128, 192, 32, 96, 64),     # -> 480
    "4a": (480, 192, 96, 208, 16, 48, 64),      # -> 512
    "4b": (512, 160, 112, 224, 24, 64, 64),     # -> 512
    "4c": (512, 128, 128, 256, 24, 64, 64),     # -> 512
    "4d": (512, 112, 144, 288, 32, 64, 64),     # -> 528
    "4e": (528, 256, 160, 320, 32, 128, 128),   # -> 832
    "5a": (832, 256, 160, 320, 32, 128, 128),   # -> 832
    "5b": (832, 384, 192, 384, 48, 128, 128),   # -> 1024
}


class BasicConv2d(nn.Module):
    """Convolution (no bias) -> BatchNorm2d(eps=0.001) -> ReLU; keyword arguments go to
    ``nn.Conv2d``."""

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """The Inception module with dimension reductions (Figure 2b).

    Args:
        in_channels (int): input channels.
        ch1x1 (int): the 1x1 branch.
        ch3x3red, ch3x3 (int): 1x1 reduction, then the 3x3 convolution.
        ch5x5red, ch5x5 (int): 1x1 reduction, then the "5x5" convolution.
        pool_proj (int): 1x1 projection after the 3x3 stride-1 max-pool.
        branch3_kernel_size (int): the "5x5" branch's kernel: 3 as torchvision, 5 as
            the paper. Default: 3.

    Shape:
        (N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W).
    """

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int,
                 ch5x5: int, pool_proj: int, branch3_kernel_size: int = 3) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        k = branch3_kernel_size
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=k, padding=k // 2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        branches = [self.branch1(x),               # (N, ch1x1, H, W)
                    self.branch2(x),               # (N, ch3x3, H, W)
                    self.branch3(x),               # (N, ch5x5, H, W)
                    self.branch4(x)]               # (N, pool_proj, H, W)
        return nl.cat(branches, dim=1)             # (N, sum of the four, H, W)


class InceptionAux(nn.Module):
    """An auxiliary classifier (section 5): average-pool to 4x4, 1x1 convolution to 128
    channels, FC-1024 with ReLU, dropout 0.7, FC-num_classes. During training its loss
    is added to the main one with weight 0.3.

    Shape:
        (N, in_channels, H, W) -> logits (N, num_classes).
    """

    def __init__(self, in_channels: int, num_classes: int, dropout: float = 0.7) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.conv = BasicConv2d(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.pool(x)                           # (N, C, 4, 4)    C = 512 or 528
        x = self.conv(x)                           # (N, 128, 4, 4)
        x = x.flatten(1)                           # (N, 2048)
        x = F.relu(self.fc1(x))                    # (N, 1024)
        x = self.dropout(x)
        return self.fc2(x)                         # (N, num_classes)


class GoogLeNet(nn.Module):
    """GoogLeNet (Table 1), torchvision's layout.

    Args:
        num_classes (int): Default: 1000.
        aux_logits (bool): build the two auxiliary classifiers; in training mode the
            forward pass then returns ``GoogLeNetOutputs(logits, aux_logits2,
            aux_logits1)`` (in eval mode, the logits alone). Default: False (torchvision's
            class defaults to True; its builder to False for pretrained weights).
        transform_input (bool): map inputs normalised with the ImageNet mean/std to the
            [-1, 1] scaling the original (TensorFlow-ported) weights expect. Default:
            False.
        init_weights (bool): torchvision's initialisation: convolution and linear
            weights N(0, 0.01^2) truncated to +-2 (absolute), biases left at their
            defaults, BatchNorm weight 1 and bias 0. Default: True.
        dropout (float): before the final FC layer (the paper: 0.4). Default: 0.2.
        dropout_aux (float): in the auxiliary classifiers. Default: 0.7.
        branch3_kernel_size (int): 3 (torchvision) or 5 (the paper). Default: 3.

    Shape:
        input (N, 3, H, W), H, W >= 32 (224 nominal) -> logits (N, num_classes).

    Parameters: 6,624,904 for 1000 classes without the auxiliary classifiers,
    13,004,888 with them.
    """

    def __init__(self, num_classes: int = 1000, aux_logits: bool = False,
                 transform_input: bool = False, init_weights: bool = True,
                 dropout: float = 0.2, dropout_aux: float = 0.7,
                 branch3_kernel_size: int = 3) -> None:
        super().__init__()
        self.aux_logits = aux_logits
        self.transform_input = transform_input

        def inception(name: str) -> Inception:
            return Inception(*INCEPTION_CFG[name], branch3_kernel_size=branch3_kernel_size)

        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception3a = inception("3a")
        self.inception3b = inception("3b")
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception4a = inception("4a")
        self.inception4b = inception("4b")
        self.inception4c = inception("4c")
        self.inception4d = inception("4d")
        self.inception4e = inception("4e")
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)

        self.inception5a = inception("5a")
        self.inception5b = inception("5b")

        if aux_logits:
            self.aux1 = InceptionAux(512, num_classes, dropout=dropout_aux)
            self.aux2 = InceptionAux(528, num_classes, dropout=dropout_aux)
        else:
            self.aux1 = None
            self.aux2 = None

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)

        if init_weights:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        """torchvision's initialisation (see ``init_weights``)."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _transform_input(self, x: nl.Tensor) -> nl.Tensor:
        if not self.transform_input:
            return x
        # per channel: x * std / 0.5 + (mean - 0.5) / 0.5, ImageNet's mean and std
        x0 = x[:, 0:1] * (0.229 / 0.5) + (0.485 - 0.5) / 0.5          # (N, 1, H, W)
        x1 = x[:, 1:2] * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
        x2 = x[:, 2:3] * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
        return nl.cat([x0, x1, x2], dim=1)                             # (N, 3, H, W)

    def forward(self, x: nl.Tensor):
        x = self._transform_input(x)
        x = self.maxpool1(self.conv1(x))           # (N, 64, 56, 56)    conv1: 112x112
        x = self.conv3(self.conv2(x))              # (N, 192, 56, 56)
        x = self.maxpool2(x)                       # (N, 192, 28, 28)

        x = self.inception3a(x)                    # (N, 256, 28, 28)
        x = self.inception3b(x)                    # (N, 480, 28, 28)
        x = self.maxpool3(x)                       # (N, 480, 14, 14)

        x = self.inception4a(x)                    # (N, 512, 14, 14)
        use_aux = self.aux_logits and self.training and self.aux1 is not None
        aux1 = self.aux1(x) if use_aux else None   # (N, num_classes)
        x = self.inception4b(x)                    # (N, 512, 14, 14)
        x = self.inception4c(x)                    # (N, 512, 14, 14)
        x = self.inception4d(x)                    # (N, 528, 14, 14)
        aux2 = self.aux2(x) if use_aux else None   # (N, num_classes)
        x = self.inception4e(x)                    # (N, 832, 14, 14)
        x = self.maxpool4(x)                       # (N, 832, 7, 7)

        x = self.inception5a(x)                    # (N, 832, 7, 7)
        x = self.inception5b(x)                    # (N, 1024, 7, 7)

        x = self.avgpool(x)                        # (N, 1024, 1, 1)
        x = x.flatten(1)                           # (N, 1024)
        x = self.fc(self.dropout(x))               # (N, num_classes)
        if use_aux:
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


def googlenet(num_classes: int = 1000, aux_logits: bool = False, **kwargs) -> GoogLeNet:
    """GoogLeNet / Inception v1 (6,624,904 parameters for 1000 classes without the
    auxiliary classifiers). Other keyword arguments go to ``GoogLeNet``."""
    return GoogLeNet(num_classes=num_classes, aux_logits=aux_logits, **kwargs)
