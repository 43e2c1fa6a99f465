"""What every render shares: Arabic labels, date formatting, story lookup and ordering."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from marsad.briefs import build_brief
from marsad.errors import StoryNotFound
from marsad.model import Analysis, Story

MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
          "أكتوبر", "نوفمبر", "ديسمبر"]

QUALIFIERS = {
    "at least": "على الأقل", "about": "نحو", "nearly": "قرابة", "more than": "أكثر من",
    "less than": "أقل من", "up to": "حتى", "dozens": "عشرات", "hundreds": "مئات",
    "thousands": "آلاف", "tens of thousands": "عشرات الآلاف", "a few": "بضعة",
}
VAGUE = {"dozens", "hundreds", "thousands", "tens of thousands", "a few"}
# Qualifiers written before the number in Arabic; the others follow it.
QUALIFIER_BEFORE = {"about", "nearly", "more than", "less than", "up to"}

EVENT_TYPES = {
    "attack": "هجوم", "casualties": "ضحايا", "interception": "اعتراض", "talks": "محادثات",
    "agreement": "اتفاق", "no_agreement": "لا اتفاق", "prisoner_exchange": "تبادل أسرى",
    "protest": "احتجاج", "arrest": "اعتقال", "election": "انتخابات", "share": "نسبة مئوية",
    "outage": "انقطاع الكهرباء",
}

COUNTS = {
    "killed": "القتلى", "wounded": "الجرحى", "missing": "المفقودون", "prisoners": "الأسرى",
    "drones": "المسيّرات", "missiles": "الصواريخ", "displaced": "النازحون", "arrested": "المعتقلون",
}

KINDS = {"event": "حدث", "statement": "تصريح", "claim": "ادعاء"}
STANCES = {"asserts": "يؤكد", "denies": "ينفي"}
UNKNOWN_OUTLET = "مصدر غير معروف"


# Heads of organization names that take a feminine verb (قوات ... تنفي، وزارة ... تنفي); any
# word with the article ending in ة or ات does too (الحكومة، الرئاسة، السلطات). Person names
# keep the masculine: their gender is not known here.
_FEMININE_HEADS = {"وزارة", "قوات", "حكومة", "حركة", "منظمة", "هيئة", "رئاسة", "حملة", "شرطة",
                   "لجنة", "جبهة", "سلطات", "وكالة", "صحيفة", "قناة", "رابطة", "جمعية", "نقابة"}


@lru_cache(maxsize=1)
def _feminine_places() -> frozenset[str]:
    """Cities, and countries written without the article (مصر، أوكرانيا، روسيا، موسكو), take a
    feminine verb; countries with it vary (نفى العراق، نفت الجزائر) and are left masculine."""
    from pathlib import Path

    lex = Path(__file__).resolve().parent.parent / "facts" / "lexicons"
    out: set[str] = set()
    for name, bare_only in (("gazetteer_countries.txt", True), ("gazetteer_cities.txt", False)):
        path = lex / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            w = line.strip()
            if w and not w.startswith("#") and not (bare_only and w.startswith("ال")):
                out.add(w)
    return frozenset(out)


def _feminine(name: str | None) -> bool:
    first = (name or "").split()[:1]
    if not first:
        return False
    w = first[0]
    return (w in _FEMININE_HEADS or (w.startswith("ال") and len(w) > 4 and w.endswith(("ة", "ات")))
            or w in _feminine_places() or (name or "") in _feminine_places())


def denial_parts(c: dict[str, Any], den: dict[str, Any]) -> tuple[str, str, str]:
    """(who and verb, what, note) for one denial of a contradiction: «X ينفي» + what it denies
    (its target, else its sentence) + whose report that was when the story only knows it from
    the denial («رواية رويترز، لا نصّ لها في المقالات»)."""
    verb = "ينفي" if den.get("stance") == "denies" else "يخالف"
    if _feminine(den.get("claimant")):
        verb = "ت" + verb[1:]
    what = den.get("target") or den.get("text") or ""
    note = ""
    if not c.get("paired", bool(c.get("says") and c["says"].get("sources"))):
        # the brief's denied party (never the denier's own side); older briefs lack the key
        party = c["denied_party"] if "denied_party" in c else den.get("target_claimant")
        if party and party != den.get("claimant"):
            note = f"منسوب إلى {party}، ولا نصّ له في المقالات"
    return f"{den.get('claimant') or 'طرف غير مسمّى'} {verb}", what, note


def is_paired(c: dict[str, Any]) -> bool:
    """Has the contradiction the assertion itself, quoted in the story?"""
    return bool(c.get("paired", bool(c.get("says") and c["says"].get("sources"))))


def timeline_label(t: dict[str, Any]) -> str:
    """The badge of a timeline line: every type its sentence was read as («ضحايا · ينفي»)."""
    labels: list[str] = []
    for ty in t.get("types") or [t.get("type")]:
        if t.get("kind") == "statement":
            label = KINDS["statement"]
        else:
            label = EVENT_TYPES.get(ty) or STANCES.get(ty) or KINDS.get(t.get("kind"), ty)
        if label not in labels:
            labels.append(label)
    return " · ".join(labels)


def timeline_parts(timeline: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(lines shown, lines folded) — the brief marks the lines past its limit ``folded``."""
    return [t for t in timeline if not t.get("folded")], [t for t in timeline if t.get("folded")]


FOLDED_NOTE = "بنود أخرى مطوية (في تقرير HTML وفي JSON): {n}"


def parse_when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


def fmt_date(value: str | None, with_time: bool = True) -> str:
    """«25 مايو 2024، 14:10» (the time as the source wrote it; no time when it gave none)."""
    d = parse_when(value)
    if d is None:
        return value or "—"
    out = f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if with_time and len(value.strip()) > 10 and (d.hour or d.minute):
        out += f"، {d.hour:02d}:{d.minute:02d}"
    return out


def fmt_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "٬") if value >= 10000 else str(value)
    return str(value)


def fmt_number(value: Any, qualifier: str | None) -> str:
    """«14 على الأقل»، «نحو 40»."""
    v = fmt_value(value)
    if qualifier in VAGUE:
        return QUALIFIERS[qualifier]  # «عشرات»: the value is only the magnitude's lower bound
    q = QUALIFIERS.get(qualifier or "", qualifier or "")
    if not q:
        return v
    return f"{q} {v}" if qualifier in QUALIFIER_BEFORE else f"{v} {q}"


ROLES = {"launched": "أُطلقت", "intercepted": "اعتُرضت", "earlier": "حصيلة سابقة",
         "cumulative": "حصيلة تراكمية"}


def incident_label(incident: str | None) -> str | None:
    """The incident a number row counts, when not the story's own (see marsad.briefs):
    «incident 2» → «الحادث 2»، «other incident» → «حادث آخر»، «previous شهر» → «سابق: شهر»،
    «war» → «الحرب»، «site المستشفى» → «استهداف المستشفى»."""
    if not incident:
        return None
    if incident == "other incident":
        return "حادث آخر"
    if incident == "war":
        return "الحرب"
    if incident.startswith("incident "):
        return "الحادث " + incident[len("incident "):]
    if incident.startswith("previous "):
        when = incident[len("previous "):]
        return _PERIODS.get(when, "سابق: " + when)
    if incident.startswith("site "):
        return "استهداف " + incident[len("site "):]
    return incident


_PERIODS = {"شهر": "الشهر الماضي", "اسبوع": "الأسبوع الماضي", "عام": "العام الماضي",
            "سنه": "العام الماضي", "period": "فترة سابقة"}
# Why a report is in a number's history but not one of its figures (see marsad.briefs).
NOTES = {"also mentioned": "ذُكر أيضًا", "part": "جزء من الحصيلة", "vague": "تقدير غير محدد",
         "earlier": "حصيلة سابقة يذكرها المقال"}


def history_rows(group: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(figures, others) of a reconciled number for display.

    Figures: one row per value an outlet gave, in time order, with the syndicated copies that
    repeat it folded in as extra sources (``copies``). Others: the reports that are not figures
    (a part of the toll, a vague magnitude, a detail), each with its note; an earlier toll an
    article recalls is a row of its own, marked by its note."""
    rows: list[dict[str, Any]] = []
    index: dict[tuple, dict[str, Any]] = {}
    others = []
    for h in group.get("history", []):
        if not h.get("primary", True) and h.get("note") != "earlier":
            others.append(h)
            continue
        key = (h["value"], h.get("qualifier"), h.get("duplicate_of") or h["article"])
        if h.get("duplicate_of") and key in index:
            index[key]["copies"].append(h)
            continue
        row = {**h, "copies": []}
        index[(h["value"], h.get("qualifier"), h["article"])] = row
        rows.append(row)
    return rows, others


def counts_label(group: dict[str, Any]) -> str:
    """«القتلى»، «المسيّرات (اعتُرضت)»، «أطفال (بين قتلى)»."""
    label = COUNTS.get(group.get("counts") or "", None) or group.get("what") or group.get("counts") or "—"
    if group.get("counts") == "prisoners" and group.get("event_types") == ["arrest"]:
        label = "المعتقلون"
    if group.get("place"):
        label = f"{label} في {group['place']}"
    if incident_label(group.get("incident")):
        label = f"{label} — {incident_label(group['incident'])}"
    role = group.get("role")
    if role:
        if role.startswith("among "):
            whole = role[len("among "):]
            if whole in (label, group.get("what")) or whole in label:
                return f"جزء من حصيلة {whole}"
            return f"{label} (من بين {whole})"
        return f"{label} ({ROLES.get(role, role)})"
    return label


def outlet_name(outlet: str | None) -> str:
    return outlet or UNKNOWN_OUTLET


def ev_id(ev: dict[str, Any]) -> str:
    """The id of the highlighted evidence in the article text (and the fragment links use)."""
    return f"ev-{ev['article']}-{ev['start']}-{ev['end']}"


def brief_of(story: Story, analysis: Analysis) -> dict[str, Any]:
    return story.brief if story.brief else build_brief(story, analysis)


def find_story(analysis: Analysis, story_id: str) -> Story:
    """The story with this id or unique id prefix; StoryNotFound names a few ids otherwise."""
    exact = [s for s in analysis.stories if s.id == story_id]
    if exact:
        return exact[0]
    hits = [s for s in analysis.stories if s.id.startswith(story_id)] if story_id else []
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        few = ", ".join(s.id for s in hits[:5])
        raise StoryNotFound(f"story id prefix {story_id!r} matches {len(hits)} stories: {few} …")
    few = ", ".join(s.id for s in ordered_stories(analysis)[:5]) or "(none: the store holds no stories)"
    raise StoryNotFound(f"no story {story_id!r}; {len(analysis.stories)} stories, e.g. {few}")


def story_sort_key(s: Story) -> tuple:
    # Most recent first; a story without dates last.
    last = parse_when(s.last_seen) or parse_when(s.first_seen)
    stamp = last.replace(tzinfo=None).timestamp() if last else float("-inf")
    return (-stamp, -len(s.articles), s.id)


def ordered_stories(analysis: Analysis) -> list[Story]:
    return sorted(analysis.stories, key=story_sort_key)


def storyline_groups(analysis: Analysis) -> list[dict[str, Any]]:
    """Storylines (most recent first), each with its stories; stories of no storyline last."""
    by_id = {s.id: s for s in analysis.stories}
    placed: set[str] = set()
    groups = []
    for line in analysis.storylines:
        stories = [by_id[i] for i in line.stories if i in by_id and i not in placed]
        stories += [s for s in analysis.stories if s.storyline == line.id and s.id not in placed
                    and s not in stories]
        if not stories:
            continue
        stories.sort(key=story_sort_key)
        placed.update(s.id for s in stories)
        groups.append({"id": line.id, "title": line.title, "stories": stories})
    groups.sort(key=lambda g: story_sort_key(g["stories"][0]))
    rest = [s for s in ordered_stories(analysis) if s.id not in placed]
    if rest:
        groups.append({"id": None, "title": "قصص خارج أي مسار", "stories": rest})
    return groups


def story_outlets(story: Story, analysis: Analysis, by_id: dict | None = None) -> list[str]:
    if story.outlets:
        return list(story.outlets)
    by_id = by_id if by_id is not None else {a.id: a for a in analysis.articles}
    seen: list[str] = []
    for aid in story.articles:
        a = by_id.get(aid)
        if a and a.outlet and a.outlet not in seen:
            seen.append(a.outlet)
    return seen
