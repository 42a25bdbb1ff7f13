"""The App: one per browser session. Composes state, controls, graph and lesson views; mirrors the URL."""
from __future__ import annotations

from pathlib import Path

import panel as pn
import param

from .controls import Controls
from .graph import NetworkGraph
from .settings import NetworkState, _first
from .weight_editor import WeightEditor

STATIC = Path(__file__).resolve().parent.parent / "static"
EXTENSIONS = ("katex",)             # Panel extensions the views need (KaTeX for pn.pane.LaTeX)


def _lesson_views():
    """(key, title, factory) of the lesson's views, imported lazily so the graph works on its own."""
    try:
        from .views import VIEW_FACTORIES
    except ImportError:
        return []
    return VIEW_FACTORIES


class App(pn.viewable.Viewer):
    """nnviz for one browser session: nothing here is shared with another session."""

    view = param.String(default="network")

    def __init__(self, query: dict | None = None, **params):
        super().__init__(**params)
        _guard_request_uri()
        self.state = NetworkState()
        self.graph = NetworkGraph(self.state)
        self.controls = Controls(self.state)
        self.editor = WeightEditor(self)
        network_tab = pn.Column(self.graph, self.editor, sizing_mode="stretch_width")
        self._views = [("network", "Network", network_tab)]
        for key, title, factory in _lesson_views():
            self._views.append((key, title, factory(self)))
        from .train_view import TrainingView
        from .views.common import LazyTab
        self.training = LazyTab(self, "train", TrainingView)      # built when the tab first opens
        self._views.append(("train", "Training", self.training))
        from .digits_view import DigitsView
        self.digits = LazyTab(self, "digits", DigitsView)
        self._views.append(("digits", "Digits", self.digits))
        self.tabs = pn.Tabs(*[(title, v) for _, title, v in self._views], dynamic=False,
                            sizing_mode="stretch_width", name="views")
        if query is None and pn.state.curdoc is not None and pn.state.curdoc.session_context:
            query = pn.state.session_args
        self.apply_query(query or {})
        self.tabs.param.watch(self._on_tab, "active")
        self.state.param.watch(lambda *_: self._push_url(), ["structure", "preset", "seed"])
        self.state.param.watch(lambda *_: self._push_url_later(), "x")
        self._url_pending = False

    # --- URL ---------------------------------------------------------------------------------

    def apply_query(self, args: dict):
        refused = self.state.apply_query(args)
        view = _first(args.get("view"))
        keys = [k for k, _, _ in self._views]
        if view is not None:
            view = str(view)
            if view in keys:
                self.view = view
                self.tabs.active = keys.index(view)
            else:
                refused.append(f"view: {view[:40]!r} is not a view; choose one of {', '.join(keys)}")
        if refused:
            self.state.message = "Ignored from the link: " + "; ".join(refused)
        return refused

    def query(self) -> dict:
        return {"view": self.view, **self.state.to_query()}

    def _on_tab(self, event):
        self.view = self._views[event.new][0]
        self._push_url()

    def _push_url_later(self, delay_ms: int = 300):
        """Coalesce URL updates while a slider moves: the picture first, the address bar after."""
        doc = pn.state.curdoc
        if doc is None or not doc.session_context:
            return
        if not self._url_pending:
            self._url_pending = True

            def push():
                self._url_pending = False
                self._push_url()
            doc.add_timeout_callback(push, delay_ms)

    def _push_url(self):
        loc = pn.state.location
        if loc is not None and pn.state.curdoc is not None and pn.state.curdoc.session_context:
            loc.update_query(**self.query())

    # --- page ----------------------------------------------------------------------------------

    def __panel__(self):
        header = pn.pane.HTML(
            '<div class="nnviz-header"><span class="nnviz-title">nnviz</span>'
            '<span class="nnviz-tagline">see what a neural network computes</span></div>',
            sizing_mode="stretch_width", margin=0)
        side = pn.Column(self.controls, width=300, margin=(0, 10), styles={"overflow-y": "auto"})
        return pn.Column(header, pn.Row(side, self.tabs, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")


def _guard_request_uri():
    """Escape a second '?' in the request URI: Panel's Location splits on '?' and would fail with a 500."""
    ctx = getattr(pn.state.curdoc, "session_context", None)
    inner = getattr(getattr(ctx, "request", None), "_request", None)
    uri = getattr(inner, "uri", None)
    if isinstance(uri, str) and uri.count("?") > 1:
        head, _, tail = uri.partition("?")
        inner.uri = head + "?" + tail.replace("?", "%3F")


def stylesheet() -> str:
    return (STATIC / "nnviz.css").read_text()


def extension():
    """Load the Panel extensions and page styles nnviz needs (call once before serving)."""
    pn.extension(*EXTENSIONS, raw_css=[stylesheet()], notifications=False)
