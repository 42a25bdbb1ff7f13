"""The network drawn as a Bokeh graph, built once per session and updated by mutating its sources.

Data contract: ColumnDataSource `nodes` (layer, unit, z, a, bias, ...) and `edges`
(layer, src, dst, weight, src_row, ...), prefixed for a second drawing (the Training tab's
`train_nodes`, `train_edges`). A structural change replaces the sources' data; a weight change
restyles `edges`; an input sends only the value columns of `nodes` (an edge's hover reads its w·a
from `nodes`, by `src_row`), drawn on Bokeh's top canvas while the rest keeps its pixels, and paced
by the browser's receipts (_pace). With maps=True every neuron is a small square holding its
heat-map over the input plane (source `<prefix>maps`, images set by the owner with set_maps()).
"""
from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.models import (BoxAnnotation, ColorBar, ColumnDataSource, CustomJS, CustomJSHover, HoverTool, Legend,
                          LegendItem, LinearColorMapper, Range1d, TapTool)

EDGE_TRIM = 0.3                 # edges answer the pointer only on their middle 40 %: nodes keep their ends
TITLE_CHAR_PX = 7.5              # px per character of a 12 px layer title (a generous average)
FRAME_CHROME = 95               # px of a graph figure's height taken by toolbar, titles and the legend
DESCRIBE_DELAY_MS = 400        # the hidden text table trails the drawing by this much
RECEIPT_WAIT_MS = 300          # an update the browser has not confirmed by then lets the next one go

from ..encode import colours as col
from ..encode import layout as lay
from ..encode.labels import describe_html, edge_columns, node_columns
from ..state.session import SessionState
from . import session
from .figures import bare, plain


class NetworkGraph(pn.viewable.Viewer):
    """Neurons as circles per layer, edges as segments; node colour = activation, edge = weight."""

    def __init__(self, state: SessionState, height: int = 470, prefix: str = "", view: str = "network",
                 maps: bool = False, caption: bool = True, served: bool = True, **params):
        """prefix names the sources and figure; view is the tab that shows it (it redraws only there).
        served=False draws for a file (nnviz/ui/standalone.py): no Python callbacks, as nothing would call them."""
        super().__init__(**params)
        self.state, self.view_key, self.with_maps, self.height = state, view, maps, height
        self.served = served
        self._normal_height, self.scale = height, 1.0
        self.nodes = ColumnDataSource(name=f"{prefix}nodes")
        self.edges = ColumnDataSource(name=f"{prefix}edges")
        self.marks = ColumnDataSource(name=f"{prefix}layer_labels", data={"x": [], "y": [], "text": []})
        self.bias_labels = ColumnDataSource(name=f"{prefix}bias_labels",
                                            data={"x": [], "y": [], "btext": [], "offset": []})
        self.maps = ColumnDataSource(name=f"{prefix}maps", data={"image": [], "x": [], "y": [], "side": []})
        self.input_mapper = LinearColorMapper(palette=col.ACTIVATION, low=-1, high=1)
        self.hidden_mapper = LinearColorMapper(palette=col.ACTIVATION, low=0, high=1)
        self.output_mapper = LinearColorMapper(palette=col.ACTIVATION, low=0, high=1)
        self.map_mapper = LinearColorMapper(palette=col.ACTIVATION, low=-1, high=1)
        self.fig = self._figure(height, f"{prefix}graph" if prefix else "network")
        self._seen = (None, None)
        self._edge_rows = None
        self._bias_stale = False
        self._stale = False
        self._label_masks = (False, False)
        self._cancel_wait, self._behind = None, False
        if served:
            self._pace(prefix)
        self.refresh()
        self._on_received()     # the first drawing reaches the page with the models: no receipt will come
        state.param.watch(self._on_trace, "trace")
        state.param.watch(self._on_view, "view")
        state.forward.param.watch(self._shade, "step")
        self._pane = pn.pane.Bokeh(self.fig, sizing_mode="stretch_width", height=height)
        # The canvas as text for screen readers (visually hidden), kept in step with `nodes`.
        self.describe = pn.pane.HTML("", css_classes=["nnviz-sr-only"], name=f"{prefix}describe",
                                     visible=not prefix)
        self._describe()
        self._caption = pn.pane.HTML(
            '<div class="nnviz-caption"><b>How to read it:</b> an edge\'s <b>width</b> is |w| and its '
            '<b>colour</b> the sign (blue +, brown −); a neuron\'s <b>fill</b> is its activation a, its '
            '<b>ring</b> the bias b. <b>Hover</b> a neuron for z = Σ w·a + b with the real numbers, '
            'an edge (away from its neurons) for its contribution w·a; <b>click</b> an edge to edit its '
            'weight. A faint edge has w = 0 exactly (L1 killed it).</div>', sizing_mode="stretch_width",
            margin=(0, 10), visible=caption)

    def __panel__(self):
        return pn.Column(self._pane, self._caption, self.describe, sizing_mode="stretch_width")

    # --- build once -------------------------------------------------------------------------

    def _figure(self, height, name):
        fig = bare(name=name, height=height, sizing_mode="stretch_width", tools="pan,wheel_zoom,reset,save",
                   x_range=Range1d(-0.6, 3.6), y_range=Range1d(-3, 3), toolbar_location="above",
                   active_scroll=None)
        fig.min_border_left = fig.min_border_right = 10
        if self.served:
            fig.on_change("inner_width", lambda attr, old, new: self._on_width())
        # Bokeh paints a plot on two canvases and repaints one only when something on it changed. An input
        # changes the neurons and their values: those live on the top canvas (level "overlay"); the
        # edges, bias labels, legend and colour bars below keep their pixels until the weights change.
        self.highlight = BoxAnnotation(left=0, right=0, fill_color=col.HIGHLIGHT, fill_alpha=0.0, line_alpha=0,
                                       level="underlay")
        fig.add_layout(self.highlight)
        er = fig.segment("x0", "y0", "x1", "y1", source=self.edges, line_width="width", line_color="color",
                         line_alpha="alpha", selection_line_color=col.ACCENT, selection_line_alpha=1.0,
                         nonselection_line_alpha="alpha")
        text = dict(text_font_size=f"{lay.FONT_PX}px", text_baseline="middle", background_fill_color="white",
                    background_fill_alpha=0.8, padding=1)
        self.bias_text = fig.text("x", "y", text="btext", source=self.bias_labels, x_offset="offset",
                                  y_offset=lay.BIAS_OFFSET_PX, text_align="left", text_color=col.SUBTLE, **text)
        self.layer_text = fig.text("x", "y", text="text", source=self.marks, text_align="center", text_font_size="12px",
                                   text_font_style="bold", text_color=col.TEXT)
        # The pointer's target for edges: the middle of each edge, invisible, so a neuron's hover and
        # click never pick up the edges that end under it.
        hit = fig.segment("hx0", "hy0", "hx1", "hy1", source=self.edges, line_width=9, line_alpha=0.0,
                          hover_line_alpha=0.5, hover_line_color=col.TEXT, selection_line_alpha=0.0,
                          nonselection_line_alpha=0.0)
        nr = self._neurons(fig)
        self.value_text = fig.text("x", "y", text="label", source=self.nodes, x_offset="offset",
                                   text_align="left", text_color=col.TEXT, level="overlay", **text)
        fig.add_tools(HoverTool(renderers=[nr], tooltips=[("", "@name"), ("", "@formula"), ("", "@afx")]),
                      HoverTool(renderers=[hit], tooltips=[("", "@name"), ("weight w", "@weight{0.[000]}"),
                                                           ("w·a", "@weight{0.[000]} × @src_row{a} = @src_row{wa}")],
                                formatters={"@src_row": self._contribution()}, line_policy="interp"),
                      TapTool(renderers=[hit, nr]))
        self.edge_renderer, self.node_renderer, self.hit_renderer = er, nr, hit
        plain(er, hit, nr, selectable=True)
        plain(self.bias_text, self.layer_text, self.value_text)
        self._legend(fig)
        self._colour_bars(fig)
        return fig

    def _contribution(self):
        """The hovered edge's a (of its source neuron, read from `nodes`) or w·a, as '0.[000]' formats.

        Computed in the browser when hovered, so an input change sends `nodes` alone."""
        return CustomJSHover(args={"nodes": self.nodes, "edges": self.edges}, code="""
            const a = nodes.data.a[value];
            const v = format === 'wa' ? edges.data.weight[special_vars.index] * a : a;
            return Number.isFinite(v) ? String(Number(v.toFixed(3))) : String(v);""")

    def _neurons(self, fig):
        """Circles filled with a; with maps, squares framing each neuron's heat-map (drawn under them)."""
        if not self.with_maps:
            return fig.scatter("x", "y", source=self.nodes, size="size", fill_color="fill", line_color="ring",
                               line_width="ring_width", hover_line_color=col.TEXT, nonselection_fill_alpha=1.0,
                               nonselection_line_alpha=1.0, level="overlay")
        fig.image("image", source=self.maps, x="x", y="y", dw="side", dh="side", dw_units="screen",
                  dh_units="screen", anchor="center", color_mapper=self.map_mapper)
        return fig.rect("x", "y", width="size", height="size", width_units="screen", height_units="screen",
                        source=self.nodes, fill_alpha=0.0, line_color="ring", line_width="ring_width",
                        hover_line_color=col.TEXT, selection_line_color=col.ACCENT,
                        nonselection_line_alpha=1.0, hover_fill_alpha=0.0, level="overlay")

    def _colour_bars(self, fig):
        bars = [(self.input_mapper, "input x"), (self.hidden_mapper, "hidden a"), (self.output_mapper, "output a")]
        for mapper, title in bars:
            fig.add_layout(ColorBar(color_mapper=mapper, title=title, width=10, title_text_font_size="12px",
                                    major_label_text_font_size="12px", padding=4), "right")
        self.bars = fig.right[-3:]
        self.hidden_bar, self.output_bar = fig.right[-2], fig.right[-1]
        self.narrow = False
        for bar in self.bars:
            bar.visible = not self.with_maps     # maps mode: the owner's big map carries the scale

    def _legend(self, fig):
        """Sample segments that explain edge width (|w|) and colour (sign), a dead and the selected edge."""
        samples = [(w, f"w = {w:+g}", col.edge_colour([w])[0], float(col.EDGE_ALPHA)) for w in (1.5, 0.3, -0.3, -1.5)]
        samples += [(0.0, "w = 0 (dead)", col.edge_colour([0.0])[0], col.DEAD_ALPHA),
                    (1.0, "selected", col.ACCENT, 1.0)]
        # One renderer whose rows are the samples (never drawn: NaN ends); each legend entry shows its row.
        nan = [np.nan] * len(samples)
        src = ColumnDataSource({"x0": nan, "y0": nan, "x1": nan, "y1": nan,
                                "width": [float(col.edge_width(w)) for w, *_ in samples],
                                "color": [c for _, _, c, _ in samples], "alpha": [a for *_, a in samples]})
        r, = plain(fig.segment("x0", "y0", "x1", "y1", source=src, line_width="width", line_color="color",
                               line_alpha="alpha"))
        items = [LegendItem(label=label, renderers=[r], index=i) for i, (_, label, _, _) in enumerate(samples)]
        self.legend = Legend(items=items, orientation="horizontal", title="edges: width |w|, colour sign",
                             title_text_font_size="12px", label_text_font_size="12px", spacing=4,
                             border_line_alpha=0, glyph_width=16, label_standoff=2, ncols=self._legend_cols())
        fig.add_layout(self.legend, "below")

    def _legend_cols(self) -> int:
        """Six entries on one line, or two lines of three where the graph is narrow (beside the training
        settings, or on a phone, where one line would be wider than the screen)."""
        return 3 if self.with_maps or getattr(self, "narrow", False) else 6

    # --- updates ----------------------------------------------------------------------------

    @property
    def drawn_structure(self):
        """The state's structure counter this drawing was last built for."""
        return self._seen[0]

    def _on_trace(self, *_):
        """Redraw now if the graph is on screen; otherwise when its tab opens (training stays light)."""
        if self.state.view == self.view_key:
            self.refresh()
        else:
            self._stale = True

    def _on_view(self, *_):
        if self.state.view == self.view_key and self._stale:
            self.refresh()
        self._shade()

    def _pace(self, prefix):
        """The browser confirms each `nodes` update it has taken in (source `<prefix>received` counts).

        A drag sends inputs faster than a browser draws a graph: sending an update for each one
        queues them up, and the picture trails the pointer further and further (0.3-1 s after two
        seconds at 60 Hz). So while an update is unconfirmed, value and weight changes only leave the
        drawing behind, and the newest state is sent on the receipt: one update waits in the browser
        while it paints the last, never a queue. (A hidden page may confirm nothing: RECEIPT_WAIT_MS.)"""
        self._received = ColumnDataSource(name=f"{prefix}received", data={"n": [0]})
        self.nodes.js_on_change("data", CustomJS(args={"received": self._received}, code="""
            setTimeout(() => { received.data = {n: [received.data.n[0] + 1]}; }, 0);"""))
        self._received.on_change("data", lambda attr, old, new: self._on_received())
        # _cancel_wait is set while an update is sent and not yet confirmed; _behind when a change came meanwhile

    def _on_received(self):
        if self._cancel_wait:
            self._cancel_wait()
        self._cancel_wait = None
        if self._behind:
            self._on_trace()

    def refresh(self):
        """Cheapest update that brings the drawing to the state's current trace (paced: see _pace)."""
        st = self.state
        if self._cancel_wait and self._seen[0] == st.structure:     # a new structure never waits
            self._behind = True
            return
        with pn.io.hold():
            if self._seen[0] != st.structure:
                self._structural()
            elif self._seen[1] != st.weights:
                self._restyle_edges()
                self._values()
            else:
                self._values()
            self._describe_soon()
        self._seen = (st.structure, st.weights)
        self._stale = self._behind = False
        if self.served and session.document() is not None:
            if self._cancel_wait:
                self._cancel_wait()
            self._cancel_wait = session.later(self._on_received, RECEIPT_WAIT_MS)

    def present(self, height_px: int | None, scale: float | None = None):
        """Presentation size: the figure `height_px` tall, fonts and neurons scaled with it, or by `scale`
        (None: normal)."""
        if (height_px, scale) == getattr(self, "_present_px", None):
            return
        self._present_px = (height_px, scale)
        self.scale = 1.0 if height_px is None else scale or float(np.clip(height_px / 650, 1.0, 2.2))
        self.height = self._normal_height if height_px is None else int(height_px)
        px = lambda base: f"{round(base * self.scale)}px"
        with pn.io.hold():
            self._pane.height = self.height
            self.fig.height = self.height
            self.value_text.glyph.text_font_size = self.bias_text.glyph.text_font_size = px(lay.FONT_PX)
            self.bias_text.glyph.y_offset = round(lay.BIAS_OFFSET_PX * self.scale)
            self.layer_text.glyph.text_font_size = px(12)
            self._seen = (None, None)            # positions, sizes and label room depend on the size
            self.refresh()

    def set_narrow(self, narrow: bool):
        """On a phone-width screen the colour bars give their room to the network (the caption explains)."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.legend.ncols = self._legend_cols()
        show = not narrow and not self.with_maps
        for bar in self.bars:
            bar.visible = show
        self.hidden_bar.visible = show and self.state.network.L > 1

    def _describe_soon(self):
        """The text alternative follows the picture after a pause (a screen reader needs no 60 Hz)."""
        if not self.served or session.document() is None:
            self._describe()
            return
        if getattr(self, "_cancel_describe", None):
            self._cancel_describe()
        self._cancel_describe = session.later(self._describe, DESCRIBE_DELAY_MS)

    def _describe(self):
        d = getattr(self, "describe", None)
        if d is not None and d.visible and getattr(self, "_table", None) is not None:
            d.object = describe_html(self.state.network, self.state.trace, self._table)

    def _structural(self):
        net = self.state.network
        table = lay.node_table(net.sizes)
        self._table = table
        n_drawn = len(table["unit"])
        slots = max(len(lay.drawn_units(n)) + (n > lay.MAX_DRAWN) for n in net.sizes)
        top = (slots - 1) / 2
        y0, y1 = -top - 0.9, top + 1.6
        px_per_unit = max(self.height - FRAME_CHROME, 50) / (y1 - y0)
        sc = self.scale
        if self.with_maps:
            size = float(np.clip(0.8 * px_per_unit, 14, 36 * sc))
        else:
            size = float(np.clip(min(300 * sc / max(slots, 1), 0.8 * px_per_unit), 9, 30 * sc))
        # Maps mode: the squares show the values; numbers come on hover (no labels between squares).
        self._label_masks = ((False, False) if self.with_maps
                             else lay.label_fit(table["layer"], table["y"], px_per_unit, lay.FONT_PX * sc,
                                                lay.BIAS_OFFSET_PX * sc)[:2])
        edges = lay.edge_table(net, table)
        self._edge_rows = edges
        node_data = {"layer": table["layer"], "unit": table["unit"], "x": table["x"], "y": table["y"],
                     "size": np.full(n_drawn, size), "offset": np.full(n_drawn, size / 2 + 3)}
        node_data.update(self._node_columns(values_only=False))
        node_data.update(self._fills(table["layer"], node_data["a"]))
        edge_data = dict(edges)
        edge_data.update(edge_columns(net, edges))
        edge_data.update(self._edge_style(edges["weight"]))
        t = EDGE_TRIM
        edge_data.update(hx0=edges["x0"] + t * (edges["x1"] - edges["x0"]),
                         hy0=edges["y0"] + t * (edges["y1"] - edges["y0"]),
                         hx1=edges["x1"] - t * (edges["x1"] - edges["x0"]),
                         hy1=edges["y1"] - t * (edges["y1"] - edges["y0"]))
        self.nodes.selected.indices = []
        self.edges.selected.indices = []
        self.nodes.data = node_data
        self.bias_labels.data = {k: node_data[k] for k in ("x", "y", "btext", "offset")}
        self.edges.data = edge_data
        if self.with_maps:
            self.maps.data = {"image": [np.zeros((1, 1), dtype=np.float32)] * n_drawn, "x": table["x"],
                              "y": table["y"], "side": np.full(n_drawn, size - 2)}
        self.marks.data = {"x": list(range(net.L + 1)) + table["marks"]["x"],
                           "y": [top + 1.0] * (net.L + 1) + table["marks"]["y"],
                           "text": self._layer_titles(net) + table["marks"]["text"]}
        self.fig.x_range.update(start=-0.6, end=net.L + 0.9)
        self.fig.y_range.update(start=y0, end=y1)
        self.hidden_bar.visible = net.L > 1 and not self.with_maps and not self.narrow
        self.highlight.fill_alpha = 0.0
        self._shade()

    def _layer_titles(self, net):
        """'Hidden 1 (4)' over each column, or 'H1 (4)' when the columns are too narrow for it."""
        titles = [f"{name} ({n})" for name, n in zip(lay.layer_names(net.L), net.sizes)]
        # The figure stretches: its width is what the page reports (inner_width), and until then
        # about 330 px beside the training settings, 600 (Bokeh's default width) on the Network tab.
        try:
            width = self.fig.inner_width
        except UnsetValueError:             # not laid out in a page yet
            width = 330 if self.with_maps else (self.fig.width or 600)
        if max(len(t) for t in titles) * TITLE_CHAR_PX > width / (net.L + 1.5):
            short = ["In"] + [f"H{l}" for l in range(1, net.L)] + ["Out"]
            titles = [f"{name} ({n})" for name, n in zip(short, net.sizes)]
        return titles

    def _on_width(self):
        """The page laid the figure out at a new width: long or short layer titles to fit it."""
        net = self.state.network
        if self.drawn_structure != self.state.structure or len(self.marks.data["text"]) < net.L + 1:
            return
        titles = self._layer_titles(net)
        if list(self.marks.data["text"][:net.L + 1]) != titles:
            self.marks.patch({"text": [(slice(0, net.L + 1), titles)]})

    def _node_columns(self, values_only):
        value, bias = self._label_masks
        return node_columns(self.state.network, self.state.trace, self._table, value,
                            values_only=values_only, bias_shown=bias)

    @staticmethod
    def _edge_style(w):
        return {"width": col.edge_width(w), "color": col.edge_colour(w), "alpha": col.edge_alpha(w)}

    def set_maps(self, images, lo: float, hi: float):
        """Each drawn neuron's heat-map (one float32 image per row of `nodes`) on one colour range."""
        with pn.io.hold():
            self.maps.data.update(image=images)
            changes = {k: v for k, v in (("low", lo), ("high", hi)) if getattr(self.map_mapper, k) != v}
            if changes:
                self.map_mapper.update(**changes)

    def _fills(self, layer, a):
        """Fill colours per layer on its activation's range; also moves the two colour bars."""
        net = self.state.network
        layer, a = np.asarray(layer), np.asarray(a, dtype=float)
        fill = np.empty(len(a), dtype=object)
        hidden = (layer > 0) & (layer < net.L)
        spans = [(layer == 0, "linear", self.input_mapper), (hidden, net.activations[0] if net.activations else "linear",
                                                self.hidden_mapper), (layer == net.L, net.output, self.output_mapper)]
        for mask, name, mapper in spans:
            if not mask.any():
                continue
            lo, hi = col.value_range(name, a[mask])
            pal = col.palette_for(lo)
            fill[mask] = col.colours(a[mask], lo, hi, pal)
            if mapper is not None:
                # Only send what changed: re-validating a 256-colour palette costs milliseconds.
                changes = {k: v for k, v in (("low", lo), ("high", hi)) if getattr(mapper, k) != v}
                if mapper.palette is not pal and list(mapper.palette) != pal:
                    changes["palette"] = pal
                if changes:
                    mapper.update(**changes)
        return {"fill": list(fill)}

    def _values(self):
        """A new input: only the value columns of `nodes` change (same rows); `edges` stays as it is."""
        cols = self._node_columns(values_only=not self._bias_stale)
        self._bias_stale = False
        cols.update(self._fills(self._table["layer"], cols["a"]))
        self.nodes.data.update(cols)
        if "btext" in cols:
            self.bias_labels.data.update(btext=cols["btext"])

    def _restyle_edges(self):
        self._bias_stale = True            # biases may have been edited too
        w = lay.edge_weights(self.state.network, self._edge_rows)
        self._edge_rows["weight"] = w
        self.edges.data.update(weight=w.copy(), **self._edge_style(w))

    def _shade(self, *_):
        """While the forward pass is open, shade the layer of its step (seen on returning here)."""
        if self.state.view == "forward":
            l = min(self.state.forward.step, self.state.network.L)
            self.highlight.update(left=l - 0.35, right=l + 0.35, fill_alpha=0.25)
