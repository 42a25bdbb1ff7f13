"""What one page costs: per view, its Bokeh models, the server's CPU to serve it, and the time until its data
reaches Chromium; then N pages opened at once.

    .venv/bin/python bench/page.py                       # every view, 8 pages each, Chromium for network and train
    .venv/bin/python bench/page.py --views network,train --pages 12 --browser-runs 7
    .venv/bin/python bench/page.py --at-once 20          # also: 20 protocol-level pages opened at the same moment
    .venv/bin/python bench/page.py --url http://localhost:8080 --at-once 30 --views network   # a running server

Per view, on a fresh `panel serve` (the run command's, bench/load.py `served`):
- models: the Bokeh models of the document the page pulls (bench/protocol.py, as a browser does);
- server CPU per page: the server's process tree (utime + stime, children included) while K pages are
  opened one after another (GET the page, websocket, PULL-DOC, `document_ready`, 0.4 s for what a page does
  once it is ready), less what the idle server spends in the same time; two pages first to warm up;
- first data in Chromium: a headless Chromium page opens the link; a script in the page records
  `performance.now()` (time since navigation start) when the view's named source first has data; p50 of
  --browser-runs fresh pages.
--at-once N: N protocol-level sessions opened at the same moment; how long until every one has its document
(with its first `nodes` data). With --url the server is not started (and CPU is not measured).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import TICK, served  # noqa: E402
from protocol import Session  # noqa: E402

# The source that carries each view's first picture.
FIRST_DATA = {"network": ("nodes", "a"), "neuron": ("neuron_curve", "f"), "forward": ("probs", "p"),
              "activations": ("nodes", "a"), "linearity": ("sweep", "relu"), "params": ("scale", "n"),
              "approximation": ("approx", "fit"), "depth": ("depth_curves", "deep"),
              "pitfalls": ("pitfall_tasks", "task"), "train": ("train_nodes", "a"), "digits": ("digit_probs", "p")}
SETTLE_S = 0.4


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants (threads included)."""
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


async def open_one(base: str, query: str) -> Session:
    s = Session(base, query)
    await s.open(60)
    return s


async def per_page(base: str, pid: int, view: str, pages: int) -> dict:
    query = f"view={view}"
    models = 0
    for _ in range(2):                                   # warm: imports, caches, the first session's costs
        s = await open_one(base, query)
        models = len(s.models)
        await asyncio.sleep(SETTLE_S)
        await s.close()
    await asyncio.sleep(1.0)
    c0, t0 = tree_cpu(pid), time.perf_counter()
    await asyncio.sleep(2.0)
    idle = (tree_cpu(pid) - c0) / (time.perf_counter() - t0)
    c0, t0 = tree_cpu(pid), time.perf_counter()
    for _ in range(pages):
        s = await open_one(base, query)
        await asyncio.sleep(SETTLE_S)
        await s.close()
    wall = time.perf_counter() - t0
    cpu = tree_cpu(pid) - c0 - idle * wall
    return {"view": view, "models": models, "cpu_ms": round(1e3 * cpu / pages, 1), "idle_pct": round(100 * idle, 1)}


async def at_once(base: str, n: int, query: str) -> dict:
    t0 = time.perf_counter()
    done = []

    async def one():
        s = await open_one(base, query)
        has_data = s.nodes_id is not None and "a" in json.dumps(s.models[s.nodes_id].get("attributes", {}))
        done.append((time.perf_counter() - t0, has_data))
        return s

    sessions = await asyncio.gather(*[one() for _ in range(n)], return_exceptions=True)
    errors = [repr(s)[:120] for s in sessions if isinstance(s, BaseException)]
    for s in sessions:
        if isinstance(s, Session):
            await s.close()
    times = sorted(t for t, _ in done)
    return {"n": n, "opened": len(done), "with_nodes": sum(ok for _, ok in done), "errors": errors,
            "p50_s": round(statistics.median(times), 2) if times else None, "all_s": round(times[-1], 2) if times else None}


FIRST_DATA_JS = """
(() => { const want = %s; window.__nnvizFirstData = null;
  const t = setInterval(() => {
    const d = window.Bokeh && Bokeh.documents && Bokeh.documents[0];
    const m = d && d.get_model_by_name(want[0]);
    if (m && m.data && m.data[want[1]] && m.data[want[1]].length) {
      window.__nnvizFirstData = performance.now(); clearInterval(t); }
  }, 5); })();
"""


def browser_times(url: str, views: list[str], runs: int) -> dict:
    from browser import chromium
    out = {}
    with chromium() as browser:
        for view in views:
            times = []
            for i in range(runs + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                page = context.new_page()
                page.add_init_script(FIRST_DATA_JS % json.dumps(FIRST_DATA[view]))
                page.goto(f"{url}/app?view={view}")
                page.wait_for_function("() => window.__nnvizFirstData !== null", timeout=60000)
                if i:                                    # the first page warms the server and the cache
                    times.append(page.evaluate("() => window.__nnvizFirstData") / 1e3)
                context.close()
            out[view] = {"p50_s": round(statistics.median(times), 2), "min_s": round(min(times), 2),
                         "max_s": round(max(times), 2)}
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--views", default=",".join(FIRST_DATA), help="comma-separated view keys")
    ap.add_argument("--pages", type=int, default=8, help="pages opened one after another per view (CPU)")
    ap.add_argument("--browser-views", default="network,train", help="views timed in Chromium ('' for none)")
    ap.add_argument("--browser-runs", type=int, default=5)
    ap.add_argument("--at-once", type=int, default=0, help="protocol-level pages opened at the same moment")
    ap.add_argument("--at-once-query", default="")
    ap.add_argument("--url", default="", help="a running server (no CPU figures then)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    views = [v for v in args.views.split(",") if v]
    result = {"pages": [], "browser": {}, "at_once": None}

    def run(base, pid):
        if pid is not None:
            for view in views:
                row = asyncio.run(per_page(base, pid, view, args.pages))
                result["pages"].append(row)
                if not args.json:
                    print(f"{view:14s} models {row['models']:4d}   server CPU per page {row['cpu_ms']:7.1f} ms"
                          f"   (idle server {row['idle_pct']} % of a core)", flush=True)
        bviews = [v for v in args.browser_views.split(",") if v]
        if bviews and args.browser_runs:
            result["browser"] = browser_times(base, bviews, args.browser_runs)
            if not args.json:
                for v, r in result["browser"].items():
                    print(f"{v:14s} link opened -> data in Chromium: p50 {r['p50_s']:.2f} s "
                          f"(min {r['min_s']:.2f}, max {r['max_s']:.2f}; {args.browser_runs} pages)", flush=True)
        if args.at_once:
            result["at_once"] = asyncio.run(at_once(base, args.at_once, args.at_once_query))
            r = result["at_once"]
            if not args.json:
                print(f"{r['n']} pages at once: all open after {r['all_s']} s (p50 {r['p50_s']} s), "
                      f"{r['with_nodes']} with nodes data, errors {len(r['errors'])} {r['errors'][:2]}", flush=True)

    if args.url:
        run(args.url.rstrip("/"), None)
    else:
        with served() as (base, pid, _log):
            run(base, pid)
    if args.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
