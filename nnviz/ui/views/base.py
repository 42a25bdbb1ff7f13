"""What every view shares: a lazy tab that builds its view when first opened, and the lazy-refresh base.

A view is built from the session state alone (`View(state)`); it reads and writes that state and
keeps no second copy of anything the state holds.
"""
from __future__ import annotations

import panel as pn

from ..figures import lighten, scale_fonts


class LessonView(pn.viewable.Viewer):
    """A view that redraws on state changes only while its tab is open (else it marks itself stale)."""

    key = ""

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state = state
        self._stale = False
        state.param.watch(self._on_view, "view")

    @property
    def active(self) -> bool:
        return self.state.view == self.key

    def watch(self, *names):
        """Refresh (now or when next opened) when these state parameters change."""
        self.state.param.watch(self._changed, list(names or ("trace",)))

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


class LazyTab(pn.viewable.Viewer):
    """A tab's placeholder that builds its view the first time the tab is opened.

    Every session builds all tabs' layouts at page load; building the views only when first shown
    keeps that cheap (and a closed tab costs nothing on later updates).
    """

    def __init__(self, state, key: str, build, **params):
        super().__init__(**params)
        self.state, self.key, self._build = state, key, build
        self.view = None
        self._layout, self._font_base, self.scale, self._drawn_scale = None, {}, 1.0, 1.0
        self._holder = pn.Column(sizing_mode="stretch_width", min_height=300, name=f"tab-{key}")
        state.param.watch(lambda e: self.ensure() if e.new == key else None, "view")

    def ensure(self):
        """The view, built now if this is the first time it is needed."""
        if self.view is None:
            with pn.io.hold():                                  # the new models leave in one batch
                self.view = self._build(self.state)
                layout = pn.panel(self.view)
                for pane in layout.select(pn.pane.Bokeh):          # before its models reach a page
                    lighten(pane.object)
                self._layout = layout
                self.present(self.scale)
                self._holder.objects = [layout]
        return self.view

    def present(self, scale: float):
        """The fonts of the view's figures at `scale` times their size (presentation mode; 1: normal)."""
        self.scale = scale
        if self._layout is None or scale == self._drawn_scale:     # fonts are as built at 1: nothing to do
            return
        self._drawn_scale = scale
        graph = getattr(self.view, "graph", None)              # a network graph sizes its own text
        for pane in self._layout.select(pn.pane.Bokeh):
            scale_fonts(pane.object, scale, self._font_base, glyphs=graph is None or pane.object is not graph.fig)

    def __panel__(self):
        return self._holder
