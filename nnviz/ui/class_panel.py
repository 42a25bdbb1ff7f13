"""What a page shows of its live class: the teacher's box (students' link, Copy, QR code, how many follow, End
class) or a follower's line (Following the teacher, Explore on my own, Follow again), drawn from a
nnviz.ui.follow.Classroom. Widgets and text only; the class itself is the Classroom's."""
from __future__ import annotations

import html

import panel as pn
import segno

QR_PX, QR_PRESENT_PX = 132, 300   # the QR code's side: on a screen, and projected
BOX = {"background": "#f5f8fc", "border": "1px solid #c9d3e0", "border-radius": "6px", "padding": "2px 4px",
       "box-sizing": "border-box", "max-width": "calc(100vw - 16px)"}
CSS = """
.nnviz-class { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 12px; padding: 4px 6px;
  font-size: 15px; line-height: 1.4; }
.nnviz-class .link { font-family: ui-monospace, monospace; font-size: 16px; word-break: break-all;
  user-select: all; color: #102a43; }
.nnviz-class.present { font-size: 24px; }
.nnviz-class.present .link { font-size: 30px; font-weight: 600; }
.nnviz-class .paused, .nnviz-class .alert { color: #8a2c0d; font-weight: 600; }
"""
QR_CSS = ".qr svg { display: block; width: 100%; height: auto; }"
EXPLORING = "You are exploring on your own."
WIDE_ONLY = "@media (max-width: 800px) { :host { display: none !important; } }"


class ClassPanel:
    """The widgets of a page's class; `show(room)` brings them up to date with the Classroom `room`."""

    def __init__(self):
        self.text = pn.pane.HTML("", margin=0, stylesheets=[CSS], css_classes=["nnviz-class-pane"],
                                 styles={"flex": "1 1 320px", "min-width": "0"})
        self.qr = pn.pane.HTML("", margin=(0, 8), width=QR_PX, visible=False, name="class_qr", stylesheets=[QR_CSS])
        self.qr_shown = True
        # Not on a phone's header (a teacher starts there with ?teach=1): it would take the header a second row.
        self.teach = pn.widgets.Button(label="Teach a class", color="light", width=130, margin=(6, 6),
                                       description="Start a live class: students follow this page",
                                       stylesheets=[WIDE_ONLY])
        self.copy = pn.widgets.Button(label="Copy students' link", width=160, margin=(4, 6), visible=False)
        self.qr_toggle = pn.widgets.Button(label="Hide QR code", width=120, margin=(4, 6), visible=False)
        self.end_class = pn.widgets.Button(label="End class", width=100, margin=(4, 6), visible=False)
        self.explore = pn.widgets.Button(label="Explore on my own", width=150, margin=(4, 6), visible=False)
        self.follow_again = pn.widgets.Button(label="Follow again", color="primary", width=120, margin=(4, 6),
                                              visible=False)
        self.copy.js_on_click(args={"text": self.text}, code=COPY_JS)
        self.panel = pn.FlexBox(self.qr, self.text, self.copy, self.qr_toggle, self.end_class, self.explore,
                                self.follow_again, flex_wrap="wrap", align_items="center", visible=False,
                                sizing_mode="stretch_width", margin=(4, 8), styles=BOX, name="class_panel")

    def show(self, room, note: str | None = None):
        role = room.role
        teacher, student = role == "teacher", role == "student"
        self.teach.visible = not (teacher or student)
        self.copy.visible = self.end_class.visible = self.qr_toggle.visible = teacher
        self.explore.visible = student and room.following
        self.follow_again.visible = student and not room.following
        self.panel.visible = role is not None
        if teacher:
            self.text.object = self._teacher_text(room)
        elif student:
            if not room.bus.ok:
                line = ("<span class='paused'>Following paused: the class connection is down.</span> This page "
                        "works on its own and follows again when the connection is back.")
            elif room.following:
                line = "<b>Following the teacher.</b> Your page shows what the teacher's shows."
            else:
                line = (f"<b>{html.escape(note or EXPLORING)}</b> The teacher's changes do not reach this page; "
                        "Follow again brings back the teacher's network.")
            self.text.object = f"<div class='nnviz-class follower' role='status'>{line}</div>"
        elif role in ("lost", "ended"):
            why = "This class has ended." if role == "ended" else "This class code is unknown, or the class has ended."
            self.text.object = (f"<div class='nnviz-class' role='alert'><span class='alert'>{why}</span> "
                                "This page works on its own.</div>")

    @staticmethod
    def _teacher_text(room) -> str:
        n = room.bus.count(room.code)
        paused = ("" if room.bus.ok else " <span class='paused'>The class connection is down: students see your "
                  "last state until it is back.</span>")
        present = " present" if room.state.present else ""
        return (f"<div class='nnviz-class{present}' role='region' aria-label='Live class'>{room.note}"
                f"<b>Live class.</b> Students open <span class='link'>{html.escape(room.students_link())}</span> "
                f"<span class='count' aria-live='polite'>{n} student{'' if n == 1 else 's'} following</span>"
                f"{paused}</div>")

    def show_qr(self, room):
        """The QR code of the students' link: large in presentation mode, hidden when the teacher says so."""
        self.qr.visible = room.role == "teacher" and self.qr_shown
        self.qr_toggle.label = "Hide QR code" if self.qr_shown else "Show QR code"
        if not self.qr.visible:
            return
        side = QR_PRESENT_PX if room.state.present else QR_PX
        svg = segno.make(room.students_link(), error="m").svg_inline(omitsize=True, border=2, dark="#102a43",
                                                                     title="QR code of the students' link")
        self.qr.object = f"<div class='qr' style='width:{side}px'>{svg}</div>"
        self.qr.width = side


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
