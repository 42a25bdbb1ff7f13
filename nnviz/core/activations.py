"""Activation functions, each with its derivative and its range beside it. Pure NumPy.

One table, ACTIVATIONS, is the single home of what an activation computes: adding one means a
function, its derivative and a row here, plus its notation row in nnviz/encode/notation.py.
Nothing else lists activations by name. Must not import Panel, Bokeh or param.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_erfc = np.frompyfunc(math.erfc, 1, 1)     # the C library's erfc, element by element


def _erfc_pos(u: np.ndarray) -> np.ndarray:
    """erfc(u) to double precision (NumPy has no erf; SciPy is not a dependency of the engine)."""
    u = np.asarray(u, dtype=float)
    return _erfc(u).astype(float) if u.ndim else float(math.erfc(u))


def _phi(z):
    """Standard normal density."""
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _Phi(z):
    """Standard normal CDF; the lower tail is taken from erfc directly so tiny values stay exact."""
    z = np.asarray(z, dtype=float)
    tail = 0.5 * _erfc_pos(np.abs(z) / math.sqrt(2.0))
    return np.where(z < 0, tail, 1.0 - tail)


def sigmoid(z):
    """1 / (1 + e^-z), computed from e^-|z| so that +-1000 never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def d_sigmoid(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def d_tanh(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def d_relu(z):
    # The derivative at exactly 0 is taken as 0 (the usual convention).
    return (np.asarray(z, dtype=float) > 0).astype(float)


def gelu(z):
    """Exact GELU z * Phi(z), not the tanh approximation."""
    z = np.asarray(z, dtype=float)
    return z * _Phi(z)


def d_gelu(z):
    z = np.asarray(z, dtype=float)
    return _Phi(z) + z * _phi(z)


def leaky_relu(z):
    """z for z > 0, LEAK * z otherwise: ReLU whose negative side keeps a small slope."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, LEAK * z)


def d_leaky_relu(z):
    # At exactly 0 the left slope LEAK is taken, as ReLU takes its left slope 0 there.
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, LEAK)


def silu(z):
    """SiLU (swish) z * sigmoid(z), the gate of LLaMA-style feed-forward blocks."""
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def d_silu(z):
    # d/dz z s(z) = s + z s (1 - s)
    s = sigmoid(z)
    return s * (1.0 + np.asarray(z, dtype=float) * (1.0 - s))


def linear(z):
    return np.array(z, dtype=float)


def d_linear(z):
    return np.ones_like(np.asarray(z, dtype=float))


def softmax(z):
    """exp(z) / sum exp(z) along the last axis, shifted by the max so nothing overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """An activation: f, its derivative df, the range of its values and the initialisation it suits."""
    name: str
    f: object
    df: object
    range: tuple
    init: str = "xavier"        # "he" for the ReLU family (half the units are off), else Xavier


LEAK = 0.01                     # leaky ReLU's slope for z < 0
SILU_MIN = -0.2785              # min of z*sigmoid(z), at z = -1.2785 (rounded down)
GELU_MIN = -0.17                # min of z*Phi(z), at z = -0.7518: -0.16997 (rounded down)

ACTIVATIONS = {a.name: a for a in (
    Activation("sigmoid", sigmoid, d_sigmoid, (0.0, 1.0)),
    Activation("tanh", tanh, d_tanh, (-1.0, 1.0)),
    Activation("relu", relu, d_relu, (0.0, math.inf), "he"),
    Activation("leaky_relu", leaky_relu, d_leaky_relu, (-math.inf, math.inf), "he"),
    Activation("gelu", gelu, d_gelu, (GELU_MIN, math.inf), "he"),
    Activation("silu", silu, d_silu, (SILU_MIN, math.inf), "he"),
    Activation("linear", linear, d_linear, (-math.inf, math.inf)),
)}
HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid", "tanh", "linear")
OUTPUT_RANGES = {"softmax": (0.0, 1.0), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0),
                 "linear": (-math.inf, math.inf)}


def apply_output(name: str, z):
    """The output activation applied to z (softmax acts on the whole last axis)."""
    return softmax(z) if name == "softmax" else ACTIVATIONS[name].f(z)


def output_backprop(name: str, z, a, grad_a):
    """dL/dz of the output layer from dL/da: a Jacobian-vector product (softmax couples units)."""
    if name == "softmax":
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))
    return grad_a * ACTIVATIONS[name].df(z)

