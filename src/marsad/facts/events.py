"""Events with their numbers: attacks, casualties, interceptions, talks, agreements and their
absence, prisoner exchanges, protests, arrests and elections.

``find_events(article, mentions)`` reads the article sentence by sentence
(``marsad.text.split_sentences``) and returns one ``Event`` per event type a sentence reports,
with the sentence as evidence (offsets into ``article.text``), the actors and place named in
it, its date (a relative date resolved against ``article.published``) and the numbers it gives,
each with what it counts, its qualifier and its exact span.

Event types and their PLOVER category (https://github.com/openeventdata/PLOVER):

==================  =========  ========================================================
type                PLOVER     cue (see lexicons/events_triggers.tsv)
==================  =========  ========================================================
attack              ASSAULT    هجوم، غارة، قصف، تفجير، إطلاق نار، اختطاف، اغتيال …
casualties          ASSAULT    قتل، مقتل، لقي حتفه، أصيب، جرحى … (the toll of an assault)
interception        ASSAULT    أسقط/اعترض + مسيرة/صاروخ (an aerial assault and its repulse)
talks               CONSULT    محادثات، مفاوضات، اجتماع، لقاء، قمة، اتصال هاتفي
agreement           AGREE      توصل إلى/وقّع/أبرم + اتفاق/هدنة/وقف إطلاق النار؛ اتفق
no_agreement        REJECT     the same negated («لم تتوصلا إلى اتفاق»، «لا يوجد اتفاق»)
                               or talks that failed («فشل المحادثات»)
prisoner_exchange   CONCEDE    تبادل/صفقة + أسرى/سجناء/رهائن (PLOVER: release of persons)
protest             PROTEST    تظاهر، احتجاج، اعتصام، إضراب، وقفة احتجاجية
arrest              COERCE     اعتقل، توقيف، القبض على، احتجاز، مداهمة
election            (none)     انتخابات، اقتراع، تصويت، استفتاء — PLOVER has no event
                               category for elections (it treats them as context)
outage              (none)     انقطاع الكهرباء/التيار، بدون كهرباء/تدفئة with a count of
                               those left without power («عن 12000 مشترك»)
==================  =========  ========================================================

A sentence that reports casualties or an interception does not also yield a separate
``attack`` event: the attack is the same happening, and the casualties/interception event
carries its numbers. ``no_agreement`` replaces ``agreement`` in a sentence that negates it.

The event gate: a sentence the cues take for an attack, casualties, interception or protest
must also pass a linear classifier over the whole sentence (``models/events_gate.json``), which
tells a report of the event from commentary, threats, denials and passing mentions. A rejected
sentence yields no such event, unless it counts a toll or weapons: then the event is kept with
its numbers and marked ``doubtful``.

Numbers: each number in an event sentence is kept when it counts something the event is
about, with a canonical ``what``: «قتلى» (killed), «جرحى» (injured), «مسيرات»، «صواريخ»،
«طائرات»، «قذائف»، «غارات» (aerial weapons; ``role`` ``launched`` or ``intercepted``),
«متظاهرين»، «معتقلين»، «أسرى». A generic count of people («14 شخصا»، «شخصين») takes its
meaning from the nearest cue («مقتل 14 شخصا» → قتلى; «ارتفع عدد القتلى إلى 14» → قتلى). A
count introduced by «بينهم/منهم» counts a part of the toll: its ``what`` is its own noun
(«أطفال») and its ``role`` is ``among قتلى``. Years, days of the month and percentages are
never counts. «أسقطت 35 من أصل 40 مسيرة» gives 35 مسيرات intercepted and 40 launched. A lone
singular person after a killed/injured cue counts one («أصيب مدني» → 1 جرحى), lone people
joined by «و» count together («مقتل ضابط وجندي» → 2 قتلى), and a definite number word after a
definite people noun counts them («الشهداء الثلاثة» → 3 قتلى). A death sentence («قضت محكمة
بإعدام رجل») kills no one; refugees, passengers, the rescued or captured, perpetrators («على يد
9 رجال»), bullets and a rate's base («لكل 100 ألف») are no toll (see ``marsad.facts.event_numbers``).

The pieces live beside this module: the cue lexicon, cue matching and event typing in
``marsad.facts.event_cues``; dates in ``marsad.facts.event_dates``; what each number counts in
``marsad.facts.event_numbers``; actors and place in ``marsad.facts.event_places``; the gate in
``marsad.facts.event_gate``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from marsad.analysed import AnalysedDoc
from marsad.budget import check as check_budget
from marsad.facts.entities import find_mentions
from marsad.facts.event_cues import Counted, Cue, EVENT_CUES, NUMBER_CUES, detect, match_cues, quick_filter
from marsad.facts.event_dates import date_of, resolve_relative_date
from marsad.facts.event_gate import GATED, GATE_FLOOR, gate_model, gate_types
from marsad.facts.event_numbers import classify_numbers, implicit_numbers
from marsad.facts.event_places import actors_place
from marsad.model import Article, Event, Evidence, Mention, Number
from marsad.text.numbers import find_numbers
from marsad.text.tokenize import Token, tokenize


__all__ = ["find_events", "EventsConfig", "EVENT_TYPES", "PLOVER", "resolve_relative_date"]

PLOVER: dict[str, str | None] = {
    "attack": "ASSAULT",
    "casualties": "ASSAULT",
    "interception": "ASSAULT",
    "talks": "CONSULT",
    "agreement": "AGREE",
    "no_agreement": "REJECT",
    "prisoner_exchange": "CONCEDE",
    "protest": "PROTEST",
    "arrest": "COERCE",
    "election": None,
    "outage": None,
}
EVENT_TYPES = tuple(PLOVER)


def _entity_mentions(article: Article, doc: AnalysedDoc | None = None) -> list[Mention]:
    try:
        return list(find_mentions(article, doc))
    except Exception:  # noqa: BLE001 - events still work on their own place list
        return []


@dataclass(frozen=True)
class EventsConfig:
    """How ``find_events`` reads: ``use_gate`` turns the event gate (``marsad.facts.event_gate``)
    on (the default) or off (the cues alone; benchmarks/bench_events.py compares both)."""

    use_gate: bool = True


DEFAULT_CONFIG = EventsConfig()


def _types(cues: list[Cue], toks: list[Token], counted: list[Counted],
           config: EventsConfig) -> tuple[list[str], set[str]]:
    """Event types of a sentence and those of them that are doubtful (see ``gate_types``)."""
    if not config.use_gate or not gate_model():
        return detect(cues, toks, counted), set()
    types = detect(cues, toks, counted, GATE_FLOOR)
    if not any(t in GATED for t in types):
        return types, set()
    return gate_types(types, detect(cues, toks, counted), toks, cues, counted)


def find_events(article: Article, mentions: list[Mention] | None = None,
                doc: AnalysedDoc | None = None, config: EventsConfig | None = None) -> list[Event]:
    """Events reported in ``article`` (see the module doc), in text order; ``doc`` is its
    analysed document when already built (``marsad.analysed``: sentences, normalized text);
    ``config``: how to read (``EventsConfig``; its defaults when None)."""
    if config is None:
        config = DEFAULT_CONFIG
    text = article.text or ""
    if not text.strip():
        return []
    if doc is None or not doc.matches(article):
        doc = AnalysedDoc.of(article)
    if mentions is None:
        mentions = _entity_mentions(article, doc)
    quick = quick_filter()
    normed = doc.normalized
    events: list[Event] = []
    # in text order, so each sentence finds its own mentions by binary search (stable: the
    # tagger's order is kept); a scan of every mention per sentence made long articles quadratic
    mentions = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    for s in doc.sentences:
        check_budget()  # an input past its time budget stops here (marsad.budget)
        if not quick.search(normed, s.start, s.end):
            continue
        toks = tokenize(s.text)
        cues = match_cues(toks)
        if not cues:
            continue
        counted: list[Counted] = []
        if any(c.cue in NUMBER_CUES for c in cues):
            counted = classify_numbers(implicit_numbers(toks, cues, find_numbers(s.text, toks), s.text),
                                         toks, cues, s.text)
        types, doubtful = _types(cues, toks, counted, config)
        if not types:
            continue
        numbers: dict[str, list[Number]] = {}
        if counted:
            for c in counted:
                et = c.etype
                if et not in types:
                    if et == "interception" and "attack" in types:
                        et = "attack"
                    elif et == "attack" and "interception" in types:
                        et = "interception"
                    elif et == "attack" and "casualties" in types:
                        et = "casualties"
                    else:
                        continue
                sp = c.span
                got = numbers.setdefault(et, [])
                if any(x.what == c.what and x.value == sp.value and x.role == c.role for x in got):
                    continue  # «تبادل ألف سجين بألف»: one count, said twice
                got.append(Number(
                    value=sp.value, what=c.what, unit=sp.unit, qualifier=sp.qualifier,
                    text=sp.text, start=s.start + sp.start, end=s.start + sp.end, role=c.role))
        near = mentions[bisect.bisect_left(starts, s.start):bisect.bisect_left(starts, s.end)]
        anchors = [s.start + toks[c.first].start for c in cues if c.cue in EVENT_CUES]
        actors, place = actors_place(toks, s.start, near, text, s.start, s.end, anchors)
        date = date_of(toks, article.published)
        for t in types:
            events.append(Event(
                article=article.id, type=t, evidence=Evidence(article.id, s.start, s.end),
                actors=list(actors), place=place, date=date, numbers=numbers.get(t, []),
                plover=PLOVER[t], text=s.text, doubtful=t in doubtful))
    return events
