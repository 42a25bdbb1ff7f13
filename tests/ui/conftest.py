"""A live nnviz server per test (in-process, own port) and helpers to read the page's Bokeh data."""
import socket
import time
from pathlib import Path

import panel as pn
import pytest
from bokeh.document import Document
from bokeh.server.auth_provider import AuthModule
from panel.io.state import set_curdoc
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nnviz.server import process
from nnviz.ui.app import App, extension

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
AUTH = Path(__file__).resolve().parents[2] / "nnviz" / "server" / "auth.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(factory, **kw) -> int:
    """Serve factory() per session on a free port (in-process, threaded); wait until it answers.
    The server-wide set-up of the run command (nnviz.server.process: one-line logs, websocket frames
    without delay) is installed first, as `panel serve --setup nnviz/server/startup.py` does."""
    process.set_up()
    extension()
    port = free_port()
    kw.setdefault("auth_provider", AuthModule(str(AUTH)))     # --auth-module, as the run command has it
    pn.serve(factory, port=port, threaded=True, show=False, title="nnviz", **kw)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    return port


@pytest.fixture
def server():
    """Start the real app on a free port; yield its base URL; stop every server afterwards."""
    port = serve(lambda: App())
    yield f"http://localhost:{port}/"
    pn.state.kill_all_servers()


@pytest.fixture(scope="module")
def module_server():
    """The real app for a whole test module (each test's pages still open sessions of their own); for a
    module whose tests start no other server (the `server` fixture stops every server)."""
    port = serve(lambda: App())
    yield f"http://localhost:{port}/"
    pn.state.kill_all_servers()


@pytest.fixture
def console_errors(page):
    """Collect console errors and page errors of the test's page."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}}


def wait_ready(page, name="nodes", timeout=20000):
    """Wait until the Bokeh document has the named source with data."""
    page.wait_for_function(
        "(name) => window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].get_model_by_name(name)"
        " && Bokeh.documents[0].get_model_by_name(name).data.a !== undefined", arg=name, timeout=timeout)


# The tab's holder (views/base.py LazyTab: a Column named tab-<key>, in a TabPanel of the same name)
# holds the built view, and BokehJS has finished rendering it (every figure painted once, laid out).
VIEW_DRAWN = """(key) => { if (!window.Bokeh || !Bokeh.documents.length) return false;
    const m = [...Bokeh.documents[0].all_models].find(m => m.name === 'tab-' + key && m.children !== undefined);
    if (!m || m.children.length === 0) return false; const v = Bokeh.index.query_one(x => x.model === m);
    return v != null && v.has_finished(); }"""


def wait_view(page, key="network", timeout=20000):
    """Wait until the view of tab `key` is built and drawn on the page."""
    page.wait_for_function(VIEW_DRAWN, arg=key, timeout=timeout)


def eventually_equal(page, expression: str, expected, timeout=10000):
    """Assert that the JS `expression` comes to equal `expected` (JSON-equal) within `timeout` ms,
    for what follows a change the page has to report to the server first; fails showing the last value."""
    try:
        page.wait_for_function(f"(want) => JSON.stringify({expression}) === JSON.stringify(want)",
                               arg=expected, timeout=timeout)
    except PlaywrightTimeout:
        pass
    assert page.evaluate(f"() => {expression}") == expected


def source_data(page, name="nodes") -> dict:
    """The browser-side columns of a named ColumnDataSource, as plain lists."""
    return page.evaluate(
        """(name) => { const d = Bokeh.documents[0].get_model_by_name(name).data; const out = {};
             for (const k of Object.keys(d)) out[k] = Array.from(d[k]); return out; }""", name)


def shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# The Training tab's loss curve gains a row per frame drawn; its last epoch is the one the page shows.
LAST_EPOCH = ("(() => { const e = Bokeh.documents[0].get_model_by_name('loss_curve').data.epoch;"
              " return e.length ? e[e.length - 1] : -1; })()")


def trained_past(page, epochs: int, timeout=20000):
    """Wait (Play pressed) until the Training tab's page has drawn a frame past `epochs`."""
    page.wait_for_function(f"(n) => {LAST_EPOCH} > n", arg=epochs, timeout=timeout)


def pause(page):
    """Press Pause; return once training has stopped and its last frame is on the page.

    Pause drops a frame still in the worker and draws the last adopted one (views/training.py). The
    link is written 300 ms after the last change on the server (app.py, URL_DELAY_MS), so while frames
    come (every ~50 ms) it waits: once it carries the epoch the loss curve ends at, the server has been
    quiet since that frame and nothing more is on its way (one websocket, in order)."""
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="▶ Play").wait_for()
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('train.epoch') === String({LAST_EPOCH})",
                           timeout=10000)


def app_here(**kw) -> App:
    """An App built in the test's own thread, outside any session. Panel falls back to Bokeh's process-wide
    current document, which a threaded test server sets while it runs a page's callback: without a
    document of its own here, the App could take that page's document for its own."""
    with set_curdoc(Document()):
        return App(**kw)
