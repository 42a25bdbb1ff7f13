"""A browser-less Bokeh/Panel client: one served session spoken to at the protocol level.

What a browser tab does, minus the drawing: GET the page (its HTML holds the session token), open the
websocket with subprotocols ["bokeh", token], wait for ACK, PULL-DOC-REQ for the document JSON, then
announce `document_ready` (Panel drops a session's changes to the page until it does). After that the
session can change a model's property (a PATCH-DOC with a ModelChanged event, as BokehJS sends when a
slider moves), click a button (a `button_click` bokeh_event), and it times each input change until
the server's PATCH-DOC touching the `nodes` ColumnDataSource comes back.

The document is kept as plain JSON: every model definition seen (in the pulled document or in later
patches) is indexed by id with its attributes, enough to find sliders, buttons and sources by
title/label/name without building Python models.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import subprocess
import time

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')
_ids = itertools.count(1)


class ProtocolFailure(Exception):
    """The server did not answer as a browser page would expect."""


def walk_models(node, found: dict):
    """Collect every model definition ({"type": "object", "id", "name", "attributes"}) under node."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "object" and "id" in item:
                found[item["id"]] = item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Session:
    """One page's session. `open()`, then `set_value`/`change_input`/`click`/`toggle`, then `close()`."""

    def __init__(self, base: str, query: str = "", label: str = "", wait_for: str | None = "auto"):
        """wait_for: the named model open() waits for (a view is built once its page has loaded, and its
        models arrive in a patch); "auto": `nodes` for the Network view, `train_nodes` for Training."""
        self.base, self.query, self.label = base.rstrip("/"), query, label
        if wait_for == "auto":
            view = (re.search(r"(?:^|&)view=([^&]*)", query) or [None, "network"])[1]
            wait_for = {"network": "nodes", "train": "train_nodes"}.get(view)
        self.wait_for = wait_for
        self._arrived = None
        self.port = int(re.search(r":(\d+)", self.base.split("//", 1)[1]).group(1))
        self.ws = None
        self.models: dict[str, dict] = {}
        self.errors: list[str] = []
        self.nodes_id = None
        self.nodes_updates = 0
        self.messages = 0
        self.sliders: list[str] = []
        self.receipts = 0                            # graph updates confirmed, as the page's script does
        self._write_lock = None                      # a message is 3 frames: never interleave two
        self._waiter: asyncio.Future | None = None
        self._replies: dict[str, asyncio.Future] = {}
        self._reader = None
        self.closed = False

    # --- opening -------------------------------------------------------------------------------

    async def fetch_page(self, timeout: float = 60) -> str:
        url = f"{self.base}/app" + (f"?{self.query}" if self.query else "")
        req = HTTPRequest(url, headers={"Host": f"localhost:{self.port}"}, request_timeout=timeout,
                          connect_timeout=timeout)
        resp = await AsyncHTTPClient().fetch(req, raise_error=False)
        if resp.code != 200:
            raise ProtocolFailure(f"GET {url}: HTTP {resp.code}")
        html = resp.body.decode("utf-8", "replace")
        m = TOKEN.search(html)
        if not m:
            raise ProtocolFailure("no session token in the page")
        return m.group(1)

    async def open(self, timeout: float = 60):
        """The whole handshake; returns once `document_ready` was sent and acknowledged."""
        token = await self.fetch_page(timeout)
        req = HTTPRequest(f"ws://localhost:{self.port}/app/ws", headers={"Origin": f"http://localhost:{self.port}"},
                          connect_timeout=timeout, request_timeout=timeout)
        self.ws = await websocket_connect(req, subprotocols=["bokeh", token], max_message_size=200 * 2**20)
        self.ws.stream.set_nodelay(True)             # a message's 3 frames leave at once, as a browser's do
        header, _, _ = await asyncio.wait_for(self._read_message(), timeout)
        if header["msgtype"] != "ACK":
            raise ProtocolFailure(f"expected ACK, got {header['msgtype']}")
        msgid = await self._send("PULL-DOC-REQ", {})
        while True:
            header, content, _ = await asyncio.wait_for(self._read_message(), timeout)
            if header["msgtype"] == "PULL-DOC-REPLY" and header.get("reqid") == msgid:
                break
            if header["msgtype"] == "ERROR":
                raise ProtocolFailure(f"ERROR on PULL-DOC-REQ: {json.loads(content).get('text', '')[:200]}")
        walk_models(json.loads(content)["doc"], self.models)
        self._index()
        self._arrived = asyncio.Event()
        self._check_arrived()
        self._reader = asyncio.ensure_future(self._read_loop())
        await self.send_patch([document_ready()], wait=True, timeout=timeout)
        if self.wait_for:
            await asyncio.wait_for(self._arrived.wait(), timeout)

    def _check_arrived(self):
        if self._arrived is not None and self.wait_for and self.find(name=self.wait_for) is not None:
            self._arrived.set()

    def _index(self):
        self.sliders = sorted((m["id"] for m in self.models.values()
                               if m.get("name") == "Slider" and re.fullmatch(r"x\d+", str((m.get("attributes") or {}).get("title", "")))),
                              key=lambda i: int(self.models[i]["attributes"]["title"][1:]))
        self.nodes_id = self.find(name="nodes")

    def find(self, type_: str | None = None, **attrs):
        """The id of the one model of that type (Bokeh class name) whose attributes match, or None."""
        for mid, m in self.models.items():
            if type_ is not None and m.get("name") != type_:
                continue
            a = m.get("attributes") or {}
            if all(a.get(k) == v for k, v in attrs.items()):
                return mid
        return None

    # --- the wire ------------------------------------------------------------------------------

    async def _write(self, header: dict, content: dict):
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            await self.ws.write_message(json.dumps(header))
            await self.ws.write_message("{}")
            await self.ws.write_message(json.dumps(content))

    async def _send(self, msgtype: str, content: dict) -> str:
        msgid = str(next(_ids))
        await self._write({"msgid": msgid, "msgtype": msgtype}, content)
        return msgid

    async def _read_message(self):
        frame = await self.ws.read_message()
        if frame is None:
            raise ProtocolFailure("the server closed the websocket")
        header = json.loads(frame)
        await self.ws.read_message()                 # metadata
        raw = await self.ws.read_message()
        buffers = 2 * int(header.get("num_buffers", 0) or 0)
        for _ in range(buffers):                     # buffer header, payload (numpy columns): unused here
            await self.ws.read_message()
        self.messages += 1
        return header, raw, buffers // 2

    async def _read_loop(self):
        try:
            while True:
                header, raw, _ = await self._read_message()
                kind, reqid = header["msgtype"], header.get("reqid")
                if kind == "PATCH-DOC":
                    self._on_patch(raw)
                elif kind in ("OK", "ERROR"):
                    fut = self._replies.pop(reqid, None)
                    if kind == "ERROR":
                        text = json.loads(raw).get("text", "")
                        self.errors.append(f"ERROR reply: {text[:200]}")
                        if fut and not fut.done():
                            fut.set_exception(ProtocolFailure(text[:200]))
                    elif fut and not fut.done():
                        fut.set_result(None)
        except ProtocolFailure as exc:
            if not self.closed:
                self.errors.append(str(exc))
        except Exception as exc:              # noqa: BLE001 -- any failure of the reader is an error of the run
            if not self.closed:
                self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_exception(ProtocolFailure("connection lost"))

    def _on_patch(self, raw: str):
        content = json.loads(raw)
        if '"attributes"' in raw:
            walk_models(content, self.models)
            if self.nodes_id is None or not self.sliders:
                self._index()
            self._check_arrived()
        for ev in content.get("events", []):
            model = ev.get("model")
            mid = model.get("id") if isinstance(model, dict) else None
            kind = ev.get("kind")
            changed = kind in ("ColumnDataChanged", "ColumnsStreamed", "ColumnsPatched") or (
                kind == "ModelChanged" and ev.get("attr") == "data")
            name = (self.models.get(mid, {}).get("attributes") or {}).get("name") if mid else None
            if changed and name in ("nodes", "train_nodes"):
                self._confirm(name[: -len("nodes")] + "received")
            if mid is not None and mid == self.nodes_id and changed:
                self.nodes_updates += 1
                if self._waiter is not None and not self._waiter.done():
                    self._waiter.set_result(time.perf_counter())
            elif kind == "ModelChanged" and mid in self.models and isinstance(ev.get("new"), (str, int, float, bool)):
                self.models[mid].setdefault("attributes", {})[ev["attr"]] = ev["new"]

    def _confirm(self, name: str):
        """Tell the server the graph update arrived, as the page's script does (the server paces the
        graph's updates by these receipts)."""
        rid = self.find(name=name)
        if rid is None:
            return
        self.receipts += 1
        event = {"kind": "ModelChanged", "model": {"id": rid}, "attr": "data",
                 "new": {"type": "map", "entries": [["n", [self.receipts]]]}}
        asyncio.get_running_loop().create_task(self._send_quietly([event]))

    async def _send_quietly(self, events):
        try:
            await self.send_patch(events)
        except Exception:                 # noqa: BLE001 -- the connection closing ends the receipts too
            pass

    async def send_patch(self, events: list, wait: bool = False, timeout: float = 30):
        msgid = str(next(_ids))
        fut = asyncio.get_running_loop().create_future() if wait else None
        if fut is not None:
            self._replies[msgid] = fut
        await self._write({"msgid": msgid, "msgtype": "PATCH-DOC"}, {"events": events})
        if fut is not None:
            await asyncio.wait_for(fut, timeout)

    # --- what a user does ------------------------------------------------------------------------

    async def set_value(self, model_id: str, attr: str, value, wait: bool = False):
        self.models[model_id]["attributes"][attr] = value
        await self.send_patch([{"kind": "ModelChanged", "model": {"id": model_id}, "attr": attr, "new": value}], wait)

    async def change_input(self, index: int, value: float, timeout: float = 30) -> float:
        """Move input slider `index` to value; seconds until the server's new `nodes` data arrived."""
        if index >= len(self.sliders) or self.nodes_id is None:
            raise ProtocolFailure("this page has no input slider / nodes source")
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        t0 = time.perf_counter()
        await self.set_value(self.sliders[index], "value", value)
        try:
            t1 = await asyncio.wait_for(self._waiter, timeout)
        finally:
            self._waiter = None
        return t1 - t0

    async def click(self, model_id: str):
        """A button press as BokehJS sends it: a bokeh_event `button_click` naming the model."""
        await self.send_patch([{"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": {
            "type": "event", "name": "button_click", "values": {"type": "map", "entries": [["model", {"id": model_id}]]}}}])

    async def close(self):
        self.closed = True
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001, S110 -- closing: nothing left to report
                pass


def document_ready() -> dict:
    """The event BokehJS publishes once every root has rendered (Panel waits for it)."""
    return {"kind": "MessageSent", "msg_type": "bokeh_event",
            "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map"}}}


def stop(p: subprocess.Popen):
    """End a server process the bench started: politely, then for sure."""
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)
