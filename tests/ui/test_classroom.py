"""The classroom in Chromium: presentation mode at 1920x1080 (and Copy link), the phone layout at 390x844,
and the graph's text alternative. axe-core scans of every view are in test_a11y.py."""
import re
import shutil

import numpy as np
import pytest

from .conftest import ARTIFACTS, shot, source_data, wait_ready

pytestmark = pytest.mark.ui


def graph_box(page):
    return page.evaluate("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const v = Bokeh.index.query_one(x => x.model === m); const r = v.el.getBoundingClientRect();
        return [r.width, r.height]; }""")


def keep_shot(page, name):
    """A screenshot in artifacts/ and a copy in /tmp to look at."""
    shot(page, name)
    shutil.copy(ARTIFACTS / f"{name}.png", f"/tmp/nnviz-{name}.png")


def test_presentation_mode_fills_a_projector(server, browser):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080},
                              permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "?present=1&preset=digits")
    wait_ready(page)
    page.wait_for_function("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const v = Bokeh.index.query_one(x => x.model === m); return v && v.el.getBoundingClientRect().height > 700; }""")
    w, h = graph_box(page)
    assert w >= 0.8 * 1920 and h >= 0.7 * 1080
    assert not page.get_by_label("Sizes (input, hidden..., output)").is_visible()      # no sidebar
    sizes = page.evaluate("""() => Bokeh.documents[0].get_model_by_name('network').renderers
        .filter(r => r.glyph && r.glyph.text_font_size).map(r => parseFloat(r.glyph.text_font_size.value || r.glyph.text_font_size))""")
    assert min(sizes) >= 16
    keep_shot(page, "present-1920")
    page.get_by_role("button", name="Copy link").click()                                # the link, present=1 in it
    page.get_by_text("link copied").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.url and "present=1" in copied and "preset=digits" in copied
    page.keyboard.press("p")                                                          # the shortcut leaves it
    page.get_by_label("Sizes (input, hidden..., output)").wait_for()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('present')")
    w, _ = graph_box(page)
    assert w <= 1920 - 300                                                            # the sidebar is back
    ctx.close()
    assert errors == []


def test_a_clicker_walks_the_lesson_in_presentation_mode(server, page, console_errors):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server + "?present=1")
    wait_ready(page)
    hint = page.get_by_text("PageDown / PageUp (a clicker)")
    hint.wait_for()                                                                   # the page says how
    view = "() => new URLSearchParams(location.search).get('view')"
    page.keyboard.press("PageDown")                                                   # a clicker's "next"
    page.wait_for_function(f"() => ({view})() === 'neuron'")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({view})() === 'forward'")
    page.keyboard.press("PageUp")                                                     # and "back"
    page.wait_for_function(f"() => ({view})() === 'neuron'")
    page.keyboard.press("PageUp")
    page.wait_for_function(f"() => ({view})() === null")                              # network: the default
    page.keyboard.press("PageUp")                                                     # the first view stays
    page.keyboard.press("p")                                                          # out of presentation mode
    page.wait_for_function("() => !new URLSearchParams(location.search).has('present')")
    assert not hint.is_visible()
    page.keyboard.press("PageDown")                                                   # scrolls, opens no view
    page.wait_for_timeout(800)                                                        # longer than the link's delay
    assert page.evaluate(view) is None
    assert console_errors == []


def test_phone_layout(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    wait_ready(page)
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    w, _ = graph_box(page)
    assert w >= 0.9 * 390
    page.wait_for_function("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const legend = m.below.find(r => r.type === 'Legend'); return legend && legend.ncols === 3; }""")
    left, right = page.evaluate("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const legend = m.below.find(r => r.type === 'Legend');
        const v = Bokeh.index.query_one(x => x.model === legend); return [v.bbox.left, v.bbox.right]; }""")
    assert 0 <= left and right <= w                                                 # the legend is not cut off
    assert not page.get_by_label("Sizes (input, hidden..., output)").is_visible()     # folded away
    page.get_by_role("button", name="Controls").tap()
    page.get_by_label("Sizes (input, hidden..., output)").wait_for()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    page.get_by_role("button", name="Controls").tap()                                 # and folds away again
    page.get_by_label("Sizes (input, hidden..., output)").wait_for(state="hidden")
    page.locator(".bk-tab", has_text="Forward pass").tap()                            # tabs stay reachable
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'forward'")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    page.locator(".bk-tab", has_text="Network").first.tap()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('view')")
    keep_shot(page, "phone-390")
    ctx.close()
    assert errors == []


def test_training_tab_on_a_phone(server, browser):
    """The Training tab's three columns (settings, network, plane and curves) stack on a phone."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(server + "?view=train&preset=custom&sizes=2,4,2,1&output=tanh")
    page.locator(".train-status").wait_for()
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    assert page.get_by_role("button", name="▶ Play").is_visible()
    boxes = page.evaluate("""() => ['train_graph', 'train_heatmap', 'train_curves'].map(n => {
        const m = Bokeh.documents[0].get_model_by_name(n);
        const r = Bokeh.index.query_one(x => x.model === m).el.getBoundingClientRect();
        return [r.left, r.right, r.top]; })""")
    for left, right, _ in boxes:
        assert 0 <= left and right <= 390
    assert boxes[0][2] < boxes[1][2] < boxes[2][2]              # one under the other
    ctx.close()


def test_text_alternative_matches_the_drawing(server, page, console_errors):
    page.goto(server + "?preset=digits&x=0.3,0.1,0.9,0.4")
    wait_ready(page)
    section = """() => { let out = null; const walk = r => r.querySelectorAll('*').forEach(e => {
        if (e.tagName === 'SECTION' && e.getAttribute('aria-label') === 'The network as text') out = e.innerHTML;
        if (e.shadowRoot) walk(e.shadowRoot); }); walk(document); return out; }"""
    page.wait_for_function(f"() => ({section})() !== null")
    text = page.evaluate(section)
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    nodes = source_data(page)
    assert len(rows) == len(nodes["a"]) == 20
    np.testing.assert_allclose([float(a) for _, _, a in rows], nodes["a"], rtol=1e-5, atol=1e-9)
    z = [float(v) if v else np.nan for _, v, _ in rows]
    np.testing.assert_allclose(z, [np.nan if v is None else v for v in nodes["z"]], rtol=1e-5, atol=1e-9)
    assert rows[0][0] == "input x1"
    assert console_errors == []
