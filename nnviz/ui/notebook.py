"""nnviz in a Jupyter notebook: the one call a notebook makes before showing nnviz.App.

Everything the page needs is sent inline in the notebook (BokehJS, Panel, KaTeX, nnviz's styles), so a
notebook works offline, as the served app does. Changes only this kernel's Panel configuration.
"""
from __future__ import annotations

import panel as pn

from .app import EXTENSIONS, stylesheet


def extension(inline: bool = True):
    """Load Panel's extensions and nnviz's styles into the notebook (inline=False: from Panel's CDN)."""
    pn.extension(*EXTENSIONS, raw_css=[stylesheet()], notifications=False, inline=inline)
