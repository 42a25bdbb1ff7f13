"""The Training tab's network graph in Chromium: live maps, weights equal to the trainer's, hovers, fit."""
import numpy as np
import pytest

from .conftest import source_data, wait_ready

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
    epoch = page.locator(".train-status .epoch")
    for _ in range(150):
        if int(epoch.inner_text()) > 30:
            break
        page.wait_for_timeout(100)
    page.screenshot(path="/tmp/nnviz-train.png")
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="▶ Play").wait_for()
    page.wait_for_timeout(800)
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
    page.wait_for_timeout(500)
    e, t = source_data(page, "edges"), source_data(page, "train_edges")
    key = lambda d: sorted(zip(d["layer"], d["src"], d["dst"], d["weight"]))
    assert key(e) == key(t)
    assert console_errors == []


@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768), (1920, 1080)])
def test_training_tab_is_not_clipped(server, page, console_errors, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + TRAIN)
    wait_ready(page, "train_nodes")
    page.wait_for_timeout(500)
    for name in ("train_graph", "train_heatmap", "train_curves"):
        left, top, w, h, right = model_box(page, name)
        assert left >= 0 and right <= width + 1 and w > 150, (name, left, right, w)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/nnviz-train-{width}x{height}.png")
    assert console_errors == []


def test_wide_graph_labels_do_not_overlap(server, page, console_errors):
    page.goto(server + "?preset=custom&sizes=4,32,32,10")
    wait_ready(page)
    page.wait_for_timeout(500)
    d = source_data(page)
    ys = []
    for l, y, t in zip(d["layer"], d["y"], d["label"]):
        if t and l == 1:
            ys.append(to_px(page, "network", 1.0, y)[1])
    assert len(ys) >= 8 and np.min(np.diff(sorted(ys))) >= 11
    page.screenshot(path="/tmp/nnviz-graph-4-32-32-10.png")
    assert console_errors == []


def test_layer_titles_follow_the_width_the_page_gives_the_graph(server, browser):
    """Short titles (H1 (4)) where the graph is narrow beside the settings, full ones on a wide screen."""
    titles = {}
    for width in (1280, 1920):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(server + TRAIN)
        wait_ready(page, "train_nodes")
        page.wait_for_function("""() => { const t = Bokeh.documents[0].get_model_by_name('train_layer_labels').data.text;
            return t.length > 0; }""")
        page.wait_for_timeout(800)                 # the width reported, the titles patched
        titles[width] = page.evaluate("() => Bokeh.documents[0].get_model_by_name('train_layer_labels').data.text.slice(0, 4)")
        page.close()
    assert titles[1280] == ["In (2)", "H1 (4)", "H2 (2)", "Out (1)"]
    assert titles[1920] == ["Input (2)", "Hidden 1 (4)", "Hidden 2 (2)", "Output (1)"]
