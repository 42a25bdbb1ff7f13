"""The Trainer: a network, its data split, an optimiser and an example order, trained epoch by epoch.

Pure NumPy on top of the network, datasets and the kernel; must not import Panel, Bokeh or param.
The gradients come from core.backward (returned, not applied); only an optimiser's step changes
weights. Everything random comes from Generators spawned from one seed, so a run repeats bit for bit.
"""
from __future__ import annotations

import math

import numpy as np

from .. import core
from . import datasets
from .kernel import Kernel
from .optimizers import REGULARIZATIONS, make_optimizer, regularize
from .transfer import Transferable

# The order in which an epoch visits the training points: a new permutation every epoch, or the
# stored order every time, as TensorFlow Playground does (the data were shuffled once when made).
ORDERS = ("shuffled", "playground")


def seed_streams(seed: int):
    """Independent Generators (init, shuffle) from one seed."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))


def predict_labels(A, output: str, n_classes: int):
    """Class labels from outputs A (N, n_out): -1/+1 for two classes, 0..k-1 for more."""
    if A.shape[1] == 1:
        return np.where(A[:, 0] >= (0.5 if output == "sigmoid" else 0.0), 1.0, -1.0)
    k = A.argmax(axis=1)
    return np.where(k == 1, 1.0, -1.0) if n_classes == 2 else k


class Trainer(Transferable):
    """A network, its data split, an optimiser and an example order; step_epoch() trains one epoch.

    history holds one row per recorded epoch (epoch 0 is the untrained network): epoch, train_loss,
    test_loss and, for classification, train_accuracy and test_accuracy. Losses exclude the penalty.
    Weights are read from net.W, net.b at the start of each epoch and written back in place at its
    end, so hand edits between epochs are trained on and views holding those arrays stay current.
    """

    def __init__(self, net, data, *, features=None, loss="mse", optimizer="sgd", lr=0.03, batch_size=10,
                 reg="none", reg_rate=0.0, seed=0, order="shuffled"):
        """optimizer: a name (built with lr) or an optimiser object (lr then unused); seed: the shuffles;
        order: one of ORDERS (see step_epoch)."""
        core.check_loss(net.output, loss)
        self.net, self.data, self.loss, self.seed, self.features = net, data, loss, seed, features
        self.optimizer = make_optimizer(optimizer, lr) if isinstance(optimizer, str) else optimizer
        self.reg, self.reg_rate, self.waiting = reg, reg_rate, 0
        self.order = order
        self.X_train, self.X_test = self.inputs(data.X_train), self.inputs(data.X_test)
        self.Y_train = datasets.make_targets(data, data.y_train, net.output)
        self.Y_test = datasets.make_targets(data, data.y_test, net.output)
        self._X_all = np.vstack([self.X_train, self.X_test])
        self._labels = np.concatenate([data.y_train, data.y_test])
        if self.X_train.shape[1] != net.sizes[0] or self.Y_train.shape[1] != net.sizes[-1]:
            raise ValueError(f"the network is {'-'.join(map(str, net.sizes))} but the data need "
                             f"{self.X_train.shape[1]} inputs and {self.Y_train.shape[1]} outputs")
        self._W0 = [W.copy() for W in net.W]
        self._b0 = [b.copy() for b in net.b]
        self.batch_size = batch_size          # builds the kernel
        self.rewind()

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = make_optimizer("sgd", value).lr    # same check as at construction

    @property
    def reg(self) -> str:
        return self._reg

    @reg.setter
    def reg(self, value):
        if value not in REGULARIZATIONS:
            raise ValueError(f"unknown regularization {value!r}; "
                             f"choose one of {', '.join(REGULARIZATIONS)}")
        self._reg = value

    @property
    def reg_rate(self) -> float:
        return self._reg_rate

    @reg_rate.setter
    def reg_rate(self, value):
        if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value)
                                           and value >= 0):
            raise ValueError(f"regularization rate {value!r} must be a number >= 0")
        self._reg_rate = float(value)

    @property
    def order(self) -> str:
        return self._order

    @order.setter
    def order(self, value):
        if value not in ORDERS:
            raise ValueError(f"unknown example order {value!r}; choose one of {', '.join(ORDERS)}")
        self._order = value
        if value != "playground":
            self.waiting = 0                    # points that waited are in the next shuffled epoch anyway

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"batch size {value!r} must be a whole number >= 1")
        self._batch_size = int(value)
        old = getattr(self, "_kernel", None)
        self._kernel = Kernel(self.net, len(self.Y_train), self._batch_size, self.loss)
        if old is not None:
            self._kernel.dead[...] = old.dead               # dead links stay dead across a new batch size

    @property
    def classification(self) -> bool:
        return self.data.kind == "classification"

    def inputs(self, X):
        """Raw points (or pixels) -> the network's input columns."""
        if self.features is None:
            return np.asarray(X, dtype=float)
        return datasets.make_features(X, self.features)

    def rewind(self):
        """Back to the initial weights, a fresh optimiser and shuffle stream, epoch 0."""
        for W, b, W0, b0 in zip(self.net.W, self.net.b, self._W0, self._b0):
            W[...] = W0
            b[...] = b0
        self.restart(0)

    def restart(self, epoch: int = 0):
        """Keep the weights; fresh optimiser state, shuffle stream and history, counting from `epoch`."""
        self.optimizer.reset()
        self._kernel.dead[...] = False
        self.rng = seed_streams(self.seed)[1]
        self.epoch, self.diverged, self.waiting = int(epoch), False, 0
        keys = ["epoch", "train_loss", "test_loss"]
        keys += ["train_accuracy", "test_accuracy"] if self.classification else []
        self.history = {k: [] for k in keys}
        self.record()

    def record(self) -> dict:
        """Append the current epoch's train/test loss (and accuracy) to history and return that row."""
        n = len(self.Y_train)
        with np.errstate(over="ignore", invalid="ignore"):
            z, a = self._kernel.outputs(self.net, self._X_all)    # one pass over train and test together
            row = {"epoch": self.epoch, "train_loss": self._loss(z[:n], a[:n], self.Y_train),
                   "test_loss": self._loss(z[n:], a[n:], self.Y_test)}
        if self.classification:
            hit = predict_labels(a, self.net.output, self.data.n_classes) == self._labels
            row.update(train_accuracy=np.count_nonzero(hit[:n]) / n,
                       test_accuracy=np.count_nonzero(hit[n:]) / (len(hit) - n))
        for k, v in row.items():
            self.history[k].append(v)
        self.diverged = not (math.isfinite(row["train_loss"]) and math.isfinite(row["test_loss"]))
        return row

    def _loss(self, z, a, Y) -> float:
        """The data loss (no penalty) of outputs a from pre-activations z against targets Y."""
        return core.loss_from_trace(self.net, core.Trace([None, z], [None, a]), Y, self.loss)

    def dead_links(self) -> list:
        """Per layer, a (n_out, n_in) mask of the weights L1 has killed (exactly 0, no longer trained)."""
        return self._kernel.dead_links()

    def gradients(self, X, Y):
        """(dW, db) from core.backward plus the penalty's gradient, for prepared inputs and targets."""
        dW, db = core.backward(self.net, self.net.forward(X), Y, self.loss)
        return regularize(self.net, dW, self.reg, self.reg_rate), db

    def step_epoch(self, record=True):
        """One pass over the training set in mini-batches of batch_size (at most all the points).

        order "shuffled": each epoch draws a new permutation of the training points from the
        trainer's shuffle stream and cuts it into batches in order; when batch_size does not divide
        the number of points, the last batch holds the remainder and is applied too (its gradient is
        its own mean, so it is not weighted less).
        order "playground", as TensorFlow Playground: every epoch walks the points in their stored
        order (shuffled once when the data were made) and updates after every batch_size points
        counted from the epoch's start. A remainder is not applied at the epoch's end: those points
        wait (self.waiting) and join the next epoch's first batch. The Playground keeps their summed
        gradient; here it is computed when that batch is, from the same weights unless they were
        edited in between.
        """
        playground = self.order == "playground"
        n = len(self.Y_train)
        order = np.arange(n) if playground else self.rng.permutation(n)
        with np.errstate(over="ignore", invalid="ignore"):
            self.waiting = self._kernel.epoch(self.net, self.X_train, self.Y_train, order, self.optimizer,
                                              self.reg, self.reg_rate, fixed=playground, waiting=self.waiting)
        self.epoch += 1
        return self.record() if record else None

    def run(self, epochs: int, record_every: int = 1):
        """Train `epochs` epochs, recording every `record_every` and the last; stop if the loss blows up."""
        for i in range(epochs):
            last = i == epochs - 1 or (i + 1) % record_every == 0
            self.step_epoch(record=last)
            if last and self.diverged:
                break
        return self.history
