"""Input-to-picture latency of the live graph, measured in a real headless Chromium.

For each network: set an input slider's value in the browser (as a drag does), then time
  data  = until the server's new `nodes` columns arrive in the browser document,
  paint = until the frame after that has been painted,
over N changes (p50, p95), each change waiting for the last one's frame ("spaced": 200 ms later;
"back-to-back": at once); then a drag: 4N changes sweeping x1, one every 16 ms (60 Hz) without
waiting, timing data and paint from the change whose value the update shows (updates that show
no change's value, being skipped, are counted in "updates"). And, in-process, the server-side
compute + serialise time of one change and what one change sends (sources, columns, bytes).

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


DRAG = """([values, every]) => new Promise(resolve => {
  const doc = Bokeh.documents[0];
  const src = doc.get_model_by_name('nodes');
  let slider = null;
  for (const m of doc.all_models) if (m.type === 'Slider' && m.title === 'x1') slider = m;
  const sent = new Map(), lags = [];
  const arrived = () => {
    const t0 = sent.get(src.data.a[0]);         // input x1 passes through: a[0] is the value shown
    if (t0 === undefined) return;
    const tData = performance.now() - t0;
    requestAnimationFrame(() => setTimeout(() => lags.push([tData, performance.now() - t0]), 0));
  };
  src.properties.data.change.connect(arrived);
  let i = 0;
  const tick = () => {
    if (i < values.length) {
      sent.set(values[i], performance.now());
      slider.value = values[i++];
      setTimeout(tick, every);
    } else setTimeout(() => { src.properties.data.change.disconnect(arrived); resolve(lags); }, 1500);
  };
  tick();
})"""


def pct(values, q):
    return float(np.percentile(values, q))


def open_graph(page, url: str):
    """Open the app and wait until its graph is drawn and settled."""
    page.goto(url)
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                           "Bokeh.documents[0].get_model_by_name('nodes')")
    page.wait_for_timeout(1000)


def browser_latency(url: str, changes: int, pause_ms: int = 0):
    with chromium_page() as page:
        open_graph(page, url)
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


def drag_latency(url: str, changes: int, every_ms: int = 16):
    """[data ms], [paint ms] of the updates a 60 Hz sweep of x1 over `changes` values brought back."""
    with chromium_page() as page:
        open_graph(page, url)
        page.evaluate(ONE_CHANGE, [0.95])                     # warm up
        values = [round(-0.9 + 1.8 * i / (changes - 1), 4) for i in range(changes)]
        lags = page.evaluate(DRAG, [values, every_ms])
    return [d for d, _ in lags], [p for _, p in lags]


def server_side(query: str, changes: int):
    """Milliseconds for compute + column updates and for serialising the resulting PATCH-DOC, and a
    line saying what the last one sent."""
    args = dict(kv.split("=") for kv in query.split("&"))
    app = App(query=args)
    doc = Document()
    doc.add_root(app.graph.fig)
    events = []
    doc.callbacks.on_change(lambda ev: events.append(ev))
    compute, serialise, msg = [], [], None
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
    return compute, serialise, sent(events, msg)


def sent(events, msg) -> str:
    """'nodes (z, a, ...); 2 binary buffers, 3.1 kB': what one PATCH-DOC carried."""
    parts = []
    for ev in events:
        name = getattr(ev.model, "name", None) or type(ev.model).__name__
        cols = getattr(ev, "cols", None) or [getattr(ev, "attr", "?")]
        parts.append(f"{name} ({', '.join(sorted(cols))})")
    size = len(msg.content_json) + sum(len(b.to_bytes()) for b in msg.buffers)
    return f"{'; '.join(parts) or 'nothing'}; {len(msg.buffers)} binary buffers, {size / 1024:.1f} kB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=60)
    args = ap.parse_args()
    print(f"{'network':18} {'changes':12} {'data p50':>9} {'data p95':>9} {'paint p50':>10} {'paint p95':>10}"
          f" {'server compute':>15} {'serialise':>10}   (ms, {args.changes} changes)")
    with served_app() as base:
        for name, query in NETWORKS.items():
            comp, ser, what = server_side(query, args.changes)
            # "spaced": one change every ~200 ms, like key presses; "back-to-back": the next change
            # as soon as the last frame is painted, like a continuous drag.
            gaps = {}
            for mode, pause in (("spaced", 200), ("back-to-back", 0)):
                data, paint = browser_latency(f"{base}?{query}", args.changes, pause)
                print(f"{name:18} {mode:12} {pct(data, 50):9.1f} {pct(data, 95):9.1f} {pct(paint, 50):10.1f} "
                      f"{pct(paint, 95):10.1f} {statistics.median(comp):15.2f} {statistics.median(ser):10.2f}")
                gaps[mode] = pct(data, 50)
            data, paint = drag_latency(f"{base}?{query}", 4 * args.changes)
            print(f"{name:18} {'drag 60 Hz':12} {pct(data, 50):9.1f} {pct(data, 95):9.1f} {pct(paint, 50):10.1f} "
                  f"{pct(paint, 95):10.1f}   ({len(paint)} updates for {4 * args.changes} changes)")
            print(f"{'':18} one input sends: {what}")
            if gaps["back-to-back"] > gaps["spaced"] + 25:
                print(f"{'':18} back-to-back data waits ~40 ms more than spaced: the server's websocket is "
                      "probably holding frames for delayed ACKs (Nagle); is TCP_NODELAY set?")


if __name__ == "__main__":
    main()
