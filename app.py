"""nnviz: `panel serve app.py` starts the playground, one App per browser session."""
import nnviz
from nnviz.app import extension

extension()
nnviz.App().servable(title="nnviz")
