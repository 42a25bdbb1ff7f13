"""Small page parts every view shares: notes, text and LaTeX panes, alerts. No state, nothing per session."""
from __future__ import annotations

import html

import panel as pn

from ..encode.colours import NOTE



def px(n: float) -> str:
    """A font size that grows in presentation mode (the page sets --nnviz-scale; 1 otherwise)."""
    return f"calc({n}px * var(--nnviz-scale, 1))"


TEXT_STYLE = {"font-size": px(15), "line-height": "1.45"}
MATH_STYLE = {"font-size": px(17)}
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


def note(text: str, kind: str = "info", **kw) -> pn.pane.HTML:
    """A short boxed remark; `text` is trusted HTML written by us, never user input."""
    bg, fg = NOTE[kind]
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


def alert_html(text: str) -> str:
    """A refused value or a warning as an escaped alert box (text from a URL never becomes markup)."""
    return f'<div class="nnviz-message" role="alert">{html.escape(text)}</div>' if text else ""


def on_demand(label: str, build, **kw) -> pn.Column:
    """A button that is replaced by build() when first pressed: a view's extras cost the page nothing until
    a student asks for them (one model instead of the extras' dozen)."""
    holder = pn.Column(sizing_mode="stretch_width", margin=0)
    button = pn.widgets.Button(label=label, color="light", margin=(8, 4), **kw)
    button.on_click(lambda event: setattr(holder, "objects", [build()]))
    holder.objects = [button]
    return holder


# Columns side by side that wrap below 800 px (a phone) instead of widening the page.
WRAP_CSS = "@media (max-width: 800px) { :host { flex-wrap: wrap !important; } }"


class WrapRow(pn.Row):
    """A row whose columns wrap on a phone. Panel gives a stretching row the sum of its children's
    widths as its minimum width, which would keep the page as wide as all the columns together."""

    def _compute_sizing_mode(self, children, props):
        sizing = super()._compute_sizing_mode(children, props)
        sizing.pop("min_width", None)
        return sizing
