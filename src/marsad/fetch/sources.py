"""Sources: the outlets marsad watches, read from a TOML sources file or named by URL, and
the discovery of a homepage's feeds and sitemaps.

A sources file::

    contact = "desk@example.org"   # put in the User-Agent (optional; --contact overrides)
    every = "10m"                  # how often a round runs (optional; --every overrides)

    [[outlet]]
    name = "BBC عربي"               # the outlet stored with each article (``outlet`` overrides)
    feeds = ["https://feeds.bbci.co.uk/arabic/rss.xml"]
    sitemaps = []                  # news sitemaps or sitemap indexes, XML or gzipped
    lists = []                     # plain-text lists of article URLs, one a line
    urls = []                      # single article pages, fetched once

    [[watchlist]]                  # optional: alerts (see marsad.alerts)
    name = "أوكرانيا"
    keywords = ["محادثات السلام"]

A URL given instead of a file is a source of its own; what it is (feed, sitemap, URL list or
article page) is found from what it answers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from marsad.errors import FetchError, InputError

LIST_KEYS = ("feeds", "sitemaps", "lists", "urls")


@dataclass
class Source:
    """One outlet watched: where its article URLs are listed, and the outlet name stored with
    its articles (None: the name the page itself gives)."""

    name: str
    outlet: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    auto: list[str] = field(default_factory=list)  # URLs whose kind is found when fetched

    def listings(self) -> list[tuple[str, str]]:
        """(url, kind) of every listing this source fetches each round."""
        return ([(u, "feed") for u in self.feeds] + [(u, "sitemap") for u in self.sitemaps]
                + [(u, "urls") for u in self.lists] + [(u, "auto") for u in self.auto])


def normalize_url(url: str) -> str:
    """The form a URL is known by: scheme and host lower-cased, default port, fragment and
    tracking parameters (utm_*, fbclid, ...) dropped, query sorted (courlan)."""
    from courlan import normalize_url as courlan_normalize

    url = url.strip()
    try:
        return courlan_normalize(url, strict=True)
    except (ValueError, AttributeError):  # courlan refuses odd URLs: keep them as written
        return url


_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


def parse_every(text: str | int | float) -> float:
    """Seconds in ``90``, ``90s``, ``10m``, ``2h`` or ``1d``."""
    if isinstance(text, (int, float)):
        return float(text)
    m = _EVERY.match(text)
    if not m:
        raise InputError("--every", f"{text!r} is not a duration like 90s, 10m, 2h or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2).lower()]


def _strings(path: str, where: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(path, f"{where} must be a list of URL strings")
    for v in value:
        scheme = urlsplit(v.strip()).scheme.lower()
        if scheme not in ("http", "https"):
            raise InputError(path, f"{where}: {v!r} is not an http(s) URL")
    return [v.strip() for v in value]


def load_sources(path: str) -> tuple[list[Source], dict[str, Any]]:
    """The outlets of a TOML sources file and its settings (contact, every)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise InputError(path, "reading a sources file needs Python 3.11+ or the tomli package") from None
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML ({exc})") from None
    entries = data.get("outlet", data.get("outlets", []))
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "names no outlets (add [[outlet]] tables with name and feeds, "
                               "sitemaps, lists or urls)")
    sources = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InputError(path, f"outlet {i} needs a name")
        name = entry["name"].strip()
        outlet = entry.get("outlet", name)
        if outlet is not None and not isinstance(outlet, str):
            raise InputError(path, f"outlet {name!r}: outlet must be a string")
        lists = {k: _strings(path, f"outlet {name!r}: {k}", entry.get(k, [])) for k in LIST_KEYS}
        if not any(lists.values()):
            raise InputError(path, f"outlet {name!r} names no feeds, sitemaps, lists or urls")
        unknown = set(entry) - {"name", "outlet", *LIST_KEYS}
        if unknown:
            raise InputError(path, f"outlet {name!r}: unknown keys {sorted(unknown)}")
        sources.append(Source(name=name, outlet=(outlet or "").strip() or None, **lists))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise InputError(path, "two outlets have the same name")
    settings = {k: data[k] for k in ("contact", "every") if k in data}
    from marsad.alerts import watchlists_from

    settings["watchlists"], settings["webhook"] = watchlists_from(data, path)
    return sources, settings


def sources_from_args(args: list[str]) -> tuple[list[Source], dict[str, Any]]:
    """Sources from command-line arguments: sources files, or URLs (one source each)."""
    sources: list[Source] = []
    settings: dict[str, Any] = {}
    for arg in args:
        if urlsplit(arg).scheme.lower() in ("http", "https"):
            sources.append(Source(name=arg, auto=[arg]))
        elif os.path.exists(arg):
            found, sets = load_sources(arg)
            sources += found
            settings.setdefault("watchlists", []).extend(sets.pop("watchlists", []))
            for k, v in sets.items():
                if v is not None:
                    settings.setdefault(k, v)
        else:
            raise InputError(arg, "neither an http(s) URL nor an existing sources file")
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise InputError(" ".join(args), "two sources have the same name")
    return sources, settings


def discover(fetcher, url: str) -> dict[str, list[str]]:
    """The feeds and sitemaps of a site, from its homepage (``<link rel="alternate">`` and
    feed-like links, via trafilatura) and its robots.txt ``Sitemap:`` lines. Feed candidates
    are fetched to confirm they are feeds. ``FetchError`` when the homepage cannot be read."""
    from trafilatura.feeds import FeedParameters, determine_feed
    from trafilatura.sitemaps import extract_robots_sitemaps

    from marsad.fetch.listings import kind_of
    from marsad.ingest.readers import decode

    got = fetcher.get(url, accept="text/html,application/xhtml+xml,*/*;q=0.5")
    base = got.final_url
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    out: dict[str, list[str]] = {"feeds": [], "sitemaps": []}
    kind = kind_of(got.body, got.headers.get("content-type", ""))
    if kind in ("feed", "sitemap"):
        out[kind + "s"].append(base)
        return out
    try:
        html, _ = decode(got.body, base)
    except InputError:
        html = got.body.decode("utf-8", "replace")
    candidates = determine_feed(html, FeedParameters(origin, parts.netloc, base))
    for cand in candidates[:10]:
        try:
            probe = fetcher.get(cand, accept="application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
        except FetchError:
            continue
        if kind_of(probe.body, probe.headers.get("content-type", "")) == "feed":
            out["feeds"].append(cand)
    try:
        robots = fetcher.get(origin + "/robots.txt", robots=False, max_bytes=500_000)
        out["sitemaps"] = extract_robots_sitemaps(robots.body.decode("utf-8", "replace"), origin) or []
    except FetchError:
        pass
    return out
