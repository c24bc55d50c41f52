"""``nn.modules.distance``: torch's import path ``torch.nn.modules.distance``,
re-exporting ``PairwiseDistance`` and ``CosineSimilarity`` of nn/distance.py (the same
objects as ``nn.*``)."""
from ..distance import CosineSimilarity, PairwiseDistance

__all__ = ["PairwiseDistance", "CosineSimilarity"]
