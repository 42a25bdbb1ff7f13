"""One browser session's state, declared once: the network, its input, every view's settings, the open view.

param only (no Panel, no Bokeh). Parameters with `metadata=LINK` are what the link carries
(nnviz/state/link.py writes and reads them); the rest are derived: the network those settings
give, its forward trace, and two counters views read to pick the cheapest update:
`structure` (sizes, activations or the whole network replaced: redraw) and `weights` (weights
changed in place by training or a hand edit: restyle). Every setter validates first and, on bad
input, keeps the last good state and sets `message`.
"""
from __future__ import annotations

import os

import numpy as np
import param

from .. import core
from ..core import presets
from . import parse
from .settings import (LINK, MAX_SEED, ApproxSettings, DepthSettings, ForwardSettings, NeuronSettings,
                       TrainSettings)

INPUT_BOUND = 10.0           # input sliders and typed inputs live in [-10, 10]
WEIGHT_BOUND = 100.0         # a hand-set or linked weight lies in [-100, 100]
VIEWS = ("network",)         # the App passes its own list of views
SERVER_MAX_PARAMS = int(os.environ.get("NNVIZ_MAX_PARAMS", 1_000_000))   # per session on a shared server
DIVERGED = ("the network's numbers overflowed (NaN or infinity): training diverged. Press Reset in the "
            "Training tab or New weights, and lower the learning rate")


class SessionState(param.Parameterized):
    """What one student has set, and the network and trace it gives."""

    view = param.Selector(default="network", objects=list(VIEWS), metadata=LINK, doc="The open view.")
    present = param.Boolean(default=False, metadata=LINK, doc="Presentation mode: the view fills the screen.")
    preset = param.Selector(default="starter", objects=[*presets.PRESETS, "custom"], metadata=LINK,
                            doc="Which lesson example the network came from ('custom' once changed).")
    sizes = param.List(default=[3, 4, 3, 2], item_type=int, metadata=LINK, doc="Neurons per layer, input first.")
    activations = param.List(default=["tanh", "tanh"], item_type=str, metadata={"link": "activation"},
                             doc="Activation of each hidden layer.")
    output = param.Selector(default="softmax", objects=list(core.OUTPUT_ACTIVATIONS), metadata=LINK,
                            doc="Activation of the output layer.")
    seed = param.Integer(default=1, bounds=(0, MAX_SEED), metadata=LINK, doc="Seed of the random initial weights.")
    custom_weights = param.Boolean(default=False, metadata={"link": "w", "codec": "weights"},
                                   doc="True once weights were trained or set by hand: they travel themselves.")
    x = param.List(default=[0.5, -0.3, 0.8], item_type=float, metadata=LINK, doc="Current input vector.")

    train = param.ClassSelector(class_=TrainSettings, metadata={"group": "train"}, doc="Training settings.")
    neuron = param.ClassSelector(class_=NeuronSettings, metadata={"group": "neuron"}, doc="The neuron lab.")
    approx = param.ClassSelector(class_=ApproxSettings, metadata={"group": "approx"}, doc="Approximation view.")
    forward = param.ClassSelector(class_=ForwardSettings, metadata={"group": "forward"}, doc="Forward pass.")
    depth = param.ClassSelector(class_=DepthSettings, metadata={"group": "depth"}, doc="What layers add.")

    message = param.String(default="", doc="Last refused input, in plain text (shown escaped).")
    network = param.ClassSelector(class_=core.Network, doc="The network the settings give.")
    trace = param.Parameter(doc="Forward trace of `network` for `x`.")
    structure = param.Integer(default=0, doc="Counts structural changes.")
    weights = param.Integer(default=0, doc="Counts in-place weight changes (training, hand edits).")
    page_visible = param.Boolean(default=True, doc="False while the page is hidden (another tab, minimised): "
                                 "timers such as training pause.")

    def __init__(self, views=VIEWS, **params):
        groups = {k: params.pop(k, None) or cls() for k, cls in GROUPS.items()}
        super().__init__(**groups, **params)
        self.param.view.objects = list(views)       # per instance: other sessions keep theirs
        self.apply_preset(self.preset)

    @property
    def activation(self) -> str:
        """The hidden activation when every hidden layer shares one (the first layer's otherwise)."""
        return self.activations[0] if self.activations else "linear"

    # --- structural changes ---------------------------------------------------------------

    def install(self, net: core.Network, x=None, *, custom_weights=None, **extra) -> bool:
        """Show `net` (its arrays are kept, not copied) with input x (the old one, fitted, if None)."""
        n = net.sizes[0]
        if x is None:
            x = (list(self.x) + [0.0] * n)[:n]
        try:
            x = core.validate_input(x, n)
        except ValueError as exc:
            return self._refuse(f"input not changed: {exc}")
        if custom_weights is not None:
            extra["custom_weights"] = custom_weights
        with param.parameterized.batch_call_watchers(self):
            self.param.update(network=net, sizes=list(net.sizes), activations=list(net.activations),
                              output=net.output, x=[float(v) for v in x], structure=self.structure + 1,
                              message="", **extra)
            self._compute()
        return True

    def apply_preset(self, name: str) -> bool:
        if name == "custom":
            self.preset = "custom"
            return True
        try:
            net, x = presets.load(name)
        except ValueError as exc:
            return self._refuse(str(exc))
        return self.install(net, x, preset=name, seed=int(net.meta.get("seed") or 0), custom_weights=False)

    def _rebuild(self, sizes=None, activations=None, output=None, seed=None, **extra) -> bool:
        """A network from its settings: the preset's weights, or new seeded ones when custom."""
        sizes = tuple(sizes or self.sizes)
        L = len(sizes) - 1
        acts = list(activations if activations is not None else self.activations)
        acts = (acts + [acts[-1] if acts else "tanh"] * L)[: L - 1]
        output = output or self.output
        seed = self.seed if seed is None else seed
        keep = (self.preset != "custom" or self.custom_weights) and tuple(sizes) == tuple(self.network.sizes)
        try:
            if keep:                    # same weights, other activations (presets, trained networks)
                net = core.Network(sizes, self.network.W, self.network.b, acts, output, dict(self.network.meta))
            else:
                net = core.Network.init(sizes, acts, output, seed=seed)
                extra.setdefault("preset", "custom")
                extra.setdefault("custom_weights", False)
        except ValueError as exc:       # e.g. a diverged network's NaN weights: press Reset first
            return self._refuse(DIVERGED if not self.finite else f"not changed: {exc}")
        return self.install(net, seed=seed, **extra)

    def set_sizes(self, sizes) -> bool:
        try:
            sizes = parse.sizes(sizes)
        except ValueError as exc:
            return self._refuse(f"sizes not changed: {exc}")
        total = core.count_params(sizes)["total"]
        if total > SERVER_MAX_PARAMS:
            return self._refuse(f"sizes not changed: {total:,} parameters is above this server's limit of "
                                f"{SERVER_MAX_PARAMS:,} (NNVIZ_MAX_PARAMS)")
        if list(sizes) == list(self.network.sizes):
            return True
        return self._rebuild(sizes)

    def set_activations(self, names) -> bool:
        """One name for every hidden layer, or one per hidden layer ('relu' or 'relu,tanh')."""
        if isinstance(names, str):
            names = [n for n in names.replace(" ", ",").split(",") if n]
        names = list(names)
        L = self.network.L
        bad = [n for n in names if n not in core.HIDDEN_ACTIVATIONS]
        if bad or not names:
            shown = parse.clip(bad[0]) if bad else "nothing"
            return self._refuse(f"activation {shown} ignored; choose one of {', '.join(core.HIDDEN_ACTIVATIONS)}")
        if len(names) == 1:
            names = names * (L - 1)
        if len(names) != L - 1:
            return self._refuse(f"activation: this network has {L - 1} hidden layers, got {len(names)} names")
        if names == list(self.activations):
            return True
        return self._rebuild(activations=names)

    def set_activation(self, name: str) -> bool:
        """The same activation for every hidden layer."""
        return self.set_activations([name])

    def set_layer_activation(self, l: int, name: str) -> bool:
        """The activation of hidden layer l (1-based)."""
        if not 1 <= l <= len(self.activations):
            return self._refuse(f"there is no hidden layer {parse.clip(l)}")
        names = list(self.activations)
        names[l - 1] = name
        return self.set_activations(names)

    def set_output(self, name: str) -> bool:
        if name not in core.OUTPUT_ACTIVATIONS:
            return self._refuse(f"output {parse.clip(name)} ignored; choose one of {', '.join(core.OUTPUT_ACTIVATIONS)}")
        if name == self.output:
            return True
        return self._rebuild(output=name)

    def set_seed(self, seed) -> bool:
        try:
            seed = parse.whole(seed, "seed")
        except ValueError as exc:
            return self._refuse(str(exc))
        if not 0 <= seed <= MAX_SEED:
            return self._refuse(f"seed {seed} ignored; it must be between 0 and {MAX_SEED}")
        net = core.Network.init(self.network.sizes, self.activations, self.output, seed=seed)
        return self.install(net, seed=seed, preset="custom", custom_weights=False)

    def new_weights(self) -> bool:
        return self.set_seed((self.seed + 1) % (MAX_SEED + 1))

    def set_weights(self, W, b) -> bool:
        """Replace every weight and bias (a link, an imported file); shapes must fit the network."""
        try:
            net = core.Network(self.network.sizes, W, b, self.activations, self.output)
        except ValueError as exc:
            return self._refuse(f"weights not changed: {exc}")
        if any(np.any(np.abs(m) > WEIGHT_BOUND) for m in [*net.W, *net.b]):
            return self._refuse(f"weights not changed: every weight must lie in [-{WEIGHT_BOUND:g}, {WEIGHT_BOUND:g}]")
        return self.install(net, preset="custom", custom_weights=True)

    # --- value changes --------------------------------------------------------------------

    def set_input(self, x) -> bool:
        try:
            x = core.validate_input(parse.numbers(x, float, "input"), self.network.sizes[0])
        except ValueError as exc:
            return self._refuse(f"input not changed: {exc}")
        if np.any(np.abs(x) > INPUT_BOUND):
            return self._refuse(f"input not changed: values must lie in [-{INPUT_BOUND:g}, {INPUT_BOUND:g}]")
        with param.parameterized.batch_call_watchers(self):
            self.param.update(x=[float(v) for v in x], message="")
            self._compute()
        return True

    def set_input_value(self, i: int, value) -> bool:
        x = list(self.x)
        if not 0 <= i < len(x):
            return self._refuse(f"there is no input x{parse.clip(i)}")
        x[i] = value
        return self.set_input(x)

    def random_input(self, seed=None) -> bool:
        rng = np.random.default_rng(seed)
        return self.set_input(np.round(rng.uniform(-1, 1, self.network.sizes[0]), 3))

    def weights_changed(self):
        """Call after changing self.network.W / b in place (training, hand edits)."""
        with param.parameterized.batch_call_watchers(self):
            self.param.update(weights=self.weights + 1, custom_weights=True, preset="custom")
            self._compute()
            if not self.finite:
                self.message = DIVERGED

    def set_weight(self, layer: int, dst: int, src: int, value) -> bool:
        try:
            value = parse.number(value, "weight")
        except ValueError as exc:
            return self._refuse(str(exc))
        if abs(value) > WEIGHT_BOUND:
            return self._refuse(f"a weight must be a finite number between -{WEIGHT_BOUND:g} and {WEIGHT_BOUND:g}")
        if not (isinstance(layer, int) and 1 <= layer <= self.network.L):
            return self._refuse("there is no such weight")
        W = self.network.W[layer - 1]
        if not (0 <= dst < W.shape[0] and 0 <= src < W.shape[1]):
            return self._refuse("there is no such weight")
        W[dst, src] = value
        self.weights_changed()
        return True

    def _compute(self):
        with np.errstate(over="ignore", invalid="ignore"):
            self.trace = self.network.forward(np.asarray(self.x, dtype=float))

    def _refuse(self, text: str) -> bool:
        self.message = text
        return False

    @property
    def finite(self) -> bool:
        """False when the network or its trace holds NaN or infinity (a diverged run)."""
        arrays = [*self.network.W, *self.network.b, *self.trace.a]
        return all(np.all(np.isfinite(a)) for a in arrays)


# The settings groups, read off SessionState's declaration (one table: the ClassSelectors above).
GROUPS = {name: p.class_ for name, p in SessionState.param.objects("existing").items()
          if (p.metadata or {}).get("group") == name}
