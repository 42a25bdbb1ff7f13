"""Presentation mode in Chromium, made for a projector: every view's text at 1920x1080 is 18 px or more
(maths 20 px or more), nothing scrolls sideways at 1920 wide (at 1280: test_a11y.py), the forward pass sits beside its
graph, and the Training tab fills the screen."""
import pytest

from nnviz.ui.views import VIEWS

from .conftest import wait_view

pytestmark = pytest.mark.ui
KEYS = [key for key, _, _ in VIEWS]

SCALE = """() => { let found = null; const walk = r => r.querySelectorAll('*').forEach(e => {
    if (!found && e.classList && e.classList.contains('nnviz-views')) found = e; if (e.shadowRoot) walk(e.shadowRoot); });
    walk(document); return found ? parseFloat(getComputedStyle(found).getPropertyValue('--nnviz-scale')) : null; }"""
# Every visible text on screen (direct text of an element, inside shadow roots too): [px, text, is maths].
TEXTS = """() => { const out = []; const walk = (r, math) => r.querySelectorAll('*').forEach(e => {
    const m = math || e.tagName === 'math';
    if (e.shadowRoot) walk(e.shadowRoot, m);
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || e.closest('math') && !m) return;
    const b = e.getBoundingClientRect(); const s = getComputedStyle(e);
    if (b.width > 2 && b.height > 2 && b.bottom > 0 && b.top < innerHeight && s.visibility !== 'hidden' && s.opacity !== '0')
        out.push([parseFloat(s.fontSize), e.textContent.trim().slice(0, 40), m && e.tagName === 'math']); });
    walk(document, false); return out; }"""
# The font sizes the figures draw on their canvases (axes, titles, legends, colour bars, text glyphs).
CANVAS = """() => { const out = []; for (const m of Bokeh.documents[0].all_models) {
    for (const [name, p] of Object.entries(m.properties || {})) { if (!name.endsWith('font_size')) continue;
        let v = m[name]; if (v && typeof v === 'object') v = v.value; if (typeof v !== 'string' || !v.endsWith('px')) continue;
        const view = Bokeh.index.query_one(x => x.model === m); out.push([parseFloat(v), m.type + '.' + name]); } } return out; }"""
WIDTH = "() => document.scrollingElement.scrollWidth"


def presenting(page, url, key, scale):
    page.goto(url)
    wait_view(page, key, timeout=30000)
    page.wait_for_function(f"() => ({SCALE})() === {scale}")
    page.wait_for_timeout(300)                  # the figures' new font sizes drawn


@pytest.mark.parametrize("key", KEYS)
def test_every_view_reads_from_the_back_of_the_room(module_server, browser, key):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    presenting(page, module_server + f"?present=1&view={key}", key, 1.5)
    texts = page.evaluate(TEXTS)
    small = [t for t in texts if t[0] < 18 and not t[2]]
    maths = [t[0] for t in texts if t[2]]
    assert texts and small == [], small
    assert all(size >= 20 for size in maths), maths
    assert page.evaluate(WIDTH) <= 1920
    page.close()


BOX = """(name) => { const m = Bokeh.documents[0].get_model_by_name(name);
    const v = Bokeh.index.query_one(x => x.model === m); const r = v.el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height,
            frame: v.frame ? v.frame.bbox.height : null}; }"""
MATH_BOX = """() => { let found = null; const walk = r => r.querySelectorAll('*').forEach(e => {
    if (!found && e.tagName === 'math') found = e; if (e.shadowRoot) walk(e.shadowRoot); });
    walk(document); const b = found.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top}; }"""


@pytest.mark.parametrize("size, url, scale", [((1280, 720), "?view=forward", 1.0),
                                              ((1920, 1080), "?view=forward&present=1", 1.5)])
def test_the_forward_pass_sits_beside_its_graph(module_server, browser, size, url, scale):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    presenting(page, module_server + url, "forward", scale)
    graph, maths = page.evaluate(BOX, "forward_graph"), page.evaluate(MATH_BOX)
    assert graph["right"] <= maths["left"] + 1 and maths["top"] < graph["bottom"]     # side by side
    assert graph["bottom"] <= size[1]                                                 # on the same screen
    nodes = page.evaluate("() => Bokeh.documents[0].get_model_by_name('forward_nodes').data.a")
    assert len(nodes) == 3 + 4 + 3 + 2                                                # the whole network
    # Step 2: the shading moves to hidden layer 2; the halo marks its 4 x 3 incoming edges.
    page.get_by_role("button", name="Next ▶").click()
    incoming = "() => Bokeh.documents[0].get_model_by_name('forward_incoming').data.x1"
    assert set(page.evaluate(incoming)) == {1.0} and len(page.evaluate(incoming)) == 12    # into hidden 1
    page.wait_for_function(f"() => ({incoming})()[0] === 2")
    x = page.evaluate(incoming)
    assert set(x) == {2.0} and len(x) == 12                                           # into hidden 2
    assert page.evaluate(WIDTH) <= size[0]
    page.close()


def test_training_fills_a_projector(module_server, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    presenting(page, module_server + "?present=1&view=train", "train", 1.5)
    page.wait_for_function(f"() => ({BOX})('train_heatmap').frame >= 0.35 * 1080")
    plane = page.evaluate(BOX, "train_heatmap")
    # A neuron's map in pixels: its side in data units times the graph's pixels per unit.
    side = page.evaluate("""() => { const f = Bokeh.documents[0].get_model_by_name('train_graph');
        const v = Bokeh.index.query_one(x => x.model === f); const s = Bokeh.documents[0].get_model_by_name('train_maps');
        const per = v.frame.bbox.height / (f.y_range.end - f.y_range.start); return Math.min(...s.data.side) * per; }""")
    graph = page.evaluate(BOX, "train_graph")
    assert plane["frame"] >= 0.35 * 1080 and side >= 48, (plane, side)
    assert graph["height"] >= 0.55 * 1080                                             # no empty half-screen
    assert page.evaluate(WIDTH) <= 1920
    page.close()

