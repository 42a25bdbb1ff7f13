"""Training, by its usual names: the kernel, the Trainer, the worker hand-over and the problems.

Each idea has its own module (kernel, trainer, transfer, problems, optimizers); this one gathers
their public names so `from nnviz.core import training` and `training.X` read as one API.
Pure NumPy; must not import Panel, Bokeh or param.
"""
from .kernel import Kernel  # noqa: F401
from .optimizers import (OPTIMIZERS, REGULARIZATIONS, SGD, Adam, Momentum,  # noqa: F401
                         make_optimizer, penalty, regularize)
from .problems import (DIGITS, INITS, build_trainer, fits, init_network, network_for, resolve,  # noqa: F401
                       unstable)
from .trainer import ORDERS, Trainer, predict_labels, seed_streams  # noqa: F401
from .transfer import train_for  # noqa: F401
