"""The network itself: validation, forward trace, backward gradients, parameter counts, collapse.

Pure NumPy. This module must not import Panel, Bokeh or param, and never calls a UI back.
Notation follows the lesson: for weight layer l (1..L), W[l] has shape (n_out, n_in),
z[l] = W[l] a[l-1] + b[l] and a[l] = f(z[l]); a[0] is the input. Python lists are 0-based,
so the code's W[0] is the lesson's W1 (the trace keeps index 0 for the input instead).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, apply_output, output_backprop
from .losses import LOSSES, SHORTCUT_PAIRS, batch_count

# Limits that keep a typo (10**6 neurons) from freezing a server, yet fit 784-256-128-10.
MAX_WIDTH = 4096          # neurons in one layer
MAX_LAYERS = 12           # weight layers (hidden layers + output)
MAX_PARAMS = 5_000_000    # weights + biases in the whole network
MAX_INPUT = 1e6           # |input value|; beyond this, products overflow in deep networks

# --- validation --------------------------------------------------------------------------

def validate_sizes(sizes) -> tuple:
    """Return sizes as a tuple of ints, or raise ValueError saying what to change."""
    if isinstance(sizes, str):
        raise ValueError("sizes must be a list of layer widths such as [4, 3, 3, 10]")
    try:
        seq = list(sizes)
    except TypeError:
        raise ValueError("sizes must be a list of layer widths such as 4,3,3,10") from None
    if len(seq) < 2:
        raise ValueError("a network needs at least an input and an output layer (two sizes)")
    if len(seq) - 1 > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} weight layers ({MAX_LAYERS + 1} sizes); got {len(seq)} sizes")
    out = []
    for i, n in enumerate(seq):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer, float, np.floating)):
            raise ValueError(f"layer {i} size {n!r} is not a whole number")
        if isinstance(n, (float, np.floating)) and not (math.isfinite(n) and float(n).is_integer()):
            raise ValueError(f"layer {i} size {n!r} is not a whole number")
        n = int(n)
        if n < 1:
            raise ValueError(f"layer {i} has {n} neurons; every layer needs at least 1")
        if n > MAX_WIDTH:
            raise ValueError(f"layer {i} has {n:,} neurons; the limit is {MAX_WIDTH:,} per layer")
        out.append(n)
    total = count_params(out)["total"]
    if total > MAX_PARAMS:
        raise ValueError(f"{total:,} parameters is above the limit of {MAX_PARAMS:,}")
    return tuple(out)


def validate_input(x, n_in: int) -> np.ndarray:
    """Return x as floats of shape (n_in,) or (N, n_in), or raise ValueError."""
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("the input must be numbers") from None
    if arr.ndim not in (1, 2):
        raise ValueError(f"the input must be one vector or a batch of rows; got {arr.ndim} dimensions")
    if arr.shape[-1] != n_in:
        raise ValueError(f"the input has {arr.shape[-1]} values; this network's input layer has {n_in}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("the input contains NaN or infinity; every value must be a finite number")
    if np.any(np.abs(arr) > MAX_INPUT):
        raise ValueError(f"input values must lie within ±{MAX_INPUT:g} (larger ones overflow the arithmetic)")
    return arr


# --- counting ----------------------------------------------------------------------------

def count_params(sizes) -> dict:
    """Weights n_in*n_out and biases n_out per weight layer, and the total."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w, b = int(n_in) * int(n_out), int(n_out)
        layers.append({"n_in": int(n_in), "n_out": int(n_out), "weights": w, "biases": b, "total": w + b})
    return {"layers": layers, "total": sum(row["total"] for row in layers)}


# --- the network -------------------------------------------------------------------------

@dataclass
class Trace:
    """Everything a forward pass computed: z[l] and a[l] for l = 0..L (z[0] is None, a[0] the input)."""
    z: list
    a: list

    @property
    def output(self):
        return self.a[-1]


@dataclass
class Network:
    """A feed-forward network: sizes, W[l] (n_out, n_in), b[l] (n_out,), hidden and output activations."""
    sizes: tuple
    W: list
    b: list
    activations: tuple = ()
    output: str = "linear"
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.sizes = validate_sizes(self.sizes)
        L = len(self.sizes) - 1
        if isinstance(self.activations, str):
            self.activations = (self.activations,) * (L - 1)
        self.activations = tuple(self.activations)
        if len(self.activations) != L - 1:
            raise ValueError(f"need {L - 1} hidden activations, got {len(self.activations)}")
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
        if self.output not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"unknown output activation {self.output!r}; "
                             f"choose one of {', '.join(OUTPUT_ACTIVATIONS)}")
        self.W = [np.array(w, dtype=float) for w in self.W]
        self.b = [np.array(b, dtype=float).reshape(-1) for b in self.b]
        if len(self.W) != L or len(self.b) != L:
            raise ValueError(f"need {L} weight matrices and bias vectors")
        for l, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            if self.W[l].shape != (n_out, n_in):
                raise ValueError(f"W{l + 1} has shape {self.W[l].shape}; expected ({n_out}, {n_in})")
            if self.b[l].shape != (n_out,):
                raise ValueError(f"b{l + 1} has shape {self.b[l].shape}; expected ({n_out},)")
            if not (np.all(np.isfinite(self.W[l])) and np.all(np.isfinite(self.b[l]))):
                raise ValueError(f"W{l + 1} or b{l + 1} contains NaN or infinity")

    @classmethod
    def init(cls, sizes, activation="relu", output="softmax", seed=0, scheme=None, rng=None):
        """Random weights by a named scheme from an explicit Generator (same seed, same weights)."""
        sizes = validate_sizes(sizes)
        L = len(sizes) - 1
        acts = (activation,) * (L - 1) if isinstance(activation, str) else tuple(activation)
        if rng is None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"seed {seed!r} must be a whole number of 0 or more")
            rng = np.random.default_rng(seed)
        else:
            seed = None                     # the generator, not a seed, decided these weights
        first = acts[0] if acts else output
        scheme = scheme or (ACTIVATIONS[first].init if first in ACTIVATIONS else "xavier")
        W, b = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            if scheme == "he":
                std = math.sqrt(2.0 / n_in)
            elif scheme == "xavier":
                std = math.sqrt(2.0 / (n_in + n_out))
            else:
                raise ValueError(f"unknown initialisation scheme {scheme!r}; use 'he' or 'xavier'")
            W.append(rng.standard_normal((n_out, n_in)) * std)
            b.append(np.zeros(n_out))
        return cls(sizes, W, b, acts, output, meta={"seed": seed, "scheme": scheme})

    @property
    def L(self) -> int:
        return len(self.sizes) - 1

    def activation_of(self, l: int) -> str:
        """Name of the activation of weight layer l (1..L)."""
        if not 1 <= l <= self.L:
            raise ValueError(f"layer {l} has no activation; weight layers are 1..{self.L}")
        return self.output if l == self.L else self.activations[l - 1]

    def forward(self, x) -> Trace:
        """The whole trace for one input (n_in,) or a batch (N, n_in)."""
        a = validate_input(x, self.sizes[0])
        zs, acts = [None], [a]
        for l in range(1, self.L + 1):
            z = a @ self.W[l - 1].T + self.b[l - 1]
            a = apply_output(self.output, z) if l == self.L else ACTIVATIONS[self.activations[l - 1]].f(z)
            zs.append(z)
            acts.append(a)
        return Trace(zs, acts)

    def __call__(self, x):
        return self.forward(x).output

    def count_params(self) -> dict:
        return count_params(self.sizes)

    def copy(self) -> "Network":
        return Network(self.sizes, [w.copy() for w in self.W], [b.copy() for b in self.b],
                       self.activations, self.output, dict(self.meta))


def collapse(net: Network):
    """The single affine layer (W_eff, b_eff) equal to a network whose hidden activations are all linear.

    W_eff = W_L ... W_1 and b_eff = W_L(...(W_2 b_1 + b_2)...) + b_L; it maps the input to the
    output layer's z, so the output activation (if not linear) is applied after it.
    """
    bad = [name for name in net.activations if name != "linear"]
    if bad:
        raise ValueError(f"only a network with linear hidden activations collapses; this one uses {bad[0]}")
    W_eff, b_eff = net.W[0].copy(), net.b[0].copy()
    for W, b in zip(net.W[1:], net.b[1:]):
        W_eff, b_eff = W @ W_eff, W @ b_eff + b
    return W_eff, b_eff


def backward(net: Network, trace: Trace, y, loss: str):
    """Gradients (dW, db) of the batch-mean loss for every layer, returned and not applied.

    delta[l] = dL/dz[l]; dW[l] = delta[l]^T a[l-1] summed over the batch, db[l] = sum of delta[l],
    and delta[l-1] = (delta[l] W[l]) * f'(z[l-1]). Works for one input (n_in,) or a batch (N, n_in).
    """
    a, z = trace.a[-1], trace.z[-1]
    y = np.asarray(y, dtype=float).reshape(a.shape)
    if (net.output, loss) in SHORTCUT_PAIRS:
        delta = (a - y) / batch_count(a)
    else:
        delta = output_backprop(net.output, z, a, LOSSES[loss].df(a, y))
    single = a.ndim == 1
    delta = np.atleast_2d(delta)            # rows are examples from here on
    dW, db = [None] * net.L, [None] * net.L
    for l in range(net.L, 0, -1):           # lesson's layer l is list index l - 1
        a_prev = np.atleast_2d(trace.a[l - 1])
        dW[l - 1] = delta.T @ a_prev
        db[l - 1] = delta[0].copy() if single else delta.sum(axis=0)
        if l > 1:
            delta = (delta @ net.W[l - 1]) * ACTIVATIONS[net.activations[l - 2]].df(trace.z[l - 1])
    return dW, db

