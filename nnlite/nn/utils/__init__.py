"""``nn.utils``: helpers that act on a model's parameters.

- clip_grad.py           clip_grad_norm_, clip_grad_value_
- convert_parameters.py  parameters_to_vector, vector_to_parameters
- rnn.py                 PackedSequence, pack_padded_sequence, pad_packed_sequence, ...
"""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "rnn"]
