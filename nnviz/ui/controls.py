"""Widgets that drive the session state: presets, architecture, activations, seed and inputs.

Widgets only call the state's validating setters; the state's watchers bring widgets back in
line, so a refused value snaps back to the last good one. A value the widget itself refuses (a
modified page's) is refusals.py's: this column's message box is where the session hears of it.
"""
from __future__ import annotations

import panel as pn
from bokeh.layouts import column as bokeh_column
from bokeh.models import Slider as BokehSlider

from .. import core
from ..core import presets
from ..encode.notation import input_name, options
from ..state import link
from ..state.session import INPUT_BOUND, SessionState
from ..state.settings import MAX_SEED
from . import refusals, session
from .parts import alert_html

# The everyday range of the +/- buttons; typed and URL sizes may go up to the engine's limits.
BUTTON_LIMITS = {"input": (1, 8), "hidden": (1, 16), "output": (1, 10), "layers": (0, 6)}
MAX_SLIDERS = 16


class Controls(pn.viewable.Viewer):
    """The control column for one session's state."""

    def __init__(self, state: SessionState, **params):
        super().__init__(**params)
        self.state = state
        self._syncing = False
        self.preset = pn.widgets.Select(label="Preset", options={p.title: k for k, p in presets.PRESETS.items()}
                                        | {"Custom": "custom"}, value=state.preset, sizing_mode="stretch_width")
        self.sizes = pn.widgets.TextInput(label="Sizes (input, hidden..., output)", value=self._sizes_text(),
                                          sizing_mode="stretch_width")
        self.add_layer = pn.widgets.Button(label="+ hidden layer", color="light", sizing_mode="stretch_width")
        self.remove_layer = pn.widgets.Button(label="− hidden layer", color="light", sizing_mode="stretch_width")
        self.activation = pn.widgets.Select(label="Hidden activation (all layers)",
                                            options=options(core.HIDDEN_ACTIVATIONS),
                                            value=state.activation, sizing_mode="stretch_width")
        self.output = pn.widgets.Select(label="Output activation", options=options(core.OUTPUT_ACTIVATIONS),
                                        value=state.output, sizing_mode="stretch_width")
        self.seed = pn.widgets.IntInput(label="Seed", start=0, end=MAX_SEED, value=state.seed, width=120)
        self.new_weights = pn.widgets.Button(label="New weights", color="primary", align="end")
        self.message = pn.pane.HTML("", sizing_mode="stretch_width", name="message")
        self.link_note = pn.pane.HTML("", sizing_mode="stretch_width", name="link_note", visible=False)
        self.neurons = pn.Column(sizing_mode="stretch_width")
        self.inputs = pn.Column(sizing_mode="stretch_width")
        self._sliders = []

        self.preset.param.watch(lambda e: self._act(state.apply_preset, e.new), "value")
        self.sizes.param.watch(lambda e: self._act(state.set_sizes, e.new), "value")
        self.activation.param.watch(lambda e: self._act(state.set_activation, e.new), "value")
        self.output.param.watch(lambda e: self._act(state.set_output, e.new), "value")
        self.seed.param.watch(lambda e: self._act(state.set_seed, e.new), "value")
        self.new_weights.on_click(lambda e: state.new_weights())
        self.add_layer.on_click(lambda e: self._change_depth(+1))
        self.remove_layer.on_click(lambda e: self._change_depth(-1))
        state.param.watch(self._on_structure, "structure")
        state.param.watch(self._on_values, "x")
        state.param.watch(self._on_message, "message")
        state.param.watch(self._on_weights, ["custom_weights", "structure"])
        self._on_structure()
        self._on_message()

    def __panel__(self):
        return pn.Column(
            self.message, self.preset,
            pn.pane.Markdown("### Input", margin=(0, 10)), self.inputs,
            pn.pane.Markdown("### Architecture", margin=(0, 10)),
            self.activation, self.output, self.sizes, pn.Row(self.remove_layer, self.add_layer), self.neurons,
            pn.Row(self.seed, self.new_weights), self.link_note,
            sizing_mode="stretch_width")

    # --- widget -> state --------------------------------------------------------------------

    def _act(self, setter, value):
        if self._syncing:
            return
        if not setter(value):
            self._sync_widgets()         # refused: show the last good value again

    def _change_depth(self, step):
        sizes = list(self.state.network.sizes)
        hidden = len(sizes) - 2
        lo, hi = BUTTON_LIMITS["layers"]
        if not lo <= hidden + step <= hi:
            self.state.message = f"the buttons allow {lo} to {hi} hidden layers; type sizes for more"
            return
        if step > 0:
            sizes.insert(-1, sizes[-2] if hidden else max(2, sizes[0]))
        else:
            del sizes[-2]
        self.state.set_sizes(sizes)

    def _change_width(self, l, step):
        sizes = list(self.state.network.sizes)
        kind = "input" if l == 0 else "output" if l == len(sizes) - 1 else "hidden"
        lo, hi = BUTTON_LIMITS[kind]
        if not lo <= sizes[l] + step <= hi:
            self.state.message = f"the buttons allow {lo} to {hi} {kind} neurons; type sizes for other widths"
            return
        sizes[l] += step
        self.state.set_sizes(sizes)

    # --- state -> widgets ---------------------------------------------------------------------

    def _sizes_text(self):
        return ",".join(map(str, self.state.network.sizes))

    def _sync_widgets(self):
        self._syncing = True
        try:
            st = self.state
            self.preset.value = st.preset
            self.sizes.value = self._sizes_text()
            self.activation.value = st.activation
            self.output.value = st.output
            self.seed.value = st.seed
        finally:
            self._syncing = False

    def _on_structure(self, *_):
        # The neurons' rows and the input sliders change together: Bokeh re-walks the whole document
        # after each layout change; frozen, it walks it once (a new shape costs the loop ~0.1 s less).
        models = getattr(session.document(), "models", None)
        if not hasattr(models, "freeze"):
            self._rebuild_structure()
            return
        failed = None
        with models.freeze():           # Bokeh's freeze has no finally: the body must not raise out of it
            try:
                self._rebuild_structure()
            except Exception as exc:        # noqa: BLE001 -- raised again once the document is thawed
                failed = exc
        if failed is not None:
            raise failed

    def _rebuild_structure(self):
        self._sync_widgets()
        sizes = self.state.network.sizes
        rows = []
        for l, n in enumerate(sizes):
            name = "Input" if l == 0 else "Output" if l == len(sizes) - 1 else f"Hidden {l}"
            # Named for screen readers and hover by page.js from the class (a Bokeh tooltip is a model more).
            minus = pn.widgets.Button(label="−", width=36, color="light", margin=(2, 4),
                                      css_classes=[f"nnviz-label--one_neuron_fewer_in_{name.replace(' ', '_')}"])
            plus = pn.widgets.Button(label="+", width=36, color="light", margin=(2, 4),
                                     css_classes=[f"nnviz-label--one_neuron_more_in_{name.replace(' ', '_')}"])
            minus.on_click(lambda e, l=l: self._change_width(l, -1))
            plus.on_click(lambda e, l=l: self._change_width(l, +1))
            row = [pn.pane.HTML(f"<span>{name}: <b>{n}</b></span>", width=84, margin=(8, 4)), minus, plus]
            if 0 < l < len(sizes) - 1:          # each hidden layer may have its own activation
                act = pn.widgets.Select(options=options(core.HIDDEN_ACTIVATIONS), value=self.state.activations[l - 1],
                                        width=84, margin=(2, 4),
                                        css_classes=[f"nnviz-label--Activation_of_{name.replace(' ', '_')}"])
                act.param.watch(lambda e, l=l: self._act(lambda v: self.state.set_layer_activation(l, v), e.new),
                                "value")
                row.append(act)
            rows.append(pn.Row(*row, margin=0))
        self.neurons.objects = rows
        self._build_inputs()

    def _build_inputs(self):
        n = self.state.network.sizes[0]
        x = self.state.x
        if n > MAX_SLIDERS:
            self._sliders = []
            paste = pn.widgets.TextAreaInput(label=f"Paste {n} numbers", height=70, sizing_mode="stretch_width")
            apply = pn.widgets.Button(label="Use pasted input", color="light")
            apply.on_click(lambda e: self.state.set_input(paste.value))
            preset = pn.widgets.Button(label="Preset input", color="light")
            preset.on_click(lambda e: self.state.set_input(presets.preset_input(self.state.preset))
                            if self.state.preset in presets.PRESETS else self.state.random_input(0))
            rand = pn.widgets.Button(label="Random input", color="light")
            rand.on_click(lambda e: self.state.random_input())
            self.inputs.objects = [pn.pane.Markdown(f"{n} inputs are too many for sliders."),
                                   pn.Row(preset, rand), paste, apply]
            return
        span = 1.0 if max((abs(v) for v in x), default=0) <= 1 else 10.0
        # Plain Bokeh sliders: their changes reach our callback without Panel's widget layer
        # (its 50 ms debounce and bookkeeping), which cuts the input-to-picture time by about a third.
        sliders = []
        for i, v in enumerate(x):
            s = BokehSlider(title=input_name(i), start=-span, end=span, step=span / 100, value=float(v),
                            sizing_mode="stretch_width", css_classes=[f"input-slider-{i}"])
            s.on_change("value", lambda attr, old, new, i=i, s=s: self._slid(i, s, new))
            sliders.append(s)
        self._sliders = sliders
        self.inputs.objects = [pn.pane.Bokeh(bokeh_column(*sliders, sizing_mode="stretch_width"),
                                             sizing_mode="stretch_width")]

    def _slid(self, i, slider, value):
        """An input slider moved; a refused value (a modified page's) goes back to the kept one."""
        if self._syncing or self.state.set_input_value(i, value):
            return
        kept = self.state.x[i]
        self.state.message = refusals.refusal(slider.title, value, kept, (-INPUT_BOUND, INPUT_BOUND))
        self._syncing = True
        try:
            slider.value = kept
        finally:
            self._syncing = False

    def _on_values(self, *_):
        if not self._sliders or len(self._sliders) != len(self.state.x):
            return
        if any(abs(v) > s.end for s, v in zip(self._sliders, self.state.x)):
            self._build_inputs()            # a value beyond the sliders' span (a link, a paste): widen them
            return
        self._syncing = True
        try:
            for s, v in zip(self._sliders, self.state.x):
                if s.value != v:
                    s.value = max(s.start, min(s.end, v))
        finally:
            self._syncing = False

    def _on_weights(self, *_):
        """Say when the link cannot carry this network's own weights (it then rebuilds from the seed)."""
        st = self.state
        off = st.custom_weights and not link.weights_travel(st)
        if off:
            n = st.network.count_params()["total"]
            self.link_note.object = (f'<div class="nnviz-note">The link carries trained or edited weights of networks '
                                     f'up to {link.MAX_LINK_PARAMS:,} parameters. This one has {n:,}: a copied link '
                                     f'opens it with the weights its seed gives, not these.</div>')
        self.link_note.visible = off

    def _on_message(self, *_):
        msg = self.state.message
        self.message.object = alert_html(msg)
        self.message.visible = bool(msg)
