"""Accessibility in Chromium: axe-core (no critical or serious violation) over every view on a desktop and
over a few representative views on a phone and in presentation mode; one <h1>, a main landmark; on a
phone every tab can be tapped and no view widens the page; a keyboard path with a visible focus ring.

Panel draws its widgets in shadow roots; the JS below walks them (axe-core does so itself).
One server serves the whole module (each test opens its own pages, so its own sessions).
"""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from nnviz.ui.views import VIEWS

from .conftest import wait_ready, wait_view

pytestmark = pytest.mark.ui
BAD = ("critical", "serious")
AXE = Axe()
KEYS = [key for key, _, _ in VIEWS]
# On a phone and a projector axe scans these; between them they hold every kind of part the views are
# made of: the graph with its header and sidebar, tables and the digit reader (depth), the coloured
# table (pitfalls), the three training columns with their plots.
REPRESENTATIVE = ("network", "depth", "pitfalls", "train")

DEEP = """(sel) => { const out = []; const walk = r => { r.querySelectorAll(sel).forEach(e => out.push(e));
    r.querySelectorAll('*').forEach(e => { if (e.shadowRoot) walk(e.shadowRoot); }); }; walk(document); return out; }"""
FOCUSED = """() => { let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    if (!e || e === document.body) return null; const s = getComputedStyle(e);
    return {tag: e.tagName, label: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30),
            outline: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: e.getBoundingClientRect().width > 0}; }"""
WIDTH = "() => document.scrollingElement.scrollWidth"


def serious(page):
    """axe-core's critical and serious violations on the page as it is now: [(rule, impact, count, first target)]."""
    found = AXE.run(page).response["violations"]
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in found if v["impact"] in BAD]


def count(page, selector):
    return page.evaluate(f"() => ({DEEP})({selector!r}).length")


def named(page):
    """Wait for page.js's next naming pass (every 600 ms): it names a bare slider put in the page now, and
    one pass names every control, so all controls drawn before this call have their names."""
    page.evaluate("() => { const p = document.createElement('div'); p.id = 'a11y-probe'; p.setAttribute('role', 'slider');"
                  " document.body.appendChild(p); }")
    page.wait_for_function("() => document.getElementById('a11y-probe').hasAttribute('aria-label')")
    page.evaluate("() => document.getElementById('a11y-probe').remove()")


def scan(page):
    """axe's findings once page.js has named every control drawn so far."""
    named(page)
    return serious(page)


def open_view(page, title, key):
    """Open a tab by clicking it; wait until the server has built its view (views are built when first
    opened) and the page has drawn it."""
    page.locator(".bk-tab").filter(has_text=re.compile(f"^{re.escape(title)}$")).first.click()
    wait_view(page, key)


def tour(page, url, axe_on):
    """Load `url` on the first view, then open every other tab by clicking it: the page's scroll width in
    every view, axe's findings in the views listed in `axe_on`."""
    first_key = KEYS[0]
    page.goto(url)
    wait_ready(page)
    wait_view(page, first_key)
    found, widths = {}, {first_key: page.evaluate(WIDTH)}
    if first_key in axe_on:
        found[first_key] = scan(page)
    for key, title, _ in VIEWS[1:]:
        open_view(page, title, key)             # on a phone too: every tab is in sight and can be tapped
        widths[key] = page.evaluate(WIDTH)
        if key in axe_on:
            found[key] = scan(page)
    return found, widths


def page_errors(page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_every_view_by_its_link_has_no_serious_violation(module_server, page, console_errors):
    found, widths = {}, {}
    for key in KEYS:
        page.goto(module_server + f"?view={key}")
        wait_view(page, key)
        found[key] = scan(page)
        widths[key] = page.evaluate(WIDTH)
        assert count(page, "h1") == 1, key
        assert count(page, "main, [role=main]") == 1, key
    assert found == {key: [] for key in KEYS}
    assert max(widths.values()) <= 1280, widths          # on a laptop no view scrolls sideways
    assert console_errors == []


def test_phone_every_view(module_server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = page_errors(page)
    found, widths = tour(page, module_server, REPRESENTATIVE)
    assert found == {key: [] for key in REPRESENTATIVE}
    assert list(widths) == KEYS and max(widths.values()) <= 390, widths    # nothing scrolls sideways, in any view
    ctx.close()
    assert errors == []


def test_presentation_representative_views(module_server, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = page_errors(page)
    page.goto(module_server + "?present=1")
    wait_ready(page)
    wait_view(page, KEYS[0])
    found = {KEYS[0]: scan(page)}
    for key in REPRESENTATIVE[1:]:
        open_view(page, VIEWS[KEYS.index(key)][1], key)
        found[key] = scan(page)
    assert found == {key: [] for key in REPRESENTATIVE}
    assert "present=1" in page.url
    assert not page.get_by_label("Sizes (input, hidden..., output)").is_visible()      # still presenting
    page.close()
    assert errors == []


def test_keyboard_reaches_the_controls_with_a_visible_ring(module_server, page, console_errors):
    page.goto(module_server)
    wait_ready(page)
    wait_view(page, KEYS[0])
    named(page)                                 # page.js also puts the focus ring into every shadow root
    seen = []
    for _ in range(14):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        assert f is not None and f["visible"], seen
        assert f["outline"] != "none" and f["width"] >= 2, f           # the focus ring shows
        seen.append(f["label"])
    assert "Present (P)" in seen and "Copy link" in seen              # the header's buttons come first
    assert "Preset" in seen and "Sizes (input, hidden..., output)" in seen
    # operable: Enter on the focused Present button enters presentation mode
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(FOCUSED)["label"] == "Present (P)":
            break
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('present') === '1'")
    assert console_errors == []
