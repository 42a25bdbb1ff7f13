"""`panel serve app.py --setup nnviz/server/startup.py`: what the server process does once, before it serves
(one-line logs for refused values, websocket frames without delay). scripts/run.sh, scripts/serve-class.sh,
`python -m nnviz serve` and the test servers use it."""
import sys
from pathlib import Path

_root = str(Path(__file__).resolve().parents[2])   # a source checkout; an installed package is found anyway
if _root not in sys.path:
    sys.path.insert(0, _root)

from nnviz.server import process  # noqa: E402

process.set_up()
