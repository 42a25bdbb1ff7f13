"""The training kernel: one epoch of mini-batch gradient descent on preallocated buffers.

Pure NumPy; must not import Panel, Bokeh or param. The math is core.backward's (tests check that
the two agree); only the bookkeeping differs, because on the Playground's tiny networks NumPy's
per-call overhead (about half a microsecond), not arithmetic, sets the speed. So every batch's
forward and backward pass is built once as a list of NumPy calls (a "program") that write into
preallocated, contiguous buffers (prepared arrays where a formula has a constant, as NumPy converts
a Python number on every call), and is replayed. Products are ndarray.dot bound to their left
operand: np.dot first asks its arguments for __array_function__, a third of the cost at this size.

Layout, as in Nielsen's book: a batch is a matrix whose m columns are the examples. a[l] is
(n_l + 1, m), its last row all ones, and Wb[l] = [W[l] | b[l]] is (n_l, n_{l-1} + 1), so
z[l] = Wb[l] a[l-1] is one product and dWb[l] = delta[l] a[l-1]^T gives dW and db together.
All Wb live in one flat vector theta (copied from net.W, net.b before an epoch and back after), so
an optimiser's update is one call. The program leaves scale * dL/dtheta in grad, where the scale
(1/m, times the learning rate for plain SGD) is folded into the output's delta: the backward pass is
linear in it, and SGD's update becomes theta -= grad.
"""
from __future__ import annotations

import numpy as np

from .. import core
from .optimizers import SGD

# f'(z) of the activations whose slope follows from a = f(z) alone: (function, args) steps that
# write it into s. Rows of ones get a slope too; nothing reads it.
SLOPES_FROM_A = {
    "tanh": lambda a, s, one: [(np.multiply, (a, a, s)), (np.subtract, (one, s, s))],        # 1 - a^2
    "sigmoid": lambda a, s, one: [(np.subtract, (one, a, s)), (np.multiply, (s, a, s))],     # a (1 - a)
    "relu": lambda a, s, one: [(np.greater, (a, 0.0, s))],                                   # a > 0 iff z > 0
}


def _activate(name, z, out) -> list:
    """Steps that write f(z) into out (columns are examples, so softmax acts on the transposes)."""
    if name == "tanh":
        return [(np.tanh, (z, out))]
    if name == "linear":
        return [(np.copyto, (out, z))]
    if name == "softmax":
        return [(lambda: out.T.__setitem__(Ellipsis, core.softmax(z.T)), ())]
    f = core.ACTIVATIONS[name].f
    return [(lambda: out.__setitem__(Ellipsis, f(z)), ())]


class Buffers:
    """Everything a batch of m examples needs: activations stacked in one array (so the slopes of
    neighbouring layers with one activation are one call), z and delta per layer, the folded scale.
    Without `backward`, only what a forward pass needs."""

    def __init__(self, sizes, m: int, backward: bool = True):
        rows = np.cumsum([0] + [k + 1 for k in sizes[1:]])
        self.H = np.ones((rows[-1], m))                                 # a[1..L]
        self.rows = [None] + list(zip(rows, rows[1:]))                  # layer l -> its rows in H
        self.Z = [None] + [np.empty((k, m)) for k in sizes[1:]]
        self.a0, self.y = np.ones((sizes[0] + 1, m)), np.empty((sizes[-1], m))   # spare input and target
        if backward:
            self.S, self.one = np.zeros((rows[-1], m)), np.ones((rows[-1], m))   # f'(z[1..L]) as H
            self.D = [np.empty((k + 1, m)) for k in sizes]       # W^T delta, one row more (the bias's)
            self.scale = np.empty((sizes[-1], m))                # 1/m or lr/m, set before each epoch

    def a(self, l: int):
        """a[l] (n_l + 1, m) with its row of ones; a view of H."""
        s, e = self.rows[l]
        return self.H[s:e]


class Batch:
    """One batch's inputs a0 (n_0 + 1, m), targets y (n_L, m) and the program that trains on them."""

    def __init__(self, a0, y, buffers, program):
        self.a0, self.y, self.buffers, self.program = a0, y, buffers, program


class Kernel:
    """Preallocated buffers and programs for one network, training-set size and batch size."""

    def __init__(self, net, n: int, batch_size: int, loss: str):
        self.names = (None, *net.activations, net.output)     # index l = weight layer 1..L
        self.L, self.loss, self.output, self.sizes = net.L, loss, net.output, net.sizes
        shapes = [(o, i + 1) for i, o in zip(net.sizes[:-1], net.sizes[1:])]
        ends = np.cumsum([0] + [o * i for o, i in shapes])
        self.theta, self.grad = np.zeros(ends[-1]), np.zeros(ends[-1])
        self.slices = [slice(s, e) for s, e in zip(ends, ends[1:])]
        self.Wb = [self.theta[sl].reshape(sh) for sl, sh in zip(self.slices, shapes)]
        self.G = [self.grad[sl].reshape(sh) for sl, sh in zip(self.slices, shapes)]
        self.wmask = np.zeros(ends[-1])                        # 1 on weights: penalties skip biases
        for sl, sh in zip(self.slices, shapes):
            self.wmask[sl].reshape(sh)[:, :-1] = 1.0
        self.dead = np.zeros(ends[-1], dtype=bool)             # weights L1 drove through 0: fixed at 0
        self.step, self.w2 = np.empty(ends[-1]), np.empty(ends[-1])   # the penalty's step, L1's new weights
        self.crossed = np.empty(ends[-1], dtype=bool)
        bs = min(batch_size, n)
        self.bs, self.full = bs, n // bs                        # full: batches of exactly bs points
        self.buffers = {m: Buffers(net.sizes, m) for m in {bs, n % bs or bs}}
        # The epoch's examples in batch order: batch k's inputs are X0[k], contiguous.
        self.X0 = np.ones((self.full, net.sizes[0] + 1, bs))
        self.Y0 = np.empty((self.full, net.sizes[-1], bs))
        self.batches = [self.batch(a0, y, self.buffers[bs]) for a0, y in zip(self.X0, self.Y0)]
        if n % bs:
            rest = self.buffers[n % bs]
            self.batches.append(self.batch(rest.a0, rest.y, rest))
        self._carried = {}                                      # r -> the (r + bs)-point first batch
        self._scoring = None                                    # (X, its Buffers, forward program)

    def batch(self, a0, y, buffers) -> Batch:
        """A Batch for inputs a0 and targets y, its program writing into buffers."""
        program = self._forward(a0, buffers) + self._slopes(buffers) + self._backward(a0, y, buffers)
        return Batch(a0, y, buffers, program)

    def _forward(self, a0, B) -> list:
        """z[l] = Wb[l] a[l-1] and a[l] = f(z[l]) for l = 1..L."""
        steps = []
        for l in range(1, self.L + 1):
            prev = a0 if l == 1 else B.a(l - 1)
            steps += [(self.Wb[l - 1].dot, (prev, B.Z[l]))] + _activate(self.names[l], B.Z[l], B.a(l)[:-1])
        return steps

    def _needs_slope(self, l: int) -> bool:
        if l < self.L:
            return self.names[l] != "linear"
        shortcut = (self.output, self.loss) in core.SHORTCUT_PAIRS
        return not shortcut and self.output not in ("linear", "softmax")

    def _slopes(self, B) -> list:
        """Steps writing f'(z[l]) into B.S: one per run of neighbouring layers whose slope is a's
        (their rows in H are adjacent), from z otherwise."""
        steps, l = [], 1
        while l <= self.L:
            name = self.names[l]
            if not self._needs_slope(l):
                l += 1
                continue
            if name not in SLOPES_FROM_A:
                df, z, (s, e) = core.ACTIVATIONS[name].df, B.Z[l], B.rows[l]
                steps.append((lambda s=B.S[s:e - 1], z=z, df=df: s.__setitem__(Ellipsis, df(z)), ()))
                l += 1
                continue
            last = l
            while last < self.L and self.names[last + 1] == name and self._needs_slope(last + 1):
                last += 1
            rows = slice(B.rows[l][0], B.rows[last][1])
            steps += SLOPES_FROM_A[name](B.H[rows], B.S[rows], B.one[rows])
            l = last + 1
        return steps

    def _backward(self, a0, y, B) -> list:
        """delta[L] = scale (a[L] - y) (times f'(z[L]) unless the loss cancels it), then for l = L..1
        dWb[l] = delta[l] a[l-1]^T and delta[l-1] = (W[l]^T delta[l]) f'(z[l-1])."""
        L, aL = self.L, B.a(self.L)[:-1]
        d = B.D[L][:-1]
        steps = [(np.subtract, (aL, y, d)), (np.multiply, (d, B.scale, d))]
        if self._needs_slope(L):
            steps.append((np.multiply, (d, self._slope(B, L), d)))
        elif self.output == "softmax" and self.loss != "cce":      # mse on softmax: the Jacobian's product
            steps.append((lambda: d.T.__setitem__(Ellipsis, core.output_backprop("softmax", None, aL.T, d.T)),
                          ()))
        for l in range(L, 0, -1):
            prev = a0 if l == 1 else B.a(l - 1)
            delta = B.D[l][:-1]
            steps.append((delta.dot, (prev.T, self.G[l - 1])))
            if l > 1:
                steps.append((self.Wb[l - 1].T.dot, (delta, B.D[l - 1])))
                if self._needs_slope(l - 1):
                    below = B.D[l - 1][:-1]
                    steps.append((np.multiply, (below, self._slope(B, l - 1), below)))
        return steps

    @staticmethod
    def _slope(B, l: int):
        """f'(z[l]) (n_l, m): a view of B.S."""
        s, e = B.rows[l]
        return B.S[s:e - 1]

    def outputs(self, net, X):
        """(z[L], a[L]) of the network for all the points X (N, n_0), each (N, n_L): views of buffers
        kept for this X, so scoring an epoch allocates nothing."""
        if self._scoring is None or self._scoring[0] is not X:
            B = Buffers(self.sizes, len(X), backward=False)
            B.a0[:-1] = X.T
            self._scoring = (X, B, self._forward(B.a0, B))
        _, B, program = self._scoring
        self.load(net)
        for f, args in program:
            f(*args)
        return B.Z[self.L].T, B.a(self.L)[:-1].T

    def load(self, net):
        """Copy the network's weights into theta (copied, not shared: net's arrays keep their identity)."""
        for Wb, W, b in zip(self.Wb, net.W, net.b):
            Wb[:, :-1] = W
            Wb[:, -1] = b

    def store(self, net):
        """Write theta back into the network's own arrays, in place."""
        for Wb, W, b in zip(self.Wb, net.W, net.b):
            W[...] = Wb[:, :-1]
            b[...] = Wb[:, -1]

    def fill(self, X, Y, order):
        """Copy the examples into the batches' inputs and targets, in the given order."""
        rows = order[:self.full * self.bs].reshape(self.full, self.bs)
        self.X0[:, :-1, :] = X[rows].transpose(0, 2, 1)
        self.Y0[...] = Y[rows].transpose(0, 2, 1)
        if len(self.batches) > self.full:
            rest = order[self.full * self.bs:]
            last = self.batches[-1]
            last.a0[:-1] = X[rest].T
            last.y[...] = Y[rest].T

    def carried(self, X, Y, order, r: int) -> Batch:
        """The first batch after an epoch whose last r points waited: those r points, then bs more."""
        if r not in self._carried:
            B = self.buffers[r + self.bs] = Buffers(self.sizes, r + self.bs)     # r < bs: a size of its own
            self._carried[r] = self.batch(B.a0, B.y, B)
        batch = self._carried[r]
        rows = np.concatenate([order[len(order) - r:], order[:self.bs]])
        batch.a0[:-1] = X[rows].T
        batch.y[...] = Y[rows].T
        return batch

    def gradients(self, batch: Batch):
        """Forward and backward for one batch; leaves its scale times dL/dWb in G (and grad)."""
        for f, args in batch.program:
            f(*args)

    def epoch(self, net, X, Y, order, optimizer, reg, rate, fixed=False, waiting=0) -> int:
        """Train one epoch on the rows of X, Y in the given order; returns how many points wait.

        Shuffled (fixed False): every batch is applied, the last one holding the remainder. Fixed
        (the Playground's oneStep): an update falls after every bs points counted from the epoch's
        start, so the last n % bs points are not applied yet: they wait and join the next epoch's
        first batch (`waiting` of them, from the end of `order`), which then has waiting + bs points.
        L2 adds rate W to the data gradient, which the optimiser then steps on. L1 as the Playground's
        updateWeights: the optimiser steps on the data gradient alone (w1), then every weight moves by
        lr rate sign(w), its sign taken before the step (w2). A weight whose L1 move takes it across 0
        (w1 w2 < 0) becomes exactly 0 and is dead from then on (no longer trained, contributing
        nothing) until it is set by hand or training restarts; one the data carry across 0 lives on.
        With SGD this is the Playground's rule exactly; momentum and Adam keep L1 out of their running
        state (a decoupled step, as AdamW's weight decay). Penalties skip biases, as the Playground's.
        """
        self.load(net)
        if self.dead.any():
            self.dead &= self.theta == 0.0              # a hand-edited dead weight lives again
        self.fill(X, Y, order)
        batches = self.batches
        if fixed:
            batches = batches[:self.full]
            if waiting:
                batches = [self.carried(X, Y, order, waiting), *batches[1:]]
        plain = type(optimizer) is SGD                  # its lr is folded into the gradient
        fold = optimizer.lr if plain else 1.0
        for m, B in self.buffers.items():
            B.scale.fill(fold / m)
        self._train(batches, optimizer, plain, reg, rate, fold)
        self.store(net)
        return len(order) - self.full * self.bs if fixed else 0

    def _train(self, batches, optimizer, plain, reg, rate, fold):
        """The epoch's loop: gradients, the penalty, the optimiser's step, L1's dead links."""
        l1, l2 = reg == "l1" and rate > 0, reg == "l2" and rate > 0
        theta, grad, step, w2, crossed = self.theta, self.grad, self.step, self.w2, self.crossed
        any_dead = self.dead.any()
        if plain and not (l1 or l2 or any_dead):        # the Playground's default: nothing but the step
            for batch in batches:
                self.gradients(batch)
                np.subtract(theta, grad, theta)
            return
        scale = self.wmask * (rate * fold if l2 else optimizer.lr * rate)     # per weight
        for batch in batches:
            self.gradients(batch)
            if l2:
                np.multiply(theta, scale, step)
                grad += step
            elif l1:
                np.sign(theta, step)                     # the Playground's regulDer, from w before the step
                step *= scale
            if any_dead:
                grad[self.dead] = 0.0
            if plain:
                np.subtract(theta, grad, theta)          # l1: theta holds w1, the data gradient's step
            else:
                optimizer.update([theta], [grad])
            if l1:
                np.subtract(theta, step, w2)
                np.multiply(theta, w2, step)
                np.less(step, 0.0, crossed)              # only L1's move can kill: w1 w2 < 0
                np.copyto(theta, w2)
                if crossed.any():
                    self.dead |= crossed
                    any_dead = True
            if any_dead:
                theta[self.dead] = 0.0                   # momentum or Adam state must not revive it

    def dead_links(self) -> list:
        """Per layer, a (n_out, n_in) mask of the weights L1 has killed (exactly 0, no longer trained)."""
        return [self.dead[sl].reshape(Wb.shape)[:, :-1].copy() for sl, Wb in zip(self.slices, self.Wb)]
