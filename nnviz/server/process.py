"""Server-wide set-up, run once per process before pages are served (startup.py, the test servers)."""
from __future__ import annotations

from bokeh.settings import settings

from . import compat, logs


def set_up():
    """Idempotent."""
    # Bokeh checks every document's layout and glyphs before it is sent and logs what it finds
    # (BOKEH_VALIDATE_DOC): a developer's aid that costs each page ~6 % of its CPU.
    settings.perform_document_validation.set_value(False)
    logs.quiet()
    compat.install_nodelay()
    compat.install_curdoc_fix()
