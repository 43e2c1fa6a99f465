"""What every marsad store offers, and the factory that opens one by its URL.

The pipeline, the API, the dashboard, search, ``marsad watch`` and the exports use a store
only through the methods listed in ``AnyStore``; no SQL runs outside the backends. A store is
named by a URL:

* a file path, ``sqlite:///relative.db``, ``sqlite:////absolute/path.db`` or ``:memory:``:
  SQLite (``marsad.store.sqlite``), the default, one file on one machine;
* ``postgresql://user:password@host:5432/dbname`` (or ``postgres://``): PostgreSQL
  (``marsad.store.postgres``), one database shared by several servers and ingest workers.

Both hold the same tables with the same meaning, migrate the same way (a schema version
moved one step at a time) and give the same search results.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Protocol, Sequence, runtime_checkable

from marsad.errors import StoreError
from marsad.model import Article, Entity, Facts, Story, Storyline

if TYPE_CHECKING:  # pragma: no cover
    from marsad.store.search import IndexEntry, SearchResults

SQLITE_PREFIX = "sqlite://"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


@runtime_checkable
class AnyStore(Protocol):
    """The store interface (SQLite and PostgreSQL implement it alike).

    ``url`` names the store so another process can open it (``open_store(url)``); ``shared``
    says whether it can (False for a throw-away in-memory store). Every write method commits
    on its own unless called inside ``writing()``, which holds the store for one writer at a
    time across processes and commits (or rolls back) the whole block together.
    """

    url: str
    write_wait: float

    @property
    def shared(self) -> bool: ...
    @property
    def schema_version(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> "AnyStore": ...
    def __exit__(self, *exc: object) -> None: ...
    def check_writable(self) -> None: ...
    def writing(self, wait: float | None = None) -> AbstractContextManager[None]: ...
    def data_version(self) -> int:
        """A number that changes whenever any process commits a change to the store (for
        caches: equal numbers mean nothing changed in between)."""
        ...

    # -- articles, facts, derived tables
    def has_input(self, key: str) -> bool: ...
    def has_article(self, article_id: str) -> bool: ...
    def add_input(self, key: str, origin: str, items: list[tuple[Article, Facts]]) -> int: ...
    def add_inputs(self, inputs: Sequence[tuple[str, str, list[tuple[Article, Facts]]]],
                   entries: Mapping[str, "IndexEntry"] | None = None) -> list[int]:
        """Store several inputs (key, origin, articles with their facts) in one transaction, a
        statement per table for them all; how many articles of each were new. All of them or
        none is stored. ``entries``: search-index entries already analysed, by article id
        (``marsad.store.search.index_entry``; the others are analysed here)."""
        ...
    def set_article_story(self, article_id: str, story: str) -> None: ...
    def set_article_stories(self, stories: Mapping[str, str]) -> None:
        """Set the story of every article in ``stories`` (article id -> story id; ids not
        stored are passed over) in one transaction and one statement."""
        ...
    def replace_derived(self, stories: Iterable[Story], storylines: Iterable[Storyline],
                        entities: Iterable[Entity], facts: dict[str, Facts] | None = None) -> None:
        """Replace stories, storylines and entities, and the entity links of the articles in
        ``facts`` (article id -> facts with their links set; None leaves the links as stored),
        in one transaction."""
        ...
    def max_seq(self) -> int: ...
    def count_articles(self, upto_seq: int | None = None) -> int: ...
    def articles(self, after_seq: int = 0) -> Iterator[Article]: ...
    def get_article(self, article_id: str) -> Article | None: ...
    def article_index(self) -> list[dict[str, Any]]:
        """id, title, outlet, published, story, duplicate_of of every stored article."""
        ...
    def list_articles(self, limit: int, offset: int, story: str | None = None,
                      outlet: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(how many match, one page of their stored dicts), newest first."""
        ...
    def input_dates(self) -> dict[str, str]:
        """origin -> when its input was first stored (UTC, 'YYYY-MM-DD HH:MM:SS')."""
        ...
    def story_store_times(self, since: str, recent: str) -> list[tuple[str, int, int, int, str, str]]:
        """Per story (duplicates left out): (story, articles, stored at or after ``since``,
        stored at or after ``recent``, first stored, last stored)."""
        ...
    def facts(self) -> dict[str, Facts]:
        """Every article's facts, with their stored entity links set."""
        ...
    def get_facts(self, article_id: str) -> Facts | None: ...
    def has_entity_links(self) -> bool:
        """Whether any entity link is stored (False until entities are recomputed in a store
        written before links were stored)."""
        ...
    def stories(self) -> list[Story]: ...
    def storylines(self) -> list[Storyline]: ...
    def entities(self) -> list[Entity]: ...
    def search(self, query: str, outlet: str | None = None, date_from: str | None = None,
               date_to: str | None = None, story: str | None = None, entity: str | None = None,
               limit: int = 20, offset: int = 0, facets: bool = False) -> "SearchResults": ...

    # -- incremental state (dedup, stories, alerts)
    def save_state(self, key: str, seq: int, value: bytes) -> None: ...
    def save_states(self, values: dict[str, bytes], seq: int) -> None: ...
    def load_state(self, key: str) -> tuple[int, bytes] | None: ...
    def load_states(self, keys: Iterable[str]) -> dict[str, tuple[int, bytes]]: ...

    # -- live sources
    def listing_state(self, url: str) -> dict[str, Any] | None: ...
    def save_listing_state(self, url: str, source: str, kind: str | None, status: int | None,
                           etag: str | None = None, last_modified: str | None = None,
                           error: str | None = None, entries: int = 0, new: int = 0) -> None: ...
    def listing_states(self) -> list[dict[str, Any]]: ...
    def page_states(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def save_page(self, url: str, source: str, outlet: str | None, updated: str | None,
                  status: int | None, final_url: str | None = None, encoding: str | None = None,
                  html: bytes | None = None, hints: dict[str, Any] | None = None,
                  error: str | None = None) -> None: ...
    def pending_pages(self) -> list[dict[str, Any]]: ...
    def fetched_pages(self, chunk: int = 200) -> Iterator[dict[str, Any]]: ...
    def mark_page_ingested(self, url: str, articles: list[str], error: str | None = None) -> None: ...
    def page_html(self, url: str) -> bytes | None: ...
    def page_counts(self) -> dict[str, dict[str, int]]: ...


def is_postgres(url: str) -> bool:
    return str(url).startswith(POSTGRES_PREFIXES)


def sqlite_path(url: str) -> str:
    """The file path of a SQLite store URL (a plain path is its own path)."""
    url = str(url)
    if url.startswith(SQLITE_PREFIX):
        rest = url[len(SQLITE_PREFIX):]
        if not rest.startswith("/"):
            raise StoreError(f"{url}: a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
        return rest[1:] or ":memory:"
    return url


def open_store(url: str = ":memory:", **options: Any) -> AnyStore:
    """Open (creating or migrating) the store named by ``url`` (see the module docstring)."""
    url = str(url)
    if is_postgres(url):
        from marsad.store.postgres import PostgresStore

        return PostgresStore(url, **options)
    from marsad.store.sqlite import Store

    return Store(sqlite_path(url), **options)


def store_exists(url: str) -> bool:
    """Whether the store named by ``url`` is there to be read (a PostgreSQL database is taken
    to exist; opening it says otherwise)."""
    url = str(url)
    if is_postgres(url):
        return True
    path = sqlite_path(url)
    return path == ":memory:" or os.path.exists(path)


def open_existing(url: str) -> AnyStore:
    """Open a store that must already exist (a StoreError naming it otherwise)."""
    if not store_exists(url):
        raise StoreError(f"{url}: no such store; create one with `marsad analyze PATH --db {url}`")
    return open_store(url)
