"""Values a modified page sends past a widget's bounds: refused, shown back, said in a short message,
logged in one line. A served App, and a page at protocol level (bench/protocol.py: the websocket and
PATCH-DOC messages a browser sends), so both refusing steps run as in a browser: Bokeh's (text for a
number) and Panel's (a parameter's bounds, a watcher)."""
import asyncio
import html
import importlib.util
import json
import logging
import threading
from pathlib import Path

import panel as pn
import pytest

from nnviz.state.parse import SHOWN
from nnviz.server import logs
from nnviz.ui import entry, refusals
from tests.ui.conftest import serve

_spec = importlib.util.spec_from_file_location("nnviz_bench_protocol",
                                               Path(__file__).resolve().parents[2] / "bench" / "protocol.py")
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)


class Page(protocol.Session):
    """A protocol-level page that also keeps list values (selection indices) the server sends."""

    def _on_patch(self, raw):
        super()._on_patch(raw)
        for ev in json.loads(raw).get("events", []):
            mid = (ev.get("model") or {}).get("id")
            if ev.get("kind") == "ModelChanged" and mid in self.models and isinstance(ev.get("new"), list):
                self.models[mid].setdefault("attributes", {})[ev["attr"]] = ev["new"]


@pytest.fixture(scope="module")
def served():
    """The run command's entry point (quiet logs, the guard, the App) serving /app; the Apps it built."""
    apps = []
    port = serve({"app": lambda: apps.append(entry.build()) or apps[-1]})
    yield f"http://localhost:{port}", apps
    pn.state.kill_all_servers()


@pytest.fixture
def server_log(caplog):
    """Every record of the server's loggers (Panel and Bokeh do not propagate to the root logger)."""
    own = [logging.getLogger(n) for n in ("panel", "bokeh")]
    for lg in own:
        lg.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger="nnviz")
    yield caplog
    for lg in own:
        lg.removeHandler(caplog.handler)


def in_thread(coro):
    """asyncio.run on a thread of its own (pytest-playwright may hold a running loop on this one)."""
    out = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:        # noqa: BLE001 -- re-raised in the test's thread
            out["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def run(served, scenario, query=""):
    """Open a page on the served app, run scenario(page, app), close."""
    base, apps = served

    async def go():
        page = Page(base, query=query)
        await page.open()
        try:
            return await scenario(page, apps[-1])
        finally:
            await page.close()
    return in_thread(go())


async def until(check, timeout=10.0):
    for _ in range(int(timeout / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


def model_of(widget):
    (model, _), = widget._models.values()
    return model


def shown_message(page, app) -> str:
    """The message box's text as the page has it (escaped by nnviz, then by Panel's HTML pane)."""
    text = page.models[model_of(app.controls.message).id]["attributes"].get("text", "")
    return html.unescape(html.unescape(text))


async def refuse(page, app, model, attr, bad, good, log, logged=1):
    """Send bad for model.attr; wait for the page to show good again and for the message; `logged`
    WARNING lines (the guard's one; none where the state refuses by itself), no traceback."""
    log.clear()
    await page.set_value(model.id, attr, bad, wait=True)
    assert await until(lambda: page.models[model.id]["attributes"].get(attr) == good
                       and app.state.message and app.state.message in shown_message(page, app)), \
        (page.models[model.id]["attributes"].get(attr), app.state.message)
    assert getattr(model, attr) == good
    warnings = [r for r in log.records if r.levelno >= logging.WARNING]
    assert len(warnings) == logged and all(r.exc_info is None and len(r.getMessage()) < 400 for r in warnings), \
        [r.getMessage()[:200] for r in warnings]
    assert "Traceback" not in log.text
    return app.state.message


def test_seed_1e308_is_refused_and_snaps_back(served, server_log):
    async def scenario(page, app):
        seed = app.controls.seed
        text = await refuse(page, app, model_of(seed), "value", 1e308, 1, server_log)
        assert seed.value == 1 and app.state.seed == 1
        assert "Seed" in text and "'1e+308'" in text and "kept 1" in text
        await page.set_value(model_of(seed).id, "value", 7, wait=True)       # the next good value still works
        assert await until(lambda: app.state.seed == 7)
    run(served, scenario)


def test_text_in_a_number_box_is_refused_by_bokeh_in_one_log_line(served, server_log):
    """Bokeh itself refuses a value of the wrong type (BokehJS never sends one): the page gets Bokeh's ERROR
    reply, the log one line, the state keeps its value, and the page goes on working."""
    async def scenario(page, app):
        seed = model_of(app.controls.seed)
        server_log.clear()
        with pytest.raises(protocol.ProtocolFailure, match="twelve"):
            await page.set_value(seed.id, "value", "twelve", wait=True)
        assert app.controls.seed.value == 1 and app.state.seed == 1 and seed.value == 1
        warnings = list({id(r): r for r in server_log.records if r.levelno >= logging.WARNING}.values())
        assert len(warnings) == 1 and warnings[0].exc_info is None and len(warnings[0].getMessage()) < 400
        assert "Traceback" not in server_log.text
        await page.set_value(seed.id, "value", 5, wait=True)
        assert await until(lambda: app.state.seed == 5)
    run(served, scenario)


def test_a_float_slider_past_its_bounds_is_refused(served, server_log):
    async def scenario(page, app):
        neuron = app.view("neuron")
        x1 = neuron.widgets[1]                              # FloatSlider of x1 in 0..12
        assert x1.end == 12
        text = await refuse(page, app, model_of(x1), "value", 50.0, 6.0, server_log)
        assert x1.value == 6.0 and app.state.neuron.x1 == 6.0 and "'50.0'" in text and "0 to 12" in text
        text = await refuse(page, app, model_of(neuron.widgets[4]), "value", -1e9, 0.7, server_log)
        assert app.state.neuron.w1 == 0.7 and "'-1000000000.0'" in text
    run(served, scenario, "view=neuron")


def test_a_60_kb_string_gives_a_short_message(served, server_log):
    async def scenario(page, app):
        long = "9" * 30_000 + "x" * 30_000
        preset = app.controls.preset
        good = page.models[model_of(preset).id]["attributes"]["value"]
        text = await refuse(page, app, model_of(preset), "value", long, good, server_log)
        assert "9" * (SHOWN - 2) in text and "x" not in text and len(text) < 140
        with pytest.raises(protocol.ProtocolFailure):            # a number box: Bokeh refuses the type
            await page.set_value(model_of(app.controls.seed).id, "value", long, wait=True)
        assert app.state.preset == "starter" and app.state.seed == 1
    run(served, scenario)


def test_an_index_of_minus_5000_is_refused(served, server_log):
    async def scenario(page, app):
        text = await refuse(page, app, model_of(app.tabs), "active", -5000, 0, server_log)
        assert app.tabs.active == 0 and app.state.view == "network" and "'-5000'" in text
        edges = app.graph.edges.selected
        await page.set_value(edges.id, "indices", [-5000], wait=True)
        assert await until(lambda: page.models[edges.id]["attributes"]["indices"] == [] and "'-5000'" in app.state.message)
        assert edges.indices == [] and app.editor.target is None
    run(served, scenario)


def test_an_input_slider_past_the_input_bound_snaps_back(served, server_log):
    async def scenario(page, app):
        x1 = app.controls._sliders[0]
        text = await refuse(page, app, x1, "value", 1e6, 0.5, server_log, logged=0)   # the state refuses
        assert app.state.x[0] == 0.5 and "x1" in text and "'1000000.0'" in text
    run(served, scenario)


def test_refusals_stay_in_their_own_session(served):
    async def scenario():
        base, apps = served
        a, b = Page(base), Page(base)
        await a.open()
        app_a = apps[-1]
        await b.open()
        app_b = apps[-1]
        try:
            await a.set_value(model_of(app_a.controls.seed).id, "value", 1e308, wait=True)
            assert await until(lambda: "1e+308" in app_a.state.message)
            await asyncio.sleep(0.3)
            assert app_b.state.message == ""
        finally:
            await a.close()
            await b.close()
    in_thread(scenario())


def test_the_log_filter_installs_once_and_the_message_is_short():
    logs.quiet()
    logs.quiet()
    assert sum(isinstance(f, logs.OneLine) for f in logging.getLogger("panel.reactive").filters) == 1
    text = refusals.refusal("Seed", "z" * 60_000, 3, (0, 10))
    assert text == f"Seed: '{'z' * (SHOWN - 1)}…' refused (allowed: 0 to 10); kept 3"
