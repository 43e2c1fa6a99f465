"""A PostgreSQL server for the benchmarks that compare the store backends.

``MARSAD_BENCH_PG`` names one (an admin URL whose user may create databases); without it, a
throw-away server is started from this machine's PostgreSQL binaries the way the tests start
one (``tests/pg_server.py``: a fresh cluster on loopback, removed at exit). When neither is
possible the PostgreSQL runs are skipped with a line saying why.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import ROOT

ENV = "MARSAD_BENCH_PG"


def admin_url() -> str | None:
    """The admin URL of a PostgreSQL server to benchmark on (None, with a printed line saying
    why, when there is none)."""
    url = os.environ.get(ENV)
    if url:
        return url
    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("   PostgreSQL skipped: psycopg not installed (pip install 'marsad[postgres]')")
        return None
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from pg_server import start_local_server
    except ImportError as exc:  # it imports pytest, a dev dependency
        print(f"   PostgreSQL skipped: {ENV} not set and tests/pg_server.py unusable ({exc})")
        return None
    try:
        return start_local_server()
    except RuntimeError as exc:
        print(f"   PostgreSQL skipped: {ENV} not set and {exc}")
        return None


@contextmanager
def database(admin: str, name: str) -> Iterator[str]:
    """The URL of a new, empty database ``name`` on the server at ``admin``, dropped after."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin)._replace(path="/" + name))
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty(url: str) -> str:
    """Drop everything in the database at ``url`` (a new store is created there next)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP SCHEMA public CASCADE")
        con.execute("CREATE SCHEMA public")
    return url


def size_mb(url: str) -> float:
    import psycopg

    with psycopg.connect(url) as con:
        return con.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
