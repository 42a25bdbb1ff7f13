"""What depth adds, counted and trained: tent-map networks, piece counts, depth vs width, vanishing gradients.

Pure NumPy on top of the engine (network, training, datasets); must not import Panel, Bokeh or param.
Every number here is read from the engine's own outputs: piece counts come from Network.forward on a
grid, gradient norms from core.backward, accuracies from a Trainer's history.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import datasets, training
from .network import MAX_LAYERS, Network, backward

MAX_K = MAX_LAYERS - 1              # k tent layers need k + 1 weight layers; the engine allows 12
GRID_CELLS = 2 ** 14                # pieces are counted on [0, 1] cut into this many cells


# --- depth vs width, counted --------------------------------------------------------------------

def tent_network(k: int) -> Network:
    """1-2-...-2-1 ReLU network (k hidden layers of 2 units) computing the tent map composed k times.

    One layer: h1 = relu(t), h2 = relu(t - 1/2), and t' = 2 h1 - 4 h2 is the tent 2t (t < 1/2),
    2 - 2t (t >= 1/2) on [0, 1]; the next layer reads t' from h1, h2 through its weights.
    """
    k = _check_k(k, MAX_K)
    W = [np.array([[1.0], [1.0]])] + [np.array([[2.0, -4.0], [2.0, -4.0]])] * (k - 1) + [np.array([[2.0, -4.0]])]
    b = [np.array([0.0, -0.5])] * k + [np.zeros(1)]
    return Network((1,) + (2,) * k + (1,), W, b, "relu", "linear", meta={"construction": "tent", "k": k})


def hinges(n: int) -> np.ndarray:
    """n hinge positions spread evenly inside (0, 1): i / (n + 1)."""
    return np.arange(1, n + 1) / (n + 1)


def shallow_network(width: int, target=None, xs=None) -> Network:
    """1-width-1 ReLU network with hinges at i/(width+1); output weights fitted by least squares to a target.

    target: a 1-input Network, a function of xs or the values at xs (xs defaults to the counting grid).
    Without a target the output weights alternate +1/-1 (a zigzag). Either way it has at most
    width + 1 linear pieces on [0, 1]: one more than its hinges.
    """
    width = _check_k(width, 4096)
    c = hinges(width)
    W1, b1 = np.ones((width, 1)), -c
    if target is None:
        v, v0 = np.where(np.arange(width) % 2 == 0, 1.0, -1.0) * (np.arange(width) + 1.0), 0.0
    else:
        xs = np.linspace(0.0, 1.0, GRID_CELLS + 1) if xs is None else np.asarray(xs, dtype=float)
        if isinstance(target, Network):
            y = outputs(target, xs)[1]
        else:
            y = np.asarray(target(xs) if callable(target) else target, dtype=float).reshape(-1)
        H = np.column_stack([np.maximum(xs[:, None] - c[None, :], 0.0), np.ones(len(xs))])
        coef = np.linalg.lstsq(H, y, rcond=None)[0]
        v, v0 = coef[:-1], coef[-1]
    return Network((1, width, 1), [W1, v[None, :]], [b1, np.array([v0])], "relu", "linear",
                   meta={"construction": "shallow", "width": width})


def grid(cells: int = GRID_CELLS) -> np.ndarray:
    return np.linspace(0.0, 1.0, cells + 1)


def outputs(net: Network, xs=None) -> tuple:
    """(xs, ys): the network's output on a grid over [0, 1], from Network.forward."""
    xs = grid() if xs is None else np.asarray(xs, dtype=float)
    return xs, net.forward(xs[:, None]).output[:, 0]


def count_pieces(xs, ys, rtol: float = 1e-7) -> int:
    """Linear pieces of a piecewise-linear function sampled at xs (sorted), counted from slope changes.

    Slopes of neighbouring cells are equal (to rtol of the largest slope) inside a piece. A kink that
    falls strictly inside a cell gives that one cell an in-between slope; such one-cell runs are not
    pieces (the grid must be fine enough that every real piece spans at least two cells).
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if len(xs) < 3:
        return 1
    s = np.diff(ys) / np.diff(xs)
    tol = rtol * max(1.0, float(np.max(np.abs(s))))
    starts = np.flatnonzero(np.abs(np.diff(s)) > tol) + 1
    bounds = np.concatenate([[0], starts, [len(s)]])
    runs = [(float(s[a]), e - a) for a, e in itertools.pairwise(bounds)]
    kept = [slope for slope, n in runs if n >= 2] or [runs[0][0]]
    pieces = 1
    for prev, cur in itertools.pairwise(kept):
        if abs(cur - prev) > tol:
            pieces += 1
    return pieces


def pieces_table(depth: int = 6) -> list:
    """For k = 1..depth: both networks' piece counts (counted from outputs) and parameter counts."""
    rows = []
    for k in range(1, _check_k(depth, MAX_K) + 1):
        deep = tent_network(k)
        xs, yd = outputs(deep)
        shallow = shallow_network(2 * k, deep, xs)
        _, ys = outputs(shallow, xs)
        rows.append({"k": k, "units": 2 * k,
                     "deep_pieces": count_pieces(xs, yd), "shallow_pieces": count_pieces(xs, ys),
                     "deep_params": deep.count_params()["total"], "shallow_params": shallow.count_params()["total"],
                     "deep_sizes": list(deep.sizes), "shallow_sizes": list(shallow.sizes)})
    return rows


def _check_k(k, hi):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= hi:
        raise ValueError(f"{k!r} must be a whole number from 1 to {hi}")
    return int(k)


# --- depth vs width, trained ----------------------------------------------------------------------

def params_of(sizes) -> int:
    from .network import count_params
    return count_params(sizes)["total"]


def matching_wide(deep_sizes) -> tuple:
    """The one-hidden-layer network with the same inputs and outputs and the nearest parameter count."""
    n_in, n_out, budget = deep_sizes[0], deep_sizes[-1], params_of(deep_sizes)
    width = max(1, round((budget - n_out) / (n_in + n_out + 1)))
    return (n_in, width, n_out)


def depth_vs_width(problem="circle", deep_hidden=(6, 6, 6), *, activation="tanh", optimizer="adam",
                   lr=0.01, epochs=60, batch_size=10, n_samples=300, noise=0.0, seed=0,
                   features=None) -> dict:
    """Train one wide layer and a few narrow ones with the same parameter budget, data, optimiser, epochs.

    Returns {"wide": run, "deep": run}; a run holds sizes, params, history (Trainer.history) and
    the final train and test loss and accuracy.
    """
    _, _, feats, n_in, n_out = training.resolve(problem, None, None, features)
    deep = (n_in, *deep_hidden, n_out)
    wide = matching_wide(deep)
    out = {}
    for name, sizes in (("wide", wide), ("deep", deep)):
        tr = training.build_trainer(problem, sizes=sizes, activation=activation, optimizer=optimizer, lr=lr,
                                    batch_size=batch_size, n_samples=n_samples, noise=noise, seed=seed,
                                    features=feats)
        hist = tr.run(epochs)
        out[name] = {"sizes": sizes, "params": params_of(sizes), "history": hist, "net": tr.net,
                     **{key: v[-1] for key, v in hist.items() if key != "epoch"}}
    return out


# --- more layers are not always better: vanishing gradients -----------------------------------------

def gradient_norms(net: Network, X, Y, loss: str) -> list:
    """Frobenius norm of dL/dW for every weight layer (first to last), from core.backward."""
    dW, _ = backward(net, net.forward(X), Y, loss)
    return [float(np.linalg.norm(g)) for g in dW]


DEEP_SIGMOID = {                          # the three networks of the pitfall, one problem
    "shallow": {"hidden": (8,), "activation": "sigmoid", "init": "playground",
                "label": "2 layers, sigmoid"},
    "naive": {"hidden": (8,) * 9, "activation": "sigmoid", "init": "playground",
              "label": "10 layers, sigmoid, naive init"},
    "xavier": {"hidden": (8,) * 9, "activation": "sigmoid", "init": "xavier",
               "label": "10 layers, sigmoid, Xavier init"},
}


def deep_sigmoid_runs(problem="circle", *, epochs=30, lr=1.0, optimizer="sgd", batch_size=10,
                      n_samples=200, seed=0, configs=None) -> dict:
    """Train each network of DEEP_SIGMOID (sigmoid output, cross-entropy) the same way.

    Each run holds history, the per-layer gradient norms on the training set before training
    (`grad0`) and after (`grad`), the final losses and accuracies.
    """
    out = {}
    for key, cfg in (configs or DEEP_SIGMOID).items():
        tr = training.build_trainer(problem, cfg["hidden"], activation=cfg["activation"], output="sigmoid",
                                    init=cfg["init"], optimizer=optimizer, lr=lr, batch_size=batch_size,
                                    n_samples=n_samples, seed=seed)
        grad0 = gradient_norms(tr.net, tr.X_train, tr.Y_train, tr.loss)
        hist = tr.run(epochs)
        out[key] = {"label": cfg["label"], "sizes": tr.net.sizes, "history": hist, "grad0": grad0,
                    "grad": gradient_norms(tr.net, tr.X_train, tr.Y_train, tr.loss),
                    **{k: v[-1] for k, v in hist.items() if k != "epoch"}}
    return out


# --- same architecture, different tasks ---------------------------------------------------------------

TASKS = ("circle", "xor", "spiral")
TASK_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
TASK_HIDDEN = (8, 8)


def same_architecture(tasks=TASKS, *, hidden=TASK_HIDDEN, activation="tanh", features=TASK_FEATURES,
                      optimizer="adam", lr=0.03, epochs=50, batch_size=10, n_samples=250, seed=0,
                      image=40) -> dict:
    """One architecture trained on each task with the same settings; only the weights differ.

    Each run: sizes, history, final accuracies, and `image`: the output over an image x image grid
    of the input plane (rows are x2 from bottom to top).
    """
    lo, hi = datasets.DOMAIN_2D
    g = np.linspace(lo, hi, image)
    G1, G2 = np.meshgrid(g, g)
    P = np.column_stack([G1.ravel(), G2.ravel()])
    out = {}
    for task in tasks:
        tr = training.build_trainer(task, hidden, activation=activation, features=features, optimizer=optimizer,
                                    lr=lr, batch_size=batch_size, n_samples=n_samples, seed=seed)
        hist = tr.run(epochs)
        out[task] = {"sizes": tr.net.sizes, "history": hist, "net": tr.net,
                     "image": tr.net.forward(tr.inputs(P)).output[:, 0].reshape(image, image),
                     "n_params": tr.net.count_params()["total"],
                     **{k: v[-1] for k, v in hist.items() if k != "epoch"}}
    return out


def layer_maps(net: Network, features=None, layers=(1, 2), image=24) -> dict:
    """{layer: (units, image, image) activations} over the input plane [-6, 6]^2 (rows: x2 upwards)."""
    lo, hi = datasets.DOMAIN_2D
    g = np.linspace(lo, hi, image)
    G1, G2 = np.meshgrid(g, g)
    P = np.column_stack([G1.ravel(), G2.ravel()])
    X = P if features is None else datasets.make_features(P, features)
    tr = net.forward(X)
    return {l: tr.a[l].T.reshape(-1, image, image) for l in layers if 1 <= l < net.L}


def digit_strokes(hidden: int = 16, epochs: int = 15, seed: int = 0):
    """A 64-hidden-10 digit reader trained briefly; each first-layer unit's 64 incoming weights as an
    8x8 image (row 0 at the top), and the test accuracy it reached."""
    t = training.build_trainer("digits", (hidden,), activation="tanh", lr=0.1, batch_size=32, seed=seed)
    t.run(epochs, record_every=epochs)
    return t.net.W[0].reshape(hidden, 8, 8).copy(), t.history["test_accuracy"][-1], t.net
