"""nnviz: `panel serve app.py` starts the playground, one App per browser session."""
import panel as pn

import nnviz
from nnviz.app import stylesheet

pn.extension(raw_css=[stylesheet()], notifications=False)
nnviz.App().servable(title="nnviz")
