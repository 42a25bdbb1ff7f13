"""What the server process does for every page: its set-up (`panel serve --setup nnviz/server/startup.py`), the
Host check, one-line logs, and the one version-checked compatibility shim. Never imports nnviz.ui."""
