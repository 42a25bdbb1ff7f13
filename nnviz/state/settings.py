"""The settings groups of a session beside the network: training, the neuron lab, approximation, forward pass.

param only (no Panel, no Bokeh). Every parameter that belongs in the link says so with
`metadata=LINK`; nnviz/state/link.py writes and reads it from its type and bounds, under the
group's prefix (`train.lr`, `neuron.w1`, ...). Bounds here are the validation of what a link or a
modified page may send.
"""
from __future__ import annotations

import param

from .. import core
from ..core import datasets, fitting, training

LINK = {"link": True}
MAX_SEED = 2**31 - 1
PROBLEMS_2D = datasets.CLASSIFY_2D + datasets.REGRESS_2D


class TrainSettings(param.Parameterized):
    """What the student chooses in the Training tab (TensorFlow Playground's defaults).

    The network itself (hidden layers, activations) is the session's network, not a setting here.
    """
    problem = param.Selector(default="circle", objects=list(PROBLEMS_2D), metadata=LINK,
                             doc="The data set: classification (circle, xor, gauss, spiral, moons) or regression.")
    noise = param.Integer(default=0, bounds=(0, 50), metadata=LINK, label="Noise (%)",
                          doc="Label noise in percent.")
    train_pct = param.Integer(default=50, bounds=(10, 90), metadata=LINK, label="Training data (%)",
                              doc="Share of the points used for training; the rest test.")
    samples = param.Integer(default=datasets.POINTS_CLASSIFY, bounds=(50, 2000), metadata=LINK, label="Points",
                            doc="How many points are generated (the Playground's: 500, or 1,200 for regression).")
    seed = param.Integer(default=0, bounds=(0, MAX_SEED), metadata=LINK, label="Data seed",
                         doc="One seed for the data, the initial weights and the shuffles.")
    features = param.ListSelector(default=["x1", "x2"], objects=list(datasets.FEATURES), metadata=LINK,
                                  label="Input features", doc="What the input layer is fed.")
    lr = param.Number(default=0.03, bounds=(1e-5, 10.0), metadata=LINK, label="Learning rate",
                      doc="Step size of each update.")
    batch_size = param.Integer(default=10, bounds=(1, 500), metadata=LINK, label="Batch size",
                               doc="Examples per weight update.")
    order = param.Selector(default="shuffled", objects=list(training.ORDERS), metadata=LINK,
                           label="Example order",
                           doc="shuffled: a new order every epoch, a smaller last batch applied at once. "
                               "playground: the same order every epoch, as TensorFlow Playground; a "
                               "smaller last batch waits and joins the next epoch's first.")
    optimizer = param.Selector(default="sgd", objects=list(training.OPTIMIZERS), metadata=LINK,
                               label="Optimiser", doc="How gradients become weight updates.")
    reg = param.Selector(default="none", objects=list(training.REGULARIZATIONS), metadata=LINK,
                         label="Regularisation", doc="Penalty on large weights: none, L1 or L2.")
    reg_rate = param.Number(default=0.0, bounds=(0.0, 1.0), metadata=LINK, label="Regularisation rate",
                            doc="Strength of the penalty.")
    epoch = param.Integer(default=0, bounds=(0, 10**9), metadata=LINK,
                          doc="Epochs trained so far (the weights travel with the network).")

    def __init__(self, **params):
        super().__init__(**params)
        self.param.watch(self._count_for_kind, "problem")

    def _count_for_kind(self, event):
        """As the Playground: a regression problem has 1,200 points, a classification problem 500. A
        count the student changed is kept; one still at the old kind's number follows the new kind."""
        old, new = datasets.playground_points(event.old), datasets.playground_points(event.new)
        if old != new and self.samples == old:
            self.samples = new

    def reading_default(self, name: str):
        """What `name` is after reading a link that does not give it (the link writes only other values)."""
        if name == "samples":
            return datasets.playground_points(self.problem)
        return self.param[name].default

    def data_keywords(self) -> dict:
        """make_dataset's keywords for these settings."""
        return dict(n_samples=self.samples, noise=float(self.noise), train_pct=float(self.train_pct),
                    seed=self.seed)


class NeuronSettings(param.Parameterized):
    """The neuron lab: z = w1 x1 + w2 x2 + b, output f(z); starts on the lesson's exam example."""
    x1 = param.Number(6.0, bounds=(0.0, 12.0), metadata=LINK, label="x1: hours studied",
                      doc="First input (data).")
    x2 = param.Number(8.0, bounds=(0.0, 12.0), metadata=LINK, label="x2: hours slept",
                      doc="Second input (data).")
    w1 = param.Number(0.7, bounds=(-2.0, 2.0), metadata=LINK, label="w1", doc="Weight of x1 (a parameter).")
    w2 = param.Number(0.3, bounds=(-2.0, 2.0), metadata=LINK, label="w2", doc="Weight of x2 (a parameter).")
    b = param.Number(-4.0, bounds=(-10.0, 10.0), metadata=LINK, label="b (bias)", doc="Bias (a parameter).")
    activation = param.Selector(default="sigmoid", objects=list(core.HIDDEN_ACTIVATIONS), metadata=LINK,
                                label="Activation f", doc="Activation function (a hyperparameter).")

    @property
    def z(self) -> float:
        return self.w1 * self.x1 + self.w2 * self.x2 + self.b

    @property
    def output(self) -> float:
        return float(core.ACTIVATIONS[self.activation].f(self.z))


class ApproxSettings(param.Parameterized):
    """Universal approximation: the function to imitate and how many hidden units may do it."""
    target = param.Selector(default="sine", objects=list(fitting.TARGETS), metadata=LINK,
                            doc="Function to approximate.")
    width = param.Integer(default=5, bounds=(1, fitting.MAX_WIDTH), metadata=LINK, label="Hidden units (width)",
                          doc="Neurons in the single hidden layer (a hyperparameter).")


class ForwardSettings(param.Parameterized):
    """The forward pass, one weight layer at a time."""
    step = param.Integer(default=1, bounds=(1, core.MAX_LAYERS), metadata=LINK, label="Layer",
                         doc="The weight layer whose z = W a + b is written out.")


class DepthSettings(param.Parameterized):
    """What layers add: how many tent layers the deep ReLU network composes."""
    k = param.Integer(default=3, bounds=(1, 6), metadata=LINK, label="Layers k",
                      doc="Hidden layers of 2 ReLU units in the deep network (the shallow one gets 2k units).")

