"""ResNet, from He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition",
CVPR 2016.

A residual block learns F(x) and outputs ``relu(F(x) + shortcut(x))``: with identity
shortcuts, extra layers can always fall back to the identity, so deeper networks train
at least as well as shallower ones (section 3.1).

* ``BasicBlock``: two 3x3 convolutions (ResNet-18/34, the CIFAR nets); expansion 1.
* ``Bottleneck``: 1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50/101/152, Figure 5 right).
  The stride sits on the 3x3 convolution, as in torchvision ("ResNet v1.5"); the paper
  put it on the first 1x1.
* ``ResNet`` / ``resnet18..152``: the ImageNet networks of Table 1, with torchvision's
  layout, keys, parameter counts and initialisation.
* ``CifarResNet`` / ``resnet20..110``: the CIFAR-10 networks of section 4.2: 6n + 2
  layers, 16/32/64 filters on 32/16/8 feature maps, option A shortcuts.

    builder     blocks          parameters (1000 / 10 classes)
    resnet18    [2, 2, 2, 2]    11,689,512
    resnet34    [3, 4, 6, 3]    21,797,672
    resnet50    [3, 4, 6, 3]    25,557,032
    resnet101   [3, 4, 23, 3]   44,549,160
    resnet152   [3, 8, 36, 3]   60,192,808
    resnet20    n = 3           269,722       ("0.27M" in Table 6)
    resnet32    n = 5           464,154       ("0.46M")
    resnet44    n = 7           658,586       ("0.66M")
    resnet56    n = 9           853,018       ("0.85M")
    resnet110   n = 18          1,727,962     ("1.7M")

Notation in the shape comments: N batch, C channels; sizes for a 224x224 input
(ImageNet) or 32x32 (CIFAR).
"""
from __future__ import annotations

from typing import Type, Union

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "ShortcutA", "CifarResNet", "resnet18",
           "resnet34", "resnet50", "resnet101", "resnet152", "resnet20", "resnet32",
           "resnet44", "resnet56", "resnet110"]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1, no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1,
                     bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


# ============================================================================
# Residual blocks
# ============================================================================
class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut (Figure 5 left):
    ``relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))``.

    Args:
        inplanes (int): input channels.
        planes (int): output channels (``planes * expansion``, expansion = 1).
        stride (int): of conv1; 2 halves the resolution. Default: 1.
        downsample (Module, optional): the shortcut when the shape changes (a strided
            1x1 conv + BN in torchvision, ``ShortcutA`` in the CIFAR nets); None is the
            identity. Default: None.

    Shape:
        (N, inplanes, H, W) -> (N, planes, H / stride, W / stride).
    """

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        identity = x if self.downsample is None else self.downsample(x)   # (N, planes, H', W')
        out = self.relu(self.bn1(self.conv1(x)))                          # (N, planes, H', W')
        out = self.bn2(self.conv2(out))                                   # (N, planes, H', W')
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 reduce -> 3x3 -> 1x1 expand, with a shortcut (Figure 5 right):
    ``relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + downsample(x))``.

    The stride is on conv2 (the 3x3), as torchvision; the paper strides conv1.

    Args:
        inplanes (int): input channels.
        planes (int): bottleneck width; the output has ``planes * 4`` channels.
        stride (int): of conv2. Default: 1.
        downsample (Module, optional): the shortcut when the shape changes. Default:
            None (identity).

    Shape:
        (N, inplanes, H, W) -> (N, 4 * planes, H / stride, W / stride).
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        identity = x if self.downsample is None else self.downsample(x)   # (N, 4p, H', W')
        out = self.relu(self.bn1(self.conv1(x)))                          # (N, p, H, W)
        out = self.relu(self.bn2(self.conv2(out)))                        # (N, p, H', W')
        out = self.bn3(self.conv3(out))                                   # (N, 4p, H', W')
        return self.relu(out + identity)


Block = Union[Type[BasicBlock], Type[Bottleneck]]


def _init_resnet(model: nn.Module, zero_init_residual: bool) -> None:
    """torchvision's initialisation: convolutions ``kaiming_normal_(mode='fan_out',
    nonlinearity='relu')`` (He et al. 2015), BatchNorm weight 1 and bias 0; linear
    layers keep their default. With ``zero_init_residual``, the last BN of each residual
    branch starts at weight 0, so every block starts as the identity (Goyal et al.
    2017)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    if zero_init_residual:
        for m in model.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)
            elif isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)


# ============================================================================
# ImageNet ResNets (Table 1)
# ============================================================================
class ResNet(nn.Module):
    """The ImageNet ResNet of Table 1: a 7x7 stride-2 stem and 3x3 stride-2 max-pool,
    four stages of residual blocks (64, 128, 256, 512 planes; stages 2-4 start with
    stride 2), global average pooling and one FC layer.

    Shortcuts are identities, except where the shape changes: a strided 1x1
    convolution + BN (option B of section 3.3).

    Args:
        block (BasicBlock or Bottleneck): the residual block type.
        layers (list of 4 ints): blocks per stage.
        num_classes (int): Default: 1000.
        zero_init_residual (bool): start each residual branch's last BN at 0. Default:
            False.

    Shape:
        input (N, 3, H, W), H, W >= 32 (224 nominal) -> logits (N, num_classes).
    """

    def __init__(self, block: Block, layers: list, num_classes: int = 1000,
                 zero_init_residual: bool = False) -> None:
        super().__init__()
        if len(layers) != 4:
            raise ValueError(f"ResNet: layers must list the blocks of 4 stages, got {layers}")
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        _init_resnet(self, zero_init_residual)

    def _make_layer(self, block: Block, planes: int, blocks: int,
                    stride: int = 1) -> nn.Sequential:
        """One stage: ``blocks`` blocks, the first with ``stride`` and, if the shape
        changes, a projection shortcut."""
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))    # (N, 64, 112, 112)
        x = self.maxpool(x)                       # (N, 64, 56, 56)
        x = self.layer1(x)                        # (N, 64e, 56, 56)     e = expansion
        x = self.layer2(x)                        # (N, 128e, 28, 28)
        x = self.layer3(x)                        # (N, 256e, 14, 14)
        x = self.layer4(x)                        # (N, 512e, 7, 7)
        x = self.avgpool(x)                       # (N, 512e, 1, 1)
        x = x.flatten(1)                          # (N, 512e)
        return self.fc(x)                         # (N, num_classes)


def resnet18(**kwargs) -> ResNet:
    """ResNet-18 (11,689,512 parameters). Keyword arguments go to ``ResNet``."""
    return ResNet(BasicBlock, [2, 2, 2, 2], **kwargs)


def resnet34(**kwargs) -> ResNet:
    """ResNet-34 (21,797,672 parameters)."""
    return ResNet(BasicBlock, [3, 4, 6, 3], **kwargs)


def resnet50(**kwargs) -> ResNet:
    """ResNet-50 (25,557,032 parameters)."""
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)


def resnet101(**kwargs) -> ResNet:
    """ResNet-101 (44,549,160 parameters)."""
    return ResNet(Bottleneck, [3, 4, 23, 3], **kwargs)


def resnet152(**kwargs) -> ResNet:
    """ResNet-152 (60,192,808 parameters)."""
    return ResNet(Bottleneck, [3, 8, 36, 3], **kwargs)


# ============================================================================
# CIFAR-10 ResNets (section 4.2)
# ============================================================================
class ShortcutA(nn.Module):
    """Option A shortcut (section 3.3): the identity, subsampled by taking every
    ``stride``-th pixel and zero-padded with extra channels, half before and half
    after. No parameters.

    Shape:
        (N, in_planes, H, W) -> (N, planes, H / stride, W / stride).
    """

    def __init__(self, in_planes: int, planes: int, stride: int) -> None:
        super().__init__()
        if planes < in_planes:
            raise ValueError(f"ShortcutA: cannot reduce channels ({in_planes} -> {planes})")
        self.in_planes, self.planes, self.stride = in_planes, planes, stride

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        s = self.stride
        x = x[:, :, ::s, ::s]                                  # (N, in_planes, H/s, W/s)
        extra = self.planes - self.in_planes
        return F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))   # (N, planes, H/s, W/s)

    def extra_repr(self) -> str:
        return f"{self.in_planes}, {self.planes}, stride={self.stride}"


class CifarResNet(nn.Module):
    """The CIFAR-10 ResNet of section 4.2: a 3x3 convolution to 16 channels, then three
    stages of n ``BasicBlock`` blocks with 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps
    (the first block of stages 2 and 3 has stride 2), global average pooling and a
    10-way FC layer: 6n + 2 weighted layers.

    Args:
        n (int): blocks per stage (3, 5, 7, 9, 18 for ResNet-20, 32, 44, 56, 110).
        num_classes (int): Default: 10.
        shortcut (str): 'A', the paper's parameter-free subsample + zero-pad shortcut,
            or 'B', a strided 1x1 convolution + BN, where the shape changes. Default: 'A'.
        zero_init_residual (bool): start each block's bn2 at 0. Default: False.

    Keys follow torchvision's ResNet (``conv1``, ``bn1``, ``layer1..3``, ``fc``).
    Initialisation as ``ResNet`` (He et al. 2015's normal init, here in fan_out mode;
    the FC layer keeps its default).

    Shape:
        input (N, 3, 32, 32) -> logits (N, num_classes).
    """

    def __init__(self, n: int, num_classes: int = 10, shortcut: str = "A",
                 zero_init_residual: bool = False) -> None:
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"CifarResNet: shortcut must be 'A' or 'B', got {shortcut!r}")
        self.shortcut = shortcut
        self.inplanes = 16
        self.conv1 = conv3x3(3, 16)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(16, n)
        self.layer2 = self._make_layer(32, n, stride=2)
        self.layer3 = self._make_layer(64, n, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)
        _init_resnet(self, zero_init_residual)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            if self.shortcut == "A":
                downsample = ShortcutA(self.inplanes, planes, stride)
            else:
                downsample = nn.Sequential(conv1x1(self.inplanes, planes, stride),
                                           nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))    # (N, 16, 32, 32)
        x = self.layer1(x)                        # (N, 16, 32, 32)
        x = self.layer2(x)                        # (N, 32, 16, 16)
        x = self.layer3(x)                        # (N, 64, 8, 8)
        x = self.avgpool(x)                       # (N, 64, 1, 1)
        x = x.flatten(1)                          # (N, 64)
        return self.fc(x)                         # (N, num_classes)


def resnet20(**kwargs) -> CifarResNet:
    """ResNet-20 for CIFAR-10 (269,722 parameters). Keyword arguments go to
    ``CifarResNet``."""
    return CifarResNet(3, **kwargs)


def resnet32(**kwargs) -> CifarResNet:
    """ResNet-32 for CIFAR-10 (464,154 parameters)."""
    return CifarResNet(5, **kwargs)


def resnet44(**kwargs) -> CifarResNet:
    """ResNet-44 for CIFAR-10 (658,586 parameters)."""
    return CifarResNet(7, **kwargs)


def resnet56(**kwargs) -> CifarResNet:
    """ResNet-56 for CIFAR-10 (853,018 parameters)."""
    return CifarResNet(9, **kwargs)


def resnet110(**kwargs) -> CifarResNet:
    """ResNet-110 for CIFAR-10 (1,727,962 parameters)."""
    return CifarResNet(18, **kwargs)
