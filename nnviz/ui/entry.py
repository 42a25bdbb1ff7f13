"""What `panel serve` runs for each browser tab: a Host check, quiet logs, then one App.

A page asked for under a Host name that is not allowed gets a short refusal and no app: that stops
DNS rebinding (a foreign site whose name points at this machine sends its own Host, and Tornado lets a
websocket through when its Origin equals its Host). Allowed: localhost and 127.0.0.1 on any port,
plus the names in BOKEH_ALLOW_WS_ORIGIN (the same variable that opens the websocket to a classroom).
"""
from __future__ import annotations

import fnmatch
import html
import logging
import os

import panel as pn

from . import guard, session

LOCAL = ("localhost", "127.0.0.1", "[::1]")
QUIET = guard.REFUSED            # what a refused value from a modified page raises


def allowed_hosts() -> list:
    """Host patterns allowed to serve the page ('name' or 'name:port', '*' wildcards)."""
    extra = [h.strip() for h in os.environ.get("BOKEH_ALLOW_WS_ORIGIN", "").split(",") if h.strip()]
    return [f"{name}:*" for name in LOCAL] + list(LOCAL) + extra


def host_allowed(host: str) -> bool:
    host = (host or "").strip().lower()
    if not host or len(host) > 255:
        return False
    return any(fnmatch.fnmatchcase(host, p.lower()) for p in allowed_hosts())


class _OneLine(logging.Filter):
    """A refused value from a page becomes one WARNING line, without a traceback."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if record.levelno >= logging.ERROR and isinstance(exc, QUIET):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "nnviz: refused a value sent by a page: %s", (str(exc)[:120],)
            record.exc_info = record.exc_text = None
        return True


def quiet_logs():
    """Install the one-line filter on every Panel, Bokeh, Tornado and param logger (a logger's filter
    does not reach its children, so each one gets it)."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("panel", "bokeh", "tornado", "param")]
    for name in ["panel.reactive", "panel.io.server", "bokeh.server.protocol_handler", "tornado.application", *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _OneLine) for f in logger.filters):
            logger.addFilter(_OneLine())


def refusal(host: str):
    return pn.pane.HTML(
        f"<main><h1>nnviz</h1><p role='alert'>This page was requested as <b>{html.escape(host[:80])}</b>, "
        "a name this server does not answer to. Open it by the address the teacher gave, or start the "
        "server with BOKEH_ALLOW_WS_ORIGIN set to this name.</p></main>")


def build():
    """One session's page: the App, or a refusal for a foreign Host."""
    from .app import App
    quiet_logs()
    guard.install()          # refused values: told to the student, shown back, one log line
    host = session.request_host()
    if host is not None and not host_allowed(host):
        logging.getLogger("nnviz").warning("nnviz: refused a page for Host %r", host[:80])
        return refusal(host)
    return App()


def page():
    """What app.py runs for every browser tab."""
    from .app import extension
    extension()
    build().servable(title="nnviz")
