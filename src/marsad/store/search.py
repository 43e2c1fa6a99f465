"""Arabic full-text search over the store (SQLite FTS5 on analyzed text).

FTS5's own tokenizers know nothing of Arabic clitics or stems, so marsad analyzes the text
itself and hands FTS5 a string of index terms, one per word, separated by spaces:

    word as written --normalize--> «وللكرملين» --clitic split--> «ولل» + «كرملين» --stem--> «كرمل»

The same analysis runs on queries, so «الكرملين» finds «وللكرملين» and «أوكرانيا» finds
«اوكرانيا». Because a word such as «بوتين» or «واشنطن» starts with a letter that can also be a
proclitic, the clitic split of a bare name and of the same name with a clitic («لبوتين»)
can differ; a query word is therefore expanded to the terms of every clitic-prefixed form of
it (``query_terms``), which is exact: a document word ``p + q`` is indexed as ``term(p + q)``.

Beside the FTS table, ``search_docs`` keeps each article's token offsets into its original
title and text, so snippets are cut from the text as written and the matching words are
highlighted there (FTS5's ``snippet()`` would show stems).

Tables (created by a migration in ``marsad.store.sqlite``):

* ``search_fts(title, body)``: FTS5, rowid = ``articles.seq``; analyzed terms.
* ``search_docs(seq, title_offsets, body_offsets)``: packed (start, end) pairs per term.
* ``search_mentions(seq, key)``: normalized names and entity ids an article mentions (entity filter).
"""

from __future__ import annotations

import contextlib
import heapq
import html
import itertools
import json
import re
import sqlite3
import threading
import weakref
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from marsad.errors import InputError
from marsad.model import Article, Facts
from marsad.text import normalize_for_search, stem, tokenize
from marsad.text.normalize import GAP, normalize
from marsad.text.tokenize import split_clitics

from marsad.text.tokenize import WORD_PATTERN  # index words are exactly the tokenizer's

if TYPE_CHECKING:  # pragma: no cover
    from marsad.analysed import AnalysedDoc



class Store(Protocol):
    """What this module needs of the SQLite store (``marsad.store.sqlite.Store``), named here
    so that the two modules do not import each other."""

    path: str

    @property
    def connection(self) -> sqlite3.Connection: ...
    @property
    def lock(self) -> threading.RLock: ...
    def writing(self, wait: float | None = None) -> contextlib.AbstractContextManager[None]: ...

MIGRATION = """
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE search_docs (
    seq INTEGER PRIMARY KEY,
    title_offsets BLOB NOT NULL,
    body_offsets BLOB NOT NULL
);
CREATE TABLE search_mentions (seq INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX search_mentions_key ON search_mentions(key, seq);
"""

# Outlet and day of each article in a small table of their own: checking a filter on every
# match through it costs a third of reading the wide articles rows (outlet-filtered queries on
# the ANT store: 3-4 ms against 10-12 ms).
MIGRATION_META = """
CREATE TABLE search_meta (seq INTEGER PRIMARY KEY, outlet TEXT, day TEXT);
INSERT INTO search_meta(seq, outlet, day) SELECT seq, outlet, substr(published, 1, 10) FROM articles
"""

# BM25 weight of a title hit relative to a body hit. Checked on test_title_hit_outranks_body_hits
# (headline naming the query word once vs a long body naming it twice): at 1.0 the body article
# ranked first, at 2.0 the headline one did; 4.0 leaves a margin. Not tuned on relevance
# judgments (none exist for Arabic news here).
TITLE_WEIGHT = 4.0
# Snippet length in words. 28 is about two lines of Arabic news text on the dashboard.
SNIPPET_WORDS = 28
# Words of context kept before the first highlighted word of a snippet.
SNIPPET_LEAD = 6
# A phrase query word expands to several terms (clitic variants); phrases expand to the
# product of those. Capped so a long quoted phrase stays one cheap FTS5 query.
MAX_PHRASE_VARIANTS = 32
# Longest query accepted (characters) and most words: keeps a pasted article from becoming a
# thousand-term FTS5 expression.
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHRASE = re.compile(r'"([^"]*)"|«([^»]*)»')


# -- analysis ---------------------------------------------------------------------------------
# Proclitic sequences a word may carry, outermost first: conjunction, preposition, article
# («لل» is ل + ال). Used to expand a query word to the index terms of its clitic forms.
PROCLITICS: tuple[str, ...] = tuple(
    p for p in dict.fromkeys(
        (c + ("لل" if (b == "ل" and a) else b + a))
        for c in ("", "و", "ف") for b in ("", "ب", "ل", "ك") for a in ("", "ال"))
    if p)


@lru_cache(maxsize=300_000)
def term(norm: str) -> str:
    """Index term of one normalized word: the light stem of ``marsad.text.stem`` (proclitics
    peeled, suffixes stemmed); Latin lower-cased, numbers as written."""
    if not norm:
        return norm
    if norm.isascii():
        return norm.lower()
    return stem(norm)


def analyze(text: str, normed: str | None = None) -> tuple[list[str], array]:
    """Index terms of ``text`` and their (start, end) offsets into ``text``, flattened.

    The words are ``tokenize``'s (same pattern, same normalized forms); the clitic split is
    left to ``term``, which skips building a Token per word: on 1,000 ANT articles (warm
    caches) 0.24 s against 0.63–0.85 s through ``tokenize``."""
    terms: list[str] = []
    offsets = array("I")
    if normed is None:  # ``normalize(text)``, when the caller has not made it already
        normed = normalize(text)
    gap = GAP in normed  # the gap mark is cut out of a word's normalized form, when there is one
    for m in WORD_PATTERN.finditer(text):
        s, e = m.span()
        norm = normed[s:e]
        if gap:
            norm = norm.replace(GAP, "")
        t = term(norm) if norm else ""
        if t:
            terms.append(t)
            offsets.append(s)
            offsets.append(e)
    return terms, offsets


@lru_cache(maxsize=20_000)
def query_terms(word_norm: str) -> tuple[str, ...]:
    """Every index term a document word may carry when it is ``word_norm`` with or without
    proclitics: the term of the word itself first, then the terms of its clitic-free base
    with each proclitic sequence added (so «بوتين» also finds «لبوتين» even where the two
    are split differently, and «وللكرملين» as a query finds «الكرملين»)."""
    if not word_norm or word_norm.isascii() or word_norm[0].isdigit():
        return (term(word_norm),)
    base = split_clitics(word_norm)[1] or word_norm
    out = [term(word_norm), term(base)]
    for b in dict.fromkeys((base, word_norm)):
        has_article = b.startswith("ال")
        out += [term(p + b) for p in PROCLITICS if not (has_article and p.endswith(("ال", "لل")))]
    return tuple(t for t in dict.fromkeys(out) if t)


@dataclass
class ParsedQuery:
    """A parsed query: ``parts`` are ANDed; each part is a list of words (one for a plain word,
    several for a phrase), each word the list of index terms it may be (its clitic forms)."""

    text: str
    parts: list[list[list[str]]]
    words: int

    def terms(self) -> set[str]:
        return {t for part in self.parts for word in part for t in word}

    def phrases(self, known: set[str] | None = None) -> list[list[str]] | None:
        """The query as index phrases: a list of parts (all must match), each the list of
        phrases (space-separated terms) any of which matches it. With ``known`` (the terms
        the index holds), variants the index does not hold are left out, and None means
        nothing can match."""
        out = []
        for part in self.parts:
            words = [[t for t in w if known is None or t in known or not t.isalnum()] for w in part]
            if not all(words):
                return None
            if len(words) == 1:
                out.append(list(words[0]))
                continue
            # Fewest words in a variant form first (the literal phrase, then one word varied,
            # ...), so the cap drops the least likely combinations.
            combos = sorted(itertools.islice(itertools.product(*(range(len(w)) for w in words)), 4096),
                            key=lambda ix: sum(1 for i in ix if i))[:MAX_PHRASE_VARIANTS]
            out.append([" ".join(words[k][i] for k, i in enumerate(ix)) for ix in combos])
        return out or None

    def match(self, known: set[str] | None = None) -> str | None:
        """The FTS5 expression of ``phrases(known)`` (None: nothing can match)."""
        parts = self.phrases(known)
        if parts is None:
            return None
        return " AND ".join("(" + " OR ".join(_fts_quote(p) for p in part) + ")" for part in parts)

    @property
    def highlight(self) -> frozenset[str]:
        return frozenset(self.terms())


def _fts_quote(t: str) -> str:
    return '"' + t.replace('"', '""') + '"'


def parse_query(query: str) -> ParsedQuery | None:
    """Parse a user query: plain words (all must match, any clitic form) and phrases in
    "double quotes" or «guillemets» (the words in that order). None when nothing searchable."""
    if len(query) > MAX_QUERY_CHARS:
        raise InputError("query", f"too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")

    def words_of(s: str) -> list[str]:
        return [t.norm for t in tokenize(normalize_for_search(s)) if t.norm]

    parts: list[list[list[str]]] = []
    for m in _PHRASE.finditer(query):
        ws = words_of(m.group(1) if m.group(1) is not None else m.group(2))
        if ws:
            parts.append([list(query_terms(w)) for w in ws])
    for w in words_of(_PHRASE.sub(" ", query).replace('"', " ")):
        parts.append([list(query_terms(w))])
    n_words = sum(len(p) for p in parts)
    if n_words > MAX_QUERY_WORDS:
        raise InputError("query", f"too many words ({n_words}; at most {MAX_QUERY_WORDS})")
    if not parts:
        return None
    return ParsedQuery(query, parts, n_words)


def _known_terms(conn: sqlite3.Connection, terms: set[str]) -> set[str] | None:
    """Which of ``terms`` the index holds (None when the vocabulary cannot be read).

    A clitic-expanded query word has up to a dozen candidate terms, most of which occur
    nowhere; leaving those out before FTS5 sees the query halves the time of a phrase query
    (a phrase is an OR over the product of its words' variants)."""
    if not terms:
        return set()
    sql = f"SELECT term FROM temp.search_vocab WHERE term IN ({','.join('?' * len(terms))})"
    for attempt in (0, 1):
        try:
            return {r[0] for r in conn.execute(sql, list(terms)).fetchall()}
        except sqlite3.OperationalError:
            if attempt:
                return None
            try:
                conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab"
                             " USING fts5vocab(main, 'search_fts', 'row')")
            except sqlite3.Error:
                return None
    return None


# -- indexing ---------------------------------------------------------------------------------
def mention_keys(facts: Facts | None) -> set[str]:
    keys: set[str] = set()
    if facts is None:
        return keys
    for m in facts.mentions:
        if m.entity:
            keys.add("id:" + m.entity)
        for name in (m.canonical, m.text):
            if name:
                keys.add("name:" + normalize_for_search(name).strip())
    for q in facts.quotes:
        if q.speaker.entity:
            keys.add("id:" + q.speaker.entity)
        if q.speaker.name:
            keys.add("name:" + normalize_for_search(q.speaker.name).strip())
    return keys


@dataclass
class IndexEntry:
    """What the search index holds of one article, analysed once: its title's and text's
    index terms with their (start, end) offsets (packed ``array("I")`` bytes), the outlet and
    day the filters read, and the mention keys of its facts. Built by ``index_entry`` from the
    article alone (a pure function: it may run wherever the article was analysed); both
    backends write their index rows from it."""

    title_terms: list[str]
    title_offsets: bytes
    body_terms: list[str]
    body_offsets: bytes
    outlet: str | None
    day: str | None
    mention_keys: list[str]


def index_entry(article: Article, facts: Facts | None, doc: "AnalysedDoc | None" = None) -> IndexEntry:
    """The index entry of ``article``. With ``doc``, the article's ``AnalysedDoc`` (as the
    worker that extracted it built it for the fact readers), the body's words are read from
    its tokens when they were made already, else from its normalized text: the same terms
    and offsets as analysing the text here (checked on 800 ANT titles and bodies)."""
    title_terms, title_offs = analyze(article.title or "")
    if doc is not None and doc.matches(article):
        body_terms, body_offs = _doc_terms(doc)
    else:
        body_terms, body_offs = analyze(article.text or "")
    return IndexEntry(title_terms, title_offs.tobytes(), body_terms, body_offs.tobytes(), article.outlet,
                      (article.published or "")[:10] or None, sorted(mention_keys(facts)))


def _doc_terms(doc: "AnalysedDoc") -> tuple[list[str], array]:
    if "tokens" not in vars(doc):  # not tokenized yet (a cached property): analyse its normalized text
        return analyze(doc.text, doc.normalized)
    terms: list[str] = []
    offsets = array("I")
    for tok in doc.tokens:  # the tokenizer's words are the index's words (see ``analyze``)
        t = term(tok.norm) if tok.norm else ""
        if t:
            terms.append(t)
            offsets.append(tok.start)
            offsets.append(tok.end)
    return terms, offsets


def index_entries(conn: sqlite3.Connection, rows: list[tuple[int, IndexEntry]]) -> None:
    """Add just-stored articles (``seq``, entry) to the index, a statement per table for all of
    them (the caller holds the store's transaction; nothing of these ``seq`` is indexed yet)."""
    if not rows:
        return
    conn.executemany("INSERT OR REPLACE INTO search_fts(rowid, title, body) VALUES (?,?,?)",
                     [(seq, " ".join(e.title_terms), " ".join(e.body_terms)) for seq, e in rows])
    conn.executemany("INSERT OR REPLACE INTO search_docs(seq, title_offsets, body_offsets) VALUES (?,?,?)",
                     [(seq, e.title_offsets, e.body_offsets) for seq, e in rows])
    conn.executemany("INSERT OR REPLACE INTO search_meta(seq, outlet, day) VALUES (?,?,?)",
                     [(seq, e.outlet, e.day) for seq, e in rows])
    conn.executemany("INSERT INTO search_mentions(seq, key) VALUES (?,?)",
                     [(seq, k) for seq, e in rows for k in e.mention_keys])


def index_article(conn: sqlite3.Connection, seq: int, article: Article, facts: Facts | None) -> None:
    """Add one stored article to the index, or index it again (the caller holds the store's
    transaction)."""
    title_terms, title_offs = analyze(article.title or "")
    body_terms, body_offs = analyze(article.text or "")
    conn.execute("INSERT OR REPLACE INTO search_fts(rowid, title, body) VALUES (?,?,?)",
                 (seq, " ".join(title_terms), " ".join(body_terms)))
    conn.execute("INSERT OR REPLACE INTO search_docs(seq, title_offsets, body_offsets) VALUES (?,?,?)",
                 (seq, title_offs.tobytes(), body_offs.tobytes()))
    conn.execute("INSERT OR REPLACE INTO search_meta(seq, outlet, day) VALUES (?,?,?)",
                 (seq, article.outlet, (article.published or "")[:10] or None))
    conn.execute("DELETE FROM search_mentions WHERE seq=?", (seq,))
    conn.executemany("INSERT INTO search_mentions(seq, key) VALUES (?,?)",
                     [(seq, k) for k in sorted(mention_keys(facts))])


def backfill(store: "Store") -> int:
    """Index stored articles the index does not hold yet (a store created before the search
    migration); returns how many were indexed."""
    from marsad.store import codec

    conn = store.connection
    done = 0
    missing = ("SELECT a.seq, a.data, f.data FROM articles a LEFT JOIN facts f ON f.article = a.id"
               " WHERE a.seq NOT IN (SELECT seq FROM search_docs) ORDER BY a.seq LIMIT ?")
    reader = _reader(store)
    while True:
        # readers find nothing to do without waiting for a writer: a file store is checked on
        # this thread's read-only connection (the store's own lock is held by a writing block)
        if reader is not None:
            if not reader.execute(missing, (1,)).fetchall():
                return done
        else:
            with store.lock:
                if not conn.execute(missing, (1,)).fetchall():
                    return done
        with store.writing():
            rows = conn.execute(missing, (500,)).fetchall()
            if not rows:
                return done
            for seq, adata, fdata in rows:
                article = codec.article_from_dict(json.loads(adata))
                facts = codec.facts_from_dict(json.loads(fdata)) if fdata else None
                index_article(conn, seq, article, facts)
        done += len(rows)


# -- snippets ---------------------------------------------------------------------------------
def highlight_span(text: str, terms: list[str], offs: array, lo: int, hi: int,
                   want: frozenset[str]) -> str:
    """HTML of ``text`` from term ``lo`` to term ``hi`` (exclusive): escaped, the words whose
    term is in ``want`` wrapped in <mark>."""
    if lo >= hi:
        return ""
    start, end = offs[2 * lo], offs[2 * hi - 1]
    out = []
    pos = start
    for i in range(lo, hi):
        if terms[i] in want:
            s, e = offs[2 * i], offs[2 * i + 1]
            out.append(html.escape(text[pos:s]))
            out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
            pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def make_snippet(text: str, terms: list[str], offs: array, want: frozenset[str],
                 size: int = SNIPPET_WORDS) -> str:
    """The window of ``size`` words holding the most distinct query terms (ties: the most
    hits, then the earliest), as escaped HTML with <mark> around the hits."""
    n = len(terms)
    if n == 0 or len(offs) < 2 * n:
        return ""
    hits = [i for i, t in enumerate(terms) if t in want]
    if not hits:
        lo, hi = 0, min(n, size)
    else:
        best = None
        for h in hits:
            lo = max(0, h - SNIPPET_LEAD)
            hi = min(n, lo + size)
            lo = max(0, hi - size) if hi == n else lo
            a, b = bisect_left(hits, lo), bisect_left(hits, hi)
            inside = hits[a:b]
            key = (len({terms[i] for i in inside}), len(inside), -lo)
            if best is None or key > best[0]:
                best = (key, lo, hi)
        _, lo, hi = best  # type: ignore[misc]
    body = highlight_span(text, terms, offs, lo, hi, want)
    return ("… " if lo > 0 else "") + body + (" …" if hi < n else "")


# -- searching --------------------------------------------------------------------------------
_READERS: "weakref.WeakKeyDictionary[Any, threading.local]" = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def _reader(store: "Store") -> sqlite3.Connection | None:
    """A read-only connection of this thread to a file store (None for ``:memory:``).

    In WAL mode readers do not wait for the writer: searches go on while an ingest commits,
    and run in parallel with each other instead of queueing on the store's one connection.
    """
    if store.path == ":memory:" or store.path.startswith("file:"):
        return None
    with _READERS_LOCK:
        local = _READERS.get(store)
        if local is None:
            local = _READERS[store] = threading.local()
    conn = getattr(local, "conn", None)
    if conn is None:
        uri = Path(store.path).resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error:
            return None
        local.conn = conn
    return conn


@dataclass
class SearchHit:
    id: str
    title: str
    outlet: str | None
    published: str | None
    story: str | None
    score: float
    snippet: str  # HTML: escaped article text, hits in <mark>
    title_html: str = ""  # HTML: escaped title, hits in <mark>
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # flat fields: a plain copy, several times cheaper than asdict()


@dataclass
class SearchResults:
    query: str
    total: int
    limit: int
    offset: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [{"value": v, "count": c} for v, c in vs] for k, vs in self.facets.items()},
        }


def check_date(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip()[:10]
    if not _DATE.match(value):
        raise InputError(name, f"not a date: {value!r} (expected YYYY-MM-DD)")
    return value


def _entity_filter(conn: sqlite3.Connection, entity: str) -> tuple[str, list[Any]]:
    """The condition (and its arguments) that keeps the articles about ``entity``: those
    linked to it (a mention, speaker, claimant or actor) when it is an entity's id and the
    store holds entity links; else those naming it (see ``entity_keys``), as in a store whose
    entities were last recomputed before links were stored, or when ``entity`` is a name."""
    row = conn.execute("SELECT data FROM entities WHERE id=?", (entity,)).fetchone()
    if row is not None and conn.execute("SELECT 1 FROM entity_links LIMIT 1").fetchone() is not None:
        return ("m.seq IN (SELECT a.seq FROM entity_links l JOIN articles a ON a.id = l.article"
                " WHERE l.entity = ?)", [entity])
    keys = entity_keys(entity, json.loads(row[0]) if row is not None else None)
    return f"m.seq IN (SELECT seq FROM search_mentions WHERE key IN ({','.join('?' * len(keys))}))", keys


def entity_keys(entity: str, stored: dict[str, Any] | None) -> list[str]:
    """Mention keys that stand for ``entity`` (an entity id or a name), with the names of the
    stored entity of that id (``stored``: its JSON, None when there is none)."""
    keys = {"id:" + entity, "name:" + normalize_for_search(entity).strip()}
    if stored is not None:
        for name in [stored.get("name"), *stored.get("aliases", [])]:
            if name:
                keys.add("name:" + normalize_for_search(name).strip())
    return sorted(keys)


def search(store: "Store", query: str, outlet: str | None = None, date_from: str | None = None,
           date_to: str | None = None, story: str | None = None, entity: str | None = None,
           limit: int = 20, offset: int = 0, facets: bool = False) -> SearchResults:
    """Search the store. All query words must match (in any clitic form); "quoted" words
    match as a phrase. Ranked by BM25 (title hits weigh ``TITLE_WEIGHT`` times a body hit).

    Filters: ``outlet`` (exact), ``date_from``/``date_to`` (YYYY-MM-DD, inclusive, on the
    publication date), ``story`` (story id), ``entity`` (entity id: the articles linked to it; or a name). With ``facets``
    the result also counts the matches per outlet and per story.
    """
    if limit < 0 or offset < 0:
        raise InputError("query", "limit and offset must not be negative")
    parsed = parse_query(query or "")
    date_from = check_date("date_from", date_from)
    date_to = check_date("date_to", date_to)
    results = SearchResults(query=query, total=0, limit=limit, offset=offset)
    if parsed is None:
        return results
    # Filters carry a unary "+" so SQLite never drives the join from an index on the filtered
    # column (scanning every article of an outlet and testing MATCH per row): with the full-
    # text match as the outer loop, outlet-filtered queries on the ANT store (30k articles)
    # went from 814 ms to 9 ms of CPU on average, and to 2.5 ms with search_meta.
    where = ["search_fts MATCH ?"]
    args: list[Any] = [None]  # the match expression, once the index's vocabulary is known
    if outlet:
        where.append("+m.outlet = ?")
        args.append(outlet)
    if date_from:
        where.append("+m.day >= ?")
        args.append(date_from)
    if date_to:
        where.append("+m.day <= ?")
        args.append(date_to)
    if story:
        where.append("+a.story = ?")
        args.append(story)
    reader = _reader(store)
    with (contextlib.nullcontext() if reader is not None else store.lock):
        conn = reader if reader is not None else store.connection
        if reader is not None:
            conn.execute("BEGIN")  # one snapshot for the count, the page and the facets
        try:
            if entity:
                cond_e, args_e = _entity_filter(conn, entity)
                where.append(cond_e)
                args.extend(args_e)
            match = parsed.match(_known_terms(conn, parsed.terms()))
            if match is None:
                return results
            args[0] = match
            cond = " AND ".join(where)
            # the wide articles rows are joined only when the story is needed (filter or facet)
            story_join = " JOIN articles a ON a.seq = search_fts.rowid" if (story or facets) else ""
            base = (f"FROM search_fts JOIN search_meta m ON m.seq = search_fts.rowid{story_join}"
                    f" WHERE {cond}")
            filtered = len(where) > 1
            if filtered or facets:
                # One pass over the matches gives the total, the page and the facet counts: a
                # count, a ranked query and two GROUP BYs over the same join cost 40% more.
                every = conn.execute(
                    f"SELECT search_fts.rowid, bm25(search_fts, {TITLE_WEIGHT}, 1.0), m.outlet,"
                    f" {'a.story' if story_join else 'NULL'} {base}", args).fetchall()
                results.total = len(every)
                ranked = [(r[0], r[1]) for r in heapq.nsmallest(offset + limit, every,
                                                                key=lambda r: (r[1], r[0]))[offset:]]
                if facets:
                    for name, k in (("outlets", 2), ("stories", 3)):
                        counts = Counter(r[k] for r in every if r[k] is not None)
                        results.facets[name] = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[:20]
            else:
                results.total = conn.execute(
                    "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", args).fetchone()[0]
                # Rank on the index alone, then fetch the page's rows: selecting the stored text
                # of every match before the sort made a 1,500-match query take 25 ms, not 3 ms.
                ranked = conn.execute(
                    f"SELECT rowid, bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS rank FROM search_fts"
                    f" WHERE search_fts MATCH ? ORDER BY rank, rowid LIMIT ? OFFSET ?",
                    [*args, limit, offset]).fetchall()
            rows = []
            if ranked:
                rank_of = dict(ranked)
                marks = ",".join("?" * len(ranked))
                got = {r[0]: r for r in conn.execute(
                    f"SELECT a.seq, a.id, a.title, a.outlet, a.published, a.story, a.duplicate_of,"
                    f" f.title, f.body, d.title_offsets, d.body_offsets, a.data"
                    f" FROM articles a JOIN search_fts f ON f.rowid = a.seq"
                    f" LEFT JOIN search_docs d ON d.seq = a.seq WHERE a.seq IN ({marks})",
                    list(rank_of)).fetchall()}
                rows = [got[seq][:7] + (rank_of[seq],) + got[seq][7:] for seq, _ in ranked if seq in got]
        except sqlite3.OperationalError as exc:
            raise InputError("query", f"cannot be searched: {exc}") from exc
        finally:
            if reader is not None:
                reader.execute("COMMIT")
    results.hits.extend(hits_from_rows(rows, parsed))
    return results


def hits_from_rows(rows: Iterable[tuple], parsed: ParsedQuery) -> list[SearchHit]:
    """The hits of one results page, each from a row (seq, id, title, outlet, published,
    story, duplicate_of, rank, title terms, body terms, title offsets, body offsets, stored
    article JSON); every backend reads these and renders them here alike."""
    hits = []
    for (seq, aid, title, a_outlet, published, a_story, dup, rank, tterms, bterms,
         toffs, boffs, data) in rows:
        text = json.loads(data).get("text", "")
        t_terms, b_terms = tterms.split(" ") if tterms else [], bterms.split(" ") if bterms else []
        t_offs, b_offs = array("I"), array("I")
        if toffs:
            t_offs.frombytes(toffs)
        if boffs:
            b_offs.frombytes(boffs)
        title = title or ""
        title_html = (highlight_span(title, t_terms, t_offs, 0, len(t_terms), parsed.highlight)
                      if t_terms and len(t_offs) == 2 * len(t_terms) else html.escape(title))
        if t_terms and len(t_offs) == 2 * len(t_terms):
            # keep whatever precedes the first and follows the last word of the title
            title_html = (html.escape(title[:t_offs[0]]) + title_html + html.escape(title[t_offs[-1]:]))
        hits.append(SearchHit(
            id=aid, title=title, outlet=a_outlet, published=published, story=a_story,
            score=round(-rank, 6), snippet=make_snippet(text, b_terms, b_offs, parsed.highlight),
            title_html=title_html, duplicate_of=dup))
    return hits


def reindex(store: "Store", articles: Iterable[tuple[int, Article, Facts | None]]) -> None:
    """Re-index the given (seq, article, facts) in one transaction (after a text correction)."""
    with store.writing():
        conn = store.connection
        for seq, article, facts in articles:
            index_article(conn, seq, article, facts)
