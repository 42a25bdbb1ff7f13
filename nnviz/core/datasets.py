"""Data to train on: TensorFlow Playground's 2-D problems, 1-D curves, handwritten digits; input features.

Pure NumPy (scikit-learn only to read its bundled digits file). Must not import Panel, Bokeh or param.
Every generator takes an explicit np.random.Generator. Classification labels are -1/+1 as in the
Playground (`labels01` gives 0/1 for a sigmoid with binary cross-entropy); digits are classes 0..9.
The 2-D points live in [-6, 6]^2 and are fed to the network unscaled, as the Playground does.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

CLASSIFY_2D = ("circle", "xor", "gauss", "spiral", "moons")
REGRESS_2D = ("plane", "reg-gauss")
REGRESS_1D = ("sine", "step", "abs")
PROBLEMS = CLASSIFY_2D + REGRESS_2D + REGRESS_1D + ("digits",)
# How many points TensorFlow Playground draws: 500 for classification, 1,200 for regression.
POINTS_CLASSIFY, POINTS_REGRESS = 500, 1200


def playground_points(problem: str) -> int:
    """The number of points TensorFlow Playground generates for this problem."""
    return POINTS_REGRESS if problem in REGRESS_2D + REGRESS_1D else POINTS_CLASSIFY
DOMAIN_2D = (-6.0, 6.0)
NOISE_RANGE = (0.0, 50.0)       # percent, as the Playground's slider
TRAIN_PCT_RANGE = (10.0, 90.0)  # percent of the points used for training
SAMPLES_RANGE = (10, 100_000)


# --- 2-D classification: n points -> (X (n, 2), y (n,) of -1/+1); noise is a fraction 0..0.5 ---------

def _polar(rng, n, r_lo, r_hi):
    r = rng.uniform(r_lo, r_hi, n)
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def circle(n, noise, rng):
    """Inner disc (+1, r < 2.5) inside a ring (-1, 3.5 < r < 5); the label is read at a jittered point."""
    radius = 5.0
    X = np.vstack([_polar(rng, n - n // 2, 0.0, 0.5 * radius), _polar(rng, n // 2, 0.7 * radius, radius)])
    # Like the Playground, noise moves the point where the label is read, not the point drawn.
    jitter = rng.uniform(-radius, radius, X.shape) * noise
    y = np.where(np.hypot(*(X + jitter).T) < 0.5 * radius, 1.0, -1.0)
    return X, y


def xor(n, noise, rng):
    """Quadrants: +1 where x1*x2 >= 0; points kept 0.3 away from the axes, labels read at a jitter."""
    X = rng.uniform(-5.0, 5.0, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    J = X + rng.uniform(-5.0, 5.0, (n, 2)) * noise
    return X, np.where(J[:, 0] * J[:, 1] >= 0, 1.0, -1.0)


def gauss(n, noise, rng):
    """Two Gaussian blobs at (2, 2) (+1) and (-2, -2) (-1); variance grows from 0.5 to 4 with noise."""
    var = 0.5 + 3.5 * noise / 0.5
    k = n - n // 2
    X = np.vstack([rng.normal(2.0, math.sqrt(var), (k, 2)), rng.normal(-2.0, math.sqrt(var), (n // 2, 2))])
    return X, np.concatenate([np.ones(k), -np.ones(n // 2)])


def spiral(n, noise, rng):
    """Two interleaved arms r = 5 i/m, angle 3.5 pi i/m (+ pi for the -1 arm), uniform jitter +-noise."""
    parts, labels = [], []
    for m, shift, label in ((n - n // 2, 0.0, 1.0), (n // 2, math.pi, -1.0)):
        frac = np.arange(m) / m
        r, t = 5.0 * frac, 1.75 * 2.0 * math.pi * frac + shift
        P = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1.0, 1.0, (m, 2)) * noise
        parts.append(P)
        labels.append(np.full(m, label))
    return np.vstack(parts), np.concatenate(labels)


def moons(n, noise, rng):
    """Two interleaved half circles (not in the Playground), scaled by 3 and centred; Gaussian jitter."""
    k = n - n // 2
    t1, t2 = rng.uniform(0.0, math.pi, k), rng.uniform(0.0, math.pi, n // 2)
    X = np.vstack([np.column_stack([np.cos(t1), np.sin(t1)]),
                   np.column_stack([1.0 - np.cos(t2), 0.5 - np.sin(t2)])])
    X = 3.0 * (X - [0.5, 0.25]) + rng.normal(0.0, 1.5 * noise, X.shape)
    return X, np.concatenate([np.ones(k), -np.ones(n // 2)])


# --- 2-D regression: targets in [-1, 1], read at a jittered point like the Playground -------------

def _regress(n, noise, rng, label):
    X = rng.uniform(-6.0, 6.0, (n, 2))
    J = X + rng.uniform(-6.0, 6.0, (n, 2)) * noise
    return X, label(J[:, 0], J[:, 1])


def plane(n, noise, rng):
    """y = (x1 + x2) / 10."""
    return _regress(n, noise, rng, lambda x1, x2: (x1 + x2) / 10.0)


_BUMPS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def reg_gauss(n, noise, rng):
    """Six cones of height +-1 and radius 2; each point takes the one largest in magnitude."""
    def label(x1, x2):
        cones = np.array([s * np.clip(1.0 - np.hypot(x1 - cx, x2 - cy) / 2.0, 0.0, 1.0)
                          for cx, cy, s in _BUMPS])
        return np.take_along_axis(cones, np.abs(cones).argmax(axis=0)[None], axis=0)[0]
    return _regress(n, noise, rng, label)


# --- 1-D curves for the universal-approximation view: x in [-1, 1], targets in [-1, 1] ----------

CURVES = {
    "sine": lambda x: np.sin(math.pi * x),
    "step": lambda x: np.where(x >= 0.0, 1.0, -1.0),
    "abs": lambda x: 2.0 * np.abs(x) - 1.0,
}


def curve(name, n, noise, rng):
    """x uniform in [-1, 1] (shape (n, 1)); target plus Gaussian noise of std `noise`."""
    x = rng.uniform(-1.0, 1.0, n)
    return x[:, None], CURVES[name](x) + rng.normal(0.0, 1.0, n) * noise


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons,
              "plane": plane, "reg-gauss": reg_gauss}


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits     # ships with scikit-learn; nothing is downloaded
    d = load_digits()
    X, y = d.data / 16.0, d.target.astype(int)   # pixels 0..16 -> [0, 1]
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


# --- the split dataset --------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """Raw inputs and labels split into train and test; labels are -1/+1, real targets or classes 0..9."""
    name: str
    kind: str            # "classification" or "regression"
    n_classes: int       # 2, 10, or 0 for regression
    X_train: np.ndarray  # (n, 2) points, (n, 1) x values or (n, 64) pixels
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _check_range(label, value, lo, hi, unit=""):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must be a number, got {value!r}") from None
    if not (lo <= v <= hi):
        raise ValueError(f"{label} {value}{unit} is outside {lo:g}..{hi:g}{unit}")
    return v


def make_dataset(problem: str, n_samples: int | None = None, noise: float = 0.0, train_pct: float = 50.0,
                 seed: int = 0, rng: np.random.Generator | None = None) -> Dataset:
    """Generate a problem's points and split them; noise and train_pct are percentages (0..50, 10..90).
    n_samples None: the Playground's count (500, or 1,200 for regression)."""
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; choose one of {', '.join(PROBLEMS)}")
    if n_samples is None:
        n_samples = playground_points(problem)
    noise = _check_range("noise", noise, *NOISE_RANGE, unit=" %")
    train_pct = _check_range("train percentage", train_pct, *TRAIN_PCT_RANGE, unit=" %")
    count = math.nan if isinstance(n_samples, bool) else _check_range("sample count", n_samples,
                                                                        *SAMPLES_RANGE)
    if not count.is_integer():          # a bool is refused too (nan is never whole)
        raise ValueError(f"sample count {n_samples!r} is not a whole number")
    n_samples = int(count)
    rng = np.random.default_rng(seed) if rng is None else rng
    if problem == "digits":
        if noise:
            raise ValueError("the digits problem has no noise setting; use noise 0")
        X, y = _digits()
        X, y = X.copy(), y.copy()
    elif problem in REGRESS_1D:
        X, y = curve(problem, n_samples, noise / 100.0, rng)
    else:
        X, y = GENERATORS[problem](n_samples, noise / 100.0, rng)
    # As the Playground: shuffle once, the first train_pct % train and the rest test.
    order = rng.permutation(len(y))
    n_train = min(max(int(len(y) * train_pct / 100.0), 1), len(y) - 1)
    tr, te = order[:n_train], order[n_train:]
    kind = "regression" if problem in REGRESS_2D + REGRESS_1D else "classification"
    n_classes = 10 if problem == "digits" else (2 if kind == "classification" else 0)
    return Dataset(problem, kind, n_classes, X[tr], y[tr], X[te], y[te])


# --- targets for the output layer ---------------------------------------------------------------

def labels01(y):
    """-1/+1 labels as 0/1 (for a sigmoid output with binary cross-entropy)."""
    return (np.asarray(y) > 0).astype(float)


def output_size(data: Dataset, output: str) -> int:
    """Output units the problem needs: 1 for regression and for +-1 labels (2 with softmax), else classes."""
    if data.n_classes == 10:
        return 10
    return 2 if (data.n_classes == 2 and output == "softmax") else 1


def make_targets(data: Dataset, y, output: str) -> np.ndarray:
    """Targets Y (N, n_out) matching the output activation's range."""
    y = np.asarray(y, dtype=float)
    if data.kind == "regression":
        return y[:, None]
    if data.n_classes == 2 and output != "softmax":
        return labels01(y)[:, None] if output == "sigmoid" else y[:, None]
    cls = (y > 0).astype(int) if data.n_classes == 2 else y.astype(int)
    onehot = np.eye(data.n_classes)[cls]
    return 2.0 * onehot - 1.0 if output == "tanh" else onehot


# --- input features, as the Playground's input column ---------------------------------------------

FEATURES = {
    "x1": (0, lambda X: X[:, 0]), "x2": (1, lambda X: X[:, 1]),
    "x1^2": (0, lambda X: X[:, 0] ** 2), "x2^2": (1, lambda X: X[:, 1] ** 2),
    "x1*x2": (1, lambda X: X[:, 0] * X[:, 1]),
    "sin(x1)": (0, lambda X: np.sin(X[:, 0])), "sin(x2)": (1, lambda X: np.sin(X[:, 1])),
}
_ALIASES = {"x1²": "x1^2", "x2²": "x2^2", "x1x2": "x1*x2", "x1·x2": "x1*x2", "sinx1": "sin(x1)",
            "sinx2": "sin(x2)", "sin_x1": "sin(x1)", "sin_x2": "sin(x2)"}


def parse_features(names) -> tuple:
    """Canonical feature names from 'x1,x2,x1^2' or a sequence (x1², x1·x2, sin x1 also accepted)."""
    if isinstance(names, str):
        names = [p for p in names.split(",") if p.strip()]
    out = []
    for raw in names:
        key = str(raw).strip().lower().replace(" ", "")
        key = _ALIASES.get(key, key)
        if key not in FEATURES:
            raise ValueError(f"unknown feature {raw!r}; choose from {', '.join(FEATURES)}")
        if key in out:
            raise ValueError(f"feature {key} is listed twice")
        out.append(key)
    if not out:
        raise ValueError("choose at least one input feature, e.g. x1,x2")
    return tuple(out)


def make_features(X, names) -> np.ndarray:
    """The columns named (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)) computed from raw points X."""
    X = np.asarray(X, dtype=float)
    names = parse_features(names)
    for name in names:
        if FEATURES[name][0] >= X.shape[1]:
            raise ValueError(f"feature {name} needs x2, but these inputs have only x1")
    return np.column_stack([FEATURES[name][1](X) for name in names])
