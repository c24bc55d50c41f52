"""LeNet-5, from LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE 86(11), 1998 (section II.B, Fig. 2, Table I).

Two models:

* ``LeNet5``: the network as it is usually trained today -- ReLU, max-pooling, a linear
  output layer read by cross-entropy. C1 pads 28x28 MNIST digits by 2 to the paper's
  32x32 field.
* ``LeNet5Classic``: the paper's network, layer by layer: the scaled tanh
  ``1.7159 tanh(2x/3)``, trainable subsampling (S2, S4), the partial C3 connection table,
  and the Euclidean RBF output layer with fixed +-1 code vectors. Its trainable
  parameters match the paper's count for every layer, 60,000 in all:

      layer   maps        parameters
      C1      6@28x28     156      = 6 * (25 + 1)
      S2      6@14x14     12       = 6 * (1 coefficient + 1 bias)
      C3      16@10x10    1,516    = 60 connections * 25 + 16 biases
      S4      16@5x5      32       = 16 * (1 + 1)
      C5      120@1x1     48,120   = 120 * (16 * 25 + 1)
      F6      84          10,164   = 84 * (120 + 1)
      RBF     10          0        (fixed code vectors)

Notation in the shape comments: N batch.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F

__all__ = ["LeNet5", "LeNet5Classic", "ScaledTanh", "scaled_tanh", "Subsampling",
           "PartialConv2d", "RBF", "C3_TABLE", "rbf_codes", "rbf_loss", "lecun_normalize",
           "lenet5", "lenet5_classic"]


def _parameter_counts(model: nn.Module) -> "OrderedDict[str, int]":
    """Trainable parameters of each direct child, keyed by its name in upper case."""
    return OrderedDict((name.upper(), sum(p.numel() for p in child.parameters()))
                       for name, child in model.named_children())


# ============================================================================
# LeNet-5 as usually trained today
# ============================================================================
class LeNet5(nn.Module):
    """LeNet-5 with today's choices: ReLU, 2x2 max-pooling, a linear output layer.

    The layer sizes are the paper's (C1 6@5x5, S2, C3 16@5x5 fully connected, S4,
    C5 120@5x5, F6 84, output); C1 pads by 2 so a 28x28 digit sits in the 32x32 field
    of the paper. The output is the logits, for ``F.cross_entropy``.

    Args:
        num_classes (int): output size. Default: 10.

    Shape:
        input (N, 1, 28, 28) -> output (N, num_classes).

    Initialisation: each layer's PyTorch default (U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
    Parameters: 61,706 for 10 classes.

    Example:
        >>> LeNet5()(nl.randn(2, 1, 28, 28)).shape
        (2, 10)
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.s2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.s4 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.f6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, num_classes)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        x = self.s2(F.relu(self.c1(x)))              # (N, 6, 14, 14)   C1: (N, 6, 28, 28)
        x = self.s4(F.relu(self.c3(x)))              # (N, 16, 5, 5)    C3: (N, 16, 10, 10)
        x = F.relu(self.c5(x))                       # (N, 120, 1, 1)
        x = x.flatten(1)                             # (N, 120)
        x = F.relu(self.f6(x))                       # (N, 84)
        return self.output(x)                        # (N, num_classes)

    def parameter_counts(self) -> "OrderedDict[str, int]":
        """Trainable parameters per layer: C1 156, S2 0, C3 2,416, S4 0, C5 48,120,
        F6 10,164, OUTPUT 850 (for 10 classes)."""
        return _parameter_counts(self)


# ============================================================================
# The paper's building blocks
# ============================================================================
def scaled_tanh(x: nl.Tensor) -> nl.Tensor:
    """The squashing function of the paper (Appendix A): ``f(a) = A tanh(S a)`` with
    A = 1.7159 and S = 2/3, chosen so that f(1) = 1 and f(-1) = -1, the second
    derivative is largest at +-1, and the gain is close to 1 around 0."""
    return ScaledTanh.A * F.tanh(ScaledTanh.S * x)


class ScaledTanh(nn.Module):
    """``scaled_tanh`` as a module: ``1.7159 * tanh(2x / 3)``."""

    A = 1.7159
    S = 2.0 / 3.0

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        return scaled_tanh(x)

    def extra_repr(self) -> str:
        return f"A={self.A}, S={self.S:.4f}"


class Subsampling(nn.Module):
    """A trainable subsampling layer (S2, S4): each unit adds the four inputs of its
    non-overlapping 2x2 window, multiplies the sum by a trainable coefficient and adds
    a trainable bias, one coefficient and one bias per feature map (the squashing
    function is applied after, by the model).

    Args:
        channels (int): feature maps C.

    Shape:
        (N, C, H, W) with H, W even -> (N, C, H/2, W/2).

    Attributes:
        weight (Parameter): (C,), the coefficients. bias (Parameter): (C,).
        Initialised U(-2.4/4, 2.4/4), the paper's rule for a fan-in of 4.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.weight = nn.Parameter(nl.empty(channels))
        self.bias = nn.Parameter(nl.empty(channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 2.4 / 4
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        n, c, h, w = x.shape
        if c != self.channels or h % 2 or w % 2:
            raise ValueError(f"Subsampling({self.channels}): expected input (N, "
                             f"{self.channels}, H, W) with H and W even, got shape "
                             f"{tuple(x.shape)}")
        x = x.reshape(n, c, h // 2, 2, w // 2, 2)                 # (N, C, H/2, 2, W/2, 2)
        x = x.sum(axis=(3, 5))                                    # (N, C, H/2, W/2)
        return x * self.weight.reshape(1, c, 1, 1) + self.bias.reshape(1, c, 1, 1)

    def extra_repr(self) -> str:
        return f"{self.channels}"


# Table I of the paper: the S2 feature maps (0-5) each C3 feature map (0-15) reads.
# Maps 0-5 take every three contiguous maps, 6-11 every four contiguous ones,
# 12-14 four discontinuous ones and 15 all six: 60 of the 96 possible pairs. "Its
# main purpose is to break the symmetry in the network."
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class PartialConv2d(nn.Module):
    """A convolution in which each output map reads only some input maps (C3 of
    LeNet-5): ``y_o = b_o + sum_{i in table[o]} w_{o,i} * x_i``.

    Each connection (o, i) has its own K x K kernel and nothing else is a parameter,
    so C3 has 60 * 25 + 16 = 1,516 parameters rather than the 2,416 of a full 6 -> 16
    convolution. The forward pass scatters the kernels into a dense (C_out, C_in, K, K)
    weight whose other entries are structural zeros -- a product with a fixed 0/1
    matrix, so the gradient flows back to the connections only -- and runs one
    ordinary convolution.

    Args:
        table (sequence of sequences of ints): ``table[o]`` lists the input maps of
            output map o. Default: ``C3_TABLE``.
        kernel_size (int): K. Default: 5.

    Shape:
        (N, C_in, H, W) -> (N, len(table), H - K + 1, W - K + 1), C_in = 1 + the
        largest input map named in the table.

    Attributes:
        weight (Parameter): (connections, K, K), the kernel of each connection, in
            table order (the connections of output map 0 first); for output map o,
            U(-2.4/F_o, 2.4/F_o) with the fan-in F_o = K * K * len(table[o]) (the
            paper's rule).
        bias (Parameter): (len(table),), initialised like that map's kernels.
        scatter (non-persistent buffer): (C_out * C_in, connections) 0/1 matrix, 1 at
            [o * C_in + i, k] when connection k joins input map i to output map o.
    """

    def __init__(self, table: tuple = C3_TABLE, kernel_size: int = 5) -> None:
        super().__init__()
        self.table = tuple(tuple(int(i) for i in maps) for maps in table)
        self.in_channels = 1 + max(i for maps in self.table for i in maps)
        self.out_channels = len(self.table)
        self.kernel_size = kernel_size
        pairs = [(o, i) for o, maps in enumerate(self.table) for i in maps]
        self.weight = nn.Parameter(nl.empty(len(pairs), kernel_size, kernel_size))
        self.bias = nn.Parameter(nl.empty(self.out_channels))
        scatter = np.zeros((self.out_channels * self.in_channels, len(pairs)),
                           dtype=nl.get_default_dtype())
        for k, (o, i) in enumerate(pairs):
            scatter[o * self.in_channels + i, k] = 1.0
        self.register_buffer("scatter", nl.tensor(scatter), persistent=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The paper's rule: U(-2.4/F, 2.4/F), F the fan-in of the output unit."""
        start = 0
        for o, maps in enumerate(self.table):
            bound = 2.4 / (self.kernel_size ** 2 * len(maps))
            nn.init.uniform_(self.weight.array[start:start + len(maps)], -bound, bound)
            nn.init.uniform_(self.bias.array[o:o + 1], -bound, bound)
            start += len(maps)

    def connection_matrix(self) -> np.ndarray:
        """Table I as a boolean (in_channels, out_channels) array: ``[i, o]`` is True
        when output map o reads input map i (rows are S2 maps, columns C3 maps)."""
        m = np.zeros((self.in_channels, self.out_channels), dtype=bool)
        for o, maps in enumerate(self.table):
            m[list(maps), o] = True
        return m

    def dense_weight(self) -> nl.Tensor:
        """The equivalent full convolution weight (C_out, C_in, K, K), zero where the
        table has no connection."""
        k = self.kernel_size
        w = self.weight.reshape(self.weight.shape[0], k * k)            # (60, K*K)
        w = self.scatter @ w                                             # (16*6, K*K)
        return w.reshape(self.out_channels, self.in_channels, k, k)     # (16, 6, K, K)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"PartialConv2d: expected input (N, {self.in_channels}, H, W), "
                             f"got shape {tuple(x.shape)}")
        return F.conv2d(x, self.dense_weight(), self.bias)               # (N, 16, OH, OW)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"connections={self.weight.shape[0]}")


def rbf_codes(num_classes: int = 10, size: int = 84) -> np.ndarray:
    """Fixed +-1 code vectors for the RBF output layer: ``num_classes`` rows of a
    Hadamard matrix of order ``size`` (Paley's construction).

    The paper drew each class as a stylised 7x12 bitmap of its character (84 pixels at
    +-1), so that confusable characters (O, o, 0) get close codes for a later
    linguistic post-processor. For a plain classifier we want the opposite, codes as far
    apart as possible: the rows of a Hadamard matrix are mutually orthogonal, so any two
    codes differ in exactly ``size / 2`` = 42 places. Paley's first construction gives
    one of order q + 1 for a prime q = 3 (mod 4) (here q = 83): with chi the quadratic
    character mod q and Q[i, j] = chi(j - i),

        H = I + [[0,  1^T],
                 [-1, Q  ]]

    We use rows 1..num_classes, each with exactly 42 entries +1 and 42 entries -1
    (row 0 is all ones). Deterministic: no random numbers.

    Args:
        num_classes (int): how many codes, at most ``size - 1``. Default: 10.
        size (int): code length; ``size - 1`` must be a prime = 3 (mod 4). Default: 84.

    Returns:
        float array (num_classes, size) of +-1.
    """
    q = size - 1
    if q < 3 or q % 4 != 3 or any(q % d == 0 for d in range(2, math.isqrt(q) + 1)):
        raise ValueError(f"rbf_codes: size - 1 must be a prime congruent to 3 mod 4 "
                         f"(Paley's construction), got size={size}")
    if not 1 <= num_classes <= q:
        raise ValueError(f"rbf_codes: num_classes must be in [1, {q}] for size {size}, "
                         f"got {num_classes}")
    residues = {(a * a) % q for a in range(1, q)}
    chi = np.array([0] + [1 if a in residues else -1 for a in range(1, q)])
    idx = np.arange(q)
    jacobsthal = chi[(idx[None, :] - idx[:, None]) % q]           # (q, q), Q[i, j] = chi(j-i)
    h = np.eye(size, dtype=np.int64)
    h[0, 1:] += 1
    h[1:, 0] -= 1
    h[1:, 1:] += jacobsthal
    return h[1:num_classes + 1].astype(nl.get_default_dtype())


class RBF(nn.Module):
    """The Euclidean RBF output layer: one unit per class, computing the squared
    distance between the input vector and that class's fixed code vector (eq. 7):
    ``y_i = sum_j (x_j - w_ij)^2``. A small output is a good match ("penalty"); the
    predicted class is the argmin.

    Args:
        in_features (int): size of the input (F6's 84). Default: 84.
        num_classes (int): output units. Default: 10.

    Attributes:
        codes (buffer): (num_classes, in_features) fixed +-1 vectors from
            ``rbf_codes``; saved in the state dict but not trained (0 parameters).
    """

    def __init__(self, in_features: int = 84, num_classes: int = 10) -> None:
        super().__init__()
        self.register_buffer("codes", nl.tensor(rbf_codes(num_classes, in_features)))

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        diff = x.unsqueeze(1) - self.codes                       # (N, K, 84)
        return (diff * diff).sum(axis=2)                          # (N, K) squared distances

    def extra_repr(self) -> str:
        k, d = self.codes.shape
        return f"in_features={d}, num_classes={k}"


def rbf_loss(penalties: nl.Tensor, target: nl.Tensor, j: float | None = None,
             reduction: str = "mean") -> nl.Tensor:
    """The paper's training criteria for RBF outputs ``penalties`` (N, K).

    * ``j=None``: the plain criterion (eq. 8), the penalty of the correct class,
      ``E = mean_p y_{D_p}``. It cannot collapse because the code vectors are fixed,
      but it does not push the wrong classes' penalties up.
    * ``j`` a number: the MAP criterion (eq. 9),
      ``E = mean_p [ y_{D_p} + log(exp(-j) + sum_i exp(-y_i)) ]``: the second term also
      pushes up the penalties of the wrong classes, and the constant j > 0 keeps
      classes whose penalty is already very large from being pushed further. This is
      exactly the cross-entropy over K + 1 classes with logits ``(-y_1..-y_K, -j)``
      (a "rubbish" class of penalty j that is never the target), computed so.
    * ``j=math.inf``: the limit, ``F.cross_entropy(-penalties, target)``: cross-entropy
      on negative distances.

    Args:
        penalties (Tensor): (N, K), the output of ``LeNet5Classic``.
        target (Tensor): (N,) class indices.
        j (float or None): see above. Default: None.
        reduction (str): 'mean', 'sum' or 'none'. Default: 'mean'.
    """
    if j is None:
        if penalties.ndim != 2:
            raise ValueError(f"rbf_loss: expected penalties of shape (N, K), got "
                             f"{tuple(penalties.shape)}")
        t = target.array if isinstance(target, nl.Tensor) else np.asarray(target)
        correct = penalties[np.arange(penalties.shape[0]), t.astype(np.int64)]   # (N,)
        if reduction == "none":
            return correct
        if reduction == "sum":
            return correct.sum()
        if reduction != "mean":
            raise ValueError(f"rbf_loss: reduction must be 'mean', 'sum' or 'none', got "
                             f"{reduction!r}")
        return correct.mean()
    if math.isinf(j) and j > 0:
        return F.cross_entropy(-penalties, target, reduction=reduction)
    rubbish = nl.full((penalties.shape[0], 1), -float(j), dtype=penalties.dtype)
    logits = nl.cat([-penalties, rubbish], dim=1)                 # (N, K + 1)
    return F.cross_entropy(logits, target, reduction=reduction)


def lecun_normalize(images: nl.Tensor) -> nl.Tensor:
    """Map ink intensities in [0, 1] (0 the white background, 1 black ink, as MNIST
    stored / 255) to the paper's input range: background -0.1, ink 1.175, which makes
    the mean roughly 0 and the variance roughly 1."""
    return images * 1.275 - 0.1


# ============================================================================
# LeNet-5 as in the paper
# ============================================================================
class LeNet5Classic(nn.Module):
    """LeNet-5 as described by LeCun et al. 1998 (section II.B).

    C1 (6@5x5) -> S2 (trainable 2x2 subsampling) -> C3 (16@5x5, partial connections
    of Table I) -> S4 -> C5 (120@5x5) -> F6 (84) -> RBF output (fixed +-1 codes). Every
    layer up to F6 is followed by the scaled tanh ``1.7159 tanh(2a/3)``.

    The output is the RBF *penalties* (squared distances to the class codes), not
    logits: predict with ``argmin``, train with ``rbf_loss`` (eq. 8 or the MAP eq. 9)
    or with ``rbf_loss(..., j=math.inf)``, cross-entropy on the negative penalties.

    Input: 32x32 images normalised as in the paper (background -0.1, ink 1.175; see
    ``lecun_normalize``). A 28x28 MNIST digit is padded to 32x32 with the background
    value -0.1 -- the paper's MNIST digits sit in a 28x28 box centred in the 32x32
    field, "so that potential distinctive features can appear in the centre of the
    receptive field of the highest-level feature detectors".

    Initialisation (Appendix C): every weight and bias U(-2.4/F, 2.4/F), F the fan-in
    of the unit it feeds (25 in C1, 4 in S2/S4, 75/100/150 in C3, 400 in C5, 120 in F6).

    Args:
        num_classes (int): output units (at most 83 with 84-long codes). Default: 10.

    Shape:
        input (N, 1, 32, 32) or (N, 1, 28, 28) -> penalties (N, num_classes).

    Example:
        >>> model = LeNet5Classic()
        >>> penalties = model(lecun_normalize(nl.rand(8, 1, 28, 28)))
        >>> loss = rbf_loss(penalties, nl.tensor([0, 1, 2, 3, 4, 5, 6, 7]), j=1.0)
        >>> dict(model.parameter_counts())["C3"]
        1516
    """

    background = -0.1

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5)
        self.s2 = Subsampling(6)
        self.c3 = PartialConv2d(C3_TABLE, kernel_size=5)
        self.s4 = Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.f6 = nn.Linear(120, 84)
        self.rbf = RBF(84, num_classes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The paper's U(-2.4/F_i, 2.4/F_i) for the weights and biases of C1, C5 and F6
        (the subsampling layers and C3 initialise themselves by the same rule)."""
        for layer in (self.c1, self.c5, self.f6):
            fan_in = layer.weight.numel() // layer.weight.shape[0]
            bound = 2.4 / fan_in
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.uniform_(layer.bias, -bound, bound)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[2:] not in ((32, 32), (28, 28)):
            raise ValueError(f"LeNet5Classic: expected input (N, 1, 32, 32) or "
                             f"(N, 1, 28, 28), got shape {tuple(x.shape)}")
        if x.shape[2] == 28:
            x = F.pad(x, (2, 2, 2, 2), value=self.background)     # (N, 1, 32, 32)
        x = scaled_tanh(self.c1(x))                    # (N, 6, 28, 28)
        x = scaled_tanh(self.s2(x))                    # (N, 6, 14, 14)
        x = scaled_tanh(self.c3(x))                    # (N, 16, 10, 10)
        x = scaled_tanh(self.s4(x))                    # (N, 16, 5, 5)
        x = scaled_tanh(self.c5(x))                    # (N, 120, 1, 1)
        x = x.flatten(1)                               # (N, 120)
        x = scaled_tanh(self.f6(x))                    # (N, 84)
        return self.rbf(x)                             # (N, num_classes) penalties

    def parameter_counts(self) -> "OrderedDict[str, int]":
        """Trainable parameters per layer, as the paper counts them:
        C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164, RBF 0 (60,000 in all)."""
        return _parameter_counts(self)


def lenet5(num_classes: int = 10) -> LeNet5:
    """LeNet-5 with ReLU and max-pooling (see ``LeNet5``)."""
    return LeNet5(num_classes)


def lenet5_classic(num_classes: int = 10) -> LeNet5Classic:
    """LeNet-5 as in LeCun et al. 1998 (see ``LeNet5Classic``)."""
    return LeNet5Classic(num_classes)
