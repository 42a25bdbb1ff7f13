"""The App: one per browser session. One state, the sidebar and every view's tab; mirrors the link."""
from __future__ import annotations

from pathlib import Path

import panel as pn

from ..state import link
from ..state.session import SessionState
from ..state.settings import GROUPS
from . import session
from .controls import Controls
from .views import VIEWS
from .views.base import LazyTab

STATIC = Path(__file__).resolve().parent / "static"
STYLESHEET = STATIC / "nnviz.css"
PAGE_JS = STATIC / "page.js"
EXTENSIONS = ("katex",)             # Panel extensions the views need (KaTeX for pn.pane.LaTeX)
URL_DELAY_MS = 300                  # the picture first, the address bar after a pause


class App(pn.viewable.Viewer):
    """nnviz for one browser session: nothing here is shared with another session."""

    def __init__(self, query: dict | None = None, **params):
        super().__init__(**params)
        session.guard_request_uri()
        session.run_js_when_ready(PAGE_JS.read_text())
        self.keys = [key for key, _, _ in VIEWS]
        self.state = SessionState(views=self.keys)
        self.controls = Controls(self.state)
        self.tabs_content = {key: LazyTab(self.state, key, build) for key, _, build in VIEWS}
        self.tabs = pn.Tabs(*[(title, self.tabs_content[key]) for key, title, _ in VIEWS], dynamic=False,
                            sizing_mode="stretch_width", name="views")
        self.apply_query(session.query_args() if query is None else query)
        self.tabs.param.watch(lambda e: setattr(self.state, "view", self.keys[e.new]), "active")
        self.state.param.watch(self._on_view, "view")
        self._cancel_url = None
        for owner in self._link_owners():
            owner.param.watch(lambda *_: self._push_url_later(), list(owner.param))

    def view(self, key: str):
        """The view object of a tab (built now if it was not yet)."""
        return self.tabs_content[key].ensure()

    @property
    def graph(self):
        """The Network tab's graph (sources `nodes`, `edges`)."""
        return self.view("network").graph

    @property
    def editor(self):
        return self.view("network").editor

    # --- the link ---------------------------------------------------------------------------

    def apply_query(self, args: dict):
        refused = link.read(self.state, args)
        self.tabs.active = self.keys.index(self.state.view)
        if refused:
            self.state.message = "Ignored from the link: " + "; ".join(refused)
        return refused

    def query(self) -> dict:
        return link.write(self.state)

    def _link_owners(self):
        return [self.state] + [getattr(self.state, g) for g in GROUPS]

    def _on_view(self, event):
        self.tabs.active = self.keys.index(event.new)

    def _push_url_later(self):
        """Debounced: while values keep changing (a slider, training) the address bar waits."""
        if self._cancel_url is not None:
            self._cancel_url()
        self._cancel_url = session.later(self._push_url, URL_DELAY_MS)

    def _push_url(self):
        self._cancel_url = None
        session.set_query(self.query())

    # --- page ----------------------------------------------------------------------------------

    def __panel__(self):
        header = pn.pane.HTML(
            '<header class="nnviz-header"><h1 class="nnviz-title">nnviz</h1>'
            '<span class="nnviz-tagline">see what a neural network computes</span></header>',
            sizing_mode="stretch_width", margin=0)
        side = pn.Column(self.controls, width=300, margin=(0, 10), styles={"overflow-y": "auto"},
                         css_classes=["nnviz-side"])
        main = pn.Column(self.tabs, sizing_mode="stretch_width", css_classes=["nnviz-main"], margin=0)
        return pn.Column(header, pn.Row(side, main, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")


def stylesheet() -> str:
    return STYLESHEET.read_text()


def extension():
    """Load the Panel extensions and page styles nnviz needs (call once before serving)."""
    pn.extension(*EXTENSIONS, raw_css=[stylesheet()], notifications=False)

