"""The lesson's views, one module each, as (key, tab title, factory(app) -> Viewer) in tab order.

The App imports VIEW_FACTORIES and calls each factory with itself; the factory returns a LazyTab
that builds the real view (`LazyTab.ensure()`) when its tab is first opened. Views read and change
`app.state`, and the forward pass shades layers via `app.graph.highlight_layer`.
"""
from . import activations, approximation, forward, linearity, neuron, params
from .common import LazyTab


def _lazy(key, build):
    """Factory for the App: a tab that builds `build(app)` when the tab is first opened."""
    return lambda app: LazyTab(app, key, build)


VIEWS = [
    ("neuron", "Single neuron", neuron.make),
    ("forward", "Forward pass", forward.make),
    ("activations", "Activations", activations.make),
    ("linearity", "Why non-linear", linearity.make),
    ("params", "Parameters", params.make),
    ("approximation", "Approximation", approximation.make),
]
VIEW_FACTORIES = [(key, title, _lazy(key, make)) for key, title, make in VIEWS]
