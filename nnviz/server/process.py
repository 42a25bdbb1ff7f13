"""Server-wide set-up, run once per process before pages are served (startup.py, the test servers)."""
from __future__ import annotations

from . import compat, logs


def set_up():
    """Idempotent."""
    logs.quiet()
    compat.install_nodelay()
    compat.install_curdoc_fix()
