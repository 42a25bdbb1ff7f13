"""Training: optimisers that apply gradients, regularisation, and a Trainer that runs epochs.

Pure NumPy on top of engine and datasets; must not import Panel, Bokeh or param. The gradients
come from engine.backward (returned, not applied); only an optimiser's step() changes weights.
Everything random comes from Generators spawned from one seed, so a run repeats bit for bit.
"""
from __future__ import annotations

import math
import time

import numpy as np

from . import datasets, engine

OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("playground", "xavier", "he")


# --- optimisers: state lives on the object; step() updates W and b in place -----------------
# update(params, grads) works on any list of arrays: the Trainer passes its one flat parameter
# vector, step(net, dW, db) the network's own lists. The state is (re)made for the first layout seen.

class SGD:
    """Plain gradient descent: W <- W - lr dW."""

    def __init__(self, lr=0.03):
        self.lr = lr

    def reset(self):
        """Forget the running state (the next update starts afresh)."""
        self.state = None

    def step(self, net, dW, db):
        self.update(net.W + net.b, list(dW) + list(db))

    def _state(self, grads, k):
        shapes = [g.shape for g in grads]
        if getattr(self, "state", None) is None or self.state[0] != shapes:
            self.state = (shapes, [[np.zeros_like(g) for g in grads] for _ in range(k)])
        return self.state[1]

    def update(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g


class Momentum(SGD):
    """Heavy ball: v <- mu v + g, W <- W - lr v (the form PyTorch uses)."""

    def __init__(self, lr=0.03, mu=0.9):
        self.lr, self.mu = lr, mu
        self.reset()

    def update(self, params, grads):
        (vs,) = self._state(grads, 1)
        for p, v, g in zip(params, vs, grads):
            v *= self.mu
            v += g
            p -= self.lr * v


class Adam(SGD):
    """Adam: bias-corrected running means m of g and s of g^2; W <- W - lr m^ / (sqrt(s^) + eps)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.reset()

    def reset(self):
        self.state, self.t = None, 0

    def update(self, params, grads):
        if self.state is None:
            self.t = 0
        ms, ss = self._state(grads, 2)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # m^ = m/(1-b1^t), s^ = s/(1-b2^t); the corrections are folded into lr and eps (same numbers).
        c2 = math.sqrt(1.0 - b2 ** self.t)
        lr_t, eps_t = self.lr * c2 / (1.0 - b1 ** self.t), self.eps * c2
        for p, m, s, g in zip(params, ms, ss, grads):
            m *= b1
            m += (1.0 - b1) * g
            s *= b2
            s += (1.0 - b2) * g * g
            p -= lr_t * m / (np.sqrt(s) + eps_t)


def make_optimizer(name: str, lr: float):
    """An optimiser by name with learning rate lr."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate {lr!r} must be a positive number")
    return {"sgd": SGD, "momentum": Momentum, "adam": Adam}[name](lr=lr)


def regularize(net, dW, reg: str, rate: float):
    """Add the penalty's gradient to dW in place: L2 is rate * 0.5 |W|^2 (-> rate W), L1 rate |W|."""
    if reg == "none" or rate == 0:
        return dW
    for W, g in zip(net.W, dW):
        g += rate * (W if reg == "l2" else np.sign(W))
    return dW


def penalty(net, reg: str, rate: float) -> float:
    """The regularisation term itself (not part of the reported data loss)."""
    if reg == "l2":
        return 0.5 * rate * sum(float(np.sum(W * W)) for W in net.W)
    if reg == "l1":
        return rate * sum(float(np.sum(np.abs(W))) for W in net.W)
    return 0.0


def init_network(sizes, activation="tanh", output="tanh", scheme="playground", rng=None):
    """A new network; 'playground' draws W uniform in [-0.5, 0.5] with biases 0.1, as TF Playground."""
    if scheme not in INITS:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {', '.join(INITS)}")
    rng = np.random.default_rng(0) if rng is None else rng
    if scheme != "playground":
        return engine.Network.init(sizes, activation, output, scheme=scheme, rng=rng)
    sizes = engine.validate_sizes(sizes)
    W = [rng.uniform(-0.5, 0.5, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [np.full(n_out, 0.1) for n_out in sizes[1:]]
    acts = (activation,) * (len(sizes) - 2) if isinstance(activation, str) else tuple(activation)
    return engine.Network(sizes, W, b, acts, output, meta={"scheme": scheme})


def seed_streams(seed: int):
    """Independent Generators (init, shuffle) from one seed."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))


def predict_labels(A, output: str, n_classes: int):
    """Class labels from outputs A (N, n_out): -1/+1 for two classes, 0..k-1 for more."""
    if A.shape[1] == 1:
        return np.where(A[:, 0] >= (0.5 if output == "sigmoid" else 0.0), 1.0, -1.0)
    k = A.argmax(axis=1)
    return np.where(k == 1, 1.0, -1.0) if n_classes == 2 else k


# --- the trainer ------------------------------------------------------------------------------

class Trainer:
    """A network, its data split, an optimiser and a shuffle Generator; step_epoch() trains one epoch.

    history holds one row per recorded epoch (epoch 0 is the untrained network): epoch, train_loss,
    test_loss and, for classification, train_accuracy and test_accuracy. Losses exclude the penalty.
    """

    def __init__(self, net, data, *, features=None, loss="mse", optimizer="sgd", lr=0.03, batch_size=10,
                 reg="none", reg_rate=0.0, seed=0):
        engine.check_loss(net.output, loss)
        if reg not in REGULARIZATIONS:
            raise ValueError(f"unknown regularization {reg!r}; choose one of {', '.join(REGULARIZATIONS)}")
        if not (isinstance(reg_rate, (int, float)) and math.isfinite(reg_rate) and reg_rate >= 0):
            raise ValueError(f"regularization rate {reg_rate!r} must be a number >= 0")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch size {batch_size!r} must be a whole number >= 1")
        self.net, self.data, self.loss, self.seed = net, data, loss, seed
        self.reg, self.reg_rate, self.batch_size = reg, float(reg_rate), int(batch_size)
        self.optimizer = make_optimizer(optimizer, lr) if isinstance(optimizer, str) else optimizer
        self.features = features
        self.X_train, self.X_test = self.inputs(data.X_train), self.inputs(data.X_test)
        self.Y_train = datasets.make_targets(data, data.y_train, net.output)
        self.Y_test = datasets.make_targets(data, data.y_test, net.output)
        if self.X_train.shape[1] != net.sizes[0] or self.Y_train.shape[1] != net.sizes[-1]:
            raise ValueError(f"the network is {'-'.join(map(str, net.sizes))} but the data need "
                             f"{self.X_train.shape[1]} inputs and {self.Y_train.shape[1]} outputs")
        self._W0 = [W.copy() for W in net.W]
        self._b0 = [b.copy() for b in net.b]
        self.rewind()

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = make_optimizer("sgd", value).lr    # same check as at construction

    @property
    def classification(self) -> bool:
        return self.data.kind == "classification"

    def inputs(self, X):
        """Raw points (or pixels) -> the network's input columns."""
        return np.asarray(X, dtype=float) if self.features is None else datasets.make_features(X, self.features)

    def rewind(self):
        """Back to the initial weights, a fresh optimiser and shuffle stream, epoch 0."""
        for W, b, W0, b0 in zip(self.net.W, self.net.b, self._W0, self._b0):
            W[...] = W0
            b[...] = b0
        self.optimizer.reset()
        self.rng = seed_streams(self.seed)[1]
        self.epoch, self.diverged = 0, False
        self.history = {k: [] for k in self._history_keys()}
        self.record()

    def _history_keys(self):
        keys = ["epoch", "train_loss", "test_loss"]
        return keys + ["train_accuracy", "test_accuracy"] if self.classification else keys

    def evaluate(self, X, Y, y_labels=None) -> dict:
        """Loss (and accuracy against y_labels) of the current network on prepared inputs X, targets Y."""
        with np.errstate(over="ignore", invalid="ignore"):
            trace = self.net.forward(X)
            out = {"loss": engine.loss_from_trace(self.net, trace, Y, self.loss)}
        if y_labels is not None:
            pred = predict_labels(trace.output, self.net.output, self.data.n_classes)
            out["accuracy"] = float(np.mean(pred == y_labels))
        return out

    def record(self):
        """Append the current epoch's train/test loss (and accuracy) to history."""
        cls = self.classification
        tr = self.evaluate(self.X_train, self.Y_train, self.data.y_train if cls else None)
        te = self.evaluate(self.X_test, self.Y_test, self.data.y_test if cls else None)
        row = {"epoch": self.epoch, "train_loss": tr["loss"], "test_loss": te["loss"]}
        if cls:
            row.update(train_accuracy=tr["accuracy"], test_accuracy=te["accuracy"])
        for k, v in row.items():
            self.history[k].append(v)
        self.diverged = not (math.isfinite(tr["loss"]) and math.isfinite(te["loss"]))
        return row

    def gradients(self, X, Y):
        """(dW, db) of the batch-mean loss plus the penalty's gradient, for prepared inputs and targets."""
        dW, db = engine.backward(self.net, self.net.forward(X), Y, self.loss)
        return regularize(self.net, dW, self.reg, self.reg_rate), db

    def step_epoch(self, record=True):
        """One pass over the training set in shuffled mini-batches (the last one may be smaller)."""
        order = self.rng.permutation(len(self.Y_train))
        X, Y, bs = self.X_train[order], self.Y_train[order], self.batch_size
        with np.errstate(over="ignore", invalid="ignore"):
            for s in range(0, len(order), bs):
                dW, db = self.gradients(X[s:s + bs], Y[s:s + bs])
                self.optimizer.step(self.net, dW, db)
        self.epoch += 1
        return self.record() if record else None

    def run(self, epochs: int, record_every: int = 1):
        """Train for `epochs` epochs (stopping early if the loss becomes NaN or infinite)."""
        for i in range(epochs):
            last = i == epochs - 1 or (i + 1) % record_every == 0
            self.step_epoch(record=last)
            if last and self.diverged:
                break
        return self.history


def build_trainer(problem="circle", hidden=(4, 2), *, activation="tanh", output=None, loss=None,
                  optimizer="sgd", lr=0.03, batch_size=10, reg="none", reg_rate=0.0, noise=0.0,
                  train_pct=50.0, n_samples=500, features=None, seed=0, init=None, sizes=None):
    """Data, network and Trainer from Playground-style settings (defaults are the Playground's).

    `sizes` (full, input to output) overrides `hidden`. output defaults to tanh for classification
    (as the Playground, with MSE on -1/+1 labels), linear for regression, softmax for digits; loss to
    bce for sigmoid, cce for softmax, mse otherwise.
    """
    data = datasets.make_dataset(problem, n_samples, noise, train_pct, seed=seed)
    if output is None:
        output = "softmax" if problem == "digits" else ("tanh" if data.kind == "classification" else "linear")
    if loss is None:
        loss = {"sigmoid": "bce", "softmax": "cce"}.get(output, "mse")
    if problem != "digits":
        features = datasets.parse_features(features or (("x1", "x2") if data.n_inputs == 2 else ("x1",)))
    elif features is not None:
        raise ValueError("the digits problem takes its 64 pixels as inputs; leave the features out")
    n_in = data.n_inputs if features is None else len(features)
    n_out = datasets.output_size(data, output)
    if sizes is None:
        sizes = (n_in, *hidden, n_out)
    elif (sizes[0], sizes[-1]) != (n_in, n_out):
        raise ValueError(f"sizes must start with {n_in} inputs and end with {n_out} outputs for {problem}")
    init = init or ("playground" if problem != "digits" else ("he" if activation in ("relu", "gelu")
                                                              else "xavier"))
    net = init_network(sizes, activation, output, init, rng=seed_streams(seed)[0])
    engine.check_loss(output, loss)
    return Trainer(net, data, features=features, loss=loss, optimizer=optimizer, lr=lr,
                   batch_size=batch_size, reg=reg, reg_rate=reg_rate, seed=seed)
