"""A modified page sets widget models past their bounds from its own JavaScript: each widget snaps
back to its last good value, in the model and in the visible box, and the page says what was
refused in a short message. No console errors. (Text for a number and 60 KB values, which BokehJS
itself will not send, are sent at protocol level in tests/views/test_refusals.py.)"""
import panel as pn
import pytest

from nnviz.ui import entry

from .conftest import serve, shot, wait_ready

pytestmark = pytest.mark.ui

# The page's model of a widget, found by type and title.
FIND = "([type, title]) => [...Bokeh.documents[0].all_models].find(m => m.type === type && m.title === title)"


@pytest.fixture
def entry_server():
    """The run command's entry point: quiet logs and the refusal guard installed, then the App."""
    port = serve(lambda: entry.build())
    yield f"http://localhost:{port}/"
    pn.state.kill_all_servers()


def refuse(page, type_, title, bad, good, shown) -> str:
    """Set the model's value to bad as a modified page would; wait until it is good again and a
    message naming bad (as `shown`) is on the page; return the message."""
    page.evaluate(f"([type, title, bad]) => {{ ({FIND})([type, title]).value = bad; }}", [type_, title, bad])
    page.wait_for_function(f"([type, title, good]) => ({FIND})([type, title]).value === good",
                           arg=[type_, title, good], timeout=10000)
    message = page.locator(".nnviz-message").filter(has_text=shown).first
    message.wait_for(timeout=10000)
    return message.inner_text()


def test_a_seed_of_1e308_snaps_back_with_a_message(entry_server, page, console_errors):
    page.goto(entry_server)
    wait_ready(page)
    seed = page.get_by_label("Seed")
    assert seed.input_value() == "1"
    text = refuse(page, "Spinner", "Seed", 1e308, 1, "'1e+308'")
    assert "Seed" in text and "kept 1" in text and len(text) < 120
    page.wait_for_function("() => true")
    assert seed.input_value() == "1"                          # the box shows the kept value again
    shot(page, "refused-seed")
    page.evaluate(f"() => {{ ({FIND})(['Spinner', 'Seed']).value = 7; }}")    # a good value still works
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes') && "
                           "!document.body.innerText.includes('refused')", timeout=10000)
    page.wait_for_function("() => decodeURIComponent(location.search).includes('seed=7')", timeout=10000)
    assert seed.input_value() == "7"
    assert console_errors == []


def test_sliders_past_their_bounds_snap_back(entry_server, page, console_errors):
    page.goto(entry_server + "?view=neuron")
    wait_ready(page, "neuron_point")
    text = refuse(page, "Slider", "x1: hours studied", 50, 6, "'50'")   # a Panel slider, 0..12
    assert "0 to 12" in text and "kept 6.0" in text
    assert page.locator(".neuron-x1 .bk-slider-title").first.inner_text() == "x1: hours studied: 6"  # as shown
    text = refuse(page, "Slider", "x1", 1e6, 0.5, "'1000000'")         # the sidebar's input slider
    assert "x1" in text and "kept 0.5" in text
    assert page.locator(".input-slider-0 .bk-slider-title").first.inner_text() == "x1: 0.50"
    assert console_errors == []
