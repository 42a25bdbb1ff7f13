"""Pieces every lesson view shares: projector-sized figures, notes, LaTeX numbers and the lazy-refresh base.

Imports Panel, Bokeh and the engine/layout modules; nothing here holds state between sessions.
"""
from __future__ import annotations

import html

import numpy as np
import panel as pn
from bokeh.plotting import figure

from ..layout import fmt

FONT = "13px"
TEXT_STYLE = {"font-size": "15px", "line-height": "1.45"}
MATH_STYLE = {"font-size": "17px"}
# Panel shows KaTeX's MathML (it hides KaTeX's HTML), so the browser's own MathML layout draws
# the maths. Stretchy [ ] need an OpenType math font that many Linux machines lack, so matrix
# brackets are drawn as CSS borders on <mtable> and KaTeX's fence characters are hidden instead.
_TICK = "linear-gradient(currentColor, currentColor)"
MATRIX_CSS = (
    'mo[fence="true"] { display: none; } '
    "mtable { border-left: 2px solid currentColor; border-right: 2px solid currentColor; "
    "padding: 1px 5px; margin: 0 4px; "
    f"background: {_TICK} top left / 7px 2px no-repeat, {_TICK} bottom left / 7px 2px no-repeat, "
    f"{_TICK} top right / 7px 2px no-repeat, {_TICK} bottom right / 7px 2px no-repeat; }} "
    "mtd { padding: 2px 6px !important; } math { font-size: 1.05em; }")
MAX_SHOWN = 6          # rows/columns of a matrix written out before it is truncated
TRUNC_HEAD = 3         # ... of which the first TRUNC_HEAD and the last one are shown


def legend_below(p, font="13px", **extra):
    """Move the figure's legend under the plot, in one row, so it never covers a curve."""
    legend = p.legend[0]
    legend.update(orientation="horizontal", label_text_font_size=font, border_line_alpha=0,
                  padding=2, margin=2, **extra)
    p.add_layout(legend, "below")
    return p


def fig(**kw):
    """A figure with fonts that stay readable on a 1280x720 projector."""
    kw.setdefault("toolbar_location", None)
    kw.setdefault("tools", "")
    p = figure(**kw)
    p.title.text_font_size = "14px"
    p.axis.axis_label_text_font_size = FONT
    p.axis.major_label_text_font_size = FONT
    p.axis.axis_label_text_font_style = "normal"
    p.min_border_left = p.min_border_right = 8
    return p


def note(text: str, kind: str = "info", **kw) -> pn.pane.HTML:
    """A short boxed remark; `text` is trusted HTML written by us, never user input."""
    colours = {"info": ("#eef4fb", "#1f3b57"), "pitfall": ("#fff4d6", "#7a5c00"), "ok": ("#e9f6ec", "#1d5c2e")}
    bg, fg = colours[kind]
    if "width" not in kw:
        kw.setdefault("sizing_mode", "stretch_width")
    return pn.pane.HTML(f'<div style="background:{bg};color:{fg};border-left:4px solid {fg};'
                        f'padding:6px 10px;border-radius:3px">{text}</div>', styles=TEXT_STYLE, **kw)


def math_pane(**kw) -> pn.pane.LaTeX:
    """A LaTeX pane (KaTeX) whose bmatrix brackets render without a math font."""
    kw.setdefault("sizing_mode", "stretch_width")
    return pn.pane.LaTeX("", styles=MATH_STYLE, stylesheets=[MATRIX_CSS], **kw)


def html_text(text: str, **kw) -> pn.pane.HTML:
    kw.setdefault("sizing_mode", "stretch_width")
    return pn.pane.HTML(text, styles=TEXT_STYLE, **kw)


def esc(s) -> str:
    return html.escape(str(s))


def tex(v: float) -> str:
    """A number for LaTeX: fmt's digits, exponent written as a power of ten."""
    s = fmt(float(v))
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return s


def _pick(n: int) -> tuple:
    """Indices to write out of n, and whether a gap (dots) follows the head."""
    if n <= MAX_SHOWN:
        return list(range(n)), False
    return list(range(TRUNC_HEAD)) + [n - 1], True


def bmatrix(M) -> str:
    """A matrix (or column vector) as a LaTeX bmatrix, truncated with dots when large."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    rows, rgap = _pick(M.shape[0])
    cols, cgap = _pick(M.shape[1])
    lines = []
    for i, r in enumerate(rows):
        cells = [tex(M[r, c]) for c in cols]
        if cgap:
            cells.insert(TRUNC_HEAD, r"\cdots")
        lines.append(" & ".join(cells))
        if rgap and i == TRUNC_HEAD - 1:
            dots = [r"\vdots"] * len(cols)
            if cgap:
                dots.insert(TRUNC_HEAD, r"\ddots")
            lines.append(" & ".join(dots))
    return r"\begin{bmatrix}" + r" \\ ".join(lines) + r"\end{bmatrix}"


def column(v) -> str:
    """A vector as a LaTeX column."""
    return bmatrix(np.asarray(v, dtype=float).reshape(-1, 1))


def vec_text(v, limit: int = 8) -> str:
    """A vector as plain text: [0.12, 0.75, -0.41], truncated for long ones."""
    v = np.asarray(v, dtype=float).ravel()
    if len(v) <= limit:
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    head = ", ".join(fmt(x) for x in v[: limit - 2])
    return f"[{head}, …, {fmt(v[-1])}] ({len(v)} values)"


class LessonView(pn.viewable.Viewer):
    """A view that redraws on state changes only while its tab is open (else it marks itself stale)."""

    key = ""

    def __init__(self, app, **params):
        super().__init__(**params)
        self.app = app
        self.state = app.state
        self._stale = False
        app.param.watch(self._on_view, "view")

    @property
    def active(self) -> bool:
        return self.app.view == self.key

    def _changed(self, *_):
        if self.active:
            self.refresh()
        else:
            self._stale = True

    def _on_view(self, event):
        if event.new == self.key and self._stale:
            self.refresh()

    def refresh(self):
        """Bring every source and pane up to date with the state (override, then call super)."""
        self._stale = False


def watch_state(view: LessonView, names=("trace",)):
    view.state.param.watch(view._changed, list(names))


__all__ = ["fig", "legend_below", "math_pane", "note", "html_text", "tex", "bmatrix", "column", "vec_text", "LessonView", "watch_state",
           "esc", "LazyTab"]


class LazyTab(pn.viewable.Viewer):
    """A tab's placeholder that builds its view the first time the tab is opened.

    Every session builds all tabs' layouts at page load; building the lesson views only when
    first shown keeps that cheap (and a closed tab costs nothing on later updates).
    """

    def __init__(self, app, key: str, build, **params):
        super().__init__(**params)
        self.app, self.key, self._build = app, key, build
        self.view = None
        self._holder = pn.Column(sizing_mode="stretch_width", min_height=300, name=f"tab-{key}")
        app.param.watch(lambda e: self.ensure() if e.new == key else None, "view")
        if app.view == key:
            self.ensure()

    def ensure(self):
        """The view, built now if this is the first time it is needed."""
        if self.view is None:
            self.view = self._build(self.app)
            self._holder.objects = [self.view]
        return self.view

    def __panel__(self):
        return self._holder
