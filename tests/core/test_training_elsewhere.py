"""Training on a copy in another process (train_for) and adopting the result equals training in place."""
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
import multiprocessing

import numpy as np
import pytest

from nnviz.core import training


def trainers(**kw):
    # L1's step (lr rate) comes after Adam's own, unscaled by it: 0.1 kills links within these epochs.
    settings = dict(seed=1, problem="circle", reg="l1", reg_rate=0.1, optimizer="adam", lr=0.03, **kw)
    return training.build_trainer(**settings), training.build_trainer(**settings)


def assert_same(a, b):
    for Wa, Wb, ba, bb in zip(a.net.W, b.net.W, a.net.b, b.net.b):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
    assert a.epoch == b.epoch and a.waiting == b.waiting
    assert a.history["train_loss"][-1] == b.history["train_loss"][-1]
    np.testing.assert_array_equal(a._kernel.dead, b._kernel.dead)


@pytest.mark.parametrize("order,batch", [("shuffled", 10), ("playground", 7)])
def test_frames_trained_on_pickled_copies_equal_training_in_place(order, batch):
    here, there = trainers(order=order, batch_size=batch)
    for _ in range(4):                                   # four frames of 6 epochs, each on a fresh copy
        copy = pickle.loads(pickle.dumps(there.detached()))
        result = training.train_for(copy, seconds=60.0, max_epochs=6)
        assert result["epochs"] == 6
        there.adopt(pickle.loads(pickle.dumps(result)))
    here.run(24, record_every=6)
    assert_same(here, there)
    assert there._kernel.dead.sum() > 0                  # L1 killed links, and they travelled back
    assert there.history["epoch"] == [0, 6, 12, 18, 24]
    # The shuffle stream continues too: the next epoch draws the same permutation on both.
    here.step_epoch(), there.step_epoch()
    assert_same(here, there)


def test_detached_copy_is_small_and_does_not_touch_the_original():
    t = training.build_trainer(seed=2, problem="spiral")
    t.run(50)
    light = t.detached()
    assert all(len(v) == 1 for v in light.history.values())
    assert all(len(v) == 51 for v in t.history.values())
    copy = pickle.loads(pickle.dumps(light))
    before = [W.copy() for W in t.net.W]
    training.train_for(copy, seconds=60.0, max_epochs=3)
    for W, W0 in zip(t.net.W, before):
        np.testing.assert_array_equal(W, W0)
    assert len(pickle.dumps(light)) < 100_000


def test_train_for_stops_after_its_time():
    t = training.build_trainer(seed=0, problem="circle")
    result = training.train_for(t, seconds=0.0, max_epochs=1000)
    assert result["epochs"] == 1 and t.epoch == 1       # at least one epoch, even with no time


def test_a_worker_process_trains_the_same():
    """What the app does when served: the frame crosses into a spawned process and back."""
    here, there = trainers()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(training.train_for, there.detached(), 60.0, 5).result(timeout=60)
    there.adopt(result)
    here.run(5, record_every=5)
    assert_same(here, there)


def test_training_workers_run_below_the_servers_priority():
    from nnviz.ui import session
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=session._yield_to_pages) as pool:
        niceness = pool.submit(os.nice, 0).result(timeout=60)
    assert niceness >= os.nice(0) + session.TRAIN_NICE or niceness == 19
