"""Training: optimisers that apply gradients, regularisation, and a Trainer that runs epochs.

Pure NumPy on top of engine and datasets; must not import Panel, Bokeh or param. The gradients
come from core.backward (returned, not applied); only an optimiser's step() changes weights.
Everything random comes from Generators spawned from one seed, so a run repeats bit for bit.
"""
from __future__ import annotations

import copy
import functools
import math
import time

import numpy as np

from .. import core
from . import datasets

from .optimizers import (OPTIMIZERS, REGULARIZATIONS, SGD, Adam, Momentum,  # noqa: F401 (re-exported)
                         make_optimizer, penalty, regularize)

INITS = ("playground", "xavier", "he")
# The order in which an epoch visits the training points: a new permutation every epoch, or the
# stored order every time, as TensorFlow Playground does (the data were shuffled once when made).
ORDERS = ("shuffled", "playground")
# The Digits tab's network and settings (the CLI's defaults for --problem digits too).
DIGITS = {"hidden": (32,), "activation": "tanh", "lr": 0.1, "batch_size": 32, "epochs": 30}


def init_network(sizes, activation="tanh", output="tanh", scheme="playground", rng=None):
    """A new network; 'playground' draws W uniform in [-0.5, 0.5] with biases 0.1, as TF Playground."""
    if scheme not in INITS:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {', '.join(INITS)}")
    rng = np.random.default_rng(0) if rng is None else rng
    if scheme != "playground":
        return core.Network.init(sizes, activation, output, scheme=scheme, rng=rng)
    sizes = core.validate_sizes(sizes)
    W = [rng.uniform(-0.5, 0.5, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [np.full(n_out, 0.1) for n_out in sizes[1:]]
    acts = (activation,) * (len(sizes) - 2) if isinstance(activation, str) else tuple(activation)
    return core.Network(sizes, W, b, acts, output, meta={"scheme": scheme})


def seed_streams(seed: int):
    """Independent Generators (init, shuffle) from one seed."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))


def predict_labels(A, output: str, n_classes: int):
    """Class labels from outputs A (N, n_out): -1/+1 for two classes, 0..k-1 for more."""
    if A.shape[1] == 1:
        return np.where(A[:, 0] >= (0.5 if output == "sigmoid" else 0.0), 1.0, -1.0)
    k = A.argmax(axis=1)
    return np.where(k == 1, 1.0, -1.0) if n_classes == 2 else k


# --- the per-batch kernel ---------------------------------------------------------------------
# The Playground's network is tiny, so NumPy's ~1 us per call, not arithmetic, sets the speed.
# The kernel therefore preallocates every buffer and folds each bias into its weight matrix:
# Wb[l] = [W[l] | b[l]] and every activation buffer ends in a column of ones, so z = [a 1] Wb^T is
# one product and dWb = delta^T [a 1] gives dW and db together. All Wb live in one flat vector
# theta (copied from net.W, net.b before an epoch and back after), so an optimiser update is a few
# operations.
# The math is core.backward's; tests check the two agree.

def _activate(name, z, out) -> list:
    """Steps (function, args) that write f(z) into out."""
    if name == "tanh":
        return [(np.tanh, (z, out))]
    if name == "relu":
        return [(functools.partial(np.maximum, out=out), (z, 0.0))]     # out by keyword (NumPy 2.4)
    if name == "linear":
        return [(np.copyto, (out, z))]
    return [(lambda: out.__setitem__(Ellipsis, core.apply_output(name, z)), ())]


def _slope(name, z, a, out) -> list:
    """Steps that write f'(z) into out, from a = f(z) where that is cheaper."""
    if name == "tanh":                   # 1 - a^2
        return [(np.multiply, (a, a, out)), (np.subtract, (1.0, out, out))]
    if name == "sigmoid":                # a (1 - a)
        return [(np.subtract, (1.0, a, out)), (np.multiply, (out, a, out))]
    if name == "relu":
        return [(np.greater, (z, 0.0, out))]
    return [(lambda: out.__setitem__(Ellipsis, core.ACTIVATIONS[name].df(z)), ())]


class _Kernel:
    """Preallocated buffers for one network, training-set size and batch size."""

    def __init__(self, net, n: int, batch_size: int, loss: str):
        self.names = (None, *net.activations, net.output)     # index l = weight layer 1..L
        self.L, self.loss, self.output = net.L, loss, net.output
        shapes = [(o, i + 1) for i, o in zip(net.sizes[:-1], net.sizes[1:])]
        ends = np.cumsum([0] + [o * i for o, i in shapes])
        self.theta, self.grad = np.zeros(ends[-1]), np.zeros(ends[-1])
        self.wmask = np.zeros(ends[-1])                        # 1 on weights: penalties skip biases
        self.dead = np.zeros(ends[-1], dtype=bool)             # weights L1 drove through 0: fixed at 0
        self.step, self.w2 = np.empty(ends[-1]), np.empty(ends[-1])   # the penalty's step, L1's new weights
        self.crossed = np.empty(ends[-1], dtype=bool)
        self.Wb = [self.theta[s:e].reshape(sh) for s, e, sh in zip(ends, ends[1:], shapes)]
        self.G = [self.grad[s:e].reshape(sh) for s, e, sh in zip(ends, ends[1:], shapes)]
        for s, e, sh in zip(ends, ends[1:], shapes):
            self.wmask[s:e].reshape(sh)[:, :-1] = 1.0
        self.W = [Wb[:, :-1] for Wb in self.Wb]
        self.b = [Wb[:, -1] for Wb in self.Wb]
        self.A0 = np.ones((n, net.sizes[0] + 1))                # the shuffled inputs of one epoch
        self.Y = np.empty((n, net.sizes[-1]))
        bs = min(batch_size, n)
        self.sizes, self.bs, self.full = net.sizes, bs, n // bs   # full: batches of exactly bs points
        self._carried = {}                                      # r -> the (r + bs)-point first batch
        buffers = {m: self._buffers(m) for m in {bs, n % bs or bs}}
        self.batches = []
        for s in range(0, n, bs):
            a0, y = self.A0[s:s + bs], self.Y[s:s + bs]
            self.batches.append((a0, y, self._program(a0, y, buffers[len(y)])))

    def _buffers(self, m: int):
        """Activations with their ones column, z, delta and slope buffers for batches of m points."""
        full = [np.ones((m, k + 1)) for k in self.sizes]
        return full, *([np.empty((m, k)) for k in self.sizes] for _ in range(3))

    def _program(self, a0, y, buffers) -> list:
        """The forward and backward pass of one batch as a list of (function, args) steps.

        Every step writes into a preallocated buffer and the weights are views of theta, so running
        the list (gradients()) leaves dL/dWb in G; building the calls once removes most of Python's
        per-call work, which is what the time goes on for a network this small."""
        full, Z, D, S = buffers
        A = [a0, *full[1:]]                     # with the ones column
        Aout = [a[:, :-1] for a in A]
        L, names, steps = self.L, self.names, []
        for l in range(1, L + 1):
            steps += [(np.dot, (A[l - 1], self.Wb[l - 1].T, Z[l]))] + _activate(names[l], Z[l], Aout[l])
        d = D[L]
        steps += [(np.subtract, (Aout[L], y, d)), (np.multiply, (d, 1.0 / len(d), d))]
        if (self.output, self.loss) not in core.SHORTCUT_PAIRS and self.output != "linear":
            if self.output == "softmax":          # mse on softmax: the full Jacobian-vector product
                steps.append((lambda: d.__setitem__(Ellipsis, core.output_backprop("softmax", Z[L], Aout[L], d)),
                              ()))
            else:
                steps += _slope(self.output, Z[L], Aout[L], S[L]) + [(np.multiply, (d, S[L], d))]
        for l in range(L, 0, -1):
            steps.append((np.dot, (D[l].T, A[l - 1], self.G[l - 1])))
            if l > 1:
                steps.append((np.dot, (D[l], self.W[l - 1], D[l - 1])))
                if names[l - 1] != "linear":
                    steps += _slope(names[l - 1], Z[l - 1], Aout[l - 1], S[l - 1])
                    steps.append((np.multiply, (D[l - 1], S[l - 1], D[l - 1])))
        return steps

    def load(self, net):
        """Copy the network's weights into theta (copied, not shared: net's arrays keep their identity)."""
        for l in range(self.L):
            self.W[l][...] = net.W[l]
            self.b[l][...] = net.b[l]

    def store(self, net):
        """Write theta back into the network's own arrays, in place."""
        for l in range(self.L):
            net.W[l][...] = self.W[l]
            net.b[l][...] = self.b[l]

    def carried(self, X, Y, order, r: int):
        """The first batch after an epoch whose last r points waited: those r points, then bs more."""
        if r not in self._carried:
            buffers = self._buffers(r + self.bs)
            a0, y = buffers[0][0], np.empty((r + self.bs, self.sizes[-1]))
            self._carried[r] = (a0, y, self._program(a0, y, buffers))
        a0, y, program = self._carried[r]
        rows = np.concatenate([order[len(order) - r:], order[:self.bs]])
        np.take(X, rows, axis=0, out=a0[:, :-1])
        np.take(Y, rows, axis=0, out=y)
        return a0, y, program

    def epoch(self, net, X, Y, order, optimizer, reg, rate, fixed=False, waiting=0) -> int:
        """Train one epoch on the rows of X, Y in the given order; returns how many points wait.

        Shuffled (fixed False): every batch is applied, the last one holding the remainder. Fixed
        (the Playground's oneStep): an update falls after every bs points counted from the epoch's
        start, so the last n % bs points are not applied yet: they wait and join the next epoch's
        first batch (`waiting` of them, from the end of `order`), which then has waiting + bs points.
        L2 adds rate W to the data gradient, which the optimiser then steps on. L1 as the Playground's
        updateWeights: the optimiser steps on the data gradient alone (w1), then every weight moves by
        lr rate sign(w), its sign taken before the step (w2). A weight whose L1 move takes it across 0
        (w1 w2 < 0) becomes exactly 0 and is dead from then on (no longer trained, contributing
        nothing) until it is set by hand or training restarts; one the data carry across 0 lives on.
        With SGD this is the Playground's rule exactly; momentum and Adam keep L1 out of their running
        state (a decoupled step, as AdamW's weight decay). Penalties skip biases, as the Playground's.
        """
        self.load(net)
        self.dead &= self.theta == 0.0                  # a hand-edited dead weight lives again
        np.take(X, order, axis=0, out=self.A0[:, :-1])
        np.take(Y, order, axis=0, out=self.Y)
        batches = self.batches
        if fixed:
            batches = batches[:self.full]
            if waiting:
                batches = [self.carried(X, Y, order, waiting), *batches[1:]]
        l1, l2 = reg == "l1" and rate > 0, reg == "l2" and rate > 0
        scale = self.wmask * (rate if l2 else optimizer.lr * rate)     # per weight: rate, or lr rate
        theta, grad, step, w2, crossed = self.theta, self.grad, self.step, self.w2, self.crossed
        any_dead = self.dead.any()
        for a0, y, program in batches:
            self.gradients(a0, y, program)
            if l2:
                np.multiply(theta, scale, out=step)
                grad += step
            elif l1:
                np.sign(theta, out=step)                 # the Playground's regulDer, from w before the step
                step *= scale
            if any_dead:
                grad[self.dead] = 0.0
            optimizer.update([theta], [grad])             # l1: theta holds w1, the data gradient's step
            if l1:
                np.subtract(theta, step, out=w2)
                np.multiply(theta, w2, out=step)
                np.less(step, 0.0, out=crossed)          # only L1's move can kill: w1 w2 < 0
                np.copyto(theta, w2)
                if crossed.any():
                    self.dead |= crossed
                    any_dead = True
            if any_dead:
                theta[self.dead] = 0.0                   # momentum or Adam state must not revive it
        self.store(net)
        return len(order) - self.full * self.bs if fixed else 0

    def gradients(self, a0, y, program):
        """Forward and backward for one batch (the program made for a0, y); leaves dL/dWb in self.G."""
        for f, args in program:
            f(*args)


# --- the trainer ------------------------------------------------------------------------------

class Trainer:
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
        self._kernel = _Kernel(self.net, len(self.Y_train), self._batch_size, self.loss)
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

    def evaluate(self, X, Y, y_labels=None) -> dict:
        """Loss (and accuracy against y_labels) of the current network on prepared inputs X, targets Y."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._score(self.net.forward(X), Y, y_labels)

    def _score(self, trace, Y, y_labels):
        out = {"loss": core.loss_from_trace(self.net, trace, Y, self.loss)}
        if y_labels is not None:
            pred = predict_labels(trace.output, self.net.output, self.data.n_classes)
            out["accuracy"] = float(np.mean(pred == y_labels))
        return out

    def record(self) -> dict:
        """Append the current epoch's train/test loss (and accuracy) to history and return that row."""
        n, cls = len(self.Y_train), self.classification
        with np.errstate(over="ignore", invalid="ignore"):
            both = self.net.forward(self._X_all)       # one pass over train and test together

        def part(sl):
            return core.Trace([None] + [z[sl] for z in both.z[1:]], [a[sl] for a in both.a])
        tr = self._score(part(slice(None, n)), self.Y_train, self.data.y_train if cls else None)
        te = self._score(part(slice(n, None)), self.Y_test, self.data.y_test if cls else None)
        row = {"epoch": self.epoch, "train_loss": tr["loss"], "test_loss": te["loss"]}
        if cls:
            row.update(train_accuracy=tr["accuracy"], test_accuracy=te["accuracy"])
        for k, v in row.items():
            self.history[k].append(v)
        self.diverged = not (math.isfinite(tr["loss"]) and math.isfinite(te["loss"]))
        return row

    def dead_links(self) -> list:
        """Per layer, a (n_out, n_in) mask of the weights L1 has killed (exactly 0, no longer trained)."""
        k = self._kernel
        ends = np.cumsum([0] + [Wb.size for Wb in k.Wb])
        return [k.dead[s:e].reshape(Wb.shape)[:, :-1].copy() for Wb, s, e in zip(k.Wb, ends, ends[1:])]

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


    # --- training elsewhere: in another process, then adopted here ------------------------------

    def __getstate__(self):
        """Pickled without the kernel (its buffers are views of one another); the dead links travel."""
        state = self.__dict__.copy()
        state["_dead"] = state.pop("_kernel").dead.copy()
        return state

    def __setstate__(self, state):
        dead = state.pop("_dead")
        self.__dict__.update(state)
        self._kernel = None
        self.batch_size = self._batch_size                 # builds the kernel
        self._kernel.dead[...] = dead

    def detached(self):
        """A shallow copy holding only the last history row, cheap to pickle for train_for() in another
        process. It shares the network and kernel with this trainer: pickle it, do not train it here."""
        light = copy.copy(self)
        light.history = {k: v[-1:] for k, v in self.history.items()}
        return light

    def adopt(self, result: dict):
        """Take over what train_for() did on a copy of this trainer: weights (in place, so everything
        holding net.W and net.b follows), optimiser state, shuffle stream, dead links, epoch, the
        recorded row."""
        for W, b, W1, b1 in zip(self.net.W, self.net.b, result["W"], result["b"]):
            W[...] = W1
            b[...] = b1
        self.optimizer, self.rng = result["optimizer"], result["rng"]
        self._kernel.dead[...] = result["dead"]
        self.epoch, self.waiting, self.diverged = result["epoch"], result["waiting"], result["diverged"]
        for k, v in result["row"].items():
            self.history[k].append(v)


def train_for(trainer: Trainer, seconds: float, max_epochs: int = 1000) -> dict:
    """Train whole epochs for about `seconds` (at least one, at most max_epochs), record the last, and
    return what Trainer.adopt() needs. Runs in a worker process on a detached() copy."""
    t0, n = time.perf_counter(), 0
    while True:
        trainer.step_epoch(record=False)
        n += 1
        if n >= max_epochs or time.perf_counter() - t0 >= seconds:
            break
    row = trainer.record()
    net = trainer.net
    return {"W": net.W, "b": net.b, "optimizer": trainer.optimizer, "rng": trainer.rng, "epochs": n,
            "dead": trainer._kernel.dead, "epoch": trainer.epoch, "waiting": trainer.waiting,
            "diverged": trainer.diverged, "row": row, "seconds": time.perf_counter() - t0}


def resolve(problem="circle", output=None, loss=None, features=None):
    """(output, loss, features, n_in, n_out) with the Playground's defaults filled in and checked.

    output defaults to tanh for classification (as the Playground, MSE on -1/+1 labels), linear for
    regression, softmax for digits; loss to bce for sigmoid, cce for softmax, mse otherwise.
    features is None for digits (its 64 pixels are the inputs).
    """
    if problem not in datasets.PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; choose one of {', '.join(datasets.PROBLEMS)}")
    regression = problem in datasets.REGRESS_2D + datasets.REGRESS_1D
    if output is None:
        output = "softmax" if problem == "digits" else ("linear" if regression else "tanh")
    loss = loss or {"sigmoid": "bce", "softmax": "cce"}.get(output, "mse")
    core.check_loss(output, loss)
    if problem == "digits":
        if features:
            raise ValueError("the digits problem takes its 64 pixels as inputs; leave the features out")
        return output, loss, None, 64, 10
    if regression and output == "softmax":
        raise ValueError("a regression problem needs a single output; softmax needs classes")
    default = ("x1",) if problem in datasets.REGRESS_1D else ("x1", "x2")
    features = datasets.parse_features(features or default)
    if problem in datasets.REGRESS_1D and any("x2" in name for name in features):
        raise ValueError(f"{problem} has one input x1; features using x2 do not apply")
    return output, loss, features, len(features), 2 if output == "softmax" else 1


def network_for(problem, hidden=(4, 2), activation="tanh", output=None, features=None, seed=0, init=None,
                sizes=None):
    """A new network shaped for a problem: its inputs (features), hidden layers, its outputs.

    `sizes` (full, input to output) overrides `hidden`. init defaults to the Playground's uniform
    weights for the 2-D and 1-D problems and to Xavier (He for the ReLU family) for digits.
    """
    output, _, features, n_in, n_out = resolve(problem, output, None, features)
    sizes = (n_in, *hidden, n_out) if sizes is None else tuple(sizes)
    if (sizes[0], sizes[-1]) != (n_in, n_out):
        raise ValueError(f"sizes must start with {n_in} inputs and end with {n_out} outputs for {problem}")
    first = activation if isinstance(activation, str) else (list(activation) or ["linear"])[0]
    if init is None:
        init = "playground" if problem != "digits" else core.ACTIVATIONS[first].init
    return init_network(sizes, activation, output, init, rng=seed_streams(seed)[0])


def fits(net, problem, features=None) -> str:
    """Why `net` cannot train on `problem` with these features ('' when it can)."""
    try:
        _, _, _, n_in, n_out = resolve(problem, net.output, None, features)
    except ValueError as exc:
        return str(exc)
    if (net.sizes[0], net.sizes[-1]) != (n_in, n_out):
        return (f"with a {net.output} output, {problem} needs {n_in} input{'s' * (n_in > 1)} and {n_out} "
                f"output{'s' * (n_out > 1)}; this network has {net.sizes[0]} and {net.sizes[-1]}")
    return ""


def build_trainer(problem="circle", hidden=(4, 2), *, activation="tanh", output=None, loss=None,
                  optimizer="sgd", lr=0.03, batch_size=10, reg="none", reg_rate=0.0, noise=0.0,
                  train_pct=50.0, n_samples=None, features=None, seed=0, init=None, sizes=None, net=None,
                  order="shuffled"):
    """Data, network and Trainer from Playground-style settings (defaults are the Playground's).

    n_samples None: the Playground's count (500 points, 1,200 for regression).
    `net` trains an existing network (its arrays are trained in place); otherwise network_for()
    makes one. See resolve() for the output and loss defaults. One seed gives the data, the
    weights and the shuffles.
    """
    if net is None:
        net = network_for(problem, hidden, activation, output, features, seed, init, sizes)
    else:
        why = fits(net, problem, features)
        if why:
            raise ValueError(why)
    _, loss, features, _, _ = resolve(problem, net.output, loss, features)
    data = datasets.make_dataset(problem, n_samples, noise, train_pct, seed=seed)
    return Trainer(net, data, features=features, loss=loss, optimizer=optimizer, lr=lr,
                   batch_size=batch_size, reg=reg, reg_rate=reg_rate, seed=seed, order=order)


def unstable(losses, window: int = 4, factor: float = 1.5, jump: float = 10.0) -> bool:
    """True when the loss misbehaves in the way that comes before divergence (a learning rate too large).

    Either it rose at each of the last `window` records to `factor` times the lowest of them, or it
    jumped back to `jump` times the best loss seen so far (steps overshooting the minimum). Both
    only count above half the untrained loss, so tiny wobbles near a perfect fit are ignored.
    """
    finite = [v for v in losses if math.isfinite(v)]
    if len(finite) < 2 or not math.isfinite(losses[0]) or finite[-1] <= 0.5 * losses[0]:
        return False
    recent = finite[-(window + 1):]
    rising = len(recent) == window + 1 and all(b > a for a, b in zip(recent, recent[1:]))
    return (rising and recent[-1] > factor * min(recent)) or finite[-1] > jump * min(finite)
