"""Live sources: outlets' feeds, sitemaps and pages fetched politely and safely, and the
watch loop that feeds new articles through the incremental pipeline.

    sources.py   the sources file (TOML), URL normalization, feed and sitemap discovery
    guard.py     the address guard (public http/https only, unless a host is allowed)
    http.py      the polite fetcher: robots.txt, per-host delay, conditional GET, retries
    listings.py  feeds, sitemaps and URL lists parsed into entries (no network)
    watch.py     rounds: listings -> new pages -> store (raw HTML kept) -> pipeline; reextract
    health.py    per-source health read from the store (API, dashboard, `marsad sources status`)
    run.py       what `marsad watch` and `marsad serve --watch` run (signals, alerts after rounds)
"""

from marsad.fetch.http import FetchConfig, Fetched, Fetcher
from marsad.fetch.sources import Source, discover, load_sources, normalize_url, sources_from_args
from marsad.fetch.watch import PipelineSink, RoundReport, ServiceSink, Watcher

__all__ = ["FetchConfig", "Fetched", "Fetcher", "Source", "discover", "load_sources", "normalize_url",
           "sources_from_args", "PipelineSink", "ServiceSink", "RoundReport", "Watcher"]
