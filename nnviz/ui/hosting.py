"""Server-wide set-up for hosting nnviz, run once before the server starts (see server_setup.py).

- Over-long links get an answer. Tornado closes a connection whose request headers pass 64 KB
  without answering, so a mangled link used to give the browser nothing at all. Here the header
  limit is raised to what a browser can send (Chromium: 2 MB of URL), and the page handler answers
  a link longer than LINK_BYTES with 414 and a short page saying what to do (nnviz's own links stay
  under 16 KB; the nginx deployment answers the same page).
- Pages are built off the event loop (offload.py).
- Websocket frames leave at once (TCP_NODELAY). Bokeh writes one message as several frames (header,
  metadata, content, each binary buffer); with Nagle's algorithm on (Tornado's default) every frame
  after the first waits for the browser's ACK, which Linux delays up to 40 ms once traffic goes both
  ways, as in a slider drag: +40 ms on every back-to-back change (bench/latency.py).
"""
from __future__ import annotations

from pathlib import Path

LINK_BYTES = 32 * 1024                  # longer request URIs get 414 (the nginx deployment: 32 KB too)
HEADER_BYTES = 3 * 1024 * 1024          # what Tornado reads before giving up (a browser sends ≤ 2 MB URLs)
TOO_LONG_PAGE = Path(__file__).resolve().parent / "static" / "link-too-long.html"

_installed = False


def install():
    """Idempotent; call before the server is created (panel serve --setup) or at least before
    long links arrive."""
    global _installed
    if _installed:
        return
    _raise_header_limit()
    _answer_long_links()
    _no_nagle()
    from . import offload
    offload.install()
    _installed = True


def _raise_header_limit():
    from tornado.http1connection import HTTP1ConnectionParameters
    original = HTTP1ConnectionParameters.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.max_header_size = max(self.max_header_size or 0, HEADER_BYTES)

    HTTP1ConnectionParameters.__init__ = __init__


def _no_nagle():
    from bokeh.server.views.ws import WSHandler
    original = WSHandler.open

    def open(self):
        self.set_nodelay(True)
        return original(self)

    WSHandler.open = open


def _answer_long_links():
    from panel.io.server import DocHandler
    page = TOO_LONG_PAGE.read_text()
    original = getattr(DocHandler, "prepare", None)

    async def prepare(self):
        uri = self.request.uri or ""
        if len(uri) > LINK_BYTES:
            self.request.uri = f"{uri[:60]}… ({len(uri):,} bytes)"    # the access log's line stays short
            self.set_status(414)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page)
            return
        if original is not None:
            result = original(self)
            if result is not None:
                await result

    DocHandler.prepare = prepare
