"""Completing a speaker's name from the rest of the article.

``unnamed_speaker`` puts an unnamed source in the nominative with the role «مصدر غير مسمى»
(«مصادر محلية»، «مسؤولين أمنيين»); ``spell_out_pronoun`` writes out «باسمه» with the body it
stands for; ``fullest_speaker`` gives a speaker as the article gives it in full: a body by its
fullest name («الخارجية» → «وزارة الخارجية الروسية»), a person named after a title, a first
name met earlier, a ministry before a bare minister. ``body_extent`` reads how far the name of a
body runs.
"""

from __future__ import annotations

import bisect

from marsad.facts.speakers import Registry, bare_first_name
from marsad.facts.speech import (HONORIFICS, INTRODUCERS, NISBA_ENDINGS, ORG_ADJ_ENDINGS, PREPOSITIONS,
                                 QuoteDoc, RELATIVES, REPORT_WORDS, THEN_WORDS, TIME_WORDS, bare_form,
                                 cue_kind, gap_has, is_definite, is_intro, is_role, lexicon, norm_word as _n,
                                 org_end, org_names, person_words)
from marsad.model import Speaker


# Unnamed sources: the head noun as written → (its nominative, number). The whole phrase is put
# in the nominative (مصدرين محليين → مصدران محليان، مسؤولين أمنيين → مسؤولون أمنيون) and the
# role says the source is unnamed. Written for marsad from general knowledge of Arabic news style.
UNNAMED_HEADS = {
    "مصدر": ("مصدر", 1), "مصدرا": ("مصدر", 1), "مصادر": ("مصادر", 3), "مصدرين": ("مصدران", 2),
    "مصدران": ("مصدران", 2), "شاهد": ("شاهد", 1), "شهود": ("شهود", 3), "شاهدين": ("شاهدان", 2),
    "مسؤول": ("مسؤول", 1), "مسؤولين": ("مسؤولون", 3), "مسؤولون": ("مسؤولون", 3),
    "مسؤولان": ("مسؤولان", 2), "دبلوماسي": ("دبلوماسي", 1), "دبلوماسيين": ("دبلوماسيون", 3),
    "دبلوماسيون": ("دبلوماسيون", 3), "سكان": ("سكان", 3), "مقربون": ("مقربون", 3),
    "مقربين": ("مقربون", 3), "مسؤولو": ("مسؤولو", 3), "مفاوضون": ("مفاوضون", 3), "مفاوضين": ("مفاوضون", 3),
    "ناشطون": ("ناشطون", 3), "ناشطين": ("ناشطون", 3), "مراقبون": ("مراقبون", 3),
    "مراقبين": ("مراقبون", 3),
}
UNNAMED_ROLE = "مصدر غير مسمى"
# the same heads as the text is compared: normalized («مسؤول» is written with a hamza seat)
UNNAMED = {_n(k): v for k, v in UNNAMED_HEADS.items()}


def _unnamed_qualifier(word: str) -> bool:
    """Does ``word`` after an unnamed head keep it unnamed: a preposition («مسؤول في الخارجية»)
    or an adjective («مسؤول أمريكي»), not a genitive that makes it a title («مسؤول ملف ...»)?"""
    return _n(word) in PREPOSITIONS or word.replace("\u0640", "").endswith(NISBA_ENDINGS)


def _nominative(word: str, number: int) -> str:
    """A dual or sound masculine plural adjective in the nominative (محليين → محليان/محليون)."""
    if word.endswith("ين") and len(word) > 4 and number in (2, 3):
        return word[:-2] + ("ان" if number == 2 else "ون")
    return word


def unnamed_speaker(sp: Speaker) -> Speaker:
    """An unnamed source («مصدرين محليين»، «شهود عيان») in the nominative, role «مصدر غير مسمى»."""
    words = sp.name.split()
    role_words = (sp.role or "").split()
    if words and _n(words[0]) in UNNAMED:
        head, number = UNNAMED[_n(words[0])]
    elif role_words and _n(role_words[0]) in UNNAMED:
        # «مصادر» read as a title before «طبية»: the phrase is the source
        head, number = UNNAMED[_n(role_words[0])]
        named = any(_n(w) in person_words() and _n(w) not in PREPOSITIONS for w in words)
        if named and len(role_words) > 1 and not _unnamed_qualifier(role_words[1]):
            return sp  # «مسؤول ملف المفاوضات، خليل الحية»: a title and its holder
        # its adjectives read as a name stay with it: «مصادر» + «محلية يمنية» → «مصادر محلية
        # يمنية»; a person named after «مسؤول في الخارجية الأمريكية يرافق» is not the source
        words = role_words + ([] if named else words)
    else:
        return sp
    # «مصادر تحدثت لـCNN»: a verb after the source ends its name (adjectives end in ة, not ت)
    cut = next((n for n, w in enumerate(words[1:], 1) if w.endswith("ت") and not w.startswith("ال")), None)
    if cut is not None:
        words = words[:cut]
    words = [head] + [w if w.startswith(("ال", "في", "من", "عيان")) else _nominative(w, number)
                      for w in words[1:]]
    return Speaker(" ".join(words), UNNAMED_ROLE, sp.entity)


PRONOUN_NAMES = {"باسمه": "باسم", "باسمها": "باسم", "باسمهم": "باسم"}
# how far back (characters) the organization a pronoun title refers to may stand: within the
# sentence or the one before it («وكان الجيش ... قد حمّل ...، وأعلن المتحدث باسمه ...»)
PRONOUN_REACH = 300


def spell_out_pronoun(doc: QuoteDoc, sp: Speaker, pos: int) -> Speaker:
    """«المتحدث باسمه» → «المتحدث باسم الجيش السهيلي»: the nearest organization named before."""
    if not sp.role:
        return sp
    words = sp.role.split()
    hit = [k for k, w in enumerate(words) if w in PRONOUN_NAMES]
    if not hit:
        return sp
    # (only what lies within PRONOUN_REACH before pos can be kept below: looked up by position)
    spans = [(m.start, m.end) for m in doc.mentions_over(pos - PRONOUN_REACH, pos)
             if (m.type or "").upper().startswith("ORG")]
    for t in range(bisect.bisect_left(doc.tokens, pos - PRONOUN_REACH, key=lambda x: x.start),
                   bisect.bisect_left(doc.tokens, pos, key=lambda x: x.start)):
        tok = doc.tokens[t]  # organizations the tagger may miss (الجيش السهيلي)
        if bare_form(tok.norm) in ORG_HEADS and t + 1 < len(doc.tokens):
            spans.append((tok.start, doc.tokens[org_end(doc, t, len(doc.tokens)) - 1].end))
    spans = [(a, b) for a, b in spans
             if pos - PRONOUN_REACH <= a and b <= pos and "\n" not in doc.text[b:pos]]
    if not spans:
        return sp
    t = min(bisect.bisect_right(doc.tokens, pos, key=lambda x: x.end), len(doc.tokens) - 1)
    sent_start = doc.tokens[doc.sent_bounds[doc.sent_of[t]][0]].start
    same = [x for x in spans if x[0] >= sent_start]
    # the sentence's subject comes first (وكان الجيش قد حمّل قوات ... المسؤولية، وأعلن المتحدث
    # باسمه); from an earlier sentence, the nearest
    a, b = min(same) if same else max(spans, key=lambda x: (x[1], -x[0]))
    k = hit[0]
    words[k:k + 1] = [PRONOUN_NAMES[words[k]], doc.text[a:b]]
    return Speaker(sp.name, " ".join(words), sp.entity)


# head nouns of organizations a pronoun title may refer to
ORG_HEADS = {_n(w) for w in ("جيش", "قوات", "وزارة", "حكومة", "حركة", "منظمة", "هيئة", "رابطة",
                             "اتحاد", "حملة", "تحالف", "شرطة", "لجنة", "جبهة", "حزب", "مجلس")}


# ---------------------------------------------------------------------------------------------
# The fullest form the article gives of a body speaker («الوزارة» → «وزارة الداخلية الفرنسية»)


# How many words a body's name may run to from its head noun. 7 covers «مكتب الأمم المتحدة
# لتنسيق الشؤون الإنسانية» and «الدول الأربع الداعية لمكافحة الإرهاب» (the longest in the
# facts development gold, benchmarks/gold/FACTS_README.md).
MAX_BODY_WORDS = 7
# A generic body («الوزارة») takes the nearest fuller form named within this many characters
# before it (about two sentences); a form farther away is taken only when it is the only body
# with that head. 400 on the facts development gold: «الوزارة» a sentence or two after «وزارة
# الداخلية الفرنسية»; two police forces named far apart stay unresolved.
NEAR_BODY = 400
_STOP_PUNCT = "،,:.()«»\"“”;؛!؟#"

# the channel words a tagger or a parse may leave glued to a speaker's name (بوليانسكي لرويترز)
# adjectives that do not end like one: «المحكمة العليا»، «الدول الأربع»
_DEFINITE_ADJECTIVES = {bare_form(_n(w)) for w in ("العليا", "الكبرى", "الأعلى", "الأربع", "الثلاث", "الخمس",
                                                "الست", "السبع", "العشرين", "الثماني", "الكبير", "الأحمر",
                                                "الأخضر", "الأبيض", "الأسود", "الأزرق")}
_PRESS_WORDS = {_n(w) for w in ("صحفيين", "صحافيين", "الصحفيين", "الصحافيين", "صحافة", "الصحافة",
                                 "للصحفيين", "للصحافيين", "للصحافة")}


def _body_word_stop(doc: QuoteDoc, e: int) -> bool:
    t = doc.tokens[e]
    w = t.norm
    return (w in PREPOSITIONS or w in TIME_WORDS or w in INTRODUCERS or w in RELATIVES or t.is_number
            or _n(t.text) in THEN_WORDS
            or w == _n("باسم") or cue_kind(doc, e, "speech_verbs.txt") is not None
            or w.endswith(("ها", "هم", "هما")))


def _chain_ends_named(doc: QuoteDoc, e: int, hi: int) -> bool:
    """Do the indefinite words from token e run (without punctuation, within three words) into a
    word with the article or an adjective: a construct chain («خارجية مجموعة السبع»), not an
    object («مقتل 18 شخصا»)?"""
    for k in range(e, min(hi, e + 2)):
        if k > e and gap_has(doc.gaps[k], _STOP_PUNCT):
            return False
        if _body_word_stop(doc, k) or doc.tokens[k].norm[:1] in "وف" \
                or doc.tokens[k].text.startswith(("لإ", "لأ", "لـ", "لت")):
            return False  # a second party (و) or a purpose (لإتمام، لتنفيذ), not a name
        nisba = _nisba(doc, k)
        if is_definite(doc, k) or nisba:
            return k > e or nisba
    return False


def _nisba(doc: QuoteDoc, k: int) -> bool:
    w = doc.tokens[k].text.replace("\u0640", "")
    return len(w) > 3 and w.endswith(NISBA_ENDINGS)


UNNAMED_PREPS = {_n(w) for w in ("على", "من", "في", "ب", "لدى")}


def body_extent(doc: QuoteDoc, k: int, hi: int) -> int:
    """One past the last word of the body's name whose head is token k: adjectives and
    genitives with the article, «لـ» genitives before a word with the article (المرصد السوري
    لحقوق الإنسان) and, while no word with the article has come, a construct chain or proper
    name (قوات سوريا الديموقراطية، وسائل إعلام ألمانية)."""
    e = k + 1
    definite = after_definite = is_definite(doc, k)
    while e < hi and e - k < MAX_BODY_WORDS:
        if gap_has(doc.gaps[e], _STOP_PUNCT) or _body_word_stop(doc, e):
            break
        w = doc.tokens[e].norm
        if w[:1] in "وف" and len(w) > 3 and (w[1:3] == "ال" or not is_definite(doc, e)):
            break  # «فرنسا وغينيا الاستوائية»: a second party, not the first one's name
        if w.startswith("لل"):  # «للأنباء»
            e += 1
            definite = True
            continue
        if w.startswith("ل") and len(w) > 3 and e > k + 1 and e + 1 < hi and is_definite(doc, e + 1) \
                and not gap_has(doc.gaps[e + 1], _STOP_PUNCT) and not _body_word_stop(doc, e + 1):
            # «المرصد السوري لحقوق الإنسان»; straight after the head it is a purpose
            # («الحكومة لحماية المدارس»), not a name
            e += 1
            after_definite = False
            continue
        if is_definite(doc, e):
            # after a word with the article only adjectives follow (الجيش اليمني، not «الجيش
            # اليمني السكان» where the verb's object comes next); after a construct noun or a
            # «لـ» genitive, its genitive does (مكتب الأمم، لحقوق الإنسان)
            if after_definite and not w.endswith(ORG_ADJ_ENDINGS) and bare_form(w) not in _DEFINITE_ADJECTIVES:
                break
            e += 1
            definite = after_definite = True
            continue
        if w == _n("بقيادة") and e + 1 < hi and not gap_has(doc.gaps[e + 1], _STOP_PUNCT):
            e += 2  # «التحالف العربي بقيادة السعودية»
            break
        if e == k + 1 and bare_form(doc.tokens[k].norm) in UNNAMED and not is_definite(doc, e):
            e += 1  # «مصدر مطلع»، «مسؤول كبير»: an unnamed source's adjective
            continue
        if definite or not _chain_ends_named(doc, e, hi):
            break
        after_definite = False
        e += 1
    # «مصدر مطلع على الخطة»، «مسؤول في الخارجية الأمريكية»: an unnamed source's complement
    if e + 1 < hi and bare_form(doc.tokens[k].norm) in UNNAMED and doc.tokens[e].norm in UNNAMED_PREPS \
            and not gap_has(doc.gaps[e], _STOP_PUNCT) and is_definite(doc, e + 1) \
            and not gap_has(doc.gaps[e + 1], _STOP_PUNCT):
        e += 2
        while e < hi and e - k < MAX_BODY_WORDS and is_definite(doc, e) and not gap_has(doc.gaps[e], _STOP_PUNCT) \
                and doc.tokens[e].norm.endswith(ORG_ADJ_ENDINGS):
            e += 1
        return e
    # «المحكمة العليا في السعودية»، «الحكومة في أبوجا مطلع الشهر»: a country or city closing
    # the name; «إدارة النقل في ولاية فلوريدا الأميركية»: a state, province or city by its name
    if e + 2 < hi and doc.tokens[e].norm == _n("في") and bare_form(doc.tokens[e + 1].norm) in PLACE_KINDS \
            and not gap_has(doc.gaps[e + 1], _STOP_PUNCT) and not gap_has(doc.gaps[e + 2], _STOP_PUNCT) \
            and not is_definite(doc, e + 2) and not _body_word_stop(doc, e + 2):
        e += 3
        while e < hi and e - k < MAX_BODY_WORDS + 3 and is_definite(doc, e) and _nisba(doc, e) \
                and not gap_has(doc.gaps[e], _STOP_PUNCT):
            e += 1
        return e
    if e + 1 < hi and doc.tokens[e].norm == _n("في") and not gap_has(doc.gaps[e], _STOP_PUNCT) \
            and (e + 2 >= hi or gap_has(doc.gaps[e + 2], _STOP_PUNCT) or _body_word_stop(doc, e + 2)
                 or doc.tokens[e + 2].norm in PLACE_TIME_AFTER) \
            and _is_place(doc, e + 1):
        e += 2
    return e


# how far (characters) after its verb a speaker's own name may stand, counted as named before
# its words («وأعلن التحالف العربي بقيادة السعودية عن ...»: the phrase itself gives the name)
SUBJECT_REACH = 60
PLACE_KINDS = {_n(w) for w in ("ولاية", "مدينة", "محافظة", "إقليم", "مقاطعة", "جزيرة")}
PLACE_TIME_AFTER = {_n(w) for w in ("مطلع", "أواخر", "منتصف", "أوائل", "بداية", "نهاية")}


def _is_place(doc: QuoteDoc, k: int) -> bool:
    t = doc.tokens[k]
    if any((m.type or "").upper() in ("PLACE", "LOC") for m in doc.mentions_over(t.start, t.end)):
        return True
    return bare_form(t.norm) in lexicon("gazetteer_countries.txt") or t.norm in lexicon("gazetteer_cities.txt")


def _head_at(doc: QuoteDoc, k: int, head: str) -> int | None:
    """Character where the head noun ``head`` (bare form) starts in token k, after a proclitic
    و/ف/ب/ل; None when token k is not that noun (a «لل» form is skipped: its article is hidden)."""
    t = doc.tokens[k]
    if bare_form(t.norm) == head:
        return t.start + (1 if t.norm[:1] in "وف" and t.norm[1:3] == "ال" else 0)
    if len(t.norm) > 3 and t.norm[0] in "وفبل" and not t.norm.startswith("لل") and bare_form(t.norm[1:]) == head:
        return t.start + 1
    return None


def _fuzzy_in(word: str, words: list[str]) -> bool:
    for v in words:
        short, long_ = (word, v) if len(word) <= len(v) else (v, word)
        if short == long_ or (len(short) >= 3 and len(long_) - len(short) <= 2
                              and (long_.startswith(short) or long_.endswith(short))):
            return True  # a case ending or a proclitic more (الأممي ~ الأمم، لمكتب ~ مكتب)
    return False


def _head_candidates(doc: QuoteDoc, head: str) -> list[int]:
    """The tokens k, in order, where ``_head_at(doc, k, head)`` may hold or token k+1 is that
    noun (an index of the article's bare forms, built once: looking at every token for each
    body speaker made long articles quadratic)."""
    if doc.memo_heads is None:
        index: dict[str, set[int]] = {}
        for k, t in enumerate(doc.tokens):
            keys = {bare_form(t.norm)}
            if len(t.norm) > 3 and t.norm[0] in "وفبل" and not t.norm.startswith("لل"):
                keys.add(bare_form(t.norm[1:]))
            for key in keys:
                got = index.setdefault(key, set())
                got.add(k)
                if k:
                    got.add(k - 1)
        doc.memo_heads = {key: sorted(ks) for key, ks in index.items()}
    return doc.memo_heads.get(head, [])


def _fullest_body(doc: QuoteDoc, name: str, pos: int) -> str | None:
    """The fullest mention in the article of the body ``name`` (a short or generic form:
    «الوزارة»، «المرصد السوري»، «المصادر»): the phrases with the same head noun that hold all its
    other words; of those, the one nearest before ``pos`` (else the first), then the longest
    phrase that holds that one (the same body named in full elsewhere)."""
    # The phrases are found once per name and article (_body_phrases); for each speaker only
    # binary searches remain, so an article's speakers cost in proportion to its length.
    got = _body_phrases(doc, name)
    if got is None:
        return None
    cands, seen, fallback, longest, rest = got
    i = bisect.bisect_left(cands, pos, key=lambda c: c[0])  # the phrases before pos: cands[:i]
    last = cands[i - 1] if i else None
    if last is not None and last[0] >= pos - NEAR_BODY:
        pick = last  # «الوزارة»: the ministry named just before
    elif last is not None and (rest or _distinct_before(seen, pos) == 1):
        pick = last  # named in full earlier in the article, the only body with that head
    elif fallback is not None:
        # named farther away or after: only when one body has that head in the whole article
        # («شرطة العاصمة» and «شرطة ولتشير» leave «الشرطة» as it is)
        pick = fallback
    else:
        return None
    return longest(pick)[1]


def _distinct_before(seen: list[tuple[int, int]], pos: int) -> int:
    """How many different bodies were named before ``pos`` (``seen``: (position, count so far))."""
    j = bisect.bisect_left(seen, pos, key=lambda x: x[0])
    return seen[j - 1][1] if j else 0


def _body_phrases(doc: QuoteDoc, name: str):
    """For ``_fullest_body``: the phrases naming the body ``name`` in the article (in text
    order), the distinct bodies with its head seen so far at each mention, the phrase to use
    when none stands before the speaker (None: not one body), a function giving the longest
    phrase that holds a given one, and whether ``name`` has more words than its head. Cached
    per article and name; None when the name has no words."""
    if doc.memo_bodies is None:
        doc.memo_bodies = {}
    if name not in doc.memo_bodies:
        doc.memo_bodies[name] = _find_body_phrases(doc, name)
    return doc.memo_bodies[name]


def _find_body_phrases(doc: QuoteDoc, name: str):
    words = [bare_form(_n(w)) for w in name.split()]
    if not words or not words[0]:
        return None
    head, rest = words[0], words[1:]
    cands: list[tuple[int, str, list[str]]] = []
    n = len(doc.tokens)
    bodies: list[tuple[int, str]] = []  # the word after each mention of the head: one per body
    for k in _head_candidates(doc, head):
        if doc.quote_at(doc.tokens[k].start) is not None:
            continue  # a body named inside someone's words
        start = _head_at(doc, k, head)
        if start is not None and k + 1 < n and not gap_has(doc.gaps[k + 1], _STOP_PUNCT) \
                and not _body_word_stop(doc, k + 1):
            bodies.append((start, bare_form(doc.tokens[k + 1].norm)))
        via_ministry = False
        if start is None:
            # «الخارجية الروسية» for «وزارة الخارجية الروسية»
            if not (k + 1 < n and bare_form(doc.tokens[k].norm) == _n("وزاره")
                    and bare_form(doc.tokens[k + 1].norm) == head):
                continue
            start, via_ministry = doc.tokens[k].start, True
        hi = doc.sent_bounds[doc.sent_of[k]][1]
        e = body_extent(doc, k + 1 if via_ministry else k, hi)
        cw = [bare_form(t.norm) for t in doc.tokens[k:e]]
        if e - k <= len(words) or not all(_fuzzy_in(w, cw) for w in rest):
            continue
        cands.append((start, doc.text[start:doc.tokens[e - 1].end], cw))
    if not cands:
        return None

    def holds(c, d) -> bool:  # c names d in full (d's words are all in c)
        return len(c[2]) >= len(d[2]) and all(_fuzzy_in(w, c[2]) for w in d[2])

    seen: list[tuple[int, int]] = []
    distinct: set[str] = set()
    for s, w in bodies:
        distinct.add(w)
        seen.append((s, len(distinct)))
    fallback = max(cands, key=lambda c: len(c[2]))
    if not all(holds(fallback, c) for c in cands) or len({w for _, w in bodies} - set(words[1:2])) > 1:
        fallback = None
    widest: dict[int, tuple[int, str, list[str]]] = {}

    def longest(pick):
        if pick[0] not in widest:
            longer = [c for c in cands if len(c[2]) > len(pick[2]) and holds(c, pick)]
            widest[pick[0]] = max(longer, key=lambda c: len(c[2])) if longer else pick
        return widest[pick[0]]

    return cands, seen, fallback, longest, bool(rest)


def _person_names(doc: QuoteDoc) -> set[str]:
    """The names of the article's PERSON mentions (as canonical, else as written); built once."""
    if doc.memo_persons is None:
        doc.memo_persons = {m.canonical or m.text for m in doc.mentions
                        if (m.type or "").upper() in ("PERSON", "PERS")}
    return doc.memo_persons


def _appositive_person(doc: QuoteDoc, name: str, role: str | None = None) -> tuple[str, int] | None:
    """«مدير مطار تشوك، جيمي إميليو»: the person named after a comma right after ``name`` (the
    tail of a title read as a name; after the title and that tail when ``role`` is given), as
    (name, character where it starts)."""
    if role:
        pos = doc.text.find(f"{role} {name}")
        if pos < 0:
            return None
        pos += len(role) + 1
    else:
        pos = doc.text.find(name)
    while pos >= 0:
        end = pos + len(name)
        rest = doc.text[end:end + 3]
        # «مدير مطار تشوك، جيمي إميليو»; «مصمم الأزياء فيليب فينيه» (no comma)
        if (rest[:1] in "،," and rest[1:2] == " ") or rest[:1] == " ":
            lo = bisect.bisect_right(doc.mentions, end, key=lambda m: m.start)  # in text order
            for m in doc.mentions[lo:bisect.bisect_right(doc.mentions, end + 3, key=lambda m: m.start)]:
                if (m.type or "").upper() in ("PERSON", "PERS"):
                    return m.canonical or m.text, m.start
        if rest[:1] in "،," and role:
            # the tagger missed the person: a name of two or three words standing alone between
            # commas (a rank before it is left out): «المفوض السامي لحقوق الإنسان، الأمير زيد بن
            # رعد الحسين،»
            k = bisect.bisect_left(doc.tokens, end + 1, key=lambda t: t.start)
            rank = ""
            if k < len(doc.tokens) and bare_form(doc.tokens[k].norm) in HONORIFICS | {_n("امير"), _n("شيخ")}:
                rank = doc.tokens[k].text
                k += 1
            e = k + 1
            while e < len(doc.tokens) and e - k < 6 and not gap_has(doc.gaps[e], "،,.:()"):
                e += 1
            closed = e >= len(doc.tokens) or gap_has(doc.gaps[e], "،,.:")
            if k < len(doc.tokens) and closed and 2 <= e - k <= 5 and not is_definite(doc, k) \
                    and doc.tokens[k].norm[:1] not in "وف" and not any(
                    doc.tokens[j].norm in TIME_WORDS or doc.tokens[j].is_number or is_intro(doc, j)
                    or doc.tokens[j].norm in PREPOSITIONS or is_role(doc, j)
                    or cue_kind(doc, j, "speech_verbs.txt") for j in range(k, e)):
                return doc.surface(k, e) + (f"\t{rank}" if rank else ""), doc.tokens[k].start
        if role:
            break  # only where the title itself stands
        pos = doc.text.find(name, pos + 1)
    return None


def _name_before_title(doc: QuoteDoc, role: str, name: str) -> str | None:
    """«داياسيري جاياسيكارا، المتحدث باسم حكومة سريلانكا»: the person named just before the
    title (between a verb or the sentence start and a comma), when the words read as the name
    are the title's tail."""
    pos = doc.text.find(f"{role} {name}")
    if pos < 2 or doc.text[pos - 2:pos] not in ("، ", ", "):
        return None
    k = bisect.bisect_right(doc.tokens, pos - 2, key=lambda t: t.end) - 1  # the word before the comma
    if k < 0:
        return None
    a = k
    while a > 0 and k - a < 3 and not gap_has(doc.gaps[a], "،,.:") \
            and not cue_kind(doc, a - 1, "speech_verbs.txt") and doc.tokens[a - 1].norm not in PREPOSITIONS:
        a -= 1
    if not (a > 0 and cue_kind(doc, a - 1, "speech_verbs.txt")) or not 2 <= k + 1 - a <= 3:
        return None
    if any(is_definite(doc, j) or is_role(doc, j) or doc.tokens[j].norm in TIME_WORDS for j in range(a, k + 1)):
        return None
    return doc.surface(a, k + 1)


def _skeleton(word: str) -> str:
    """A name without its long vowels after the first letter (إيميليو and إميليو → امل)."""
    w = _n(word)
    return w[:1] + "".join(c for c in w[1:] if c not in "اويى") if len(w) > 3 else w


def _definite_title(name: str) -> bool:
    """A noun and its genitive with the article, as a person's title is («مصمم الأزياء»)."""
    ws = name.split()
    # a genitive noun, not an adjective («غينيا الاستوائية» is a place and its adjective)
    return len(ws) == 2 and not ws[0].startswith("ال") and ws[1].startswith("ال") \
        and not ws[1].replace("\u0640", "").endswith(NISBA_ENDINGS)


def _tokens_written(doc: QuoteDoc, text: str) -> list[int]:
    """The tokens written exactly ``text``, in order (an index of the article built once)."""
    index = doc.memo_found.get(("tokens",))
    if index is None:
        index = doc.memo_found[("tokens",)] = {}
        for k, t in enumerate(doc.tokens):
            index.setdefault(t.text, []).append(k)
    return index.get(text, [])


def _first_name_before(doc: QuoteDoc, name: str) -> str | None:
    """«أن ديني بيت ترك رسالة»: a one-word PERSON whose first name the tagger left out, when the
    word before it can be a first name and comes straight after «أن», a verb or a comma."""
    if name not in _person_names(doc):
        return None  # the tagger must know the word as a person somewhere
    key = ("first name before", name)
    if key not in doc.memo_found:
        doc.memo_found[key] = _find_first_name_before(doc, name)
    return doc.memo_found[key]


def _find_first_name_before(doc: QuoteDoc, name: str) -> str | None:
    for k in _tokens_written(doc, name):
        if k < 2:
            continue
        before = doc.tokens[k - 2]
        if bare_first_name(doc, k - 1) and (is_intro(doc, k - 2) or gap_has(doc.gaps[k - 1], "،,")
                                            or cue_kind(doc, k - 2, "speech_verbs.txt")) and before.norm != _n("عن"):
            return doc.surface(k - 1, k + 1)
    return None


# Ministries named by their domain alone («الخارجية الفلسطينية» for the foreign ministry): what
# «الوزارة» may refer back to. Written for marsad from general knowledge of Arabic news style.
MINISTRY_DOMAINS = {_n(w) for w in ("خارجية", "داخلية", "دفاع", "صحة", "عدل", "مالية", "تربية", "زراعة",
                                    "اقتصاد", "طاقة", "نقل", "إعلام", "ثقافة", "سياحة")}


def _ministry_before(doc: QuoteDoc, name: str, pos: int) -> str | None:
    """«الوزارة» after «قالت الخارجية الفلسطينية»: the ministry named by its domain just before."""
    if bare_form(_n(name)) != _n("وزاره"):
        return None
    for k in range(len(doc.tokens) - 1, -1, -1):
        t = doc.tokens[k]
        if t.start >= pos:
            continue
        if t.start < pos - 2 * NEAR_BODY:
            break
        if is_definite(doc, k) and bare_form(t.norm) in MINISTRY_DOMAINS and k > 0 \
                and bare_form(doc.tokens[k - 1].norm) not in (_n("وزير"), _n("وزيره"), _n("وزاره")):
            e = body_extent(doc, k, doc.sent_bounds[doc.sent_of[k]][1])
            start = t.start + (1 if t.norm[:1] in "وفبل" and t.norm[1:3] == "ال" else 0)
            return doc.text[start:doc.tokens[e - 1].end] if e - k >= 2 else None
    return None


def _channel_word(word: str) -> bool:
    """«لرويترز»، «للصحافيين»، «لـCNN»: the outlet or the people a statement was given to."""
    w = _n(word)
    rest = w[1:].lstrip("ـ")
    return w[:1] == "ل" and (w[1:] in org_names() or bare_form(w[1:]) in lexicon("speech_channels.txt")
                             or w[1:] in _PRESS_WORDS or w in _PRESS_WORDS
                             or (rest[:1].isascii() and rest[:1].isalpha()))


def fullest_speaker(doc: QuoteDoc, reg: Registry, sp: Speaker, pos: int, prev: Speaker | None) -> Speaker:
    """The speaker as the article gives it in full: a channel word glued to the name dropped
    («ديمتري بوليانسكي لرويترز»), «البيان» continuing the statement's author, a person named
    after the tail of a title («مدير» + «مطار تشوك»، X), a body by its fullest name."""
    if "#" in sp.name and sp.name.split("#")[0].strip():
        sp = Speaker(sp.name.split("#")[0].strip(), sp.role, sp.entity)  # «منظمة العفو الدولية #الجيش»
    words = sp.name.split()
    if sp.role and _n(sp.role) in REPORT_WORDS:
        # «تقارير» + «إعلامية»: the reports are the source; «بيان» + «صادر» (عن X): X is
        if _n(words[0]) in (_n("صادر"), _n("صادرة")):
            at = doc.text.find(f"{sp.role} {sp.name}")
            k = bisect.bisect_left(doc.tokens, at + len(sp.role) + len(sp.name) + 2, key=lambda t: t.start) if at >= 0 else -1
            if 0 <= k < len(doc.tokens) - 1 and doc.tokens[k].norm == _n("عن"):
                e = body_extent(doc, k + 1, doc.sent_bounds[doc.sent_of[k]][1])
                return Speaker(doc.surface(k + 1, e), None, sp.entity)
        elif all(w.replace("\u0640", "").endswith(NISBA_ENDINGS) for w in words):
            return Speaker(f"{sp.role} {sp.name}", None, sp.entity)
        elif words[0].startswith("ل") and len(words[0]) > 3:
            # «بيان للجنة الدولية»: the body the statement is of, named in full
            at = doc.text.find(f"{sp.role} {sp.name}")
            if at >= 0:
                k = bisect.bisect_left(doc.tokens, at + len(sp.role) + 1, key=lambda t: t.start)
                if k < len(doc.tokens):
                    e = body_extent(doc, k, doc.sent_bounds[doc.sent_of[k]][1])
                    body = doc.surface(k, e)
                    if body.startswith("لل"):
                        bare = "ال" + body[2:]
                        body = bare if f" {bare.split()[0]}" in doc.text else "ا" + body
                    else:
                        body = body[1:]
                    return Speaker(body, None, sp.entity)
    if len(words) >= 2:
        if _channel_word(words[-1]) or _n(words[-1]) in THEN_WORDS:  # «أردان فإن»
            words = words[:-1]
            sp = Speaker(" ".join(words), sp.role, sp.entity)
    if _n(sp.name) in REPORT_WORDS and sp.role is None and prev is not None:
        return prev  # «وأضاف البيان أن»: the author of the statement quoted before
    if sp.role and sp.role != UNNAMED_ROLE:
        # a title whose tail was read into the name too: «مديرة منظمة الرقابة» + «منظمة الرقابة
        # سلمى العبيدي» → «سلمى العبيدي»
        rw = sp.role.split()
        for k in range(min(len(rw), len(words) - 1), 0, -1):
            if [_n(w) for w in rw[-k:]] == [_n(w) for w in words[:k]]:
                words = words[k:]
                sp = Speaker(" ".join(words), sp.role, sp.entity)
                break
    if len(words) == 1:
        # «أردان» for «جلعاد أردان» named with his title before
        known = reg.by_name(sp.name)
        if known is not None and len(known.name.split()) >= 2 and sp.name in known.name.split() \
                and not any(_channel_word(w) for w in known.name.split()):
            return Speaker(known.name, known.role or sp.role, known.entity or sp.entity)
    if len(words) == 1 and not sp.role:
        # «إيميليو» for «جيمي إميليو»: a family name spelt with a long vowel more or less
        same = {k.name for k in reg.known if len(k.name.split()) >= 2 and _skeleton(k.name.split()[-1]) == _skeleton(words[0])}
        if len(same) == 1:
            known = next(k for k in reg.known if k.name in same)
            return Speaker(known.name, known.role, known.entity or sp.entity)
    if words and not sp.role:
        # «وقال ما تشاو شو»: a one-syllable family name read as the word «ما»
        if ("ما after a verb",) not in doc.memo_found:  # found once per article
            doc.memo_found[("ما after a verb",)] = [k for k in _tokens_written(doc, "ما") if 1 <= k < len(doc.tokens) - 1
                                                and cue_kind(doc, k - 1, "speech_verbs.txt")]
        for k in doc.memo_found[("ما after a verb",)]:
            if doc.text.startswith(sp.name, doc.tokens[k + 1].start):
                return Speaker(f"ما {sp.name}", None, sp.entity)
    if len(words) == 1 and not sp.role:
        first = _first_name_before(doc, sp.name)  # «بيت» for «ديني بيت»
        if first is not None:
            return Speaker(first, None, sp.entity)
    # a person: a first name the gazetteer knows opens it («العربي» alone is also a family name,
    # but «التحالف العربي» is a body), or the tagger read it as one
    person = bool(words) and ((_n(words[0]) in person_words() and not words[0].startswith("ال"))
                              or sp.name in _person_names(doc))
    if sp.role and sp.role != UNNAMED_ROLE and not person:
        app = _appositive_person(doc, sp.name, sp.role)
        if app is not None:
            # a rank before the name goes to the end of the title in brackets (``tidy_speaker``)
            person, _, rank = app[0].partition("\t")
            return Speaker(person, f"{sp.role} {sp.name}" + (f" ({rank})" if rank else ""), sp.entity)
        before = _name_before_title(doc, sp.role, sp.name)
        if before is not None:
            return Speaker(before, f"{sp.role} {sp.name}", sp.entity)
        return sp
    if person:
        return sp
    app = _appositive_person(doc, sp.name) if _definite_title(sp.name) else None
    if app is not None:
        return Speaker(app[0], sp.name, sp.entity)  # «مصمم الأزياء» named just after
    # the phrase that names the speaker right after its verb counts as named before the words
    full = _fullest_body(doc, sp.name, pos + SUBJECT_REACH)
    if full is None and len(words) == 1:
        full = _ministry_before(doc, sp.name, pos)
    if full is None:
        return sp
    return Speaker(full, sp.role, sp.entity)
