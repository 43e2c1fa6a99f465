"""The channel a statement went through: «في تصريحات لوكالة "تاس"»، «في مؤتمر صحفي»، «لرويترز».

``channel_name`` reads the outlet named at a token (a news agency, a newspaper, a television
station, with its adjectives and the proper name after a site word); ``find_via`` collects the
channels written around a quote; ``channel_ahead`` tells the subject reader that what follows
is a channel rather than a speaker.
"""

from __future__ import annotations

from marsad.facts.speech import (INTRODUCERS, OPEN_MARKS, PREPOSITIONS, QuoteDoc, TIME_WORDS, bare_form,
                                 cue_kind, gap_has, is_definite, lexicon, norm_word as _n, org_names)


def lead_mark(gap: str) -> int:
    """How far back from the token the content starts: at a quotation mark after «:»."""
    for k, c in enumerate(gap):
        if c in OPEN_MARKS:
            return len(gap) - k
    return 0


def channel_ahead(doc: QuoteDoc, j: int, hi: int) -> bool:
    """Is token j a channel or time word (في بيان، خلال مؤتمر، في تصريحات ...)?"""
    if j >= hi:
        return True
    if cue_kind(doc, j, "speech_channels.txt") or doc.tokens[j].norm in TIME_WORDS:
        return True
    return bare_form(doc.tokens[j].norm) in lexicon("speech_channels.txt")


# ---------------------------------------------------------------------------------------------
# Channels (via)


def channel_name(doc: QuoteDoc, j: int, hi: int) -> tuple[str | None, int]:
    """The outlet named from token j on: a quoted or bracketed name, or the words after a
    kind of outlet (وكالة إنترفاكس). Returns (name, next token)."""
    channels = lexicon("speech_channels.txt")
    k = j
    medium: list[int] = []
    site_only = False  # the only kind words read are also common nouns (موقع الهجوم)
    while k < hi:
        gap = doc.gaps[k]
        if k > j and gap_has(gap, "،,:"):
            break
        if doc.opens(k) is not None or "(" in gap:
            # a quoted / bracketed name
            e = k
            while e + 1 < hi and not doc.closes(e + 1) and ")" not in doc.gaps[e + 1] and e - k < 3:
                e += 1
            return doc.surface(k, e + 1), e + 1
        w = doc.tokens[k].norm
        if bare_form(w) in channels or w in channels or (len(w) > 3 and w[0] == "ل" and bare_form(w[1:]) in channels):
            kind = channels.get(bare_form(w)) or channels.get(w) or channels.get(bare_form(w[1:]))
            site_only = (site_only or not medium) and kind == "site"
            medium.append(k)
            k += 1
            continue
        if medium and site_only and w.startswith("ال"):
            return None, k  # «قرب موقع الهجوم»: a place, not a web site
        if w in (_n("ل"), _n("مع"), _n("لـ")) or w in INTRODUCERS:
            if w in INTRODUCERS:
                break
            k += 1
            continue
        if medium and (w.startswith("ال") or w.startswith("لل")):
            # words with the article after the kind of outlet describe it and are part of its
            # name: «التلفزيون الرسمي»، «وكالة الأنباء السهيلية الرسمية»; a quoted name after
            # them is the name itself
            if k + 1 < hi and (doc.opens(k + 1) is not None or "(" in doc.gaps[k + 1]):
                k += 1
                continue
            if w.startswith("لل"):  # «للأنباء» closes the name
                break
            e = _definite_run(doc, k, hi)
            m0 = doc.tokens[medium[0]]
            # «لوكالة الأنباء ...»: the name starts after the preposition
            skip = 1 if m0.norm[:1] == "ل" and bare_form(m0.norm) not in channels and m0.norm not in channels else 0
            return doc.text[m0.start + skip:doc.tokens[e - 1].end], e
        if w in PREPOSITIONS or w in TIME_WORDS or cue_kind(doc, k, "speech_verbs.txt"):
            break
        if medium and site_only and not _proper_after_site(doc, k):
            return None, k
        e = k + 1
        # a two-word outlet only when the organization gazetteer knows it (واشنطن بوست),
        # so that «تقريرًا لوكالة بلومبرغ تحدث عن» stops at بلومبرغ; words with the article
        # after a name are its own (قناة صوت الخليج الإخبارية)
        if e < hi and not gap_has(doc.gaps[e], "،,:") and \
                f"{doc.tokens[k].norm} {doc.tokens[e].norm}" in org_names():
            e += 1
        elif e < hi and medium and is_definite(doc, e):
            e = _definite_run(doc, e, hi)
        return doc.surface(k, e), e
    if medium:
        return doc.surface(medium[0], medium[-1] + 1), medium[-1] + 1
    return None, k


# how many words with the article may follow an outlet's name or kind word (وكالة الأنباء
# السهيلية الرسمية: three)
MAX_OUTLET_ADJECTIVES = 3


def _definite_run(doc: QuoteDoc, k: int, hi: int) -> int:
    """One past the run of words with the article from token k (no punctuation between)."""
    e = k
    while (e < hi and e - k < MAX_OUTLET_ADJECTIVES and is_definite(doc, e)
           and (e == k or not gap_has(doc.gaps[e], "،,:.(«“\""))
           and not doc.tokens[e].norm.startswith("لل") and cue_kind(doc, e, "speech_verbs.txt") is None):
        e += 1
    return max(e, k + 1)


def _proper_after_site(doc: QuoteDoc, k: int) -> bool:
    """After «موقع»/«حساب»/«منصة», is token k a name (no article, not a preposition)?"""
    w = doc.tokens[k].norm
    return not is_definite(doc, k) and w not in PREPOSITIONS and not w.endswith(("ه", "ها", "هم"))


def find_via(doc: QuoteDoc, ranges: list[tuple[int, int]], hi: int) -> list[str]:
    """Channels named inside the adverbial phrases of an attribution."""
    channels = lexicon("speech_channels.txt")
    out: list[str] = []
    fallback = ""  # «في مؤتمر صحفي»، «في بيان»: the channel when no outlet is named
    for a, b in ranges:
        k = a
        while k < b:
            w = doc.tokens[k].norm
            kind = channels.get(bare_form(w)) or channels.get(w)
            if kind is None and len(w) > 3 and w[0] == "ل":
                kind = channels.get(bare_form(w[1:]))
            if kind is None and w in (_n("ل"), _n("لـ")) and k + 1 <= b:
                kind = "talk"
            if kind is None and cue_kind(doc, k, "speech_verbs.txt") == "relay":
                kind = "carry"
            if kind is None:
                k += 1
                continue
            if kind == "talk":
                # «في حديث لـ"العربي"»، «في مقابلة مع صحيفة ...»; not «في مؤتمر صحافي»
                nxt_w = doc.tokens[k + 1].norm if k + 1 < len(doc.tokens) else ""
                if not (nxt_w in (_n("ل"), _n("لـ"), _n("مع"))
                        or (nxt_w[:1] == "ل" and bare_form(nxt_w[1:]) in channels)
                        or (k + 1 < len(doc.tokens) and doc.opens(k + 1) is not None)):
                    if bare_form(w) in FORMAT_CHANNELS and not fallback:
                        e = k + 1 if k + 1 < b and nxt_w in FORMAT_CHANNELS[bare_form(w)] else k
                        fallback = doc.surface(k, e + 1)
                    k += 1
                    continue
            start = k if kind in ("medium", "site") else k + 1
            name, nxt = channel_name(doc, start, max(b, min(hi, b + 1)))
            if name and name not in out:
                out.append(strip_marks(name))
            k = max(nxt, k + 1)
    out = [v for v in out if v]
    return out or ([fallback] if fallback else [])


# statements whose form is itself the channel when no outlet carried them: the kind word and
# the words that may complete it (مؤتمر صحفي، بيان)
FORMAT_CHANNELS = {_n("مؤتمر"): {_n(w) for w in ("صحفي", "صحافي", "صحفيا", "صحافيا")},
                   _n("بيان"): set()}


def strip_marks(s: str) -> str:
    return s.strip().strip("«»“”\"„()").strip()
