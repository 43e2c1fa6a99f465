"""What a listing names: the article URLs of an RSS/Atom feed, a (news) sitemap or sitemap
index (XML, gzipped or not, or the protocol's plain-text form) and a plain URL list.

Pure functions of the bytes fetched: nothing here touches the network. XML is parsed with
entity expansion and network access off, so a hostile sitemap cannot make marsad read a
file or a URL (XXE) or blow up memory (billion laughs).
"""

from __future__ import annotations

import calendar
import io
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

from marsad.errors import InputError

# The largest listing read after decompression: the sitemap protocol caps a file at 50 MB
# uncompressed (50,000 URLs).
MAX_LISTING_BYTES = 50_000_000

_ROOT = re.compile(rb"<\s*(?:[\w.-]+:)?(rss|feed|RDF|urlset|sitemapindex|html)\b", re.I)


@dataclass
class Entry:
    """One URL a listing names, with what the listing says of it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601 (UTC) when the listing dates it
    updated: str | None = None    # changes when the listing says the page changed


def gunzip(data: bytes, origin: str, limit: int = MAX_LISTING_BYTES) -> bytes:
    """Decompress gzip data, at most ``limit`` bytes out (a gzip bomb is cut, not expanded)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as exc:
        raise InputError(origin, f"broken gzip data ({exc})") from None
    if len(out) > limit:
        raise InputError(origin, f"more than {limit} bytes once decompressed")
    return out


def kind_of(data: bytes, content_type: str = "") -> str:
    """``feed``, ``sitemap`` (urlset or index), ``html`` or ``urls`` (plain list) from the bytes."""
    if data[:2] == b"\x1f\x8b":
        return "sitemap"  # gzip: feeds and pages come compressed by Content-Encoding, not as files
    m = _ROOT.search(data[:4096])
    if m:
        tag = m.group(1).decode("ascii").lower()
        if tag in ("rss", "feed", "rdf"):
            return "feed"
        if tag in ("urlset", "sitemapindex"):
            return "sitemap"
        return "html"
    ct = content_type.lower()
    if "rss" in ct or "atom" in ct:
        return "feed"
    if "html" in ct:
        return "html"
    head = data[:4096].decode("utf-8", "replace").split()
    if head and all(w.startswith(("http://", "https://")) for w in head[:20]):
        return "urls"
    return "html" if b"<" in data[:4096] else "urls"


def _iso(struct) -> str | None:
    if not struct:
        return None
    try:
        secs = calendar.timegm(struct)
    except (TypeError, ValueError, OverflowError):
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_feed(data: bytes, base_url: str) -> list[Entry]:
    """The entries of an RSS or Atom feed (feedparser; broken XML is read as far as it goes).
    ``InputError`` when nothing usable is in it."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": base_url})
    out: list[Entry] = []
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            for alt in e.get("links", []):
                if alt.get("href") and alt.get("rel", "alternate") == "alternate":
                    link = alt["href"]
                    break
        if not link:
            continue
        # dict.get: the stored values, without feedparser's deprecated updated/published fallback
        published = _iso(dict.get(e, "published_parsed")) or _iso(dict.get(e, "updated_parsed"))
        updated = _iso(dict.get(e, "updated_parsed")) or published
        out.append(Entry(urljoin(base_url, link.strip()), (e.get("title") or "").strip() or None,
                         published, updated))
    if not out and parsed.get("bozo"):
        raise InputError(base_url, f"not a readable feed ({parsed.get('bozo_exception')})")
    return out


def _xml_root(data: bytes, origin: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False,
                             remove_comments=True, remove_pis=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(origin, f"not readable XML ({exc})") from None
    if root is None:
        raise InputError(origin, "not readable XML")
    return root


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el, *names: str) -> str | None:
    for sub in el.iter():
        if _local(sub.tag) in names and sub.text and sub.text.strip():
            return sub.text.strip()
    return None


def parse_sitemap(data: bytes, base_url: str) -> tuple[list[Entry], list[Entry]]:
    """(pages, child sitemaps) of a sitemap or sitemap index, XML or plain text, gzipped or
    not. News-sitemap titles and publication dates are kept; ``lastmod`` is ``updated``."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, base_url)
    if _ROOT.search(data[:4096]) is None:
        return parse_url_list(data, base_url), []
    root = _xml_root(data, base_url)
    pages: list[Entry] = []
    children: list[Entry] = []
    index = _local(root.tag) == "sitemapindex"
    for el in root:
        name = _local(el.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = _child_text(el, "loc")
        if not loc:
            continue
        lastmod = _child_text(el, "lastmod")
        if index or name == "sitemap":
            children.append(Entry(urljoin(base_url, loc), updated=lastmod))
        else:
            published = _child_text(el, "publication_date")
            pages.append(Entry(urljoin(base_url, loc), _child_text(el, "title"), published or lastmod,
                               lastmod or published))
    if not pages and not children and _local(root.tag) not in ("urlset", "sitemapindex"):
        raise InputError(base_url, f"not a sitemap (root element <{_local(root.tag)}>)")
    return pages, children


def parse_url_list(data: bytes, base_url: str) -> list[Entry]:
    """One URL a line (blank lines and lines starting with # skipped)."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, base_url)
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(Entry(urljoin(base_url, line)))
    return out

