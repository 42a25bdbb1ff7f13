"""The Playground's problem policy: which network and loss a problem gets, and how a run is set up.

resolve() fills in the Playground's defaults, network_for() and init_network() make the network,
fits() says why a network cannot train on a problem, build_trainer() makes data, network and Trainer
from Playground-style settings, unstable() spots a loss about to diverge. Pure NumPy; must not
import Panel, Bokeh or param.
"""
from __future__ import annotations

import math

import numpy as np

from .. import core
from . import datasets
from .trainer import Trainer, seed_streams

INITS = ("playground", "xavier", "he")
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
