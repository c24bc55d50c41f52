"""trim_padding (nnlite/data/padding.py)."""
import numpy as np
import pytest

import nnlite as nl
from nnlite.data import trim_padding


def test_trim_padding_keeps_the_longest_row():
    ids = np.array([[5, 6, 0, 0, 0], [7, 0, 0, 0, 0]])
    assert trim_padding(ids).tolist() == [[5, 6], [7, 0]]
    assert trim_padding(nl.tensor(ids), pad_idx=9).shape == (2, 5)
    assert trim_padding(np.zeros((3, 4), np.int64)).shape == (3, 1)
    with pytest.raises(ValueError, match=r"\(B, L\)"):
        trim_padding(np.zeros(4, np.int64))
