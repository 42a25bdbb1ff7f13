"""nnviz.App where notebook users run it: JupyterLab from this environment on 127.0.0.1 (a temporary root,
no token), a notebook opened in Chromium, its cell run; the graph draws and an input moved in the page
updates `nodes` through the kernel."""
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nnviz.ui.app import App

from .conftest import free_port, shot

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[2]
jupyterlab = pytest.importorskip("jupyterlab")

CELL = ("import nnviz\n"
        "nnviz.extension()\n"
        "app = nnviz.App(sizes=(2, 3, 1), activation='tanh', output='sigmoid', seed=3, x=[0.5, -0.5])\n"
        "app")
SETTINGS = dict(sizes=(2, 3, 1), activation="tanh", output="sigmoid", seed=3, x=[0.5, -0.5])
# The notebook's Bokeh documents (Panel makes one per output) searched for a model by name.
FIND = "(name) => { for (const d of (window.Bokeh ? Bokeh.documents : [])) { const m = d.get_model_by_name(name); " \
       "if (m) return m; } return null; }"


def notebook(cells) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                       "source": c} for c in cells],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a temporary folder, its settings and runtime files kept there too."""
    root = tmp_path_factory.mktemp("lab")
    (root / "nnviz.ipynb").write_text(json.dumps(notebook([CELL])))
    home = root / ".home"
    # The kernel runs this environment's Python (ipykernel's own kernel) with this checkout importable.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_DATA_DIR": str(home / "data"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws")}
    port = free_port()
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
                             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2).read()
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-2000:])
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_the_app_in_a_notebook_draws_and_answers_an_input(page, lab):
    outside = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1")
               else (outside.append(r.request.url), r.abort()))
    page.set_default_timeout(60000)
    page.goto(f"{lab}/lab/tree/nnviz.ipynb")
    cell = page.locator(".jp-Cell .jp-InputArea-editor").first
    cell.wait_for()
    drawn = f"() => {{ const m = ({FIND})('nodes'); return m && m.data.a && m.data.a.length === 6; }}"
    for attempt in range(3):
        # JupyterLab at times asks which kernel to start (even with its session's kernel running): the default.
        choose = page.get_by_role("button", name="Select", exact=True)
        with contextlib.suppress(PlaywrightTimeout):
            choose.wait_for(timeout=3000)
            choose.click()
        cell.click()
        page.keyboard.press("Control+Enter")            # run the cell, stay on it
        try:
            page.wait_for_function(drawn, timeout=60000)
            break
        except PlaywrightTimeout:
            shot(page, f"notebook-attempt-{attempt}")
    else:
        pytest.fail("the cell's output never drew the graph (artifacts/notebook-attempt-*.png)")
    # The graph: the App's sources arrived in the output and BokehJS drew the figure.
    page.wait_for_function(f"() => {{ const f = ({FIND})('network'); const v = f && Bokeh.index.query_one(x => x.model === f);"
                           " return v != null && v.has_finished(); }", timeout=60000)
    want = App(**SETTINGS)
    got = page.evaluate(f"() => Array.from(({FIND})('nodes').data.a)")
    assert got == want.graph.nodes.data["a"].tolist()
    shot(page, "notebook-app")
    # An input moved in the page reaches the kernel, which sends the new values of `nodes` back.
    page.evaluate(f"() => {{ const d = Bokeh.documents.find(d => d.get_model_by_name('nodes'));"
                  " const s = [...d.all_models].find(m => m.type === 'Slider' && m.title === 'x1'); s.value = -0.8; }")
    page.wait_for_function(f"() => ({FIND})('nodes').data.a[0] === -0.8", timeout=30000)
    assert want.state.set_input([-0.8, -0.5])
    page.wait_for_function(f"(want) => JSON.stringify(Array.from(({FIND})('nodes').data.a)) === JSON.stringify(want)",
                           arg=want.graph.nodes.data["a"].tolist(), timeout=30000)
    shot(page, "notebook-app-moved")
    # BokehJS and Panel came inline with the output; only Panel's theme style sheets are asked of its CDN
    # (refused here, as offline: the app works without them)
    assert all(u.startswith("https://cdn.holoviz.org/") and ".css" in u for u in outside), outside
