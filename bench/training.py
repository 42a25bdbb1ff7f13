"""Training speed: epochs per second of the engine alone (no UI), best of a few repeats.

    .venv/bin/python bench/training.py [--seconds 2] [--only engine/server/browser] [--json]
    .venv/bin/python bench/training.py --only server --seconds 60    # 10 minutes: flat over time?

bench_engine() times TensorFlow Playground's default task and the digits network, with and without
recording the losses every epoch. bench_browser() serves the app, presses Play on the training tab in
headless Chromium and counts the frames (loss-curve updates) and epochs that reach the page.
bench_server() does the same with a protocol-level client instead of a browser (bench/protocol.py):
what the server delivers when the page is drawn on another machine, as in a classroom (Chromium on
this 2-core machine takes about a core of its own to draw 30 frames a second).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nnviz.core import training  # noqa: E402

# name -> build_trainer keywords
TASKS = {
    "playground default: circle 2-4-2-1 tanh, 250 train points, batch 10, sgd 0.03": dict(problem="circle"),
    "digits 64-32-10 tanh/softmax, 898 train images, batch 32, sgd 0.1":
        dict(problem="digits", hidden=(32,), lr=0.1, batch_size=32),
}


def epochs_per_second(trainer, seconds: float, record_every: int, repeats: int = 5) -> float:
    """Best rate over `repeats` timed stretches of about `seconds` each (after a short warm-up)."""
    trainer.run(3)
    best = 0.0
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            trainer.run(record_every, record_every=record_every)
            n += record_every
        best = max(best, n / (time.perf_counter() - t0))
    return best


def bench_engine(seconds: float = 0.5) -> list:
    """Rows {task, record, epochs_per_second, ms_per_epoch, test_loss} for every task in TASKS."""
    rows = []
    for name, settings in TASKS.items():
        for label, every in (("every epoch", 1), ("every 100 epochs", 100)):
            trainer = training.build_trainer(seed=1, **settings)
            rate = epochs_per_second(trainer, seconds, every)
            rows.append({"task": name, "record": label, "epochs_per_second": round(rate, 1),
                         "ms_per_epoch": round(1000.0 / rate, 3),
                         "test_loss": round(trainer.history["test_loss"][-1], 5)})
    return rows


FRAME_COUNTER = """() => { const s = Bokeh.documents[0].get_model_by_name('loss_curve');
  window.__frames = []; s.streaming.connect(() => window.__frames.push([performance.now(), s.data.epoch[s.data.epoch.length - 1]])); }"""


def bench_browser(seconds: float = 0.5) -> list:
    """Frames and epochs per second reaching Chromium while the Playground's default task trains."""
    from browser import chromium_page, served_app
    window = max(5.0, 10 * seconds)
    with served_app() as url, chromium_page() as page:
        page.goto(url + "?view=train&preset=custom&sizes=2,4,2,1&output=tanh")   # the Playground default
        page.locator(".train-status").wait_for()
        page.evaluate(FRAME_COUNTER)
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_timeout(1000)                   # warm-up: the frame budget adapts
        page.evaluate("() => { window.__frames = []; }")
        t0 = time.perf_counter()
        # While it trains, a click elsewhere must still be answered promptly.
        page.locator(".bk-tab", has_text="Network").first.click()
        click_ms = (time.perf_counter() - t0) * 1000
        page.locator(".bk-tab", has_text="Training").first.click()
        page.wait_for_timeout(window * 1000)
        frames = page.evaluate("() => window.__frames")
    span = (frames[-1][0] - frames[0][0]) / 1000 if len(frames) > 1 else float("nan")
    epochs = frames[-1][1] - frames[0][1] if len(frames) > 1 else 0
    return [{"task": "playground default in Chromium (frames reaching the page)", "record": "every frame",
             "frames_per_second": round((len(frames) - 1) / span, 1), "epochs_per_second": round(epochs / span, 1),
             "ms_per_epoch": round(1000 * span / max(epochs, 1), 3), "tab_click_ms": round(click_ms, 1)}]


def bench_server(seconds: float = 0.5) -> list:
    """Frames and epochs per second reaching a protocol-level page (no browser on this machine)."""
    import asyncio

    from browser import served_app
    from protocol import Session

    class Counting(Session):
        """A page that only notes each loss-curve update: (time, last epoch)."""
        frames: list = []

        def _on_patch(self, raw: str):
            super()._on_patch(raw)
            if "ColumnsStreamed" not in raw:
                return
            curve = self.find(name="loss_curve")
            for ev in json.loads(raw).get("events", []):
                if ev.get("kind") == "ColumnsStreamed" and (ev.get("model") or {}).get("id") == curve:
                    epochs = dict(ev["data"]["entries"])["epoch"]
                    self.frames.append((time.perf_counter(), epochs[-1]))

    async def run(base: str, window: float):
        s = Counting(base, "view=train&preset=custom&sizes=2,4,2,1&output=tanh", "trainer")
        s.frames = []
        await s.open(60)
        await s.set_value(s.find("Toggle", label="▶ Play"), "active", True, wait=True)
        await asyncio.sleep(1.0)                     # warm-up
        s.frames.clear()
        await asyncio.sleep(window)
        frames = list(s.frames)
        await s.close()
        return frames

    window = max(5.0, 10 * seconds)
    with served_app() as url:
        frames = asyncio.run(run(url.rsplit("/app", 1)[0], window))
    span = frames[-1][0] - frames[0][0] if len(frames) > 1 else float("nan")
    epochs = frames[-1][1] - frames[0][1] if len(frames) > 1 else 0
    minutes = []                                       # long runs: is it flat? frames/s, epochs/s per minute
    for k in range(int(span // 60) if span == span else 0):
        part = [f for f in frames if frames[0][0] + 60 * k <= f[0] < frames[0][0] + 60 * (k + 1)]
        if len(part) > 1:
            dt = part[-1][0] - part[0][0]
            minutes.append((round((len(part) - 1) / dt, 1), round((part[-1][1] - part[0][1]) / dt, 1)))
    return [{"task": "playground default, page on another machine (protocol client)", "record": "every frame",
             "frames_per_second": round((len(frames) - 1) / span, 1), "epochs_per_second": round(epochs / span, 1),
             "ms_per_epoch": round(1000 * span / max(epochs, 1), 3), "tab_click_ms": float("nan"),
             "per_minute": minutes}]


BENCHES = {"engine": bench_engine, "server": bench_server, "browser": bench_browser}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=0.5,
                   help="length of each timed stretch (the page benches watch 10 times as long)")
    p.add_argument("--only", choices=sorted(BENCHES), action="append", help="run only these benches")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    results = {name: bench(args.seconds) for name, bench in BENCHES.items() if not args.only or name in args.only}
    if args.json:
        print(json.dumps(results))
        return 0
    for name, rows in results.items():
        print(f"[{name}]")
        for r in rows:
            extra = f"  {r['frames_per_second']:.1f} frames/s" if "frames_per_second" in r else ""
            if r.get("tab_click_ms") == r.get("tab_click_ms") and "tab_click_ms" in r:     # not NaN
                extra += f", a tab click answered in {r['tab_click_ms']:.0f} ms"
            print(f"  {r['epochs_per_second']:>9,.1f} epochs/s  ({r['ms_per_epoch']:.3f} ms)  "
                  f"losses recorded {r['record']:<16}  {r['task']}{extra}")
            if r.get("per_minute"):
                print("      per minute (frames/s, epochs/s): " + ", ".join(f"{f} {e}" for f, e in r["per_minute"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
