"""`python -m nnviz html` as a user runs it: one file with everything inside, refusals in one line."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "nnviz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_html_writes_one_file_that_loads_nothing(tmp_path):
    out = tmp_path / "page.html"
    r = run("html", "--preset", "digits", "--input", "0.5,-1,2,0", "--save", str(out), "--title", "Lesson <3>")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"wrote {out} (") and "network 4-3-3-10" in r.stdout
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<title>Lesson &lt;3&gt;</title>" in text
    # BokehJS and the widgets inside; no script, style sheet or image comes from elsewhere (the browser
    # test refuses every request and would see one made at run time).
    markup = re.sub(r"<script>.*?</script>", "", text, flags=re.S)
    assert text.count("<script>") == 4 and not re.search(r"<[^>]+(src|href)=", markup)
    assert "Bokeh.embed" in text and '"name":"nodes"' in text.replace(" ", "")
    assert 1_000_000 < len(text.encode()) < 3_000_000


def test_html_refuses_what_a_page_cannot_hold(tmp_path):
    r = run("html", "--preset", "mnist-mlp", "--save", str(tmp_path / "big.html"))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == "nnviz: error: 235,146 parameters is more than an HTML page carries (100,000)"
    r = run("html", "--sizes", "100,2", "--save", str(tmp_path / "wide.html"))
    assert r.returncode == 2
    assert r.stderr.strip() == "nnviz: error: 100 inputs are more than a page has sliders for (64)"
    r = run("html", "--sizes", "2,2", "--save", str(tmp_path / "missing" / "x.html"))
    assert r.returncode == 2 and r.stderr.startswith("nnviz: error: cannot write")
    r = run("html", "--sizes", "2,2", "--input", "1,2,3", "--save", str(tmp_path / "x.html"))
    assert r.returncode == 2
    assert r.stderr.strip() == "nnviz: error: the input has 3 values; this network's input layer has 2"
    r = run("html", "--sizes", "2,2")
    assert r.returncode == 2 and "--save" in r.stderr
    assert not list(tmp_path.iterdir())
