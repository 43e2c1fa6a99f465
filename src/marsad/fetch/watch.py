"""The watch loop: every round reads each source's listings, fetches the article pages not
seen before and runs them through the incremental pipeline into the store.

What makes a restart lose nothing and fetch nothing twice:

- every page is recorded in the store (``fetch_pages``: the bytes the site sent, compressed,
  and the encoding they were read with) by the thread that fetched it, before it goes to the
  pipeline; a page recorded but not yet through the pipeline (a stop or a crash came between)
  is ingested at the start of the next round without being fetched again;
- a page is known by its normalized URL and fetched once; it is fetched again only when a
  listing gives it a newer ``updated`` date than the one it had, or when its last fetch
  failed for a passing reason (timeout, 429, 5xx; at most ``MAX_ATTEMPTS`` times);
- a listing's ETag/Last-Modified are stored only once every page it named was fetched (or
  failed for good), so a round cut short re-reads the listing in full next time instead of
  being told "304 Not Modified" about pages it never fetched.

``Watcher.stop`` (a ``threading.Event``; ``marsad watch`` sets it on SIGTERM or Ctrl-C) makes
the round stop handing out fetches; the fetches under way end (a response arriving may take
up to the read timeout), what they fetched is ingested, stories are recomputed, and the
round returns.
"""

from __future__ import annotations

import re
import time
import zlib
from datetime import datetime, timedelta, timezone
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from courlan.filters import extension_filter

from marsad.errors import AddressRefused, FetchError, InputError, MarsadError, RobotsDisallowed
from marsad.fetch.http import Fetcher, Stopped
from marsad.fetch.listings import Entry, gunzip, kind_of, parse_feed, parse_sitemap, parse_url_list
from marsad.fetch.sources import Source, normalize_url
from marsad.model import RawDoc
from marsad.store import AnyStore

# A page whose fetch failed for a passing reason is tried in at most this many rounds.
MAX_ATTEMPTS = 3
# Child sitemaps read from one sitemap index a round, the most recently modified first (news
# sites keep an index of monthly or daily sitemaps: the newest few hold what is new).
MAX_CHILD_SITEMAPS = 20
# Pages fetched from one source in one round; the rest wait for the next round (the listing
# is then re-read in full). 500 at one request a second is under ten minutes a host.
MAX_PAGES_PER_SOURCE = 500
# Fetched pages handed to the pipeline together (one checkpoint of the clustering state per
# batch rather than per page).
INGEST_BATCH = 20

# Entries a listing dates older than this are not fetched (seconds). News sitemaps hold two
# days by protocol and feeds a few days; a plain sitemap may list a whole archive, which a
# news monitor should not crawl. 7 days keeps every article of a week's feeds.
MAX_AGE = 7 * 86400.0
# Pages copied before they are extracted again, by ``reextract`` (bounds its memory).
REEXTRACT_CHUNK = 200
# Seconds between two progress lines during a long round.
PROGRESS_EVERY = 30.0

LISTING_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                  "text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


@dataclass
class SourceReport:
    """What one round did for one source."""

    listings: int = 0
    not_modified: int = 0
    failed: int = 0
    entries: int = 0
    fetched: int = 0
    stored: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class RoundReport:
    """What one round did, per source (``resumed``: pages fetched earlier, ingested now)."""

    sources: dict[str, SourceReport] = field(default_factory=dict)
    resumed: int = 0
    stored: list[str] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0

    @property
    def fetched(self) -> int:
        return sum(s.fetched for s in self.sources.values())


# -- where fetched pages go ---------------------------------------------------------------------
class PipelineSink:
    """Fetched pages into a ``marsad.pipeline.Pipeline`` over the watcher's own store."""

    def __init__(self, store: AnyStore, use_embeddings: bool = True, with_facts: bool = True):
        from marsad.pipeline import Pipeline

        self.pipeline = Pipeline(store, use_embeddings=use_embeddings, with_facts=with_facts)

    def ingest(self, raws: list[RawDoc]) -> tuple[list[str], list[InputError]]:
        report = self.pipeline.ingest(raws)
        return list(report.stored), list(report.errors)

    def finish(self) -> None:
        self.pipeline.finish()


class ServiceSink:
    """Fetched pages into a running API service (``marsad serve --watch``): its own pipeline
    takes them, and it recomputes stories in the background."""

    def __init__(self, service: Any):
        self.service = service

    def ingest(self, raws: list[RawDoc]) -> tuple[list[str], list[InputError]]:
        result = self.service.ingest(raws, finish="background")
        return list(result["stored"]), [InputError(e["origin"], e["problem"]) for e in result["errors"]]

    def finish(self) -> None:  # the service recomputes stories on its own
        return None


# -- pages -------------------------------------------------------------------------------------------
def decode_page(body: bytes, content_type: str, origin: str) -> tuple[str, str]:
    """(text, encoding): the charset the server or the page declares when the bytes decode
    cleanly with it, otherwise marsad's detection (UTF-8, windows-1256, ISO-8859-6, ...)."""
    from marsad.ingest.readers import decode

    declared = []
    m = re.search(r"charset\s*=\s*[\"']?([\w-]+)", content_type or "", re.I)
    if m:
        declared.append(m.group(1))
    m2 = _CHARSET.search(body[:4096])
    if m2:
        declared.append(m2.group(1).decode("ascii", "replace"))
    for enc in declared:
        try:
            return body.decode(enc), enc.lower()
        except (LookupError, UnicodeDecodeError):
            continue
    return decode(body, origin)


def page_text(blob: bytes, encoding: str | None) -> str:
    """The text of a page kept in the store (``Store.page_html``: the bytes as the site sent
    them, zlib-compressed) decoded with the encoding found when it was fetched."""
    return zlib.decompress(blob).decode(encoding or "utf-8", "replace")


def _transient(status: int | None, error: str | None) -> bool:
    if error is None:
        return False
    if status is None:
        return error.startswith(("timed out", "network", "HTTP 429", "HTTP 5", "too slow"))
    return status == 429 or status >= 500


def _older(entry: Entry, cutoff: datetime) -> bool:
    """Whether a listing dates an entry before ``cutoff`` (an undated entry is not old)."""
    text = entry.published or entry.updated
    if not text:
        return False
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when < cutoff


def _status_of(exc: FetchError) -> int | None:
    m = re.match(r"HTTP (\d{3})", exc.problem)
    return int(m.group(1)) if m else None


def _interleave_hosts(items: list[tuple[Source, str, Entry, dict]]) -> list[tuple[Source, str, Entry, dict]]:
    """Pages in turns, one host after another, so the fetch threads spread over the hosts
    instead of all queueing for one host's delay (in listing order within a host)."""
    from urllib.parse import urlsplit

    by_host: dict[str, list] = {}
    for item in items:
        by_host.setdefault(urlsplit(item[1]).netloc.lower(), []).append(item)
    queues = list(by_host.values())
    out = []
    for i in range(max((len(q) for q in queues), default=0)):
        out += [q[i] for q in queues if i < len(q)]
    return out


class Watcher:
    """Watches ``sources`` into ``store`` (see the module docstring).

    ``sink`` takes the fetched pages (``PipelineSink`` or ``ServiceSink``); ``fetcher`` does
    the polite, guarded HTTP and carries the ``stop`` event; ``say(line)`` receives progress
    and per-source health lines.
    """

    def __init__(self, store: AnyStore, sources: list[Source], sink: Any, fetcher: Fetcher,
                 say: Callable[[str], None] | None = None,
                 max_pages_per_source: int = MAX_PAGES_PER_SOURCE, max_age: float | None = MAX_AGE):
        self.store = store
        self.sources = sources
        self.sink = sink
        self.fetcher = fetcher
        self.stop = fetcher.stop
        self.say = say or (lambda line: None)
        self.max_pages_per_source = max_pages_per_source
        self.max_age = max_age or None  # seconds; None: any age
        self.workers = max(1, fetcher.config.concurrency)
        self._listing_of: dict[str, dict[str, Any]] = {}  # page url -> the listing naming it, this round

    # -- the loop -------------------------------------------------------------------------
    def run(self, every: float, once: bool = False,
            on_round: Callable[[RoundReport], None] | None = None) -> None:
        """Rounds every ``every`` seconds until ``stop`` is set (one round with ``once``). A
        round that fails with a MarsadError (e.g. the store held by another writer too long)
        is reported and the next one runs on time; with ``once`` the error is raised."""
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                report = self.run_round()
            except MarsadError as exc:
                if once:
                    raise
                self.say(f"error: the round failed ({exc}); the next one runs in {every:.0f} s")
                report = None
            if on_round is not None and report is not None:
                on_round(report)
            if once or self.stop.is_set():
                break
            self.stop.wait(max(0.0, every - (time.monotonic() - started)))

    def run_round(self) -> RoundReport:
        """One round: ingest what an earlier run fetched but did not ingest, read every
        listing, fetch the new pages, ingest them, recompute stories."""
        t0 = time.monotonic()
        report = RoundReport(sources={s.name: SourceReport() for s in self.sources})
        report.resumed = self.resume(report)
        if not self.stop.is_set():
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="marsad-fetch") as pool:
                listings = self._read_listings(pool, report)
                self._fetch_pages(pool, listings, report)
        if report.stored:
            self.say(f"recomputing stories ({len(report.stored)} new articles)")
            self.sink.finish()
        report.stopped = self.stop.is_set()
        report.seconds = time.monotonic() - t0
        for name, s in report.sources.items():
            line = (f"{name}: {s.listings} listings ({s.not_modified} unchanged, {s.failed} failed), "
                    f"{s.fetched} pages fetched, {s.stored} articles stored")
            self.say(line + (f"; {len(s.errors)} errors, first: {s.errors[0]}" if s.errors else ""))
        return report

    # -- resume ---------------------------------------------------------------------------
    def resume(self, report: RoundReport) -> int:
        """Ingest the pages fetched but not yet through the pipeline; returns how many."""
        pending = self.store.pending_pages()
        if not pending:
            return 0
        self.say(f"ingesting {len(pending)} pages fetched earlier and not yet analysed")
        raws = []
        for row in pending:
            hints = dict(row["hints"] or {})
            raws.append(RawDoc(origin=row["url"], kind="html", html=page_text(row["html"], row["encoding"]),
                               hints=hints))
        for i in range(0, len(raws), INGEST_BATCH):
            self._ingest(raws[i:i + INGEST_BATCH], report)
        return len(raws)

    # -- listings -------------------------------------------------------------------------
    def _read_listings(self, pool: ThreadPoolExecutor, report: RoundReport) -> list[dict[str, Any]]:
        todo = [(src, url, kind) for src in self.sources for url, kind in src.listings()]
        futures = {pool.submit(self._read_listing, src, url, kind): (src, url) for src, url, kind in todo}
        out = []
        for fut in futures:
            src, url = futures[fut]
            result = fut.result()
            sr = report.sources[src.name]
            sr.listings += 1
            if result["error"]:
                if not result.get("stopped"):
                    sr.failed += 1
                    sr.errors.append(f"{url}: {result['error']}")
            elif result["status"] == 304:
                sr.not_modified += 1
            sr.entries += len(result["entries"])
            out.append(result)
        return out

    def _read_listing(self, src: Source, url: str, kind: str) -> dict[str, Any]:
        """Fetch one listing (conditional GET) and its entries; never raises."""
        result: dict[str, Any] = {"source": src, "url": url, "kind": kind, "entries": [],
                                  "status": None, "error": None, "validators": (None, None),
                                  "children": []}
        state = self.store.listing_state(url)
        if kind == "auto":
            known = self.store.page_states([normalize_url(url)]).get(normalize_url(url))
            if known and not _transient(known["status"], known["error"]):
                result.update(kind="page", skip=True)  # a single article page, fetched once
                return result
        etag = state.get("etag") if state else None
        modified = state.get("last_modified") if state else None
        try:
            got = self.fetcher.get(url, etag=etag, last_modified=modified, accept=LISTING_ACCEPT)
        except Stopped:
            result.update(error="stopped", stopped=True)
            return result
        except FetchError as exc:
            result.update(error=exc.problem, status=_status_of(exc))
            self.store.save_listing_state(url, src.name, None if kind == "auto" else kind, result["status"],
                                          error=exc.problem)
            return result
        result["status"] = got.status
        result["validators"] = (got.headers.get("etag"), got.headers.get("last-modified"))
        if got.not_modified:
            return result
        found = kind
        try:
            body = gunzip(got.body, url) if got.body[:2] == b"\x1f\x8b" else got.body  # a .gz file
            if kind == "auto":
                found = kind_of(body, got.headers.get("content-type", ""))
            result["kind"] = found
            if found == "feed":
                result["entries"] = parse_feed(body, got.final_url)
            elif found == "sitemap":
                pages, children = parse_sitemap(body, got.final_url)
                result["entries"] = pages + self._read_children(src, children, result, depth=1)
            elif found == "urls":
                result["entries"] = parse_url_list(body, got.final_url)
            else:  # an article page named directly
                result["kind"] = "page"
                result["page"] = got
                result["entries"] = [Entry(url)]
        except InputError as exc:
            result.update(error=exc.problem, validators=(None, None))
            self.store.save_listing_state(url, src.name, found, got.status, error=exc.problem)
        return result

    def _read_children(self, src: Source, children: list[Entry], parent: dict[str, Any],
                       depth: int) -> list[Entry]:
        """The pages of a sitemap index's newest child sitemaps (each a conditional GET)."""
        children = sorted(children, key=lambda e: e.updated or "", reverse=True)[:MAX_CHILD_SITEMAPS]
        out: list[Entry] = []
        for child in children:
            if self.stop.is_set():
                parent["error"] = parent["error"] or "stopped"
                parent["stopped"] = True
                break
            state = self.store.listing_state(child.url)
            try:
                got = self.fetcher.get(child.url, etag=state.get("etag") if state else None,
                                       last_modified=state.get("last_modified") if state else None,
                                       accept=LISTING_ACCEPT)
            except Stopped:
                parent["stopped"] = True
                parent["error"] = "stopped"
                break
            except FetchError as exc:
                self.store.save_listing_state(child.url, src.name, "sitemap", _status_of(exc), error=exc.problem)
                continue
            pages: list[Entry] = []
            if not got.not_modified:
                try:
                    pages, grandchildren = parse_sitemap(got.body, got.final_url)
                except InputError as exc:
                    self.store.save_listing_state(child.url, src.name, "sitemap", got.status, error=exc.problem)
                    continue
                if grandchildren and depth < 2:
                    pages += self._read_children(src, grandchildren, parent, depth + 1)
            out += pages
            parent["children"].append((child.url, got.status, got.headers.get("etag"),
                                       got.headers.get("last-modified"), len(pages)))
        return out

    # -- pages ----------------------------------------------------------------------------
    def _candidates(self, listings: list[dict[str, Any]]) -> list[tuple[Source, str, Entry, dict]]:
        """(source, normalized url, entry, listing) of every page to fetch this round."""
        seen: set[str] = set()
        wanted: list[tuple[Source, str, Entry, dict]] = []
        cutoff = None
        if self.max_age:
            cutoff = datetime.now(timezone.utc) - timedelta(seconds=self.max_age)
        for listing in listings:
            for entry in listing["entries"]:
                if cutoff is not None and _older(entry, cutoff):
                    continue
                url = normalize_url(entry.url)
                if url in seen or not url.lower().startswith(("http://", "https://")):
                    continue
                if not extension_filter(url):  # images, PDFs, archives: not articles
                    continue
                seen.add(url)
                wanted.append((listing["source"], url, entry, listing))
        states = self.store.page_states([u for _, u, _, _ in wanted])
        out = []
        per_source: dict[str, int] = {}
        for src, url, entry, listing in wanted:
            st = states.get(url)
            if st is not None:
                newer = bool(entry.updated and st["updated"] and entry.updated > st["updated"])
                retry = _transient(st["status"], st["error"]) and st["attempts"] < MAX_ATTEMPTS
                if not (newer or retry):
                    continue
            n = per_source.get(src.name, 0)
            if n >= self.max_pages_per_source:
                listing["incomplete"] = True
                continue
            per_source[src.name] = n + 1
            out.append((src, url, entry, listing))
        return _interleave_hosts(out)

    def _fetch_pages(self, pool: ThreadPoolExecutor, listings: list[dict[str, Any]],
                     report: RoundReport) -> None:
        todo = self._candidates(listings)
        self._listing_of = {url: listing for _, url, _, listing in todo}
        if todo:
            self.say(f"fetching {len(todo)} new pages")
        futures: dict[Future, tuple[Source, str, Entry, dict]] = {}
        for item in todo:
            src, url, entry, listing = item
            futures[pool.submit(self._fetch_page, src, url, entry, listing.get("page"))] = item
        pending = set(futures)
        batch: list[RawDoc] = []
        shown = time.monotonic()
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            if time.monotonic() - shown >= PROGRESS_EVERY:
                shown = time.monotonic()
                self.say(f"{len(futures) - len(pending)}/{len(futures)} pages done, "
                         f"{len(report.stored)} articles stored so far")
            if self.stop.is_set():
                for fut in pending:
                    fut.cancel()
            for fut in done:
                if fut.cancelled():
                    continue
                src, url, entry, listing = futures[fut]
                raw, error, transient = fut.result()
                sr = report.sources[src.name]
                if raw is not None:
                    sr.fetched += 1
                    batch.append(raw)
                elif error is not None:
                    if error != "stopped":
                        sr.errors.append(f"{url}: {error}")
                    if transient or error == "stopped":
                        listing["incomplete"] = True
            pending = {f for f in pending if not f.cancelled()}
            if batch and (len(batch) >= INGEST_BATCH or not pending or self.stop.is_set()
                          or not any(f.done() for f in pending)):
                self._ingest(batch, report)
                batch = []
        if batch:
            self._ingest(batch, report)
        for fut, (_, _, _, listing) in futures.items():
            if fut.cancelled():
                listing["incomplete"] = True
        self._save_listings(listings, report)

    def _fetch_page(self, src: Source, url: str, entry: Entry, fetched: Any = None,
                    ) -> tuple[RawDoc | None, str | None, bool]:
        """Fetch one page and record it in the store; (raw doc, error, transient?)."""
        try:
            got = fetched if fetched is not None else self.fetcher.get(url, accept=PAGE_ACCEPT)
            text, encoding = decode_page(got.body, got.headers.get("content-type", ""), url)
        except Stopped:
            return None, "stopped", True
        except (AddressRefused, RobotsDisallowed) as exc:
            self.store.save_page(url, src.name, src.outlet, entry.updated, None, error=exc.problem)
            return None, exc.problem, False
        except FetchError as exc:
            status = _status_of(exc)
            self.store.save_page(url, src.name, src.outlet, entry.updated, status, error=exc.problem)
            return None, exc.problem, _transient(status, exc.problem)
        except InputError as exc:  # undecodable bytes: not a text page
            self.store.save_page(url, src.name, src.outlet, entry.updated, 200, error=exc.problem)
            return None, exc.problem, False
        hints = {"url": got.final_url, "outlet": src.outlet, "published": entry.published,
                 "encoding": encoding, "source": src.name}
        hints = {k: v for k, v in hints.items() if v}
        self.store.save_page(url, src.name, src.outlet, entry.updated, got.status, final_url=got.final_url,
                             encoding=encoding, html=zlib.compress(got.body, 6), hints=hints)
        return RawDoc(origin=url, kind="html", html=text, hints=hints), None, False

    def _ingest(self, raws: list[RawDoc], report: RoundReport) -> None:
        stored, errors = self.sink.ingest(raws)
        by_origin: dict[str, list[str]] = {}
        for aid in stored:
            article = self.store.get_article(aid)
            if article is not None:
                by_origin.setdefault(article.origin, []).append(aid)
        problems = {e.origin: e.problem for e in errors}
        for raw in raws:
            ids = by_origin.get(raw.origin, [])
            self.store.mark_page_ingested(raw.origin, ids, problems.get(raw.origin))
            name = raw.hints.get("source")
            sr = report.sources.get(name) if name else None
            listing = self._listing_of.get(raw.origin)
            if listing is not None:
                listing["new"] = listing.get("new", 0) + len(ids)
            if sr is not None:
                sr.stored += len(ids)
                if raw.origin in problems:
                    sr.errors.append(f"{raw.origin}: {problems[raw.origin]}")
        report.stored += stored

    def _save_listings(self, listings: list[dict[str, Any]], report: RoundReport) -> None:
        """Store each listing's validators, only when all it named was fetched (see the
        module docstring); count its new articles."""
        for listing in listings:
            if listing.get("skip") or listing.get("stopped") or (listing["error"] and listing["status"] is None
                                          and listing["kind"] != "page"):
                continue
            src: Source = listing["source"]
            if listing["error"]:
                continue  # recorded when it happened
            complete = not listing.get("incomplete") and not self.stop.is_set()
            etag, modified = listing["validators"] if complete else (None, None)
            self.store.save_listing_state(
                listing["url"], src.name, listing["kind"], listing["status"], etag=etag,
                last_modified=modified, entries=len(listing["entries"]), new=listing.get("new", 0))
            for url, status, c_etag, c_modified, n in listing["children"]:
                self.store.save_listing_state(url, src.name, "sitemap", status,
                                              etag=c_etag if complete else None,
                                              last_modified=c_modified if complete else None, entries=n)


def reextract(source: AnyStore, target: AnyStore, sink: Any, say: Callable[[str], None] | None = None) -> RoundReport:
    """Every page ``source`` keeps, through today's extraction and pipeline (``sink``) into
    ``target``, with the fetch state copied: after an extractor improves, a new store holds
    the watched articles extracted again, and watching goes on from it without refetching."""
    say = say or (lambda line: None)
    for row in source.listing_states():
        target.save_listing_state(row["url"], row["source"], row["kind"], row["status"], etag=row["etag"],
                                  last_modified=row["last_modified"], error=row["error"],
                                  entries=row["entries"], new=0)
    report = RoundReport()
    with Fetcher() as fetcher:  # no request is made: the pages come from the store
        watcher = Watcher(target, [], sink, fetcher, say=say)
        copied = 0
        for page in source.fetched_pages():
            target.save_page(page["url"], page["source"], page["outlet"], page["updated"], page["status"],
                             final_url=page["final_url"], encoding=page["encoding"], html=page["html"],
                             hints=page["hints"], error=page["error"])
            report.sources.setdefault(page["source"], SourceReport())
            copied += 1
            if copied % REEXTRACT_CHUNK == 0:
                report.resumed += watcher.resume(report)
        report.resumed += watcher.resume(report)
    if report.stored:
        sink.finish()
    return report
