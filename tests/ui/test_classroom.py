"""The classroom in Chromium: presentation mode at 1920x1080, the phone layout at 390x844, an axe-core scan
of every view (desktop, phone, presentation), and the graph's text alternative."""
import re

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe

from nnviz.ui.views import VIEWS

from .conftest import shot, source_data, wait_ready

pytestmark = pytest.mark.ui
BAD = ("critical", "serious")


def graph_box(page):
    return page.evaluate("""() => { const m = Bokeh.documents[0].get_model_by_name('network');
        const v = Bokeh.index.query_one(x => x.model === m); const r = v.el.getBoundingClientRect();
        return [r.width, r.height]; }""")


def violations(page):
    result = Axe().run(page)
    return [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"] if v["impact"] in BAD]


def test_presentation_mode_fills_a_projector(server, browser, console_errors):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
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
    assert violations(page) == []
    shot(page, "present-1920")
    page.keyboard.press("p")                                                          # the shortcut leaves it
    page.get_by_label("Sizes (input, hidden..., output)").wait_for()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('present')")
    page.close()
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
    assert not page.get_by_label("Sizes (input, hidden..., output)").is_visible()     # folded away
    page.get_by_role("button", name="Controls").tap()
    page.get_by_label("Sizes (input, hidden..., output)").wait_for()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    assert violations(page) == []
    shot(page, "phone-390")
    ctx.close()
    assert errors == []


def test_axe_finds_nothing_serious_on_any_view(server, page, console_errors):
    found = {}
    for key, _, _ in VIEWS:
        page.goto(server + f"?view={key}")
        page.locator(".bk-tab.bk-active").wait_for()
        page.wait_for_timeout(1500)                       # the view and the page's naming pass settle
        found[key] = violations(page)
    assert found == {key: [] for key, _, _ in VIEWS}
    assert page.evaluate("() => document.querySelectorAll('h1').length") + page.evaluate(
        """() => { let n = 0; const walk = r => r.querySelectorAll('*').forEach(e => { if (e.tagName === 'H1') n++;
             if (e.shadowRoot) walk(e.shadowRoot); }); walk(document); return n; }""") >= 1
    assert console_errors == []


def test_text_alternative_matches_the_drawing(server, page, console_errors):
    page.goto(server + "?preset=digits&x=0.3,0.1,0.9,0.4")
    wait_ready(page)
    page.wait_for_timeout(500)
    text = page.evaluate("""() => { let out = null; const walk = r => r.querySelectorAll('*').forEach(e => {
        if (e.tagName === 'SECTION' && e.getAttribute('aria-label') === 'The network as text') out = e.innerHTML;
        if (e.shadowRoot) walk(e.shadowRoot); }); walk(document); return out; }""")
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    nodes = source_data(page)
    assert len(rows) == len(nodes["a"]) == 20
    np.testing.assert_allclose([float(a) for _, _, a in rows], nodes["a"], rtol=1e-5, atol=1e-9)
    assert console_errors == []
