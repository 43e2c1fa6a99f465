"""The plain data every marsad stage shares.

Each stage is a function (or a small class) over these dataclasses, so any stage can be
tested, benchmarked and replaced alone. ``to_dict`` gives the docs/CONTRACT.md JSON shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RawDoc:
    """One input as read from disk (or the network), before extraction.

    ``kind`` is one of ``text``, ``html``, ``record`` (a JSON/JSONL/TREC record whose fields
    are already split) and says which extractor handles it.
    """

    origin: str
    kind: str
    text: str = ""
    html: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class Article:
    """One article after extraction and cleaning (one part of an input)."""

    id: str
    origin: str
    part: int = 0
    title: str = ""
    title_derived: bool = False
    published: str | None = None
    published_text: str | None = None
    outlet: str | None = None
    credited: list[str] = field(default_factory=list)
    text: str = ""
    removed: list[str] = field(default_factory=list)
    url: str | None = None
    duplicate_of: str | None = None
    story: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("url")
        return d


@dataclass
class Evidence:
    """Where a fact comes from: character offsets into ``Article.text`` (end exclusive)."""

    article: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    """One occurrence of a named entity inside one article."""

    article: str
    text: str
    type: str  # PERSON | ORG | PLACE | OTHER
    start: int
    end: int
    canonical: str | None = None  # full name after within-article coreference
    role: str | None = None
    entity: str | None = None  # id of the cross-article Entity


@dataclass
class Entity:
    id: str
    name: str
    type: str  # PERSON | ORG | PLACE | OTHER
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    mentions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Speaker:
    name: str
    role: str | None = None
    entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "name": self.name, "role": self.role}


@dataclass
class Quote:
    article: str
    speaker: Speaker
    text: str
    direct: bool
    evidence: Evidence
    via: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "speaker": self.speaker.to_dict(),
            "text": self.text,
            "direct": self.direct,
            "via": list(self.via),
            "evidence": self.evidence.to_dict(),
        }


@dataclass
class Claim:
    article: str
    claimant: str
    stance: str  # asserts | denies
    target: str
    text: str
    evidence: Evidence
    target_claimant: str | None = None
    # ids of the cross-article Entity the claimant and the target claimant name (set when
    # entities are linked, see marsad.facts.entities.link_facts; None when they name none)
    claimant_entity: str | None = None
    target_claimant_entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = self.evidence.to_dict()
        return d


@dataclass
class Number:
    value: float | int
    what: str | None = None
    unit: str | None = None
    qualifier: str | None = None  # at least | about | more than | less than | up to | None
    text: str = ""  # the number as written
    start: int | None = None  # offsets into Article.text of the number phrase
    end: int | None = None
    role: str | None = None  # launched | intercepted | "among قتلى" (part of a toll) | None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "what": self.what,
                "qualifier": self.qualifier, "text": self.text, "role": self.role}


@dataclass
class Event:
    article: str
    type: str
    evidence: Evidence
    actors: list[str] = field(default_factory=list)
    place: str | None = None
    date: str | None = None
    numbers: list[Number] = field(default_factory=list)
    plover: str | None = None
    text: str = ""
    # True when the event gate of marsad.facts.events doubts that the sentence reports the
    # event (commentary, background, or a terse report unlike the news it was fitted on); such
    # an event is kept only because the sentence counts its toll or weapons
    doubtful: bool = False
    # the id of the cross-article Entity each actor names, in the order of ``actors`` (None
    # where an actor names none; empty until entities are linked)
    actor_entities: list[str | None] = field(default_factory=list)

    def actor_entity(self, i: int) -> str | None:
        return self.actor_entities[i] if i < len(self.actor_entities) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "type": self.type,
            "plover": self.plover,
            "doubtful": self.doubtful,
            "actors": list(self.actors),
            "actor_entities": [self.actor_entity(i) for i in range(len(self.actors))],
            "place": self.place,
            "date": self.date,
            "numbers": [n.to_dict() for n in self.numbers],
            "text": self.text,
            "evidence": self.evidence.to_dict(),
        }


@dataclass
class Facts:
    """Everything the facts stage finds in one article."""

    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class Story:
    id: str
    title: str = ""
    storyline: str | None = None
    articles: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    keywords: list[str] = field(default_factory=list)
    brief: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Storyline:
    id: str
    title: str = ""
    stories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Analysis:
    """Everything one run of the pipeline produced: what ``marsad analyze --json`` writes and
    what the briefs, renders, API and dashboard read."""

    articles: list[Article] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    storylines: list[Storyline] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    facts: dict[str, Facts] = field(default_factory=dict)  # article id -> its facts

    def article(self, article_id: str) -> Article | None:
        for a in self.articles:
            if a.id == article_id:
                return a
        return None

    def to_dict(self, version: str = "0.1.0") -> dict[str, Any]:
        quotes = [q.to_dict() for f in self.facts.values() for q in f.quotes]
        claims = [c.to_dict() for f in self.facts.values() for c in f.claims]
        events = [e.to_dict() for f in self.facts.values() for e in f.events]
        return {
            "marsad": version,
            "articles": [a.to_dict() for a in self.articles],
            "stories": [s.to_dict() for s in self.stories],
            "storylines": [s.to_dict() for s in self.storylines],
            "entities": [e.to_dict() for e in self.entities],
            "quotes": quotes,
            "claims": claims,
            "events": events,
        }
