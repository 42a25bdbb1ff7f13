"""Export then import in-process: the same numbers come back; a bad file changes nothing."""
import numpy as np

from nnviz.ui.app import App


def test_export_then_import_gives_the_same_edges():
    app = App(query={"preset": "digits"})
    app.state.set_weight(2, 1, 0, 1.2345)
    ex = app.view("network").exporter
    saved_json, saved_npz = ex.json_bytes().getvalue().encode(), ex.npz_bytes().getvalue()
    edges = dict(app.graph.edges.data)
    for data, name in ((saved_json, "n.json"), (saved_npz, "n.npz")):
        other = App()
        assert other.view("network").exporter.load(data, name)
        np.testing.assert_array_equal(other.graph.edges.data["weight"], edges["weight"])
        assert other.state.custom_weights and "Loaded 4-3-3-10" in other.state.message


def test_a_bad_file_is_refused_and_the_state_stays():
    app = App(query={"preset": "digits"})
    before = [w.copy() for w in app.state.network.W]
    assert not app.view("network").exporter.load(b'{"sizes": [2, 1], "layers": "x"}', "evil.json")
    assert "evil.json not loaded" in app.state.message
    for a, b in zip(before, app.state.network.W):
        np.testing.assert_array_equal(a, b)


def test_presentation_mode_in_process():
    """Presentation mode (also part of the export story: a lesson link): no sidebar, a tall graph with
    fonts >= 16 px at 1920x1080, in the link; leaving restores the page."""
    app = App(query={"present": "1", "preset": "digits"})
    app.viewport.data = {"w": [1920], "h": [1080]}
    app._apply_present()
    assert app.state.present and app.present_toggle.value and not app.side.visible
    assert app.graph.fig.height >= 0.7 * 1080
    fonts = [float(g.text_font_size.rstrip("px")) if isinstance(g.text_font_size, str) else
             float(g.text_font_size["value"].rstrip("px"))
             for g in (app.graph.value_text.glyph, app.graph.bias_text.glyph, app.graph.layer_text.glyph)]
    assert min(fonts) >= 16
    assert app.query()["present"] == "1"
    app.present_toggle.value = False
    assert not app.state.present and app.side.visible and "present" not in app.query()
    assert app.graph.fig.height == app.graph._normal_height
