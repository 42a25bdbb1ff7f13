"""Training, live: TensorFlow-Playground-style problems, play/pause/step/reset, heatmaps and loss curves.

Settings live in a param object (no Panel); the view builds its figures once and, per frame, trains
several epochs, then sends only the changed columns in one message. While it trains, the main graph
shows the same network (its arrays are shared), so edge widths and colours follow the learning.
"""
from __future__ import annotations

import time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, LinearAxis, LinearColorMapper, LinearScale, Range1d
from bokeh.plotting import figure
from panel.io.state import set_curdoc

from . import datasets, training
from .layout import DIVERGING, alert_html, fmt

GRID = 50                     # heatmap resolution per axis
MAP_GRID = 25                 # resolution of each hidden neuron's small map
FRAME_MS = 50                 # one frame every 50 ms (20 frames per second)
FRAME_BUDGET = 0.025          # seconds of training per frame; epochs per frame adapt to fit
GRAPH_EVERY = 10              # frames between redraws of the network graph while another tab is open
PROBLEMS_2D = datasets.CLASSIFY_2D + datasets.REGRESS_2D


class TrainSettings(param.Parameterized):
    """What the student chooses before and during training (TensorFlow Playground's defaults)."""
    problem = param.Selector(default="circle", objects=list(PROBLEMS_2D))
    noise = param.Integer(default=0, bounds=(0, 50), doc="Label noise in percent.")
    train_pct = param.Integer(default=50, bounds=(10, 90), doc="Share of points used for training (%).")
    samples = param.Integer(default=500, bounds=(50, 2000))
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1))
    features = param.ListSelector(default=["x1", "x2"], objects=list(datasets.FEATURES))
    hidden = param.String(default="4,2", doc="Hidden layer widths, e.g. 4,2 (empty for none).")
    activation = param.Selector(default="tanh", objects=["tanh", "sigmoid", "relu", "gelu", "linear"])
    lr = param.Number(default=0.03, bounds=(1e-5, 10.0), doc="Learning rate.")
    batch_size = param.Integer(default=10, bounds=(1, 500))
    optimizer = param.Selector(default="sgd", objects=list(training.OPTIMIZERS))
    reg = param.Selector(default="none", objects=list(training.REGULARIZATIONS))
    reg_rate = param.Number(default=0.0, bounds=(0.0, 1.0))

    def hidden_sizes(self) -> tuple:
        parts = [p for p in self.hidden.replace(" ", ",").split(",") if p]
        try:
            sizes = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"hidden sizes {self.hidden[:30]!r} must be whole numbers like 4,2") from None
        if len(sizes) > 6 or any(not 1 <= n <= 16 for n in sizes):
            raise ValueError("use 0 to 6 hidden layers of 1 to 16 neurons for the 2-D problems")
        return sizes

    def build(self) -> training.Trainer:
        if not self.features:
            raise ValueError("choose at least one input feature")
        return training.build_trainer(
            self.problem, self.hidden_sizes(), activation=self.activation, optimizer=self.optimizer,
            lr=self.lr, batch_size=self.batch_size, reg=self.reg, reg_rate=self.reg_rate,
            noise=float(self.noise), train_pct=float(self.train_pct), n_samples=self.samples,
            features=list(self.features), seed=self.seed)


def grid_points(n: int = GRID) -> np.ndarray:
    """The (n*n, 2) points of the heatmap, row by row from the bottom."""
    lo, hi = datasets.DOMAIN_2D
    xs = np.linspace(lo, hi, n)
    X1, X2 = np.meshgrid(xs, xs)
    return np.column_stack([X1.ravel(), X2.ravel()])


class TrainingView(pn.viewable.Viewer):
    """The training tab of one session."""

    def __init__(self, app, **params):
        super().__init__(**params)
        self.app, self.settings = app, TrainSettings()
        self._grid, self._map_grid = grid_points(), grid_points(MAP_GRID)
        self._callback, self._epochs_per_frame, self._linked = None, 1, False
        self._frames, self._graph_stale = 0, False
        app.param.watch(self._on_view, "view")
        self.curve = ColumnDataSource(name="loss_curve", data={"epoch": [], "train": [], "test": [], "acc": []})
        self.heat = ColumnDataSource(name="heatmap", data={"image": [np.zeros((GRID, GRID))]})
        self.points = ColumnDataSource(name="train_points", data={"x": [], "y": [], "color": []})
        self.tests = ColumnDataSource(name="test_points", data={"x": [], "y": [], "color": []})
        self.mapper = LinearColorMapper(palette=DIVERGING, low=-1, high=1)
        self.status = pn.pane.HTML("", name="train_status", sizing_mode="stretch_width")
        self.message = pn.pane.HTML("", sizing_mode="stretch_width")
        self.maps = ColumnDataSource(name="neuron_maps", data={"image": [], "x": [], "y": [], "tx": [], "ty": [],
                                                               "label": []})
        self.focus, self._cells = None, []
        self._widgets()
        self._figures()
        self.rebuild()

    # --- layout ------------------------------------------------------------------------------

    def _widgets(self):
        s = self.settings
        self.play = pn.widgets.Toggle(label="▶ Play", color="primary", width=80, margin=(5, 2))
        self.step = pn.widgets.Button(label="Step", width=56, margin=(5, 2))
        self.reset = pn.widgets.Button(label="Reset", width=60, margin=(5, 2))
        self.regen = pn.widgets.Button(label="New data", width=78, margin=(5, 2))
        self.show_test = pn.widgets.Checkbox(label="show test points", value=False)
        self.discrete = pn.widgets.Checkbox(label="discretise output", value=False)
        self.play.param.watch(lambda e: self._set_playing(e.new), "value")
        self.step.on_click(lambda e: self.run_frames(1, epochs=1))
        self.reset.on_click(lambda e: self._reset())
        self.regen.on_click(lambda e: self.rebuild())
        self.show_test.param.watch(lambda e: setattr(self.test_renderer, "visible", e.new), "value")
        self.discrete.param.watch(lambda e: self._draw(), "value")
        structural = ["problem", "noise", "train_pct", "samples", "seed", "features", "hidden", "activation"]
        s.param.watch(lambda *_: self.rebuild(), structural)
        s.param.watch(self._tune, ["lr", "batch_size", "reg", "reg_rate", "optimizer"])
        self.controls = pn.Param(s, parameters=["problem", "noise", "train_pct", "samples", "seed", "features",
                                                "hidden", "activation", "lr", "batch_size", "optimizer", "reg",
                                                "reg_rate"], show_name=False, width=270,
                                 widgets={"features": pn.widgets.CheckBoxGroup, "noise": pn.widgets.IntSlider,
                                          "train_pct": pn.widgets.IntSlider,
                                          "lr": {"type": pn.widgets.FloatInput, "step": 0.01}})

    def _figures(self):
        lo, hi = datasets.DOMAIN_2D
        f = figure(name="train_heatmap", width=360, height=340, x_range=(lo, hi), y_range=(lo, hi),
                   title="Output over the input plane", tools="", toolbar_location=None)
        f.image("image", source=self.heat, x=lo, y=lo, dw=hi - lo, dh=hi - lo, color_mapper=self.mapper)
        f.scatter("x", "y", source=self.points, color="color", line_color="#333333", line_width=0.6, size=7)
        self.test_renderer = f.scatter("x", "y", source=self.tests, color="color", line_color="black",
                                       size=6, visible=False)
        f.xaxis.axis_label, f.yaxis.axis_label = "x1", "x2"
        c = figure(name="train_curves", width=360, height=230, tools="", toolbar_location=None, y_axis_type="log",
                   title="Loss: train ━ test ╍ · accuracy (green)")
        c.line("epoch", "train", source=self.curve, color="#1f3b57", line_width=2)
        c.line("epoch", "test", source=self.curve, color="#c0392b", line_width=2, line_dash="dashed")
        c.extra_y_ranges = {"acc": Range1d(0, 1.02)}
        c.extra_y_scales = {"acc": LinearScale()}
        c.add_layout(LinearAxis(y_range_name="acc", axis_label="accuracy"), "right")
        c.line("epoch", "acc", source=self.curve, y_range_name="acc", color="#2e8b57", line_width=2, alpha=0.8)
        c.xaxis.axis_label = "epoch"
        self.heat_fig, self.curve_fig = f, c
        m = figure(name="neuron_maps", width=200, height=200, tools="tap", toolbar_location=None,
                   x_range=(0, 1), y_range=(0, 1), min_border=4)
        m.image("image", source=self.maps, x="x", y="y", dw=1, dh=1, color_mapper=self.mapper)
        m.text("tx", "ty", text="label", source=self.maps, text_align="center", text_font_size="11px")
        m.axis.visible = False
        m.grid.visible = False
        m.outline_line_color = None
        self.maps.selected.on_change("indices", lambda attr, old, new: self._focus(new))
        self.maps_fig = m

    def __panel__(self):
        buttons = pn.Row(self.play, self.step, self.reset, self.regen)
        left = pn.Column(buttons, self.status, self.message, self.controls, width=290)
        middle = pn.Column(self.heat_fig, pn.Row(self.show_test, self.discrete), self.curve_fig)
        right = pn.Column(pn.pane.HTML("<b>Hidden neurons</b>: each one's output over the same plane;"
                                       " click one to enlarge it"), self.maps_fig,
                          pn.pane.HTML("To change a weight by hand, even while it trains, click its edge on "
                                       "the <b>Network</b> tab."), sizing_mode="stretch_width")
        return pn.Row(left, middle, right, sizing_mode="stretch_width")

    # --- model -------------------------------------------------------------------------------

    def rebuild(self):
        """New data and network from the settings (a structural change); training stops."""
        self.play.value = False
        try:
            self.trainer = self.settings.build()
        except ValueError as exc:
            self.message.object = alert_html(str(exc))
            return
        self.message.object = ""
        t, d = self.trainer, self.trainer.data
        colour = lambda y: np.where(np.asarray(y) > 0, DIVERGING[-30], DIVERGING[30]).tolist()
        with pn.io.hold():
            self.points.data = {"x": d.X_train[:, 0], "y": d.X_train[:, 1], "color": colour(d.y_train)}
            self.tests.data = {"x": d.X_test[:, 0], "y": d.X_test[:, 1], "color": colour(d.y_test)}
            self._build_neuron_maps()
            self._linked = False
            self._draw(restart_curve=True)
        self._epochs_per_frame = 1
        return t

    def _tune(self, *events):
        """Learning settings apply to the running trainer between epochs (no restart)."""
        for e in events:
            try:
                if e.name == "optimizer":
                    self.trainer.optimizer = training.make_optimizer(e.new, self.settings.lr)
                else:
                    setattr(self.trainer, e.name, e.new)
            except ValueError as exc:
                self.message.object = alert_html(str(exc))

    def _reset(self):
        self.play.value = False
        self.trainer.rewind()
        self._draw(restart_curve=True)

    def _link_graph(self):
        """Show the trained network on the main graph (once per network; arrays are shared).

        The graph is redrawn every frame while its tab is open; otherwise only every
        GRAPH_EVERY-th frame and when its tab opens, which keeps the browser free for the maps."""
        if not self._linked:
            x = self.trainer.X_train[0]
            self.app.state.set_network(self.trainer.net, x=np.clip(x, -10, 10).tolist())
            self._linked, self._graph_stale = True, False
            return
        if self.app.state.network is not self.trainer.net:
            return                      # the graph shows another network now (sidebar, digits)
        self._frames += 1
        if self.app.view == "network" or self._frames % GRAPH_EVERY == 0:
            self.app.state.weights_changed()
            self._graph_stale = False
        else:
            self._graph_stale = True

    def _on_view(self, event):
        if event.new == "network" and self._graph_stale and self.app.state.network is self.trainer.net:
            self.app.state.weights_changed()
            self._graph_stale = False

    # --- frames ------------------------------------------------------------------------------

    def run_frames(self, frames: int = 1, epochs: int | None = None):
        """Train `frames` frames (each several epochs, or exactly `epochs`) and redraw once per frame."""
        for _ in range(frames):
            k = epochs or self._epochs_per_frame
            t0 = time.perf_counter()
            self.trainer.run(k, record_every=k)
            spent = max(time.perf_counter() - t0, 1e-6)
            if epochs is None:
                self._epochs_per_frame = int(np.clip(k * FRAME_BUDGET / spent, 1, 200))
            with pn.io.hold():
                self._draw()
                if not self.trainer.diverged:
                    self._link_graph()
            if self.trainer.diverged:
                self.play.value = False
                self.message.object = alert_html("The loss became infinite: lower the learning rate and "
                                                 "press Reset.")
                break

    def _set_playing(self, playing: bool):
        """Start or stop this session's frame timer (a Bokeh periodic callback on its own document)."""
        self.play.label = "❚❚ Pause" if playing else "▶ Play"
        doc = pn.state.curdoc
        if playing and self._callback is None and doc is not None and doc.session_context:
            def tick():
                with set_curdoc(doc):
                    self.run_frames(1)
            self._callback = (doc, doc.add_periodic_callback(tick, FRAME_MS))
        elif not playing and self._callback is not None:
            owner, cb = self._callback
            self._callback = None
            try:
                owner.remove_periodic_callback(cb)
            except ValueError:          # already gone with its session
                pass

    # --- drawing -----------------------------------------------------------------------------

    def _draw(self, restart_curve: bool = False):
        t = self.trainer
        trace = t.net.forward(t.inputs(self._grid))
        self._draw_heat(trace)
        if self._cells:
            small = t.net.forward(t.inputs(self._map_grid))
            self.maps.data.update(image=[small.a[l][:, u].reshape(MAP_GRID, MAP_GRID).astype(np.float32)
                                         for l, u in self._cells])
        h = t.history
        accs = h.get("test_accuracy") or [float("nan")] * len(h["epoch"])    # regression: no accuracy
        if restart_curve:
            self.curve.data = {"epoch": list(h["epoch"]), "train": list(h["train_loss"]),
                               "test": list(h["test_loss"]), "acc": list(accs)}
        else:
            self.curve.stream({"epoch": [h["epoch"][-1]], "train": [h["train_loss"][-1]],
                               "test": [h["test_loss"][-1]], "acc": [accs[-1]]}, rollover=2000)
        acc = f" · test accuracy <b>{h['test_accuracy'][-1]:.0%}</b>" if t.classification else ""
        self.status.object = (f'<div class="train-status">Epoch <b class="epoch">{t.epoch}</b> · '
                              f'train loss <b class="train-loss">{fmt(h["train_loss"][-1], 4)}</b> · '
                              f'test loss <b class="test-loss">{fmt(h["test_loss"][-1], 4)}</b>{acc}</div>')

    def _draw_heat(self, trace):
        """The big map: the output (or the neuron picked below) over the input plane."""
        if self.focus is None:
            out, title = trace.output[:, 0], "Output over the input plane"
        else:
            l, u = self.focus
            out, title = trace.a[l][:, u], f"Hidden neuron H{l}.{u} over the input plane (click it again: output)"
        if self.discrete.value and self.focus is None:
            out = np.where(out >= (0.5 if self.trainer.net.output == "sigmoid" else 0.0), 1.0, -1.0)
        self.heat.data.update(image=[out.reshape(GRID, GRID).astype(np.float32)])   # float32 halves the bytes
        self.heat_fig.title.text = title

    def _build_neuron_maps(self):
        """Every hidden neuron's map in one figure, one column per layer (rebuilt on a structural change)."""
        sizes = self.trainer.net.sizes
        cells = [(l, u) for l in range(1, len(sizes) - 1) for u in range(sizes[l])]
        self._cells = cells
        rows = max(sizes[1:-1], default=1)
        self.maps.data = {"image": [np.zeros((MAP_GRID, MAP_GRID), dtype=np.float32)] * len(cells),
                          "x": [1.15 * (l - 1) for l, _ in cells], "y": [-1.3 * u for _, u in cells],
                          "tx": [1.15 * (l - 1) + 0.5 for l, _ in cells], "ty": [-1.3 * u + 1.02 for _, u in cells],
                          "label": [f"H{l}.{u}" for l, u in cells]}
        layers = max(len(sizes) - 2, 1)
        self.maps_fig.x_range.update(start=-0.1, end=1.15 * layers)
        self.maps_fig.y_range.update(start=-1.3 * (rows - 1) - 0.1, end=1.3)
        self.maps_fig.height = int(40 + 80 * rows)
        self.maps_fig.width = int(20 + 80 * layers)
        self.focus = None

    def _focus(self, indices):
        """Clicking a neuron's map shows it enlarged in the big heatmap (click again for the output)."""
        if not indices or indices[0] >= len(self._cells):
            return                      # clearing the selection below calls back with []
        cell = self._cells[indices[0]]
        self.focus = None if cell == self.focus else cell
        self.maps.selected.indices = []
        self._draw_heat(self.trainer.net.forward(self.trainer.inputs(self._grid)))
