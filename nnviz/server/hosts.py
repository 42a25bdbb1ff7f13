"""Which Host names may be served, and which links are too long to read.

A page asked for under a Host name that is not allowed gets a short refusal and no app: that stops DNS
rebinding (a foreign site whose name points at this machine sends its own Host, and Tornado lets a
websocket through when its Origin equals its Host). Allowed: localhost and 127.0.0.1 on any port, plus the
names in BOKEH_ALLOW_WS_ORIGIN (the same variable that opens the websocket to a classroom).
"""
from __future__ import annotations

import fnmatch
import os

LOCAL = ("localhost", "127.0.0.1", "[::1]")
# Query strings longer than this get the too-long page instead of the app (nnviz's own links stay under
# 16 KB; the nginx deployment answers 414 past 32 KB; a bare Tornado server closes the connection when the
# request's headers pass 64 KB).
LINK_BYTES = 32 * 1024


def allowed_hosts() -> list:
    """Host patterns allowed to serve the page ('name' or 'name:port', '*' wildcards)."""
    extra = [h.strip() for h in os.environ.get("BOKEH_ALLOW_WS_ORIGIN", "").split(",") if h.strip()]
    return [f"{name}:*" for name in LOCAL] + list(LOCAL) + extra


def host_allowed(host: str) -> bool:
    host = (host or "").strip().lower()
    if not host or len(host) > 255:
        return False
    return any(fnmatch.fnmatchcase(host, p.lower()) for p in allowed_hosts())


def one_query(uri: str) -> str:
    """The request's URI with a second '?' escaped: Panel's Location splits the URI on '?' and would answer
    500 to a link like /app?sizes=2,2?x=1."""
    if uri.count("?") > 1:
        head, _, tail = uri.partition("?")
        return head + "?" + tail.replace("?", "%3F")
    return uri


def link_bytes(args: dict) -> int:
    """About how long the query string was (Tornado's parsed arguments: {name: [bytes, ...]})."""
    return sum(len(k) + 2 + sum(len(v) + 1 for v in values) for k, values in args.items())
