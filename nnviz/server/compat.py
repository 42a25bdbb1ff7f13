"""The one place where nnviz changes a library's behaviour that no public hook reaches. Version-checked:
on versions other than the tested ones it changes nothing and logs a WARNING.

- Websocket frames leave at once (TCP_NODELAY). Bokeh writes one message as several websocket frames
  (header, metadata, content, each binary buffer). With Nagle's algorithm on (Tornado's default) every frame
  after the first waits for the browser's ACK, which Linux delays up to 40 ms once traffic goes both ways, as
  in a slider drag: +40 ms on every back-to-back change (bench/latency.py). Tornado's public
  `WebSocketHandler.set_nodelay` must be called from the handler's `open`, which is Bokeh's (`WSHandler`);
  neither Bokeh nor Panel offers a setting, and Bokeh's routes come before any extra route, so a handler of
  our own cannot take its place. Tested by tests/server/test_compat.py, which fails when this moves.
"""
from __future__ import annotations

import logging

import bokeh
import tornado

log = logging.getLogger("nnviz")
TESTED = {"bokeh": ("3.8", "3.9"), "tornado": ("6.4", "6.5", "6.6")}
MARK = "_nnviz_nodelay"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def supported() -> bool:
    return _minor(bokeh.__version__) in TESTED["bokeh"] and _minor(tornado.version) in TESTED["tornado"]


def nodelay_installed() -> bool:
    from bokeh.server.views.ws import WSHandler
    return getattr(WSHandler.open, MARK, False)


def install_nodelay() -> bool:
    """Bokeh's websocket handler sets TCP_NODELAY when a page connects. Idempotent; False (and a WARNING)
    on untested versions, where websockets keep Tornado's default."""
    from bokeh.server.views.ws import WSHandler
    if nodelay_installed():
        return True
    if not supported():
        log.warning("nnviz: Bokeh %s / Tornado %s are not the tested versions (%s); websocket frames keep "
                    "Nagle's algorithm (up to +40 ms per update while dragging)", bokeh.__version__,
                    tornado.version, TESTED)
        return False
    original = WSHandler.open

    def open(self, *args, **kwargs):
        self.set_nodelay(True)
        return original(self, *args, **kwargs)

    setattr(open, MARK, True)
    WSHandler.open = open
    return True
