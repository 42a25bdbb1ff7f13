"""The export row's "Network as HTML page", in-process: the page of the session's network as it is now
(hand-set and trained weights, the current input), and a disabled button for a network too large."""
import base64
import gzip
import html
import json
import re

import numpy as np

from nnviz.ui.app import App


def page_models(text: str) -> list:
    """Every model of the page's Bokeh document, from the JSON the page embeds."""
    # Bokeh embeds it as a JavaScript string of HTML-escaped JSON (BokehJS unescapes it when it loads)
    literal = re.search(r"const docs_json = '(.*?)';\n", text).group(1)
    docs = json.loads(html.unescape(re.sub(r"\\(.)", r"\1", literal)))
    found = []

    def walk(v):
        if isinstance(v, dict):
            if v.get("type") == "object":
                found.append(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(docs)
    return found


def array(rep) -> np.ndarray:
    """A float64 column or argument as Bokeh sends it (base64 ndarray) or as a list."""
    if isinstance(rep, dict) and rep.get("type") == "ndarray":
        raw = base64.b64decode(rep["array"]["data"])
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw      # Bokeh gzips larger arrays
        return np.frombuffer(raw, dtype=rep["dtype"])
    return np.asarray(rep, dtype=float)


def named(models, name):
    return next(m for m in models if m.get("attributes", {}).get("name") == name)


def test_the_page_carries_the_trained_network_and_the_input():
    app = App(query={"sizes": "2,4,2,1", "activation": "relu", "output": "sigmoid", "x": "0.25,-0.5"})
    st = app.state
    rng = np.random.default_rng(0)
    for W in st.network.W:              # changed in place and announced, as a training step does
        W += rng.normal(0, 0.5, W.shape)
    st.weights_changed()
    assert st.set_weight(2, 1, 0, 1.2345)                   # and one set by hand
    ex = app.view("network").exporter
    assert not ex.html_file.disabled and ex.html_file.filename == "nnviz-network.html"
    text = ex.html_page().getvalue()
    assert "<title>nnviz: 2-4-2-1</title>" in text
    models = page_models(text)
    forward = next(m for m in models if m["name"] == "CustomJS" and "all_nodes" in json.dumps(m["attributes"]))
    args = dict(forward["attributes"]["args"]["entries"])
    for l, (W, b) in enumerate(zip(st.network.W, st.network.b)):
        np.testing.assert_array_equal(array(args["W"][l]), W.ravel())       # every bit of every weight
        np.testing.assert_array_equal(array(args["b"][l]), b)
    assert array(args["W"][1])[1 * 4 + 0] == 1.2345
    assert args["acts"] == ["relu", "relu", "sigmoid"]
    every = dict(named(models, "all_nodes")["attributes"]["data"]["entries"])
    np.testing.assert_array_equal(array(every["a"]), np.concatenate(st.trace.a))
    assert [named(models, f"x{i + 1}")["attributes"]["value"] for i in range(2)] == [0.25, -0.5]
    # The session's own graph is untouched: the page was drawn from a copy, on a state of its own.
    assert app.graph.nodes.data["a"][0] == 0.25 and st.network.W[1][1, 0] == 1.2345


def test_a_network_too_large_for_a_page_disables_the_button():
    app = App(query={"sizes": "2,3,1"})
    ex = app.view("network").exporter
    assert not ex.html_file.disabled
    assert app.state.set_sizes("100,3,1")
    assert ex.html_file.disabled and ex.html_file.description == \
        "Not as a page: 100 inputs are more than a page has sliders for (64)"
    assert app.state.set_sizes("2,3,1")
    assert not ex.html_file.disabled
