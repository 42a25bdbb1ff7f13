"""`panel serve` entry point inside the package (`python -m nnviz serve` uses it when installed)."""
from nnviz.ui.entry import page

page()
