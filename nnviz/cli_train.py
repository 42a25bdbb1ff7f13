"""`python -m nnviz train`: train a network on a problem in the terminal and print its losses.

Builds on training.build_trainer; prints, never plots. Must not import Panel, Bokeh or param.
"""
from __future__ import annotations

import argparse
import json
import time

from . import core
from .core import datasets, training
from .encode.labels import arch
from .state import parse

MAX_EPOCHS = 1_000_000
PLAYGROUND = {"hidden": (4, 2), "activation": "tanh", "lr": 0.03, "batch_size": 10, "epochs": 100}


def _epochs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"epochs {text!r} is not a whole number") from None
    if not 1 <= n <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"epochs must be 1..{MAX_EPOCHS:,}, got {n}")
    return n


def _train_pct(value: float) -> float:
    """A fraction 0.1..0.9 or a percentage 10..90 (the two ranges do not overlap)."""
    return value * 100.0 if 0.0 < value < 1.0 else value


def settings(args) -> dict:
    """build_trainer keywords from the parsed arguments."""
    output, _, _, n_in, n_out = training.resolve(args.problem, args.output, args.loss, args.features)
    # Digits default to the Digits tab's network and settings; the rest to the Playground's.
    defaults = training.DIGITS if args.problem == "digits" else PLAYGROUND
    for key in ("activation", "lr", "batch_size", "epochs"):
        if getattr(args, key) is None:
            setattr(args, key, defaults[key])
    layers = parse.hidden(args.sizes) if args.sizes is not None else defaults["hidden"]
    # A list that already starts with the inputs and ends with the outputs is the full network.
    full = len(layers) >= 3 and (layers[0], layers[-1]) == (n_in, n_out)
    return dict(problem=args.problem, sizes=(layers if full else (n_in, *layers, n_out)),
                activation=args.activation, output=args.output, loss=args.loss,
                optimizer=args.optimizer, lr=args.lr, batch_size=args.batch_size, reg=args.reg,
                reg_rate=args.reg_rate, noise=args.noise, train_pct=_train_pct(args.train_frac),
                n_samples=args.samples, features=args.features, seed=args.seed, init=args.init,
                order=args.order)


def run(args) -> int:
    trainer = training.build_trainer(**settings(args))
    t0 = time.perf_counter()
    trainer.run(args.epochs, record_every=args.epochs)
    seconds = time.perf_counter() - t0
    net, h = trainer.net, trainer.history
    out = {"problem": args.problem, "sizes": list(net.sizes), "activation": args.activation,
           "output": net.output, "loss": trainer.loss, "optimizer": args.optimizer, "lr": trainer.lr,
           "batch_size": trainer.batch_size, "reg": trainer.reg, "reg_rate": trainer.reg_rate,
           "features": list(trainer.features) if trainer.features else None, "seed": args.seed,
           "train_size": len(trainer.Y_train), "test_size": len(trainer.Y_test),
           "epochs": trainer.epoch, "train_loss": h["train_loss"][-1], "test_loss": h["test_loss"][-1]}
    if trainer.classification:
        out.update(train_accuracy=h["train_accuracy"][-1], test_accuracy=h["test_accuracy"][-1])
    out.update(diverged=trainer.diverged, seconds=round(seconds, 4),
               epochs_per_second=round(trainer.epoch / seconds, 1) if seconds > 0 else None)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{args.problem}: network {arch(net.sizes)}, {args.activation} hidden, "
          f"{net.output} output, {trainer.loss} loss, {args.optimizer} lr {trainer.lr:g}, "
          f"batch {trainer.batch_size}")
    print(f"{trainer.epoch} epochs in {seconds:.2f} s ({out['epochs_per_second']:,} epochs/s)"
          + ("; stopped: the loss became NaN or infinite" if trainer.diverged else ""))
    line = f"train loss {out['train_loss']:.4g}, test loss {out['test_loss']:.4g}"
    if trainer.classification:
        line += f", test accuracy {out['test_accuracy']:.1%}"
    print(line)
    return 0


def add_train_parser(sub) -> argparse.ArgumentParser:
    """Add the `train` subcommand (TensorFlow Playground's defaults) to the CLI's subparsers."""
    sp = sub.add_parser("train", help="train a network on a problem and print its losses")
    sp.add_argument("--problem", default="circle", choices=datasets.PROBLEMS)
    sp.add_argument("--epochs", type=_epochs, help="default 100 (digits: 30)")
    sp.add_argument("--seed", type=int, default=0, help="one seed for data, weights and shuffles")
    sp.add_argument("--sizes", help="hidden sizes such as 4,2 (default; digits 32), full sizes 2,4,2,1, or none")
    sp.add_argument("--activation", choices=core.HIDDEN_ACTIVATIONS, help="default tanh")
    sp.add_argument("--output", choices=core.OUTPUT_ACTIVATIONS,
                    help="default: tanh for classification, linear for regression, softmax for digits")
    sp.add_argument("--loss", choices=tuple(core.LOSSES),
                    help="default: bce for sigmoid, cce for softmax, else mse")
    sp.add_argument("--optimizer", default="sgd", choices=training.OPTIMIZERS)
    sp.add_argument("--lr", type=float, help="learning rate: default 0.03 (digits: 0.1)")
    sp.add_argument("--batch-size", type=int, help="default 10 (digits: 32)")
    sp.add_argument("--order", default="shuffled", choices=training.ORDERS,
                    help="shuffled: a new order every epoch; playground: TensorFlow Playground's fixed order")
    sp.add_argument("--reg", default="none", choices=training.REGULARIZATIONS)
    sp.add_argument("--reg-rate", type=float, default=0.0)
    sp.add_argument("--noise", type=float, default=0.0, help="percent, 0..50")
    sp.add_argument("--train-frac", type=float, default=50.0,
                    help="training share: percent 10..90 or fraction 0.1..0.9")
    sp.add_argument("--samples", type=int, default=500,
                    help="points generated (digits always uses its 1,797)")
    sp.add_argument("--features", help="comma-separated from " + ", ".join(datasets.FEATURES))
    sp.add_argument("--init", choices=training.INITS, help="default: playground, or xavier/he for digits")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(run=run)
    return sp
