"""Labels written once: the architecture's name, and the package's version as pyproject says."""
import re
from pathlib import Path

import nnviz
from nnviz.encode.labels import arch

ROOT = Path(__file__).resolve().parents[2]


def test_an_architecture_is_written_as_the_lesson_writes_it():
    assert arch((2, 4, 3, 1)) == "2-4-3-1"
    assert arch([64, 32, 10]) == "64-32-10"


def test_the_version_is_the_one_pyproject_declares():
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert nnviz.__version__ == declared
