"""`panel serve app.py --auth-module nnviz/server/auth.py`: Bokeh loads this file on its own, so it only
hands Bokeh the hooks of nnviz.server.admission (one module, one queue of turns, shared with the pages).
nnviz has no login: see admission.py."""
import sys
from pathlib import Path

_root = str(Path(__file__).resolve().parents[2])   # a source checkout; an installed package is found anyway
if _root not in sys.path:
    sys.path.insert(0, _root)

from nnviz.server.admission import get_login_url, get_user_async  # noqa: E402, F401
