"""What layers add: pieces of a deep tent-map ReLU network vs one wide layer, and a trained comparison."""
from __future__ import annotations

import time

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d

from ...core import depth
from ...encode.colours import ACCENT, DIVERGING, INK, MUTED, RULE, SUBTLE
from ...encode.labels import arch
from ...encode.notation import fmt
from .. import session
from ..figures import bare, fig, legend_below
from ..parts import esc, html_text, note
from .base import LessonView

PLOT_CELLS = 1024                   # the curves are drawn on this grid; pieces are counted on a finer one
TABLE_K = 6                         # the pieces-per-k chart shows k = 1..6
TRAIN = {"problem": "circle", "deep_hidden": (6, 6, 6)}
TILE = 24                           # pixels per side of one feature map
STROKES = 16                        # first-layer units of the digit reader


def tile_images(maps, gap=0.15):
    """A row of square tiles (one per unit) for one image glyph source: image, x, y, dw, dh."""
    n = len(maps)
    return {"image": [m for m in maps], "x": [i * (1 + gap) for i in range(n)], "y": [0.0] * n,
            "dw": [1.0] * n, "dh": [1.0] * n, "unit": [f"unit {i + 1}" for i in range(n)]}


class DepthView(LessonView):
    """Depth vs width counted (linear pieces from the engine's outputs) and trained (loss curves)."""

    key = "depth"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        self.p = state.depth
        t0 = time.perf_counter()
        # counted
        self.curves = ColumnDataSource(name="depth_curves", data={"x": [], "deep": [], "shallow": []})
        self.pieces = ColumnDataSource(name="depth_pieces", data={
            "k": [], "deep_pieces": [], "shallow_pieces": [], "deep_params": [], "shallow_params": [],
            "deep_sizes": [], "shallow_sizes": []})
        self.table = ColumnDataSource(name="depth_table", data={"k": [], "deep": [], "shallow": [], "bound": []})
        self.counts = html_text("", name="depth_counts")
        self.curve_fig = self._curve_fig()
        self.table_fig = self._table_fig()
        # trained
        self.loss = ColumnDataSource(name="depth_loss", data={"epoch": [], "wide": [], "deep": []})
        self.trained = html_text("", name="depth_trained")
        self.loss_fig = self._loss_fig()
        self.maps = {l: ColumnDataSource(name=f"depth_maps_{l}", data=tile_images([])) for l in (1, 2)}
        self.map_figs = {l: self._map_fig(l) for l in (1, 2)}
        self.train_button = pn.widgets.Button(label="Train both again", color="primary", width=170)
        self.train_button.on_click(lambda e: self.train())
        # stroke detectors of a digit reader (trained on request: loading the digits takes a moment)
        self.strokes = ColumnDataSource(name="depth_strokes", data=tile_images([]))
        self.strokes_text = html_text("", name="depth_strokes_text")
        self.strokes_fig = self._strokes_fig()
        self.strokes_button = pn.widgets.Button(label="Train a digit reader (64-16-10) and show its first layer",
                                                color="primary", sizing_mode="stretch_width", max_width=420)
        self.strokes_button.on_click(lambda e: self.show_strokes())
        self.p.param.watch(lambda e: self._changed(), "k")
        self._fill_table()
        self.refresh()
        self.train()
        self.build_seconds = time.perf_counter() - t0

    # --- figures -------------------------------------------------------------------------------

    def _curve_fig(self):
        p = fig(height=300, sizing_mode="stretch_width", x_range=Range1d(0, 1), y_range=Range1d(-0.08, 1.12),
                title="Same number of ReLU units: deep (k layers × 2) vs shallow (one layer × 2k)",
                x_axis_label="x", y_axis_label="network output")
        p.line("x", "shallow", source=self.curves, line_width=3, color=ACCENT, line_dash="dashed",
               legend_label="shallow 1-2k-1 (least-squares fit)")
        p.line("x", "deep", source=self.curves, line_width=2, color=INK, legend_label="deep 1-2-…-2-1 (tent map k times)")
        return legend_below(p)

    def _table_fig(self):
        p = fig(height=300, width=330, y_axis_type="log", x_range=Range1d(0.5, TABLE_K + 0.5),
                y_range=Range1d(1, 2 ** (TABLE_K + 1)), title="Linear pieces on [0, 1], counted",
                x_axis_label="k (deep layers; shallow has 2k units)", y_axis_label="pieces (log scale)")
        p.line("k", "bound", source=self.table, color=MUTED, line_dash="dotted", line_width=2,
               legend_label="2k + 1")
        p.line("k", "deep", source=self.table, color=INK, line_width=2)
        p.scatter("k", "deep", source=self.table, color=INK, size=9, legend_label="deep")
        p.line("k", "shallow", source=self.table, color=ACCENT, line_width=2)
        p.scatter("k", "shallow", source=self.table, color=ACCENT, size=9, marker="square", legend_label="shallow")
        p.xaxis.ticker = list(range(1, TABLE_K + 1))
        return legend_below(p)

    def _loss_fig(self):
        p = fig(height=280, sizing_mode="stretch_width", y_axis_type="log",
                title=f"Same parameter budget on {TRAIN['problem']}: test loss per epoch",
                x_axis_label="epoch", y_axis_label="test loss (log scale)")
        p.line("epoch", "wide", source=self.loss, line_width=3, color=ACCENT, legend_label="wide")
        p.line("epoch", "deep", source=self.loss, line_width=3, color=INK, legend_label="deep")
        return legend_below(p)

    def _map_fig(self, layer):
        n = TRAIN["deep_hidden"][layer - 1]
        p = bare(height=120, width=int(120 * n * 1.15), x_range=Range1d(-0.05, n * 1.15 - 0.1),
                 y_range=Range1d(-0.05, 1.05), title=f"Layer {layer}: each unit's output over the input plane")
        mapper = LinearColorMapper(palette=DIVERGING, low=-1, high=1)
        p.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.maps[layer], color_mapper=mapper)
        return p

    def _strokes_fig(self):
        n = STROKES
        p = bare(height=int(70 * 2 + 40), width=int(70 * n / 2 * 1.15), x_range=Range1d(-0.05, n / 2 * 1.15),
                 y_range=Range1d(-1.25, 1.05), title="First layer of a digit reader: each unit's 64 weights as 8×8")
        self.strokes_mapper = LinearColorMapper(palette=DIVERGING, low=-1, high=1)
        p.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.strokes, color_mapper=self.strokes_mapper)
        return p

    def show_strokes(self):
        """Train the digit reader (off the event loop) and draw its first-layer weights."""
        if self.strokes_button.disabled:
            return
        self.strokes_button.disabled = True
        self.strokes_text.object = "Training the digit reader…"
        session.in_background(lambda: depth.digit_strokes(STROKES), self._show_strokes)

    def _show_strokes(self, result):
        """Draw the reader's first-layer weights (blue: ink there raises the unit)."""
        self.strokes_button.disabled = False
        if isinstance(result, Exception):
            self.strokes_text.object = f"Training stopped: {esc(str(result)[:120])}"
            return
        W, acc, _ = result
        m = float(np.max(np.abs(W))) or 1.0
        half = STROKES // 2
        tiles = tile_images([np.flipud(w) for w in W])       # Bokeh images grow upwards: row 0 on top
        tiles["x"] = [(i % half) * 1.15 for i in range(STROKES)]
        tiles["y"] = [0.0 if i < half else -1.2 for i in range(STROKES)]
        with pn.io.hold():
            self.strokes.data = tiles
            self.strokes_mapper.update(low=-m, high=m)
            self.strokes_text.object = (f"Trained 15 epochs: test accuracy <b>{acc:.1%}</b>. Blue pixels raise a "
                                        f"unit, brown ones lower it (|w| up to {fmt(m)}): the units look for "
                                        "strokes and blobs, and the next layer combines them into digits.")

    # --- numbers -------------------------------------------------------------------------------

    def _fill_table(self):
        rows = depth.pieces_table(TABLE_K)
        self.table.data = {"k": [r["k"] for r in rows], "deep": [r["deep_pieces"] for r in rows],
                           "shallow": [r["shallow_pieces"] for r in rows],
                           "bound": [2 * r["k"] + 1 for r in rows]}

    def refresh(self):
        super().refresh()
        k = self.p.k
        deep = depth.tent_network(k)
        xs, yd = depth.outputs(deep)
        shallow = depth.shallow_network(2 * k, yd, xs)
        _, ys = depth.outputs(shallow, xs)
        n_deep, n_shallow = depth.count_pieces(xs, yd), depth.count_pieces(xs, ys)
        P_deep, P_shallow = deep.count_params()["total"], shallow.count_params()["total"]
        step = (len(xs) - 1) // PLOT_CELLS
        with pn.io.hold():
            self.curves.data = {"x": xs[::step], "deep": yd[::step], "shallow": ys[::step]}
            self.pieces.data = {"k": [k], "deep_pieces": [n_deep], "shallow_pieces": [n_shallow],
                                "deep_params": [P_deep], "shallow_params": [P_shallow],
                                "deep_sizes": [arch(deep.sizes)], "shallow_sizes": [arch(shallow.sizes)]}
            cell = f"padding:4px 14px;border-bottom:1px solid {RULE};text-align:right"
            self.counts.object = (
                "<table style='border-collapse:collapse'><tr><th></th>"
                f"<th style='{cell}'>deep</th><th style='{cell}'>shallow</th></tr>"
                f"<tr><td>network</td><td style='{cell}'>{esc(arch(deep.sizes))}</td>"
                f"<td style='{cell}'>{esc(arch(shallow.sizes))}</td></tr>"
                f"<tr><td>ReLU units</td><td style='{cell}'>{sum(deep.sizes[1:-1])}</td>"
                f"<td style='{cell}'>{sum(shallow.sizes[1:-1])}</td></tr>"
                f"<tr><td>parameters</td><td style='{cell}'>{P_deep:,}</td><td style='{cell}'>{P_shallow:,}</td></tr>"
                f"<tr style='font-weight:700'><td>linear pieces (counted)</td>"
                f"<td style='{cell};font-size:calc(20px * var(--nnviz-scale, 1));color:{INK}'>{n_deep:,}</td>"
                f"<td style='{cell};font-size:calc(20px * var(--nnviz-scale, 1));color:{ACCENT}'>{n_shallow:,}</td></tr></table>")

    def train(self):
        """Train the wide and the deep network (same budget, data, optimiser, epochs; off the event
        loop) and show both."""
        if self.train_button.disabled:
            return
        self.train_button.disabled = True
        t0 = time.perf_counter()

        def work():
            runs = depth.depth_vs_width(TRAIN["problem"], TRAIN["deep_hidden"])
            return runs, depth.layer_maps(runs["deep"]["net"], image=TILE), time.perf_counter() - t0

        session.in_background(work, self._show_trained)

    def _show_trained(self, result):
        self.train_button.disabled = False
        if isinstance(result, Exception):
            self.trained.object = f"Training stopped: {esc(str(result)[:120])}"
            return
        runs, maps, self.train_seconds = result
        self.runs = runs
        wide, deep = runs["wide"], runs["deep"]
        with pn.io.hold():
            self.loss.data = {"epoch": wide["history"]["epoch"], "wide": wide["history"]["test_loss"],
                              "deep": deep["history"]["test_loss"]}
            for l, src in self.maps.items():
                src.data = tile_images(list(maps[l]))
            rows = "".join(
                f"<tr><td style='padding:3px 10px;color:{c}'><b>{name}</b> {esc(arch(r['sizes']))}</td>"
                f"<td style='padding:3px 10px;text-align:right'>{r['params']:,}</td>"
                f"<td style='padding:3px 10px;text-align:right'>{fmt(r['test_loss'])}</td>"
                f"<td style='padding:3px 10px;text-align:right'>{r['test_accuracy']:.1%}</td></tr>"
                for name, r, c in (("wide", wide, ACCENT), ("deep", deep, INK)))
            self.trained.object = (
                "<table style='border-collapse:collapse'><tr><th style='text-align:left;padding:3px 10px'>network"
                "</th><th style='padding:3px 10px'>parameters</th><th style='padding:3px 10px'>final test loss</th>"
                f"<th style='padding:3px 10px'>test accuracy</th></tr>{rows}</table>"
                f"<div style='color:{SUBTLE};font-size:calc(13px * var(--nnviz-scale, 1))'>Both: tanh, Adam, {len(wide['history']['epoch']) - 1} "
                f"epochs, same {TRAIN['problem']} data and seed; trained in {self.train_seconds:.2f} s.</div>")

    @property
    def counted(self) -> dict:
        return {k: v[0] for k, v in self.pieces.data.items()}

    def __panel__(self):
        k = pn.widgets.IntSlider.from_param(self.p.param.k, width=300)
        return pn.Column(
            pn.pane.HTML("<h3 style='margin:4px 0'>Depth vs width, counted</h3>", margin=(0, 10)),
            note("Each ReLU layer of 2 units can fold the line once (a tent map). Stacking k such layers folds "
                 "the folds: the pieces double with every layer. One layer with the same 2k units can only add "
                 "one kink per unit. The counts are read from the networks' outputs on 16,384 cells."),
            pn.Row(pn.Column(k, self.counts, width=330), self.table_fig),
            self.curve_fig,
            pn.pane.HTML("<h3 style='margin:4px 0'>Depth vs width, trained</h3>", margin=(0, 10)),
            pn.Row(self.trained, self.train_button),
            self.loss_fig,
            pn.pane.HTML("<h3 style='margin:4px 0'>Layers build on layers</h3>", margin=(0, 10)),
            note("The deep network's first layer can only draw straight edges across the plane; the second "
                 "combines them into bends and regions (blue positive, brown negative)."),
            self.map_figs[1], self.map_figs[2],
            self.strokes_button, self.strokes_text, self.strokes_fig,
            note("More pieces is capacity, not a guarantee: a deep network must still be trained well. "
                 "See the Pitfalls tab.", "pitfall"),
            sizing_mode="stretch_width")
