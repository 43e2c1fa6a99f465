"""Claims and denials: who asserts what, who denies what, and which claims contradict.

``find_claims(article, mentions)`` finds

* denials by a verb — «نفى الكرملين تقريرًا لوكالة بلومبرغ تحدث عن ...» (claimant الكرملين,
  target what the report said, target_claimant بلومبرغ), «ونفت أوكرانيا مزاعم موسكو بأنها
  سيطرت على ...», «كذّب»، «دحض»، «رفض هذه الادعاءات»; and by a noun — «نفي الوزارة لأي اتفاق»;
* denials by a falsity predicate inside someone's words — «عار عن الصحة»، «لا أساس له من
  الصحة»، «غير صحيح»، «هذا تقرير خاطئ» — whose target, when the words only point at it («لا،
  هذا تقرير خاطئ»), is the report the article just described;
* assertions — reports and claims: «أفاد تقرير ... بأن»، «زعم»، «ادعى»، «اتهم»، «أعلن ... أنه
  سيطر على ...».

``contradictions(claims, articles)`` pairs claims of different articles that contradict:
a denial whose target matches an assertion (by its named original claimant and by the overlap
of light stems), or two assertions of different parties the stance model reads as disagreeing.

``stance(claim_text, sentence)`` is that stance model: agree / disagree / other, a logistic
regression over lexical pair features (stem overlap, negation and antonym cues, number
mismatch, the words one text adds to the other) and multilingual sentence-embedding features,
trained on the ANS corpus (Khouja 2020, Apache-2.0); it lives in ``marsad.facts.stance``
(``models/stance_ans.json``, ``train_stance``).

Lexicons: ``lexicons/claims_denial.txt``. Every claim's ``evidence`` covers its sentence, so
``article.text[start:end]`` contains ``claim.text`` and ``claim.target``.
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.analysed import AnalysedDoc
from marsad.model import Article, Claim, Evidence, Mention, Quote
from marsad.facts import attribution as AT, channels as C, quotes as Q, speaker_names as SN
from marsad.facts import speakers as SP, speech as S
from marsad.facts.stance import (EMB_SCALE, LABELS, STANCE_C, STANCE_MIN_DF, STANCE_MODEL,  # noqa: F401
                                 read_ans, stance, stance_proba, stance_scores)
from marsad.facts.stance import train as _train_stance
from marsad.text import stem, tokenize
from marsad.text.normalize import GAP, normalize

MODELS = Path(__file__).parent / "models"

# A denial's target is cut after this many words when nothing else ends it (a noun-phrase
# denial «نفي الوزارة لأي اتفاق حول تبادل الأسرى يبدد الآمال» has no clause mark
# before its verb). 8 on the seed articles: covers the denied noun phrase, stops before the
# sentence's own verb in 1 of the 1 cases there.
MAX_NOUN_TARGET_WORDS = 6
# A target shorter than this many words only points at something said before («هذا»،
# «لا، هذا»): the claim denied is then the last report or assertion of the article.
MIN_TARGET_WORDS = 3

_n = S.norm_word
DEMONSTRATIVES = {_n(w) for w in ("هذه", "هذا", "تلك", "ذلك", "هذان", "هاتان", "هؤلاء")}
TARGET_OPENERS = {_n(w) for w in ("بأن", "بأنه", "بأنها", "بأنهم", "أن", "أنه", "أنها", "عن", "حول", "بشأن",
                                  "إن")}
CARRIERS = {_n(w) for w in ("التي", "الذي", "الذين")}


def _lex(kind: str) -> set[str]:
    return {k for k, v in S.lexicon("claims_denial.txt").items() if v == kind}


# ---------------------------------------------------------------------------------------------
# Extraction


def find_claims(article: Article, mentions: list[Mention] | None = None,
                quotes: list[Quote] | None = None, analysed: AnalysedDoc | None = None,
                prepared: Q.PreparedArticle | None = None) -> list[Claim]:
    """Assertions and denials in ``article`` (see the module doc). ``quotes`` may be passed
    when already found (``find_quotes``) to save reading the article twice; ``analysed`` is
    its analysed document when already built (``marsad.analysed``), ``prepared`` the quote
    reader's ``prepare(article, mentions, analysed)`` when already built."""
    if not article.text:
        return []
    if prepared is None:
        prepared = Q.prepare(article, mentions or [], analysed)
    doc, reg = prepared.doc, prepared.registry()
    if quotes is None:
        quotes = Q.find_quotes(article, mentions or [], analysed, prepared)
    claims: list[Claim] = []
    reports = _report_owners(doc)

    # 1. assertions carried by speech: reports, claims, announcements of gains
    for q in quotes:
        c = _assertion_from_quote(doc, reg, article, q, reports)
        if c is not None:
            claims.append(c)
    # 2. denial verbs and nouns
    verbs = _lex("verb")
    for i, tok in enumerate(doc.tokens):
        w = tok.norm
        bare = w[1:] if len(w) > 3 and w[0] in "وف" and w[1:] in verbs else w
        if bare not in verbs:
            continue
        if doc.quote_at(tok.start) is not None and len(_quote_text(doc, tok.start).split()) > 3:
            continue  # inside someone's quoted words: handled by the falsity reading below
        c = _denial_by_verb(doc, reg, article, i, bare, quotes, claims, reports)
        if c is not None:
            claims.append(c)
    # 2b. «نافيًا وجود ...» after someone's words; «جددت الحركة نفيها المسؤولية ...»
    parts, nouns = _lex("part"), _lex("noun_pron")
    for i, tok in enumerate(doc.tokens):
        w = tok.norm[1:] if len(tok.norm) > 3 and tok.norm[0] in "وف" else tok.norm
        if tok.norm in parts or tok.norm in nouns or w in nouns:
            c = _denial_continuing(doc, reg, article, i, tok.norm in parts, quotes)
            if c is not None:
                claims.append(c)
    # 3. falsity predicates in what someone said
    for q in quotes:
        c = _denial_by_falsity(doc, article, q, claims, reports)
        if c is not None:
            claims.append(c)
    claims.sort(key=lambda c: c.evidence.start)
    claims = _dedupe(claims)
    # 4. a denial that names no one it answers: the accuser told just before (or, after a
    # «غير أن»، just after)
    for c in claims:
        if c.stance == "denies" and c.target_claimant is None:
            c.target_claimant = _accuser_nearby(doc, mentions, quotes, c)
    return claims


# Where a denial answers someone named in a neighbouring sentence: the one after it when it
# opens with a contrast («غير أن المرصد قال إنه وثق ...»), else the sentence before it (two
# before when the one before names no accuser). The accuser is the first person or organisation among the
# first ACCUSER_WORDS words of a sentence that carries a speech or accusation verb and shares a
# content word with what is denied. Example corpus: denials with their original claimant right
# 9/13 -> see bench_claims; no denial there got a wrong accuser this way.
ACCUSER_WORDS = 12
ACCUSE_VERBS = {_n(w) for w in (
    "قال", "قالت", "يقول", "تقول", "أكد", "أكدت", "اتهم", "اتهمت", "يتهم", "تتهم", "حمل", "حملت",
    "شكك", "شككت", "زعم", "زعمت", "ادعى", "ادعت", "أفاد", "أفادت", "ذكر", "ذكرت", "وثق", "وثقت",
    "أعلن", "أعلنت", "نشر", "نشرت", "تحدث", "تحدثت", "أورد", "أوردت", "نقل", "نقلت")}
CONTRAST_OPENERS = ({_n(w) for w in ("غير", "لكن", "ولكن", "بينما", "إلا")}, {_n("المقابل")})
CLAIM_VERBS = ACCUSE_VERBS | {_n(w) for w in ("خلص", "خلصت", "كشف", "كشفت", "أظهر", "أظهرت", "ذكرت",
                                               "تحمل", "يحمل", "حملت")}


def _accuser_nearby(doc: S.QuoteDoc, mentions: list[Mention], quotes: list[Quote], c: Claim) -> str | None:
    if not doc.tokens:
        return None
    # the sentence of the denial's last word (its evidence may end on a closing mark)
    end_tok = max(0, bisect.bisect_left(doc.tokens, c.evidence.end, key=lambda t: t.start) - 1)
    k = doc.sent_of[end_tok]
    want = content_stems(c.target)
    if not want:
        return None
    order = [k + 1, k - 1, k - 2]  # a contrast right after answers the denial most directly
    for j in order:
        if not 0 <= j < len(doc.sent_bounds):
            continue
        lo, hi = doc.sent_bounds[j]
        words = [t.norm for t in doc.tokens[lo:hi]]
        if j == k + 1 and not (words[:1] and (words[0] in CONTRAST_OPENERS[0]
                                             or CONTRAST_OPENERS[1] in words[:3])):
            continue
        if not any(w in ACCUSE_VERBS or (len(w) > 3 and w[0] in "وف" and w[1:] in ACCUSE_VERBS) for w in words):
            continue
        s0, s1 = doc.tokens[lo].start, doc.tokens[hi - 1].end
        if not want & content_stems(doc.text[s0:s1]):
            continue
        head_end = doc.tokens[min(hi, lo + ACCUSER_WORDS) - 1].end
        named = [(m.canonical or m.text, m.role) for m in sorted(mentions, key=lambda m: m.start)
                 if m.type in ("PERSON", "ORG") and s0 <= m.start < head_end]
        # else whoever speaks in that sentence (quotes resolve organisations the tagger
        # may miss: «غير أن المرصد ... قال إنه وثق»)
        named += [(q.speaker.name, q.speaker.role) for q in sorted(quotes, key=lambda q: q.evidence.start)
                  if q.speaker and q.speaker.name and s0 <= q.evidence.start < s1]
        if named:
            name, role = named[0]
            # the denier's own spokesman is no accuser (role «المتحدث باسم قوات ...»)
            return None if _same_party(name, c.claimant) or _same_party(role, c.claimant) else name
    return None


def _quote_text(doc: S.QuoteDoc, pos: int) -> str:
    q = doc.quote_at(pos)
    return doc.text[q[0] + 1:q[1]] if q else ""


def _sentence_span(doc: S.QuoteDoc, i: int) -> tuple[int, int, int, int]:
    """(first token, end token, start char, end char) of token i's sentence."""
    lo, hi = doc.sent_bounds[doc.sent_of[i]]
    s, e = doc.tokens[lo].start, doc.tokens[hi - 1].end
    q = doc.quote_at(e - 1)  # a closing mark after the last word belongs to the sentence
    if q is not None:
        e = max(e, q[1] + 1)
    if e < len(doc.text) and doc.text[e:e + 1] in ".؟!":
        e += 1
    return lo, hi, s, e


def _report_owners(doc: S.QuoteDoc) -> list[tuple[int, str]]:
    """Reports the article names with their owner: «تقريرًا لوكالة بلومبرغ»، «تقرير بلومبرغ»."""
    out: list[tuple[int, str]] = []
    channels = S.lexicon("speech_channels.txt")
    reports = {_n(w) for w in ("تقرير", "تقريرا", "التقرير", "تقارير", "وتقرير")}
    for i, tok in enumerate(doc.tokens):
        if tok.norm not in reports or i + 1 >= len(doc.tokens):
            continue
        lo, hi = doc.sent_bounds[doc.sent_of[i]]
        k = i + 1
        if k < hi and S.gap_has(doc.gaps[k], "،,:."):
            continue
        # «لوكالة بلومبرغ»، «لصحيفة ...»، «لـ"العربي"»، or a genitive «تقرير بلومبرغ»
        w = doc.tokens[k].norm if k < hi else ""
        if w[:1] == "ل" and (S.bare_form(w[1:]) in channels or len(w) <= 2):
            name, _ = C.channel_name(doc, k + 1 if len(w) <= 2 else k, hi) if len(w) <= 2 else \
                C.channel_name(doc, k, hi)
            if name is None:
                continue
            name = C.strip_marks(name)
            for medium in channels:
                pass
            out.append((tok.start, _strip_medium(name)))
        elif k < hi and not S.is_definite(doc, k) and w not in S.TIME_WORDS and w not in S.PREPOSITIONS \
                and not S.is_intro(doc, k) and not S.cue_kind(doc, k, "speech_verbs.txt") \
                and w not in _lex("assert"):
            out.append((tok.start, doc.surface(k, k + 1)))
    return out


def _strip_medium(name: str) -> str:
    """«لوكالة بلومبرغ» / «وكالة بلومبرغ» -> «بلومبرغ»."""
    channels = S.lexicon("speech_channels.txt")
    toks = name.split()
    while len(toks) > 1 and (S.bare_form(_n(toks[0])) in channels or S.bare_form(_n(toks[0])[1:]) in channels) \
            and not (toks[1].startswith("ال") and S.bare_form(_n(toks[1])) not in channels):
        toks = toks[1:]  # «وكالة سبوتنيك» -> «سبوتنيك»; «التلفزيون الرسمي» stays
    return " ".join(toks)


def _owner_before(reports: list[tuple[int, str]], pos: int) -> str | None:
    before = [o for p, o in reports if p <= pos]
    return before[-1] if before else None


def _tok_at(doc: S.QuoteDoc, pos: int) -> int | None:
    """The token holding ``pos``, else the first one after it (tokens are in text order, so a
    binary search on their ends: the first token that ends after ``pos``)."""
    i = bisect.bisect_right(doc.tokens, pos, key=lambda t: t.end)
    return i if i < len(doc.tokens) else None


def _assertion_from_quote(doc: S.QuoteDoc, reg: SP.Registry, article: Article, q: Quote,
                          reports: list[tuple[int, str]]) -> Claim | None:
    """A quote that is a claim: said by a report, introduced by «زعم / ادعى / اتهم / أفاد», or
    announcing a gain on the ground (أعلنت موسكو أنها سيطرت على ...)."""
    i = _tok_at(doc, q.evidence.start)
    if i is None:
        return None
    cue = doc.tokens[i].norm
    cue = cue[1:] if len(cue) > 3 and cue[0] in "وف" and cue[1:] in _lex("assert") else cue
    speaker = q.speaker.name
    role = q.speaker.role or ""
    report_speaker = _n(speaker) in S.REPORT_WORDS or _n(role) in S.REPORT_WORDS
    first = _n(speaker.split()[0]) if speaker.split() else ""
    outlet = S.lexicon("speech_channels.txt").get(S.bare_form(first)) == "medium"
    if outlet:  # «ذكرت وكالة بلومبرغ أن ...»: an outlet reporting asserts
        report_speaker = True
        speaker = _strip_medium(speaker)
    first_words = [t.norm for t in tokenize(q.text)[:3]]
    control = any(w in _lex("control") or (len(w) > 3 and w[0] in "وف" and w[1:] in _lex("control"))
                  for w in first_words)
    if not (report_speaker or cue in _lex("assert") or control):
        return None
    claimant = speaker
    if _n(speaker) in S.REPORT_WORDS:
        claimant = _owner_before(reports, q.evidence.start) or speaker
    s0, s1 = _sentence_of_span(doc, q.evidence.start, q.evidence.end)
    return Claim(article.id, claimant, "asserts", q.text, article.text[s0:s1],
                 Evidence(article.id, s0, s1), None)


def _sentence_of_span(doc: S.QuoteDoc, start: int, end: int) -> tuple[int, int]:
    i = _tok_at(doc, start)
    if i is None:
        return start, end
    _, _, s, e = _sentence_span(doc, i)
    return min(s, start), max(e, end)


def _claimant_after(doc: S.QuoteDoc, i: int, hi: int) -> tuple[list[tuple[int, int]], int]:
    """Noun phrases after a denial verb up to its object: returns (segments, object start)."""
    objects = _lex("object")
    segs: list[tuple[int, int]] = []
    seg: int | None = None
    j = i
    in_paren = False
    skipping = False
    while j < hi:
        gap = doc.gaps[j]
        if "(" in gap:
            in_paren = True
        if ")" in gap:
            in_paren = False
        w = doc.tokens[j].norm
        if in_paren:
            j += 1
            continue
        if j > i and S.gap_has(gap, "،,"):
            skipping = False
            if seg is not None:
                segs.append((seg, j))
                seg = None
        if skipping:
            j += 1
            continue
        if w in S.PREPOSITIONS and w not in (_n("أن"),) and seg is not None and not S.is_role(doc, seg):
            # «نفت قوات الفجر الجديد في سهيل، ...»: a place or channel phrase up to the comma
            segs.append((seg, j))
            seg = None
            skipping = True
            j += 1
            continue
        if w in S.TIME_WORDS or doc.tokens[j].is_number:
            if seg is not None:
                segs.append((seg, j))
                seg = None
            j += 1
            continue
        # a denier is at most 4 words, or a title and a name (المتحدث باسم قوات الفجر الجديد
        # حسان الرفاعي: 7 on the example corpus; 10 leaves room)
        cap = 10 if seg is not None and S.is_role(doc, seg) else 6
        if (w in objects or S.bare_form(w) in objects or w in DEMONSTRATIVES or S.is_intro(doc, j)
                or w in (_n("أي"), _n("ما"), _n("صحة"), _n("وجود"), _n("أن"))
                or (seg is not None and j - seg >= cap)):
            if seg is not None:
                segs.append((seg, j))
            return segs, j
        if seg is None:
            seg = j
        j += 1
    if seg is not None:
        segs.append((seg, j))
    return segs, j


def _target_claimant(doc: S.QuoteDoc, reg: SP.Registry, a: int, b: int) -> tuple[str | None, int]:
    """The original claimant named in a denied object, and where the claim's content starts.

    «تقريرًا لوكالة بلومبرغ تحدث عن X» -> (بلومبرغ, X); «مزاعم موسكو بأنها X» -> (موسكو, X);
    «الاتهامات التي وجهها المبعوث الأوروبي يوهان لارسن ... بشأن X» -> (يوهان لارسن, X)."""
    channels = S.lexicon("speech_channels.txt")
    owner: str | None = None
    content = a + 1
    k = a + 1
    # genitive or «لـ» owner right after a claim noun (تقريرًا لوكالة ...، مزاعم موسكو)
    head = doc.tokens[a].norm
    claim_noun = (head in _lex("object") or S.bare_form(head) in _lex("object")) and \
        S.bare_form(head) not in (_n("صحة"), _n("وجود"))
    if claim_noun and k < b and not S.gap_has(doc.gaps[k], "،,:"):
        w = doc.tokens[k].norm
        if w[:1] == "ل" and (S.bare_form(w[1:]) in channels or len(w) <= 2):
            name, nxt = C.channel_name(doc, k, b)
            if name:
                owner, k = _strip_medium(C.strip_marks(name)), nxt
        elif w.endswith("ها") and len(w) > 4 and k + 1 < b and not S.is_definite(doc, k):
            # «أنباء تداولتها مواقع إخبارية عن ...»: the verb's subject spread the claim
            e = k + 1
            while e < min(b, k + 4) and not S.gap_has(doc.gaps[e], "،,") \
                    and doc.tokens[e].norm not in TARGET_OPENERS and doc.tokens[e].norm not in S.PREPOSITIONS:
                e += 1
            if e > k + 1:
                owner, k = _strip_medium(doc.surface(k + 1, e)), e
        elif not S.is_definite(doc, k) and w not in S.TIME_WORDS and not S.is_intro(doc, k) \
                and not SN._nisba(doc, k) \
                and w not in S.PREPOSITIONS and w not in CARRIERS and w not in TARGET_OPENERS \
                and doc.tokens[a].norm not in DEMONSTRATIVES and doc.tokens[a - 1].norm not in DEMONSTRATIVES:
            e = k
            while e < min(b, k + 3) and not S.gap_has(doc.gaps[e] if e > k else "", "،,:") \
                    and doc.tokens[e].norm not in TARGET_OPENERS and not S.is_intro(doc, e) \
                    and doc.tokens[e].norm not in CARRIERS and doc.tokens[e].norm not in S.PREPOSITIONS \
                    and doc.tokens[e].norm not in S.TIME_WORDS:
                e += 1
            who = SP.split_np(doc, k, e)
            if who.name:
                owner = who.name
                k = k + len(tokenize(who.name))
    # «ما أعلنته / ذكرته / نشرته X عن Y»
    # (the verb carries the object pronoun: أعلنته، أوردته، بثه، تداولته)
    if doc.tokens[a].norm == _n("ما") and a + 2 < b and (S.cue_kind(doc, a + 1, "speech_verbs.txt")
                                                         or doc.tokens[a + 1].norm.endswith("ه")):
        e = a + 2
        while e < b and not S.gap_has(doc.gaps[e], "،,") and doc.tokens[e].norm not in TARGET_OPENERS \
                and doc.tokens[e].norm not in S.PREPOSITIONS and e - a < 8:
            e += 1
        who = SP.split_np(doc, a + 2, e)
        sp = SP.resolve(doc, reg, who, doc.tokens[a].start) if (who.name or who.role) else None
        if sp is not None:
            owner = _strip_medium(sp.name)
        k = e
    # «التي وجهها / أطلقها / نشرها X»
    for m in range(a + 1, min(b, a + 6)):
        if doc.tokens[m].norm in CARRIERS and m + 2 <= b:
            segs = []
            e = m + 2
            while e < b and not S.gap_has(doc.gaps[e], "،,") and doc.tokens[e].norm not in S.PREPOSITIONS:
                e += 1
            if e > m + 2:
                who = SP.split_np(doc, m + 2, e)
                sp = SP.resolve(doc, reg, who, doc.tokens[m].start) if (who.name or who.role) else None
                if sp is not None:
                    owner = sp.name
                k = e
            break
    # the content: after «تحدث عن / بأن / أن / حول / بشأن» or the verb «تحدث / يفيد»
    if not claim_noun and head != _n("ما"):
        return owner, a  # «نفى ... أي صلة لقواته بالهجوم»: the object is the content
    for m in range(k, b):
        w = doc.tokens[m].norm
        if w in TARGET_OPENERS:
            content = m + 1
            break
    else:
        content = k
    return owner, content


def _clause_end(doc: S.QuoteDoc, j: int, hi: int) -> int:
    """Token where a clause starting at j ends: a participle or new speech verb after a comma."""
    for k in range(j + 1, hi):
        if S.gap_has(doc.gaps[k], "،,") and S.cue_kind(doc, k, "speech_verbs.txt") in ("part", "verb"):
            return k
        if S.gap_has(doc.gaps[k], "؛;"):
            return k
    return hi


# Words that make a denial verb or noun no denial: a negation before it («لم ينفِ»), or an
# affirming verb coordinated with it («امتنعت عن نفي أو تأكيد»، «لم يؤكد أو ينفي»، «رفض تأكيد أو
# نفي»): the party declined to confirm or deny. Written for marsad from general knowledge of
# Arabic news style; the facts development gold has both forms.
NEGATIONS = {_n(w) for w in ("لم", "لا", "لن", "ما", "دون", "بدون", "عدم")}
AFFIRMS = {_n(w) for w in ("تأكيد", "يؤكد", "تؤكد", "أكد", "أكدت", "يؤكدوا", "تأكيده", "تأكيدها",
                           "التأكيد", "يثبت", "تثبت")}
ABSTAINS = {_n(w) for w in ("امتنع", "امتنعت", "يمتنع", "تمتنع", "رفض", "رفضت", "يرفض", "ترفض", "تجنب",
                            "تجنبت", "يتجنب", "تتجنب", "تحاشى", "تحاشت")}


# A denial noun right after «أن/إن» is the subject of someone else's statement or view: what
# they say about the denial, not the denial («يرى محللون أن نفي الوزارة …»).
NOUN_IN_VIEW = {_n(w) for w in ("أن", "إن", "وأن", "وإن", "بأن")}


def _hedged(doc: S.QuoteDoc, i: int, lo: int, hi: int) -> bool:
    """Is the denial word at token i negated, or one of «confirm or deny»?"""
    def w(k: int) -> str:
        return doc.tokens[k].norm if lo <= k < hi else ""

    def bare(k: int) -> str:
        x = w(k)
        return x[1:] if len(x) > 3 and x[0] in "وف" and x[1:] in AFFIRMS | NEGATIONS else x

    if w(i - 1) in NEGATIONS:
        return True
    if w(i - 1) == _n("أو") and bare(i - 2) in AFFIRMS:
        return True
    if w(i + 1) == _n("أو") and bare(i + 2) in AFFIRMS:
        return True
    # «لم يؤكد المتحدث ... أو ينفي»: «أو» before the verb, an affirming verb negated earlier
    if w(i - 1) == _n("أو") and any(bare(k) in AFFIRMS and w(k - 1) in NEGATIONS for k in range(max(lo, i - 10), i)):
        return True
    # «امتنعت إيران عن نفي ...»
    return w(i - 1) == _n("عن") and any(bare(k) in ABSTAINS or w(k) in ABSTAINS for k in range(max(lo, i - 4), i))


def _contrast_clause(doc: S.QuoteDoc, lo: int, i: int) -> tuple[int, int] | None:
    """The clause before «لكن/غير أن/بينما» in the denial's own sentence (tokens lo..k), when the
    denial points back with «ذلك»: «وتتهم السعودية إيران بدعم الحوثيين، لكن طهران تنفي ذلك»."""
    for k in range(i - 1, lo + 2, -1):
        w = doc.tokens[k].norm
        if w in CONTRAST_OPENERS[0] or (w == _n("أن") and doc.tokens[k - 1].norm in AT.CONTRAST_BEFORE_AN):
            k0 = k - 1 if w == _n("أن") else k
            return (lo, k0) if k0 - lo >= 3 else None
    return None


def _claim_of_clause(doc: S.QuoteDoc, reg: SP.Registry, a: int, b: int) -> tuple[str, str | None]:
    """(what the clause claims, who claims it) for tokens a..b-1: «وتتهم السعودية إيران بدعم
    ...» → («إيران بدعم ...», «السعودية»); «وخلص المحققون إلى أن الصاروخ ...» → («الصاروخ ...»,
    «المحققون»)."""
    text = doc.text[doc.tokens[a].start:doc.tokens[b - 1].end].strip(" ،,.")
    v = doc.tokens[a].norm
    v = v[1:] if len(v) > 3 and v[0] in "وف" and v[1:] in CLAIM_VERBS else v
    if v not in CLAIM_VERBS or a + 1 >= b:
        return text, None
    sub = SP.parse_subject(doc, a + 1, b)
    who = SP.who_from_segments(doc, sub.segments[:1]) if sub.segments else None
    sp = SP.resolve(doc, reg, who, doc.tokens[a].start) if who is not None else None
    if sub.content is not None:
        return doc.text[sub.content:doc.tokens[b - 1].end].strip(" ،,."), sp.name if sp else None
    if sub.segments:
        s, e = sub.segments[0]
        if S.is_definite(doc, s):
            # the subject and its adjectives of relation («السعودية»، «الحكومة اليمنية»); a
            # second noun with the article is the object («وتتهم الحكومة الحركة بـ...»)
            k = s + 1
            while k < e and S.is_definite(doc, k) and doc.tokens[k].norm.endswith(("ي", "يه", "يين", "يون")):
                k += 1
            e = k
        else:
            e = SP.name_end(doc, s, e)
        who = SP.who_from_segments(doc, [(s, e)])
        sp = SP.resolve(doc, reg, who, doc.tokens[a].start) if who is not None else None
        if e < b:
            return doc.text[doc.tokens[e].start:doc.tokens[b - 1].end].strip(" ،,."), sp.name if sp else None
    return text, sp.name if sp else None


def _denial_by_verb(doc: S.QuoteDoc, reg: SP.Registry, article: Article, i: int, verb: str,
                    quotes: list[Quote], claims: list[Claim], reports) -> Claim | None:
    lo, hi, s0, s1 = _sentence_span(doc, i)
    tok = doc.tokens[i]
    if _hedged(doc, i, lo, hi):
        return None  # «لم ينفِ»، «امتنعت عن نفي أو تأكيد»: no denial
    # «نفى» (verb) and «نفي» (noun) fold to one form: the noun is written with ي and followed
    # by its genitive and «لـ» (نفي الوزارة لأي اتفاق)
    is_noun = (verb == _n("تكذيب") or (verb == _n("نفي") and tok.text.rstrip("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652").endswith("ي")
                                       and i + 2 < hi and doc.tokens[i + 2].norm[:1] == "ل"))
    if is_noun:
        # «نفي الوزارة لأي اتفاق ...»: claimant as genitive, target after «لـ»
        if i + 2 >= hi:
            return None
        if i > lo and doc.tokens[i - 1].norm in NOUN_IN_VIEW:
            # «ويرى محللون أن نفي الوزارة لأي اتفاق يبدد الآمال»: commentary on a denial, the
            # view of whoever speaks (seed 000), not a report of the denial
            return None
        k = i + 1
        e = S.org_end(doc, k, hi) if S.is_definite(doc, k) else SP.name_end(doc, k, hi)
        who = SP.split_np(doc, k, e)
        sp = SP.resolve(doc, reg, who, tok.start) if (who.name or who.role) else None
        if sp is None or e >= hi or doc.tokens[e].norm[:1] != "ل":
            return None
        t0 = doc.tokens[e].start + (1 if len(doc.tokens[e].norm) > 2 else len(doc.tokens[e].text))
        t_end = min(hi, e + MAX_NOUN_TARGET_WORDS)
        target = doc.text[t0:doc.tokens[t_end - 1].end].lstrip("ـ ")
        return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1], Evidence(article.id, s0, s1), None)
    segs, obj = _claimant_after(doc, i + 1, hi)
    who = SP.who_from_segments(doc, segs) if segs else None
    sp = SP.resolve(doc, reg, who, tok.start) if who else None
    if sp is None:
        sp = _subject_before_or_last(doc, reg, i, lo, quotes)
    if sp is None or obj >= hi:
        return None
    objects = _lex("object")
    ow = doc.tokens[obj].norm
    if any(doc.tokens[k].norm == _n("أو") and (doc.tokens[k - 1].norm in AFFIRMS or doc.tokens[k + 1].norm in AFFIRMS)
           for k in range(i + 1, min(hi - 1, obj + 3))):
        return None  # «رفض المتحدث تأكيد أو نفي الأنباء»: declined to confirm or deny
    if verb in {_n(w) for w in ("رفض", "رفضت", "ترفض", "يرفض")}:
        # refusing is denying only when a claim is refused (رفض الاتهامات / هذه الادعاءات)
        nxt = doc.tokens[obj + 1].norm if obj + 1 < hi else ""
        if not (ow in objects or S.bare_form(ow) in objects or (ow in DEMONSTRATIVES and (nxt in objects or S.bare_form(nxt) in objects))):
            return None
    head = obj
    if ow in DEMONSTRATIVES and obj + 1 < hi:
        head = obj + 1
    end = _clause_end(doc, head, hi)
    owner, content = _target_claimant(doc, reg, head, end)
    target_claimant = owner
    if ow in DEMONSTRATIVES and head == obj:
        # «..., لكن طهران تنفي ذلك»: what is denied is the clause before the contrast
        own = _contrast_clause(doc, lo, i)
        if own is not None:
            target, owner = _claim_of_clause(doc, reg, *own)
            return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1], Evidence(article.id, s0, s1),
                         owner)
    if ow in DEMONSTRATIVES:
        # «هذه الادعاءات»: the claims the article just reported
        prev = [c for c in claims if c.stance == "asserts" and c.evidence.start < tok.start]
        if prev:
            target = prev[-1].target
            target_claimant = target_claimant or prev[-1].claimant
            return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1],
                         Evidence(article.id, min(s0, prev[-1].evidence.start), s1), target_claimant)
        if lo > 0:
            # no claim read before: what is refused is the previous sentence
            plo, phi, p0, p1 = _sentence_span(doc, lo - 1)
            target = doc.text[p0:p1].strip(" .")
            return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1],
                         Evidence(article.id, p0, s1), None)
    if content >= end:
        content = head
    t0 = doc.tokens[content].start
    t1 = doc.tokens[end - 1].end
    target = doc.text[t0:t1].strip(" ،,.")
    if not target:
        return None
    if target_claimant is None and S.bare_form(doc.tokens[head].norm) in {S.bare_form(_n(w)) for w in ("تقرير", "التقرير")}:
        target_claimant = _owner_before(reports, tok.start)
    return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1], Evidence(article.id, s0, s1),
                 target_claimant)


def _denial_continuing(doc: S.QuoteDoc, reg: SP.Registry, article: Article, i: int, participle: bool,
                       quotes: list[Quote]) -> Claim | None:
    """A denial whose claimant is already in the sentence: the speaker before a participle
    («قال X إن ...، نافيًا وجود ...»), or the subject of the verb before a pronoun noun
    («جددت قوات الفجر الجديد نفيها المسؤولية عن الهجوم»)."""
    lo, hi, s0, s1 = _sentence_span(doc, i)
    tok = doc.tokens[i]
    sp = None
    if participle:
        same = [q for q in quotes if s0 <= q.evidence.start < tok.start]
        sp = same[-1].speaker if same else AT.initial_subject(doc, reg, lo, i)
    else:
        sp = AT.initial_subject(doc, reg, lo, i)
    if sp is None or i + 1 >= hi:
        return None
    end = _clause_end(doc, i + 1, hi)
    for k in range(i + 2, end):  # the denied thing ends at the next clause («، وقال»)
        if S.gap_has(doc.gaps[k], "،,") and (doc.tokens[k].norm[:1] in "وف" or S.cue_kind(doc, k, "speech_verbs.txt")):
            end = k
            break
    target = doc.text[doc.tokens[i + 1].start:doc.tokens[end - 1].end].strip(" ،,.")
    if len(tokenize(target)) < 2:
        return None
    return Claim(article.id, sp.name, "denies", target, doc.text[s0:s1], Evidence(article.id, s0, s1), None)


def _subject_before_or_last(doc: S.QuoteDoc, reg: SP.Registry, i: int, lo: int, quotes: list[Quote]):
    sp = AT.subject_before(doc, reg, i, lo)
    if sp is not None:
        return sp
    before = [q for q in quotes if q.evidence.start < doc.tokens[i].start]
    return before[-1].speaker if before else None


@lru_cache(maxsize=1)
def _falsity_phrases() -> list[list[str]]:
    return sorted((p.split() for p in _lex("falsity")), key=len, reverse=True)


@lru_cache(maxsize=1)
def _falsity_by_first() -> dict[str, list[tuple[int, list[str]]]]:
    """The falsity phrases by first word, each with its rank in ``_falsity_phrases()``."""
    out: dict[str, list[tuple[int, list[str]]]] = {}
    for rank, phrase in enumerate(_falsity_phrases()):
        if phrase:
            out.setdefault(phrase[0], []).append((rank, phrase))
    return out


def _falsity_word(g: str, p: str) -> bool:
    return g == p or (len(g) > 3 and g[0] in "وف" and g[1:] == p)


def _find_falsity(text: str) -> tuple[int, int] | None:
    """Character span of the first falsity predicate in ``text`` (longest phrase first).

    Only the phrases whose first word can match the token are tried (the word itself, or it
    without a leading و/ف), in the order of ``_falsity_phrases()``: the same answer as trying
    every phrase at every token, at ~1/10 of the cost (~1.6 s per 1,000 ANT articles before)."""
    toks = tokenize(text)
    norms = [t.norm for t in toks]
    by_first = _falsity_by_first()
    for k, g in enumerate(norms):
        cands = by_first.get(g, [])
        if len(g) > 3 and g[0] in "وف" and g[1:] in by_first:
            cands = sorted(cands + by_first[g[1:]], key=lambda c: c[0])
        for _, phrase in cands:
            n = len(phrase)
            got = norms[k:k + n]
            if len(got) == n and all(_falsity_word(w, p) for w, p in zip(got, phrase)):
                return toks[k].start, toks[k + n - 1].end
    return None


def _denial_by_falsity(doc: S.QuoteDoc, article: Article, q: Quote, claims: list[Claim],
                       reports: list[tuple[int, str]]) -> Claim | None:
    """«"الأحاديث حول وجود اتفاقات ... غير صحيحة"» / «"لا، هذا تقرير خاطئ"»: a denial by the
    speaker of the words; the target is what the words call false."""
    hit = _find_falsity(q.text)
    if hit is None:
        return None
    # the subject of the predicate: the words before it, from the last sentence or clause start
    before = q.text[:hit[0]]
    cut = max(before.rfind("."), before.rfind("؛"), before.rfind(" لكن "), before.rfind("،") if
              len(tokenize(before[before.rfind("،") + 1:])) >= MIN_TARGET_WORDS else -1)
    subject = before[cut + 1:].strip(" ،,.:")
    for lead in ("لكن ", "و"):
        if subject.startswith("لكن "):
            subject = subject[len("لكن "):]
    q_start = article.text.find(q.text, q.evidence.start)
    if q_start < 0:
        return None
    s0, s1 = _sentence_of_span(doc, q.evidence.start, q.evidence.end)
    target_claimant = None
    words = [t.norm for t in tokenize(subject)]
    pointing = len(words) < MIN_TARGET_WORDS or (words and words[0] in DEMONSTRATIVES) or \
        (words and words[0] == _n("لا"))
    if pointing:
        prev = [c for c in claims if c.stance == "asserts" and c.evidence.start < q.evidence.start
                and c.claimant != q.speaker.name]
        owner = _owner_before(reports, q.evidence.start)
        if prev:
            p = prev[-1]
            return Claim(article.id, q.speaker.name, "denies", p.target, article.text[s0:s1],
                         Evidence(article.id, min(s0, p.evidence.start), s1), p.claimant or owner)
        subject = q.text[:hit[1]].strip()
        target_claimant = owner
    else:
        prev = [c for c in claims if c.stance == "asserts" and c.evidence.start < q.evidence.start
                and c.claimant != q.speaker.name and _overlap(c.target, subject) > 0]
        if prev:
            target_claimant = prev[-1].claimant
    if not subject:
        return None
    return Claim(article.id, q.speaker.name, "denies", subject, article.text[s0:s1],
                 Evidence(article.id, s0, s1), target_claimant)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    out: list[Claim] = []
    for c in claims:
        dup = False
        for o in out:
            if o.stance == c.stance and o.claimant == c.claimant and (
                    o.target == c.target or (o.evidence.start == c.evidence.start and o.evidence.end == c.evidence.end)):
                if c.target_claimant and not o.target_claimant:
                    o.target_claimant = c.target_claimant
                dup = True
                break
        if not dup:
            out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# Light-stem overlap


STOP = {_n(w) for w in ("في", "من", "على", "إلى", "عن", "مع", "أن", "إن", "التي", "الذي", "هذا", "هذه",
                        "ذلك", "تلك", "كان", "كانت", "قد", "لا", "لم", "لن", "ما", "هو", "هي", "بين",
                        "حول", "بشأن", "أو", "ثم", "كل", "أي", "بعد", "قبل", "عند", "حتى", "إلا", "منذ",
                        "و", "ف", "ب", "ل", "ك", "به", "له", "لها", "فيه", "فيها", "عليه", "عليها")}


@lru_cache(maxsize=1)
def _claim_words() -> frozenset[str]:
    """Words of the claims lexicon (عار، صحة، أساس، تقرير ...): they say a claim is denied
    or reported, not what it is about."""
    words = set()
    for phrase in S.lexicon("claims_denial.txt"):
        for w in phrase.split():
            words.add(w)
            words.add(S.bare_form(w))
    return frozenset(words)


def content_stems(text: str) -> set[str]:
    """Light stems of the content words of ``text`` (stop words, the claims lexicon's own
    words and 1-letter stems dropped)."""
    out = set()
    claim_words = _claim_words()
    for t in tokenize(text):
        if t.norm in STOP or t.base in STOP or t.norm in claim_words or t.base in claim_words:
            continue
        s = stem(t.base or t.norm)
        if len(s) >= 2:
            out.add(s)
    return out


def _overlap(a: str, b: str) -> float:
    """Overlap coefficient of the content stems of two texts."""
    sa, sb = content_stems(a), content_stems(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


# ---------------------------------------------------------------------------------------------
# Contradictions across articles

# A denial and an assertion contradict when the score reaches this. Score = 0.5 when the
# denial names the assertion's claimant + the stem overlap of target and assertion (0..1).
# 0.35 on the example corpus and seeds: a named claimant with any shared content (>= 0.1)
# passes; with no named claimant the two targets must share over a third of their content.
MIN_CONTRADICTION = 0.35
# Content overlap counts only when the two targets share at least this many content stems
# (and each has that many): with 1, 3000 unrelated ANT articles gave 582 "contradictions",
# most through one generic word; with 2, see bench_claims.
MIN_SHARED_STEMS = 2
# Two assertions of different parties are read as disputing each other when the stance model
# gives "disagree" and their content overlaps at least this much (0.3, same calibration).
MIN_ASSERTION_OVERLAP = 0.3
# ... and the model's probability times that overlap reaches this. 0.3 on the example corpus:
# the only assertion pairs there (sources on a prisoners' committee vs. a flight carrying
# prisoners) are unrelated news and score 0.16-0.19.
MIN_ASSERTION_SCORE = 0.3


def _same_party(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    na, nb = S.norm_word(a), S.norm_word(b)
    if na == nb or na in nb or nb in na:
        return True
    wa, wb = set(na.split()), set(nb.split())
    return bool(wa & wb) and (len(wa) == 1 or len(wb) == 1)


def contradictions(claims: list[Claim], articles: dict[str, Article] | None = None,
                   same_article: bool = False) -> list[dict[str, Any]]:
    """Pairs of claims from different articles that contradict each other.

    Each item: ``{"claim": i, "disputed_by": j, "score": s, "claim_text": ..., "disputed_text":
    ...}`` where i, j index ``claims`` (i the assertion or earlier claim, j the denial or the
    disputing assertion). ``articles`` (id -> Article) orders pairs by publication when given.
    ``same_article`` also pairs claims inside one article.
    """
    out: list[dict[str, Any]] = []
    articles = articles or {}
    stems = [content_stems(c.target) for c in claims]

    def ov(i: int, j: int) -> float:
        a, b = stems[i], stems[j]
        shared = len(a & b)
        if shared < MIN_SHARED_STEMS or min(len(a), len(b)) < MIN_SHARED_STEMS:
            return 0.0
        return shared / min(len(a), len(b))

    def other_story(i: int, j: int) -> bool:
        ai, aj = articles.get(claims[i].article), articles.get(claims[j].article)
        return bool(ai and aj and ai.story and aj.story and ai.story != aj.story)

    for j, d in enumerate(claims):
        if d.stance != "denies":
            continue
        for i, a in enumerate(claims):
            if i == j or a.stance != "asserts":
                continue
            if a.article == d.article and not same_article:
                continue
            if _same_party(a.claimant, d.claimant) or other_story(i, j):
                continue
            score = ov(i, j)
            if score > 0 and d.target_claimant and _same_party(d.target_claimant, a.claimant):
                score = 0.5 + 0.5 * score
            if score >= MIN_CONTRADICTION:
                out.append({"claim": i, "disputed_by": j, "score": round(score, 3),
                            "claim_text": a.target, "disputed_text": d.target})
    # assertions disputed by other assertions
    for i, a in enumerate(claims):
        if a.stance != "asserts":
            continue
        for j in range(i + 1, len(claims)):
            b = claims[j]
            if b.stance != "asserts" or (a.article == b.article and not same_article):
                continue
            if _same_party(a.claimant, b.claimant) or other_story(i, j) or ov(i, j) < MIN_ASSERTION_OVERLAP:
                continue
            label, p = stance_proba(a.target, b.target)
            if label == "disagree" and p * ov(i, j) >= MIN_ASSERTION_SCORE:
                first, second = _order(i, j, claims, articles)
                out.append({"claim": first, "disputed_by": second, "score": round(p * ov(i, j), 3),
                            "claim_text": claims[first].target, "disputed_text": claims[second].target})
    out.sort(key=lambda x: -x["score"])
    return out


def _order(i: int, j: int, claims: list[Claim], articles: dict[str, Article]) -> tuple[int, int]:
    pi = (articles.get(claims[i].article).published or "") if articles.get(claims[i].article) else ""
    pj = (articles.get(claims[j].article).published or "") if articles.get(claims[j].article) else ""
    return (j, i) if pj and pi and pj < pi else (i, j)


# ---------------------------------------------------------------------------------------------
# Stance: agree / disagree / other


def train_stance(train_csv: Path | str, out: Path | str = STANCE_MODEL, c: float = STANCE_C,
                 min_df: int = STANCE_MIN_DF, emb_scale: float = EMB_SCALE) -> dict[str, Any]:
    """Train the stance model on an ANS split (Khouja 2020, Apache-2.0) and write it as JSON
    (see ``marsad.facts.stance``).

    ``python -m marsad.facts.claims train ../shared/data/ans/stance/train.csv``
    """
    return _train_stance(train_csv, out, c=c, min_df=min_df, emb_scale=emb_scale)


def _main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "train":
        c = float(argv[2]) if len(argv) > 2 else STANCE_C
        model = train_stance(argv[1], c=c)
        n = {k: sum(len(w) for w in part["weights"].values()) + sum(len(w) for w in part.get("dense", {}).values())
             for k, part in model.items() if isinstance(part, dict)}
        print(f"wrote {STANCE_MODEL} (weights: {n})")
        return 0
    print("usage: python -m marsad.facts.claims train TRAIN_CSV [C]")
    return 2


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
