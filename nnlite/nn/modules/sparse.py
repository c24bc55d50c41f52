"""``nn.modules.sparse``: torch's import path ``torch.nn.modules.sparse``, re-exporting
``Embedding`` and ``EmbeddingBag`` (nn/sparse.py) (the same objects as ``nn.*``)."""
from ..sparse import Embedding, EmbeddingBag

__all__ = ["Embedding", "EmbeddingBag"]
