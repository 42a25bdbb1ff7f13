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
