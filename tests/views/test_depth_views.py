"""The Depth and Pitfalls views in-process: build the App from a URL query, assert on named sources."""
import numpy as np
import pytest

from nnviz.core import depth
from nnviz.ui.app import App


@pytest.fixture(scope="module")
def depth_app():
    return App(query={"view": "depth", "depth.k": "4"})


@pytest.fixture(scope="module")
def pitfalls_app():
    return App(query={"view": "pitfalls"})


def source(view, name):
    found = [s for s in vars(view).values() if getattr(s, "name", None) == name]
    if not found:
        found = [s for d in vars(view).values() if isinstance(d, dict) for s in d.values()
                 if getattr(s, "name", None) == name]
    assert found, name
    return found[0]


def test_depth_view_counts_pieces_and_follows_k(depth_app):
    v = depth_app.view("depth")
    assert depth_app.state.depth.k == 4
    counted = source(v, "depth_pieces").data
    assert counted["deep_pieces"] == [16] and counted["shallow_pieces"][0] <= 9
    assert counted["deep_params"] == counted["shallow_params"] == [25]
    assert counted["deep_sizes"] == ["1-2-2-2-2-1"] and counted["shallow_sizes"] == ["1-8-1"]
    assert ">16<" in v.counts.object
    table = source(v, "depth_table").data
    assert table["deep"] == [2, 4, 8, 16, 32, 64]
    assert all(s <= 2 * k + 1 for k, s in zip(table["k"], table["shallow"]))
    curves = source(v, "depth_curves").data
    np.testing.assert_allclose(curves["deep"], depth.tent_network(4)(np.asarray(curves["x"])[:, None])[:, 0])
    depth_app.state.depth.k = 6
    assert source(v, "depth_pieces").data["deep_pieces"] == [64]
    assert str(depth_app.query()["depth.k"]) == "6"


def test_depth_view_trained_same_budget(depth_app):
    v = depth_app.view("depth")
    loss = source(v, "depth_loss").data
    assert len(loss["epoch"]) == len(loss["wide"]) == len(loss["deep"]) > 10
    wide, deep = v.runs["wide"], v.runs["deep"]
    assert abs(wide["params"] - deep["params"]) <= 0.05 * deep["params"]
    assert loss["deep"][-1] == deep["test_loss"] and f"{wide['params']:,}" in v.trained.object
    assert len(source(v, "depth_maps_1").data["image"]) == 6
    assert v.build_seconds < 10


def test_pitfalls_neuron_follows_the_neuron_lab(pitfalls_app):
    v = pitfalls_app.view("pitfalls")
    assert v.neuron_values["z"] == pytest.approx(2.6)
    assert v.neuron_values["a"] == pytest.approx(0.9308615796566533)
    pitfalls_app.state.neuron.w1 = 1.0
    assert v.neuron_values["z"] == pytest.approx(6 + 0.3 * 8 - 4)
    assert "<b>4.4</b>" in v.neuron.object


def test_pitfalls_vanishing_gradients(pitfalls_app):
    v = pitfalls_app.view("pitfalls")
    g = source(v, "pitfall_grads").data
    assert g["layer"] == list(range(1, 11))
    assert g["naive"][-1] >= 100 * g["naive"][0]
    assert len(source(v, "pitfall_grads_shallow").data["shallow"]) == 2
    loss = source(v, "pitfall_loss").data
    assert set(loss) == {"epoch", "shallow", "naive", "xavier"} and len(loss["epoch"]) > 10
    assert loss["shallow"][-1] < loss["naive"][-1]


def test_pitfalls_params_follow_state(pitfalls_app):
    v = pitfalls_app.view("pitfalls")
    assert pitfalls_app.state.set_sizes("2,5,1")
    rows = v.params_rows
    assert rows["parameters"][:3] == ["15 weights", "6 biases", "21 parameters in all"]
    assert "layer sizes: 2-5-1" in rows["hyperparameters"]
    pitfalls_app.state.train.lr = 0.1
    assert "learning rate: 0.1" in v.params_rows["hyperparameters"]
    assert "21 parameters in all" in v.params_table.object


def test_pitfalls_same_architecture_three_tasks(pitfalls_app):
    v = pitfalls_app.view("pitfalls")
    t = source(v, "pitfall_tasks").data
    assert t["task"] == ["circle", "xor", "spiral"]
    assert len(set(t["sizes"])) == 1 and len(set(t["params"])) == 1
    assert all(a >= 0.85 for a in t["test_accuracy"])
    for task in t["task"]:
        img = source(v, f"task_{task}").data["image"][0]
        assert img.shape == (40, 40) and np.all(np.abs(img) <= 1)
    assert v.build_seconds < 10


def test_pitfalls_link_to_linearity(pitfalls_app):
    v = pitfalls_app.view("pitfalls")
    v.to_linearity.clicks += 1
    assert pitfalls_app.state.view == "linearity"
    assert pitfalls_app.tabs.active == pitfalls_app.keys.index("linearity")


def test_digit_reader_first_layer_is_drawn_from_its_weights():
    from nnviz.core import depth
    app = App(query={"view": "depth"})
    v = app.view("depth")
    assert v.strokes.data["image"] == []                   # trained only on request
    v.show_strokes()
    W, acc, net = depth.digit_strokes(16)
    imgs = v.strokes.data["image"]
    assert len(imgs) == 16 and acc >= 0.85 and f"{acc:.1%}" in v.strokes_text.object
    np.testing.assert_array_equal(np.flipud(imgs[3]), net.W[0][3].reshape(8, 8))
