"""Extraction, cleaning and metadata against examples/gold.json (the corpus' hand-made truth):
titles, dates as written, outlets, credited sources, body sentences that must survive,
boilerplate lines that must go, and the parts of each input."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest

from conftest import CORPUS, GOLD
from marsad.ingest import extract_articles, read_inputs
from marsad.model import RawDoc
from marsad.text import normalize_for_search as nfs


def _gold_articles() -> list[dict]:
    if not GOLD.exists():
        return []
    return json.loads(GOLD.read_text(encoding="utf-8"))["articles"]


@lru_cache(maxsize=1)
def _extracted() -> dict[tuple[str, int], object]:
    out = {}
    for raw in read_inputs([str(CORPUS)]):
        assert isinstance(raw, RawDoc), f"corpus input failed to read: {raw}"
        for a in extract_articles(raw):
            rel = a.origin[len(str(CORPUS)) + 1:]
            out[(rel, a.part)] = a
    return out


GOLD_ARTICLES = _gold_articles()


def _article(g: dict):
    got = _extracted().get((g["origin"], g["part"]))
    assert got is not None, f"{g['origin']} part {g['part']} was not extracted"
    return got


pytestmark = pytest.mark.skipif(not GOLD_ARTICLES, reason="examples/gold.json not written yet")
_ids = [f"{g['origin']}#{g['part']}" for g in GOLD_ARTICLES]


@pytest.mark.parametrize("g", GOLD_ARTICLES, ids=_ids)
def test_title(g):
    a = _article(g)
    assert a.title_derived == g["title_derived"]
    if g.get("title") is not None:
        assert a.title == g["title"]
    else:
        assert a.title  # a derived title is never empty


@pytest.mark.parametrize("g", GOLD_ARTICLES, ids=_ids)
def test_published_date_as_written(g):
    a = _article(g)
    assert (a.published, a.published_text) == (g["published"], g["published_text"])


@pytest.mark.parametrize("g", GOLD_ARTICLES, ids=_ids)
def test_outlet_and_credited(g):
    a = _article(g)
    assert a.outlet == g["outlet"]
    assert sorted(a.credited) == sorted(g["credited"])


@pytest.mark.parametrize("g", GOLD_ARTICLES, ids=_ids)
def test_body_kept_and_boilerplate_removed(g):
    a = _article(g)
    body = nfs(a.text)
    for s in g.get("body_contains", []):
        assert nfs(s) in body, s
    lines = {nfs(ln).strip() for ln in a.text.split("\n")}
    for b in g.get("boilerplate", []):
        # a boilerplate line must not be a line of the text; a long one not even inside a line
        assert nfs(b).strip() not in lines, b
        if len(b.split()) >= 4:
            assert nfs(b) not in body, b


def test_parts_of_every_input():
    want: dict[str, set[int]] = {}
    for g in GOLD_ARTICLES:
        want.setdefault(g["origin"], set()).add(g["part"])
    got: dict[str, set[int]] = {}
    for origin, part in _extracted():
        got.setdefault(origin, set()).add(part)
    for origin, parts in want.items():
        assert got.get(origin) == parts, origin
