"""Classification metrics on Tensors or arrays."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["accuracy", "count_correct"]


def _array(x: Any) -> np.ndarray:
    data = getattr(x, "data", None)
    return data if isinstance(data, np.ndarray) else np.asarray(x)


def _topk_hits(output: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Bool array of target's shape: is the target among the k largest scores?"""
    if output.shape[:-1] != target.shape:
        raise ValueError(f"accuracy: output of shape {output.shape} needs a target of shape "
                         f"{output.shape[:-1]} (scores on the last axis), got {target.shape}")
    C = output.shape[-1]
    if not 1 <= k <= C:
        raise ValueError(f"accuracy: topk={k} must be in 1..{C} (the number of classes)")
    if k == 1:
        return output.argmax(-1) == target
    top = np.argpartition(-output, k - 1, axis=-1)[..., :k]
    return (top == target[..., None]).any(-1)


def count_correct(output: Any, target: Any, topk: int = 1,
                  ignore_index: int | None = None) -> tuple[int, int]:
    """``(correct, counted)``: how many predictions are right, out of how many.

    Args:
        output: scores ``(..., C)`` (logits, probabilities; the class axis last), or integer
            predictions of ``target``'s shape.
        target: integer class indices.
        topk (int): a hit if the target is among the ``topk`` highest scores. Default: 1.
        ignore_index (int, optional): targets equal to it (padding) are not counted.
    """
    out, tgt = _array(output), _array(target)
    if tgt.dtype.kind not in "iub":
        raise TypeError(f"accuracy: target must hold integer class indices, got dtype "
                        f"{tgt.dtype}")
    if out.shape == tgt.shape and out.dtype.kind in "iub":
        if topk != 1:
            raise ValueError("accuracy: topk > 1 needs scores (..., C), not predictions")
        hits = out == tgt
    else:
        hits = _topk_hits(out, tgt, int(topk))
    if ignore_index is not None:
        keep = tgt != ignore_index
        return int((hits & keep).sum()), int(keep.sum())
    return int(hits.sum()), int(hits.size)


def accuracy(output: Any, target: Any, topk: int | Sequence[int] = 1,
             ignore_index: int | None = None) -> float | tuple[float, ...]:
    """Fraction of correct predictions (in [0, 1]); a tuple for several ``topk``.

    Args:
        output: scores ``(N, C)`` or ``(..., C)`` with classes on the *last* axis (e.g.
            ``(N, L, V)`` batch-first sequence logits), or integer predictions shaped like
            ``target``.
        target: integer class indices ``(N,)`` or ``(...)``.
        topk (int or tuple of ints): Default: 1.
        ignore_index (int, optional): targets to leave out (e.g. the padding index).

    Example:
        >>> accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
        0.5
    """
    if isinstance(topk, (tuple, list)):
        return tuple(accuracy(output, target, k, ignore_index) for k in topk)
    correct, total = count_correct(output, target, topk, ignore_index)
    return correct / total if total else float("nan")
