"""Export and import in Chromium: PNG and SVG of the graph, JSON and .npz of the network, a file loaded back."""
import pytest

from .conftest import source_data, wait_ready

pytestmark = pytest.mark.ui


def test_save_and_load_in_the_page(server, page, browser, tmp_path, console_errors):
    page.goto(server + "?preset=digits")
    wait_ready(page)
    page.get_by_role("button", name="Save or load…").click()
    for label, ext in (("Graph as PNG", ".png"), ("Graph as SVG", ".svg"), ("Network as JSON", ".json"),
                       ("Network as .npz", ".npz")):
        with page.expect_download() as info:
            page.get_by_text(label, exact=True).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        assert path.suffix == ext and path.stat().st_size > 200
        if ext == ".png":
            assert path.read_bytes()[:4] == b"\x89PNG"
        if ext == ".json":
            saved = path
    first = source_data(page, "edges")

    other = browser.new_page(viewport={"width": 1280, "height": 720})
    other.goto(server)
    wait_ready(other)
    other.get_by_role("button", name="Save or load…").click()
    other.locator("input[type=file]").set_input_files(str(saved))
    other.wait_for_function("() => Bokeh.documents[0].get_model_by_name('nodes').data.a.length == 20")
    assert source_data(other, "edges")["weight"] == first["weight"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"sizes": [2, 1], "layers": "nope"}')
    other.locator("input[type=file]").set_input_files(str(bad))
    other.get_by_text("bad.json not loaded").wait_for()
    assert source_data(other, "edges")["weight"] == first["weight"]             # the state stayed
    other.close()
    assert console_errors == []
