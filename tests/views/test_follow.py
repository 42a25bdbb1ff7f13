"""A live class in-process: a teacher's App and students' Apps on the process's (in-memory) bus.

Outside a served page a state published reaches a follower at once (nnviz.ui.session.soon runs it now), so
these tests publish by hand and read the follower's sources."""
import numpy as np
import pytest

from nnviz.server import bus as busmod
from nnviz.state import link
from nnviz.ui.app import App

from ..server.test_bus import redis_server  # noqa: F401  (a redis-server of the test's own)

PLAYGROUND = {"view": "train", "sizes": "2,4,2,1", "output": "tanh"}


@pytest.fixture
def bus(monkeypatch):
    monkeypatch.delenv(busmod.REDIS_ENV, raising=False)
    monkeypatch.setattr(busmod, "_bus", None)
    return busmod.bus()


def same_nodes(a, b):
    for k in ("a", "z"):
        np.testing.assert_array_equal(np.asarray(a.graph.nodes.data[k], float),
                                      np.asarray(b.graph.nodes.data[k], float))


def test_a_student_follows_explores_and_follows_again(bus):
    teacher = App(query={"teach": "1"})
    code = teacher.classroom.code
    student, other = App(query={"follow": code}), App(query={"follow": code})
    assert student.classroom.following and bus.count(code) == 2
    assert student.classroom.address({"x": "1"}) == {"follow": code}     # a reload follows again
    teacher.state.set_sizes([2, 5, 1])
    teacher.state.set_input([0.25, -0.75])
    teacher.classroom.publish()
    for s in (student, other):
        assert s.state.sizes == [2, 5, 1] and s.state.x == [0.25, -0.75]
        same_nodes(s, teacher)
    student.state.set_input([1.0, 1.0])                       # the student's own change: exploring now
    assert not student.classroom.following and bus.count(code) == 1
    assert "exploring on your own" in student.classroom.text.object
    assert student.classroom.address({"x": "1,1"}) == {"x": "1,1", "follow": code, "explore": "1"}
    assert teacher.state.x == [0.25, -0.75] and other.state.x == [0.25, -0.75]
    teacher.state.set_input([0.5, 0.5])
    teacher.classroom.publish()
    assert student.state.x == [1.0, 1.0] and other.state.x == [0.5, 0.5]
    student.classroom.follow_again.clicks += 1                # Follow again: the teacher's state of now
    assert student.classroom.following and student.state.x == [0.5, 0.5]
    same_nodes(student, teacher)
    student.classroom.explore.clicks += 1
    assert not student.classroom.following and student.state.x == [0.5, 0.5]


def test_the_teacher_key_reaches_no_student(bus):
    teacher = App(query={"teach": "1"})
    key, code = teacher.classroom.key, teacher.classroom.code
    assert teacher.classroom.address({"x": "1"}) == {"x": "1", "teach": key} and key != code
    sent = []
    bus.listen(code, sent.append)
    student = App(query={"follow": code})
    teacher.state.set_input([0.1, 0.2, 0.3])
    teacher.classroom.publish()
    assert sent and all(key not in s for s in sent)
    assert key not in student.classroom.text.object and key not in str(student.classroom.address(link.write(student.state)))
    assert key not in str(link.write(student.state))
    assert key not in teacher.classroom.students_link()


def test_a_teacher_reload_keeps_the_class_and_a_student_cannot_publish(bus):
    teacher = App(query={"teach": "1"})
    code, key = teacher.classroom.code, teacher.classroom.key
    again = App(query={"teach": key})                         # the teacher's reload, or a second device
    assert again.classroom.code == code
    student = App(query={"follow": code})
    student.state.set_input([9.0, 9.0, 9.0])
    student.classroom.publish()                               # a student's page has nothing to publish with
    assert bus.latest(code) == teacher.classroom._values() and teacher.state.x != [9.0, 9.0, 9.0]
    as_teacher = App(query={"teach": code})                   # the code is no teacher key
    assert as_teacher.classroom.code != code


def test_unknown_and_ended_classes(bus):
    lost = App(query={"follow": "A" * 16})
    assert lost.classroom.role == "lost" and "unknown" in lost.classroom.text.object
    assert lost.state.x == [0.5, -0.3, 0.8]                   # a normal page
    bad = App(query={"follow": "<script>"})
    assert bad.classroom.role == "lost" and "<script>" not in bad.classroom.text.object
    teacher = App(query={"teach": "1"})
    student = App(query={"follow": teacher.classroom.code})
    teacher.classroom.end_class.clicks += 1
    assert student.classroom.role == "ended" and "ended" in student.classroom.text.object
    assert teacher.classroom.role is None and teacher.classroom.address({"x": "1"}) == {"x": "1"}


def test_training_frames_reach_the_follower_with_their_curve(bus):
    teacher = App(query={**PLAYGROUND, "teach": "1"})
    student = App(query={"follow": teacher.classroom.code})
    tv, sv = teacher.view("train"), student.view("train")
    assert student.state.view == "train"
    for _ in range(3):
        tv.run_frames(1, epochs=5)
        teacher.classroom.publish()
    assert student.state.train.epoch == teacher.state.train.epoch == 15
    np.testing.assert_allclose(student.state.network.W[0], teacher.state.network.W[0], rtol=1e-6)
    assert list(sv.curve.data["epoch"])[-3:] == [5, 10, 15]
    np.testing.assert_allclose(sv.curve.data["train"][-1], tv.curve.data["train"][-1], rtol=1e-4)
    assert student.classroom.following                        # the frames were the teacher's, not the student's


def test_redis_gone_pauses_following_and_it_resumes(monkeypatch, redis_server):
    """Over Redis: the bus goes away, pages keep working and say so; back, the student has the current state."""
    from nnviz.server.bus_redis import RedisBus

    from ..server.test_bus import wait_for
    bus = RedisBus(redis_server.url)
    monkeypatch.setattr(busmod, "_bus", bus)
    try:
        assert wait_for(lambda: bus.ok)
        teacher = App(query={"teach": "1"})
        student = App(query={"follow": teacher.classroom.code})
        assert wait_for(lambda: "Following the teacher." in student.classroom.text.object)
        teacher.state.set_input([0.1, 0.2, 0.3])
        teacher.classroom.publish()
        assert wait_for(lambda: student.state.x == [0.1, 0.2, 0.3])
        redis_server.stop()
        assert wait_for(lambda: "Following paused" in student.classroom.text.object, 8)
        teacher.state.set_input([0.4, 0.5, 0.6])             # both pages keep working on their own
        teacher.classroom.publish()
        assert student.state.set_input([1.0, 1.0, 1.0]) is True and student.classroom.following is False
        student.classroom.follow_again.clicks += 1           # while the bus is down: follows once it is back
        assert student.classroom.following and "Following paused" in student.classroom.text.object
        redis_server.start()
        assert wait_for(lambda: student.state.x == [0.4, 0.5, 0.6], 10)
        assert wait_for(lambda: "Following the teacher." in student.classroom.text.object)
        lost = App(query={"follow": "B" * 16})
        assert lost.classroom.role == "lost"
    finally:
        bus.close()
