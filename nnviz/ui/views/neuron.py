"""Single-neuron lab: one neuron with its sliders, the formula with live numbers, its activation
curve and its decision line over the input plane. Its settings are the session state's `neuron` group.
"""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d, Span

from ... import core
from ...encode.colours import ACCENT, GUIDE, INK, NEG_COLOUR, POS_COLOUR, SUBTLE
from ...encode.notation import NOTATION, fmt, options, tex
from ..figures import fig, legend_below
from ..parts import MATH_STYLE, html_text, note, px

BOX = (0.0, 12.0)                     # hours: the plane drawn for (x1, x2)


def half_threshold(name: str) -> float:
    """The z where f(z) = 0.5 (every activation here rises through 0.5 exactly once)."""
    f = core.ACTIVATIONS[name].f
    lo, hi = -10.0, 10.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if float(f(mid)) < 0.5 else (lo, mid)
    return 0.5 * (lo + hi)


def half_plane(w1, w2, b, c, box=BOX):
    """Corners of the box region where w1 x1 + w2 x2 + b >= c (one Sutherland-Hodgman clip)."""
    lo, hi = box
    poly = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
    g = lambda p: w1 * p[0] + w2 * p[1] + b - c
    out = []
    for p, q in zip(poly, poly[1:] + poly[:1]):
        gp, gq = g(p), g(q)
        if gp >= 0:
            out.append(p)
        if (gp >= 0) != (gq >= 0):
            t = gp / (gp - gq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def boundary(w1, w2, b, c, box=BOX):
    """End points of the line w1 x1 + w2 x2 + b = c inside the box (empty if it misses it)."""
    lo, hi = box
    pts = []
    if w2 != 0:
        pts += [(x, (c - b - w1 * x) / w2) for x in (lo, hi)]
    if w1 != 0:
        pts += [((c - b - w2 * y) / w1, y) for y in (lo, hi)]
    eps = 1e-9
    pts = sorted({(round(x, 12), round(y, 12)) for x, y in pts
                  if lo - eps <= x <= hi + eps and lo - eps <= y <= hi + eps})
    return ([pts[0][0], pts[-1][0]], [pts[0][1], pts[-1][1]]) if len(pts) >= 2 else ([], [])


class NeuronLab(pn.viewable.Viewer):
    """Sliders for x, w, b and f; z and the output written out; curve and decision line drawn."""

    key = "neuron"

    def __init__(self, state, **params):
        super().__init__(**params)
        self.p = state.neuron
        self.curve = ColumnDataSource(name="neuron_curve", data={"z": [], "f": []})
        self.point = ColumnDataSource(name="neuron_point", data={"z": [], "a": [], "x1": [], "x2": [],
                                                                  "label": [], "colour": []})
        self.region = ColumnDataSource(name="neuron_region", data={"x": [], "y": []})
        self.line = ColumnDataSource(name="neuron_line", data={"x": [], "y": []})
        self.zero = ColumnDataSource(name="neuron_zero", data={"x": [], "y": []})
        self.formula = pn.pane.LaTeX("", styles=MATH_STYLE, sizing_mode="stretch_width", name="neuron_formula",
                                    margin=(10, 10, 0, 10))
        self.reading = html_text("", name="neuron_reading")
        self.curve_fig = self._curve_fig()
        self.plane_fig = self._plane_fig()
        self.widgets = self._widgets()
        self.p.param.watch(lambda *_: self.refresh(), [k for k in self.p.param if k != "name"])
        self.refresh()

    def _widgets(self):
        kw = dict(sizing_mode="stretch_width", margin=(2, 8))
        sl = {k: pn.widgets.FloatSlider.from_param(self.p.param[k], step=0.1 if k[0] != "w" else 0.05,
                                                   css_classes=[f"neuron-{k}"], **kw)
              for k in ("x1", "x2", "w1", "w2", "b")}
        act = pn.widgets.Select.from_param(self.p.param.activation, options=options(core.HIDDEN_ACTIVATIONS), **kw)
        reset = pn.widgets.Button(label="Back to the lesson's example", color="light", **kw)
        reset.on_click(lambda e: self.p.param.update(**{k: self.p.param[k].default for k in
                                                        ("x1", "x2", "w1", "w2", "b", "activation")}))
        head = lambda t, sub: pn.pane.HTML(f"<b>{t}</b> <span style='color:{SUBTLE}'>{sub}</span>",
                                           styles={"font-size": px(14)}, margin=(8, 8, 0, 8))
        return pn.Column(head("Data", "(the input)"), sl["x1"], sl["x2"],
                         head("Parameters", "(learned in training)"), sl["w1"], sl["w2"], sl["b"],
                         head("Hyperparameter", "(chosen by you)"), act, reset, width=270)

    def _curve_fig(self):
        p = fig(height=290, sizing_mode="stretch_width", title="Activation f(z) with this neuron's z",
                x_range=Range1d(-6, 6), y_range=Range1d(-0.1, 1.1), x_axis_label="z", y_axis_label="f(z)")
        p.add_layout(Span(location=0, dimension="height", line_color=GUIDE, line_dash="dotted"))
        p.line("z", "f", source=self.curve, line_width=3, color=INK)
        p.scatter("z", "a", source=self.point, size=13, color=ACCENT, line_color="white")
        p.text("z", "a", text="label", source=self.point, x_offset=8, y_offset=16, text_font_size="14px")
        self.curve_span = Span(location=0, dimension="height", line_color=ACCENT, line_dash="dashed")
        p.add_layout(self.curve_span)
        return p

    def _plane_fig(self):
        p = fig(height=290, sizing_mode="stretch_width", title="Decision line: output > 0.5 is shaded",
                x_range=Range1d(*BOX), y_range=Range1d(*BOX), x_axis_label="x1 (hours studied)",
                y_axis_label="x2 (hours slept)")
        p.patch("x", "y", source=self.region, fill_color=POS_COLOUR, fill_alpha=0.22, line_alpha=0,
                legend_label="output > 0.5")
        p.line("x", "y", source=self.zero, line_color=SUBTLE, line_dash="dashed", line_width=2,
               legend_label="z = 0")
        p.line("x", "y", source=self.line, line_color=POS_COLOUR, line_width=3, legend_label="output = 0.5")
        p.scatter("x1", "x2", source=self.point, size=14, fill_color="colour", line_color="black")
        return legend_below(p, "12px", spacing=8, glyph_width=16)

    def refresh(self):
        p = self.p
        act = core.ACTIVATIONS[p.activation]
        z, out = p.z, p.output
        R = max(6.0, abs(z) * 1.2)
        zs = np.linspace(-R, R, 241)
        fs = act.f(zs)
        lo, hi = float(min(fs.min(), out)), float(max(fs.max(), out))
        pad = 0.08 * max(hi - lo, 1e-9)
        c = half_threshold(p.activation)
        poly = half_plane(p.w1, p.w2, p.b, c)
        with pn.io.hold():
            self.curve.data = {"z": zs, "f": fs}
            self.curve_fig.x_range.update(start=-R, end=R)
            self.curve_fig.y_range.update(start=lo - pad, end=hi + pad)
            self.curve_span.location = z
            self.point.data = {"z": [z], "a": [out], "x1": [p.x1], "x2": [p.x2], "label": [f"z={fmt(z)}"],
                               "colour": [POS_COLOUR if out > 0.5 else NEG_COLOUR]}
            self.region.data = {"x": [q[0] for q in poly], "y": [q[1] for q in poly]}
            self.line.data = dict(zip(("x", "y"), boundary(p.w1, p.w2, p.b, c)))
            self.zero.data = dict(zip(("x", "y"), boundary(p.w1, p.w2, p.b, 0.0)))
            self.formula.object = self._latex(z, out)
            self.reading.object = self._reading(z, out, c)

    def _latex(self, z, out):
        p = self.p
        par = lambda v: tex(v) if v >= 0 else f"({tex(v)})"
        sym = NOTATION[p.activation].tex
        return (r"$$z = w_1x_1 + w_2x_2 + b = " + rf"{par(p.w1)}\cdot{par(p.x1)} + {par(p.w2)}\cdot{par(p.x2)}"
                rf" + {par(p.b)} = \mathbf{{{tex(z)}}}$$"
                rf"$$\text{{output}} = {sym}({tex(z)}) = \mathbf{{{tex(out)}}}"
                rf"\qquad\text{{where }} {NOTATION[p.activation].latex}$$")

    def _reading(self, z, out, c):
        p = self.p
        verdict = "pass" if out > 0.5 else "fail"
        line = (f"z = <b>{fmt(z)}</b>, output = <b>{fmt(out)}</b>. ")
        if p.activation == "sigmoid":
            line += f"Read as a probability: about <b>{out:.0%}</b> chance to pass → predict <b>{verdict}</b>."
        else:
            line += (f"{NOTATION[p.activation].title} is not a probability; we still call output &gt; 0.5 a <b>{verdict}</b>. "
                     f"Here that means z &gt; {fmt(c)} (for sigmoid it is exactly z &gt; 0).")
        return line

    def __panel__(self):
        return pn.Row(
            self.widgets,
            pn.Column(self.formula, self.reading,
                      pn.Row(self.curve_fig, self.plane_fig, sizing_mode="stretch_width"),
                      note("<b>Parameter vs hyperparameter:</b> w1, w2 and b are <i>parameters</i>: training "
                           "learns them from data. The activation function (and, in a network, the number "
                           "and width of layers) are <i>hyperparameters</i>: a person picks them before "
                           "training.", "pitfall"),
                      sizing_mode="stretch_width"),
            sizing_mode="stretch_width")

