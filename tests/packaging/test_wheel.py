"""`pip wheel .` builds a wheel that holds the whole package, the page's stylesheet included."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_the_package_and_its_stylesheet(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("nnviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nnviz/ui/static/nnviz.css" in names and "nnviz/core/network.py" in names
    assert "nnviz/ui/serve.py" in names and "nnviz/server/startup.py" in names
    assert "nnviz/ui/static/page.js" in names and "nnviz/server/link-too-long.html" in names
    assert "nnviz/ui/static/standalone.js" in names          # the forward pass of `nnviz html` pages
    assert not any(n.startswith(("tests/", "bench/", "scripts/")) for n in names)
