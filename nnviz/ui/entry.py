"""What `panel serve` runs for each browser tab: the Host and link-length checks, then one App.

A page asked for under a Host name that is not allowed, or with a link too long to be one of nnviz's, gets
a short page and no app (nnviz.server.hosts says which).
"""
from __future__ import annotations

import html
import logging

import panel as pn

from ..server import hosts
from . import session

log = logging.getLogger("nnviz")


def refusal(host: str):
    return pn.pane.HTML(
        f"<main><h1>nnviz</h1><p role='alert'>This page was requested as <b>{html.escape(host[:80])}</b>, "
        "a name this server does not answer to. Open it by the address the teacher gave, or start the "
        "server with BOKEH_ALLOW_WS_ORIGIN set to this name.</p></main>")


def too_long(n: int):
    return pn.pane.HTML(
        f"<main><h1>This link is too long</h1><p role='alert'>nnviz links stay under 16 KB; this one has "
        f"{n:,} bytes, so it was not copied whole or was changed by hand. Copy the link again from the address "
        "bar, or open the playground without it.</p></main>")


def build():
    """One session's page: the App, or a short page for a foreign Host or an over-long link."""
    from .app import App
    host = session.request_host()
    if host is not None and not hosts.host_allowed(host):
        log.warning("nnviz: refused a page for Host %r", host[:80])
        return refusal(host)
    n = hosts.link_bytes(session.query_args())
    if n > hosts.LINK_BYTES:
        log.warning("nnviz: refused a link of %d bytes", n)
        return too_long(n)
    return App()


def page():
    """What app.py runs for every browser tab."""
    from .app import extension
    extension()
    build().servable(title="nnviz")
