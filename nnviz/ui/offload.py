"""Build sessions and serialise their first document off the server's event loop.

A Bokeh server runs every session on one event loop. Building nnviz for a new page (the App, its
Bokeh models) and serialising that document for the browser's first pull cost about a second of
Python; done on the loop, every other student's slider waits that long for each page that opens.

`install()` moves both onto one worker thread:
- the document is built while Bokeh awaits the session-created hooks (Bokeh's own synchronous
  `initialize_document` call that follows then finds it built and returns at once);
- the reply to the browser's PULL-DOC (the whole document as JSON) is made in the worker, under the
  session's document lock, as Bokeh's own handler is.
The loop stays free between the worker's turns, so the bystander's change is answered within a few
of Python's thread switches (5 ms each) instead of after the whole build. One worker by default
(NNVIZ_BUILD_THREADS; 0 switches this off): Python code shares one core anyway, and a single worker
leaves the loop the larger share. Builds then queue, first come first served.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("nnviz")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
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
        from bokeh.server.session import ServerSession, _needs_document_lock
        from panel.io.application import Application    # what `panel serve` and pn.serve create

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

        Application.on_session_created = on_session_created
        Application.initialize_document = initialize_document
        ServerSession._handle_pull = _handle_pull
        _pool = pool
        log.info("nnviz: pages are built on %d worker thread(s)", n)
        return True


def _claim(doc, thread_id: int):
    """Panel remembers which thread a document was built on, to route later updates; give it the loop's."""
    try:
        from panel.io.state import state
        state._thread_id_[doc] = thread_id
    except (ImportError, AttributeError, TypeError):
        pass
