"""Live class bench: one teacher and N followers (browser-less sessions) over P `panel serve` processes and Redis.

Starts a redis-server and P processes (127.0.0.1, free ports, NNVIZ_REDIS_URL set, NNVIZ_TRAIN_PROCS=0 as
scripts/serve-class.sh runs them), opens the teacher's page (`?teach=1`) on the first process, N follower
pages (`?follow=CODE`) spread over the processes, and one student who does not follow (on the last
process). Then:
  1. inputs: the teacher moves an input every --interval s for --seconds; for each change, the time from
     the teacher's change sent to each follower's new `nodes` data (p50, p95, max over all followers and
     changes), while the bystander moves an input every 0.5 s (its own input -> its `nodes`: p50, p95, max);
  2. training: the teacher opens the Training tab (the followers follow), presses Play, and for --seconds
     the followers' loss-curve frames are counted (frames per second per follower: min, median).

    .venv/bin/python bench/follow.py --followers 60 --procs 2
    .venv/bin/python bench/follow.py --followers 5 --seconds 5 --json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import Session, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT / ".venv" / "bin" / "panel"
CODE = re.compile(r"follow=([A-Za-z0-9_-]{16})")
TEACHER_QUERY = "teach=1&preset=custom&sizes=2,4,2,1&output=tanh"
TRAIN_TAB = 9                                   # the Training tab's index in the views' table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a process exited ({proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"port {port} did not answer")


def start(stack: ExitStack, procs: int, train_procs: int = 0) -> list[str]:
    """redis-server and `procs` panel processes; returns their base URLs (all stopped when the stack closes)."""
    def popen(args, env=None):
        p = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(stop, p)
        return p
    rport = free_port()
    redis = popen([shutil.which("redis-server"), "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no"])
    wait_port(rport, redis)
    env = {**os.environ, "NNVIZ_REDIS_URL": f"redis://127.0.0.1:{rport}/0", "NNVIZ_TRAIN_PROCS": str(train_procs)}
    bases = []
    for _ in range(procs):
        port = free_port()
        p = popen([str(PANEL), "serve", "app.py", "--port", str(port), "--address", "127.0.0.1", "--setup",
                   "nnviz/server/startup.py", "--auth-module", "nnviz/server/auth.py",
                   "--allow-websocket-origin", f"localhost:{port}", "--log-level", "warning"], env)
        wait_port(port, p)
        bases.append(f"http://localhost:{port}")
    return bases


class Watched(Session):
    """A session that notes when each `nodes` update and each loss-curve frame arrived."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.node_times, self.curve_times = [], []

    def _on_patch(self, raw: str):
        before = self.nodes_updates
        super()._on_patch(raw)
        now = time.perf_counter()
        if self.nodes_updates > before:
            self.node_times.append(now)
        if '"ColumnsStreamed"' in raw or '"ColumnDataChanged"' in raw:
            curve = self.find(name="loss_curve")
            if curve is not None and f'"id":"{curve}"' in raw.replace(" ", ""):
                self.curve_times.append(now)


def stats(values_s) -> dict:
    a = np.asarray(values_s) * 1e3
    if not len(a):
        return {"n": 0}
    return {"n": int(len(a)), "p50": round(float(np.percentile(a, 50)), 1),
            "p95": round(float(np.percentile(a, 95)), 1), "max": round(float(a.max()), 1)}


async def bystander(s: Session, until: float, out: list):
    rng = random.Random(1)
    while time.monotonic() < until:
        try:
            out.append(await s.change_input(rng.randrange(len(s.sliders)), round(rng.uniform(-1, 1), 2), timeout=10))
        except Exception:                   # noqa: BLE001 -- counted as a missing answer
            out.append(10.0)
        await asyncio.sleep(0.5)


async def run(followers: int, procs: int, seconds: float, interval: float, train_procs: int = 0) -> dict:
    with ExitStack() as stack:
        bases = start(stack, procs, train_procs)
        teacher = Watched(bases[0], TEACHER_QUERY, "teacher")
        await teacher.open()
        text = json.dumps(teacher.models)
        code = CODE.search(text).group(1)
        t0 = time.perf_counter()
        students = []
        for i in range(followers):          # a few at a time, as a class arrives
            students.append(Watched(bases[i % procs], f"follow={code}", f"s{i}"))
        for i in range(0, followers, 6):
            await asyncio.gather(*(s.open(120) for s in students[i:i + 6]))
        opened = time.perf_counter() - t0
        quiet = Watched(bases[-1], "", "bystander")
        await quiet.open()
        await asyncio.sleep(3)
        # 1. the teacher's input changes
        lat, quiet_lat = [], []
        until = time.monotonic() + seconds
        task = asyncio.ensure_future(bystander(quiet, until, quiet_lat))
        rng, changes = random.Random(0), 0
        while time.monotonic() < until:
            marks = [len(s.node_times) for s in students]
            sent = time.perf_counter()
            await teacher.change_input(changes % 2, round(rng.uniform(-1, 1), 2), timeout=10)
            changes += 1
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(len(s.node_times) <= m for s, m in zip(students, marks)):
                await asyncio.sleep(0.01)
            lat += [s.node_times[m] - sent for s, m in zip(students, marks) if len(s.node_times) > m]
            missing = sum(len(s.node_times) <= m for s, m in zip(students, marks))
            lat += [5.0] * missing
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - sent)))
        await task
        # 2. training: the teacher opens the Training tab and plays
        tabs = next(mid for mid, m in teacher.models.items() if str(m.get("name", "")).endswith("Tabs"))
        await teacher.set_value(tabs, "active", TRAIN_TAB, wait=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(s.find(name="loss_curve") for s in students):
            await asyncio.sleep(0.2)
        while time.monotonic() < deadline and teacher.find("Toggle", label="▶ Play") is None:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        await teacher.set_value(teacher.find("Toggle", label="▶ Play"), "active", True, wait=True)
        await asyncio.sleep(2)
        marks = [len(s.curve_times) for s in students]
        t1 = time.perf_counter()
        await asyncio.sleep(seconds)
        span = time.perf_counter() - t1
        fps = sorted((len(s.curve_times) - m) / span for s, m in zip(students, marks))
        errors = [e for s in [teacher, quiet, *students] for e in s.errors]
        for s in [teacher, quiet, *students]:
            await s.close()
        return {"followers": followers, "processes": procs, "train_procs": train_procs, "open_all_s": round(opened, 1), "changes": changes,
                "follower_latency_ms": stats(lat), "bystander_latency_ms": stats(quiet_lat),
                "training_fps_min": round(fps[0], 1), "training_fps_median": round(float(np.median(fps)), 1),
                "training_fps_max": round(fps[-1], 1), "errors": errors[:5], "n_errors": len(errors)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--followers", type=int, default=60)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between two of the teacher's changes")
    ap.add_argument("--train-procs", type=int, default=0,
                    help="NNVIZ_TRAIN_PROCS of each process (0, as serve-class.sh: the teacher trains on its loop)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    r = asyncio.run(run(a.followers, a.procs, a.seconds, a.interval, a.train_procs))
    if a.json:
        print(json.dumps(r))
        return r
    print(f"{r['followers']} followers over {r['processes']} processes (Redis); all open after {r['open_all_s']} s")
    f, b = r["follower_latency_ms"], r["bystander_latency_ms"]
    print(f"teacher's input -> each follower's nodes: p50 {f.get('p50')} ms, p95 {f.get('p95')} ms, "
          f"max {f.get('max')} ms ({f['n']} arrivals of {r['changes']} changes)")
    print(f"a student not following, own input -> nodes: p50 {b.get('p50')} ms, p95 {b.get('p95')} ms, "
          f"max {b.get('max')} ms ({b['n']} changes)")
    print(f"training frames per follower: min {r['training_fps_min']}/s, median {r['training_fps_median']}/s, "
          f"max {r['training_fps_max']}/s")
    print(f"errors: {r['n_errors']} {r['errors']}")
    return r


if __name__ == "__main__":
    main()
