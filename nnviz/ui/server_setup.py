"""`panel serve app.py --setup nnviz/ui/server_setup.py`: server-wide set-up before the server starts
(over-long links answered with 414, pages built off the event loop; see hosting.py). scripts/run.sh,
scripts/serve-class.sh and `python -m nnviz serve` pass it."""
import sys
from pathlib import Path

_root = str(Path(__file__).resolve().parents[2])   # a source checkout; an installed package is found anyway
if _root not in sys.path:
    sys.path.insert(0, _root)

from nnviz.ui import hosting  # noqa: E402

hosting.install()
