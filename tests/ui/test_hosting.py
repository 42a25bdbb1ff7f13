"""Serving a class safely: foreign Host names get no app (DNS rebinding), over-long links a short page, refused
values log one line, and every page is built from its own link."""
import logging
import urllib.error
import urllib.request

import panel as pn
import pytest

from nnviz.server import hosts, logs
from nnviz.ui import entry

from .conftest import serve

pytestmark = pytest.mark.ui


@pytest.fixture
def entry_server():
    """The real entry point (Host check included) on a free port, allowing only localhost origins."""
    port = serve(lambda: entry.build())
    yield port
    pn.state.kill_all_servers()


def fetch(port, host):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.status


def test_host_allowlist_unit():
    assert hosts.host_allowed("localhost:5006") and hosts.host_allowed("127.0.0.1:80")
    assert not hosts.host_allowed("evil.example") and not hosts.host_allowed("evil.example:5006")
    assert not hosts.host_allowed("localhost.evil.example:5006") and not hosts.host_allowed("")


def test_allowlist_follows_the_classroom_setting(monkeypatch):
    monkeypatch.setenv("BOKEH_ALLOW_WS_ORIGIN", "192.168.1.20:5006,nnviz.school.example:*")
    assert hosts.host_allowed("192.168.1.20:5006") and hosts.host_allowed("nnviz.school.example:443")
    assert not hosts.host_allowed("192.168.1.21:5006")


def test_build_refuses_a_foreign_host(monkeypatch):
    from nnviz.ui import session
    from nnviz.ui.app import App
    monkeypatch.setattr(session, "request_host", lambda: "evil.example:5006")
    assert not isinstance(entry.build(), App)
    assert "does not answer" in entry.build().object and "evil.example" in entry.build().object
    monkeypatch.setattr(session, "request_host", lambda: "localhost:5006")
    assert isinstance(entry.build(), App)


def test_dns_rebinding_page_gets_no_app(entry_server, browser_type, browser_type_launch_args):
    """A foreign name that resolves to this machine (DNS rebinding): Host = Origin = evil.example."""
    args = dict(browser_type_launch_args)
    args["args"] = list(args.get("args", [])) + ["--host-resolver-rules=MAP evil.example 127.0.0.1"]
    browser = browser_type.launch(**args)
    try:
        page = browser.new_page()
        page.goto(f"http://evil.example:{entry_server}/")
        page.get_by_text("a name this server does not answer to").wait_for(timeout=20000)
        assert page.evaluate("() => Bokeh.documents[0].get_model_by_name('nodes')") is None
        page.goto(f"http://localhost:{entry_server}/")          # the real name gets the app
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                               "Bokeh.documents[0].get_model_by_name('nodes') !== null", timeout=20000)
    finally:
        browser.close()
    assert fetch(entry_server, "evil.example") == 200         # answered (with the refusal), never a crash


def test_a_refused_value_logs_one_warning_line(caplog):
    logs.quiet()
    log = logging.getLogger("panel.reactive")
    with caplog.at_level(logging.WARNING):
        try:
            raise ValueError("seed '1e+308' ignored; it must be between 0 and 2147483647 " + "x" * 500)
        except ValueError:
            log.error("Callback failed", exc_info=True)
    (record,) = caplog.records
    assert record.levelname == "WARNING" and record.exc_info is None
    assert "Traceback" not in caplog.text and len(record.getMessage()) < 200


def status_and_body(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_an_over_long_link_gets_a_short_page_and_no_app(entry_server, page):
    """Between nnviz's own links (< 16 KB) and Tornado's header limit (64 KB) a link gets the too-long page
    from the app; beyond, a bare server closes the connection (the nginx deployment answers 414,
    tests/ui/test_deploy.py)."""
    for size in (hosts.LINK_BYTES + 10, 60_000):
        code, body = status_and_body(f"http://localhost:{entry_server}/?preset={'x' * size}")
        assert code == 200, size
    page.goto(f"http://localhost:{entry_server}/?preset={'x' * 40_000}")
    page.get_by_text("This link is too long").wait_for(timeout=20000)
    assert page.evaluate("() => Bokeh.documents[0].get_model_by_name('nodes')") is None
    code, body = status_and_body(f"http://localhost:{entry_server}/?preset=digits")
    assert code == 200 and "This link is too long" not in body


def test_a_long_link_under_the_limit_opens_with_a_short_message(entry_server, page):
    """20 KB of junk: the app opens (the session token carrying it passes the websocket) and says
    what it ignored in a line, not the whole value."""
    page.goto(f"http://localhost:{entry_server}/?preset={'y' * 20_000}")
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                           "Bokeh.documents[0].get_model_by_name('nodes') !== null", timeout=30000)
    message = page.get_by_text("Ignored from the link").first
    message.wait_for(timeout=20000)
    assert len(message.inner_text()) < 400


def test_every_page_is_built_from_its_own_link(entry_server, browser):
    """Pages opened at once with different inputs each show their own input's activations."""
    from nnviz.core import presets
    net, _ = presets.load("starter")
    inputs = [(0.1 * k, -0.05 * k, 0.2) for k in range(1, 5)]
    pages = [browser.new_page() for _ in inputs]
    try:
        for p, x in zip(pages, inputs):
            p.goto(f"http://localhost:{entry_server}/?x={','.join(map(str, x))}", wait_until="commit")
        for p, x in zip(pages, inputs):
            p.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                                "Bokeh.documents[0].get_model_by_name('nodes') !== null", timeout=30000)
            d = p.evaluate("() => { const d = Bokeh.documents[0].get_model_by_name('nodes').data;"
                           " return {a: Array.from(d.a), layer: Array.from(d.layer)}; }")
            out = [a for a, l in zip(d["a"], d["layer"]) if l == max(d["layer"])]
            assert out == pytest.approx(list(net(list(x))), abs=1e-9), x
    finally:
        for p in pages:
            p.close()
