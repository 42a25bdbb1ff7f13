"""A live class over two processes: scripts/serve-class.sh with two workers behind nginx and the class bus on
the redis-server it starts; the teacher's page on one process, the student's on the other."""
import re
import shutil

import pytest

from .conftest import source_data
from .test_deploy import NGINX, class_server  # noqa: F401  (the fixture: serve-class.sh, 2 workers)
from .test_follow_ui import NODES, nodes_equal, nudge

pytestmark = [pytest.mark.ui,
              pytest.mark.skipif(NGINX is None or shutil.which("redis-server") is None,
                                 reason="nginx or redis-server is not installed here: the two-process class test "
                                        "did not run (scripts/test.sh installs both where it can)")]


def open_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    resp = page.goto(url)
    page.wait_for_function(f"() => window.Bokeh && Bokeh.documents.length && Bokeh.documents[0]"
                           f".get_model_by_name('nodes') && {NODES}.a !== undefined", timeout=30000)
    return ctx, page, resp.headers.get("x-nnviz-backend")


def test_a_student_on_another_process_follows(class_server, browser):  # noqa: F811
    base = f"http://localhost:{class_server}/app"
    tctx, teacher, teacher_backend = open_page(browser, base + "?teach=1&preset=neuron")
    teacher.wait_for_function("() => new URLSearchParams(location.search).get('teach')?.length === 32")
    url = teacher.locator(".nnviz-class .link").text_content()
    assert url.startswith(base + "?follow=")
    for _ in range(12):                              # nginx pins a fresh browser to a process by a random id
        sctx, student, backend = open_page(browser, url)
        if backend != teacher_backend:
            break
        sctx.close()
    assert backend != teacher_backend, "every student landed on the teacher's process"
    student.get_by_text("Following the teacher.").wait_for()
    nodes_equal(teacher, student)
    nudge(teacher)
    nodes_equal(teacher, student)
    assert source_data(student)["a"][0] == pytest.approx(5.9)
    # Counted over Redis (a page closed above on the teacher's process counts until Bokeh ends its session).
    teacher.get_by_text(re.compile(r"^[1-9]\d* students? following$")).wait_for(timeout=15000)
    student.get_by_role("button", name="Explore on my own").click()
    nudge(student, "ArrowRight", slider=1)
    assert source_data(teacher)["a"][1] == pytest.approx(8.0)
    nudge(teacher)
    student.get_by_role("button", name="Follow again").click()
    nodes_equal(teacher, student)
    assert source_data(student)["a"][0] == pytest.approx(5.8)
    sctx.close()
    tctx.close()
