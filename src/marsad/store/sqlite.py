"""The SQLite store (WAL mode, versioned schema).

Everything the pipeline reports as stored is committed: one input (with all its articles and
their facts) is written in one transaction, so a crash or Ctrl-C mid-batch leaves either the
whole input or nothing of it. The incremental state of dedup and story clustering is
checkpointed with the sequence number of the last article it covers; articles stored after a
checkpoint are replayed into the state on the next run (see ``marsad.pipeline``).

Several processes may write one store (two ``marsad analyze`` runs, the server's ingest):
``Store.writing()`` holds SQLite's write lock (``BEGIN IMMEDIATE``) for a whole block, so one
writer at a time reads what the others committed, places its articles and stores them.
Readers never wait for it (WAL). Every stored article's story has a row in ``stories`` that
lists it: the article is added to its story's row, or a placeholder row is written, in the
transaction that stores it, and ``finish`` replaces them all in one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from marsad.errors import StoreError
from marsad.model import Article, Entity, Facts, Story, Storyline
from marsad.store import codec, search

# Each entry moves the schema one version up. Never edit a released entry: append a new one.
MIGRATIONS: list[str] = [
    # 1: articles, facts, inputs seen, stories, storylines, entities, incremental state
    """
    CREATE TABLE inputs (
        key TEXT PRIMARY KEY,          -- origin + content hash: the same input twice adds nothing
        origin TEXT NOT NULL,
        articles INTEGER NOT NULL,
        stored_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL,
        part INTEGER NOT NULL,
        title TEXT,
        published TEXT,
        outlet TEXT,
        duplicate_of TEXT,
        story TEXT,
        data TEXT NOT NULL
    );
    CREATE INDEX articles_story ON articles(story);
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE TABLE facts (
        article TEXT PRIMARY KEY REFERENCES articles(id),
        data TEXT NOT NULL
    );
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        storyline TEXT,
        last_seen TEXT,
        data TEXT NOT NULL
    );
    CREATE TABLE storylines (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT, type TEXT, mentions INTEGER, data TEXT NOT NULL);
    CREATE TABLE state (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, value BLOB NOT NULL);
    """,
    # 2: full-text search over analyzed (normalized, clitic-split, stemmed) text; see store/search.py
    search.MIGRATION,
    # 3: compact outlet/day per article for search filters (filled for the stored articles too)
    search.MIGRATION_META,
    # 4: live sources (marsad.fetch): the conditional-GET state and health of every feed, sitemap
    # and URL list watched, and every page fetched, with its raw HTML (zlib) kept for re-extraction
    """
    CREATE TABLE IF NOT EXISTS fetch_listings (
        url TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        kind TEXT,
        etag TEXT,
        last_modified TEXT,
        fetched_at TEXT,
        status INTEGER,
        error TEXT,
        entries INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS fetch_pages (
        url TEXT PRIMARY KEY,          -- normalized URL: each page is fetched once
        source TEXT NOT NULL,
        outlet TEXT,
        updated TEXT,                  -- what the feed or sitemap said of it when fetched
        fetched_at TEXT NOT NULL DEFAULT (datetime('now')),
        status INTEGER,
        final_url TEXT,
        encoding TEXT,
        html BLOB,                     -- zlib-compressed bytes as the site sent them, or NULL
        hints TEXT,
        ingested INTEGER NOT NULL DEFAULT 0,
        articles TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX IF NOT EXISTS fetch_pages_pending ON fetch_pages(ingested);
    """,
    # 5: the cross-article entity each mention, quote speaker, claimant, target claimant and
    # event actor names (see codec.entity_links), written with the entities by replace_derived;
    # the facts rows themselves stay as stored
    """
    CREATE TABLE IF NOT EXISTS entity_links (
        article TEXT NOT NULL,
        kind TEXT NOT NULL,            -- mention | speaker | claimant | target | actor
        idx INTEGER NOT NULL,          -- the fact's place in its article's list
        sub INTEGER NOT NULL DEFAULT 0, -- the actor's place in its event's actors
        entity TEXT NOT NULL,
        PRIMARY KEY (article, kind, idx, sub)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS entity_links_entity ON entity_links(entity, article);
    """,
    # 6: the PostgreSQL store's BM25 postings (``search_postings``, article lengths in
    # ``search_meta``); FTS5 keeps its own postings, so nothing changes in a SQLite store: the
    # version moves so that a version names the same schema in both stores
    "-- nothing to do in SQLite",
]

SCHEMA_VERSION = len(MIGRATIONS)

# Seconds a writer waits for another process's write to end before a StoreError. The longest
# hold is the recomputation of stories, entities and briefs over the whole store (``finish``):
# on 2,000 ANT articles it held the store 15.7 s with facts (6.5 s without) on a busy 2-core
# machine, while storing one input holds it a few milliseconds. 1,800 s covers stores about
# a hundred times that size; a writer stuck longer than that is reported, not waited for.
WRITE_WAIT = 1800.0
# The wait is taken in slices this long (the SQLite busy timeout of one attempt), so that a
# waiting writer can say once that it waits and stop at its deadline.
WAIT_SLICE = 1.0
# SQLite busy timeout (ms) for every other statement (a reader waiting out a WAL checkpoint).
BUSY_MS = 30_000

log = logging.getLogger("marsad.store")


def _read_only(path: str, what: str) -> str:
    return (f"{path}: the store is read-only (no permission to write its {what}); "
            "analyse into a store you can write, e.g. --db another.db")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# An article just stored is listed in its story's row: a placeholder row when the story has
# none yet, else its id appended to the row's articles (see ``Store._list_in_story``).
_LIST_IN_STORY = ("INSERT INTO stories(id, storyline, last_seen, data) VALUES (?,?,?,?) ON CONFLICT(id)"
                  " DO UPDATE SET data = json_insert(data, '$.articles[#]', ?)")


@dataclass
class _ArticleRow:
    """One article to store, encoded before the store is held: its JSON, its facts' JSON
    and its search-index entry; ``seq`` once stored."""

    article: Article
    data: str
    facts: str
    entry: search.IndexEntry
    seq: int = 0

    @classmethod
    def of(cls, a: Article, f: Facts, entries: Mapping[str, search.IndexEntry] | None) -> "_ArticleRow":
        entry = entries.get(a.id) if entries else None
        return cls(a, _dumps(codec.article_to_dict(a)), _dumps(codec.facts_to_dict(f)),
                   entry if entry is not None else search.index_entry(a, f))

    def story_row(self) -> tuple:
        a = self.article
        return (a.story, None, a.published, _dumps(codec.placeholder_story(a).to_dict()), a.id)


class Store:
    """A marsad store in one SQLite file (``":memory:"`` for a throw-away one).

    One ``Store`` may be shared by threads: every call takes a lock around the connection.
    ``write_wait`` is how long (seconds) a write waits for another process writing the same
    file before it fails with a StoreError (see ``writing``).
    """

    def __init__(self, path: str | Path = ":memory:", write_wait: float = WRITE_WAIT):
        self.path = str(path)
        # the URL another process opens it by (``marsad.store.open_store``)
        self.url = self.path
        self.write_wait = write_wait
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                       timeout=BUSY_MS / 1000)
            self._set_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            if "readonly" in str(exc):
                raise StoreError(_read_only(self.path, "file")) from exc
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        self._lock = threading.RLock()
        self._writing = False  # a ``writing()`` block is open on this connection
        self._told_wait = False  # a wait for another writer was reported
        self._search_ready = False
        self._local_writes = 0  # commits through this connection (data_version misses them)
        self._migrate()

    def _set_wal(self) -> None:
        """WAL mode. Switching a new file to WAL needs it alone, and SQLite answers "locked"
        at once (no busy wait) when another process opening the same new store holds it, so
        the switch is retried for up to ``write_wait`` seconds."""
        deadline = time.monotonic() + self.write_wait
        pause = 0.01
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            try:
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: not a marsad store (or damaged): {exc}") from exc
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: store schema v{version} is newer than this marsad "
                                 f"(v{SCHEMA_VERSION}); upgrade marsad")
            if version == SCHEMA_VERSION:
                return
            # Read again once the store is held: another process opening it at the same time
            # may have migrated it meanwhile.
            with self.writing():
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                for v in range(version, SCHEMA_VERSION):
                    try:
                        for stmt in _statements(MIGRATIONS[v]):
                            self._db.execute(stmt)
                        self._db.execute(f"PRAGMA user_version = {v + 1}")
                    except sqlite3.Error as exc:
                        raise StoreError(f"{self.path}: migration to schema v{v + 1} failed: {exc}") from exc

    def check_writable(self) -> None:
        """A StoreError naming the store when this process may not write it (read-only file or
        folder), before any work is done that could not then be stored."""
        if self.path == ":memory:":
            return
        p = Path(self.path)
        folder = p.parent if str(p.parent) else Path(".")
        for what, target in (("file", p), ("folder", folder)):
            if target.exists() and not os.access(target, os.W_OK):
                raise StoreError(_read_only(self.path, what))

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    @property
    def shared(self) -> bool:
        """Whether another process can open this store (a file, not ``:memory:``)."""
        return self.path != ":memory:" and not self.path.startswith("file:")

    def data_version(self) -> int:
        """Changes when another connection commits to the file (SQLite's ``data_version``);
        writes through this connection are counted by ``_local_writes``."""
        with self._lock:
            return self._db.execute("PRAGMA data_version").fetchone()[0] * 1_000_003 + self._local_writes

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------
    @contextmanager
    def writing(self, wait: float | None = None) -> Iterator[None]:
        """Hold the store for writing until the block ends: one writer at a time, across
        threads, ``Store`` objects and processes.

        Opens a SQLite write transaction (``BEGIN IMMEDIATE``): what the block writes is
        committed together when it ends, or rolled back together when it raises, and no other
        connection writes in between (readers go on, WAL). The lock is SQLite's own, so a
        writer that dies releases it with its connection. A block inside another joins it.
        When another process holds the store, this waits and retries; after ``wait`` seconds
        (default ``write_wait``) it gives up with a StoreError that says so.
        """
        with self._lock:
            if self._writing:
                yield
                return
            self._begin(self.write_wait if wait is None else wait)
            self._writing = True
            try:
                yield
            except BaseException:
                self._writing = False
                self._end("ROLLBACK")
                raise
            self._writing = False
            self._end("COMMIT")
            self._local_writes += 1

    def _begin(self, wait: float) -> None:
        deadline = time.monotonic() + max(0.0, wait)
        try:
            while True:
                left = deadline - time.monotonic()
                self._db.execute(f"PRAGMA busy_timeout = {max(1, int(min(WAIT_SLICE, left) * 1000))}")
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "readonly" in str(exc):
                        raise StoreError(_read_only(self.path, "file")) from exc
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreError(f"{self.path}: another process has been writing to the store "
                                     f"for over {wait:g} s; try again once it has finished")
                if not self._told_wait:  # once per store: a long wait is said, not each short one
                    log.warning("%s: another process is writing to the store; waiting for it "
                                "(up to %g s)", self.path, wait)
                    self._told_wait = True
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def _end(self, statement: str) -> None:
        try:
            self._db.execute(statement)
        except sqlite3.Error as exc:
            if statement != "COMMIT":
                return  # SQLite has rolled the transaction back already (e.g. after an I/O error)
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise StoreError(f"{self.path}: could not commit to the store: {exc}") from exc

    def has_input(self, key: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM inputs WHERE key=?", (key,)).fetchone() is not None

    def has_article(self, article_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def add_input(self, key: str, origin: str, items: list[tuple[Article, Facts]]) -> int:
        """Store one input's articles and their facts in one transaction; returns how many
        articles were new (see ``add_inputs``)."""
        return self.add_inputs([(key, origin, items)])[0]

    def add_inputs(self, inputs: Sequence[tuple[str, str, list[tuple[Article, Facts]]]],
                   entries: Mapping[str, search.IndexEntry] | None = None) -> list[int]:
        """Store several inputs (key, origin, their articles and facts) in one transaction;
        returns how many articles of each were new. Articles already stored (same id) are left
        as they are. An article whose story has no row yet gets a placeholder row in the same
        transaction (replaced by the next ``replace_derived``), or is added to the row's
        articles, so no stored article names a story that is not there or is missing from its
        story's list. ``entries``: search-index entries already analysed, by article id (the
        others are analysed here, before the store is held).

        The rows are written a statement per table for the whole batch, and encoded before the
        store is held. On 2,000 ANT inputs with facts (``python -m benchmarks store``): 0.71 ms
        of CPU an article at 64 inputs a call, 1.34 ms at one input a call (2.37 ms before
        this batching and the faster encoding)."""
        rows = [(key, origin, [_ArticleRow.of(a, f, entries) for a, f in items]) for key, origin, items in inputs]
        counts: list[int] = []
        fresh: list[_ArticleRow] = []
        with self.writing():
            for _, _, items in rows:
                added = 0
                for r in items:
                    a = r.article
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO articles(id, origin, part, title, published, outlet,"
                        " duplicate_of, story, data) VALUES (?,?,?,?,?,?,?,?,?)",
                        (a.id, a.origin, a.part, a.title, a.published, a.outlet, a.duplicate_of, a.story,
                         r.data))
                    if cur.rowcount:
                        added += 1
                        r.seq = cur.lastrowid
                        fresh.append(r)
                counts.append(added)
            self._db.executemany("INSERT OR REPLACE INTO facts(article, data) VALUES (?,?)",
                                 [(r.article.id, r.facts) for r in fresh])
            search.index_entries(self._db, [(r.seq, r.entry) for r in fresh])
            self._db.executemany(_LIST_IN_STORY, [r.story_row() for r in fresh if r.article.story])
            self._db.executemany("INSERT OR IGNORE INTO inputs(key, origin, articles) VALUES (?,?,?)",
                                 [(key, origin, n) for (key, origin, _), n in zip(rows, counts)])
        return counts

    def _list_in_story(self, article: Article) -> None:
        """Add a just-stored article to its story's row (inside the open transaction), so that
        it is listed there before stories are next recomputed: a placeholder row when the story
        has none yet, else its id appended to the row's articles."""
        if not article.story:
            return
        self._db.execute(_LIST_IN_STORY, (article.story, None, article.published,
                                          _dumps(codec.placeholder_story(article).to_dict()), article.id))

    def set_article_story(self, article_id: str, story: str) -> None:
        self.set_article_stories({article_id: story})

    def set_article_stories(self, stories: Mapping[str, str]) -> None:
        """Set the story of each article in ``stories`` (article id -> story id; ids not
        stored are passed over) in one transaction, one statement for all: the column and the
        stored JSON's ``story`` (``json_set`` edits it in place, byte for byte as rewriting
        it in Python would). On 2,000 ANT articles: 0.022 ms of CPU an article, against
        0.065 ms for a read and an UPDATE each (``python -m benchmarks store``)."""
        if not stories:
            return
        with self.writing():
            self._db.executemany("UPDATE articles SET story=?1, data=json_set(data, '$.story', ?1) WHERE id=?2",
                                 [(sid, aid) for aid, sid in stories.items()])

    def replace_derived(self, stories: Iterable[Story], storylines: Iterable[Storyline],
                        entities: Iterable[Entity], facts: dict[str, Facts] | None = None) -> None:
        """Replace the derived tables (stories, storylines, entities) in one transaction, and
        with them the entity links of the articles in ``facts`` (article id -> its facts with
        their links set; None leaves the stored links as they are).

        Stories that stored articles still name but ``stories`` lacks (articles stored by
        another writer since these were computed) get a placeholder row listing them, so no
        article ever points to a story that is not there; the next recomputation replaces it."""
        stories = list(stories)
        with self.writing():
            if facts is not None:
                self._write_links(facts)
            self._db.execute("DELETE FROM stories")
            self._db.execute("DELETE FROM storylines")
            self._db.execute("DELETE FROM entities")
            self._db.executemany(
                "INSERT INTO stories(id, storyline, last_seen, data) VALUES (?,?,?,?)",
                [(s.id, s.storyline, s.last_seen, _dumps(s.to_dict())) for s in stories])
            self._db.executemany("INSERT INTO storylines(id, data) VALUES (?,?)",
                                 [(s.id, _dumps(s.to_dict())) for s in storylines])
            self._db.executemany(
                "INSERT INTO entities(id, name, type, mentions, data) VALUES (?,?,?,?,?)",
                [(e.id, e.name, e.type, e.mentions, _dumps(e.to_dict())) for e in entities])
            orphans = self._db.execute(
                "SELECT data FROM articles WHERE story IS NOT NULL AND story NOT IN (SELECT id FROM stories)"
                " ORDER BY seq").fetchall()
            for (data,) in orphans:
                self._list_in_story(codec.article_from_dict(json.loads(data)))

    def _write_links(self, facts: dict[str, Facts]) -> None:
        """Store the entity links of ``facts`` (inside the open transaction): only articles
        whose links differ from the stored ones are rewritten, so a recomputation that moves
        a few links writes a few rows."""
        stored = self._links()
        for aid, f in facts.items():
            links = sorted(codec.entity_links(f))
            if links == sorted(stored.get(aid, [])):
                continue
            self._db.execute("DELETE FROM entity_links WHERE article=?", (aid,))
            self._db.executemany("INSERT INTO entity_links(article, kind, idx, sub, entity) VALUES (?,?,?,?,?)",
                                 [(aid, *link) for link in links])

    def _links(self, article: str | None = None) -> dict[str, list[codec.EntityLink]]:
        """Stored entity links by article (of one article when named)."""
        sql = "SELECT article, kind, idx, sub, entity FROM entity_links"
        rows = self._db.execute(sql + " WHERE article=?", (article,)) if article else self._db.execute(sql)
        out: dict[str, list[codec.EntityLink]] = {}
        for aid, kind, idx, sub, eid in rows:
            out.setdefault(aid, []).append((kind, idx, sub, eid))
        return out

    def save_state(self, key: str, seq: int, value: bytes) -> None:
        self.save_states({key: value}, seq)

    def save_states(self, values: dict[str, bytes], seq: int) -> None:
        """Checkpoint several parts of the incremental state, all covering the articles up to
        ``seq``, in one transaction. A part already saved for a later ``seq`` (by another
        writer) is kept: it covers more."""
        with self.writing():
            self._db.executemany(
                "INSERT INTO state(key, seq, value) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE"
                " SET seq=excluded.seq, value=excluded.value WHERE excluded.seq >= state.seq",
                [(key, seq, value) for key, value in values.items()])

    def load_state(self, key: str) -> tuple[int, bytes] | None:
        return self.load_states([key]).get(key)

    def load_states(self, keys: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        """key -> (seq, value) for the saved parts among ``keys``, read in one snapshot."""
        keys = list(keys)
        with self._lock:
            rows = self._db.execute(
                f"SELECT key, seq, value FROM state WHERE key IN ({','.join('?' * len(keys))})",
                keys).fetchall()
        return {k: (seq, value) for k, seq, value in rows}

    # -- live sources (marsad.fetch) ---------------------------------------------------------
    def listing_state(self, url: str) -> dict[str, Any] | None:
        """The stored state of one watched feed, sitemap or URL list (None: never fetched)."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM fetch_listings WHERE url=?", (url,))
            row = cur.fetchone()
            return dict(zip([d[0] for d in cur.description], row)) if row else None

    def save_listing_state(self, url: str, source: str, kind: str | None, status: int | None,
                           etag: str | None = None, last_modified: str | None = None,
                           error: str | None = None, entries: int = 0, new: int = 0) -> None:
        """Record one fetch of a listing; a 304 or an error keeps the validators it had."""
        with self.writing():
            self._db.execute(
                "INSERT INTO fetch_listings(url, source, kind, etag, last_modified, fetched_at, status,"
                " error, entries, new, failures) VALUES (?,?,?,?,?,datetime('now'),?,?,?,?,?)"
                " ON CONFLICT(url) DO UPDATE SET source=excluded.source,"
                " kind=COALESCE(excluded.kind, kind), etag=COALESCE(excluded.etag, etag),"
                " last_modified=COALESCE(excluded.last_modified, last_modified),"
                " fetched_at=excluded.fetched_at, status=excluded.status, error=excluded.error,"
                " entries=excluded.entries, new=new + excluded.new,"
                " failures=CASE WHEN excluded.error IS NULL THEN 0 ELSE failures + 1 END",
                (url, source, kind, etag, last_modified, status, error, entries, new,
                 0 if error is None else 1))

    def listing_states(self) -> list[dict[str, Any]]:
        """Every watched listing's state, by source (for health reports)."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM fetch_listings ORDER BY source, url")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def page_states(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
        """url -> {updated, status, ingested, attempts, error} for the pages already fetched."""
        out: dict[str, dict[str, Any]] = {}
        urls = list(urls)
        with self._lock:
            for i in range(0, len(urls), 500):
                chunk = urls[i:i + 500]
                rows = self._db.execute(
                    "SELECT url, updated, status, ingested, attempts, error FROM fetch_pages WHERE url IN"
                    f" ({','.join('?' * len(chunk))})", chunk).fetchall()
                for url, updated, status, ingested, attempts, error in rows:
                    out[url] = {"updated": updated, "status": status, "ingested": ingested,
                                "attempts": attempts, "error": error}
        return out

    def save_page(self, url: str, source: str, outlet: str | None, updated: str | None,
                  status: int | None, final_url: str | None = None, encoding: str | None = None,
                  html: bytes | None = None, hints: dict[str, Any] | None = None,
                  error: str | None = None) -> None:
        """Record one page fetch (``html`` compressed by the caller); a page with HTML waits as
        not yet ingested until ``mark_page_ingested``. Fetching it again replaces the row."""
        with self.writing():
            self._db.execute(
                "INSERT INTO fetch_pages(url, source, outlet, updated, status, final_url, encoding, html,"
                " hints, ingested, error) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(url) DO UPDATE SET source=excluded.source, outlet=excluded.outlet,"
                " updated=excluded.updated, fetched_at=datetime('now'), status=excluded.status,"
                " final_url=excluded.final_url, encoding=excluded.encoding, html=excluded.html,"
                " hints=excluded.hints, ingested=excluded.ingested, articles=NULL,"
                " error=excluded.error, attempts=attempts + 1",
                (url, source, outlet, updated, status, final_url, encoding, html,
                 _dumps(hints or {}), 0 if html is not None else 1, error))

    def pending_pages(self) -> list[dict[str, Any]]:
        """Pages fetched but not yet through the pipeline (a stop or crash came between)."""
        with self._lock:
            cur = self._db.execute("SELECT url, source, outlet, final_url, encoding, html, hints"
                                   " FROM fetch_pages WHERE ingested=0 ORDER BY rowid")
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
        for r in rows:
            r["hints"] = json.loads(r["hints"] or "{}")
        return rows

    def fetched_pages(self, chunk: int = 200) -> Iterator[dict[str, Any]]:
        """Every fetched page in the order it was fetched (its kept bytes in ``html``, None
        for a failed fetch), read ``chunk`` rows at a time."""
        last = 0
        while True:
            with self._lock:
                cur = self._db.execute(
                    "SELECT rowid, url, source, outlet, updated, status, final_url, encoding, html, hints,"
                    " error FROM fetch_pages WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, chunk))
                names = [d[0] for d in cur.description]
                rows = [dict(zip(names, r)) for r in cur.fetchall()]
            if not rows:
                return
            for r in rows:
                last = r.pop("rowid")
                r["hints"] = json.loads(r["hints"] or "{}")
                yield r

    def mark_page_ingested(self, url: str, articles: list[str], error: str | None = None) -> None:
        with self.writing():
            self._db.execute("UPDATE fetch_pages SET ingested=1, articles=?, error=COALESCE(?, error)"
                             " WHERE url=?", (_dumps(articles), error, url))

    def page_html(self, url: str) -> bytes | None:
        """The compressed raw HTML kept for a fetched page (None when none was kept)."""
        with self._lock:
            row = self._db.execute("SELECT html FROM fetch_pages WHERE url=?", (url,)).fetchone()
        return row[0] if row else None

    def page_counts(self) -> dict[str, dict[str, int]]:
        """source -> {pages, failed, pending} over every page fetched."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, COUNT(*), SUM(html IS NULL), SUM(ingested=0) FROM fetch_pages"
                " GROUP BY source").fetchall()
        return {s: {"pages": n, "failed": f or 0, "pending": p or 0} for s, n, f, p in rows}

    # -- reading --------------------------------------------------------------------------
    def max_seq(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def count_articles(self, upto_seq: int | None = None) -> int:
        """How many articles are stored (with a sequence number up to ``upto_seq``)."""
        with self._lock:
            if upto_seq is None:
                return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            return self._db.execute("SELECT COUNT(*) FROM articles WHERE seq <= ?", (upto_seq,)).fetchone()[0]

    def articles(self, after_seq: int = 0) -> Iterator[Article]:
        """Every stored article in the order it was stored (after ``after_seq``)."""
        with self._lock:
            rows = self._db.execute("SELECT data FROM articles WHERE seq > ? ORDER BY seq", (after_seq,)).fetchall()
        for (data,) in rows:
            yield codec.article_from_dict(json.loads(data))

    def get_article(self, article_id: str) -> Article | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM articles WHERE id=?", (article_id,)).fetchone()
        return codec.article_from_dict(json.loads(row[0])) if row else None

    def article_index(self) -> list[dict[str, Any]]:
        """id, title, outlet, published, story, duplicate_of of every stored article."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, title, outlet, published, story, duplicate_of FROM articles").fetchall()
        return [{"id": r[0], "title": r[1], "outlet": r[2], "published": r[3], "story": r[4],
                 "duplicate_of": r[5]} for r in rows]

    def list_articles(self, limit: int, offset: int, story: str | None = None,
                      outlet: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(how many articles match, the stored dicts of one page of them), newest first."""
        where, args = [], []
        if story:
            where.append("story = ?")
            args.append(story)
        if outlet:
            where.append("outlet = ?")
            args.append(outlet)
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM articles {cond}", args).fetchone()[0]
            rows = self._db.execute(f"SELECT data FROM articles {cond} ORDER BY published DESC, seq DESC"
                                    f" LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return total, [json.loads(d) for (d,) in rows]

    def input_dates(self) -> dict[str, str]:
        """origin -> when its input was first stored (UTC, 'YYYY-MM-DD HH:MM:SS')."""
        with self._lock:
            rows = self._db.execute("SELECT origin, MIN(stored_at) FROM inputs GROUP BY origin").fetchall()
        return {o: d or "" for o, d in rows}

    def story_store_times(self, since: str, recent: str) -> list[tuple[str, int, int, int, str, str]]:
        """Per story (duplicates left out): (story, articles, stored at or after ``since``,
        stored at or after ``recent``, first stored, last stored), times as in ``input_dates``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.story, COUNT(*), SUM(i.t >= ?), SUM(i.t >= ?), MIN(i.t), MAX(i.t)"
                " FROM articles a JOIN (SELECT origin, MIN(stored_at) AS t FROM inputs GROUP BY origin) i"
                " ON i.origin = a.origin WHERE a.story IS NOT NULL AND a.duplicate_of IS NULL"
                " GROUP BY a.story", (since, recent)).fetchall()
        return [tuple(r) for r in rows]

    def facts(self) -> dict[str, Facts]:
        """Every article's facts, with their stored entity links."""
        with self._lock:
            if self._writing:
                rows, links = self._facts_rows(), self._links()
            else:  # one snapshot for the facts and their links
                self._db.execute("BEGIN")
                try:
                    rows, links = self._facts_rows(), self._links()
                finally:
                    self._db.execute("COMMIT")
        out = {a: codec.facts_from_dict(json.loads(d)) for a, d in rows}
        for a, got in links.items():
            if a in out:
                codec.apply_entity_links(out[a], got)
        return out

    def _facts_rows(self) -> list[tuple[str, str]]:
        return self._db.execute("SELECT f.article, f.data FROM facts f JOIN articles a ON a.id = f.article"
                                " ORDER BY a.seq").fetchall()

    def get_facts(self, article_id: str) -> Facts | None:
        """One article's facts, with their stored entity links."""
        with self._lock:
            row = self._db.execute("SELECT data FROM facts WHERE article=?", (article_id,)).fetchone()
            links = self._links(article_id).get(article_id, []) if row else []
        if not row:
            return None
        f = codec.facts_from_dict(json.loads(row[0]))
        return codec.apply_entity_links(f, links) if links else f

    def has_entity_links(self) -> bool:
        """Whether any entity link is stored (False for a store whose entities have not been
        recomputed since it was upgraded to hold them)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM entity_links LIMIT 1").fetchone() is not None

    def stories(self) -> list[Story]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM stories ORDER BY last_seen DESC, id").fetchall()
        return [codec.story_from_dict(json.loads(d)) for (d,) in rows]

    def storylines(self) -> list[Storyline]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM storylines ORDER BY id").fetchall()
        return [codec.storyline_from_dict(json.loads(d)) for (d,) in rows]

    def entities(self) -> list[Entity]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM entities ORDER BY mentions DESC, id").fetchall()
        return [codec.entity_from_dict(json.loads(d)) for (d,) in rows]

    def search(self, query: str, outlet: str | None = None, date_from: str | None = None,
               date_to: str | None = None, story: str | None = None, entity: str | None = None,
               limit: int = 20, offset: int = 0, facets: bool = False) -> "search.SearchResults":
        """Arabic full-text search (see ``marsad.store.search.search``)."""
        if not self._search_ready:
            search.backfill(self)
            self._search_ready = True
        return search.search(self, query, outlet=outlet, date_from=date_from, date_to=date_to,
                             story=story, entity=entity, limit=limit, offset=offset, facets=facets)

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for this backend's own search module and its tests (take
        ``lock``); nothing outside ``marsad.store`` uses it."""
        return self._db

    @property
    def lock(self) -> threading.RLock:
        return self._lock


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL literals)."""
    out = []
    for raw in script.split(";"):
        lines = [ln.split("--", 1)[0] for ln in raw.splitlines()]
        stmt = "\n".join(lines).strip()
        if stmt:
            out.append(stmt)
    return out
