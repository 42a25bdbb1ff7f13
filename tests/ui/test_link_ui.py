"""A link copied from the address bar reopens exactly that state in a new browser: after training, after a
hand edit of one weight, and on every tab."""
import numpy as np
import pytest

from nnviz.ui.views import VIEWS

from .conftest import pause, source_data, trained_past, wait_ready

pytestmark = pytest.mark.ui


def reopen(browser, url):
    """The same link in a fresh browser context (no shared storage), at the projector size."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def settled_url(page, must=()):
    """The address bar once the update has written everything in `must` (app.py writes the whole state
    in one go, 300 ms after the last change)."""
    page.wait_for_function("(keys) => keys.every(k => decodeURIComponent(location.search).includes(k))",
                           arg=list(must), timeout=10000)
    return page.url


def test_link_after_training_reopens_the_trained_network(server, page, browser, console_errors):
    page.goto(server + "?view=train&preset=custom&sizes=2,4,2,1&output=tanh&train.problem=spiral")
    page.locator(".train-status").wait_for()
    page.get_by_role("button", name="▶ Play").click()
    trained_past(page, 40)
    pause(page)
    epoch = page.locator(".train-status .epoch").inner_text()
    url = settled_url(page, [f"train.epoch={epoch}", "w=z:", "train.problem=spiral"])

    other, errors = reopen(browser, url)
    other.locator(".train-status").wait_for()
    assert other.locator(".train-status .epoch").inner_text() == epoch
    assert "Ignored" not in other.locator("body").inner_text()
    other.locator(".bk-tab", has_text="Network").first.click()
    wait_ready(other)
    second = source_data(other, "edges")
    # The first browser's graph catches up with the training when its tab opens.
    page.locator(".bk-tab", has_text="Network").first.click()
    wait_ready(page)
    page.wait_for_function("(w) => Math.abs(Bokeh.documents[0].get_model_by_name('edges').data.weight[0] - w) < 1e-6",
                           arg=second["weight"][0], timeout=10000)
    first = source_data(page, "edges")
    assert second["layer"] == first["layer"] and second["src"] == first["src"]
    np.testing.assert_allclose(second["weight"], first["weight"], rtol=2**-23, atol=1e-7)
    assert errors == [] and console_errors == []


def test_link_after_a_hand_edit(server, page, browser, console_errors):
    page.goto(server)
    wait_ready(page)
    page.evaluate("() => { Bokeh.documents[0].get_model_by_name('edges').selected.indices = [2]; }")
    page.get_by_text("w =").first.wait_for()
    box = page.get_by_label("weight w")
    box.fill("1.75")
    box.press("Enter")
    page.get_by_role("button", name="Set weight").click()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('edges').data.weight[2] == 1.75")
    url = settled_url(page, ["w=z:"])
    first = source_data(page, "edges")
    other, errors = reopen(browser, url)
    wait_ready(other)
    second = source_data(other, "edges")
    assert second["weight"][2] == 1.75
    np.testing.assert_allclose(second["weight"], first["weight"], rtol=2**-23, atol=1e-7)
    np.testing.assert_allclose(source_data(other)["a"], source_data(page)["a"], rtol=1e-5, atol=1e-6)
    assert errors == [] and console_errors == []


def test_every_tab_writes_a_link_that_reopens_it(server, page, browser, console_errors):
    page.goto(server + "?preset=digits")
    wait_ready(page)
    for key, title, _ in VIEWS[1:]:
        page.locator(".bk-tab", has_text=title).first.click()
        url = settled_url(page, [f"view={key}"])
        other, errors = reopen(browser, url)
        other.locator(".bk-tab.bk-active", has_text=title).wait_for(timeout=15000)
        assert "Ignored" not in other.locator("body").inner_text()
        assert errors == []
        other.context.close()
    assert console_errors == []
