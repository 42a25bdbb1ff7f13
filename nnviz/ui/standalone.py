"""A network as one self-contained HTML page: the graph as the app draws it, input sliders, the hover
arithmetic, and the forward pass run by the page itself (static/standalone.js). BokehJS is inlined:
the file needs no server and makes no request.

The graph is graph.py's NetworkGraph on a state of its own (never a session's, so nothing watches a
live page). The page cannot train. Must not import nnviz/server.
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from bokeh.embed import components
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, CustomJS, Div, Slider
from bokeh.resources import Resources

from .. import core
from ..encode import colours as col
from ..encode import layout as lay
from ..encode.labels import FORMULA_FAN_IN, describe_html
from ..encode.notation import NOTATION, input_name
from ..state.session import SessionState
from .graph import TITLE_CHAR_PX, NetworkGraph

MAX_PARAMS = 100_000        # weights and biases a page carries (float64 in base64: about 11 bytes each)
MAX_INPUTS = 64             # one slider per input: the 8x8 digits fit, a 784-pixel image does not
NARROW = 800                # px: on a narrower screen the colour bars give their room to the graph (as the app)
JS = (Path(__file__).resolve().parent / "static" / "standalone.js").read_text()
# Every activation the engine has needs its line in the page's table (softmax is computed apart).
_missing = [n for n in core.HIDDEN_ACTIVATIONS + core.OUTPUT_ACTIVATIONS
            if n != "softmax" and f"\n  {n}: " not in JS]
assert not _missing, f"activations without a JavaScript forward pass: {_missing}"

SLIDERS_CSS = (":host { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); "
               "column-gap: 18px; }")
SR_ONLY_CSS = (":host { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; "
               "overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }")   # as nnviz.css
HEADER_CSS = (f".nnviz-page h1 {{ font-size: 20px; margin: 4px 0; color: {col.INK}; }}\n"
              f".nnviz-page p {{ font-size: 14px; margin: 4px 0; line-height: 1.4; color: {col.TEXT}; }}")


def check(net: core.Network):
    """Refuse a network too large for a page, in one sentence."""
    total = core.count_params(net.sizes)["total"]
    if total > MAX_PARAMS:
        raise ValueError(f"{total:,} parameters is more than an HTML page carries ({MAX_PARAMS:,})")
    if net.sizes[0] > MAX_INPUTS:
        raise ValueError(f"{net.sizes[0]} inputs are more than a page has sliders for ({MAX_INPUTS})")


def _sliders(x) -> list:
    """One slider per input on the app's span: -1..1, or -10..10 when an input lies outside."""
    biggest = max((abs(v) for v in x), default=0.0)
    span = 1.0 if biggest <= 1 else float(max(10.0, np.ceil(biggest)))
    return [Slider(title=input_name(i), name=input_name(i), start=-span, end=span, step=span / 100,
                   value=float(v), sizing_mode="stretch_width") for i, v in enumerate(x)]


def _every_neuron(net: core.Network, trace: core.Trace) -> ColumnDataSource:
    """Source `all_nodes`: layer, unit, z and a of every neuron (`nodes` holds the drawn ones only)."""
    layer = np.concatenate([np.full(n, l) for l, n in enumerate(net.sizes)])
    unit = np.concatenate([np.arange(n) for n in net.sizes])
    z = np.concatenate([np.full(net.sizes[0], np.nan), *trace.z[1:]])
    return ColumnDataSource(name="all_nodes", data={"layer": layer, "unit": unit, "z": z,
                                                     "a": np.concatenate(trace.a)})


def _as_text(net: core.Network, trace: core.Trace) -> Div:
    """The graph as text for screen readers, visually hidden, as the app has it (the page keeps it current)."""
    return Div(text=describe_html(net, trace, lay.node_table(net.sizes)), name="describe",
               stylesheets=[SR_ONLY_CSS])


def _forward_pass(graph: NetworkGraph, every: ColumnDataSource, describe: Div, net: core.Network,
                  sliders: list) -> CustomJS:
    """The page's forward pass with the network's numbers (float64 arrays: every bit of every weight)."""
    acts = [net.activation_of(l) for l in range(1, net.L + 1)]
    hidden = net.activations[0] if net.activations else "linear"    # one colour scale for every hidden layer
    spans = [core.ACTIVATIONS["linear"].range, core.ACTIVATIONS[hidden].range, core.OUTPUT_RANGES[net.output]]
    return CustomJS(code=JS, args=dict(
        nodes=graph.nodes, all_nodes=every, describe=describe, sliders=sliders, sizes=list(net.sizes),
        W=[np.ascontiguousarray(w, dtype=float).ravel() for w in net.W], b=[np.asarray(v, dtype=float) for v in net.b],
        acts=acts, symbols=[NOTATION[a].symbol for a in acts], leak=core.activations.LEAK, fan_in=FORMULA_FAN_IN,
        mappers=[graph.input_mapper, graph.hidden_mapper, graph.output_mapper], spans=[list(s) for s in spans],
        palette=col.ACTIVATION, shown=[bool(t) for t in graph.nodes.data["label"]]))


# What graph.py's set_narrow and _layer_titles do on the server, done by the page when it is laid out.
FIT_JS = """
const narrow = window.innerWidth < narrow_px
bars.forEach((bar, k) => { bar.visible = !narrow && (k !== 1 || has_hidden) })
legend.ncols = narrow ? 3 : 6
const L = long.length, width = fig.inner_width
const fits = Math.max(...long.map((t) => t.length)) * char_px <= width / (L + 0.5)
const text = [...marks.data.text]
for (let l = 0; l < L; l++) text[l] = fits ? long[l] : short[l]
if (text.some((t, i) => t !== marks.data.text[i])) marks.data = {...marks.data, text}
"""


def _fit(graph: NetworkGraph, net: core.Network) -> CustomJS:
    """Phone or desktop, known only in the browser: colour bars, legend rows and layer titles fitted."""
    short = ["In"] + [f"H{l}" for l in range(1, net.L)] + ["Out"]
    return CustomJS(code=FIT_JS, args=dict(
        fig=graph.fig, bars=graph.bars, legend=graph.legend, marks=graph.marks, has_hidden=net.L > 1,
        narrow_px=NARROW, char_px=TITLE_CHAR_PX, long=[f"{t} ({n})" for t, n in zip(lay.layer_names(net.L), net.sizes)],
        short=[f"{t} ({n})" for t, n in zip(short, net.sizes)]))


def _header(net: core.Network, title: str) -> Div:
    acts = ", ".join(dict.fromkeys(net.activations)) or "none"
    params = core.count_params(net.sizes)["total"]
    text = (f"<div class='nnviz-page'><h1>{html.escape(title)}</h1>"
            f"<p>Network {'-'.join(map(str, net.sizes))}: hidden {html.escape(acts)}, output "
            f"{html.escape(net.output)}, {params:,} parameters. Move an input: this page computes the forward "
            "pass itself (no server; it cannot train).</p>"
            "<p>An edge's <b>width</b> is |w| and its <b>colour</b> the sign (blue +, brown −); a neuron's "
            "<b>fill</b> is its activation a, its <b>ring</b> the bias b. <b>Hover</b> a neuron for "
            "z = Σ w·a + b with the real numbers, an edge (away from its neurons) for its contribution w·a.</p></div>")
    return Div(text=text, sizing_mode="stretch_width", stylesheets=[HEADER_CSS])


def page_html(net: core.Network, x, title: str = "nnviz") -> str:
    """The whole page for network `net` at input `x`, as the text of one HTML file."""
    check(net)
    x = core.validate_input(x, net.sizes[0])
    state = SessionState()
    if not state.install(net.copy(), x, preset="custom", custom_weights=True):
        raise ValueError(state.message)
    graph = NetworkGraph(state, caption=False, served=False)
    sliders = _sliders(state.x)
    every = _every_neuron(net, state.trace)
    describe = _as_text(net, state.trace)
    forward = _forward_pass(graph, every, describe, net, sliders)
    for s in sliders:
        s.js_on_change("value", forward)
    graph.fig.js_on_change("inner_width", _fit(graph, net))
    inputs = column(*sliders, sizing_mode="stretch_width", stylesheets=[SLIDERS_CSS], name="inputs")
    page = column(_header(net, title), graph.fig, inputs, describe, sizing_mode="stretch_width")
    script, div = components(page, theme=None)
    return _document(title, script, div)


def _document(title: str, script: str, div: str) -> str:
    """Bokeh's embedding of the page after BokehJS itself, inlined. Resources' raw scripts only: the
    files it lists also name every registered model's external scripts (Panel's among them), which a
    file has no server to fetch."""
    bokehjs = Resources(mode="inline", components=["bokeh", "bokeh-widgets"])
    js = "\n".join(f"<script>\n{code}\n</script>" for code in bokehjs.js_raw)
    css = "\n".join(f"<style>\n{code}\n</style>" for code in bokehjs.css_raw)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n{css}\n{js}\n"
            f"<style>body {{ margin: 8px 12px; font-family: system-ui, sans-serif; }}</style>\n</head>\n"
            f"<body>\n{div}\n{script}\n</body>\n</html>\n")
