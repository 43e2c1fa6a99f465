"""Story briefs: timeline, reconciled numbers, contradictions, who said what, a cited
extractive summary and the sources of one story.

``build_brief(story, analysis)`` returns a plain JSON-able dict (it goes into ``Story.brief``
and the ``brief`` object of ``marsad analyze --json``)::

    {
      "timeline":          [{"date", "kind", "type", "text", "speaker", "numbers", "sources"}],
      "numbers":           [{"key", "what", "event_types", "latest", "most_reported",
                             "values", "changed", "place", "incident", "side",
                             "history": [{"value", "qualifier", "outlet", "article",
                             "published", "evidence", "incident", ...}]}],
      "contradictions":    [{"kind", "topic", "says": {...} | None, "denies": {...},
                             "denials": [{...}, ...]}],
      "quotes_by_speaker": [{"speaker", "role", "entity", "quotes": [{"text", "direct", "via",
                             "sources"}]}],
      "summary":           [{"text", "article", "outlet", "published", "start", "end",
                             "evidence", "also_in"}],
      "sources":           {"outlets", "copies", "agencies", "articles"}
    }

Every ``sources`` entry names an article, its outlet, its publication time and an
``evidence`` span (``{"article", "start", "end"}``, offsets into ``Article.text``). Every
summary sentence is verbatim: ``article.text[start:end] == text``.

Nothing here guesses beyond the facts stage: it only groups, orders and selects what the
articles and their facts already say.

This module assembles the brief and writes its timeline, who said what, summary and sources.
The number table (what one row counts, how its values are reconciled) is
``marsad.brief_numbers``; the contradictions are ``marsad.brief_contradictions``; the story
view and similarity helpers all sections share are ``marsad.brief_story``.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from marsad.brief_contradictions import find_contradictions
from marsad.brief_numbers import number_rows
from marsad.brief_story import (NEVER, SAME_REPORT_JACCARD, StoryIndex, StoryView, jaccard, numbers_in,
                                parse_when, same_party, stem_set)
from marsad.model import Analysis, Article, Evidence, Story
from marsad.text import normalize_for_search, split_sentences, words

# --------------------------------------------------------------------------------------------
# Tuned constants. Calibrated by reading the briefs of the test fixtures (three outlets on one
# attack plus a syndicated copy, a denial story) and of ../shared/seeds (five outlets on the
# Kremlin / peace-talks story).

# A statement whose evidence lies inside an event's sentence and covers at least this share of
# it restates the event. 0.8: «قال مدير الصحة إن 8 قتلوا ...» as both a quote and a casualties
# event covers 0.9 of the sentence; a short quote inside a long event sentence (0.3-0.5) adds
# the words of a person and stays in the timeline.
RESTATES_SHARE = 0.8
# A summary candidate this similar to an already chosen sentence adds too little to be taken.
# 0.45: at 0.6 the seeds' summary carried the same Peskov statement twice (0.52); at 0.3 it
# dropped the later «no agreement on air strikes» development (0.34) next to the lead.
SUMMARY_REDUNDANT_JACCARD = 0.45
# Summary candidates are sentences of this many words (inclusive). Shorter are captions,
# datelines or headings; longer are run-on scraps where the sentence splitter found no stop.
SUMMARY_MIN_WORDS = 6
SUMMARY_MAX_WORDS = 80
# Default number of summary sentences.
SUMMARY_SENTENCES = 5
# Bounds on the work of one summary (candidates are compared pairwise): at most this many
# articles (the earliest and the latest halves) and the first this-many candidate sentences
# of each. The example corpus and the seeds stay far under both (≤ 6 articles, ≤ 14
# sentences); a 500-article ANT cluster drops from minutes to well under a second.
SUMMARY_MAX_ARTICLES = 40
SUMMARY_MAX_SENTENCES_PER_ARTICLE = 15


# Words that make a name a description of other people (مسؤولو الدفاع الجوي في موسكو): such a
# name is not a longer form of the place or body it mentions (موسكو).
_DESCRIBING = set(words("في من عن لدى باسم داخل"))


def _same_speaker(a: str | None, b: str | None) -> bool:
    """One speaker under two forms (بيسكوف، دميتري بيسكوف; الكرملين، الكرملين الروسي), not a
    body and the people described by it."""
    if not same_party(a, b):
        return False
    longer = a if len(words(a or "")) >= len(words(b or "")) else b
    shorter = b if longer is a else a
    return len(words(longer or "")) == len(words(shorter or "")) or \
        not (_DESCRIBING & set(words(longer or "")))


# --------------------------------------------------------------------------------------------
# timeline

@dataclass
class _Item:
    kind: str  # event | statement | claim
    type: str
    text: str
    date: datetime | None
    date_text: str | None
    stemset: frozenset[str]
    who: str | None = None
    role: str | None = None
    numbers: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    first: tuple[datetime, int, int] = (NEVER, 0, 0)


class _SimilarLines:
    """The lines already in a timeline, looked up by what a new line must share with the one
    it merges into: the same kind, type and numbers, and stems whose Jaccard similarity is at
    least SAME_REPORT_JACCARD. Two sets that similar share a stem among the first
    ``n - ceil(t * n) + 1`` of each in one fixed order (prefix filtering, as in Bayardo et al.
    2007, "Scaling up all pairs similarity search"); ordered rarest first, only lines sharing
    a rare stem are compared, so a story's timeline costs about its number of lines, not its
    square (a 1 MB one-article story: 7,218 lines)."""

    def __init__(self, rarity: Counter):
        self.rarity = rarity
        self.lines: dict[tuple, list[_Item]] = defaultdict(list)
        self.index: dict[tuple, list[int]] = defaultdict(list)

    def _prefix(self, stemset: frozenset[str]) -> list[str]:
        n = len(stemset)
        keep = n - math.ceil(SAME_REPORT_JACCARD * n - 1e-9) + 1
        return sorted(stemset, key=lambda w: (self.rarity[w], w))[:keep]

    def first_match(self, item: _Item, nums: frozenset[str]) -> _Item | None:
        """The earliest line ``item`` restates (the rule of ``_timeline``'s ``add``)."""
        key = (item.kind, item.type, nums)
        lines = self.lines.get(key)
        if not lines:
            return None
        cands = sorted({i for w in self._prefix(item.stemset) for i in self.index.get(key + (w,), ())})
        for i in cands:
            it = lines[i]
            if ((item.who is None or it.who is None or same_party(it.who, item.who))
                    and jaccard(it.stemset, item.stemset) >= SAME_REPORT_JACCARD):
                return it
        return None

    def append(self, item: _Item, nums: frozenset[str]) -> None:
        key = (item.kind, item.type, nums)
        lines = self.lines[key]
        for w in self._prefix(item.stemset):
            self.index[key + (w,)].append(len(lines))
        lines.append(item)


def _fact_texts(st: StoryView) -> Iterable[str]:
    """The texts of every fact of the story (for the stems' rarity in ``_SimilarLines``)."""
    for a in st.articles:
        f = st.facts[a.id]
        for e in f.events:
            if st.valid(e.evidence):
                yield e.text or a.text[e.evidence.start:e.evidence.end]
        yield from (q.text for q in f.quotes)
        yield from (c.text or c.target for c in f.claims)


def _timeline(st: StoryView) -> list[dict[str, Any]]:
    items: list[_Item] = []
    rarity: Counter = Counter()
    for text in _fact_texts(st):
        rarity.update(stem_set(text))
    similar = _SimilarLines(rarity)

    def add(item: _Item, ev: Evidence) -> None:
        a = st.by_id[ev.article]
        t = st.time_key(a)
        first = (t[0], t[1], ev.start)
        nums = numbers_in(item.text)
        it = similar.first_match(item, nums)
        if it is not None:  # the same report again: one line, one more source
            if all(s["article"] != a.id for s in it.sources):
                it.sources.append(st.source(ev))
            if first < it.first:
                it.first = first
            if it.date is None and item.date is not None:
                it.date, it.date_text = item.date, item.date_text
            return
        item.sources = [st.source(ev)]
        item.first = first
        items.append(item)
        similar.append(item, nums)

    for a in st.articles:
        f = st.facts[a.id]
        for e in f.events:
            if not st.valid(e.evidence):
                continue
            text = e.text or a.text[e.evidence.start:e.evidence.end]
            date = parse_when(e.date) or parse_when(a.published)
            add(_Item("event", e.type, text, date, e.date or a.published, stem_set(text),
                      numbers=[n.to_dict() for n in e.numbers],
                      extra={"actors": list(e.actors), "place": e.place, "plover": e.plover}), e.evidence)
    # Statements and claims that only restate an event of the timeline (the same sentence of
    # the same article) are not repeated: the event says who reported it.
    event_spans = _Spans()
    for it in items:
        for src in it.sources:
            ev = src["evidence"]
            event_spans.add((ev["article"], ev["start"], ev["end"]), it)

    def restates(ev: Evidence, who: str | None) -> bool:
        for s0, e0, it in event_spans.holding((ev.article, ev.start, ev.end)):
            if (ev.end - ev.start) >= RESTATES_SHARE * (e0 - s0):
                if who and not it.who:
                    it.who = who
                return True
        return False

    for a in st.articles:
        f = st.facts[a.id]
        for q in f.quotes:
            if not st.valid(q.evidence) or restates(q.evidence, q.speaker.name):
                continue
            add(_Item("statement", "direct" if q.direct else "indirect", q.text, parse_when(a.published),
                      a.published, stem_set(q.text), who=q.speaker.name, role=q.speaker.role,
                      extra={"via": list(q.via)}), q.evidence)
        for c in f.claims:
            # a claim in an event's sentence is merged into that line with its stance
            # (_one_line_per_sentence), not dropped here
            if not st.valid(c.evidence):
                continue
            add(_Item("claim", c.stance, c.text or c.target, parse_when(a.published), a.published,
                      stem_set(c.text or c.target), who=c.claimant,
                      extra={"target": c.target, "target_claimant": c.target_claimant}), c.evidence)

    items = _one_line_per_sentence(items)
    # By the day it happened, then by when it was first reported: a date without a time and a
    # publication time on the same day must not be compared as midnight vs. afternoon.
    items.sort(key=lambda it: ((it.date or it.first[0]).date(), it.first))
    shown = _timeline_shown(items)
    out = []
    for it in items:
        d = {
            "date": it.date.date().isoformat() if it.date else None,
            "kind": it.kind,
            "type": it.type,
            "types": list(it.extra.pop("types", None) or [it.type]),
            "folded": id(it) not in shown,
            "text": it.text,
            "speaker": it.who,
            "role": it.role,
            "numbers": it.numbers,
            "reported": it.sources[0]["published"] if it.sources else None,
            "sources": it.sources,
        }
        d.update(it.extra)
        out.append(d)
    return out


def _spans(it: _Item) -> list[tuple[str, int, int]]:
    return [(src["evidence"]["article"], src["evidence"]["start"], src["evidence"]["end"])
            for src in it.sources]


def _inside(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and b[1] <= a[1] and a[2] <= b[2]


class _Spans:
    """Evidence spans with a value each, found by the spans that hold a given one, in the order
    they were added (per article, sorted by start with the longest span known, so a lookup
    reads only the spans that start close enough before it to reach over it)."""

    def __init__(self) -> None:
        self.by_article: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # start, order, end
        self.longest: dict[str, int] = defaultdict(int)
        self.values: list[Any] = []

    def add(self, span: tuple[str, int, int], value: Any) -> None:
        art, s, e = span
        bisect.insort(self.by_article[art], (s, len(self.values), e))
        self.longest[art] = max(self.longest[art], e - s)
        self.values.append(value)

    def holding(self, span: tuple[str, int, int]) -> list[tuple[int, int, Any]]:
        """(start, end, value) of the spans that hold ``span``, in the order they were added."""
        art, s, e = span
        spans = self.by_article.get(art)
        if not spans:
            return []
        lo = bisect.bisect_left(spans, (s - self.longest[art], -1, -1))
        hi = bisect.bisect_right(spans, (s, math.inf, math.inf))
        got = sorted((n, s0, e0) for s0, n, e0 in spans[lo:hi] if e <= e0)
        return [(s0, e0, self.values[n]) for n, s0, e0 in got]


# Which line wins when several come from one sentence: events first (they carry the numbers),
# then claims (a denial names what it denies), then statements.
_KIND_RANK = {"event": 0, "claim": 1, "statement": 2}


def _one_line_per_sentence(items: list[_Item]) -> list[_Item]:
    """One timeline line per evidence sentence.

    * Lines citing the same sentence (an event read as casualties and as talks, a denial that is
      also a casualties event) merge into one that lists every type (``extra["types"]``).
    * A line whose every span lies inside a line already kept (a quote inside an event's or a
      denial's sentence, a quotation inside its own paraphrase) is dropped; a denial's stance is
      added to the types of the line that holds it, and the speaker is carried over when the
      kept line names none. Quotes stay in full in ``quotes_by_speaker``.
    """
    order = sorted(items, key=lambda it: (_KIND_RANK.get(it.kind, 3),
                                          -max((e - s for _, s, e in _spans(it)), default=0)))
    kept: list[_Item] = []
    kept_spans = _Spans()
    for it in order:
        spans = _spans(it)
        # the first line kept that holds this line's first span
        holders = kept_spans.holding(spans[0]) if spans else []
        host = holders[0][2] if holders else None
        if host is None:
            it.extra.setdefault("types", [it.type])
            kept.append(it)
            for sp in spans:
                kept_spans.add(sp, it)
            continue
        same_sentence = any(sp in _spans(host) for sp in spans)
        if it.kind != "statement" and (same_sentence or it.kind == "claim"):
            types = host.extra.setdefault("types", [host.type])
            if it.type not in types:
                types.append(it.type)
        if it.who and not host.who:
            host.who, host.role = it.who, it.role
        if it.kind == "claim" and "target" not in host.extra:
            host.extra.update({k: v for k, v in it.extra.items() if k in ("target", "target_claimant")})
    keep = {id(it) for it in kept}
    return [it for it in items if id(it) in keep]


# How many timeline lines a brief shows unfolded. 20: the example corpus strike story (7
# articles) had 37 lines before sentences were merged and 27 after; every event with a number
# and every denial is shown whatever the limit (the strike story has 12 of those), the rest are
# the most-reported lines, then the earliest. The others stay in the brief, marked ``folded``,
# for the HTML "more" fold and the JSON.
TIMELINE_SHOWN = 20


def _timeline_shown(items: list[_Item]) -> set[int]:
    """The ids of the lines shown unfolded (rule in TIMELINE_SHOWN)."""
    def must(it: _Item) -> bool:
        types = it.extra.get("types") or [it.type]
        return (it.kind == "event" and bool(it.numbers)) or "denies" in types
    shown = [it for it in items if must(it)]
    rest = [it for it in items if not must(it)]
    rest.sort(key=lambda it: (-len({s["outlet"] for s in it.sources}), _KIND_RANK.get(it.kind, 3), it.first))
    shown += rest[:max(0, TIMELINE_SHOWN - len(shown))]
    return {id(it) for it in shown}


# --------------------------------------------------------------------------------------------
# who said what

def _quotes_by_speaker(st: StoryView) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for a in st.articles:
        for q in st.facts[a.id].quotes:
            if not st.valid(q.evidence):
                continue
            sp = q.speaker
            g = None
            for cand in groups:
                if (sp.entity and sp.entity == cand["entity"]) or _same_speaker(sp.name, cand["_name"]):
                    g = cand
                    break
            if g is None:
                g = {"entity": sp.entity, "_name": sp.name, "_names": Counter(), "_roles": Counter(),
                     "quotes": [], "_first": st.time_key(a)}
                groups.append(g)
            g["_names"][sp.name] += 1
            if sp.role:
                g["_roles"][sp.role] += 1
            if sp.entity and not g["entity"]:
                g["entity"] = sp.entity
            qs = stem_set(q.text)
            for item in g["quotes"]:
                if jaccard(item["_stems"], qs) >= SAME_REPORT_JACCARD:
                    if all(s["article"] != a.id for s in item["sources"]):
                        item["sources"].append(st.source(q.evidence))
                    for v in q.via:
                        if v not in item["via"]:
                            item["via"].append(v)
                    break
            else:
                g["quotes"].append({"text": q.text, "direct": q.direct, "via": list(q.via),
                                    "sources": [st.source(q.evidence)], "_stems": qs})
    out = []
    for g in groups:
        # A quotation inside the speaker's own paraphrase (… أن المستشفى "استقبل …"، وأن …) is
        # already read there: listed once, in the paraphrase.
        spans = [[(s["evidence"]["article"], s["evidence"]["start"], s["evidence"]["end"])
                  for s in item["sources"]] for item in g["quotes"]]
        g["quotes"] = [item for i, item in enumerate(g["quotes"])
                       if not any(j != i and spans[j] != spans[i] and _inside(spans[i][0], o)
                                  for j in range(len(spans)) for o in spans[j])]
        # The full name is the longest form used (بيسكوف → دميتري بيسكوف); ties to the most used.
        name = max(g["_names"], key=lambda n: (len(words(n)), g["_names"][n], len(n)))
        # the most used title, the fullest on a tie (المتحدث باسم الجيش over المتحدث باسمه)
        role = max(g["_roles"], key=lambda r: (g["_roles"][r], len(r))) if g["_roles"] else None
        for item in g["quotes"]:
            item.pop("_stems")
        out.append({"speaker": name, "role": role, "entity": g["entity"],
                    "names": sorted(g["_names"]), "quotes": g["quotes"], "_first": g["_first"]})
    out.sort(key=lambda g: (-len(g["quotes"]), g["_first"]))
    for g in out:
        g.pop("_first")
    return out


# --------------------------------------------------------------------------------------------
# cited summary

@dataclass
class _Cand:
    article: Article
    start: int
    end: int
    text: str
    stemset: frozenset[str]
    numbers: frozenset[str]
    position: int
    time: tuple[datetime, int]
    score: float = 0.0
    also: list[Article] = field(default_factory=list)


def _summary(st: StoryView, numbers: list[dict[str, Any]], n: int = SUMMARY_SENTENCES) -> list[dict[str, Any]]:
    originals = [a for a in st.articles if not a.duplicate_of] or list(st.articles)
    if len(originals) > SUMMARY_MAX_ARTICLES:
        # The first reports and the latest developments; the middle of a long story repeats.
        half = SUMMARY_MAX_ARTICLES // 2
        originals = originals[:half] + originals[-half:]

    # Where the facts stage found something: sentences holding a fact are worth more.
    fact_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for a in originals:
        f = st.facts[a.id]
        for x in [*f.events, *f.quotes, *f.claims]:
            if st.valid(x.evidence):
                fact_spans[a.id].append((x.evidence.start, x.evidence.end))
    # The latest value of every changed number: the sentence that reports it is a development.
    latest_spans = {(g["latest_report"]["article"], g["latest_report"]["evidence"]["start"])
                    for g in numbers if g["changed"]}

    cands: list[_Cand] = []
    for a in originals:
        pos = 0
        for s in split_sentences(a.text):
            ws = words(s.text)
            if not (SUMMARY_MIN_WORDS <= len(ws) <= SUMMARY_MAX_WORDS):
                continue
            if s.text.rstrip().endswith(":") or not any("\u0621" <= ch <= "\u064a" for ch in s.text):
                continue
            if pos >= SUMMARY_MAX_SENTENCES_PER_ARTICLE:
                break
            c = _Cand(a, s.start, s.end, s.text, stem_set(s.text), numbers_in(s.text), pos, st.time_key(a))
            pos += 1
            # Near-identical to an earlier report (a copy the dedup stage missed, or the same wire
            # sentence in another outlet): credit the earliest, note the other as confirming it.
            for prev in cands:
                if (prev.article.id != a.id and c.numbers <= prev.numbers
                        and jaccard(prev.stemset, c.stemset) >= SAME_REPORT_JACCARD):
                    if all(x.id != a.id for x in prev.also):
                        prev.also.append(a)
                    break
            else:
                cands.append(c)
    if not cands:
        return []

    df: Counter[str] = Counter()
    for a in originals:
        df.update(stem_set(a.text))
    n_docs = len(originals)
    for c in cands:
        if not c.stemset:
            continue
        # Centrality: stems many of the story's articles share carry the story (log-damped).
        central = sum(math.log1p(df[s]) for s in c.stemset) / math.sqrt(len(c.stemset))
        central /= math.log1p(n_docs) or 1.0
        # Lead sentences carry the news in news writing: 1.0 for the first, fading.
        lead = 1.0 / (1 + c.position)
        fact = 0.5 if any(fs < c.end and c.start < fe for fs, fe in fact_spans.get(c.article.id, [])) else 0.0
        development = 1.0 if any(aid == c.article.id and c.start <= s < c.end for aid, s in latest_spans) else 0.0
        support = 0.3 * min(len(c.also), 3)
        c.score = central + 1.5 * lead + fact + development + support

    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-c.score, c.time, c.start)):
        if len(chosen) >= n:
            break
        redundant = False
        for o in chosen:
            if jaccard(o.stemset, c.stemset) >= SUMMARY_REDUNDANT_JACCARD:
                # The same fact with a new number is a development, not a repeat.
                if not (c.numbers - o.numbers):
                    redundant = True
                    break
        if not redundant:
            chosen.append(c)
    chosen.sort(key=lambda c: (c.time, c.start))
    out = []
    for c in chosen:
        a = c.article
        assert a.text[c.start:c.end] == c.text
        out.append({
            "text": c.text,
            "article": a.id,
            "outlet": a.outlet,
            "published": a.published,
            "start": c.start,
            "end": c.end,
            "evidence": {"article": a.id, "start": c.start, "end": c.end},
            "also_in": [{"article": x.id, "outlet": x.outlet, "published": x.published} for x in c.also],
        })
    return out


# --------------------------------------------------------------------------------------------
# sources

def _sources(st: StoryView) -> dict[str, Any]:
    outlets: dict[str | None, dict[str, Any]] = {}
    agencies: dict[str, dict[str, Any]] = {}
    copies = []
    articles = []
    for a in st.articles:
        o = outlets.setdefault(a.outlet, {"outlet": a.outlet, "articles": [], "first": a.published,
                                          "copies": 0})
        o["articles"].append(a.id)
        if a.duplicate_of:
            o["copies"] += 1
        for name in a.credited:
            g = agencies.setdefault(normalize_for_search(name), {"name": name, "articles": [], "outlets": []})
            g["articles"].append(a.id)
            if a.outlet and a.outlet not in g["outlets"]:
                g["outlets"].append(a.outlet)
        if a.duplicate_of:
            orig = st.by_id.get(a.duplicate_of)
            copies.append({
                "article": a.id,
                "outlet": a.outlet,
                "published": a.published,
                "copy_of": a.duplicate_of,
                "copy_of_outlet": orig.outlet if orig else None,
                "copy_of_published": orig.published if orig else None,
                "credited": list(a.credited),
            })
        articles.append({"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published,
                         "published_text": a.published_text, "duplicate_of": a.duplicate_of,
                         "credited": list(a.credited), "origin": a.origin})
    return {
        "outlets": list(outlets.values()),
        "copies": copies,
        "agencies": sorted(agencies.values(), key=lambda g: (-len(g["articles"]), g["name"])),
        "articles": articles,
    }


# --------------------------------------------------------------------------------------------
# public API

def build_brief(story: Story, analysis: Analysis, summary_sentences: int = SUMMARY_SENTENCES,
                _index: StoryIndex | None = None) -> dict[str, Any]:
    """The brief of one story (a JSON-able dict; see the module docstring for its shape)."""
    st = StoryView(story, analysis, _index)
    numbers = number_rows(st)
    return {
        "timeline": _timeline(st),
        "numbers": numbers,
        "contradictions": find_contradictions(st),
        "quotes_by_speaker": _quotes_by_speaker(st),
        "summary": _summary(st, numbers, summary_sentences),
        "sources": _sources(st),
    }


def build_briefs(analysis: Analysis, only_missing: bool = False) -> dict[str, dict[str, Any]]:
    """Story id -> brief for every story (or only those whose ``brief`` is empty)."""
    index = StoryIndex(analysis)
    return {s.id: build_brief(s, analysis, _index=index) for s in analysis.stories
            if not (only_missing and s.brief)}


def add_briefs(analysis: Analysis) -> None:
    """Set ``story.brief`` for every story of ``analysis``."""
    index = StoryIndex(analysis)
    for story in analysis.stories:
        story.brief = build_brief(story, analysis, _index=index)


def iter_evidence(brief: dict[str, Any]) -> Iterable[dict[str, int | str]]:
    """Every evidence span a brief cites (for renderers that link and highlight them)."""
    for item in brief.get("timeline", []):
        for s in item["sources"]:
            yield s["evidence"]
    for g in brief.get("numbers", []):
        for r in g["history"]:
            yield r["evidence"]
    for d in brief.get("contradictions", []):
        for side in (d.get("says"), d.get("denies")):
            for s in (side or {}).get("sources", []):
                yield s["evidence"]
    for g in brief.get("quotes_by_speaker", []):
        for q in g["quotes"]:
            for s in q["sources"]:
                yield s["evidence"]
    for s in brief.get("summary", []):
        yield s["evidence"]
