"""Optimisers (SGD, momentum, Adam) that apply gradients in place, and L1/L2 regularisation.

Pure NumPy; must not import Panel, Bokeh or param.
"""
from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")


# --- optimisers: state lives on the object; step() updates W and b in place -----------------
# update(params, grads) works on any list of arrays: the Trainer passes its one flat parameter
# vector, step(net, dW, db) the network's own lists. The state is (re)made for the first layout seen.

class SGD:
    """Plain gradient descent: W <- W - lr dW."""

    def __init__(self, lr=0.03):
        self.lr = lr
        self.reset()

    def reset(self):
        """Forget the running state (the next update starts afresh)."""
        self.state, self.t = None, 0

    def step(self, net, dW, db):
        self.update(net.W + net.b, list(dW) + list(db))

    def _state(self, grads, k):
        shapes = [g.shape for g in grads]
        if self.state is None or self.state[0] != shapes:
            self.state, self.t = (shapes, [[np.zeros_like(g) for g in grads] for _ in range(k)]), 0
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

    def update(self, params, grads):
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
