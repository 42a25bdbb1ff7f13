"""nnviz: a live neural-network playground. The engine is importable without Panel."""
__version__ = "0.2.0"


def __getattr__(name):
    # `nnviz.App` and `nnviz.extension` (a notebook's set-up, ui/notebook.py) load Panel only when asked
    # for, so the engine and CLI stay light.
    if name == "App":
        from .ui.app import App
        return App
    if name == "extension":
        from .ui.notebook import extension
        return extension
    raise AttributeError(name)
