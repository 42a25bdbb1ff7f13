"""nnviz: `panel serve app.py` starts the playground, one App per browser session."""
from nnviz.ui.entry import page

page()
