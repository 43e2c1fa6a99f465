"""A throw-away PostgreSQL database per test.

The server is the one named by ``MARSAD_TEST_PG``
(``postgresql://user:password@127.0.0.1:5432/postgres``; the user needs CREATEDB), which
``.ci/run`` sets after starting one. Without the variable, a server is started once per test
run from the PostgreSQL binaries installed on this machine (Debian's
``/usr/lib/postgresql/N/bin``, as ``.ci/run`` uses them): a fresh cluster in a temporary
folder, on loopback, stopped and removed when the run ends.

Tests that need PostgreSQL skip cleanly, saying why, when psycopg is not installed, no
server is named and none can be started here, or the server does not answer.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV = "MARSAD_TEST_PG"
# Where Debian installs PostgreSQL's server binaries (the newest version is used).
BIN_GLOB = "/usr/lib/postgresql/*/bin"
# Seconds to wait for a started server to accept connections.
START_WAIT = 30

_local: dict[str, str] = {}  # "url" of the server started here, or "error": why none could be


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_local_server() -> str:
    """Start a PostgreSQL cluster of this machine's binaries once per process; its admin URL.

    Raises RuntimeError saying why when it cannot (no binaries, initdb or start failed)."""
    if "url" in _local:
        return _local["url"]
    if "error" in _local:
        raise RuntimeError(_local["error"])
    try:
        _local["url"] = _start()
    except RuntimeError as exc:
        _local["error"] = str(exc)
        raise
    return _local["url"]


def _start() -> str:
    bins = sorted((b for b in glob.glob(BIN_GLOB) if os.access(os.path.join(b, "initdb"), os.X_OK)),
                  key=lambda b: [int(x) if x.isdigit() else 0 for x in b.split("/")[-2].split(".")])
    if not bins:
        raise RuntimeError(f"no PostgreSQL server installed ({BIN_GLOB}/initdb); "
                           "apt-get install postgresql, or set MARSAD_TEST_PG")
    bin_dir = bins[-1]
    data = tempfile.mkdtemp(prefix="marsad-test-pg-")
    if os.geteuid() == 0:
        try:
            shutil.chown(data, "postgres", "postgres")
        except (LookupError, OSError) as exc:
            shutil.rmtree(data, ignore_errors=True)
            raise RuntimeError(f"cannot hand {data} to the postgres user: {exc}") from exc
    port = _free_port()

    def run(*cmd: str) -> None:
        done = subprocess.run(_as_postgres([os.path.join(bin_dir, cmd[0]), *cmd[1:]]),
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {(done.stderr or done.stdout).strip()[-400:]}")

    try:
        run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")
        # durability is not wanted of a throw-away test server: no fsync, no full pages
        run("pg_ctl", "-D", data, "-w", "-t", str(START_WAIT), "-l", os.path.join(data, "server.log"),
            "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c fsync=off"
                  " -c synchronous_commit=off -c full_page_writes=off", "start")
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(data, ignore_errors=True)
        raise RuntimeError(f"could not start a local PostgreSQL server: {exc}") from exc

    def stop() -> None:
        subprocess.run(_as_postgres([os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "immediate",
                                     "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def server_url() -> str:
    """The admin URL of the test server, or skip the calling test saying why there is none."""
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.skip("psycopg / psycopg-pool not installed (pip install 'marsad[postgres]')")
    url = os.environ.get(ENV)
    if not url:
        try:
            url = start_local_server()
        except RuntimeError as exc:
            pytest.skip(f"{ENV} not set and no local PostgreSQL server: {exc}")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL at {url if ENV not in os.environ else ENV} does not answer: {exc}")
    return url


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards (about 0.1 s each)."""
    import psycopg

    url = server_url()
    name = "marsad_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path="/" + name))
    finally:
        drop_database(url, name)


def drop_database(url: str, name: str, tries: int = 50) -> None:
    """Drop a test database, ending its connections. An autovacuum worker (a process of the
    server's superuser, which the tests' role may not end) can be in a fresh database right
    then: it finishes in moments, so the drop is tried again for up to about 5 s."""
    import psycopg

    for attempt in range(tries):
        try:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == tries - 1:
                raise
            time.sleep(0.1)


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url
