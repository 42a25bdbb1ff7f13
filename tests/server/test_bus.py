"""The class bus: in memory, and over a real redis-server when one is installed (started here on a free port)."""
import shutil
import socket
import subprocess
import time

import pytest

from nnviz.server import bus as busmod
from nnviz.server.bus import Bus


def wait_for(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, without persistence; stop() and start() it again on its port."""

    def __init__(self):
        self.port, self.proc = free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        assert wait_for(self._answers, 10)

    def _answers(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; scripts/test.sh does)")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "redis"])
def two(request):
    """Two buses of one class system: one process twice in memory, or two processes' buses over one Redis."""
    if request.param == "memory":
        b = Bus()
        yield b, b
        return
    server = request.getfixturevalue("redis_server")
    from nnviz.server.bus_redis import RedisBus
    a, b = RedisBus(server.url), RedisBus(server.url)
    assert wait_for(lambda: a.ok and b.ok)
    yield a, b
    a.close(), b.close()


def test_codes_are_unguessable_and_the_key_is_apart():
    b = Bus()
    pairs = [b.start() for _ in range(200)]
    codes, keys = {c for c, _ in pairs}, {k for _, k in pairs}
    assert len(codes) == len(keys) == 200
    for code, key in pairs:
        assert busmod.valid_code(code) and busmod.valid_key(key)
        assert len(code) * 6 >= 64 and key not in code and code not in key
        assert b.resume(key) == code and b.resume(code) is None      # the code never acts as the key


def test_a_teachers_states_reach_its_followers_and_no_others(two):
    teacher_bus, student_bus = two
    code, key = teacher_bus.start("sizes=2,3,1")
    other, other_key = teacher_bus.start("")
    got, other_got = [], []
    stop = student_bus.listen(code, got.append)
    student_bus.listen(other, other_got.append)
    assert student_bus.latest(code) == "sizes=2,3,1"
    time.sleep(0.3)                                     # Redis: subscribed
    got.clear()
    assert teacher_bus.publish(key, "x=0.5")
    assert wait_for(lambda: got and got[-1] == "x=0.5")
    assert student_bus.latest(code) == "x=0.5"
    assert set(other_got) <= {""}                        # its own (empty) state at most
    assert not teacher_bus.publish(code, "x=9")          # publishing needs the key, not the code
    assert not student_bus.publish("A" * 32, "x=9")
    stop()
    assert teacher_bus.publish(key, "x=0.75")
    time.sleep(0.3)
    assert got[-1] == "x=0.5"                           # stopped listening: nothing more


def test_unknown_malformed_and_ended_classes(two):
    teacher_bus, student_bus = two
    assert student_bus.latest("A" * 16) is None
    assert student_bus.latest("../../etc") is None and student_bus.latest("") is None
    code, key = teacher_bus.start("x=1")
    got = []
    student_bus.listen(code, got.append)
    time.sleep(0.3)
    assert teacher_bus.end(key)
    assert wait_for(lambda: got and got[-1] is None)
    assert student_bus.latest(code) is None and teacher_bus.resume(key) is None
    assert not teacher_bus.publish(key, "x=2")


def test_followers_are_counted(two):
    teacher_bus, student_bus = two
    code, key = teacher_bus.start()
    stops = [student_bus.listen(code, lambda s: None) for _ in range(3)]
    assert wait_for(lambda: teacher_bus.count(code) == 3, 8)
    stops[0]()
    assert wait_for(lambda: teacher_bus.count(code) == 2, 8)


def test_an_idle_class_ends():
    now = [0.0]
    b = Bus(idle=3600, clock=lambda: now[0])
    code, key = b.start("x=1")
    got = []
    b.listen(code, got.append)
    now[0] = 3000
    assert b.publish(key, "x=2")                        # a new state renews the class
    now[0] = 6500
    assert b.latest(code) == "x=2"
    now[0] = 10200
    assert b.latest(code) is None and got[-1] is None


def test_the_process_bus_is_memory_by_default(monkeypatch):
    monkeypatch.delenv(busmod.REDIS_ENV, raising=False)
    monkeypatch.setattr(busmod, "_bus", None)
    assert type(busmod.bus()) is Bus and busmod.bus() is busmod.bus()


def test_redis_gone_pauses_and_comes_back_with_the_current_state(redis_server):
    from nnviz.server.bus_redis import BusDown, RedisBus
    teacher_bus, student_bus = RedisBus(redis_server.url), RedisBus(redis_server.url)
    try:
        assert wait_for(lambda: teacher_bus.ok and student_bus.ok)
        code, key = teacher_bus.start("x=1")
        got, status = [], []
        student_bus.on_status(status.append)
        student_bus.listen(code, got.append)
        assert wait_for(lambda: got and got[-1] == "x=1")
        redis_server.stop()                             # Redis gone (and with it, every class it held)
        assert wait_for(lambda: not student_bus.ok and not teacher_bus.ok, 8)
        assert status == [False]
        with pytest.raises(BusDown):
            student_bus.latest(code)
        assert teacher_bus.publish(key, "x=2")          # the teacher goes on; kept for when Redis is back
        redis_server.start()
        assert wait_for(lambda: student_bus.ok and teacher_bus.ok, 10)
        assert status == [False, True]
        assert wait_for(lambda: got[-1] == "x=2", 10)   # the class was stored again and its state delivered
        assert student_bus.latest(code) == "x=2"
        assert teacher_bus.publish(key, "x=3")
        assert wait_for(lambda: got[-1] == "x=3")
    finally:
        teacher_bus.close(), student_bus.close()
