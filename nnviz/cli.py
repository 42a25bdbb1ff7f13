"""`python -m nnviz`: the engine's numbers in a terminal (params, trace, train), `html` for a page, `serve` for the app."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from . import core
from .core import presets
from .encode.notation import input_name
from .state import parse


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with status 2."""

    def error(self, message):
        self.exit(2, f"nnviz: error: {message}\n")


def _params(args) -> int:
    sizes = parse.sizes(args.sizes)
    counts = core.count_params(sizes)
    rows = [("layer", "shape", "weights", "biases", "total")]
    for i, r in enumerate(counts["layers"], 1):
        rows.append((f"{i}", f"{r['n_in']} -> {r['n_out']}", f"{r['weights']:,}", f"{r['biases']:,}",
                     f"{r['total']:,}"))
    rows.append(("total", "", "", "", f"{counts['total']:,}"))
    if args.json:
        print(json.dumps({"sizes": list(sizes), **counts}))
        return 0
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    for r in rows:
        print("  ".join(cell.rjust(w) if c >= 2 else cell.ljust(w) for c, (cell, w) in enumerate(zip(r, widths))))
    return 0


def _pieces(args) -> int:
    from .core import depth
    rows = depth.pieces_table(args.depth)
    if args.json:
        print(json.dumps({"depth": args.depth, "rows": rows}))
        return 0
    for r in rows:
        print(f"k={r['k']}: deep {'-'.join(map(str, r['deep_sizes']))} {r['deep_pieces']} pieces "
              f"({r['deep_params']} params); shallow {'-'.join(map(str, r['shallow_sizes']))} "
              f"{r['shallow_pieces']} pieces ({r['shallow_params']} params)")
    return 0


def _depth_arg(text):
    from .core.depth import MAX_K
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"depth {k} must be 1..{MAX_K} (k tent layers need k + 1 weight "
                                         f"layers; the engine allows {core.MAX_LAYERS})")
    return k


def build_network(args):
    """(network, input) from --weights FILE, --preset or --sizes/--activation/--output/--seed; --input."""
    if args.weights:
        from pathlib import Path
        from .core import weights_io
        path = Path(args.weights)
        if not path.is_file():
            raise ValueError(f"no such weights file: {args.weights}")
        if path.stat().st_size > weights_io.MAX_FILE_BYTES:
            raise ValueError(f"{args.weights} is larger than {weights_io.MAX_FILE_BYTES // 2**20} MB")
        net = weights_io.read(path.read_bytes(), path.name)
        n = net.sizes[0]
        x = np.zeros(n) if args.input is None else parse.numbers(args.input, float, "input")
        return net, core.validate_input(x, n)
    if args.preset:
        net, x = presets.load(args.preset)
        if args.input is not None:
            x = parse.numbers(args.input, float, "input")
        return net, np.asarray(x, dtype=float)
    sizes = parse.sizes(args.sizes or "3,5,4,2")
    net = core.Network.init(sizes, args.activation, args.output, seed=args.seed)
    if args.input is None:
        x = np.round(np.random.default_rng(args.seed).uniform(-1, 1, sizes[0]), 3)
    else:
        x = parse.numbers(args.input, float, "input")
    return net, core.validate_input(x, sizes[0])


def _trace(args) -> int:
    net, x = build_network(args)
    tr = net.forward(x)
    if args.json:
        act = net.activations[0] if len(set(net.activations)) == 1 else list(net.activations)
        out = {"sizes": list(net.sizes), "activation": act if net.activations else None,
               "output": net.output, "input": tr.a[0].tolist(),
               "input_names": [input_name(i) for i in range(net.sizes[0])],
               "layers": [{"W": net.W[l - 1].tolist(), "b": net.b[l - 1].tolist(),
                           "z": tr.z[l].tolist(), "a": tr.a[l].tolist()} for l in range(1, net.L + 1)]}
        print(json.dumps(out))
        return 0
    fmt = lambda v: np.array2string(np.asarray(v), precision=4, suppress_small=True, max_line_width=100,
                                    threshold=20)
    print(f"network {'-'.join(map(str, net.sizes))}, hidden {', '.join(net.activations) or '-'}, "
          f"output {net.output}")
    names = ", ".join(input_name(i) for i in range(min(net.sizes[0], 4))) + (", …" if net.sizes[0] > 4 else "")
    print(f"input x = ({names}) = {fmt(tr.a[0])}")
    for l in range(1, net.L + 1):
        name = net.activation_of(l)
        print(f"layer {l}: z{l} = W{l} a{l - 1} + b{l} = {fmt(tr.z[l])}")
        print(f"         a{l} = {name}(z{l}) = {fmt(tr.a[l])}")
    if net.output == "softmax":
        k = int(np.argmax(tr.output))
        print(f"prediction: class {k} with probability {tr.output[k]:.1%}")
    return 0


def _serve(args) -> int:
    import subprocess
    from pathlib import Path
    app = Path(__file__).resolve().parent / "ui" / "serve.py"
    cmd = [sys.executable, "-m", "panel", "serve", str(app), "--port", str(args.port),
           "--setup", str(app.parents[1] / "server" / "startup.py"),
           "--auth-module", str(app.parents[1] / "server" / "auth.py")]
    if args.show:
        cmd.append("--show")
    return subprocess.call(cmd)


def _html(args) -> int:
    from pathlib import Path
    from .ui.standalone import page_html      # Bokeh and Panel only for this command
    net, x = build_network(args)
    text = page_html(net, x, title=args.title)
    path = Path(args.save)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot write {args.save}: {exc.strerror}") from None
    print(f"wrote {path} ({len(text.encode()) / 1024:,.0f} KB, network {'-'.join(map(str, net.sizes))})")
    return 0


def _network_options(p):
    """The options that choose a network and its input (trace and html)."""
    p.add_argument("--preset", choices=list(presets.PRESETS))
    p.add_argument("--sizes", help="layer sizes, e.g. 3,5,4,2")
    p.add_argument("--activation", default="relu", choices=core.HIDDEN_ACTIVATIONS)
    p.add_argument("--output", default="softmax", choices=core.OUTPUT_ACTIVATIONS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input", help="comma-separated input values")
    p.add_argument("--weights", help="a network file saved by the app (.json or .npz)")


def make_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m nnviz", description="nnviz: see what a neural network computes.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sp = sub.add_parser("params", help="count weights and biases per layer")
    sp.add_argument("sizes", help="layer sizes, e.g. 784,256,128,10")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(run=_params)

    st = sub.add_parser("trace", help="print the forward pass layer by layer")
    _network_options(st)
    st.add_argument("--json", action="store_true", help="print one JSON object")
    st.set_defaults(run=_trace)

    sh = sub.add_parser("html", help="write the network as one self-contained HTML page (no server needed)")
    _network_options(sh)
    sh.add_argument("--save", required=True, metavar="FILE", help="the HTML file to write")
    sh.add_argument("--title", default="nnviz", help="the page's title")
    sh.set_defaults(run=_html)

    pc = sub.add_parser("pieces", help="count linear pieces: deep tent-map ReLU network vs one wide layer")
    pc.add_argument("--depth", type=_depth_arg, default=6, help="largest k (layers of 2 ReLU units), 1..11")
    pc.add_argument("--json", action="store_true", help="print one JSON object")
    pc.set_defaults(run=_pieces)

    sv = sub.add_parser("serve", help="start the playground (panel serve app.py)")
    sv.add_argument("--port", type=int, default=5006)
    sv.add_argument("--show", action="store_true")
    sv.set_defaults(run=_serve)

    try:
        from .cli_train import add_train_parser
    except ImportError:
        pass
    else:
        add_train_parser(sub)
    return p


def _join_negative_values(argv):
    """Let `--input -1,2` mean `--input=-1,2` (argparse would read -1,2 as an option)."""
    out = list(argv)
    for i in range(len(out) - 1):
        if out[i].startswith("--") and "=" not in out[i] and out[i + 1][:2].replace(".", "").startswith("-") \
                and out[i + 1][1:2].isdigit():
            out[i:i + 2] = [f"{out[i]}={out[i + 1]}", ""]
    return [a for a in out if a != ""]


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    try:
        return args.run(args)
    except ValueError as exc:
        print(f"nnviz: error: {exc}", file=sys.stderr)
        return 2
