"""Training, live: a TensorFlow-Playground-style tab that trains a network and shows every number move.

TrainSettings (param, no Panel) holds what the student picks. TrainingView builds its figures once;
while playing, a per-session periodic callback runs frames: each frame trains k epochs (k adapts so
the training stays within FRAME_BUDGET), then sends the changed columns in one message. The main
graph shows the same network (arrays shared), so its edges follow the learning. Digits live in a
sub-tab (digits_view), the hand weight editor in weight_editor.
"""
from __future__ import annotations

import html
import time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from . import datasets, training
from .layout import fmt
from .plane_view import PlaneView

FRAME_MS = 50                 # one frame every 50 ms: 20 frames per second
FRAME_BUDGET = 0.025          # seconds of training per frame; epochs per frame adapt to it
MAX_EPOCHS_PER_FRAME = 500
CURVE_ROWS = 3000             # rows kept in the browser's curve source (one row per frame)
FEATURE_LABELS = {"x1": "x1", "x2": "x2", "x1²": "x1^2", "x2²": "x2^2", "x1·x2": "x1*x2",
                  "sin x1": "sin(x1)", "sin x2": "sin(x2)"}
LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]   # the Playground's
REG_RATES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
STRUCTURAL = ["problem", "noise", "train_pct", "samples", "seed", "features", "hidden", "activation"]
LEARNING = ["lr", "batch_size", "optimizer", "reg", "reg_rate"]
CURVE_COLUMNS = {"epoch": "epoch", "train": "train_loss", "test": "test_loss", "train_acc": "train_accuracy",
                 "test_acc": "test_accuracy"}


class TrainSettings(param.Parameterized):
    """One session's training choices; the defaults are TensorFlow Playground's."""

    problem = param.Selector(default="circle", objects=list(datasets.CLASSIFY_2D + datasets.REGRESS_2D))
    noise = param.Integer(default=0, bounds=(0, 50), doc="Label noise, percent.")
    train_pct = param.Integer(default=50, bounds=(10, 90), doc="Share of the points trained on, percent.")
    samples = param.Selector(default=500, objects=[100, 200, 500, 1000, 2000], doc="Points generated.")
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), doc="Seed of the weights and the shuffles.")
    data_seed = param.Integer(default=0, bounds=(0, 2**31 - 1), doc="Seed of the data ('New data' adds 1).")
    features = param.ListSelector(default=["x1", "x2"], objects=FEATURE_LABELS, doc="Input columns.")
    hidden = param.String(default="4,2", doc="Hidden layer widths, e.g. 4,2 (empty: no hidden layer).")
    activation = param.Selector(default="tanh", objects=["tanh", "relu", "sigmoid", "gelu", "linear"])
    lr = param.Selector(default=0.03, objects=LEARNING_RATES, doc="Learning rate.")
    batch_size = param.Integer(default=10, bounds=(1, 100))
    optimizer = param.Selector(default="sgd", objects=list(training.OPTIMIZERS))
    reg = param.Selector(default="none", objects=list(training.REGULARIZATIONS), doc="Regularisation.")
    reg_rate = param.Selector(default=0.0, objects=REG_RATES, doc="Regularisation rate.")

    def hidden_sizes(self) -> tuple:
        """Widths from '4,2'; the Playground's limits (0..6 layers of 1..8 neurons) keep maps readable."""
        parts = [p for p in self.hidden.replace(" ", ",").split(",") if p]
        try:
            sizes = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"hidden sizes {self.hidden[:30]!r} must be whole numbers like 4,2") from None
        if len(sizes) > 6 or any(not 1 <= n <= 8 for n in sizes):
            raise ValueError("use 0 to 6 hidden layers of 1 to 8 neurons each, e.g. 4,2")
        return sizes

    def build(self) -> training.Trainer:
        """Data (data_seed), network and shuffles (seed) from the settings; ValueError says what to fix."""
        if not self.features:
            raise ValueError("tick at least one input feature")
        output, loss, feats, n_in, n_out = training.resolve(self.problem, features=list(self.features))
        data = datasets.make_dataset(self.problem, self.samples, self.noise, self.train_pct, seed=self.data_seed)
        sizes = (n_in, *self.hidden_sizes(), n_out)
        net = training.init_network(sizes, self.activation, output, "playground",
                                    rng=training.seed_streams(self.seed)[0])
        return training.Trainer(net, data, features=feats, loss=loss, optimizer=self.optimizer, lr=self.lr,
                                batch_size=self.batch_size, reg=self.reg, reg_rate=self.reg_rate, seed=self.seed)


class TrainingView(pn.viewable.Viewer):
    """The Training tab of one session: controls, the loop, the plane, the curves, digits."""

    def __init__(self, app, **params):
        super().__init__(**params)
        self.app, self.settings = app, TrainSettings()
        self.trainer, self._callback, self._k, self._rate, self._t_last = None, None, 1, 0.0, None
        self._link = True               # the next frame installs our network on the main graph
        self.plane = PlaneView()
        self.curve = ColumnDataSource(name="loss_curve", data=self._curve_rows({}))
        self.status = pn.pane.HTML("", name="train_status", sizing_mode="stretch_width", margin=(0, 8))
        self.message = pn.pane.HTML("", sizing_mode="stretch_width")
        self._widgets()
        self.loss_fig, self.acc_fig = self._curve_figures()
        from .weight_editor import WeightEditor
        from .digits_view import DigitsView
        self.editor = WeightEditor(app)
        self.digits = DigitsView(app, before_train=lambda: self.play.param.update(value=False))
        self.rebuild()

    # --- widgets and layout ---------------------------------------------------------------------

    def _widgets(self):
        s, w = self.settings, pn.widgets
        self.play = w.Toggle(name="▶ Play", button_type="primary", width=95)
        self.step = w.Button(name="Step", width=65)
        self.reset = w.Button(name="Reset", width=65)
        self.regen = w.Button(name="New data", width=90)
        self.play.param.watch(lambda e: self._set_playing(e.new), "value")
        self.step.on_click(lambda e: self.run_frames(1, epochs=1))
        self.reset.on_click(lambda e: self.reset_weights())
        self.regen.on_click(lambda e: setattr(s, "data_seed", s.data_seed + 1))
        self.plane.discrete.param.watch(lambda e: self.plane.draw(self.trainer), "value")
        s.param.watch(lambda e: self.rebuild(), STRUCTURAL + ["data_seed"])
        s.param.watch(self._tune, LEARNING)
        half = dict(width=118, margin=(2, 4))
        make = lambda name, kind=None, **kw: (kind or pn.widgets.Select).from_param(s.param[name], **{**half, **kw})
        self.controls = pn.Column(
            make("problem", name="Problem"), pn.Row(make("noise", pn.widgets.IntSlider, name="Noise %"),
                                                    make("train_pct", pn.widgets.IntSlider, name="Train %")),
            pn.Row(make("samples", name="Samples"), make("seed", pn.widgets.IntInput, name="Seed")),
            pn.pane.HTML("<b>Features</b>", margin=(4, 6, 0, 6)),
            make("features", pn.widgets.CheckBoxGroup, inline=True, width=240, name=""),
            pn.Row(make("hidden", pn.widgets.TextInput, name="Hidden layers"),
                   make("activation", name="Activation")),
            pn.Row(make("lr", name="Learning rate"), make("batch_size", pn.widgets.IntInput, name="Batch size")),
            pn.Row(make("optimizer", name="Optimiser"), make("reg", name="Regularisation")),
            make("reg_rate", name="Regularisation rate"), width=250, margin=0)

    def _curve_figures(self):
        kw = dict(width=310, tools="", toolbar_location=None, min_border=4)
        loss = figure(name="train_curves", height=170, title="Loss per epoch: train (solid), test (dashed)", **kw)
        loss.line("epoch", "train", source=self.curve, color="#1f3b57", line_width=2)
        loss.line("epoch", "test", source=self.curve, color="#c0392b", line_width=2, line_dash="dashed")
        acc = figure(name="train_accuracy", height=140, title="Accuracy: train (solid), test (dashed)",
                     y_range=(0, 1.02), **kw)
        acc.line("epoch", "train_acc", source=self.curve, color="#1f3b57", line_width=2)
        acc.line("epoch", "test_acc", source=self.curve, color="#c0392b", line_width=2, line_dash="dashed")
        for f in (loss, acc):
            f.xaxis.axis_label = "epoch"
            f.title.text_font_size = "12px"
        return loss, acc

    def __panel__(self):
        buttons = pn.Row(self.play, self.step, self.reset, self.regen, self.status, sizing_mode="stretch_width")
        middle = pn.Column(self.plane, self.loss_fig, self.acc_fig, width=320)
        right = pn.Column(self.plane.neuron_panel(), self.editor, sizing_mode="stretch_width")
        playground = pn.Column(buttons, self.message, pn.Row(self.controls, middle, right),
                               sizing_mode="stretch_width")
        hint = pn.pane.HTML('<div class="nnviz-caption">Press <b>Play</b>, then open the <b>Network</b> tab: '
                            'its edges are this network\'s weights, changing as it learns; click one to edit it '
                            'here.</div>', sizing_mode="stretch_width", margin=(0, 8))
        return pn.Tabs(("2-D problems", pn.Column(playground, hint, sizing_mode="stretch_width")),
                       ("Digits", self.digits), dynamic=False, sizing_mode="stretch_width", name="train_tabs")

    # --- model ------------------------------------------------------------------------------------

    def rebuild(self):
        """New data and network from the settings (a structural change); training stops."""
        self.play.value = False
        try:
            trainer = self.settings.build()
        except ValueError as exc:
            self._say(str(exc))
            return None
        self._say("")
        self.trainer, self._k = trainer, 1
        with pn.io.hold():
            self.plane.set_problem(trainer)
            self.acc_fig.visible = trainer.classification
            self._draw(restart=True)
        return trainer

    def _tune(self, *events):
        """Learning settings apply to the running trainer between epochs (no restart)."""
        for e in events:
            try:
                if e.name == "optimizer":
                    self.trainer.optimizer = training.make_optimizer(e.new, self.settings.lr)
                else:
                    setattr(self.trainer, e.name, e.new)
            except ValueError as exc:
                self._say(str(exc))

    def reset_weights(self):
        """Rewind to the same initial weights and shuffle stream (bit for bit), epoch 0."""
        self.play.value = False
        self.trainer.rewind()
        self._draw(restart=True)
        if self.app.state.network is self.trainer.net:
            self.app.state.weights_changed()

    def _sample_input(self):
        """The first training point whose features all fit the graph's input range (else clipped)."""
        X = self.trainer.X_train
        ok = np.flatnonzero(np.all(np.abs(X) <= 10, axis=1))
        return np.clip(X[ok[0] if len(ok) else 0], -10, 10).tolist()

    def _show_on_graph(self, link: bool):
        """Structural once (link), then an in-place weight change per frame while the graph shows our net."""
        st, net = self.app.state, self.trainer.net
        if st.network is not net:
            if link:
                st.set_network(net, x=self._sample_input())
        else:
            st.weights_changed()

    # --- frames -----------------------------------------------------------------------------------

    def run_frames(self, frames: int = 1, epochs: int | None = None) -> int:
        """Run `frames` frames synchronously (each k adaptive epochs, or exactly `epochs`); frames run."""
        self._link = True
        for i in range(frames):
            if not self._frame(epochs):
                return i + 1
        return frames

    def _frame(self, epochs=None) -> bool:
        t = self.trainer
        if t is None:
            return False
        k = epochs or self._k
        t0 = time.perf_counter()
        t.run(k, record_every=k)
        spent = max(time.perf_counter() - t0, 1e-5)
        if epochs is None:         # move halfway to the k that fills the budget (damps timing noise)
            self._k = int(np.clip(round(0.5 * k + 0.5 * k * FRAME_BUDGET / spent), 1, MAX_EPOCHS_PER_FRAME))
        now = time.perf_counter()
        if self._t_last is not None and epochs is None:
            self._rate = 0.8 * self._rate + 0.2 * k / max(now - self._t_last, 1e-3)
        self._t_last = now
        with pn.io.hold():
            self._draw()
            self._show_on_graph(link=self._link)
        self._link = False
        if t.diverged:
            self.play.value = False
            self._say("The loss became infinite or NaN: lower the learning rate and press Reset.")
            return False
        return True

    def _set_playing(self, playing: bool):
        """Start or stop this session's frame timer."""
        self.play.name = "❚❚ Pause" if playing else "▶ Play"
        self._t_last, self._rate, self._link = None, 0.0, True
        if playing and self._callback is None:
            if pn.state.curdoc is not None and pn.state.curdoc.session_context:
                self._callback = pn.state.add_periodic_callback(self._tick, period=FRAME_MS, start=False)
                self._callback.log = False          # no log line per frame
                self._callback.start()
        elif playing:
            self._callback.start()
        elif self._callback is not None and self._callback.running:
            self._callback.stop()

    def _tick(self):
        if self.play.value:
            self._frame()

    # --- drawing ----------------------------------------------------------------------------------

    def _draw(self, restart: bool = False):
        t = self.trainer
        self.plane.draw(t)
        h = t.history
        if restart:
            self.curve.data = self._curve_rows(h)
        else:
            self.curve.stream(self._curve_rows(h, last=True), rollover=CURVE_ROWS)
        acc = (f' · test accuracy <b class="test-acc">{h["test_accuracy"][-1]:.1%}</b>'
               if t.classification else "")
        rate = f' · <span class="rate">{self._rate:,.0f}</span> epochs/s' if self.play.value and self._rate else ""
        self.status.object = (f'<div class="train-status" style="font-size:15px">Epoch <b class="epoch">{t.epoch}'
                              f'</b> · train loss <b class="train-loss">{fmt(h["train_loss"][-1], 4)}</b> · '
                              f'test loss <b class="test-loss">{fmt(h["test_loss"][-1], 4)}</b>{acc}{rate}</div>')

    @staticmethod
    def _curve_rows(h: dict, last: bool = False) -> dict:
        """Curve columns from the trainer's history (only its last row if `last`); NaN accuracy for regression."""
        n = len(h.get("epoch", []))
        start = n - 1 if last else 0
        return {col: list(h[key][start:]) if key in h else [float("nan")] * (n - start)
                for col, key in CURVE_COLUMNS.items()}

    def _say(self, text: str):
        self.message.object = f'<div class="nnviz-message" role="alert">{html.escape(text)}</div>' if text else ""
