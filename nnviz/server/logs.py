"""One line in the log for a value a page sent that nnviz refused, instead of Panel's, Bokeh's and Tornado's
tracebacks (a modified page can send anything; the log must stay readable for a class)."""
from __future__ import annotations

import logging

REFUSED = (ValueError, IndexError, TypeError, KeyError)     # what a refused value raises
LOGGERS = ("panel", "bokeh", "tornado", "param")
MESSAGE_CHARS = 120


class OneLine(logging.Filter):
    """A refused value from a page becomes one WARNING line, without a traceback."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if record.levelno >= logging.ERROR and isinstance(exc, REFUSED):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "nnviz: refused a value sent by a page: %s", (str(exc)[:MESSAGE_CHARS],)
            record.exc_info = record.exc_text = None
        return True


def quiet():
    """Install the filter on every Panel, Bokeh, Tornado and param logger (a logger's filter does not reach
    its children, so each one gets it). Idempotent."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in LOGGERS]
    for name in ["panel.reactive", "panel.io.server", "bokeh.server.protocol_handler", "tornado.application", *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLine) for f in logger.filters):
            logger.addFilter(OneLine())
