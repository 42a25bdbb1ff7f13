"""What one change of the graph sends to the browser, and which canvas has to repaint (issue 9)."""
import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent, ModelChangedEvent

from nnviz.ui.app import App

VALUE_COLUMNS = {"z", "a", "formula", "afx", "label", "fill"}


def recorded(app):
    """The app's graph in a document, and the list its change events go to."""
    doc = Document()
    doc.add_root(app.graph.fig)
    events = []
    doc.callbacks.on_change(events.append)
    return events


def changed(events):
    """{source or model name: set of columns or attributes} over the recorded events."""
    out = {}
    for ev in events:
        if isinstance(ev, ColumnDataChangedEvent):
            out.setdefault(ev.model.name, set()).update(ev.cols or ev.model.data)
        elif isinstance(ev, (ColumnsPatchedEvent, ModelChangedEvent)):
            out.setdefault(getattr(ev.model, "name", None) or type(ev.model).__name__, set()).add(
                getattr(ev, "attr", "patch"))
    return out


@pytest.mark.parametrize("query", [{"preset": "digits"},
                                   {"sizes": "2,8,8,8,8,8,8,1", "activation": "tanh", "x": "0.5,-0.5"}])
def test_an_input_sends_the_value_columns_of_nodes_and_nothing_else(query):
    app = App(query=query)
    events = recorded(app)
    assert app.state.set_input_value(0, -0.7)
    assert changed(events) == {"nodes": VALUE_COLUMNS}
    (ev,) = events
    for k in ("z", "a"):
        assert isinstance(ev.model.data[k], np.ndarray)           # sent as binary buffers, not lists
    assert app.graph.nodes.data["a"][0] == -0.7


def test_a_weight_change_restyles_edges_and_keeps_the_static_labels():
    app = App(query={"preset": "neuron"})
    events = recorded(app)
    assert app.state.set_weight(1, 0, 0, -1.5)
    sent = changed(events)
    assert sent["edges"] == {"weight", "width", "color", "alpha"}
    assert "layer_labels" not in sent and sent["nodes"] >= {"z", "a", "btext", "ring"}


def test_bias_labels_follow_the_biases():
    app = App(query={"preset": "neuron"})
    app.state.network.b[0][0] = 2.5
    app.state.weights_changed()
    assert list(app.graph.bias_labels.data["btext"]) == list(app.graph.nodes.data["btext"])
    assert "b=2.5" in app.graph.bias_labels.data["btext"]


def test_what_an_input_changes_is_drawn_on_the_top_canvas_and_nothing_else():
    g = App(query={"preset": "digits"}).graph
    by_source = {}
    for r in g.fig.renderers:
        by_source.setdefault(r.data_source.name, set()).add(r.level)
    assert by_source.pop("nodes") == {"overlay"}                 # neurons and their value labels
    assert all("overlay" not in levels for levels in by_source.values())   # edges, bias and layer labels
    assert all(a.level != "overlay" for a in g.fig.right + g.fig.below + g.fig.center)


def test_edge_hover_reads_a_from_the_source_neurons_row():
    app = App(query={"preset": "digits"})
    n, e = app.graph.nodes.data, app.graph.edges.data
    for l, s, row in zip(e["layer"], e["src"], e["src_row"]):
        assert (n["layer"][row], n["unit"][row]) == (l - 1, s)
    hover = [t for t in app.graph.fig.tools if type(t).__name__ == "HoverTool"][1]
    formatter = hover.formatters["@src_row"]
    assert formatter.args["nodes"] is app.graph.nodes and formatter.args["edges"] is app.graph.edges
    assert "@src_row{a}" in hover.tooltips[2][1] and "@src_row{wa}" in hover.tooltips[2][1]


def test_while_an_update_is_unconfirmed_only_the_newest_state_is_drawn(monkeypatch):
    from nnviz.ui import graph as graph_module
    app = App(query={"preset": "digits"})
    g = app.graph
    monkeypatch.setattr(graph_module.session, "document", lambda: object())     # as if served
    monkeypatch.setattr(graph_module.session, "later", lambda callback, ms: lambda: None)
    drawn = []
    values = g._values
    monkeypatch.setattr(g, "_values", lambda: (drawn.append(app.state.x[0]), values()))
    for v in (0.1, 0.2, 0.3):                       # a drag: the browser has not confirmed 0.1 yet
        assert app.state.set_input_value(0, v)
    assert drawn == [0.1] and g.nodes.data["a"][0] == 0.1
    g._received.data = {"n": [1]}                   # the browser's receipt
    assert drawn == [0.1, 0.3] and g.nodes.data["a"][0] == 0.3
    g._received.data = {"n": [2]}
    assert drawn == [0.1, 0.3]                      # nothing new: nothing sent
    assert app.state.set_input_value(0, 0.4) and app.state.set_sizes("4,5,10")
    assert len(g.nodes.data["a"]) == 19             # a new structure is drawn at once
    (receipt,) = g.nodes.js_property_callbacks["change:data"]
    assert receipt.args["received"] is g._received


def test_a_graph_built_in_a_served_page_draws_the_first_input_at_once(monkeypatch):
    """A view built after its page loaded sends its first drawing with its models, for which no receipt
    comes: the first input must not wait for one."""
    from nnviz.ui import graph as graph_module
    app = App(query={"preset": "digits"})
    monkeypatch.setattr(graph_module.session, "document", lambda: object())     # as if served
    monkeypatch.setattr(graph_module.session, "later", lambda callback, ms: lambda: None)
    g = graph_module.NetworkGraph(app.state)                                    # built in the served page
    assert g._cancel_wait is None
    assert app.state.set_input_value(0, 0.25)
    assert g.nodes.data["a"][0] == 0.25
