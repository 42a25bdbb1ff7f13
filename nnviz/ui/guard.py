"""Values a modified page sends that a widget refuses: told to the student, shown back, logged in one line.

A page can send any value for any widget: a seed of 1e308, text for a number, a slider past its end,
an index of -5000. Two places refuse such a value, and both are wrapped here, once per process, for
every widget of every session (`install()`, beside entry.quiet_logs):
- Bokeh, when a browser's change does not fit the model's property (text for a number): the
  PATCH-DOC's `apply_to_document`;
- Panel, when the widget's parameter refuses it (bounds, type) or a watcher raises: the step that
  applies a widget's browser events to its parameters, `Syncable._change_event`.
Then the widget's parameters keep (or get back) their last good values, and on the session's next
tick the browser is sent those values, so the widget snaps back: sent even where the server's model
already holds them, because Bokeh sends only changes. The session is told in one short sentence
with the bad value cut to about 40 characters (`report_to` says where), and the log gets one
WARNING line instead of Panel's and Tornado's tracebacks. (A refused patch also no longer leaves its
session's document as the whole process's curdoc(), which Bokeh's patch_curdoc does on an exception.)

Nothing per session is kept here: where to report is an attribute of the session's own Document.
Imports Panel, Bokeh and nnviz.state.parse; nothing else of nnviz.
"""
from __future__ import annotations

import contextvars
import logging
import numbers

from bokeh.core.property.descriptors import UnsetValueError
from bokeh.document.events import ModelChangedEvent
from bokeh.io import doc as bokeh_doc
from bokeh.protocol.messages.patch_doc import patch_doc
from panel.io.state import set_curdoc
from panel.reactive import Syncable

from ..state.parse import clip

REFUSED = (ValueError, IndexError, TypeError, KeyError)    # what a refused value raises (as entry.QUIET)
SINK = "_nnviz_refusals"          # the attribute of a session's Document holding its report function
log = logging.getLogger("nnviz")
UNSET = object()                  # a model property with no value yet
_handling = contextvars.ContextVar("nnviz_guard_handling", default=False)   # per call, not per session


def install():
    """Wrap Panel's and Bokeh's apply steps (idempotent: the wrappers mark themselves)."""
    if not getattr(Syncable._change_event, "_nnviz_guard", False):
        Syncable._change_event = _guard_panel(Syncable._change_event)
    if not getattr(patch_doc.apply_to_document, "_nnviz_guard", False):
        patch_doc.apply_to_document = _guard_bokeh(patch_doc.apply_to_document)
    panel_log = logging.getLogger("panel.reactive")
    if not any(isinstance(f, _Hush) for f in panel_log.filters):
        panel_log.filters.insert(0, _Hush())     # first: entry's one-line filter would rewrite the record


def installed() -> bool:
    """True once install() ran in this process."""
    return bool(getattr(Syncable._change_event, "_nnviz_guard", False)
                and getattr(patch_doc.apply_to_document, "_nnviz_guard", False))


def report_to(doc, tell):
    """Send this session's refusals to tell(text) (its state's message); a no-op without a served doc."""
    if doc is not None:
        setattr(doc, SINK, tell)


class _Hush(logging.Filter):
    """Panel logs a refused value with a traceback before raising it; while this module handles
    that refusal the record is dropped (the refusal gets its own one line)."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        return not (_handling.get() and isinstance(exc, REFUSED))


# --- the two wrapped steps -------------------------------------------------------------------

def _guard_panel(original):
    def _change_event(self, doc):
        if getattr(doc, "session_context", None) is None:      # a notebook or no server: as Panel does
            return original(self, doc)
        events = dict(self._events)                            # `original` empties self._events
        before = {p: getattr(self, p) for p in _param_names(self, events)}
        outside = _outside(self, events)
        token = _handling.set(True)
        try:
            if outside:          # a slider's or number box's own bounds: the parameter may not check them
                self._events = {}
                raise ValueError(f"{outside[0]} {clip(outside[1])} is outside the widget's bounds")
            original(self, doc)
        except REFUSED as exc:
            attr, bad = outside or next(iter(events.items()), ("value", None))
            _later(doc, lambda exc=exc: _refused_panel(self, doc, events, before, (attr, bad), exc))
        finally:
            _handling.reset(token)
    _change_event._nnviz_guard = True
    return _change_event


def _guard_bokeh(original):
    def apply_to_document(self, doc, setter=None):
        if getattr(doc, "session_context", None) is None:      # a client's document: not ours to guard
            return original(self, doc, setter)
        try:
            changes = _changes(doc, self.content)
        except Exception:           # noqa: BLE001 -- reading the patch must never stop a good one
            changes = []
        depth = len(bokeh_doc._PATCHED_CURDOCS)
        try:
            original(self, doc, setter)
        except REFUSED as exc:
            _later(doc, lambda exc=exc: _refused_patch(doc, changes, exc))
        finally:
            # Bokeh's patch_curdoc has no try/finally: a patch that raises leaves this session's
            # document as every later curdoc() of the process (other sessions' included).
            del bokeh_doc._PATCHED_CURDOCS[depth:]
    apply_to_document._nnviz_guard = True
    return apply_to_document


def _changes(doc, content) -> list:
    """(model, attr, value sent, value before) of every property change in a PATCH-DOC."""
    out = []
    for e in (content or {}).get("events", []):
        model = doc.get_model_by_id(e["model"].get("id")) if isinstance(e.get("model"), dict) else None
        attr = e.get("attr")
        if model is not None and attr in model.properties():
            out.append((model, attr, e.get("new", e.get("data")), _value(model, attr)))
    return out


def _value(model, attr):
    """The model's value, or UNSET (a property only the browser sets, such as a figure's inner_width)."""
    try:
        return getattr(model, attr)
    except UnsetValueError:
        return UNSET


# --- after a refusal ---------------------------------------------------------------------------

def _refused_panel(widget, doc, events, before, refused, exc):
    """Put the widget's good values back, show them in the browser, tell the session."""
    attr, bad = refused
    moved = {p: v for p, v in before.items() if getattr(widget, p) is not v}   # a watcher raised after the set
    if moved:
        try:
            widget.param.update(**moved)
        except REFUSED:
            pass
    good = widget._process_param_change({p: getattr(widget, p) for p in before})
    good = {a: v for a, v in good.items() if a in events}      # only properties the browser sends
    for ref, (model, _) in list(widget._models.items()):
        if model.document is doc:
            _send(doc, model, good, widget._changing.setdefault(ref, []))
    kept = [getattr(widget, p) for p in _param_names(widget, {attr: bad})]
    label = getattr(widget, "label", "") or widget.name
    _tell(doc, refusal(label, bad, kept[0] if kept else None, _bounds(widget, ("start", "end"))), exc)


def _refused_patch(doc, changes, exc):
    """Put back what the patch changed before it failed (a Python callback may have raised after the
    set), send it to the browser, tell the session."""
    for model, attr, _, before in changes:
        if before is not UNSET:
            _send(doc, model, {attr: before})
    model, attr, bad, good = changes[0] if changes else (None, "value", None, None)
    good = None if good is UNSET else good
    label = (getattr(model, "title", None) or getattr(model, "name", None) or "") if model is not None else ""
    bounds = _bounds(model, ("start", "end")) or _bounds(model, ("low", "high"))
    _tell(doc, refusal(label, bad, good, bounds), exc)


def _send(doc, model, values, changing=None):
    """Give the browser these values of `model`, also the ones the server's model holds already.

    A value the server's model lacks is set on it (named in Panel's `changing` list, so Panel takes
    the echo for its own update and does not apply it back); one it holds is sent as a change event."""
    for attr, value in values.items():
        if attr not in model.properties():
            continue
        held = _value(model, attr)
        if held is not UNSET and model.lookup(attr).property.matches(held, value):
            doc.callbacks.trigger_on_change(ModelChangedEvent(doc, model, attr, value))
        else:
            if changing is not None:
                changing.append(attr)
            setattr(model, attr, value)


def _tell(doc, text, exc):
    log.warning("nnviz: a page's value refused: %s [%s]", text, clip(exc, 80))
    tell = getattr(doc, SINK, None)
    if tell is not None:
        tell(text)


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


def _outside(widget, events):
    """(attr, value) of a number the browser sent past the widget's bounds, NaN included."""
    editable = "fixed_start" in widget.param          # an editable slider may pass start..end, not these
    bounds = _bounds(widget, ("fixed_start", "fixed_end") if editable else ("start", "end"))
    for attr in ("value", "value_throttled"):
        v = events.get(attr)
        if bounds and isinstance(v, numbers.Real) and not bounds[0] <= v <= bounds[1]:
            return attr, v
    return None


def _param_names(widget, events) -> list:
    """The parameters that the browser properties named in `events` set."""
    back = {prop: p for p, prop in widget._property_mapping.items() if prop}
    names = [back.get(a, a) for a in events]
    return [p for p in names if p in widget.param and widget._property_mapping.get(p, p) is not None]


def _later(doc, callback):
    """Run callback on the session's next tick, with the document current (safe from any thread)."""
    def run():
        with set_curdoc(doc):
            callback()
    doc.add_next_tick_callback(run)
