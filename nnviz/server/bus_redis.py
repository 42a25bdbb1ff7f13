"""The class bus over Redis (NNVIZ_REDIS_URL): the same classes for every process and machine that share it.

Redis holds, per class, a hash `nnviz:class:CODE` (the teacher key's digest, the latest state) and
`nnviz:teacher:DIGEST` -> CODE, both expiring after the idle time and renewed by every new state; each
new state is also published on the channel `nnviz:state:CODE` (ENDED when the class ended).
`nnviz:followers:CODE` counts the pages that follow it, one field per process.

One thread per process talks to Redis for the pages: it sends the teacher's states (the latest only, if
they come faster than Redis takes them), subscribes to the classes this process's pages follow and hands
their new states to them. When Redis goes away the pages keep working on their own (the bus says it is
not ok); the thread tries again every second and, once back, stores again the classes taught from this
process (a restarted Redis has lost them) and hands every follower its class's current state.
"""
from __future__ import annotations

import secrets
import threading
import time

import redis

from .bus import Bus, digest, log, valid_code, valid_key

PREFIX = "nnviz:"
BEAT_S = 5.0                  # followers counted and classes checked this often
COUNT_TTL_S = 3 * BEAT_S      # a process silent this long no longer counts
RETRY_S = 1.0
ENDED = "!ended"              # on a class's channel: it ended (a link's query string is never this)
ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


class BusDown(ConnectionError):
    """The bus cannot answer now (Redis unreachable): not the same as an unknown class."""


class RedisBus(Bus):
    def __init__(self, url: str, idle: float | None = None):
        super().__init__(idle)
        self.ok = False
        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0,
                                           decode_responses=True)
        self._id = secrets.token_hex(6)               # this process among the bus's processes
        self._taught = {}             # code -> [key digest, state]: classes taught from this process
        self._outbox = {}             # code -> state not yet sent (the latest only)
        self._counts = {}             # code -> followers in every process (for classes taught here)
        self._missing = {}            # code -> heartbeats a followed class was found missing
        self._beaten = set()          # codes this process counted followers of at the last beat
        self._recount = False         # a page started or stopped following: count at once
        self._wake = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="nnviz-bus", daemon=True)
        self._thread.start()

    def _k(self, *parts) -> str:
        return PREFIX + ":".join(parts)

    # --- calls made by pages ---------------------------------------------------------------------

    def start(self, state=""):
        code, key = super().start(state)             # queued for the thread; stored now too, so that a
        try:                                         # student opening the link at once finds the class
            self._write({code: state}, {code: digest(key)})
        except ERRORS:
            self._set_ok(False)
        return code, key

    def resume(self, key):
        if not valid_key(key):
            return None
        d = digest(key)
        with self._lock:
            for code, (dg, _) in self._taught.items():
                if dg == d:
                    return code
        try:
            code = self._redis.get(self._k("teacher", d))
            state = self._redis.hget(self._k("class", code), "state") if code is not None else None
        except ERRORS:
            self._set_ok(False)
            return None
        if code is not None:
            with self._lock:
                self._taught[code] = [d, state or ""]
        return code

    def latest(self, code):
        """As Bus.latest; raises BusDown while Redis cannot be reached."""
        if not valid_code(code):
            return None
        try:
            return self._redis.hget(self._k("class", code), "state")
        except ERRORS as exc:
            self._set_ok(False)
            raise BusDown(str(exc)) from exc

    def count(self, code):
        with self._lock:
            return self._counts.get(code, 0)

    def end(self, key):
        code = self.resume(key)
        if code is None:
            return False
        with self._lock:
            d = self._taught.pop(code, [digest(key)])[0]
            self._outbox.pop(code, None)
        try:
            with self._redis.pipeline() as p:
                p.delete(self._k("class", code), self._k("teacher", d), self._k("followers", code))
                p.publish(self._k("state", code), ENDED)
                p.execute()
        except ERRORS:
            self._set_ok(False)
        self._deliver(code, None)
        return True

    def _store(self, code, key_digest, state):
        with self._lock:
            self._taught[code] = [key_digest, state]
            self._outbox[code] = state
        self._wake.set()

    def _listening(self, code):
        self._recount = True
        self._wake.set()

    def _unlisten(self, code, token):
        super()._unlisten(code, token)
        self._recount = True
        self._wake.set()

    def close(self):
        self._stopped = True
        self._wake.set()
        self._thread.join(timeout=3)

    # --- the thread --------------------------------------------------------------------------------

    def _run(self):
        pubsub, subscribed, beat = None, set(), 0.0
        while not self._stopped:
            try:
                if pubsub is None:
                    self._redis.ping()
                    pubsub, subscribed, beat = self._redis.pubsub(ignore_subscribe_messages=True), set(), 0.0
                    self._restore()
                    self._set_ok(True)
                self._send()
                subscribed = self._subscribe(pubsub, subscribed)
                if self._recount or time.monotonic() - beat > BEAT_S:
                    beat, self._recount = time.monotonic(), False
                    self._beat(subscribed)
                self._wake.clear()
                # A new state to send waits for at most this poll (the thread wakes at once when idle).
                msg = pubsub.get_message(timeout=0.02) if subscribed else None
                if msg is None and not subscribed:
                    self._wake.wait(0.02)
                while msg is not None:
                    if msg.get("type") == "message":
                        data = msg["data"]
                        self._deliver(msg["channel"].rsplit(":", 1)[-1], None if data == ENDED else data)
                    msg = pubsub.get_message(timeout=0)
            except ERRORS as exc:
                if self.ok:
                    log.warning("nnviz: the class bus lost Redis (%s); following paused", exc)
                self._set_ok(False)
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass
                pubsub = None
                self._wake.wait(RETRY_S)
            except Exception:                              # never let the thread die on a surprise
                log.exception("nnviz: class bus thread")
                time.sleep(RETRY_S)

    def _restore(self):
        """After (re)connecting: store again every class taught here (a restarted Redis lost them)."""
        with self._lock:
            for code, (d, state) in self._taught.items():
                self._outbox.setdefault(code, state)

    def _send(self):
        with self._lock:
            out, self._outbox = self._outbox, {}
            digests = {code: self._taught.get(code, [None])[0] for code in out}
        if not out:
            return
        try:
            self._write(out, digests, publish=True)
        except ERRORS:
            with self._lock:                               # not sent: keep what is newest for the next try
                for code, state in out.items():
                    self._outbox.setdefault(code, state)
            raise

    def _write(self, states: dict, digests: dict, publish: bool = False):
        ttl = max(int(self.idle), 1)
        with self._redis.pipeline(transaction=False) as p:
            for code, state in states.items():
                p.hset(self._k("class", code), mapping={"key": digests[code] or "", "state": state})
                p.expire(self._k("class", code), ttl)
                if digests[code]:
                    p.set(self._k("teacher", digests[code]), code, ex=ttl)
                if publish:
                    p.publish(self._k("state", code), state)
            p.execute()

    def _subscribe(self, pubsub, subscribed: set) -> set:
        with self._lock:
            wanted = set(self._listeners)
        new, gone = wanted - subscribed, subscribed - wanted
        if new:
            pubsub.subscribe(*[self._k("state", c) for c in new])
        if gone:
            pubsub.unsubscribe(*[self._k("state", c) for c in gone])
        for code in new:                   # the state sent before this subscription (e.g. during an outage)
            state = self._redis.hget(self._k("class", code), "state")
            if state is not None:
                self._deliver(code, state)
        return wanted if (new or gone) else subscribed

    def _beat(self, subscribed: set):
        """Count this process's followers in Redis, read the totals of the classes taught here, and end,
        for their followers, the classes that expired (missing twice in a row)."""
        now, ttl = time.time(), int(COUNT_TTL_S)
        with self._lock:
            local = {code: len(ls) for code, ls in self._listeners.items()}
            taught = list(self._taught)
        local.update({code: 0 for code in self._beaten if code not in local})     # the last follower left
        self._beaten = {code for code, n in local.items() if n}
        subscribed = list(subscribed)
        with self._redis.pipeline(transaction=False) as p:
            for code, n in local.items():
                p.hset(self._k("followers", code), self._id, f"{n}:{now:.0f}")
                p.expire(self._k("followers", code), ttl)
            for code in taught:
                p.hgetall(self._k("followers", code))
            for code in subscribed:
                p.exists(self._k("class", code))
            replies = p.execute()[2 * len(local):]
        counts = {}
        for code, fields in zip(taught, replies[:len(taught)]):
            counts[code] = sum(int(v.split(":")[0]) for v in fields.values()
                               if now - float(v.split(":")[1]) < COUNT_TTL_S)
        with self._lock:
            self._counts = counts
        for code, exists in zip(subscribed, replies[len(taught):]):
            self._missing[code] = 0 if exists else self._missing.get(code, 0) + 1
            if self._missing[code] == 2:
                self._deliver(code, None)
