"""The one shim (nnviz/server/compat.py): websocket frames without delay. These fail loudly when Bokeh's
websocket handler moves, so the shim is revisited rather than silently lost."""
import asyncio
import importlib.util
import logging
import threading
from pathlib import Path

import bokeh
import panel as pn
import pytest
from bokeh.server.views.ws import WSHandler
from tornado.websocket import WebSocketHandler

from nnviz.server import compat
from nnviz.ui.app import App
from tests.ui.conftest import serve

_spec = importlib.util.spec_from_file_location("nnviz_bench_protocol_c",
                                               Path(__file__).resolve().parents[2] / "bench" / "protocol.py")
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)


def test_the_installed_versions_are_the_tested_ones():
    assert compat.supported(), (bokeh.__version__, compat.TESTED)
    assert issubclass(WSHandler, WebSocketHandler) and "open" in vars(WSHandler)


def test_a_page_websocket_gets_nodelay(monkeypatch):
    calls = []
    monkeypatch.setattr(WSHandler, "set_nodelay", lambda self, value: calls.append(value), raising=True)
    port = serve({"app": lambda: App()})
    out = {}

    def go():
        async def open_page():
            s = protocol.Session(f"http://localhost:{port}")
            await s.open(30)
            await s.close()
        try:
            asyncio.run(open_page())
        except BaseException as exc:            # noqa: BLE001 -- re-raised below
            out["error"] = exc
    t = threading.Thread(target=go)
    t.start()
    t.join()
    pn.state.kill_all_servers()
    assert "error" not in out, out
    assert compat.nodelay_installed() and calls == [True]


def test_untested_versions_keep_the_default_with_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(compat, "nodelay_installed", lambda: False)
    monkeypatch.setattr(bokeh, "__version__", "9.0.0")
    with caplog.at_level(logging.WARNING, logger="nnviz"):
        assert compat.install_nodelay() is False
    assert "not the tested versions" in caplog.text


def test_a_raising_callback_leaves_curdoc_as_it_was():
    from bokeh.document import Document
    from bokeh.document.callbacks import invoke_with_curdoc
    from bokeh.io import curdoc
    from bokeh.io import doc as bokeh_doc
    assert compat.install_curdoc_fix() and compat.curdoc_fix_installed()
    assert isinstance(bokeh_doc._PATCHED_CURDOCS, list)
    depth, doc = len(bokeh_doc._PATCHED_CURDOCS), Document()

    def refused():
        assert curdoc() is doc                 # the body runs with its document
        raise ValueError("a value of the wrong type")
    with pytest.raises(ValueError):
        invoke_with_curdoc(doc, refused)
    assert len(bokeh_doc._PATCHED_CURDOCS) == depth and curdoc() is not doc


def test_a_raising_callback_takes_back_only_its_own_entry():
    """Another thread's entry pushed meanwhile stays (the stack is shared by every thread)."""
    import weakref

    from bokeh.document import Document
    from bokeh.document.callbacks import invoke_with_curdoc
    from bokeh.io import doc as bokeh_doc
    compat.install_curdoc_fix()
    stack, mine, other = bokeh_doc._PATCHED_CURDOCS, Document(), Document()
    depth = len(stack)

    def refused():
        stack.append(weakref.ref(other))          # as a worker thread's callback would, meanwhile
        raise ValueError("refused")
    with pytest.raises(ValueError):
        invoke_with_curdoc(mine, refused)
    assert [r() for r in stack[depth:]] == [other]
    del stack[depth:]
