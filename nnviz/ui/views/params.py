"""Counting parameters of the App's architecture, layer by layer, and where it sits among known models."""
from __future__ import annotations

import panel as pn
from bokeh.models import ColumnDataSource, FactorRange, Range1d

from ...core import count_params
from ...encode.colours import MUTED, NEG_COLOUR, NOTE, POS_COLOUR, RULE
from ...encode.labels import arch
from ...encode.layout import layer_names
from ..figures import fig
from ..parts import esc, html_text, note, px
from .base import LessonView

MNIST_SIZES = [784, 256, 128, 10]
# Published sizes the lesson compares against (rounded, as usually quoted).
KNOWN = [("Digit classifier 784-256-128-10", 235_146), ("BERT base (2018)", 110e6),
         ("GPT-2 XL (2019)", 1.5e9), ("GPT-3 (2020)", 175e9)]


def short(n: float) -> str:
    """235146 -> '235K', 1.5e9 -> '1.5B'."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:.3g}{suffix}"
    return f"{int(n)}"


class ParamsView(LessonView):
    """Per-layer n_in × n_out + n_out, the total, and a log-scale comparison."""

    key = "params"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        self.rows = {}                       # the table's columns as text, also read by tests
        self.table = html_text("", name="param_table")
        self.total = html_text("", name="param_total")
        self.scale = ColumnDataSource(name="scale", data={"name": [], "n": [], "label": [], "colour": []})
        self.bars = self._bars()
        self.mnist = pn.widgets.Button(label="784-256-128-10", color="primary", width=170)
        self.mnist.on_click(lambda e: self.state.set_sizes(MNIST_SIZES))
        self.watch("structure")
        self.refresh()

    def _bars(self):
        names = [n for n, _ in KNOWN] + ["This network"]
        p = fig(height=260, sizing_mode="stretch_width", y_range=FactorRange(*reversed(names)),
                x_range=Range1d(1, 3e13), x_axis_type="log", x_axis_label="parameters (log scale: each step ×10)",
                title="How big is this network?")
        p.hbar(y="name", right="n", left=1, height=0.7, source=self.scale, fill_color="colour", line_color=None)
        p.text(x="n", y="name", text="label", source=self.scale, x_offset=6, text_baseline="middle",
               text_font_size="14px")
        p.ygrid.visible = False
        p.yaxis.major_label_text_font_size = "13px"
        return p

    def refresh(self):
        super().refresh()
        sizes = self.state.network.sizes
        c = count_params(sizes)
        names = layer_names(len(sizes) - 1)
        rows = {"layer": [f"{names[i]} → {names[i + 1]}" for i in range(len(c["layers"]))],
                "shape": [f"{r['n_in']:,} → {r['n_out']:,}" for r in c["layers"]],
                "weights": [f"{r['n_in']:,} × {r['n_out']:,} = {r['weights']:,}" for r in c["layers"]],
                "biases": [f"{r['biases']:,}" for r in c["layers"]],
                "total": [f"{r['total']:,}" for r in c["layers"]]}
        rows = {k: v + [""] for k, v in rows.items()}
        rows["layer"][-1], rows["total"][-1] = "Total", f"{c['total']:,}"
        total = c["total"]
        with pn.io.hold():
            self.rows = rows
            self.table.object = self._table_html(rows)
            self.scale.data = {"name": [n for n, _ in KNOWN] + ["This network"],
                               "n": [float(v) for _, v in KNOWN] + [float(max(total, 1))],
                               "label": [short(v) for _, v in KNOWN] + [f"{total:,}"],
                               "colour": [MUTED] * len(KNOWN) + [POS_COLOUR if total else NEG_COLOUR]}
            self.total.object = (f"Network {esc(arch(sizes))}: <b style='font-size:calc(20px * var(--nnviz-scale, 1))'>{total:,}</b> parameters "
                                 f"({short(total)}), all weights and biases together.")

    @staticmethod
    def _table_html(rows) -> str:
        head = ["Layer", "n_in → n_out", "weights n_in × n_out", "biases n_out", "total"]
        cell = f"padding:4px 12px;border-bottom:1px solid {RULE}"
        total_row = f"font-weight:700;background:{NOTE['info'][0]}"
        th = "".join(f"<th style='{cell};text-align:{'left' if i < 2 else 'right'}'>{h}</th>"
                     for i, h in enumerate(head))
        body = []
        for r in range(len(rows["layer"])):
            last = r == len(rows["layer"]) - 1
            tds = "".join(f"<td style='{cell};text-align:{'left' if i < 2 else 'right'}'>{esc(rows[k][r])}</td>"
                          for i, k in enumerate(("layer", "shape", "weights", "biases", "total")))
            body.append(f"<tr style='{total_row if last else ''}'>{tds}</tr>")
        return (f"<table style='border-collapse:collapse;width:100%'><thead><tr>{th}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    def __panel__(self):
        return pn.Column(
            pn.pane.LaTeX(r"$$\text{parameters of a layer} = n_\text{in}\times n_\text{out}\;(\text{weights})"
                          r" + n_\text{out}\;(\text{biases})$$", styles={"font-size": px(17)},
                          sizing_mode="stretch_width", margin=(10, 10, 0, 10)),
            pn.Row(self.total, pn.Column(pn.pane.HTML("Try the lesson's digit classifier:", margin=(6, 10, 0, 10),
                                                      styles={"font-size": px(14)}), self.mnist, width=230)),
            self.table,
            pn.Row(self.bars, pn.Column(
                note("<b>Parameters</b> (weights, biases) are learned. <b>Hyperparameters</b> such as the "
                     "number of layers and their widths are chosen by you; change them in the sidebar and "
                     "the count follows."),
                note("More parameters give more capacity, but also need more data, memory and compute. "
                     "And deeper is not automatically better: without the right training technique a deep "
                     "network can learn worse.", "pitfall"), width=300), sizing_mode="stretch_width"),
            sizing_mode="stretch_width")

