"""Losses, each the batch mean of a per-example sum, with dL/da beside it. Pure NumPy.

Every loss is L = (1/N) sum_n sum_k l(a_nk, y_nk); a single vector counts as N = 1. Each
derivative returns dL/da for that batch mean, so the 1/N is already in it.
Must not import Panel, Bokeh or param.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_CLIP = 1e-12   # keeps log() finite when a probability reaches exactly 0 or 1


def batch_count(a) -> int:
    """N, the number of examples in a (one vector counts as 1); an empty batch has no mean loss."""
    n = a.shape[0] if a.ndim == 2 else 1
    if n == 0 or a.size == 0:
        raise ValueError("the batch is empty: a loss needs at least one example")
    return n


def mse(a, y):
    """Mean over the batch of 0.5 * sum_k (a_k - y_k)^2."""
    d = a - y
    return 0.5 * float(np.vdot(d, d)) / batch_count(a)


def d_mse(a, y):
    return (a - y) / batch_count(a)


def bce(a, y):
    """Binary cross-entropy -[y log a + (1-y) log(1-a)] for sigmoid outputs, y in {0, 1}."""
    a = np.clip(a, _CLIP, 1.0 - _CLIP)
    return -float(np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))) / batch_count(a)


def d_bce(a, y):
    a = np.clip(a, _CLIP, 1.0 - _CLIP)
    return (a - y) / (a * (1.0 - a)) / batch_count(a)


def cce(a, y):
    """Categorical cross-entropy -sum_k y_k log a_k for softmax outputs, y one-hot."""
    return -float(np.sum(y * np.log(np.clip(a, _CLIP, None)))) / batch_count(a)


def d_cce(a, y):
    return -y / np.clip(a, _CLIP, None) / batch_count(a)


@dataclass(frozen=True)
class Loss:
    """A loss L(a, y), its derivative dL/da, and the formula."""
    name: str
    f: object
    df: object
    latex: str


LOSSES = {
    "mse": Loss("mse", mse, d_mse, r"L=\frac{1}{N}\sum_n \tfrac12\lVert a_n-y_n\rVert^2"),
    "bce": Loss("bce", bce, d_bce, r"L=-\frac{1}{N}\sum_n y_n\log a_n+(1-y_n)\log(1-a_n)"),
    "cce": Loss("cce", cce, d_cce, r"L=-\frac{1}{N}\sum_n\sum_k y_{nk}\log a_{nk}"),
}
# Output/loss pairs whose dL/dz collapses to (a - y)/N: the 1/(a(1-a)) or 1/a of the loss cancels
# the activation's slope exactly, so the shortcut is both cheaper and stable when a saturates.
SHORTCUT_PAIRS = {("sigmoid", "bce"), ("softmax", "cce")}


def check_loss(output: str, loss: str) -> None:
    """Raise ValueError unless the loss makes sense for the output activation."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if loss == "bce" and output != "sigmoid":
        raise ValueError(f"binary cross-entropy needs a sigmoid output, not {output}")
    if loss == "cce" and output != "softmax":
        raise ValueError(f"categorical cross-entropy needs a softmax output, not {output}")


def _log_sigmoid(z):
    """log sigma(z) = -log(1 + e^-z), without overflow for large |z|."""
    return -np.logaddexp(0.0, -z)


def loss_from_trace(net, trace, y, loss: str) -> float:
    """The batch-mean loss of a forward trace; cross-entropies are taken from z so they stay exact."""
    a, z = trace.a[-1], trace.z[-1]
    n = batch_count(a)
    y = np.asarray(y, dtype=float).reshape(a.shape)
    if (net.output, loss) == ("sigmoid", "bce"):
        # log a = log sigma(z), log(1 - a) = log sigma(-z)
        return -float(np.sum(y * _log_sigmoid(z) + (1.0 - y) * _log_sigmoid(-z))) / n
    if (net.output, loss) == ("softmax", "cce"):
        zmax = z.max(axis=-1, keepdims=True)
        log_a = z - zmax - np.log(np.sum(np.exp(z - zmax), axis=-1, keepdims=True))
        return -float(np.sum(y * log_a)) / n
    return LOSSES[loss].f(a, y)


def loss_value(net, x, y, loss: str) -> float:
    """The batch-mean loss of the network on inputs x and targets y."""
    return loss_from_trace(net, net.forward(x), y, loss)

