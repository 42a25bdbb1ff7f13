"""A live nnviz server per test (in-process, own port) and helpers to read the page's Bokeh data."""
import socket
import time
from pathlib import Path

import panel as pn
import pytest

from nnviz.server import process
from nnviz.ui.app import App, extension

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


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


def source_data(page, name="nodes") -> dict:
    """The browser-side columns of a named ColumnDataSource, as plain lists."""
    return page.evaluate(
        """(name) => { const d = Bokeh.documents[0].get_model_by_name(name).data; const out = {};
             for (const k of Object.keys(d)) out[k] = Array.from(d[k]); return out; }""", name)


def shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
