"""Leaky ReLU and SiLU by hand, and every activation's gradient through a whole network and the trainer."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnviz import core
from nnviz.core import training
from nnviz.encode.notation import NOTATION


def test_leaky_relu_by_hand():
    # Negative side keeps slope 0.01: f(-2) = -0.02, f'(-2) = 0.01; positive side is the identity.
    assert_allclose(core.leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0])
    assert_allclose(core.d_leaky_relu([-2.0, 0.0, 3.0]), [0.01, 0.01, 1.0])


def test_silu_by_hand():
    # sigma(1) = 1 / (1 + e^-1) = 0.7310585786; SiLU(1) = 1 * 0.7310585786, SiLU(-1) = -sigma(-1) = -0.2689414214.
    # SiLU'(z) = s + z s (1 - s): at 1, 0.7310585786 * (1 + 0.2689414214) = 0.9276705119; at 0, 1/2.
    s1 = 1.0 / (1.0 + math.exp(-1.0))
    assert s1 == pytest.approx(0.7310585786)
    assert_allclose(core.silu([1.0, -1.0, 0.0]), [0.7310585786, -0.2689414214, 0.0], atol=1e-10)
    assert_allclose(core.d_silu([1.0, 0.0]), [0.9276705119, 0.5], atol=1e-10)
    z = np.linspace(-6, 6, 120001)
    assert core.silu(z).min() >= core.ACTIVATIONS["silu"].range[0]      # the declared range holds


def test_every_activation_has_its_notation_and_init():
    for name, act in core.ACTIVATIONS.items():
        assert name in NOTATION and act.init in ("he", "xavier")
    assert core.ACTIVATIONS["leaky_relu"].init == core.ACTIVATIONS["silu"].init == "he"


@pytest.mark.parametrize("name", list(core.ACTIVATIONS))
def test_network_gradient_matches_finite_differences(name):
    """backward() through a 3-4-3-2 network with this hidden activation, against central differences."""
    rng = np.random.default_rng(3)
    net = core.Network.init((3, 4, 3, 2), name, "softmax", seed=5)
    net.b = [rng.normal(0, 0.3, b.shape) for b in net.b]        # keep z away from ReLU's kink at 0
    X, Y = rng.normal(0, 1, (6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    dW, db = core.backward(net, net.forward(X), Y, "cce")
    h = 1e-6
    for l in range(net.L):
        for arr, grad in ((net.W[l], dW[l]), (net.b[l], db[l])):
            num = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + h
                up = core.loss_value(net, X, Y, "cce")
                arr[idx] = old - h
                down = core.loss_value(net, X, Y, "cce")
                arr[idx] = old
                num[idx] = (up - down) / (2 * h)
            assert_allclose(grad, num, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", ["leaky_relu", "silu"])
def test_the_fast_training_kernel_agrees_with_backward(name):
    """One epoch of the trainer's kernel equals plain gradient steps from engine.backward."""
    t = training.build_trainer("circle", (4, 2), activation=name, batch_size=500, n_samples=200, seed=2)
    net = t.net.copy()
    t.run(1)
    dW, db = core.backward(net, net.forward(t.X_train), t.Y_train, t.loss)
    for W, g, W1 in zip(net.W, dW, t.net.W):
        assert_allclose(W - t.lr * g, W1, atol=1e-12)


def test_empty_batch_loss_says_so():
    net = core.Network.init((2, 1), (), "sigmoid")
    with pytest.raises(ValueError, match="empty"):
        core.loss_value(net, np.zeros((0, 2)), np.zeros((0, 1)), "bce")
    with pytest.raises(ValueError, match="empty"):
        core.mse(np.zeros((0, 1)), np.zeros((0, 1)))
