"""Training elsewhere: a Trainer's copy trains in another process and this one adopts what it did.

Pure NumPy and the standard library; must not import Panel, Bokeh or param. Transferable is the
Trainer's pickling and hand-over; train_for() is what the worker process runs.
"""
from __future__ import annotations

import copy
import time


class Transferable:
    """What a Trainer needs to be trained on a copy elsewhere: pickling, a light copy, adoption."""

    def __getstate__(self):
        """Pickled without the kernel (its buffers are views of one another); the dead links travel."""
        state = self.__dict__.copy()
        state["_dead"] = state.pop("_kernel").dead.copy()
        return state

    def __setstate__(self, state):
        dead = state.pop("_dead")
        self.__dict__.update(state)
        self._kernel = None
        self.batch_size = self._batch_size                 # builds the kernel
        self._kernel.dead[...] = dead

    def detached(self):
        """A shallow copy holding only the last history row, cheap to pickle for train_for() in another
        process. It shares the network and kernel with this trainer: pickle it, do not train it here."""
        light = copy.copy(self)
        light.history = {k: v[-1:] for k, v in self.history.items()}
        return light

    def adopt(self, result: dict):
        """Take over what train_for() did on a copy of this trainer: weights (in place, so everything
        holding net.W and net.b follows), optimiser state, shuffle stream, dead links, epoch, the
        recorded row."""
        for W, b, W1, b1 in zip(self.net.W, self.net.b, result["W"], result["b"]):
            W[...] = W1
            b[...] = b1
        self.optimizer, self.rng = result["optimizer"], result["rng"]
        self._kernel.dead[...] = result["dead"]
        self.epoch, self.waiting, self.diverged = result["epoch"], result["waiting"], result["diverged"]
        for k, v in result["row"].items():
            self.history[k].append(v)


def train_for(trainer, seconds: float, max_epochs: int = 1000) -> dict:
    """Train whole epochs for about `seconds` (at least one, at most max_epochs), record the last, and
    return what Trainer.adopt() needs. Runs in a worker process on a detached() copy."""
    t0, n = time.perf_counter(), 0
    while True:
        trainer.step_epoch(record=False)
        n += 1
        if n >= max_epochs or time.perf_counter() - t0 >= seconds:
            break
    row = trainer.record()
    net = trainer.net
    return {"W": net.W, "b": net.b, "optimizer": trainer.optimizer, "rng": trainer.rng, "epochs": n,
            "dead": trainer._kernel.dead, "epoch": trainer.epoch, "waiting": trainer.waiting,
            "diverged": trainer.diverged, "row": row, "seconds": time.perf_counter() - t0}
