"""Custom layers as torch's own are written (the "Extending PyTorch" idiom, torch 1.x style):
Parameters made with the legacy torch.Tensor(out, in) constructor and filled by
reset_parameters with kaiming_uniform_(a=sqrt(5)) and the fan-in bound, register_parameter
for an optional bias, extra_repr, a buffer updated under torch.no_grad(), forward hooks that
record activation statistics, tensor hooks on activations, and model.apply / named_modules."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import Parameter, init


class MyLinear(nn.Module):
    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True):
        super(MyLinear, self).__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(torch.Tensor(out_features, in_features))
        if bias:
            self.bias = Parameter(torch.Tensor(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return "in_features={}, out_features={}, bias={}".format(
            self.in_features, self.out_features, self.bias is not None)


class RunningNorm(nn.Module):
    """Scales by a running estimate of the input's second moment (a buffer)."""

    def __init__(self, num_features, momentum=0.1):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("running_sq", torch.ones(num_features))
        self.gain = Parameter(torch.Tensor(num_features))
        init.ones_(self.gain)

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                self.running_sq.mul_(1 - self.momentum).add_(self.momentum * x.pow(2).mean(0))
        return self.gain * x / torch.sqrt(self.running_sq + 1e-5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = MyLinear(10, 32)
        self.norm = RunningNorm(32)
        self.fc2 = MyLinear(32, 32, bias=False)
        self.out = MyLinear(32, 3)

    def forward(self, x):
        x = torch.tanh(self.fc1(x))
        x = self.norm(x)
        x = F.relu(self.fc2(x))
        return self.out(x)


def build_model():
    return Net()


def main(init=None, epochs=5):
    torch.manual_seed(0)
    rng = np.random.default_rng(4)
    x = torch.from_numpy(rng.standard_normal((240, 10)).astype(np.float32))
    w = rng.standard_normal((10, 3)).astype(np.float32)
    y = torch.from_numpy(x.numpy() @ w).argmax(dim=1)

    model = build_model()
    if init is not None:
        model.load_state_dict(init)
    print(model)
    assert model.fc2.bias is None and len(list(model.buffers())) == 1

    stats = {}

    def save_stats(name):
        def hook(module, inputs, output):
            stats[name] = (output.mean().item(), output.std().item())
        return hook

    handles = [m.register_forward_hook(save_stats(name))
               for name, m in model.named_modules() if isinstance(m, MyLinear)]
    grad_norms = []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for epoch in range(epochs):
        model.train()
        for i in range(0, len(x), 40):
            h = model.fc1(x[i:i + 40])
            h.register_hook(lambda g: grad_norms.append(g.norm().item()))
            logits = model.out(F.relu(model.fc2(model.norm(torch.tanh(h)))))
            loss = F.cross_entropy(logits, y[i:i + 40])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        print(f"epoch {epoch}: loss {losses[-1]:.4f}, fc1 output mean/std {stats['fc1'][0]:.3f}"
              f"/{stats['fc1'][1]:.3f}, last grad norm {grad_norms[-1]:.4f}")
    for handle in handles:
        handle.remove()
    model.apply(lambda m: m.reset_parameters() if isinstance(m, MyLinear) and m is model.out else None)
    return losses


if __name__ == "__main__":
    main()
