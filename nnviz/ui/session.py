"""The one module that touches Panel's per-session globals (pn.state, the Bokeh document).

Everything else asks here: the query a page was opened with, timers on this session's document,
writing the address bar. Outside a served session (tests in-process, the CLI) every call is a
harmless no-op, so views work the same without a browser.
"""
from __future__ import annotations

from urllib.parse import urlencode

import panel as pn
from panel.io.state import set_curdoc


def document():
    """This session's Bokeh document, or None outside a served session."""
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context else None


def query_args() -> dict:
    """The query values the page was opened with ({} outside a session)."""
    return dict(pn.state.session_args) if document() is not None else {}


def request_host():
    """The Host header the page was requested with (None outside a served session)."""
    request = getattr(getattr(document(), "session_context", None), "request", None)
    return request.headers.get("Host", "") if request is not None else None


def guard_request_uri():
    """Escape a second '?' in the request URI: Panel's Location splits on '?' and would fail with a 500."""
    ctx = getattr(document(), "session_context", None)
    inner = getattr(getattr(ctx, "request", None), "_request", None)
    uri = getattr(inner, "uri", None)
    if isinstance(uri, str) and uri.count("?") > 1:
        head, _, tail = uri.partition("?")
        inner.uri = head + "?" + tail.replace("?", "%3F")


def set_query(values: dict):
    """Write the address bar's query string (replacing it: keys back at their default disappear)."""
    loc = pn.state.location
    if loc is not None and document() is not None:
        search = "?" + urlencode(values) if values else ""
        if loc.search != search:
            loc.search = search


def later(callback, ms: int):
    """Run callback once after ms on this session's document; returns a cancel function."""
    doc = document()
    if doc is None:
        return lambda: None
    cb = doc.add_timeout_callback(lambda: _inside(doc, callback), ms)
    return lambda: _remove(doc.remove_timeout_callback, cb)


def every(callback, ms: int):
    """Run callback every ms on this session's document; returns a stop function."""
    doc = document()
    if doc is None:
        return None
    cb = doc.add_periodic_callback(lambda: _inside(doc, callback), ms)
    return lambda: _remove(doc.remove_periodic_callback, cb)


def on_destroyed(callback):
    """Call callback when this session ends (its page closed)."""
    if document() is not None:
        pn.state.on_session_destroyed(lambda ctx: callback())


def _inside(doc, callback):
    with set_curdoc(doc):
        callback()


def _remove(remove, cb):
    try:
        remove(cb)
    except ValueError:              # already gone with its session, or already run
        pass
