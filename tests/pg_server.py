"""A throw-away PostgreSQL database per test, on the server named by ``MARSAD_TEST_PG``
(``postgresql://user:password@127.0.0.1:5432/postgres``; the user needs CREATEDB).

Tests that need PostgreSQL skip cleanly when the variable is unset, psycopg is not
installed, or the server does not answer. ``.ci/run`` starts a server and sets the variable.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV = "MARSAD_TEST_PG"


def server_url() -> str:
    """The admin URL of the test server, or skip the calling test."""
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(f"{ENV} not set: no PostgreSQL server to test against")
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.skip("psycopg / psycopg-pool not installed (pip install 'marsad[postgres]')")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL at {ENV} does not answer: {exc}")
    return url


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    import psycopg

    url = server_url()
    name = "marsad_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url
