"""The one place where nnviz changes a library's behaviour that no public hook reaches. Version-checked:
on versions other than the tested ones it changes nothing and logs a WARNING.

- Websocket frames leave at once (TCP_NODELAY). Bokeh writes one message as several websocket frames
  (header, metadata, content, each binary buffer). With Nagle's algorithm on (Tornado's default) every frame
  after the first waits for the browser's ACK, which Linux delays up to 40 ms once traffic goes both ways, as
  in a slider drag: +40 ms on every back-to-back change (bench/latency.py). Tornado's public
  `WebSocketHandler.set_nodelay` must be called from the handler's `open`, which is Bokeh's (`WSHandler`);
  neither Bokeh nor Panel offers a setting, and Bokeh's routes come before any extra route, so a handler of
  our own cannot take its place.
- A callback that raises leaves curdoc() as it was (its own entry taken back, as Bokeh does when it ends). Bokeh's `patch_curdoc` (which runs every callback and
  every browser patch with its session's document as curdoc()) has no try/finally: when the body raises
  (a value of the wrong type sent by a modified page, which Bokeh refuses), that session's document stays
  the curdoc() of the whole process, for code of every other session that asks without a document of its
  own. The same context manager, with the finally.
Tested by tests/server/test_compat.py, which fails when either moves.
"""
from __future__ import annotations

import contextlib
import logging

import bokeh
import tornado

log = logging.getLogger("nnviz")
TESTED = {"bokeh": ("3.8", "3.9"), "tornado": ("6.4", "6.5", "6.6")}
MARK = "_nnviz_nodelay"
CURDOC_MARK = "_nnviz_finally"


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


def curdoc_fix_installed() -> bool:
    from bokeh.io import doc as bokeh_doc
    return getattr(bokeh_doc.patch_curdoc, CURDOC_MARK, False)


def install_curdoc_fix() -> bool:
    """Bokeh's patch_curdoc restores curdoc() also when its body raises. Idempotent; False (and a WARNING)
    on untested versions."""
    from bokeh.io import doc as bokeh_doc
    if curdoc_fix_installed():
        return True
    if not supported():
        log.warning("nnviz: Bokeh %s is not a tested version (%s); a refused patch may leave its document as "
                    "curdoc()", bokeh.__version__, TESTED["bokeh"])
        return False
    original, stack = bokeh_doc.patch_curdoc, bokeh_doc._PATCHED_CURDOCS

    @contextlib.contextmanager
    def patch_curdoc(doc):
        try:
            with original(doc):
                yield
        except BaseException:
            # Take back this call's own entry only: other threads (a worker scheduling a callback on a
            # session) push and pop on the same list meanwhile.
            for i in range(len(stack) - 1, -1, -1):
                if stack[i]() is doc:
                    del stack[i]
                    break
            raise

    setattr(patch_curdoc, CURDOC_MARK, True)
    bokeh_doc.patch_curdoc = patch_curdoc
    return True
