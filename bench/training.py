"""Training speed: epochs per second of the engine alone (no UI), best of a few repeats.

    .venv/bin/python bench/training.py [--seconds 2] [--json]

bench_engine() times TensorFlow Playground's default task and the digits network, with and without
recording the losses every epoch. A browser frames-per-second measurement can be added beside it as
another bench_* function returning rows of the same shape, and listed in BENCHES.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nnviz import training  # noqa: E402

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


BENCHES = {"engine": bench_engine}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=0.5, help="length of each timed stretch")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    results = {name: bench(args.seconds) for name, bench in BENCHES.items()}
    if args.json:
        print(json.dumps(results))
        return 0
    for name, rows in results.items():
        print(f"[{name}]")
        for r in rows:
            print(f"  {r['epochs_per_second']:>9,.1f} epochs/s  ({r['ms_per_epoch']:.3f} ms)  "
                  f"losses recorded {r['record']:<16}  {r['task']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
