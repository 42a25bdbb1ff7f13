"""The Network tab: the live graph of the session's network and the weight editor under it."""
from __future__ import annotations

import panel as pn

from ..export import Exporter
from ..graph import NetworkGraph
from ..parts import on_demand
from ..weight_editor import WeightEditor


class NetworkView(pn.viewable.Viewer):
    """The graph (named sources `nodes`, `edges`) and a click-an-edge weight editor."""

    key = "network"

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state = state
        self.graph = NetworkGraph(state)
        self.editor = WeightEditor(state, self.graph)
        self.exporter = Exporter(state)

    def __panel__(self):
        return pn.Column(self.graph, self.editor, on_demand("Save or load…", lambda: self.exporter),
                         sizing_mode="stretch_width")
