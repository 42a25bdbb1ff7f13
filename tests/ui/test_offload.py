"""Pages built off the event loop (offload.py): curdoc() kept per thread, the page's HTML made in the
worker, short thread switches; the controls' structural rebuild walks the document once."""
import sys
import threading
import urllib.request

import panel as pn
import pytest
from bokeh.document import Document
from bokeh.io import doc as bokeh_doc
from bokeh.io.doc import curdoc, patch_curdoc

from nnviz.ui import controls, entry, offload

from .conftest import serve


@pytest.fixture
def installed():
    offload.install()
    assert offload.installed()


def test_curdoc_patches_are_per_thread(installed):
    """The build worker's patch_curdoc is not the loop's curdoc(), and the loop's clean-up after a
    refused patch (guard.py: `del _PATCHED_CURDOCS[depth:]`) cannot pop the worker's entry: before,
    that made the build fail at its end and Bokeh built the page again on the loop (4 s stalls)."""
    assert isinstance(bokeh_doc._PATCHED_CURDOCS, offload.PerThreadStack)
    built, patched, cleaned, seen = Document(), threading.Event(), threading.Event(), []

    def worker():
        with patch_curdoc(built):               # as Panel's handler does around the app's code
            patched.set()
            cleaned.wait(10)
            seen.append(curdoc() is built)
        seen.append(len(bokeh_doc._PATCHED_CURDOCS))

    t = threading.Thread(target=worker)
    t.start()
    assert patched.wait(10)
    assert curdoc() is not built and len(bokeh_doc._PATCHED_CURDOCS) == 0
    depth = len(bokeh_doc._PATCHED_CURDOCS)     # what guard.py does on this thread
    del bokeh_doc._PATCHED_CURDOCS[depth:]
    cleaned.set()
    t.join(10)
    assert seen == [True, 0]                    # the worker's own entry survived, then popped cleanly


def test_thread_switches_are_short(installed):
    assert sys.getswitchinterval() <= offload.SWITCH_S


def test_the_page_html_is_made_on_the_worker(installed, monkeypatch):
    """Panel walks every model of the page to patch its stylesheets (patch_model_css); that runs on
    the build worker, and the page served is the app's."""
    import panel.io.server as pn_server
    threads = []
    original = pn_server.patch_model_css

    def patch_model_css(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(pn_server, "patch_model_css", patch_model_css)
    port = serve(lambda: entry.build())
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/", timeout=60) as r:
            body = r.read().decode()
    finally:
        pn.state.kill_all_servers()
    assert '"token"' in body and "Bokeh" in body
    assert threads and all(n.startswith("nnviz-build") for n in threads), threads


def test_a_new_shape_rebuilds_the_controls_and_leaves_the_document_unfrozen():
    from panel.io.state import set_curdoc

    from nnviz.ui.app import App
    doc = Document()
    with set_curdoc(doc):
        app = App(query={})
        doc.add_root(pn.panel(app).get_root(doc))
        app.view("digits").use_digits_network()
        titles = {getattr(m, "title", None) for m in doc.models}
        assert app.state.network.sizes[0] == 64 and "Paste 64 numbers" in titles     # the new inputs are in the doc
        assert doc.models._freeze_count == 0
        with pytest.raises(RuntimeError), controls._frozen(doc.models):
            raise RuntimeError("a failing rebuild")
        assert doc.models._freeze_count == 0
