"""Training and digits tabs in-process: frames train, the graph follows, edits and resets work."""
import pickle

import numpy as np
import pytest

from nnviz.core import training
from nnviz.encode import colours
from nnviz.ui.app import App

PLAYGROUND = {"view": "train", "preset": "custom", "sizes": "2,4,2,1", "activation": "tanh", "output": "tanh"}


@pytest.fixture
def view():
    app = App(query=PLAYGROUND)
    return app, app.view("train")


def test_frames_train_and_loss_falls(view):
    """Ten frames of ten epochs: a fixed count, since how many epochs a timed frame holds depends on the
    machine's speed (10 epochs of this run lower the loss by about 3 %, 100 by 98 %)."""
    app, tv = view
    first = tv.trainer.history["train_loss"][0]
    tv.run_frames(10, epochs=10)
    assert tv.trainer.epoch == 100
    assert tv.trainer.history["train_loss"][-1] < 0.5 * first
    assert f">{tv.trainer.epoch}<" in tv.status.object and "Unstable" not in tv.message.object
    assert len(tv.curve.data["epoch"]) == 11 and tv.curve.data["epoch"][-1] == tv.trainer.epoch
    assert tv.curve.data["acc"][-1] == tv.trainer.history["test_accuracy"][-1] > tv.curve.data["acc"][0]
    tv.run_frames(3)                                 # timed frames: at least one epoch each, one row each
    assert tv.trainer.epoch >= 103 and len(tv.curve.data["epoch"]) == 14
    assert tv.curve.data["epoch"][-1] == tv.trainer.epoch


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
    g = tv.graph
    rows = list(zip(g.nodes.data["layer"], g.nodes.data["unit"]))
    assert rows == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0)]
    small = tv.trainer.net.forward(tv.trainer.inputs(tv._map_grid))
    maps = g.maps.data["image"]
    assert all(m.dtype == np.float32 and m.shape == (25, 25) for m in maps)
    np.testing.assert_allclose(maps[7], small.a[2][:, 1].reshape(25, 25), rtol=1e-6)       # H2.1
    np.testing.assert_allclose(maps[8], small.a[3][:, 0].reshape(25, 25), rtol=1e-6)       # the output
    # an input's map is its feature rescaled onto the maps' range: x1 grows left to right
    assert (g.map_mapper.low, g.map_mapper.high) == (-1.0, 1.0)
    np.testing.assert_allclose(maps[0][0], small.a[0][:25, 0] / np.abs(small.a[0][:, 0]).max(), rtol=1e-6)
    trace = tv.trainer.net.forward(tv.trainer.inputs(tv._grid))
    g.nodes.selected.indices = [3]                   # click H1.1 on the graph: the big map shows it
    assert tv.focus == (1, 1) and "H1.1" in tv.heat_fig.title.text
    np.testing.assert_allclose(tv.heat.data["image"][0], trace.a[1][:, 1].reshape(img.shape), rtol=1e-6, atol=1e-7)
    g.nodes.selected.indices = [3]                   # click it again: back to the output
    assert tv.focus is None
    np.testing.assert_allclose(tv.heat.data["image"][0], out, rtol=1e-6, atol=1e-7)
    g.nodes.selected.indices = [1]                   # an input feature: x2
    assert tv.focus == (0, 1) and "Input x2" in tv.heat_fig.title.text


def test_training_graph_follows_the_trainer_exactly(view):
    app, tv = view
    g = tv.graph
    assert g.nodes.name == "train_nodes" and g.edges.name == "train_edges" and g.fig.name == "train_graph"
    for col in ("layer", "unit", "z", "a", "bias"):
        assert col in g.nodes.data
    for col in ("layer", "src", "dst", "weight"):
        assert col in g.edges.data
    nodes_dict, edges_dict = g.nodes.data, g.edges.data
    tv.play.value = True
    tv.run_frames(4)
    tv.play.value = False                            # pause
    W = tv.trainer.net.W
    e = g.edges.data
    assert g.nodes.data is nodes_dict and g.edges.data is edges_dict      # value frames: columns only
    assert [w == W[l - 1][d, s] for l, s, d, w in zip(e["layer"], e["src"], e["dst"], e["weight"])] == [True] * 18
    trace = app.state.network.forward(np.asarray(app.state.x))
    np.testing.assert_allclose(np.asarray(g.nodes.data["a"])[-1], trace.output[0], rtol=1e-12)
    app.state.view = "network"
    assert list(app.graph.edges.data["weight"]) == list(e["weight"])
    assert app.graph.edges.name == "edges"


def test_click_an_edge_on_the_training_graph_to_edit_it_while_training(view):
    app, tv = view
    tv.play.value = True
    tv.run_frames(1)
    g = tv.graph
    g.edges.selected.indices = [5]
    l, s, d = int(g.edges.data["layer"][5]), int(g.edges.data["src"][5]), int(g.edges.data["dst"][5])
    assert tv.editor.target == (l, d, s)
    assert tv.editor.set_weight(-1.75)
    assert tv.trainer.net.W[l - 1][d, s] == -1.75 and g.edges.data["weight"][5] == -1.75
    assert g.edges.data["width"][5] == pytest.approx(colours.edge_width(-1.75))
    tv.run_frames(1, epochs=1)                       # training goes on from the edited value
    assert tv.trainer.net.W[l - 1][d, s] != -1.75


def test_a_link_killed_by_l1_is_drawn_faint(view):
    app, tv = view
    tv.settings.param.update(reg="l1", reg_rate=0.03, lr=0.1)
    tv.run_frames(1, epochs=40)
    dead = tv.trainer.dead_links()
    assert sum(int(d.sum()) for d in dead) > 0
    e = tv.graph.edges.data
    for l, s, d, a, w in zip(e["layer"], e["src"], e["dst"], e["alpha"], e["weight"]):
        if dead[l - 1][d, s]:
            assert w == 0.0 and a == colours.DEAD_ALPHA
        else:
            assert w != 0.0 and a == colours.EDGE_ALPHA


def test_the_tab_warns_while_the_loss_rises_fast():
    """A run that diverges by a wide margin (tests/core/test_training.py has the arithmetic): no hidden
    layer, one batch of the 250 training points, lr 0.3, twice the stable limit; the loss grows ~10x an
    epoch and overflows after ~300. A run near the limit may or may not blow up, by the last bits."""
    app = App(query={**PLAYGROUND, "sizes": "2,1", "activation": "linear", "output": "linear"})
    tv = app.view("train")
    tv.settings.param.update(problem="plane", lr=0.3, seed=1, batch_size=250)
    tv.settings.samples = 500           # 250 training points
    assert tv.trainer.net.sizes == (2, 1) and len(tv.trainer.X_train) == 250
    warned = None
    for _ in range(1000):
        tv.run_frames(1, epochs=1)
        if warned is None and "Unstable" in tv.message.object:
            warned = tv.trainer.epoch
        if tv.trainer.diverged:
            break
    assert tv.trainer.diverged and 200 < tv.trainer.epoch < 400
    assert warned is not None and warned <= 5
    assert "infinite" in tv.message.object and tv.play.value is False


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
    app = App(query={"view": "train", "preset": "custom", "sizes": "3,4,3,2"})    # a network the link names
    tv = app.view("train")
    assert tv.trainer is None and app.state.network.sizes == (3, 4, 3, 2) and not tv.switched.visible
    assert "cannot learn circle" in tv.network_note.object and tv.adapt.visible
    assert tv.play.disabled and "2-4-3-1" in tv.adapt.label
    tv.adapt.clicks += 1                                       # the teacher agrees
    assert app.state.network.sizes == (2, 4, 3, 1) and app.state.network.output == "tanh"
    assert tv.trainer is not None and tv.trainer.net is app.state.network and not tv.play.disabled
    assert "2-4-3-1" in app.state.message


def test_a_fresh_training_tab_is_ready_and_says_what_it_changed():
    app = App(query={"view": "train"})                         # the untouched starter 3-4-3-2 softmax network
    tv = app.view("train")
    net = app.state.network
    assert net.sizes == (2, 4, 3, 1) and net.output == "tanh" and tv.trainer.net is net
    assert not tv.play.disabled and not tv.adapt.visible
    assert len(tv.points.data["x"]) == tv.trainer.data.X_train.shape[0] > 100     # the problem's points
    assert tv.switched.visible and tv.undo.visible
    assert "3-4-3-2" in tv.switched.object and "2-4-3-1" in tv.switched.object
    loss0 = tv.trainer.record()["train_loss"]
    tv.run_frames(3, epochs=10)
    assert tv.trainer.epoch == 30 and tv.trainer.history["train_loss"][-1] < loss0
    tv.undo.clicks += 1                                        # the starter comes back, and the tab says why it cannot train
    assert app.state.network.sizes == (3, 4, 3, 2) and app.state.preset == "starter"
    assert not app.state.custom_weights and tv.trainer is None and tv.play.disabled
    assert "cannot learn circle" in tv.network_note.object and not tv.switched.visible


def test_the_switch_note_goes_when_the_network_changes_again():
    app = App(query={"view": "train"})
    tv = app.view("train")
    assert tv.switched.visible
    assert app.state.set_sizes("2,5,1")
    assert not tv.switched.visible and not tv.undo.visible and tv.trainer.net.sizes == (2, 5, 1)


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
        dv.paint([cell])
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


def test_training_sessions_share_the_server_budget(view, monkeypatch):
    """Two sessions playing: each trains on every second tick; a closed tab stops its timer."""
    from nnviz.ui import session
    app, tv = view
    other = App(query=PLAYGROUND).view("train")
    monkeypatch.setattr(session, "cpu_share", lambda seconds, _s=session.CpuShare(0.025): _s)
    frames = {id(tv): 0, id(other): 0}
    for v in (tv, other):
        v._ticks = 0
        monkeypatch.setattr(v, "run_frames", lambda n=1, v=v: frames.__setitem__(id(v), frames[id(v)] + 1))
    for _ in range(10):
        for v in (tv, other):
            v._tick()
    assert frames[id(tv)] == 6 and frames[id(other)] == 5          # every second tick once both train
    tv.play.value = True
    monkeypatch.setattr(session, "connected", lambda: False)          # the tab closed
    tv._tick()
    assert tv.play.value is False


def test_layer_titles_shorten_where_the_columns_are_narrow(view):
    """Beside the training settings the graph is ~330 px wide: 'Hidden 1 (4)' would run into its
    neighbour, so the titles read 'H1 (4)'; the Network tab keeps the full names."""
    app, tv = view
    train_titles = tv.graph.marks.data["text"][: len(app.state.network.sizes)]
    assert train_titles == ["In (2)", "H1 (4)", "H2 (2)", "Out (1)"]
    net_titles = app.graph.marks.data["text"][: len(app.state.network.sizes)]
    assert net_titles == ["Input (2)", "Hidden 1 (4)", "Hidden 2 (2)", "Output (1)"]


@pytest.fixture
def worker(monkeypatch):
    """Frames 'sent to a worker process' are kept here; finish() runs one as the process would."""
    from nnviz.ui import session
    jobs = []
    monkeypatch.setattr(session, "cpu_share", lambda seconds, _s=session.CpuShare(0.025): _s)

    def in_process(fn, args, done):
        jobs.append((fn, pickle.dumps(args), done))       # what crosses into the process: a copy
        return True
    monkeypatch.setattr(session, "in_process", in_process)

    def finish():
        fn, args, done = jobs.pop(0)
        done(pickle.loads(pickle.dumps(fn(*pickle.loads(args)))))
    return jobs, finish


def test_play_trains_frames_in_a_worker_and_adopts_them(view, worker):
    app, tv = view
    jobs, finish = worker
    tv._remote = True
    reference = training.build_trainer(seed=0, problem="circle")   # the same network, data and settings
    reference.net.W = [W.copy() for W in tv.trainer.net.W]
    reference.net.b = [b.copy() for b in tv.trainer.net.b]
    reference._W0, reference._b0 = reference.net.W, reference.net.b
    tv.play.value = True
    assert len(jobs) == 1 and tv._stop is None              # a frame left for the worker, no timer on the loop
    finish()
    assert len(jobs) == 1                                    # the next frame was sent before this one is drawn
    epochs = tv.trainer.epoch
    assert epochs >= 1 and tv.curve.data["epoch"][-1] == epochs and tv.settings.epoch == epochs
    reference.run(epochs, record_every=epochs)
    for W, W1 in zip(tv.trainer.net.W, reference.net.W):
        np.testing.assert_array_equal(W, W1)
    e = tv.graph.edges.data                                   # train_edges shows the adopted weights
    for l, s, d, w in zip(e["layer"], e["src"], e["dst"], e["weight"]):
        assert w == tv.trainer.net.W[l - 1][d, s]
    tv.play.value = False
    finish()                                                  # came back after Pause: dropped
    assert tv.trainer.epoch == epochs and jobs == []


def test_a_frame_is_dropped_when_the_network_changed_meanwhile(view, worker):
    app, tv = view
    jobs, finish = worker
    tv._remote = True
    tv.play.value = True
    tv.editor.target = (1, 0, 0)
    assert tv.editor.set_weight(-1.75)                        # edited while the frame trains elsewhere
    finish()
    assert tv.trainer.epoch == 0 and tv.trainer.net.W[0][0, 0] == -1.75
    assert len(jobs) == 1                                     # sent again, from the edited weights
    finish()
    assert tv.trainer.epoch >= 1 and tv.trainer.net.W[0][0, 0] != -1.75
    tv.settings.lr = 0.1                                      # a setting changed meanwhile: dropped too
    before = tv.trainer.epoch
    finish()
    assert tv.trainer.epoch == before and tv.trainer.lr == 0.1 and len(jobs) == 1
    tv.play.value = False


def test_a_failed_worker_falls_back_to_the_loop(view, monkeypatch):
    from nnviz.ui import session
    app, tv = view
    started = []
    monkeypatch.setattr(session, "in_process", lambda fn, args, done: done(RuntimeError("gone")) or True)
    monkeypatch.setattr(session, "every", lambda cb, ms: started.append(ms) or (lambda: None))
    tv._remote = True
    tv.play.value = True
    assert tv._remote is False and started == [50]            # the frame timer on the loop took over
    tv.play.value = False


def test_several_sessions_training_draw_fewer_frames_but_train_on(view, worker, monkeypatch):
    """With 4 sessions training, each draws at most every 4/20 s; every frame is adopted; Pause draws."""
    from nnviz.ui import session
    from nnviz.ui.views import training as tv_module
    app, tv = view
    jobs, finish = worker
    clock = [1000.0]
    monkeypatch.setattr(tv_module.time, "monotonic", lambda: clock[0])
    share = session.cpu_share(0.025)
    for other in ("a", "b", "c"):                     # three other sessions are training
        share.share(other, clock[0])
    tv._remote = True
    tv.play.value = True
    drawn = []
    for _ in range(6):                                # 6 frames 20 ms apart: 120 ms, less than 4/20 s
        finish()
        drawn.append(tv.curve.data["epoch"][-1])
        clock[0] += 0.02
        for other in ("a", "b", "c"):
            share.share(other, clock[0])
    assert tv.trainer.epoch > drawn[-1] and len(set(drawn)) == 1      # the first frame drawn, then none
    tv.play.value = False                             # Pause shows the trainer's weights at once
    assert tv.curve.data["epoch"][-1] == tv.trainer.epoch == tv.settings.epoch
    e = tv.graph.edges.data
    for l, s, d, w in zip(e["layer"], e["src"], e["dst"], e["weight"]):
        assert w == tv.trainer.net.W[l - 1][d, s]
