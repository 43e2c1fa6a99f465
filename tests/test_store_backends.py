"""Every store backend behaves alike: SQLite (a file) and PostgreSQL (a database).

Each test here runs once per backend through ``marsad.store.open_store(URL)`` and the
``AnyStore`` interface only. The PostgreSQL runs need a server (``MARSAD_TEST_PG``, see
``tests/pg_server.py``) and skip without one. The last tests compare the two backends
directly: the same search results (hits, order, scores, snippets, facets) on a small Arabic
corpus, the same analysis of the example corpus, and the same API answers.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from pathlib import Path

import pytest

import service_data
from pg_server import fresh_database
from marsad.errors import StoreError
from marsad.model import Article, Entity, Evidence, Facts, Mention, Quote, Speaker, Story, Storyline
from marsad.store import SCHEMA_VERSION, AnyStore, open_store, store_exists
from marsad.store.base import sqlite_path

ROOT = Path(__file__).resolve().parent.parent

TEXT = ("أعلن الدفاع المدني في مدينة الساحل إجلاء 140 أسرة من الأحياء المنخفضة بعد أن غمرت السيول "
        "الشوارع. وقال المتحدث باسم الدفاع المدني خالد العمري إن «فرق الإنقاذ ما زالت تبحث عن مفقودين».")


@pytest.fixture
def url(store_url):
    """A new store of each backend (``store_url`` in conftest.py)."""
    return store_url


def _article(i: int, story: str | None = "s1", published: str = "2024-02-11", outlet: str = "صحيفة الشروق",
             text: str = TEXT) -> Article:
    return Article(id=f"a{i:03d}", origin=f"in/{i}.txt", title=f"السيول تغمر أحياء الساحل {i}",
                   published=published, outlet=outlet, text=text, story=story)


def _facts(a: Article) -> Facts:
    s, e = a.text.index("«"), a.text.index("»") + 1
    q = Quote(article=a.id, speaker=Speaker("خالد العمري", "المتحدث باسم الدفاع المدني"),
              text=a.text[s + 1:e - 1], direct=True, evidence=Evidence(a.id, s, e))
    m = Mention(a.id, "خالد العمري", "PERSON", a.text.index("خالد"), a.text.index("خالد") + 11)
    return Facts(mentions=[m], quotes=[q])


def test_schema_inputs_and_facts(url):
    a = _article(1)
    with open_store(url) as s:
        assert isinstance(s, AnyStore)
        assert s.schema_version == SCHEMA_VERSION
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 1
    with open_store(url) as s:  # reopened: nothing migrated twice, the input still known
        assert s.schema_version == SCHEMA_VERSION
        assert s.has_input("k1") and s.has_article(a.id) and not s.has_input("k2")
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 0
        assert s.count_articles() == 1 and s.max_seq() >= 1
        got = s.get_article(a.id)
        assert got.text == TEXT and got.story == "s1"
        f = s.get_facts(a.id)
        ev = f.quotes[0].evidence
        assert "فرق الإنقاذ" in TEXT[ev.start:ev.end] and f.quotes[0].speaker.name == "خالد العمري"
        assert set(s.facts()) == {a.id}


def test_a_failed_writing_block_leaves_nothing(url):
    with open_store(url) as s:
        with pytest.raises(RuntimeError):
            with s.writing():
                a = _article(1)
                s.add_input("k1", a.origin, [(a, _facts(a))])
                s.save_state("dedup", 1, b"x")
                raise RuntimeError("disk full")
        assert s.count_articles() == 0 and not s.has_input("k1") and s.load_state("dedup") is None
        with s.writing():  # the store is usable afterwards
            b = _article(2)
            s.add_input("k2", b.origin, [(b, _facts(b))])
        assert s.count_articles() == 1


def test_every_stored_article_is_listed_in_a_story_that_exists(url):
    with open_store(url) as s:
        a1, a2 = _article(1, story="s1"), _article(2, story="s1")
        s.add_input("k1", a1.origin, [(a1, Facts())])
        s.add_input("k2", a2.origin, [(a2, Facts())])
        assert [st.articles for st in s.stories()] == [["a001", "a002"]]
        # recomputed stories that do not know a003 yet (stored by another writer meanwhile)
        a3 = _article(3, story="s9", published="2024-02-12")
        s.add_input("k3", a3.origin, [(a3, Facts())])
        s.replace_derived([Story(id="s1", title="السيول", articles=["a001", "a002"], last_seen="2024-02-11")],
                          [Storyline(id="l1", title="الطقس", stories=["s1"])],
                          [Entity(id="e1", name="خالد العمري", type="PERSON", mentions=2),
                           Entity(id="e2", name="الدفاع المدني", type="ORG", mentions=5)])
        by_id = {st.id: st for st in s.stories()}
        assert by_id["s9"].articles == ["a003"] and by_id["s1"].articles == ["a001", "a002"]
        assert [st.id for st in s.stories()] == ["s9", "s1"]  # latest first
        assert [e.id for e in s.entities()] == ["e2", "e1"]  # most mentioned first
        assert [sl.id for sl in s.storylines()] == ["l1"]
        s.set_article_story("a003", "s1")
        assert s.get_article("a003").story == "s1"


def test_state_checkpoints_keep_the_one_covering_more(url):
    with open_store(url) as s:
        s.save_states({"dedup": b"\x00\x01later", "stories": b"st"}, 10)
        s.save_state("dedup", 5, b"earlier")  # another writer's older checkpoint
        assert s.load_state("dedup") == (10, b"\x00\x01later")
        assert s.load_states(["dedup", "stories", "none"]) == {"dedup": (10, b"\x00\x01later"),
                                                               "stories": (10, b"st")}
        s.save_state("dedup", 11, b"newer")
        assert s.load_state("dedup") == (11, b"newer")


def test_fetch_state_of_listings_and_pages(url):
    with open_store(url) as s:
        s.save_listing_state("https://n.example/feed", "n", "rss", 200, etag='"v1"', entries=3, new=2)
        s.save_listing_state("https://n.example/feed", "n", None, None, error="timeout")
        st = s.listing_state("https://n.example/feed")
        assert st["etag"] == '"v1"' and st["kind"] == "rss" and st["error"] == "timeout"
        assert st["failures"] == 1 and st["new"] == 2 and st["fetched_at"][:2] == "20"
        assert s.listing_state("https://other.example/") is None
        assert [r["url"] for r in s.listing_states()] == ["https://n.example/feed"]
        s.save_page("https://n.example/2", "n", "ن", None, 200, html=b"\x78\x9c..", hints={"title": "ع"})
        s.save_page("https://n.example/1", "n", "ن", None, 404, error="not found")
        s.save_page("https://n.example/3", "n", "ن", None, 200, html=b"page3")
        assert [p["url"] for p in s.pending_pages()] == ["https://n.example/2", "https://n.example/3"]
        assert s.pending_pages()[0]["hints"] == {"title": "ع"}
        s.mark_page_ingested("https://n.example/2", ["a001"])
        assert [p["url"] for p in s.pending_pages()] == ["https://n.example/3"]
        s.save_page("https://n.example/2", "n", "ن", "2024-02-12", 200, html=b"again")  # refetched
        pages = list(s.fetched_pages(chunk=2))
        assert [p["url"] for p in pages] == ["https://n.example/2", "https://n.example/1", "https://n.example/3"]
        assert pages[0]["html"] == b"again" and pages[1]["html"] is None
        states = s.page_states(["https://n.example/2", "https://n.example/9"])
        assert list(states) == ["https://n.example/2"] and states["https://n.example/2"]["attempts"] == 2
        assert s.page_html("https://n.example/3") == b"page3" and s.page_html("https://x/") is None
        assert s.page_counts() == {"n": {"pages": 3, "failed": 1, "pending": 2}}


def test_reads_for_the_api_and_exports(url):
    with open_store(url) as s:
        arts = [_article(1, story="s1", published="2024-02-11"),
                _article(2, story="s1", published="2024-02-13", outlet="قناة الغد"),
                _article(3, story="s2", published=None),
                _article(4, story="s2", published="2024-02-12")]
        arts[3].duplicate_of = "a003"
        for a in arts:
            s.add_input("k" + a.id, a.origin, [(a, Facts())])
        total, page = s.list_articles(limit=2, offset=0)
        assert total == 4 and [d["id"] for d in page] == ["a002", "a004"]  # newest first, undated last
        assert [d["id"] for d in s.list_articles(10, 2)[1]] == ["a001", "a003"]
        assert s.list_articles(10, 0, story="s1", outlet="قناة الغد")[0] == 1
        index = {r["id"]: r for r in s.article_index()}
        assert index["a004"] == {"id": "a004", "title": arts[3].title, "outlet": "صحيفة الشروق",
                                 "published": "2024-02-12", "story": "s2", "duplicate_of": "a003"}
        dates = s.input_dates()
        assert set(dates) == {a.origin for a in arts} and len(next(iter(dates.values()))) == 19
        rows = {r[0]: r for r in s.story_store_times("2000-01-01 00:00:00", "2999-01-01 00:00:00")}
        assert rows["s1"][1:4] == (2, 2, 0) and rows["s2"][1:4] == (1, 1, 0)  # the copy left out


def test_data_version_moves_with_a_write_from_another_connection(url):
    with open_store(url) as reader, open_store(url) as writer:
        before = reader.data_version()
        assert reader.data_version() == before
        a = _article(1)
        writer.add_input("k1", a.origin, [(a, Facts())])
        assert reader.data_version() != before


def test_a_writer_waits_for_another_then_gives_up_naming_the_store(url):
    with open_store(url) as s1, open_store(url) as s2:
        held, release = threading.Event(), threading.Event()

        def hold():
            with s1.writing():
                held.set()
                release.wait(10)

        t = threading.Thread(target=hold)
        t.start()
        try:
            assert held.wait(10)
            start = time.monotonic()
            with pytest.raises(StoreError, match="another process has been writing"):
                with s2.writing(wait=0.5):
                    pass
            assert 0.4 < time.monotonic() - start < 5
        finally:
            release.set()
            t.join()
        with s2.writing(wait=5):  # free again
            pass


def test_store_urls():
    assert sqlite_path("sqlite:///out/m.db") == "out/m.db"
    assert sqlite_path("sqlite:////tmp/m.db") == "/tmp/m.db"
    assert sqlite_path("news.db") == "news.db"
    with pytest.raises(StoreError):
        sqlite_path("sqlite://host/m.db")
    assert store_exists(":memory:") and not store_exists("/nonexistent/dir/m.db")
    with open_store("sqlite:///:memory:") as s:
        assert not s.shared


# -- the two backends compared --------------------------------------------------------------
QUERIES = ["الكرملين", "وللكرملين", "بالكرملين", "أوكرانيا", "اوكرانيا", "الهجوم أوديسا", "أوديسا 14",
           '"اتفاق مع أوكرانيا"', "«اتفاق مع أوكرانيا»", '"أوكرانيا مع اتفاق"', '"بحر الأسود"', "في",
           "المسيرات", "script", "الكرملين أوديسا", "الحبوب البحر", "NEAR( *", "؟!،"]
FILTERS = [{}, {"facets": True}, {"outlet": "صحيفة الشرق اليوم"}, {"date_from": "2024-03-05"},
           {"date_from": "2024-03-05", "date_to": "2024-03-06"}, {"story": "s-odesa", "facets": True},
           {"entity": "e-peskov"}, {"entity": "دميتري بيسكوف"}, {"limit": 2, "offset": 1}]


def test_search_results_are_the_same_on_both_backends():
    with fresh_database() as pg_url:
        with open_store(":memory:") as sq, open_store(pg_url) as pg:
            service_data.fill(sq)
            service_data.fill(pg)
            matched = 0
            for q in QUERIES:
                for kw in FILTERS:
                    a, b = sq.search(q, **kw).to_dict(), pg.search(q, **kw).to_dict()
                    assert a == b, (q, kw)
                    matched += bool(a["hits"])
            assert matched > 60  # the comparison is about real hits, not empty pages


def test_the_example_corpus_gives_the_same_analysis_on_both_backends(tmp_path):
    from marsad.export import contract_json
    from marsad.pipeline import analyze

    corpus = str(ROOT / "examples" / "corpus")
    # no time limit per input: on a busy machine a slow input would be reported, not compared
    with fresh_database() as pg_url:
        on_sqlite, _ = analyze([corpus], db=str(tmp_path / "m.db"), use_embeddings=False, time_limit=None)
        on_pg, report = analyze([corpus], db=pg_url, use_embeddings=False, time_limit=None)
        assert report.stored and not report.errors
        assert json.loads(contract_json(on_pg, "x")) == json.loads(contract_json(on_sqlite, "x"))
        again, report = analyze([corpus], db=pg_url, use_embeddings=False, time_limit=None)  # adds nothing
        assert not report.stored
        assert json.loads(contract_json(again, "x")) == json.loads(contract_json(on_sqlite, "x"))


def test_the_api_answers_the_same_on_both_backends():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from marsad.api import create_app

    paths = ["/api/articles?limit=3&offset=1", "/api/articles?story=s-grain", "/api/stories",
             "/api/search?q=الكرملين&facets=true", "/api/search?q=أوديسا&outlet=صحيفة الشرق اليوم",
             "/api/entities", "/api/quotes", "/api/stats"]
    with fresh_database() as pg_url:
        answers = []
        for url in (":memory:", pg_url):
            store = service_data.fill(open_store(url))
            with TestClient(create_app(store)) as client:
                got = {}
                for p in paths:
                    r = client.get(p)
                    assert r.status_code == 200, (url, p, r.text)
                    got[p] = r.json()
                got["/api/stats"].pop("search_server_ms", None)
                got["/api/stats"].pop("search_cache", None)
                answers.append(got)
        assert answers[0] == answers[1]
        assert answers[1]["/api/search?q=الكرملين&facets=true"]["total"] == 3


@pytest.mark.parametrize("inputs", ["examples/corpus", "seeds"])
def test_one_process_a_process_pool_dask_and_postgresql_give_the_same_json(tmp_path, inputs):
    """The same analysis, embeddings on, whichever runner does the per-input work and whichever
    backend stores it: one process on SQLite, a process pool of 2 on PostgreSQL, a Dask
    LocalCluster of 2 on SQLite."""
    pytest.importorskip("distributed")
    from marsad.export import contract_json
    from marsad.pipeline import analyze

    path = ROOT / inputs if inputs != "seeds" else ROOT.parent / "shared" / "seeds"
    if not path.exists():
        pytest.skip(f"{path} not present")
    runs = {}
    with fresh_database() as pg_url:
        for name, db, kw in (("one process, SQLite", str(tmp_path / "one.db"), {}),
                             ("pool of 2, PostgreSQL", pg_url, {"workers": 2}),
                             ("Dask local:2, SQLite", str(tmp_path / "dask.db"), {"dask": "local:2"})):
            analysis, report = analyze([str(path)], db=db, time_limit=None, **kw)
            assert report.stored and not report.errors, name
            runs[name] = json.loads(contract_json(analysis, "x"))
    reference = runs.pop("one process, SQLite")
    assert reference["stories"] and reference["quotes"]
    for name, got in runs.items():
        assert got == reference, name
