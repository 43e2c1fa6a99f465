"""Where a quote's speaker is written other than right after its verb.

Verb-first and indirect attributions: «بحسب X، فإن ...» (``according_to``), a verb whose
subject came earlier in the sentence (``initial_subject``, ``subject_before``), an attribution
after the words («... حسبما نقلت صحيفة X عن Y»، ``post_attribution``), a relay («نقلت وكالة X
عن Y قوله»، ``relay_attribution``) and a quotation followed by its verb («...»، قال X،
``quote_then_verb``); with the tests that keep an object from being read as a subject
(``object_not_subject``, ``prep_content``, ``cut_at_object``).
"""

from __future__ import annotations

from marsad.facts.channels import channel_name, find_via, strip_marks
from marsad.facts.speaker_names import UNNAMED, body_extent, unnamed_speaker
from marsad.facts.speakers import (Registry, Subject, Who, parse_subject, person_tokens, resolve, split_np,
                                   who_from_segments)
from marsad.facts.speech import (CONNECTORS, KANA, MIN_DIRECT_WORDS, PREPOSITIONS, QuoteDoc, RELATIVES,
                                 THEN_WORDS, bare_form, cue_kind, gap_has, is_definite, is_intro, lexicon,
                                 norm_word as _n, org_end, person_words, word_count)
from marsad.model import Article, Evidence, Quote, Speaker


# Verbs of calling on and accusing, whose object may stand straight after them with the subject
# left out (the speaker of the sentences before): «ودعا المجتمع الدولي إلى»، «واتهم ميليشيات
# الحوثي بتعطيل ...». Written for marsad from general knowledge of Arabic news style.
OBJECT_VERBS = {_n(w) for w in ("دعا", "ودعا", "حث", "وحث", "طالب", "وطالب", "ناشد", "وناشد",
                                "اتهم", "واتهم", "دعت", "ودعت", "طالبت", "وطالبت", "اتهمت", "واتهمت")}


def object_not_subject(doc: QuoteDoc, reg: Registry, i: int, sub: Subject, last: Speaker) -> bool:
    """After a calling or accusing verb that opens its sentence, is the one noun phrase read as
    its subject rather its object: a body, not a person, followed straight by the call's «إلى» or
    the charge's «بـ», while the sentence before quoted a named person? «ودعا الجيش السوري
    السكان إلى»، with its own object, keeps its subject."""
    if doc.tokens[i].norm not in OBJECT_VERBS or not sub.segments:
        return False
    a, b = sub.segments[0]
    charge = None  # «واتهم ميليشيات الحوثي ومن ورائها إيران بتعطيل ...»: the charge's «بـ» word
    if _n("ب") in PREP_CONTENT.get(doc.tokens[i].norm[1:] if doc.tokens[i].norm[:1] in "وف" else doc.tokens[i].norm, ()):
        charge = next((k for k in range(a + 1, min(b + 1, len(doc.tokens), a + 7))
                       if doc.tokens[k].norm[:1] == "ب" and len(doc.tokens[k].norm) > 3
                       and doc.tokens[k].norm not in _B_WORDS), None)
    if charge is not None:
        b = charge
    elif b >= len(doc.tokens) or org_end(doc, a, b) < b:
        return False
    nxt = doc.tokens[b].norm
    if not (nxt in (_n("إلى"), _n("على")) or (nxt[:1] == "ب" and len(nxt) > 3 and nxt not in CONNECTORS)):
        return False
    return len(last.name.split()) >= 2 and (reg.by_name(last.name) is not None
                                           or any(_n(w) in person_words() for w in last.name.split()))


# Speech verbs whose content may follow their own preposition instead of «أن»: calls, stresses,
# expressions, warnings and charges. Written for marsad from general knowledge of Arabic news
# style; on the facts development gold they carry about one statement in ten.
PREP_CONTENT = {_n(v): {_n(p) for p in ps} for vs, ps in (
    (("دعا", "دعت", "دعوا"), ("إلى",)),
    (("حث", "حثت"), ("على",)),
    (("أكد", "أكدت", "أكدوا", "شدد", "شددت"), ("على",)),
    (("أعرب", "أعربت", "كشف", "كشفت", "أعلن", "أعلنت"), ("عن",)),
    (("حذر", "حذرت", "شكت", "شكا"), ("من",)),
    (("ندد", "نددت", "اتهم", "اتهمت", "تتهم", "يتهم", "طالبت", "تعهد", "تعهدت"), ("ب",)),
) for v in vs}
# words with a leading ب that are not a charge or a demand: prepositions and name parts
_B_WORDS = {_n(w) for w in ("بن", "باسم", "بعد", "بين", "بشأن", "بحسب", "بدوره", "بدورها", "بما", "بينما")}


def prep_content(doc: QuoteDoc, i: int, sub: Subject) -> int | None:
    """Where the content of a verb of PREP_CONTENT starts when no «أن» opened it: at its own
    preposition after the subject («ودعا الرئيس الجميع إلى ...»), or at the «بـ» word of a
    charge or a demand («اتهمت المنظمة الجيش بتجاهل ...»)."""
    v = doc.tokens[i].norm
    if v not in PREP_CONTENT and len(v) > 3 and v[0] in "وف":
        v = v[1:]
    preps = PREP_CONTENT.get(v)
    if not preps:
        return None
    if _n("ب") in preps:
        for k in range(i + 2, min(sub.stop + 1, len(doc.tokens))):
            w = doc.tokens[k].norm
            if w[:1] == "ب" and len(w) > 3 and w not in _B_WORDS and doc.quote_at(doc.tokens[k].start) is None:
                return doc.tokens[k].start
            if "ب" in doc.gaps[k][-1:]:  # «بـ"كشف دورها"»
                return doc.tokens[k].start - 2
        return None
    for k in range(i + 2, min(sub.stop + 1, len(doc.tokens))):
        # a title may hold a preposition of its own (a role phrase runs over «في»), not the verb's
        if doc.tokens[k].norm in preps and doc.quote_at(doc.tokens[k].start) is None:
            return doc.tokens[k].start
    if v in ANNOUNCE_VERBS and len(sub.segments) >= 2 and (
            i == 0 or gap_has(doc.gaps[i], "،,.") or doc.tokens[i - 1].norm in KANA | {_n("قد")}
            or doc.sent_bounds[doc.sent_of[i]][0] == i):
        # «أعلن مصدر أمني الأحد مقتل 18 شخصا»، «أعلنت روسيا الثلاثاء رفضها المهلة»: what is
        # announced is the noun phrase after the subject (and its time word or comma)
        a = sub.segments[1][0]
        if not is_definite(doc, a) or doc.tokens[a].norm.endswith(("ها", "هم", "ه")):
            return doc.tokens[a].start
    return None


ANNOUNCE_VERBS = {_n(w) for w in ("أعلن", "أعلنت", "أعلنوا")}


ACCORDING = {_n(w) for w in ("بحسب", "وبحسب", "حسب", "وحسب", "وفق", "ووفق", "وفقا", "ووفقا", "طبقا")}

LAM_OPENERS = {_n(w) for w in ("وفقا", "ووفقا", "طبقا", "وطبقا", "ما", "لما")}


def according_to(doc: QuoteDoc, reg: Registry, lo: int, hi: int) -> tuple[Speaker, int, int, int] | None:
    """A sentence attributed without a speech verb: «وبحسب مصادر قبلية، فإن ...» (the source
    first, the content after «فإن» or the comma), or «استعاد الجيش ...، وفق المرصد السوري»
    (the source closing the sentence). Returns (speaker, content start, content end, evidence
    start)."""
    def then(k: int) -> bool:  # «فإن»، «فقد» as written (a token's norm may drop its «ف»)
        return _n(doc.tokens[k].text.replace("\u0640", "")) in THEN_WORDS

    def source(a: int, b: int) -> Speaker | None:
        # only «وفقا/طبقا» take «لـ» before the source; «لائحة» keeps its first letter
        lam = a > 0 and doc.tokens[a - 1].norm in LAM_OPENERS
        if a < b and doc.tokens[a].norm in (_n("ل"), _n("لـ")):
            a += 1
        if a + 1 < b and doc.tokens[a].norm in (_n("ما"), _n("لما")) \
                and cue_kind(doc, a + 1, "speech_verbs.txt") is None:
            a += 2  # «وفق ما ذكرته وكالة الأنباء»، «وفقا لما نقلته ...»: the outlet after the verb
        if a >= b or doc.tokens[a].norm in (_n("ما"), _n("لما")):
            return None
        if a >= b:
            return None
        t = doc.tokens[a]
        if bare_form(t.norm[1:] if lam and t.norm[:1] == "ل" else t.norm) in UNNAMED:
            # «وفقا لمسؤولين عسكريين أمريكيين»: an unnamed source and all its words
            e = body_extent(doc, a, b)
            words = doc.surface(a, e)
            return unnamed_speaker(Speaker(words[1:] if lam and t.norm[:1] == "ل" else words, None))
        if lam and t.norm[:1] == "ل" and len(t.norm) > 3 and not t.norm.startswith("لل"):
            # «وفقا لمكتب الأمم المتحدة»: read the name without its «لـ»
            sub = parse_subject(doc, a, b)
            segs = [(a, b)] if not sub.segments else sub.segments
            who = who_from_segments(doc, segs)
            if who is not None and who.name and who.name.startswith("ل"):
                who = Who(who.name[1:], who.role, None, who.is_person)
        else:
            who = who_from_segments(doc, parse_subject(doc, a, b).segments)
        return resolve(doc, reg, who, t.start) if who is not None else None

    first = doc.tokens[lo].norm
    if first in (_n("جاء"), _n("وجاء")):
        # «وجاء في لائحة الاتهام أن ...»: the document says it; «جاء ذلك خلال لقائه ...، وفق ما
        # ذكرته الوكالة» is the occasion, not a statement
        if lo + 2 < hi and doc.tokens[lo + 1].norm == _n("في"):
            for k in range(lo + 2, min(hi, lo + 8)):
                if is_intro(doc, k):
                    sp = source(lo + 2, k)
                    return (sp, doc.tokens[k].end, doc.tokens[hi - 1].end, doc.tokens[lo].start) if sp else None
        return None
    if first in ACCORDING:
        # the source runs to «فإن» or a comma
        for k in range(lo + 1, min(hi, lo + 12)):
            if then(k) or gap_has(doc.gaps[k], "،,"):
                sp = source(lo + 1, k)
                if sp is None:
                    return None
                c = k + 1 if then(k) else k
                if c < hi and then(c):
                    c += 1
                if c >= hi:
                    return None
                return sp, doc.tokens[c].start, doc.tokens[hi - 1].end, doc.tokens[lo].start
        return None
    # «...، وفق المرصد السوري لحقوق الإنسان.» at the end of the sentence
    for k in range(hi - 2, max(lo + 3, hi - 10), -1):
        if doc.tokens[k].norm in ACCORDING and gap_has(doc.gaps[k], "،,"):
            sp = source(k + 1, hi)
            if sp is None:
                return None
            return sp, doc.tokens[lo].start, doc.tokens[k - 1].end, doc.tokens[lo].start
    return None


def says_by(doc: QuoteDoc, i: int, stop: int) -> bool:
    """«ورد بوعلام على الاتهامات بالقول إن ...»: a reply verb made speech by «بالقول»."""
    return any(doc.tokens[k].norm == _n("بالقول") for k in range(i + 1, min(stop + 1, len(doc.tokens))))


def cut_at_object(doc: QuoteDoc, a: int, b: int) -> tuple[int, int]:
    """A denier's noun phrase ends where the denied object starts (تقريرًا، مزاعم، أي ...)."""
    objects = {k for k, v in lexicon("claims_denial.txt").items() if v == "object"}
    for k in range(a, b):
        w = doc.tokens[k].norm
        if k > a and (w in objects or bare_form(w) in objects or w in (_n("أي"), _n("ما"))):
            return a, k
    return a, b


def after_relative(doc: QuoteDoc, i: int, lo: int) -> bool:
    k = i - 1
    if k >= lo and doc.tokens[k].norm == _n("قد"):
        k -= 1
    return k >= lo and doc.tokens[k].norm in RELATIVES


def initial_subject(doc: QuoteDoc, reg: Registry, lo: int, i: int, persons_only: bool = False
                    ) -> Speaker | None:
    """The subject of a sentence opening with a verb («وترفض أوكرانيا ...، قائلين إن»), after
    an opening adverbial («في المقابل، افتتحت مرشحة الحزب ...، مؤكدة أن»)."""
    if doc.tokens[lo].norm in PREPOSITIONS or is_definite(doc, lo):
        for k in range(lo + 1, min(i, lo + 5)):
            if gap_has(doc.gaps[k], "،,"):
                lo = k
                break
        else:
            return None
    first = doc.tokens[lo]
    if i <= lo + 1 or is_definite(doc, lo) or first.norm in PREPOSITIONS or cue_kind(doc, lo, "speech_verbs.txt"):
        return None
    sub = parse_subject(doc, lo + 1, i)
    who = who_from_segments(doc, sub.segments[:1])
    if who is None:
        return None
    if persons_only:
        if not who.name_tokens:
            return None
        a, b = who.name_tokens
        if person_tokens(doc, a, b) is None and reg.by_name(who.name or "") is None:
            return None
    return resolve(doc, reg, who, first.start)


def quotes_in(doc: QuoteDoc, q: Quote) -> set[tuple[int, int]]:
    return set(doc.quotes_within(q.evidence.start, q.evidence.end))


def subject_before(doc: QuoteDoc, reg: Registry, i: int, lo: int) -> Speaker | None:
    """A subject before the verb: «وكان زيلينسكي (قد) أعلن»، «تحذير بوتين الذي قال فيه»."""
    k = i - 1
    if k >= lo and doc.tokens[k].norm == _n("قد"):
        k -= 1
    if k >= lo and doc.tokens[k].norm in RELATIVES:
        for m in range(k - 1, max(lo - 1, k - 6), -1):
            who = Who(doc.tokens[m].text, None, (m, m + 1), True)
            known = reg.by_name(doc.tokens[m].text)
            if known is not None:
                return resolve(doc, reg, who, doc.tokens[m].start)
        # «بين فرنسا وغينيا الاستوائية التي تتهم باريس ...»: the noun phrase the relative follows
        # (a name and its adjectives with the article, no punctuation between)
        m = k - 1
        while m >= lo and k - m <= 3 and not gap_has(doc.gaps[m + 1], "،,.:()«»\"") \
                and (m == k - 1 or is_definite(doc, m + 1)) and not doc.tokens[m].is_number \
                and doc.tokens[m].norm not in PREPOSITIONS and not cue_kind(doc, m, "speech_verbs.txt"):
            if not is_definite(doc, m):
                break
            m -= 1
        if lo <= m < k and k - m <= 3 and not is_definite(doc, m) and doc.tokens[m].norm not in PREPOSITIONS \
                and not gap_has(doc.gaps[m + 1] if m + 1 < k else "", "،,"):
            start = doc.tokens[m].start + (1 if doc.tokens[m].norm[:1] == "و" and len(doc.tokens[m].norm) > 3 else 0)
            name = doc.text[start:doc.tokens[k - 1].end]
            if len(name.split()) >= 2:
                return Speaker(name, None)
        return None
    # «وكان المتحدث باسم الحكومة، ماجد سلوم، قد أكد»: a title and a name fit in 8 words;
    # so does a subject after a contrast: «غير أن المرصد الوطني للحقوق قال إنه وثق ...»
    for start in range(k, max(lo - 1, k - 9), -1):
        w = doc.tokens[start].norm
        contrast = w in CONTRAST or (w == _n("أن") and start > lo
                                     and doc.tokens[start - 1].norm in CONTRAST_BEFORE_AN)
        if (w in KANA or contrast) and start < k + 1:
            if start + 1 > k:
                return None
            who = split_np(doc, start + 1, k + 1)
            return resolve(doc, reg, who, doc.tokens[start].start)
    return None


CONTRAST = {_n(w) for w in ("لكن", "ولكن", "لكنّ")}
CONTRAST_BEFORE_AN = {_n(w) for w in ("غير", "إلا", "بيد")}


def post_attribution(doc: QuoteDoc, reg: Registry, i: int, hi: int, kind: str
                     ) -> tuple[Speaker | None, list[str], int]:
    """«حسبما نقلت صحيفة “لوفيجارو” ... عن المتحدث باسم الرئاسة الروسية، دميتري بيسكوف»."""
    j = i + 1
    # a channel, then «عن» + the speaker; or the speaker directly (حسبما ذكر رئيس الجمهورية، X)
    an = None
    for k in range(j, min(hi, j + 14)):
        if doc.tokens[k].norm == _n("عن"):
            an = k
            break
    via: list[str] = []
    if an is not None and (kind == "relay" or kind == "post"
                           or bare_form(doc.tokens[j].norm) in lexicon("speech_channels.txt")
                           or cue_kind(doc, i, "speech_verbs.txt") in ("verb", "relay", "post")):
        name, _ = channel_name(doc, j, an)
        if name:
            via.append(strip_marks(name))
        sub = parse_subject(doc, an + 1, hi)
    else:
        sub = parse_subject(doc, j, hi)
    who = who_from_segments(doc, sub.segments)
    if who is None:
        return None, via, sub.stop
    return resolve(doc, reg, who, doc.tokens[i].start), via, hi


def relay_attribution(doc: QuoteDoc, reg: Registry, i: int, hi: int
                      ) -> tuple[Speaker | None, list[str], int | None, int]:
    """«نقلت وكالة إنترفاكس للأنباء عن X قوله اليوم، إن ...»."""
    an = None
    for k in range(i + 1, min(hi, i + 10)):
        if doc.tokens[k].norm == _n("عن"):
            an = k
            break
        if is_intro(doc, k):
            break
    if an is None:
        return None, [], None, i + 1
    name, _ = channel_name(doc, i + 1, an)
    via = [strip_marks(name)] if name else []
    sub = parse_subject(doc, an + 1, hi)
    who = who_from_segments(doc, sub.segments)
    if who is None or sub.content is None:
        return None, via, None, sub.stop
    return resolve(doc, reg, who, doc.tokens[an].start), via, sub.content, sub.stop


def quote_then_verb(doc: QuoteDoc, article: Article, reg: Registry, lo: int, hi: int,
                    used: set[tuple[int, int]]) -> Quote | None:
    """«"..."، قال X» / «"..." يقول X»: a sentence opening with a quotation, then its verb."""
    first = doc.tokens[lo].start
    q = doc.quote_at(first - 1) or doc.quote_at(first)
    if q is None or q in used or q[0] > first:
        return None
    after = [k for k in range(lo, hi) if doc.tokens[k].start > q[1]]
    if not after:
        return None
    k = after[0]
    if cue_kind(doc, k, "speech_verbs.txt") != "verb":
        return None
    sub = parse_subject(doc, k + 1, hi)
    who = who_from_segments(doc, sub.segments)
    if who is None:
        return None
    sp = resolve(doc, reg, who, doc.tokens[k].start)
    if sp is None or word_count(doc.text[q[0] + 1:q[1]]) < MIN_DIRECT_WORDS:
        return None
    body = doc.text[q[0] + 1:q[1]].strip()
    s = doc.text.index(body, q[0])
    return Quote(article.id, sp, body, True, Evidence(article.id, s, doc.tokens[min(hi, sub.stop) - 1].end),
                 find_via(doc, sub.skipped, hi))
