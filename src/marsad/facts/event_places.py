"""The actors and place of an event sentence (``actors_place``): the entity mentions and
places it names, the place being the locative one nearest the event's cues, never a place of
origin.
"""

from __future__ import annotations

import bisect

from marsad.facts.event_cues import norm_form as _nf, place_lexicon, word_forms
from marsad.model import Mention
from marsad.text.normalize import GAP, normalize
from marsad.text.tokenize import Token


_LOCATIVE = {_nf(w) for w in ("في", "على", "فوق", "قرب", "داخل", "شمال", "جنوب", "شرق", "غرب",
                              "وسط", "أجواء", "أراضي", "بمدينة", "مدينة", "بلدة", "قرية",
                              "منطقة", "منطقتي", "محافظة", "مقاطعة", "ولاية", "إقليم", "حي",
                              "مخيم", "جمهورية", "العاصمة", "ضواحي", "أطراف", "مدينتي", "إلى")}
_PLACE_HEADS = {_nf(w) for w in ("مدينة", "بلدة", "قرية", "منطقة", "محافظة", "مقاطعة", "ولاية",
                                 "إقليم", "حي", "مخيم")}
_FORCES = {_nf(w) for w in ("القوات", "قوات", "الجيش", "جيش", "الشرطة", "شرطة", "الدفاعات",
                            "البحرية", "سلاح", "الحرس", "مسلحون", "مسلحين")}


def _place_hits(toks: list[Token]) -> list[tuple[int, int, str]]:
    """Gazetteer places in ``toks``: (first token, last token, name as written)."""
    names = place_lexicon()
    out = []
    i = 0
    while i < len(toks):
        hit = None
        for L in (3, 2, 1):
            if i + L > len(toks):
                continue
            first_forms = word_forms(toks[i].norm)[1]
            rest = " ".join(t.norm for t in toks[i + 1:i + L])
            for f in first_forms:
                key = f + (" " + rest if rest else "")
                if key in names:
                    hit = (i, i + L - 1)
                    break
            if hit:
                break
        if hit:
            out.append((hit[0], hit[1], ""))
            i = hit[1] + 1
        else:
            i += 1
    return out


# Words that make a place someone's origin, not where the event happened: «المهاجم الذي ولد في
# الشيشان»، «من أصل مغربي»، «أسير حرب في فيتنام» (a past of the person, ANT 2018 stories).
_ORIGIN = {_nf(w) for w in ("ولد", "المولود", "مولود", "ولدت", "المولودة", "أصل", "الأصل", "أصول",
                            "ينحدر", "المنحدر", "المتحدر", "يتحدر", "جنسية", "الجنسية", "أسير",
                            "نشأ", "ترعرع", "درس", "عاش", "لاجئ")}
_NOT_A_PLACE = {_nf(w) for w in ("وفقا", "وفق", "حسب", "بحسب", "طبقا", "التي", "الذي", "الذين", "أن",
                                 "إن", "في", "من", "على", "عن", "إلى", "الى", "مع", "كما", "حيث")}


def actors_place(sent_toks: list[Token], base: int, mentions: list[Mention], text: str,
                 s_start: int, s_end: int, anchors: list[int] | None = None) -> tuple[list[str], str | None]:
    """Actors and place of a sentence's event. ``anchors``: offsets of the event's cues; the
    place is the locative place nearest to one of them (the event's own clause), not the first
    place the sentence names, and never a place of origin."""
    actors: list[str] = []
    place: str | None = None
    locative_places: list[tuple[int, str]] = []
    in_sent = [m for m in mentions if m.start >= s_start and m.end <= s_end]
    starts = [t.start + base for t in sent_toks]

    def prev_norm(offset: int) -> str:
        k = bisect.bisect_left(starts, offset) - 1
        return sent_toks[k].norm if k >= 0 else ""

    def tok_at(offset: int) -> Token | None:
        k = bisect.bisect_right(starts, offset) - 1
        return sent_toks[k] if k >= 0 else None

    def is_origin(offset: int) -> bool:
        k = bisect.bisect_left(starts, offset)
        return any(f in _ORIGIN for t in sent_toks[max(0, k - 3):k] for f in word_forms(t.norm)[1])

    def is_locative(offset: int) -> bool:
        t = tok_at(offset)
        if t is not None and t.start + base < offset:  # a clitic glued to the name: «بكييف»
            glued = normalize(text[t.start + base:offset]).replace(GAP, "")
            if glued and glued[-1] in "بل" or glued in ("ف", "في"):
                return glued.endswith("ب") or glued.endswith("في")
        return any(f in _LOCATIVE for f in word_forms(prev_norm(offset))[0])  # «وفي غزة»

    for m in in_sent:
        name = m.canonical or m.text
        if m.type == "PLACE":
            if is_locative(m.start):
                if not is_origin(m.start):
                    locative_places.append((m.start, m.text))
            elif name not in actors:
                actors.append(name)
        elif m.type in ("PERSON", "ORG") and name not in actors:
            actors.append(name)
    if not any(m.type == "PLACE" for m in in_sent):
        for a, b, _ in _place_hits(sent_toks):
            s = sent_toks[a].start + base
            e = sent_toks[b].end + base
            first = sent_toks[a]
            f_strict = word_forms(first.norm)
            # trim the clitic letters off the written name
            names = place_lexicon()
            lead = 0
            for f in f_strict[1]:
                key = " ".join([f] + [t.norm for t in sent_toks[a + 1:b + 1]])
                if key in names:
                    lead = len(first.norm) - len(f)
                    break
            s_name = s + _offset_after_letters(first.text, lead)
            name = text[s_name:e]
            glued = first.norm[:lead]
            if "ب" in glued or is_locative(s):
                if not is_origin(s):
                    locative_places.append((s, name))
            elif name not in actors:
                actors.append(name)
    # forces: «القوات الروسية»، «الجيش الإسرائيلي»، «القوات المسلحة الأوكرانية»
    for i, t in enumerate(sent_toks):
        f = word_forms(t.norm)
        if f[0][-1] in _FORCES or f[1][0] in _FORCES or t.norm in _FORCES:
            j = i
            while j + 1 < len(sent_toks) and j - i < 2 and sent_toks[j + 1].norm.startswith("ال") \
                    and (sent_toks[j + 1].norm.endswith("يه") or sent_toks[j + 1].norm.endswith("ي")):
                j += 1
            if j > i:
                k0 = _offset_after_letters(t.text, len(t.norm) - len(word_forms(t.norm)[0][-1]))
                phrase = text[t.start + base + k0:sent_toks[j].end + base]
                if phrase not in actors:
                    actors.append(phrase)
    # «في مدينة X» names the place outright: «مدينة الرستن»، «مدينة عين الصفا»
    for i, t in enumerate(sent_toks[:-1]):
        if any(f in _PLACE_HEADS for f in word_forms(t.norm)[1]):
            first = last = sent_toks[i + 1]
            between = text[t.end + base:first.start + base]
            if any(c in between for c in "،,.:؛") or any(f in _NOT_A_PLACE for f in word_forms(first.norm)[0]):
                continue  # «في المنطقة، وفقا لـ…»: no name follows the head
            if any(f[:2] in ("ال", "لل") and f[2:] in _PLACE_HEADS for f in word_forms(t.norm)[1]):
                continue  # «البلدة ذاتها»، «المدينة الساحلية»: a definite head takes no name
            if i + 2 < len(sent_toks) and not first.norm.startswith("ال"):
                nxt = sent_toks[i + 2]
                if nxt.norm.startswith("ال") and not nxt.norm.endswith(("يه", "ي")) \
                        and nxt.start - first.end == 1 and text[first.end + base] == " ":
                    last = nxt
            if not is_origin(t.start + base):
                # named outright: ranks before a bare place at the same distance
                locative_places.insert(0, (first.start + base - 1, text[first.start + base:last.end + base]))
            break
    if locative_places:
        if anchors:
            def clause(offset: int) -> int:  # commas before it: «بعد زيارة القاهرة، قتل … في العريش»
                return sum(text.count(c, s_start, offset) for c in "،,؛;")

            own = {clause(a) for a in anchors}
            place = min(locative_places, key=lambda p: (clause(p[0]) not in own,
                                                        min(abs(p[0] - a) for a in anchors)))[1]
        else:
            place = locative_places[0][1]
    return actors, place


def _offset_after_letters(surface: str, n: int) -> int:
    normed = normalize(surface)
    seen = 0
    for i, c in enumerate(normed):
        if seen == n:
            return i
        if c != GAP:
            seen += 1
    return len(surface) if seen < n or n else 0
