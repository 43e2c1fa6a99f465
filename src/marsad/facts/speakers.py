"""Speaker noun phrases and the article's registry of names and roles.

``parse_subject`` reads the subject after a speech verb (roles, names, the channel between
them); ``split_np`` and ``who_from_segments`` split it into a name and a role; ``prepass``
collects every «role، name» pair the article gives into a ``Registry``, and ``resolve`` maps a
short form («بيسكوف») or a bare role («المتحدث باسم الكرملين») to the full name and role met
anywhere in the article. ``tidy_speaker`` drops ranks and adjectives glued to a name.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from marsad.facts.channels import channel_ahead, channel_name, lead_mark
from marsad.facts.speech import (ADVERB_STARTS, CONNECTORS, HONORIFICS, INTRODUCERS, OBJECT_NOUNS,
                                 PREPOSITIONS, QuoteDoc, RANKS, RANK_ADJECTIVES, RELATIVES, REPORT_WORDS,
                                 SAYING_PARTICIPLES, TIME_WORDS, bare_form, cue_kind, gap_has, is_definite,
                                 is_intro, is_role, lexicon, norm_word as _n, org_end, org_names,
                                 person_words)
from marsad.model import Mention, Speaker
from marsad.text import tokenize


# The subject of a speech verb is looked for in at most this many tokens (role, name,
# appositive, time and channel phrases included). 30 covers «وأشار سامي الحلبي، الباحث في المركز
# العربي للدراسات السياسية، الخميس، خلال حديث لـ"الشروق"، إلى أنه» (19 tokens).
MAX_SUBJECT_TOKENS = 30
# A person's name after a title is at most this many words (plus connectors عبد/بن/أبو/آل),
# unless the person gazetteer knows the next word: «الرئيس فلاديمير بوتين محادثات» -> 2 words.
MAX_NAME_WORDS = 2


# ---------------------------------------------------------------------------------------------
# Speakers: the noun phrases after a speech verb


@dataclass
class Subject:
    segments: list[tuple[int, int]]  # token ranges of noun-phrase pieces, split at commas
    content: int | None  # character offset where the content starts (None: no content)
    stop: int  # token index where parsing stopped
    skipped: list[tuple[int, int]]  # token ranges of adverbial phrases (channel, place, time)
    colon: bool = False  # the content was opened by «:» or a quotation mark


def parse_subject(doc: QuoteDoc, i: int, hi: int) -> Subject:
    """Read what follows a speech verb at token i-1, up to token hi (end of sentence)."""
    segs: list[tuple[int, int]] = []
    skipped: list[tuple[int, int]] = []
    seg_start: int | None = None
    seg_role = False
    skip_start: int | None = None
    j = i
    limit = min(hi, i + MAX_SUBJECT_TOKENS)

    def close_seg(end: int) -> None:
        nonlocal seg_start
        if seg_start is not None and end > seg_start:
            segs.append((seg_start, end))
        seg_start = None

    def close_skip(end: int) -> None:
        nonlocal skip_start
        if skip_start is not None and end > skip_start:
            skipped.append((skip_start, end))
        skip_start = None

    while j < limit:
        tok = doc.tokens[j]
        gap = doc.gaps[j] if j > i else ""
        w = tok.norm
        # a colon always opens the content; a quotation mark does unless it is a short name
        # inside an adverbial phrase (أوردتها وكالة أنباء "تاس")
        if j > i and ":" in gap:
            close_seg(j)
            close_skip(j)
            return Subject(segs, tok.start - lead_mark(gap), j, skipped, True)
        q = doc.opens(j)
        if q is not None:
            short = len(doc.text[q[0]:q[1]].split()) <= 3
            if not (short and (skip_start is not None or seg_start is not None)):
                if seg_start == j - 1 and j - 1 > i - 1 and bare_form(doc.tokens[j - 1].norm) in OBJECT_NOUNS:
                    seg_start = None  # «وأكد رفض "..."»: the verb's object, not its subject
                close_seg(j)
                close_skip(j)
                return Subject(segs, q[0], j, skipped, True)
        if j > i and gap_has(gap, "،,;؛"):
            close_seg(j)
            close_skip(j)
        if is_intro(doc, j):
            close_seg(j)
            close_skip(j)
            return Subject(segs, tok.end, j, skipped)
        if w in (_n("قوله"), _n("قولها"), _n("قولهم"), _n("بالقول")):
            close_seg(j)
            close_skip(j)
            # «عن X قوله اليوم، إن ...»: the content starts at the next introducer if near
            for k in range(j + 1, min(hi, j + 5)):
                if is_intro(doc, k):
                    return Subject(segs, doc.tokens[k].end, k, skipped)
            return Subject(segs, tok.end, j, skipped)
        if w in (_n("إلى"), _n("على")) and j + 1 < hi and is_intro(doc, j + 1):
            close_seg(j)
            close_skip(j)
            return Subject(segs, doc.tokens[j + 1].end, j + 1, skipped)
        if j == i and w in SAYING_PARTICIPLES:
            j += 1  # «وأضاف قائلا: ...»: the participle repeats the verb, it is not its subject
            continue
        if seg_start is not None and w in RELATIVES:
            close_seg(j)  # «المصدر الذي أطلع CNN على ...»: the relative clause is not the name
            skip_start = j
            j += 1
            continue
        if seg_start is None and skip_start is None and (
                w in ADVERB_STARTS or doc.tokens[j].text.startswith(("لإ", "لأ"))):
            skip_start = j  # «ذكرت، نقلا عن ...»، «أشاروا خلاله»، «ودعت لإجراء تحقيق»
            j += 1
            continue
        if skip_start is None and len(w) > 3 and w[0] == "ل" and not w.startswith("لل") \
                and (lexicon("speech_channels.txt").get(bare_form(w[1:])) in ("medium", "talk", "site")
                     or w[1:] in org_names() or any(c.isdigit() or c.isascii() and c.isalpha() for c in w)):
            # «وقال لوكالة فرانس برس»، «المسؤول الأمني لشبكة CNN»: the outlet spoken to; before
            # the subject («وقالت لفرانس24 المخرجة ...») the subject follows the outlet's name
            if seg_start is None:
                _, nxt = channel_name(doc, j, limit)
                nxt = max(nxt, j + 1)
                skipped.append((j, nxt))
                j = nxt
                continue
            close_seg(j)
            skip_start = j
            j += 1
            continue
        if skip_start is not None:
            j += 1
            continue
        if j > i and cue_kind(doc, j, "speech_verbs.txt") in ("verb", "part") and not is_definite(doc, j):
            break
        if w in TIME_WORDS or tok.is_number:
            close_seg(j)
            j += 1
            continue
        if w in PREPOSITIONS or (w[:1] == "ل" and w[:3] != "لل" and len(w) <= 2) \
                or (w.startswith("لل") and seg_start is None):  # «للصحفيين»، «للشرق»
            # a preposition ends a name; inside a title it may belong to it (خبير في المعهد)
            if seg_start is not None and seg_role and not channel_ahead(doc, j + 1, hi):
                j += 1
                continue
            close_seg(j)
            skip_start = j
            j += 1
            continue
        if seg_start is None:
            seg_start = j
            seg_role = is_role(doc, j)
        j += 1
    close_seg(j)
    close_skip(j)
    return Subject(segs, None, j, skipped)


@dataclass
class Who:
    name: str | None
    role: str | None
    name_tokens: tuple[int, int] | None = None
    is_person: bool = False


def split_np(doc: QuoteDoc, a: int, b: int) -> Who:
    """A noun phrase → (name, role): «المتحدث باسم الكرملين دميتري بيسكوف» → both."""
    pm = person_tokens(doc, a, b)
    if pm is not None:
        # the entity tagger found the person: the words before it are the title
        p, n_end = pm
        if n_end - p == 1 and p - 1 > a and bare_first_name(doc, p - 1):
            p -= 1  # the tagger took only the family name: «... هالة منصور» → «هالة منصور»
        if p == a:
            return Who(doc.surface(p, n_end), None, (p, n_end), True)
        if is_role(doc, a):
            # «مبعوث الرئيس الأمريكي دونالد ترامب ستيف ويتكوف»: a second name straight after
            # the first is the speaker; the first belongs to the title inside the head title
            nxt = person_tokens(doc, n_end, b) if n_end < b else None
            if nxt is not None and nxt[0] == n_end and not gap_has(doc.gaps[n_end], "،,:(") \
                    and not is_definite(doc, n_end):
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[n_end - 1].end)
                return Who(doc.surface(nxt[0], nxt[1]), role, nxt, True)
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[p - 1].end).rstrip(" ،,")
            return Who(doc.surface(p, n_end), role, (p, n_end), True)
    if is_role(doc, a):
        # a known first name inside the phrase starts the name: «مدير صحة محافظة عين الصفا
        # وائل الكبيسي» (the title's own construct nouns are indefinite like a name)
        for p in range(a + 1, min(b, a + 12)):
            if doc.tokens[p].norm == _n("مع") or (is_role(doc, p) and is_definite(doc, p)
                                                  and bare_form(doc.tokens[p].norm) not in RANKS):
                break  # another person's title: «المبعوث ... مع الرئيس الروسي فلاديمير بوتين»
            if _first_name(doc, p) and doc.tokens[p - 1].norm not in CONNECTORS \
                    and doc.tokens[p - 1].norm != _n("باسم") and not is_role(doc, p):
                n_end = name_end(doc, p, b)
                if n_end - p == 1 and p - 1 > a and bare_first_name(doc, p - 1):
                    p -= 1  # «... هالة منصور»: the known name is the family name
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[p - 1].end)
                return Who(doc.surface(p, n_end), role, (p, n_end), True)
        k = a + 1
        while k < b:
            w = doc.tokens[k].norm
            prev = doc.tokens[k - 1].norm
            in_paren = "(" in doc.gaps[k] or (doc.text.rfind("(", doc.tokens[a].start, doc.tokens[k].start)
                                              > doc.text.rfind(")", doc.tokens[a].start, doc.tokens[k].start))
            if (is_definite(doc, k) or is_role(doc, k) or prev == _n("باسم") or prev in PREPOSITIONS
                    or in_paren or w in (_n("باسم"),) or w in PREPOSITIONS):
                k += 1
                continue
            break
        role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[k - 1].end)
        if k < b:
            n_end = name_end(doc, k, b)
            # «مبعوث الرئيس الأمريكي دونالد ترامب ستيف ويتكوف»: a second name straight after
            # the first belongs to the head title; the first to the title inside it
            if (n_end < b and not gap_has(doc.gaps[n_end], "،,:(")
                    and doc.tokens[n_end].norm in person_words() and not is_definite(doc, n_end)):
                n2 = name_end(doc, n_end, b)
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[n_end - 1].end)
                return Who(doc.surface(n_end, n2), role, (n_end, n2), True)
            return Who(doc.surface(k, n_end), role.strip(), (k, n_end), True)
        return Who(None, role.strip())
    if doc.tokens[a].norm in REPORT_WORDS and b > a + 1:
        return Who(doc.surface(a + 1, org_end(doc, a + 1, b)), doc.surface(a, a + 1))
    if lexicon("speech_channels.txt").get(bare_form(doc.tokens[a].norm)) == "medium" and b > a + 1:
        # an outlet: «صحيفة نيويورك تايمز»، «وكالة الأنباء الروسية» (kind word kept)
        return Who(doc.surface(a, min(b, a + 4)), None)
    if is_definite(doc, a) or (a + 1 < b and is_definite(doc, a + 1) and not _first_name(doc, a)):
        return Who(doc.surface(a, org_end(doc, a, b)), None)
    n_end = name_end(doc, a, b)
    return Who(doc.surface(a, n_end), None, (a, n_end), True)


def person_tokens(doc: QuoteDoc, a: int, b: int) -> tuple[int, int] | None:
    """Token range of the first PERSON mention inside tokens a..b-1 (entity tagger output)."""
    if not doc.mentions or b <= a:
        return None
    lo, hi = doc.tokens[a].start, doc.tokens[b - 1].end
    # mentions are in text order (``build_doc``): only those starting inside lo..hi are looked at
    for n in range(bisect.bisect_left(doc.mentions, lo, key=lambda m: m.start), len(doc.mentions)):
        m = doc.mentions[n]
        if m.start >= hi:
            break
        if (m.type or "").upper() not in ("PERSON", "PERS"):
            continue
        p = bisect.bisect_right(doc.tokens, m.start, a, b, key=lambda t: t.end)
        if p == b:
            return None
        e = p
        while e < b and doc.tokens[e].start < m.end:
            e += 1
        return p, max(e, p + 1)
    return None


def bare_first_name(doc: QuoteDoc, k: int) -> bool:
    """Can token k be the first name before a one-word PERSON mention: a plain word (no
    article, not a title, preposition, time word or number), joined to the mention with no
    punctuation, after a word that ends the title, and inside no other entity mention?"""
    t = doc.tokens[k]
    w = t.norm
    if (is_definite(doc, k) or is_role(doc, k) or t.is_number or w in PREPOSITIONS or w in TIME_WORDS
            or w in CONNECTORS or w in INTRODUCERS or bare_form(w) in HONORIFICS
            or cue_kind(doc, k, "speech_verbs.txt") or gap_has(doc.gaps[k + 1], "،,:.()«»\"")):
        return False
    if doc.tokens[k - 1].norm in PREPOSITIONS or doc.tokens[k - 1].norm == _n("باسم"):
        return False  # «في سهيل»، «باسم موسكو»
    return not doc.mentions_over(t.start, t.end)


def _first_name(doc: QuoteDoc, k: int) -> bool:
    """Is token k a person's first name the gazetteer knows (not a word with the article)?"""
    return not is_definite(doc, k) and doc.tokens[k].norm in person_words() and len(doc.tokens[k].norm) > 2


def _balanced(text: str, s: int, e: int) -> str:
    """text[s:e], extended over a closing bracket left open: «... (الكرملين» -> «... (الكرملين)»."""
    out = text[s:e]
    if out.count("(") > out.count(")"):
        close = text.find(")", e)
        if close != -1 and close - e < 40:
            out = text[s:close + 1]
    return out.strip()


def name_end(doc: QuoteDoc, a: int, b: int) -> int:
    """End of a person's name starting at token a (see MAX_NAME_WORDS)."""
    persons = person_words()
    k = a
    words = 0
    while k < b:
        w = doc.tokens[k].norm
        if k > a and ("(" in doc.gaps[k] or gap_has(doc.gaps[k], "،,.:")):
            break
        if w in CONNECTORS:
            k += 1
            continue
        if words >= MAX_NAME_WORDS and w not in persons:
            break
        family = words == 1 and (k + 1 >= b or gap_has(doc.gaps[k + 1], "،,:.(")
                                 or doc.tokens[k + 1].norm in TIME_WORDS or is_intro(doc, k + 1)
                                 or doc.tokens[k + 1].norm in PREPOSITIONS)
        if k > a and is_definite(doc, k) and doc.tokens[k - 1].norm not in CONNECTORS \
                and not (_first_name(doc, k - 1) and words < MAX_NAME_WORDS) and not family:
            break  # «وائل الكبيسي»: a family name with the article after a first name is kept
        words += 1
        k += 1
    return max(k, a + 1)


def who_from_segments(doc: QuoteDoc, segs: list[tuple[int, int]]) -> Who | None:
    """Name and role from the comma-separated pieces after a verb (role, name, appositive)."""
    name: Who | None = None
    role: str | None = None
    for a, b in segs[:3]:
        if name is not None and role is None and is_role(doc, a):
            # an appositive title after the name: «إيفان أوس، خبير في المعهد ...»
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
            break
        who = split_np(doc, a, b)
        if who.name is None and who.role is not None:
            who.role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
        if who.name and name is None:
            name = who
            if who.role and role is None:
                role = who.role
        elif who.role and role is None:
            role = who.role if who.name is None else who.role
        elif name is not None and is_role(doc, a) and role is None:
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
        if name is not None and role is not None:
            break
    if name is None and role is None:
        return None
    if name is None:
        return Who(None, role)
    return Who(name.name, role, name.name_tokens, name.is_person)


# ---------------------------------------------------------------------------------------------
# Names met in the article: short forms and bare titles resolve to them


@dataclass
class Known:
    name: str
    role: str | None
    pos: int
    entity: str | None = None


def _norm_words(s: str) -> list[str]:
    return [t.norm for t in tokenize(s)]


# Titles that name the same office: «وتابع الناطق» is «المتحدث باسم الوزارة» named before
ROLE_SYNONYMS = {_n("ناطق"): _n("متحدث"), _n("ناطقة"): _n("متحدثة")}


def _role_key(role: str) -> frozenset[str]:
    return frozenset(ROLE_SYNONYMS.get(bare_form(w), bare_form(w)) for w in _norm_words(role) if w not in (_n("باسم"),))


class Registry:
    """Full names (with their roles) met in one article, for resolving later mentions."""

    def __init__(self) -> None:
        self.known: list[Known] = []

    def add(self, name: str, role: str | None, pos: int, entity: str | None = None) -> None:
        if len(_norm_words(name)) < 2 or _norm_words(name)[0] in PREPOSITIONS:
            return  # «مصدر مطلع» + «على المفاوضات»: a prepositional phrase is no name
        for k in self.known:
            if k.name == name:
                if role and not k.role:
                    k.role = role
                if entity and not k.entity:
                    k.entity = entity
                return
        self.known.append(Known(name, role, pos, entity))

    def unclip(self, name: str) -> str:
        """A known name that is ``name`` with letters before its first word («فراس النوري» for
        «راس النوري»): the entity tagger may read a name's first letter as a clitic."""
        for k in self.known:
            head = k.name[:len(k.name) - len(name)]
            if k.name.endswith(name) and head and " " not in head and len(head) <= 2:
                return k.name
        return name

    def by_name(self, name: str) -> Known | None:
        ws = _norm_words(name)
        if not ws:
            return None
        for k in self.known:
            kw = _norm_words(k.name)
            if kw == ws:
                return k
        cands = [k for k in self.known if len(ws) < len(_norm_words(k.name))
                 and _norm_words(k.name)[-len(ws):] == ws]
        if not cands:
            cands = [k for k in self.known if len(ws) == 1 and ws[0] in _norm_words(k.name)]
        return cands[0] if len(cands) == 1 else (cands[-1] if cands else None)

    def by_role(self, role: str, pos: int) -> Known | None:
        key = _role_key(role)
        if not key:
            return None
        cands = [k for k in self.known if k.role and key <= _role_key(k.role)]
        if not cands:
            return None
        before = [k for k in cands if k.pos <= pos]
        return (before or cands)[-1]


def prepass(doc: QuoteDoc) -> Registry:
    """Collect «title + full name» and «full name، title» pairs, and entity mentions."""
    reg = Registry()
    n = len(doc.tokens)
    for i in range(n):
        if not is_role(doc, i):
            continue
        if i > 0 and doc.tokens[i - 1].norm == _n("باسم"):
            continue
        # the title phrase: up to a comma or the end of the sentence
        lo, hi = doc.sent_bounds[doc.sent_of[i]]
        j = i + 1
        while j < hi and not gap_has(doc.gaps[j], "،,:.«“\"") and j - i < 10:
            if is_intro(doc, j) or doc.tokens[j].norm in TIME_WORDS or doc.tokens[j].norm in RELATIVES:
                break  # «المصدر الذي تحدث ...»: a relative clause is not the title's name
            j += 1
        who = split_np(doc, i, j)
        if who.name and who.is_person:
            reg.add(who.name, who.role, doc.tokens[i].start)
        elif who.role and j < hi and gap_has(doc.gaps[j], "،,") and j + 1 <= hi:
            # «المتحدث باسم الكرملين، دميتري بيسكوف،»
            if not is_definite(doc, j) and not is_role(doc, j) \
                    and doc.tokens[j].norm not in TIME_WORDS and not is_intro(doc, j):
                e = name_end(doc, j, hi)
                if e - j >= 2:
                    reg.add(doc.surface(j, e), who.role, doc.tokens[i].start)
    # «إيفان أوس، خبير في ...»: a two-word name followed by a title after a comma
    for i in range(1, n):
        if is_role(doc, i) and gap_has(doc.gaps[i], "،,") and i >= 2:
            a = i - 2
            if all(not is_definite(doc, k) and doc.tokens[k].norm not in TIME_WORDS
                   and not cue_kind(doc, k, "speech_verbs.txt") for k in (a, a + 1)) \
                    and not gap_has(doc.gaps[a + 1], "،,.:") and cue_kind(doc, a - 1, "speech_verbs.txt"):
                lo, hi = doc.sent_bounds[doc.sent_of[i]]
                j = i + 1
                while j < hi and not gap_has(doc.gaps[j], "،,:."):
                    j += 1
                reg.add(doc.surface(a, a + 2), doc.surface(i, j), doc.tokens[a].start)
    # the entity tagger's persons, after the titles read above (which are kept when both
    # name the same person)
    for m in doc.mentions:
        if (m.type or "").upper().startswith("PER"):
            name = m.canonical or m.text
            whole = _whole_word_name(doc, m)
            if whole is not None and any(k.name == whole for k in reg.known):
                name = whole  # the title reading kept the letter the tagger took for a clitic
            name = reg.unclip(name)  # a short form («النوري») whose canonical lost that letter
            reg.add(name, m.role, m.start, m.entity)
    return reg


def _whole_word_name(doc: QuoteDoc, m: Mention) -> str | None:
    """The mention from the start of the word it begins inside («راس النوري» inside «فراس
    النوري» → «فراس النوري»), or None when it starts on a word boundary."""
    i = bisect.bisect_right(doc.tokens, m.start, key=lambda t: t.end)  # first token ending after it
    if i < len(doc.tokens) and doc.tokens[i].start < m.start:
        return doc.text[doc.tokens[i].start:m.end]
    return None


def resolve(doc: QuoteDoc, reg: Registry, who: Who, pos: int) -> Speaker | None:
    """A speaker with the fullest name and role the article gives."""
    entity = None
    if who.name_tokens:
        m = _mention_over(doc, doc.tokens[who.name_tokens[0]].start, doc.tokens[who.name_tokens[1] - 1].end)
        if m is not None:
            name = m.canonical or m.text
            surface = who.name or ""
            first = doc.tokens[who.name_tokens[0]]
            if surface != m.text and surface.endswith(m.text) and (
                    (name == m.text and _n(surface.split()[0]) in person_words())
                    or first.start < m.start < first.end
                    or (first.start < m.start and len(name.split()) < len(surface.split()))):
                # «فراس» is a name, not «ف» + «راس»: a mention that starts inside the first
                # word of the name read from the text lost a letter to a clitic reading
                name = surface
            name = reg.unclip(name)
            known = reg.by_name(name)
            # the title read from this article's text with the full name comes before the
            # tagger's (which may take a neighbour's: «مبعوث الرئيس الأمريكي» for the president)
            role = who.role or (known.role if known is not None else None) or m.role
            if known is not None and known.role and (role is None or _fuller(known.role, role)):
                role = known.role  # «وقال بيسكوف»: the title given with the full name earlier
            return Speaker(name, role, m.entity)
    if who.name:
        k = reg.by_name(who.name)
        if k is not None:
            role = k.role if who.role is None or (k.role and _fuller(k.role, who.role)) else who.role
            return Speaker(k.name, role, k.entity)
        if who.is_person:
            reg.add(who.name, who.role, pos)
        return Speaker(who.name, who.role, entity)
    if who.role:
        k = reg.by_role(who.role, pos)
        if k is not None:
            return Speaker(k.name, k.role or who.role, k.entity)
        return Speaker(who.role, None, entity)
    return None


def _fuller(known: str, local: str) -> bool:
    """Is ``known`` (a role met earlier with the same name) the full form of the short or
    pronoun title ``local``: same head word, longer («رئيس الرابطة» → «رئيس رابطة عائلات
    المفقودين»، «المتحدث باسمه» → «المتحدث باسم الجيش»)? A different head is another office
    («وزير العدل» stays beside «رئيس الوفد الحكومي وزير العدل»)."""
    kw, lw = _norm_words(known), _norm_words(local)
    return bool(kw and lw) and bare_form(kw[0]) == bare_form(lw[0]) and len(known) > len(local)


def _rank_word(w: str) -> bool:
    """A definite rank or form of address (العميد، اللواء، الطبيب)."""
    w = _n(w)
    return (w.startswith("ال") or w.startswith("وال")) and bare_form(w) in HONORIFICS


def tidy_speaker(sp: Speaker) -> Speaker:
    """One rule for ranks (see HONORIFICS): out of the name and the title's tail, into brackets
    at the end of the role. «المتحدث باسم الجيش العميد» + «فراس النوري» → «المتحدث باسم الجيش
    (العميد)»; «العميد فراس النوري» with no title → name «فراس النوري», role «العميد»."""
    name_words = sp.name.split()
    ranks: list[str] = []
    # a rank heading a person's name: «العميد فراس النوري»
    if len(name_words) > 2 and _rank_word(name_words[0]):
        ranks.append(name_words.pop(0))
        while len(name_words) > 2 and bare_form(_n(name_words[0])) in RANK_ADJECTIVES:
            ranks.append(name_words.pop(0))
    role_words = (sp.role or "").split()
    core = len(role_words)
    if role_words and not role_words[-1].endswith(")"):
        k = core
        while k > 0 and bare_form(_n(role_words[k - 1])) in RANK_ADJECTIVES:
            k -= 1
        # the rank closes a title of two words or more: «المتحدث باسم الوزارة العقيد»
        if k >= 3 and _rank_word(role_words[k - 1]):
            core = k - 1
    tail = role_words[core:] + ranks
    if not tail:
        return sp
    title = " ".join(role_words[:core])
    role = f"{title} ({' '.join(tail)})" if title else " ".join(tail)
    return Speaker(" ".join(name_words), role, sp.entity)


def _mention_over(doc: QuoteDoc, start: int, end: int) -> Mention | None:
    for m in doc.mentions_over(start, end):
        if (m.type or "").upper() in ("PERSON", "PERS", "ORG"):
            return m
    return None
