"""Values a modified page sends that a widget refuses: the student is told in one short sentence and the widget
shows its last good value again; the log gets one line (nnviz.server.logs).

A page can send any value for any widget: a seed of 1e308, a slider past its end, an index of -5000. Panel
refuses what a widget's parameters do not allow (bounds, type, options) and hands the error to
`pn.config.exception_handler`, which Panel keeps per session when it is set inside one (its documented
session-local config). The handler here finds the browser's last change (recorded with Bokeh's public
`Document.on_change`), the widget it was meant for (by its label), puts the widget's kept value back on the
model, which sends it to the browser, and says what was refused. Values the state refuses by itself never
get here (the state's setters return False and say why).

Nothing per session is kept in this module: each session's handler and recorder are closures on its App.
"""
from __future__ import annotations

import logging
import numbers

import panel as pn
from bokeh.document.events import ModelChangedEvent
from bokeh.models import Tabs as BkTabs

from ..server.logs import REFUSED
from ..state.parse import clip

log = logging.getLogger("nnviz")
SENT = ("value", "active")            # the widget properties a page sends and nnviz refuses


def watch(doc, widgets, tell):
    """In a served session: refusals of doc's widgets (widgets() lists the Panel widgets and tabs that may
    hold them) are told with tell(text). A no-op outside a session."""
    if doc is None:
        return
    last = {}

    def record(event):
        if isinstance(event, ModelChangedEvent) and event.attr in SENT and event.setter is not None:
            last["change"] = (event.model, event.attr, event.new)      # set by a browser's patch

    def handle(exc):
        change = last.pop("change", None)
        if not isinstance(exc, REFUSED) or change is None:
            log.error("nnviz: a callback failed: %s", clip(exc, 200), exc_info=exc)
            return
        tell(_snap_back(change, widgets()))

    doc.on_change(record)
    pn.config.param.update(exception_handler=handle)     # set inside the session: this session's alone


def _snap_back(change, widgets) -> str:
    """Put the widget's kept value back on the model (Bokeh sends it to the page); the sentence to show."""
    model, attr, bad = change
    label = getattr(model, "title", None) or ""
    owner = next((w for w in widgets if _owns(w, model, label)), None)
    good = getattr(owner, attr, None) if owner is not None else None
    if good is not None:
        try:
            setattr(model, attr, good)
        except (ValueError, TypeError):
            good = None
    bounds = _bounds(model, ("start", "end")) or _bounds(model, ("low", "high"))
    return refusal(label or ("Tab" if isinstance(model, BkTabs) else ""), bad, good, bounds)


def _owns(widget, model, label) -> bool:
    if isinstance(model, BkTabs):
        return isinstance(widget, pn.Tabs)
    return bool(label) and label in (getattr(widget, "label", None), widget.name)


def refusal(label, bad, good, bounds=None) -> str:
    """What the student reads: "Seed: '1e+308' refused (allowed: 0 to 2147483647); kept 1"."""
    label = str(label or "a setting")[:40]
    allowed = f" (allowed: {bounds[0]:.10g} to {bounds[1]:.10g})" if bounds else ""
    kept = f"; kept {clip(good)[1:-1]}" if good is not None else ""
    return f"{label}: {clip(bad)} refused{allowed}{kept}"


def _bounds(obj, names):
    lo, hi = (getattr(obj, n, None) for n in names)
    ok = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lo, hi))
    return (lo, hi) if ok else None
