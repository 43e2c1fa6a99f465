"""The PostgreSQL store: one database shared by several ``marsad serve`` processes and ingest
workers (psycopg 3, a connection pool per process).

It holds the tables of the SQLite store (``marsad.store.sqlite``) with the same meaning and
the same schema versions, and answers every method of ``marsad.store.base.AnyStore`` alike:

* **One writer at a time.** ``writing()`` opens a transaction and takes a transaction-level
  advisory lock (``pg_advisory_xact_lock``) that every writer of the database takes, so the
  pipeline's "catch up with what others stored -> place -> store -> recompute stories" runs
  for one process at a time, as SQLite's ``BEGIN IMMEDIATE`` makes it there. The lock goes
  with the transaction: a writer that dies releases it with its connection. Readers never
  wait (MVCC). Articles are numbered (``seq``) under that lock, so their order is the order
  they were committed in, which is what a writer catching up relies on.
* **Search** indexes marsad's own analysed terms (``marsad.store.search.analyze``:
  normalization, clitic split, light stem), never PostgreSQL's parsers: a ``tsvector`` of
  each article's terms (built with ``array_to_tsvector``, the ``simple`` way: no stemming
  of its own) and a GIN index find the articles holding a phrase's tokens, and postings
  (``search_postings``: each token's count in each article's title and body) with each
  article's length give what BM25 needs of a single token. A query is ranked in SQL with
  FTS5's own BM25 (same k1, b, IDF and column weights, the same floating-point operations
  in the same order), a phrase of several tokens counted on the server in the stored token
  strings, so the two backends give the same hits in the same order with the same scores
  and snippets, and only a page of rows leaves the server. The terms of a document are cut
  into index tokens as FTS5's ``unicode61`` tokenizer cuts them (``fts_tokens``).
* **Change counter.** A sequence (``marsad_changes``) is advanced after every committed
  write; ``data_version`` reads it, as SQLite's ``PRAGMA data_version`` serves the caches.

Text columns use the ``C`` collation, so ordering and comparisons are bytewise as in SQLite.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import weakref
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from marsad.errors import InputError, StoreError
from marsad.model import Article, Entity, Facts, Story, Storyline
from marsad.store import codec
from marsad.store import search as text_search
from marsad.store.search import SearchResults

try:  # an optional extra: pip install 'marsad[postgres]'
    import psycopg
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - reported when a postgresql:// store is opened
    psycopg = None  # type: ignore[assignment]
    ConnectionPool = None  # type: ignore[assignment,misc]

log = logging.getLogger("marsad.store")

_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"

# Each entry moves the schema one version up, as the SQLite store's MIGRATIONS do (same
# numbering: a version means the same tables in both). Never edit a released entry.
MIGRATIONS: list[str] = [
    # 1: articles, facts, inputs seen, stories, storylines, entities, incremental state
    f"""
    CREATE TABLE inputs (
        key TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        articles INTEGER NOT NULL,
        stored_at TEXT NOT NULL DEFAULT {_NOW}
    );
    CREATE TABLE articles (
        seq BIGSERIAL PRIMARY KEY,
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
    CREATE TABLE facts (article TEXT PRIMARY KEY REFERENCES articles(id), data TEXT NOT NULL);
    CREATE TABLE stories (id TEXT PRIMARY KEY, storyline TEXT, last_seen TEXT, data TEXT NOT NULL);
    CREATE TABLE storylines (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT, type TEXT, mentions INTEGER, data TEXT NOT NULL);
    CREATE TABLE state (key TEXT PRIMARY KEY, seq BIGINT NOT NULL, value BYTEA NOT NULL);
    CREATE SEQUENCE marsad_changes
    """,
    # 2: full-text search over analysed terms (see the module docstring)
    """
    CREATE TABLE search_docs (
        seq BIGINT PRIMARY KEY,
        title_terms TEXT NOT NULL,
        body_terms TEXT NOT NULL,
        title_tokens TEXT,             -- the terms cut as FTS5 cuts them, when that differs
        body_tokens TEXT,
        title_offsets BYTEA NOT NULL,
        body_offsets BYTEA NOT NULL,
        tokens INTEGER NOT NULL,
        tsv TSVECTOR NOT NULL
    );
    CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
    CREATE TABLE search_vocab (term TEXT PRIMARY KEY, docs INTEGER NOT NULL);
    CREATE TABLE search_mentions (seq BIGINT NOT NULL, key TEXT NOT NULL);
    CREATE INDEX search_mentions_key ON search_mentions(key, seq)
    """,
    # 3: compact outlet/day per article for search filters
    """
    CREATE TABLE search_meta (seq BIGINT PRIMARY KEY, outlet TEXT, day TEXT)
    """,
    # 4: live sources (marsad.fetch); ``ord`` keeps the order pages were first fetched in
    """
    CREATE TABLE fetch_listings (
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
    CREATE TABLE fetch_pages (
        ord BIGSERIAL,
        url TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        outlet TEXT,
        updated TEXT,
        fetched_at TEXT NOT NULL DEFAULT {now},
        status INTEGER,
        final_url TEXT,
        encoding TEXT,
        html BYTEA,
        hints TEXT,
        ingested INTEGER NOT NULL DEFAULT 0,
        articles TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX fetch_pages_pending ON fetch_pages(ingested)
    """.replace("{now}", _NOW),
    # 5: the cross-article entity each mention, speaker, claimant, target claimant and event
    # actor names (kind, idx, sub as in the SQLite store), written by replace_derived
    """
    CREATE TABLE entity_links (
        article TEXT NOT NULL,
        kind TEXT NOT NULL,
        idx INTEGER NOT NULL,
        sub INTEGER NOT NULL DEFAULT 0,
        entity TEXT NOT NULL,
        PRIMARY KEY (article, kind, idx, sub)
    );
    CREATE INDEX entity_links_entity ON entity_links(entity, article)
    """,
    # 6: BM25 postings: how often each index token occurs in each article's title and body,
    # and each article's length in tokens beside its outlet and day, so that a query of single
    # tokens is ranked in SQL over its tokens' postings instead of reading the token text of
    # every candidate (see ``PostgresStore.search``); filled for the stored articles from
    # their stored tokens. Written so that running it again changes nothing.
    """
    CREATE TABLE IF NOT EXISTS search_postings (
        term TEXT NOT NULL,
        seq BIGINT NOT NULL,
        title INTEGER NOT NULL,
        body INTEGER NOT NULL,
        PRIMARY KEY (term, seq) INCLUDE (title, body)
    );
    ALTER TABLE search_meta ADD COLUMN IF NOT EXISTS tokens INTEGER;
    UPDATE search_meta m SET tokens = d.tokens FROM search_docs d WHERE d.seq = m.seq AND m.tokens IS NULL;
    INSERT INTO search_postings(term, seq, title, body)
    SELECT t.term, t.seq, sum(t.title), sum(t.body) FROM (
        SELECT d.seq, w.term, 1 AS title, 0 AS body FROM search_docs d,
            unnest(string_to_array(COALESCE(d.title_tokens, d.title_terms), ' ')) AS w(term)
        UNION ALL
        SELECT d.seq, w.term, 0, 1 FROM search_docs d,
            unnest(string_to_array(COALESCE(d.body_tokens, d.body_terms), ' ')) AS w(term)
    ) t WHERE t.term <> '' GROUP BY t.term, t.seq
    ON CONFLICT DO NOTHING
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

# The advisory-lock key every marsad writer of a database takes (any fixed 64-bit number;
# this one spells "marsad").
WRITE_LOCK = 0x6D61727361640001
# Seconds a writer waits for another one, and the slice it waits in: as in the SQLite store
# (see WRITE_WAIT there for what it was sized on).
WRITE_WAIT = 1800.0
WAIT_SLICE = 1.0
# Connections per process. A server answers reads on several threads at once; 8 kept the
# API tests' concurrent readers from queueing, and 8 per process x a few processes stays
# far below PostgreSQL's default max_connections (100).
POOL_SIZE = 8
CONNECT_TIMEOUT = 10.0

# FTS5's BM25 constants (fts5_aux.c); ranking is done here exactly as FTS5 does it.
BM25_K1 = 1.2
BM25_B = 0.75
_TOKEN = re.compile(r"[^\W_]+")


# An article just stored is listed in its story's row: a placeholder row when the story has
# none yet, else its id appended to the row's articles (as in the SQLite store).
_LIST_IN_STORY = ("INSERT INTO stories(id, storyline, last_seen, data) VALUES (%s,%s,%s,%s) ON CONFLICT (id)"
                  " DO UPDATE SET data = jsonb_set(stories.data::jsonb, '{articles}',"
                  " COALESCE(stories.data::jsonb -> 'articles', '[]'::jsonb) || to_jsonb(%s::text))::text")


def fts_tokens(terms: str) -> list[str]:
    """Index tokens of a space-separated term string, cut as FTS5's ``unicode61`` tokenizer
    cuts them (letters and digits; everything else separates; case folded)."""
    return _TOKEN.findall(terms.lower())


def _safe(url: str) -> str:
    """The URL without its password (for messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _col(value: str | None) -> str | None:
    """A text value for a column: PostgreSQL text cannot hold NUL (the JSON copy keeps it)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _c_collation(stmt: str) -> str:
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', stmt) if stmt.lstrip().upper().startswith("CREATE TABLE") else stmt


class PostgresStore:
    """A marsad store in one PostgreSQL database (``postgresql://user:pw@host:port/db``).

    One object may be shared by threads: each thread reads on a pooled connection of its
    own, and a ``writing()`` block keeps one connection for the thread until it ends.
    """

    def __init__(self, url: str, write_wait: float = WRITE_WAIT, pool_size: int = POOL_SIZE):
        if psycopg is None:
            raise StoreError(f"{_safe(url)}: PostgreSQL stores need psycopg: pip install 'marsad[postgres]'")
        self.url = url
        self.name = _safe(url)
        self.write_wait = write_wait
        self._local = threading.local()
        self._told_wait = False
        # (last seq, documents, tokens) of the search index as last counted (``_doc_stats``)
        self._index_stats: tuple[int, int, int] = (-1, 0, 0)
        try:
            psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT)).close()
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: cannot connect to the store: {exc}".strip()) from exc
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True,
                                    kwargs={"autocommit": True}, timeout=CONNECT_TIMEOUT * 3,
                                    name="marsad")
        # a store never closed (a command that reads and exits) closes its pool at exit, before
        # the interpreter tears its threads down
        self._closer = weakref.finalize(self, self._pool.close)
        self._migrate()

    # -- connections ------------------------------------------------------------------------
    @contextmanager
    def _conn(self) -> Iterator[Any]:
        """This thread's connection in a ``writing()`` block, else a pooled one (autocommit)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: {exc}".strip()) from exc

    def _all(self, sql: str, args: Any = ()) -> list[tuple]:
        with self._conn() as conn:
            return conn.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Any = ()) -> tuple | None:
        with self._conn() as conn:
            return conn.execute(sql, args).fetchone()

    # -- schema -----------------------------------------------------------------------------
    def _version(self, conn: Any) -> int:
        if conn.execute("SELECT to_regclass('marsad_schema')").fetchone()[0] is None:
            return 0
        row = conn.execute("SELECT version FROM marsad_schema").fetchone()
        return row[0] if row else 0

    def _migrate(self) -> None:
        with self._conn() as conn:
            version = self._version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.name}: store schema v{version} is newer than this marsad "
                             f"(v{SCHEMA_VERSION}); upgrade marsad")
        if version == SCHEMA_VERSION:
            return
        with self.writing(), self._conn() as conn:  # read again once held: another may have migrated
            conn.execute("CREATE TABLE IF NOT EXISTS marsad_schema (version INTEGER NOT NULL)")
            version = self._version(conn)
            if not conn.execute("SELECT 1 FROM marsad_schema").fetchone():
                conn.execute("INSERT INTO marsad_schema(version) VALUES (0)")
            for v in range(version, SCHEMA_VERSION):
                try:
                    for stmt in _statements(MIGRATIONS[v]):
                        conn.execute(_c_collation(stmt))
                    conn.execute("UPDATE marsad_schema SET version = %s", (v + 1,))
                except psycopg.Error as exc:
                    raise StoreError(f"{self.name}: migration to schema v{v + 1} failed: {exc}") from exc

    @property
    def schema_version(self) -> int:
        with self._conn() as conn:
            return self._version(conn)

    @property
    def shared(self) -> bool:
        return True

    def check_writable(self) -> None:
        row = self._one("SELECT has_table_privilege(current_user, 'articles', 'INSERT')")
        if not row or not row[0]:
            raise StoreError(f"{self.name}: the store is read-only for this user (no INSERT on its "
                             "tables); analyse into a store you can write")

    def data_version(self) -> int:
        row = self._one("SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM marsad_changes")
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._closer()

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def writing(self, wait: float | None = None) -> Iterator[None]:
        """Hold the store for writing until the block ends: one writer at a time across
        threads, processes and machines (see the module docstring). What the block writes
        is committed together, or rolled back together when it raises; a block inside
        another joins it. After ``wait`` seconds (default ``write_wait``) of waiting for
        another writer it gives up with a StoreError that says so."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        try:
            with self._pool.connection() as conn:
                with conn.transaction():
                    self._hold(conn, self.write_wait if wait is None else wait)
                    self._local.conn = conn
                    try:
                        yield
                    finally:
                        self._local.conn = None
                try:
                    conn.execute("SELECT nextval('marsad_changes')")
                except psycopg.Error:  # not there before the first migration
                    pass
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: could not write to the store: {exc}".strip()) from exc

    def _hold(self, conn: Any, wait: float) -> None:
        # a free lock is taken in one round trip (the timed wait takes five: savepoint, timeout,
        # lock, release, timeout reset); storing 500 ANT articles without facts, under the
        # profiler on the shared 2-core machine, went from 14.0 s to 8.6 s
        if conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)).fetchone()[0]:
            return
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            left = deadline - time.monotonic()
            try:
                with conn.transaction():  # a savepoint: a timed-out wait leaves the transaction usable
                    conn.execute(f"SET LOCAL lock_timeout = {max(1, int(min(WAIT_SLICE, left) * 1000))}")
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                conn.execute("SET LOCAL lock_timeout = 0")
                return
            except psycopg.errors.LockNotAvailable:
                pass
            if time.monotonic() >= deadline:
                raise StoreError(f"{self.name}: another process has been writing to the store "
                                 f"for over {wait:g} s; try again once it has finished")
            if not self._told_wait:
                log.warning("%s: another process is writing to the store; waiting for it (up to %g s)",
                            self.name, wait)
                self._told_wait = True

    # -- articles ---------------------------------------------------------------------------
    def has_input(self, key: str) -> bool:
        return self._one("SELECT 1 FROM inputs WHERE key=%s", (key,)) is not None

    def has_article(self, article_id: str) -> bool:
        return self._one("SELECT 1 FROM articles WHERE id=%s", (article_id,)) is not None

    def add_input(self, key: str, origin: str, items: list[tuple[Article, Facts]]) -> int:
        """Store one input's articles and facts in one transaction (see ``add_inputs``)."""
        return self.add_inputs([(key, origin, items)])[0]

    def add_inputs(self, inputs: Sequence[tuple[str, str, list[tuple[Article, Facts]]]],
                   entries: Mapping[str, text_search.IndexEntry] | None = None) -> list[int]:
        """Store several inputs in one transaction; how many articles of each were new (as
        the SQLite store's ``add_inputs``). Every table gets one statement for the whole batch
        (``executemany`` in pipeline mode, or arrays unnested). On 2,000 ANT inputs with facts
        (``python -m benchmarks store``, local server): 0.99 ms of CPU an article (2.2 ms wall)
        at 64 inputs a call, against 2.61 ms (4.9 ms wall) one input a call before."""
        rows = [(key, origin, [(a, _dumps(codec.article_to_dict(a)), _dumps(codec.facts_to_dict(f)),
                                (entries or {}).get(a.id) or text_search.index_entry(a, f)) for a, f in items])
                for key, origin, items in inputs]
        flat = [r for _, _, items in rows for r in items]
        counts: list[int] = []
        with self.writing(), self._conn() as conn, conn.cursor() as cur:
            seqs: list[int | None] = []
            if flat:
                cur.executemany(
                    "INSERT INTO articles(id, origin, part, title, published, outlet, duplicate_of, story,"
                    " data) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO NOTHING RETURNING seq",
                    [(_col(a.id), _col(a.origin), a.part, _col(a.title), _col(a.published), _col(a.outlet),
                      _col(a.duplicate_of), _col(a.story), data) for a, data, _, _ in flat], returning=True)
                for _ in flat:  # one result per article: its seq, or nothing when it was there
                    row = cur.fetchone()
                    seqs.append(row[0] if row else None)
                    cur.nextset()
            k = 0
            for _, _, items in rows:
                counts.append(sum(1 for s in seqs[k:k + len(items)] if s is not None))
                k += len(items)
            fresh = [(seq, r) for seq, r in zip(seqs, flat) if seq is not None]
            if fresh:
                cur.executemany("INSERT INTO facts(article, data) VALUES (%s,%s) ON CONFLICT (article)"
                                " DO UPDATE SET data=excluded.data",
                                [(_col(a.id), facts) for _, (a, _, facts, _) in fresh])
                self._index_fresh(cur, [(seq, entry) for seq, (_, _, _, entry) in fresh])
                cur.executemany(_LIST_IN_STORY, [self._story_row(a) for _, (a, _, _, _) in fresh if a.story])
            cur.executemany("INSERT INTO inputs(key, origin, articles) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                            [(_col(key), _col(origin), n) for (key, origin, _), n in zip(rows, counts)])
        return counts

    def _index_fresh(self, cur: Any, rows: list[tuple[int, text_search.IndexEntry]]) -> None:
        """Add just-stored articles (seq, entry) to the search tables, inside the open
        transaction; nothing of these ``seq`` is indexed yet."""
        docs, vocab = [], Counter()
        post_term: list[str] = []
        post_seq: list[int] = []
        post_title: list[int] = []
        post_body: list[int] = []
        for seq, e in rows:
            tterms, bterms = " ".join(e.title_terms), " ".join(e.body_terms)
            ttoks, btoks = fts_tokens(tterms), fts_tokens(bterms)
            # kept only where they differ from the terms (a term with a dot or a capital): the
            # ranking then splits one stored string instead of re-cutting every candidate's
            # text (a 2,000-match query on the ANT store: 45% of its time was the re-cutting)
            ttok_s, btok_s = " ".join(ttoks), " ".join(btoks)
            distinct = sorted(set(ttoks) | set(btoks))
            vocab.update(distinct)
            in_title, in_body = Counter(ttoks), Counter(btoks)
            for t in distinct:
                post_term.append(t)
                post_seq.append(seq)
                post_title.append(in_title[t])
                post_body.append(in_body[t])
            docs.append((seq, tterms, bterms, None if ttok_s == tterms else ttok_s,
                         None if btok_s == bterms else btok_s, e.title_offsets, e.body_offsets,
                         len(ttoks) + len(btoks), distinct))
        cur.executemany(
            "INSERT INTO search_docs(seq, title_terms, body_terms, title_tokens, body_tokens, title_offsets,"
            " body_offsets, tokens, tsv) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,array_to_tsvector(%s::text[]))", docs)
        if vocab:  # how many of these articles hold each term, added in one statement
            terms = sorted(vocab)
            cur.execute("INSERT INTO search_vocab(term, docs) SELECT * FROM unnest(%s::text[], %s::int[])"
                        " ON CONFLICT (term) DO UPDATE SET docs = search_vocab.docs + excluded.docs",
                        (terms, [vocab[t] for t in terms]))
        if post_term:
            cur.execute("INSERT INTO search_postings(term, seq, title, body) SELECT * FROM unnest(%s::text[],"
                        " %s::bigint[], %s::int[], %s::int[])", (post_term, post_seq, post_title, post_body))
        cur.execute("INSERT INTO search_meta(seq, outlet, day, tokens) SELECT * FROM unnest(%s::bigint[],"
                    " %s::text[], %s::text[], %s::int[])",
                    ([seq for seq, _ in rows], [_col(e.outlet) for _, e in rows], [e.day for _, e in rows],
                     [d[7] for d in docs]))
        mentions = [(seq, _col(k)) for seq, e in rows for k in e.mention_keys]
        if mentions:
            cur.execute("INSERT INTO search_mentions(seq, key) SELECT * FROM unnest(%s::bigint[], %s::text[])",
                        ([m[0] for m in mentions], [m[1] for m in mentions]))

    @staticmethod
    def _story_row(article: Article) -> tuple:
        return (_col(article.story), None, _col(article.published),
                _dumps(codec.placeholder_story(article).to_dict()), _col(article.id))

    def _list_in_story(self, conn: Any, article: Article) -> None:
        """Add a just-stored article to its story's row, or write a placeholder row (as the
        SQLite store does)."""
        if not article.story:
            return
        conn.execute(_LIST_IN_STORY, self._story_row(article))

    def set_article_story(self, article_id: str, story: str) -> None:
        self.set_article_stories({article_id: story})

    def set_article_stories(self, stories: Mapping[str, str]) -> None:
        """Set the story of each article in ``stories`` (ids not stored are passed over) in one
        transaction: the stored JSON of those articles read in one statement, rewritten here
        (as the SQLite store's ``json_set`` leaves it: same keys, same order) and written
        back with the column in one ``UPDATE ... FROM unnest(...)``."""
        if not stories:
            return
        wanted = {_col(aid): sid for aid, sid in stories.items()}
        with self.writing(), self._conn() as conn:
            rows = conn.execute("SELECT id, data FROM articles WHERE id = ANY(%s)", (sorted(wanted),)).fetchall()
            ids, sids, datas = [], [], []
            for aid, data in rows:
                d = json.loads(data)
                d["story"] = wanted[aid]
                ids.append(aid)
                sids.append(_col(wanted[aid]))
                datas.append(_dumps(d))
            if ids:
                conn.execute("UPDATE articles a SET story = v.story, data = v.data FROM unnest(%s::text[],"
                             " %s::text[], %s::text[]) AS v(id, story, data) WHERE a.id = v.id",
                             (ids, sids, datas))

    def replace_derived(self, stories: Iterable[Story], storylines: Iterable[Storyline],
                        entities: Iterable[Entity], facts: dict[str, Facts] | None = None) -> None:
        """Replace stories, storylines and entities in one transaction, with the entity links
        of the articles in ``facts`` (None: links left as they are); stories that stored
        articles name but the new rows lack get a placeholder (as the SQLite store does)."""
        stories = list(stories)
        with self.writing(), self._conn() as conn:
            if facts is not None:
                self._write_links(conn, facts)
            conn.execute("DELETE FROM stories")
            conn.execute("DELETE FROM storylines")
            conn.execute("DELETE FROM entities")
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO stories(id, storyline, last_seen, data) VALUES (%s,%s,%s,%s)",
                                [(_col(s.id), _col(s.storyline), _col(s.last_seen), _dumps(s.to_dict()))
                                 for s in stories])
                cur.executemany("INSERT INTO storylines(id, data) VALUES (%s,%s)",
                                [(_col(s.id), _dumps(s.to_dict())) for s in storylines])
                cur.executemany("INSERT INTO entities(id, name, type, mentions, data) VALUES (%s,%s,%s,%s,%s)",
                                [(_col(e.id), _col(e.name), _col(e.type), e.mentions, _dumps(e.to_dict()))
                                 for e in entities])
            orphans = conn.execute(
                "SELECT data FROM articles WHERE story IS NOT NULL AND story NOT IN (SELECT id FROM stories)"
                " ORDER BY seq").fetchall()
            for (data,) in orphans:
                self._list_in_story(conn, codec.article_from_dict(json.loads(data)))

    def _write_links(self, conn: Any, facts: dict[str, Facts]) -> None:
        """Store the entity links of ``facts``, rewriting only the articles whose links changed
        (as the SQLite store does)."""
        stored = _links_by_article(conn.execute("SELECT article, kind, idx, sub, entity FROM entity_links"))
        changed = {aid: sorted(codec.entity_links(f)) for aid, f in facts.items()}
        changed = {aid: links for aid, links in changed.items() if links != sorted(stored.get(aid, []))}
        if not changed:
            return
        conn.execute("DELETE FROM entity_links WHERE article = ANY(%s)", ([_col(a) for a in changed],))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO entity_links(article, kind, idx, sub, entity) VALUES (%s,%s,%s,%s,%s)",
                            [(_col(aid), kind, idx, sub, _col(eid))
                             for aid, links in changed.items() for kind, idx, sub, eid in links])

    def has_entity_links(self) -> bool:
        """Whether any entity link is stored (see the SQLite store)."""
        return self._one("SELECT 1 FROM entity_links LIMIT 1") is not None

    # -- incremental state ------------------------------------------------------------------
    def save_state(self, key: str, seq: int, value: bytes) -> None:
        self.save_states({key: value}, seq)

    def save_states(self, values: dict[str, bytes], seq: int) -> None:
        """Checkpoint parts of the state covering articles up to ``seq`` in one transaction;
        a part already saved for a later ``seq`` is kept."""
        with self.writing(), self._conn() as conn:
            for key, value in values.items():
                conn.execute(
                    "INSERT INTO state(key, seq, value) VALUES (%s,%s,%s) ON CONFLICT (key) DO UPDATE"
                    " SET seq=excluded.seq, value=excluded.value WHERE excluded.seq >= state.seq",
                    (key, seq, bytes(value)))

    def load_state(self, key: str) -> tuple[int, bytes] | None:
        return self.load_states([key]).get(key)

    def load_states(self, keys: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        rows = self._all("SELECT key, seq, value FROM state WHERE key = ANY(%s)", (list(keys),))
        return {k: (seq, bytes(value)) for k, seq, value in rows}

    # -- live sources -----------------------------------------------------------------------
    def _dicts(self, sql: str, args: Any = ()) -> list[dict[str, Any]]:
        with self._conn() as conn:
            cur = conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    _LISTING = ("url, source, kind, etag, last_modified, fetched_at, status, error, entries, new, failures")

    def listing_state(self, url: str) -> dict[str, Any] | None:
        rows = self._dicts(f"SELECT {self._LISTING} FROM fetch_listings WHERE url=%s", (url,))
        return rows[0] if rows else None

    def save_listing_state(self, url: str, source: str, kind: str | None, status: int | None,
                           etag: str | None = None, last_modified: str | None = None,
                           error: str | None = None, entries: int = 0, new: int = 0) -> None:
        with self.writing(), self._conn() as conn:
            conn.execute(
                "INSERT INTO fetch_listings(url, source, kind, etag, last_modified, fetched_at, status,"
                f" error, entries, new, failures) VALUES (%s,%s,%s,%s,%s,{_NOW},%s,%s,%s,%s,%s)"
                " ON CONFLICT (url) DO UPDATE SET source=excluded.source,"
                " kind=COALESCE(excluded.kind, fetch_listings.kind),"
                " etag=COALESCE(excluded.etag, fetch_listings.etag),"
                " last_modified=COALESCE(excluded.last_modified, fetch_listings.last_modified),"
                " fetched_at=excluded.fetched_at, status=excluded.status, error=excluded.error,"
                " entries=excluded.entries, new=fetch_listings.new + excluded.new,"
                " failures=CASE WHEN excluded.error IS NULL THEN 0 ELSE fetch_listings.failures + 1 END",
                (_col(url), _col(source), _col(kind), _col(etag), _col(last_modified), status, _col(error),
                 entries, new, 0 if error is None else 1))

    def listing_states(self) -> list[dict[str, Any]]:
        return self._dicts(f"SELECT {self._LISTING} FROM fetch_listings ORDER BY source, url")

    def page_states(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
        urls = list(urls)
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(urls), 500):
            for r in self._dicts("SELECT url, updated, status, ingested, attempts, error FROM fetch_pages"
                                 " WHERE url = ANY(%s)", (urls[i:i + 500],)):
                out[r.pop("url")] = r
        return out

    def save_page(self, url: str, source: str, outlet: str | None, updated: str | None,
                  status: int | None, final_url: str | None = None, encoding: str | None = None,
                  html: bytes | None = None, hints: dict[str, Any] | None = None,
                  error: str | None = None) -> None:
        with self.writing(), self._conn() as conn:
            conn.execute(
                "INSERT INTO fetch_pages(url, source, outlet, updated, status, final_url, encoding, html,"
                " hints, ingested, error) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (url) DO UPDATE SET source=excluded.source, outlet=excluded.outlet,"
                f" updated=excluded.updated, fetched_at={_NOW}, status=excluded.status,"
                " final_url=excluded.final_url, encoding=excluded.encoding, html=excluded.html,"
                " hints=excluded.hints, ingested=excluded.ingested, articles=NULL,"
                " error=excluded.error, attempts=fetch_pages.attempts + 1",
                (_col(url), _col(source), _col(outlet), _col(updated), status, _col(final_url),
                 _col(encoding), html, _dumps(hints or {}), 0 if html is not None else 1, _col(error)))

    def pending_pages(self) -> list[dict[str, Any]]:
        rows = self._dicts("SELECT url, source, outlet, final_url, encoding, html, hints FROM fetch_pages"
                           " WHERE ingested=0 ORDER BY ord")
        for r in rows:
            r["html"] = bytes(r["html"]) if r["html"] is not None else None
            r["hints"] = json.loads(r["hints"] or "{}")
        return rows

    def fetched_pages(self, chunk: int = 200) -> Iterator[dict[str, Any]]:
        last = 0
        while True:
            rows = self._dicts(
                "SELECT ord, url, source, outlet, updated, status, final_url, encoding, html, hints, error"
                " FROM fetch_pages WHERE ord > %s ORDER BY ord LIMIT %s", (last, chunk))
            if not rows:
                return
            for r in rows:
                last = r.pop("ord")
                r["html"] = bytes(r["html"]) if r["html"] is not None else None
                r["hints"] = json.loads(r["hints"] or "{}")
                yield r

    def mark_page_ingested(self, url: str, articles: list[str], error: str | None = None) -> None:
        with self.writing(), self._conn() as conn:
            conn.execute("UPDATE fetch_pages SET ingested=1, articles=%s, error=COALESCE(%s, error)"
                         " WHERE url=%s", (_dumps(articles), _col(error), url))

    def page_html(self, url: str) -> bytes | None:
        row = self._one("SELECT html FROM fetch_pages WHERE url=%s", (url,))
        return bytes(row[0]) if row and row[0] is not None else None

    def page_counts(self) -> dict[str, dict[str, int]]:
        rows = self._all("SELECT source, COUNT(*), COUNT(*) FILTER (WHERE html IS NULL),"
                         " COUNT(*) FILTER (WHERE ingested=0) FROM fetch_pages GROUP BY source")
        return {s: {"pages": n, "failed": f or 0, "pending": p or 0} for s, n, f, p in rows}

    # -- reading ----------------------------------------------------------------------------
    def max_seq(self) -> int:
        return int(self._one("SELECT COALESCE(MAX(seq), 0) FROM articles")[0])

    def count_articles(self, upto_seq: int | None = None) -> int:
        if upto_seq is None:
            return int(self._one("SELECT COUNT(*) FROM articles")[0])
        return int(self._one("SELECT COUNT(*) FROM articles WHERE seq <= %s", (upto_seq,))[0])

    def articles(self, after_seq: int = 0) -> Iterator[Article]:
        rows = self._all("SELECT data FROM articles WHERE seq > %s ORDER BY seq", (after_seq,))
        for (data,) in rows:
            yield codec.article_from_dict(json.loads(data))

    def get_article(self, article_id: str) -> Article | None:
        row = self._one("SELECT data FROM articles WHERE id=%s", (article_id,))
        return codec.article_from_dict(json.loads(row[0])) if row else None

    def article_index(self) -> list[dict[str, Any]]:
        return self._dicts("SELECT id, title, outlet, published, story, duplicate_of FROM articles")

    def list_articles(self, limit: int, offset: int, story: str | None = None,
                      outlet: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        where, args = [], []
        if story:
            where.append("story = %s")
            args.append(story)
        if outlet:
            where.append("outlet = %s")
            args.append(outlet)
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        with self._conn() as conn:
            total = conn.execute(f"SELECT count(*) FROM articles {cond}", args).fetchone()[0]
            rows = conn.execute(f"SELECT data FROM articles {cond} ORDER BY published DESC NULLS LAST,"
                                f" seq DESC LIMIT %s OFFSET %s", [*args, limit, offset]).fetchall()
        return int(total), [json.loads(d) for (d,) in rows]

    def input_dates(self) -> dict[str, str]:
        return {o: d or "" for o, d in self._all("SELECT origin, MIN(stored_at) FROM inputs GROUP BY origin")}

    def story_store_times(self, since: str, recent: str) -> list[tuple[str, int, int, int, str, str]]:
        rows = self._all(
            "SELECT a.story, COUNT(*), COUNT(*) FILTER (WHERE i.t >= %s), COUNT(*) FILTER (WHERE i.t >= %s),"
            " MIN(i.t), MAX(i.t) FROM articles a JOIN (SELECT origin, MIN(stored_at) AS t FROM inputs"
            " GROUP BY origin) i ON i.origin = a.origin WHERE a.story IS NOT NULL AND a.duplicate_of IS NULL"
            " GROUP BY a.story ORDER BY a.story", (since, recent))
        return [(s, int(n), int(a), int(b), lo, hi) for s, n, a, b, lo, hi in rows]

    def facts(self) -> dict[str, Facts]:
        """Every article's facts, with their stored entity links (read in one snapshot)."""
        in_write = getattr(self._local, "conn", None) is not None
        with self._conn() as conn, conn.transaction():
            if not in_write:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            rows = conn.execute("SELECT f.article, f.data FROM facts f JOIN articles a ON a.id = f.article"
                                " ORDER BY a.seq").fetchall()
            links = _links_by_article(conn.execute("SELECT article, kind, idx, sub, entity FROM entity_links"))
        out = {a: codec.facts_from_dict(json.loads(d)) for a, d in rows}
        for a, got in links.items():
            if a in out:
                codec.apply_entity_links(out[a], got)
        return out

    def get_facts(self, article_id: str) -> Facts | None:
        """One article's facts, with their stored entity links."""
        with self._conn() as conn, conn.transaction():
            row = conn.execute("SELECT data FROM facts WHERE article=%s", (article_id,)).fetchone()
            links = _links_by_article(conn.execute(
                "SELECT article, kind, idx, sub, entity FROM entity_links WHERE article=%s", (article_id,)))
        if row is None:
            return None
        f = codec.facts_from_dict(json.loads(row[0]))
        return codec.apply_entity_links(f, links[article_id]) if article_id in links else f

    def stories(self) -> list[Story]:
        rows = self._all("SELECT data FROM stories ORDER BY last_seen DESC NULLS LAST, id")
        return [codec.story_from_dict(json.loads(d)) for (d,) in rows]

    def storylines(self) -> list[Storyline]:
        return [codec.storyline_from_dict(json.loads(d)) for (d,) in self._all("SELECT data FROM storylines ORDER BY id")]

    def entities(self) -> list[Entity]:
        rows = self._all("SELECT data FROM entities ORDER BY mentions DESC NULLS LAST, id")
        return [codec.entity_from_dict(json.loads(d)) for (d,) in rows]

    # -- search -----------------------------------------------------------------------------
    def search(self, query: str, outlet: str | None = None, date_from: str | None = None,
               date_to: str | None = None, story: str | None = None, entity: str | None = None,
               limit: int = 20, offset: int = 0, facets: bool = False) -> SearchResults:
        """Arabic full-text search with the semantics, ranking and snippets of
        ``marsad.store.search.search`` (see the module docstring for how)."""
        if limit < 0 or offset < 0:
            raise InputError("query", "limit and offset must not be negative")
        parsed = text_search.parse_query(query or "")
        date_from = text_search.check_date("date_from", date_from)
        date_to = text_search.check_date("date_to", date_to)
        results = SearchResults(query=query, total=0, limit=limit, offset=offset)
        if parsed is None:
            return results
        in_write = getattr(self._local, "conn", None) is not None
        with self._conn() as conn, conn.transaction():
            if not in_write:  # one snapshot for the candidates, the statistics and the page
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            known = _known(conn, parsed.terms())
            parts = parsed.phrases(known)
            if parts is None:
                return results
            # each phrase as its index tokens; a part matches when any of its phrases occurs
            tparts = [[tuple(fts_tokens(p)) for p in part] for part in parts]
            tparts = [[p for p in part if p] for part in tparts]
            if not all(tparts):
                return results
            tsq = " & ".join("(" + " | ".join("(" + " & ".join(_lexeme(t) for t in dict.fromkeys(p)) + ")"
                                              for p in part) + ")" for part in tparts)
            where, args = [], []
            if outlet:
                where.append("m.outlet = %s")
                args.append(outlet)
            if date_from:
                where.append("m.day >= %s")
                args.append(date_from)
            if date_to:
                where.append("m.day <= %s")
                args.append(date_to)
            if story:
                where.append("a.story = %s")
                args.append(story)
            if entity:  # by entity links, or by name in a store without them (see search._entity_filter)
                row = conn.execute("SELECT data FROM entities WHERE id=%s", (entity,)).fetchone()
                if row is not None and conn.execute("SELECT 1 FROM entity_links LIMIT 1").fetchone():
                    where.append("m.seq IN (SELECT a2.seq FROM entity_links l JOIN articles a2 ON a2.id = l.article"
                                 " WHERE l.entity = %s)")
                    args.append(entity)
                else:
                    keys = text_search.entity_keys(entity, json.loads(row[0]) if row else None)
                    where.append("m.seq IN (SELECT seq FROM search_mentions WHERE key = ANY(%s))")
                    args.append(keys)
            phrases = [p for part in tparts for p in part]
            stats = self._doc_stats(conn)
            idf = _idfs(conn, phrases, int(stats[0]))
            avgdl = float(stats[1]) / float(stats[0]) if stats[0] else 1.0
            if not any(_self_overlapping(p) for p in phrases):
                ranked, results.total, results.facets = _rank_in_sql(
                    conn, tparts, idf, avgdl, where, args, bool(story or facets), facets, limit, offset)
            else:
                ranked, results.total, results.facets = _rank_on_tokens(
                    conn, tparts, tsq, idf, avgdl, where, args, bool(story or facets), facets, limit, offset)
            rows = []
            if ranked:
                rank_of = dict(ranked)
                got = {r[0]: r for r in conn.execute(
                    "SELECT a.seq, a.id, a.title, a.outlet, a.published, a.story, a.duplicate_of,"
                    " d.title_terms, d.body_terms, d.title_offsets, d.body_offsets, a.data"
                    " FROM articles a JOIN search_docs d ON d.seq = a.seq WHERE a.seq = ANY(%s)",
                    (list(rank_of),)).fetchall()}
                rows = [got[seq][:7] + (rank_of[seq],) + tuple(bytes(x) if isinstance(x, memoryview) else x
                                                                for x in got[seq][7:])
                        for seq, _ in ranked if seq in got]
        results.hits.extend(text_search.hits_from_rows(rows, parsed))
        return results

    def _doc_stats(self, conn: Any) -> tuple[int, int]:
        """(documents, tokens) in the search index as ``conn``'s snapshot sees it, for BM25.

        Documents are only ever added, each with a ``seq`` drawn under the writers' lock in
        the transaction that commits it, so a snapshot holds exactly the documents up to its
        highest ``seq``: the totals are counted again only when that moves. Counting them (a
        scan of every document row) for each search: 200 load-mix queries on 10,000 ANT
        articles took 69 ms a query (wall, idle server), 52 ms without. They are counted on
        ``search_meta``, which holds a narrow row of every indexed article with its length:
        0.8 ms against 5.6 ms on ``search_docs`` (10,000 ANT articles), paid whenever an
        ingest has committed since the last search."""
        top = conn.execute("SELECT COALESCE(max(seq), 0) FROM search_meta").fetchone()[0]
        seen = self._index_stats
        if seen[0] == top:
            return seen[1], seen[2]
        n, tokens = conn.execute("SELECT count(*), COALESCE(sum(tokens), 0) FROM search_meta").fetchone()
        self._index_stats = (top, int(n), int(tokens))
        return int(n), int(tokens)


# How many times the phrase ``{pat}`` (``_pattern``) occurs in a token string ``{col}`` whose
# tokens each stand between two spaces of their own (``_SPACED``), counted on the server: the
# string's length in bytes less that of the string with every instance cut out, over the
# pattern's. Instances are cut left to right without overlapping, so this is FTS5's count of
# phrase instances only for a phrase no two instances of which can overlap (``_self_overlapping``).
_PHRASE_COUNT = "(octet_length({col}) - octet_length(replace({col}, {pat}, ''))) / octet_length({pat})"
_SPACED = "' ' || replace(COALESCE(d.{col}_tokens, d.{col}_terms), ' ', '  ') || ' '"


def _pattern(phrase: tuple[str, ...]) -> str:
    """A phrase as it reads in a token string whose tokens each stand between two spaces of
    their own (``_PHRASE_COUNT``): only whole tokens, in that order, match it."""
    return " " + "  ".join(phrase) + " "


def _tsquery(phrase: tuple[str, ...]) -> str:
    """The tsquery of the articles holding every token of ``phrase``."""
    return " & ".join(_lexeme(t) for t in dict.fromkeys(phrase))


def _self_overlapping(phrase: tuple[str, ...]) -> bool:
    """Whether two instances of ``phrase`` can overlap (a proper prefix of its tokens is also
    a suffix: «a b a» twice in «a b a b a»): such a phrase is counted token by token."""
    return any(phrase[:i] == phrase[-i:] for i in range(1, len(phrase)))


def _facet_counts(rows: Iterable[tuple[Any, int]]) -> list[tuple[str, int]]:
    """A facet's 20 most frequent values, ties in value order (as the SQLite store gives them)."""
    return sorted(((v, int(n)) for v, n in rows if v is not None), key=lambda vc: (-vc[1], vc[0]))[:20]


def _rank_in_sql(conn: Any, tparts: list[list[tuple[str, ...]]], idf: list[float], avgdl: float,
                 where: list[str], args: list[Any], join: bool, facets: bool, limit: int,
                 offset: int) -> tuple[list[tuple[int, float]], int, dict[str, list[tuple[str, int]]]]:
    """(page of (seq, rank), total, facets) of a query ranked in SQL with FTS5's BM25.

    Each phrase's frequency in an article's title and body comes from its token's postings
    (``search_postings``) when it is one token, else from counting it in the stored token
    strings of the articles holding all its tokens (the GIN index finds them) on the server
    (``_PHRASE_COUNT``; only for phrases no two instances of which can overlap, see
    ``_self_overlapping``). Per article the weighted frequency ``TITLE_WEIGHT * title + body``,
    the article's length ``m.tokens`` and each phrase's IDF are combined, and summed in phrase
    order, with the same operations in the same order as FTS5's ``fts5Bm25Function``, so the
    doubles are the same, bit for bit. An article matches when each part has a phrase in it.
    Only the page's rows, the total and the facet counts leave the server."""
    ks, parts, toks = [], [], []
    pks, pparts, ptsq, ppat = [], [], [], []
    k = 0
    for j, part in enumerate(tparts):
        for p in part:
            if len(p) == 1:
                ks.append(k)
                parts.append(j)
                toks.append(p[0])
            else:
                pks.append(k)
                pparts.append(j)
                ptsq.append(_tsquery(p))
                ppat.append(_pattern(p))
            k += 1
    singles = ("SELECT p.seq, q.k, q.part, %s::float8 * p.title + p.body::float8 AS freq"
               " FROM unnest(%s::int[], %s::int[], %s::text[]) AS q(k, part, tok)"
               " JOIN search_postings p ON p.term = q.tok")
    hargs: list[Any] = [float(text_search.TITLE_WEIGHT), ks, parts, toks]
    if pks:
        # each article's spaced token strings made once (OFFSET 0 keeps the subquery from being
        # merged into the counts, which would make them again for each use); an article holding
        # the tokens but not the phrase gives a frequency of 0, which adds nothing to the score
        # (a BM25 term of 0.0) and is not counted as matching its part
        singles += (" UNION ALL SELECT c.seq, c.k, c.part, %s::float8 * "
                    + _PHRASE_COUNT.format(col="c.tt", pat="c.pat") + " + ("
                    + _PHRASE_COUNT.format(col="c.bt", pat="c.pat") + ")::float8 FROM"
                    " (SELECT d.seq, r.k, r.part, r.pat, " + _SPACED.format(col="title") + " AS tt, "
                    + _SPACED.format(col="body") + " AS bt"
                    " FROM unnest(%s::int[], %s::int[], %s::text[], %s::text[]) AS r(k, part, tsq, pat)"
                    " JOIN search_docs d ON d.tsv @@ r.tsq::tsquery OFFSET 0) c")
        hargs += [float(text_search.TITLE_WEIGHT), pks, pparts, ptsq, ppat]
    story_join = " JOIN articles a ON a.seq = m.seq" if join else ""
    cond = (" AND " + " AND ".join(where)) if where else ""
    # doubles passed as parameters (exact round trip), never SQL literals (numeric)
    matched = (
        f"WITH h AS ({singles}),"
        " doc AS MATERIALIZED (SELECT m.seq, m.outlet, " + ("min(a.story)" if join else "NULL::text") + " AS story,"
        " sum((%s::float8[])[h.k + 1] * ((h.freq * %s::float8) / (h.freq + %s::float8 * (%s::float8"
        " + %s::float8 * m.tokens::float8 / %s::float8))) ORDER BY h.k) AS score"
        f" FROM h JOIN search_meta m ON m.seq = h.seq{story_join} WHERE true{cond}"
        " GROUP BY m.seq, m.outlet HAVING count(DISTINCT h.part) FILTER (WHERE h.freq > 0) = %s)")
    qargs: list[Any] = [*hargs, idf, BM25_K1 + 1.0, BM25_K1, 1 - BM25_B, BM25_B, avgdl, *args, len(tparts)]
    sql = (matched + " (SELECT 0, seq, score, NULL FROM doc ORDER BY score DESC, seq LIMIT %s OFFSET %s)"
           " UNION ALL SELECT 1, count(*), NULL, NULL FROM doc")
    qargs += [limit, offset]
    if facets:
        sql += (" UNION ALL (SELECT 2, count(*), NULL, outlet FROM doc WHERE outlet IS NOT NULL GROUP BY outlet"
                " ORDER BY count(*) DESC, outlet LIMIT 20)"
                " UNION ALL (SELECT 3, count(*), NULL, story FROM doc WHERE story IS NOT NULL GROUP BY story"
                " ORDER BY count(*) DESC, story LIMIT 20)")
    page, total, found = [], 0, {}
    outs: list[tuple[Any, int]] = []
    stories: list[tuple[Any, int]] = []
    for kind, n, score, value in conn.execute(sql, qargs).fetchall():
        if kind == 0:
            page.append((int(n), -1.0 * score))
        elif kind == 1:
            total = int(n)
        elif kind == 2:
            outs.append((value, n))
        else:
            stories.append((value, n))
    page.sort(key=lambda r: (r[1], r[0]))
    if facets:
        found = {"outlets": _facet_counts(outs), "stories": _facet_counts(stories)}
    return page, total, found


def _rank_on_tokens(conn: Any, tparts: list[list[tuple[str, ...]]], tsq: str, idf: list[float], avgdl: float,
                    where: list[str], args: list[Any], join: bool, facets: bool, limit: int,
                    offset: int) -> tuple[list[tuple[int, float]], int, dict[str, list[tuple[str, int]]]]:
    """(page of (seq, rank), total, facets) of a query with a phrase of several tokens: the
    articles holding every token (the tsquery) are read with their stored tokens, the
    phrases' instances counted in them (as FTS5 counts them: overlapping ones too) and
    ranked here with FTS5's BM25."""
    story_join = " JOIN articles a ON a.seq = d.seq" if join else ""
    cands = conn.execute(
        f"SELECT d.seq, COALESCE(d.title_tokens, d.title_terms), COALESCE(d.body_tokens, d.body_terms),"
        f" d.tokens, m.outlet, {'a.story' if join else 'NULL'}"
        f" FROM search_docs d JOIN search_meta m ON m.seq = d.seq{story_join}"
        f" WHERE {' AND '.join(['d.tsv @@ %s::tsquery', *where])}", [tsq, *args]).fetchall()
    phrases = [p for part in tparts for p in part]
    every = []
    for seq, tterms, bterms, ntok, m_outlet, a_story in cands:
        cols = (tterms.split(), bterms.split())
        hits = [[_occurrences(c, p) for c in cols] for p in phrases]
        k = 0
        ok = True
        for part in tparts:  # phrases are confirmed here (the tsquery only asked for their tokens)
            if not any(sum(hits[k + i]) for i in range(len(part))):
                ok = False
            k += len(part)
        if not ok:
            continue
        score = 0.0
        for i, h in enumerate(hits):
            freq = 0.0
            for w, n in zip((text_search.TITLE_WEIGHT, 1.0), h):
                freq += w * n
            num = freq * (BM25_K1 + 1.0)
            denom = freq + BM25_K1 * (1 - BM25_B + BM25_B * float(ntok) / avgdl)
            score += idf[i] * (num / denom)
        every.append((seq, -1.0 * score, m_outlet, a_story))
    every.sort(key=lambda r: (r[1], r[0]))
    ranked = [(r[0], r[1]) for r in every[offset:offset + limit]]
    found = {}
    if facets:
        for name, k in (("outlets", 2), ("stories", 3)):
            found[name] = _facet_counts(Counter(r[k] for r in every).items())
    return ranked, len(every), found


def _links_by_article(rows: Iterable[tuple]) -> dict[str, list[codec.EntityLink]]:
    out: dict[str, list[codec.EntityLink]] = {}
    for aid, kind, idx, sub, eid in rows:
        out.setdefault(aid, []).append((kind, idx, sub, eid))
    return out


def _lexeme(t: str) -> str:
    return "'" + t.replace("\\", "\\\\").replace("'", "''") + "'"


def _known(conn: Any, terms: set[str]) -> set[str]:
    """Which query terms the index holds (as the SQLite store asks FTS5's vocabulary)."""
    if not terms:
        return set()
    rows = conn.execute("SELECT term FROM search_vocab WHERE term = ANY(%s) AND docs > 0",
                        (sorted(terms),)).fetchall()
    return {r[0] for r in rows}


def _occurrences(tokens: list[str], phrase: tuple[str, ...]) -> int:
    """How many times ``phrase`` occurs in ``tokens`` (FTS5's phrase instances)."""
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    n, first = len(phrase), phrase[0]
    return sum(1 for i, t in enumerate(tokens) if t == first and tuple(tokens[i:i + n]) == phrase)


def _idfs(conn: Any, phrases: list[tuple[str, ...]], rows: int) -> list[float]:
    """FTS5's IDF of each phrase over the whole index: log((N - n + 0.5) / (n + 0.5)), at
    least 1e-6, where n is how many articles hold the phrase."""
    singles = sorted({p[0] for p in phrases if len(p) == 1})
    docs = dict(conn.execute("SELECT term, docs FROM search_vocab WHERE term = ANY(%s)", (singles,)).fetchall()) \
        if singles else {}
    out = []
    seen: dict[tuple[str, ...], int] = {}
    for p in phrases:
        if len(p) == 1:
            n = int(docs.get(p[0], 0))
        elif p in seen:
            n = seen[p]
        else:
            # the articles holding every token, then the phrase itself, looked for on the server
            # in their token strings (one space apart, one at each end: a phrase occurs there as
            # its tokens one space apart between two spaces exactly when it occurs in the tokens)
            holds = " OR ".join(f"strpos(' ' || COALESCE(d.{c}_tokens, d.{c}_terms) || ' ', %(pat)s) > 0"
                                for c in ("title", "body"))
            n = int(conn.execute(f"SELECT count(*) FROM search_docs d WHERE d.tsv @@ %(q)s::tsquery AND ({holds})",
                                 {"q": _tsquery(p), "pat": " " + " ".join(p) + " "}).fetchone()[0])
            seen[p] = n
        idf = math.log((0.5 + rows - n) / (0.5 + n))
        out.append(idf if idf > 0.0 else 1e-6)
    return out


__all__ = ["PostgresStore", "SCHEMA_VERSION", "MIGRATIONS", "fts_tokens"]
