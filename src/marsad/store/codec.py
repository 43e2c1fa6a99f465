"""Turning the shared dataclasses into JSON-able dicts and back, for the store."""

from __future__ import annotations

import copy
from dataclasses import fields, is_dataclass
from functools import lru_cache
from typing import Any, TypeVar

from marsad.model import (Article, Claim, Entity, Event, Evidence, Facts, Mention, Number, Quote,
                          Speaker, Story, Storyline)

T = TypeVar("T")


def _build(cls: type[T], d: dict[str, Any]) -> T:
    """Construct ``cls`` from ``d``, ignoring keys the class does not know (older/newer stores)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in d.items() if k in names})


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(obj: Any) -> Any:
    """What ``dataclasses.asdict`` gives, without its deep copy of every string and number:
    storing 400 ANT articles with their facts spent 1.0 s of 3.8 s in asdict, under cProfile."""
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {name: _plain(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    return copy.deepcopy(obj)  # anything else as asdict leaves it


def article_to_dict(a: Article) -> dict[str, Any]:
    return _plain(a)


def article_from_dict(d: dict[str, Any]) -> Article:
    return _build(Article, d)


def story_from_dict(d: dict[str, Any]) -> Story:
    return _build(Story, d)


def storyline_from_dict(d: dict[str, Any]) -> Storyline:
    return _build(Storyline, d)


def entity_from_dict(d: dict[str, Any]) -> Entity:
    return _build(Entity, d)


def facts_to_dict(f: Facts) -> dict[str, Any]:
    return _plain(f)


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


# What an entity link is stored for (``entity_links.kind``), with ``idx`` the fact's place in
# its article's list (mentions, quotes, claims or events) and ``sub`` the actor's place in an
# event's ``actors`` (0 for the others).
LINK_KINDS = ("mention", "speaker", "claimant", "target", "actor")
EntityLink = tuple[str, int, int, str]  # (kind, idx, sub, entity id)


def entity_links(f: Facts) -> list[EntityLink]:
    """The entity links one article's facts carry, in a stable order: every mention, quote
    speaker, claimant, target claimant and event actor set to an entity id."""
    out: list[EntityLink] = []
    out += [("mention", i, 0, m.entity) for i, m in enumerate(f.mentions) if m.entity]
    out += [("speaker", i, 0, q.speaker.entity) for i, q in enumerate(f.quotes) if q.speaker.entity]
    for i, c in enumerate(f.claims):
        if c.claimant_entity:
            out.append(("claimant", i, 0, c.claimant_entity))
        if c.target_claimant_entity:
            out.append(("target", i, 0, c.target_claimant_entity))
    for i, e in enumerate(f.events):
        out += [("actor", i, j, e.actor_entity(j)) for j in range(len(e.actors)) if e.actor_entity(j)]
    return out


def apply_entity_links(f: Facts, links: list[EntityLink]) -> Facts:
    """Set the entity ids of ``f`` to the stored ``links`` (and every other one to None: the
    stored links are the whole truth). A link past the end of its list (facts and links out
    of step) is ignored. Returns ``f``."""
    for m in f.mentions:
        m.entity = None
    for q in f.quotes:
        q.speaker.entity = None
    for c in f.claims:
        c.claimant_entity = c.target_claimant_entity = None
    for e in f.events:
        e.actor_entities = [None] * len(e.actors)
    for kind, i, j, eid in links:
        if kind == "mention" and i < len(f.mentions):
            f.mentions[i].entity = eid
        elif kind == "speaker" and i < len(f.quotes):
            f.quotes[i].speaker.entity = eid
        elif kind == "claimant" and i < len(f.claims):
            f.claims[i].claimant_entity = eid
        elif kind == "target" and i < len(f.claims):
            f.claims[i].target_claimant_entity = eid
        elif kind == "actor" and i < len(f.events) and j < len(f.events[i].actors):
            f.events[i].actor_entities[j] = eid
    return f


def placeholder_story(article: Article) -> Story:
    """The row of a story that stored articles name before stories are next recomputed: one
    article, no storyline, no brief yet."""
    return Story(id=article.story or "", title=article.title or "", articles=[article.id],
                 outlets=[article.outlet] if article.outlet else [], first_seen=article.published,
                 last_seen=article.published)
