"""One hidden layer fitted to a 1-D target: fixed random tanh units, output weights by least squares.

Pure NumPy (no Panel, no Bokeh). The hidden weights are never trained: only the output layer is
solved for, which is enough to show that more units can fit a function more closely.
"""
from __future__ import annotations

import numpy as np

DOMAIN = (-3.0, 3.0)
MAX_WIDTH = 50
TARGETS = {
    "sine": ("sin(2x)", lambda x: np.sin(2 * x)),
    "step": ("step: 0 for x < 0, 1 for x ≥ 0", lambda x: (x >= 0).astype(float)),
    "|x|": ("|x|", np.abs),
}


def hidden_units(n: int = MAX_WIDTH, seed: int = 0, rng=None):
    """Weights w and biases b of n tanh units whose steps are spread over the domain.

    Centres come from a seeded shuffle of n equal strips of the domain (jittered inside the middle
    half of each strip), so the first k units are already spread out for every k and no two
    centres nearly coincide; near-duplicate units would make least squares ill-conditioned.
    """
    rng = np.random.default_rng(seed) if rng is None else rng
    lo, hi = DOMAIN
    strip = rng.permutation(n)
    centre = lo + (hi - lo) * (strip + rng.uniform(0.25, 0.75, n)) / n
    w = rng.uniform(3.0, 8.0, n) * rng.choice([-1.0, 1.0], n)
    return w, -w * centre


def features(x, w, b) -> np.ndarray:
    """h_j(x) = tanh(w_j x + b_j), one column per unit."""
    return np.tanh(np.outer(np.asarray(x, dtype=float), w) + b)


def fit(H, y, width: int):
    """Output weights v (width,) and bias v0 minimising the squared error of H[:, :width] v + v0."""
    A = np.column_stack([H[:, :width], np.ones(len(y))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef[:-1], float(coef[-1])


def rmse(pred, y) -> float:
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(y)) ** 2)))


class Approximator:
    """Target samples, the fixed hidden units and the fitted output layer for any width."""

    def __init__(self, target: str = "sine", points: int = 301, seed: int = 0):
        self.x = np.linspace(*DOMAIN, points)
        self.w, self.b = hidden_units(seed=seed)
        self.H = features(self.x, self.w, self.b)
        self.set_target(target)

    def set_target(self, target: str):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
        self.target = target
        self.y = TARGETS[target][1](self.x)
        self._errors = None

    def solve(self, width: int):
        """(contributions (width, points), sum, rmse) of the best output layer with `width` units."""
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"width must be between 1 and {MAX_WIDTH}")
        v, v0 = fit(self.H, self.y, width)
        contrib = (self.H[:, :width] * v).T
        total = contrib.sum(axis=0) + v0
        return contrib, total, rmse(total, self.y)

    def errors(self) -> np.ndarray:
        """RMSE for every width 1..MAX_WIDTH (cached per target)."""
        if self._errors is None:
            self._errors = np.array([self.solve(k)[2] for k in range(1, MAX_WIDTH + 1)])
        return self._errors
