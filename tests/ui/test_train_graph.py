"""The Training tab's network graph in Chromium: live maps, weights equal to the trainer's, hovers, fit."""
import numpy as np
import pytest

from .conftest import eventually_equal, pause, source_data, trained_past, wait_ready, wait_view

pytestmark = pytest.mark.ui

TRAIN = "?view=train&preset=custom&sizes=2,4,2,1&activation=tanh&output=tanh"


def model_box(page, name):
    """The figure's frame on the page: (left, top, width, height) in CSS px, and the page's scroll width."""
    return page.evaluate("""(name) => { const m = Bokeh.documents[0].get_model_by_name(name);
        const v = Bokeh.index.query_one(view => view.model === m); const r = v.el.getBoundingClientRect();
        const f = v.frame.bbox; return [r.left + f.left, r.top + f.top, f.width, f.height, r.right]; }""", name)


def to_px(page, name, x, y):
    """Screen position of data point (x, y) in the named figure."""
    return page.evaluate("""([name, x, y]) => { const m = Bokeh.documents[0].get_model_by_name(name);
        const v = Bokeh.index.query_one(view => view.model === m); const r = v.el.getBoundingClientRect();
        const xs = v.frame.x_scale, ys = v.frame.y_scale;
        return [r.left + xs.compute(x), r.top + ys.compute(y)]; }""", [name, x, y])


def test_training_graph_trains_live_and_matches_the_network_tab(server, page, console_errors):
    page.goto(server + TRAIN)
    wait_ready(page, "train_nodes")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('train_maps').data.image.length == 9")
    before = source_data(page, "train_edges")["weight"]
    page.get_by_role("button", name="▶ Play").click()
    trained_past(page, 30, timeout=15000)
    page.screenshot(path="/tmp/nnviz-train.png")
    pause(page)
    trained = source_data(page, "train_edges")["weight"]
    assert trained != before
    maps = page.evaluate("() => Bokeh.documents[0].get_model_by_name('train_maps').data.image"
                         ".map(im => [im.length, Math.min(...im), Math.max(...im)])")
    assert all(n == 625 and hi > lo for n, lo, hi in maps)            # every neuron has a real map
    # Hover a hidden neuron: its own arithmetic only, no edge tooltip stacked on it.
    nodes = source_data(page, "train_nodes")
    k = 3
    px = to_px(page, "train_graph", nodes["x"][k], nodes["y"][k])
    page.mouse.move(*px)
    tip = page.locator(".bk-Tooltip").filter(has_text="z =")
    tip.first.wait_for(timeout=3000)
    tips = page.locator(".bk-Tooltip:visible")
    assert tips.filter(has_text="Hidden 1, unit 1").count() == 1
    assert tips.filter(has_text="weight w").count() == 0
    # Click a neuron: the big map shows it.
    page.mouse.click(*px)
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('train_heatmap').title.text.includes('H1.1')")
    # The Network tab draws the same weights.
    page.locator(".bk-tab").filter(has_text="Network").first.click()
    wait_ready(page, "nodes")
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === null")   # switched
    e, t = source_data(page, "edges"), source_data(page, "train_edges")
    key = lambda d: sorted(zip(d["layer"], d["src"], d["dst"], d["weight"]))
    assert key(e) == key(t) and key(t) == key({**t, "weight": trained})
    assert console_errors == []


@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768), (1920, 1080)])
def test_training_tab_is_not_clipped(server, page, console_errors, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + TRAIN)
    wait_view(page, "train")
    for name in ("train_graph", "train_heatmap", "train_curves"):
        left, top, w, h, right = model_box(page, name)
        assert left >= 0 and right <= width + 1 and w > 150, (name, left, right, w)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/nnviz-train-{width}x{height}.png")
    assert console_errors == []


def test_wide_graph_labels_do_not_overlap(server, page, console_errors):
    page.goto(server + "?preset=custom&sizes=4,32,32,10")
    wait_view(page, "network")
    d = source_data(page)
    ys = []
    for l, y, t in zip(d["layer"], d["y"], d["label"]):
        if t and l == 1:
            ys.append(to_px(page, "network", 1.0, y)[1])
    assert len(ys) >= 8 and np.min(np.diff(sorted(ys))) >= 11
    page.screenshot(path="/tmp/nnviz-graph-4-32-32-10.png")
    assert console_errors == []


def test_layer_titles_follow_the_width_the_page_gives_the_graph(server, page):
    """Full titles on a wide screen, short ones (H1 (4)) where the graph is narrow beside the settings:
    each follows the width the page reports for the figure, in either direction."""
    page.set_viewport_size({"width": 1920, "height": 900})
    page.goto(server + TRAIN)
    wait_view(page, "train")
    titles = "Bokeh.documents[0].get_model_by_name('train_layer_labels').data.text.slice(0, 4)"
    eventually_equal(page, titles, ["Input (2)", "Hidden 1 (4)", "Hidden 2 (2)", "Output (1)"])
    page.set_viewport_size({"width": 1280, "height": 900})
    eventually_equal(page, titles, ["In (2)", "H1 (4)", "H2 (2)", "Out (1)"])
