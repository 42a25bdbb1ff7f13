"""Training, live: TensorFlow-Playground-style problems, play/pause/step/reset, heatmaps and loss curves.

It trains the session's own network (the one every tab shows): the settings are the state's `train`
group, the layers and activations the sidebar's. A network that does not fit the problem is not
replaced silently: the tab says why and offers one that fits. Per frame it trains several epochs in
place, then sends only the changed columns in one message. While the page is hidden training stops
(the Play button keeps its state) and starts again when the page is shown.

Where worker processes are available (served, NNVIZ_TRAIN_PROCS not 0) Play trains in one of them:
each frame sends a light copy of the trainer, the worker trains for FRAME_BUDGET seconds and sends
back the weights, optimiser state and losses, which the trainer adopts. The next frame is sent
before this one is drawn, so training and drawing overlap on two cores. A frame whose network was
changed meanwhile (a weight edited, a setting, Reset, Step, Pause) is dropped, not adopted.
Otherwise (tests in-process, processes unavailable) a timer trains on the event loop, with the
server's training budget shared between the sessions that train.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import panel as pn
from bokeh.models import ColorBar, ColumnDataSource, LinearAxis, LinearColorMapper, LinearScale, Range1d

from ...core import datasets, training
from ...encode import colours as col
from ...encode.labels import arch
from ...encode.colours import ACCURACY, CLASS_NEG, CLASS_POS, INK, POINT_LINE, TEST
from ...encode.notation import fmt
from .. import session
from ..export import image_button
from ..figures import fig, plain
from ..graph import NetworkGraph
from ..parts import WRAP_CSS, WrapRow, alert_html, esc
from ..weight_editor import WeightEditor

GRID = 50                     # heatmap resolution per axis
MAP_GRID = 25                 # resolution of each neuron's small map on the graph
GRAPH_HEIGHT = 430
LEFT_PX = 290                   # the settings column (wider in presentation mode, its text is larger)
PLANE_PX, CURVES_PX = 330, 200   # the output plane's and the curves' figures, outside presentation mode
FRAME_MS = 50                 # on the event loop: one frame every 50 ms (20 frames per second)
FRAME_BUDGET = 0.025          # seconds of training per frame; epochs per frame adapt to fit
DRAWS_PER_S = 20              # frames drawn per second by all the sessions training at once (when several)
WIDE = 235                    # the selects and inputs of the settings: inside the 290 px column
DATA = ["problem", "noise", "train_pct", "samples", "seed"]
TUNE = ["lr", "batch_size", "order", "reg", "reg_rate", "optimizer"]
ORDER_HELP = ("<b>Example order.</b> <i>shuffled</i>: every epoch visits the training points in a new "
              "random order; when the batch size does not divide them, the smaller last batch is applied "
              "at the end of the epoch. <i>playground</i>, as TensorFlow Playground: the same order every "
              "epoch (the points were shuffled once, when drawn); a smaller last batch is not applied then "
              "but joins the next epoch's first batch.")


def grid_points(n: int = GRID) -> np.ndarray:
    """The (n*n, 2) points of the heatmap, row by row from the bottom."""
    lo, hi = datasets.DOMAIN_2D
    xs = np.linspace(lo, hi, n)
    X1, X2 = np.meshgrid(xs, xs)
    return np.column_stack([X1.ravel(), X2.ravel()])


class TrainingView(pn.viewable.Viewer):
    """The training tab of one session: it trains the state's network on the state's settings."""

    key = "train"

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state, self.settings = state, state.train
        self.trainer = None
        self._grid, self._map_grid = grid_points(), grid_points(MAP_GRID)
        self._stop, self._epochs_per_frame = None, 1
        self._generation, self._busy = 0, False     # frames sent to a worker; one in flight at most
        self._undrawn, self._drawn_at = False, 0.0  # a frame adopted but not drawn yet; when one was drawn
        self._remote = session.warm_processes()     # train in a worker process (else on the loop)
        self.curve = ColumnDataSource(name="loss_curve", data={"epoch": [], "train": [], "test": [], "acc": []})
        self.heat = ColumnDataSource(name="heatmap", data={"image": [np.zeros((GRID, GRID))]})
        self.points = ColumnDataSource(name="train_points", data={"x": [], "y": [], "color": []})
        self.tests = ColumnDataSource(name="test_points", data={"x": [], "y": [], "color": []})
        self.legend = pn.pane.HTML("", name="train_legend", margin=(0, 10))
        self.mapper = LinearColorMapper(palette=col.ACTIVATION, low=-1, high=1)
        self.status = pn.pane.HTML("", name="train_status", sizing_mode="stretch_width")
        self.message = pn.pane.HTML("", sizing_mode="stretch_width", name="train_message")
        self.network_note = pn.pane.HTML("", sizing_mode="stretch_width", name="train_network")
        self.focus = None
        # The network being trained, drawn as on the Network tab with each neuron's map in its square.
        self.graph = NetworkGraph(state, height=GRAPH_HEIGHT, prefix="train_", view="train", maps=True,
                                  caption=False)
        self.editor = WeightEditor(state, self.graph)
        self.graph.nodes.selected.on_change("indices", lambda attr, old, new: self._focus(new))
        self._widgets()
        self._figures()
        self.settings.param.watch(lambda *_: self.rebuild(keep_epoch=True), DATA)
        self.settings.param.watch(self._features_changed, "features")
        self.settings.param.watch(self._tune, TUNE)
        state.param.watch(self._structure_changed, "structure")
        state.param.watch(lambda *_: self._draw_maps(), "view")
        state.param.watch(lambda *_: self._run_timer(), "page_visible")
        session.on_destroyed(lambda: self._set_playing(False))
        self.rebuild(keep_epoch=True)
        if self.trainer is None and self._untouched_starter():
            self._switch_for_training()

    # --- layout ------------------------------------------------------------------------------

    def _widgets(self):
        s = self.settings
        self.play = pn.widgets.Toggle(label="▶ Play", color="primary", width=80, margin=(5, 2))
        self.step = pn.widgets.Button(label="Step", width=56, margin=(5, 2), description="Train one epoch")
        self.reset = pn.widgets.Button(label="Reset", width=60, margin=(5, 2),
                                       description="New initial weights from the data seed, epoch 0")
        self.regen = pn.widgets.Button(label="New data", width=78, margin=(5, 2),
                                       description="Draw new points (the next data seed)")
        self.adapt = pn.widgets.Button(label="Use a network that fits", color="primary", visible=False)
        self.switched = pn.pane.HTML("", name="train_switched", visible=False, sizing_mode="stretch_width",
                                     margin=(0, 10))
        self.undo = pn.widgets.Button(label="Undo", width=70, margin=(0, 10, 6, 10), visible=False,
                                      description="Back to the network you had before this tab opened")
        self.undo.on_click(lambda e: self.undo_switch())
        self.show_test = pn.widgets.Checkbox(label="show test points", value=False)
        self.discrete = pn.widgets.Checkbox(label="discretise output", value=False)
        self.play.param.watch(lambda e: self._set_playing(e.new), "value")
        self.step.on_click(lambda e: self.run_frames(1, epochs=1))
        self.reset.on_click(lambda e: self.reset_weights())
        self.regen.on_click(lambda e: setattr(s, "seed", (s.seed + 1) % (s.param.seed.bounds[1] + 1)))
        self.adapt.on_click(lambda e: self.use_fitting_network())
        self.show_test.param.watch(lambda e: setattr(self.test_renderer, "visible", e.new), "value")
        self.discrete.param.watch(lambda e: self._draw(), "value")
        self.controls = pn.Param(s, parameters=["problem", "noise", "train_pct", "samples", "seed", "features",
                                                "lr", "batch_size", "order", "optimizer", "reg", "reg_rate"],
                                 show_name=False, width=255,
                                 widgets={"features": pn.widgets.CheckBoxGroup, "noise": pn.widgets.IntSlider,
                                          "train_pct": pn.widgets.IntSlider,
                                          "lr": {"type": pn.widgets.FloatInput, "step": 0.01, "width": WIDE},
                                          **{k: {"width": WIDE} for k in ("problem", "order", "optimizer", "reg")}})

    def _figures(self):
        lo, hi = datasets.DOMAIN_2D
        f = fig(name="train_heatmap", width=PLANE_PX, height=PLANE_PX - 30, x_range=(lo, hi), y_range=(lo, hi),
                title="Output over the input plane")
        f.image("image", source=self.heat, x=lo, y=lo, dw=hi - lo, dh=hi - lo, color_mapper=self.mapper)
        f.scatter("x", "y", source=self.points, color="color", line_color=POINT_LINE, line_width=1.0, size=7)
        self.test_renderer = f.scatter("x", "y", source=self.tests, color="color", line_color="black",
                                       line_width=1.0, size=6, visible=False)
        f.xaxis.axis_label, f.yaxis.axis_label = "x1", "x2"
        c = fig(name="train_curves", width=PLANE_PX, height=CURVES_PX, y_axis_type="log",
                title="Loss: train ━ test ╍ · accuracy (green)")
        c.line("epoch", "train", source=self.curve, color=INK, line_width=2)
        c.line("epoch", "test", source=self.curve, color=TEST, line_width=2, line_dash="dashed")
        c.extra_y_ranges = {"acc": Range1d(0, 1.02)}
        c.extra_y_scales = {"acc": LinearScale()}
        c.add_layout(LinearAxis(y_range_name="acc", axis_label="accuracy"), "right")
        c.line("epoch", "acc", source=self.curve, y_range_name="acc", color=ACCURACY, line_width=2, alpha=0.8)
        c.xaxis.axis_label = "epoch"
        f.add_layout(ColorBar(color_mapper=self.mapper, width=10, padding=3, title="a",
                              major_label_text_font_size="10px"), "right")
        plain(*f.renderers, *c.renderers)               # nothing here is selected or muted
        self.heat_fig, self.curve_fig = f, c

    def __panel__(self):
        buttons = pn.Row(self.play, self.step, self.reset, self.regen)
        left = pn.Column(buttons, self.status, self.message, self.switched, self.undo, self.network_note,
                         self.adapt, self.controls,
                         pn.pane.HTML(f"<div class='nnviz-caption'>{ORDER_HELP}</div>", name="train_order_help",
                                      width=270, margin=(0, 10)),
                         width=LEFT_PX)
        self._left = left
        middle = pn.Column(
            pn.pane.HTML("<div class='nnviz-caption'>Each square is a neuron's output over the input plane "
                         "(brighter = larger); edges: width |w|, colour sign. <b>Click</b> a neuron to "
                         "enlarge its map, an edge to edit its weight (also while it trains).</div>",
                         sizing_mode="stretch_width", margin=(0, 5)),
            self.graph, self.editor, sizing_mode="stretch_width", min_width=300)
        right = pn.Column(self.heat_fig, self.legend, pn.Row(self.show_test, self.discrete),
                          image_button("train_heatmap", "png", "Plane as PNG"), self.curve_fig, width=340)
        self._right = right
        # On a phone the three columns (settings, network, plane and curves) stack instead of overflowing.
        return WrapRow(left, middle, right, sizing_mode="stretch_width", stylesheets=[WRAP_CSS])

    def present(self, screen_h: int | None, scale: float = 1.0):
        """Presentation size for a screen `screen_h` px tall (None: normal): the output plane about half
        of the height, the curves under it, the graph (and its neuron maps) as tall as the plane and curves."""
        if getattr(self, "_right", None) is None:          # not laid out yet: __panel__ comes first
            return
        side = PLANE_PX if screen_h is None else max(PLANE_PX, int(screen_h * 0.5))
        curves = CURVES_PX if screen_h is None else max(CURVES_PX, int(screen_h * 0.25))
        with pn.io.hold():
            self.heat_fig.update(width=side, height=side - 30)
            self.curve_fig.update(width=side, height=curves)
            self._right.width = side + 10 if screen_h is not None else 340
            self._left.width = round(LEFT_PX * scale) if screen_h is not None else LEFT_PX
            self.graph.present(None if screen_h is None else max(GRAPH_HEIGHT, int(screen_h * 0.62)), scale)
            self._draw_maps()                   # the graph redrew its squares at the new size: fill them again

    # --- the network and the trainer -----------------------------------------------------------

    def rebuild(self, keep_epoch: bool = False):
        """A trainer for the state's network on the settings' data (training stops; weights are kept)."""
        self.play.value = False
        net, s = self.state.network, self.settings
        why = training.fits(net, s.problem, list(s.features))
        self._show_fit(why)
        if why:
            self.trainer = None
            return None
        try:
            self.trainer = training.build_trainer(
                s.problem, net=net, optimizer=s.optimizer, lr=s.lr, batch_size=s.batch_size, reg=s.reg,
                reg_rate=s.reg_rate, features=list(s.features), order=s.order, **s.data_keywords())
        except ValueError as exc:
            self.trainer = None
            self.message.object = alert_html(str(exc))
            return None
        self.message.object = ""
        t, d = self.trainer, self.trainer.data
        t.restart(s.epoch if keep_epoch else 0)
        s.epoch = t.epoch
        colour = lambda y: np.where(np.asarray(y) > 0, CLASS_POS, CLASS_NEG).tolist()
        self.legend.object = self._legend(t.classification)
        with pn.io.hold():
            self.points.data = {"x": d.X_train[:, 0], "y": d.X_train[:, 1], "color": colour(d.y_train)}
            self.tests.data = {"x": d.X_test[:, 0], "y": d.X_test[:, 1], "color": colour(d.y_test)}
            self.focus = None
            self._draw(restart_curve=True)
        self._epochs_per_frame = 1
        return t

    @staticmethod
    def _legend(classification: bool) -> str:
        """The points' two colours and what they mean (a class, or a target's sign in regression)."""
        pos, neg = ("class +1", "class −1") if classification else ("target > 0", "target ≤ 0")
        dot = ("<span style='display:inline-block;width:10px;height:10px;border-radius:50%;"
               "background:{};margin:0 4px 0 10px;vertical-align:middle'></span>")
        return (f"<div class='nnviz-caption train-legend'>Points:{dot.format(CLASS_POS)}{pos}"
                f"{dot.format(CLASS_NEG)}{neg}</div>")

    def _show_fit(self, why: str):
        """Say which network trains, or why it cannot and what the button would do."""
        net, s = self.state.network, self.settings
        shape = arch(net.sizes)
        acts = ", ".join(sorted(set(net.activations))) or "no hidden layer"
        if not why:
            self.network_note.object = (f"<div class='train-network'>Training the network of every tab: <b>{esc(shape)}</b>"
                                        f" ({esc(acts)}, {esc(net.output)} output). Change its layers in the "
                                        "sidebar.</div>")
            self.adapt.visible = False
            for w in (self.play, self.step, self.reset):
                w.disabled = False
            return
        proposal = self._fitting_network()
        self.network_note.object = alert_html(f"This network ({shape}) cannot learn {s.problem} as it is: {why}.")
        self.adapt.label = f"Use {arch(proposal.sizes)} ({proposal.output} output) instead"
        self.adapt.visible = True
        for w in (self.play, self.step, self.reset):
            w.disabled = True

    def _fitting_network(self):
        """The network the adapt button installs: the same hidden layers and activations, inputs and outputs
        that fit the problem, the Playground's initial weights from the data seed."""
        net, s = self.state.network, self.settings
        hidden = net.sizes[1:-1]
        acts = list(net.activations) or ["tanh"] * len(hidden)
        return training.network_for(s.problem, hidden, acts, features=list(s.features), seed=s.seed)

    def use_fitting_network(self):
        """Replace the session's network by one that fits the problem (the button says which)."""
        net = self._fitting_network()
        self.settings.epoch = 0
        self.state.install(net, preset="custom", custom_weights=True)
        self.state.message = (f"The network is now {arch(net.sizes)} with {net.output} output, "
                              f"new weights, for {self.settings.problem}.")

    def _untouched_starter(self) -> bool:
        """The page's first network, as nobody chose it (no link named one, nothing was changed)."""
        s = self.state
        return s.preset == s.param.preset.default and not s.custom_weights

    def _switch_for_training(self):
        """Opened on the untouched starter network, which cannot learn the problem: train one that can at
        once, and say so with an Undo (one network for every tab, never changed silently)."""
        s, before = self.state, self.state.network
        self._undo_to = dict(net=before, preset=s.preset, seed=s.seed, custom_weights=s.custom_weights)
        self.use_fitting_network()
        self._switched_to = s.network
        s.message = ""
        self.switched.object = (
            f"<div class='train-switched'>The starter network ({arch(before.sizes)}, "
            f"{esc(before.output)} output) cannot learn {esc(self.settings.problem)}, so this tab uses "
            f"<b>{arch(s.network.sizes)}</b> ({esc(s.network.output)} output) instead: "
            "every tab shows it now.</div>")
        self.switched.visible = self.undo.visible = True

    def undo_switch(self):
        """Back to the network the page had before the tab switched it (the tab then says why it cannot train)."""
        kept = getattr(self, "_undo_to", None)
        self._hide_switch()
        if kept is not None:
            net = kept.pop("net")
            self.state.install(net, **kept)

    def _hide_switch(self):
        self.switched.visible = self.undo.visible = False
        self._switched_to = None

    def _structure_changed(self, *_):
        if getattr(self, "_switched_to", None) is not None and self.state.network is not self._switched_to:
            self._hide_switch()                     # another network now: the Undo would surprise
        if self.trainer is not None and self.state.network is self.trainer.net:
            return
        self.settings.epoch = 0
        self.rebuild(keep_epoch=True)

    def _features_changed(self, *_):
        """New input features: the input layer follows them (new first-layer weights), the rest is kept."""
        s, net = self.settings, self.state.network
        n = len(s.features)
        if not n:
            self.message.object = alert_html("choose at least one input feature")
            return
        if net.sizes[0] == n or training.fits(net, s.problem, list(s.features)) == "":
            return self.rebuild()
        shape = dict(hidden=net.sizes[1:-1], activation=list(net.activations) or "tanh",
                     features=list(s.features), seed=s.seed)
        try:
            fitted = training.network_for(s.problem, output=net.output, **shape)
        except ValueError:                                  # e.g. softmax for a regression problem
            fitted = training.network_for(s.problem, **shape)
        if fitted.sizes[1:] == net.sizes[1:] and fitted.output == net.output:
            fitted.W[1:], fitted.b[1:] = net.W[1:], net.b[1:]     # keep every layer but the first
        s.epoch = 0
        self.state.install(fitted, preset="custom", custom_weights=True)
        self.state.message = f"Input layer: {', '.join(s.features)} ({n} inputs); its weights were drawn anew."

    def _tune(self, *events):
        """Learning settings apply to the running trainer between epochs (no restart)."""
        if self.trainer is None:
            return
        self._generation += 1                       # a frame trained with the old settings is dropped
        for e in events:
            try:
                if e.name == "optimizer":
                    self.trainer.optimizer = training.make_optimizer(e.new, self.settings.lr)
                else:
                    setattr(self.trainer, e.name, e.new)
            except ValueError as exc:
                self.message.object = alert_html(str(exc))

    def reset_weights(self):
        """New initial weights (the Playground's, from the data seed) in place, epoch 0."""
        self.play.value = False
        if self.trainer is None:
            return
        fresh = self._fitting_network()
        for W, b, W0, b0 in zip(self.trainer.net.W, self.trainer.net.b, fresh.W, fresh.b):
            W[...] = W0
            b[...] = b0
        self.trainer.restart(0)
        self.settings.epoch = 0
        self.state.weights_changed()
        self._draw(restart_curve=True)

    # --- frames ------------------------------------------------------------------------------

    def run_frames(self, frames: int = 1, epochs: int | None = None):
        """Train `frames` frames (each several epochs, or exactly `epochs`) here and redraw once per frame."""
        if self.trainer is None:
            return
        self._generation += 1                       # a frame training elsewhere meanwhile is dropped
        for _ in range(frames):
            k = epochs or self._epochs_per_frame
            t0 = time.perf_counter()
            self.trainer.run(k, record_every=k)
            spent = max(time.perf_counter() - t0, 1e-6)
            if epochs is None:
                self._epochs_per_frame = int(np.clip(k * FRAME_BUDGET / spent, 1, 200))
            if not self._show_frame():
                break

    def draw_adopted(self, epoch: int):
        """Weights trained elsewhere (a followed teacher's) are now the network's: record the loss at `epoch`
        and draw the frame, picture and curve, as a frame trained here."""
        if self.trainer is None:
            return
        self.trainer.epoch = epoch
        self.trainer.record()
        self._draw()

    def _show_frame(self) -> bool:
        """Draw the trainer's state; stop playing (False) if the loss became infinite."""
        self._undrawn = False
        with pn.io.hold():
            self._draw()
            self.settings.epoch = self.trainer.epoch
            self.state.weights_changed()
        if self.trainer.diverged:
            self.play.value = False
            self.message.object = alert_html("The loss became infinite: lower the learning rate and "
                                             "press Reset.")
            return False
        self._warn_unstable()
        return True

    # --- frames in a worker process -------------------------------------------------------------

    def _send(self) -> bool:
        """Send the next frame's training to a worker process (False: none available)."""
        t = self.trainer
        if t is None or self._busy:
            return self._busy
        generation, sent = self._generation, [a.copy() for a in (*t.net.W, *t.net.b)]

        def done(result):
            self._busy = False
            self._received(t, generation, sent, result)
        self._busy = session.in_process(training.train_for, (t.detached(), FRAME_BUDGET), done)
        return self._busy

    def _received(self, t, generation, sent, result):
        """A frame came back: adopt it unless the network changed meanwhile, send the next, draw this one."""
        if isinstance(result, Exception):
            logging.getLogger("nnviz").warning("training in a worker process failed (%s: %s); training on "
                                               "the event loop instead", type(result).__name__, result)
            self._remote = False
            self._run_timer()
            return
        if not session.connected():
            self.play.value = False
            return
        now = (*t.net.W, *t.net.b)
        fresh = (generation == self._generation and t is self.trainer
                 and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(sent, now)))
        if fresh:
            t.adopt(result)
            self._undrawn = True
        if self.play.value and self.state.page_visible and not (fresh and t.diverged):
            if not self._send():                    # the worker trains the next frame while this one is drawn
                self._remote = False
                self._run_timer()
        if fresh and (t.diverged or self._may_draw()):
            self._show_frame()

    def _may_draw(self) -> bool:
        """Drawing a frame costs the server's loop ~10 ms, which every page shares. One session training
        draws every frame; n of them draw at most DRAWS_PER_S frames a second together (each one n/20 s
        apart), while their training goes on at full speed in the worker."""
        now = time.monotonic()
        n = max(1, round(FRAME_BUDGET / session.cpu_share(FRAME_BUDGET).share(id(self), now)))
        if n > 1 and now - self._drawn_at < n / DRAWS_PER_S:
            return False
        self._drawn_at = now
        return True

    def _warn_unstable(self):
        """Say so while the loss climbs fast (before it diverges); clear the note once it settles."""
        rising = training.unstable(self.trainer.history["train_loss"])
        note = ("Unstable: the training loss is rising fast. Lower the learning rate (or pause and press "
                "Reset) before it diverges.")
        if rising:
            self.message.object = alert_html(note)
        elif self.message.object and "Unstable" in self.message.object:
            self.message.object = ""

    def _tick(self):
        """One timer tick. The server's training budget is shared: with n sessions training, each one
        trains and draws on every n-th tick, so n trainings cost the server what one does. A closed tab
        stops here, within one tick (Bokeh keeps its session for a while longer); a hidden page neither
        trains nor draws (a tick already queued when it was hidden ends here)."""
        if not session.connected():
            self.play.value = False
            return
        if not self.state.page_visible:
            return
        share = session.cpu_share(FRAME_BUDGET)
        n = max(1, round(FRAME_BUDGET / share.share(id(self), time.monotonic())))
        self._ticks += 1
        if self._ticks % n == 0:
            self.run_frames(1)

    def _set_playing(self, playing: bool):
        """Play or pause: the button's label, and the frame timer with it."""
        self.play.label = "❚❚ Pause" if playing else "▶ Play"
        self._run_timer(playing)

    def _run_timer(self, playing: bool | None = None):
        """Train while it plays and the page is visible: frames in a worker process, or this session's
        frame timer (a periodic callback on its own document). A hidden page stops without pausing, so
        showing the page resumes."""
        playing = self.play.value if playing is None else playing
        run = playing and self.state.page_visible
        if not run:
            self._generation += 1                   # a frame still in a worker is dropped when it returns
            if self._undrawn and self.trainer is not None and self.trainer.net is self.state.network:
                self._show_frame()                  # paused: the picture shows the trainer's weights
            if self._remote:
                session.cpu_share(FRAME_BUDGET).leave(id(self))
        if run and self._remote:
            if self._send():
                return
            self._remote = False                    # no worker after all: the timer below
        if run and self._stop is None:
            self._ticks = 0
            self._stop = session.every(self._tick, FRAME_MS)
        elif not run and self._stop is not None:
            stop, self._stop = self._stop, None
            stop()
            session.cpu_share(FRAME_BUDGET).leave(id(self))

    # --- drawing -----------------------------------------------------------------------------

    def _draw(self, restart_curve: bool = False):
        t = self.trainer
        trace = t.net.forward(t.inputs(self._grid))
        self._draw_heat(trace)
        self._draw_maps()
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
        """The big map: the output (or the neuron clicked on the graph) over the input plane."""
        t = self.trainer
        if self.focus is None:
            out, title, name = trace.output[:, 0], "Output over the input plane", t.net.output
        else:
            l, u = self.focus
            out = trace.a[l][:, u]
            label = f"Input {self.settings.features[u]}" if l == 0 else f"Hidden neuron H{l}.{u}"
            title = f"{label} over the input plane (click it again: output)"
            name = "linear" if l == 0 else t.net.activation_of(l)
        if self.discrete.value and self.focus is None:
            out = np.where(out >= (0.5 if t.net.output == "sigmoid" else 0.0), 1.0, -1.0)
        lo, hi = col.value_range(name, out)
        with pn.io.hold():
            self.heat.data.update(image=[_f32(out.reshape(GRID, GRID))])   # float32 halves the bytes
            if (self.mapper.low, self.mapper.high) != (lo, hi):
                self.mapper.update(low=lo, high=hi)
            self.heat_fig.title.text = title

    def neuron_maps(self):
        """Each drawn neuron's (layer, unit) map on MAP_GRID², as float32, and one colour range for all.

        Inputs (x1, x1², sin x1 ...) are rescaled onto that range by their largest |value|, as the
        Playground does, so x1² and x1 are both readable; hidden and output maps are their real a."""
        t, rows = self.trainer, self.graph.nodes.data
        small = t.net.forward(t.inputs(self._map_grid))
        names = [t.net.activation_of(l) for l in range(1, t.net.L + 1)]
        ranges = [col.value_range(n, small.a[l + 1]) for l, n in enumerate(names)]
        lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
        images = []
        for l, u in zip(rows["layer"], rows["unit"]):
            v = small.a[l][:, u]
            if l == 0:
                m = float(np.max(np.abs(v))) or 1.0
                v = lo + (v / m + 1.0) / 2.0 * (hi - lo)
            images.append(_f32(v.reshape(MAP_GRID, MAP_GRID)))
        return images, lo, hi

    def _draw_maps(self):
        """The squares of the graph; only while the tab is open (the graph then follows the network)."""
        if self.trainer is None or self.state.view != self.key:
            return
        if self.graph.drawn_structure != self.state.structure:
            self.graph.refresh()
        images, lo, hi = self.neuron_maps()
        self.graph.set_maps(images, lo, hi)

    def _focus(self, indices):
        """Clicking a neuron on the graph shows its map enlarged (click it again, or the output: the output)."""
        if not indices or self.trainer is None:
            return                      # clearing the selection below calls back with []
        rows = self.graph.nodes.data
        i = indices[0]
        if i >= len(rows["layer"]):
            return
        cell = (int(rows["layer"][i]), int(rows["unit"][i]))
        self.focus = None if cell == self.focus or cell[0] == self.trainer.net.L else cell
        self.graph.nodes.selected.indices = []
        self._draw_heat(self.trainer.net.forward(self.trainer.inputs(self._grid)))


F32_MAX = float(np.finfo(np.float32).max)


def _f32(values):
    """float32 for the page (half the bytes); a diverged run's huge values stay the largest finite ones."""
    return np.clip(values, -F32_MAX, F32_MAX).astype(np.float32)
