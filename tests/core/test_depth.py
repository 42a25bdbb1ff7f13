"""What depth adds: pieces counted from Network.forward outputs, budgets, vanishing gradients, one net many tasks."""
import numpy as np
import pytest

from nnviz import core
from nnviz.core import depth


@pytest.mark.parametrize("k", range(1, 7))
def test_tent_network_has_2_to_the_k_pieces_counted_from_its_outputs(k):
    net = depth.tent_network(k)
    assert net.sizes == (1,) + (2,) * k + (1,)
    xs = depth.grid()
    ys = net.forward(xs[:, None]).output[:, 0]
    assert depth.count_pieces(xs, ys) == 2 ** k
    # the tent map composed k times, independently: t(x) = 2 min(x, 1 - x)
    t = xs.copy()
    for _ in range(k):
        t = 2 * np.minimum(t, 1 - t)
    np.testing.assert_allclose(ys, t, atol=1e-9)
    assert net.count_params()["total"] == 4 + 6 * (k - 1) + 3


@pytest.mark.parametrize("k", range(1, 7))
def test_shallow_network_same_units_and_params_at_most_2k_plus_1_pieces(k):
    deep = depth.tent_network(k)
    xs, _ = depth.outputs(deep)
    shallow = depth.shallow_network(2 * k, deep, xs)
    assert shallow.sizes == (1, 2 * k, 1)
    _, ys = depth.outputs(shallow, xs)
    n = depth.count_pieces(xs, ys)
    assert 2 <= n <= 2 * k + 1
    assert shallow.count_params()["total"] == deep.count_params()["total"] == 6 * k + 1
    zig = depth.shallow_network(2 * k)               # alternating slopes: every hinge is a kink
    assert depth.count_pieces(*depth.outputs(zig)) == 2 * k + 1


def test_count_pieces_of_known_functions():
    xs = np.linspace(0, 1, 1001)
    assert depth.count_pieces(xs, 3 * xs + 1) == 1
    assert depth.count_pieces(xs, np.abs(xs - 0.5)) == 2
    assert depth.count_pieces(xs, np.abs(xs - 0.3333333)) == 2     # kink inside a cell
    assert depth.count_pieces(xs, np.maximum(xs - 0.2, 0) - 2 * np.maximum(xs - 0.7, 0)) == 3


def test_pieces_table():
    rows = depth.pieces_table(6)
    assert [r["deep_pieces"] for r in rows] == [2, 4, 8, 16, 32, 64]
    assert all(r["shallow_pieces"] <= 2 * r["k"] + 1 for r in rows)
    assert all(r["deep_params"] == r["shallow_params"] for r in rows)
    with pytest.raises(ValueError):
        depth.pieces_table(0)
    with pytest.raises(ValueError):
        depth.tent_network(core.MAX_LAYERS)


def test_depth_vs_width_same_budget_same_training():
    assert depth.matching_wide((2, 6, 6, 6, 1)) == (2, 27, 1)
    runs = depth.depth_vs_width("circle", (6, 6, 6), epochs=10)
    wide, deep = runs["wide"], runs["deep"]
    assert deep["sizes"] == (2, 6, 6, 6, 1) and len(wide["sizes"]) == 3
    assert abs(wide["params"] - deep["params"]) <= 0.05 * deep["params"]
    assert wide["params"] == core.count_params(wide["sizes"])["total"]
    assert wide["history"]["epoch"] == deep["history"]["epoch"] == list(range(11))
    assert wide["test_loss"] < wide["history"]["test_loss"][0]
    assert deep["test_loss"] < deep["history"]["test_loss"][0]


def test_gradient_norms_match_core_backward():
    net = core.Network.init((2, 3, 1), "tanh", "linear", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    Y = X[:, :1]
    dW, _ = core.backward(net, net.forward(X), Y, "mse")
    assert depth.gradient_norms(net, X, Y, "mse") == pytest.approx([np.linalg.norm(g) for g in dW])


def test_naive_deep_sigmoid_gradients_vanish():
    runs = depth.deep_sigmoid_runs(epochs=2)
    naive = runs["naive"]
    assert naive["sizes"] == (2,) + (8,) * 9 + (1,) and len(naive["grad0"]) == 10
    assert naive["grad0"][-1] >= 100 * naive["grad0"][0]
    assert len(runs["shallow"]["grad0"]) == 2


def test_deep_sigmoid_full_run_shallow_beats_naive_deep():
    runs = depth.deep_sigmoid_runs()
    assert runs["shallow"]["test_accuracy"] > runs["naive"]["test_accuracy"] + 0.2


def test_same_architecture_solves_every_task():
    runs = depth.same_architecture(image=10)
    assert list(runs) == list(depth.TASKS)
    sizes = {r["sizes"] for r in runs.values()}
    assert sizes == {(7, 8, 8, 1)}
    for task, r in runs.items():
        assert r["test_accuracy"] >= 0.85, task
        assert r["image"].shape == (10, 10)
