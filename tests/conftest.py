"""Shared test settings: Chromium's path and flags come from scripts/chromium.py (the benchmarks use it too)."""
import pytest

from scripts.chromium import CHROMIUM_FLAGS, chromium_path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = dict(browser_type_launch_args)
    path = chromium_path()
    if path:
        args["executable_path"] = path
    args["args"] = list(args.get("args", [])) + CHROMIUM_FLAGS
    args.setdefault("headless", True)
    return args
