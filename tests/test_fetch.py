"""The fetcher against a local Arabic news site on 127.0.0.1: robots.txt, the address guard,
retries, conditional GET, limits; and the listing parsers. No request leaves loopback."""

from __future__ import annotations

import gzip
import time

import pytest

from marsad.errors import AddressRefused, FetchError, InputError, RobotsDisallowed
from marsad.fetch import FetchConfig, Fetcher, normalize_url
from marsad.fetch.guard import is_public
from marsad.fetch.http import retry_after
from marsad.fetch.listings import kind_of, parse_feed, parse_sitemap
from news_server import DAY, NewsServer


def config(**kw) -> FetchConfig:
    base = dict(delay=0.02, allow_hosts={"127.0.0.1"}, contact="desk@example.org", backoff=0.05,
                timeout=5.0, total_timeout=5.0)
    base.update(kw)
    return FetchConfig(**base)


@pytest.fixture
def site():
    with NewsServer(lifetime=60) as srv:
        yield srv


def test_public_addresses_only():
    for a in ("127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0",
              "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1", "fd00:ec2::254"):
        assert not is_public(a), a
    for a in ("8.8.8.8", "93.184.216.34", "2606:4700::1111"):
        assert is_public(a), a


def test_loopback_refused_unless_allowed(site):
    with Fetcher(config(allow_hosts=frozenset())) as f:
        with pytest.raises(AddressRefused, match="127.0.0.1"):
            f.get(site.base + "/news/hospital.html")
    assert site.log == []  # refused before any connection, robots.txt included
    with Fetcher(config()) as f:
        got = f.get(site.base + "/news/hospital.html")
    assert got.status == 200 and "مستشفى".encode() in got.body


def test_other_spellings_of_loopback_are_refused_too(site):
    port = site.port
    with Fetcher(config(allow_hosts=frozenset({"127.0.0.1"}))) as f:
        # allowed by name only: the same machine under another name or notation is refused
        for url in (f"http://[::1]:{port}/", f"http://2130706433:{port}/", f"http://0x7f.1:{port}/",
                    f"http://127.1:{port}/", f"http://localhost:{port}/", f"http://[::ffff:127.0.0.1]:{port}/"):
            with pytest.raises(AddressRefused):
                f.get(url, robots=False)
    assert site.log == []


def test_only_http_and_https():
    with Fetcher(config()) as f:
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http:///nohost"):
            with pytest.raises(AddressRefused):
                f.get(url)


def test_redirects_to_private_addresses_are_refused_at_every_hop(site):
    with Fetcher(config()) as f:
        with pytest.raises(AddressRefused, match="169.254.169.254"):
            f.get(site.base + "/go/metadata")
        # localhost is the same machine, but only 127.0.0.1 was allowed, by name
        with pytest.raises(AddressRefused, match="localhost"):
            f.get(site.base + "/go/localhost")
        with pytest.raises(FetchError, match="redirects"):
            f.get(site.base + "/go/loop")
    assert "/news/budget.html" not in site.paths()


def test_robots_txt_obeyed_and_read_once(site):
    with Fetcher(config()) as f:
        with pytest.raises(RobotsDisallowed):
            f.get(site.base + "/private/draft.html")
        f.get(site.base + "/news/hospital.html")
        f.get(site.base + "/news/budget.html")
    assert "/private/draft.html" not in site.paths()
    assert site.hits("/robots.txt") == 1


def test_user_agent_names_marsad_and_the_contact(site):
    with Fetcher(config()) as f:
        f.get(site.base + "/news/hospital.html")
    ua = site.log[-1][2]["User-Agent"]
    assert ua.startswith("marsad/") and "desk@example.org" in ua


def test_429_retried_after_what_retry_after_asks(site):
    with Fetcher(config()) as f:
        t0 = time.monotonic()
        got = f.get(site.base + "/news/rain.html")
        took = time.monotonic() - t0
    assert got.status == 200
    assert site.hits("/news/rain.html") == 2
    assert took >= 0.95  # Retry-After: 1, although the backoff alone would be 0.05 s


def test_retry_after_longer_than_allowed_fails_for_now(site):
    site.busy_left = 5
    with Fetcher(config(max_retry_after=0.5)) as f:
        with pytest.raises(FetchError, match="asks to wait 1"):
            f.get(site.base + "/news/rain.html")
    assert site.hits("/news/rain.html") == 1


def test_retry_after_forms():
    assert retry_after("120") == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == pytest.approx(60)
    assert retry_after("soon") is None and retry_after(None) is None


def test_conditional_get_answers_304(site):
    with Fetcher(config()) as f:
        first = f.get(site.base + "/rss.xml")
        again = f.get(site.base + "/rss.xml", etag=first.headers["etag"])
    assert first.status == 200 and again.not_modified and again.body == b""
    assert site.log[-1][2].get("If-None-Match") == first.headers["etag"]


def test_one_request_at_a_time_per_host_spaced_by_the_delay(site):
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/news/hospital.html", "/news/budget.html", "/news/bookfair.html", "/rss.xml"]
    with Fetcher(config(delay=0.3, concurrency=4)) as f:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda p: f.get(site.base + p), paths))
    times = sorted(t for t, p, _ in site.log)
    assert len(times) == 5  # robots.txt and the four
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.27, gaps


def test_huge_and_slow_answers_are_cut(site):
    with Fetcher(config(max_bytes=200_000)) as f:
        with pytest.raises(FetchError, match="too large"):
            f.get(site.base + "/huge.html")
    with Fetcher(config(total_timeout=1.0, retries=0)) as f:
        t0 = time.monotonic()
        with pytest.raises(FetchError, match="too slow"):
            f.get(site.base + "/slow.html")
        assert time.monotonic() - t0 < 3


def test_unreachable_port_is_a_fetch_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with Fetcher(config(retries=1)) as f:
        with pytest.raises(FetchError, match="network|robots"):
            f.get(f"http://127.0.0.1:{port}/")


# -- listings -------------------------------------------------------------------------------------
def test_feed_entries_with_dates_and_titles(site):
    with Fetcher(config()) as f:
        body = f.get(site.base + "/rss.xml").body
    entries = parse_feed(body, site.base + "/rss.xml")
    assert kind_of(body) == "feed"
    first = entries[0]
    assert first.url == site.base + "/news/hospital.html"
    assert first.title == "افتتاح مستشفى جديد في الزرقاء بسعة مئتي سرير"
    assert first.published == f"{DAY}T08:00:00Z"


def test_broken_feed_is_an_input_error_not_a_crash():
    with pytest.raises(InputError):
        parse_feed(b'<?xml version="1.0"?><rss><channel><title>\xd8\xae<item><link>', "http://x/feed")


def test_news_sitemap_plain_gzipped_and_index(site):
    with Fetcher(config()) as f:
        plain = f.get(site.base + "/sitemap.xml").body
        index = f.get(site.base + "/sitemap-index.xml").body
        packed = f.get(site.base + "/sitemaps/latest.xml.gz").body
    pages, children = parse_sitemap(plain, site.base + "/sitemap.xml")
    assert [p.url for p in pages] == [site.base + "/news/budget.html"] and not children
    assert pages[0].title.startswith("مجلس النواب") and pages[0].published.startswith(f"{DAY}T12")
    pages, children = parse_sitemap(index, site.base + "/sitemap-index.xml")
    assert not pages and children[0].url.endswith("/sitemaps/latest.xml.gz")
    assert packed[:2] == b"\x1f\x8b" and kind_of(packed) == "sitemap"
    pages, _ = parse_sitemap(packed, children[0].url)
    assert [p.url for p in pages] == [site.base + "/news/bookfair.html"]


def test_sitemap_entities_are_not_expanded_and_bombs_are_cut():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.example/&x;</loc>'
           b"</url></urlset>")
    pages, _ = parse_sitemap(xxe, "http://a.example/s.xml")
    assert all("root:" not in p.url for p in pages)
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000 + b"</urlset>")
    with pytest.raises(InputError, match="decompressed"):
        parse_sitemap(bomb, "http://a.example/s.xml.gz")


def test_urls_normalized_without_tracking_parameters():
    assert (normalize_url("HTTP://Example.COM:80/a?utm_source=rss&id=3&fbclid=x#top")
            == normalize_url("http://example.com/a?id=3"))


def test_robots_crawl_delay_is_obeyed(site):
    site.extra["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                 b"User-agent: marsad\nCrawl-delay: 0.6\nDisallow: /private/\n")
    with Fetcher(config(delay=0.05)) as f:
        for p in ("/news/hospital.html", "/news/budget.html", "/news/bookfair.html"):
            f.get(site.base + p)
    times = [t for t, p, _ in site.log if p.startswith("/news/")]
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.55


def test_missing_robots_allows_and_unreachable_robots_forbids(site):
    site.extra["/robots.txt"] = (404, {"Content-Type": "text/plain"}, b"")
    with Fetcher(config()) as f:
        assert f.get(site.base + "/private/draft.html").status == 200
    site.extra["/robots.txt"] = (503, {"Content-Type": "text/plain"}, b"")
    with Fetcher(config(retries=1)) as f:
        with pytest.raises(RobotsDisallowed):
            f.get(site.base + "/news/hospital.html")
    assert site.hits("/news/hospital.html") == 0


def test_atom_feed_with_relative_links():
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><title>وكالة النهار</title>
<entry><title>انطلاق معرض الكتاب</title><link rel="alternate" href="/news/bookfair.html"/>
<updated>2026-12-07T12:30:00+03:00</updated><id>urn:1</id></entry></feed>""".encode()
    [entry] = parse_feed(atom, "http://news.example/atom.xml")
    assert kind_of(atom) == "feed"
    assert entry.url == "http://news.example/news/bookfair.html"
    assert entry.title == "انطلاق معرض الكتاب" and entry.updated == "2026-12-07T09:30:00Z"


def test_crawl_delay_for_marsad_or_everyone():
    from marsad.fetch.http import crawl_delay

    text = "User-agent: *\nCrawl-delay: 5\n\nUser-agent: Googlebot\nUser-agent: marsad\nCrawl-delay: 2.5\nDisallow:\n"
    assert crawl_delay(text) == 2.5
    assert crawl_delay("User-agent: *\nDisallow: /x\nCrawl-delay: 3 # be gentle\n") == 3.0
    assert crawl_delay("User-agent: *\nDisallow: /x\n") is None
