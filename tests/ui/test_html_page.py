"""The network as one HTML page (`python -m nnviz html`), opened from disk in Chromium with every request
to anything but the file refused: inputs moved, the page's own forward pass checked against the engine's
`trace --json` to 1e-9 for every neuron, and its hover texts, fills and text for screen readers against
the app's."""
import contextlib
import io
import json

import numpy as np
import pytest

from nnviz import cli, core
from nnviz.core import weights_io
from nnviz.encode.labels import describe_html
from nnviz.encode.layout import node_table
from nnviz.state.session import SessionState
from nnviz.ui.graph import NetworkGraph

from .conftest import shot, source_data, wait_ready

pytestmark = pytest.mark.ui

# Every hidden activation, each with one of the outputs in turn (so every output is used too).
CASES = [["--sizes", "3,6,5,3", "--activation", act, "--output", core.OUTPUT_ACTIVATIONS[i % 4],
          "--seed", str(i), "--input=0.5,-1,2"] for i, act in enumerate(core.HIDDEN_ACTIVATIONS)]
# Input vectors for 3 inputs on sliders of -10..10: far tails of every activation, zero, a negative zero z.
MOVES = [[-9.5, 7.25, 3.0], [0.0, 0.0, 0.0], [2.37, -0.01, -6.66]]


def run_cli(args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(args) == 0
    return out.getvalue()


def write_page(tmp_path, args, name="net.html"):
    path = tmp_path / name
    assert "wrote" in run_cli(["html", *args, "--save", str(path)])
    return path


def open_offline(page, path):
    """Open the file with every request that is not the file itself refused; return the refused ones."""
    refused = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].get_model_by_name('nodes')"
                           " && Bokeh.index.query_one(v => v.model.name === 'network') != null")
    return refused


def set_inputs(page, x):
    """Move the sliders (their Bokeh models, as a drag ends) to x."""
    page.evaluate("(x) => x.forEach((v, i) => { Bokeh.documents[0].get_model_by_name('x' + (i + 1)).value = v; })", x)


def page_inputs(page, n):
    return page.evaluate("(n) => [...Array(n).keys()].map(i => Bokeh.documents[0].get_model_by_name('x' + (i + 1)).value)",
                         n)


def network_args(args):
    """The CLI's network options without the input (the page's sliders give it)."""
    return [a for a in args if not a.startswith("--input")]


def check_engine(page, args, x):
    """Every neuron's z and a in the page (`all_nodes`, and the drawn ones in `nodes`) equal the engine's
    `trace --json` for input x to 1e-9; returns the trace."""
    trace = json.loads(run_cli(["trace", *network_args(args), "--input=" + ",".join(map(repr, x)), "--json"]))
    sizes = trace["sizes"]
    want_z = [np.full(sizes[0], np.nan)] + [np.array(layer["z"]) for layer in trace["layers"]]
    want_a = [np.array(trace["input"])] + [np.array(layer["a"]) for layer in trace["layers"]]
    every = source_data(page, "all_nodes")
    assert len(every["a"]) == sum(sizes)            # every hidden and output neuron is there
    for data in (every, source_data(page, "nodes")):
        layer, unit = np.array(data["layer"], dtype=int), np.array(data["unit"], dtype=int)
        z = np.array([want_z[l][u] for l, u in zip(layer, unit)])
        a = np.array([want_a[l][u] for l, u in zip(layer, unit)])
        np.testing.assert_allclose(np.array(data["z"], dtype=float), z, rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.array(data["a"], dtype=float), a, rtol=0, atol=1e-9)
    return trace


def check_app_drawing(page, args, x):
    """The texts and fills the page wrote are the ones the app's graph writes for the same network and x."""
    net, _ = cli.build_network(cli.make_parser().parse_args(["trace", *network_args(args)]))
    state = SessionState()
    state.install(net, x, preset="custom", custom_weights=True)
    app = NetworkGraph(state, caption=False, served=False).nodes.data
    got = source_data(page, "nodes")
    for col in ("label", "formula", "afx", "fill"):
        assert got[col] == list(app[col]), col
    # The hidden text for screen readers, as the app's graph writes it.
    text = page.evaluate("Bokeh.documents[0].get_model_by_name('describe').text")
    assert text == describe_html(state.network, state.trace, node_table(net.sizes))


@pytest.mark.parametrize("args", CASES, ids=[c[3] + "-" + c[5] for c in CASES])
def test_the_page_computes_what_the_engine_computes(page, console_errors, tmp_path, args):
    path = write_page(tmp_path, args)
    refused = open_offline(page, path)
    check_engine(page, args, [0.5, -1.0, 2.0])          # as written by Python
    for x in MOVES:
        set_inputs(page, x)
        trace = check_engine(page, args, x)
        check_app_drawing(page, args, x)
    if args[5] == "softmax":
        assert sum(trace["layers"][-1]["a"]) == pytest.approx(1.0)
    assert not refused and not console_errors


def test_a_keyboard_move_and_a_hover(page, console_errors, tmp_path):
    """The slider answers the keyboard (a step of its 100), and a neuron's hover writes z out."""
    args = CASES[0]
    path = write_page(tmp_path, args)
    refused = open_offline(page, path)
    handle = page.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    x = page_inputs(page, 3)
    assert x[0] == pytest.approx(0.6)                  # 0.5 up to the next step (0.2) of the -10..10 slider
    check_engine(page, args, x)
    # The first hidden neuron: 'z = w×x + ... = z' and 'a = f(z) = a' with the page's numbers.
    view = "Bokeh.index.query_one(v => v.model.name === 'network')"
    box = page.evaluate(f"""() => {{ const v = {view}; const d = Bokeh.documents[0].get_model_by_name('nodes').data;
        const i = [...d.layer].findIndex(l => l === 1); const r = v.canvas_view.el.getBoundingClientRect();
        return [r.left + v.frame.x_scale.compute(d.x[i]), r.top + v.frame.y_scale.compute(d.y[i]),
                d.formula[i], d.afx[i]]; }}""")
    page.mouse.move(box[0], box[1])
    assert box[2].startswith("z = ") and "×0.6 + " in box[2] and box[3].startswith("a = σ(")
    for text in box[2:]:
        page.get_by_text(text, exact=True).wait_for(timeout=5000)      # in the tooltip's shadow root
    assert not refused and not console_errors


def test_a_trained_network_from_a_file_and_the_digits_size(page, console_errors, tmp_path):
    """--weights: a network with an activation per hidden layer (GELU, then SiLU) and large weights (z far in
    both tails, where GELU's erfc takes its continued fraction), and the 64-32-10 softmax network of the
    Digits tab's size, every one of its 106 neurons."""
    rng = np.random.default_rng(5)
    net = core.Network((2, 4, 3, 3), [rng.normal(0, 6, (4, 2)), rng.normal(0, 3, (3, 4)), rng.normal(0, 1, (3, 3))],
                       [rng.normal(0, 1, 4), rng.normal(0, 1, 3), rng.normal(0, 1, 3)], ("gelu", "silu"), "softmax")
    (tmp_path / "trained.json").write_text(weights_io.to_json(net, [0.2, -0.4], {}))
    args = ["--weights", str(tmp_path / "trained.json"), "--input=0.2,-0.4"]
    refused = open_offline(page, write_page(tmp_path, args))
    largest = 0.0
    for x in ([0.2, -0.4], [1.0, -1.0], [-1.0, 1.0], [-0.73, 0.91]):
        set_inputs(page, x)
        trace = check_engine(page, args, x)
        check_app_drawing(page, args, x)
        largest = max(largest, *(abs(v) for v in trace["layers"][0]["z"]))
    assert largest > 3 * 2 ** 0.5                      # GELU's far tail (erfc's continued fraction) was reached

    args = ["--sizes", "64,32,10", "--activation", "tanh", "--output", "softmax", "--seed", "3"]
    page2 = page.context.new_page()
    refused += open_offline(page2, write_page(tmp_path, args, "digits.html"))
    x = list(np.round(np.random.default_rng(2).uniform(-1, 1, 64), 2))
    set_inputs(page2, x)
    check_engine(page2, args, page_inputs(page2, 64))
    check_app_drawing(page2, args, page_inputs(page2, 64))
    assert not refused and not console_errors


def test_screenshots_desktop_and_phone(browser, tmp_path):
    """The page at 1280x720 and 390x844 (artifacts/html-page-*.png): on a phone the colour bars give
    their room to the graph and the layer titles shorten, as in the app."""
    path = write_page(tmp_path, ["--sizes", "2,4,2,1", "--activation", "tanh", "--output", "sigmoid"])
    for (w, h), name in (((1280, 720), "desktop"), ((390, 844), "phone")):
        page = browser.new_page(viewport={"width": w, "height": h})
        assert not open_offline(page, path)
        page.wait_for_function("Bokeh.index.query_one(v => v.model.name === 'network').has_finished()")
        texts = page.evaluate("Array.from(Bokeh.documents[0].get_model_by_name('layer_labels').data.text)")
        bars = page.evaluate("Bokeh.documents[0].get_model_by_name('network').right.map(b => b.visible)")
        assert texts[0] == ("Input (2)" if name == "desktop" else "In (2)")
        assert all(bars) if name == "desktop" else not any(bars)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= w                                   # nothing wider than the screen
        shot(page, f"html-page-{name}")
        page.close()


def test_the_app_exports_the_page_of_its_network(server, page, browser, tmp_path, console_errors):
    """Save or load… → Network as HTML page in a served app: the downloaded file, opened offline, shows the
    session's numbers and computes what the server computes when the same input moves in both."""
    page.goto(server + "?sizes=2,4,2,1&activation=gelu&output=tanh&x=0.3,-0.6")
    wait_ready(page)
    page.get_by_role("button", name="Save or load…").click()
    with page.expect_download() as info:
        page.get_by_text("Network as HTML page", exact=True).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "nnviz-network.html"
    served = source_data(page, "nodes")
    offline = browser.new_page(viewport={"width": 1280, "height": 720})
    assert not open_offline(offline, path)
    saved = source_data(offline, "nodes")
    for col in ("layer", "unit", "label", "formula", "fill"):
        assert saved[col] == served[col], col
    np.testing.assert_allclose(saved["a"], served["a"], rtol=0, atol=1e-12)
    set_inputs(offline, [-0.9, 0.45])                   # and the same input in the app, by its sliders' models
    page.evaluate("() => { const ss = [...Bokeh.documents[0].all_models].filter(m => m.type === 'Slider'"
                  " && /^x[12]$/.test(m.title)).sort((a, b) => a.title < b.title ? -1 : 1);"
                  " ss[0].value = -0.9; ss[1].value = 0.45; }")
    page.wait_for_function("() => { const a = Bokeh.documents[0].get_model_by_name('nodes').data.a;"
                           " return a[0] === -0.9 && a[1] === 0.45; }")
    # (both inputs shown means the update that carried the second, and every value computed from it, arrived)
    served, saved = source_data(page, "nodes"), source_data(offline, "nodes")
    np.testing.assert_allclose(saved["a"], served["a"], rtol=0, atol=1e-9)
    assert saved["formula"] == served["formula"]
    offline.close()
    assert console_errors == []
