"""Input-to-picture latency of the live graph, measured in a real headless Chromium.

For each network: set an input slider's value in the browser (as a drag does), then time
  data  = until the server's new `nodes` columns arrive in the browser document,
  paint = until the frame after that has been painted,
over N changes (p50, p95); and, in-process, the server-side compute + serialise time of one change.

    .venv/bin/python bench/latency.py [--changes 60]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from bokeh.document import Document
from bokeh.protocol import Protocol

from browser import chromium_page, served_app  # bench/browser.py (also puts the project on sys.path)
from nnviz.ui.app import App  # noqa: E402

NETWORKS = {"digits 4-3-3-10": "preset=digits", "2-8-8-8-8-8-8-1": "sizes=2,8,8,8,8,8,8,1&activation=tanh&x=0.5,-0.5"}

ONE_CHANGE = """([value]) => new Promise(resolve => {
  const doc = Bokeh.documents[0];
  const src = doc.get_model_by_name('nodes');
  let slider = null;
  for (const m of doc.all_models) if (m.type === 'Slider' && m.title === 'x1') slider = m;
  const t0 = performance.now();
  const done = () => {
    src.properties.data.change.disconnect(done);
    const tData = performance.now() - t0;
    requestAnimationFrame(() => setTimeout(() => resolve([tData, performance.now() - t0]), 0));
  };
  src.properties.data.change.connect(done);
  slider.value = value;
})"""


def pct(values, q):
    return float(np.percentile(values, q))


def browser_latency(url: str, changes: int, pause_ms: int = 0):
    with chromium_page() as page:
        page.goto(url)
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                               "Bokeh.documents[0].get_model_by_name('nodes')")
        page.wait_for_timeout(1000)
        data, paint = [], []
        for i in range(changes + 5):
            value = round(-0.9 + 1.8 * (i % 19) / 18, 2)
            td, tp = page.evaluate(ONE_CHANGE, [value + 0.001 * (i % 2)])
            if pause_ms:
                page.wait_for_timeout(pause_ms)
            if i >= 5:                      # the first few warm up the JIT and caches
                data.append(td)
                paint.append(tp)
    return data, paint


def server_side(query: str, changes: int):
    """Milliseconds for compute + column updates, and for serialising the resulting PATCH-DOC."""
    args = dict(kv.split("=") for kv in query.split("&"))
    app = App(query=args)
    doc = Document()
    doc.add_root(app.graph.fig)
    events = []
    doc.callbacks.on_change(lambda ev: events.append(ev))
    compute, serialise = [], []
    for i in range(changes):
        events.clear()
        t0 = time.perf_counter()
        app.state.set_input_value(0, round(-0.9 + 1.8 * (i % 19) / 18, 2))
        t1 = time.perf_counter()
        msg = Protocol().create("PATCH-DOC", events)
        _ = msg.content, msg.buffers
        t2 = time.perf_counter()
        compute.append((t1 - t0) * 1e3)
        serialise.append((t2 - t1) * 1e3)
    return compute, serialise


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=60)
    args = ap.parse_args()
    print(f"{'network':18} {'changes':12} {'data p50':>9} {'data p95':>9} {'paint p50':>10} {'paint p95':>10}"
          f" {'server compute':>15} {'serialise':>10}   (ms, {args.changes} changes)")
    with served_app() as base:
        for name, query in NETWORKS.items():
            comp, ser = server_side(query, args.changes)
            # "spaced": one change every ~200 ms, like key presses; "back-to-back": the next change
            # as soon as the last frame is painted, like a continuous drag.
            for mode, pause in (("spaced", 200), ("back-to-back", 0)):
                data, paint = browser_latency(f"{base}?{query}", args.changes, pause)
                print(f"{name:18} {mode:12} {pct(data, 50):9.1f} {pct(data, 95):9.1f} {pct(paint, 50):10.1f} "
                      f"{pct(paint, 95):10.1f} {statistics.median(comp):15.2f} {statistics.median(ser):10.2f}")


if __name__ == "__main__":
    main()
