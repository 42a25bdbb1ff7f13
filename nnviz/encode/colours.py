"""Every colour and visual scale of nnviz, declared once. NumPy and colorcet in, plain values out.

Scales: |w| -> edge width, sign and |w| -> edge colour (diverging, colour-blind safe), an activation's
value -> fill on its own range (a separate violet-to-pink map, brighter = larger). Named colours: the page's ink, accent and notes. No Panel, no Bokeh.
"""
from __future__ import annotations

import math

import colorcet as cc
import numpy as np

from .. import core

# |w| -> edge width: linear from W_MIN px at 0 to W_MAX px at |w| >= W_CLAMP (clamped).
W_MIN, W_MAX, W_CLAMP = 0.6, 9.0, 2.0
# sign -> edge colour on a colour-blind-safe diverging map (blue positive, yellow/brown negative).
DIVERGING = list(reversed(cc.CET_CBD1))      # low = negative (yellow), high = positive (blue)
SEQUENTIAL = list(cc.CET_CBL2)[32:]          # dark -> light; the darkest tail is dropped for contrast
NEG_COLOUR, POS_COLOUR = DIVERGING[20], DIVERGING[-20]
# Activations (neuron fills, every heat-map of a neuron or output): violet -> magenta -> pale pink, a
# hue the weights never use, and brighter always means larger (the blue start and white end are cut).
ACTIVATION = list(cc.CET_L7)[110:232]
DEAD_ALPHA, EDGE_ALPHA = 0.2, 0.85           # a weight that is exactly 0 (an L1-dead link) is drawn faint
# The two classes of the training points: teal (+1) and dark red (-1), from colorcet's linear maps that
# are safe for every kind of colour blindness. Neither the weights' blue and yellow nor the activations'
# violet to pink; +1 is the lighter (brighter is larger, as on the maps), and the two differ in lightness,
# so they stay apart without colour vision. Both are darker than most of the output map beneath them.
CLASS_POS, CLASS_NEG = cc.CET_CBTL3[130], cc.CET_CBTL4[64]     # '#238497', '#7f1819'
POINT_LINE = "#ffffff"      # the training points' outline: a white ring lifts them off the map

# Named colours of the page (one meaning each).
INK = "#1f3b57"             # curves and headings: dark blue-grey
ACCENT = "#d7263d"          # the marked value: the current z, a selected edge, a vanishing gradient
DERIVATIVE = "#e07b00"      # f'(z) and negative contributions in the approximation view
MUTED = "#9aa7b4"           # bars that are not the answer
TEXT = "#222222"            # hover outlines and dark text
SUBTLE = "#555555"          # secondary text
GRID = "#cccccc"            # cell borders
RULE = "#dddddd"            # the lines between a table's rows
GUIDE = "#999999"           # reference lines: zero, the current value's marker
GOOD = "#1d5c2e"            # "the same": a check that passed
TEST = "#c0392b"            # the test-loss curve
ACCURACY = "#2e8b57"        # the accuracy curve
HIGHLIGHT = "#f2c14e"       # the layer shaded by the forward pass
INPUT_RING = "#777777"      # input neurons have no bias
NOTE = {"info": ("#eef4fb", INK), "pitfall": ("#fff4d6", "#7a5c00"), "ok": ("#e9f6ec", GOOD)}


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


def edge_alpha(w) -> np.ndarray:
    """Opacity of each edge: faint where the weight is exactly 0 (a dead link), else the usual."""
    w = np.asarray(w, dtype=float)
    return np.where(w == 0.0, DEAD_ALPHA, EDGE_ALPHA)


def value_range(name: str, values) -> tuple:
    """Colour range for an activation: its fixed range, open ends closed by the current values."""
    lo, hi = core.OUTPUT_RANGES.get(name) or core.ACTIVATIONS[name].range
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
    """The activations' palette, signed or not: it never shares a hue with the weights' diverging map."""
    return ACTIVATION


def colours(values, lo: float, hi: float, palette) -> list:
    """Hex colours of values on [lo, hi] (clamped), as a LinearColorMapper would draw them."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=lo, posinf=hi, neginf=lo)
    t = np.clip((v - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    idx = np.minimum((t * len(palette)).astype(int), len(palette) - 1)
    return [palette[i] for i in idx]


def grey(v) -> list:
    """Ink on paper: 1 is black, 0 is white (the digit canvas)."""
    g = np.round(255 * (1.0 - np.clip(np.asarray(v, dtype=float), 0.0, 1.0))).astype(int)
    return [f"#{k:02x}{k:02x}{k:02x}" for k in g]
