"""A small ResNet (BasicBlock with BatchNorm2d and a 1x1 projection shortcut) on synthetic
3x16x16 images of oriented stripes: kaiming_normal_/constant_ init over self.modules(),
F.adaptive_avg_pool2d + torch.flatten, CrossEntropyLoss(label_smoothing=0.1), SGD with
momentum and weight decay, CosineAnnealingLR, and evaluation in model.eval() mode."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_stripes(n, rng, size=16):
    """Class k: stripes at angle k * 45 degrees, random phase and frequency, plus noise."""
    labels = rng.integers(0, 4, size=n)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    angles = labels * np.pi / 4
    freq = rng.uniform(0.6, 1.2, size=n)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, size=n)[:, None, None]
    proj = np.cos(angles)[:, None, None] * xx + np.sin(angles)[:, None, None] * yy
    img = np.sin(freq * proj + phase)[:, None] * rng.uniform(0.5, 1.0, size=(n, 3, 1, 1))
    img += 0.3 * rng.standard_normal((n, 3, size, size))
    return img.astype(np.float32), labels.astype(np.int64)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=4):
        super(ResNet, self).__init__()
        self.in_planes = 8
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = self._make_layer(block, 8, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 16, num_blocks[1], stride=2)
        self.linear = nn.Linear(16 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = F.adaptive_avg_pool2d(out, 1)
        out = torch.flatten(out, 1)
        out = self.linear(out)
        return out


def build_model():
    return ResNet(BasicBlock, [1, 1])


def main(init=None, epochs=3, batch_size=32):
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rng = np.random.default_rng(0)
    x_train, y_train = map(torch.from_numpy, make_stripes(256, rng))
    x_test, y_test = map(torch.from_numpy, make_stripes(128, rng))

    net = build_model().to(device)
    if init is not None:
        net.load_state_dict(init)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

    losses = []
    for epoch in range(epochs):
        net.train()
        for i in range(0, len(x_train), batch_size):
            inputs = x_train[i:i + batch_size].to(device)
            targets = y_train[i:i + batch_size].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()

        net.eval()
        correct = 0
        with torch.no_grad():
            outputs = net(x_test.to(device))
            _, predicted = outputs.max(1)
            correct += predicted.eq(y_test.to(device)).sum().item()
        print(f"epoch {epoch}: last loss {losses[-1]:.4f} test acc {100. * correct / len(y_test):.1f}%")
    return losses


if __name__ == "__main__":
    main()
