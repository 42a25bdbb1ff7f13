"""Training and digits tabs in-process: frames train, the graph follows, edits and resets work."""
import numpy as np
import pytest

from nnviz.ui.app import App


@pytest.fixture
def view():
    app = App(query={"view": "train"})
    return app, app.training.ensure()


def test_frames_train_and_loss_falls(view):
    app, tv = view
    first = tv.trainer.history["train_loss"][0]
    tv.run_frames(10)
    assert tv.trainer.epoch >= 10
    assert tv.trainer.history["train_loss"][-1] < 0.5 * first
    assert f">{tv.trainer.epoch}<" in tv.status.object
    assert len(tv.curve.data["epoch"]) == 11 and tv.curve.data["epoch"][-1] == tv.trainer.epoch
    assert tv.curve.data["acc"][-1] == tv.trainer.history["test_accuracy"][-1] > tv.curve.data["acc"][0]


def test_graph_shows_the_network_being_trained(view):
    app, tv = view
    tv.run_frames(3)
    assert app.state.network is tv.trainer.net
    app.view = "network"                   # opening the Network tab brings the graph up to date
    e = app.graph.edges.data
    W = tv.trainer.net.W
    for l, s, d, w in zip(e["layer"], e["src"], e["dst"], e["weight"]):
        assert w == W[l - 1][d, s]
    before = list(e["weight"])
    tv.run_frames(2)
    assert list(app.graph.edges.data["weight"]) != before


def test_heatmaps_match_the_network(view):
    app, tv = view
    tv.run_frames(2)
    img = np.asarray(tv.heat.data["image"][0])
    out = tv.trainer.net(tv.trainer.inputs(tv._grid))[:, 0].reshape(img.shape)
    np.testing.assert_allclose(img, out, rtol=1e-6, atol=1e-7)
    assert tv.maps.data["label"] == ["H1.0", "H1.1", "H1.2", "H1.3", "H2.0", "H2.1"]
    small = tv.trainer.net.forward(tv.trainer.inputs(tv._map_grid))
    np.testing.assert_allclose(tv.maps.data["image"][5], small.a[2][:, 1].reshape(25, 25), rtol=1e-6)
    trace = tv.trainer.net.forward(tv.trainer.inputs(tv._grid))
    tv.maps.selected.indices = [1]                   # click H1.1: the big map shows it
    assert tv.focus == (1, 1) and "H1.1" in tv.heat_fig.title.text
    np.testing.assert_allclose(tv.heat.data["image"][0], trace.a[1][:, 1].reshape(img.shape), rtol=1e-6, atol=1e-7)
    tv.maps.selected.indices = [1]                   # click it again: back to the output
    assert tv.focus is None
    np.testing.assert_allclose(tv.heat.data["image"][0], out, rtol=1e-6, atol=1e-7)


def test_diverging_run_stops_and_the_graph_survives(view):
    app, tv = view
    tv.settings.param.update(problem="plane", activation="linear", lr=10.0)
    tv.play.value = True
    tv.run_frames(5)
    assert tv.trainer.diverged and tv.play.value is False
    assert "infinite" in tv.message.object
    app.state.network.W[0][0, 0] = float("nan")
    app.state.weights_changed()                      # NaN weights still draw (as neutral edges)
    assert len(app.graph.edges.data["color"]) == len(app.graph.edges.data["weight"])


def test_reset_restores_initial_weights_bit_for_bit(view):
    app, tv = view
    W0 = [W.copy() for W in tv.trainer.net.W]
    tv.run_frames(3)
    assert not np.array_equal(W0[0], tv.trainer.net.W[0])
    tv._reset()
    for a, b in zip(W0, tv.trainer.net.W):
        np.testing.assert_array_equal(a, b)
    assert tv.trainer.epoch == 0 and len(tv.curve.data["epoch"]) == 1


def test_editor_forgets_its_edge_when_the_network_changes(view):
    app, tv = view
    app.editor.select([len(app.graph.edges.data["layer"]) - 1])     # an edge into the last layer
    assert app.editor.target is not None
    app.state.set_sizes("3,2")
    assert app.editor.target is None and not app.editor.set_weight(1.0)
    assert not app.state.set_weight(5, 0, 0, 1.0)


def test_hand_edit_reaches_the_trainer(view):
    app, tv = view
    tv.run_frames(1)
    editor = app.editor
    editor.select([0])
    l, d, s = editor.target
    assert editor.set_weight(1.25)
    assert tv.trainer.net.W[l - 1][d, s] == 1.25
    assert app.graph.edges.data["weight"][0] == 1.25
    tv.run_frames(1, epochs=1)
    assert tv.trainer.net.W[l - 1][d, s] != 1.25          # training continues from the edited value


def test_settings_rebuild_and_refuse_bad_values(view):
    app, tv = view
    tv.settings.hidden = "3"
    assert tv.trainer.net.sizes == (2, 3, 1)
    tv.settings.hidden = "99,x"
    assert "whole numbers" in tv.message.object and tv.trainer.net.sizes == (2, 3, 1)
    tv.settings.hidden = "4"
    tv.settings.features = ["x1", "x2", "x1^2", "x2^2"]
    assert tv.trainer.net.sizes == (4, 4, 1)
    tv.settings.problem = "xor"
    assert tv.trainer.data.name == "xor"


def test_digits_network_learns_and_drawing_changes_prediction():
    app = App(query={"view": "digits"})
    dv = app.digits.ensure()
    dv.train()
    assert dv.accuracy >= 0.90
    assert app.state.network is dv.trainer.net
    dv.load_example()
    shown = int(np.argmax(dv.probs.data["p"]))
    assert f">{shown}<" in dv.prediction.object
    np.testing.assert_allclose(np.sum(dv.probs.data["p"]), 1.0)
    np.testing.assert_allclose(app.state.x, dv.image())
    dv.set_image(np.zeros(64))
    p_blank = np.asarray(dv.probs.data["p"]).copy()
    for cell in (3, 4, 11, 12, 19, 20, 27, 28, 35, 36, 43, 44, 51, 52, 59, 60):   # a vertical bar: a "1"
        dv._tapped([cell])
    assert not np.allclose(p_blank, dv.probs.data["p"])
    assert dv.image().sum() == 16
