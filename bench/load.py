"""Load bench for a hosted class: N browser-less sessions against one `panel serve app.py`.

Starts the server itself (127.0.0.1, a free port), opens N sessions at the Bokeh protocol level
(bench/protocol.py: GET the page for its token, websocket, PULL-DOC, `document_ready`), then for
--seconds every interactive session moves an input slider every --interval s and times
    latency = input change sent -> the server's PATCH-DOC changing the `nodes` source received.
A --training-share of the sessions open the Training tab (a 2-4-2-1 tanh network that fits the
default problem) and press Play instead; --heavy K sessions open the heavy link
(`?view=linearity&sizes=4096,1,2200,2200`, or --heavy-query) at the start of the measurement.

    .venv/bin/python bench/load.py --sessions 50 --training-share 0.1 --seconds 20
    .venv/bin/python bench/load.py --bystander            # the four bystander scenarios (a)-(d)
    .venv/bin/python bench/load.py --sessions 3 --seconds 5 --json

It prints a table: latency p50/p95/max (ms) and count, errors (open failures, ERROR replies, lost
connections, changes unanswered within the time bound), server RSS (baseline, after, per session),
server CPU (% of one core, over the measured phase), this client's own CPU (it shares the machine),
how long opening took, and the training sessions' frames/s. --bystander instead runs, each on a fresh
server and bounded by --bystander-seconds, one quiet session changing an input every
--bystander-interval s while (a) 10 heavy links open at once, (b) 20 pages open at once, (c) another
session trains digits (the Digits tab's "Train the digits network"), (d) 4 sessions train (Play);
it reports that session's latency (p50, p95, max) per scenario, plus how long until all heavy links /
all 20 pages were answered, and any message with which the server refused the heavy link.
--json prints one JSON object instead of the tables. All traffic goes to 127.0.0.1; every phase has
a time bound and the server is stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import ProtocolFailure, Session, stop

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT / ".venv" / "bin" / "panel"
TRAIN_QUERY = "view=train&preset=custom&sizes=2,4,2,1&output=tanh"
DIGITS_QUERY = "view=digits"
HEAVY_QUERY = "view=linearity&sizes=4096,1,2200,2200"
TICK = os.sysconf("SC_CLK_TCK")


# --- the server ----------------------------------------------------------------------------------

@contextmanager
def served(log_path: Path | None = None):
    """`panel serve app.py` on a free 127.0.0.1 port; yields (base URL, server PID, log path)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = [str(PANEL)] if PANEL.exists() else [sys.executable, "-m", "panel"]
    log_path = log_path or Path(tempfile.mkstemp(prefix="nnviz-load-", suffix=".log")[1])
    log = open(log_path, "w")  # noqa: SIM115 -- closed in the finally below, after the server
    server = subprocess.Popen([*exe, "serve", "app.py", "--port", str(port), "--address", "127.0.0.1",
                               "--setup", "nnviz/server/startup.py", "--auth-module", "nnviz/server/auth.py", "--allow-websocket-origin", f"localhost:{port}"],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode}); see {log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/liveness", timeout=2):
                    break
            except OSError:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.2)
        yield f"http://localhost:{port}", server.pid, log_path
    finally:
        stop(server)
        log.close()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK       # utime, stime (fields 14, 15)


def log_problems(log_path: Path) -> list[str]:
    """Lines of the server log that report an error (a traceback's last line counts once)."""
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    return [ln for ln in lines if re.search(r"\bERROR\b|Traceback|Exception", ln)]


def stats_ms(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    a = np.asarray(values) * 1e3
    return {"n": len(values), "p50": round(float(np.percentile(a, 50)), 1),
            "p95": round(float(np.percentile(a, 95)), 1), "max": round(float(a.max()), 1)}


# --- sessions ------------------------------------------------------------------------------------

def new_value(session: Session, index: int, rng: random.Random) -> float:
    attrs = session.models[session.sliders[index]].get("attributes") or {}
    lo, hi = float(attrs.get("start", -1.0)), float(attrs.get("end", 1.0))
    current = attrs.get("value")
    while True:
        v = round(rng.uniform(max(lo, -1.0), min(hi, 1.0)), 2)
        if v != current:
            return v


async def open_session(base, query, results, label, timeout):
    """Open one session; on failure record the error and return None."""
    s = Session(base, query, label)
    t0 = time.perf_counter()
    try:
        await asyncio.wait_for(s.open(timeout), timeout)
    except (TimeoutError, ProtocolFailure, OSError, Exception) as exc:  # noqa: BLE001
        results["errors"].append(f"open {label}: {type(exc).__name__}: {str(exc)[:160]}")
        await s.close()
        return None
    results["open_s"].append(time.perf_counter() - t0)
    return s


async def drive_inputs(session: Session, until: float, interval: float, latencies: list, errors: list,
                       rng: random.Random, first_delay: float = 0.0, answer_timeout: float = 5.0):
    """Move a random input slider every `interval` s until `until` (monotonic clock)."""
    await asyncio.sleep(first_delay)
    while time.monotonic() < until:
        started = time.monotonic()
        index = rng.randrange(len(session.sliders))
        try:
            lat = await session.change_input(index, new_value(session, index, rng),
                                             timeout=max(0.0, until - time.monotonic()) + answer_timeout)
            latencies.append(lat)
        except TimeoutError:
            errors.append(f"{session.label}: an input change was not answered in time")
        except ProtocolFailure as exc:
            errors.append(f"{session.label}: {exc}")
            return
        await asyncio.sleep(max(0.0, min(interval - (time.monotonic() - started), until - time.monotonic())))


async def press_play(session: Session, results: dict):
    play = session.find("Toggle", label="▶ Play")
    if play is None:
        results["errors"].append(f"{session.label}: no ▶ Play toggle in the training page")
        return False
    await session.set_value(play, "active", True, wait=True)
    return True


def refusal_messages(session: Session) -> list[str]:
    out = []
    for m in session.models.values():
        text = (m.get("attributes") or {}).get("text")
        if isinstance(text, str) and "Ignored from the link" in text:
            plain = re.sub(r"<[^>]+>", "", html.unescape(html.unescape(text)))
            out.append(html.unescape(plain).strip())
    return sorted(set(out))


# --- the load run ----------------------------------------------------------------------------------

async def load_run(base: str, pid: int, sessions: int, training_share: float, seconds: float, interval: float,
                   heavy: int, heavy_query: str, open_concurrency: int, open_timeout: float, seed: int) -> dict:
    rng = random.Random(seed)
    results = {"errors": [], "open_s": []}
    n_train = round(sessions * training_share)
    n_inter = sessions - n_train

    warm = await open_session(base, "", results, "warm-up", open_timeout)   # imports, caches: not per-session cost
    if warm is not None:
        await warm.close()
    results["open_s"].clear()
    await asyncio.sleep(1.0)
    rss0 = rss_mb(pid)

    sem = asyncio.Semaphore(open_concurrency)

    async def bounded(query, label):
        async with sem:
            return await open_session(base, query, results, label, open_timeout)

    t_open = time.perf_counter()
    opened = await asyncio.gather(*[bounded("", f"s{i}") for i in range(n_inter)],
                                  *[bounded(TRAIN_QUERY, f"t{i}") for i in range(n_train)])
    open_total = time.perf_counter() - t_open
    inter = [s for s in opened[:n_inter] if s is not None]
    trainers = [s for s in opened[n_inter:] if s is not None]
    for s in inter:
        if not s.sliders or s.nodes_id is None:
            results["errors"].append(f"{s.label}: the page has no input slider or no `nodes` source")
    inter = [s for s in inter if s.sliders and s.nodes_id is not None]
    rss_open = rss_mb(pid)
    open_times = list(results["open_s"])

    # the measured phase
    cpu0, c0, t0 = cpu_seconds(pid), time.process_time(), time.monotonic()
    until = t0 + seconds
    for s in trainers:
        try:
            await press_play(s, results)
        except (TimeoutError, ProtocolFailure) as exc:
            results["errors"].append(f"{s.label}: Play: {exc}")
    train_msgs0 = [s.messages for s in trainers]
    heavy_task = None
    heavy_sessions: list = []
    heavy_open: dict = {"errors": results["errors"], "open_s": []}
    if heavy:
        async def open_heavy():
            t = time.perf_counter()
            got = await asyncio.gather(*[open_session(base, heavy_query, heavy_open, f"h{i}", open_timeout)
                                         for i in range(heavy)])
            heavy_sessions.extend(s for s in got if s is not None)
            return time.perf_counter() - t
        heavy_task = asyncio.ensure_future(open_heavy())
    latencies: list = []
    await asyncio.gather(*[drive_inputs(s, until, interval, latencies, results["errors"], rng,
                                        first_delay=rng.uniform(0, interval)) for s in inter])
    heavy_all = await heavy_task if heavy_task is not None else None
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    client_cpu = time.process_time() - c0
    train_fps = [(s.messages - m0) / elapsed for s, m0 in zip(trainers, train_msgs0)]
    rss_end = rss_mb(pid)
    refused = sorted({m for s in heavy_sessions for m in refusal_messages(s)})
    for s in [*inter, *trainers, *heavy_sessions]:
        results["errors"].extend(f"{s.label}: {e}" for e in s.errors)
        await s.close()

    return {
        "sessions": sessions, "interactive": n_inter, "training": n_train, "heavy": heavy,
        "seconds": round(elapsed, 1), "interval": interval,
        "latency_ms": stats_ms(latencies),
        "errors": len(results["errors"]), "error_samples": results["errors"][:10],
        "open_s": {"all": round(open_total, 2), **{k: (None if v is None else round(v / 1e3, 2))
                                                   for k, v in stats_ms(open_times).items() if k != "n"}},
        "rss_mb": {"baseline": round(rss0, 1), "after_open": round(rss_open, 1), "end": round(rss_end, 1),
                   "per_session": round((max(rss_open, rss_end) - rss0) / max(1, sessions), 2)},
        "server_cpu_pct": round(100 * cpu / elapsed, 1),
        "client_cpu_pct": round(100 * client_cpu / elapsed, 1),
        "training_frames_per_s": round(float(np.mean(train_fps)), 1) if train_fps else None,
        "heavy_open_all_s": None if heavy_all is None else round(heavy_all, 2),
        "heavy_refused": refused,
    }


# --- the bystander scenarios -------------------------------------------------------------------------

async def bystander_run(base: str, pid: int, scenario: str, seconds: float, interval: float, heavy_query: str,
                        open_timeout: float, seed: int) -> dict:
    rng = random.Random(seed)
    results = {"errors": [], "open_s": []}
    me = await open_session(base, "", results, "bystander", open_timeout)
    if me is None or not me.sliders:
        return {"scenario": scenario, "errors": len(results["errors"]) or 1, "error_samples": results["errors"]}
    quiet: list = []                                    # a few changes on the quiet server first
    await drive_inputs(me, time.monotonic() + min(3.0, seconds / 4), interval, quiet, results["errors"], rng)

    others: list = []
    extra: dict = {}
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    until = t0 + seconds

    async def disturb():
        if scenario in ("heavy", "pages"):
            count, query = (10, heavy_query) if scenario == "heavy" else (20, "")
            t = time.perf_counter()
            got = await asyncio.gather(*[open_session(base, query, results, f"o{i}", open_timeout)
                                         for i in range(count)])
            others.extend(s for s in got if s is not None)
            extra["all_answered_s"] = round(time.perf_counter() - t, 2)
            extra["answered"] = len(others)
            extra["open_max_s"] = round(max(results["open_s"][1:], default=0), 2)
            if scenario == "heavy":
                extra["refused"] = sorted({m for s in others for m in refusal_messages(s)})
        elif scenario == "digits":
            s = await open_session(base, DIGITS_QUERY, results, "digits", open_timeout)
            if s is None:
                return
            others.append(s)
            button = s.find(label="Train the digits network")
            if button is None:
                results["errors"].append("no 'Train the digits network' button on the Digits page")
                return
            extra["pressed_at_s"] = round(time.monotonic() - t0, 2)
            await s.click(button)
        elif scenario == "train":
            got = await asyncio.gather(*[open_session(base, TRAIN_QUERY, results, f"t{i}", open_timeout)
                                         for i in range(4)])
            others.extend(s for s in got if s is not None)
            for s in others:
                await press_play(s, results)
            m0, t = [s.messages for s in others], time.monotonic()
            await asyncio.sleep(max(5.0, until - time.monotonic() - 0.2))   # at least 5 s of frames counted
            extra["training_frames_per_s"] = round(float(np.mean([(s.messages - m) / (time.monotonic() - t)
                                                                  for s, m in zip(others, m0)])), 1)

    latencies: list = []
    task = asyncio.ensure_future(disturb())
    await drive_inputs(me, until, interval, latencies, results["errors"], rng, answer_timeout=open_timeout)
    cap = until + open_timeout                         # pages still opening: keep measuring until answered
    while not task.done() and time.monotonic() < cap:
        await drive_inputs(me, time.monotonic() + 0.01, interval, latencies, results["errors"], rng,
                           answer_timeout=max(0.5, cap - time.monotonic()))
    try:
        await asyncio.wait_for(task, max(0.1, cap - time.monotonic()))
    except TimeoutError:
        results["errors"].append(f"{scenario}: the disturbance did not finish within the time bound")
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    for s in [me, *others]:
        results["errors"].extend(f"{s.label}: {e}" for e in s.errors)
        await s.close()
    return {"scenario": scenario, "quiet_ms": stats_ms(quiet), "latency_ms": stats_ms(latencies),
            "seconds": round(elapsed, 1), "server_cpu_pct": round(100 * cpu / elapsed, 1),
            "rss_mb": round(rss_mb(pid), 1), "errors": len(results["errors"]),
            "error_samples": results["errors"][:10], **extra}


SCENARIOS = {"heavy": "(a) 10 heavy links at once", "pages": "(b) 20 pages at once",
             "digits": "(c) a session trains digits", "train": "(d) 4 sessions train (Play)"}


# --- output ------------------------------------------------------------------------------------------

def print_load(r: dict):
    lat = r["latency_ms"]
    rows = [
        ("sessions (interactive / training / heavy)", f"{r['sessions']} ({r['interactive']} / {r['training']} / {r['heavy']})"),
        ("measured", f"{r['seconds']} s, one input change per {r['interval']} s per session"),
        ("latency input -> nodes (ms)", f"p50 {lat['p50']}  p95 {lat['p95']}  max {lat['max']}  (n = {lat['n']})"),
        ("errors", str(r["errors"])),
        ("opening (s)", f"all {r['open_s']['all']}, each p50 {r['open_s']['p50']} p95 {r['open_s']['p95']} max {r['open_s']['max']}"),
        ("server RSS (MB)", f"baseline {r['rss_mb']['baseline']}, after open {r['rss_mb']['after_open']}, end {r['rss_mb']['end']}"),
        ("server RSS per session (MB)", str(r["rss_mb"]["per_session"])),
        ("server CPU (% of one core)", str(r["server_cpu_pct"])),
        ("this client's CPU (%)", str(r["client_cpu_pct"])),
        ("training frames/s per training session", str(r["training_frames_per_s"])),
    ]
    if r["heavy"]:
        rows.append(("heavy links: all opened after (s)", str(r["heavy_open_all_s"])))
        rows.append(("heavy links refused", "; ".join(r["heavy_refused"]) or "no"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    for e in r["error_samples"]:
        print("  error:", e)


def print_bystander(rows: list[dict]):
    print(f"{'scenario':<32} {'quiet p50':>9} {'p50':>7} {'p95':>7} {'max':>8} {'n':>4} {'CPU%':>6} {'err':>4}  notes")
    for r in rows:
        lat, q = r.get("latency_ms", {}), r.get("quiet_ms", {})
        notes = []
        if "all_answered_s" in r:
            notes.append(f"all {r['answered']} answered after {r['all_answered_s']} s")
        if r.get("refused"):
            notes.append("REFUSED: " + "; ".join(r["refused"]))
        if "training_frames_per_s" in r:
            notes.append(f"{r['training_frames_per_s']} training frames/s per trainer")
        if "pressed_at_s" in r:
            notes.append(f"train pressed at {r['pressed_at_s']} s")
        print(f"{SCENARIOS[r['scenario']]:<32} {q.get('p50')!s:>9} {lat.get('p50')!s:>7} {lat.get('p95')!s:>7} "
              f"{lat.get('max')!s:>8} {lat.get('n')!s:>4} {r.get('server_cpu_pct')!s:>6} {r['errors']:>4}  "
              + "; ".join(notes))
        for e in r.get("error_samples", []):
            print("  error:", e)
    print("(latencies in ms: one quiet session's input change -> its new `nodes` data; "
          "'quiet p50' before the disturbance started)")


# --- entry ---------------------------------------------------------------------------------------------

def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--training-share", type=float, default=0.1)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--heavy", type=int, default=0, help="heavy links opened at the start of the measurement")
    ap.add_argument("--heavy-query", default=HEAVY_QUERY)
    ap.add_argument("--open-concurrency", type=int, default=10, help="pages being opened at once (load run)")
    ap.add_argument("--open-timeout", type=float, default=60.0)
    ap.add_argument("--bystander", action="store_true", help="run the four bystander scenarios instead")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="bystander scenarios to run: heavy,pages,digits,train")
    ap.add_argument("--bystander-seconds", type=float, default=15.0)
    ap.add_argument("--bystander-interval", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not (1 <= a.sessions <= 1000 and 0 < a.seconds <= 600 and a.interval > 0 and 0 <= a.heavy <= 50):
        ap.error("bounds: 1 <= sessions <= 1000, 0 < seconds <= 600, interval > 0, 0 <= heavy <= 50")
    chosen = [x.strip() for x in a.scenarios.split(",") if x.strip()]
    if not chosen or any(x not in SCENARIOS for x in chosen):
        ap.error(f"--scenarios: a comma-separated subset of {','.join(SCENARIOS)}")

    if a.bystander:
        rows = []
        for i, scenario in enumerate(chosen):
            with served() as (base, pid, log):
                r = asyncio.run(asyncio.wait_for(
                    bystander_run(base, pid, scenario, a.bystander_seconds, a.bystander_interval, a.heavy_query,
                                  a.open_timeout, a.seed + i),
                    a.bystander_seconds + 3 * a.open_timeout))
                r["server_log_errors"] = len(log_problems(log))
            rows.append(r)
        out = {"bystander": rows}
        if a.json:
            print(json.dumps(out))
        else:
            print_bystander(rows)
        return out

    with served() as (base, pid, log):
        r = asyncio.run(asyncio.wait_for(
            load_run(base, pid, a.sessions, a.training_share, a.seconds, a.interval, a.heavy, a.heavy_query,
                     a.open_concurrency, a.open_timeout, a.seed),
            a.seconds + 2 * a.open_timeout + a.open_timeout * (a.sessions / a.open_concurrency)))
        problems = log_problems(log)
    r["server_log_errors"] = len(problems)
    r["server_log_samples"] = problems[:5]
    if a.json:
        print(json.dumps(r))
    else:
        print_load(r)
        print(f"{'server log error lines':<41}  {len(problems)}")
        for p in problems[:5]:
            print("  log:", p[:200])
    return r


if __name__ == "__main__":
    main()
