"""Every differentiable op of nnlite: each a Function (forward + backward side by side,
the protocol of ``nnlite/autograd/function.py``) and the function users call. The core
ops, re-exported here:

- arithmetic.py  + - * / // % ** neg, casts, comparisons
- _util.py       torch's dtype promotion (result_type, promote_types, can_cast)
- pointwise.py   exp log sqrt ... tanh sigmoid relu gelu softplus clamp maximum where
- reduction.py   sum mean var std max min amax amin logsumexp prod argmax; softmax
- shape.py       reshape permute expand repeat flip roll cat stack split pad
- indexing.py    getitem masked_fill gather scatter scatter_add index_fill one_hot
- linalg.py      matmul
- decompositions.py  det slogdet inv solve cholesky qr svd eigh pinv lstsq ... (nnlite.linalg)
- matrix_functions.py  matrix_exp matrix_power multi_dot matrix_norm cross ... (nnlite.linalg)
- norms.py       norm vector_norm
- matrix.py      t tril triu diag diagonal trace addmm
- sorting.py     sort argsort msort topk kthvalue
- cumulative.py  cumsum cumprod
- scans.py       cummax cummin logcumsumexp diff
- statistics.py  median nanmedian mode quantile nanquantile nansum nanmean std_mean
                 var_mean aminmax cov corrcoef
- stacking.py    hstack vstack row_stack dstack column_stack fliplr flipud rot90
- products.py    cross kron tensordot inner
- distances.py   cdist dist renorm
- selection.py   narrow nonzero argwhere
- sampling.py    multinomial (not differentiable)
- counting.py    unique unique_consecutive bincount histc histogram searchsorted
                 bucketize count_nonzero
- gathering.py   masked_select take take_along_dim select repeat_interleave unfold
- scattering.py  index_add index_copy index_put masked_scatter (and their ``_`` forms)
- grids.py       meshgrid cartesian_prod combinations tril_indices triu_indices
                 broadcast_tensors broadcast_shapes block_diag atleast_1d/2d/3d
- activation.py  silu mish hardswish hardsigmoid hardtanh relu6 prelu selu softsign
                 logsigmoid tanhshrink softmin glu
- rounding.py    floor ceil round trunc fix frac
- trig.py        tan sinh cosh asin acos atan asinh acosh atanh atan2 hypot sinc
                 deg2rad rad2deg
- explog.py      log2 log10 exp2 expm1 logaddexp logaddexp2 xlogy logit
- special_functions.py  erfc erfinv lgamma digamma polygamma
- elementwise.py reciprocal positive sgn copysign heaviside float_power true_divide lerp
                 addcmul addcdiv nan_to_num clamp_min clamp_max
- predicates.py  isinf isposinf isneginf isreal signbit isclose isin all any

and the layers' ops, which ``nn.functional`` puts under torch's names: linear.py,
conv.py, conv3d.py, pooling.py, pooling3d.py, upsampling.py, normalization.py, dropout.py, embedding.py,
loss.py, recurrent.py, packing.py (packed sequences), attention.py (scaled dot-product
attention and the fused heads), multi_head_attention.py; and einsum.py, which
``nnlite`` exports as ``nl.einsum`` (not re-exported here, so ``nnlite.ops.einsum`` stays
the module). arguments.py parses and checks the arguments of ops and layers alike;
special.py holds erf on arrays.
"""
import numpy as np

from .activation import (glu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, prelu,
                         relu6, selu, silu, softmin, softsign, tanhshrink)
from ._util import axes, can_cast, promote_types, result_type
from .arithmetic import (add, allclose, astype, bitwise_and, bitwise_not, bitwise_or,
                         bitwise_xor, clone, div, eq, equal, floor_divide, fmod, ge, gt,
                         isfinite, isnan, le, logical_and, logical_not, logical_or,
                         logical_xor, lt, mul, ne, neg, pow, remainder, sub)
from .counting import (bincount, bucketize, count_nonzero, histc, histogram, searchsorted,
                       unique, unique_consecutive)
from .cumulative import cumprod, cumsum
from .gathering import masked_select, repeat_interleave, select, take, take_along_dim
from .grids import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes,
                    broadcast_tensors, cartesian_prod, combinations, meshgrid, tril_indices,
                    triu_indices)
from .indexing import (gather, getitem, index_fill, index_select, masked_fill, one_hot,
                       scatter, scatter_add, unwrap_index)
from .linalg import bmm, dot, matmul, mm, outer
from .matrix import addmm, diag, diagonal, t, trace, tril, triu
from .norms import norm, vector_norm
from .pointwise import (abs, clamp, clip, cos, elu, erf, exp, gelu, leaky_relu, log, log1p,
                        maximum, minimum, relu, rsqrt, sigmoid, sign, sin, softplus, sqrt,
                        square, tanh, where)
from .reduction import (amax, amin, argmax, argmin, log_softmax, logsumexp, max, mean, min,
                        prod, softmax, std, sum, var)
from .sampling import multinomial
from .scattering import index_add, index_copy, index_put, index_put_, masked_scatter
from .selection import argwhere, narrow, nonzero
from .shape import (broadcast_to, cat, chunk, concat, concatenate, expand, flatten, flip,
                    movedim, pad, permute, repeat, reshape, roll, split, squeeze, stack,
                    swapaxes, tile, transpose, unbind, unflatten, unsqueeze, view)
from .sorting import argsort, kthvalue, msort, sort, topk
from .statistics import (aminmax, corrcoef, cov, median, mode, nanmean, nanmedian,
                         nanquantile, nansum, quantile, std_mean, var_mean)
from .scans import cummax, cummin, diff, logcumsumexp
from .stacking import column_stack, dstack, fliplr, flipud, hstack, rot90, row_stack, vstack
from .products import cross, inner, kron, tensordot
from .distances import cdist, dist, renorm
from . import distances, products, scans, stacking, statistics
from .rounding import ceil, fix, floor, frac, round, trunc
from .trig import (acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                   asin, asinh, atan, atan2, atanh, cosh, deg2rad, hypot, rad2deg, sinc,
                   sinh, tan)
from .explog import exp2, expm1, log2, log10, logaddexp, logaddexp2, logit, xlogy
from .special_functions import digamma, erfc, erfinv, lgamma, polygamma
from .elementwise import (addcdiv, addcmul, clamp_max, clamp_min, copysign, float_power,
                          heaviside, lerp, nan_to_num, positive, reciprocal, sgn,
                          true_divide)
from .predicates import (all, any, isclose, isin, isinf, isneginf, isposinf, isreal,
                         signbit)
from . import elementwise, explog, predicates, rounding, special_functions, tensor_info, trig

# NumPy ufuncs that run as nnlite ops when given a Tensor (Tensor.__array_ufunc__): this
# is what lets one backward rule run on arrays and, under create_graph, on Tensors.
UFUNCS = {
    np.add: add, np.subtract: sub, np.multiply: mul, np.true_divide: div, np.power: pow,
    np.floor_divide: floor_divide, np.remainder: remainder, np.fmod: fmod,
    np.negative: neg, np.matmul: matmul, np.exp: exp, np.log: log, np.log1p: log1p,
    np.sqrt: sqrt, np.absolute: abs, np.sign: sign, np.sin: sin, np.cos: cos, np.tanh: tanh,
    np.maximum: maximum, np.minimum: minimum, np.square: square,
    np.equal: eq, np.not_equal: ne, np.less: lt, np.less_equal: le, np.greater: gt,
    np.greater_equal: ge, np.logical_not: logical_not, np.invert: bitwise_not,
    np.bitwise_and: bitwise_and, np.bitwise_or: bitwise_or, np.bitwise_xor: bitwise_xor,
    np.logical_xor: logical_xor,
    np.logical_and: logical_and, np.logical_or: logical_or,
    np.floor: floor, np.ceil: ceil, np.trunc: trunc, np.rint: round, np.log2: log2,
    np.log10: log10, np.exp2: exp2, np.expm1: expm1, np.tan: tan, np.sinh: sinh,
    np.cosh: cosh, np.arcsin: asin, np.arccos: acos, np.arctan: atan, np.arcsinh: asinh,
    np.arccosh: acosh, np.arctanh: atanh, np.arctan2: atan2, np.hypot: hypot,
    np.deg2rad: deg2rad, np.rad2deg: rad2deg, np.reciprocal: reciprocal,
    np.logaddexp: logaddexp, np.logaddexp2: logaddexp2, np.copysign: copysign,
    np.heaviside: heaviside, np.float_power: float_power, np.positive: positive,
}

from . import counting as _counting, gathering as _gathering, scattering as _scattering
from . import decompositions as _decompositions, matrix_functions as _matrix_functions

# Modules whose ``TENSOR_METHODS`` (a dict: method name -> function taking the tensor
# first) ``tensor.py`` binds onto Tensor, so ``t.floor()`` is ``floor(t)``.
METHOD_MODULES: tuple = (_decompositions, _matrix_functions, _counting, _gathering,
                         _scattering, statistics, scans, stacking, products, distances,
                         rounding, trig, explog, special_functions, elementwise, predicates,
                         tensor_info)
