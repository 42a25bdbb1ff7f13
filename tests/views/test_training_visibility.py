"""The Training tab in-process: a hidden page stops training without pausing it; the example order setting."""
import numpy as np
import panel as pn
import pytest

from nnviz.ui import session
from nnviz.ui.app import App

PLAYGROUND = {"view": "train", "preset": "custom", "sizes": "2,4,2,1", "activation": "tanh", "output": "tanh"}


@pytest.fixture
def view(monkeypatch):
    """The tab with a stand-in frame timer: `timers` counts the running ones (one tick is a call to _tick)."""
    timers = {"started": 0, "stopped": 0}

    def every(callback, ms):
        timers["started"] += 1
        return lambda: timers.__setitem__("stopped", timers["stopped"] + 1)
    monkeypatch.setattr(session, "every", every)
    budget = session.CpuShare(0.025)                 # this test's own, not the server-wide one
    monkeypatch.setattr(session, "cpu_share", lambda seconds: budget)
    app = App(query=PLAYGROUND)
    return app, app.view("train"), timers


def running(timers) -> int:
    return timers["started"] - timers["stopped"]


def test_a_hidden_page_neither_trains_nor_draws_and_keeps_playing(view):
    app, tv, timers = view
    tv.play.value = True
    assert running(timers) == 1
    tv._tick()
    epoch, curve = tv.trainer.epoch, list(tv.curve.data["epoch"])
    image = np.array(tv.heat.data["image"][0])
    assert epoch > 0 and app.state.train.epoch == epoch

    app.state.page_visible = False                   # another tab, or the window minimised
    assert running(timers) == 0 and tv.play.value is True and "Pause" in tv.play.label
    for _ in range(5):
        tv._tick()                                   # a tick that was already queued does nothing
    assert tv.trainer.epoch == epoch and app.state.train.epoch == epoch
    assert list(tv.curve.data["epoch"]) == curve
    np.testing.assert_array_equal(tv.heat.data["image"][0], image)

    app.state.page_visible = True                    # shown again: training goes on by itself
    assert running(timers) == 1 and tv.play.value is True
    tv._tick()
    assert tv.trainer.epoch > epoch and len(tv.curve.data["epoch"]) == len(curve) + 1


def test_a_paused_run_stays_paused_when_the_page_comes_back(view):
    app, tv, timers = view
    app.state.page_visible = False
    tv.play.value = True                             # pressed while hidden (e.g. by a test driver)
    assert running(timers) == 0
    tv.play.value = False
    app.state.page_visible = True
    assert running(timers) == 0 and tv.play.value is False
    tv.play.value = True
    assert running(timers) == 1
    tv.play.value = False
    assert running(timers) == 0


def test_example_order_reaches_the_trainer_and_the_tab_explains_it(view):
    _, tv, _ = view
    assert tv.trainer.order == "shuffled"
    tv.settings.batch_size = 7                       # 250 training points: 35 full batches, 5 left over
    tv.settings.order = "playground"                 # applies to the running trainer, no restart
    assert tv.trainer.order == "playground"
    tv.run_frames(1, epochs=1)
    assert tv.trainer.waiting == 250 % 7 and tv.settings.epoch == 1
    tv.settings.problem = "xor"                      # a new trainer keeps the setting
    assert tv.trainer.order == "playground" and tv.trainer.waiting == 0
    select = [w for w in tv.controls.layout.select(pn.widgets.Select) if w.name == "Example order"]
    assert len(select) == 1 and list(select[0].options) == ["shuffled", "playground"]
    assert "same order every epoch" in select[0].description
    help_text = str(tv.__panel__().select(lambda o: getattr(o, "name", "") == "train_order_help")[0].object)
    assert "new random order" in help_text and "joins the next epoch" in help_text
