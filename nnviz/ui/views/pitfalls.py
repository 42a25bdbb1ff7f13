"""The lesson's misconceptions, each next to a live counter-example computed by the engine."""
from __future__ import annotations

import time

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d

from ... import core
from ...core import datasets, depth
from ...encode.colours import ACCENT, DIVERGING, MUTED, POS_COLOUR, RULE
from ...encode.labels import arch
from ...encode.notation import fmt
from .. import session
from ..figures import bare, fig, legend_below
from ..parts import esc, html_text, note
from .base import LessonView

RUN_COLOURS = {"shallow": POS_COLOUR, "naive": ACCENT, "xavier": MUTED}
CELL = f"padding:4px 12px;border-bottom:1px solid {RULE};vertical-align:top"

BRAIN = [("What it computes", "z = Σ wᵢ·xᵢ + b, then a = f(z): one number",
          "Spikes over time; the timing carries information"),
         ("Connections", "A few to a few thousand weights, each one number",
          "Thousands of synapses, each a chemical machine that changes on its own"),
         ("Signal", "A real number, computed once per input", "Electrical pulses and neurotransmitters"),
         ("Learning", "Gradient descent on a loss (backpropagation)",
          "Not backpropagation as far as known; many local mechanisms")]


def _heading(text):
    return pn.pane.HTML(f"<h3 style='margin:4px 0'>{text}</h3>", margin=(6, 10, 0, 10))


class PitfallsView(LessonView):
    """Neurons vs brain cells, deeper is not always better, linear collapse, parameters vs hyperparameters,
    one architecture for many tasks."""

    key = "pitfalls"

    def __init__(self, state, **params):
        super().__init__(state, **params)
        t0 = time.perf_counter()
        self.neuron = html_text("", name="pitfall_neuron")
        self.params_rows = {"parameters": [], "hyperparameters": []}
        self.params_table = html_text("", name="pitfall_params")
        self.loss = ColumnDataSource(name="pitfall_loss", data={"epoch": [], "shallow": [], "naive": [], "xavier": []})
        self.grads = ColumnDataSource(name="pitfall_grads", data={"layer": [], "naive": [], "xavier": []})
        self.grads_shallow = ColumnDataSource(name="pitfall_grads_shallow", data={"layer": [], "shallow": []})
        self.deep_text = html_text("", name="pitfall_deep")
        self.tasks = ColumnDataSource(name="pitfall_tasks", data={"task": [], "test_accuracy": [],
                                                                  "train_accuracy": [], "sizes": [], "params": []})
        self.task_images = {t: ColumnDataSource(name=f"task_{t}", data={"image": []}) for t in depth.TASKS}
        self.tasks_text = html_text("", name="pitfall_tasks_text")
        self.loss_fig, self.grad_fig = self._loss_fig(), self._grad_fig()
        self.task_figs = {t: self._task_fig(t) for t in depth.TASKS}
        self.to_linearity = pn.widgets.Button(label="Open “Why non-linear” →", color="primary", width=300)
        self.to_linearity.on_click(lambda e: setattr(self.state, "view", "linearity"))
        self.watch("structure", "weights")
        self.state.neuron.param.watch(self._changed, ["x1", "x2", "w1", "w2", "b", "activation"])
        self.state.train.param.watch(self._changed, ["lr", "batch_size", "optimizer", "reg", "reg_rate",
                                                     "features", "problem"])
        self.refresh()
        self.train()
        self.build_seconds = time.perf_counter() - t0

    # --- figures -------------------------------------------------------------------------------

    def _loss_fig(self):
        p = fig(height=270, sizing_mode="stretch_width", title="Training loss per epoch (same data, SGD, epochs)",
                x_axis_label="epoch", y_axis_label="training loss")
        for key, cfg in depth.DEEP_SIGMOID.items():
            p.line("epoch", key, source=self.loss, line_width=3, color=RUN_COLOURS[key], legend_label=cfg["label"],
                   line_dash="dashed" if key == "xavier" else "solid")
        return legend_below(p, font="12px")

    def _grad_fig(self):
        p = fig(height=270, sizing_mode="stretch_width", y_axis_type="log",
                title="Gradient size ‖∂L/∂W‖ per layer before training", x_axis_label="layer (1 = next to the input)",
                y_axis_label="gradient norm (log)")
        p.line("layer", "naive", source=self.grads, color=RUN_COLOURS["naive"], line_width=2)
        p.scatter("layer", "naive", source=self.grads, color=RUN_COLOURS["naive"], size=9,
                  legend_label="10 layers, naive")
        p.line("layer", "xavier", source=self.grads, color=RUN_COLOURS["xavier"], line_width=2, line_dash="dashed")
        p.scatter("layer", "xavier", source=self.grads, color=RUN_COLOURS["xavier"], size=9, marker="square",
                  legend_label="10 layers, Xavier")
        p.scatter("layer", "shallow", source=self.grads_shallow, color=RUN_COLOURS["shallow"], size=11,
                  marker="diamond", legend_label="2 layers")
        p.xaxis.ticker = list(range(1, 11))
        return legend_below(p, font="12px")

    def _task_fig(self, task):
        lo, hi = datasets.DOMAIN_2D
        p = bare(height=230, width=230, x_range=Range1d(lo, hi), y_range=Range1d(lo, hi), title=task)
        p.image(image="image", x=lo, y=lo, dw=hi - lo, dh=hi - lo, source=self.task_images[task],
                color_mapper=LinearColorMapper(palette=DIVERGING, low=-1, high=1))
        return p

    # --- numbers -------------------------------------------------------------------------------

    def refresh(self):
        super().refresh()
        with pn.io.hold():
            self._neuron()
            self._params()

    def _neuron(self):
        n = self.state.neuron
        z = n.w1 * n.x1 + n.w2 * n.x2 + n.b
        a = float(core.ACTIVATIONS[n.activation].f(np.array(z)))
        self.neuron_values = {"z": z, "a": a}
        self.neuron.object = (
            f"Your neuron lab's neuron, computed now: z = w1·x1 + w2·x2 + b = {fmt(n.w1)}·{fmt(n.x1)} + "
            f"{fmt(n.w2)}·{fmt(n.x2)} + ({fmt(n.b)}) = <b>{fmt(z)}</b>, then a = {esc(n.activation)}(z) = "
            f"<b style='font-size:calc(19px * var(--nnviz-scale, 1))'>{fmt(a)}</b>. That is all an artificial neuron does: a weighted sum "
            "and one fixed function.")

    def _params(self):
        st, tr = self.state, self.state.train
        c = st.network.count_params()
        n_w = sum(r["weights"] for r in c["layers"])
        n_b = sum(r["biases"] for r in c["layers"])
        par = [f"{n_w:,} weights", f"{n_b:,} biases", f"{c['total']:,} parameters in all"]
        par += [f"W{i} ({r['n_out']}×{r['n_in']}), b{i} ({r['n_out']})" for i, r in enumerate(c["layers"], 1)]
        hyp = [f"layer sizes: {arch(st.network.sizes)}",
               f"hidden layers: {st.network.L - 1}",
               f"hidden activations: {', '.join(st.network.activations) or 'none'}",
               f"output activation: {st.network.output}",
               f"learning rate: {fmt(tr.lr)}", f"batch size: {tr.batch_size}", f"optimiser: {tr.optimizer}",
               f"regularisation: {tr.reg} (rate {fmt(tr.reg_rate)})",
               f"input features: {', '.join(tr.features)}", f"initial-weight seed: {st.seed}"]
        self.params_rows = {"parameters": par, "hyperparameters": hyp}
        col = lambda items: "".join(f"<li>{esc(s)}</li>" for s in items)
        self.params_table.object = (
            "<table style='border-collapse:collapse;width:100%'><tr>"
            f"<th style='{CELL};text-align:left'>Parameters: learned by training</th>"
            f"<th style='{CELL};text-align:left'>Hyperparameters: chosen by you</th></tr>"
            f"<tr><td style='{CELL}'><ul style='margin:0'>{col(par)}</ul></td>"
            f"<td style='{CELL}'><ul style='margin:0'>{col(hyp)}</ul></td></tr></table>")

    def train(self):
        """Train the deep-sigmoid comparison and the one-architecture-three-tasks runs (off the event
        loop; the tables fill when they are done)."""
        t0 = time.perf_counter()
        self.deep_text.object = "Training the three deep-sigmoid networks and the three tasks…"

        def work():
            return depth.deep_sigmoid_runs(), depth.same_architecture(), time.perf_counter() - t0

        session.in_background(work, self._show_trained)

    def _show_trained(self, result):
        if isinstance(result, Exception):
            self.deep_text.object = f"Training stopped: {esc(str(result)[:120])}"
            return
        runs, tasks, self.train_seconds = result
        self.runs, self.task_runs = runs, tasks
        with pn.io.hold():
            self.loss.data = {"epoch": runs["naive"]["history"]["epoch"],
                              **{k: r["history"]["train_loss"] for k, r in runs.items()}}
            L = len(runs["naive"]["grad0"])
            self.grads.data = {"layer": list(range(1, L + 1)), "naive": runs["naive"]["grad0"],
                               "xavier": runs["xavier"]["grad0"]}
            self.grads_shallow.data = {"layer": [1, 2], "shallow": runs["shallow"]["grad0"]}
            naive = runs["naive"]["grad0"]
            rows = "".join(
                f"<tr><td style='{CELL}'><span style='display:inline-block;width:12px;height:12px;"
                f"margin-right:6px;background:{RUN_COLOURS[k]}'></span><b>{esc(r['label'])}</b></td>"
                f"<td style='{CELL};text-align:right'>{fmt(r['grad0'][-1] / r['grad0'][0])}×</td>"
                f"<td style='{CELL};text-align:right'>{fmt(r['train_loss'])}</td>"
                f"<td style='{CELL};text-align:right'>{r['test_accuracy']:.0%}</td></tr>" for k, r in runs.items())
            self.deep_text.object = (
                f"In the naive 10-layer sigmoid network the first layer's gradient is "
                f"<b style='font-size:calc(19px * var(--nnviz-scale, 1))'>{fmt(naive[-1] / naive[0])}×</b> smaller than the last layer's "
                f"({fmt(naive[0])} vs {fmt(naive[-1])}): the first layers hardly move. "
                + self._verdict(runs)
                + f"<table style='border-collapse:collapse;margin-top:6px'><tr><th style='{CELL}'>network</th>"
                f"<th style='{CELL}'>last / first layer gradient</th><th style='{CELL}'>final training loss</th>"
                f"<th style='{CELL}'>test accuracy</th></tr>{rows}</table>")
            self.tasks.data = {"task": list(tasks), "test_accuracy": [r["test_accuracy"] for r in tasks.values()],
                               "train_accuracy": [r["train_accuracy"] for r in tasks.values()],
                               "sizes": [arch(r["sizes"]) for r in tasks.values()],
                               "params": [r["n_params"] for r in tasks.values()]}
            for t, r in tasks.items():
                self.task_images[t].data = {"image": [r["image"]]}
                self.task_figs[t].title.text = f"{t}: test accuracy {r['test_accuracy']:.0%}"
            any_run = next(iter(tasks.values()))
            self.tasks_text.object = (
                f"One architecture, {arch(any_run['sizes'])} tanh "
                f"({any_run['n_params']:,} parameters; inputs {', '.join(depth.TASK_FEATURES)}), trained "
                f"{len(any_run['history']['epoch']) - 1} epochs with Adam on each task. Only the weights differ. "
                f"Computed in {self.train_seconds:.2f} s with the loss curves above.")

    @staticmethod
    def _verdict(runs) -> str:
        """One sentence comparing the final test accuracies, whatever they came out as."""
        acc = {k: r["test_accuracy"] for k, r in runs.items()}
        parts = [(f"2 layers reach {acc['shallow']:.0%} test accuracy, 10 naive layers {acc['naive']:.0%}, "
                  f"10 Xavier layers {acc['xavier']:.0%}.")]
        if acc["naive"] < acc["shallow"]:
            parts.append(" Here the deeper network is <b>worse</b>.")
        if acc["xavier"] < acc["shallow"]:
            parts.append(" With sigmoid, Xavier initialisation alone does not rescue it.")
        return "".join(parts)

    def __panel__(self):
        brain = "".join(f"<tr><td style='{CELL}'><b>{esc(a)}</b></td><td style='{CELL}'>{esc(b)}</td>"
                        f"<td style='{CELL}'>{esc(c)}</td></tr>" for a, b, c in BRAIN)
        return pn.Column(
            _heading("“Artificial neurons work like brain cells”"),
            html_text(f"<table style='border-collapse:collapse;width:100%'><tr><th style='{CELL}'></th>"
                      f"<th style='{CELL};text-align:left'>nnviz neuron</th><th style='{CELL};text-align:left'>"
                      f"biological neuron</th></tr>{brain}</table>"),
            self.neuron,
            note("The name is a loose inspiration, not a model of the brain.", "pitfall"),
            _heading("“More layers are always better”"),
            pn.Row(self.loss_fig, self.grad_fig, sizing_mode="stretch_width"),
            self.deep_text,
            note("Each sigmoid layer multiplies the gradient by σ′(z) ≤ 0.25 times the weights, so after nine "
                 "layers little is left. Better initialisation (Xavier, He), ReLU-family activations, "
                 "normalisation and residual connections are what made deep networks train.", "pitfall"),
            _heading("“Stacking linear layers gives a more powerful network”"),
            pn.Row(html_text("Without a non-linear activation any number of layers collapses into one: "
                             "W₃(W₂(W₁x + b₁) + b₂) + b₃ is just W x + b. See it computed:"), self.to_linearity),
            _heading("“Parameters and hyperparameters are the same thing”"),
            self.params_table,
            _heading("“Each task needs its own kind of network”"),
            pn.Row(*self.task_figs.values()),
            self.tasks_text,
            sizing_mode="stretch_width")
