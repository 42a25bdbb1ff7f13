"""Training and digits tabs in Chromium: play, watch it learn, pause; train digits and draw."""
import pytest

from .conftest import pause, shot, source_data, trained_past

pytestmark = pytest.mark.ui


def epoch_and_loss(page):
    status = page.locator(".train-status")
    return int(status.locator(".epoch").inner_text()), status.locator(".train-loss").inner_text()


def test_play_trains_and_pause_stops(server, page, console_errors):
    page.goto(server + "?view=train")
    # Ready at once: the starter 3-4-3-2 cannot learn circle, so the tab trains 2-4-3-1 and says so.
    page.locator(".train-switched").wait_for()
    assert "2-4-3-1" in page.locator(".train-switched").inner_text()
    assert page.get_by_role("button", name="Undo").is_visible()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('train_points').data.x.length > 100")
    page.locator(".train-status").wait_for()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('loss_curve').data.epoch.length > 0")
    epoch0, loss0 = epoch_and_loss(page)
    assert epoch0 == 0
    page.get_by_role("button", name="▶ Play").click()
    trained_past(page, 50, timeout=15000)
    pause(page)                                # stopped: the link carries the epoch the page shows
    epoch1, loss1 = epoch_and_loss(page)
    assert epoch1 > 50 and loss1 != loss0
    assert f"train.epoch={epoch1}" in page.url and "w=z" in page.url
    curve = source_data(page, "loss_curve")
    assert curve["epoch"][-1] == epoch1 and curve["train"][-1] < curve["train"][0]
    shot(page, "view-train")
    assert console_errors == []


def test_digits_train_and_draw_changes_prediction(server, page, console_errors):
    page.goto(server + "?view=digits")
    page.get_by_role("button", name="Train the digits network").click()
    acc = page.locator(".digits-accuracy")
    acc.wait_for(timeout=30000)
    assert float(acc.inner_text().rstrip("%")) >= 90
    shown = source_data(page, "digit_grid")["v"]
    page.get_by_role("button", name="Load a test image").click()
    # The grid, the bars and the prediction change in one message (pn.io.hold in views/digits.py).
    page.wait_for_function("(v) => Bokeh.documents[0].get_model_by_name('digit_grid').data.v.some((x, i) => x != v[i])",
                           arg=shown)
    page.locator(".digit-class").wait_for()
    before = source_data(page, "digit_probs")["p"]
    assert sum(before) == pytest.approx(1.0)
    box = page.evaluate("""() => { const m = Bokeh.documents[0].get_model_by_name('digit_canvas');
        const v = Bokeh.index.query_one(view => view.model === m); const r = v.el.getBoundingClientRect();
        const f = v.frame.bbox; return [r.left + f.left, r.top + f.top, f.width, f.height]; }""")
    left, top, width, height = box
    at = lambda col, row: (left + (col + 0.5) * width / 8, top + (row + 0.5) * height / 8)
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('digit_grid').data.v.every(v => v == 0)")
    for col, row in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)):     # clicks 50 ms apart: all kept
        page.mouse.click(*at(col, row))
        page.wait_for_timeout(50)
    page.mouse.move(*at(1, 6))                                             # a stroke: press, drag, release
    page.mouse.down()
    for col in range(2, 7):
        page.mouse.move(*at(col, 6), steps=4)
    page.mouse.up()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('digit_grid').data.v"
                           ".filter(v => v > 0).length == 11", timeout=5000)
    grid = source_data(page, "digit_grid")
    inked = {i for i, v in enumerate(grid["v"]) if v > 0}
    assert inked == {r * 8 + r for r in range(1, 7)} | {6 * 8 + c for c in range(1, 7)}
    probs = source_data(page, "digit_probs")["p"]
    assert any(abs(a - b) > 1e-9 for a, b in zip(probs, before))
    # What the student drew shows: the inked cells are drawn in another colour than the blank ones.
    assert {grid["color"][i] for i in inked}.isdisjoint(grid["color"][i] for i in range(64) if i not in inked)
    assert width >= 200 and height >= 200                                  # on screen, big enough to draw on
    shot(page, "view-digits")
    assert console_errors == []
