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

import html
import threading
import time
from urllib.parse import parse_qs, urlencode

import panel as pn
import segno

from ..server import bus as class_bus
from ..state import link
from ..state.adopt import OWN, adopt
from . import session

PUBLISH_MS = 150                  # the teacher's states reach the bus at most this often (~6.7 a second)
COUNT_MS = 2000                   # how often the teacher's page asks how many follow
QR_PX, QR_PRESENT_PX = 132, 300   # the QR code's side: on a screen, and projected
BOX = {"background": "#f5f8fc", "border": "1px solid #c9d3e0", "border-radius": "6px", "padding": "2px 4px",
       "box-sizing": "border-box", "max-width": "calc(100vw - 16px)"}
CSS = """
.nnviz-class { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 12px; padding: 4px 6px;
  font-size: 15px; line-height: 1.4; }
.nnviz-class .link { font-family: ui-monospace, monospace; font-size: 16px; word-break: break-all;
  user-select: all; color: #102a43; }
.nnviz-class .qr svg { display: block; width: 100%; height: auto; }
.nnviz-class.present { font-size: 24px; }
.nnviz-class.present .link { font-size: 30px; font-weight: 600; }
.nnviz-class .paused, .nnviz-class .alert { color: #8a2c0d; font-weight: 600; }
"""
NOTHING = object()


class Classroom(pn.viewable.Viewer):
    """This page's class: teacher, follower, or neither (then only the Teach a class button)."""

    def __init__(self, state, args: dict, *, bus=None, view_of=lambda key: None, address_changed=lambda: None):
        """args: the page's query. view_of(key): the page's view of a tab if built. address_changed(): what
        address() gives changed (the page writes its address bar)."""
        super().__init__()
        self.state, self.bus = state, bus or class_bus.bus()
        self.view_of, self._address_changed, self._loaded = view_of, address_changed, False
        self._note = ""
        self.role, self.code, self.key = None, None, None
        self.following, self._applying = False, False
        self._last, self._written = None, None          # the teacher's values adopted last; ours after it
        self._pending, self._lock = NOTHING, threading.Lock()
        self._scheduled = False
        self._timer, self._published_at, self._sent = None, 0.0, None
        self._stops, self._count_timer = [], None      # stop functions: bus listeners; the count's timer
        self.text = pn.pane.HTML("", margin=0, stylesheets=[CSS], css_classes=["nnviz-class-pane"],
                                 styles={"flex": "1 1 320px", "min-width": "0"})
        self.qr = pn.pane.HTML("", margin=(0, 8), width=QR_PX, visible=False, name="class_qr")
        self.teach = pn.widgets.Button(label="Teach a class", color="light", width=130, margin=(6, 6),
                                       description="Start a live class: students follow this page")
        self.copy = pn.widgets.Button(label="Copy students' link", width=160, margin=(4, 6),
                                      visible=False)
        self.end_class = pn.widgets.Button(label="End class", width=100, margin=(4, 6),
                                           visible=False)
        self.explore = pn.widgets.Button(label="Explore on my own", width=150, margin=(4, 6),
                                         visible=False)
        self.qr_shown = True
        self.qr_toggle = pn.widgets.Button(label="Hide QR code", width=120, margin=(4, 6), visible=False)
        self.follow_again = pn.widgets.Button(label="Follow again", color="primary", width=120, margin=(4, 6),
                                              visible=False)
        self.teach.on_click(lambda e: self.start_teaching("1"))
        self.end_class.on_click(lambda e: self.stop_teaching())
        self.explore.on_click(lambda e: self.stop_following("You are exploring on your own."))
        self.follow_again.on_click(lambda e: self.start_following(self.code))
        self.copy.js_on_click(args={"text": self.text}, code=COPY_JS)
        self.qr_toggle.on_click(lambda e: (setattr(self, "qr_shown", not self.qr_shown), self._show_qr()))
        self.panel = pn.FlexBox(self.qr, self.text, self.copy, self.qr_toggle, self.end_class, self.explore,
                                self.follow_again, flex_wrap="wrap", align_items="center", visible=False,
                                sizing_mode="stretch_width", margin=(4, 8), styles=BOX, name="class_panel")
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

    def address(self) -> dict:
        """What this page's own address carries besides the state: the teacher's key, or the class followed."""
        if self.role == "teacher":
            return {"teach": self.key}
        if self.role == "student" and self.code:
            return {"follow": self.code, **({} if self.following else {"explore": "1"})}
        return {}

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
        self._note = note
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
        self._note = ""
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
            self._show("You are exploring on your own.")
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
        t.epoch = self.state.train.epoch
        t.record()
        view._draw()         # the frame's picture and loss curve, as the view draws its own frames

    def _unlisten(self):
        stops, self._stops = self._stops, []
        for stop in stops:
            stop()

    def close(self):
        """The page closed: its listeners leave the bus (Bokeh drops the session's timers itself)."""
        self._unlisten()

    # --- what the page shows ---------------------------------------------------------------------

    def _show(self, note: str | None = None):
        role = self.role
        teacher, student = role == "teacher", role == "student"
        self.teach.visible = not (teacher or student)
        self.copy.visible = self.end_class.visible = self.qr_toggle.visible = teacher
        self.explore.visible = student and self.following
        self.follow_again.visible = student and not self.following
        self.panel.visible = role is not None
        if teacher:
            n = self.bus.count(self.code)
            paused = "" if self.bus.ok else " <span class='paused'>The class connection is down: students see " \
                                            "your last state until it is back.</span>"
            students = f"{n} student{'' if n == 1 else 's'} following"
            present = " present" if self.state.present else ""
            self.text.object = (f"<div class='nnviz-class{present}' role='region' aria-label='Live class'>{self._note}"
                                f"<b>Live class.</b> Students open <span class='link'>"
                                f"{html.escape(self.students_link())}</span> "
                                f"<span class='count' aria-live='polite'>{students}</span>{paused}</div>")
        elif student:
            if not self.bus.ok:
                line = ("<span class='paused'>Following paused: the class connection is down.</span> This page "
                        "works on its own and follows again when the connection is back.")
            elif self.following:
                line = "<b>Following the teacher.</b> Your page shows what the teacher's shows."
            else:
                line = (f"<b>{html.escape(note or 'You are exploring on your own.')}</b> The teacher's changes "
                        "do not reach this page; Follow again brings back the teacher's network.")
            self.text.object = f"<div class='nnviz-class follower' role='status'>{line}</div>"
        elif role in ("lost", "ended"):
            why = ("This class has ended." if role == "ended" else
                   "This class code is unknown, or the class has ended.")
            self.text.object = (f"<div class='nnviz-class' role='alert'><span class='alert'>{why}</span> "
                                "This page works on its own.</div>")

    def _show_qr(self):
        """The QR code of the students' link: large in presentation mode, hidden when the teacher says so."""
        self.qr.visible = self.role == "teacher" and self.qr_shown
        self.qr_toggle.label = "Hide QR code" if self.qr_shown else "Show QR code"
        if not self.qr.visible:
            return
        side = QR_PRESENT_PX if self.state.present else QR_PX
        svg = segno.make(self.students_link(), error="m").svg_inline(omitsize=True, border=2, dark="#102a43",
                                                                     title="QR code of the students' link")
        self.qr.object = f"<div class='qr' style='width:{side}px'>{svg}</div>"
        self.qr.width = side


def _own(q: dict) -> dict:
    return {k: v for k, v in q.items() if k not in OWN}


# The Copy button copies the link shown in the panel's text (the Clipboard API where the page is a secure
# context, a selected text area otherwise) and says so on itself.
COPY_JS = """
const el = document.createElement('div'); el.innerHTML = text.object;
const node = el.querySelector('.link'); if (!node) return;
const value = node.textContent;
const done = () => { cb_obj.label = 'Copied'; setTimeout(() => { cb_obj.label = "Copy students' link"; }, 1500); };
if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(value).then(done); return; }
const area = document.createElement('textarea'); area.value = value; document.body.appendChild(area);
area.select(); try { document.execCommand('copy'); done(); } finally { area.remove(); }
"""
