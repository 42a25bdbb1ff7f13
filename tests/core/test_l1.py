"""L1 as TensorFlow Playground: only the regularisation step can kill a link, never the data's step."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz import core as engine
from nnviz.core import datasets, training


def tiny(optimizer="sgd", lr=0.3, rate=0.003, n=12, batch_size=4):
    """A 2-3-2-1 tanh network with small weights on n points of xor, all for training, in fixed order."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-5, 5, (n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    data = datasets.Dataset("xor", "classification", 2, X, y, X[:2], y[:2])
    net = training.init_network((2, 3, 2, 1), "tanh", "tanh", rng=np.random.default_rng(1))
    for W in net.W:
        W *= 0.1                                  # near 0, so links die within a few epochs
    return training.Trainer(net, data, optimizer=optimizer, lr=lr, batch_size=batch_size, seed=9,
                            order="playground", reg="l1", reg_rate=rate)


def playground_replay(net, X, Y, lr, rate, batch_size, epochs):
    """The Playground's updateWeights, one link at a time: the bias moves by the data gradient; a live
    link's regulDer is sign(w) before the step; w1 = w - lr g, then w2 = w1 - lr rate regulDer; if
    w1 w2 < 0 the link is set to 0 and never updated again, else w = w2.
    Returns the dead masks and how many times the data's step alone carried a live weight across 0."""
    dead, carried = [np.zeros(W.shape, bool) for W in net.W], 0
    for _ in range(epochs):
        for s in range(0, len(X), batch_size):
            dW, db = engine.backward(net, net.forward(X[s:s + batch_size]), Y[s:s + batch_size], "mse")
            for W, b, gW, gb, d in zip(net.W, net.b, dW, db, dead):
                for i in range(W.shape[0]):
                    b[i] -= lr * gb[i]
                    for j in range(W.shape[1]):
                        if d[i, j]:
                            continue
                        w = W[i, j]
                        regul_der = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
                        w1 = w - lr * gW[i, j]
                        w2 = w1 - lr * rate * regul_der
                        carried += bool(w * w1 < 0)
                        if w1 * w2 < 0:
                            W[i, j], d[i, j] = 0.0, True
                        else:
                            W[i, j] = w2
    return dead, carried


def n_dead(t) -> int:
    return sum(int(d.sum()) for d in t.dead_links())


def test_sgd_is_the_playgrounds_rule_link_by_link():
    t = tiny()
    ref = t.net.copy()
    dead, carried = playground_replay(ref, t.X_train, t.Y_train, t.lr, t.reg_rate, t.batch_size, epochs=6)
    t.run(6)
    for a, b in zip(t.net.W + t.net.b, ref.W + ref.b):
        assert_allclose(a, b, rtol=0, atol=1e-12)
    for mask, d, W in zip(t.dead_links(), dead, t.net.W):
        assert_array_equal(mask, d)
        assert_array_equal(W[d], 0.0)                       # exactly 0, not "nearly"
    killed = sum(int(d.sum()) for d in dead)
    assert 0 < killed < sum(W.size for W in t.net.W)        # some links die, not all
    assert carried > 0                                      # and the data's own crossings did not kill


def test_a_negligible_rate_kills_nothing():
    """The issue's run: spiral 2-8-8-1, SGD 0.03, seed 2. Weights the data carry across 0 keep learning."""
    t = training.build_trainer("spiral", (8, 8), lr=0.03, seed=2, reg="l1", reg_rate=1e-9)
    W0 = [W.copy() for W in t.net.W]
    t.run(200, record_every=200)
    assert n_dead(t) == 0
    assert sum(int(np.sum(a * b < 0)) for a, b in zip(W0, t.net.W)) > 0     # some did change sign
    assert all(np.all(W != 0.0) for W in t.net.W)


def test_a_real_rate_still_kills_links_and_they_stay_exactly_zero():
    t = training.build_trainer("gauss", (8, 8), reg="l1", reg_rate=0.01, seed=4)
    t.run(40)
    dead = t.dead_links()
    assert n_dead(t) > 10
    t.reg = "none"                                          # dead stays dead without L1 too
    t.lr = 0.3
    t.run(20)
    for W, d, now in zip(t.net.W, dead, t.dead_links()):
        assert_array_equal(W[d], 0.0)
        assert np.all(now[d])
    t.restart(0)
    assert n_dead(t) == 0


def test_a_dead_weight_set_by_hand_lives_again():
    t = tiny()
    t.run(6)
    before = t.dead_links()
    l = next(l for l, d in enumerate(before) if d.any())
    i, j = np.argwhere(before[l])[0]
    t.net.W[l][i, j] = 0.3
    t.step_epoch()
    after = t.dead_links()
    assert not after[l][i, j]
    assert t.net.W[l][i, j] not in (0.0, 0.3)                # trained from the edited value
    before[l][i, j] = False
    for b, a, W in zip(before, after, t.net.W):              # the others stay dead, at exactly 0
        assert np.all(a[b]) and np.all(W[b] == 0.0)


def replay_with(t, epochs):
    """The rule for momentum and Adam, batch by batch: the optimiser steps on the data gradient alone
    (its state never sees L1), then L1's step lr rate sign(w) and the crossing test on that step."""
    net, opt, dead = t.net, t.optimizer, [np.zeros(W.shape, bool) for W in t.net.W]
    n, bs = len(t.Y_train), t.batch_size
    for _ in range(epochs):
        for s in range(0, n, bs):
            dW, db = engine.backward(net, net.forward(t.X_train[s:s + bs]), t.Y_train[s:s + bs], "mse")
            for g, d in zip(dW, dead):
                g[d] = 0.0
            l1 = [t.lr * t.reg_rate * np.sign(W) for W in net.W]
            opt.step(net, dW, db)
            for W, step, d in zip(net.W, l1, dead):
                w2 = W - step
                d |= W * w2 < 0
                W[...] = np.where(d, 0.0, w2)
    return dead


@pytest.mark.parametrize("optimizer,lr,rate", [("momentum", 0.1, 0.01), ("adam", 0.1, 0.1)])
def test_momentum_and_adam_take_the_l1_step_after_their_own(optimizer, lr, rate):
    t, ref = tiny(optimizer, lr, rate), tiny(optimizer, lr, rate)
    t.run(6)
    dead = replay_with(ref, 6)
    for a, b in zip(t.net.W + t.net.b, ref.net.W + ref.net.b):
        assert_allclose(a, b, rtol=0, atol=1e-12)
    for mask, d in zip(t.dead_links(), dead):
        assert_array_equal(mask, d)
    assert 0 < sum(int(d.sum()) for d in dead) < sum(W.size for W in t.net.W)
