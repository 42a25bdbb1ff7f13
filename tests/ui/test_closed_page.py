"""Nothing trains for a page nobody sees: a closed or hidden Training tab stops within a second,
measured on the server (the trainer's epoch and the server thread's CPU time)."""
import os
import time
from pathlib import Path

import panel as pn
import pytest

from nnviz.ui.app import App

from .conftest import serve

pytestmark = pytest.mark.ui

FITS = "?view=train&preset=custom&sizes=2,4,2,1&output=tanh"


@pytest.fixture
def served_apps():
    apps = []

    def build():
        apps.append(App())
        return apps[-1]

    port = serve(build)
    yield f"http://localhost:{port}/", apps
    pn.state.kill_all_servers()


def epochs(app):
    return app.state.train.epoch


def play(page, base, apps):
    page.goto(base + FITS)
    page.get_by_role("button", name="▶ Play").click()
    deadline = time.monotonic() + 20
    while epochs(apps[-1]) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert epochs(apps[-1]) >= 20


def worker_cpu() -> float:
    """CPU seconds of this process's worker processes (where Play trains; Linux /proc)."""
    total, me = 0.0, os.getpid()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == me and b"multiprocessing" in cmd:
            total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_seconds(seconds):
    """The server's CPU time over `seconds`: this process's threads (the in-process server) and its
    worker processes; Chromium is another process."""
    t0, w0 = time.process_time(), worker_cpu()
    time.sleep(seconds)
    return time.process_time() - t0 + worker_cpu() - w0


def test_a_closed_training_page_stops_within_a_second(served_apps, browser):
    base, apps = served_apps
    page = browser.new_page()
    play(page, base, apps)
    busy = cpu_seconds(2.0)
    page.close()
    time.sleep(1.0)
    e1 = epochs(apps[-1])
    idle = cpu_seconds(2.0)
    assert epochs(apps[-1]) == e1                 # no epoch after the first second
    assert idle < 0.25 * busy, (busy, idle)       # and the server's CPU is back to idle


def test_a_hidden_training_page_pauses_and_resumes(served_apps, browser):
    """The page reports `visibilitychange`; the tab keeps its Play state and goes on when shown."""
    base, apps = served_apps
    page = browser.new_page()
    play(page, base, apps)
    page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    time.sleep(1.0)
    assert apps[-1].state.page_visible is False
    e1 = epochs(apps[-1])
    time.sleep(1.5)
    assert epochs(apps[-1]) == e1
    assert page.get_by_role("button", name="❚❚ Pause").is_visible()      # still "playing" for the student
    page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    deadline = time.monotonic() + 10
    while epochs(apps[-1]) <= e1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert epochs(apps[-1]) > e1
    page.close()
