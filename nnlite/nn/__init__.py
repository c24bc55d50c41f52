"""``nnlite.nn``: modules, layers, losses, ``functional``, ``init`` and ``utils``.

    from nnlite import nn
    import nnlite.nn.functional as F

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
"""
from . import functional  # first: loss.py and the layers build on it
from . import init, utils
from .activation import (ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, SiLU, Sigmoid,
                         Softmax, Softmin, Softplus, Softsign, Tanh, Tanhshrink)
from .activation import CELU, Hardshrink, RReLU, Softmax2d, Softshrink, Threshold
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .conv import ConvTranspose1d
from .distance import CosineSimilarity, PairwiseDistance
from .fold import Fold, Unfold
from .loss import (CosineEmbeddingLoss, CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                   MarginRankingLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                   MultiMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss)
from .normalization import InstanceNorm1d, InstanceNorm2d, RMSNorm
from .padding import CircularPad1d, CircularPad2d
from .pixelshuffle import ChannelShuffle, PixelShuffle, PixelUnshuffle
from .attention import MultiheadAttention
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyConv1d, LazyConv2d, LazyConv3d,
                   LazyLinear, UninitializedBuffer, UninitializedParameter)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss,
                   MSELoss, NLLLoss, SmoothL1Loss)
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm,
                            LocalResponseNorm)
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d
from .padding import (ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
                      ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .padding import ConstantPad3d, ReflectionPad3d, ReplicationPad3d, ZeroPad3d
from .parameter import Parameter
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, LPPool1d, LPPool2d, MaxPool1d, MaxPool2d, MaxUnpool1d,
                      MaxUnpool2d)
from .pooling import AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding, EmbeddingBag
from .transformer import (LearnedPositionalEmbedding, PositionalEncoding, Transformer,
                          TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .sync_batchnorm import SyncBatchNorm
from . import modules, parallel  # torch's import paths nn.modules.*, and nn.parallel
from .parallel import DataParallel
