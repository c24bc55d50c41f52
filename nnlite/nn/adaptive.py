"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. 2016 ("Efficient
softmax approximation for GPUs"), with torch's arguments, parameters and outputs.

Notation: x the input (N, in_features), y the targets (N,), cutoffs c_1 < ... < c_k
splitting the classes into a head shortlist [0, c_1) and tail clusters [c_i, c_{i+1})
(c_{k+1} = n_classes). The head is a linear layer to c_1 + k logits (the shortlist and
one per cluster); cluster i is a two-layer projection ``in_features -> in_features //
div_value^(i+1) -> c_{i+1} - c_i``. The log-probability of class t is

    head_logprob[t]                                         t in the shortlist
    head_logprob[c_1 + i] + cluster_logprob_i[t - c_i]      t in cluster i

Only the rows whose target falls in a cluster run through that cluster's projection (a
loop over the k clusters, each one batched). Composed of differentiable ops (linear,
log_softmax, gather, cat), which give the gradients.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ..ops import cat
from ..tensor import Tensor
from ._checks import positive_int
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax (Grave et al. 2016): a softmax over many classes whose frequent
    classes (the head shortlist) cost one linear layer and whose rare ones are grouped in
    clusters with smaller projections.

    Args:
        in_features (int): features of the input.
        n_classes (int): number of classes.
        cutoffs (sequence of int): increasing, unique, in [1, n_classes - 1]: the first
            class of each tail cluster.
        div_value (float): the hidden size of cluster i is
            ``in_features // div_value ** (i + 1)``, which must be positive (torch would
            build a zero-size layer). Default: 4.0.
        head_bias (bool): give the head a bias. Default: False.
        device: only None or 'cpu'. dtype: of the parameters. Default: None.

    Shape:
        input (N, in_features) or (in_features), target (N) or () int64 in
        [0, n_classes) -> ``(output, loss)``: output (N) or () the target
        log-probabilities, loss the scalar mean of ``-output``.

    Attributes:
        head (Linear): in_features -> cutoffs[0] + number of clusters.
        tail (ModuleList): per cluster, ``Sequential(Linear(in_features, hsz,
            bias=False), Linear(hsz, cluster size, bias=False))``.

    Example:
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(16, 100, [10, 40])
        >>> out, loss = asm(nl.randn(8, 16), nl.randint(0, 100, (8,)))
        >>> out.shape, asm.log_prob(nl.randn(8, 16)).shape
        ((8,), (8, 100))
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = "AdaptiveLogSoftmaxWithLoss"
        positive_int(name, "in_features", in_features)
        positive_int(name, "n_classes", n_classes)
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             f"n_classes-1 (got cutoffs={cutoffs}, n_classes={n_classes})")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = dict(device=device, dtype=dtype)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            if hsz == 0:
                raise ValueError(f"{name}: cluster {i} would have a hidden size of 0 "
                                 f"(in_features // div_value ** {i + 1} = {in_features} // "
                                 f"{div_value ** (i + 1)}); torch builds a degenerate "
                                 f"zero-size layer there, nnlite refuses: use a smaller "
                                 f"div_value or fewer cutoffs")
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self) -> None:
        """Each linear layer's own default initialisation."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def _batched(self, input: Tensor, target: Tensor) -> tuple:
        t = target.array if isinstance(target, Tensor) else np.asarray(target)
        if t.ndim == 1:
            if input.shape[0] != t.shape[0]:
                raise ValueError(f"Input and target should have the same size in the batch "
                                 f"dimension (input {tuple(input.shape)}, target {t.shape})")
            if input.ndim != 2:
                raise ValueError(f"1D target tensor expects 2D input tensors, but found "
                                 f"inputs with size {tuple(input.shape)}")
        elif t.ndim == 0:
            if input.ndim != 1:
                raise ValueError(f"0D target tensor expects 1D input tensors, but found "
                                 f"inputs with size {tuple(input.shape)}")
        else:
            raise ValueError(f"0D or 1D target tensor expected, multi-target not supported "
                             f"(target shape {t.shape})")
        if t.dtype.kind not in "iu":
            raise TypeError(f"AdaptiveLogSoftmaxWithLoss: target must be int64 class "
                            f"indices, got dtype {t.dtype}")
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise IndexError(f"Target values should be in [0, {self.n_classes - 1}], but "
                             f"values in range [{t.min()}, {t.max()}] were found.")
        batched = t.ndim == 1
        return (input if batched else input.unsqueeze(0)), t.reshape(-1), batched

    def forward(self, input: Tensor, target: Tensor) -> _ASMoutput:
        x, t, batched = self._batched(input, target)
        n = t.shape[0]
        head_logprob = self.head(x).log_softmax(1)                      # (N, head_size)
        gather = np.where(t < self.shortlist_size, t, 0)
        rows, parts = [], []
        for i in range(self.n_clusters):
            lo, hi = self.cutoffs[i], self.cutoffs[i + 1]
            idx = np.nonzero((t >= lo) & (t < hi))[0]
            if idx.size == 0:
                continue
            gather[idx] = self.shortlist_size + i
            cluster_logprob = self.tail[i](x[idx]).log_softmax(1)      # (n_i, hi - lo)
            parts.append(cluster_logprob.gather(1, (t[idx] - lo)[:, None]).reshape(-1))
            rows.append(idx)
        output = head_logprob.gather(1, gather[:, None]).reshape(-1)   # (N,)
        if parts:
            short = np.nonzero(t < self.shortlist_size)[0]
            order = np.concatenate([short] + rows)                     # rows of the pieces
            pieces = cat([output.new_zeros((short.size,))] + parts)
            output = output + pieces[np.argsort(order, kind="stable")]
        loss = (-output).mean() if n else output.sum() * np.nan
        return _ASMoutput(output if batched else output.reshape(()), loss)

    def _full_log_prob(self, x: Tensor, head_output: Tensor) -> Tensor:
        head_logprob = head_output.log_softmax(1)
        out = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = self.tail[i](x).log_softmax(1)
            out.append(cluster_logprob + head_logprob[:, self.shortlist_size + i:
                                                      self.shortlist_size + i + 1])
        return cat(out, 1)

    def _input(self, input: Tensor, fn: str) -> tuple:
        if input.ndim not in (1, 2):
            raise ValueError(f"{fn}: expected 1D or 2D input, got shape {tuple(input.shape)}")
        return (input, True) if input.ndim == 2 else (input.unsqueeze(0), False)

    def log_prob(self, input: Tensor) -> Tensor:
        """The log-probabilities of every class: (N, in_features) -> (N, n_classes)."""
        x, batched = self._input(input, "log_prob")
        out = self._full_log_prob(x, self.head(x))
        return out if batched else out.squeeze(0)

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class: (N, in_features) -> (N,) int64 (the shortlist's argmax
        where it is in the shortlist, else the argmax of the full log-probabilities)."""
        x, batched = self._input(input, "predict")
        head_output = self.head(x)
        output = np.argmax(head_output.array, axis=1)
        tail = np.nonzero(output >= self.shortlist_size)[0]
        if tail.size:
            full = self._full_log_prob(x[tail], head_output[tail])
            output[tail] = np.argmax(full.array, axis=1)
        out = Tensor(output.astype(np.int64))
        return out if batched else out.reshape(())
