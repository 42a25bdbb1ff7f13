"""What the browser benchmarks share: the app served as its own process, and a headless Chromium page."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.chromium import CHROMIUM_FLAGS, chromium_path  # noqa: E402


@contextmanager
def served_app():
    """`panel serve app.py` on a free port, as a teacher would run it; yields the app's URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "panel", "serve", str(ROOT / "app.py"), "--port", str(port),
                               "--setup", str(ROOT / "nnviz" / "server" / "startup.py"),
                               "--auth-module", str(ROOT / "nnviz" / "server" / "auth.py"), "--allow-websocket-origin", f"localhost:{port}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://localhost:{port}/app"
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def chromium():
    """Headless Chromium (Debian's when present, Playwright's otherwise)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        launch = {"args": CHROMIUM_FLAGS, "headless": True}
        if chromium_path():
            launch["executable_path"] = chromium_path()
        browser = p.chromium.launch(**launch)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page():
    """A 1280x720 page in headless Chromium."""
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1280, "height": 720})
