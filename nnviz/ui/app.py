"""The App: one per browser session. One state, the sidebar and every view's tab; mirrors the link."""
from __future__ import annotations

from pathlib import Path

import panel as pn
from bokeh.models import ColumnDataSource

from ..state import link
from ..state.session import GROUPS, SessionState
from . import refusals, session
from .controls import Controls
from .follow import Classroom
from .parts import WrapRow
from .views import VIEWS
from .views.base import LazyTab

STATIC = Path(__file__).resolve().parent / "static"
STYLESHEET = STATIC / "nnviz.css"
PAGE_JS = STATIC / "page.js"
EXTENSIONS = ("katex",)             # Panel extensions the views need (KaTeX for pn.pane.LaTeX)
URL_DELAY_MS = 300                  # the picture first, the address bar after a pause
PRESENT_HELP = ("<span class='nnviz-present-keys'>PageDown / PageUp (a clicker) or the arrow keys: next / "
                "previous view · P: leave</span>")
NARROW = 800                        # px: below this the controls fold away (CSS) and colour bars hide
# On a narrow screen the tab headers wrap onto more lines, so every tab stays in sight and tappable
# (Bokeh's header otherwise clips the tabs that do not fit). The header is in the Tabs' shadow root.
TABS_CSS = (f"@media (max-width: {NARROW}px) {{ .bk-header, .bk-headers-wrapper {{ flex-wrap: wrap !important; "
            "overflow: visible !important; }} }}")
# On a phone the header's buttons would cover the title: the title takes a line of its own.
BAR_CSS = (f"@media (max-width: {NARROW}px) {{ :host {{ flex-wrap: wrap !important; }} "
           ".nnviz-title-pane { flex: 1 1 100% !important; width: 100% !important; } }")


class App(pn.viewable.Viewer):
    """nnviz for one browser session: nothing here is shared with another session."""

    def __init__(self, query: dict | None = None, *, network=None, **settings):
        """query: a link's values (the served page's own by default). network: a core.Network to show.
        settings: the state's names as Python values, e.g. App(sizes=(2, 3, 1), activation="tanh",
        view="train", x=[0.5, -1], train={"lr": 0.03}); a bad value is a ValueError saying why."""
        super().__init__(**{k: settings.pop(k) for k in list(settings) if k in self.param})
        session.run_js_when_ready(PAGE_JS.read_text())
        self.keys = [key for key, _, _ in VIEWS]
        self.state = SessionState(views=self.keys)
        self.controls = Controls(self.state)
        self.tabs_content = {key: LazyTab(self.state, key, build) for key, _, build in VIEWS}
        self.tabs = pn.Tabs(*[(title, self.tabs_content[key]) for key, title, _ in VIEWS], dynamic=False,
                            sizing_mode="stretch_width", name="views", stylesheets=[TABS_CSS],
                            css_classes=["nnviz-views"])
        self._page_parts()
        self._root, self.scale = None, 1.0
        refusals.watch(session.document(), self._widgets, lambda text: setattr(self.state, "message", text))
        self.apply_query(session.query_args() if query is None else query)
        if network is not None:
            if not self.state.install(network.copy(), preset="custom", custom_weights=True):
                raise ValueError(self.state.message)
        if settings:
            refused = self.apply_query(link.keywords(self.state, settings))
            if refused:
                raise ValueError("; ".join(refused))
        # The open tab's view (the others when first opened): in a served page once the page has loaded, so
        # the server answers the page in two short steps rather than one long one (see server/admission.py).
        session.once_loaded(self._open_view)
        self.tabs.param.watch(self._on_tab, "active")
        self.state.param.watch(self._on_view, "view")
        self.state.param.watch(lambda e: self._apply_present(), "present")
        self._apply_present()
        self._cancel_url = None
        self.classroom = Classroom(self.state, session.query_args() if query is None else query,  # ?teach, ?follow
                                   view_of=lambda key: self.tabs_content[key].view,
                                   address_changed=self._push_url_later)
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

    def _widgets(self) -> list:
        """Every Panel widget on the page now, and the tabs (where a refused value's kept value is read)."""
        return [*(self._root.select(pn.widgets.Widget) if self._root is not None else []), self.tabs]

    def _link_owners(self):
        return [self.state] + [getattr(self.state, g) for g in GROUPS]

    def _open_view(self):
        self.view(self.state.view)
        self._apply_present()               # presentation size and phone width reach a view built now

    def _on_tab(self, event):
        with pn.io.hold():                  # the view built now and every view's refresh: one batch
            self.state.view = self.keys[event.new]

    def _on_view(self, event):
        with pn.io.hold():
            self.tabs.active = self.keys.index(event.new)
            self._apply_present()

    # --- presentation mode and phones -------------------------------------------------------------

    def _page_parts(self):
        self.present_hint = pn.pane.HTML(PRESENT_HELP, visible=False, margin=(12, 8),
                                         css_classes=["nnviz-present-hint"])
        self.present_toggle = pn.widgets.Toggle(label="Present (P)", color="light", width=120, margin=(6, 6),
                                                css_classes=["nnviz-present-toggle"])
        self.copy_link = pn.widgets.Button(label="Copy link", color="light", width=100, margin=(6, 6),
                                           css_classes=["nnviz-copy-link"],
                                           description="Copy the link of what you see (the page's own address)")
        self.copied = pn.pane.HTML("", margin=(12, 4), css_classes=["nnviz-copied"])
        self.copy_link.on_click(lambda e: setattr(self.copied, "object", "link copied"))
        self.controls_toggle = pn.widgets.Toggle(label="Controls", color="light", width=100, margin=(6, 6),
                                                 css_classes=["nnviz-phone-only"])
        self.side = pn.Column(self.controls, width=300, margin=(0, 10), styles={"overflow-y": "auto"},
                              css_classes=["nnviz-side"])
        self.present_toggle.param.watch(lambda e: setattr(self.state, "present", e.new), "value")
        self.controls_toggle.param.watch(self._open_controls, "value")
        self.viewport = ColumnDataSource(name="viewport", data={"w": [1280], "h": [720], "visible": [1]})
        session.add_model(self.viewport)
        self.viewport.on_change("data", lambda attr, old, new: self._on_viewport())

    def _open_controls(self, event):
        """On a phone the sidebar is a panel over the view that this toggle opens and closes."""
        classes = [c for c in self.side.css_classes if c != "nnviz-open"]
        self.side.css_classes = classes + (["nnviz-open"] if event.new else [])

    def _on_viewport(self):
        visible = self.viewport.data.get("visible") or [1]
        with pn.io.hold():
            self.state.page_visible = bool(visible[0])
            self._apply_present()

    def _apply_present(self):
        """Presentation mode: no sidebar, the graph as tall as the screen allows, every text scaled with the
        screen's height (1 at 720 px, 1.5 on a 1080p projector: 12 px becomes 18 px)."""
        on = bool(self.state.present)
        self.present_toggle.value = on
        self.side.visible = not on
        self.present_hint.visible = on
        h = int(self.viewport.data["h"][0]) if self.viewport.data["h"] else 720
        w = int(self.viewport.data["w"][0]) if self.viewport.data["w"] else 1280
        self.scale = min(max(h / 720, 1.0), 2.0) if on else 1.0
        if self._root is not None:
            self._root.styles = self._scale_styles()
        for tab in self.tabs_content.values():
            tab.present(self.scale)
        built = self.tabs_content["network"].view
        if built is not None:
            built.graph.present(max(h - 150, 300) if on else None, min(max(self.scale, (h - 150) / 650), 2.2))
            built.graph.set_narrow(w < NARROW)
        train = self.tabs_content["train"].view
        if train is not None:
            train.present(h if on else None, self.scale)
        forward = self.tabs_content["forward"].view
        if forward is not None:
            forward.graph.present(max(int(h * 0.45), forward.graph_height) if on else None, self.scale)

    def _scale_styles(self) -> dict:
        """CSS variables every part of the page reads its font size from (they cross shadow roots)."""
        return {"--nnviz-scale": f"{self.scale:.3f}", "--bokeh-font-size": f"{round(12 * self.scale)}px"}

    def _push_url_later(self):
        """Debounced: while values keep changing (a slider, training) the address bar waits."""
        self.classroom.changed()
        if self._cancel_url is not None:
            self._cancel_url()
        self._cancel_url = session.later(self._push_url, URL_DELAY_MS)

    def _push_url(self):
        self._cancel_url = None
        session.set_query(self.classroom.address(self.query()))

    # --- page ----------------------------------------------------------------------------------

    def __panel__(self):
        title = pn.pane.HTML(
            '<header class="nnviz-header"><h1 class="nnviz-title">nnviz</h1>'
            '<span class="nnviz-tagline">see what a neural network computes</span></header>',
            sizing_mode="stretch_width", margin=0, css_classes=["nnviz-title-pane"])
        header = WrapRow(title, self.controls_toggle, self.copied, self.present_hint, self.classroom.teach,
                        self.copy_link, self.present_toggle,
                        sizing_mode="stretch_width", margin=0, css_classes=["nnviz-bar"], stylesheets=[BAR_CSS])
        main = pn.Column(self.tabs, sizing_mode="stretch_width", css_classes=["nnviz-main"], margin=0)
        self._root = pn.Column(header, self.classroom.panel, WrapRow(self.side, main, sizing_mode="stretch_width"),
                               sizing_mode="stretch_width", styles=self._scale_styles())
        return self._root


def stylesheet() -> str:
    return STYLESHEET.read_text()


def extension():
    """Load the Panel extensions and page styles nnviz needs (call once before serving)."""
    pn.extension(*EXTENSIONS, raw_css=[stylesheet()], notifications=False)

