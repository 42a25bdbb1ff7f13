"""Universal approximation, seen: one hidden layer of n tanh units fitting sine, step or |x|."""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d, Span

from ...encode.colours import ACCENT, DERIVATIVE, INK, POS_COLOUR, TEXT
from ...encode.notation import fmt
from ..figures import fig, legend_below
from ..parts import html_text, note, px
from ...core.fitting import DOMAIN, MAX_WIDTH, Approximator


class ApproximationView(pn.viewable.Viewer):
    """Target, fitted sum and each unit's weighted contribution; RMSE for this width and for all."""

    key = "approximation"

    def __init__(self, state, **params):
        super().__init__(**params)
        self.p = state.approx
        self.model = Approximator(self.p.target)
        x = self.model.x
        self.curves = ColumnDataSource(name="approx", data={"x": x, "target": self.model.y, "fit": x * 0})
        self.parts = ColumnDataSource(name="contributions", data={"xs": [], "ys": [], "colour": []})
        self.err_curve = ColumnDataSource(name="rmse_curve", data={"width": [], "rmse": []})
        self.err_now = ColumnDataSource(name="rmse_now", data={"width": [], "rmse": []})
        self.error = html_text("", name="approx_error")
        self.main = self._main()
        self.err_fig = self._err_fig()
        self.p.param.watch(lambda e: self.refresh(target_changed=True), "target")
        self.p.param.watch(lambda e: self.refresh(), "width")
        self.refresh(target_changed=True)

    def _main(self):
        p = fig(height=330, sizing_mode="stretch_width", x_range=Range1d(*DOMAIN), y_range=Range1d(-1.6, 1.6),
                title="Target, the network's sum, and each unit's share (faint)", x_axis_label="x",
                y_axis_label="y")
        p.multi_line("xs", "ys", source=self.parts, line_color="colour", line_alpha=0.45, line_width=1.5,
                     legend_label="one unit: v·tanh(w x + b)")
        p.line("x", "target", source=self.curves, line_width=4, color=TEXT, alpha=0.8, legend_label="target")
        p.line("x", "fit", source=self.curves, line_width=3, color=ACCENT, legend_label="sum of units")
        return legend_below(p)

    def _err_fig(self):
        p = fig(height=230, width=300, y_axis_type="log", x_range=Range1d(0, MAX_WIDTH + 1),
                title="Error (RMSE) for every width", x_axis_label="hidden units", y_axis_label="RMSE")
        p.line("width", "rmse", source=self.err_curve, line_width=2, color=INK)
        p.scatter("width", "rmse", source=self.err_now, size=11, color=ACCENT)
        self.err_span = Span(location=1, dimension="height", line_color=ACCENT, line_dash="dotted")
        p.add_layout(self.err_span)
        return p

    def refresh(self, target_changed=False):
        k = self.p.width
        with pn.io.hold():
            if target_changed:
                self.model.set_target(self.p.target)
                y = self.model.y
                lo, hi = float(y.min()), float(y.max())
                pad = 0.35 * (hi - lo)
                self.main.y_range.update(start=lo - pad, end=hi + pad)
                errs = self.model.errors()
                self.err_curve.data = {"width": np.arange(1, MAX_WIDTH + 1), "rmse": errs}
                self.curves.data.update(target=y)
            contrib, total, err = self.model.solve(k)
            self.curves.data.update(fit=total)
            self.parts.data = {"xs": [self.model.x] * k, "ys": list(contrib),
                               "colour": [POS_COLOUR if c[-1] >= c[0] else DERIVATIVE for c in contrib]}
            self.err_now.data = {"width": [k], "rmse": [err]}
            self.err_span.location = k
            self.error.object = (f"Error with <b>{k}</b> hidden unit{'s' if k > 1 else ''}: "
                                 f"RMSE = <b style='font-size:calc(20px * var(--nnviz-scale, 1))'>{fmt(err)}</b>")

    @property
    def rmse(self) -> float:
        return float(self.err_now.data["rmse"][0])

    def __panel__(self):
        kw = dict(sizing_mode="stretch_width")
        target = pn.widgets.RadioButtonGroup.from_param(self.p.param.target, color="light", **kw)
        width = pn.widgets.IntSlider.from_param(self.p.param.width, css_classes=["approx-width"], **kw)
        side = pn.Column(
            pn.pane.HTML("<b>Target function</b>", styles={"font-size": px(14)}, margin=(4, 10, 0, 10)),
            target, width, self.error, self.err_fig,
            note("Each hidden unit's weights w, b are random and stay fixed (seed 0); only the output "
                 "weights v are fitted, by least squares. Width is a <i>hyperparameter</i>; w, b, v are "
                 "<i>parameters</i>."), width=320)
        return pn.Row(side, pn.Column(self.main, note(
            "One hidden layer with enough units can get as close as you like to any continuous function "
            "(the universal approximation theorem). It does not say how many units, nor that training "
            "will find the weights. And <b>deeper is not automatically better</b>: extra layers only pay "
            "off with good training technique; the training view shows this.", "pitfall"), **kw), **kw)

