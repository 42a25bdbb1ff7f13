"""The order an epoch visits the training points: reshuffled every epoch, or the Playground's fixed order."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnviz import core as engine
from nnviz.core import datasets, training


def tiny(order, batch_size=3, n=7):
    """A 2-3-1 tanh network on n points of xor, every point for training (the test split is unused)."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-5, 5, (n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    data = datasets.Dataset("xor", "classification", 2, X, y, X[:2], y[:2])
    net = training.init_network((2, 3, 1), "tanh", "tanh", rng=np.random.default_rng(1))
    return training.Trainer(net, data, lr=0.1, batch_size=batch_size, seed=9, order=order)


def spy(t):
    """Record the input rows of every batch the kernel trains on, one list per epoch after each call."""
    seen = []
    k, real = t._kernel, t._kernel.gradients

    def gradients(batch):
        seen.append(batch.a0[:-1].T.copy())          # columns are the batch's points
        return real(batch)
    k.gradients = gradients
    return seen


def epoch_batches(t, seen):
    """Train one epoch and return its batches' input rows."""
    seen.clear()
    t.step_epoch()
    return [b.copy() for b in seen]


def playground_reference(net, X, Y, lr, batch_size, epochs):
    """TensorFlow Playground's oneStep, point by point: each point's gradient is added to a running sum,
    and after every batch_size-th point of an epoch (counted from 0 each epoch) the weights move by
    lr times the mean of the sum, which is then cleared. A remainder stays in the sum into the next epoch."""
    acc_W, acc_b, count = [np.zeros_like(W) for W in net.W], [np.zeros_like(b) for b in net.b], 0
    for _ in range(epochs):
        for i in range(len(X)):
            dW, db = engine.backward(net, net.forward(X[i:i + 1]), Y[i:i + 1], "mse")
            for a, g in zip(acc_W + acc_b, dW + db):
                a += g
            count += 1
            if (i + 1) % batch_size == 0:
                for p, a in zip(net.W + net.b, acc_W + acc_b):
                    p -= lr * a / count
                    a[...] = 0.0
                count = 0


def test_playground_order_is_the_playgrounds_loop_exactly():
    t = tiny("playground")
    ref = t.net.copy()
    t.run(4)
    playground_reference(ref, t.X_train, t.Y_train, 0.1, 3, 4)
    for a, b in zip(t.net.W + t.net.b, ref.W + ref.b):
        assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert not np.allclose(t.net.W[0], t._W0[0])


def test_playground_epochs_visit_the_points_in_the_same_order():
    t = tiny("playground")
    seen = spy(t)
    X = t.X_train
    first = epoch_batches(t, seen)
    assert [len(b) for b in first] == [3, 3] and t.waiting == 1       # point 6 waits
    assert_array_equal(np.vstack(first), X[:6])
    second, third = epoch_batches(t, seen), epoch_batches(t, seen)
    assert [len(b) for b in second] == [len(b) for b in third] == [4, 3]
    assert_array_equal(np.vstack(second), X[[6, 0, 1, 2, 3, 4, 5]])    # the waiting point comes first
    assert_array_equal(np.vstack(third), np.vstack(second))


def test_shuffled_epochs_differ_and_cover_every_point():
    t = tiny("shuffled")
    seen = spy(t)
    first, second = epoch_batches(t, seen), epoch_batches(t, seen)
    assert [len(b) for b in first] == [len(b) for b in second] == [3, 3, 1]
    a, b = np.vstack(first), np.vstack(second)
    assert not np.array_equal(a, b)
    key = lambda rows: sorted(map(tuple, rows))
    assert key(a) == key(b) == key(t.X_train) and t.waiting == 0


@pytest.mark.parametrize("order,per_epoch", [("shuffled", [3, 3, 3]), ("playground", [2, 2, 2])])
def test_updates_per_epoch_with_7_points_in_batches_of_3(order, per_epoch):
    """Shuffled applies the short last batch at once; the Playground's waits and joins the next first batch:
    both train every point in every epoch after the first."""
    t = tiny(order)
    seen = spy(t)                               # every batch's gradient is followed by one update
    assert [len(epoch_batches(t, seen)) for _ in range(3)] == per_epoch


def test_a_batch_size_change_keeps_the_waiting_points():
    t = tiny("playground", batch_size=5)
    t.step_epoch()
    assert t.waiting == 2
    t.batch_size = 3
    seen = spy(t)
    batches = epoch_batches(t, seen)
    assert [len(b) for b in batches] == [5, 3] and t.waiting == 1
    assert_array_equal(np.vstack(batches), t.X_train[[5, 6, 0, 1, 2, 3, 4, 5]])


def test_a_batch_larger_than_the_data_is_all_the_points():
    t = tiny("playground", batch_size=50)
    seen = spy(t)
    assert [len(b) for b in epoch_batches(t, seen)] == [7] and t.waiting == 0


def test_order_is_validated_and_shuffled_or_restart_forget_the_waiting_points():
    t = tiny("playground")
    t.step_epoch()
    assert t.waiting == 1
    t.restart(t.epoch)
    assert t.waiting == 0
    t.step_epoch()
    t.order = "shuffled"
    assert t.waiting == 0
    with pytest.raises(ValueError, match="example order"):
        t.order = "sorted"
    with pytest.raises(ValueError, match="example order"):
        training.build_trainer("circle", order="random")
    assert training.build_trainer("circle", order="playground").order == "playground"


def test_playground_order_repeats_bit_for_bit_and_learns():
    a = training.build_trainer("circle", seed=2, order="playground")
    b = training.build_trainer("circle", seed=2, order="playground")
    a.run(60)
    b.run(60)
    for p, q in zip(a.net.W + a.net.b, b.net.W + b.net.b):
        assert_array_equal(p, q)
    assert a.history["train_loss"][-1] < 0.5 * a.history["train_loss"][0]
