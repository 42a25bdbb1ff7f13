"""Each lesson view in headless Chromium: open by URL, interact once, read the numbers, no errors."""
import re

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import shot, source_data, wait_ready, wait_view

pytestmark = pytest.mark.ui

# All text of the page, including Panel's shadow roots (inner_text of <body> does not enter them), with
# KaTeX's minus signs, spacing and the gaps that tags leave normalised.
DEEP_TEXT = r"""() => { const out = [];
  const walk = (node) => { for (const c of node.childNodes) {
      if (c.nodeType === 3) out.push(c.textContent);
      else if (c.nodeType === 1) { if (c.tagName === 'STYLE' || c.tagName === 'SCRIPT') continue;
        if (c.shadowRoot) walk(c.shadowRoot); walk(c); } } };
  walk(document.body);
  return out.join(' ').replace(/\u2212/g, '-').replace(/\s+/g, ' ').replace(/\s+([,.;:)\]])/g, '$1'); }"""


def text(page) -> str:
    return page.evaluate(DEEP_TEXT)


def wait_text(page, needle: str, timeout=10000):
    """Wait until the page text contains needle (the text spans shadow roots)."""
    try:
        page.wait_for_function(f"(needle) => ({DEEP_TEXT})().includes(needle)", arg=needle, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{needle!r} never appeared on the page") from None


def wait_source(page, name: str, timeout=20000):
    page.wait_for_function("(n) => window.Bokeh && Bokeh.documents.length && "
                           "Bokeh.documents[0].get_model_by_name(n) !== null", arg=name, timeout=timeout)


def open_view(page, server, query: str, source: str):
    """Open the page at `query`: wait for the view's source and for the view to be drawn."""
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server[:-1]) else None)
    page.goto(server + "?" + query)
    wait_source(page, source)
    wait_view(page, re.search(r"view=(\w+)", query).group(1))
    return external


def no_external(external):
    return [u for u in external if u.startswith(("http:", "https:", "ws:", "wss:"))]


def press(page, css: str, key: str, times: int = 1):
    handle = page.locator(f"{css} .noUi-handle").first
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def test_neuron_lab(server, page, console_errors):
    ext = open_view(page, server, "view=neuron", "neuron_point")
    wait_text(page, "0.931")
    assert "z = 2.6, output = 0.931" in text(page)
    assert source_data(page, "neuron_point")["z"][0] == pytest.approx(2.6)
    page.locator(".katex").nth(1).wait_for()                # the formula is typeset, not raw TeX
    press(page, ".neuron-x1", "ArrowLeft")                  # 6 h -> 5.9 h studied
    wait_text(page, "output = 0.926")
    assert source_data(page, "neuron_point")["z"][0] == pytest.approx(0.7 * 5.9 + 0.3 * 8 - 4)
    assert "z = 2.53" in text(page)
    shot(page, "view-neuron")
    assert console_errors == []
    assert no_external(ext) == []


def test_forward_pass(server, page, console_errors):
    ext = open_view(page, server, "view=forward&preset=digits", "probs")
    wait_text(page, "z1 = [0.12, 0.75, -0.41]")
    assert "a1 = relu(z1) = [0.12, 0.75, 0]" in text(page)
    p = source_data(page, "probs")["p"]
    assert len(p) == 10 and sum(p) == pytest.approx(1.0)
    k = int(np.argmax(p))
    assert f"Predicted class {k} with confidence {p[k]:.1%}" in text(page)
    page.get_by_role("button", name="Next ▶").click()
    wait_text(page, "Step 2 of 3")
    shot(page, "view-forward")
    assert console_errors == []
    assert no_external(ext) == []


def test_activations_select_is_the_graphs_setting(server, page, console_errors):
    ext = open_view(page, server, "view=activations&preset=digits", "act_point_relu")
    wait_text(page, "z = 0.12")
    assert page.get_by_label("Hidden activation (all layers)").input_value() == "ReLU"
    page.get_by_label("Hidden activation of the network").select_option("Tanh")
    wait_text(page, "The network uses Tanh")
    assert page.get_by_label("Hidden activation (all layers)").input_value() == "Tanh"
    assert "activation=tanh" in page.url
    assert "range (-1, 1)" in text(page) and "range [0, ∞)" in text(page)
    shot(page, "view-activations")
    assert console_errors == []
    assert no_external(ext) == []


def test_linearity(server, page, console_errors):
    ext = open_view(page, server, "view=linearity&preset=digits", "sweep")
    wait_text(page, "different: no single layer matches")
    page.get_by_role("button", name="Set hidden activation to linear").click()
    wait_text(page, "the same up to rounding")
    m = re.search(r"max \|difference\| = ([-0-9.e+]+)", text(page))
    assert m and float(m.group(1)) < 1e-9
    lin = source_data(page, "sweep")["linear"]
    assert np.abs(np.diff(lin, 2)).max() < 1e-9
    assert page.get_by_label("Hidden activation (all layers)").input_value() == "Linear"
    shot(page, "view-linearity")
    assert console_errors == []
    assert no_external(ext) == []


def test_params(server, page, console_errors):
    ext = open_view(page, server, "view=params", "scale")
    wait_text(page, "39 parameters")
    page.get_by_role("button", name="784-256-128-10").click()
    wait_text(page, "235,146 parameters")
    assert "Hidden 2 → Output 128 → 10 128 × 10 = 1,280 10 1,290 Total 235,146" in text(page)
    assert source_data(page, "scale")["n"][-1] == 235146
    shot(page, "view-params")
    page.goto(server + "?view=params&sizes=784,256,128,10")
    wait_source(page, "scale")
    wait_text(page, "235,146 parameters")
    assert console_errors == []
    assert no_external(ext) == []


def test_approximation(server, page, console_errors):
    ext = open_view(page, server, "view=approximation", "rmse_now")
    before = source_data(page, "rmse_now")
    assert before["width"] == [5]
    press(page, ".approx-width", "ArrowRight", times=5)
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('rmse_now').data.width[0] == 10")
    after = source_data(page, "rmse_now")
    assert after["rmse"][0] < before["rmse"][0]
    wait_text(page, "Error with 10 hidden units")
    assert len(source_data(page, "contributions")["ys"]) == 10
    shot(page, "view-approximation")
    assert console_errors == []
    assert no_external(ext) == []


def test_tab_click_builds_view_and_updates_url(server, page, console_errors):
    page.goto(server + "?preset=digits")
    wait_ready(page)
    page.locator(".bk-tab", has_text="Forward pass").click()
    wait_source(page, "probs")
    wait_text(page, "z1 = [0.12, 0.75, -0.41]")
    page.wait_for_function("() => location.search.includes('view=forward')")
    assert console_errors == []
