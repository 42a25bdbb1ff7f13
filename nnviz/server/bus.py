"""The class bus: a teacher's state carried to every page that follows it, in this process (the default).

What travels is the state as the link writes it (a query string, weights included): never a pickle, never a
page's objects. A class has two secrets: its CODE, which the students' link carries (96 random bits), and
the teacher's KEY, which only the teacher's address carries and only publishing and ending need (the bus
keeps its SHA-256, never the key). A class ends when its teacher ends it or after IDLE_S without a new
state (NNVIZ_CLASS_IDLE_HOURS, 4 by default).

The process keeps one bus for every page (`bus()`): the one deliberately shared object here. It holds
codes, key digests and query strings; no session's state. With NNVIZ_REDIS_URL set, the bus is
nnviz.server.bus_redis.RedisBus, the same interface over Redis for several processes or machines.
Listeners are called with the new query string (None when the class ended) from any thread: a page hands
the work to its own document (nnviz.ui.session.soon). Never imports ui/.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
import time

CODE_BYTES = 12                      # 96 random bits, 16 URL-safe characters
KEY_BYTES = 24                       # 192 bits
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
REDIS_ENV = "NNVIZ_REDIS_URL"
IDLE_ENV = "NNVIZ_CLASS_IDLE_HOURS"
log = logging.getLogger("nnviz")


def idle_seconds() -> float:
    """How long a class lives without a new state (NNVIZ_CLASS_IDLE_HOURS, default 4 hours)."""
    try:
        return max(float(os.environ.get(IDLE_ENV, "4")), 0.001) * 3600
    except ValueError:
        return 4 * 3600.0


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def valid_code(code) -> bool:
    return isinstance(code, str) and bool(CODE_RE.match(code))


def valid_key(key) -> bool:
    return isinstance(key, str) and bool(KEY_RE.match(key))


class Bus:
    """The in-memory bus of one process: classes, their latest states, and the pages that listen."""

    def __init__(self, idle: float | None = None, clock=time.monotonic):
        self.idle = idle_seconds() if idle is None else idle
        self.clock = clock
        self.ok = True                   # False while the bus cannot carry states (Redis unreachable)
        self._lock = threading.RLock()
        self._classes = {}               # code -> {"key": digest, "state": str, "at": time of last state}
        self._codes = {}                 # key digest -> code
        self._listeners = {}             # code -> {token: callback}
        self._status = {}                # token -> callback(ok)

    # --- the teacher's side ----------------------------------------------------------------------

    def start(self, state: str = "") -> tuple[str, str]:
        """A new class: (code for the students' link, key for the teacher's address)."""
        code, key = secrets.token_urlsafe(CODE_BYTES), secrets.token_urlsafe(KEY_BYTES)
        self._store(code, digest(key), state)
        return code, key

    def resume(self, key: str) -> str | None:
        """The code of the live class this teacher key started (None: unknown, ended or malformed)."""
        if not valid_key(key):
            return None
        self._expire()
        with self._lock:
            return self._codes.get(digest(key))

    def publish(self, key: str, state: str) -> bool:
        """The class's new state, sent to every listener; False when the key starts no live class."""
        code = self.resume(key)
        if code is None:
            return False
        self._store(code, digest(key), state)
        self._deliver(code, state)
        return True

    def end(self, key: str) -> bool:
        code = self.resume(key)
        if code is None:
            return False
        self._drop(code)
        self._deliver(code, None)
        return True

    def count(self, code: str) -> int:
        """How many pages follow the class (in every process)."""
        with self._lock:
            return len(self._listeners.get(code, {}))

    # --- the followers' side ---------------------------------------------------------------------

    def latest(self, code: str) -> str | None:
        """The class's latest state ('' if none yet); None when the code is unknown, ended or malformed."""
        if not valid_code(code):
            return None
        self._expire()
        with self._lock:
            c = self._classes.get(code)
            return None if c is None else c["state"]

    def listen(self, code: str, callback):
        """Call callback(state) on each new state of the class (None once it ended); returns the stop function."""
        token = object()
        with self._lock:
            self._listeners.setdefault(code, {})[token] = callback
        self._listening(code)
        return lambda: self._unlisten(code, token)

    def on_status(self, callback):
        """Call callback(ok) when the bus stops or starts carrying states; returns the stop function."""
        token = object()
        with self._lock:
            self._status[token] = callback
        return lambda: self._status.pop(token, None)

    # --- what a backend stores and sends (overridden by RedisBus) --------------------------------

    def _store(self, code, key_digest, state):
        with self._lock:
            self._classes[code] = {"key": key_digest, "state": state, "at": self.clock()}
            self._codes[key_digest] = code

    def _drop(self, code):
        with self._lock:
            c = self._classes.pop(code, None)
            if c is not None:
                self._codes.pop(c["key"], None)

    def _expire(self):
        now = self.clock()
        with self._lock:
            old = [code for code, c in self._classes.items() if now - c["at"] > self.idle]
        for code in old:
            self._drop(code)
            self._deliver(code, None)

    def _listening(self, code):
        """A page of this process listens to `code` now (RedisBus subscribes)."""

    def _unlisten(self, code, token):
        with self._lock:
            listeners = self._listeners.get(code, {})
            listeners.pop(token, None)
            if not listeners:
                self._listeners.pop(code, None)

    def _deliver(self, code, state):
        """Hand a state to this process's listeners of `code` (outside the lock: they may call back)."""
        with self._lock:
            callbacks = list(self._listeners.get(code, {}).values())
        for callback in callbacks:
            try:
                callback(state)
            except Exception:                      # one page's failure is not the class's
                log.exception("nnviz: a follower's page failed to take the class state")

    def _set_ok(self, ok: bool):
        if ok == self.ok:
            return
        self.ok = ok
        with self._lock:
            callbacks = list(self._status.values())
        for callback in callbacks:
            try:
                callback(ok)
            except Exception:
                log.exception("nnviz: a page failed to take the bus status")

    def close(self):
        """Stop any background work (RedisBus's thread)."""


_bus = None
_bus_lock = threading.Lock()


def bus() -> Bus:
    """This process's bus: over Redis when NNVIZ_REDIS_URL is set, in memory otherwise."""
    global _bus
    with _bus_lock:
        if _bus is None:
            url = os.environ.get(REDIS_ENV, "").strip()
            if url:
                from .bus_redis import RedisBus
                _bus = RedisBus(url)
            else:
                _bus = Bus()
        return _bus
