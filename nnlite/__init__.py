"""nnlite: a deep-learning library written from scratch on NumPy, with PyTorch's API.

    import nnlite as nl
    from nnlite import nn, optim
    import nnlite.nn.functional as F
"""
import numpy as _np

from .random import (Generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from .tensor import Tensor, from_numpy, get_default_dtype, set_default_dtype
from .autograd.function import Function
from .autograd.grad_mode import (detect_anomaly, enable_grad, inference_mode,
                                 is_anomaly_enabled, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .devices import DeviceError, device, get_default_device, set_default_device
from .factories import (arange, as_tensor, empty, empty_like, eye, full, full_like,
                        linspace, logspace, normal, ones, ones_like, rand, rand_like, randint,
                        randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .tensor_types import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                           HalfTensor, IntTensor, LongTensor, ShortTensor, bfloat16,
                           is_floating_point, is_tensor, numel)
from .ops import (abs, add, allclose, amax, amin, argmax, argmin, astype, bitwise_and,
                  bitwise_not, bitwise_or, bitwise_xor, bmm, broadcast_to, cat,
                  chunk, clamp, clip, clone, concat, concatenate, cos, div, dot, elu, eq,
                  equal, erf, exp, expand, flatten, flip, gather, ge, gelu, gt, index_fill,
                  index_select, isfinite, isnan, le, leaky_relu, log, log1p, log_softmax, logical_and,
                  logical_not, logical_or, logical_xor, logsumexp, lt, masked_fill, matmul, max,
                  maximum, mean, min, minimum, mm, movedim, mul, ne, neg, norm, one_hot, outer, pad,
                  permute, pow, prod, relu, repeat, reshape, roll, rsqrt, scatter, scatter_add,
                  sigmoid, sign, sin, softmax, softplus, split, sqrt, square, squeeze, stack, std, sub, sum,
                  swapaxes, tanh, tile, transpose, unbind, unflatten, unsqueeze, var, view,
                  where)
from .ops import (addmm, argsort, argwhere, cumprod, cumsum, diag, diagonal, kthvalue, msort,
                  multinomial, narrow, nonzero, prelu, selu, sort, t, topk, trace, tril, triu)
from .ops import can_cast, floor_divide, fmod, promote_types, remainder, result_type
from .ops import (atleast_1d, atleast_2d, atleast_3d, bincount, block_diag, broadcast_shapes,
                  broadcast_tensors, bucketize, cartesian_prod, combinations, count_nonzero,
                  histc, histogram, index_add, index_copy, index_put, index_put_,
                  masked_scatter, masked_select, meshgrid, repeat_interleave, searchsorted,
                  select, take, take_along_dim, tril_indices, triu_indices, unique,
                  unique_consecutive)
from .ops.einsum import einsum
from .ops.decompositions import (cholesky_inverse, cholesky_solve, det, inverse, logdet,
                                 pinverse, slogdet)
from .ops.decompositions import legacy_cholesky as cholesky, legacy_qr as qr, legacy_svd as svd
from .ops.matrix_functions import matrix_exp, matrix_power
from .ops import (aminmax, cdist, column_stack, corrcoef, cov, cross, cummax, cummin, diff,
                  dist, dstack, fliplr, flipud, hstack, inner, kron, logcumsumexp, median,
                  mode, nanmean, nanmedian, nanquantile, nansum, quantile, renorm, rot90,
                  row_stack, std_mean, tensordot, var_mean, vstack)
from .size import Size
from .type_info import finfo, iinfo
from .ops import (acos, acosh, addcdiv, addcmul, all, any, arccos, arccosh, arcsin, arcsinh,
                  arctan, arctan2, arctanh, asin, asinh, atan, atan2, atanh, ceil, clamp_max,
                  clamp_min, copysign, cosh, deg2rad, digamma, erfc, erfinv, exp2, expm1, fix,
                  float_power, floor, frac, heaviside, hypot, isclose, isin, isinf, isneginf,
                  isposinf, isreal, lerp, lgamma, log2, log10, logaddexp, logaddexp2, logit,
                  nan_to_num, polygamma, positive, rad2deg, reciprocal, round, sgn, signbit,
                  sinc, sinh, tan, true_divide, trunc, xlogy)
from . import autograd
from .gradcheck import gradcheck
from .serialization import load, save
from .printing import set_printoptions
from .tuning import (get_num_interop_threads, get_num_threads, set_num_interop_threads,
                     set_num_threads, tune_cpu)
from . import accelerator, amp, backends, cuda, multiprocessing, serialization
from .amp import autocast
from .backends import (are_deterministic_algorithms_enabled, get_float32_matmul_precision,
                       is_deterministic_algorithms_warn_only_enabled,
                       set_float32_matmul_precision, use_deterministic_algorithms)
from . import compiler
from .compiler import compile

# dtypes, spelled as in torch (bfloat16, from tensor_types, has no NumPy dtype: using it
# as one raises a TypeError that says so)
float16 = half = _np.dtype(_np.float16)
float32 = float = _np.dtype(_np.float32)
float64 = double = _np.dtype(_np.float64)
int8 = _np.dtype(_np.int8)
uint8 = _np.dtype(_np.uint8)
int16 = short = _np.dtype(_np.int16)
int32 = int = _np.dtype(_np.int32)
int64 = long = _np.dtype(_np.int64)
bool = _np.dtype(_np.bool_)

__version__ = "0.1.0"

# nl.nn, nl.optim, nl.data, nl.utils.data, as torch.nn after import torch
from . import data, nn, optim, utils  # noqa: E402
from . import distributions, linalg  # noqa: E402
from . import distributed  # noqa: E402  (as torch.distributed; MPI starts at init_process_group)
# nl.onnx.export, as torch.onnx.export after import torch (the onnx package itself is
# imported only when a model is exported)
from . import onnx  # noqa: E402
