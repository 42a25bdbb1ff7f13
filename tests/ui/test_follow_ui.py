"""A live class in headless Chromium: a teacher's page and a student's on one in-process server."""
import re
import time

import numpy as np
import pytest
import segno
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nnviz.server import bus as busmod

from .conftest import shot, source_data, wait_ready, wait_view

pytestmark = pytest.mark.ui
NODES = "Bokeh.documents[0].get_model_by_name('nodes').data"


@pytest.fixture(scope="module", autouse=True)
def memory_bus():
    """The process's bus in memory (the default: no NNVIZ_REDIS_URL)."""
    old = busmod._bus
    busmod._bus = busmod.Bus()
    yield busmod._bus
    busmod._bus = old


def ready(page, view):
    wait_ready(page) if view == "network" else wait_view(page, view)


def open_teacher(browser, server, query="?teach=1&preset=neuron", view="network"):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.goto(server + query)
    ready(page, view)
    page.wait_for_function("() => new URLSearchParams(location.search).get('teach')?.length === 32")
    return ctx, page, page.locator(".nnviz-class .link").text_content()


def open_student(browser, url, width=1280, height=720, view="network"):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    ready(page, view)
    return ctx, page, errors


def nodes_equal(a_page, b_page, timeout=8000):
    """Wait until b's nodes (a and z) are a's, to the last bit (a's own page may still be taking its change:
    its data is read again each second)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        want = source_data(a_page)
        try:
            b_page.wait_for_function(f"(w) => JSON.stringify([{NODES}.a, {NODES}.z].map(c => Array.from(c))) === "
                                     "JSON.stringify([w.a, w.z])", arg={"a": want["a"], "z": want["z"]},
                                     timeout=1000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                got = source_data(b_page)
                assert (got["a"], got["z"]) == (want["a"], want["z"])


def nudge(page, key="ArrowLeft", slider=0):
    before = source_data(page)["z"][2]
    page.locator(f".input-slider-{slider} .noUi-handle").first.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"(z) => {NODES}.z[2] !== z", arg=before, timeout=5000)


def watch_changes(page):
    page.evaluate(f"""() => {{ const s = Bokeh.documents[0].get_model_by_name('nodes'); window.seen = 0;
        s.change.connect(() => window.seen++); }}""")


def test_students_follow_explore_and_follow_again(module_server, browser, console_errors):
    tctx, teacher, url = open_teacher(browser, module_server)
    assert re.fullmatch(re.escape(module_server) + r"\?follow=[A-Za-z0-9_-]{16}", url)
    sctx, student, errors = open_student(browser, url)
    student.get_by_text("Following the teacher.").wait_for()
    assert "teach=" not in student.url and "teach" not in student.content()
    nodes_equal(teacher, student)
    teacher.get_by_text("1 student following").wait_for(timeout=6000)
    assert student.url == url                                 # following: the address is the class's link
    nudge(teacher)                                            # the teacher moves an input
    nodes_equal(teacher, student)
    assert source_data(student)["a"][0] == pytest.approx(5.9)
    shot(teacher, "class-teacher-1280")
    shot(student, "class-student-following-1280")

    # Explore on my own: the student's changes are the student's; the teacher's no longer arrive.
    student.get_by_role("button", name="Explore on my own").click()
    student.get_by_text("You are exploring on your own.").wait_for()
    watch_changes(teacher)
    nudge(student, "ArrowRight", slider=1)
    nudge(student, "ArrowRight", slider=1)
    assert teacher.evaluate("() => window.seen") == 0 and source_data(teacher)["a"][1] == pytest.approx(8.0)
    own = source_data(student)
    nudge(teacher)
    teacher.wait_for_timeout(600)                             # more than the bus's pace: nothing came
    assert source_data(student) == own
    shot(student, "class-student-exploring-1280")

    # Follow again: the teacher's state of now, at once; and a student's own change stops following.
    student.get_by_role("button", name="Follow again").click()
    nodes_equal(teacher, student)
    student.get_by_text("Following the teacher.").wait_for()
    watch_changes(teacher)
    nudge(student, "ArrowRight", slider=1)
    student.get_by_text("You changed something, so you are exploring on your own.").wait_for()
    teacher.wait_for_timeout(400)
    assert teacher.evaluate("() => window.seen") == 0
    student.wait_for_function("() => new URLSearchParams(location.search).get('explore') === '1'")
    assert console_errors == [] and errors == []
    sctx.close()
    tctx.close()


def test_the_teachers_view_and_settings_follow(module_server, browser, console_errors):
    tctx, teacher, url = open_teacher(browser, module_server, "?teach=1")
    sctx, student, errors = open_student(browser, url)
    sizes = teacher.get_by_label("Sizes (input, hidden..., output)")
    sizes.fill("2,5,3,1")
    sizes.press("Enter")
    student.wait_for_function(f"() => {NODES}.a.length === 11")
    nodes_equal(teacher, student)
    teacher.locator(".bk-tab", has_text="Forward pass").click()
    student.locator(".bk-tab.bk-active", has_text="Forward pass").wait_for()
    wait_view(student, "forward")
    student.get_by_text("Following the teacher.").wait_for()
    assert errors == []
    sctx.close()
    tctx.close()


def test_an_unknown_code_says_so_on_a_normal_page(module_server, browser):
    ctx, page, errors = open_student(browser, module_server + "?follow=AAAAAAAAAAAAAAAA&preset=neuron")
    page.get_by_text("This class code is unknown, or the class has ended.").wait_for()
    assert source_data(page)["z"][2] == pytest.approx(2.6)     # the link's own state, working
    nudge(page)
    assert errors == []
    ctx.close()


def modules_of(svg_path: str, n: int, border: int) -> np.ndarray:
    """The dark modules a segno SVG path draws (runs along rows: M/m moves, h draws), as a matrix."""
    grid = np.zeros((n, n), dtype=np.uint8)
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", svg_path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            row, start = int(y - 0.5) - border, int(x) - border
            grid[row, start:start + int(a)] = 1
            x += float(a)
    return grid


def test_the_qr_code_is_the_students_link(module_server, browser):
    ctx, teacher, url = open_teacher(browser, module_server)
    path = teacher.locator(".qr svg path").first.get_attribute("d")
    box = teacher.locator(".qr svg").first.get_attribute("viewBox")
    side = int(box.split()[2])
    expected = segno.make(url, error="m")
    served = modules_of(path, side - 4, 2)
    assert np.array_equal(served, np.array(expected.matrix, dtype=np.uint8))
    # Another link's code differs: the comparison can fail.
    assert not np.array_equal(served.shape == (side - 4,) * 2 and served,
                              np.array(segno.make(url[:-1] + "x", error="m").matrix, dtype=np.uint8))
    width = teacher.locator(".qr").first.bounding_box()["width"]
    teacher.get_by_role("button", name="Present (P)").click()
    teacher.wait_for_function("() => document.querySelector('body') && true")
    big = teacher.locator(".qr").first
    teacher.wait_for_timeout(500)
    assert big.bounding_box()["width"] > 2 * width              # large when projected
    teacher.get_by_role("button", name="Hide QR code").click()
    teacher.locator(".qr").first.wait_for(state="hidden")
    teacher.get_by_role("button", name="Show QR code").click()
    teacher.locator(".qr svg").first.wait_for()
    ctx.close()


CURVE_ROWS = "Bokeh.documents[0].get_model_by_name('loss_curve').data.epoch.length"


def test_training_reaches_the_student_live(module_server, browser):
    tctx, teacher, url = open_teacher(browser, module_server, "?teach=1&view=train&preset=custom&sizes=2,4,2,1"
                                                              "&output=tanh", view="train")
    sctx, student, errors = open_student(browser, url, view="train")
    student.wait_for_function(f"() => {CURVE_ROWS} > 0")
    teacher.get_by_role("button", name="▶ Play").click()
    student.wait_for_function(f"() => {CURVE_ROWS} > 3", timeout=15000)
    rows0, t0 = student.evaluate(f"() => {CURVE_ROWS}"), time.monotonic()
    student.wait_for_timeout(3000)
    rows1, t1 = student.evaluate(f"() => {CURVE_ROWS}"), time.monotonic()
    frames_per_s = (rows1 - rows0) / (t1 - t0)
    assert frames_per_s >= 1, frames_per_s    # frames keep coming (their rate: bench/follow.py, not a test)
    shot(student, "class-student-training-1280")
    teacher.get_by_role("button", name="❚❚ Pause").click()
    teacher.get_by_role("button", name="▶ Play").wait_for()
    teacher.wait_for_function("() => new URLSearchParams(location.search).get('train.epoch') !== null")
    teacher.wait_for_timeout(800)
    epoch = teacher.locator(".train-status .epoch").inner_text()
    student.wait_for_function("(e) => document.querySelector('body') && "
                              "Bokeh.documents[0].get_model_by_name('loss_curve').data.epoch.slice(-1)[0] == e",
                              arg=int(epoch), timeout=5000)
    assert student.get_by_text("Following the teacher.").is_visible()
    assert errors == []
    sctx.close()
    tctx.close()


def test_the_button_starts_a_class_and_end_class_ends_it(module_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    teacher = ctx.new_page()
    teacher.goto(module_server + "?preset=neuron")
    wait_ready(teacher)
    assert teacher.locator(".nnviz-class").count() == 0
    teacher.get_by_role("button", name="Teach a class").click()
    teacher.wait_for_function("() => new URLSearchParams(location.search).get('teach')?.length === 32")
    url = teacher.locator(".nnviz-class .link").text_content()
    assert "preset=neuron" in teacher.url                     # the address keeps the state beside the key
    sctx, student, errors = open_student(browser, url)
    nodes_equal(teacher, student)
    teacher.get_by_role("button", name="End class").click()
    student.get_by_text("This class has ended.").wait_for()
    teacher.wait_for_function("() => !new URLSearchParams(location.search).has('teach')")
    teacher.get_by_role("button", name="Teach a class").wait_for()
    nudge(student)                                            # the student's page works on its own
    assert errors == []
    sctx.close()
    ctx.close()


def test_copy_link_on_a_teachers_page_leaves_the_key_out(module_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, permissions=["clipboard-read", "clipboard-write"])
    teacher = ctx.new_page()
    teacher.goto(module_server + "?teach=1&preset=neuron")
    ready(teacher, "network")
    teacher.wait_for_function("() => new URLSearchParams(location.search).get('teach')?.length === 32")
    teacher.get_by_role("button", name="Copy link").click()
    teacher.get_by_text("link copied").wait_for()
    copied = teacher.evaluate("() => navigator.clipboard.readText()")
    assert "teach=" in teacher.url and "teach" not in copied and "preset=neuron" in copied
    ctx.close()
