"""Activation functions side by side: f and f', formula and range, where the gradient vanishes,
and one neuron's z of the session's network marked on each. Its select sets every hidden layer's activation.
"""
from __future__ import annotations

import math

import numpy as np
import panel as pn
from bokeh.models import BoxAnnotation, ColumnDataSource, Range1d, Span

from ... import core
from ...encode.colours import ACCENT, DERIVATIVE, GUIDE, INK, SUBTLE
from ...encode.notation import NOTATION, fmt, options
from ..figures import fig
from ..parts import esc, html_text, note, px
from .base import LessonView

Z = np.linspace(-5, 5, 401)
VANISH = 0.05                 # |f'(z)| below this counts as a vanishing gradient
PER_ROW = 3                   # small multiples per row (fits 1280 px beside the sidebar)


def vanishing_spans(df, z=Z, tol=VANISH):
    """(start, end) intervals of z where |f'(z)| < tol."""
    mask = np.abs(df(z)) < tol
    spans, start = [], None
    for zi, m in zip(z, mask):
        if m and start is None:
            start = zi
        if not m and start is not None:
            spans.append((float(start), float(zi)))
            start = None
    if start is not None:
        spans.append((float(start), float(z[-1])))
    return spans


def range_text(name: str) -> str:
    """The range as an interval: closed where f reaches the bound, '≈' where the bound is a rounded minimum."""
    act = core.ACTIVATIONS[name]
    lo, hi = act.range
    f = act.f(Z)
    i = int(np.argmin(f))
    if math.isinf(lo):
        left = "(−∞"
    elif f[i] == lo:
        left = "[" + fmt(lo)
    else:
        left = ("≈ (" if 0 < i < len(Z) - 1 else "(") + fmt(lo)
    right = "∞)" if math.isinf(hi) else fmt(hi) + ")"
    return f"{left}, {right}".replace("-", "−")


class ActivationsView(LessonView):
    """Small multiples of the five activations; the App's current one framed; a neuron's z marked."""

    key = "activations"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        names = list(core.HIDDEN_ACTIVATIONS)
        self.select = pn.widgets.Select(label="Hidden activation of the network", options=options(names),
                                        value=self.state.activation, width=250)
        self.layer = pn.widgets.Select(label="Neuron: layer", options=[1], value=1, width=120)
        self.unit = pn.widgets.IntInput(label="unit", start=0, end=0, value=0, width=100)
        self.reading = html_text("", name="activation_reading")
        self.points = {n: ColumnDataSource(name=f"act_point_{n}", data={"z": [0.0], "f": [0.0], "df": [0.0]})
                       for n in names}
        self.spans = {}
        self.figs = {n: self._figure(n) for n in names}
        self._syncing = False
        self.select.param.watch(self._pick, "value")
        self.state.param.watch(self._sync_select, "activations")
        self.layer.param.watch(lambda e: self.refresh(), "value")
        self.unit.param.watch(lambda e: self.refresh(), "value")
        self.watch("trace")
        self.refresh()

    def _figure(self, name):
        act, notation = core.ACTIVATIONS[name], NOTATION[name]
        f, df = act.f(Z), act.df(Z)
        lo, hi = min(f.min(), df.min(), -0.2), min(max(f.max(), df.max()), 3.2)
        p = fig(height=205, width=300, x_range=Range1d(-5, 5), y_range=Range1d(lo - 0.15, hi + 0.15),
                title=notation.title)
        for a, b in vanishing_spans(act.df):
            p.add_layout(BoxAnnotation(left=a, right=b, fill_color=ACCENT, fill_alpha=0.09, line_alpha=0))
        src = ColumnDataSource({"z": Z, "f": f, "df": df})
        p.line("z", "f", source=src, line_width=3, color=INK, legend_label="f(z)")
        p.line("z", "df", source=src, line_width=2, color=DERIVATIVE, line_dash="dashed", legend_label="f′(z)")
        p.add_layout(Span(location=0, dimension="width", line_color=GUIDE, line_width=1))
        self.spans[name] = Span(location=0, dimension="height", line_color=ACCENT, line_dash="dotted")
        p.add_layout(self.spans[name])
        p.scatter("z", "f", source=self.points[name], size=10, color=ACCENT, line_color="white")
        p.legend.location = "top_left"
        p.legend.label_text_font_size = "12px"
        p.legend.background_fill_alpha = 0.7
        p.legend.padding = p.legend.margin = 2
        p.legend.spacing = 0
        formula = pn.pane.LaTeX(rf"$\displaystyle {notation.latex}$", styles={"font-size": px(15)}, margin=(0, 6),
                                name=f"formula_{name}")
        rng = pn.pane.HTML(f"range {range_text(name)}", styles={"font-size": px(14), "color": SUBTLE},
                           margin=(6, 6), align="center")
        return pn.Column(p, pn.Row(formula, pn.Spacer(), rng, width=300, height=44), width=306,
                         margin=(0, 4, 4, 0), css_classes=[f"act-{name}"])

    # --- the shared setting ---------------------------------------------------------------

    def _pick(self, event):
        if not self._syncing and not self.state.set_activation(event.new):
            self._sync_select()

    def _sync_select(self, *_):
        self._syncing = True
        try:
            self.select.value = self.state.activation
        finally:
            self._syncing = False
        for n, col in self.figs.items():
            col.styles = {"outline": f"3px solid {INK if n == self.state.activation else 'transparent'}",
                          "outline-offset": "-2px", "border-radius": "4px"}

    # --- the marked neuron ----------------------------------------------------------------

    def _neuron(self):
        net = self.state.network
        layers = list(range(1, net.L)) or [net.L]       # hidden layers; the output if there is none
        if list(self.layer.options) != layers:
            self.layer.param.update(options=layers, value=layers[0] if self.layer.value not in layers
                                    else self.layer.value)
        l = self.layer.value
        n = net.sizes[l]
        if self.unit.end != n - 1 or self.unit.value is None or self.unit.value > n - 1:
            self.unit.param.update(end=n - 1, value=min(self.unit.value or 0, n - 1))   # an emptied box means 0
        return l, self.unit.value

    def refresh(self):
        super().refresh()
        with pn.io.hold():
            self._sync_select()
            l, u = self._neuron()
            z = float(self.state.trace.z[l][u])
            zc = float(np.clip(z, Z[0], Z[-1]))       # off-scale z is pinned to the edge
            for n, src in self.points.items():
                act = core.ACTIVATIONS[n]
                src.data.update(z=[zc], f=[float(act.f(zc))], df=[float(act.df(z))])
                self.spans[n].location = zc
            cur = self.state.activation if l < self.state.network.L else None
            self.reading.object = self._reading(l, u, z, cur)

    def _reading(self, l, u, z, cur):
        where = f"layer {l}, unit {u}" + (" (the output layer: no hidden layer here)" if cur is None else "")
        text = f"Neuron {esc(where)} has <b>z = {fmt(z)}</b>; the dot shows it on every curve."
        if cur is not None:
            act = core.ACTIVATIONS[cur]
            slope = float(act.df(z))
            text += (f" The network uses <b>{esc(NOTATION[cur].title)}</b>: a = {fmt(float(act.f(z)))}, slope f′(z) = "
                     f"<b>{fmt(slope)}</b>")
            text += (f" — <span style='color:{ACCENT}'><b>the gradient vanishes here</b></span>." if abs(slope) < VANISH
                     else ".")
        return text

    def __panel__(self):
        figs = list(self.figs.values())
        side = pn.Column(self.select, pn.Row(self.layer, self.unit), self.reading,
                         note("Red bands: |f′(z)| &lt; 0.05. There the neuron barely changes when its "
                              "weights change, so training learns slowly (vanishing gradient). ReLU is "
                              "flat for every z &lt; 0.", "pitfall"),
                         note("The activation is a <i>hyperparameter</i>: you choose it; training only "
                              "changes the weights and biases (the <i>parameters</i>)."), width=310)
        rows = [list(figs[i:i + PER_ROW]) for i in range(0, len(figs), PER_ROW)]
        if len(rows[-1]) == PER_ROW:
            rows.append([])
        rows[-1].append(side)                  # the controls fill the last row's free place
        return pn.Column(*[pn.Row(*r) for r in rows], sizing_mode="stretch_width")

