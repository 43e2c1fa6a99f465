"""Handing on what a store holds: the contract JSON (docs/CONTRACT.md) and CSV tables for analysts
who work in spreadsheets (articles, stories, quotes, claims, events with their evidence).

``--since DATE`` keeps the articles published on or after DATE (an article without a known
date counts from when it was stored), the stories and storylines they belong to, and their
facts. CSV files are UTF-8 with a byte-order mark, so spreadsheet programs read Arabic
correctly; every evidence row carries its character offsets and the quoted span itself.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterable

from marsad.model import Analysis, Article
from marsad.render.contract import iter_contract_json
from marsad.store import AnyStore

LIST_SEP = "؛ "  # Arabic semicolon between the items of a list in one CSV cell


def stored_dates(store: AnyStore) -> dict[str, str]:
    """origin -> the UTC date its input was stored (YYYY-MM-DD)."""
    return {o: (d or "")[:10] for o, d in store.input_dates().items()}


def since(analysis: Analysis, date: str, stored: dict[str, str] | None = None) -> Analysis:
    """The part of ``analysis`` about articles from ``date`` (YYYY-MM-DD) on."""
    stored = stored or {}

    def recent(a: Article) -> bool:
        when = (a.published or "")[:10] or stored.get(a.origin, "")
        return bool(when) and when >= date

    articles = [a for a in analysis.articles if recent(a)]
    ids = {a.id for a in articles}
    stories = [s for s in analysis.stories if ids.intersection(s.articles)]
    story_ids = {s.id for s in stories}
    storylines = [sl for sl in analysis.storylines if story_ids.intersection(sl.stories)]
    facts = {aid: f for aid, f in analysis.facts.items() if aid in ids}
    names = {n for f in facts.values() for m in f.mentions for n in (m.text, m.canonical) if n} | {
        q.speaker.name for f in facts.values() for q in f.quotes}
    entities = [e for e in analysis.entities if names.intersection([e.name, *e.aliases])]
    return Analysis(articles=articles, stories=stories, storylines=storylines, entities=entities, facts=facts)


def _join(items: Iterable[Any]) -> str:
    return LIST_SEP.join(str(i) for i in items if i not in (None, ""))


def _span(text_of: dict[str, str], article: str, ev: Any) -> str:
    return text_of.get(article, "")[ev.start:ev.end]


def csv_tables(analysis: Analysis) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """name -> (header, rows) of every CSV table."""
    text_of = {a.id: a.text for a in analysis.articles}
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    tables["articles"] = (
        ["id", "origin", "url", "part", "title", "published", "outlet", "credited", "duplicate_of", "story", "text"],
        [[a.id, a.origin, a.url or "", a.part, a.title, a.published or "", a.outlet or "", _join(a.credited),
          a.duplicate_of or "", a.story or "", a.text] for a in analysis.articles])
    tables["stories"] = (
        ["id", "title", "storyline", "first_seen", "last_seen", "articles", "outlets", "keywords", "summary"],
        [[s.id, s.title, s.storyline or "", s.first_seen or "", s.last_seen or "", len(s.articles),
          _join(s.outlets), _join(s.keywords), _summary(s.brief)] for s in analysis.stories])
    facts = [analysis.facts[a.id] for a in analysis.articles if a.id in analysis.facts]
    tables["quotes"] = (
        ["article", "speaker", "speaker_entity", "speaker_role", "direct", "via", "text",
         "evidence_start", "evidence_end", "evidence"],
        [[q.article, q.speaker.name, q.speaker.entity or "", q.speaker.role or "", q.direct, _join(q.via), q.text,
          q.evidence.start, q.evidence.end, _span(text_of, q.article, q.evidence)]
         for f in facts for q in f.quotes])
    tables["claims"] = (
        ["article", "claimant", "stance", "target", "text", "evidence_start", "evidence_end", "evidence"],
        [[c.article, c.claimant or "", c.stance, c.target or "", c.text, c.evidence.start, c.evidence.end,
          _span(text_of, c.article, c.evidence)] for f in facts for c in f.claims])
    tables["events"] = (
        ["article", "type", "actors", "place", "date", "numbers", "text", "evidence_start", "evidence_end",
         "evidence"],
        [[e.article, e.type, _join(e.actors), e.place or "", e.date or "",
          _join(f"{n.value:g} {n.what or n.unit or ''}".strip() for n in e.numbers), e.text,
          e.evidence.start, e.evidence.end, _span(text_of, e.article, e.evidence)]
         for f in facts for e in f.events])
    return tables


def _summary(brief: dict[str, Any]) -> str:
    summary = (brief or {}).get("summary") or []
    parts = []
    for s in summary:
        parts.append(s.get("text", "") if isinstance(s, dict) else str(s))
    return " ".join(p for p in parts if p)


def write_csv(analysis: Analysis, folder: str | Path) -> list[Path]:
    """Write every CSV table into ``folder`` (created); returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in csv_tables(analysis).items():
        path = folder / f"{name}.csv"
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        tmp.replace(path)
        written.append(path)
    return written


def contract_json(analysis: Analysis, version: str) -> str:
    """The contract JSON as one string (``marsad.render.contract`` writes it as a stream)."""
    return "".join(iter_contract_json(analysis, version))
