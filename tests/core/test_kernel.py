"""The training kernel against mini-batch training written out plainly in NumPy, weight for weight."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz.core import training

LR, MU, BETA1, BETA2, EPS = 0.1, 0.9, 0.9, 0.999, 1e-8
EPOCHS = 3


def plain_step(name, params, grads, state, t):
    """The optimisers written out; state holds one dict per parameter."""
    for p, g, s in zip(params, grads, state):
        if name == "sgd":
            p -= LR * g
        elif name == "momentum":
            s["v"] = MU * s.get("v", 0.0) + g
            p -= LR * s["v"]
        else:
            s["m"] = BETA1 * s.get("m", 0.0) + (1 - BETA1) * g
            s["s"] = BETA2 * s.get("s", 0.0) + (1 - BETA2) * g * g
            # lr m^ / (sqrt(s^) + eps) with m^ = m / (1 - b1^t), s^ = s / (1 - b2^t), the corrections
            # moved onto lr and eps as optimizers.Adam does: the division by sqrt(s) magnifies any
            # difference in rounding over a few hundred steps, so the reference rounds as it does.
            c2 = np.sqrt(1 - BETA2 ** t)
            p -= LR * c2 / (1 - BETA1 ** t) * s["m"] / (np.sqrt(s["s"]) + EPS * c2)


def plain_training(net, X, Y, optimizer, reg, rate, batch_size, rng):
    """EPOCHS epochs of a tanh network with MSE on batches cut from a new permutation each epoch.

    L2 adds rate W to the gradient; L1 steps every weight by lr rate sign(w) after the optimiser's
    step, and a weight that this step carries across 0 is set to 0 and never trained again."""
    W, b, L = [w.copy() for w in net.W], [c.copy() for c in net.b], net.L
    state, t = [{} for _ in range(2 * L)], 0
    dead = [np.zeros(w.shape, dtype=bool) for w in W]
    for _ in range(EPOCHS):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            x, y = X[order[s:s + batch_size]], Y[order[s:s + batch_size]]
            a = [x]
            for l in range(L):
                a.append(np.tanh(a[l] @ W[l].T + b[l]))
            delta = (a[L] - y) / len(x) * (1 - a[L] ** 2)
            dW, db = [None] * L, [None] * L
            for l in range(L - 1, -1, -1):
                dW[l], db[l] = delta.T @ a[l], delta.sum(axis=0)
                delta = (delta @ W[l]) * (1 - a[l] ** 2)
            for l in range(L):
                dW[l] = dW[l] + rate * W[l] if reg == "l2" else dW[l]
                dW[l][dead[l]] = 0.0
            before = [np.sign(w) for w in W]
            t += 1
            plain_step(optimizer, W + b, dW + db, state, t)
            for l in range(L):
                if reg == "l1":
                    w2 = W[l] - LR * rate * before[l]
                    crossed = W[l] * w2 < 0
                    W[l][...] = np.where(crossed, 0.0, w2)
                    dead[l] |= crossed
                W[l][dead[l]] = 0.0
    return W, b, dead


@pytest.mark.parametrize("optimizer", training.OPTIMIZERS)
@pytest.mark.parametrize("reg,rate", [("none", 0.0), ("l2", 0.01), ("l1", 0.01)])
@pytest.mark.parametrize("batch_size", [1, 10, 60])
def test_kernel_trains_as_plain_numpy(optimizer, reg, rate, batch_size):
    t = training.build_trainer("circle", (4, 2), optimizer=optimizer, lr=LR, reg=reg, reg_rate=rate,
                               batch_size=batch_size, n_samples=120, seed=5)
    assert len(t.Y_train) == 60                      # batch 60 is the full training set
    W, b, dead = plain_training(t.net, t.X_train, t.Y_train, optimizer, reg, rate, batch_size,
                                training.seed_streams(5)[1])
    t.run(EPOCHS)
    for l in range(t.net.L):
        assert_allclose(t.net.W[l], W[l], rtol=1e-12, atol=1e-12)
        assert_allclose(t.net.b[l], b[l], rtol=1e-12, atol=1e-12)
        assert_array_equal(t.dead_links()[l], dead[l])
    if reg == "l1" and batch_size == 1:
        assert any(d.any() for d in dead)            # the rule was exercised

