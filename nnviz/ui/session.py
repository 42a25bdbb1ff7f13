"""The one module that touches Panel's per-session globals (pn.state, the Bokeh document).

Everything else asks here: the query a page was opened with, timers on this session's document,
writing the address bar. Outside a served session (tests in-process, the CLI) every call is a
harmless no-op, so views work the same without a browser.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from urllib.parse import urlencode

import panel as pn
from panel.io.state import set_curdoc

from ..server import admission


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


def page_address() -> str:
    """The page's address without its query, as the browser asked for it ('' outside a session)."""
    loc = pn.state.location
    if loc is None or document() is None:
        return ""
    return (loc.href or "").split("#")[0].split("?")[0]


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


def soon(callback):
    """A function that any thread may call to run callback on this session's document at its next tick
    (Bokeh's one thread-safe Document method), in a hold; outside a session it runs callback at once."""
    doc = document()
    if doc is None:
        return callback

    def schedule():
        try:
            doc.add_next_tick_callback(lambda: _inside(doc, callback))
        except Exception:                   # the session ended meanwhile: nobody to tell
            pass
    return schedule


def connected() -> bool:
    """False once no browser holds this session any more (its tab closed); True outside a server.

    Bokeh discards a closed session only after a grace period; a timer that asks this every frame
    stops within one frame of the tab closing instead."""
    ctx = getattr(document(), "session_context", None)
    served = getattr(ctx, "session", None) if ctx is not None else None
    return served is None or (served.connection_count > 0 and not served.destroyed)


class CpuShare:
    """One server-wide budget of training time per frame, shared by the sessions that train right now.

    Each training session asks `share(key)` every frame and gets its part of the budget: with n
    sessions training, 1/n each, so training never takes more of the server's time in total. The
    registry is the one deliberately shared object (kept in pn.state.cache); it holds only keys.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last = {}                  # key -> time of its last frame

    def share(self, key, now: float, window: float = 1.0) -> float:
        """This frame's seconds for `key`; sessions silent for `window` seconds no longer count."""
        self._last[key] = now
        for k in [k for k, t in self._last.items() if now - t > window]:
            del self._last[k]
        return self.seconds / max(len(self._last), 1)

    def leave(self, key):
        self._last.pop(key, None)


def cpu_share(seconds: float) -> CpuShare:
    """The server's training budget (one per process)."""
    return pn.state.as_cached("nnviz-cpu-share", lambda: CpuShare(seconds))


def add_model(model):
    """Put a Bokeh model (e.g. a source the page's script writes) into this session's document."""
    doc = document()
    if doc is not None:
        doc.add_root(model)


def run_js_when_ready(code: str):
    """Run this JavaScript in the page once its document is ready (a no-op outside a session)."""
    from bokeh.models import CustomJS
    doc = document()
    if doc is not None:
        doc.js_on_event("document_ready", CustomJS(code=code))


BUILD_WAIT_S = 10.0                 # a turn never waits longer for its build (a page closed meanwhile)


def once_loaded(callback):
    """Run callback once this session's page has loaded (Panel's onload), in the process's next build turn
    (nnviz.server.admission); now outside a session."""
    doc = document()
    if doc is None:
        callback()
        return

    async def in_turn():
        async with admission.turn():
            done = asyncio.get_running_loop().create_future()

            def build():                     # a next-tick callback: Bokeh holds the document's lock
                try:
                    _inside(doc, callback)
                finally:
                    if not done.done():
                        done.set_result(None)
            doc.add_next_tick_callback(build)
            # Bokeh drops a closed session's callbacks: the next page's turn must not wait for it forever.
            await asyncio.wait([done], timeout=BUILD_WAIT_S)
    pn.state.onload(in_turn)


def on_destroyed(callback):
    """Call callback when this session ends (its page closed)."""
    if document() is not None:
        pn.state.on_session_destroyed(lambda ctx: callback())


_compute_lock = threading.Lock()
_compute_pool = None


def in_background(work, done):
    """Run work() off the event loop (one worker thread per process), then done(result) on this
    session's loop; result is the exception if work raised. Outside a session both run now.

    Long computations (training the digits network, …) run here so other sessions' pages keep
    answering: the loop gets its turn between the worker's thread switches instead of waiting."""
    global _compute_pool
    doc = document()
    if doc is None:
        try:
            result = work()
        except Exception as exc:            # handed to done, as in a session
            result = exc
        done(result)
        return
    with _compute_lock:
        if _compute_pool is None:
            _compute_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnviz-compute")

    def finished(future):
        try:
            result = future.result()
        except Exception as exc:
            result = exc
        try:
            doc.add_next_tick_callback(lambda: _inside(doc, lambda: done(result)))
        except Exception:                   # the session ended meanwhile: nobody to tell
            pass

    _compute_pool.submit(work).add_done_callback(finished)


# Training runs in worker processes: Python runs one thread at a time, so a trainer in a thread would
# take its time from the event loop that answers every page; a process uses another core. Jobs queue
# first come first served, so sessions training at once share the workers and never the loop.
TRAIN_PROCS_ENV = "NNVIZ_TRAIN_PROCS"
TRAIN_NICE = 10                     # the workers' priority below the server's (os.nice)
_process_lock = threading.Lock()
_process_pool = None
log = logging.getLogger("nnviz")


def train_processes() -> int:
    """How many worker processes train (NNVIZ_TRAIN_PROCS, default 1; 0: train on the event loop)."""
    try:
        return max(0, min(int(os.environ.get(TRAIN_PROCS_ENV, "1")), os.cpu_count() or 1))
    except ValueError:
        return 1


def _processes():
    global _process_pool
    with _process_lock:
        if _process_pool is None:
            # spawn: a fresh interpreter (forking a threaded server is unsafe); it imports the NumPy core only.
            _process_pool = ProcessPoolExecutor(max_workers=train_processes(),
                                                mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_yield_to_pages)
        return _process_pool


def _yield_to_pages():
    """In a training worker: a lower priority, so the server's own process (every page's answers)
    always gets the CPU first; training takes what is left (on a private machine, a whole core)."""
    try:
        os.nice(TRAIN_NICE)
    except OSError:                                  # not allowed here: train at the usual priority
        pass


def warm_processes() -> bool:
    """Start the worker processes now (a no-op job), so the first Play does not wait for them."""
    if document() is None or not train_processes():
        return False
    try:
        _processes().submit(os.getpid)
    except Exception as exc:                         # e.g. processes not allowed here: train on the loop
        log.warning("training processes unavailable (%s); training runs on the event loop", exc)
        return False
    return True


def in_process(fn, args: tuple, done) -> bool:
    """Run fn(*args) in a worker process, then done(result) on this session's loop (result is the
    exception if it raised, or the pool broke). False (nothing started) outside a session or when
    NNVIZ_TRAIN_PROCS is 0: the caller then works on the loop itself."""
    global _process_pool
    doc = document()
    if doc is None or not train_processes():
        return False
    try:
        future = _processes().submit(fn, *args)
    except Exception as exc:                         # a broken pool (a worker was killed): start afresh next time
        with _process_lock:
            _process_pool = None
        log.warning("training process failed (%s); starting a new one", exc)
        return False

    def finished(f):
        global _process_pool
        try:
            result = f.result()
        except Exception as exc:
            result = exc
            if isinstance(exc, BrokenProcessPool):
                with _process_lock:
                    _process_pool = None
        try:
            doc.add_next_tick_callback(lambda: _inside(doc, lambda: done(result)))
        except Exception:                   # the session ended meanwhile: nobody to tell
            pass

    future.add_done_callback(finished)
    return True


def _inside(doc, callback):
    # One hold around everything a callback changes: every message of it then leaves by Panel's one
    # path, in order (models a message defines never arrive after a message that refers to them).
    with set_curdoc(doc), pn.io.hold(doc):
        callback()


def _remove(remove, cb):
    try:
        remove(cb)
    except ValueError:              # already gone with its session, or already run
        pass
