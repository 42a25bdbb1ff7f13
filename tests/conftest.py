"""Shared test settings: where Chromium lives and how it starts headless here."""
import os
import shutil

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic", "--no-first-run"]


def chromium_path():
    """Debian's chromium if present (or $NNVIZ_CHROMIUM); None means Playwright's own download."""
    for cand in (os.environ.get("NNVIZ_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and os.path.exists(cand):
            return cand
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = dict(browser_type_launch_args)
    path = chromium_path()
    if path:
        args["executable_path"] = path
    args["args"] = list(args.get("args", [])) + CHROMIUM_FLAGS
    args.setdefault("headless", True)
    return args
