"""nnviz.App called as a notebook user calls it: the state's names as Python values, checked by the state."""
import numpy as np
import pytest

import nnviz
from nnviz import core


def test_keywords_set_the_state_as_a_link_would():
    app = nnviz.App(sizes=(2, 3, 1), activation="tanh", output="sigmoid", view="train", seed=7, x=[0.5, -1])
    st = app.state
    assert st.sizes == [2, 3, 1] and st.activations == ["tanh"] and st.output == "sigmoid"
    assert st.view == "train" and app.tabs.active == app.keys.index("train") and st.seed == 7
    assert st.x == [0.5, -1.0]
    np.testing.assert_array_equal(st.network.W[0], core.Network.init((2, 3, 1), "tanh", "sigmoid", seed=7).W[0])
    same = nnviz.App(query=app.query())                 # the same state as its link gives
    assert same.state.sizes == st.sizes and same.state.x == st.x and same.state.view == "train"


def test_per_layer_activations_groups_and_numpy_values():
    app = nnviz.App(sizes=[3, 4, 4, 2], activations=("relu", "gelu"), x=np.array([0.1, 0.2, 0.3]),
                    train={"lr": 0.03, "problem": "xor"}, present=True)
    st = app.state
    assert st.activations == ["relu", "gelu"] and st.x == [0.1, 0.2, 0.3] and st.present
    assert st.train.lr == 0.03 and st.train.problem == "xor"
    assert app.view("network").graph.nodes.data["a"][:3].tolist() == [0.1, 0.2, 0.3]


def test_a_network_of_ones_own():
    net = core.Network.init((2, 5, 3), "silu", "softmax", seed=4)
    app = nnviz.App(network=net, x=[0.25, -0.75])
    assert app.state.custom_weights and app.state.sizes == [2, 5, 3]
    np.testing.assert_allclose(app.graph.nodes.data["a"][-3:], net.forward([0.25, -0.75]).output)
    net.W[0][:] = 0                                     # the App keeps a copy
    assert app.state.network.W[0].any()


@pytest.mark.parametrize("kw, words", [
    ({"sizes": (2, 0, 1)}, "sizes"),
    ({"activation": "swish"}, "activation 'swish' ignored; choose one of sigmoid"),
    ({"sizes": (2, 3, 1), "x": [1, 2, 3]}, "input has 3 values"),
    ({"view": "nowhere"}, "view 'nowhere' is not one of network"),
    ({"seed": -1}, "seed"),
    ({"train": {"lr": "fast"}}, "train.lr"),
])
def test_a_bad_value_is_refused_in_words(kw, words):
    with pytest.raises(ValueError, match=words):
        nnviz.App(**kw)


def test_an_unknown_name_is_a_type_error_and_links_still_work():
    with pytest.raises(TypeError, match="unknown setting 'layers'.*sizes"):
        nnviz.App(layers=(2, 3, 1))
    app = nnviz.App(query={"sizes": "2,3,1", "seed": "x"})           # a link's refusals stay a message
    assert app.state.sizes == [2, 3, 1] and "Ignored from the link" in app.state.message
