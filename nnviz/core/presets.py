"""The lesson's worked examples as named presets (network + input). Imports the engine only.

Every number here was recomputed by the engine before it is shown; see tests/test_presets.py.
The lesson's printed z1 = [0.30, 0.60, 0.03] for the digits example is not what its own W1, b1
and input give: the true values are z1 = [0.12, 0.75, -0.41] and h1 = [0.12, 0.75, 0].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

# The lesson draws W3 from an unseeded generator; nnviz fixes it so every screen agrees.
DIGITS_W3_SEED = 0


@dataclass(frozen=True)
class Preset:
    """A named network with a starting input."""
    name: str
    title: str
    build: object          # () -> Network
    x: tuple

    def network(self) -> Network:
        return self.build()


def _neuron() -> Network:
    # Exam example: hours studied and hours slept -> probability of passing.
    return Network((2, 1), [[[0.7, 0.3]]], [[-4.0]], (), "sigmoid")


def _digits() -> Network:
    W1 = [[0.5, -0.3, 0.7, 0.1],
          [-0.2, 0.8, -0.1, 0.4],
          [0.3, -0.5, 0.6, -0.2]]
    b1 = [0.1, -0.2, 0.05]
    W2 = [[0.4, -0.6, 0.2],
          [0.1, 0.5, -0.3],
          [-0.7, 0.3, 0.8]]
    b2 = [0.0, 0.1, -0.1]
    W3 = np.random.default_rng(DIGITS_W3_SEED).standard_normal((10, 3)) * 0.5
    b3 = np.zeros(10)
    return Network((4, 3, 3, 10), [W1, W2, W3], [b1, b2, b3], ("relu", "relu"), "softmax",
                   meta={"seed": DIGITS_W3_SEED})


def _mnist() -> Network:
    return Network.init((784, 256, 128, 10), "relu", "softmax", seed=0)


def _mnist_input():
    # A stand-in "image": 784 pixel intensities in [0, 1) from a fixed seed.
    return tuple(np.round(np.random.default_rng(1).random(784), 3).tolist())


def _starter() -> Network:
    net = Network.init((3, 4, 3, 2), "tanh", "softmax", seed=1)
    # Small non-zero biases (seeded) so that every neuron's threshold shows on first load.
    rng = np.random.default_rng(101)
    net.b = [np.round(rng.normal(0.0, 0.2, n), 2) for n in net.sizes[1:]]
    return net


PRESETS = {
    "starter": Preset("starter", "Starter 3-4-3-2",
                      _starter, (0.5, -0.3, 0.8)),
    "neuron": Preset("neuron", "Single neuron: will the student pass?",
                     _neuron, (6.0, 8.0)),
    "digits": Preset("digits", "The lesson's 4-3-3-10 digit classifier",
                     _digits, (0.2, 0.8, 0.1, 0.9)),
    "mnist-mlp": Preset("mnist-mlp", "MNIST-sized 784-256-128-10",
                        _mnist, None),
}


def preset_input(name: str) -> tuple:
    p = PRESETS[name]
    return _mnist_input() if p.x is None else p.x


def load(name: str):
    """(network, input) of a preset; ValueError naming the choices for an unknown name."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name].network(), preset_input(name)
