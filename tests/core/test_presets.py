"""The lesson's worked examples, with its arithmetic checked by hand before it is trusted."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz.core import presets


def test_neuron_preset_by_hand():
    # z = 0.7*6 + 0.3*8 + (-4) = 4.2 + 2.4 - 4.0 = 2.6
    # a = 1 / (1 + e^-2.6) = 1 / (1 + 0.0742736) = 0.9308616
    net, x = presets.load("neuron")
    assert net.sizes == (2, 1) and net.output == "sigmoid"
    tr = net.forward(x)
    assert_allclose(tr.z[1], [2.6], rtol=1e-14)
    assert_allclose(tr.a[1], [0.930862], atol=1e-6)


def test_digits_preset_layer_by_layer_by_hand():
    # x = [0.2, 0.8, 0.1, 0.9]
    # z1 row 1:  0.5*0.2 - 0.3*0.8 + 0.7*0.1 + 0.1*0.9 = 0.10 - 0.24 + 0.07 + 0.09 = 0.02;  + 0.1  =  0.12
    # z1 row 2: -0.2*0.2 + 0.8*0.8 - 0.1*0.1 + 0.4*0.9 = -0.04 + 0.64 - 0.01 + 0.36 = 0.95; - 0.2  =  0.75
    # z1 row 3:  0.3*0.2 - 0.5*0.8 + 0.6*0.1 - 0.2*0.9 = 0.06 - 0.40 + 0.06 - 0.18 = -0.46; + 0.05 = -0.41
    # h1 = relu(z1) = [0.12, 0.75, 0]
    # z2 row 1:  0.4*0.12 - 0.6*0.75 + 0.2*0 = 0.048 - 0.450 = -0.402;        + 0.0 = -0.402
    # z2 row 2:  0.1*0.12 + 0.5*0.75 - 0.3*0 = 0.012 + 0.375 =  0.387;        + 0.1 =  0.487
    # z2 row 3: -0.7*0.12 + 0.3*0.75 + 0.8*0 = -0.084 + 0.225 = 0.141;        - 0.1 =  0.041
    # h2 = relu(z2) = [0, 0.487, 0.041]
    net, x = presets.load("digits")
    assert net.sizes == (4, 3, 3, 10)
    assert_array_equal(x, [0.2, 0.8, 0.1, 0.9])
    tr = net.forward(x)
    assert_allclose(tr.z[1], [0.12, 0.75, -0.41], atol=1e-12)
    assert_allclose(tr.a[1], [0.12, 0.75, 0.0], atol=1e-12)
    assert_allclose(tr.z[2], [-0.402, 0.487, 0.041], atol=1e-12)
    assert_allclose(tr.a[2], [0.0, 0.487, 0.041], atol=1e-12)


def test_lesson_printed_z1_is_not_what_its_weights_give():
    # The lesson prints z1 = [0.30, 0.60, 0.03]; its own W1, b1 and x give [0.12, 0.75, -0.41],
    # and the third unit is negative, so ReLU does not keep all three as the lesson claims.
    net, x = presets.load("digits")
    z1 = net.forward(x).z[1]
    assert not np.allclose(z1, [0.30, 0.60, 0.03], atol=0.05)
    assert z1[2] < 0 and net.forward(x).a[1][2] == 0.0


def test_digits_W3_reproducible_from_documented_seed():
    net, x = presets.load("digits")
    W3 = np.random.default_rng(presets.DIGITS_W3_SEED).standard_normal((10, 3)) * 0.5
    assert_array_equal(net.W[2], W3)
    assert_array_equal(net.b[2], np.zeros(10))
    assert_array_equal(presets.load("digits")[0].W[2], W3)         # same on every load
    # With h2 = [0, 0.487, 0.041] the logits are 0.487 * W3[:, 1] + 0.041 * W3[:, 2].
    tr = net.forward(x)
    logits = 0.487 * W3[:, 1] + 0.041 * W3[:, 2]
    assert_allclose(tr.z[3], logits, atol=1e-12)
    e = np.exp(logits - logits.max())
    assert_allclose(tr.output, e / e.sum(), rtol=1e-12)
    assert_allclose(tr.output.sum(), 1.0, rtol=1e-14)
    assert np.all(tr.output > 0)


def test_mnist_mlp_preset():
    net, x = presets.load("mnist-mlp")
    assert net.sizes == (784, 256, 128, 10)
    assert net.count_params()["total"] == 235_146
    x = np.asarray(x)
    assert x.shape == (784,)
    assert np.all((x >= 0.0) & (x <= 1.0)) and x.std() > 0.1       # a spread of intensities, not constant
    out = net(x)
    assert out.shape == (10,)
    assert_allclose(out.sum(), 1.0, rtol=1e-12)


def test_starter_preset_is_small():
    net, x = presets.load("starter")
    assert max(net.sizes) <= 8
    assert len(x) == net.sizes[0]
    assert np.all(np.isfinite(net(x)))


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_runs_and_matches_its_input(name):
    net, x = presets.load(name)
    assert len(x) == net.sizes[0]
    tr = net.forward(x)
    assert len(tr.a) == net.L + 1
    assert np.all(np.isfinite(tr.output))


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="unknown preset 'mnist'.*digits"):
        presets.load("mnist")
