"""Where neurons and edges go. NumPy in, plain columns out; no Panel, no Bokeh.

Drawing rule for large networks: a layer wider than MAX_DRAWN shows its first HEAD and last TAIL
neurons with a "⋮ N more" marker between them; between two drawn layers at most MAX_EDGES edges
are drawn, the ones with the largest |w|. The engine still computes every neuron.
"""
from __future__ import annotations

import numpy as np

from .. import core

MAX_DRAWN = 16
HEAD, TAIL = 8, 7
MAX_EDGES = 160
SMALL = 48                      # networks with at most this many drawn neurons show every number
FONT_PX = 11                    # value and bias labels' font size
BIAS_OFFSET_PX = 14             # a bias label sits this far under its value label


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


def edge_table(net: core.Network, nodes: dict) -> dict:
    """Drawn edges: columns layer (target layer 1..L), src, dst, weight, x0, y0, x1, y1, and src_row
    (the row of `nodes` holding the source neuron, whose a the edge's hover reads)."""
    cols = {k: [] for k in ("layer", "src", "dst", "weight", "x0", "y0", "x1", "y1", "src_row")}
    pos = {(l, u): (x, y) for l, u, x, y in zip(nodes["layer"], nodes["unit"], nodes["x"], nodes["y"])}
    row = {(l, u): i for i, (l, u) in enumerate(zip(nodes["layer"], nodes["unit"]))}
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
            for k, v in zip(cols, (l, int(s), int(d), float(wv), x0, y0, x1, y1, row[(l - 1, int(s))])):
                cols[k].append(v)
    return {k: np.array(v, dtype=float if k in ("weight", "x0", "y0", "x1", "y1") else int)
            for k, v in cols.items()}


def edge_weights(net: core.Network, edges: dict) -> np.ndarray:
    """Current weights of already-chosen edges (after training or a hand edit)."""
    out = np.empty(len(edges["layer"]))
    for l in range(1, net.L + 1):
        m = edges["layer"] == l
        out[m] = net.W[l - 1][edges["dst"][m], edges["src"][m]]
    return out


def label_fit(layers, ys, px_per_unit: float, font_px: float = FONT_PX,
              bias_offset: float = BIAS_OFFSET_PX) -> tuple:
    """Which value and bias labels fit: (value_mask, bias_mask, value_px, bias_px).

    Labels sit beside their neuron, one column per layer; a label at screen height p occupies
    [p, p + font_px). Per layer, values are kept top to bottom when at least font_px below the last
    kept one; biases (bias_offset under their value) only when every value of the layer fits with
    room for them. Positions are in px from y = 0, growing downwards; hidden rows keep theirs.
    """
    layers, ys = np.asarray(layers), np.asarray(ys, dtype=float)
    px = -ys * px_per_unit
    value, bias = np.zeros(len(ys), bool), np.zeros(len(ys), bool)
    for l in np.unique(layers):
        rows = np.flatnonzero(layers == l)
        rows = rows[np.argsort(px[rows], kind="stable")]
        last = -np.inf
        for i in rows:
            if px[i] - last >= font_px:
                value[i], last = True, px[i]
        gaps = np.diff(px[rows])
        if value[rows].all() and (len(rows) < 2 or gaps.min() >= bias_offset + font_px):
            bias[rows] = True
    return value, bias, px, px + bias_offset
