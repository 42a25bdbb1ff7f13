"""Pages take turns (nnviz/server/admission.py) and a malformed link is made readable (hosts.one_query)."""
import asyncio
import threading
import time

from nnviz.server import admission, hosts


def run(coro):
    """asyncio.run on a thread of its own (pytest-playwright may hold a running loop on this one)."""
    out = {}

    def target():
        try:
            asyncio.run(coro)
        except BaseException as exc:            # noqa: BLE001 -- re-raised in the test's thread
            out["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]


def test_turns_never_overlap_and_come_in_order():
    order, inside = [], []

    async def build(k):
        async with admission.turn():
            inside.append(k)
            assert len(inside) == 1                 # no other build inside a turn
            time.sleep(0.01)                        # a build holds the loop, as a page's does
            order.append(k)
            inside.remove(k)

    async def main():
        await asyncio.gather(*(build(k) for k in range(5)))
    t0 = time.perf_counter()
    run(main())
    assert order == [0, 1, 2, 3, 4]
    assert time.perf_counter() - t0 >= 5 * admission.PAUSE_S          # each turn began with its pause


def test_the_loop_answers_others_between_two_turns():
    """A change that arrives while builds are queued is answered before the next build, not after all."""
    events = []

    async def build(k):
        async with admission.turn():
            events.append(f"build {k}")
            time.sleep(0.05)

    async def student():
        await asyncio.sleep(0.06)                   # arrives during the first build
        events.append("answer")

    async def main():
        await asyncio.gather(*(build(k) for k in range(4)), student())
    run(main())
    assert events.index("answer") <= 2, events


def test_a_second_question_mark_is_escaped():
    assert hosts.one_query("/app?sizes=2,2?x=1") == "/app?sizes=2,2%3Fx=1"
    assert hosts.one_query("/app?x=1") == "/app?x=1" and hosts.one_query("/app") == "/app"
