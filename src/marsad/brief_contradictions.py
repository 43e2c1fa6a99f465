"""The contradictions of a story brief: denials paired with the assertions they dispute, and
assertions of different parties that dispute each other over the same incident.
"""

from __future__ import annotations

import re
from typing import Any

from marsad.brief_numbers import incident_cue
from marsad.brief_story import (NEVER, SAME_REPORT_JACCARD, StoryView, jaccard, name_key, numbers_in,
                                overlap, same_party, stem_set)
from marsad.facts import claims as facts_claims
from marsad.model import Article, Claim, Quote
from marsad.text import normalize_for_search, words

# --------------------------------------------------------------------------------------------
# Tuned constants. Calibrated by reading the briefs of the test fixtures (three outlets on one
# attack plus a syndicated copy, a denial story) and of ../shared/seeds (five outlets on the
# Kremlin / peace-talks story).

# A denial matches an assertion when their targets share at least this share of the smaller
# stem set (overlap coefficient). 0.5: «سيطرت على بلدة ...» vs «السيطرة على البلدة ...» share
# 3 of 5 content stems; two unrelated claims in one story share at most one or two.
CLAIM_OVERLAP = 0.5


def _claim_side(st: StoryView, c: Claim) -> dict[str, Any]:
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


def _own_side(st: StoryView, c: Claim) -> list[str]:
    """The denier of ``c`` and the bodies its titles name in the story («دميتري بيسكوف» with
    the role «المتحدث باسم الكرملين»: the Kremlin)."""
    quotes = [q for a in st.articles for q in st.facts[a.id].quotes]
    return [c.claimant] + [q.speaker.role for q in quotes
                           if q.speaker.role and same_party(q.speaker.name, c.claimant)] + \
        [q.speaker.name for q in quotes  # and the other way: the Kremlin's spokesman for the Kremlin
         if q.speaker.role and _speaks_for(q.speaker.role, c.claimant)]


_SPEAKS_FOR = re.compile(r"(?:^|\s)(?:ال)?(?:متحدث|ناطق|مستشار|مندوب|ممثل|سفير)(?:ه)?\s+(?:باسم|عن|ب?اسم)?\s*(?P<x>.+)$")


def _speaks_for(role: str, party: str | None) -> bool:
    """Does the title ``role`` make its holder speak for ``party`` («المتحدث باسم الكرملين» for
    «الكرملين»)?"""
    m = _SPEAKS_FOR.search(normalize_for_search(role))
    return bool(m and party) and same_party(m.group("x"), normalize_for_search(party))


def _denied_party(st: StoryView, c: Claim) -> str | None:
    """Whose claim ``c`` denies: the facts stage's ``target_claimant`` unless it is the denier
    itself or its own side, else the outlet or agency the denial sentence names as the source
    of the report."""
    if c.target_claimant and not any(same_party(c.target_claimant, x) for x in _own_side(st, c)):
        return c.target_claimant
    a = st.by_id[c.evidence.article]
    m = _REPORTED_BY.search(a.text[c.evidence.start:c.evidence.end])
    if m:
        return m.group(1)
    return None


# How many words before a party's name in a denial sentence make its title («الاتهامات التي
# وجهها مبعوث الرئيس الأمريكي كيث كيلوغ»: مبعوث الرئيس الأمريكي). 3 on the seeds.
TITLE_WORDS = 3


def _title_before(st: StoryView, c: Claim, party: str) -> frozenset[str]:
    """Stems of the title written right before ``party``'s name in the denial's sentence."""
    a = st.by_id[c.evidence.article]
    sentence = a.text[c.evidence.start:c.evidence.end]
    at = sentence.find(party)
    if at <= 0:
        return frozenset()
    return name_key(" ".join(words(sentence[:at])[-TITLE_WORDS:]))


def _titled_as(q: Quote, title: frozenset[str]) -> bool:
    """Is ``q`` spoken by a title-only speaker («المبعوث الأمريكي الخاص») that the denial
    gives to its named party (title «مبعوث الرئيس الأمريكي»): two stems in common, at least?
    Seeds: Kellogg's accusation, quoted under his title only."""
    if not title or q.speaker.entity:
        return False
    key = name_key(q.speaker.name)
    return len(key & title) >= 2


def _names_party(st: StoryView, q: Quote, party: str) -> bool:
    """Does the sentence of quote ``q`` name ``party`` as the one that carried it?"""
    a = st.by_id[q.evidence.article]
    head = a.text[q.evidence.start:q.evidence.end]
    s0 = max(a.text.rfind("\n", 0, q.evidence.start), a.text.rfind(".", 0, q.evidence.start)) + 1
    sentence = a.text[s0:q.evidence.start] + head
    key = name_key(re.sub("^" + _MEDIA + r"\s+", "", party))
    return bool(key) and key <= name_key(sentence)


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
    """The incident cue of a whole statement (see incident_cue), None for the story's own."""
    return incident_cue(text, 0, 0, 0, len(text))


def _may_conflict(a: str, b: str) -> bool:
    """Can two assertions of different parties dispute each other? Not when they report other
    incidents («قتل 12 في الغارة» against «قتل 30 في غارة مماثلة الشهر الماضي»), nor when they
    give the same counts and neither negates (they agree)."""
    if _text_incident(a) != _text_incident(b):
        return False
    na, nb = numbers_in(a), numbers_in(b)
    if na and na == nb and not (_agrees_with_denial(a) or _agrees_with_denial(b)):
        return False
    return True


def find_contradictions(st: StoryView) -> list[dict[str, Any]]:
    claims = [c for a in st.articles for c in st.facts[a.id].claims if st.valid(c.evidence)]
    quotes = [q for a in st.articles for q in st.facts[a.id].quotes if st.valid(q.evidence)]
    out: list[dict[str, Any]] = []

    def find(denier: str | None, target: frozenset[str]) -> dict[str, Any] | None:
        for d in out:
            if (same_party(d["denies"]["claimant"], denier)
                    and jaccard(d["_target"], target) >= SAME_REPORT_JACCARD):
                return d
        return None

    def add(says: Claim | Quote | None, denial: Claim, kind: str) -> None:
        if kind == "denial" and says is not None and _agrees_with_denial(
                says.target if isinstance(says, Claim) else says.text):
            says = None
        target = stem_set(denial.target or denial.text)
        named = _denied_party(st, denial)
        d = find(denial.claimant, target)
        if d is None:
            side_says = None
            if isinstance(says, Claim):
                side_says = _claim_side(st, says)
            elif isinstance(says, Quote):
                who = says.speaker.name
                if named and not same_party(who, named):
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
        if isinstance(says, Claim) and d["says"] is not None and same_party(says.claimant, d["says"]["claimant"]):
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
        target = stem_set(c.target or c.text)
        party = _denied_party(st, c)
        best: Claim | Quote | None = None
        best_score = 0.0
        # the denier's own side: its name and the bodies its titles name («المتحدث باسم
        # الكرملين» denying: the Kremlin's statements are not what he denies; seeds)
        own = _own_side(st, c)
        for o in claims:
            if o is c or o.stance == "denies" or any(same_party(o.claimant, x) for x in own) \
                    or _agrees_with_denial(o.target or o.text):
                continue
            score = overlap(target, stem_set(o.target or o.text))
            named = party and same_party(o.claimant, party)
            if score >= CLAIM_OVERLAP or (named and score > 0):
                score += 1.0 if named else 0.0
                if score > best_score:
                    best, best_score = o, score
        if best is None and party:
            for q in quotes:
                if same_party(q.speaker.name, party) and not _agrees_with_denial(q.text) \
                        and not any(same_party(q.speaker.name, x) for x in own):
                    score = overlap(target, stem_set(q.text))
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
                if not (any(same_party(v, party) for v in q.via) or _names_party(st, q, party)
                        or _titled_as(q, title)) \
                        or _agrees_with_denial(q.text) or any(same_party(q.speaker.name, x) for x in own):
                    continue  # the denier's own words are not what it denies
                score = overlap(target, stem_set(q.text))
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
            return (NEVER, 0, 0)
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

