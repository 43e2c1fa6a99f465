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

A number row counts one quantity of one incident: the same thing (what, role), at one place,
on one day, of one side (civilians or fighters), and of the story's own incident unless the
count's own clause names another («غارة ثانية»، «في هجوم آخر»، «الشهر الماضي»، «عام 2009»:
``incident``) or a running total (role ``cumulative``; a war's apart from an offensive's).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Iterable

from marsad.facts import claims as facts_claims
from marsad.model import Analysis, Article, Claim, Evidence, Facts, Quote, Story
from marsad.text import normalize, normalize_for_search, split_sentences, stems, words
from marsad.text.dates import MONTHS
from marsad.text.normalize import GAP

# --------------------------------------------------------------------------------------------
# Tuned constants. Calibrated by reading the briefs of the test fixtures (three outlets on one
# attack plus a syndicated copy, a denial story) and of ../shared/seeds (five outlets on the
# Kremlin / peace-talks story).

# Two sentences (or two fact texts) whose stem sets have at least this Jaccard similarity are
# the same report. 0.6: syndicated copies with a changed connective or an added «اليوم» score
# 0.75–1.0; two different sentences of the same story about the same people stay under 0.4.
SAME_REPORT_JACCARD = 0.6
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
# A denial matches an assertion when their targets share at least this share of the smaller
# stem set (overlap coefficient). 0.5: «سيطرت على بلدة ...» vs «السيطرة على البلدة ...» share
# 3 of 5 content stems; two unrelated claims in one story share at most one or two.
CLAIM_OVERLAP = 0.5
# Default number of summary sentences.
SUMMARY_SENTENCES = 5
# Bounds on the work of one summary (candidates are compared pairwise): at most this many
# articles (the earliest and the latest halves) and the first this-many candidate sentences
# of each. The example corpus and the seeds stay far under both (≤ 6 articles, ≤ 14
# sentences); a 500-article ANT cluster drops from minutes to well under a second.
SUMMARY_MAX_ARTICLES = 40
SUMMARY_MAX_SENTENCES_PER_ARTICLE = 15

# Frequent function words left out of the stem sets used for similarity. Normalized forms.
_STOP = set(words(
    "في من إلى على عن مع أن إن أنه أنها كان كانت قد لقد لم لن لا ما ماذا هذا هذه ذلك تلك "
    "التي الذي الذين هو هي هم كما أو أم ثم بعد قبل حتى عند عندما منذ خلال بين حول ضد لدى "
    "كل بعض غير أي وقال وأضاف وأكد قال أضاف أكد إنه وأشار أشار اليوم أمس يوم وفق وفقا "
    "حيث إذ إذا لكن بل و ف ب ل ك ال"
))

_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")

# Event types that count the same things (people killed in an attack, drones launched at a
# city are reported under attack, casualties or interception by the facts stage), so their
# numbers are reconciled together; ``Number.role`` keeps launched apart from intercepted.
_TYPE_FAMILY = {"attack": "violence", "casualties": "violence", "interception": "violence"}

# What a number counts, folded to one key per meaning (normalized forms; see
# marsad.text.normalize): «قتلى»، «قتيلا»، «مقتل»، «شهداء» all count the killed.
_WHAT_CANON: dict[str, str] = {}
for _canon, _forms in {
    "killed": "قتلى قتيل قتيلا قتيلاً قتلا مقتل القتلى شهيد شهيدا شهداء الشهداء ضحية ضحايا "
              "الضحايا وفاة وفيات حالة_وفاة قتلوا لقوا",
    "wounded": "جرحى جريح جريحا الجرحى مصاب مصابا مصابين مصابون المصابين إصابة إصابات الإصابات "
               "جرح جرحوا أصيبوا",
    "missing": "مفقود مفقودين مفقودا المفقودين",
    "prisoners": "أسرى أسير أسيرا الأسرى معتقل معتقلين المعتقلين سجين سجناء السجناء محتجز "
                 "محتجزين رهينة رهائن الرهائن",
    "drones": "مسيرة مسيرات المسيرات طائرة_مسيرة درون",
    "missiles": "صاروخ صواريخ الصواريخ",
    "displaced": "نازح نازحين النازحين مهجر مهجرين",
    "arrested": "اعتقال اعتقل المعتقلين موقوف موقوفين",
}.items():
    for _f in _forms.split():
        for _w in words(_f.replace("_", " ")):
            _WHAT_CANON.setdefault(_w, _canon)


# --------------------------------------------------------------------------------------------
# small helpers

def _when(value: str | None) -> datetime | None:
    """A sortable naive-UTC datetime of an ISO date or datetime, or None."""
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00")
    try:
        d = datetime.fromisoformat(v)
    except ValueError:
        try:
            d = datetime.fromisoformat(v[:10])
        except ValueError:
            return None
    if d.tzinfo is not None:
        d = d.astimezone(timezone.utc).replace(tzinfo=None)
    return d


_NEVER = datetime.max


@lru_cache(maxsize=50_000)
def _stemset(text: str) -> frozenset[str]:
    """Content stems of ``text`` (function words dropped, digits kept)."""
    ws = [w for w in words(text) if w not in _STOP]
    return frozenset(s for s in stems(ws) if s and (len(s) > 1 or s.isdigit()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@lru_cache(maxsize=20_000)
def _name_key(name: str | None) -> frozenset[str]:
    """Stems of a name, for matching «بلومبرغ» to «وكالة بلومبرغ» or «الكرملين» to «كرملين»."""
    if not name:
        return frozenset()
    return frozenset(s for s in stems(words(name)) if s)


def _same_party(a: str | None, b: str | None) -> bool:
    ka, kb = _name_key(a), _name_key(b)
    if not ka or not kb:
        return False
    return ka <= kb or kb <= ka


# Words that make a name a description of other people (مسؤولو الدفاع الجوي في موسكو): such a
# name is not a longer form of the place or body it mentions (موسكو).
_DESCRIBING = set(words("في من عن لدى باسم داخل"))


def _same_speaker(a: str | None, b: str | None) -> bool:
    """One speaker under two forms (بيسكوف، دميتري بيسكوف; الكرملين، الكرملين الروسي), not a
    body and the people described by it."""
    if not _same_party(a, b):
        return False
    longer = a if len(words(a or "")) >= len(words(b or "")) else b
    shorter = b if longer is a else a
    return len(words(longer or "")) == len(words(shorter or "")) or \
        not (_DESCRIBING & set(words(longer or "")))


def _numbers_in(text: str) -> frozenset[str]:
    return frozenset(m.group(0) for m in _DIGITS.finditer(normalize_for_search(text)))


def _what_key(what: str | None) -> str:
    """One key per thing counted: a canonical name when known, else the stems as written."""
    if not what:
        return "?"
    ws = words(what)
    for w in ws:
        if w in _WHAT_CANON:
            return _WHAT_CANON[w]
    for w in ws:  # a clitic or article in front: «والقتلى»، «للمصابين»
        for p in ("وال", "بال", "لل", "ال", "و", "ل", "ب"):
            if w.startswith(p) and w[len(p):] in _WHAT_CANON:
                return _WHAT_CANON[w[len(p):]]
    return " ".join(stems(ws)) or "?"


class _Index:
    """Lookups over a whole analysis, built once for all its stories."""

    def __init__(self, analysis: Analysis):
        self.by_id = {a.id: a for a in analysis.articles}
        self.by_story: dict[str, list[Article]] = defaultdict(list)
        for a in analysis.articles:
            if a.story:
                self.by_story[a.story].append(a)


class _Story:
    """The articles of one story in time order, with their facts and lookups."""

    def __init__(self, story: Story, analysis: Analysis, index: "_Index | None" = None):
        index = index or _Index(analysis)
        by_id = index.by_id
        arts = [by_id[i] for i in story.articles if i in by_id]
        # Articles the story does not list but that say they belong to it.
        listed = set(story.articles)
        arts += [a for a in index.by_story.get(story.id, []) if a.id not in listed]
        self.order = {a.id: i for i, a in enumerate(arts)}
        self.articles = sorted(arts, key=self.time_key)
        self.by_id = {a.id: a for a in self.articles}
        self.facts: dict[str, Facts] = {a.id: analysis.facts.get(a.id) or Facts() for a in self.articles}

    def time_key(self, a: Article) -> tuple[datetime, int]:
        return (_when(a.published) or _NEVER, self.order.get(a.id, 0))

    def valid(self, ev: Evidence | None) -> bool:
        if ev is None:
            return False
        a = self.by_id.get(ev.article)
        return a is not None and 0 <= ev.start < ev.end <= len(a.text)

    def source(self, ev: Evidence) -> dict[str, Any]:
        a = self.by_id[ev.article]
        return {
            "article": a.id,
            "outlet": a.outlet,
            "published": a.published,
            "duplicate_of": a.duplicate_of,
            "evidence": {"article": a.id, "start": ev.start, "end": ev.end},
        }


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
    first: tuple[datetime, int, int] = (_NEVER, 0, 0)


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
            if ((item.who is None or it.who is None or _same_party(it.who, item.who))
                    and _jaccard(it.stemset, item.stemset) >= SAME_REPORT_JACCARD):
                return it
        return None

    def append(self, item: _Item, nums: frozenset[str]) -> None:
        key = (item.kind, item.type, nums)
        lines = self.lines[key]
        for w in self._prefix(item.stemset):
            self.index[key + (w,)].append(len(lines))
        lines.append(item)


def _fact_texts(st: _Story) -> Iterable[str]:
    """The texts of every fact of the story (for the stems' rarity in ``_SimilarLines``)."""
    for a in st.articles:
        f = st.facts[a.id]
        for e in f.events:
            if st.valid(e.evidence):
                yield e.text or a.text[e.evidence.start:e.evidence.end]
        yield from (q.text for q in f.quotes)
        yield from (c.text or c.target for c in f.claims)


def _timeline(st: _Story) -> list[dict[str, Any]]:
    items: list[_Item] = []
    rarity: Counter = Counter()
    for text in _fact_texts(st):
        rarity.update(_stemset(text))
    similar = _SimilarLines(rarity)

    def add(item: _Item, ev: Evidence) -> None:
        a = st.by_id[ev.article]
        t = st.time_key(a)
        first = (t[0], t[1], ev.start)
        nums = _numbers_in(item.text)
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
            date = _when(e.date) or _when(a.published)
            add(_Item("event", e.type, text, date, e.date or a.published, _stemset(text),
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
            add(_Item("statement", "direct" if q.direct else "indirect", q.text, _when(a.published),
                      a.published, _stemset(q.text), who=q.speaker.name, role=q.speaker.role,
                      extra={"via": list(q.via)}), q.evidence)
        for c in f.claims:
            # a claim in an event's sentence is merged into that line with its stance
            # (_one_line_per_sentence), not dropped here
            if not st.valid(c.evidence):
                continue
            add(_Item("claim", c.stance, c.text or c.target, _when(a.published), a.published,
                      _stemset(c.text or c.target), who=c.claimant,
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
# numbers

# Qualifiers of vague magnitudes («عشرات»، «آلاف»): their value is only a lower bound of the
# magnitude, never a count to reconcile against precise reports.
_VAGUE = {"dozens", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
          "millions", "a few"}
# Written right before a number, these make it a part of a toll («بينهم ثلاثة أطفال»، «بين
# القتلى ثلاثة أطفال»): the facts stage marks most with role «among …»; this catches the rest.
# Up to four words may sit between the cue and the number, but no punctuation: «بين القتلى ثلاثة
# أطفال وامرأتين» makes both counts parts, «بينهم طفل، وأصيب 20» leaves the 20 alone.
_PART_OF = re.compile(r"(?:^|\s)(?:[وف]?(?:من\s+)?بين(?:هم|هن)?|[وف]?منهم|[وف]?منهن)(?:\s+[^\s،,.؛:]+){0,4}\s*$")
_PART_AFTER = re.compile(r"\s*(?:منهم|منهن|من\s+بينهم|من\s+بينهن)(?:\s|$|[،,.])")
# Roles of the facts stage that describe a report rather than a different count: «بعد أن كانت
# الحصيلة الأولية ثمانية» (earlier) is the same toll as an older figure, kept in its history.
_NOTE_ROLES = {"earlier"}
# Words before a four-digit number that make it a year («منذ 2022»، «ربيع 2022»، «عام 2021»).
_YEAR_BEFORE = set(words("منذ عام العام سنة السنة ربيع صيف خريف شتاء مطلع أوائل أواخر منتصف نهاية "
                         "بداية مطلع حتى قبل بعد خلال"))
# How far back (characters) to look for those cue words. 30: «بين القتلى ثلاثة» puts the cue 12
# characters before the number, «بين القتلى ثلاثة أطفال وامرأتين» 28; 40 still stays inside one
# clause in the example corpus and the seeds.
_CUE_WINDOW = 40


# A number recalled as an earlier figure (normalized forms): «أعلن في وقت سابق عن مقتل ثمانية»,
# «بعد أن كانت الحصيلة الأولية تشير إلى ثمانية», «تقارير أولية تحدثت عن نحو 200».
_EARLIER = re.compile(r"(?:في وقت سابق|سابقا|(?:ال)?حصيله (?:ال)?اوليه|تقارير اوليه|(?:ال)?ارقام (?:ال)?اوليه|"
                      r"بعد ان كانت|بعد ان كان|قبل ان ترتفع|قبل ان يرتفع)")
# How far back in the sentence to look for those cues. 45: «وكان زيلينسكي أعلن في وقت سابق عن
# مقتل» (seeds) puts the cue 18 characters before the number, «بعد أن كانت الحصيلة الأولية تشير
# إلى» (example corpus) 37; the whole sentence would wrongly reach a cue that follows the
# article's own figure only when the figure comes after it, which 45 keeps out in both.
_EARLIER_WINDOW = 45


def _clause_before(text: str, pos: int, window: int) -> str:
    """Up to ``window`` characters before ``pos``, not reaching back past a sentence end."""
    chunk = text[max(0, pos - window):pos]
    cut = max(chunk.rfind(c) for c in ".!؟?\n")
    return chunk[cut + 1:] if cut >= 0 else chunk


def _report_kind(a: Article, n: Any) -> str:
    """``primary`` for a count that can be the story's figure, else why it is not one."""
    if n.qualifier in _VAGUE:
        return "vague"
    role = getattr(n, "role", None) or ""
    if role in _NOTE_ROLES:
        return role
    if role.startswith("among"):
        return "part"
    if n.start is not None and 0 < n.start <= len(a.text):
        before = _clause_before(a.text, n.start, _CUE_WINDOW)
        if _PART_OF.search(normalize_for_search(before)):
            return "part"
        if n.end is not None and _PART_AFTER.match(normalize_for_search(a.text[n.end:n.end + _CUE_WINDOW])):
            return "part"  # «ثلاثة منهم في حالة حرجة»
        if _EARLIER.search(normalize_for_search(_clause_before(a.text, n.start, _EARLIER_WINDOW))):
            return "earlier"  # «وكان زيلينسكي أعلن في وقت سابق عن مقتل ثمانية أشخاص»
        if isinstance(n.value, int) and 1900 <= n.value <= 2100 and len((n.text or "").strip()) == 4:
            prev = words(before)
            if prev and prev[-1] in _YEAR_BEFORE:
                return "year"
    return "primary"


_SHARE_WORD = re.compile(r"(?:^|\s)[وب]?(?:ال)?نسب[ةه](?=\s|$)")
# Matched on normalized text (ئ → ي, ة → ه): «61.4 بالمئة من الأصوات».
_VOTES_AFTER = re.compile(r"^\s*(?:%|بالميه|بالمايه|في الميه|في المايه)?\s*(?:من\s+)?(?:ال)?اصوات")
_VOTE_CUE = re.compile(r"(?:^|\s)(?:[وف]?(?:ال)?اصوات|[وف]?(?:فوز|حل|حلت|حصل|حصلت|نال|نالت|حصد|حصدت)|"
                       r"(?:ال)?(?:انتخابات|اقتراع|تصويت))(?=\s|$|[،,.])")
# How far (characters) a share's label may sit before it («بلغت نسبة المشاركة النهائية في
# الانتخابات الرئاسية 44.7»: 49). 80 keeps to the clause in the example corpus.
_SHARE_WINDOW = 80


# «20% من الأراضي الأوكرانية»: a share of the whole named right after it (a definite noun and
# at most one definite adjective), as written. Seed 002.
_OF_WHOLE = re.compile(r"^\s*(?:%|٪|بالميه|بالمايه|في الميه|في المايه)?\s*من\s+(?P<x>ال\w+(?:\s+ال\w+)?)")
# «… بتحرير جميع أراضي جمهورية لوغانسك الشعبية، بنسبة 100%»: the measure is the phrase before
# «بنسبة», back to a word that opens the clause it belongs to (a verb of report or a
# conjunction), at most SHARE_PHRASE_WORDS words. Seed 002.
SHARE_PHRASE_WORDS = 6
_SHARE_MARK = re.compile(r"(?:^|\s|[،,])\s*(?:[وب]?نسب[ةه])\s*$")
_PHRASE_STOP = set(words("أن إن أنه أنها الذي التي الذين يفيد تفيد يؤكد تؤكد قال قالت أعلن أعلنت "
                         "ذكر ذكرت على عن في من إلى و ثم أو لكن بعد قبل منذ حتى"))


def _share_of_whole(after: str) -> str | None:
    m = _OF_WHOLE.match(normalize_for_search(after[:120]))
    if not m:
        return None
    # the same words as written: the one or two words after «من»
    xs = m.group("x").split()
    n = 1 if len(xs) > 1 and xs[1] in ("التي", "الذي", "الذين", "اللذين", "اللتين", "اللتان") else len(xs)
    raw = after.split()
    at = next((i for i, w in enumerate(raw) if normalize_for_search(w) == "من"), None)
    if at is None:
        return None
    return " ".join(raw[at + 1:at + 1 + n]).strip("،,.:؛")


def _share_of_phrase(before: str) -> str | None:
    m = _SHARE_MARK.search(before)
    if not m:
        return None
    head = before[:m.start()].rstrip()
    if not head or head[-1] in ".:؛!؟?":
        return None
    got: list[str] = []
    for w in reversed(head.split()):
        nw = words(w)
        bare = nw[0][1:] if nw and len(nw[0]) > 3 and nw[0][0] in "وف" else (nw[0] if nw else "")
        if not nw or nw[0] in _PHRASE_STOP or bare in _PHRASE_STOP or any(c in w for c in "،,:؛\"«»“”%٪") \
                or any(ch.isdigit() for ch in w) or "مئ" in w or "مائ" in w:
            break  # (nor across another figure: «بنسبة 35 بالمئة والديزل بنسبة 28»)
        got.append(w)
        if len(got) >= SHARE_PHRASE_WORDS:
            break
    if len(got) < 2:
        return None
    phrase = " ".join(reversed(got))
    if phrase[:1] in "بو" and len(words(phrase)[0]) >= 3:
        phrase = phrase[1:]  # «بتحرير …» → «تحرير …»، «وكل …» → «كل …»
    return phrase


def _shares(st: _Story) -> list[tuple[tuple[str, str, str], str, dict[str, Any]]]:
    """Percentages of the story's articles with what they measure: «نسبة المشاركة» from the
    words before, or «نسبة أصوات <person>» for a vote share («فوز مراد بن سالم بنسبة 60.9
    بالمئة من الأصوات»). A percentage whose measure the sentence does not name is left out."""
    from marsad.text.numbers import find_numbers

    out = []
    for a in st.articles:
        t = st.time_key(a)
        persons = sorted((m.start, m.end, m.canonical or m.text) for m in st.facts[a.id].mentions
                         if m.type in ("PERSON", "PERS"))
        for sent in split_sentences(a.text):
            if "%" not in sent.text and "المئ" not in sent.text and "المائ" not in sent.text:
                continue
            for n in find_numbers(sent.text):
                if n.unit != "%":
                    continue
                start, end = sent.start + n.start, sent.start + n.end
                b0 = max(sent.start, start - _SHARE_WINDOW)
                raw_before = a.text[b0:start]
                before = normalize(raw_before)  # same length: offsets map back to the text
                after = normalize_for_search(a.text[end:min(sent.end, end + 30)])
                label = None
                marks = list(_SHARE_WORD.finditer(before))
                rest_at = marks[-1].end() if marks else len(before)
                rest = [(m.start(), m.end()) for m in re.finditer(r"\S+", before[rest_at:])]
                words_after = [before[rest_at + i:rest_at + j].replace(GAP, "") for i, j in rest]
                if words_after and not words_after[0][:1].isdigit() and (
                        words_after[0].startswith("ال")
                        or (len(words_after) > 1 and words_after[1].startswith("ال"))):
                    # «نسبة المشاركة ...», «نسبة التزام الأعضاء ...»: the measure named after
                    # «نسبة» (one definite noun, or a noun and its definite complement), as written.
                    last = 0 if words_after[0].startswith("ال") else 1
                    label = "نسبة " + raw_before[rest_at + rest[0][0]:rest_at + rest[last][1]].strip("،,.")
                elif (marks and not rest) or _VOTES_AFTER.match(after):
                    # «حصوله على 61.4 بالمئة من الأصوات», «حلت ثانية بنسبة 27.9 بالمئة»
                    if _VOTES_AFTER.match(after) or _VOTE_CUE.search(normalize_for_search(sent.text)):
                        who = [p for p in persons if sent.start <= p[0] and p[1] <= start]
                        if who:
                            label = "نسبة أصوات " + who[-1][2]
                if label is None:
                    label = _share_of_whole(a.text[end:sent.end]) or \
                        _share_of_phrase(a.text[sent.start:start])
                if label is None:
                    continue
                key = ("share", _what_key(label), "")
                out.append((key, label, {
                    "value": n.value, "qualifier": n.qualifier, "text": n.text, "what": label,
                    "role": None, "event_type": "share", "outlet": a.outlet, "article": a.id,
                    "published": a.published, "duplicate_of": a.duplicate_of,
                    "evidence": {"article": a.id, "start": sent.start, "end": sent.end},
                    "number_span": {"article": a.id, "start": start, "end": end},
                    "primary": n.qualifier not in _VAGUE, "note": None if n.qualifier not in _VAGUE else "vague",
                    "_t": (t[0], t[1], sent.start), "_pos": start,
                }))
    return out


def _split_by(groups: dict, written: dict, key_of: Callable[[dict[str, Any]], str | None],
              own: Callable[[dict[str, Any], set[str], set[str]], set[str]]) -> dict:
    """Each group whose reports give two or more keys (``key_of``; None: no key) split into one
    group per key. A report without a key joins the one key ``own(report, keys of its article,
    all keys)`` gives, else the key most reported (ties: the one reported first)."""
    out: dict = {}
    for key, reports in groups.items():
        keyed: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in reports:
            k = key_of(r)
            if k is not None:
                keyed[k].append(r)
        if len(keyed) < 2:
            out[key] = reports
            continue
        main = min(keyed, key=lambda k: (-len(keyed[k]), min(r["_t"] for r in keyed[k])))
        by_article: dict[str, set[str]] = defaultdict(set)
        for k, rs in keyed.items():
            for r in rs:
                by_article[r["article"]].add(k)
        for r in reports:
            if key_of(r) is None:
                mine = own(r, by_article.get(r["article"], set()), set(keyed))
                keyed[next(iter(mine)) if len(mine) == 1 else main].append(r)
        for k, rs in keyed.items():
            sub = (*key, k)
            out[sub] = rs
            written[sub] = written[key]
    return out


# Whom a toll counts, from the noun right after its number (normalized): civilians and fighters
# are two quantities («مقتل 289 مدنيا» beside «مقتل أكثر من 400 عنصر من الفصائل»: one row in an
# ANT story of 18 March 2018).
_CIVILIANS = set(words("مدني مدنيا مدنيين مدنيون المدنيين مواطن مواطنا مواطنين مواطنون"))
_FIGHTERS = set(words(
    "عنصر عنصرا عناصر عنصرين مقاتل مقاتلا مقاتلين مقاتلون مقاتلان جندي جنديا جنود جنديين جنديان "
    "مسلح مسلحا مسلحين مسلحون شرطي شرطيا شرطيين شرطيان ضابط ضابطا ضباط ارهابي ارهابيا ارهابيين "
    "ارهابيون متشدد متشددا متشددين عسكري عسكريا عسكريين عسكريون مسلحي عناصر"))


def _side(text: str, end: int) -> str | None:
    ws = words(text[end:end + 40])
    if not ws:
        return None
    w = ws[0]
    if w in _CIVILIANS:
        return "civilians"
    if w in _FIGHTERS:
        return "fighters"
    return None


def _split_by_side(groups: dict, written: dict) -> dict:
    """Tolls of civilians and of fighters are two quantities: a group whose reports count both
    is split by side; a report that names neither joins the side its article counts, else the
    side most reported."""
    return _split_by(groups, written, lambda r: r.get("_side") if r.get("event_type") != "share" else None,
                     lambda r, article, keys: article)


def _split_by_place(groups: dict, written: dict) -> dict:
    """Counts of the same thing at different places are different events («40 مسيرة على
    لوغانسك», «102 مسيرة على موسكو»): a group whose reports name two or more places is split
    by place. A report without a place joins the one place its article names, else the place
    most reported."""
    return _split_by(groups, written,
                     lambda r: normalize_for_search(r["place"]) if r.get("place") else None,
                     lambda r, article, keys: article or (keys & r.get("_places", set())))


# A toll that grows («ارتفع عدد القتلى إلى ثلاثة بعد وفاة شاب صباح الأربعاء») names the day of
# the update, not of the incident: its date does not split it from the incident's figures.
_TOLL_UPDATE = re.compile(r"(?:^|\s)[وف]?(?:ارتفع|ارتفعت|ارتفاع|ترتفع|يرتفع|حصيله|الحصيله|عدد)(?=\s|$)")


# A date in a sentence that reports a statement before its number is most often the statement's
# («نفى المتحدث، اليوم الأربعاء، تقريرا … عن الهجوم الذي أودى بحياة 14»: example corpus), not
# the incident's: such a report does not split a row by date.
_SAID_BEFORE = re.compile(r"(?:^|\s)[وف]?(?:قال|قالت|اعلن|اعلنت|نفي|نفت|اكد|اكدت|ذكر|ذكرت|افاد|افادت|"
                          r"اوضح|اوضحت|اضاف|اضافت|صرح|صرحت|افاد|اشار|اشارت|تابع|تابعت)(?=\s|$)")


def _split_by_date(groups: dict, written: dict) -> dict:
    """Counts of the same thing on different days are different incidents («قتل 43 مدنيا
    الجمعة», «قتل 11 مدنيا السبت» in one story of ANT, 17 March 2018): a group whose reports
    give two or more event dates is split by date. A report without one joins the one date its
    article gives, else the date most reported; so does a rising toll, whose date is the
    update's («ارتفع عدد القتلى … بعد وفاة جرحى صباح السبت»)."""
    return _split_by(groups, written,
                     lambda r: r["_date"] if r.get("_date") and not r.get("_update") else None,
                     lambda r, article, keys: set() if r.get("_update") else article)


# Which incident a count belongs to, from the words of its own clause (normalized forms). Every
# count of a story is the story's incident unless its clause says otherwise:
# * another incident of the same kind: «في غارة ثانية»، «في هجوم آخر»، «تفجير مماثل»، «في حادث
#   منفصل» (an attack noun and an ordinal or «other» word right after it); «الغارة الأولى» is
#   the story's own;
# * an earlier period: «الشهر الماضي»، «الأسبوع الماضي»، «العام الماضي»، «قبل أيام»، «في وقت
#   سابق من الشهر» (a previous incident's toll);
# * a running total: «منذ بداية العام»، «منذ مطلع الشهر» (the facts stage marks most running
#   totals «cumulative»; this catches the period words it does not read).
# Seen in ANT stories of February-March 2018 (two strikes on Eastern Ghouta towns on one day in
# one row; a previous month's wounded beside the day's).
_ATTACK_NOUN = (r"(?:[وفبل]|لل|وب|وال|بال|فال|ال)?(?:غاره|غارات|هجوم|هجمات|ضربه|ضربات|تفجير|تفجيرات|انفجار|"
                r"قصف|حادث|حادثه|اعتداء|عمليه|كمين|اشتباك|اشتباكات|هجمه)")
_ORDINALS = {"ثانيه": "2", "ثاني": "2", "ثان": "2", "ثالثه": "3", "ثالث": "3", "رابعه": "4",
             "رابع": "4", "خامسه": "5", "خامس": "5"}
_OTHER_INCIDENT = re.compile(
    r"(?:^|\s)" + _ATTACK_NOUN + r"\s+(?:[^\s،,.؛]+\s+)?(?:ال)?(?P<w>ثانيه|ثاني|ثان|ثالثه|ثالث|رابعه|رابع|خامسه|"
    r"خامس|اخر|اخري|منفصل|منفصله|مماثل|مماثله)(?=\s|$|[،,.؛:])")
_PREVIOUS_PERIOD = re.compile(
    r"(?:^|\s)(?:(?:ال)?(?P<p>شهر|اسبوع|عام|سنه)\s+(?:ال)?(?:ماضي|ماضيه|منصرم|منصرمه|فائت|فائته)|"
    r"قبل\s+(?:ايام|اسبوع|اسبوعين|اسابيع|شهر|شهرين|اشهر|عام|عامين|سنه|سنتين|سنوات)|"
    r"في\s+وقت\s+سابق\s+من\s+(?:ال)?(?:شهر|عام|سنه|اسبوع))(?=\s|$|[،,.؛:])")
_YEARS_LONG = r"(?:سنوات|اعوام|سنين|عامين|سنتين|عقود|عقد)"
_RUNNING_TOTAL = re.compile(
    r"(?:^|\s)(?:منذ\s+(?:بدايه|بدء|مطلع|اول|مستهل)\s+(?:ال)?(?:عام|سنه|شهر|اسبوع|العام|السنه|الشهر)|"
    r"منذ\s+(?:\S+\s+)?" + _YEARS_LONG + r"|حصيله\s+\S+\s+" + _YEARS_LONG + r"|"
    r"(?:خلال|مدار|مدي)\s+(?:ال)?(?:اعوام|سنوات|اشهر|شهور|اسابيع)\s+(?:ال)?\S+\s+(?:ال)?(?:ماضيه|اخيره))"
    r"(?=\s|$|[،,.؛:])")
# A running total of a war (months or years of it) is another quantity than the running total
# of the offensive the story reports («تسبب الهجوم حتى الآن بمقتل 1220» beside «نصف مليون قتيل
# منذ اندلاع الحرب»: one row in an ANT story of 15 March 2018).
_WAR_TOTAL = re.compile(r"(?:^|\s)(?:ال)?(?:حرب|نزاع|صراع|انتفاضه|ثوره|ازمه|حرب الاهليه)(?!\w)|"
                        r"(?:^|\s)(?:منذ|حصيله|مدار|خلال)\s+(?:ال)?\S*\s*(?:ال)?" + _YEARS_LONG)
# A month named without its day («وفي كانون الثاني/يناير تسبب الإعصار بمقتل 51»، «في منتصف
# فبراير المنصرم قتل 17»), or a year («عقب هجوم عام 2015»), other than the publication's: an
# earlier incident. A month with its day is a date, read by the date split (_split_by_date).
_MONTH_NAMES = sorted((m for m in MONTHS if len(m) > 3 and m != "ماي"), key=len, reverse=True)
_MONTH_ALONE = re.compile(r"(?:^|\s)(?:[وف]?(?:في|ب|منتصف|مطلع|اواخر|اوائل|نهايه|بدايه|خلال|شهر))\s+"
                          r"(?:شهر\s+)?(?P<m>" + "|".join(_MONTH_NAMES) + r")(?=\s|$|[،,.؛:/])")
_YEAR_NAMED = re.compile(r"(?:^|\s)(?<!مولود )(?<!المولود )(?<!مواليد )(?<!ولد )(?<!ولدت )"
                         r"(?:[وف]?(?:في|عام|العام|سنه|خلال))\s+(?:عام\s+)?(?P<y>(?:19|20)\d\d)(?=\s|$|[،,.؛:])")


def _incident_cue(text: str, lo: int, start: int, end: int, hi: int,
                  published: str | None = None) -> str | None:
    """Which incident the count at ``start:end`` reports, from its clause: ``text[lo:hi]`` is its
    sentence cut at the counts before and after it, and forward at the next punctuation (a
    fronted phrase before the count, «وفي هجوم آخر، قتل جنديان», stays its own). None: the
    story's incident; else «incident N», «other incident», «previous <period>» or «cumulative»."""
    after = text[end:hi]
    cut = min((i for i in (after.find(c) for c in "،,.؛;\n") if i >= 0), default=len(after))
    clause = normalize_for_search(text[lo:start] + " # " + after[:cut])
    if _RUNNING_TOTAL.search(clause):
        return "cumulative"
    pub = _when(published)
    for m in _MONTH_ALONE.finditer(clause):
        if pub is not None and MONTHS[m.group("m")] != pub.month:
            return "previous " + m.group("m")
    for m in _YEAR_NAMED.finditer(clause):
        if pub is not None and int(m.group("y")) < pub.year:
            return "previous " + m.group("y")
    m = _OTHER_INCIDENT.search(clause)
    if m:
        w = m.group("w")
        return f"incident {_ORDINALS[w]}" if w in _ORDINALS else "other incident"
    m = _PREVIOUS_PERIOD.search(clause)
    if m and not _SAID_BEFORE.search(normalize_for_search(text[lo:start])):
        # (a period before a speech verb dates the statement: «وكانت اللجنة قد أعلنت الأسبوع
        # الماضي أن … اثنين من القتلى الثلاثة», example corpus)
        return "previous " + (m.group("p") or "period")
    return None


# Counts joined by a conjunction («قتل 173 شخصا وإصابة أكثر من 400 آخرين»، «39 فلسطينيا، و5
# إسرائيليين منذ …») share their clause: a cue of one is the other's when at most this many
# words, and no sentence stop, sit between them. 5: the longest such gap in the ANT stories
# read (4, «شخصا وإصابة أكثر من»); «قتل خمسة في الغارة الأولى على البلدة، وقتل ثلاثة في غارة
# ثانية» puts 7 between two incidents.
CONJOINED_WORDS = 5


def _event_cues(a: Article, e: Any) -> dict[int, tuple[str | None, str]]:
    """id(number) -> (its incident cue, its clause normalized) for the numbers of event ``e``."""
    nums = sorted((n for n in e.numbers if n.start is not None and n.end is not None
                   and e.evidence.start <= n.start < n.end <= e.evidence.end), key=lambda n: n.start)
    out: dict[int, tuple[str | None, str]] = {}
    got: list[str | None] = []
    for i, n in enumerate(nums):
        lo = nums[i - 1].end if i else e.evidence.start
        hi = nums[i + 1].start if i + 1 < len(nums) else e.evidence.end
        cue = _incident_cue(a.text, lo, n.start, n.end, hi, a.published)
        if cue is None and (getattr(n, "role", None) or "") == "cumulative":
            cue = "cumulative"
        got.append(cue)
        out[id(n)] = (cue, normalize_for_search(a.text[lo:hi]))
    for _ in range(2):  # left to right, then right to left
        for i in range(1, len(nums)):
            gap = a.text[nums[i - 1].end:nums[i].start]
            if re.search(r"[.؛;!?؟\n]", gap) or len(words(gap)) > CONJOINED_WORDS:
                continue
            if got[i] is None and got[i - 1] is not None:
                got[i] = got[i - 1]
            elif got[i - 1] is None and got[i] is not None:
                got[i - 1] = got[i]
    for n, cue in zip(nums, got):
        out[id(n)] = (cue, out[id(n)][1])
    return out


_AT_PLACE = re.compile(r"(?:^|\s)(?:[وف]?(?:في|ب|على|داخل|قرب))(?:\s+(?:منطقه|منطقتي|مدينه|مقاطعه|محافظه|ولايه|"
                       r"اقليم|بلده|قريه))?\s*$")


def _number_places(a: Article, e: Any, mentions: list) -> dict[int, str]:
    """id(number) -> the place its own clause names, for an event that counts one thing at
    several places («أكثر من 17500 مستهلك في منطقة خاركيف وحوالي 5000 في دنيبروبتروفسك»: seed
    004): the first place the tagger found after the count and before the next count, written
    right after «في»، «ب»، «على» (or «في منطقة»). Events counting each thing once keep the
    event's place."""
    nums = sorted((n for n in e.numbers if n.start is not None and n.end is not None
                   and e.evidence.start <= n.start < n.end <= e.evidence.end), key=lambda n: n.start)
    if len({_what_key(n.what) for n in nums}) == len(nums):
        return {}
    places = sorted((m.start, m.end, m.text) for m in mentions if m.type in ("PLACE", "LOC")
                    and e.evidence.start <= m.start and m.end <= e.evidence.end)
    out: dict[int, str] = {}
    for i, n in enumerate(nums):
        hi = nums[i + 1].start if i + 1 < len(nums) else e.evidence.end
        for s0, e0, name in places:
            if n.end <= s0 and e0 <= hi:
                if _AT_PLACE.search(normalize_for_search(a.text[n.end:s0])) and \
                        not re.search(r"[.،,؛]", a.text[n.end:s0]):
                    out[id(n)] = name
                break
    return out


def _own_period_only(groups: dict, written: dict) -> None:
    """A count an earlier period tags («في فبراير الماضي»، «عام 1988») is the story's own
    incident when its article counts nothing else untagged: a story about a past incident (a
    trial, an anniversary) dates it without another incident beside it."""
    def tagged(k: tuple) -> bool:
        return len(k) > 3 and str(k[-1]).startswith("previous ")

    # articles that also count the story's own incident (any untagged count, read once before
    # anything moves: «قتل 173 … في 2009» beside «انقطعت الكهرباء عن 22 ألف منزل» today)
    own = {r["article"] for k, rs in groups.items() if not tagged(k) for r in rs}
    for key in [k for k in groups if tagged(k)]:
        base = key[:-1]
        values = {r["value"] for r in groups.get(base, ())}
        # (the same value untagged elsewhere in the story is that incident told again: «قتل 17
        # شخصا في منتصف فبراير المنصرم» beside «مقتل 17 شخصا في المدرسة»)
        back = [r for r in groups[key] if r["article"] not in own or r["value"] in values]
        if back:
            for r in back:
                r["incident"] = None
                if r.get("what"):
                    written[base][r["what"]] += 1
                    written[key][r["what"]] -= 1
            groups[base] = groups.get(base, []) + back
            groups[key] = [r for r in groups[key] if not any(r is b for b in back)]
            if not groups[key]:
                del groups[key]


def _numbers(st: _Story) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    written: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for a in st.articles:
        t = st.time_key(a)
        places = {normalize_for_search(x) for m in st.facts[a.id].mentions if m.type in ("PLACE", "LOC")
                  for x in (m.text, m.canonical) if x}
        for e in st.facts[a.id].events:
            if not st.valid(e.evidence):
                continue
            # The event's place, when the entity tagger also read it as a place.
            place = e.place if e.place and normalize_for_search(e.place) in places else None
            cues = _event_cues(a, e)
            own_places = _number_places(a, e, st.facts[a.id].mentions)
            for n in e.numbers:
                if n.value is None or n.unit == "%":
                    continue  # percentages are read with what they measure by _shares
                kind = _report_kind(a, n)
                if kind == "year":
                    continue
                role = getattr(n, "role", None) or ""
                group_role = "" if role in _NOTE_ROLES else role
                key = (_TYPE_FAMILY.get(e.type, e.type), _what_key(n.what), group_role)
                incident = None
                if id(n) in cues:
                    cue, clause = cues[id(n)]
                    if cue == "cumulative" and not group_role.startswith("among"):
                        key = (key[0], key[1], "cumulative")
                    if key[2] == "cumulative" and _WAR_TOTAL.search(clause):
                        key, incident = (*key, "war"), "war"  # a war's running total
                    elif cue is not None and cue != "cumulative" and role not in _NOTE_ROLES:
                        key = (*key, cue)  # another incident than the story's: its own row
                        incident = cue
                ev = e.evidence
                if n.start is not None and n.end is not None and 0 <= n.start < n.end <= len(a.text):
                    num_span = {"article": a.id, "start": n.start, "end": n.end}
                else:
                    num_span = None
                groups[key].append({
                    "value": n.value,
                    "qualifier": n.qualifier,
                    "text": n.text,
                    "what": n.what,
                    "role": role or None,
                    "event_type": e.type,
                    "outlet": a.outlet,
                    "article": a.id,
                    "published": a.published,
                    "duplicate_of": a.duplicate_of,
                    "evidence": {"article": a.id, "start": ev.start, "end": ev.end},
                    "number_span": num_span,
                    "place": own_places.get(id(n), place),
                    "incident": incident,
                    "_date": None if n.start is None or _SAID_BEFORE.search(
                        normalize_for_search(a.text[ev.start:n.start])) else e.date,
                    "_update": bool(_TOLL_UPDATE.search(normalize_for_search(e.text or ""))),
                    "_side": _side(a.text, n.end) if n.end is not None else None,
                    "_places": places,
                    "primary": kind == "primary",
                    "note": None if kind == "primary" else kind,
                    "_t": (t[0], t[1], ev.start),
                    "_pos": n.start if n.start is not None else ev.start,
                })
                if n.what:
                    written[key][n.what] += 1
    _own_period_only(groups, written)
    for key, label, report in _shares(st):
        groups[key].append(report)
        written[key][label] += 1
    groups = _split_by_date(_split_by_place(_split_by_side(groups, written), written), written)

    out = []
    for key, reports in groups.items():
        reports.sort(key=lambda r: (r["_t"], r["_pos"]))
        # One figure per article: a toll is given first (the lead) and as a total, so the
        # article's figure is the largest count of the first sentence holding one; other counts
        # of the same thing in that article (an earlier toll it recalls, a detail of a quote)
        # stay in the history as "also mentioned". Calibrated on the example corpus: «إلى 11
        # قتيلا ... بعد أن كانت الحصيلة الأولية تشير إلى ثمانية قتلى» gives 11, and a hospital
        # director's «أربعة ... ستة» later in the article does not replace the lead's 20 wounded.
        by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in reports:
            if r["primary"]:
                by_article[r["article"]].append(r)
        for rs in by_article.values():
            first_sentence = rs[0]["_t"]
            lead = [r for r in rs if r["_t"] == first_sentence]
            top = max(lead, key=lambda r: r["value"])
            for r in rs:
                if r is not top:
                    r["primary"], r["note"] = False, "also mentioned"
        # A value earlier reports gave only as a detail of a larger figure («243، هم 130 أفرجت
        # عنهم الحكومة و113 ...») is that detail again when a later article leads with it.
        details: set[Any] = set()
        top_so_far = None
        for r in reports:
            if r["primary"]:
                if r["value"] in details and top_so_far is not None and top_so_far > r["value"]:
                    r["primary"], r["note"] = False, "part"
                else:
                    top_so_far = r["value"] if top_so_far is None else max(top_so_far, r["value"])
            elif r["note"] in ("also mentioned", "part"):
                details.add(r["value"])
        has_figures = any(r["primary"] for r in reports)
        # A vague magnitude («عشرات»، «آلاف») is no value: it stays in the history with its
        # qualifier but never among the values, and a group of vague reports only is no row.
        figures = [r for r in reports if r["primary"]] or [r for r in reports if r["note"] != "vague"]
        if not figures:
            continue
        dated = [r for r in figures if r["_t"][0] != _NEVER]
        # The latest report by publication time. Reports published at the same moment are
        # ordered as the story lists them; counts of victims only grow, so among reports of the
        # same latest moment the largest value wins.
        pool = dated or figures
        last_t = pool[-1]["_t"][0]
        latest = max((r for r in pool if r["_t"][0] == last_t), key=lambda r: (r["value"], r["_t"]))
        # Most reported: the value the most distinct outlets (or articles, when the outlet is
        # unknown) gave; ties go to the later value.
        backers: dict[Any, set[str]] = defaultdict(set)
        first_seen: dict[Any, tuple] = {}
        for r in figures:
            backers[r["value"]].add(r["outlet"] or r["article"])
            first_seen.setdefault(r["value"], r["_t"])
        most = max(backers, key=lambda v: (len(backers[v]), first_seen[v]))
        # Earlier figures an article recalls («بعد أن كانت الحصيلة الأولية ثمانية») are part of
        # the history of values, just before that article's own figure.
        for r in reports:
            if r["note"] == "earlier":
                first_seen.setdefault(r["value"], (r["_t"][0], r["_t"][1], -1))
        values = sorted(first_seen, key=lambda v: first_seen[v])
        for r in reports:
            r.pop("_t")
            r.pop("_pos")
            r.pop("_places", None)
            r.pop("_date", None)
            r.pop("_update", None)
            r.pop("_side", None)
        what = written[key].most_common(1)[0][0] if written[key] else None
        out.append({
            "key": ":".join(k for k in key if k),
            "what": what,
            "counts": key[1],
            "role": key[2] or None,
            "place": Counter(r["place"] for r in reports if r.get("place")).most_common(1)[0][0]
            if len(key) > 3 and any(r.get("place") for r in reports) else None,
            # None: the story's own incident; else «incident 2», «other incident», «previous
            # <period>» (see _incident_cue)
            "incident": next((r["incident"] for r in reports if r.get("incident")), None),
            # «civilians» / «fighters» when the story counts both apart (see _split_by_side)
            "side": next((k for k in key[3:] if k in ("civilians", "fighters")), None),
            "event_types": sorted({r["event_type"] for r in reports}),
            "latest": latest["value"],
            "latest_report": {k: latest[k] for k in ("value", "qualifier", "outlet", "article", "published", "evidence")},
            "most_reported": most,
            "most_reported_by": sorted(x for x in backers[most] if x),
            "values": values,
            "changed": len(values) > 1,
            # False when every report is vague, a part or a recalled toll: context, not a figure.
            "has_figures": has_figures,
            "reports": len(figures),
            "history": reports,
        })
    # Numbers that changed first (that is what an editor must check), then the most reported.
    out.sort(key=lambda g: (not g["has_figures"], not g["changed"], -g["reports"], g["key"]))
    return out


# --------------------------------------------------------------------------------------------
# contradictions

def _claim_side(st: _Story, c: Claim) -> dict[str, Any]:
    return {
        "claimant": c.claimant,
        "stance": c.stance,
        "target": c.target,
        "target_claimant": c.target_claimant,
        "text": c.text,
        "sources": [st.source(c.evidence)],
    }


def _external_pairs(claims: list[Claim], articles: list[Article]) -> list[tuple[Claim, Claim]]:
    """(claim, disputed by) pairs from ``marsad.facts.claims.contradictions``.

    It returns dicts with the indices ``claim`` and ``disputed_by`` into ``claims``; pairs of
    Claim objects are accepted too."""
    pairs = []
    for item in facts_claims.contradictions(claims, {a.id: a for a in articles}) or []:
        found: list[Claim] = []
        if isinstance(item, dict):
            i, j = item.get("claim"), item.get("disputed_by")
            if isinstance(i, int) and isinstance(j, int) and 0 <= i < len(claims) and 0 <= j < len(claims):
                found = [claims[i], claims[j]]
            else:
                found = [v for v in item.values() if isinstance(v, Claim)]
        elif isinstance(item, (tuple, list)):
            found = [v for v in item if isinstance(v, Claim)]
        if len(found) >= 2:
            pairs.append((found[0], found[1]))
    return pairs


_MEDIA = (r"(?:وكالة|وكاله|صحيفة|صحيفه|قناة|قناه|موقع|شبكة|شبكه|مجلة|مجله|إذاعة|اذاعه|"
          r"التلفزيون|التليفزيون)")
# «نفى ... تقريرا لوكالة الأناضول»، «ما أوردته وكالة سبوتنيك»، «ما بثه التلفزيون الرسمي»: the
# party whose report is denied, when the facts stage did not name it.
_REPORTED_BY = re.compile(
    r"(?:تقرير(?:ا|اً|ًا)?|تقارير|ما\s+(?:أوردته|اوردته|نقلته|ذكرته|نشرته|بثته|بثه|نشره|أورده|اورده|"
    r"تداولته|أعلنته|اعلنته)|أنباء|انباء|مزاعم|ادعاءات|اتهامات)\s+"
    r"(?:ل|عن\s+)?(" + _MEDIA + r"\s+(?:الأنباء\s+|الانباء\s+)?[^\s،,.:؛\"«»]+)")


def _own_side(st: _Story, c: Claim) -> list[str]:
    """The denier of ``c`` and the bodies its titles name in the story («دميتري بيسكوف» with
    the role «المتحدث باسم الكرملين»: the Kremlin)."""
    quotes = [q for a in st.articles for q in st.facts[a.id].quotes]
    return [c.claimant] + [q.speaker.role for q in quotes
                           if q.speaker.role and _same_party(q.speaker.name, c.claimant)] + \
        [q.speaker.name for q in quotes  # and the other way: the Kremlin's spokesman for the Kremlin
         if q.speaker.role and _speaks_for(q.speaker.role, c.claimant)]


_SPEAKS_FOR = re.compile(r"(?:^|\s)(?:ال)?(?:متحدث|ناطق|مستشار|مندوب|ممثل|سفير)(?:ه)?\s+(?:باسم|عن|ب?اسم)?\s*(?P<x>.+)$")


def _speaks_for(role: str, party: str | None) -> bool:
    """Does the title ``role`` make its holder speak for ``party`` («المتحدث باسم الكرملين» for
    «الكرملين»)?"""
    m = _SPEAKS_FOR.search(normalize_for_search(role))
    return bool(m and party) and _same_party(m.group("x"), normalize_for_search(party))


def _denied_party(st: _Story, c: Claim) -> str | None:
    """Whose claim ``c`` denies: the facts stage's ``target_claimant`` unless it is the denier
    itself or its own side, else the outlet or agency the denial sentence names as the source
    of the report."""
    if c.target_claimant and not any(_same_party(c.target_claimant, x) for x in _own_side(st, c)):
        return c.target_claimant
    a = st.by_id[c.evidence.article]
    m = _REPORTED_BY.search(a.text[c.evidence.start:c.evidence.end])
    if m:
        return m.group(1)
    return None


# How many words before a party's name in a denial sentence make its title («الاتهامات التي
# وجهها مبعوث الرئيس الأمريكي كيث كيلوغ»: مبعوث الرئيس الأمريكي). 3 on the seeds.
TITLE_WORDS = 3


def _title_before(st: _Story, c: Claim, party: str) -> frozenset[str]:
    """Stems of the title written right before ``party``'s name in the denial's sentence."""
    a = st.by_id[c.evidence.article]
    sentence = a.text[c.evidence.start:c.evidence.end]
    at = sentence.find(party)
    if at <= 0:
        return frozenset()
    return _name_key(" ".join(words(sentence[:at])[-TITLE_WORDS:]))


def _titled_as(q: Quote, title: frozenset[str]) -> bool:
    """Is ``q`` spoken by a title-only speaker («المبعوث الأمريكي الخاص») that the denial
    gives to its named party (title «مبعوث الرئيس الأمريكي»): two stems in common, at least?
    Seeds: Kellogg's accusation, quoted under his title only."""
    if not title or q.speaker.entity:
        return False
    key = _name_key(q.speaker.name)
    return len(key & title) >= 2


def _names_party(st: _Story, q: Quote, party: str) -> bool:
    """Does the sentence of quote ``q`` name ``party`` as the one that carried it?"""
    a = st.by_id[q.evidence.article]
    head = a.text[q.evidence.start:q.evidence.end]
    s0 = max(a.text.rfind("\n", 0, q.evidence.start), a.text.rfind(".", 0, q.evidence.start)) + 1
    sentence = a.text[s0:q.evidence.start] + head
    key = _name_key(re.sub("^" + _MEDIA + r"\s+", "", party))
    return bool(key) and key <= _name_key(sentence)


# A statement that itself negates («طائراته لم تتدخل في الغوطة») or reports the denial («فيما
# نفت موسكو أي ضلوع») says what the denial says: it is never the assertion a denial disputes.
# Seen in ANT stories of 16-17 March 2018 (a Russian army statement paired as the "claim" the
# Russian defence ministry denied). Matched on normalized words; the negation must open the
# statement (its first NEGATION_OPENS words), a denial verb may stand anywhere in it.
_NEGATORS = set(words("لم لن لا ليس ليست غير لسنا لست"))
_DENY_WORDS = set(words("نفى نفت ينفي تنفي نفي نفيه ونفى ونفت نافيا نافية"))
NEGATION_OPENS = 4


def _agrees_with_denial(text: str | None) -> bool:
    ws = words(text or "")
    return bool(set(ws[:NEGATION_OPENS]) & _NEGATORS or set(ws) & _DENY_WORDS)


def _text_incident(text: str) -> str | None:
    """The incident cue of a whole statement (see _incident_cue), None for the story's own."""
    return _incident_cue(text, 0, 0, 0, len(text))


def _may_conflict(a: str, b: str) -> bool:
    """Can two assertions of different parties dispute each other? Not when they report other
    incidents («قتل 12 في الغارة» against «قتل 30 في غارة مماثلة الشهر الماضي»), nor when they
    give the same counts and neither negates (they agree)."""
    if _text_incident(a) != _text_incident(b):
        return False
    na, nb = _numbers_in(a), _numbers_in(b)
    if na and na == nb and not (_agrees_with_denial(a) or _agrees_with_denial(b)):
        return False
    return True


def _contradictions(st: _Story) -> list[dict[str, Any]]:
    claims = [c for a in st.articles for c in st.facts[a.id].claims if st.valid(c.evidence)]
    quotes = [q for a in st.articles for q in st.facts[a.id].quotes if st.valid(q.evidence)]
    out: list[dict[str, Any]] = []

    def find(denier: str | None, target: frozenset[str]) -> dict[str, Any] | None:
        for d in out:
            if (_same_party(d["denies"]["claimant"], denier)
                    and _jaccard(d["_target"], target) >= SAME_REPORT_JACCARD):
                return d
        return None

    def add(says: Claim | Quote | None, denial: Claim, kind: str) -> None:
        if kind == "denial" and says is not None and _agrees_with_denial(
                says.target if isinstance(says, Claim) else says.text):
            says = None
        target = _stemset(denial.target or denial.text)
        named = _denied_party(st, denial)
        d = find(denial.claimant, target)
        if d is None:
            side_says = None
            if isinstance(says, Claim):
                side_says = _claim_side(st, says)
            elif isinstance(says, Quote):
                who = says.speaker.name
                if named and not _same_party(who, named):
                    # «نقلت رويترز عن مصدرين محليين أن ...»; but a title the denial gives to the
                    # named party («المبعوث الأمريكي الخاص» for «مبعوث الرئيس الأمريكي كيث
                    # كيلوغ») is that party itself
                    who = named if _titled_as(says, _title_before(st, denial, named)) \
                        else f"{named} (المصدر: {who})"
                side_says = {"claimant": who, "stance": "asserts", "target": says.text,
                             "target_claimant": None, "text": says.text,
                             "sources": [st.source(says.evidence)]}
            elif named:
                # The original claim is only known from the denial itself.
                side_says = {"claimant": named, "stance": "asserts",
                             "target": denial.target, "target_claimant": None,
                             "text": None, "sources": []}
            out.append({"kind": kind, "topic": denial.target or denial.text, "says": side_says,
                        "denies": _claim_side(st, denial), "_target": target, "_party": named})
            return
        arts = {s["article"] for s in d["denies"]["sources"]}
        if denial.article not in arts:
            d["denies"]["sources"].append(st.source(denial.evidence))
        if isinstance(says, Claim) and d["says"] is not None and _same_party(says.claimant, d["says"]["claimant"]):
            if says.article not in {s["article"] for s in d["says"]["sources"]}:
                d["says"]["sources"].append(st.source(says.evidence))
        elif isinstance(says, Claim) and d["says"] is None:
            d["says"] = _claim_side(st, says)

    for a_claim, d_claim in _external_pairs(claims, list(st.articles)):
        if a_claim.stance == "denies":
            continue
        if d_claim.stance != "denies" and not _may_conflict(a_claim.target or a_claim.text,
                                                            d_claim.target or d_claim.text):
            continue  # two assertions of other incidents, or that say the same
        # A denial of the assertion, or another assertion that disputes it ("conflict").
        add(a_claim, d_claim, "denial" if d_claim.stance == "denies" else "conflict")

    for c in claims:
        if c.stance != "denies":
            continue
        target = _stemset(c.target or c.text)
        party = _denied_party(st, c)
        best: Claim | Quote | None = None
        best_score = 0.0
        # the denier's own side: its name and the bodies its titles name («المتحدث باسم
        # الكرملين» denying: the Kremlin's statements are not what he denies; seeds)
        own = _own_side(st, c)
        for o in claims:
            if o is c or o.stance == "denies" or any(_same_party(o.claimant, x) for x in own) \
                    or _agrees_with_denial(o.target or o.text):
                continue
            score = _overlap(target, _stemset(o.target or o.text))
            named = party and _same_party(o.claimant, party)
            if score >= CLAIM_OVERLAP or (named and score > 0):
                score += 1.0 if named else 0.0
                if score > best_score:
                    best, best_score = o, score
        if best is None and party:
            for q in quotes:
                if _same_party(q.speaker.name, party) and not _agrees_with_denial(q.text) \
                        and not any(_same_party(q.speaker.name, x) for x in own):
                    score = _overlap(target, _stemset(q.text))
                    if score >= CLAIM_OVERLAP and score > best_score:
                        best, best_score = q, score
        title = _title_before(st, c, party) if party else frozenset()
        if best is None and party:
            # the denied report as the story itself cites it: a statement carried by the named
            # party («وكانت رويترز قد نقلت عن مصدرين محليين أن المبنى ...») sharing a word
            # with what is denied, outside the denial's own sentence
            for q in quotes:
                if q.evidence.article == c.evidence.article and \
                        q.evidence.start < c.evidence.end and c.evidence.start < q.evidence.end:
                    continue
                if not (any(_same_party(v, party) for v in q.via) or _names_party(st, q, party)
                        or _titled_as(q, title)) \
                        or _agrees_with_denial(q.text) or any(_same_party(q.speaker.name, x) for x in own):
                    continue  # the denier's own words are not what it denies
                score = _overlap(target, _stemset(q.text))
                if score > 0 and score > best_score:
                    best, best_score = q, score
        # Every denial disputes something: with the assertion it answers when the story has it,
        # with the party it names when only that is known, alone otherwise.
        add(best, c, "denial")
    # One assertion denied by several parties (the Kremlin, then its spokesman) is one
    # contradiction with several denials.
    merged: list[dict[str, Any]] = []
    by_says: dict[tuple, dict[str, Any]] = {}
    for d in out:
        d.pop("_target")
        says = d["says"]
        if says is None:
            key = None
        elif says["sources"]:
            ev = says["sources"][0]["evidence"]
            key = ("src", ev["article"], ev["start"], ev["end"])
        else:
            key = ("named", says["claimant"], says["target"])
        if key is not None and key in by_says:
            by_says[key]["denials"].append(d["denies"])
            continue
        d["denials"] = [d["denies"]]
        if key is not None:
            by_says[key] = d
        merged.append(d)

    def first_report(side: dict[str, Any]) -> tuple:
        src = side["sources"][0] if side["sources"] else None
        if src is None:
            return (_NEVER, 0, 0)
        a = st.by_id[src["article"]]
        return (*st.time_key(a), src["evidence"]["start"])

    for d in merged:
        d["denials"].sort(key=first_report)
        d["denies"] = d["denials"][0]
        # paired: the assertion itself is quoted in the story; otherwise the denial stands alone
        # with what it denies and, when the denial names it, whose report that was
        says = d["says"]
        d["paired"] = bool(says and says.get("sources"))
        party = d.pop("_party", None)  # never the denier's own side (see _denied_party)
        d["denied_party"] = says["claimant"] if says and not says.get("sources") else party
    return merged


# --------------------------------------------------------------------------------------------
# who said what

def _quotes_by_speaker(st: _Story) -> list[dict[str, Any]]:
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
            qs = _stemset(q.text)
            for item in g["quotes"]:
                if _jaccard(item["_stems"], qs) >= SAME_REPORT_JACCARD:
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


def _summary(st: _Story, numbers: list[dict[str, Any]], n: int = SUMMARY_SENTENCES) -> list[dict[str, Any]]:
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
            c = _Cand(a, s.start, s.end, s.text, _stemset(s.text), _numbers_in(s.text), pos, st.time_key(a))
            pos += 1
            # Near-identical to an earlier report (a copy the dedup stage missed, or the same wire
            # sentence in another outlet): credit the earliest, note the other as confirming it.
            for prev in cands:
                if (prev.article.id != a.id and c.numbers <= prev.numbers
                        and _jaccard(prev.stemset, c.stemset) >= SAME_REPORT_JACCARD):
                    if all(x.id != a.id for x in prev.also):
                        prev.also.append(a)
                    break
            else:
                cands.append(c)
    if not cands:
        return []

    df: Counter[str] = Counter()
    for a in originals:
        df.update(_stemset(a.text))
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
            if _jaccard(o.stemset, c.stemset) >= SUMMARY_REDUNDANT_JACCARD:
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

def _sources(st: _Story) -> dict[str, Any]:
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
                _index: _Index | None = None) -> dict[str, Any]:
    """The brief of one story (a JSON-able dict; see the module docstring for its shape)."""
    st = _Story(story, analysis, _index)
    numbers = _numbers(st)
    return {
        "timeline": _timeline(st),
        "numbers": numbers,
        "contradictions": _contradictions(st),
        "quotes_by_speaker": _quotes_by_speaker(st),
        "summary": _summary(st, numbers, summary_sentences),
        "sources": _sources(st),
    }


def build_briefs(analysis: Analysis, only_missing: bool = False) -> dict[str, dict[str, Any]]:
    """Story id -> brief for every story (or only those whose ``brief`` is empty)."""
    index = _Index(analysis)
    return {s.id: build_brief(s, analysis, _index=index) for s in analysis.stories
            if not (only_missing and s.brief)}


def add_briefs(analysis: Analysis) -> None:
    """Set ``story.brief`` for every story of ``analysis``."""
    index = _Index(analysis)
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
