"""``nn.modules.rnn``: torch's import path ``torch.nn.modules.rnn``, re-exporting the recurrent
layers of nn/recurrent.py (``RNN``, ``LSTM``, ``GRU`` and their cells) (the same objects as
``nn.*``)."""
from ..recurrent import *  # noqa: F401,F403
from ..recurrent import __all__
