"""``nn.utils``: helpers that act on a model's parameters.

- clip_grad.py           clip_grad_norm_, clip_grad_value_, get_total_norm,
                         clip_grads_with_norm_
- convert_parameters.py  parameters_to_vector, vector_to_parameters
- rnn.py                 PackedSequence, pack_padded_sequence, pad_packed_sequence, ...
- weight_norm.py         weight_norm, remove_weight_norm (the older hook form)
- spectral_norm.py       spectral_norm, remove_spectral_norm (the older hook form)
- parametrize.py         register_parametrization, remove_parametrizations, cached, ...
- parametrizations.py    weight_norm, spectral_norm as parametrizations
- fusion.py              fuse_conv_bn_eval, fuse_linear_bn_eval and their weights forms
- init.py                skip_init
"""
from .clip_grad import (clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                     fuse_linear_bn_weights)
from .init import skip_init
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm
from . import fusion, parametrizations, parametrize, rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "rnn", "get_total_norm", "clip_grads_with_norm_",
           "weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm",
           "parametrize", "parametrizations", "fusion", "fuse_conv_bn_eval",
           "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights",
           "skip_init"]
