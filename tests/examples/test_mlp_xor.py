"""``examples/mlp_xor.py``, the README's tour as a script: it learns XOR in well under a second
and says so on its last line (it has no ``--quick``: the full run is already that short)."""
from . import example


def test_learns_xor(capsys):
    assert example("mlp_xor").main([]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("predictions ") and last.endswith("accuracy 4/4")
