"""Optimizers and learning-rate schedulers, with torch.optim's names, defaults and formulas.

Example:
    >>> import numpy as np
    >>> from nnlite import optim
    >>> from nnlite.nn import Parameter as P
    >>> w = P(np.ones(3))
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> sched = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "ASGD", "NAdam", "RAdam", "Rprop", "LBFGS", "lr_scheduler"]
