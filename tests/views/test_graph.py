"""The App without a browser: state, URL handling and the Bokeh sources it feeds."""
import numpy as np
import pytest

from nnviz import core as engine
from nnviz.encode import colours, layout
from nnviz.ui.app import App
from nnviz.state.session import SessionState as NetworkState


def nodes(app):
    return {k: np.asarray(v) if k not in ("fill", "name", "formula", "afx", "label", "btext", "ring") else v
            for k, v in app.graph.nodes.data.items()}


def test_rows_match_architecture_and_engine():
    app = App(query={"sizes": "4,3,3,10", "activation": "relu", "seed": "3"})
    d = nodes(app)
    assert len(d["a"]) == 4 + 3 + 3 + 10
    assert len(app.graph.edges.data["weight"]) == 4 * 3 + 3 * 3 + 3 * 10
    trace = app.state.network.forward(np.array(app.state.x))
    for l in range(4):
        m = d["layer"] == l
        np.testing.assert_allclose(d["a"][m], trace.a[l][d["unit"][m]], atol=1e-12)
    assert np.all(np.isnan(d["z"][d["layer"] == 0])) and np.all(np.isnan(d["bias"][d["layer"] == 0]))
    np.testing.assert_allclose(d["bias"][d["layer"] == 3], app.state.network.b[2])


def test_edges_carry_weights_and_widths_grow_with_abs_weight():
    app = App(query={"preset": "digits"})
    e = app.graph.edges.data
    W = app.state.network.W
    for l, s, dst, w in zip(e["layer"], e["src"], e["dst"], e["weight"]):
        assert w == W[l - 1][dst, s]
    order = np.argsort(np.abs(e["weight"]))
    widths = np.asarray(e["width"])[order]
    assert np.all(np.diff(widths) >= 0) and widths[-1] > widths[0]
    pos = [c for c, w in zip(e["color"], e["weight"]) if w > 0]
    neg = [c for c, w in zip(e["color"], e["weight"]) if w < 0]
    assert set(pos).isdisjoint(neg)


def test_width_scale_is_clamped():
    assert colours.edge_width(0) == pytest.approx(colours.W_MIN)
    assert colours.edge_width(50) == pytest.approx(colours.W_MAX)
    assert colours.edge_width(-colours.W_CLAMP) == pytest.approx(colours.W_MAX)


def test_digits_preset_shows_true_first_layer():
    app = App(query={"preset": "digits"})
    d = nodes(app)
    np.testing.assert_allclose(d["z"][d["layer"] == 1], [0.12, 0.75, -0.41], atol=1e-12)
    np.testing.assert_allclose(d["a"][d["layer"] == 1], [0.12, 0.75, 0.0], atol=1e-12)


def test_value_change_keeps_sources_and_rows():
    app = App()
    data_before = app.graph.nodes.data
    edges_before = dict(app.graph.edges.data)
    structure = app.state.structure
    assert app.state.set_input_value(0, -0.9)
    assert app.graph.nodes.data is data_before            # same dict: columns updated in place
    assert app.state.structure == structure
    np.testing.assert_array_equal(app.graph.edges.data["weight"], edges_before["weight"])
    expected = app.state.network.forward(np.array(app.state.x))
    d = nodes(app)
    np.testing.assert_allclose(d["a"][d["layer"] == 3], expected.a[3])
    assert d["a"][0] == -0.9


def test_structural_change_replaces_rows():
    app = App()
    assert app.state.set_sizes("2,5,1")
    assert len(app.graph.nodes.data["a"]) == 8
    assert len(app.graph.edges.data["weight"]) == 2 * 5 + 5
    assert app.state.set_activation("relu")
    d = nodes(app)
    assert np.all(d["a"][d["layer"] == 1] >= 0)


def test_weight_edit_restyles_edges():
    app = App(query={"preset": "neuron"})
    assert app.state.set_weight(1, 0, 0, -1.5)
    e = app.graph.edges.data
    assert e["weight"][0] == -1.5 and e["width"][0] == pytest.approx(colours.edge_width(-1.5))
    assert nodes(app)["z"][2] == pytest.approx(-1.5 * 6 + 0.3 * 8 - 4)


def test_neuron_hover_writes_out_the_arithmetic():
    app = App(query={"preset": "neuron"})
    d = app.graph.nodes.data
    assert d["formula"][2] == "z = 0.7×6 + 0.3×8 + (-4) = 2.6"
    assert d["afx"][2] == "a = σ(2.6) = 0.931"
    assert d["label"][2] == "0.931" and d["btext"][2] == "b=-4"


def test_wide_network_is_summarised():
    app = App(query={"preset": "mnist-mlp"})
    d = nodes(app)
    assert len(d["a"]) == 15 + 15 + 15 + 10
    assert d["unit"][d["layer"] == 0].max() == 783       # real index of the last drawn input
    assert len(app.graph.edges.data["weight"]) <= 3 * layout.MAX_EDGES
    assert any("769 more" in t for t in app.graph.marks.data["text"])
    assert app.state.network.count_params()["total"] == 235_146


@pytest.mark.parametrize("query, fragment", [
    ({"sizes": "3,0,2"}, "sizes"),
    ({"sizes": "1000000,2"}, "limit"),
    ({"sizes": "<script>alert(1)</script>"}, "whole number"),
    ({"activation": "swish"}, "activation"),
    ({"seed": "-5"}, "seed"),
    ({"seed": "abc"}, "seed"),
    ({"x": "1,nan,2"}, "x"),
    ({"x": "1,2"}, "x"),
    ({"preset": "nope"}, "preset"),
    ({"view": "<b>x</b>"}, "view"),
])
def test_bad_query_values_are_refused_and_state_kept(query, fragment):
    good = App()
    app = App(query=query)
    assert fragment in app.state.message
    assert app.state.network.sizes == good.state.network.sizes
    assert app.state.x == good.state.x
    assert len(app.graph.nodes.data["a"]) == 12


def test_message_is_escaped_html():
    app = App(query={"sizes": "<img src=x onerror=alert(1)>"})
    html = app.controls.message.object
    assert "<img" not in html and "&lt;img" in html


def test_query_round_trip():
    app = App(query={"sizes": "2,6,3,1", "activation": "gelu", "output": "sigmoid", "seed": "42",
                     "x": "0.25,-0.75"})
    q = app.query()
    again = App(query=q)
    np.testing.assert_allclose(again.state.trace.output, app.state.trace.output)
    assert again.state.network.sizes == (2, 6, 3, 1) and again.state.activation == "gelu"
    for a, b in zip(again.state.network.W, app.state.network.W):
        np.testing.assert_array_equal(a, b)


def test_custom_network_link_reproduces_it_whatever_the_order_of_changes():
    sender = App()
    sender.state.set_sizes("3,5,2")
    sender.state.set_activation("gelu")
    sender.state.set_output("sigmoid")
    sender.state.set_input("0.3,-0.2,0.9")
    again = App(query=sender.query())
    np.testing.assert_allclose(again.state.trace.output, sender.state.trace.output, atol=1e-15)
    # The starter preset's sizes with preset=custom must give the seeded network, not the preset's.
    link = App(query={"preset": "custom", "sizes": "3,4,3,2", "seed": "1"})
    expected = engine.Network.init((3, 4, 3, 2), "tanh", "softmax", seed=1)
    for a, b in zip(link.state.network.b, expected.b):
        np.testing.assert_array_equal(a, b)


def test_sessions_do_not_share_state():
    a, b = App(), App()
    a.state.set_sizes("2,2")
    a.state.set_input("0.1,0.2")
    assert b.state.network.sizes == (3, 4, 3, 2)
    assert a.graph.nodes is not b.graph.nodes


def test_state_without_panel_validates_inputs():
    st = NetworkState()
    assert not st.set_input("1,2,3,4")
    assert not st.set_input([0.1, float("inf"), 0.2])
    assert not st.set_input([0.1, 99, 0.2])
    assert st.x == [0.5, -0.3, 0.8]
    assert not st.set_weight(1, 0, 0, float("nan"))
    assert st.set_input("0.1 0.2 0.3") and st.x == [0.1, 0.2, 0.3]


def test_controls_buttons_change_architecture_within_limits():
    app = App()
    c = app.controls
    c._change_depth(+1)
    assert app.state.network.sizes == (3, 4, 3, 3, 2)
    c._change_width(1, +1)
    assert app.state.network.sizes[1] == 5
    app.state.set_sizes("8,2")
    c._change_width(0, +1)
    assert app.state.network.sizes == (8, 2) and "1 to 8" in app.state.message


def test_controls_follow_state_and_sliders_drive_it():
    app = App(query={"preset": "neuron"})
    c = app.controls
    assert [s.value for s in c._sliders] == [6.0, 8.0]
    c._sliders[0].value = 5.0
    assert app.state.x[0] == 5.0
    assert app.graph.nodes.data["z"][2] == pytest.approx(0.7 * 5 + 0.3 * 8 - 4)
    c.sizes.value = "bogus"
    assert c.sizes.value == "2,1" and "whole number" in app.state.message


def test_sliders_widen_for_values_beyond_their_span():
    app = App(query={"x": "5,5,5"})
    assert [s.value for s in app.controls._sliders] == [5.0, 5.0, 5.0]
    assert app.controls._sliders[0].end == 10.0


def test_colour_range_follows_activation():
    assert colours.value_range("sigmoid", [0.2]) == (0.0, 1.0)
    assert colours.value_range("tanh", [0.2]) == (-1.0, 1.0)
    assert colours.value_range("relu", [0.2, 3.0]) == (0.0, 3.0)
    assert colours.value_range("gelu", [0.2]) == (-0.17, 1.0)
    lo, hi = colours.value_range("linear", [-4.0, 2.0])
    assert lo == -4.0 and hi == 4.0
    assert engine.OUTPUT_RANGES["softmax"] == (0.0, 1.0)


# --- labels never overlap; hovers and clicks aim at one thing; one colour meaning per hue -----------

@pytest.mark.parametrize("sizes", ["2,3,1", "4,32,32,10", "8,16,16,2", "784,256,128,10", "3,12,5"])
def test_visible_labels_never_overlap(sizes):
    app = App(query={"preset": "custom", "sizes": sizes})
    g, d = app.graph, app.graph.nodes.data
    y0, y1 = g.fig.y_range.start, g.fig.y_range.end
    ppu = (g.height - 95) / (y1 - y0)
    value, bias, vpx, bpx = layout.label_fit(d["layer"], d["y"], ppu)
    assert [bool(t) for t in d["label"]] == list(value)
    assert [bool(t) for t in d["btext"]] == list(bias & (np.asarray(d["layer"]) > 0))
    for l in set(d["layer"]):
        m = np.asarray(d["layer"]) == l
        shown = np.sort(np.concatenate([vpx[m & value], bpx[m & bias]]))
        assert np.all(np.diff(shown) >= layout.FONT_PX)       # no two visible labels closer than a font
    assert value.any()                                           # and there are numbers where room allows


def test_small_network_shows_every_number_and_a_wide_one_thins_them():
    small = App(query={"preset": "neuron"}).graph.nodes.data
    assert all(small["label"]) and all(t for t, l in zip(small["btext"], small["layer"]) if l > 0)
    wide = App(query={"preset": "custom", "sizes": "4,32,32,10"}).graph.nodes.data
    hidden = np.asarray(wide["layer"]) == 1
    shown = np.asarray([bool(t) for t in wide["label"]])
    assert shown[hidden].all()                          # 21 px a row: room for the values...
    assert not any(t for t, h in zip(wide["btext"], hidden) if h)      # ...but not for a bias under each
    short = App(query={"preset": "custom", "sizes": "4,32,32,10"})
    short.graph.height = 250                            # a short figure thins the values too
    short.graph._structural()
    shown = np.asarray([bool(t) for t in short.graph.nodes.data["label"]])
    assert 0 < shown[hidden].sum() < hidden.sum()


def test_edges_answer_the_pointer_only_away_from_nodes():
    app = App()
    g = app.graph
    e = g.edges.data
    hover = [t for t in g.fig.tools if type(t).__name__ == "HoverTool"]
    assert [t.renderers for t in hover] == [[g.node_renderer], [g.hit_renderer]]
    for k in range(len(e["layer"])):
        length = np.hypot(e["x1"][k] - e["x0"][k], e["y1"][k] - e["y0"][k])
        start = np.hypot(e["hx0"][k] - e["x0"][k], e["hy0"][k] - e["y0"][k])
        end = np.hypot(e["x1"][k] - e["hx1"][k], e["y1"][k] - e["hy1"][k])
        assert start == pytest.approx(0.3 * length) and end == pytest.approx(0.3 * length)
    assert g.hit_renderer.glyph.line_alpha == 0.0


def test_activations_never_use_the_weights_hues_and_brighter_is_larger():
    def lum(hexes):
        rgb = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hexes]) / 255
        return rgb @ [0.2126, 0.7152, 0.0722]
    assert set(colours.ACTIVATION).isdisjoint(colours.DIVERGING)
    assert np.all(np.diff(lum(colours.ACTIVATION)) > -0.01)                 # brighter = larger
    app = App(query={"preset": "custom", "sizes": "2,3,1", "activation": "tanh", "output": "tanh"})
    fills = set(app.graph.nodes.data["fill"])
    assert fills <= set(colours.ACTIVATION)                                # inputs included
    assert fills.isdisjoint(app.graph.edges.data["color"])
    bars = {b.title: b.color_mapper.palette for b in app.graph.fig.right if hasattr(b, "color_mapper")}
    assert set(bars) == {"input x", "hidden a", "output a"}
    legend = [i.label.value for i in app.graph.fig.legend[0].items]
    assert "selected" in legend and "w = 0 (dead)" in legend


def test_text_alternative_has_the_numbers_of_the_nodes_source():
    import re
    app = App(query={"preset": "digits"})
    app.state.set_input([0.3, 0.1, 0.9, 0.4])
    text = app.graph.describe.object
    rows = re.findall(r"<tr><th scope='row'>([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    nodes = app.graph.nodes.data
    assert len(rows) == len(nodes["a"]) == 20
    for (name, z, a), zs, as_ in zip(rows, nodes["z"], nodes["a"]):
        assert float(a) == pytest.approx(as_, rel=1e-5, abs=1e-9)
        assert (z == "") == bool(np.isnan(zs)) and (z == "" or float(z) == pytest.approx(zs, rel=1e-5, abs=1e-9))
    assert rows[0][0] == "input x1" and "largest: unit" in text
