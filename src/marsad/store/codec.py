"""Turning the shared dataclasses into JSON-able dicts and back, for the store."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, TypeVar

from marsad.model import (Article, Claim, Entity, Event, Evidence, Facts, Mention, Number, Quote,
                          Speaker, Story, Storyline)

T = TypeVar("T")


def _build(cls: type[T], d: dict[str, Any]) -> T:
    """Construct ``cls`` from ``d``, ignoring keys the class does not know (older/newer stores)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in d.items() if k in names})


def article_to_dict(a: Article) -> dict[str, Any]:
    return asdict(a)


def article_from_dict(d: dict[str, Any]) -> Article:
    return _build(Article, d)


def story_from_dict(d: dict[str, Any]) -> Story:
    return _build(Story, d)


def storyline_from_dict(d: dict[str, Any]) -> Storyline:
    return _build(Storyline, d)


def entity_from_dict(d: dict[str, Any]) -> Entity:
    return _build(Entity, d)


def facts_to_dict(f: Facts) -> dict[str, Any]:
    return asdict(f)


def _evidence(d: dict[str, Any]) -> Evidence:
    return _build(Evidence, d)


def facts_from_dict(d: dict[str, Any]) -> Facts:
    mentions = [_build(Mention, m) for m in d.get("mentions", [])]
    quotes = []
    for q in d.get("quotes", []):
        q = dict(q)
        q["speaker"] = _build(Speaker, q["speaker"])
        q["evidence"] = _evidence(q["evidence"])
        quotes.append(_build(Quote, q))
    claims = []
    for c in d.get("claims", []):
        c = dict(c)
        c["evidence"] = _evidence(c["evidence"])
        claims.append(_build(Claim, c))
    events = []
    for e in d.get("events", []):
        e = dict(e)
        e["evidence"] = _evidence(e["evidence"])
        e["numbers"] = [_build(Number, n) for n in e.get("numbers", [])]
        events.append(_build(Event, e))
    return Facts(mentions=mentions, quotes=quotes, claims=claims, events=events)


def placeholder_story(article: Article) -> Story:
    """The row of a story that stored articles name before stories are next recomputed: one
    article, no storyline, no brief yet."""
    return Story(id=article.story or "", title=article.title or "", articles=[article.id],
                 outlets=[article.outlet] if article.outlet else [], first_seen=article.published,
                 last_seen=article.published)
