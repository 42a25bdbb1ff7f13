"""Edit one weight by hand: click an edge on the network graph, type a value, apply (also mid-training)."""
from __future__ import annotations

import numbers

import panel as pn

from ..encode.labels import unit_name
from ..encode.layout import layer_names
from ..encode.notation import fmt
from ..state.parse import clip


class WeightEditor(pn.viewable.Viewer):
    """Follows the graph's edge selection and writes the typed weight through the state."""

    def __init__(self, state, graph, **params):
        super().__init__(**params)
        self.state, self.graph = state, graph
        self.target = None
        self.label = pn.pane.HTML("<b>Edit a weight:</b> click an edge on the graph.",
                                  sizing_mode="stretch_width")
        self.value = self.apply = None          # the number box and its button, made when an edge is first picked
        self.row = pn.Row(sizing_mode="stretch_width", margin=0)
        graph.edges.selected.on_change("indices", lambda attr, old, new: self.select(new))
        state.param.watch(self._forget, "structure")

    def _forget(self, *_):
        """A new network: the remembered edge may not exist any more."""
        self.target = None
        self.label.object = "<b>Edit a weight:</b> click an edge on the graph."
        self.graph.edges.selected.indices = []

    def __panel__(self):
        return pn.Column(self.label, self.row, sizing_mode="stretch_width")

    def _widgets(self):
        if self.value is None:
            self.value = pn.widgets.FloatInput(label="weight w", value=0.0, step=0.1, width=120, start=-100, end=100)
            self.apply = pn.widgets.Button(label="Set weight", color="primary", width=110, align="end")
            self.apply.on_click(lambda e: self.set_weight(self.value.value))
            self.row.objects = [self.value, self.apply]
        return self.value

    def select(self, indices):
        """Remember the clicked edge (layer, src, dst) and show its current weight."""
        if not indices:
            return
        e = self.graph.edges.data
        i = indices[0]
        if not (isinstance(i, numbers.Integral) and 0 <= i < len(e["layer"])):     # a modified page's index
            self.state.message = f"there is no edge {clip(i)} to edit; click one on the graph"
            self.graph.edges.selected.indices = []
            return
        l, s, d = int(e["layer"][i]), int(e["src"][i]), int(e["dst"][i])
        self.target = (l, d, s)
        names = layer_names(self.state.network.L)
        w = float(self.state.network.W[l - 1][d, s])
        self.label.object = f"{unit_name(names, l - 1, s)} → {unit_name(names, l, d)}: w = <b>{fmt(w)}</b>"
        self._widgets().value = round(w, 4)

    def set_weight(self, value) -> bool:
        if self.target is None:
            self.state.message = "click an edge first, then set its weight"
            return False
        l, d, s = self.target
        ok = self.state.set_weight(l, d, s, value)
        if ok:
            self.select([self._row_of(l, s, d)])
        return ok

    def _row_of(self, l, s, d):
        e = self.graph.edges.data
        for i, (a, b, c) in enumerate(zip(e["layer"], e["src"], e["dst"])):
            if (a, b, c) == (l, s, d):
                return i
        return 0
