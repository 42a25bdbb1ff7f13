"""Build sessions and serialise their first document off the server's event loop.

A Bokeh server runs every session on one event loop. Building nnviz for a new page (the App, its
Bokeh models) and serialising that document for the browser's first pull cost about a second of
Python; done on the loop, every other student's slider waits that long for each page that opens.

`install()` moves both onto one worker thread:
- the document is built while Bokeh awaits the session-created hooks (Bokeh's own synchronous
  `initialize_document` call that follows then finds it built and returns at once);
- the page's HTML (Panel walks every model to patch its stylesheets' URLs and to gather the
  extensions' scripts: about 0.1 s) is made in the worker too, under the session's document lock,
  before Panel's page handler asks for it (it then gets the finished page);
- the reply to the browser's PULL-DOC (the whole document as JSON) is made in the worker, under the
  session's document lock, as Bokeh's own handler is.
Bokeh keeps the documents that `curdoc()` returns while code runs (`patch_curdoc`) in one list for
the whole process; with builds on a worker thread, the loop's code saw the page being built as its
curdoc(), and the loop's clean-up after every browser patch (guard.py cuts the list back to its
length before the patch) could remove the worker's entry, so the build failed at its very end and
Bokeh built the page again on the loop (4 s without an answer for everyone, bench/load.py
--bystander). Here that list becomes one list per thread.
The loop stays free between the worker's turns, so the bystander's change is answered within a few
of Python's thread switches instead of after the whole build. Those switches are made shorter here,
1 ms instead of Python's 5 (SWITCH_S): each time the loop lets go of the interpreter for a system
call (a websocket frame written, a socket polled, 44 reads of random bytes for a session id) the
busy worker kept it for a whole switch interval, so one answer of ~20 writes and polls waited
20 × 5 ms. Only threads that wait for the interpreter cause a switch, so a lone worker loses nothing.
One worker by default (NNVIZ_BUILD_THREADS; 0 switches this off): Python code shares one core
anyway, and a single worker leaves the loop the larger share. Builds then queue, first come first served.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("nnviz")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
SWITCH_S = 0.001                    # Python's thread switch interval while nnviz serves (default 0.005)
_built = weakref.WeakSet()          # documents built in the worker, awaiting Bokeh's own init call


def workers() -> int:
    try:
        return max(0, min(int(os.environ.get("NNVIZ_BUILD_THREADS", "1")), 8))
    except ValueError:
        return 1


def installed() -> bool:
    return _pool is not None


def install() -> bool:
    """Patch Bokeh's session creation and first pull once per process; False when switched off."""
    global _pool
    with _lock:
        if _pool is not None:
            return True
        n = workers()
        if n == 0:
            return False
        from bokeh.io import doc as bokeh_doc
        from bokeh.server.session import ServerSession, _needs_document_lock
        from panel.io import server as pn_server
        from panel.io.application import Application    # what `panel serve` and pn.serve create
        from panel.io.resources import Resources
        from panel.io.state import set_curdoc

        if not isinstance(bokeh_doc._PATCHED_CURDOCS, PerThreadStack):
            bokeh_doc._PATCHED_CURDOCS = PerThreadStack(bokeh_doc._PATCHED_CURDOCS)

        pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="nnviz-build")
        created, initialize = Application.on_session_created, Application.initialize_document

        async def on_session_created(self, session_context):
            await created(self, session_context)
            doc = session_context._document
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(pool, initialize, self, doc)
            _claim(doc, threading.get_ident())          # the loop's thread owns the document again
            _built.add(doc)

        def initialize_document(self, doc):
            if doc in _built:
                _built.discard(doc)
                return
            initialize(self, doc)

        @_needs_document_lock
        async def _handle_pull(self, message, connection):
            doc, msgid = self.document, message.header["msgid"]

            def reply():
                out = connection.protocol.create("PULL-DOC-REPLY", msgid, doc)
                out.content_json                         # serialise here, not on the loop
                return out

            return await asyncio.get_running_loop().run_in_executor(pool, reply)

        render, get_session = pn_server.server_html_page_for_session, pn_server.DocHandler.get_session
        pages = weakref.WeakKeyDictionary()         # session -> (token, page HTML) made in the worker

        @_needs_document_lock
        async def _nnviz_render_page(self, handler):
            doc = self.document

            def page():
                with set_curdoc(doc):                     # as Panel's DocHandler.get does
                    resources = Resources.from_bokeh(handler.application.resources())
                    return render(self, resources=resources, title=doc.title, token=self.token,
                                  template=doc.template, template_variables=doc.template_variables)

            return await asyncio.get_running_loop().run_in_executor(pool, page)

        async def doc_get_session(self):
            session = await get_session(self)
            if session is not None and session not in pages and not session.destroyed:
                try:
                    html = await session._nnviz_render_page(self)
                except Exception:                       # noqa: BLE001 -- Panel renders it on the loop then
                    log.warning("nnviz: the page could not be made off the loop", exc_info=True)
                else:
                    if html is not None:
                        pages[session] = (session.token, html)
            return session

        def server_html_page_for_session(session, resources, title, token=None, *args, **kwargs):
            made = pages.pop(session, None)
            if made is not None and made[0] == (token or session.token):
                return made[1]
            return render(session, resources, title, token, *args, **kwargs)

        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_S))
        Application.on_session_created = on_session_created
        Application.initialize_document = initialize_document
        ServerSession._handle_pull = _handle_pull
        ServerSession._nnviz_render_page = _nnviz_render_page
        pn_server.DocHandler.get_session = doc_get_session
        pn_server.server_html_page_for_session = server_html_page_for_session
        _pool = pool
        log.info("nnviz: pages are built on %d worker thread(s)", n)
        return True


class PerThreadStack:
    """Bokeh's `_PATCHED_CURDOCS` (the documents `curdoc()` returns while code runs), one stack per
    thread: what `patch_curdoc` pushes on the build worker is never seen, or popped, by the loop."""

    def __init__(self, items=()):
        self._local = threading.local()
        self._stack().extend(items)

    def _stack(self) -> list:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def append(self, item):
        self._stack().append(item)

    def pop(self, *index):
        return self._stack().pop(*index)

    def clear(self):
        self._stack().clear()

    def __len__(self):
        return len(self._stack())

    def __getitem__(self, index):
        return self._stack()[index]

    def __delitem__(self, index):
        del self._stack()[index]

    def __iter__(self):
        return iter(list(self._stack()))


def _claim(doc, thread_id: int):
    """Panel remembers which thread a document was built on, to route later updates; give it the loop's."""
    try:
        from panel.io.state import state
        state._thread_id_[doc] = thread_id
    except (ImportError, AttributeError, TypeError):
        pass
