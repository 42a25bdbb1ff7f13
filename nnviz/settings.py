"""One session's network settings as a param object, and their URL form. No Panel, no Bokeh.

The state owns the network and its current trace. Views watch `trace` and read the counters
`structure` (sizes, activations or weights replaced: redraw everything) and `weights`
(weights edited in place: restyle edges) to pick the cheapest update.
Every setter validates first and, on bad input, leaves the last good state and sets `message`.
"""
from __future__ import annotations

import math

import numpy as np
import param

from . import engine, presets

MAX_SEED = 2**31 - 1
MAX_URL_INPUTS = 64          # wider inputs are left out of the URL (the preset or seed rebuilds them)
INPUT_BOUND = 10.0           # input sliders and typed inputs live in [-10, 10]


class NetworkState(param.Parameterized):
    """The settings a student changes, the network they produce and its forward trace."""

    preset = param.Selector(default="starter", objects=[*presets.PRESETS, "custom"],
                            doc="Which lesson example the network came from ('custom' once changed).")
    sizes = param.List(default=[3, 4, 3, 2], item_type=int, doc="Neurons per layer, input first.")
    activation = param.Selector(default="tanh", objects=list(engine.HIDDEN_ACTIVATIONS),
                                doc="Activation of every hidden layer.")
    output = param.Selector(default="softmax", objects=list(engine.OUTPUT_ACTIVATIONS),
                            doc="Activation of the output layer.")
    seed = param.Integer(default=1, bounds=(0, MAX_SEED), doc="Seed of the random initial weights.")
    x = param.List(default=[0.5, -0.3, 0.8], doc="Current input vector.")
    message = param.String(default="", doc="Last refused input, in plain text (shown escaped).")

    network = param.ClassSelector(class_=engine.Network, doc="The network (replaced on structural change).")
    trace = param.Parameter(doc="Forward trace of `network` for `x`.")
    structure = param.Integer(default=0, doc="Counts structural changes.")
    weights = param.Integer(default=0, doc="Counts in-place weight edits (training, hand edits).")

    def __init__(self, **params):
        super().__init__(**params)
        self._external = False          # True while showing a network from outside (training, digits)
        self.apply_preset(self.preset)

    # --- structural changes ---------------------------------------------------------------

    def _install(self, net: engine.Network, x, external: bool = False, **extra):
        x = engine.validate_input(x, net.sizes[0])
        self._external = external
        acts = set(net.activations)
        act = net.activations[0] if len(acts) == 1 else self.activation
        with param.parameterized.batch_call_watchers(self):
            self.param.update(network=net, sizes=list(net.sizes), activation=act, output=net.output,
                              x=[float(v) for v in x], structure=self.structure + 1, message="", **extra)
            self._compute()

    def apply_preset(self, name: str) -> bool:
        if name == "custom":
            self.preset = "custom"
            return True
        try:
            net, x = presets.load(name)
        except ValueError as exc:
            return self._refuse(str(exc))
        self._install(net, x, preset=name, seed=int(net.meta.get("seed", 0)))
        return True

    def set_network(self, net: engine.Network, x=None, preset: str = "custom") -> bool:
        """Show an outside network (e.g. one being trained); its arrays are kept, not copied."""
        x = list(self.x) if x is None else list(x)
        x = (x + [0.0] * net.sizes[0])[: net.sizes[0]]
        try:
            self._install(net, x, external=True, preset=preset)
        except ValueError as exc:
            return self._refuse(str(exc))
        return True

    def set_sizes(self, sizes) -> bool:
        try:
            sizes = engine.parse_sizes(sizes) if isinstance(sizes, str) else engine.validate_sizes(sizes)
        except ValueError as exc:
            return self._refuse(f"sizes not changed: {exc}")
        if list(sizes) == list(self.network.sizes):
            return True
        net = engine.Network.init(sizes, self.activation, self.output, seed=self.seed)
        old = list(self.x)
        x = (old + [0.0] * sizes[0])[: sizes[0]]
        self._install(net, x, preset="custom")
        return True

    def set_activation(self, name: str) -> bool:
        if name not in engine.HIDDEN_ACTIVATIONS:
            return self._refuse(f"activation {name!r} ignored; choose one of {', '.join(engine.HIDDEN_ACTIVATIONS)}")
        net = self.network.copy()
        net.activations = (name,) * (net.L - 1)
        self.activation = name
        self._install(self._seeded(net), self.x, external=self._external)
        return True

    def _seeded(self, net: engine.Network) -> engine.Network:
        """A custom network built from a seed is redrawn from its settings, so that sizes, activation,
        output and seed (what the URL carries) always determine it; presets and trained networks keep
        their weights."""
        if self.preset != "custom" or self._external:
            return net
        return engine.Network.init(net.sizes, net.activations or self.activation, net.output, seed=self.seed)

    def set_output(self, name: str) -> bool:
        if name not in engine.OUTPUT_ACTIVATIONS:
            return self._refuse(f"output {name!r} ignored; choose one of {', '.join(engine.OUTPUT_ACTIVATIONS)}")
        net = self.network.copy()
        net.output = name
        self._install(self._seeded(net), self.x, external=self._external)
        return True

    def set_seed(self, seed) -> bool:
        try:
            seed = _whole(seed, "seed")
        except ValueError as exc:
            return self._refuse(str(exc))
        if not 0 <= seed <= MAX_SEED:
            return self._refuse(f"seed {seed} ignored; it must be between 0 and {MAX_SEED}")
        net = engine.Network.init(self.network.sizes, self.network.activations or self.activation,
                                  self.output, seed=seed)
        self._install(net, self.x, seed=seed, preset="custom")
        return True

    def new_weights(self) -> bool:
        return self.set_seed((self.seed + 1) % (MAX_SEED + 1))

    # --- value changes --------------------------------------------------------------------

    def set_input(self, x) -> bool:
        try:
            if isinstance(x, str):
                x = parse_floats(x)
            x = engine.validate_input(x, self.network.sizes[0])
        except ValueError as exc:
            return self._refuse(f"input not changed: {exc}")
        if x.ndim != 1 or np.any(np.abs(x) > INPUT_BOUND):
            return self._refuse(f"input not changed: values must lie in [-{INPUT_BOUND:g}, {INPUT_BOUND:g}]")
        with param.parameterized.batch_call_watchers(self):
            self.param.update(x=[float(v) for v in x], message="")
            self._compute()
        return True

    def set_input_value(self, i: int, value: float) -> bool:
        x = list(self.x)
        if not 0 <= i < len(x):
            return self._refuse(f"there is no input {i}")
        x[i] = value
        return self.set_input(x)

    def random_input(self, seed=None) -> bool:
        rng = np.random.default_rng(seed)
        return self.set_input(np.round(rng.uniform(-1, 1, self.network.sizes[0]), 3))

    def weights_changed(self):
        """Call after editing self.network.W / b in place (training, hand edits)."""
        with param.parameterized.batch_call_watchers(self):
            self.weights += 1
            self._compute()

    def set_weight(self, layer: int, dst: int, src: int, value) -> bool:
        try:
            value = float(value)
        except (TypeError, ValueError):
            return self._refuse(f"weight {value!r} is not a number")
        if not math.isfinite(value) or abs(value) > 100:
            return self._refuse("a weight must be a finite number between -100 and 100")
        if not 1 <= layer <= self.network.L:
            return self._refuse("there is no such weight")
        W = self.network.W[layer - 1]
        if not (0 <= dst < W.shape[0] and 0 <= src < W.shape[1]):
            return self._refuse("there is no such weight")
        W[dst, src] = value
        self._external = True           # hand-edited: no longer what its seed gives
        self.weights_changed()
        return True

    def _compute(self):
        self.trace = self.network.forward(np.asarray(self.x, dtype=float))

    def _refuse(self, text: str) -> bool:
        self.message = text
        return False

    # --- the URL ---------------------------------------------------------------------------

    def to_query(self) -> dict:
        """The state as URL query values (strings)."""
        q = {"preset": self.preset, "sizes": ",".join(map(str, self.network.sizes)),
             "activation": self.activation, "output": self.output, "seed": str(self.seed)}
        if len(self.x) <= MAX_URL_INPUTS:
            q["x"] = ",".join(_fmt(v) for v in self.x)
        return q

    def apply_query(self, args: dict) -> list:
        """Apply URL values in a fixed order; return a message per value that was refused."""
        refused = []

        def attempt(key, ok):
            if not ok:
                refused.append(f"{key}: {self.message}")

        get = lambda k: _first(args.get(k))
        if get("preset") is not None:
            attempt("preset", self.apply_preset(get("preset")))
        if get("sizes") is not None:
            attempt("sizes", self.set_sizes(get("sizes")))
        if get("activation") is not None and get("activation") != self.activation:
            attempt("activation", self.set_activation(get("activation")))
        if get("output") is not None and get("output") != self.output:
            attempt("output", self.set_output(get("output")))
        custom = get("preset") == "custom"
        if get("seed") is not None and (custom or get("seed") != str(self.seed)):
            attempt("seed", self.set_seed(get("seed")))       # a custom network is redrawn from its seed
        elif custom:
            self.set_seed(self.seed)
        if get("x") is not None:
            attempt("x", self.set_input(get("x")))
        self.message = "; ".join(refused)
        return refused


def parse_floats(text: str) -> list:
    """Numbers from '0.5, -1, 2' (commas or spaces); ValueError naming the first bad one."""
    out = []
    for part in text.replace(",", " ").split():
        try:
            v = float(part)
        except ValueError:
            raise ValueError(f"{part[:20]!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{part[:20]!r} is not a finite number")
        out.append(v)
    return out


def _whole(value, what) -> int:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {str(value)[:20]!r} is not a whole number") from None
    if not (math.isfinite(v) and v.is_integer()):
        raise ValueError(f"{what} {str(value)[:20]!r} is not a whole number")
    return int(v)


def _first(v):
    if isinstance(v, (list, tuple)):
        v = v[0] if v else None
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    return v


def _fmt(v: float) -> str:
    return f"{v:.4g}"
