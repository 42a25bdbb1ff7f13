"""The lesson views in-process: build the App from a URL query and assert on sources and panes."""
import numpy as np
import pytest

from nnviz import core as engine
from nnviz.ui.app import App
from nnviz.ui.views import VIEWS
from nnviz.encode.notation import bmatrix, tex
from nnviz.core.fitting import MAX_WIDTH, TARGETS, Approximator
from nnviz.ui.views.neuron import boundary, half_plane, half_threshold

KEYS = ["neuron", "forward", "activations", "linearity", "params", "approximation", "depth", "pitfalls"]


def view(app, key):
    """The built view behind a tab (opening the tab builds it)."""
    app.state.view = key
    return app.tabs_content[key].view


def test_tabs_in_lesson_order_and_url_selects_view():
    assert [k for k, _, _ in VIEWS] == ["network"] + KEYS + ["train", "digits"]
    app = App(query={"view": "params"})
    assert app.tabs.active == 1 + KEYS.index("params")
    assert app.tabs_content["params"].view is not None
    assert app.tabs_content["approximation"].view is None        # built only when opened


# --- neuron ------------------------------------------------------------------------------------

def test_neuron_lab_starts_on_exam_example():
    v = view(App(query={"view": "neuron"}), "neuron")
    assert v.p.z == pytest.approx(2.6)
    assert v.point.data["z"][0] == pytest.approx(2.6)
    assert v.point.data["a"][0] == pytest.approx(0.9308615796566533)
    assert r"\mathbf{2.6}" in v.formula.object and r"\mathbf{0.931}" in v.formula.object
    assert "0.7\\cdot6" in v.formula.object and "(-4)" in v.formula.object


def test_neuron_sliders_move_formula_line_and_region():
    v = view(App(), "neuron")
    v.p.x1 = 5.0
    z = 0.7 * 5 + 0.3 * 8 - 4
    assert v.point.data["z"][0] == pytest.approx(z)
    assert rf"\mathbf{{{tex(z)}}}" in v.formula.object
    xs, ys = v.line.data["x"], v.line.data["y"]
    for x1, x2 in zip(xs, ys):                      # sigmoid: the 0.5 line is z = 0
        assert 0.7 * x1 + 0.3 * x2 - 4 == pytest.approx(0, abs=1e-9)
    v.p.activation = "relu"
    assert v.point.data["a"][0] == pytest.approx(max(z, 0))
    x1, x2 = v.line.data["x"][0], v.line.data["y"][0]
    assert 0.7 * x1 + 0.3 * x2 - 4 == pytest.approx(0.5, abs=1e-9)   # relu(z) = 0.5 at z = 0.5


def test_half_plane_and_boundary_geometry():
    assert half_threshold("sigmoid") == pytest.approx(0, abs=1e-12)
    assert half_threshold("tanh") == pytest.approx(np.arctanh(0.5), abs=1e-12)
    poly = half_plane(1.0, 0.0, -6.0, 0.0)          # x1 >= 6 in [0, 12]^2
    assert sorted(poly) == sorted([(6.0, 0.0), (12.0, 0.0), (12.0, 12.0), (6.0, 12.0)])
    assert boundary(0.0, 0.0, 1.0, 0.0) == ([], [])
    assert boundary(1.0, 1.0, -100.0, 0.0) == ([], [])     # the line misses the box


# --- forward -------------------------------------------------------------------------------------

def test_forward_digits_shows_true_z1_not_the_lessons_printed_one():
    app = App(query={"view": "forward", "preset": "digits"})
    v = view(app, "forward")
    assert "z1 = [0.12, 0.75, -0.41]" in v.path.object
    assert "a1 = relu(z1) = [0.12, 0.75, 0]" in v.path.object
    assert r"\begin{bmatrix}0.12 \\ 0.75 \\ -0.41\end{bmatrix}" in v.math.object
    assert "0.30" not in v.path.object
    probs = np.asarray(v.probs.data["p"])
    np.testing.assert_allclose(probs, app.state.trace.a[-1], atol=1e-12)
    assert probs.sum() == pytest.approx(1.0)
    k = int(np.argmax(probs))
    assert f"class <b>{k}</b>" in v.verdict.object and f"{probs[k]:.1%}" in v.verdict.object


def test_forward_steps_highlight_graph_and_follow_architecture():
    app = App(query={"view": "forward", "preset": "digits"})
    v = view(app, "forward")
    v.next.clicks += 1
    assert v.step.value == 2
    assert app.graph.highlight.left == pytest.approx(2 - 0.35) and app.graph.highlight.fill_alpha > 0
    assert "z^{[2]}" in v.math.object
    v.step.value = 3
    assert r"\mathrm{softmax}" in v.math.object
    app.state.set_sizes([4, 10])
    assert v.step.value == 1 and "Step 1 of 1" in v.heading.object
    app.state.set_sizes([784, 256, 128, 10])
    v.step.value = 2
    assert r"\cdots" in v.math.object and r"\vdots" in v.math.object
    assert "128 × 256" in v.heading.object and "the last" in v.heading.object


def test_forward_is_lazy_when_its_tab_is_closed():
    app = App(query={"view": "forward", "preset": "digits"})
    v = view(app, "forward")
    app.state.view = "network"
    app.state.set_input([1, 1, 1, 1])
    assert "x = [0.2, 0.8, 0.1, 0.9]" in v.path.object      # not recomputed while hidden
    app.state.view = "forward"
    assert "x = [1, 1, 1, 1]" in v.path.object


def test_bmatrix_truncates_large_matrices():
    s = bmatrix(np.arange(100.0).reshape(10, 10))
    assert s.count(r"\\") == 4 and r"\ddots" in s and "99" in s and "50" not in s


# --- activations -----------------------------------------------------------------------------------

def test_activation_setting_is_shared_with_the_graph():
    app = App()
    v = view(app, "activations")
    v.select.value = "relu"
    assert app.state.activation == "relu" and app.controls.activation.value == "relu"
    assert app.state.network.activations == ("relu", "relu")
    app.state.view = "network"                   # the graph catches up when its tab is shown
    nodes = app.graph.nodes.data
    hidden = [a for a, l in zip(nodes["a"], nodes["layer"]) if 0 < l < 3]
    assert min(hidden) >= 0
    app.controls.activation.value = "gelu"
    assert v.select.value == "gelu"
    assert "#1f3b57" in v.figs["gelu"].styles["outline"] and "transparent" in v.figs["relu"].styles["outline"]


def test_activation_marks_current_neuron_and_vanishing_gradient():
    app = App(query={"preset": "digits"})
    v = view(app, "activations")
    z = app.state.trace.z[1][0]
    assert z == pytest.approx(0.12)
    assert v.points["sigmoid"].data["f"][0] == pytest.approx(float(engine.sigmoid(0.12)))
    v.unit.value = 2                                     # z = -0.41 under ReLU: flat
    assert v.points["relu"].data["z"][0] == pytest.approx(-0.41)
    assert "vanishes" in v.reading.object
    v.unit.value = 1
    assert "vanishes" not in v.reading.object and "z = 0.75" in v.reading.object


# --- linearity -------------------------------------------------------------------------------------

def test_linear_network_collapses_to_one_layer():
    app = App(query={"view": "linearity", "preset": "digits"})
    v = view(app, "linearity")
    v.to_linear.clicks += 1
    assert app.state.activation == "linear"
    r = v.result
    assert r["diff"] < 1e-9
    np.testing.assert_allclose(r["single"], app.state.trace.z[-1], atol=1e-9)
    W_eff, b_eff = engine.collapse(app.state.network)
    np.testing.assert_allclose(r["W_eff"], W_eff, atol=1e-12)
    assert "the same" in v.check.object
    lin = np.asarray(v.curves.data["linear"])
    assert np.abs(np.diff(lin, 2)).max() < 1e-9               # a straight line


def test_relu_network_does_not_collapse_and_bends():
    app = App(query={"view": "linearity", "preset": "digits"})
    v = view(app, "linearity")
    v.to_relu.clicks += 1
    assert app.state.activation == "relu"
    assert v.result["diff"] > 1e-3 and "different" in v.check.object
    v.output_k.value = 5
    relu = np.asarray(v.curves.data["relu"])
    assert np.abs(np.diff(relu, 2)).max() > 1e-4              # slope changes somewhere


# --- params ----------------------------------------------------------------------------------------

def test_params_table_follows_architecture_and_mnist_button():
    app = App(query={"view": "params"})
    v = view(app, "params")
    assert v.rows["total"][-1] == "39"
    v.mnist.clicks += 1
    assert list(app.state.network.sizes) == [784, 256, 128, 10]
    assert v.rows["total"] == ["200,960", "32,896", "1,290", "235,146"]
    assert v.rows["weights"][0] == "784 × 256 = 200,704"
    assert "235,146" in v.total.object and "<td" in v.table.object and "200,704" in v.table.object
    assert v.scale.data["n"][-1] == 235146 and v.scale.data["label"][:4] == ["235K", "110M", "1.5B", "175B"]


def test_params_from_url():
    v = view(App(query={"view": "params", "sizes": "784,256,128,10"}), "params")
    assert "235,146" in v.total.object and "<td" in v.table.object and "200,704" in v.table.object


# --- approximation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", list(TARGETS))
def test_approximation_error_decreases_with_width(target):
    m = Approximator(target)
    errs = m.errors()
    assert np.all(np.diff(errs) <= 1e-12)                    # never worse with one more unit
    assert errs[49] < errs[19] < errs[9] < errs[0]
    assert errs[-1] < (0.06 if target == "step" else 0.01)


def test_approximation_view_updates_sources():
    app = App(query={"view": "approximation"})
    v = view(app, "approximation")
    e5 = v.rmse
    v.p.width = 30
    assert v.rmse < e5 and len(v.parts.data["ys"]) == 30
    np.testing.assert_allclose(np.sum(v.parts.data["ys"], axis=0) - v.curves.data["fit"],
                               np.full(len(v.model.x), np.sum(v.parts.data["ys"], axis=0)[0] - v.curves.data["fit"][0]),
                               atol=1e-9)                     # the sum is the contributions plus one bias
    v.p.target = "step"
    assert v.err_curve.data["rmse"][29] == pytest.approx(v.rmse)
    assert len(v.err_curve.data["rmse"]) == MAX_WIDTH


def test_sessions_do_not_share_view_state():
    a, b = App(), App()
    va, vb = view(a, "neuron"), view(b, "neuron")
    va.p.w1 = 1.5
    assert vb.p.w1 == 0.7 and vb.point.data["z"][0] == pytest.approx(2.6)
    assert va.curve is not vb.curve
