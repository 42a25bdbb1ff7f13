"""Training and digits tabs in-process: frames train, the graph follows, edits and resets work."""
import numpy as np
import pytest

from nnviz.core import training
from nnviz.ui.app import App

PLAYGROUND = {"view": "train", "preset": "custom", "sizes": "2,4,2,1", "activation": "tanh", "output": "tanh"}


@pytest.fixture
def view():
    app = App(query=PLAYGROUND)
    return app, app.view("train")


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
    app.state.view = "network"                   # opening the Network tab brings the graph up to date
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
    app.state.set_activation("linear")
    app.state.set_output("linear")
    tv.settings.param.update(problem="plane", lr=10.0)
    tv.play.value = True
    tv.run_frames(5)
    assert tv.trainer.diverged and tv.play.value is False
    assert "infinite" in tv.message.object
    app.state.network.W[0][0, 0] = float("nan")
    app.state.weights_changed()                      # NaN weights still draw (as neutral edges)
    assert len(app.graph.edges.data["color"]) == len(app.graph.edges.data["weight"])


def test_reset_draws_the_playground_weights_of_the_data_seed(view):
    app, tv = view
    tv.run_frames(3)
    tv.reset_weights()
    fresh = training.network_for("circle", (4, 2), "tanh", seed=tv.settings.seed)
    for a, b in zip(fresh.W + fresh.b, tv.trainer.net.W + tv.trainer.net.b):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.abs(tv.trainer.net.W[0]) <= 0.5) and np.all(tv.trainer.net.b[0] == 0.1)
    assert tv.trainer.epoch == 0 and tv.settings.epoch == 0 and len(tv.curve.data["epoch"]) == 1
    assert app.state.network is tv.trainer.net


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
    app.state.view = "network"
    assert app.graph.edges.data["weight"][0] == 1.25
    tv.run_frames(1, epochs=1)
    assert tv.trainer.net.W[l - 1][d, s] != 1.25          # training continues from the edited value


def test_the_sidebar_network_is_what_trains(view):
    app, tv = view
    assert app.state.set_sizes("2,3,1")
    assert tv.trainer.net is app.state.network and tv.trainer.net.sizes == (2, 3, 1)
    assert not app.state.set_sizes("2,x")
    assert tv.trainer.net.sizes == (2, 3, 1)
    tv.settings.features = ["x1", "x2", "x1^2", "x2^2"]         # the input layer follows the features
    assert tv.trainer.net.sizes == (4, 3, 1) and app.state.network.sizes == (4, 3, 1)
    assert "x1^2" in app.state.message and "4 inputs" in app.state.message
    tv.settings.problem = "xor"
    assert tv.trainer.data.name == "xor"


def test_a_network_that_does_not_fit_is_not_replaced_silently():
    app = App(query={"view": "train"})                         # the starter 3-4-3-2 softmax network
    tv = app.view("train")
    assert tv.trainer is None and app.state.network.sizes == (3, 4, 3, 2)
    assert "cannot learn circle" in tv.network_note.object and tv.adapt.visible
    assert tv.play.disabled and "2-4-3-1" in tv.adapt.label
    tv.adapt.clicks += 1                                       # the teacher agrees
    assert app.state.network.sizes == (2, 4, 3, 1) and app.state.network.output == "tanh"
    assert tv.trainer is not None and tv.trainer.net is app.state.network and not tv.play.disabled
    assert "2-4-3-1" in app.state.message


def test_digits_network_learns_and_drawing_changes_prediction():
    app = App(query={"view": "digits"})
    dv = app.view("digits")
    assert dv.adapt.visible and "64 inputs" in dv.status.object    # the starter network cannot read images
    dv.train()                                                     # installs 64-32-10, then trains it
    assert dv.accuracy >= 0.90
    assert app.state.network.sizes == (64, 32, 10) and app.state.custom_weights and not dv.adapt.visible
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


def test_every_view_survives_a_diverged_network():
    """reg-gauss at learning rate 10 with linear units overflows; no view raises or shows blank arithmetic."""
    from nnviz.ui.views import VIEWS
    app = App(query={"view": "train", "preset": "custom", "sizes": "2,4,2,1", "activation": "linear",
                     "output": "linear", "train.problem": "reg-gauss", "train.lr": "10"})
    tv = app.view("train")
    tv.run_frames(10)
    assert tv.trainer.diverged and not app.state.finite
    assert "overflowed" in app.state.message and "Reset" in app.state.message
    for key, _, _ in VIEWS:
        app.state.view = key
        view = app.view(key)
        if hasattr(view, "refresh"):
            view.refresh()
    assert "NaN" in app.view("forward").path.object                      # a word, not "()"
    assert "Nothing to collapse" in app.view("linearity").status.object
    assert not app.state.set_activation("relu")                             # refused with the way out
    assert "Reset" in app.state.message and app.controls.activation.value == app.state.activation == "linear"
    tv.reset_weights()                                                      # the way out works
    assert app.state.finite and app.state.set_activation("tanh")
