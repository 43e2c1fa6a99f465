"""The HTTP API (under ``/api/``) and the web dashboard (at ``/``) over one marsad store.

``create_app(db_path, token=None, public_read=True)`` returns the FastAPI application that
``marsad serve`` runs. Reads (articles, stories with their briefs, storylines, entities, quotes,
claims, events, search) are public, or need the token when ``public_read`` is False. Writes
(``POST /api/ingest``) always need ``Authorization: Bearer <token>``; without a configured token
the server is read-only. Ingest runs the pipeline incrementally: the articles are extracted,
deduplicated, clustered and stored at once (and searchable at once); stories, entities and
briefs are recomputed in the background shortly after (or at once with ``?finish=sync``).

The OpenAPI document is at ``/openapi.json``. The interactive docs pages are off: they load
scripts from a CDN, and marsad works offline.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Iterable

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders

from marsad import budget
from marsad.budget import DEFAULT_TIME_LIMIT
from marsad.errors import InputError, MarsadError, StoreError
from marsad.model import Article, Claim, Event, Facts, Quote, RawDoc
from marsad.store import AnyStore, is_postgres, open_store
from marsad.web.throttle import FailureThrottle, client_key

log = logging.getLogger("marsad.api")

# Largest request body accepted (bytes). 5 MB: the longest ANT article is about 60 kB, so a
# POST of a few dozen long articles fits while a runaway upload is cut off early.
MAX_BODY_BYTES = 5_000_000
# Most records one JSON ingest request may carry (bounds the time one request holds the pipeline).
MAX_RECORDS = 500
# Largest page a list endpoint returns.
MAX_LIMIT = 200
# Largest offset a list or search accepts. SQLite takes 64-bit offsets and an offset past
# 2**63 - 1 raised OverflowError (a 500); a billion is beyond any store's size, so a larger
# offset is a client's mistake and gets a 422 like a negative one.
MAX_OFFSET = 1_000_000_000
# Search results kept for repeated queries while the store does not change (entries; each
# is one page of hits, a few kB).
SEARCH_CACHE = 512
# Seconds the background recomputation of stories/entities/briefs waits after the last ingest,
# so a burst of POSTs is followed by one recomputation, not one per request.
FINISH_DELAY = 1.0

_RECORD_FIELDS = ("title", "text", "url", "date", "source")
WEB_DIR = Path(__file__).resolve().parent / "web"


# -- the service: store, pipeline, cached derived views ----------------------------------------
class Service:
    """One store behind the API: read views with caches, and the incremental pipeline."""

    def __init__(self, store: AnyStore, use_embeddings: bool = False, with_facts: bool = True,
                 auto_finish: bool = True, separate_process: bool = True,
                 time_limit: float | None = DEFAULT_TIME_LIMIT):
        self.store = store
        self.use_embeddings = use_embeddings
        self.with_facts = with_facts
        self.time_limit = time_limit  # seconds per input, and per ingest request (marsad.budget)
        self.auto_finish = auto_finish
        self.separate_process = separate_process
        self._run: _Runner | None = None
        self._ingest_lock = threading.Lock()
        self._version = 0  # bumped on every write through this service
        self._cache: dict[str, tuple[Any, Any]] = {}
        self._cache_lock = threading.Lock()
        self._search_cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._search_key: tuple[int, int] | None = None
        self.search_hits = self.search_misses = 0
        self.search_times: deque[float] = deque(maxlen=10_000)  # server time of recent searches (s)
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._last_ingest = 0.0
        self._finisher: threading.Thread | None = None
        self.finish_error: str | None = None

    # -- versioning / caches ------------------------------------------------------------
    def _key(self) -> tuple[int, int]:
        return self._version, self.store.data_version()

    def _cached(self, name: str, build):
        key = self._key()
        with self._cache_lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
        value = build()
        with self._cache_lock:
            self._cache[name] = (key, value)
        return value

    def derived(self) -> dict[str, Any]:
        def build():
            stories = self.store.stories()
            storylines = self.store.storylines()
            entities = self.store.entities()
            return {
                "stories": stories, "story": {s.id: s for s in stories},
                "storylines": storylines, "storyline": {s.id: s for s in storylines},
                "entities": entities, "entity": {e.id: e for e in entities},
            }
        return self._cached("derived", build)

    def article_meta(self) -> dict[str, dict[str, Any]]:
        def build():
            return {r["id"]: r for r in self.store.article_index()}
        return self._cached("meta", build)

    def all_facts(self) -> dict[str, Facts]:
        return self._cached("facts", self.store.facts)

    def links_stored(self) -> bool:
        """Whether the store holds entity links (a store written before they were stored
        has none until its entities are next recomputed: facts are then matched by name)."""
        return self._cached("linked", self.store.has_entity_links)

    def _names_for(self, entity: str) -> set[str] | None:
        """None when facts about ``entity`` are found by their entity links (it is an entity's
        id and the store holds links); else the normalized names they are matched by (the
        entity's name and aliases, or ``entity`` itself taken as a name)."""
        from marsad.text import normalize_for_search

        e = self.derived()["entity"].get(entity)
        if e is not None and self.links_stored():
            return None
        return {normalize_for_search(n) for n in ([e.name, *e.aliases] if e else [entity]) if n}

    # -- reads ----------------------------------------------------------------------------
    def articles(self, limit: int, offset: int, story: str | None = None, outlet: str | None = None
                 ) -> dict[str, Any]:
        total, rows = self.store.list_articles(limit, offset, story=story, outlet=outlet)
        items = []
        for d in rows:
            text = d.pop("text", "") or ""
            d.pop("removed", None)
            d["lead"] = text[:280]
            items.append(d)
        return page(items, total, limit, offset)

    def article(self, article_id: str) -> tuple[Article, Facts]:
        a = self.store.get_article(article_id)
        if a is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return a, self.store.get_facts(article_id) or Facts()

    def story(self, story_id: str):
        s = self.derived()["story"].get(story_id)
        if s is None:
            raise HTTPException(404, f"no story with id {story_id!r}")
        return s

    def entity(self, entity_id: str):
        e = self.derived()["entity"].get(entity_id)
        if e is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        return e

    def facts_of(self, kind: str, story: str | None = None, article: str | None = None,
                 entity: str | None = None) -> list[dict[str, Any]]:
        """Quotes, claims or events, newest first, each with its article's outlet/date/story."""
        meta = self.article_meta()
        names = self._names_for(entity) if entity else None
        out = []
        for aid, f in self.all_facts().items():
            m = meta.get(aid)
            if m is None or (article and aid != article) or (story and m["story"] != story):
                continue
            for x in getattr(f, kind):
                if entity and not _fact_about(x, entity, names):
                    continue
                d = x.to_dict()
                d.update({"outlet": m["outlet"], "published": m["published"], "story": m["story"],
                          "title": m["title"]})
                out.append(d)
        out.sort(key=lambda d: (d["published"] or "", d["article"], d["evidence"]["start"]), reverse=True)
        return out

    def entity_view(self, entity_id: str) -> dict[str, Any]:
        """What an entity said over time (oldest first): its quotes, the claims it makes or
        whose claim is denied, the events it is an actor of; and the stories it appears in.
        Found by the stored entity links (by name only in a store without them)."""
        from marsad.text import normalize_for_search

        e = self.entity(entity_id)
        names = self._names_for(e.id)
        meta = self.article_meta()
        stories: dict[str, int] = {}
        found: dict[str, list[dict[str, Any]]] = {"quotes": [], "claims": [], "events": []}
        for aid, f in self.all_facts().items():
            m = meta.get(aid)
            if m is None:
                continue
            hit = any(mn.entity == e.id if names is None
                      else normalize_for_search(mn.canonical or mn.text) in names for mn in f.mentions)
            for kind, out in found.items():
                for x in getattr(f, kind):
                    if _fact_about(x, e.id, names):
                        hit = True
                        d = x.to_dict()
                        d.update({"outlet": m["outlet"], "published": m["published"], "story": m["story"],
                                  "title": m["title"]})
                        out.append(d)
            if hit and m["story"]:
                stories[m["story"]] = stories.get(m["story"], 0) + 1
        for out in found.values():
            out.sort(key=lambda d: (d["published"] or "", d["article"], d["evidence"]["start"]))
        known = self.derived()["story"]
        story_list = [{"id": sid, "title": known[sid].title if sid in known else sid, "articles": n,
                       "last_seen": known[sid].last_seen if sid in known else None}
                      for sid, n in stories.items()]
        story_list.sort(key=lambda s: (s["last_seen"] or "", s["articles"]), reverse=True)
        return {"entity": e.to_dict(), **found, "stories": story_list}

    def search(self, **kw) -> dict[str, Any]:
        """Search results, from a small cache while the store is unchanged: any commit (an
        ingest here, or another process writing the file) changes the key and empties it."""
        key = self._key()
        params = tuple(sorted(kw.items()))
        with self._cache_lock:
            if self._search_key != key:
                self._search_cache.clear()
                self._search_key = key
            hit = self._search_cache.get(params)
            if hit is not None:
                self._search_cache.move_to_end(params)
                self.search_hits += 1
                return hit
        result = self.store.search(**kw).to_dict()
        with self._cache_lock:
            if self._search_key == key:
                self._search_cache[params] = result
                while len(self._search_cache) > SEARCH_CACHE:
                    self._search_cache.popitem(last=False)
            self.search_misses += 1
        return result

    def stats(self, window: int | None = None) -> dict[str, Any]:
        d = self.derived()
        return {"articles": self.store.count_articles(), "stories": len(d["stories"]),
                "storylines": len(d["storylines"]), "entities": len(d["entities"]),
                "schema": self.store.schema_version, "derived_pending": self._dirty.is_set(),
                "search_cache": {"hits": self.search_hits, "misses": self.search_misses},
                "search_server_ms": _percentiles(list(self.search_times)[-window:] if window
                                                 else self.search_times),
                "finish_error": self.finish_error}

    # -- writes ---------------------------------------------------------------------------
    # -- the pipeline runs in a worker process (file stores) or in this process (":memory:")
    def _runner(self) -> "_Runner":
        if self._run is None:
            if not self.store.shared or not self.separate_process:
                self._run = _ThreadRunner(self.store, self.use_embeddings, self.with_facts, self.time_limit)
            else:
                self._run = _ProcessRunner(self.store.url, self.use_embeddings, self.with_facts,
                                           self.time_limit)
        return self._run

    def warm_up(self) -> None:
        """Start the pipeline ahead of the first ingest (loads its models and state)."""
        threading.Thread(target=self._warm, name="marsad-warm-up", daemon=True).start()

    def _warm(self) -> None:
        with self._ingest_lock:
            try:
                self._runner().prepare()
            except MarsadError as exc:  # reported again on the first ingest
                log.warning("pipeline not ready: %s", exc)

    def ingest(self, raws: list[RawDoc], finish: str = "background") -> dict[str, Any]:
        with self._ingest_lock:
            result = self._runner().ingest(raws)
            self._version += 1
            derived = "unchanged"
            if result["stored"]:
                if finish == "sync":
                    self._finish_locked()
                    derived = "updated"
                elif finish == "background" and self.auto_finish:
                    self._last_ingest = time.monotonic()
                    self._dirty.set()
                    self._ensure_finisher()
                    derived = "pending"
                else:
                    derived = "stale"
        result["derived"] = derived
        return result

    def finish(self) -> None:
        with self._ingest_lock:
            self._finish_locked()

    def _finish_locked(self) -> None:
        self._dirty.clear()
        try:
            self._runner().finish()
            self.finish_error = None
        except Exception as exc:  # reported in /api/stats; the stored articles stay searchable
            self.finish_error = f"{type(exc).__name__}: {exc}"
            log.exception("recomputing stories failed")
        self._version += 1

    def _ensure_finisher(self) -> None:
        if self._finisher is None or not self._finisher.is_alive():
            self._finisher = threading.Thread(target=self._finish_loop, name="marsad-finish", daemon=True)
            self._finisher.start()

    def _finish_loop(self) -> None:
        while not self._stop.is_set():
            if not self._dirty.wait(timeout=0.5):
                continue
            wait = FINISH_DELAY - (time.monotonic() - self._last_ingest)
            if wait > 0:
                self._stop.wait(wait)
                continue
            with self._ingest_lock:
                if self._dirty.is_set() and not self._stop.is_set():
                    self._finish_locked()

    def close(self) -> None:
        self._stop.set()
        if self._finisher is not None:
            self._finisher.join(timeout=30)
        if self._run is not None:
            self._run.close()


# -- where the pipeline runs ----------------------------------------------------------------------
def _report(report: Any) -> dict[str, Any]:
    return {"inputs": report.inputs, "stored": list(report.stored), "skipped": report.skipped,
            "errors": [{"origin": e.origin, "problem": e.problem} for e in report.errors]}


def _new_pipeline(store: AnyStore, use_embeddings: bool, with_facts: bool, time_limit: float | None):
    from marsad.pipeline import Pipeline

    return Pipeline(store, use_embeddings=use_embeddings, with_facts=with_facts, time_limit=time_limit)


def _ingest_bounded(pipeline: Any, raws: list[RawDoc], time_limit: float | None) -> dict[str, Any]:
    """One request's ingest: each input within ``time_limit`` seconds and the whole request
    too (an input the request's time does not reach is reported, not analysed), so one POST
    never holds the pipeline much longer than that."""
    with budget.bound(time_limit):
        return _report(pipeline.ingest(raws))


class _Runner:
    def prepare(self) -> None: ...
    def ingest(self, raws: list[RawDoc]) -> dict[str, Any]: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...


class _ThreadRunner(_Runner):
    """The pipeline in this process, on the server's own store (``:memory:`` stores)."""

    def __init__(self, store: AnyStore, use_embeddings: bool, with_facts: bool, time_limit: float | None):
        self.store, self.args, self.pipeline = store, (use_embeddings, with_facts, time_limit), None

    def prepare(self):
        if self.pipeline is None:
            self.pipeline = _new_pipeline(self.store, *self.args)
        return self.pipeline

    def ingest(self, raws):
        return _ingest_bounded(self.prepare(), raws, self.args[2])

    def finish(self):
        self.prepare().finish()


_WORKER: dict[str, Any] = {}


# Niceness of the ingest worker process: reads are interactive, ingest is background work
# that may wait. 10: in bench_serve's think-time run (50 clients, ingest running, shared
# 2-core machine) search latency went from p50 176 / p95 648 ms to p50 65 / p95 276 ms, and
# ingest throughput fell about 20% (24 → 19 POSTs of 25 articles in 30 s).
WORKER_NICE = 10


def _worker_init(db: str, use_embeddings: bool, with_facts: bool, time_limit: float | None) -> None:
    _WORKER.update(db=db, args=(use_embeddings, with_facts, time_limit))
    try:
        os.nice(WORKER_NICE)
    except (AttributeError, OSError):  # not on this platform, or not allowed: run at normal priority
        pass


def _worker_pipeline():
    if "pipeline" not in _WORKER:
        _WORKER["store"] = open_store(_WORKER["db"])
        _WORKER["pipeline"] = _new_pipeline(_WORKER["store"], *_WORKER["args"])
    return _WORKER["pipeline"]


def _worker_prepare() -> None:
    _worker_pipeline()


def _worker_ingest(raws: list[RawDoc]) -> dict[str, Any]:
    try:
        return _ingest_bounded(_worker_pipeline(), raws, _WORKER["args"][2])
    except MarsadError as exc:  # re-raised plainly: subclasses with other signatures do not unpickle
        raise MarsadError(str(exc)) from None


def _worker_finish() -> None:
    try:
        _worker_pipeline().finish()
    except MarsadError as exc:
        raise MarsadError(str(exc)) from None


class _ProcessRunner(_Runner):
    """The pipeline in one worker process with its own connection to the store file.

    CPU-bound extraction and clustering in a thread of the server would hold the GIL and
    stall every search behind it (measured: search p50 over 3 s at 50 clients while one
    ingest ran); in its own process it uses the other core and the server stays responsive.
    The articles it commits are visible to the server's readers at once (WAL)."""

    def __init__(self, db: str, use_embeddings: bool, with_facts: bool, time_limit: float | None):
        self.db, self.args = db, (use_embeddings, with_facts, time_limit)
        self.pool = None

    def _pool(self):
        if self.pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                                            initializer=_worker_init, initargs=(self.db, *self.args))
        return self.pool

    def _call(self, fn, *args):
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._pool().submit(fn, *args).result()
        except BrokenProcessPool:
            self.pool = None
            raise MarsadError("the ingest worker process died; it restarts on the next request") from None

    def prepare(self):
        self._call(_worker_prepare)

    def ingest(self, raws):
        return self._call(_worker_ingest, raws)

    def finish(self):
        self._call(_worker_finish)

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _percentiles(times: Any) -> dict[str, float] | None:
    """p50/p95/p99 (ms) of the server time of the recent searches (from request to response)."""
    xs = sorted(times)
    if not xs:
        return None
    pick = lambda p: round(xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000, 1)  # noqa: E731
    return {"count": len(xs), "p50": pick(50), "p95": pick(95), "p99": pick(99)}


def _fact_about(x: Any, entity_id: str, names: set[str] | None) -> bool:
    """Whether a quote (its speaker), claim (its claimant or the party whose claim it denies)
    or event (one of its actors) is about the entity: by its entity links when ``names`` is
    None, else by name (a store without links)."""
    from marsad.text import normalize_for_search

    if names is None:
        if isinstance(x, Quote):
            return x.speaker.entity == entity_id
        if isinstance(x, Claim):
            return entity_id in (x.claimant_entity, x.target_claimant_entity)
        if isinstance(x, Event):
            return entity_id in x.actor_entities
        return False
    sp = getattr(x, "speaker", None)
    if sp is not None:
        return sp.entity == entity_id or normalize_for_search(sp.name or "") in names
    claimant = getattr(x, "claimant", None)
    if claimant is not None:
        return normalize_for_search(claimant) in names
    actors = getattr(x, "actors", None) or []
    return any(normalize_for_search(a) in names for a in actors)


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _slice(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return page(items[offset:offset + limit], len(items), limit, offset)


# -- request bodies -----------------------------------------------------------------------------
async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) more than ``limit`` bytes, announced or streamed."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise HTTPException(413, f"request body too large: {declared} bytes (at most {limit})")
        except ValueError:
            raise HTTPException(400, "malformed Content-Length header") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body too large: more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        k, _, v = part.strip().partition("=")
        if k.lower() == "charset" and v:
            charset = v.strip('"').lower()
    try:
        text = body.decode(charset)
        _check_encodable(text, "body")
        return text
    except LookupError:
        raise HTTPException(415, f"unknown charset {charset[:40]!r}") from None
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"body is not valid {charset}: byte {exc.start} cannot be decoded") from None
    except ValueError as exc:  # codecs that fail otherwise (punycode, undefined: UnicodeError)
        raise HTTPException(400, f"body cannot be decoded as {charset}: {exc}") from None


def _check_encodable(text: str, what: str) -> None:
    """Refuse (400) text holding an unpaired UTF-16 surrogate (a JSON escape such as
    ``\\ud800``, or a charset like unicode_escape): it is not text, and nothing downstream
    can encode it (it was a 500)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HTTPException(400, f"{what}: unpaired surrogate {text[exc.start]!r} at character {exc.start} "
                                 "(not valid Unicode text)") from None


def check_date(name: str, value: str | None) -> None:
    """A search date filter must be a real calendar day (YYYY-MM-DD): «2024-13-45» used to
    match nothing and answer 200 as if the store held no such article."""
    if not value:
        return
    import datetime as dt

    try:
        dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise HTTPException(400, f"{name}: not a date: {value[:40]!r} (expected YYYY-MM-DD)") from None


def _origin(kind: str, content: str, url: str | None = None) -> str:
    if url:
        return url
    return f"api:{kind}:{hashlib.sha1(content.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def raws_from_json(text: str) -> list[RawDoc]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # 100,000 nested brackets: the parser gives up; a record is flat
        raise HTTPException(400, "malformed JSON: nested too deeply (a record is an object of "
                                 "string fields)") from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise HTTPException(400, f"malformed JSON: {str(exc).split(';')[0]}") from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise HTTPException(422, "empty list: send one record or a list of records")
    if len(records) > MAX_RECORDS:
        raise HTTPException(413, f"too many records: {len(records)} (at most {MAX_RECORDS} per request)")
    raws = []
    for i, rec in enumerate(records):
        where = f"record {i}" if isinstance(data, list) else "record"
        if not isinstance(rec, dict):
            raise HTTPException(422, f"{where}: expected an object with title, text, url, date, source; "
                                     f"got {type(rec).__name__}")
        unknown = sorted(set(rec) - set(_RECORD_FIELDS))
        if unknown:
            raise HTTPException(422, f"{where}: unknown field(s) {', '.join(unknown)}; "
                                     f"known: {', '.join(_RECORD_FIELDS)}")
        for k in _RECORD_FIELDS:
            if rec.get(k) is not None and not isinstance(rec[k], str):
                raise HTTPException(422, f"{where}: field {k!r} must be a string")
        if not (rec.get("text") or "").strip():
            raise HTTPException(422, f"{where}: field 'text' is required and must not be empty")
        fields = {k: rec[k] for k in _RECORD_FIELDS if rec.get(k) is not None}
        for k, v in fields.items():
            _check_encodable(v, f"{where}: field {k!r}")
        raws.append(RawDoc(origin=_origin("json", json.dumps(fields, ensure_ascii=False, sort_keys=True),
                                          rec.get("url")), kind="record", fields=fields))
    return raws


def raw_from_html(text: str) -> RawDoc:
    if not text.strip():
        raise HTTPException(422, "empty HTML document")
    try:
        import lxml.html

        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several types on garbage (ParserError, ValueError)
        raise HTTPException(400, f"malformed HTML: {exc}") from None
    if not root.text_content().strip():
        raise HTTPException(422, "the HTML document holds no text")
    return RawDoc(origin=_origin("html", text), kind="html", html=text)


def raw_from_text(text: str) -> RawDoc:
    if not text.strip():
        raise HTTPException(422, "empty text")
    return RawDoc(origin=_origin("text", text), kind="text", text=text)


# -- which Host headers the server answers ------------------------------------------------------
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """The name part of a Host value or of an --allow-host entry, lower-cased, IPv6 in brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[:value.find("]") + 1] if "]" in value else value
    if value.count(":") > 1:  # a bare IPv6 address
        return f"[{value}]"
    return value.partition(":")[0]


def allowed_hosts(bind: str, port: int, allow: Iterable[str] = ()) -> frozenset[str] | None:
    """The Host header values a server bound to ``bind``:``port`` answers; None: any.

    A server on a loopback address answers only ``localhost``, ``127.0.0.1``, ``[::1]`` (and
    the bound address) with its port: a page on another site whose name an attacker points at
    127.0.0.1 (DNS rebinding) sends its own name as Host and is refused, so it cannot read a
    public API nor a dashboard through the visitor's browser. ``allow`` adds names (``NAME``:
    any port; ``NAME:PORT``: that port only), e.g. the name a reverse proxy forwards; ``*``
    turns the check off. A server bound to another address checks only when ``allow`` is given.
    """
    allow = [a.strip().lower() for a in allow if a and a.strip()]
    if "*" in allow:
        return None
    loopback = is_loopback(bind)
    if not loopback and not allow:
        return None
    hosts: set[str] = set()
    if loopback:
        for name in {*LOOPBACK_NAMES, _host_name(bind)}:
            hosts.add(f"{name}:{port}")
            if port == 80:
                hosts.add(name)
    for a in allow:
        name = _host_name(a)
        port_part = _host_port(a)
        hosts.add(f"{name}:{port_part}" if port_part else f"{name}:*")  # ":*": any port, or none
    return frozenset(hosts)


def _host_port(value: str) -> str:
    """The port of a Host value or --allow-host entry ("" when it names none)."""
    value = value.strip()
    if value.startswith("["):
        tail = value[value.find("]") + 1:] if "]" in value else ""
    elif value.count(":") > 1:  # a bare IPv6 address has no port
        tail = ""
    else:
        tail = value[value.find(":"):] if ":" in value else ""
    return tail[1:] if tail.startswith(":") and tail[1:].isdigit() else ""


def host_allowed(host: str, allowed: frozenset[str] | None) -> bool:
    """Whether a request's Host header value is one ``allowed_hosts`` accepts."""
    if allowed is None:
        return True
    host = host.strip().lower()
    return bool(host) and (host in allowed or f"{_host_name(host)}:*" in allowed)


# -- the application ----------------------------------------------------------------------------
class _Guard:
    """ASGI middleware: refuses requests whose Host header the server does not answer (400,
    see ``allowed_hosts``) and announced bodies over the limit (413) before any handler reads
    them, and adds the security headers (a strict CSP on HTML: the dashboard runs no script
    and loads nothing from elsewhere). Plain ASGI, so it costs next to nothing per request,
    unlike an ``@app.middleware`` function."""

    def __init__(self, app: Any, max_body: int, timings: Any = None, hosts: frozenset[str] | None = None):
        self.app = app
        self.max_body = max_body
        self.timings = timings  # a deque that receives the server time of each search (s)
        self.hosts = hosts  # Host header values answered (None: any)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts is not None:
            host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"").decode("latin-1")
            if not host_allowed(host, self.hosts):
                resp = JSONResponse({"detail": f"this server does not answer to the host {host[:100]!r}; "
                                               "start it with --allow-host NAME to serve that name"},
                                    status_code=400)
                await resp(scope, receive, send)
                return
        for k, v in scope.get("headers", ()):
            if k == b"content-length" and v.isdigit() and int(v) > self.max_body:
                resp = JSONResponse({"detail": f"request body too large: {int(v)} bytes "
                                               f"(at most {self.max_body})"}, status_code=413)
                await resp(scope, receive, send)
                return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = (
                        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                        "base-uri 'none'; frame-ancestors 'none'")
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        if self.timings is not None and scope.get("path") == "/api/search":
            t0 = time.perf_counter()
            await self.app(scope, receive, send_with_headers)
            self.timings.append(time.perf_counter() - t0)
        else:
            await self.app(scope, receive, send_with_headers)


def create_app(db_path: str | Path | AnyStore, token: str | None = None, public_read: bool = True,
               use_embeddings: bool = False, with_facts: bool = True, auto_finish: bool = True,
               max_body: int = MAX_BODY_BYTES, separate_process: bool = True,
               warm_up: bool = True, hosts: frozenset[str] | None = None,
               throttle: FailureThrottle | None = None,
               time_limit: float | None = DEFAULT_TIME_LIMIT) -> FastAPI:
    """The API and dashboard over the store at ``db_path`` (created when missing).

    ``token``: the bearer token writes need (None: writes refused). ``public_read``: False makes
    every read (API and dashboard) need the token too. ``use_embeddings``/``with_facts`` configure
    the ingest pipeline; ``auto_finish`` recomputes stories and briefs in the background after an
    ingest. ``separate_process`` runs the pipeline in a worker process (file stores only), so
    ingest never stalls reads; ``warm_up`` starts it at start-up rather than on the first ingest.
    ``hosts``: the Host header values answered (``allowed_hosts``; None: any). ``throttle``:
    the wrong-token backoff shared by the API and ``/login`` (a fresh ``FailureThrottle``
    when None). ``time_limit``: seconds one ingested input may take, and one ingest request
    (inputs past it are reported in the answer's ``errors``; None: no limit).
    """
    store = open_store(str(db_path)) if isinstance(db_path, (str, Path)) else db_path
    search_waits = is_postgres(store.url)  # a search waits on another server (see api_search)
    service = Service(store, use_embeddings=use_embeddings, with_facts=with_facts, auto_finish=auto_finish,
                      separate_process=separate_process, time_limit=time_limit)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if token is not None and warm_up:
            service.warm_up()
        yield
        service.close()

    app = FastAPI(title="marsad", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Arabic news observatory: articles, stories with cited briefs, "
                              "entities, quotes, claims, events and Arabic full-text search.")
    app.state.service = service
    app.state.token = token
    app.state.public_read = public_read
    throttle = throttle if throttle is not None else FailureThrottle()
    app.state.throttle = throttle

    app.add_middleware(_Guard, max_body=max_body, timings=service.search_times, hosts=hosts)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(MarsadError)
    async def _marsad_error(request: Request, exc: MarsadError):
        return JSONResponse({"detail": str(exc)}, status_code=500)

    def presented_token(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.cookies.get("marsad_token") or None

    def check(request: Request, given: str | None) -> None:
        if token is None:
            raise HTTPException(403, "this server is read-only: start it with --token (or MARSAD_TOKEN) "
                                     "to allow writes")
        if given is None:
            raise HTTPException(401, "a bearer token is required (Authorization: Bearer <token>)",
                                headers={"WWW-Authenticate": "Bearer"})
        who = client_key(request)
        wait = throttle.retry_after(who)
        if wait:
            raise HTTPException(429, f"too many wrong tokens: try again in {wait} s",
                                headers={"Retry-After": str(wait)})
        if not hmac.compare_digest(given.encode(), token.encode()):
            throttle.failure(who)
            raise HTTPException(403, "invalid token")
        throttle.success(who)

    async def require_write(request: Request) -> None:
        # Writes take the header only (never the dashboard cookie), so no page can forge one.
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        check(request, value.strip() if scheme.lower() == "bearer" and value.strip() else None)

    def read_check(request: Request) -> None:
        if not public_read:
            if token is None:
                raise HTTPException(403, "reads are private but no token is configured")
            check(request, presented_token(request))

    async def require_read(request: Request) -> None:  # async: no worker-thread hop per request
        read_check(request)

    read = [Depends(require_read)]
    Limit = Query(20, ge=1, le=MAX_LIMIT, description="page size")
    Offset = Query(0, ge=0, le=MAX_OFFSET, description="items to skip")

    # -- API: reads ---------------------------------------------------------------------------
    @app.get("/api/stats", dependencies=read, tags=["meta"])
    def stats(window: int | None = Query(None, ge=1, description="server-time percentiles over the "
                                                               "last N searches")) -> dict[str, Any]:
        """How much the store holds; search cache and server-time figures."""
        return service.stats(window)

    @app.get("/api/sources", dependencies=read, tags=["meta"])
    def sources() -> dict[str, Any]:
        """Health of the sources `marsad watch` follows into this store: each listing's last
        fetch, status and error; pages fetched, failed and waiting for the pipeline."""
        from marsad.fetch.health import source_health

        return {"sources": source_health(service.store)}

    @app.get("/api/changes", dependencies=read, tags=["stories"])
    def changes(since: str | None = Query(None, description="UTC time, YYYY-MM-DD[THH:MM]; default "
                                                             "24 hours ago"),
                hours: float = Query(6.0, gt=0, le=24 * 30, description="window of the growing list"),
                limit: int = Limit) -> dict[str, Any]:
        """Stories new or grown since a time, and the fastest growing of the last hours
        (by when their articles were stored)."""
        from marsad.changes import parse_since, story_changes

        return story_changes(service.store, parse_since(since), hours=hours, limit=limit)

    @app.get("/api/alerts", dependencies=read, tags=["meta"])
    def alerts(limit: int = Limit) -> dict[str, Any]:
        """Watchlist alerts raised by `marsad watch`, newest first."""
        from marsad.alerts import load_alerts

        return {"alerts": list(reversed(load_alerts(service.store)["alerts"]))[:limit]}

    @app.get("/alerts.atom", dependencies=read, tags=["meta"])
    def alerts_atom(request: Request) -> Response:
        """Watchlist alerts as an Atom feed (the newest 100)."""
        from marsad.alerts import atom_feed, load_alerts

        return Response(atom_feed(load_alerts(service.store)["alerts"][-100:], str(request.base_url)),
                        media_type="application/atom+xml; charset=utf-8")

    @app.get("/api/articles", dependencies=read, tags=["articles"])
    def list_articles(limit: int = Limit, offset: int = Offset, story: str | None = None,
                      outlet: str | None = None) -> dict[str, Any]:
        """Articles, newest first (without their text; ``lead`` is its start)."""
        return service.articles(limit, offset, story=story, outlet=outlet)

    @app.get("/api/articles/{article_id}", dependencies=read, tags=["articles"])
    def get_article(article_id: str) -> dict[str, Any]:
        """One article with its text and the facts found in it."""
        a, f = service.article(article_id)
        d = a.to_dict()
        d["url"] = a.url
        d["quotes"] = [q.to_dict() for q in f.quotes]
        d["claims"] = [c.to_dict() for c in f.claims]
        d["events"] = [e.to_dict() for e in f.events]
        d["mentions"] = [{"text": m.text, "type": m.type, "start": m.start, "end": m.end,
                          "canonical": m.canonical, "role": m.role, "entity": m.entity} for m in f.mentions]
        return d

    @app.get("/api/stories", dependencies=read, tags=["stories"])
    def list_stories(limit: int = Limit, offset: int = Offset, storyline: str | None = None,
                     brief: bool = Query(False, description="include each story's brief")) -> dict[str, Any]:
        """Stories, most recently active first."""
        stories = service.derived()["stories"]
        if storyline:
            stories = [s for s in stories if s.storyline == storyline]
        out = _slice(stories, limit, offset)
        items = []
        for s in out["items"]:
            d = s.to_dict()
            if not brief:
                d.pop("brief", None)
            d["sources"] = len(s.outlets)
            items.append(d)
        out["items"] = items
        return out

    @app.get("/api/stories/{story_id}", dependencies=read, tags=["stories"])
    def get_story(story_id: str) -> dict[str, Any]:
        """One story with its brief (timeline, numbers, contradictions, who said what, cited
        summary, sources)."""
        return service.story(story_id).to_dict()

    @app.get("/api/storylines", dependencies=read, tags=["stories"])
    def list_storylines(limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        out = _slice(service.derived()["storylines"], limit, offset)
        out["items"] = [s.to_dict() for s in out["items"]]
        return out

    @app.get("/api/storylines/{storyline_id}", dependencies=read, tags=["stories"])
    def get_storyline(storyline_id: str) -> dict[str, Any]:
        sl = service.derived()["storyline"].get(storyline_id)
        if sl is None:
            raise HTTPException(404, f"no storyline with id {storyline_id!r}")
        return sl.to_dict()

    @app.get("/api/entities", dependencies=read, tags=["entities"])
    def list_entities(limit: int = Limit, offset: int = Offset,
                      type: str | None = Query(None, description="PERSON, ORG, PLACE or OTHER")) -> dict[str, Any]:
        """Entities, most mentioned first."""
        ents = service.derived()["entities"]
        if type:
            ents = [e for e in ents if e.type == type.upper()]
        out = _slice(ents, limit, offset)
        out["items"] = [e.to_dict() for e in out["items"]]
        return out

    @app.get("/api/entities/{entity_id}", dependencies=read, tags=["entities"])
    def get_entity(entity_id: str) -> dict[str, Any]:
        """An entity, what it said over time and the stories it appears in."""
        return service.entity_view(entity_id)

    def fact_endpoint(kind: str):
        def endpoint(limit: int = Limit, offset: int = Offset, story: str | None = None,
                     article: str | None = None,
                     entity: str | None = Query(None, description="entity id or name")) -> dict[str, Any]:
            return _slice(service.facts_of(kind, story=story, article=article, entity=entity), limit, offset)
        endpoint.__name__ = f"list_{kind}"
        endpoint.__doc__ = f"{kind.capitalize()} with their evidence, newest first."
        return endpoint

    for kind in ("quotes", "claims", "events"):
        app.get(f"/api/{kind}", dependencies=read, tags=["facts"])(fact_endpoint(kind))

    @app.get("/api/search", dependencies=read, tags=["search"])
    async def api_search(q: str = Query(..., max_length=500, description='words (all must match); "a phrase"'),
                   outlet: str | None = None, date_from: str | None = None, date_to: str | None = None,
                   story: str | None = None, entity: str | None = None, limit: int = Limit,
                   offset: int = Offset, facets: bool = False) -> JSONResponse:
        """Arabic full-text search (clitic- and spelling-insensitive, BM25-ranked); snippets are
        HTML with the text escaped and the hits in <mark>."""
        # Runs on the event loop: a search is a few milliseconds of SQLite on this thread's own
        # read-only connection, cheaper than the hop to a worker thread; ingest keeps the
        # worker threads to itself. A PostgreSQL search waits tens of milliseconds on its
        # server, and the loop would answer no one meanwhile: it runs on a worker thread (bench
        # serve, 25,220 ANT articles, 50 clients with 1 s think time: p50 814 ms, p95 2,670 ms
        # on the loop).
        check_date("date_from", date_from)
        check_date("date_to", date_to)
        kw = dict(query=q, outlet=outlet, date_from=date_from, date_to=date_to, story=story, entity=entity,
                  limit=limit, offset=offset, facets=facets)
        if search_waits:
            return JSONResponse(await run_in_threadpool(service.search, **kw))
        return JSONResponse(service.search(**kw))

    # -- API: writes --------------------------------------------------------------------------
    @app.post("/api/ingest", dependencies=[Depends(require_write)], tags=["ingest"], status_code=200,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"oneOf": [
                      {"$ref": "#/components/schemas/Record"},
                      {"type": "array", "items": {"$ref": "#/components/schemas/Record"}}]}},
                  "text/plain": {"schema": {"type": "string"}},
                  "text/html": {"schema": {"type": "string"}}}}})
    async def ingest(request: Request,
                     finish: str = Query("background", pattern="^(background|sync|none)$",
                                         description="recompute stories and briefs: in the background, "
                                                     "before answering, or not")) -> JSONResponse:
        """Add articles: a JSON record {title, text, url, date, source} or a list of them, or a
        text/plain or text/html body. Runs the pipeline incrementally; the stored articles are
        searchable at once."""
        body = await read_body(request, max_body)
        ctype = request.headers.get("content-type", "").lower()
        mime = ctype.split(";")[0].strip()
        if not body.strip():
            raise HTTPException(422, "empty body: send a JSON record, a list of records, text or HTML")
        if mime in ("application/json", "") or mime.endswith("+json"):
            raws = raws_from_json(_decode(body, ctype))
        elif mime == "text/plain":
            raws = [raw_from_text(_decode(body, ctype))]
        elif mime in ("text/html", "application/xhtml+xml"):
            raws = [raw_from_html(_decode(body, ctype))]
        else:
            raise HTTPException(415, f"unsupported content type {mime!r}: use application/json, "
                                     "text/plain or text/html")
        result = await run_in_threadpool(service.ingest, raws, finish)
        if not result["stored"] and not result["skipped"] and result["errors"]:
            return JSONResponse({"detail": "; ".join(f"{e['origin']}: {e['problem']}" for e in result["errors"]),
                                 **result}, status_code=422)
        return JSONResponse(result, status_code=201 if result["stored"] else 200)

    # -- dashboard ----------------------------------------------------------------------------
    from marsad.web import views

    views.mount(app, service, read_check, token, throttle)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    def openapi_with_record():
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Record"] = {
            "type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {k: {"type": "string"} for k in _RECORD_FIELDS}}
        schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi_with_record  # type: ignore[method-assign]
    return app


def _version() -> str:
    from marsad import __version__

    return __version__


# Seconds an idle keep-alive connection stays open. uvicorn's default (5 s) closes the
# connection of a reader who pauses longer than that between searches, and the client sees a
# broken connection (a request sent as the close arrives fails). 75 s (nginx's default): in
# bench_serve (wrk, 50 clients, exponential pauses of mean 1 s, 30 s, one run each) wrk
# counted 6 read errors in 1527 searches with 5 s, none with 75 s (two runs).
KEEP_ALIVE_S = 75


def server_config(app: Any, host: str = "127.0.0.1", port: int = 8000, **kw: Any):
    """The uvicorn configuration ``marsad serve`` uses (keep-alive above)."""
    import uvicorn

    kw.setdefault("timeout_keep_alive", KEEP_ALIVE_S)
    return uvicorn.Config(app, host=host, port=port, **kw)


def serve(db_path: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          public_read: bool = True, use_embeddings: bool = False, allow_hosts: Iterable[str] = (),
          time_limit: float | None = DEFAULT_TIME_LIMIT) -> None:
    """Run the API and dashboard with uvicorn (``marsad serve``); ``allow_hosts``: host names
    answered besides the loopback ones (see ``allowed_hosts``)."""
    import uvicorn

    app = create_app(db_path, token=token, public_read=public_read, use_embeddings=use_embeddings,
                     hosts=allowed_hosts(host, port, allow_hosts), time_limit=time_limit)
    uvicorn.Server(server_config(app, host, port, log_level="info")).run()
