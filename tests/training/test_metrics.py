"""accuracy / count_correct."""
import numpy as np
import pytest

import nnlite as nl
from nnlite.training import accuracy, count_correct


def test_accuracy_logits_predictions_and_topk():
    logits = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.4, 0.35, 0.25]])
    target = np.array([1, 1, 2, 1])
    assert accuracy(logits, target) == 0.5
    assert accuracy(nl.tensor(logits), nl.tensor(target)) == 0.5
    assert accuracy(logits, target, topk=(1, 2, 3)) == (0.5, 1.0, 1.0)
    assert accuracy(np.array([1, 0, 2, 0]), target) == 0.5          # predictions
    assert count_correct(logits, target) == (2, 4)


def test_accuracy_sequences_with_padding():
    logits = np.zeros((2, 3, 5))                      # (N, L, V), classes last
    logits[..., 4] = 1.0                              # always predicts 4
    target = np.array([[4, 4, 0], [1, 4, 0]])
    assert count_correct(logits, target, ignore_index=0) == (3, 4)
    assert accuracy(logits, target, ignore_index=0) == 0.75


def test_accuracy_bad_input():
    with pytest.raises(ValueError, match="target of shape"):
        accuracy(np.zeros((4, 3)), np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match="topk=4"):
        accuracy(np.zeros((4, 3)), np.zeros(4, dtype=np.int64), topk=4)
    with pytest.raises(TypeError, match="integer class indices"):
        accuracy(np.zeros((4, 3)), np.zeros(4))
    assert np.isnan(accuracy(np.zeros((0, 3)), np.zeros(0, dtype=np.int64)))
