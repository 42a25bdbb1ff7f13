"""Per-neuron and per-edge value columns and the arithmetic written out for hovers. No Panel, no Bokeh."""
from __future__ import annotations

import html

import numpy as np

from .. import core
from .colours import INPUT_RING, edge_colour
from .layout import layer_names
from .notation import NOTATION, fmt, input_name

FORMULA_FAN_IN = 6        # write z out term by term up to this many inputs


def arch(sizes) -> str:
    """A network's layer sizes as the lesson writes them: 2-4-3-1."""
    return "-".join(str(int(n)) for n in sizes)


def unit_name(titles, l: int, u: int) -> str:
    """'input x1' (the lesson's 1-based inputs) or 'Hidden 1, unit 0' (units keep their index)."""
    return f"input {input_name(u)}" if l == 0 else f"{titles[l]}, unit {u}"


def _term(w: float, x: float) -> str:
    """'0.7×6', with a negative factor in brackets."""
    paren = lambda v: fmt(v) if v >= 0 else f"({fmt(v)})"
    return f"{paren(w)}×{paren(x)}"


def z_formula(w_row, a_prev, b: float, z: float) -> str:
    """'z = 0.7×6 + 0.3×8 + (-4) = 2.6', or a Σ form for large fan-in."""
    if len(w_row) <= FORMULA_FAN_IN:
        terms = " + ".join(_term(w, x) for w, x in zip(w_row, a_prev))
        return f"z = {terms} + {fmt(b) if b >= 0 else '(' + fmt(b) + ')'} = {fmt(z)}"
    return f"z = Σ w·a over {len(w_row)} inputs + {fmt(b)} = {fmt(z)}"


def a_formula(name: str, z: float, a: float, k: int) -> str:
    if name == "linear":
        return f"a = z = {fmt(a)}"
    if name == "softmax":
        return f"a = softmax(z)[{k}] = {fmt(a)}"
    return f"a = {NOTATION[name].symbol}({fmt(z)}) = {fmt(a)}"


def node_columns(net: core.Network, trace: core.Trace, table: dict, small,
                 values_only: bool = False, bias_shown=None) -> dict:
    """z, a, bias (NaN for inputs), the value label and the hover text of each drawn neuron.

    small: True/False for every label or none, or a mask of the rows whose value label has room
    (layout.label_fit); bias_shown likewise for the bias labels (default: as small).
    values_only: just the columns an input change alters (z, a and their texts)."""
    layers, units = table["layer"], table["unit"]
    n = len(units)
    z, a, bias = np.full(n, np.nan), np.empty(n), np.full(n, np.nan)
    names, formula, afx = [], [], []
    titles = layer_names(net.L)
    for i, (l, u) in enumerate(zip(layers, units)):
        a[i] = trace.a[l][u]
        names.append(unit_name(titles, l, u))
        if l == 0:
            formula.append(f"input {input_name(u)} = {fmt(a[i])}")
            afx.append("a = x (inputs pass through unchanged)")
            continue
        z[i], bias[i] = trace.z[l][u], net.b[l - 1][u]
        formula.append(z_formula(net.W[l - 1][u], trace.a[l - 1], bias[i], z[i]))
        afx.append(a_formula(net.activation_of(l), z[i], a[i], u))
    cols = {"z": z, "a": a, "formula": formula, "afx": afx}
    shown = np.broadcast_to(np.asarray(small, dtype=bool), (n,))
    bias_shown = shown if bias_shown is None else np.broadcast_to(np.asarray(bias_shown, dtype=bool), (n,))
    cols["label"] = [fmt(v) if s else "" for v, s in zip(a, shown)]
    if values_only:
        return cols
    cols.update(bias=bias, name=names)
    cols["btext"] = [f"b={fmt(b)}" if s and l > 0 else "" for l, b, s in zip(layers, bias, bias_shown)]
    # Bias as the neuron's ring: colour = sign, width = |b| (so every bias is visible at any size).
    b0 = np.nan_to_num(bias)
    cols["ring"] = [INPUT_RING if l == 0 else c for l, c in zip(layers, edge_colour(b0))]
    cols["ring_width"] = np.where(layers == 0, 1.0, 1.0 + 3.0 * np.minimum(np.abs(b0), 2.0))
    return cols


def edge_columns(net: core.Network, edges: dict) -> dict:
    """Each drawn edge's name for its hover ("Input x1 → Hidden 1, unit 0")."""
    titles = layer_names(net.L)
    return {"name": [f"{unit_name(titles, l - 1, s)} → {unit_name(titles, l, d)}"
                     for l, s, d in zip(edges["layer"], edges["src"], edges["dst"])]}


def describe_html(net: core.Network, trace: core.Trace, table: dict) -> str:
    """The graph as text for screen readers: a summary of the output, then each drawn neuron's z and a
    (the same rows and numbers as the `nodes` source), layer by layer."""
    titles = layer_names(net.L)
    out = np.asarray(trace.a[-1], dtype=float)
    k = int(np.nanargmax(out)) if np.any(np.isfinite(out)) else 0
    summary = (f"Network {arch(net.sizes)}. Output: "
               + ", ".join(f"unit {i} a = {fmt(v)}" for i, v in enumerate(out[:10]))
               + (f"; largest: unit {k}." if len(out) > 1 else "."))
    rows = []
    for l, u in zip(table["layer"], table["unit"]):
        name = unit_name(titles, int(l), int(u))
        z = "" if l == 0 else f"{float(trace.z[l][u]):.6g}"
        rows.append(f"<tr><th scope='row'>{html.escape(name)}</th><td>{z}</td><td>{float(trace.a[l][u]):.6g}</td></tr>")
    return (f"<section aria-label='The network as text'><p aria-live='polite'>{html.escape(summary)}</p>"
            "<table><caption>Every drawn neuron: weighted sum z and activation a</caption>"
            "<tr><th scope='col'>neuron</th><th scope='col'>z</th><th scope='col'>a</th></tr>"
            + "".join(rows) + "</table></section>")
