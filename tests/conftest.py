"""Shared test fixtures. Data under ../shared is optional: tests that need it skip cleanly."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "examples" / "corpus"
GOLD = ROOT / "examples" / "gold.json"


def shared_path(*parts: str) -> Path:
    """Path under ../shared, or skip the calling test when it is not there."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return p


def anercorp_test_scores(tagger: str | None = None) -> dict:
    """Entity-level scores of marsad's tagger (``tagger``: one of entities.TAGGERS, default
    the shipped one) on ../shared's ANERcorp test split, computed by scripts/train_ner.py's
    reader and scorer; skips when the split is absent."""
    import importlib.util
    import sys

    from marsad.facts import entities as ner

    test = shared_path("data", "anercorp", "test.txt")
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_ner"] = mod
    spec.loader.exec_module(mod)
    sents = mod.read_anercorp(test)
    pred = ner.tag_sentences([toks for toks, _ in sents], tagger=tagger)
    return mod.score([y for _, y in sents], pred)


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def gold() -> dict:
    import json

    if not GOLD.exists():
        pytest.skip("examples/gold.json not written yet")
    return json.loads(GOLD.read_text(encoding="utf-8"))


# -- stores on every backend -------------------------------------------------------------------
# Store tests take ``store_url`` (or ``any_store``, the store opened at it) and so run once per
# backend: a SQLite file, and a fresh PostgreSQL database on the test server (tests/pg_server.py;
# the PostgreSQL run skips, saying why, when no server is named or can be started here).
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def backend_url(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty store of ``backend``: a file in ``folder``, or a new database."""
    if backend == "sqlite":
        yield str(folder / "m.db")
        return
    from pg_server import fresh_database

    with fresh_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> Iterator[str]:
    with backend_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def any_store(store_url):
    from marsad.store import open_store

    with open_store(store_url) as store:
        yield store
