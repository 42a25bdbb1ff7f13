"""Handwritten digits: train a 64-32-10 network on scikit-learn's 8x8 digits, draw one, see it classified.

The drawn image is also the main graph's input, so the activations can be followed layer by layer.
"""
from __future__ import annotations

import time

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, TapTool
from bokeh.plotting import figure

from . import training

EPOCHS = 30
SIDE = 8


class DigitsView(pn.viewable.Viewer):
    """An 8x8 drawing grid, a trained digit classifier and its softmax bars."""

    def __init__(self, app, **params):
        super().__init__(**params)
        self.app = app
        self.trainer = None
        cells = np.arange(SIDE * SIDE)
        self.grid = ColumnDataSource(name="digit_grid", data={
            "x": (cells % SIDE).astype(float), "y": (SIDE - 1 - cells // SIDE).astype(float),
            "v": np.zeros(SIDE * SIDE), "color": ["#ffffff"] * (SIDE * SIDE)})
        self.probs = ColumnDataSource(name="digit_probs", data={"digit": [str(k) for k in range(10)],
                                                                "p": np.zeros(10), "color": ["#9aa5b1"] * 10})
        self.train_button = pn.widgets.Button(label="Train the digits network", color="primary")
        self.clear = pn.widgets.Button(label="Clear")
        self.example = pn.widgets.Button(label="Load a test image")
        self.pen = pn.widgets.RadioButtonGroup(options=["draw", "erase"], value="draw")
        self.status = pn.pane.HTML("Press <b>Train</b> first (a few seconds), then draw a digit.",
                                   sizing_mode="stretch_width")
        self.prediction = pn.pane.HTML("", name="digit_prediction", sizing_mode="stretch_width")
        self.train_button.on_click(lambda e: self.train())
        self.clear.on_click(lambda e: self.set_image(np.zeros(SIDE * SIDE)))
        self.example.on_click(lambda e: self.load_example())
        self._example_index = 0
        self.canvas, self.bars = self._figures()

    def _figures(self):
        c = figure(name="digit_canvas", width=300, height=300, x_range=(-0.5, 7.5), y_range=(-0.5, 7.5),
                   tools="", toolbar_location=None, title="Click cells to draw (8×8 pixels)")
        r = c.rect("x", "y", 0.96, 0.96, source=self.grid, fill_color="color", line_color="#cccccc",
                   nonselection_fill_alpha=1.0, selection_fill_alpha=1.0, selection_line_color="#cccccc")
        c.add_tools(TapTool(renderers=[r]))
        c.axis.visible = False
        c.grid.visible = False
        self.grid.selected.on_change("indices", lambda attr, old, new: self._tapped(new))
        b = figure(name="digit_bars", width=330, height=300, x_range=[str(k) for k in range(10)],
                   y_range=(0, 1), tools="", toolbar_location=None, title="Softmax: probability of each digit")
        b.vbar("digit", top="p", width=0.8, source=self.probs, color="color")
        b.xaxis.axis_label = "digit"
        return c, b

    def __panel__(self):
        left = pn.Column(self.train_button, self.status, pn.Row(self.pen, self.clear), self.example, width=300)
        return pn.Row(left, self.canvas, pn.Column(self.prediction, self.bars), sizing_mode="stretch_width")

    def train(self):
        """Train 64-32-10 (tanh, softmax, SGD 0.1, batch 32) and show its test accuracy."""
        t0 = time.perf_counter()
        self.trainer = training.build_trainer("digits", (32,), activation="tanh", lr=0.1, batch_size=32, seed=0)
        self.trainer.run(EPOCHS, record_every=EPOCHS)
        acc = self.trainer.history["test_accuracy"][-1]
        self.accuracy = acc
        self.status.object = (f"Trained {EPOCHS} epochs in {time.perf_counter() - t0:.1f} s: "
                              f"test accuracy <b class='digits-accuracy'>{acc:.1%}</b> on "
                              f"{len(self.trainer.Y_test)} images it never saw.")
        self.app.state.set_network(self.trainer.net, x=self.image().tolist())
        self._predict()

    def image(self) -> np.ndarray:
        return np.asarray(self.grid.data["v"], dtype=float)

    def set_image(self, v):
        v = np.clip(np.asarray(v, dtype=float), 0.0, 1.0)
        grey = np.round(255 * (1.0 - v)).astype(int)          # ink on paper: 1 is black, 0 is white
        self.grid.data.update(v=v, color=[f"#{g:02x}{g:02x}{g:02x}" for g in grey])
        self._predict()

    def load_example(self):
        """Show the next test image of the data set (pixels already scaled to 0..1)."""
        if self.trainer is None:
            self.train()
        X = self.trainer.data.X_test
        self.set_image(X[self._example_index % len(X)])
        self._example_index += 1

    def _tapped(self, indices):
        if not indices:
            return
        v = self.image().copy()
        v[indices[0]] = 1.0 if self.pen.value == "draw" else 0.0
        self.grid.selected.indices = []
        self.set_image(v)

    def _predict(self):
        if self.trainer is None:
            return
        net = self.trainer.net
        if self.app.state.network is net:
            self.app.state.set_input(self.image())
        p = net(self.image())
        k = int(np.argmax(p))
        with pn.io.hold():
            self.probs.data.update(p=p, color=["#1f77b4" if i == k else "#9aa5b1" for i in range(10)])
            self.prediction.object = (f'<div style="font-size:18px">Prediction: <b class="digit-class">{k}</b> '
                                      f'with probability <b>{float(p[k]):.1%}</b></div>')
