"""The network graph in headless Chromium: load, keyboard input, structure changes, URL, sessions."""
import numpy as np
import pytest

from nnviz import core as engine
from nnviz.core import presets

from .conftest import app_here, shot, source_data, wait_ready

pytestmark = pytest.mark.ui


def expected_a(query):
    """Node activations the engine gives for a URL query, per drawn row order."""
    app = app_here(query=query)
    return np.asarray(app.graph.nodes.data["a"], dtype=float)


def test_page_loads_with_graph_and_no_errors(server, page, console_errors):
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server[:-1]) else None)
    page.goto(server)
    wait_ready(page)
    canvas = page.locator(".bk-Canvas, canvas").first
    canvas.wait_for(state="visible")
    d = source_data(page)
    assert len(d["a"]) == 3 + 4 + 3 + 2
    np.testing.assert_allclose(d["a"], expected_a({}), atol=1e-9)
    assert page.get_by_text("Hidden activation").is_visible()
    shot(page, "network-default")
    assert console_errors == []
    assert [u for u in external if u.startswith(("http:", "https:", "ws:", "wss:"))] == []


def test_keyboard_slider_updates_browser_nodes(server, page, console_errors):
    page.goto(server + "?preset=neuron")
    wait_ready(page)
    before = source_data(page)
    assert before["z"][2] == pytest.approx(2.6)
    handle = page.locator(".input-slider-0 .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => Math.abs(Bokeh.documents[0].get_model_by_name('nodes').data.z[2] - 2.6) > 1e-6", timeout=5000)
    after = source_data(page)
    x0 = after["a"][0]
    assert x0 < 6.0
    assert after["z"][2] == pytest.approx(0.7 * x0 + 0.3 * 8 - 4, abs=1e-9)
    assert after["a"][2] == pytest.approx(float(engine.sigmoid(after["z"][2])), abs=1e-9)
    page.wait_for_function("() => decodeURIComponent(location.search).includes('x=5.9')", timeout=5000)
    assert console_errors == []


def test_activation_and_architecture_change_what_is_drawn(server, page, console_errors):
    page.goto(server)
    wait_ready(page)
    page.get_by_label("Hidden activation (all layers)").select_option("ReLU")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.every("
                           "(v, i, a) => Bokeh.documents[0].get_model_by_name('nodes').data.layer[i] == 0"
                           " || Bokeh.documents[0].get_model_by_name('nodes').data.layer[i] == 3 || v >= 0)")
    sizes = page.get_by_label("Sizes (input, hidden..., output)")
    sizes.fill("4,3,3,10")
    sizes.press("Enter")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 20")
    e = source_data(page, "edges")
    assert len(e["weight"]) == 12 + 9 + 30
    page.get_by_role("button", name="+ hidden layer").click()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 23")
    page.wait_for_function("() => decodeURIComponent(location.search).includes('sizes=4,3,3,3,10')",
                           timeout=5000)                       # the address bar follows after a pause
    shot(page, "network-relu-4-3-3-3-10")
    assert console_errors == []


def test_url_reproduces_state(server, page, console_errors):
    q = {"sizes": "2,6,3,1", "activation": "gelu", "output": "sigmoid", "seed": "42", "x": "0.25,-0.75"}
    page.goto(server + "?" + "&".join(f"{k}={v}" for k, v in q.items()))
    wait_ready(page)
    d = source_data(page)
    np.testing.assert_allclose(d["a"], expected_a(q), atol=1e-9)
    assert page.get_by_label("Hidden activation (all layers)").input_value() == "GELU"
    assert console_errors == []


def test_digits_and_mnist_presets(server, page, console_errors):
    page.goto(server + "?preset=digits")
    wait_ready(page)
    d = source_data(page)
    z1 = [z for z, l in zip(d["z"], d["layer"]) if l == 1]
    np.testing.assert_allclose(z1, [0.12, 0.75, -0.41], atol=1e-9)
    page.goto(server + "?preset=mnist-mlp")
    wait_ready(page)
    d = source_data(page)
    assert len(d["a"]) == 55 and max(d["unit"]) == 783
    net, x = presets.load("mnist-mlp")
    out = net(x)
    np.testing.assert_allclose([a for a, l in zip(d["a"], d["layer"]) if l == 3], out, atol=1e-9)
    # The 784 inputs draw 15 neurons and a marker for the rest, on the canvas (so in the data, not the DOM).
    assert [l for l in d["layer"] if l == 0] == [0] * 15
    assert "⋮ 769 more" in source_data(page, "layer_labels")["text"]
    shot(page, "network-mnist-mlp")
    assert console_errors == []


def test_hostile_url_shows_message_and_working_page(server, page, console_errors):
    page.goto(server + "?sizes=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&seed=-3&x=nan&activation=%3Cb%3Ebold")
    wait_ready(page)
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "'<img'" in text and "'<b>bold'" in text and "seed" in text and "activation" in text
    assert page.locator("img[src=x]").count() == 0 and page.locator("b", has_text="bold").count() == 0
    d = source_data(page)
    assert len(d["a"]) == 12
    np.testing.assert_allclose(d["a"], expected_a({}), atol=1e-9)
    shot(page, "network-hostile-url")
    assert console_errors == []


@pytest.mark.parametrize("tail", ["?http://evil.example/?preset=neuron", "?sizes=2,2?x=1", "?x=%00%ff&seed=1e999"])
def test_malformed_query_strings_still_serve_the_page(server, page, console_errors, tail):
    response = page.goto(server + tail)
    assert response.status == 200
    wait_ready(page)
    assert len(source_data(page)["a"]) >= 3
    assert console_errors == []


def test_two_contexts_stay_independent(server, browser, console_errors):
    a, b = browser.new_context(), browser.new_context()
    pa, pb = a.new_page(), b.new_page()
    pa.goto(server)
    pb.goto(server)
    wait_ready(pa)
    wait_ready(pb)
    s = pa.get_by_label("Sizes (input, hidden..., output)")
    # Every change b's page receives from now on is recorded: a's change must bring none.
    pb.evaluate("""() => { const s = Bokeh.documents[0].get_model_by_name('nodes'); window.seen = [];
        s.change.connect(() => window.seen.push(s.data.a.length)); }""")
    s.fill("2,2")
    s.press("Enter")
    pa.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 4")
    pa.wait_for_function("() => decodeURIComponent(location.search).includes('sizes=2,2')")   # a's link, written later
    # Then a change of b's own: the server answers it after anything it sent b before, in order.
    t = pb.get_by_label("Sizes (input, hidden..., output)")
    t.fill("3,3")
    t.press("Enter")
    pb.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 6")
    assert set(pb.evaluate("() => window.seen")) == {6}                        # b only ever saw its own
    assert len(source_data(pa)["a"]) == 4
    a.close()
    b.close()


def test_click_an_edge_and_set_its_weight(server, page, console_errors):
    page.goto(server + "?preset=neuron")
    wait_ready(page)
    # Screen position of the middle of edge 0 (x0 -> output), from the figure's own scales.
    x, y = page.evaluate("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const v = Bokeh.index.query_one(view => view.model === m);
        const e = Bokeh.documents[0].get_model_by_name('edges').data;
        const mx = (e.x0[0] + e.x1[0]) / 2, my = (e.y0[0] + e.y1[0]) / 2;
        const r = v.el.getBoundingClientRect();
        return [r.left + v.frame.x_scale.compute(mx), r.top + v.frame.y_scale.compute(my)]; }""")
    page.mouse.click(x, y)
    page.get_by_text("w = 0.7").wait_for(timeout=5000)
    box = page.get_by_label("weight w")
    box.fill("-1.5")
    box.press("Enter")
    page.get_by_role("button", name="Set weight").click()
    page.wait_for_function("() => Math.abs(Bokeh.documents[0].get_model_by_name('nodes').data.z[2]"
                           " - (-1.5 * 6 + 0.3 * 8 - 4)) < 1e-9", timeout=5000)
    assert source_data(page, "edges")["weight"][0] == -1.5
    assert console_errors == []
