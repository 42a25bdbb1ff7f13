"""Forward pass step by step for the App's network and input: z = W a + b with the real numbers,
then a = f(z), one layer per step, beside the network graph with that layer shaded and its incoming
edges marked, and the output as bars.
"""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, FactorRange, Range1d

from ...encode.colours import MUTED, POS_COLOUR, SUBTLE, TEXT
from ...encode.layout import layer_names
from ...encode.notation import MAX_SHOWN, NOTATION, bmatrix, column, fmt, vec_text
from ..figures import fig, plain
from ..graph import NetworkGraph
from ..parts import WRAP_CSS, WrapRow, esc, html_text, math_pane, note, px
from .base import LessonView
MAX_BARS = 40            # wider outputs show their first MAX_BARS units as bars
GRAPH_HEIGHT = 330       # px: the graph beside the step's matrices
HALO_PX = 5              # px added around an incoming edge of the step's layer


class ForwardView(LessonView):
    """One layer of the forward pass at a time, with the numbers; softmax output as bars."""

    key = "forward"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        self.settings = state.forward
        self.step = pn.widgets.IntSlider(label="Layer", start=1, end=2, value=1, width=260,
                                         css_classes=["forward-step"])
        self.prev = pn.widgets.Button(label="◀ Prev", width=80, color="light")
        self.next = pn.widgets.Button(label="Next ▶", width=80, color="primary")
        self.prev.on_click(lambda e: self._move(-1))
        self.next.on_click(lambda e: self._move(+1))
        self.step.param.watch(self._step_moved, "value")
        self.settings.param.watch(lambda e: self._changed(), "step")
        self.heading = html_text("", name="forward_heading")
        self.math = math_pane(name="forward_math")
        self.path = html_text("", name="forward_path")
        self.verdict = html_text("", name="forward_verdict")
        self.probs = ColumnDataSource(name="probs", data={"cls": [], "p": [], "colour": [], "label": []})
        self.bars = self._bars()
        # The network beside the numbers: the graph shades the step's layer; its incoming edges get a dark
        # halo (the shading's yellow would blend with the negative weights' colour).
        self.graph_height = GRAPH_HEIGHT
        self.graph = NetworkGraph(state, height=GRAPH_HEIGHT, prefix="forward_", view="forward", caption=False)
        self.incoming = ColumnDataSource(name="forward_incoming", data={k: [] for k in ("x0", "y0", "x1", "y1", "w")})
        halo = self.graph.fig.segment("x0", "y0", "x1", "y1", source=self.incoming, line_width="w",
                                      line_color=TEXT, line_alpha=0.25, level="underlay")
        plain(halo)
        self.graph.set_narrow(True)          # no colour bars, a two-line legend: the matrices need the room
        self.watch("trace")
        self.refresh()

    def _bars(self):
        p = fig(height=250, sizing_mode="stretch_width", x_range=FactorRange(), y_range=Range1d(0, 1.12),
                title="Output", y_axis_label="probability", x_axis_label="class")
        p.vbar(x="cls", top="p", source=self.probs, width=0.8, fill_color="colour", line_color=None)
        p.text(x="cls", y="p", text="label", source=self.probs, text_align="center", y_offset=-3,
               text_baseline="bottom", text_font_size="12px")
        p.xgrid.visible = False
        return p

    # --- step control -----------------------------------------------------------------------

    def _move(self, d):
        self.step.value = int(np.clip(self.step.value + d, 1, self.step.end))

    def _step_moved(self, event):
        """The slider writes the state (the graph on the Network tab shades that layer)."""
        if event.new != self.settings.step:
            self.settings.step = int(event.new)

    # --- drawing ------------------------------------------------------------------------------

    def refresh(self):
        super().refresh()
        L = self.state.network.L
        with pn.io.hold():
            step = min(self.settings.step, L)
            if self.step.end != max(L, 2) or self.step.value != step:
                self.step.param.update(end=max(L, 2), value=step)
            self.step.disabled = L == 1
            self._show_step()
            self._show_incoming()
            self._show_output()

    def _show_step(self):
        net, tr = self.state.network, self.state.trace
        l = min(self.settings.step, net.L)
        name = net.activation_of(l)
        names = layer_names(net.L)
        n_in, n_out = net.sizes[l - 1], net.sizes[l]
        self.heading.object = (f"<b>Step {l} of {net.L}: {esc(names[l - 1])} → {esc(names[l])}</b>"
                               f" &nbsp; W<sup>[{l}]</sup> is {n_out} × {n_in}, activation <b>{esc(name)}</b>")
        a_in = "x" if l == 1 else f"a^{{[{l - 1}]}}"
        if max(n_in, n_out) > MAX_SHOWN:
            self.heading.object += f" &nbsp;<span style='color:{SUBTLE}'>(big: the first rows/columns and the last)</span>"
        # One display per line, so the step fits beside the graph: the rule, its numbers, the results.
        self.math.object = (
            rf"$$z^{{[{l}]}} = W^{{[{l}]}}{a_in} + b^{{[{l}]}}$$"
            rf"$$= {bmatrix(net.W[l - 1])}{column(tr.a[l - 1])} + {column(net.b[l - 1])}$$"
            rf"$$= {column(tr.z[l])} \qquad a^{{[{l}]}} = {NOTATION[name].tex}\big(z^{{[{l}]}}\big) = {column(tr.a[l])}$$")
        rows = []
        for k in range(1, net.L + 1):
            row = (f"Layer {k}: z{k} = {vec_text(tr.z[k])} → a{k} = {net.activation_of(k)}(z{k}) = "
                   f"{vec_text(tr.a[k])}")
            rows.append(f"<li><b>{esc(row)}</b></li>" if k == l else f"<li>{esc(row)}</li>")
        self.path.object = (f"<div>x = {esc(vec_text(tr.a[0]))}</div>"
                            f"<ul style='margin:4px 0;padding-left:20px'>{''.join(rows)}</ul>")

    def _show_incoming(self):
        """The edges into the step's layer, from the graph's own `edges` (drawn under them, wider)."""
        e = self.graph.edges.data
        if "layer" not in e:
            return
        rows = np.flatnonzero(np.asarray(e["layer"]) == min(self.settings.step, self.state.network.L))
        cols = {k: np.asarray(e[k])[rows] for k in ("x0", "y0", "x1", "y1")}
        self.incoming.data = {**cols, "w": np.asarray(e["width"])[rows] + HALO_PX}

    def _show_output(self):
        net, tr = self.state.network, self.state.trace
        a = np.asarray(tr.a[-1], dtype=float)
        n = min(len(a), MAX_BARS)
        k = int(np.argmax(a))
        soft = net.output == "softmax"
        cls = [str(i) for i in range(n)]
        self.bars.x_range.factors = cls
        top = 1.12 if soft or net.output == "sigmoid" else max(1.12, float(a[:n].max()) * 1.15)
        bottom = min(0.0, float(a[:n].min()) * 1.15)
        self.bars.y_range.update(start=bottom, end=top)
        self.bars.yaxis.axis_label = "probability" if soft else f"a = {net.output}(z)"
        self.bars.title.text = ("Softmax: the scores z become probabilities that add up to 1" if soft
                                else f"Output layer ({net.output})")
        self.probs.data = {"cls": cls, "p": a[:n].copy(), "label": [fmt(v, 2) for v in a[:n]],
                           "colour": [POS_COLOUR if i == k else MUTED for i in range(n)]}
        more = f" (bars show the first {n} of {len(a)})" if len(a) > n else ""
        if soft:
            text = f"Predicted class <b>{k}</b> with confidence <b>{a[k]:.1%}</b>{more}."
        elif len(a) == 1 and net.output == "sigmoid":
            text = f"Output <b>{fmt(a[0])}</b>: read as the probability of class 1."
        else:
            text = f"Largest output: unit <b>{k}</b>, a = <b>{fmt(a[k])}</b>{more} (not probabilities)."
        self.verdict.object = text

    def __panel__(self):
        controls = WrapRow(self.prev, self.step, self.next, pn.pane.HTML(
            f"<span style='color:{SUBTLE}'>the graph shades this step's layer and marks the edges into it</span>",
            margin=(14, 10), styles={"font-size": px(13)}), sizing_mode="stretch_width", stylesheets=[WRAP_CSS])
        numbers = pn.Column(self.heading, self.math, self.path, sizing_mode="stretch_width",
                            styles={"overflow-x": "auto"})          # a very wide layer scrolls here only
        side = WrapRow(pn.Column(self.graph, sizing_mode="stretch_width"), numbers,
                       sizing_mode="stretch_width", stylesheets=[WRAP_CSS])
        return pn.Column(
            controls, side,
            pn.Row(pn.Column(self.verdict, self.bars, sizing_mode="stretch_width"),
                   pn.Column(note("Each step is the same recipe: multiply by the weights, add the biases, "
                                  "then apply the activation. The numbers are what the engine computed for "
                                  "this input, not rounded textbook values.", width=280),
                             note("<b>Deeper is not automatically better.</b> More layers only help if "
                                  "training can tune them; without good initialisation and training "
                                  "technique a deep network may learn worse than a shallow one. The "
                                  "training view shows it.", "pitfall", width=280), width=300)),
            sizing_mode="stretch_width")

