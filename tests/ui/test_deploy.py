"""The class deployment for real: scripts/serve-class.sh runs two panel processes behind nginx; two
browsers use it at once, their sessions keep working, and an over-long link gets a 414 page."""
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = [pytest.mark.ui,
              pytest.mark.skipif(NGINX is None, reason="nginx is not installed here: the proxy test did not run "
                                                       "(scripts/test.sh installs it where it can)")]


@pytest.fixture
def class_server():
    port = free_port()
    env = {**os.environ, "NNVIZ_PORT": str(port), "NNVIZ_WORKERS": "2", "NNVIZ_HOSTS": "localhost"}
    proc = subprocess.Popen(["bash", "scripts/serve-class.sh"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/app", timeout=2) as r:
                if r.status == 200:
                    break
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        pytest.fail("serve-class.sh did not answer: " + (proc.stderr.read() if proc.stderr else ""))
    yield port
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def use_network(page, base):
    """Open the page, then change the network twice through the websocket; return the backend used."""
    resp = page.goto(base + "/app")
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                           "Bokeh.documents[0].get_model_by_name('nodes') && "
                           "Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 12", timeout=30000)
    sizes = page.get_by_label("Sizes (input, hidden..., output)")
    sizes.fill("4,3,3,10")
    sizes.press("Enter")
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 20")
    return resp.headers.get("x-nnviz-backend")


def test_two_browsers_behind_nginx(class_server, browser):
    base = f"http://localhost:{class_server}"
    pages = [browser.new_context(viewport={"width": 1280, "height": 720}).new_page() for _ in range(2)]
    backends = [use_network(p, base) for p in pages]
    assert all(b and b.startswith("127.0.0.1:") for b in backends)
    time.sleep(3)                                        # sessions survive a pause
    for p in pages:
        sizes = p.get_by_label("Sizes (input, hidden..., output)")
        sizes.fill("2,5,1")
        sizes.press("Enter")
        p.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 8")
        p.context.close()


def test_over_long_link_gets_a_414_page(class_server):
    url = f"http://localhost:{class_server}/app?x=" + "1," * 20000
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=10)
    assert err.value.code == 414
    assert "This link is too long" in err.value.read().decode()
