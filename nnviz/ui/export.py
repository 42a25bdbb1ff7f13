"""Export and import: the graph as PNG or SVG, the network as JSON, .npz or an HTML page, and a weights
file read back.

Images are drawn in the browser by BokehJS (no server-side browser); files are written and read by
nnviz/core/weights_io.py, which validates everything it reads; the page is nnviz/ui/standalone.py's,
built only when its button is pressed.
"""
from __future__ import annotations

import io

import panel as pn

from ..core import weights_io
from ..state.session import GROUPS
from . import standalone

IMAGE_JS = """
const view = Bokeh.index.query_one(v => v.model.name === name);
if (!view) return;
const done = (blob) => { const a = document.createElement('a'); a.href = URL.createObjectURL(blob);
  a.download = 'nnviz-' + name + '.' + kind; document.body.appendChild(a); a.click(); a.remove(); };
Promise.resolve(view.export(kind).to_blob()).then(done);
"""


def image_button(figure_name: str, kind: str, label: str) -> pn.widgets.Button:
    """A button that saves the named figure as PNG or SVG (drawn by the browser)."""
    button = pn.widgets.Button(label=label, color="light", margin=(4, 4))
    button.js_on_click(args={"name": figure_name, "kind": kind}, code=IMAGE_JS)
    return button


class Exporter(pn.viewable.Viewer):
    """Buttons to save the session's network and picture, and a file input to load a network."""

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state = state
        self.json_file = pn.widgets.FileDownload(label="Network as JSON", filename="nnviz-network.json",
                                                 callback=self.json_bytes, color="light", margin=(4, 4))
        self.npz_file = pn.widgets.FileDownload(label="Network as .npz", filename="nnviz-network.npz",
                                                callback=self.npz_bytes, color="light", margin=(4, 4))
        self.html_file = pn.widgets.FileDownload(label="Network as HTML page", filename="nnviz-network.html",
                                                 callback=self.html_page, color="light", margin=(4, 4))
        self._html_fits()
        state.param.watch(self._html_fits, "structure")
        self.upload = pn.widgets.FileInput(accept=".json,.npz", margin=(4, 4), css_classes=["nnviz-label--Load_a_network_file"])
        self.upload.param.watch(lambda e: self.load(e.new, self.upload.filename or ""), "value")

    def json_bytes(self):
        settings = {g: {k: v for k, v in getattr(self.state, g).param.values().items() if k != "name"}
                    for g in GROUPS}
        return io.StringIO(weights_io.to_json(self.state.network, self.state.x, {"settings": settings}))

    def npz_bytes(self):
        return io.BytesIO(weights_io.to_npz(self.state.network))

    def html_page(self):
        """The network as it is now (trained weights, the current input) as one self-contained page."""
        net = self.state.network
        return io.StringIO(standalone.page_html(net, self.state.x, title=f"nnviz: {'-'.join(map(str, net.sizes))}"))

    def _html_fits(self, *_):
        """A network too large for a page leaves the button disabled, saying why."""
        try:
            standalone.check(self.state.network)
        except ValueError as exc:
            self.html_file.param.update(disabled=True, description=f"Not as a page: {exc}")
        else:
            self.html_file.param.update(disabled=False, description="One HTML file that works without a server "
                                        "(the inputs move, nothing trains)")

    def load(self, data: bytes | None, name: str = "") -> bool:
        """Install the network of a JSON or .npz file; a bad file leaves the state as it was."""
        if not data:
            return False
        try:
            net = weights_io.read(data, name)
        except ValueError as exc:
            self.state.message = f"{name[:40] or 'the file'} not loaded: {str(exc)[:160]}"
            return False
        ok = self.state.install(net, preset="custom", custom_weights=True)
        if ok:
            self.state.message = f"Loaded {'-'.join(map(str, net.sizes))} from {name[:40] or 'the file'}."
        return ok

    def __panel__(self):
        return pn.Column(
            pn.pane.HTML("<b>Save or load</b>", margin=(8, 4, 0, 4)),
            # FlexBoxes wrap: on a phone the buttons go onto a second line instead of widening the page
            pn.FlexBox(image_button("network", "png", "Graph as PNG"), image_button("network", "svg", "Graph as SVG"),
                       self.json_file, self.npz_file, self.html_file, flex_wrap="wrap", sizing_mode="stretch_width"),
            pn.FlexBox(pn.pane.HTML("Load a network (.json or .npz):", margin=(10, 4)), self.upload,
                       flex_wrap="wrap", sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
