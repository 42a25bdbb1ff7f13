"""What a 2-D network computes over its input plane: the output heatmap and one small map per hidden neuron.

Figures are built once per session; each frame sends only the image columns (float32, the output on a
GRID x GRID lattice, each neuron on a coarser MAP x MAP one). A structural change (new architecture)
replaces the neuron-map rows and resizes that figure. Clicking a small map enlarges it beside.
Imports layout constants and datasets only from nnviz; never trains anything.
"""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, LinearColorMapper, TapTool
from bokeh.plotting import figure

from . import datasets
from .layout import DIVERGING, layer_names

GRID = 50                  # output heatmap cells per axis
MAP = 25                   # neuron map cells per axis (GRID / 2: 2x2 blocks of the grid are averaged)
CELL = 58                  # pixels per small neuron map
GAP = 1.15                 # spacing of the small maps in their own units (a map is 1 x 1)


def grid_points(n: int = GRID) -> np.ndarray:
    """Cell centres of an n x n lattice over the 2-D domain, row by row from the bottom (x1 fastest)."""
    lo, hi = datasets.DOMAIN_2D
    xs = lo + (np.arange(n) + 0.5) * (hi - lo) / n
    X1, X2 = np.meshgrid(xs, xs)
    return np.column_stack([X1.ravel(), X2.ravel()])


def coarse(values: np.ndarray) -> np.ndarray:
    """GRID*GRID values -> a MAP x MAP float32 image by averaging 2 x 2 blocks."""
    k = GRID // MAP
    return values.reshape(MAP, k, MAP, k).mean(axis=(1, 3)).astype(np.float32)


def hidden_range(activation: str) -> tuple:
    """Colour range of a hidden neuron's map: its activation's range, clipped to [-1, 1] like the Playground."""
    return (0.0, 1.0) if activation in ("sigmoid", "relu") else (-1.0, 1.0)


class PlaneView(pn.viewable.Viewer):
    """Output heatmap with the data points, small maps of every hidden neuron, one map enlarged."""

    def __init__(self, **params):
        super().__init__(**params)
        lo, hi = datasets.DOMAIN_2D
        self.grid = grid_points()
        self.heat = ColumnDataSource(name="heatmap", data={"image": [np.zeros((GRID, GRID), np.float32)]})
        self.train_pts = ColumnDataSource(name="train_points", data={"x": [], "y": [], "label": []})
        self.test_pts = ColumnDataSource(name="test_points", data={"x": [], "y": [], "label": []})
        self.maps = ColumnDataSource(name="neuron_maps", data=self._map_rows((2, 1, 1)))
        self.focus = ColumnDataSource(name="neuron_focus", data={"image": [np.zeros((GRID, GRID), np.float32)]})
        self.out_mapper = LinearColorMapper(palette=DIVERGING, low=-1, high=1)
        self.hid_mapper = LinearColorMapper(palette=DIVERGING, low=-1, high=1)
        self.show_test = pn.widgets.Checkbox(name="show test points", value=False, margin=(0, 8))
        self.discrete = pn.widgets.Checkbox(name="discretise output", value=False, margin=(0, 8))
        self.heat_fig = self._heat_figure(lo, hi)
        self.maps_fig, self.focus_fig = self._map_figures(lo, hi)
        self.show_test.param.watch(lambda e: setattr(self.test_renderer, "visible", e.new), "value")
        self.maps.selected.on_change("indices", lambda attr, old, new: self._pick(new))
        self._focus_row, self._last = 0, None

    def __panel__(self):
        return pn.Column(self.heat_fig, pn.Row(self.show_test, self.discrete))

    def neuron_panel(self):
        return pn.Row(self.maps_fig, self.focus_fig, sizing_mode="stretch_width")

    # --- build once ---------------------------------------------------------------------------

    def _heat_figure(self, lo, hi):
        f = figure(name="train_heatmap", width=310, height=300, x_range=(lo, hi), y_range=(lo, hi),
                   tools="", toolbar_location=None, title="Network output over the input plane")
        f.image("image", source=self.heat, x=lo, y=lo, dw=hi - lo, dh=hi - lo, color_mapper=self.out_mapper)
        f.scatter("x", "y", source=self.train_pts, size=6, line_color="white", line_width=1,
                  fill_color={"field": "label", "transform": self.out_mapper})
        self.test_renderer = f.scatter("x", "y", source=self.test_pts, size=6, line_color="black", line_width=1,
                                       fill_color={"field": "label", "transform": self.out_mapper}, visible=False)
        f.xaxis.axis_label, f.yaxis.axis_label = "x1", "x2"
        f.min_border = 4
        return f

    def _map_figures(self, lo, hi):
        m = figure(name="neuron_maps_fig", tools="", toolbar_location=None, title="Hidden neurons (click one)",
                   x_range=(-0.1, 1.1), y_range=(-0.1, 1.1), frame_width=CELL, frame_height=CELL, min_border=2)
        m.image("image", x="x", y="y", dw=1, dh=1, source=self.maps, color_mapper=self.hid_mapper)
        boxes = m.rect("cx", "cy", 1, 1, source=self.maps, fill_alpha=0, line_color="#d7263d", line_width=3,
                       line_alpha=0, selection_line_alpha=1, nonselection_line_alpha=0, selection_fill_alpha=0,
                       nonselection_fill_alpha=0)
        m.text("cx", "ty", text="label", source=self.maps, text_align="center", text_baseline="bottom",
               text_font_size="10px", text_color="#333333")
        m.add_tools(TapTool(renderers=[boxes]), HoverTool(renderers=[boxes], tooltips=[("", "@name")]))
        m.axis.visible = m.grid.visible = False
        m.outline_line_color = None
        f = figure(name="neuron_focus_fig", width=190, height=190, x_range=(lo, hi), y_range=(lo, hi),
                   tools="", toolbar_location=None, title="", min_border=2)
        f.image("image", source=self.focus, x=lo, y=lo, dw=hi - lo, dh=hi - lo, color_mapper=self.hid_mapper)
        f.axis.major_label_text_font_size = "9px"
        f.title.text_font_size = "12px"
        return m, f

    @staticmethod
    def _map_rows(sizes) -> dict:
        """One row per hidden neuron: layer l in column l-1, unit u in row u from the top."""
        L = len(sizes) - 1
        layer = [l for l in range(1, L) for _ in range(sizes[l])]
        unit = [u for l in range(1, L) for u in range(sizes[l])]
        x = [(l - 1) * GAP for l in layer]
        y = [-u * GAP for u in unit]
        names = layer_names(L)
        return {"image": [np.zeros((MAP, MAP), np.float32) for _ in layer], "x": x, "y": y,
                "cx": [v + 0.5 for v in x], "cy": [v + 0.5 for v in y], "ty": [v + 1.02 for v in y],
                "layer": layer, "unit": unit, "label": [f"{l}.{u}" for l, u in zip(layer, unit)],
                "name": [f"{names[l]}, neuron {u}" for l, u in zip(layer, unit)]}

    # --- structural change --------------------------------------------------------------------

    def set_problem(self, trainer):
        """New data or architecture: points, neuron-map rows, figure size and colour ranges."""
        d, net = trainer.data, trainer.net
        self.train_pts.data = {"x": d.X_train[:, 0], "y": d.X_train[:, 1], "label": np.asarray(d.y_train, float)}
        self.test_pts.data = {"x": d.X_test[:, 0], "y": d.X_test[:, 1], "label": np.asarray(d.y_test, float)}
        rows = self._map_rows(net.sizes)
        self.maps.selected.indices = []
        self.maps.data = rows
        cols, height = max(net.L - 1, 1), max(net.sizes[1:-1], default=1)
        self.maps_fig.update(frame_width=int(CELL * (cols * GAP)), frame_height=int(CELL * (height * GAP + 0.1)))
        self.maps_fig.x_range.update(start=-0.05, end=(cols - 1) * GAP + 1.05)
        self.maps_fig.y_range.update(start=-(height - 1) * GAP - 0.05, end=1.3)
        lo, hi = hidden_range(net.activations[0] if net.activations else "tanh")
        self.hid_mapper.update(low=lo, high=hi)
        lo, hi = (0.0, 1.0) if net.output == "sigmoid" else (-1.0, 1.0)
        self.out_mapper.update(low=lo, high=hi)
        self.focus_fig.visible = self.maps_fig.visible = bool(rows["layer"])
        self._focus_row = 0
        self._set_focus_title()

    # --- per frame ----------------------------------------------------------------------------

    def draw(self, trainer):
        """Forward the grid once; send the output image, the small maps and the enlarged one."""
        net = trainer.net
        with np.errstate(over="ignore", invalid="ignore"):
            trace = net.forward(trainer.inputs(self.grid))
        self._last = trace
        out = trace.output[:, 0]
        if self.discrete.value:
            out = np.where(out >= (0.5 if net.output == "sigmoid" else 0.0), 1.0, -1.0)
        self.heat.data.update(image=[out.reshape(GRID, GRID).astype(np.float32)])
        rows = self.maps.data
        if rows["layer"]:
            self.maps.data.update(image=[coarse(trace.a[l][:, u]) for l, u in zip(rows["layer"], rows["unit"])])
            self._draw_focus()
        return trace

    def _draw_focus(self):
        rows, i = self.maps.data, self._focus_row
        if self._last is not None and i < len(rows["layer"]):
            a = self._last.a[rows["layer"][i]][:, rows["unit"][i]]
            self.focus.data.update(image=[a.reshape(GRID, GRID).astype(np.float32)])

    def _pick(self, indices):
        if indices and indices[0] < len(self.maps.data["layer"]):
            self._focus_row = int(indices[0])
            self._set_focus_title()
            self._draw_focus()

    def _set_focus_title(self):
        names = self.maps.data["name"]
        self.focus_fig.title.text = names[self._focus_row] if names else ""
