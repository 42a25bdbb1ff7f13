"""Data sets: shapes, labels, the Playground's geometry, noise, splits, features and validation."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz.core import datasets as ds


def _all(data):
    return np.vstack([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test])


@pytest.mark.parametrize("problem", ds.CLASSIFY_2D + ds.REGRESS_2D + ds.REGRESS_1D)
def test_shapes_and_split(problem):
    d = ds.make_dataset(problem, n_samples=301, train_pct=30, seed=4)
    width = 1 if problem in ds.REGRESS_1D else 2
    assert d.X_train.shape == (90, width) and d.X_test.shape == (211, width)   # floor(301 * 0.3) = 90
    assert d.y_train.shape == (90,) and d.y_test.shape == (211,)
    assert d.kind == ("classification" if problem in ds.CLASSIFY_2D else "regression")
    assert np.all(np.isfinite(_all(d)[0]))


@pytest.mark.parametrize("problem", ds.CLASSIFY_2D)
def test_classification_labels_are_balanced_plus_minus_one(problem):
    X, y = _all(ds.make_dataset(problem, n_samples=500, noise=0, seed=1))
    assert set(np.unique(y)) == {-1.0, 1.0}
    if problem != "xor":                      # xor's labels follow the quadrant each point falls in
        assert np.sum(y > 0) == 250
    if problem != "gauss":                    # Gaussian tails may leave the drawn square
        assert np.all(np.abs(X) <= 6.0)


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (ds.make_dataset("spiral", noise=20, seed=s) for s in (3, 3, 4))
    assert_array_equal(a.X_train, b.X_train)
    assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)
    g = np.random.default_rng(9)
    assert_array_equal(ds.make_dataset("xor", rng=g).X_train,
                       ds.make_dataset("xor", rng=np.random.default_rng(9)).X_train)


def test_circle_geometry_and_noise():
    X, y = _all(ds.make_dataset("circle", noise=0, seed=2))
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[y > 0] <= 2.5) and np.all((r[y < 0] >= 3.5) & (r[y < 0] <= 5.0))
    # With noise the label is read at a jittered point, so some labels cross the boundary.
    Xn, yn = _all(ds.make_dataset("circle", noise=50, seed=2))
    wrong = np.mean((np.hypot(Xn[:, 0], Xn[:, 1]) < 2.5) != (yn > 0))
    assert 0.05 < wrong < 0.5


def test_xor_geometry_and_noise():
    X, y = _all(ds.make_dataset("xor", noise=0, seed=3))
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    assert_array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0))
    Xn, yn = _all(ds.make_dataset("xor", noise=30, seed=3))
    assert np.any(yn != np.where(Xn[:, 0] * Xn[:, 1] >= 0, 1.0, -1.0))


def test_gauss_variance_grows_with_noise():
    # The Playground maps noise 0..50 % to variance 0.5..4 around centres (2, 2) and (-2, -2).
    for noise, var in [(0, 0.5), (50, 4.0)]:
        X, y = _all(ds.make_dataset("gauss", n_samples=20000, noise=noise, seed=5))
        assert_allclose(X[y > 0].mean(axis=0), [2, 2], atol=0.1)
        assert_allclose(X[y > 0].var(axis=0), [var, var], rtol=0.06)


def test_spiral_without_noise_lies_on_its_arms():
    X, y = _all(ds.make_dataset("spiral", n_samples=200, noise=0, seed=0))
    r = np.sort(np.hypot(X[y > 0, 0], X[y > 0, 1]))
    assert_allclose(r, 5.0 * np.arange(100) / 100, atol=1e-12)    # r = 5 i / m
    first = X[(y > 0)][np.argsort(np.hypot(*X[y > 0].T))][1]         # i = 1: angle 3.5 pi / 100
    assert_allclose(first, 0.05 * np.array([math.sin(0.035 * math.pi), math.cos(0.035 * math.pi)]))


def test_moons_are_two_separate_arcs():
    X, y = _all(ds.make_dataset("moons", noise=0, seed=1))
    assert np.all(np.isclose(np.hypot(*(X[y > 0] / 3.0 + [0.5, 0.25]).T), 1.0))
    assert np.all(np.isclose(np.hypot(*(X[y < 0] / 3.0 + [0.5, 0.25] - [1.0, 0.5]).T), 1.0))
    assert X[y > 0, 1].min() == pytest.approx(-0.75, abs=0.05)     # the upper arc's ends at y = -0.25 * 3


def test_regression_targets_without_noise():
    X, y = _all(ds.make_dataset("plane", noise=0, seed=1))
    assert_allclose(y, (X[:, 0] + X[:, 1]) / 10.0)
    # At a cone's centre the value is its sign; 2 or more away from every centre it is 0.
    X, y = _all(ds.make_dataset("reg-gauss", n_samples=4000, noise=0, seed=2))
    assert np.all(np.abs(y) <= 1.0)
    near = np.hypot(X[:, 0] - 4, X[:, 1] - 2.5) < 0.2          # the +1 cone at (4, 2.5)
    assert near.sum() >= 2 and np.all(y[near] > 0.89)
    far = np.min([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in ds._BUMPS], axis=0) >= 2.0
    assert np.all(y[far] == 0.0) and far.any()


@pytest.mark.parametrize("name,f", [("sine", lambda x: np.sin(np.pi * x)),
                                    ("step", lambda x: np.where(x >= 0, 1.0, -1.0)),
                                    ("abs", lambda x: 2 * np.abs(x) - 1)])
def test_curves(name, f):
    X, y = _all(ds.make_dataset(name, noise=0, seed=1))
    assert np.all(np.abs(X) <= 1.0)
    assert_allclose(y, f(X[:, 0]))
    Xn, yn = _all(ds.make_dataset(name, n_samples=5000, noise=20, seed=1))
    assert np.std(yn - f(Xn[:, 0])) == pytest.approx(0.2, rel=0.05)


def test_noise_changes_labels_only_when_asked():
    clean = ds.make_dataset("plane", noise=0, seed=7)
    noisy = ds.make_dataset("plane", noise=25, seed=7)
    assert not np.allclose(noisy.y_train, (noisy.X_train.sum(axis=1)) / 10.0)
    assert_allclose(clean.y_train, clean.X_train.sum(axis=1) / 10.0)


def test_digits():
    d = ds.make_dataset("digits", train_pct=80, seed=0)
    assert d.X_train.shape[1] == 64 and len(d.y_train) + len(d.y_test) == 1797
    assert len(d.y_train) == int(1797 * 0.8)
    X, y = _all(d)
    assert X.min() == 0.0 and X.max() == 1.0                   # pixels 0..16 divided by 16
    assert set(np.unique(y)) == set(range(10)) and d.n_classes == 10
    Y = ds.make_targets(d, d.y_test, "softmax")
    assert Y.shape == (len(d.y_test), 10) and np.all(Y.sum(axis=1) == 1)
    assert_array_equal(Y.argmax(axis=1), d.y_test)
    assert not np.array_equal(d.y_train, ds.make_dataset("digits", train_pct=80, seed=1).y_train)


def test_targets_and_output_sizes():
    d = ds.make_dataset("xor", n_samples=20, seed=0)
    y = d.y_train
    assert_array_equal(ds.make_targets(d, y, "tanh")[:, 0], y)
    assert_array_equal(ds.make_targets(d, y, "sigmoid")[:, 0], (y > 0))
    onehot = ds.make_targets(d, y, "softmax")
    assert onehot.shape == (len(y), 2)
    assert_array_equal(onehot[:, 1], (y > 0))
    assert ds.output_size(d, "softmax") == 2 and ds.output_size(d, "tanh") == 1
    assert_array_equal(ds.labels01([-1.0, 1.0, -1.0]), [0.0, 1.0, 0.0])
    dig = ds.make_dataset("digits", seed=0)
    assert ds.output_size(dig, "sigmoid") == 10
    assert set(np.unique(ds.make_targets(dig, dig.y_train, "tanh"))) == {-1.0, 1.0}


def test_features_by_hand():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = ds.make_features(X, ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"])
    assert_allclose(F[0], [1, 2, 1, 4, 2, math.sin(1), math.sin(2)])
    assert_allclose(F[1], [-0.5, 3, 0.25, 9, -1.5, math.sin(-0.5), math.sin(3)])
    assert ds.parse_features("x1², x1·x2, sin x2") == ("x1^2", "x1*x2", "sin(x2)")
    assert_allclose(ds.make_features(np.array([[0.5]]), "x1,x1^2,sin(x1)"), [[0.5, 0.25, math.sin(0.5)]])


@pytest.mark.parametrize("names", ["x3", "x1,x1", "", "x2", []])
def test_bad_features(names):
    with pytest.raises(ValueError):
        ds.make_features(np.zeros((3, 1)), names)


@pytest.mark.parametrize("kw", [dict(problem="mnist"), dict(noise=60), dict(noise=-1), dict(noise="lots"),
                                dict(train_pct=5), dict(train_pct=95), dict(n_samples=5),
                                dict(n_samples=2.5), dict(n_samples=True), dict(n_samples=10**6),
                                dict(problem="digits", noise=10)])
def test_bad_settings_raise_clear_errors(kw):
    kw = {"problem": "circle", **kw}
    with pytest.raises(ValueError, match=r"\w"):
        ds.make_dataset(**kw)


def test_playground_point_counts():
    for problem in ("plane", "reg-gauss"):
        d = ds.make_dataset(problem)
        assert len(d.X_train) + len(d.X_test) == 1200
    d = ds.make_dataset("spiral")
    assert len(d.X_train) + len(d.X_test) == 500
