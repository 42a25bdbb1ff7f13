"""nnviz's engine against TensorFlow Playground's own nn.ts in Node, on the Playground's default task.

    .venv/bin/python bench/versus_playground.py PATH/TO/nn.ts [--tsc PATH] [--rounds 3] [--before DIR ...]

nn.ts comes from the public tensorflow/playground repository (src/nn.ts); nothing of it is kept here.
It is compiled with TypeScript's tsc (on PATH, or --tsc) into a temporary folder and driven by
bench/playground_node.js. Each round runs every nnviz (this checkout, then each --before checkout,
for example an older commit unpacked with `git archive`) through its own bench/training.py, then
Node, so load on the machine falls on all of them alike; the table shows each one's best round.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASK = "playground default"
MODES = ("every epoch", "every 100 epochs")


def compile_nn(nn_ts: Path, tsc: str, out: Path) -> Path:
    """nn.ts compiled to CommonJS in `out`; returns the .js file."""
    subprocess.run([tsc, "--target", "es2017", "--module", "commonjs", "--outDir", str(out), str(nn_ts)],
                   check=True)
    return out / "nn.js"


def nnviz_rates(root: Path, seconds: float) -> dict:
    """{mode: epochs/s} of the Playground default from the bench/training.py of the checkout at root."""
    out = subprocess.run([sys.executable, str(root / "bench" / "training.py"), "--only", "engine", "--json",
                          "--seconds", str(seconds)], check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)["engine"]
    return {mode: next(r["epochs_per_second"] for r in rows if r["task"].startswith(TASK)
                       and r["record"] == mode) for mode in MODES}


def node_rates(nn_js: Path, seconds: float) -> dict:
    out = subprocess.run(["node", str(HERE / "playground_node.js"), str(nn_js), str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    rates = json.loads(out)
    return {mode: rates[mode] for mode in MODES}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("nn_ts", type=Path, help="TensorFlow Playground's src/nn.ts")
    p.add_argument("--tsc", default="tsc", help="TypeScript's compiler (default: tsc on PATH)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=0.5, help="length of each timed stretch")
    p.add_argument("--before", type=Path, action="append", default=[], help="another nnviz checkout to time")
    args = p.parse_args(argv)
    runs = {"nnviz (this checkout)": lambda: nnviz_rates(HERE.parent, args.seconds)}
    for root in args.before:
        runs[f"nnviz ({root})"] = lambda root=root: nnviz_rates(root.resolve(), args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        nn_js = compile_nn(args.nn_ts, args.tsc, Path(tmp))
        runs["nn.ts in Node"] = lambda: node_rates(nn_js, args.seconds)
        best = {name: dict.fromkeys(MODES, 0.0) for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                for mode, rate in run().items():
                    best[name][mode] = max(best[name][mode], rate)
    ref = best["nn.ts in Node"]
    print(f"{'circle 2-4-2-1 tanh, 250 points, batch 10, sgd 0.03':<40}"
          + "".join(f"{'losses ' + m:>36}" for m in MODES))
    for name, rates in best.items():
        print(f"{name:<40}" + "".join(f"{rates[m]:>16,.0f} epochs/s ({rates[m] / ref[m]:.2f}x)" for m in MODES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
