"""The one figure factory: every Bokeh figure of nnviz starts here, with fonts readable on a projector."""
from __future__ import annotations

from bokeh.models import BoxSelectTool, Glyph, GlyphRenderer, LassoSelectTool, PolySelectTool, TapTool
from bokeh.plotting import figure

FONT = "13px"


def fig(**kw):
    """A figure with no toolbar unless asked, and fonts that stay readable on a 1280x720 projector."""
    kw.setdefault("toolbar_location", None)
    kw.setdefault("tools", "")
    p = figure(**kw)
    p.title.text_font_size = "14px"
    p.axis.axis_label_text_font_size = FONT
    p.axis.major_label_text_font_size = FONT
    p.axis.axis_label_text_font_style = "normal"
    p.min_border_left = p.min_border_right = 8
    return p


def bare(**kw):
    """A figure for a diagram or an image: no axes, no grid, no outline (none made: fewer models per page)."""
    kw.setdefault("x_axis_type", None)
    kw.setdefault("y_axis_type", None)
    p = fig(**kw)
    p.outline_line_color = None
    return p


def legend_below(p, font="13px", **extra):
    """Move the figure's legend under the plot, in one row, so it never covers a curve."""
    legend = p.legend[0]
    legend.update(orientation="horizontal", label_text_font_size=font, border_line_alpha=0,
                  padding=2, margin=2, **extra)
    p.add_layout(legend, "below")
    return p


def plain(*renderers, selectable: bool = False):
    """Renderers that are never muted (and, unless selectable, never dimmed by a selection) take BokehJS's
    automatic variants instead of the copies figure() makes of their glyph: one or two models fewer each."""
    for r in renderers:
        r.muted_glyph = "auto"
        if not selectable:
            r.nonselection_glyph = "auto"
    return renderers


def lighten(model):
    """plain() for every renderer under a Bokeh model: selectable ones (a figure with a tap or select tool)
    keep their own dimmed variant."""
    for p in [model] if isinstance(model, figure) else model.select({"type": figure}):
        selectable = any(isinstance(t, (TapTool, BoxSelectTool, LassoSelectTool, PolySelectTool)) for t in p.tools)
        plain(*(r for r in p.renderers if isinstance(r, GlyphRenderer)), selectable=selectable)


def scale_fonts(model, scale: float, base: dict, glyphs: bool = True):
    """Presentation size: every font under a Bokeh model (axes, titles, legends, colour bars, and text
    glyphs of a fixed size unless glyphs=False) `scale` times its own size. `base` (one per view) keeps
    each size as first seen, so scaling back to 1 restores it."""
    for m in model.references():
        if isinstance(m, Glyph) and not glyphs:
            continue
        for name in m.properties():
            if not name.endswith("font_size"):
                continue
            key = (m.id, name)
            if key not in base:
                value = getattr(m, name)
                if not (isinstance(value, str) and value.endswith("px")):
                    continue
                base[key] = float(value[:-2])
            size = f"{round(base[key] * scale)}px"
            if getattr(m, name) != size:
                setattr(m, name, size)
