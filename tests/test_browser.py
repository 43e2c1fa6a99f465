"""The dashboard in a real browser: Debian's chromium driven by Playwright, against a uvicorn
server on a free loopback port. Covers search (with a facet), opening a story, following a
citation to its highlighted evidence, escaped article text, and that no page fetches anything
from another host. Skips when /usr/bin/chromium is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import os
import socket
import threading
import time
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed"),
]

playwright_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from marsad.api import create_app  # noqa: E402
from marsad.store import Store  # noqa: E402

import service_data  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    app = create_app(service_data.fill(Store()), token="browser-token")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not th.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(locale="ar", viewport={"width": 1200, "height": 800})
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    pg.requests = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def _only_local(pg, server: str) -> None:
    hosts = {urlparse(u).netloc for u in pg.requests if not u.startswith(("data:", "about:"))}
    assert hosts <= {urlparse(server).netloc}, hosts


def test_search_from_the_header_then_filter_by_outlet(page, server):
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.fill("form.quick input[name=q]", "الكرملين")
    page.press("form.quick input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.inner_text("#total").startswith("3")
    marks = page.locator(".hit .snippet mark").all_inner_texts()
    assert "وللكرملين" in marks  # the clitic form, highlighted as written
    assert page.locator(".hit .snippet mark").first.is_visible()
    page.click(".facets a:has-text('صحيفة الشرق اليوم')")
    page.wait_for_url("**outlet=*")
    assert page.inner_text("#total").startswith("1")
    assert page.locator(".hit h2").inner_text() == "موسكو تنفي تقريرا عن اتفاق وشيك حول الحبوب"
    _only_local(page, server)


def test_open_a_story_and_follow_a_citation_to_its_evidence(page, server):
    page.goto(server + "/")
    page.click("a:has-text('الهجوم بالمسيرات على أوديسا')")
    page.wait_for_url("**/story/s-odesa")
    assert page.inner_text("h1") == "الهجوم بالمسيرات على أوديسا"
    assert page.locator("#numbers .big").inner_text().startswith("14")
    assert page.locator("#summary").is_visible()
    page.click("#summary a.cite")
    page.wait_for_url("**/article/a-odesa-2?hl=*")
    mark = page.locator("mark#hl")
    assert mark.inner_text() == service_data.SUMMARY_SENTENCE
    mark.scroll_into_view_if_needed()
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box is not None and box["width"] > 0 and 0 <= box["y"] < 800
    bg = page.evaluate("getComputedStyle(document.querySelector('mark#hl')).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    _only_local(page, server)


def test_quote_citation_from_who_said_what(page, server):
    page.goto(server + "/story/s-grain")
    page.click("#quotes a.cite")
    page.wait_for_url("**/article/a-kremlin-1?hl=*")
    assert service_data.QUOTE_TEXT in page.locator("mark#hl").inner_text()
    # and from the speaker to his page: what he said over time
    page.goto(server + "/story/s-grain")
    page.click("#quotes h3 a")
    page.wait_for_url("**/entity/e-peskov")
    assert service_data.QUOTE_TEXT in page.inner_text("#said")


def test_script_in_article_text_is_shown_not_run(page, server):
    page.goto(server + "/article/a-odesa-3")
    assert "<script>alert('xss')</script>" in page.inner_text(".article .text")
    assert page.inner_text("h1") == "<b>عاجل</b>: أوديسا تشيع ضحايا الهجوم"
    page.goto(server + "/search?q=script")
    assert "<script>" in page.inner_text(".hit .snippet")
    page.wait_for_timeout(200)
    assert page.dialogs == []
    _only_local(page, server)
