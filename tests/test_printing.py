"""set_printoptions: torch's options over NumPy's formatting, for nnlite's tensors only."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import printing


@pytest.fixture(autouse=True)
def restore():
    yield
    printing._options.update(printing._DEFAULTS)


def test_precision_threshold_and_profiles():
    nl.set_printoptions(precision=2)
    assert repr(nl.tensor([1 / 3])) == "tensor([0.33])"
    nl.set_printoptions(profile="full")
    assert "..." not in repr(nl.arange(2000))
    nl.set_printoptions(profile="default")
    assert repr(nl.tensor([1 / 3])) == "tensor([0.3333])"
    assert "..." in repr(nl.arange(2000))
    nl.set_printoptions(profile="short", edgeitems=1)
    assert repr(nl.arange(2000)) == "tensor([   0, ..., 1999])"


def test_sci_mode_and_numpy_untouched():
    before = np.get_printoptions()
    nl.set_printoptions(sci_mode=True, precision=2)
    assert repr(nl.tensor([0.5])) == "tensor([5.00e-01])"
    nl.set_printoptions(sci_mode=False)
    assert repr(nl.tensor([1 / 3, 1e-9])) == "tensor([0.33, 0.  ])"
    assert np.get_printoptions() == before


def test_bad_options_raise():
    with pytest.raises(ValueError, match="profile"):
        nl.set_printoptions(profile="long")
    with pytest.raises(ValueError, match="precision"):
        nl.set_printoptions(precision=-1)
    with pytest.raises(TypeError, match="sci_mode"):
        nl.set_printoptions(sci_mode=1)
