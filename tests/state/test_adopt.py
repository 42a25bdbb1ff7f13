"""A follower's state becomes its teacher's: whatever the two states, changing only what differs."""
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest

from nnviz.state import link
from nnviz.state.adopt import adopt

from .test_link import fresh, random_state


def sent(state) -> dict:
    """The state's link values as they arrive over the bus (a query string, parsed as a page's are)."""
    return parse_qs(urlencode(link.write(state)))


def same(a, b) -> bool:
    sa, sb = link.snapshot(a), link.snapshot(b)
    sa.pop("present"), sb.pop("present")
    return sa == sb


@pytest.mark.parametrize("seed", range(40))
def test_any_state_adopts_any_other(seed):
    rng = np.random.default_rng(seed)
    teacher, student = random_state(rng), random_state(rng)
    assert adopt(student, sent(teacher)) == []
    assert same(student, teacher)
    assert link.write(student) | {"present": "x"} == link.write(teacher) | {"present": "x"}


@pytest.mark.parametrize("seed", range(40))
def test_a_sequence_of_changes_adopted_as_differences(seed):
    """Each next state of the teacher, adopted against the one before, gives the same state as reading it afresh."""
    rng = np.random.default_rng(100 + seed)
    teacher, student = random_state(rng), fresh()
    last = sent(teacher)
    adopt(student, last)
    for _ in range(4):
        teacher = random_state(rng)
        q = sent(teacher)
        assert adopt(student, q, last) == []
        assert same(student, teacher)
        last = q


@pytest.mark.parametrize("custom", [False, True])
def test_a_new_input_or_setting_is_only_that(custom):
    """(A link read alone would draw a custom network anew from its seed: a rebuild per slider step.)"""
    teacher, student = fresh(), fresh()
    if custom:
        teacher.set_sizes([3, 5, 2])
    last = sent(teacher)
    adopt(student, last)
    structure, network = student.structure, student.network
    teacher.set_input([0.25, -1.0, 2.0])
    adopt(student, sent(teacher), last)
    assert student.x == [0.25, -1.0, 2.0]
    last = sent(teacher)
    teacher.train.lr, teacher.neuron.w1 = 0.1, -1.5
    adopt(student, sent(teacher), last)
    assert (student.train.lr, student.neuron.w1) == (0.1, -1.5) and same(student, teacher)
    assert student.structure == structure and student.network is network


def test_training_frames_write_the_weights_in_place():
    teacher, student = fresh(), fresh()
    teacher.set_sizes([2, 4, 1])
    last = sent(teacher)
    adopt(student, last)
    structure, network, count = student.structure, student.network, student.weights
    for step in range(3):
        for W in teacher.network.W:
            W += 0.1
        teacher.train.epoch += 10
        teacher.weights_changed()
        q = sent(teacher)
        adopt(student, q, last)
        last = q
        assert same(student, teacher)
    assert student.structure == structure and student.network is network
    assert student.weights == count + 3
    np.testing.assert_allclose(student.network.W[0], teacher.network.W[0], rtol=1e-6)


def test_values_back_at_their_default_are_reset():
    teacher, student = fresh(), fresh()
    teacher.train.lr, teacher.train.problem, teacher.view = 0.3, "plane", "train"
    last = sent(teacher)
    adopt(student, last)
    assert (student.train.lr, student.train.samples, student.view) == (0.3, 1200, "train")
    teacher.train.lr, teacher.train.problem, teacher.view = 0.03, "circle", "network"
    adopt(student, sent(teacher), last)
    assert (student.train.lr, student.train.problem, student.train.samples, student.view) == (0.03, "circle", 500,
                                                                                              "network")


def test_presentation_mode_stays_the_students_own():
    teacher, student = fresh(), fresh()
    teacher.present = True
    adopt(student, sent(teacher))
    assert student.present is False
