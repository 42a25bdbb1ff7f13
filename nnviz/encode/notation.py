"""How nnviz writes things: one notation row per activation, and numbers as text and LaTeX.

No Panel, no Bokeh. NOTATION is the one place that names an activation for people: its title, its
formula in LaTeX, the symbol hovers write (σ, tanh, ...), the LaTeX symbol and a short remark.
Adding an activation means a row here and one in nnviz/core/activations.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import core


@dataclass(frozen=True)
class Notation:
    """How an activation is written for people."""
    title: str              # "Leaky ReLU"
    latex: str              # its formula
    symbol: str             # in plain-text hovers: a = σ(2.6)
    tex: str                # in LaTeX: a = \sigma(z)
    remark: str             # one line on where it is used or what it fixes


NOTATION = {
    "sigmoid": Notation("Sigmoid", r"\sigma(z)=\frac{1}{1+e^{-z}}", "σ", r"\sigma",
                        "squashes to 0..1; the classic for probabilities"),
    "tanh": Notation("Tanh", r"\tanh(z)=\frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}", "tanh", r"\tanh",
                     "zero-centred, −1..1"),
    "relu": Notation("ReLU", r"\mathrm{ReLU}(z)=\max(0,z)", "ReLU", r"\mathrm{ReLU}",
                     "the default of modern networks; off for every z < 0"),
    "leaky_relu": Notation("Leaky ReLU", r"\mathrm{LReLU}(z)=\max(0.01z,\,z)", "LReLU", r"\mathrm{LReLU}",
                           "ReLU with a small slope for z < 0, so no unit is ever stuck at 0"),
    "gelu": Notation("GELU", r"\mathrm{GELU}(z)=z\,\Phi(z)", "GELU", r"\mathrm{GELU}",
                     "smooth ReLU of BERT and GPT"),
    "silu": Notation("SiLU (swish)", r"\mathrm{SiLU}(z)=z\,\sigma(z)", "SiLU", r"\mathrm{SiLU}",
                     "smooth ReLU of LLaMA-style models"),
    "linear": Notation("Linear", r"f(z)=z", "", r"\mathrm{id}", "no activation at all: layers collapse"),
    "softmax": Notation("Softmax", r"\mathrm{softmax}(z)_k=\frac{e^{z_k}}{\sum_j e^{z_j}}", "softmax",
                        r"\mathrm{softmax}", "scores to probabilities that add up to 1"),
}
missing = set(core.HIDDEN_ACTIVATIONS + core.OUTPUT_ACTIVATIONS) - set(NOTATION)
assert not missing, f"activations without notation: {missing}"


def title(name: str) -> str:
    return NOTATION[name].title


def options(names) -> dict:
    """{title: name} for a select widget."""
    return {NOTATION[n].title: n for n in names}


# --- numbers -------------------------------------------------------------------------------------

def fmt(v: float, digits: int = 3) -> str:
    """A number as a student writes it: 0.931, -4, 2.6, 1.2e-05; 'NaN' and '∞' spelled out."""
    v = float(v)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else "−∞"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e4 or a < 1e-3:
        return f"{v:.{digits - 1}e}"
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def tex(v: float) -> str:
    """A number for LaTeX: fmt's digits, exponent written as a power of ten."""
    s = fmt(float(v))
    if s == "NaN":
        return r"\text{NaN}"
    if "∞" in s:
        return s.replace("∞", r"\infty").replace("−", "-")
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return s


MAX_SHOWN = 6          # rows/columns of a matrix written out before it is truncated
TRUNC_HEAD = 3         # ... of which the first TRUNC_HEAD and the last one are shown


def _pick(n: int) -> tuple:
    """Indices to write out of n, and whether a gap (dots) follows the head."""
    if n <= MAX_SHOWN:
        return list(range(n)), False
    return list(range(TRUNC_HEAD)) + [n - 1], True


def bmatrix(M) -> str:
    """A matrix (or column vector) as a LaTeX bmatrix, truncated with dots when large."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    rows, rgap = _pick(M.shape[0])
    cols, cgap = _pick(M.shape[1])
    lines = []
    for i, r in enumerate(rows):
        cells = [tex(M[r, c]) for c in cols]
        if cgap:
            cells.insert(TRUNC_HEAD, r"\cdots")
        lines.append(" & ".join(cells))
        if rgap and i == TRUNC_HEAD - 1:
            dots = [r"\vdots"] * len(cols)
            if cgap:
                dots.insert(TRUNC_HEAD, r"\ddots")
            lines.append(" & ".join(dots))
    return r"\begin{bmatrix}" + r" \\ ".join(lines) + r"\end{bmatrix}"


def column(v) -> str:
    """A vector as a LaTeX column."""
    return bmatrix(np.asarray(v, dtype=float).reshape(-1, 1))


def vec_text(v, limit: int = 8) -> str:
    """A vector as plain text: [0.12, 0.75, -0.41], truncated for long ones."""
    v = np.asarray(v, dtype=float).ravel()
    if len(v) <= limit:
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    head = ", ".join(fmt(x) for x in v[: limit - 2])
    return f"[{head}, …, {fmt(v[-1])}] ({len(v)} values)"


def input_name(i: int) -> str:
    """The lesson's 1-based input names: x1, x2, ..."""
    return f"x{i + 1}"
