"""Serving a class safely: foreign Host names get no app (DNS rebinding), refused values log one line."""
import logging
import urllib.error
import urllib.request

import panel as pn
import pytest

from nnviz.ui import entry

from .conftest import serve


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
    assert entry.host_allowed("localhost:5006") and entry.host_allowed("127.0.0.1:80")
    assert not entry.host_allowed("evil.example") and not entry.host_allowed("evil.example:5006")
    assert not entry.host_allowed("localhost.evil.example:5006") and not entry.host_allowed("")


def test_allowlist_follows_the_classroom_setting(monkeypatch):
    monkeypatch.setenv("BOKEH_ALLOW_WS_ORIGIN", "192.168.1.20:5006,nnviz.school.example:*")
    assert entry.host_allowed("192.168.1.20:5006") and entry.host_allowed("nnviz.school.example:443")
    assert not entry.host_allowed("192.168.1.21:5006")


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
    entry.quiet_logs()
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


def test_an_over_long_link_gets_a_414_page(entry_server):
    """Tornado would close the connection without a word past 64 KB of headers; the run command's
    set-up answers every link a browser can send."""
    from nnviz.ui import hosting
    for size in (hosting.LINK_BYTES + 10, 100_000, 1_500_000):
        code, body = status_and_body(f"http://localhost:{entry_server}/?preset={'x' * size}")
        assert code == 414 and "This link is too long" in body, size
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


def test_pages_are_built_off_the_event_loop(entry_server, page):
    """The session's App is built on the worker thread, and pages still work (two links with
    different inputs show different activations)."""
    import threading

    from nnviz.ui import offload
    names = []
    original = entry.build

    def build():
        names.append(threading.current_thread().name)
        return original()

    port = serve(build)
    page.goto(f"http://localhost:{port}/")
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                           "Bokeh.documents[0].get_model_by_name('nodes') !== null", timeout=30000)
    assert offload.installed() and names and all(n.startswith("nnviz-build") for n in names)
    before = page.evaluate("() => Array.from(Bokeh.documents[0].get_model_by_name('nodes').data.a)")
    page.goto(f"http://localhost:{port}/?x=0.9,0.9,0.9")
    page.wait_for_function("() => Bokeh.documents.length && Bokeh.documents[0].get_model_by_name('nodes') !== null",
                           timeout=30000)
    after = page.evaluate("() => Array.from(Bokeh.documents[0].get_model_by_name('nodes').data.a)")
    assert before != after
