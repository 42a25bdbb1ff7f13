"""Engine math against numbers worked out by hand, finite differences, and every validation error."""
import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz import core as engine
from nnviz.core import ACTIVATIONS, Network, collapse, count_params, validate_sizes
from nnviz.state.parse import sizes as parse_sizes


# --- activation values ------------------------------------------------------------------

def test_gelu_reference_values():
    # GELU(z) = z * Phi(z), Phi(z) = (1 + erf(z / sqrt 2)) / 2.
    # erf(1/sqrt 2) = erf(0.7071068) = 0.6826895 (the 68% of the 68-95-99.7 rule),
    # so Phi(1) = 1.6826895 / 2 = 0.8413447 and GELU(1) = 0.8413447.
    # Phi(-1) = 1 - Phi(1) = 0.1586553, so GELU(-1) = -1 * 0.1586553 = -0.1586553.
    assert_allclose(engine.gelu([1.0, -1.0]), [0.841345, -0.158655], atol=1e-6)
    assert engine.gelu(0.0) == 0.0


def test_gelu_matches_erfc_far_into_both_tails():
    # Phi(z) = erfc(-z / sqrt 2) / 2 from the standard library is an independent reference;
    # at z = -10 the value is ~7.6e-24, so only a relative comparison catches cancellation.
    z = np.linspace(-12.0, 12.0, 961)
    ref = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z])
    nonzero = ref != 0
    assert_allclose(engine.gelu(z)[nonzero], ref[nonzero], rtol=1e-9)
    assert_allclose(engine.gelu(z)[~nonzero], 0.0, atol=0.0)


def test_sigmoid_reference_values():
    # sigmoid(0) = 1 / (1 + e^0) = 1/2.
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4.
    # sigmoid(2.6): e^-2.6 = 0.0742736, 1 / 1.0742736 = 0.9308616.
    assert engine.sigmoid(0.0) == 0.5
    assert_allclose(engine.sigmoid(math.log(3.0)), 0.75, rtol=1e-14)
    assert_allclose(engine.sigmoid(2.6), 0.930862, atol=1e-6)


def test_tanh_relu_linear_reference_values():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 1.5 / 2.5 = 0.6; tanh is odd, so tanh(-ln 2) = -0.6.
    assert_allclose(engine.tanh([math.log(2.0), -math.log(2.0), 0.0]), [0.6, -0.6, 0.0], atol=1e-15)
    assert_array_equal(engine.relu([-3.0, -0.0, 0.0, 2.5]), [0.0, 0.0, 0.0, 2.5])
    assert_array_equal(engine.linear([-3.0, 0.0, 2.5]), [-3.0, 0.0, 2.5])


def test_derivative_reference_values():
    # sigmoid' = s(1 - s) = 1/2 * 1/2 at 0; tanh'(0) = 1 - 0^2; gelu'(0) = Phi(0) + 0 * phi(0) = 1/2.
    # gelu'(1) = Phi(1) + phi(1) = 0.8413447 + e^-0.5 / sqrt(2 pi) = 0.8413447 + 0.2419707 = 1.0833155.
    assert engine.d_sigmoid(0.0) == 0.25
    assert engine.d_tanh(0.0) == 1.0
    assert_allclose(engine.d_gelu([0.0, 1.0]), [0.5, 1.0833155], atol=1e-7)
    assert_array_equal(engine.d_relu([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    assert_array_equal(engine.d_linear([-1.0, 0.0, 2.0]), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_central_difference(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-6.0, 6.0, 241)
    z = z[np.abs(z) > 1e-3]                     # relu has a kink at 0; keep the grid off it
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-8)


# --- no overflow at extreme inputs ------------------------------------------------------

def _strict():
    """Turn every overflow / invalid / divide into an error; underflow to 0 is the right answer here."""
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_at_plus_minus_1000_are_finite_without_warnings(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings(), _strict():
        warnings.simplefilter("error")
        values, slopes = act.f(np.array([1000.0, -1000.0])), act.df(np.array([1000.0, -1000.0]))
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))


def test_sigmoid_and_softmax_saturate_exactly():
    with warnings.catch_warnings(), _strict():
        warnings.simplefilter("error")
        s = engine.sigmoid(np.array([1000.0, -1000.0]))
        p = engine.softmax(np.array([1000.0, -1000.0, 0.0]))
    assert s[0] == 1.0 and 0.0 <= s[1] < 1e-300
    # Shifted by the max: exp([0, -2000, -1000]) = [1, 0, 0], divided by 1.
    assert_array_equal(p, [1.0, 0.0, 0.0])


def test_softmax_rows_of_a_batch_sum_to_one():
    # softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6.
    assert_allclose(engine.softmax(np.log([1.0, 2.0, 3.0])), [1 / 6, 2 / 6, 3 / 6], rtol=1e-14)
    z = np.random.default_rng(3).normal(scale=50.0, size=(20, 7))
    p = engine.softmax(z)
    assert p.shape == (20, 7) and np.all(p >= 0)
    assert_allclose(p.sum(axis=1), np.ones(20), rtol=1e-12)


# --- initialisation ---------------------------------------------------------------------

def test_init_same_seed_same_weights_other_seed_differs():
    a, b = Network.init((4, 6, 3), seed=5), Network.init((4, 6, 3), seed=5)
    c = Network.init((4, 6, 3), seed=6)
    for wa, wb in zip(a.W, b.W):
        assert_array_equal(wa, wb)
    assert not np.array_equal(a.W[0], c.W[0])
    assert all(np.all(bias == 0) for bias in a.b)


def test_he_and_xavier_std_on_a_big_layer():
    # He: sqrt(2 / n_in) = sqrt(2 / 800) = 0.05.  Xavier: sqrt(2 / (800 + 1250)) = sqrt(1 / 1025) = 0.031235.
    he = Network.init((800, 1250, 2), "relu", seed=0, scheme="he").W[0]
    xa = Network.init((800, 1250, 2), "tanh", seed=0, scheme="xavier").W[0]
    assert he.shape == (1250, 800)
    assert_allclose(he.std(), 0.05, rtol=0.01)
    assert_allclose(xa.std(), 0.031235, rtol=0.01)
    assert abs(he.mean()) < 1e-3
    # The default picks He for relu/gelu and Xavier for tanh/sigmoid.
    assert Network.init((3, 4, 2), "gelu").meta["scheme"] == "he"
    assert Network.init((3, 4, 2), "sigmoid").meta["scheme"] == "xavier"
    with pytest.raises(ValueError, match="scheme"):
        Network.init((3, 4, 2), scheme="uniformish")


def test_explicit_weights_accepted_and_wrong_shapes_rejected():
    W = [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.0, -1.0, 0.5]]]
    net = Network((2, 3, 1), W, [[0.0, 0.0, 0.0], [1.0]], "relu", "linear")
    assert net.W[0].shape == (3, 2) and net.b[1].shape == (1,)
    with pytest.raises(ValueError, match=r"W1 has shape \(2, 3\); expected \(3, 2\)"):
        Network((2, 3, 1), [np.array(W[0]).T, W[1]], [[0, 0, 0], [1]], "relu", "linear")
    with pytest.raises(ValueError, match=r"b2 has shape"):
        Network((2, 3, 1), W, [[0, 0, 0], [1, 2]], "relu", "linear")
    with pytest.raises(ValueError, match="weight matrices"):
        Network((2, 3, 1), W[:1], [[0, 0, 0]], "relu", "linear")
    with pytest.raises(ValueError, match="NaN or infinity"):
        Network((2, 3, 1), W, [[0, np.nan, 0], [1]], "relu", "linear")
    with pytest.raises(ValueError, match="hidden activations"):
        Network((2, 3, 1), W, [[0, 0, 0], [1]], ("relu", "relu"), "linear")


# --- forward ----------------------------------------------------------------------------

def test_forward_by_hand_on_a_tiny_relu_network():
    # x = [1, 2].  z1 = [[1,2],[3,4],[5,6]] x + 0 = [1+4, 3+8, 5+12] = [5, 11, 17] -> relu keeps them.
    # z2 = [1, -1, 0.5] . [5, 11, 17] + 1 = 5 - 11 + 8.5 + 1 = 3.5.
    W = [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.0, -1.0, 0.5]]]
    net = Network((2, 3, 1), W, [[0.0, 0.0, 0.0], [1.0]], "relu", "linear")
    tr = net.forward([1.0, 2.0])
    assert_allclose(tr.z[1], [5.0, 11.0, 17.0])
    assert_allclose(tr.z[2], [3.5])
    assert_allclose(net([1.0, 2.0]), [3.5])


def test_forward_batch_rows_equal_single_vectors_and_trace_shape():
    net = Network.init((3, 5, 4, 2), "gelu", "softmax", seed=2)
    X = np.random.default_rng(9).uniform(-2, 2, size=(6, 3))
    batch = net.forward(X)
    assert len(batch.z) == len(batch.a) == net.L + 1 == 4
    assert batch.z[0] is None
    assert_array_equal(batch.a[0], X)
    assert batch.output.shape == (6, 2)
    for i, x in enumerate(X):
        one = net.forward(x)
        assert one.z[0] is None and one.output.shape == (2,)
        for l in range(1, net.L + 1):
            assert_allclose(batch.z[l][i], one.z[l], rtol=1e-12, atol=1e-15)
            assert_allclose(batch.a[l][i], one.a[l], rtol=1e-12, atol=1e-15)
    assert_allclose(batch.output.sum(axis=1), np.ones(6), rtol=1e-12)


# --- parameter counts -------------------------------------------------------------------

def test_count_params_784_256_128_10():
    # 784*256 + 256 = 200,704 + 256 = 200,960;  256*128 + 128 = 32,768 + 128 = 32,896;
    # 128*10 + 10 = 1,280 + 10 = 1,290;  total 200,960 + 32,896 + 1,290 = 235,146.
    counts = count_params((784, 256, 128, 10))
    assert [r["total"] for r in counts["layers"]] == [200_960, 32_896, 1_290]
    assert [r["weights"] for r in counts["layers"]] == [200_704, 32_768, 1_280]
    assert counts["total"] == 235_146
    assert Network.init((784, 256, 128, 10)).count_params()["total"] == 235_146


# --- collapse ---------------------------------------------------------------------------

def test_collapse_by_hand_two_layers():
    # W1 = [[1, 2], [3, 4]], b1 = [1, -1], W2 = [[2, -1]], b2 = [0.5].
    # W2 W1 = [2*1 - 1*3, 2*2 - 1*4] = [-1, 0];  W2 b1 + b2 = 2*1 - 1*(-1) + 0.5 = 3.5.
    net = Network((2, 2, 1), [[[1, 2], [3, 4]], [[2, -1]]], [[1, -1], [0.5]], "linear", "linear")
    W_eff, b_eff = collapse(net)
    assert_allclose(W_eff, [[-1.0, 0.0]])
    assert_allclose(b_eff, [3.5])
    # At x = [3, 7]: -1*3 + 0*7 + 3.5 = 0.5.
    assert_allclose(net([3.0, 7.0]), [0.5])


def test_collapse_equals_the_deep_linear_network():
    net = Network.init((3, 5, 4, 2), "linear", "softmax", seed=11)
    W_eff, b_eff = collapse(net)
    assert W_eff.shape == (2, 3) and b_eff.shape == (2,)
    X = np.random.default_rng(4).normal(size=(50, 3))
    tr = net.forward(X)
    z_flat = X @ W_eff.T + b_eff
    assert_allclose(z_flat, tr.z[-1], rtol=0, atol=1e-12)
    assert_allclose(engine.softmax(z_flat), tr.a[-1], rtol=0, atol=1e-12)


def test_collapse_refuses_a_nonlinear_network():
    with pytest.raises(ValueError, match="relu"):
        collapse(Network.init((3, 5, 4, 2), "relu", "softmax"))


# --- validation -------------------------------------------------------------------------

def test_parse_sizes_accepts_the_usual_spellings():
    assert parse_sizes("4,3,3,10") == (4, 3, 3, 10)
    assert parse_sizes(" 4, 3 ,3,10 ") == (4, 3, 3, 10)
    assert parse_sizes("4 3 3 10") == (4, 3, 3, 10)
    assert parse_sizes("4.0,2") == (4, 2)
    assert validate_sizes([np.int64(3), 2.0]) == (3, 2)


@pytest.mark.parametrize("text, match", [
    ("4,2.5,1", "2.5.*not a whole number"),
    ("4,abc,1", "abc.*not a whole number"),
    ("4,nan,1", "not a whole number"),
    ("4,0,1", "0 neurons.*at least 1"),
    ("4,-3,1", "-3 neurons.*at least 1"),
    ("4,1000000,1", "limit is 4,096"),
    (",".join(["2"] * 14), "at most 12 weight layers"),
    ("7", "at least an input and an output"),
    ("", "no sizes"),
    (" , ,", "no sizes"),
    ("4096,4096,4096", "parameters is above the limit"),
])
def test_parse_sizes_errors_say_what_to_change(text, match):
    with pytest.raises(ValueError, match=match):
        parse_sizes(text)


@pytest.mark.parametrize("sizes, match", [
    ([4, 2.5, 1], "not a whole number"),
    ([4, True, 1], "not a whole number"),
    ([4, "3", 1], "not a whole number"),
    ([4, None, 1], "not a whole number"),
    ([4, float("inf"), 1], "not a whole number"),
    ([4, 0, 1], "at least 1"),
    ([4, -1, 1], "at least 1"),
    ([4, 10**6, 1], "limit"),
    ([2] * 14, "at most 12"),
    ([5], "two sizes"),
    (5, "list of layer widths"),
])
def test_validate_sizes_errors(sizes, match):
    with pytest.raises(ValueError, match=match):
        validate_sizes(sizes)


def test_limits_are_inclusive():
    assert validate_sizes([engine.MAX_WIDTH, 1]) == (engine.MAX_WIDTH, 1)
    assert len(validate_sizes([2] * (engine.MAX_LAYERS + 1))) == engine.MAX_LAYERS + 1


@pytest.mark.parametrize("x, match", [
    ([1.0, 2.0], "has 2 values.*input layer has 3"),
    ([1.0, 2.0, 3.0, 4.0], "has 4 values"),
    ([[1.0, 2.0], [3.0, 4.0]], "has 2 values"),
    ([1.0, float("nan"), 3.0], "NaN or infinity"),
    ([1.0, float("inf"), 3.0], "NaN or infinity"),
    ([[1.0, 2.0, 3.0], [1.0, -np.inf, 0.0]], "NaN or infinity"),
    (["a", "b", "c"], "must be numbers"),
])
def test_forward_rejects_bad_inputs(x, match):
    net = Network.init((3, 4, 2), seed=0)
    with pytest.raises(ValueError, match=match):
        net.forward(x)


def test_unknown_activation_names_list_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        Network.init((3, 4, 2), "swish")
    with pytest.raises(ValueError, match="unknown output activation 'relu'.*softmax"):
        Network.init((3, 4, 2), "tanh", "relu")


def test_engine_imports_no_ui_library():
    """The engine (every module of nnviz.core, found by globbing) loads without Panel, Bokeh or param."""
    import subprocess
    import sys
    from pathlib import Path
    core = Path(__file__).resolve().parents[2] / "nnviz" / "core"
    modules = sorted(f"nnviz.core.{p.stem}" for p in core.glob("*.py") if p.stem != "__init__")
    assert len(modules) >= 12
    code = (f"import sys, {', '.join(modules)}; "
            "print(sorted(m for m in ('panel', 'bokeh', 'param') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
