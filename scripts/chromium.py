"""Where the browser tests and benchmarks find Chromium, and the flags it starts with here (headless, as root)."""
import os
import shutil

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic", "--no-first-run"]


def chromium_path():
    """Debian's chromium if present (or $NNVIZ_CHROMIUM); None means Playwright's own download."""
    for cand in (os.environ.get("NNVIZ_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and os.path.exists(cand):
            return cand
    return None
