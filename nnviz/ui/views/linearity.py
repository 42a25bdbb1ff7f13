"""Why activations matter: with linear hidden layers the App's network collapses to one layer
(W_eff, b_eff from core.collapse) that gives the same output; with ReLU no single layer can.
"""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d, Span

from ... import core
from ...encode.colours import ACCENT, GOOD, GUIDE, NEG_COLOUR, POS_COLOUR
from ...encode.notation import NOTATION, bmatrix, column, fmt
from ..figures import fig, legend_below
from ..parts import esc, html_text, math_pane, note
from ...state.session import DIVERGED
from .base import LessonView

SWEEP = np.linspace(-3, 3, 241)


def with_hidden(net: core.Network, name: str) -> core.Network:
    """The same weights with every hidden activation set to `name` (weights are shared, not copied)."""
    return core.Network(net.sizes, net.W, net.b, (name,) * (net.L - 1), net.output)


def sweep(net: core.Network, x, i: int, k: int, name: str, grid=SWEEP):
    """Output score z_L[k] as input i runs over grid (other inputs fixed at x), hidden activation `name`.

    Layer 1 is affine in the swept input, z1(t) = z1(x) + W1[:, i] (t - x_i), so the wide first
    matrix is used once instead of once per grid point; the rest is the usual forward pass.
    """
    x = np.asarray(x, dtype=float)
    z = net.W[0] @ x + net.b[0] + np.outer(np.asarray(grid) - x[i], net.W[0][:, i])
    f = core.ACTIVATIONS[name].f
    for W, b in zip(net.W[1:], net.b[1:]):
        z = f(z) @ W.T + b
    return z[:, k]


class LinearityView(LessonView):
    """Collapse of a deep linear network, checked on the current input; linear vs ReLU sweep."""

    key = "linearity"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        self.to_linear = pn.widgets.Button(label="Set hidden activation to linear", color="primary")
        self.to_relu = pn.widgets.Button(label="Set hidden activation to ReLU", color="light")
        self.to_linear.on_click(lambda e: self.state.set_activation("linear"))
        self.to_relu.on_click(lambda e: self.state.set_activation("relu"))
        self.random = pn.widgets.Button(label="Try a random input", color="light")
        self.random.on_click(lambda e: self.state.random_input())
        self.input_i = pn.widgets.IntInput(label="sweep input x_i, i =", start=1, end=1, value=1, width=140)
        self.output_k = pn.widgets.IntInput(label="plot output z_k, k =", start=0, end=0, value=0, width=140)
        self.input_i.param.watch(lambda e: self._sweep(), "value")
        self.output_k.param.watch(lambda e: self._sweep(), "value")
        self.status = html_text("", name="linearity_status")
        self.math = math_pane(name="linearity_math")
        self.check = html_text("", name="linearity_check")
        self.curves = ColumnDataSource(name="sweep", data={"x": SWEEP, "linear": SWEEP * 0, "relu": SWEEP * 0})
        self.now = Span(location=0, dimension="height", line_color=GUIDE, line_dash="dotted")
        self.plot = self._plot()
        self.result = {}
        self._cache = (None, None)
        self.watch("trace")
        self.refresh()

    def _plot(self):
        p = fig(height=280, sizing_mode="stretch_width", x_range=Range1d(-3, 3), y_range=Range1d(-1, 1),
                title="Same weights, one input swept: linear hidden layers vs ReLU",
                x_axis_label="input x_i (others fixed)", y_axis_label="output score z_k")
        p.line("x", "linear", source=self.curves, line_width=3, color=POS_COLOUR,
               legend_label="linear hidden: a straight line")
        p.line("x", "relu", source=self.curves, line_width=3, color=NEG_COLOUR, line_dash="dashed",
               legend_label="ReLU hidden: bends")
        p.add_layout(self.now)
        return legend_below(p)

    def refresh(self):
        super().refresh()
        with pn.io.hold():
            self._collapse()
            self._sweep()

    def _collapse(self):
        net, tr = self.state.network, self.state.trace
        act = next((a for a in net.activations if a != "linear"), "linear")
        key = (id(net), self.state.structure, self.state.weights)
        if not self.state.finite:           # a diverged run: say so instead of blank arithmetic
            self.status.object = f"<b>Nothing to collapse:</b> {esc(DIVERGED)}."
            self.math.object, self.check.object, self._cache = "", "", (None, None)
            return
        fresh = self._cache[0] != key
        if fresh:                           # a new input alone does not change W_eff, b_eff
            self._cache = (key, core.collapse(with_hidden(net, "linear")))
        W_eff, b_eff = self._cache[1]
        x = np.asarray(tr.a[0], dtype=float)
        one = W_eff @ x + b_eff              # the single layer's output score
        deep = np.asarray(tr.z[-1], dtype=float)
        diff = float(np.max(np.abs(one - deep)))
        self.result = {"W_eff": W_eff, "b_eff": b_eff, "single": one, "deep": deep, "diff": diff,
                       "activation": act}
        if fresh:                           # the matrices' LaTeX is re-sent only when they change
            prod = " ".join(f"W^{{[{l}]}}" for l in range(net.L, 0, -1))
            self.math.object = (rf"$$W_{{\text{{eff}}}} = {prod} = {bmatrix(W_eff)},\qquad "
                                rf"b_{{\text{{eff}}}} = {column(b_eff)}$$")
        if net.L == 1:
            head = "This network has no hidden layer: it already <b>is</b> a single layer."
        elif act == "linear":
            head = (f"Hidden activation is <b>linear</b>: all {net.L} layers collapse into the single layer "
                    f"W<sub>eff</sub> x + b<sub>eff</sub> (from <code>core.collapse</code>).")
        else:
            head = (f"Hidden activation is <b>{esc(NOTATION[act].title)}</b>. Multiplying the matrices still gives the W<sub>eff</sub>,"
                    f" b<sub>eff</sub> below, but that single layer no longer matches the network.")
        self.status.object = head
        same = diff < 1e-9
        verdict = (f"<span style='color:{GOOD}'><b>the same</b> up to rounding</span>" if same
                   else f"<span style='color:{ACCENT}'><b>different</b>: no single layer matches</span>")
        self.check.object = (
            f"For the current input x = {esc(_short(x))}:<br>"
            f"deep network z<sub>out</sub> = <b>{esc(_short(deep))}</b><br>"
            f"single layer W<sub>eff</sub> x + b<sub>eff</sub> = <b>{esc(_short(one))}</b><br>"
            f"max |difference| = <b>{fmt(diff)}</b> → {verdict}")

    def _sweep(self):
        if not self.state.finite:
            return                          # the curves keep the last finite picture
        net, x = self.state.network, self.state.x
        for w, lo, n in ((self.input_i, 1, net.sizes[0]), (self.output_k, 0, net.sizes[-1])):
            top = n - 1 + lo                   # inputs are named x1..xn, output units 0..n-1
            if w.end != top or w.value is None or not lo <= w.value <= top:
                w.param.update(end=top, value=min(max(w.value or lo, lo), top))   # an emptied box means the first
        i, k = self.input_i.value - 1, self.output_k.value
        lin = sweep(net, x, i, k, "linear")
        rel = sweep(net, x, i, k, "relu")
        lo, hi = float(min(lin.min(), rel.min())), float(max(lin.max(), rel.max()))
        pad = 0.1 * max(hi - lo, 1e-3)
        self.curves.data.update(linear=lin, relu=rel)
        self.plot.y_range.update(start=lo - pad, end=hi + pad)
        self.now.location = float(np.clip(x[i], -3, 3))

    def __panel__(self):
        return pn.Column(
            pn.Row(self.to_linear, self.to_relu, self.random),
            self.status, self.math,
            pn.Row(pn.Column(self.check, note(
                "With a linear activation every layer is a matrix, and a product of matrices is one "
                "matrix: a 100-layer linear network can do no more than one layer. "
                "<b>With ReLU</b>, which units are on depends on the input, so the slope changes wherever "
                "a unit switches on or off. One matrix has the same slope everywhere, so <b>no single "
                "layer can reproduce the ReLU network</b>.", "pitfall"), width=360),
                   pn.Column(pn.Row(self.input_i, self.output_k), self.plot, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            sizing_mode="stretch_width")


def _short(v) -> str:
    v = np.asarray(v, dtype=float).ravel()
    if len(v) <= 6:
        return "[" + ", ".join(fmt(t) for t in v) + "]"
    return "[" + ", ".join(fmt(t) for t in v[:4]) + f", … ({len(v)} values)]"

