"""Forward-pass timings of the engine: one input and a batch of 10,000, relu and gelu hidden layers.

Run with `.venv/bin/python bench/engine.py`. Prints the median over repeats (timeit), per call.
"""
from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from anywhere without installing

from nnviz.core import Network  # noqa: E402

NETWORKS = [(2, 8, 8, 8, 8, 8, 8, 1), (784, 256, 128, 10)]
ACTIVATIONS = ("relu", "gelu")
BATCH = 10_000
REPEATS = 7


def median_seconds(fn, repeats=REPEATS, budget=0.2) -> float:
    """Median time of one call of fn, each repeat looping enough calls to last about `budget` seconds."""
    timer = timeit.Timer(fn)
    number, elapsed = timer.autorange()
    number = max(1, int(number * budget / max(elapsed, 1e-9)))
    return statistics.median(t / number for t in timer.repeat(repeat=repeats, number=number))


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:9.2f} ms"


def main() -> None:
    rng = np.random.default_rng(0)
    header = f"{'network':<22} {'input':<14}" + "".join(f"{a:>14}" for a in ACTIVATIONS)
    print(f"numpy {np.__version__}, median of {REPEATS} repeats per forward pass")
    print(header)
    print("-" * len(header))
    for sizes in NETWORKS:
        nets = {a: Network.init(sizes, a, "softmax" if sizes[-1] > 1 else "sigmoid", seed=0)
                for a in ACTIVATIONS}
        x_one = rng.uniform(-1, 1, sizes[0])
        x_batch = rng.uniform(-1, 1, (BATCH, sizes[0]))
        name = "-".join(map(str, sizes))
        for label, x in (("1 input", x_one), (f"batch {BATCH:,}", x_batch)):
            cells = [fmt(median_seconds(lambda net=nets[a], x=x: net.forward(x))) for a in ACTIVATIONS]
            print(f"{name:<22} {label:<14}" + "".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
