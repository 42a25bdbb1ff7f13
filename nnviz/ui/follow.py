"""A page's part in a live class: the teacher's panel, or the line of a page that follows the teacher.

`?teach=1` (or the Teach a class button) starts a class: the page shows the students' link
(`?follow=CODE`) with Copy, its QR code (segno, inline SVG; large in presentation mode) and how many
follow; its address carries `teach=KEY`, so a reload or the teacher's second device keeps the class. The
teacher's page publishes its link's values on the class bus (nnviz.server.bus) at most every PUBLISH_MS.
A page opened with `?follow=CODE` adopts each state on its own document (nnviz.state.adopt) until its
student changes something or presses Explore on my own; Follow again adopts the teacher's state of now.
A follower never publishes: nothing its page sends reaches the bus.
"""
from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlencode

import panel as pn

from ..server import bus as class_bus
from ..state import link
from ..state.adopt import OWN, adopt
from . import session
from .class_panel import EXPLORING, ClassPanel

PUBLISH_MS = 150                  # the teacher's states reach the bus at most this often (~6.7 a second)
COUNT_MS = 2000                   # how often the teacher's page asks how many follow
NOTHING = object()


class Classroom(pn.viewable.Viewer):
    """This page's class: teacher, follower, or neither (then only the Teach a class button)."""

    def __init__(self, state, args: dict, *, bus=None, view_of=lambda key: None, address_changed=lambda: None):
        """args: the page's query. view_of(key): the page's view of a tab if built. address_changed(): what
        address() gives changed (the page writes its address bar)."""
        super().__init__()
        self.state, self.bus = state, bus or class_bus.bus()
        self.view_of, self._address_changed, self._loaded = view_of, address_changed, False
        self.note = ""
        self.role, self.code, self.key = None, None, None
        self.following, self._applying = False, False
        self._last, self._written = None, None          # the teacher's values adopted last; ours after it
        self._pending, self._lock = NOTHING, threading.Lock()
        self._scheduled = False
        self._timer, self._published_at, self._sent = None, 0.0, None
        self._stops, self._count_timer = [], None      # stop functions: bus listeners; the count's timer
        self.parts = ClassPanel()
        v = self.parts                    # the page's widgets, also reached here (the App's header, tests)
        self.panel, self.text, self.teach, self.explore = v.panel, v.text, v.teach, v.explore
        self.follow_again, self.end_class = v.follow_again, v.end_class
        v.teach.on_click(lambda e: self.start_teaching("1"))
        v.end_class.on_click(lambda e: self.stop_teaching())
        v.explore.on_click(lambda e: self.stop_following(EXPLORING))
        v.follow_again.on_click(lambda e: self.start_following(self.code))
        v.qr_toggle.on_click(lambda e: (setattr(v, "qr_shown", not v.qr_shown), v.show_qr(self)))
        self._receive = session.soon(self._take_pending)
        self._status = session.soon(self._show)
        state.param.watch(lambda e: (self._show(), self._show_qr()), "present")
        session.on_destroyed(self.close)
        teach, follow = link.first(args.get("teach")), link.first(args.get("follow"))
        if teach:
            self.start_teaching(teach)
        elif follow:
            self.start_following(follow, explore=link.first(args.get("explore")) == "1")
        if teach or follow:
            session.once_loaded(self._on_loaded)
        else:
            self._loaded = True          # a class started later, by the button, on a page long loaded

    def __panel__(self):
        return self.panel

    def _on_loaded(self):
        # The address is written once the page has loaded (the browser reports its own address first).
        self._loaded = True
        session.later(self._address_changed, 0)

    def address_changed(self):
        if self._loaded:
            session.later(self._address_changed, 0)

    def address(self, query: dict) -> dict:
        """This page's address query, from its state's link values: with the teacher's key on the teacher's
        page; only the class while following (a reload follows again; the address then does not change with
        every state of the teacher's, which would cost every follower one more message); the student's own
        state and the class while exploring."""
        if self.role == "teacher":
            return {**query, "teach": self.key}
        if self.role == "student" and self.code:
            return {"follow": self.code} if self.following else {**query, "follow": self.code, "explore": "1"}
        return query

    def students_link(self) -> str:
        return f"{session.page_address() or '/'}?follow={self.code}" if self.code else ""

    def changed(self):
        """The state changed (the App's link hook): a teacher publishes; a follower's own change ends following."""
        if self.role == "teacher" and self._timer is None:
            wait = max(0.0, self._published_at + PUBLISH_MS / 1000 - time.monotonic())
            self._timer = session.later(self.publish, int(wait * 1000))
        elif self.following and not self._applying and self._written is not None:
            if _own(link.write(self.state)) != self._written:
                self.stop_following("You changed something, so you are exploring on your own.")

    # --- teacher ---------------------------------------------------------------------------------

    def start_teaching(self, key: str):
        self.stop_following(None)
        code = self.bus.resume(key) if key != "1" else None
        note = "" if code or key == "1" else "The class of this address had ended: this is a new class. "
        if code is None:
            code, key = self.bus.start(self._values())
        self.role, self.code, self.key = "teacher", code, key
        self.note = note
        if self._count_timer is None:
            self._count_timer = session.every(self._show, COUNT_MS)
        self.publish()
        self._show()
        self._show_qr()
        self.address_changed()

    def publish(self):
        """Send this page's state to the class (now)."""
        self._timer, self._published_at = None, time.monotonic()
        if self.role != "teacher":
            return
        text = self._values()
        if text != self._sent:
            if not self.bus.publish(self.key, text):
                self._ended_for_teacher()
                return
            self._sent = text

    def stop_teaching(self):
        if self.role == "teacher":
            self.bus.end(self.key)
        self._ended_for_teacher()

    def _ended_for_teacher(self):
        self._unlisten()
        if self._count_timer is not None:
            self._count_timer()
            self._count_timer = None
        self.role, self.key, self.code = None, None, None
        self.note = ""
        self._show()
        self.address_changed()

    def _values(self) -> str:
        return urlencode(link.write(self.state))

    # --- follower --------------------------------------------------------------------------------

    def start_following(self, code: str, explore: bool = False):
        self.role, self.code = "student", code
        self._unlisten()
        try:
            text = self.bus.latest(code)
        except ConnectionError:
            text = NOTHING                              # the bus is down: follow once it is back
        if text is None:
            self.role, self.code, self.following = "lost", None, False
            self._show()
            self.address_changed()
            return
        if explore:
            self.following = False
            self._show(EXPLORING)
            return
        self.following, self._last = True, None
        self._stops.append(self.bus.listen(code, self._received))
        self._stops.append(self.bus.on_status(lambda ok: self._status()))
        if text is not NOTHING:
            self._adopt(text)
        self._show()
        self.address_changed()

    def stop_following(self, why: str | None):
        self._unlisten()
        self.following = False
        if why is not None:
            self._show(why)
            self.address_changed()

    def _received(self, text):
        """A new state of the class, from any thread: this page's document takes the latest at its next tick."""
        with self._lock:
            self._pending = text
            if self._scheduled:
                return
            self._scheduled = True
        self._receive()

    def _take_pending(self):
        with self._lock:
            text, self._pending, self._scheduled = self._pending, NOTHING, False
        if text is NOTHING or not self.following:
            return
        if text is None:
            self.stop_following(None)
            self.role, self.code = "ended", None
            self._show()
            self.address_changed()
            return
        self._adopt(text)
        self._show()

    def _adopt(self, text: str):
        q = parse_qs(text)
        before = self.state.weights
        self._applying = True
        try:
            adopt(self.state, q, self._last)
            if self.state.weights != before:
                self._training_frame()
        finally:
            self._applying = False
        self._last, self._written = q, _own(link.write(self.state))

    def _training_frame(self):
        """The teacher's training moved the weights: the follower's Training tab (if built) draws the frame."""
        view = self.view_of("train")
        t = getattr(view, "trainer", None)
        if t is None or t.net is not self.state.network:
            return
        view.draw_adopted(self.state.train.epoch)

    def _unlisten(self):
        stops, self._stops = self._stops, []
        for stop in stops:
            stop()

    def close(self):
        """The page closed: its listeners leave the bus (Bokeh drops the session's timers itself)."""
        self._unlisten()

    def _show(self, note: str | None = None):
        self.parts.show(self, note)

    def _show_qr(self):
        self.parts.show_qr(self)


def _own(q: dict) -> dict:
    return {k: v for k, v in q.items() if k not in OWN}
