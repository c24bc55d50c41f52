"""Lookup tables: the layers ``Embedding`` and ``EmbeddingBag``, with PyTorch's names,
arguments and maths. Their functions ``embedding`` / ``embedding_bag`` (and the lookup's
Functions) are in ``nnlite/ops/embedding.py``, whose docstring states the notation.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import check_device
from ..ops.embedding import BAG_MODES, embedding, embedding_bag, padding_index
from ..tensor import Tensor, get_default_dtype
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["embedding", "embedding_bag", "Embedding", "EmbeddingBag"]


# ============================================================================
# Modules
# ============================================================================
def _table(layer: str, V: Any, D: Any, _weight: Any, freeze: bool, device: Any,
           dtype: Any) -> Parameter:
    """The (V, D) weight Parameter: a given array (shared, not copied) or an empty one."""
    for name, n in (("num_embeddings", V), ("embedding_dim", D)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"{layer}: {name} must be a positive int, got {n!r}")
    check_device(device, layer)
    if _weight is None:
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{layer}: dtype must be floating, got {dtype}")
        return Parameter(np.empty((int(V), int(D)), dtype), requires_grad=not freeze)
    w = _weight.array if isinstance(_weight, Tensor) else np.asarray(_weight)
    if w.shape != (V, D):
        raise ValueError(f"{layer}: shape of weight does not match num_embeddings and "
                         f"embedding_dim: expected ({V}, {D}), got {w.shape}")
    if w.dtype.kind != "f":
        raise TypeError(f"{layer}: weight must be floating, got dtype {w.dtype}")
    return Parameter(w, requires_grad=not freeze)


def _pretrained(layer: str, embeddings: Any) -> tuple:
    w = embeddings.array if isinstance(embeddings, Tensor) else np.asarray(embeddings)
    if w.ndim != 2:
        raise ValueError(f"{layer}.from_pretrained: embeddings must be 2-D (num_embeddings, "
                         f"embedding_dim), got shape {w.shape}")
    return w.shape


class _Table(Module):
    """What Embedding and EmbeddingBag share: a (V, D) ``weight`` and its init."""

    def reset_parameters(self) -> None:
        """N(0, 1), then zeros in the padding row (torch's init)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0


class Embedding(_Table):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``: maps token
    ids to their rows.

    Args:
        num_embeddings (int): V, the size of the vocabulary.
        embedding_dim (int): D, the size of each vector.
        padding_idx (int, optional): this row is initialised to zeros and gets no
            gradient (stays a fixed "pad" vector); negative values count from the end.
            Default: None.
        max_norm (float, optional): rows looked up with a norm above it are rescaled to
            this norm, in place. Default: None.
        norm_type (float): p of the norm for ``max_norm``. Default: 2.0.
        scale_grad_by_freq (bool): divide gradients by the id counts in the mini-batch.
            Default: False.
        sparse (bool): accepted for PyTorch compatibility; gradients are dense.
        device: only ``None`` or ``"cpu"``. dtype: of the weight (default float32).

    Shape:
        input: integer ids of any shape S -> output S + (D,).

    Attributes:
        weight (Parameter): (V, D), initialised N(0, 1) (padding row zero).

    Example:
        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb(nl.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape
        (2, 4, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight: Any = None,
                 _freeze: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.weight = _table("Embedding", num_embeddings, embedding_dim, _weight, _freeze,
                             device, dtype)
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_index(padding_idx, self.num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.reset_parameters()

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose weight is ``embeddings`` (V, D) (shared, not copied; the
        padding row is left as given).

        Args:
            embeddings (Tensor or array): (V, D).
            freeze (bool): the weight does not require grad (is not trained).
                Default: True.
            padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse: as the
                constructor.

        Example:
            >>> emb = nn.Embedding.from_pretrained(nl.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]]))
            >>> emb(nl.tensor([1]))
            tensor([[4. , 5.1, 6.3]])
        """
        V, D = _pretrained("Embedding", embeddings)
        return cls(V, D, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s


class EmbeddingBag(_Table):
    """Sums, means or maxes of bags of embeddings (FastText-style models), computed
    without the intermediate (bag, L, D) lookups.

    Args:
        num_embeddings (int): V. embedding_dim (int): D.
        max_norm, norm_type, scale_grad_by_freq, sparse: as ``Embedding``.
        mode (str): 'sum', 'mean' or 'max'. Default: 'mean'.
        include_last_offset (bool): offsets has one more entry, the end of the last bag.
            Default: False.
        padding_idx (int, optional): ids left out of their bag; row initialised to zeros
            and never trained. Default: None.
        device, dtype: as ``Embedding``.

    Shape:
        input (B, L) ids (B bags of L ids), or 1-D ids with ``offsets`` (B,) (bag starts)
        -> output (B, D). per_sample_weights (optional, 'sum' mode): input's shape.

    Attributes:
        weight (Parameter): (V, D), initialised N(0, 1) (padding row zero).

    Example:
        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(nl.tensor([1, 2, 4, 5, 4, 3, 2, 9]), nl.tensor([0, 4])).shape
        (2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Any = None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if mode not in BAG_MODES:
            raise ValueError(f"EmbeddingBag: mode has to be one of 'sum', 'mean' or 'max', "
                             f"got {mode!r}")
        self.weight = _table("EmbeddingBag", num_embeddings, embedding_dim, _weight, False,
                             device, dtype)
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = padding_index(padding_idx, self.num_embeddings, "EmbeddingBag")
        if _weight is None:
            self.reset_parameters()

    def forward(self, input: Any, offsets: Any = None,
                per_sample_weights: Tensor | None = None) -> Tensor:
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse,
                             per_sample_weights, self.include_last_offset, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        """An EmbeddingBag whose weight is ``embeddings`` (V, D), shared; ``freeze``
        (default True) turns its gradient off. Other arguments as the constructor."""
        V, D = _pretrained("EmbeddingBag", embeddings)
        bag = cls(V, D, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings,
                  include_last_offset, padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s
