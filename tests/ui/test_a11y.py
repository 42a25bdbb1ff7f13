"""Accessibility in Chromium: axe-core over every view on a desktop, on a phone and in presentation mode
(no critical or serious violation), one <h1>, a main landmark, and a keyboard path with a visible focus ring.

Panel draws its widgets in shadow roots; the JS below walks them (axe-core does so itself).
"""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from nnviz.ui.views import VIEWS

from .conftest import wait_ready

pytestmark = pytest.mark.ui
BAD = ("critical", "serious")
AXE = Axe()

DEEP = """(sel) => { const out = []; const walk = r => { r.querySelectorAll(sel).forEach(e => out.push(e));
    r.querySelectorAll('*').forEach(e => { if (e.shadowRoot) walk(e.shadowRoot); }); }; walk(document); return out; }"""
FOCUSED = """() => { let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    if (!e || e === document.body) return null; const s = getComputedStyle(e);
    return {tag: e.tagName, label: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30),
            outline: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: e.getBoundingClientRect().width > 0}; }"""


def serious(page):
    """axe-core's critical and serious violations on the page as it is now: [(rule, impact, count, first target)]."""
    found = AXE.run(page).response["violations"]
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in found if v["impact"] in BAD]


def count(page, selector):
    return page.evaluate(f"() => ({DEEP})({selector!r}).length")


def open_view(page, title, key):
    """Open a tab by clicking it and wait until the server has switched to it and the page is named."""
    page.locator(".bk-tab").filter(has_text=re.compile(f"^{re.escape(title)}$")).first.click()
    page.wait_for_function("(k) => new URLSearchParams(location.search).get('view') === k", arg=key)
    page.wait_for_timeout(700)                  # page.js names new controls every 600 ms


def scan_every_view(page, url):
    """Load `url` on the first view, then open every other tab: axe findings and the page's scroll width per view."""
    first_key, first_title, _ = VIEWS[0]
    page.goto(url)
    wait_ready(page)
    page.wait_for_timeout(700)
    width = "() => document.scrollingElement.scrollWidth"
    found, widths = {first_key: serious(page)}, {first_key: page.evaluate(width)}
    for key, title, _ in VIEWS[1:]:
        open_view(page, title, key)             # on a phone too: every tab is in sight and can be tapped
        found[key], widths[key] = serious(page), page.evaluate(width)
    return found, widths


def test_every_view_by_its_link_has_no_serious_violation(server, page, console_errors):
    found = {}
    for key, _, _ in VIEWS:
        page.goto(server + f"?view={key}")
        page.locator(".bk-tab.bk-active").wait_for()
        page.wait_for_function("() => window.__nnvizPage === true")
        page.wait_for_timeout(1000)             # the lazy view is built and named
        found[key] = serious(page)
        assert count(page, "h1") == 1, key
        assert count(page, "main, [role=main]") == 1, key
    assert found == {key: [] for key, _, _ in VIEWS}
    assert console_errors == []


def test_phone_every_view(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found, widths = scan_every_view(page, server)
    assert found == {key: [] for key, _, _ in VIEWS}
    assert max(widths.values()) <= 390, widths                  # nothing scrolls sideways, in any view
    ctx.close()
    assert errors == []


def test_presentation_every_view(server, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found, _ = scan_every_view(page, server + "?present=1")
    assert found == {key: [] for key, _, _ in VIEWS}
    assert not page.get_by_label("Sizes (input, hidden..., output)").is_visible()      # still presenting
    page.close()
    assert errors == []


def test_keyboard_reaches_the_controls_with_a_visible_ring(server, page, console_errors):
    page.goto(server)
    wait_ready(page)
    page.wait_for_timeout(700)
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
