"""Pages are built one at a time, and whatever else the server has to do runs between two builds.

Bokeh's auth module (`panel serve --auth-module nnviz/server/auth.py`, which hands Bokeh these hooks) is
Bokeh's documented hook that runs, awaited, before every page and websocket request (`get_user_async`).
nnviz has no login: every request is the same "student". Its job here is pacing: a page's session is built
on the event loop in one piece (the App, its Bokeh models), so twenty students opening the link at once
would otherwise queue twenty builds back to back ahead of a quiet student's slider. Each page request, and
each page's websocket (whose first message pulls the whole document), waits its turn, and each turn starts
with a short pause in which the loop answers whatever is waiting (an input change is answered in a few ms),
so a student's change waits for at most the one build under way. The page's open view is built once the
page has loaded (nnviz.ui.session.once_loaded), in a turn of its own.
"""
from __future__ import annotations

import asyncio
import contextlib
import weakref

from bokeh.server.views.doc_handler import DocHandler
from bokeh.server.views.ws import WSHandler

from . import hosts

PAUSE_S = 0.02            # the loop's own time between two page builds
USER = "student"
_turns = weakref.WeakKeyDictionary()    # event loop -> its lock (a server has one loop; tests start several)


def _lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _turns.get(loop)
    if lock is None:
        lock = _turns[loop] = asyncio.Lock()
    return lock


@contextlib.asynccontextmanager
async def turn():
    """This process's next turn to build (a page, or the view a page opens once loaded): held while the
    body runs, after a pause in which the loop answers whatever is waiting."""
    async with _lock():
        await asyncio.sleep(PAUSE_S)
        yield


async def get_user_async(request_handler):
    """Every request is a student's; a page request first waits for its turn. (This hook also sees each
    request first: a malformed link is made readable here, hosts.one_query.)"""
    request = request_handler.request
    request.uri = hosts.one_query(request.uri or "")
    if isinstance(request_handler, (DocHandler, WSHandler)):     # a page; its connection (whose first
        async with turn():                                         # message pulls the whole document)
            pass
    return USER


def get_login_url(request_handler):
    """Bokeh asks for one; never used, as every request has a user."""
    return "/"
