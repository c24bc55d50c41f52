"""``nn.modules``: torch's import paths for the layers, so that imports such as
``from torch.nn.modules.module import Module`` or ``from torch.nn.modules.loss import _Loss``
run with only the import line changed. Each submodule re-exports nnlite's own classes (the same objects as
``nn.Linear`` and the rest); the package itself exports every layer, as torch's does.

Submodules: module, linear, flatten, conv, activation, loss, batchnorm, normalization,
dropout, container, rnn, sparse, pooling, padding, upsampling, transformer, lazy,
instancenorm, pixelshuffle, channelshuffle, fold, distance, adaptive.

Example:
    >>> from nnlite.nn.modules.module import Module
    >>> from nnlite import nn
    >>> Module is nn.Module
    True
"""
from . import (activation, batchnorm, container, conv, dropout, flatten, lazy, linear, loss,
               module, normalization, padding, pooling, rnn, sparse, transformer, upsampling)
from . import adaptive, channelshuffle, distance, fold, instancenorm, pixelshuffle
from .activation import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403

__all__ = sorted({name for m in (activation, batchnorm, container, conv, dropout, flatten,
                                 lazy, linear, loss, module, normalization, padding, pooling, rnn,
                                 sparse, transformer, upsampling, channelshuffle, distance,
                                 fold, instancenorm, pixelshuffle, adaptive) for name in m.__all__})
