"""nnviz: a live neural-network playground. The engine is importable without Panel."""
__version__ = "0.1.0"


def __getattr__(name):
    # `nnviz.App` loads Panel only when asked for, so the engine and CLI stay light.
    if name == "App":
        from .ui.app import App
        return App
    raise AttributeError(name)
