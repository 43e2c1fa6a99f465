"""The HTTP API and the dashboard: reads and pagination, search, auth on writes and private
reads, request limits, malformed bodies, escaping of article text, ingest through the pipeline."""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from typing import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from marsad import api as api_mod
from marsad.api import create_app
from marsad.store import Store, open_store

import service_data
from conftest import BACKENDS, backend_url

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def _served_url(backend: str, folder) -> Iterator[str]:
    """A new store of ``backend`` for a server: in memory on SQLite (the pipeline then runs in
    the server's process), a fresh database on PostgreSQL (ingest in a worker process)."""
    if backend == "sqlite":
        yield ":memory:"
        return
    with backend_url(backend, folder) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def client(request, tmp_path_factory):
    """The API over the service corpus, once per backend."""
    with _served_url(request.param, tmp_path_factory.mktemp("api")) as url:
        app = create_app(service_data.fill(open_store(url)), token=TOKEN)
        with TestClient(app) as c:
            yield c


@pytest.fixture(params=BACKENDS)
def served_url(request, tmp_path) -> Iterator[str]:
    with _served_url(request.param, tmp_path) as url:
        yield url




# -- reads ------------------------------------------------------------------------------------
def test_openapi_lists_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/stories", "/api/stories/{story_id}",
                 "/api/storylines", "/api/entities", "/api/quotes", "/api/claims", "/api/events",
                 "/api/search", "/api/ingest"):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/ingest"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain", "text/html"} <= set(body)


def test_articles_paginate_with_totals(client):
    first = client.get("/api/articles", params={"limit": 3}).json()
    assert first["total"] == len(service_data.ARTICLES)
    assert len(first["items"]) == 3 and first["limit"] == 3 and first["offset"] == 0
    seen = [a["id"] for a in first["items"]]
    offset = 3
    while offset < first["total"]:
        page = client.get("/api/articles", params={"limit": 3, "offset": offset}).json()
        seen += [a["id"] for a in page["items"]]
        offset += 3
    assert sorted(seen) == sorted(d["id"] for d in service_data.ARTICLES)
    # newest first
    dates = [a["published"][:10] for a in client.get("/api/articles", params={"limit": 50}).json()["items"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/articles", params={"story": "s-odesa"}).json()["total"] == 3


def test_bad_paging_is_422(client):
    r = client.get("/api/articles", params={"limit": 0})
    assert r.status_code == 422
    assert client.get("/api/articles", params={"limit": 10_000}).status_code == 422
    assert client.get("/api/articles", params={"offset": -1}).status_code == 422


def test_article_with_its_facts(client):
    a = client.get("/api/articles/a-kremlin-1").json()
    assert a["outlet"] == "وكالة الأنباء العربية"
    assert a["quotes"][0]["speaker"]["name"] == "دميتري بيسكوف"
    ev = a["quotes"][0]["evidence"]
    assert service_data.QUOTE_TEXT in a["text"][ev["start"]:ev["end"]]
    assert client.get("/api/articles/nope").status_code == 404


def test_stories_with_briefs(client):
    stories = client.get("/api/stories").json()
    assert stories["total"] == 3
    assert all("brief" not in s for s in stories["items"])
    by_id = {s["id"]: s for s in stories["items"]}
    assert by_id["s-odesa"]["sources"] == 3
    full = client.get("/api/stories/s-odesa").json()
    assert full["brief"]["numbers"][0]["latest"] == 14
    with_briefs = client.get("/api/stories", params={"brief": "true"}).json()
    assert any(s["brief"] for s in with_briefs["items"])
    assert client.get("/api/storylines").json()["total"] == 2
    assert client.get("/api/stories", params={"storyline": "l-sport"}).json()["total"] == 1


def test_facts_endpoints_filter(client):
    quotes = client.get("/api/quotes").json()
    assert quotes["total"] == 1 and quotes["items"][0]["story"] == "s-grain"
    assert client.get("/api/quotes", params={"entity": "e-peskov"}).json()["total"] == 1
    assert client.get("/api/quotes", params={"story": "s-odesa"}).json()["total"] == 0
    claims = client.get("/api/claims", params={"story": "s-grain"}).json()
    assert claims["items"][0]["stance"] == "denies"
    events = client.get("/api/events").json()
    assert events["total"] == 2
    assert [e["numbers"][0]["value"] for e in events["items"]] == [14, 8]  # newest first


def test_entity_view(client):
    v = client.get("/api/entities/e-peskov").json()
    assert v["entity"]["name"] == "دميتري بيسكوف"
    assert [q["text"] for q in v["quotes"]] == [service_data.QUOTE_TEXT]
    assert [s["id"] for s in v["stories"]] == ["s-grain"]
    assert client.get("/api/entities", params={"type": "person"}).json()["total"] == 1


def test_search_endpoint(client):
    r = client.get("/api/search", params={"q": "الكرملين"}).json()
    assert {"a-kremlin-1", "a-kremlin-2", "a-kremlin-3"} <= {h["id"] for h in r["hits"]}
    hit3 = next(h for h in r["hits"] if h["id"] == "a-kremlin-3")
    assert "<mark>وللكرملين</mark>" in hit3["snippet"]
    r = client.get("/api/search", params={"q": "اوكرانيا", "outlet": "صحيفة الشرق اليوم", "facets": "true"}).json()
    assert [h["id"] for h in r["hits"]] == ["a-kremlin-2"]
    assert r["facets"]["outlets"] == [{"value": "صحيفة الشرق اليوم", "count": 1}]
    page = client.get("/api/search", params={"q": "في", "limit": 2, "offset": 2}).json()
    assert page["total"] >= 6 and len(page["hits"]) == 2 and page["offset"] == 2
    bad = client.get("/api/search", params={"q": "الكرملين", "date_from": "yesterday"})
    assert bad.status_code == 400 and "date" in bad.json()["detail"]
    assert client.get("/api/search").status_code == 422  # q is required


# -- writes: auth, limits, malformed bodies -------------------------------------------------------
RECORD = {"title": "الكرملين يعلن موعد جولة جديدة من المحادثات",
          "text": "أعلن الكرملين اليوم أن جولة جديدة من المحادثات مع أوكرانيا ستعقد في إسطنبول الأسبوع "
                  "المقبل، وقال المتحدث باسمه إن الوفد الروسي سيضم خبراء في الملاحة البحرية.",
          "date": "2024-03-09", "source": "صحيفة الشرق اليوم", "url": "https://example.com/kremlin-round"}


def test_ingest_needs_a_token(client):
    r = client.post("/api/ingest", json=RECORD)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "token" in r.json()["detail"]
    r = client.post("/api/ingest", json=RECORD, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    r = client.post("/api/ingest", json=RECORD, headers={"Authorization": f"Basic {TOKEN}"})
    assert r.status_code == 401
    # the dashboard's login cookie is not enough for a write
    client.cookies.set("marsad_token", TOKEN)
    try:
        assert client.post("/api/ingest", json=RECORD).status_code == 401
    finally:
        client.cookies.clear()


def test_read_only_server_refuses_writes():
    with TestClient(create_app(Store(), token=None)) as c:
        r = c.post("/api/ingest", json=RECORD, headers=AUTH)
        assert r.status_code == 403 and "read-only" in r.json()["detail"]


def test_request_size_limit(client):
    big = {"text": "ا" * (api_mod.MAX_BODY_BYTES + 10)}
    r = client.post("/api/ingest", json=big, headers=AUTH)
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]
    # streamed without a length: counted as it arrives
    app = create_app(Store(), token=TOKEN, max_body=1000)
    with TestClient(app) as c:
        r = c.post("/api/ingest", content=iter([b"x" * 600, b"y" * 600]),
                   headers={**AUTH, "Content-Type": "text/plain"})
        assert r.status_code == 413


def test_malformed_json_is_400_with_the_reason(client):
    r = client.post("/api/ingest", content=b'{"title": "x", "text": ', headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400
    assert "malformed JSON" in r.json()["detail"] and "line 1" in r.json()["detail"]


@pytest.mark.parametrize("body, fragment", [
    ({"title": "بلا نص"}, "'text' is required"),
    ({"text": 42}, "must be a string"),
    ({"text": "نص", "author": "x"}, "unknown field"),
    ([], "empty list"),
    (["نص وحده"], "expected an object"),
])
def test_invalid_records_are_422_with_the_reason(client, body, fragment):
    r = client.post("/api/ingest", json=body, headers=AUTH)
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_undecodable_or_unsupported_bodies(client):
    r = client.post("/api/ingest", content="نص عربي".encode("cp1256"),
                    headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 400 and "not valid utf-8" in r.json()["detail"]
    r = client.post("/api/ingest", content=b"%PDF-1.4", headers={**AUTH, "Content-Type": "application/pdf"})
    assert r.status_code == 415
    r = client.post("/api/ingest", content=b"<html><body>  </body></html>", headers={**AUTH, "Content-Type": "text/html"})
    assert r.status_code == 422 and "no text" in r.json()["detail"]
    r = client.post("/api/ingest", content=b"   ", headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 422


def test_too_many_records(client):
    r = client.post("/api/ingest", json=[RECORD] * (api_mod.MAX_RECORDS + 1), headers=AUTH)
    assert r.status_code == 413 and "too many records" in r.json()["detail"]


# -- private reads ------------------------------------------------------------------------------
def test_private_reads_need_the_token():
    app = create_app(service_data.fill(Store()), token=TOKEN, public_read=False)
    with TestClient(app) as c:
        assert c.get("/api/stories").status_code == 401
        assert c.get("/api/search", params={"q": "الكرملين"}).status_code == 401
        assert c.get("/api/stories", headers={"Authorization": "Bearer nope"}).status_code == 403
        assert c.get("/api/stories", headers=AUTH).json()["total"] == 3
        page = c.get("/")
        assert page.status_code == 401 and 'action="/login"' in page.text
        assert "الكرملين" not in page.text
        bad = c.post("/login", data={"token": "nope", "next": "/"}, follow_redirects=False)
        assert bad.status_code == 403
        ok = c.post("/login", data={"token": TOKEN, "next": "/story/s-grain"}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/story/s-grain"
        assert c.get("/story/s-grain").status_code == 200  # the cookie now opens the dashboard
        assert c.get("/api/stories").status_code == 200


# -- dashboard ----------------------------------------------------------------------------------
def test_dashboard_is_rtl_arabic_and_local(client):
    html = client.get("/").text
    assert '<html lang="ar" dir="rtl">' in html
    assert 'href="/static/marsad.css"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host
    assert "<script" not in html
    assert client.get("/static/marsad.css").status_code == 200
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in csp


def test_index_lists_stories_with_source_counts(client):
    html = client.get("/").text
    assert html.index("الهجوم بالمسيرات على أوديسا") < html.index("نهائي كأس الخليج للأندية")  # latest first
    assert re.search(r'data-sources="3">3 مصادر', html)


def test_story_page_shows_the_brief_sections(client):
    html = client.get("/story/s-grain").text
    for section in ("summary", "contradictions", "quotes", "sources", "articles"):
        assert f'id="{section}"' in html
    assert 'id="numbers"' not in html and 'id="timeline"' not in html  # absent from this brief
    assert "/article/a-kremlin-1?hl=" in html
    odesa = client.get("/story/s-odesa").text
    assert 'id="numbers"' in odesa and 'id="timeline"' in odesa
    # a story without a brief still renders its articles
    assert 'id="articles"' in client.get("/story/s-final").text
    assert client.get("/story/none").status_code == 404


def test_article_text_is_escaped_everywhere(client):
    page = client.get("/article/a-odesa-3").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page or \
        "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert "<b>عاجل</b>" not in page and "&lt;b&gt;عاجل&lt;/b&gt;" in page
    for url in ("/", "/story/s-odesa", "/search?q=script", "/search?q=" + "<script>alert(1)</script>"):
        assert "<script>alert" not in client.get(url).text, url


def test_article_page_highlights_the_cited_span(client):
    a = client.get("/api/articles/a-kremlin-1").json()
    ev = a["quotes"][0]["evidence"]
    html = client.get(f"/article/a-kremlin-1?hl={ev['start']}-{ev['end']}").text
    marked = re.search(r'<mark id="hl" class="evidence">(.*?)</mark>', html, re.S).group(1)
    assert marked == a["text"][ev["start"]:ev["end"]]
    out_of_range = client.get("/article/a-kremlin-1?hl=5-99999").text
    assert 'id="hl"' not in out_of_range and "خارج" in out_of_range


def test_search_page_with_facets(client):
    html = client.get("/search", params={"q": "أوديسا"}).text
    assert 'id="total">3 نتيجة' in html
    assert "<mark>أوديسا</mark>" in html
    assert "/search?q=%D8%A3%D9%88%D8%AF%D9%8A%D8%B3%D8%A7&amp;outlet=" in html  # outlet facet link
    filtered = client.get("/search", params={"q": "أوديسا", "outlet": "قناة الخليج نيوز"}).text
    assert 'id="total">1 نتيجة' in filtered


def test_entity_page_lists_what_they_said(client):
    html = client.get("/entity/e-peskov").text
    assert "دميتري بيسكوف" in html and service_data.QUOTE_TEXT in html
    assert "/story/s-grain" in html and "/article/a-kremlin-1?hl=" in html
    assert client.get("/entities").status_code == 200


def test_real_briefs_render():
    """A brief as marsad.briefs builds it (whatever its current shape) renders on the story page."""
    briefs = pytest.importorskip("marsad.briefs")
    from marsad.model import Analysis

    store = service_data.fill(Store())
    analysis = Analysis(articles=list(store.articles()), stories=store.stories(),
                        storylines=store.storylines(), entities=store.entities(), facts=store.facts())
    briefs.add_briefs(analysis)
    store.replace_derived(analysis.stories, analysis.storylines, analysis.entities)
    with TestClient(create_app(store)) as c:
        for s in analysis.stories:
            r = c.get(f"/story/{s.id}")
            assert r.status_code == 200
            assert "<script>alert" not in r.text
        html = c.get("/story/s-odesa").text
        assert 'id="summary"' in html and "/article/" in html


# -- ingest through the pipeline ----------------------------------------------------------------
def test_ingest_json_text_and_html_then_search(served_url):
    with TestClient(create_app(open_store(served_url), token=TOKEN)) as c:
        r = c.post("/api/ingest", params={"finish": "sync"}, json=RECORD, headers=AUTH)
        assert r.status_code == 201, r.text
        body = r.json()
        assert len(body["stored"]) == 1 and body["derived"] == "updated"
        # the same record again adds nothing
        again = c.post("/api/ingest", json=RECORD, headers=AUTH)
        assert again.status_code == 200 and again.json()["stored"] == []
        text = ("وزارة الصحة تعلن حصيلة جديدة\n\nأعلنت وزارة الصحة في بيان اليوم ارتفاع عدد المصابين "
                "بالحمى في المحافظة الشمالية إلى 120 حالة، ودعت المواطنين إلى الحذر.")
        assert c.post("/api/ingest", content=text.encode(), headers={**AUTH, "Content-Type": "text/plain"}).status_code == 201
        page = ("<html><head><title>الأمطار تغمر شوارع المدينة</title></head><body><article><h1>الأمطار تغمر "
                "شوارع المدينة</h1><p>غمرت الأمطار الغزيرة شوارع المدينة الساحلية صباح اليوم وتسببت في "
                "تعطيل حركة المرور لساعات، بحسب ما أفاد الدفاع المدني في بيان رسمي.</p><p>وقال مسؤول "
                "في البلدية إن فرق الصيانة تعمل على تصريف المياه.</p></article></body></html>")
        assert c.post("/api/ingest", content=page.encode(), headers={**AUTH, "Content-Type": "text/html"}).status_code == 201
        assert c.get("/api/articles").json()["total"] == 3
        hits = c.get("/api/search", params={"q": "وللكرملين"}).json()
        assert hits["total"] == 1 and hits["hits"][0]["title"] == RECORD["title"]
        assert c.get("/api/search", params={"q": "الامطار"}).json()["total"] == 1
        assert c.get("/api/stories").json()["total"] >= 1


def test_ingest_runs_in_a_worker_process_on_a_shared_store(store_url):
    other = {"title": "الجيش الأوكراني يعلن إسقاط مسيرات فوق كييف",
             "text": "أعلن الجيش الأوكراني اليوم أن دفاعاته الجوية أسقطت 35 مسيرة من أصل 40 أطلقتها "
                     "روسيا خلال الليل على العاصمة كييف، دون وقوع إصابات.",
             "date": "2024-03-10", "source": "وكالة الأنباء العربية"}
    with TestClient(create_app(store_url, token=TOKEN)) as c:
        r = c.post("/api/ingest", params={"finish": "sync"}, json=[RECORD, other], headers=AUTH)
        assert r.status_code == 201, r.text
        assert len(r.json()["stored"]) == 2 and r.json()["derived"] == "updated"
        # the worker's commits are visible to the server's reads at once
        assert c.get("/api/stats").json()["articles"] == 2
        assert c.get("/api/search", params={"q": "كييف"}).json()["hits"][0]["title"] == other["title"]
        assert c.get("/api/stories").json()["total"] >= 1


def test_repeated_searches_are_cached_until_the_store_changes(store_url):
    db = store_url
    service_data.fill(open_store(db)).close()
    with TestClient(create_app(db, token=TOKEN, warm_up=False)) as c:
        first = c.get("/api/search", params={"q": "الكرملين"}).json()
        assert c.get("/api/search", params={"q": "الكرملين"}).json() == first
        assert c.get("/api/stats").json()["search_cache"]["hits"] == 1
        # another process (here: another connection) writes the file: the next search sees it
        from marsad.model import Article, Facts

        with open_store(db) as writer:
            writer.add_input("late", "x", [(Article(id="late-k", origin="x", title="الكرملين يحدد موعدا",
                                                    text="حدد الكرملين موعد الجولة المقبلة."), Facts())])
        again = c.get("/api/search", params={"q": "الكرملين"}).json()
        assert again["total"] == first["total"] + 1
        assert "late-k" in {h["id"] for h in again["hits"]}


def test_serve_command_binds_loopback_and_checks_its_options(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app as cli

    calls = []
    monkeypatch.setattr(api_mod, "serve", lambda db, **kw: calls.append((db, kw)))
    monkeypatch.delenv("MARSAD_TOKEN", raising=False)
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 0, r.output
    assert calls[-1][1]["host"] == "127.0.0.1" and calls[-1][1]["token"] is None
    assert calls[-1][1]["public_read"] is True
    r = runner.invoke(cli, ["serve", "--db", str(tmp_path / "x.db"), "--private-read"])
    assert r.exit_code == 2 and "--token" in r.output
    r = runner.invoke(cli, ["serve", "--db", str(tmp_path / "x.db"), "--private-read"],
                      env={"MARSAD_TOKEN": "from-env"})
    assert r.exit_code == 0 and calls[-1][1]["token"] == "from-env" and calls[-1][1]["public_read"] is False


def test_story_page_survives_a_brief_it_does_not_understand():
    from marsad.model import Story

    store = service_data.fill(Store())
    odd = Story(id="s-odd", title="قصة بموجز غريب", articles=["a-odesa-1"], outlets=["وكالة الأنباء العربية"],
                brief={"timeline": "نص بدل قائمة", "numbers": [1, {"latest": 3, "history": "x"}],
                       "summary": [{"text": 5}, {"text": "جملة <i>موثقة</i>", "article": "a-odesa-1", "start": "x"}],
                       "contradictions": [{"says": None, "denies": None}], "quotes_by_speaker": [{"quotes": []}],
                       "sources": ["ليس قاموسا"], "future_section": {"anything": True}})
    store.replace_derived([*store.stories(), odd], store.storylines(), store.entities())
    with TestClient(create_app(store)) as c:
        r = c.get("/story/s-odd")
        assert r.status_code == 200
        assert "جملة &lt;i&gt;موثقة&lt;/i&gt;" in r.text  # kept, escaped, linked to the article
        assert 'href="/article/a-odesa-1"' in r.text
        assert 'id="numbers"' in r.text and 'id="timeline"' not in r.text and 'id="contradictions"' not in r.text


def _read_http_response(conn) -> bytes:
    """One HTTP/1.1 response (status line, headers and Content-Length body) from ``conn``;
    b"" when the server closed the connection instead."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_keep_alive_connection_survives_a_reader_pause():
    """A reader who pauses longer than uvicorn's default keep-alive (5 s) between two searches
    gets the second answer on the same connection."""
    import socket
    import threading
    import time
    from urllib.parse import quote

    import uvicorn

    app = create_app(service_data.fill(Store()), token=TOKEN)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(api_mod.server_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        request = (f"GET /api/search?q={quote('الحكومة')}&limit=5 HTTP/1.1\r\n"
                   f"Host: 127.0.0.1:{port}\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
            for pause in (0.0, 6.0):
                time.sleep(pause)
                conn.sendall(request)
                answer = _read_http_response(conn)
                assert answer.startswith(b"HTTP/1.1 200"), (pause, answer[:200])
                assert b'"hits"' in answer
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# -- odd inputs: a clear 4xx, never a 500 -------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/articles", "/api/search?q=الكرملين", "/api/stories", "/api/quotes"])
def test_offsets_past_64_bits_are_refused_not_a_crash(path):
    with TestClient(create_app(service_data.fill(Store()), token=TOKEN), raise_server_exceptions=False) as c:
        sep = "&" if "?" in path else "?"
        for offset in (2 ** 63, 10 ** 30):
            r = c.get(f"{path}{sep}offset={offset}")
            assert r.status_code == 422, (offset, r.text[:200])
            assert r.json()["detail"][0]["loc"] == ["query", "offset"]
        assert c.get(f"{path}{sep}offset={api_mod.MAX_OFFSET}").status_code == 200


def test_dashboard_pages_past_the_end_are_empty_not_a_crash():
    with TestClient(create_app(service_data.fill(Store()), token=TOKEN), raise_server_exceptions=False) as c:
        for url in ("/?page=99999999999999999999", "/search?q=الكرملين&page=99999999999999999999",
                    "/entities?page=-99999999999999999999"):
            assert c.get(url).status_code == 200, url


def test_search_dates_must_be_real_days(client):
    r = client.get("/api/search", params={"q": "الكرملين", "date_from": "2024-13-45"})
    assert r.status_code == 400 and "date_from" in r.json()["detail"]
    r = client.get("/api/search", params={"q": "الكرملين", "date_to": "2024-02-30"})
    assert r.status_code == 400 and "date_to" in r.json()["detail"]
    assert client.get("/api/search", params={"q": "الكرملين", "date_from": "2024-03-01"}).json()["total"] >= 1


@pytest.mark.parametrize("body, ctype", [
    (b"abc-99999999999", "text/plain; charset=punycode"),  # punycode raises UnicodeError, not a decode error
    ("خبر عاجل".encode(), "text/plain; charset=undefined"),
    (b"\\ud800 \xd8\xae\xd8\xa8\xd8\xb1", "text/plain; charset=unicode_escape"),  # a lone surrogate
])
def test_odd_charsets_are_400(body, ctype):
    with TestClient(create_app(Store(), token=TOKEN), raise_server_exceptions=False) as c:
        r = c.post("/api/ingest", content=body, headers={**AUTH, "Content-Type": ctype})
        assert r.status_code == 400, r.text[:200]
        assert "decode" in r.json()["detail"] or "surrogate" in r.json()["detail"]


def test_unknown_or_non_text_charsets_are_415(client):
    for charset in ("x-klingon", "base64", "zlib"):
        r = client.post("/api/ingest", content="خبر عاجل".encode(),
                        headers={**AUTH, "Content-Type": f"text/plain; charset={charset}"})
        assert r.status_code == 415 and "charset" in r.json()["detail"], charset


def test_deeply_nested_json_is_400_with_a_reason():
    with TestClient(create_app(Store(), token=TOKEN), raise_server_exceptions=False) as c:
        for body in ("[" * 100_000 + "]" * 100_000, '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"):
            r = c.post("/api/ingest", content=body.encode(), headers={**AUTH, "Content-Type": "application/json"})
            assert r.status_code == 400, r.text[:200]
            assert "nested too deeply" in r.json()["detail"]


def test_json_that_python_cannot_hold_is_400():
    with TestClient(create_app(Store(), token=TOKEN), raise_server_exceptions=False) as c:
        r = c.post("/api/ingest", content=b'{"text": ' + b"7" * 5000 + b"}",
                   headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 400 and "malformed JSON" in r.json()["detail"]
        r = c.post("/api/ingest", content=b'{"title": "\\u0639\\u0627\\u062c\\u0644", "text": "\\ud800 \\u062e\\u0628\\u0631"}',
                   headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 400 and "'text'" in r.json()["detail"] and "surrogate" in r.json()["detail"]


@pytest.mark.parametrize("body, field", [
    ({"title": {"a": 1}, "text": None}, "title"),
    ({"title": "عنوان", "text": 12345}, "text"),
    ({"title": "عنوان", "text": True}, "text"),
    ({"title": "عنوان", "text": ["قائمة", 3]}, "text"),
    ({"title": "عنوان", "text": "نص الخبر", "date": 20240301}, "date"),
])
def test_wrong_typed_fields_are_refused_by_name(body, field):
    with TestClient(create_app(Store(), token=TOKEN)) as c:
        r = c.post("/api/ingest", json=body, headers=AUTH)
        assert r.status_code == 422 and f"field {field!r}" in r.json()["detail"]
        assert c.get("/api/articles").json()["total"] == 0  # no article "12345" or "True"


# -- Host header (DNS rebinding) ------------------------------------------------------------------
def test_allowed_hosts_on_loopback_and_elsewhere():
    hosts = api_mod.allowed_hosts("127.0.0.1", 8000)
    for ok in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LocalHost:8000"):
        assert api_mod.host_allowed(ok, hosts), ok
    for bad in ("evil.example:8000", "localhost:9000", "localhost", "127.0.0.1.evil.example:8000", "",
                "attacker.localhost:8000"):
        assert not api_mod.host_allowed(bad, hosts), bad
    assert api_mod.host_allowed("localhost", api_mod.allowed_hosts("localhost", 80))
    more = api_mod.allowed_hosts("::1", 8000, ["marsad.lan", "news.example:443"])
    assert api_mod.host_allowed("marsad.lan", more) and api_mod.host_allowed("marsad.lan:8080", more)
    assert api_mod.host_allowed("news.example:443", more) and not api_mod.host_allowed("news.example", more)
    assert api_mod.host_allowed("[::1]:8000", more) and not api_mod.host_allowed("evil.example:8000", more)
    assert api_mod.allowed_hosts("0.0.0.0", 8000) is None  # public bind: no check unless asked
    assert api_mod.allowed_hosts("127.0.0.1", 8000, ["*"]) is None
    assert api_mod.host_allowed("marsad.lan:1", api_mod.allowed_hosts("0.0.0.0", 8000, ["marsad.lan"]))
    assert not api_mod.host_allowed("10.0.0.5:8000", api_mod.allowed_hosts("0.0.0.0", 8000, ["marsad.lan"]))


def test_a_rebound_name_cannot_read_a_loopback_server():
    app = create_app(service_data.fill(Store()), token=TOKEN, hosts=api_mod.allowed_hosts("127.0.0.1", 8000))
    with TestClient(app, base_url="http://evil.example:8000") as c:
        for url in ("/api/stories", "/", "/api/search?q=الكرملين", "/openapi.json"):
            r = c.get(url)
            assert r.status_code == 400, url
            assert "الكرملين" not in r.text and "--allow-host" in r.json()["detail"]
    with TestClient(app, base_url="http://localhost:8000") as c:
        assert c.get("/api/stories").json()["total"] == 3


def test_serve_passes_allowed_hosts(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app as cli

    made = []
    monkeypatch.setattr(api_mod, "create_app", lambda db, **kw: made.append(kw) or object())
    monkeypatch.setattr(api_mod, "server_config", lambda *a, **kw: None)
    monkeypatch.setattr("uvicorn.Server", lambda config: type("S", (), {"run": lambda self: None})())
    monkeypatch.delenv("MARSAD_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "x.db"), "--port", "8123",
                                 "--allow-host", "marsad.lan", "--allow-host", "news.example:443"])
    assert r.exit_code == 0, r.output
    hosts = made[-1]["hosts"]
    assert api_mod.host_allowed("localhost:8123", hosts) and api_mod.host_allowed("marsad.lan", hosts)
    assert not api_mod.host_allowed("evil.example:8123", hosts)


# -- wrong tokens: exponential backoff ------------------------------------------------------------
class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_login_backs_off_after_a_few_wrong_tokens():
    from marsad.web.throttle import FailureThrottle

    clock = _Clock()
    app = create_app(service_data.fill(Store()), token=TOKEN, public_read=False,
                     throttle=FailureThrottle(free=5, base=1.0, cap=900.0, clock=clock))
    with TestClient(app) as c:
        for _ in range(5):  # a few mistakes are free
            assert c.post("/login", data={"token": "nope"}, follow_redirects=False).status_code == 403
        assert c.post("/login", data={"token": "nope"}, follow_redirects=False).status_code == 403  # 6th: 1 s
        r = c.post("/login", data={"token": TOKEN}, follow_redirects=False)
        assert r.status_code == 429 and r.headers["retry-after"] == "1"  # even the right token waits
        waits = []
        for _ in range(4):
            clock.now += int(r.headers["retry-after"])  # wait out the lockout, then guess again
            assert c.post("/login", data={"token": "nope"}, follow_redirects=False).status_code == 403
            r = c.post("/login", data={"token": "nope"}, follow_redirects=False)
            assert r.status_code == 429
            waits.append(int(r.headers["retry-after"]))
        assert waits == [2, 4, 8, 16]  # doubling
        # the API's bearer checks share the backoff: no switching doors
        r = c.get("/api/stories", headers=AUTH)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        clock.now += 20
        ok = c.post("/login", data={"token": TOKEN, "next": "/"}, follow_redirects=False)
        assert ok.status_code == 303
        assert c.post("/login", data={"token": "nope"}, follow_redirects=False).status_code == 403  # cleared


def test_bearer_token_guessing_is_throttled():
    with TestClient(create_app(Store(), token=TOKEN)) as c:
        codes = [c.post("/api/ingest", json=RECORD, headers={"Authorization": f"Bearer guess-{i}"}).status_code
                 for i in range(8)]
        assert codes[:6] == [403] * 6 and codes[6:] == [429, 429]
        r = c.post("/api/ingest", json=RECORD, headers={"Authorization": "Bearer guess-x"})
    assert "too many wrong tokens" in r.json()["detail"] and int(r.headers["retry-after"]) >= 1


def test_throttle_memory_is_bounded():
    from marsad.web.throttle import FailureThrottle

    t = FailureThrottle(max_clients=100, clock=_Clock())
    for i in range(1000):
        t.failure(f"10.0.{i // 256}.{i % 256}")
    assert len(t) == 100


def test_login_only_redirects_within_the_site():
    with TestClient(create_app(service_data.fill(Store()), token=TOKEN, public_read=False)) as c:
        for bad in ("//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                    "https://evil.example/", "\\\\evil.example"):
            r = c.post("/login", data={"token": TOKEN, "next": bad}, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/", repr(bad)
        r = c.post("/login", data={"token": TOKEN, "next": "/story/s-grain?x=1"}, follow_redirects=False)
        assert r.headers["location"] == "/story/s-grain?x=1"


# -- entity links ------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=BACKENDS)
def linked_client(request, tmp_path_factory):
    """The API over a store the pipeline wrote (tests/link_data.py), reopened by the server."""
    from link_data import analyze_link_records

    with backend_url(request.param, tmp_path_factory.mktemp("api-links")) as url:
        analyze_link_records(url)
        with TestClient(create_app(url, token=TOKEN)) as c:
            yield c


def _people(c) -> dict[str, str]:
    return {e["name"]: e["id"] for e in c.get("/api/entities", params={"type": "PERSON"}).json()["items"]}


def test_entity_view_lists_the_facts_linked_to_it(linked_client):
    from link_data import LINK_RECORDS

    c = linked_client
    safadi = _people(c)["أيمن الصفدي"]
    v = c.get(f"/api/entities/{safadi}").json()
    # his quotes in both articles, the second of which calls him «الصفدي» only
    assert {q["title"] for q in v["quotes"]} == {r["title"] for r in LINK_RECORDS[:2]}
    assert all(q["speaker"]["entity"] == safadi for q in v["quotes"])
    assert v["events"] and all(safadi in e["actor_entities"] for e in v["events"])
    assert len(v["stories"]) >= 1
    # people who share a surname: each one's view holds only his own words
    for name, title in (("نوري المالكي", LINK_RECORDS[2]["title"]), ("تركي المالكي", LINK_RECORDS[3]["title"])):
        v = c.get(f"/api/entities/{_people(c)[name]}").json()
        assert v["quotes"] and {q["title"] for q in v["quotes"]} == {title}


def test_fact_and_search_filters_match_entity_ids(linked_client):
    from link_data import LINK_RECORDS

    c = linked_client
    orgs = {e["name"]: e["id"] for e in c.get("/api/entities", params={"type": "ORG"}).json()["items"]}
    # a claim is about its claimant and about the party whose claim it denies
    for body in ("الاتحاد الأوروبي", "رويترز"):
        got = c.get("/api/claims", params={"entity": orgs[body]}).json()["items"]
        assert [x["stance"] for x in got] == ["denies"]
        assert got[0]["claimant_entity"] == orgs["الاتحاد الأوروبي"] and got[0]["target_claimant_entity"] == orgs["رويترز"]
    turki = _people(c)["تركي المالكي"]
    quotes = c.get("/api/quotes", params={"entity": turki}).json()
    assert quotes["total"] >= 2 and {q["speaker"]["entity"] for q in quotes["items"]} == {turki}
    # «المالكي» is in both Maliki articles; the entity filter keeps the one linked to Turki
    hits = c.get("/api/search", params={"q": "المالكي", "entity": turki}).json()
    assert [h["title"] for h in hits["hits"]] == [LINK_RECORDS[3]["title"]]
    article = c.get(f"/api/articles/{hits['hits'][0]['id']}").json()
    assert turki in {m["entity"] for m in article["mentions"]}
