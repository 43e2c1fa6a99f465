"""`marsad watch` against a local Arabic news site on 127.0.0.1: new articles land in the
store with their outlet, a second round and a restart fetch nothing again, robots.txt and
the address guard hold, and a stop (SIGTERM) loses nothing fetched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from marsad.errors import InputError
from marsad.fetch import FetchConfig, Fetcher, PipelineSink, Watcher, load_sources, sources_from_args
from marsad.fetch.watch import page_text
from marsad.store import Store
from news_server import ARTICLES, NewsServer, rfc822

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in ARTICLES if p.startswith("/news/"))


def sources_file(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'''contact = "desk@example.org"
every = "1h"

[[outlet]]
name = "الأفق"
outlet = "صحيفة الأفق"
feeds = ["{base}/rss.xml"]

[[outlet]]
name = "النهار"
outlet = "وكالة النهار"
sitemaps = ["{base}/sitemap.xml", "{base}/sitemap-index.xml"]
''', encoding="utf-8")
    return path


def fetch_config(**kw) -> FetchConfig:
    base = dict(delay=0.02, allow_hosts={"127.0.0.1"}, contact="desk@example.org", backoff=0.05)
    base.update(kw)
    return FetchConfig(**base)


def watcher(store: Store, sources, fetcher: Fetcher, sink=None) -> Watcher:
    sink = sink or PipelineSink(store, use_embeddings=False, with_facts=False)
    return Watcher(store, sources, sink, fetcher)


def page_paths(srv: NewsServer) -> list[str]:
    return [p for p in srv.paths() if p.startswith(("/news/", "/private/", "/go/"))]


@pytest.fixture
def site():
    with NewsServer(lifetime=120) as srv:
        yield srv


def test_new_articles_land_with_their_outlet_and_nothing_is_fetched_twice(site, tmp_path):
    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    db = tmp_path / "w.db"
    store = Store(db)
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    by_origin = {a.origin: a for a in store.articles()}
    assert sorted(by_origin) == [site.base + p for p in PAGES]
    assert len(report.stored) == 5
    outlets = {p: by_origin[site.base + p].outlet for p in PAGES}
    assert outlets == {"/news/bookfair.html": "وكالة النهار", "/news/budget.html": "وكالة النهار",
                       "/news/hospital.html": "صحيفة الأفق", "/news/rain.html": "صحيفة الأفق",
                       "/news/vegetables.html": "صحيفة الأفق"}
    # the windows-1256 page (no charset declared) read as Arabic
    veg = by_origin[site.base + "/news/vegetables.html"]
    assert veg.title == ARTICLES["/news/vegetables.html"][0] and "البندورة" in veg.text
    # the feed names the hospital page twice (once with tracking parameters): fetched once
    assert site.hits("/news/hospital.html") == 1
    # robots.txt disallows /private/: never asked for; redirects to private addresses refused
    assert "/private/draft.html" not in site.paths()
    assert "/images/rain-map.jpg" not in site.paths()  # not an article
    errors = " ".join(report.sources["الأفق"].errors)
    assert "robots.txt" in errors and "169.254.169.254" in errors and "localhost" in errors
    assert site.hits("/news/budget.html") == 1  # the sitemap's entry; the redirect via localhost refused
    # the raw HTML is kept (compressed) for re-extraction
    blob = store.page_html(site.base + "/news/vegetables.html")
    state = store.page_states([site.base + "/news/vegetables.html"])
    raw = zlib.decompress(blob)
    assert raw.startswith(b"<!DOCTYPE html>") and "ارتفاع".encode("cp1256") in raw  # as the site sent it
    assert len(blob) < len(raw) and state
    assert "ارتفاع أسعار الخضروات" in page_text(blob, "windows-1256")

    # second round: the listings answer 304, no page is fetched, nothing new is stored
    before = len(site.log)
    with Fetcher(fetch_config()) as f:
        again = watcher(store, sources, f).run_round()
    assert again.stored == [] and again.fetched == 0
    assert sorted(p for _, p, _ in site.log[before:]) == ["/robots.txt", "/rss.xml", "/sitemap-index.xml",
                                                           "/sitemap.xml"]
    assert again.sources["الأفق"].not_modified == 1 and again.sources["النهار"].not_modified == 2
    store.close()

    # a restart (new process state, same store) fetches nothing either
    store = Store(db)
    before = len(site.log)
    with Fetcher(fetch_config()) as f:
        third = watcher(store, sources, f).run_round()
    assert third.stored == [] and not [p for _, p, _ in site.log[before:] if p.startswith("/news/")]
    assert store.count_articles() == 5
    from typer.testing import CliRunner

    from marsad.cli import app

    status = CliRunner().invoke(app, ["sources", "status", "--db", str(db)])
    assert status.exit_code == 0, status.output
    assert "الأفق: 6 pages fetched, 3 failed, 0 waiting" in status.stdout
    health = {r["url"]: r for r in store.listing_states()}
    assert health[site.base + "/rss.xml"]["status"] == 304 and health[site.base + "/rss.xml"]["error"] is None
    store.close()


def test_address_guard_refuses_the_test_server_unless_allowed(site, tmp_path):
    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    store = Store(":memory:")
    with Fetcher(fetch_config(allow_hosts=frozenset())) as f:
        report = watcher(store, sources, f).run_round()
    assert site.log == [] and store.count_articles() == 0
    assert report.sources["الأفق"].failed == 1 and "non-public" in report.sources["الأفق"].errors[0]
    assert store.listing_state(site.base + "/rss.xml")["error"]


def test_pages_fetched_before_a_crash_are_ingested_next_time_without_refetching(site, tmp_path):
    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    db = tmp_path / "w.db"

    class Killed:  # the process dies between fetching and the pipeline
        def ingest(self, raws):
            raise KeyboardInterrupt

        def finish(self):
            pass

    store = Store(db)
    with Fetcher(fetch_config()) as f:
        with pytest.raises(KeyboardInterrupt):
            watcher(store, sources, f, sink=Killed()).run_round()
    pending = store.pending_pages()
    assert pending and store.count_articles() == 0
    store.close()

    fetched_before = {p: site.hits(p) for p in PAGES}
    store = Store(db)
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    assert report.resumed == len(pending)
    for row in pending:  # the pages already fetched were not fetched again
        path = row["url"][len(site.base):]
        assert site.hits(path) == fetched_before[path]
    assert sorted(a.origin for a in store.articles()) == [site.base + p for p in PAGES]
    assert store.pending_pages() == []
    store.close()


def test_a_url_source_is_recognised_from_what_it_answers(site, tmp_path):
    sources, _ = sources_from_args([site.base + "/sitemap.xml", site.base + "/news/rain.html"])
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    assert sorted(a.origin for a in store.articles()) == [site.base + "/news/budget.html",
                                                          site.base + "/news/rain.html"]
    assert len(report.stored) == 2
    assert site.hits("/news/rain.html") == 2  # one 429, then the page, fetched once
    before = len(site.log)
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()
    assert [p for _, p, _ in site.log[before:]] == ["/robots.txt", "/sitemap.xml"]


def test_bad_sources_files_are_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[outlet]]\nname = "x"\nfeeds = ["file:///etc/passwd"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="not an http"):
        load_sources(str(bad))
    bad.write_text('[[outlet]]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match="names no feeds"):
        load_sources(str(bad))
    bad.write_text("[[outlet]\n", encoding="utf-8")
    with pytest.raises(InputError, match="TOML"):
        load_sources(str(bad))
    with pytest.raises(InputError, match="neither"):
        sources_from_args(["no-such-file.toml"])


def test_discover_finds_feeds_and_robots_sitemaps(site):
    from typer.testing import CliRunner

    from marsad.cli import app

    result = CliRunner().invoke(app, ["sources", "discover", site.base + "/", "--allow-host", "127.0.0.1",
                                      "--name", "الأفق"])
    assert result.exit_code == 0, result.output
    assert f'feeds = ["{site.base}/rss.xml"]' in result.stdout
    assert f'"{site.base}/sitemap.xml", "{site.base}/sitemap-index.xml"' in result.stdout


def _marsad(*args: str) -> list[str]:
    return [sys.executable, "-c", "from marsad.cli import main; main()", *args]


@pytest.mark.slow
def test_sigterm_during_a_round_loses_nothing_fetched(tmp_path):
    with NewsServer(lifetime=150, page_delay=0.8) as srv:
        src = sources_file(tmp_path, srv.base)
        db = tmp_path / "w.db"
        args = _marsad("watch", str(src), "--db", str(db), "--allow-host", "127.0.0.1", "--delay", "0.05",
                       "--no-embeddings", "--no-facts")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 90
            while not any(p.startswith("/news/") for p in srv.paths()):
                assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[0]
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, output
        assert "stopping" in output
        served = {p for p in srv.paths() if p in ARTICLES}
        store = Store(db)
        stored = {a.origin[len(srv.base):] for a in store.articles()}
        assert store.pending_pages() == []
        store.close()
        assert served and served <= stored  # every page the site served is in the store
        assert len(served) < len(PAGES)  # the stop came mid-round

        # the next run fetches what is left, and nothing already fetched
        hits_before = {p: srv.hits(p) for p in served}
        done = subprocess.run(_marsad(*[a for a in args[3:]], "--once"), env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert {p: srv.hits(p) for p in served} == hits_before
        store = Store(db)
        origins = [a.origin for a in store.articles()]
        store.close()
        assert sorted(origins) == [srv.base + p for p in PAGES]  # every article exactly once


def test_a_page_is_fetched_again_only_when_its_feed_dates_it_later(site, tmp_path):
    feed = f"{site.base}/changed.xml"
    sources, _ = sources_from_args([feed])

    def serve_feed(date: str) -> None:
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>الأفق</title><item>'
                f"<title>مستشفى</title><link>{site.base}/news/hospital.html</link><pubDate>{date}</pubDate>"
                f"</item></channel></rss>").encode()
        site.extra["/changed.xml"] = (200, {"Content-Type": "application/rss+xml"}, body)

    store = Store(":memory:")
    serve_feed(rfc822(8))
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()
        watcher(store, sources, f).run_round()
        assert site.hits("/news/hospital.html") == 1
        serve_feed(rfc822(9, 15))  # the feed says the article was updated
        watcher(store, sources, f).run_round()
    assert site.hits("/news/hospital.html") == 2
    assert store.count_articles() == 1  # the same text again is not a new article


def test_source_health_in_the_api_and_on_the_dashboard(site, tmp_path):
    from fastapi.testclient import TestClient

    from marsad.api import create_app

    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()
    with TestClient(create_app(store, token=None)) as client:
        health = client.get("/api/sources").json()["sources"]
        page = client.get("/sources")
    by_name = {s["name"]: s for s in health}
    assert by_name["الأفق"]["pages"] == 6 and by_name["الأفق"]["failed"] == 3  # robots + 2 refused
    assert by_name["النهار"]["pages"] == 2 and by_name["النهار"]["ok"]
    assert [(li["status"], li["new"]) for li in by_name["الأفق"]["listings"]] == [(200, 3)]
    assert page.status_code == 200 and "الأفق" in page.text and f"{site.base}/rss.xml" in page.text


def test_watchlists_raise_alerts_served_as_atom_and_posted_to_the_webhook(site, tmp_path):
    import json

    from fastapi.testclient import TestClient

    from marsad.alerts import deliver, load_alerts, raise_alerts
    from marsad.api import create_app

    path = sources_file(tmp_path, site.base)
    path.write_text(path.read_text(encoding="utf-8") + f'''
[alerts]
webhook = "{site.base}/hook"

[[watchlist]]
name = "البرلمان"
keywords = ["مجلس النواب", "الموازنة العامة"]

[[watchlist]]
name = "الطقس"
keywords = ["السيول"]
places = ["الزرقاء"]
''', encoding="utf-8")
    sources, settings = sources_from_args([str(path)])
    assert [w.name for w in settings["watchlists"]] == ["البرلمان", "الطقس"]
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    raised = raise_alerts(store, settings["watchlists"], report.stored)
    got = sorted((a["watchlist"], a["url"][len(site.base):]) for a in raised)
    # «السيول» is in the rain article as «جريان السيول» and «مجاري السيول»; «الزرقاء» only in the hospital one
    assert got == [("البرلمان", "/news/budget.html"), ("الطقس", "/news/hospital.html"),
                   ("الطقس", "/news/rain.html")]

    sent, errors = deliver(store, settings["webhook"], frozenset({"127.0.0.1"}))
    assert (sent, errors) == (3, [])
    posted = [json.loads(b) for b in site.posts]
    assert sorted(p["watchlist"] for p in posted) == ["البرلمان", "الطقس", "الطقس"]
    assert deliver(store, settings["webhook"], frozenset({"127.0.0.1"})) == (0, [])  # each sent once

    assert raise_alerts(store, settings["watchlists"], report.stored) == []  # one alert an article
    # the webhook goes through the address guard too: an undelivered alert is not sent
    state = load_alerts(store)
    state["alerts"][0]["delivered"] = False
    store.save_state("alerts", 0, json.dumps(state).encode())
    sent, errors = deliver(store, settings["webhook"], frozenset())
    assert sent == 0 and "non-public" in errors[0] and len(site.posts) == 3

    with TestClient(create_app(store, token=None)) as client:
        atom = client.get("/alerts.atom")
        listed = client.get("/api/alerts").json()["alerts"]
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert atom.text.count("<entry>") == 3 and "[البرلمان] مجلس النواب" in atom.text
    assert [a["id"] for a in listed] == [3, 2, 1]


def test_what_changed_counts_stories_by_when_their_articles_arrived(site, tmp_path):
    from fastapi.testclient import TestClient

    from marsad.api import create_app
    from marsad.changes import parse_since, story_changes

    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()
    by_path = {a.origin[len(site.base):]: a for a in store.articles()}
    old = ["/news/hospital.html", "/news/vegetables.html", "/news/rain.html", "/news/bookfair.html"]
    with store.lock:
        db = store.connection
        for p in old:  # these arrived two days ago
            db.execute("UPDATE inputs SET stored_at = datetime('now', '-2 days') WHERE origin = ?",
                       (by_path[p].origin,))
        # and the bookfair story gains today's budget article (as if clustered together)
        db.execute("UPDATE articles SET story = ? WHERE id = ?",
                   (by_path["/news/bookfair.html"].story, by_path["/news/budget.html"].id))
    view = story_changes(store, parse_since(None), hours=6)
    assert [(c["story"], c["new_articles"], c["articles"], c["new"]) for c in view["changed"]] == [
        (by_path["/news/bookfair.html"].story, 1, 2, False)]  # grown, not new
    assert [c["story"] for c in view["growing"]] == [by_path["/news/bookfair.html"].story]
    everything = story_changes(store, parse_since("2000-01-01"))
    assert len(everything["changed"]) == 4 and all(c["new"] for c in everything["changed"])
    with pytest.raises(InputError):
        parse_since("last tuesday")
    with TestClient(create_app(store, token=None)) as client:
        api = client.get("/api/changes", params={"hours": 6}).json()
        page = client.get("/changes")
    assert api["changed"] == view["changed"]
    assert page.status_code == 200 and "ما الجديد" in page.text


def test_a_broken_feed_is_reported_and_the_round_goes_on(site, tmp_path):
    sources, _ = sources_from_args([site.base + "/broken.xml", site.base + "/sitemap.xml"])
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    broken = report.sources[site.base + "/broken.xml"]
    assert broken.failed == 1 and "feed" in broken.errors[0]
    assert [a.origin for a in store.articles()] == [site.base + "/news/budget.html"]
    assert store.listing_state(site.base + "/broken.xml")["error"]


@pytest.mark.slow
def test_serve_with_watch_ingests_into_the_served_store(tmp_path):
    import json
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with NewsServer(lifetime=150) as srv:
        src = sources_file(tmp_path, srv.base)
        db = tmp_path / "served.db"
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        proc = subprocess.Popen(_marsad("serve", "--db", str(db), "--port", str(port), "--watch", str(src),
                                        "--fetch-allow-host", "127.0.0.1"),
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline, stats = time.monotonic() + 100, {}
            while time.monotonic() < deadline and stats.get("articles", 0) < 5:
                assert proc.poll() is None, proc.communicate()[0]
                time.sleep(0.5)
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats", timeout=5) as r:
                        stats = json.load(r)
                except OSError:
                    continue
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sources", timeout=5) as r:
                health = json.load(r)["sources"]
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert stats["articles"] == 5, output
        assert sorted(s["name"] for s in health) == ["الأفق", "النهار"]
        assert "3 articles stored" in output and "2 articles stored" in output  # per-source lines


def test_the_example_sources_file_reads():
    sources, settings = load_sources(str(ROOT / "examples" / "sources.toml"))
    assert len(sources) >= 3 and all(s.feeds or s.sitemaps for s in sources)
    assert settings["contact"] and settings["watchlists"]


def test_reextract_builds_a_new_store_from_the_kept_pages_without_fetching(site, tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app

    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    store = Store(old)
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()
    before = {a.origin: (a.title, a.outlet, a.text) for a in store.articles()}
    store.close()
    requests = len(site.log)
    result = CliRunner().invoke(app, ["reextract", "--db", str(old), "--into", str(new), "--no-embeddings"])
    assert result.exit_code == 0, result.output
    assert len(site.log) == requests  # nothing fetched
    store = Store(new)
    assert {a.origin: (a.title, a.outlet, a.text) for a in store.articles()} == before
    assert store.pending_pages() == []
    with Fetcher(fetch_config()) as f:  # watching goes on from the new store: nothing new to fetch
        report = watcher(store, sources, f).run_round()
    assert report.fetched == 0 and report.sources["الأفق"].not_modified == 1
    store.close()
    again = CliRunner().invoke(app, ["reextract", "--db", str(old), "--into", str(new)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_watchlist_terms_match_named_mentions_of_their_kind():
    from marsad.alerts import Watchlist, matches
    from marsad.model import Mention

    text = "قال المتحدث باسم الكرملين دميتري بيسكوف إن المحادثات في إسطنبول لم تحرز تقدماً."
    mentions = [Mention("a", "الكرملين", "ORG", 17, 25), Mention("a", "بيسكوف", "PERSON", 33, 39,
                                                                 canonical="دميتري بيسكوف"),
                Mention("a", "إسطنبول", "PLACE", 54, 61)]
    wl = Watchlist("روسيا", entities=["دميتري بيسكوف", "الكرملين", "إسطنبول"], places=["إسطنبول", "موسكو"],
                   keywords=["المحادثات", "وقف إطلاق النار"])
    # «إسطنبول» as an entity term does not match a place mention; «المحادثات» matches «والمحادثات» too
    assert matches(wl, "", text, mentions) == ["دميتري بيسكوف", "الكرملين", "إسطنبول", "المحادثات"]
    assert matches(wl, "", text.replace("المحادثات", "والمحادثات"), mentions)[-1] == "المحادثات"
    # without mentions (facts off), entity and place terms are looked for in the text
    assert matches(wl, "", text, []) == ["دميتري بيسكوف", "الكرملين", "إسطنبول", "إسطنبول", "المحادثات"]


def test_listed_articles_older_than_max_age_are_not_fetched(site, tmp_path):
    from news_server import DAY

    old = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           f"<url><loc>{site.base}/news/budget.html</loc><lastmod>2019-01-01</lastmod></url>"
           f"<url><loc>{site.base}/news/bookfair.html</loc><lastmod>{DAY}</lastmod></url></urlset>").encode()
    site.extra["/archive.xml"] = (200, {"Content-Type": "application/xml"}, old)
    sources, _ = sources_from_args([site.base + "/archive.xml"])
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        watcher(store, sources, f).run_round()  # default: a week
        assert site.hits("/news/budget.html") == 0 and site.hits("/news/bookfair.html") == 1
        fresh = Store(":memory:")  # any age
        Watcher(fresh, sources, PipelineSink(fresh, use_embeddings=False, with_facts=False), f,
                max_age=None).run_round()
    assert site.hits("/news/budget.html") == 1


def test_a_gzipped_feed_file_is_read_as_a_feed(site, tmp_path):
    import gzip

    from news_server import rss

    site.extra["/rss.xml.gz"] = (200, {"Content-Type": "application/gzip"}, gzip.compress(rss(site.base)))
    sources, _ = sources_from_args([site.base + "/rss.xml.gz"])
    store = Store(":memory:")
    with Fetcher(fetch_config()) as f:
        report = watcher(store, sources, f).run_round()
    assert len(report.stored) == 3 and store.listing_state(site.base + "/rss.xml.gz")["kind"] == "feed"


def test_a_failed_round_is_reported_and_the_next_one_stores_what_it_fetched(site, tmp_path):
    from marsad.errors import StoreError

    sources, _ = load_sources(str(sources_file(tmp_path, site.base)))
    store = Store(tmp_path / "w.db")
    real = PipelineSink(store, use_embeddings=False, with_facts=False)

    class Flaky:  # the store is held by another writer too long, once
        failed = False

        def ingest(self, raws):
            if not self.failed:
                self.failed = True
                raise StoreError("another process has been writing to the store for too long")
            return real.ingest(raws)

        def finish(self):
            real.finish()

    lines: list[str] = []
    rounds = []
    with Fetcher(fetch_config()) as f:
        w = Watcher(store, sources, Flaky(), f, say=lines.append)
        w.run(every=0.05, on_round=lambda r: (rounds.append(r), f.stop.set()))
    assert any(line.startswith("error: the round failed") for line in lines)
    assert rounds[0].resumed >= 1 and rounds[0].fetched == 0  # fetched in the failed round, kept
    assert sorted(a.origin for a in store.articles()) == [site.base + p for p in PAGES]
    assert all(site.hits(p) == (2 if p == "/news/rain.html" else 1) for p in PAGES)  # rain: one 429
    store.close()
