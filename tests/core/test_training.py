"""Losses, backward, optimisers, the Trainer and `nnviz train`: hand numbers, finite differences, runs."""
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz import cli
from nnviz import core as engine
from nnviz.core import training
from nnviz.core import Network
from nnviz.core.kernel import Buffers

ROOT = Path(__file__).resolve().parents[2]

# Every output/loss pair that makes sense: MSE with any output, the cross-entropies with their own.
PAIRS = [(out, "mse") for out in engine.OUTPUT_ACTIVATIONS] + [("sigmoid", "bce"), ("softmax", "cce")]


def _targets(rng, loss, shape):
    if loss == "mse":
        return rng.uniform(-1, 1, shape)
    if loss == "bce":
        return rng.integers(0, 2, shape).astype(float)
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def _numeric_grads(net, x, y, loss, eps=1e-6):
    """Central differences of engine.loss_value for every weight and bias."""
    out = []
    for params in (net.W, net.b):
        grads = []
        for p in params:
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                keep = p[i]
                p[i] = keep + eps
                up = engine.loss_value(net, x, y, loss)
                p[i] = keep - eps
                down = engine.loss_value(net, x, y, loss)
                p[i] = keep
                g[i] = (up - down) / (2 * eps)
            grads.append(g)
        out.append(grads)
    return out


def _rel_err(num, ana):
    num, ana = np.concatenate([g.ravel() for g in num]), np.concatenate([g.ravel() for g in ana])
    return np.linalg.norm(num - ana) / max(np.linalg.norm(num) + np.linalg.norm(ana), 1e-30)


# --- losses ---------------------------------------------------------------------------------------

def test_loss_values_by_hand():
    assert engine.mse(np.array([1.0, 2.0]), np.zeros(2)) == pytest.approx(2.5)          # 0.5 (1 + 4)
    assert engine.mse(np.array([[1.0], [3.0]]), np.zeros((2, 1))) == pytest.approx(2.5)  # mean(0.5, 4.5)
    assert engine.bce(np.array([0.5]), np.array([1.0])) == pytest.approx(math.log(2))
    assert engine.cce(np.array([0.25, 0.75]), np.array([0.0, 1.0])) == pytest.approx(-math.log(0.75))
    assert_allclose(engine.d_mse(np.array([[1.0], [3.0]]), np.zeros((2, 1))), [[0.5], [1.5]])


def test_cross_entropy_from_logits_is_exact_when_saturated():
    net = Network((1, 1), [[[1.0]]], [[0.0]], (), "sigmoid")
    # sigma(800) rounds to 1, yet the loss of predicting 1 for a 0 is exactly 800 nats.
    assert engine.loss_value(net, [800.0], [0.0], "bce") == pytest.approx(800.0)
    soft = Network((1, 2), [[[1.0], [-1.0]]], [[0.0, 0.0]], (), "softmax")
    assert engine.loss_value(soft, [400.0], [0.0, 1.0], "cce") == pytest.approx(800.0)


def test_check_loss_rejects_mismatched_pairs():
    for out, loss in [("tanh", "bce"), ("softmax", "bce"), ("sigmoid", "cce"), ("linear", "hinge")]:
        with pytest.raises(ValueError):
            engine.check_loss(out, loss)
    for out, loss in PAIRS:
        engine.check_loss(out, loss)


# --- backward -------------------------------------------------------------------------------------

def test_backward_by_hand_relu_linear():
    # x = 2, z1 = 0.5*2 + 0.5 = 1.5 = a1, z2 = 2*1.5 - 1 = 2 = a2, y = 1, L = 0.5 (2 - 1)^2.
    net = Network((1, 1, 1), [[[0.5]], [[2.0]]], [[0.5], [-1.0]], ("relu",), "linear")
    dW, db = engine.backward(net, net.forward([2.0]), [1.0], "mse")
    # delta2 = 1; dW2 = delta2 a1 = 1.5; delta1 = W2 delta2 relu'(1.5) = 2; dW1 = delta1 x = 4.
    assert_allclose([dW[1][0, 0], db[1][0], dW[0][0, 0], db[0][0]], [1.5, 1.0, 4.0, 2.0])
    assert engine.loss_value(net, [2.0], [1.0], "mse") == pytest.approx(0.5)


def test_backward_by_hand_sigmoid_hidden_and_batch_mean():
    # x = 1: z1 = 1 - 1 = 0, a1 = 0.5, sigma'(0) = 0.25; z2 = 2*0.5 = 1 = a2; y = 0.
    net = Network((1, 1, 1), [[[1.0]], [[2.0]]], [[-1.0], [0.0]], ("sigmoid",), "linear")
    dW, db = engine.backward(net, net.forward([1.0]), [0.0], "mse")
    # delta2 = 1: dW2 = 0.5, db2 = 1; delta1 = 2 * 1 * 0.25 = 0.5: dW1 = 0.5, db1 = 0.5.
    assert_allclose([dW[1][0, 0], db[1][0], dW[0][0, 0], db[0][0]], [0.5, 1.0, 0.5, 0.5])
    # With a second example (x = 1, y = 2) the batch gradient is the mean of the two.
    dW2, db2 = engine.backward(net, net.forward([[1.0], [1.0]]), [[0.0], [2.0]], "mse")
    # example 2 alone: delta2 = -1 -> dW2 = -0.5, db2 = -1, dW1 = db1 = -0.5; the means are all 0.
    assert_allclose([dW2[1][0, 0], db2[1][0], dW2[0][0, 0], db2[0][0]], [0.0, 0.0, 0.0, 0.0], atol=1e-15)


def test_backward_shortcut_sigmoid_bce_by_hand():
    # z = 0 -> a = 0.5, y = 1: dL/dz = a - y = -0.5, so dW = -0.5 x = -1.5 for x = 3.
    net = Network((1, 1), [[[0.0]]], [[0.0]], (), "sigmoid")
    dW, db = engine.backward(net, net.forward([3.0]), [1.0], "bce")
    assert_allclose([dW[0][0, 0], db[0][0]], [-1.5, -0.5])


@pytest.mark.parametrize("hidden", engine.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("output,loss", PAIRS)
def test_backward_matches_finite_differences(hidden, output, loss):
    rng = np.random.default_rng(7)
    net = Network.init((3, 4, 3, 2), hidden, output, rng=rng, scheme="xavier")
    x = rng.uniform(-1.5, 1.5, (5, 3))
    tr = net.forward(x)
    # ReLU's kink: the central difference is only valid if no hidden z is near 0.
    assert min(np.abs(z).min() for z in tr.z[1:-1]) > 1e-3
    y = _targets(rng, loss, (5, 2))
    dW, db = engine.backward(net, tr, y, loss)
    num_W, num_b = _numeric_grads(net, x, y, loss)
    assert _rel_err(num_W + num_b, dW + db) < 1e-6
    # A single vector works the same way.
    dW1, db1 = engine.backward(net, net.forward(x[0]), y[0], loss)
    num_W1, num_b1 = _numeric_grads(net, x[0], y[0], loss)
    assert _rel_err(num_W1 + num_b1, dW1 + db1) < 1e-6
    assert [g.shape for g in dW1] == [W.shape for W in net.W]


def test_backward_returns_and_does_not_apply():
    net = Network.init((2, 3, 1), "tanh", "tanh", seed=1)
    before = [W.copy() for W in net.W]
    engine.backward(net, net.forward([[0.3, -0.2]]), [[1.0]], "mse")
    for W, W0 in zip(net.W, before):
        assert_array_equal(W, W0)


def kernel_gradients(k, X, Y):
    """dL/dWb by the kernel for one batch of points X, targets Y (its scale set to 1/m)."""
    B = Buffers(k.sizes, len(X))
    B.a0[:-1], B.y[...] = X.T, Y.T
    B.scale.fill(1.0 / len(X))
    k.gradients(k.batch(B.a0, B.y, B))
    return [G.copy() for G in k.G]


@pytest.mark.parametrize("hidden", engine.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("output,loss", PAIRS)
def test_trainer_kernel_matches_engine_backward(hidden, output, loss):
    t = training.build_trainer("xor", (5, 3), activation=hidden, output=output, loss=loss, seed=3,
                               batch_size=7)
    k = t._kernel
    k.load(t.net)
    for rows in (slice(0, 7), slice(245, 250), slice(None)):          # a full batch, a short one, all
        X, Y = t.X_train[rows], t.Y_train[rows]
        dW, db = engine.backward(t.net, t.net.forward(X), Y, loss)
        assert_allclose(np.concatenate([G.ravel() for G in kernel_gradients(k, X, Y)]),
                        np.concatenate([np.column_stack([w, b]).ravel() for w, b in zip(dW, db)]),
                        rtol=1e-12, atol=1e-15)
    assert k.batches[-1].a0.shape == (3, 250 % 7)


# --- optimisers and regularisation ----------------------------------------------------------------

def _one_weight(w=1.0, b=0.5):
    return Network((1, 1), [[[w]]], [[b]], (), "linear")


def test_sgd_step_by_hand():
    net = _one_weight()
    training.SGD(lr=0.1).step(net, [np.array([[0.5]])], [np.array([-1.0])])
    assert_allclose([net.W[0][0, 0], net.b[0][0]], [0.95, 0.6])      # 1 - 0.1*0.5, 0.5 + 0.1*1


def test_momentum_two_steps_by_hand():
    net, opt = _one_weight(), training.Momentum(lr=0.1, mu=0.9)
    opt.step(net, [np.array([[0.5]])], [np.array([0.0])])
    assert net.W[0][0, 0] == pytest.approx(0.95)                    # v = 0.5
    opt.step(net, [np.array([[0.5]])], [np.array([0.0])])
    assert net.W[0][0, 0] == pytest.approx(0.95 - 0.1 * 0.95)        # v = 0.9*0.5 + 0.5 = 0.95
    opt.reset()
    opt.step(net, [np.array([[0.5]])], [np.array([0.0])])
    assert net.W[0][0, 0] == pytest.approx(0.855 - 0.05)             # fresh v = 0.5 again


def test_adam_steps_by_hand():
    net, opt = _one_weight(), training.Adam(lr=0.1)
    opt.step(net, [np.array([[0.5]])], [np.array([-2.0])])
    # First step: m^ = g, s^ = g^2, so each parameter moves lr * g / (|g| + eps), about lr.
    assert net.W[0][0, 0] == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    assert net.b[0][0] == pytest.approx(0.5 + 0.1 * 2.0 / (2.0 + 1e-8), abs=1e-15)
    opt.step(net, [np.array([[0.25]])], [np.array([0.0])])
    # Second step by the textbook formulas: m = 0.9*0.05 + 0.1*0.25 = 0.07, s = 0.999*0.00025 + 0.001*0.0625.
    m_hat, s_hat = 0.07 / (1 - 0.9 ** 2), 0.00031225 / (1 - 0.999 ** 2)
    expected = 1 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * m_hat / (math.sqrt(s_hat) + 1e-8)
    assert net.W[0][0, 0] == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(0.9 - 0.093218, abs=1e-6)   # 0.1 * 0.368421 / 0.395225


def test_make_optimizer_validates():
    assert isinstance(training.make_optimizer("adam", 0.01), training.Adam)
    for name, lr in [("rmsprop", 0.1), ("sgd", 0), ("sgd", -1), ("sgd", float("nan")), ("sgd", "0.1")]:
        with pytest.raises(ValueError):
            training.make_optimizer(name, lr)


def test_regularization_gradients_by_hand():
    net = Network((2, 1), [[[1.0, -2.0]]], [[3.0]], (), "linear")
    dW = training.regularize(net, [np.zeros((1, 2))], "l2", 0.1)
    assert_allclose(dW[0], [[0.1, -0.2]])                           # rate * W
    dW = training.regularize(net, [np.zeros((1, 2))], "l1", 0.1)
    assert_allclose(dW[0], [[0.1, -0.1]])                           # rate * sign(W)
    assert training.penalty(net, "l2", 0.1) == pytest.approx(0.25)   # 0.5 * 0.1 * (1 + 4)
    assert training.penalty(net, "l1", 0.1) == pytest.approx(0.3)


def test_regularization_skips_biases_in_the_trainer():
    t = training.build_trainer("circle", (3,), reg="l2", reg_rate=0.1, seed=2)
    X, Y = t.X_train[:10], t.Y_train[:10]
    dW, db = t.gradients(X, Y)
    dW0, db0 = engine.backward(t.net, t.net.forward(X), Y, "mse")
    assert_allclose(dW[0] - dW0[0], 0.1 * t.net.W[0])
    assert_array_equal(db[0], db0[0])


def test_l2_and_l1_shrink_weights():
    def weights(reg, rate):
        t = training.build_trainer("gauss", (8, 8), reg=reg, reg_rate=rate, seed=4)
        t.run(100, record_every=100)
        return np.concatenate([W.ravel() for W in t.net.W])
    plain, l2, l1 = weights("none", 0), weights("l2", 0.01), weights("l1", 0.01)
    assert np.sum(l2 ** 2) < 0.7 * np.sum(plain ** 2)
    # L1 pushes many weights to (nearly) zero; plain SGD leaves almost none there.
    assert np.mean(np.abs(l1) < 0.02) > np.mean(np.abs(plain) < 0.02) + 0.2


# --- the trainer ----------------------------------------------------------------------------------

def _reference_epoch(t, order, dead):
    """One epoch the slow way: engine.backward, regularize and optimizer.step on the net's own lists;
    with L1, the Playground's rule: a weight whose step crosses 0 is set to 0 and never trained again."""
    X, Y = t.X_train[order], t.Y_train[order]
    for s in range(0, len(order), t.batch_size):
        l1 = t.reg == "l1" and t.reg_rate
        if l1:                        # the optimiser steps on the data gradient; L1's own step follows
            dW, db = engine.backward(t.net, t.net.forward(X[s:s + t.batch_size]), Y[s:s + t.batch_size], t.loss)
        else:
            dW, db = t.gradients(X[s:s + t.batch_size], Y[s:s + t.batch_size])
        for g, d in zip(dW, dead):
            g[d] = 0.0
        l1_step = [t.lr * t.reg_rate * np.sign(W) for W in t.net.W]
        t.optimizer.step(t.net, dW, db)
        for W, step, d in zip(t.net.W, l1_step, dead):
            if l1:
                w2 = W - step
                d |= W * w2 < 0                         # only L1's step can kill
                W[...] = w2
            W[d] = 0.0


@pytest.mark.parametrize("opt,reg", [("sgd", "none"), ("momentum", "l2"), ("adam", "l1")])
def test_epoch_matches_the_slow_reference(opt, reg):
    kw = dict(optimizer=opt, reg=reg, reg_rate=0.1 if reg == "l1" else 0.003, batch_size=16, seed=5)
    fast, slow = training.build_trainer("moons", (4,), **kw), training.build_trainer("moons", (4,), **kw)
    dead = [np.zeros(W.shape, bool) for W in slow.net.W]
    for _ in range(3):
        fast.step_epoch()
        _reference_epoch(slow, slow.rng.permutation(len(slow.Y_train)), dead)
    for a, b in zip(fast.net.W + fast.net.b, slow.net.W + slow.net.b):
        assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    for a, b in zip(fast.dead_links(), dead):
        assert_array_equal(a, b)
    assert reg != "l1" or any(d.any() for d in dead)          # L1's steps after Adam's do kill links


def test_same_seed_same_weights_bit_for_bit():
    a = training.build_trainer("xor", optimizer="adam", lr=0.01, seed=11)
    b = training.build_trainer("xor", optimizer="adam", lr=0.01, seed=11)
    a.run(40)
    b.run(40)
    for p, q in zip(a.net.W + a.net.b, b.net.W + b.net.b):
        assert_array_equal(p, q)
    assert a.history == b.history
    c = training.build_trainer("xor", optimizer="adam", lr=0.01, seed=12)
    assert not np.array_equal(c.net.W[0], training.build_trainer("xor", seed=11).net.W[0])


def test_rewind_replays_the_same_run():
    t = training.build_trainer("circle", optimizer="momentum", seed=3)
    W0 = [W.copy() for W in t.net.W]
    t.run(30)
    first = [W.copy() for W in t.net.W]
    hist = {k: list(v) for k, v in t.history.items()}
    t.rewind()
    assert t.epoch == 0 and len(t.history["epoch"]) == 1
    for W, w0 in zip(t.net.W, W0):
        assert_array_equal(W, w0)
    t.run(30)
    for W, w1 in zip(t.net.W, first):
        assert_array_equal(W, w1)
    assert t.history == hist


def test_history_rows_and_record_every():
    t = training.build_trainer("circle", seed=1)
    assert t.history["epoch"] == [0]
    t.run(10, record_every=4)
    assert t.history["epoch"] == [0, 4, 8, 10] and t.epoch == 10
    assert set(t.history) == {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    r = training.build_trainer("plane", seed=1)
    assert set(r.history) == {"epoch", "train_loss", "test_loss"}


@pytest.mark.parametrize("problem,output", [("xor", "tanh"), ("xor", "sigmoid"), ("spiral", "softmax"),
                                            ("plane", "linear")])
def test_record_matches_the_engines_forward(problem, output):
    t = training.build_trainer(problem, output=output, seed=2)
    t.run(5)
    for X, Y, y, part in [(t.X_train, t.Y_train, t.data.y_train, "train"), (t.X_test, t.Y_test, t.data.y_test, "test")]:
        trace = t.net.forward(X)
        assert t.history[f"{part}_loss"][-1] == pytest.approx(engine.loss_from_trace(t.net, trace, Y, t.loss),
                                                               rel=1e-12)
        if t.classification:
            pred = training.predict_labels(trace.output, output, t.data.n_classes)
            assert t.history[f"{part}_accuracy"][-1] == np.mean(pred == y)


def test_weights_are_trained_in_place_and_hand_edits_are_picked_up():
    a = training.build_trainer("circle", seed=6)
    b = training.build_trainer("circle", seed=6)
    held = a.net.W[0]                                # a view holding the array, as the UI does
    a.net.W[0][...] = 0.25                           # edited in place
    b.net.W[0] = np.full_like(b.net.W[0], 0.25)      # replaced by a new array
    a.step_epoch()
    b.step_epoch()
    assert a.net.W[0] is held and not np.allclose(held, 0.25)
    for p, q in zip(a.net.W + a.net.b, b.net.W + b.net.b):
        assert_array_equal(p, q)


def test_settings_change_between_epochs_and_are_validated():
    t = training.build_trainer("circle", seed=1)
    t.lr, t.batch_size, t.reg, t.reg_rate = 0.1, 25, "l2", 0.001
    t.step_epoch()
    assert len(t._kernel.batches) == 10 and t.optimizer.lr == 0.1
    for attr, bad in [("lr", 0), ("batch_size", 0), ("batch_size", 2.5), ("reg", "l3"), ("reg_rate", -1)]:
        with pytest.raises(ValueError):
            setattr(t, attr, bad)


def test_build_trainer_rejects_bad_settings():
    bad = [dict(problem="nope"), dict(output="tanh", loss="bce"), dict(sizes=(3, 4, 1)),
           dict(problem="digits", features="x1"), dict(problem="sine", features="x2"),
           dict(problem="plane", output="softmax"), dict(init="zeros"), dict(optimizer="lbfgs"),
           dict(batch_size=0), dict(hidden=(0,))]
    for kw in bad:
        with pytest.raises(ValueError):
            training.build_trainer(**kw)


def test_divergence_stops_the_run():
    t = training.build_trainer("plane", (8, 8), activation="linear", lr=5.0, seed=1)
    t.run(200)
    assert t.diverged and t.epoch < 200


def test_playground_default_circle_learns():
    # TF Playground's defaults: circle, 500 points, half for training, 2-4-2-1 tanh, lr 0.03, batch 10.
    t = training.build_trainer("circle", seed=1)
    assert t.net.sizes == (2, 4, 2, 1) and t.history["test_loss"][0] > 0.4
    t.run(300, record_every=300)
    assert t.history["test_loss"][-1] < 0.02
    assert t.history["test_accuracy"][-1] == 1.0


def test_xor_learns():
    t = training.build_trainer("xor", seed=0)
    t.run(300, record_every=300)
    assert t.history["test_loss"][-1] < 0.02


def test_squared_features_make_circle_linear():
    t = training.build_trainer("circle", (), features="x1^2,x2^2", output="sigmoid", seed=2)
    t.run(100, record_every=100)
    assert t.net.sizes == (2, 1) and t.history["test_accuracy"][-1] >= 0.98


def test_regression_1d_fits_sine():
    t = training.build_trainer("sine", (8,), optimizer="adam", lr=0.01, seed=0)
    t.run(300, record_every=300)
    assert t.history["test_loss"][-1] < 0.005      # mean 0.5 (f - y)^2, targets of amplitude 1


def test_digits_reach_90_percent_in_seconds():
    start = time.perf_counter()
    t = training.build_trainer("digits", (32,), lr=0.1, batch_size=32, seed=0)
    t.run(20, record_every=20)
    assert t.net.sizes == (64, 32, 10)
    assert t.history["test_accuracy"][-1] >= 0.90
    assert time.perf_counter() - start < 20            # about 0.5 s on a quiet laptop core


# --- the train command ----------------------------------------------------------------------------

def _train_json(capsys, *args):
    assert cli.main(["train", *args, "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    return json.loads(out[0])


def test_cli_json_and_repeatable(capsys):
    args = ["--problem", "circle", "--epochs", "200", "--seed", "1"]
    first, second = _train_json(capsys, *args), _train_json(capsys, *args)
    for key in ("epochs", "train_loss", "test_loss", "test_accuracy", "seconds", "epochs_per_second"):
        assert key in first
    timing = ("seconds", "epochs_per_second")
    assert {k: v for k, v in first.items() if k not in timing} == \
           {k: v for k, v in second.items() if k not in timing}
    assert first["epochs"] == 200 and first["sizes"] == [2, 4, 2, 1] and first["lr"] == 0.03
    assert first["test_loss"] < 0.05


def test_cli_options(capsys):
    full = _train_json(capsys, "--sizes", "2,4,2,1", "--epochs", "20")
    hidden = _train_json(capsys, "--epochs", "20")
    assert full["test_loss"] == hidden["test_loss"]
    out = _train_json(capsys, "--problem", "xor", "--sizes", "6", "--output", "sigmoid", "--optimizer",
                      "adam", "--lr", "0.01", "--reg", "l2", "--reg-rate", "0.001", "--noise", "10",
                      "--train-frac", "0.7", "--samples", "200", "--features", "x1,x2,x1*x2",
                      "--batch-size", "5", "--epochs", "30")
    assert out["sizes"] == [3, 6, 1] and out["loss"] == "bce" and out["train_size"] == 140
    reg = _train_json(capsys, "--problem", "reg-gauss", "--sizes", "none", "--epochs", "5")
    assert reg["sizes"] == [2, 1] and "test_accuracy" not in reg and reg["output"] == "linear"
    dig = _train_json(capsys, "--problem", "digits", "--sizes", "16", "--epochs", "3", "--batch-size", "32")
    assert dig["sizes"] == [64, 16, 10] and dig["loss"] == "cce"


def test_cli_human_summary(capsys):
    assert cli.main(["train", "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "2-4-2-1" in out and "test accuracy" in out and "5 epochs" in out


@pytest.mark.parametrize("args", [
    ["--problem", "nope"], ["--epochs", "0"], ["--epochs", "x"], ["--lr", "-1"], ["--lr", "abc"],
    ["--noise", "80"], ["--train-frac", "95"], ["--samples", "3"], ["--sizes", "4,x"],
    ["--features", "x3"], ["--output", "tanh", "--loss", "bce"], ["--batch-size", "0"],
    ["--reg", "l3"], ["--reg-rate", "-0.1"], ["--problem", "digits", "--noise", "5"],
])
def test_cli_bad_args_exit_2_with_one_line(capsys, args):
    try:
        code = cli.main(["train", *args])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("nnviz: error:")


def test_cli_as_a_process():
    cmd = [sys.executable, "-m", "nnviz", "train", "--problem", "circle", "--epochs", "50", "--seed", "1",
           "--json"]
    runs = [subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True) for _ in range(2)]
    a, b = (json.loads(r.stdout) for r in runs)
    assert a["test_loss"] == b["test_loss"] and a["epochs"] == 50


# --- L1 as the Playground: a weight that crosses zero dies ------------------------------------------

def test_l1_weight_that_crosses_zero_becomes_exactly_zero_and_dead():
    t = training.build_trainer("circle", (3,), lr=0.1, reg="l1", reg_rate=0.2, batch_size=10_000, seed=7)
    rng = np.random.default_rng(7)
    t.net.W[0][...] = rng.uniform(-0.02, 0.02, t.net.W[0].shape)      # small: L1's step is 0.02
    W0 = [W.copy() for W in t.net.W]
    dW, _ = engine.backward(t.net, t.net.forward(t.X_train), t.Y_train, "mse")  # one full batch
    w1 = [W - 0.1 * g for W, g in zip(W0, dW)]                 # the data's step
    step = [w - 0.1 * 0.2 * np.sign(W) for w, W in zip(w1, W0)]   # then L1's, signs from before
    crossed = [(a * b < 0) for a, b in zip(w1, step)]          # only L1's step kills
    assert 2 <= sum(int(c.sum()) for c in crossed) < sum(W.size for W in W0)
    t.step_epoch()
    for W, s, c, dead in zip(t.net.W, step, crossed, t.dead_links()):
        assert_array_equal(W[c], 0.0)                          # exactly 0, not "nearly"
        assert_allclose(W[~c], s[~c], rtol=1e-12, atol=1e-15)
        assert_array_equal(dead, c)
    t.lr = 1.0
    t.reg = "none"                                             # even without L1 a dead link stays dead
    t.run(5)
    for W, dead in zip(t.net.W, t.dead_links()):
        assert_array_equal(W[dead], 0.0)
    t.net.W[0][t.dead_links()[0]] = 0.3                        # a hand edit revives it
    t.step_epoch()
    assert not t.dead_links()[0].any() and np.all(t.net.W[0] != 0.0)
    t.restart(0)
    assert not any(d.any() for d in t.dead_links())


def test_l1_kills_links_over_a_run_and_they_stay_zero():
    t = training.build_trainer("gauss", (8, 8), reg="l1", reg_rate=0.01, seed=4)
    t.run(40)
    dead = t.dead_links()
    n_dead = sum(int(d.sum()) for d in dead)
    assert n_dead > 10
    t.run(20)
    for W, d in zip(t.net.W, dead):
        assert_array_equal(W[d], 0.0)


def test_unstable_spots_a_fast_rising_loss():
    assert training.unstable([1.0, 0.9, 1.0, 1.3, 1.7, 2.2])
    assert not training.unstable([1.0, 0.9, 0.8, 0.7, 0.6])
    assert training.unstable([0.04, 0.12, 0.004, 0.007, 0.001, 0.13])               # overshooting
    assert not training.unstable([1.0, 1.01, 1.02, 1.03, 1.04])          # rising, but slowly
    assert not training.unstable([1.0, 1e-30, 2e-30, 4e-30, 8e-30, 1.6e-29])   # wobbles near a perfect fit


def test_unstable_warns_long_before_a_run_diverges():
    """A run that diverges by a wide margin, so no rounding (which BLAS kernel runs) can change the outcome.

    No hidden layer, linear output, one batch of all 250 points per epoch: gradient descent on a
    quadratic, so the error e in (W, b) follows e <- (I - lr H) e exactly, H = [X 1]^T [X 1] / n.
    Stable needs lr < 2 / lambda_max(H) = 0.14; at lr 0.3 the error grows by |1 - lr lambda_max| = 3.2
    an epoch and the loss by its square, about 10x, until it overflows after ~300 epochs. (A hidden
    linear layer near its stability limit instead may or may not blow up, depending on the last bits.)
    """
    t = training.build_trainer("plane", (), activation="linear", output="linear", lr=0.3, batch_size=250,
                               seed=1, n_samples=500)
    A = np.column_stack([t.X_train, np.ones(len(t.X_train))])
    growth = np.abs(1 - 0.3 * np.linalg.eigvalsh(A.T @ A / len(A))).max()
    assert t.net.sizes == (2, 1) and len(t.X_train) == 250 and growth > 3.0    # far past the boundary, 1
    first_warning = None
    for _ in range(1000):
        t.step_epoch()
        if first_warning is None and training.unstable(t.history["train_loss"]):
            first_warning = t.epoch
        if t.diverged:
            break
    loss = t.history["train_loss"]
    assert_allclose(np.array(loss[21:31]) / loss[20:30], growth ** 2, rtol=1e-3)   # the theory's rate
    assert t.diverged and 200 < t.epoch < 400
    assert first_warning is not None and first_warning <= 5                     # said hundreds of epochs before


def test_a_calm_run_never_warns():
    """The Playground's network at lr 0.3, well under the rate (~0.8) where this run turns unstable:
    the loss falls to a perfect fit and the warning never shows on the way."""
    calm = training.build_trainer("plane", (4, 2), activation="linear", output="linear", lr=0.3, seed=1,
                                  n_samples=500)
    calm.run(300)
    loss = calm.history["train_loss"]
    assert not calm.diverged and loss[-1] < 1e-6 * loss[0]
    assert not any(training.unstable(loss[:k]) for k in range(1, len(loss) + 1))
