"""The link: every state the app writes reads back identically, and hostile values are refused."""
from urllib.parse import parse_qs, urlencode

import numpy as np
import param
import pytest

from nnviz import core
from nnviz.core import presets
from nnviz.state import link
from nnviz.state.session import SessionState
from nnviz.state.session import GROUPS
from nnviz.ui.views import VIEWS

VIEW_KEYS = [k for k, _, _ in VIEWS]


def fresh():
    return SessionState(views=VIEW_KEYS)


def reopen(state):
    """Write the state's link as a browser would send it, read it into a new session."""
    query = parse_qs(urlencode(link.write(state)))
    other = fresh()
    refused = link.read(other, query)
    return other, refused


def random_value(p, rng):
    """A random valid value of a linked settings parameter, from its declaration."""
    if isinstance(p, param.Boolean):
        return bool(rng.integers(2))
    if isinstance(p, param.ListSelector):
        k = int(rng.integers(1, len(p.objects) + 1))
        return [str(v) for v in rng.choice(p.objects, k, replace=False)]
    if isinstance(p, param.Selector):
        return str(rng.choice(p.objects))
    lo, hi = p.bounds
    if isinstance(p, param.Integer):
        return int(rng.integers(lo, min(hi, 10**6) + 1))
    return float(rng.uniform(lo, hi))


def random_state(rng) -> SessionState:
    """Any network, input, weights, settings of every group and view a student could reach."""
    st = fresh()
    kind = rng.integers(4)
    if kind == 0:
        st.apply_preset(str(rng.choice(list(presets.PRESETS))))
        if rng.random() < 0.5 and st.network.L > 1:          # a preset with another activation
            assert st.set_activation(str(rng.choice(core.HIDDEN_ACTIVATIONS)))
        if rng.random() < 0.3:
            assert st.set_output(str(rng.choice(core.OUTPUT_ACTIVATIONS)))
    else:
        L = int(rng.integers(1, 5))
        sizes = [int(n) for n in rng.integers(1, 9, L + 1)]
        assert st.set_sizes(sizes)
        assert st.set_output(str(rng.choice(core.OUTPUT_ACTIVATIONS)))
        if L > 1:
            assert st.set_activations([str(a) for a in rng.choice(core.HIDDEN_ACTIVATIONS, L - 1)])
        assert st.set_seed(int(rng.integers(0, 2**31)))
        if kind == 2:                            # trained or hand-edited: the weights travel
            W = [rng.normal(0, 2, w.shape) for w in st.network.W]
            b = [rng.normal(0, 1, v.shape) for v in st.network.b]
            assert st.set_weights(W, b)
        elif kind == 3:
            assert st.set_weight(1, 0, 0, float(rng.normal()))
    if st.network.sizes[0] <= 200:
        assert st.set_input(np.round(rng.uniform(-10, 10, st.network.sizes[0]), int(rng.integers(0, 6))))
    for group, cls in GROUPS.items():
        g = getattr(st, group)
        for name, p in g.param.objects("existing").items():
            if (p.metadata or {}).get("link") and rng.random() < 0.7:
                setattr(g, name, random_value(p, rng))
    st.view = str(rng.choice(VIEW_KEYS))
    return st


def test_every_linked_parameter_is_covered():
    keys = {k for k, *_ in link.fields(fresh())}
    assert {"view", "preset", "sizes", "activation", "output", "seed", "w", "x"} <= keys
    for group, cls in GROUPS.items():
        for name, p in cls.param.objects("existing").items():
            if name != "name":
                assert (p.metadata or {}).get("link"), f"{group}.{name} is not in the link"
                assert f"{group}.{name}" in keys


def test_default_state_writes_an_empty_link():
    assert link.write(fresh()) == {}


@pytest.mark.parametrize("seed", range(300))
def test_random_states_round_trip(seed):
    st = random_state(np.random.default_rng(seed))
    other, refused = reopen(st)
    assert refused == [] and other.message == ""
    a, b = link.snapshot(st), link.snapshot(other)
    assert a == b
    np.testing.assert_array_equal(other.trace.output, other.network(np.asarray(st.x)))
    assert link.write(other) == link.write(st)          # a second trip changes nothing


def test_trained_weights_travel_to_float32_precision():
    st = fresh()
    st.set_sizes([2, 8, 8, 1])
    W = [np.random.default_rng(1).normal(0, 1, w.shape) for w in st.network.W]
    b = [np.full(v.shape, 0.1) for v in st.network.b]
    st.set_weights(W, b)
    other, refused = reopen(st)
    assert refused == []
    for x, y in zip(st.network.W + st.network.b, other.network.W + other.network.b):
        np.testing.assert_allclose(x, y, rtol=2**-23)
    np.testing.assert_allclose(other.trace.output, st.trace.output, rtol=1e-5)


def test_the_largest_network_that_carries_its_weights():
    st = fresh()
    st.set_sizes([64, 32, 10])                   # the digits network: 2,410 parameters
    assert st.network.count_params()["total"] <= link.MAX_LINK_PARAMS
    rng = np.random.default_rng(0)
    st.set_weights([rng.normal(0, 0.3, w.shape) for w in st.network.W], [rng.normal(0, 0.1, v.shape)
                                                                          for v in st.network.b])
    text = urlencode(link.write(st))
    assert len(text) < link.MAX_VALUE_CHARS
    other, refused = reopen(st)
    assert refused == [] and other.custom_weights
    too_big = fresh()
    too_big.apply_preset("mnist-mlp")
    too_big.set_weight(1, 0, 0, 0.5)
    assert "w" not in link.write(too_big) and not link.weights_travel(too_big)


@pytest.mark.parametrize("query, word", [
    ({"sizes": "3,x"}, "not a whole number"),
    ({"sizes": "5000,2"}, "limit"),
    ({"sizes": "4096,1,2200,2200"}, "this server's limit"),                # a heavy link on a shared server
    ({"activation": "swish"}, "choose one of"),
    ({"x": "nan,1,2"}, "finite"),
    ({"seed": "1e400"}, "whole number"),
    ({"w": "z:!!!"}, "damaged"),
    ({"train.lr": "99"}, "outside"),
    ({"train.features": "x1,evil()"}, "not one of"),
    ({"neuron.w1": "abc"}, "not a number"),
    ({"view": "admin"}, "not one of"),
    ({"forward.step": "-3"}, "outside"),
])
def test_hostile_values_are_refused_and_the_rest_applies(query, word):
    st = fresh()
    refused = link.read(st, {**query, "train.problem": "xor"})
    assert len(refused) == 1 and word in refused[0]
    assert st.train.problem == "xor"
    assert st.network.sizes == (3, 4, 3, 2)


def test_a_huge_value_is_refused_unread_and_messages_stay_short():
    st = fresh()
    refused = link.read(st, {"preset": "A" * 60_000, "sizes": "9" * 5000})
    assert len(refused) == 2 and all(len(r) < 200 for r in refused)


def test_zip_bomb_is_bounded():
    import base64
    import zlib
    bomb = "z:" + base64.urlsafe_b64encode(zlib.compress(b"\0" * 50_000_000, 9)).decode()
    st = fresh()
    st.set_sizes([2, 3, 1])
    refused = link.read(st, {"w": bomb})
    assert refused and "length" in refused[0] or "long" in refused[0]


def test_regression_problems_have_the_playgrounds_1200_points():
    st = fresh()
    t = st.train
    assert t.samples == 500
    t.problem = "plane"
    assert t.samples == 1200                                   # the Playground's count for regression
    t.problem = "reg-gauss"
    assert t.samples == 1200
    t.problem = "spiral"
    assert t.samples == 500
    t.samples = 800                                            # a count the student chose stays
    t.problem = "plane"
    assert t.samples == 800
    from nnviz.core import datasets
    data = datasets.make_dataset("reg-gauss", **{**fresh().train.data_keywords(), "n_samples": 1200})
    assert len(data.X_train) + len(data.X_test) == 1200


@pytest.mark.parametrize("problem,samples", [("plane", 1200), ("plane", 500), ("circle", 1200), ("circle", 500)])
def test_point_counts_travel_by_link_in_any_order(problem, samples):
    st = fresh()
    st.train.problem = problem
    st.train.samples = samples
    q = link.write(st)
    assert ("train.samples" in q) == (samples != (1200 if problem == "plane" else 500))
    other, refused = reopen(st)
    assert refused == [] and (other.train.problem, other.train.samples) == (problem, samples)
    backwards = {k: [v] for k, v in reversed(list({"train.samples": str(samples), "train.problem": problem}.items()))}
    third = fresh()
    assert link.read(third, backwards) == []
    assert (third.train.problem, third.train.samples) == (problem, samples)
