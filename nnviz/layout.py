"""Where neurons and edges go, and how values become widths and colours. NumPy in, plain columns out.

The visual encoding is declared once here as scales; the Bokeh view only copies columns.
Imports the engine and colorcet only: no Panel, no Bokeh.

Drawing rule for large networks: a layer wider than MAX_DRAWN shows its first HEAD and last TAIL
neurons with a "⋮ N more" marker between them; between two drawn layers at most MAX_EDGES edges
are drawn, the ones with the largest |w|. The engine still computes every neuron.
"""
from __future__ import annotations

import html
import math

import colorcet as cc
import numpy as np

from . import engine

MAX_DRAWN = 16
HEAD, TAIL = 8, 7
MAX_EDGES = 160
SMALL = 48                      # networks with at most this many drawn neurons show every number

# |w| -> edge width: linear from W_MIN px at 0 to W_MAX px at |w| >= W_CLAMP (clamped).
W_MIN, W_MAX, W_CLAMP = 0.6, 9.0, 2.0
# sign -> edge colour on a colour-blind-safe diverging map (blue positive, yellow/brown negative).
DIVERGING = list(reversed(cc.CET_CBD1))      # low = negative (yellow), high = positive (blue)
SEQUENTIAL = list(cc.CET_CBL2)[32:]          # dark -> light; the darkest tail is dropped for contrast
NEG_COLOUR, POS_COLOUR = DIVERGING[20], DIVERGING[-20]


def drawn_units(n: int) -> np.ndarray:
    """Indices of the neurons drawn for a layer of n."""
    if n <= MAX_DRAWN:
        return np.arange(n)
    return np.concatenate([np.arange(HEAD), np.arange(n - TAIL, n)])


def layer_names(L: int) -> list:
    return ["Input"] + [f"Hidden {l}" for l in range(1, L)] + ["Output"]


def node_table(sizes) -> dict:
    """Positions of drawn neurons: columns layer, unit, x, y; plus the ellipsis markers."""
    layer, unit, xs, ys = [], [], [], []
    marks = {"x": [], "y": [], "text": []}
    for l, n in enumerate(sizes):
        units = drawn_units(n)
        slots = len(units) + (1 if len(units) < n else 0)
        y_of = lambda s: (slots - 1) / 2.0 - s
        for k, u in enumerate(units):
            s = k if k < HEAD or len(units) == n else k + 1
            layer.append(l); unit.append(int(u)); xs.append(float(l)); ys.append(y_of(s))
        if len(units) < n:
            marks["x"].append(float(l)); marks["y"].append(y_of(HEAD))
            marks["text"].append(f"⋮ {n - len(units)} more")
    return {"layer": np.array(layer), "unit": np.array(unit), "x": np.array(xs), "y": np.array(ys),
            "marks": marks}


def edge_table(net: engine.Network, nodes: dict) -> dict:
    """Drawn edges: columns layer (target layer 1..L), src, dst, weight, x0, y0, x1, y1."""
    cols = {k: [] for k in ("layer", "src", "dst", "weight", "x0", "y0", "x1", "y1")}
    pos = {(l, u): (x, y) for l, u, x, y in zip(nodes["layer"], nodes["unit"], nodes["x"], nodes["y"])}
    for l in range(1, net.L + 1):
        src = drawn_units(net.sizes[l - 1])
        dst = drawn_units(net.sizes[l])
        W = net.W[l - 1][np.ix_(dst, src)]                      # (drawn dst, drawn src)
        d_idx, s_idx = np.meshgrid(np.arange(len(dst)), np.arange(len(src)), indexing="ij")
        d_idx, s_idx, w = d_idx.ravel(), s_idx.ravel(), W.ravel()
        if len(w) > MAX_EDGES:
            keep = np.sort(np.argpartition(-np.abs(w), MAX_EDGES - 1)[:MAX_EDGES])
            d_idx, s_idx, w = d_idx[keep], s_idx[keep], w[keep]
        for d, s, wv in zip(dst[d_idx], src[s_idx], w):
            (x0, y0), (x1, y1) = pos[(l - 1, int(s))], pos[(l, int(d))]
            for k, v in zip(cols, (l, int(s), int(d), float(wv), x0, y0, x1, y1)):
                cols[k].append(v)
    return {k: np.array(v, dtype=float if k in ("weight", "x0", "y0", "x1", "y1") else int)
            for k, v in cols.items()}


def edge_weights(net: engine.Network, edges: dict) -> np.ndarray:
    """Current weights of already-chosen edges (after training or a hand edit)."""
    out = np.empty(len(edges["layer"]))
    for l in range(1, net.L + 1):
        m = edges["layer"] == l
        out[m] = net.W[l - 1][edges["dst"][m], edges["src"][m]]
    return out


def edge_width(w) -> np.ndarray:
    """Width in px from |w| on the declared clamped scale."""
    w = np.nan_to_num(np.asarray(w, dtype=float), nan=0.0)
    return W_MIN + (W_MAX - W_MIN) * np.minimum(np.abs(w) / W_CLAMP, 1.0)


def edge_colour(w) -> list:
    """Sign -> hue, |w| -> depth on the diverging map; faint weights stay visible (min 35 % depth)."""
    w = np.nan_to_num(np.asarray(w, dtype=float), nan=0.0)      # a diverged run must still draw
    depth = 0.35 + 0.65 * np.minimum(np.abs(w) / W_CLAMP, 1.0)
    mid = (len(DIVERGING) - 1) / 2
    idx = np.round(mid + np.sign(w) * depth * mid).astype(int)
    return [DIVERGING[i] for i in idx]


def value_range(name: str, values) -> tuple:
    """Colour range for an activation: its fixed range, open ends closed by the current values."""
    lo, hi = engine.OUTPUT_RANGES.get(name) or engine.ACTIVATIONS[name].range
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    m = float(np.max(np.abs(vals))) if vals.size else 1.0
    m = max(m, 1.0)
    if math.isinf(hi):
        hi = max(m, 1.0)
    if math.isinf(lo):
        lo = -max(m, abs(hi))
        hi = max(hi, -lo)
    return float(lo), float(hi)


def palette_for(lo: float) -> list:
    """Diverging palette for signed ranges, sequential for ranges starting at or near 0."""
    return DIVERGING if lo < -0.5 else SEQUENTIAL


def colours(values, lo: float, hi: float, palette) -> list:
    """Hex colours of values on [lo, hi] (clamped), as a LinearColorMapper would draw them."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=lo, posinf=hi, neginf=lo)
    t = np.clip((v - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    idx = np.minimum((t * len(palette)).astype(int), len(palette) - 1)
    return [palette[i] for i in idx]


def fmt(v: float, digits: int = 3) -> str:
    """A number as a student writes it: 0.931, -4, 2.6, 1.2e-05 (empty for NaN)."""
    v = float(v)
    if v != v:
        return ""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e4 or a < 1e-3:
        return f"{v:.{digits - 1}e}"
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def alert_html(text: str) -> str:
    """A refused value or a warning as an escaped alert box (text from a URL never becomes markup)."""
    return f'<div class="nnviz-message" role="alert">{html.escape(text)}</div>' if text else ""
