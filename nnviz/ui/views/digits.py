"""Handwritten digits: the session's network trained on scikit-learn's 8x8 digits; draw one, see it classified.

The drawn image IS the network's input x (64 pixels), so the sidebar, the graph and the forward pass
follow it layer by layer. A network that is not 64-…-10 with softmax is not replaced silently: the
tab offers the Digits tab's own 64-32-10 network.
"""
from __future__ import annotations

import html
import time

import numpy as np
import panel as pn
from bokeh import events
from bokeh.models import ColumnDataSource, CustomJS

from ...core import datasets, training
from ...encode.colours import GRID, MUTED, POS_COLOUR, grey
from ...encode.labels import arch
from .. import session
from ..figures import bare, fig
from ..parts import alert_html

SIDE = 8
PIXELS = SIDE * SIDE
SETTINGS = training.DIGITS


class DigitsView(pn.viewable.Viewer):
    """An 8x8 drawing grid (the input), the training button and the softmax bars."""

    key = "digits"

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state = state
        self.accuracy = None
        self._test_images = None
        cells = np.arange(PIXELS)
        self.grid = ColumnDataSource(name="digit_grid", data={
            "x": (cells % SIDE).astype(float), "y": (SIDE - 1 - cells // SIDE).astype(float),
            "v": np.zeros(PIXELS), "color": grey(np.zeros(PIXELS))})
        self.probs = ColumnDataSource(name="digit_probs", data={"digit": [str(k) for k in range(10)],
                                                                "p": np.zeros(10), "color": [MUTED] * 10})
        self.train_button = pn.widgets.Button(label="Train the digits network", color="primary")
        self.adapt = pn.widgets.Button(label="Use the 64-32-10 digits network", color="primary")
        self.clear = pn.widgets.Button(label="Clear")
        self.example = pn.widgets.Button(label="Load a test image")
        self.pen = pn.widgets.RadioButtonGroup(options=["draw", "erase"], value="draw")
        self.status = pn.pane.HTML("", sizing_mode="stretch_width", name="digit_status")
        self.prediction = pn.pane.HTML("", name="digit_prediction", sizing_mode="stretch_width")
        self.train_button.on_click(lambda e: self.train())
        self.adapt.on_click(lambda e: self.use_digits_network())
        self.clear.on_click(lambda e: self.set_image(np.zeros(PIXELS)))
        self.example.on_click(lambda e: self.load_example())
        self._example_index = 0
        self.canvas, self.bars = self._figures()
        state.param.watch(lambda *_: self.refresh(), ["trace"])
        self.refresh()

    def _figures(self):
        c = bare(name="digit_canvas", width=300, height=300, x_range=(-0.5, 7.5), y_range=(-0.5, 7.5),
                 title="Press and drag to draw (8×8 pixels)")
        c.rect("x", "y", 0.96, 0.96, source=self.grid, fill_color="color", line_color=GRID,
               nonselection_fill_alpha=1.0, selection_fill_alpha=1.0, selection_line_color=GRID)
        # A pen: a tap or a press-and-drag sends each newly entered cell to the server, one change per
        # cell, so quick clicks are all kept and a drag paints a stroke.
        self.pen_source = ColumnDataSource(name="digit_pen", data={"cell": [], "n": []})
        pen = CustomJS(args=dict(src=self.pen_source), code="""
            const col = Math.round(cb_obj.x), row = 7 - Math.round(cb_obj.y);
            if (col < 0 || col > 7 || row < 0 || row > 7) return;
            const cell = row * 8 + col;
            const kind = cb_obj.event_name;
            const click = kind === 'tap' || kind === 'doubletap';   // two quick clicks arrive as a double tap
            if (!click && src._last_cell === cell && src._stroke === true) return;
            src._last_cell = cell; src._stroke = !click;
            const n = (src.data.n.length ? src.data.n[0] : 0) + 1;
            src.data = {cell: [cell], n: [n]};""")
        for ev in (events.Tap, events.DoubleTap, events.PanStart, events.Pan):
            c.js_on_event(ev, pen)
        c.js_on_event(events.PanEnd, CustomJS(args=dict(src=self.pen_source), code="src._stroke = false;"))
        self.pen_source.on_change("data", lambda attr, old, new: self.paint(new.get("cell", [])))
        b = fig(name="digit_bars", width=330, height=300, x_range=[str(k) for k in range(10)],
                y_range=(0, 1), title="Softmax: probability of each digit")
        b.vbar("digit", top="p", width=0.8, source=self.probs, color="color")
        b.xaxis.axis_label = "digit"
        return c, b

    def __panel__(self):
        left = pn.Column(self.adapt, self.train_button, self.status, pn.Row(self.pen, self.clear), self.example,
                         width=300)
        return pn.Row(left, self.canvas, pn.Column(self.prediction, self.bars), sizing_mode="stretch_width")

    # --- the network ------------------------------------------------------------------------------

    @property
    def fits(self) -> bool:
        return training.fits(self.state.network, "digits") == ""

    def use_digits_network(self):
        """Install the Digits tab's 64-32-10 network (untrained), keeping the drawn image as its input."""
        net = training.network_for("digits", SETTINGS["hidden"], SETTINGS["activation"])
        image = self.image()
        self.state.install(net, image, preset="custom", custom_weights=True)
        self.state.message = "The network is now the untrained 64-32-10 digits network: press Train."

    def train(self):
        """Train the session's network on the digits (tanh, softmax, SGD 0.1, batch 32) and show its accuracy.

        The training runs off the server's event loop (other pages keep answering) on a copy of the
        network; its weights are installed when it is done. The button waits meanwhile."""
        if self.train_button.disabled:
            return
        if not self.fits:
            self.use_digits_network()
        t0 = time.perf_counter()
        start = self.state.network.copy()
        self.train_button.disabled = True
        self.status.object = f"Training {SETTINGS['epochs']} epochs…"

        def work():
            trainer = training.build_trainer("digits", net=start, lr=SETTINGS["lr"],
                                             batch_size=SETTINGS["batch_size"])
            trainer.run(SETTINGS["epochs"], record_every=SETTINGS["epochs"])
            return trainer

        session.in_background(work, lambda result: self._trained(result, start, time.perf_counter() - t0))

    def _trained(self, result, start, seconds: float):
        self.train_button.disabled = False
        if isinstance(result, Exception):
            self.status.object = f"Training stopped: {html.escape(str(result)[:120])}"
            return
        net = self.state.network
        if (net.sizes, net.activations, net.output) != (start.sizes, start.activations, start.output):
            self.status.object = "The network changed while it trained: press Train again."
            return
        trainer = result
        self.accuracy = trainer.history["test_accuracy"][-1]
        self._test_images = trainer.data.X_test
        for mine, trained in zip([*net.W, *net.b], [*trainer.net.W, *trainer.net.b]):
            mine[...] = trained
        self.state.weights_changed()
        self.status.object = (f"Trained {SETTINGS['epochs']} epochs in {seconds:.1f} s: "
                              f"test accuracy <b class='digits-accuracy'>{self.accuracy:.1%}</b> on "
                              f"{len(trainer.Y_test)} images it never saw.")

    # --- the image is the input ---------------------------------------------------------------------

    def image(self) -> np.ndarray:
        return np.asarray(self.grid.data["v"], dtype=float)

    def set_image(self, v):
        """Draw v (64 values in 0..1) and, when the network takes 64 pixels, make it the input."""
        v = np.clip(np.asarray(v, dtype=float), 0.0, 1.0)
        if self.fits:
            self.state.set_input(v)          # refresh() redraws from the state
        else:
            self.grid.data.update(v=v, color=grey(v))

    def load_example(self):
        """Show the next test image of the data set (pixels already scaled to 0..1)."""
        if self._test_images is None:
            self._test_images = datasets.make_dataset("digits").X_test
        X = self._test_images
        self.set_image(X[self._example_index % len(X)])
        self._example_index += 1

    def paint(self, cells):
        """Ink (or erase, with the eraser) the given cells; anything outside the grid is ignored."""
        v = self.image().copy()
        for i in cells:
            if isinstance(i, (int, np.integer)) and 0 <= i < PIXELS:
                v[int(i)] = 1.0 if self.pen.value == "draw" else 0.0
        self.set_image(v)

    def refresh(self):
        """Grid, bars and texts from the state's network and input."""
        fits = self.fits
        self.adapt.visible = not fits
        with pn.io.hold():
            if not fits:
                self.status.object = alert_html(
                    f"The current network ({arch(self.state.network.sizes)}) does not take 8×8 "
                    "images: the digits need 64 inputs and 10 softmax outputs. The button above installs one.")
                self.prediction.object = ""
                self.probs.data.update(p=np.zeros(10), color=[MUTED] * 10)
                return
            if self.accuracy is None:
                self.status.object = "Press <b>Train</b> (a few seconds), then draw a digit."
            x = np.clip(np.asarray(self.state.x, dtype=float), 0.0, 1.0)
            self.grid.data.update(v=x, color=grey(x))
            p = np.nan_to_num(np.asarray(self.state.trace.output, dtype=float))
            k = int(np.argmax(p))
            self.probs.data.update(p=p, color=[POS_COLOUR if i == k else MUTED for i in range(10)])
            self.prediction.object = (f'<div style="font-size:calc(18px * var(--nnviz-scale, 1))">Prediction: <b class="digit-class">{k}</b> '
                                      f'with probability <b>{float(p[k]):.1%}</b></div>')
