"""The one parser of what people type: numbers, whole numbers and lists of them. No Panel, no param.

Every typed or linked list (sizes, inputs, hidden widths, CLI arguments) goes through
`numbers()`; every refusal is a ValueError whose message names the first bad part, cut short,
so a 60 KB value never ends up in a message.
"""
from __future__ import annotations

import math

from .. import core

SHOWN = 40            # characters of a refused value that a message repeats


def clip(text, n: int = SHOWN) -> str:
    """A value for a message: its repr, cut to about n characters."""
    s = str(text)
    return repr(s if len(s) <= n else s[: n - 1] + "…")


def number(text, what: str = "value") -> float:
    """A finite float from text or a number."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {clip(text)} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} {clip(text)} is not a finite number (no NaN or infinity)")
    return v


def whole(text, what: str = "value") -> int:
    """An int from '7', '7.0' or 7 (not 7.5, not True)."""
    if isinstance(text, bool):
        raise ValueError(f"{what} {clip(text)} is not a whole number")
    try:
        v = number(text, what)
    except ValueError:
        raise ValueError(f"{what} {clip(text)} is not a whole number") from None
    if not v.is_integer():
        raise ValueError(f"{what} {clip(text)} is not a whole number")
    return int(v)


def numbers(text, kind=float, what: str = "value", empty_ok: bool = False) -> list:
    """A list from '0.5, -1 2' (commas and/or spaces) or from a sequence; kind is float or int."""
    if isinstance(text, str):
        parts = text.replace(",", " ").split()
    else:
        try:
            parts = list(text)
        except TypeError:
            raise ValueError(f"{what}s must be a list of numbers such as 1,2,3") from None
    if not parts and not empty_ok:
        raise ValueError(f"no {what}s given: write them like 1,2,3")
    one = whole if kind is int else number
    return [one(p, what) for p in parts]


def sizes(text) -> tuple:
    """Layer sizes from '4,3,3,10' (or a sequence), checked against the engine's limits."""
    return core.validate_sizes(numbers(text, int, "size"))


def hidden(text) -> tuple:
    """Hidden widths from '4,2'; '', 'none' or '0' mean no hidden layer."""
    if isinstance(text, str) and text.strip().lower() in ("", "none", "0"):
        return ()
    out = tuple(numbers(text, int, "size"))
    if any(n < 1 for n in out):
        raise ValueError(f"sizes {clip(text)}: every layer needs at least 1 neuron")
    return out
