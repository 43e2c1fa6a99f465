"""Who said what: direct and indirect quotes with their speaker, role and channel.

``find_quotes(article, mentions)`` reads an article sentence by sentence and looks for speech
cues from ``lexicons/speech_verbs.txt``:

* a finite verb (وقال، أكد، أضاف، أشار إلى، شدد على، ورد، كتب، أعلن ...) followed by its subject
  — «وقال بيسكوف، في تصريحات أوردتها وكالة أنباء "تاس"، إن ...» — or with no subject at all
  («وأضاف: ...»), which continues the previous speaker;
* a circumstantial participle (مؤكدًا، مشددًا على أن، مضيفًا ...) that continues the subject of
  its sentence;
* a relay (نقلت وكالة إنترفاكس عن X قوله إن ...): the channel, then the speaker after «عن»;
* an attribution after the words (... حسبما نقلت صحيفة “لوفيجارو” عن المتحدث باسم ...، X);
* a quotation followed by its verb («...»، قال X).

The content runs from the introducer (إن، أن، بأن، إلى أن، على أن، «:», an opening quotation
mark) to the next cue of the sentence or its end. When quotation marks cover most of it the
quote is direct and its text is what stands between the marks (several sentences if so);
otherwise it is indirect and its text is the paraphrase.

Speakers are resolved to the full name the article gives: a short form («بيسكوف») or a bare
role («المتحدث باسم الكرملين») maps to the full name and role met anywhere in the article
(«المتحدث باسم الكرملين، دميتري بيسكوف»). Entity mentions from ``marsad.facts.entities`` are
used first when given; the pattern-based reading of titles and names below works without them.

Every quote's ``evidence`` spans from its cue to the end of its words, so
``article.text[start:end]`` always contains ``quote.text``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marsad.analysed import AnalysedDoc
from marsad.model import Article, Evidence, Mention, Quote, Speaker
from marsad.text import Token, normalize, tokenize
from marsad.text.normalize import GAP

LEXICONS = Path(__file__).parent / "lexicons"

# A quotation shorter than this many words is a scare quote or a name («"تاس"», «"يختبر
# الأجواء"»), not a quoted statement. 3 on the seed articles: every quoted statement there has
# at least 3 words, every quoted outlet or phrase-in-paraphrase at most 2.
MIN_DIRECT_WORDS = 3
# A content whose quoted words are at least this share of all its words is a direct quote;
# below it the quotation is a phrase inside a paraphrase (مشددًا على أن موسكو تعتبر الضربات
# "جزءًا من العمليات" ...). 0.5 on the seed articles: direct statements sit at 0.8–1.0,
# embedded phrases at 0.2–0.4.
DIRECT_SHARE = 0.5
# A paraphrase around quoted words is an indirect quote of its own when it has at least this
# many words outside the quotation marks. 6 on the example corpus gold: «أن عناصر الشرطة "..."»
# (3 words outside) is only the direct quote; «أن خفض الإنتاج "سلاح ذو حدين" للدول ذات الكثافة
# السكانية المرتفعة، لأنه ...» (15 outside) is both.
MIN_PARAPHRASE_WORDS = 6
# An indirect quote needs at least this many words of content (shorter contents are nouns
# after «أعلن» etc. misread as speech). 3 on the seed articles.
MIN_INDIRECT_WORDS = 3
# The subject of a speech verb is looked for in at most this many tokens (role, name,
# appositive, time and channel phrases included). 30 covers «وأشار إيفان أوس، خبير في المعهد
# الأوكراني للدراسات الإستراتيجية، الأربعاء، خلال حديث لـ"العربي"، إلى أنه» (19 tokens).
MAX_SUBJECT_TOKENS = 30
# A person's name after a title is at most this many words (plus connectors عبد/بن/أبو/آل),
# unless the person gazetteer knows the next word: «الرئيس فلاديمير بوتين محادثات» -> 2 words.
MAX_NAME_WORDS = 2

OPEN_MARKS = "«“”\"„"
CLOSE_MARKS = "»”“\""
QUOTE_MARKS = set(OPEN_MARKS) | set(CLOSE_MARKS)


def _n(word: str) -> str:
    return normalize(word).replace(GAP, "")


@lru_cache(maxsize=None)
def lexicon(name: str) -> dict[str, str]:
    """A ``FORM<TAB>KIND`` (or one form a line) lexicon file, keyed by normalized form."""
    out: dict[str, str] = {}
    path = LEXICONS / name
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        form, _, kind = line.partition("\t")
        out[" ".join(_n(w) for w in form.split())] = kind.strip() or "yes"
    return out


@lru_cache(maxsize=1)
def _org_names() -> frozenset[str]:
    """Multi-word organization and outlet names (واشنطن بوست), normalized."""
    path = LEXICONS / "gazetteer_orgs.txt"
    if not path.exists():
        return frozenset()
    return frozenset(" ".join(_n(w) for w in line.split()) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    path = LEXICONS / "gazetteer_persons.txt"
    if not path.exists():
        return frozenset()
    return frozenset(_n(w) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#") for w in line.split())


INTRODUCERS = {_n(w) for w in (
    "أن", "إن", "أنه", "إنه", "أنها", "إنها", "أنهم", "إنهم", "أنهما", "أننا", "إننا", "أنني",
    "إنني", "بأن", "بأنه", "بأنها", "بأنهم", "بأننا")}
TIME_WORDS = {_n(w) for w in (
    "اليوم", "أمس", "غدا", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس",
    "الجمعة", "السبت", "صباح", "مساء", "ليل", "الليلة", "يوم", "الماضي", "الماضية", "مؤخرا",
    "سابقا", "أيضا", "كذلك", "بدوره", "بدورها", "مجددا", "حاليا", "اليوم،", "ظهر", "فجر",
    "الأحد،", "لاحقا", "مرارا", "بدورهم", "قد", "الأسبوع", "الشهر")}
PREPOSITIONS = {_n(w) for w in (
    "في", "خلال", "عبر", "لدى", "أثناء", "أمام", "ضمن", "عقب", "بعد", "قبل", "منذ", "حول",
    "على", "إلى", "من", "مع", "عن", "وفق", "بحسب", "حسب", "لـ", "ل", "تعليقا", "ردا", "وسط",
    "بشأن", "فيه", "فيها", "له", "لها", "لهم")}
CONNECTORS = {_n(w) for w in ("عبد", "بن", "ابن", "أبو", "أبي", "آل", "ولد", "دي", "فون", "فان")}
# Military and academic ranks stand between a title and its name (المتحدث باسم الجيش العميد X)
RANKS = {_n(w) for w in ("عميد", "عقيد", "لواء", "جنرال", "رائد", "مشير", "دكتور", "مقدم", "نقيب",
                         "فريق", "شيخ", "أستاذ", "بروفيسور", "سيناتور")}
# Ranks and forms of address that may stand between a title and the name; in a speaker they are
# moved out of the name and to the end of the role in brackets, one rule everywhere:
# «المتحدث باسم الجيش العميد فراس النوري» → name «فراس النوري», role «المتحدث باسم الجيش
# (العميد)»; with no title the rank alone is the role («العميد»).
HONORIFICS = RANKS | {_n(w) for w in ("طبيب", "طبيبة", "دكتورة", "محامي", "محامية", "مهندس",
                                       "مهندسة", "شيخة", "أستاذة")}
RANK_ADJECTIVES = {_n(w) for w in ("متقاعد", "متقاعدة", "ركن", "طيار", "بحري")}
REPORT_WORDS = {_n(w) for w in ("تقرير", "التقرير", "بيان", "البيان", "تقارير")}
RELATIVES = {_n(w) for w in ("الذي", "التي", "الذين")}
KANA = {_n(w) for w in ("كان", "وكان", "كانت", "وكانت", "فكان", "فكانت")}
POST_OPENERS = {_n(w) for w in ("حسبما", "بحسب", "وفق", "وفقا", "كما", "وفقما", "طبقا")}
# Participles of «قال» that repeat the verb before a colon: «وأضاف قائلا: ...»
SAYING_PARTICIPLES = {_n(w) for w in ("قائلا", "قائلاً", "قائلة", "قائلين", "قائلتين", "قائلون")}
# Words that open an adverbial phrase, not a subject, right after a speech verb: «ذكرت، نقلا عن
# ...»، «أشاروا خلاله إلى»
ADVERB_STARTS = {_n(w) for w in ("نقلا", "خلاله", "خلالها", "خلالهم", "فيه", "فيها", "عبره", "عبرها")}
# Verbal nouns that are the object of «أكد/جدد/أعلن» before a quotation, never a speaker: «وأكد
# رفض "تحويل اليمن ..."». Written for marsad from general knowledge of Arabic news style.
OBJECT_NOUNS = {_n(w) for w in (
    "رفض", "ضرورة", "أهمية", "استعداد", "التزام", "دعم", "حرص", "تمسك", "إدانة", "ترحيب", "رغبة",
    "موقف", "وجوب", "استمرار", "عزم")}
# Verbs that are speech only with a colon or a quotation after their subject: «ورد» is also
# «it was reported» and «رد» is also the noun «a reply».
COLON_ONLY = {_n(w) for w in ("رد", "ورد", "فرد", "ردت", "وردت", "فردت")}


# ---------------------------------------------------------------------------------------------
# The article as tokens, sentences and quotation spans


@dataclass
class _Doc:
    text: str
    tokens: list[Token]
    gaps: list[str]  # text between token i-1 and token i
    sent_of: list[int]
    sent_bounds: list[tuple[int, int]]  # per sentence: first token, one past last token
    quotes: list[tuple[int, int]]  # (index of opening mark, index of closing mark)
    mentions: list[Mention] = field(default_factory=list)
    _reach: int | None = field(default=None, repr=False)  # longest mention (mentions_over)
    _heads: dict[str, list[int]] | None = field(default=None, repr=False)  # _head_candidates
    _bodies: dict[str, tuple | None] | None = field(default=None, repr=False)  # _body_phrases
    _persons: set[str] | None = field(default=None, repr=False)  # _person_names
    _found: dict[tuple, object] = field(default_factory=dict, repr=False)  # per-article lookups

    def surface(self, i: int, j: int) -> str:
        """Article text from token i to token j-1 (inclusive), as written."""
        return self.text[self.tokens[i].start:self.tokens[j - 1].end]

    def word(self, i: int) -> str:
        """Token i's normalized form without a conjunction و/ف when that leaves a known word."""
        return self.tokens[i].norm

    # The quotation spans are disjoint and in text order (_quote_spans), and the mentions are
    # in text order (_build): the lookups below are binary searches, so an article's work
    # grows with its length, not with its length squared.
    def opens(self, j: int) -> tuple[int, int] | None:
        """The quotation whose opening mark stands in the gap before token j."""
        lo = self.tokens[j - 1].end if j > 0 else 0
        k = bisect.bisect_left(self.quotes, lo, key=lambda q: q[0])
        if k < len(self.quotes) and self.quotes[k][0] < self.tokens[j].start:
            return self.quotes[k]
        return None

    def closes(self, j: int) -> bool:
        """Does a quotation close in the gap before token j?"""
        lo = self.tokens[j - 1].end if j > 0 else 0
        hi = self.tokens[j].start if j < len(self.tokens) else len(self.text)
        k = bisect.bisect_left(self.quotes, lo, key=lambda q: q[1])
        return k < len(self.quotes) and self.quotes[k][1] < hi

    def quote_at(self, pos: int) -> tuple[int, int] | None:
        k = bisect.bisect_right(self.quotes, pos, key=lambda q: q[0]) - 1
        if k >= 0 and pos <= self.quotes[k][1]:
            return self.quotes[k]
        return None

    def quotes_within(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The quotations that open at or after ``lo`` and close at or before ``hi``, in order."""
        a = bisect.bisect_left(self.quotes, lo, key=lambda q: q[0])
        b = bisect.bisect_right(self.quotes, hi, key=lambda q: q[0])
        return [q for q in self.quotes[a:b] if q[1] <= hi]

    def mentions_over(self, start: int, end: int) -> list[Mention]:
        """The mentions that overlap start..end, in order."""
        if self._reach is None:
            self._reach = max((m.end - m.start for m in self.mentions), default=0)
        a = bisect.bisect_right(self.mentions, start - self._reach, key=lambda m: m.start)
        b = bisect.bisect_left(self.mentions, end, key=lambda m: m.start)
        return [m for m in self.mentions[a:b] if start < m.end]


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Quotation spans, as (opening mark index, closing mark index), never across a line.

    «» pair strictly; “ ” and " are used interchangeably (and reversed) in scraped Arabic
    text, so any of them closes the quotation the previous one opened.
    """
    spans: list[tuple[int, int]] = []
    for line_start, line in _lines(text):
        i = 0
        open_at: int | None = None
        closer = ""
        while i < len(line):
            c = line[i]
            if open_at is None:
                if c == "«":
                    open_at, closer = i, "»"
                elif c in "“”\"„":
                    open_at, closer = i, "“”\""
            elif c in closer:
                if i > open_at + 1:
                    spans.append((line_start + open_at, line_start + i))
                open_at = None
            i += 1
    return spans


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _build(article: Article, mentions: list[Mention], analysed: AnalysedDoc | None = None) -> _Doc:
    """The quote reader's view of ``article``: the tokens and sentences of its analysed
    document (``analysed``, built here when not given), the gaps between tokens, the
    quotation spans and the mentions in text order."""
    if analysed is None or not analysed.matches(article):
        analysed = AnalysedDoc.of(article)
    text = analysed.text
    tokens = analysed.tokens
    gaps = []
    prev = 0
    for t in tokens:
        gaps.append(text[prev:t.start])
        prev = t.end
    return _Doc(text, tokens, gaps, analysed.sentence_of, analysed.sentence_tokens, _quote_spans(text),
                sorted(mentions or [], key=lambda m: m.start))  # text order (stable: ties keep theirs)


# ---------------------------------------------------------------------------------------------
# Lexicon look-ups on tokens


def _kind(doc: _Doc, i: int, lex: str) -> str | None:
    """Kind of token i in lexicon ``lex``, trying it whole and with و/ف peeled."""
    table = lexicon(lex)
    w = doc.tokens[i].norm
    if w in table:
        return table[w]
    if len(w) > 3 and w[0] in "وف" and w[1:] in table:
        return table[w[1:]]
    return None


def _bare(w: str) -> str:
    """A word without a leading conjunction and article: «والمتحدث» -> «متحدث»."""
    if len(w) > 4 and w[0] in "وف" and w[1:3] == "ال":
        w = w[1:]
    if len(w) > 3 and w.startswith("ال"):
        w = w[2:]
    return w


def _definite(doc: _Doc, k: int) -> bool:
    """Does token k carry the article ال as written (not a name such as «أليكسي»)?"""
    w = doc.tokens[k].text.replace("\u0640", "")
    for p in ("ال", "وال", "فال", "بال", "لل", "ولل", "كال"):
        if w.startswith(p) and len(w) > len(p) + 1:
            return True
    return False


_ORG_ADJ_ENDINGS = ("ي", "يه", "ين", "يون", "يين", "ه")


def _org_end(doc: _Doc, a: int, b: int) -> int:
    """End of an organization's noun phrase: a noun and its adjectives (الرئاسة الروسية) or a
    construct (وزارة الدفاع الروسية); stops at a word with a pronoun (التزامها)."""
    k = a + 1
    while k < b and k - a < 4 and _definite(doc, k) and not _gap_has(doc.gaps[k], "،,:(«“\""):
        w = doc.tokens[k].norm
        if w.endswith("ها") or w.endswith("هم"):
            break
        if _definite(doc, a) and not w.endswith(_ORG_ADJ_ENDINGS):
            break  # after a definite noun only adjectives follow (الرئاسة الروسية)
        k += 1
    return k


def _is_role(doc: _Doc, i: int) -> bool:
    roles = lexicon("speech_roles.txt")
    w = doc.tokens[i].norm
    return w in roles or _bare(w) in roles


def _is_intro(doc: _Doc, i: int) -> bool:
    return doc.tokens[i].norm in INTRODUCERS


def _gap_has(gap: str, chars: str) -> bool:
    return any(c in gap for c in chars)


# ---------------------------------------------------------------------------------------------
# Speakers: the noun phrases after a speech verb


@dataclass
class _Subject:
    segments: list[tuple[int, int]]  # token ranges of noun-phrase pieces, split at commas
    content: int | None  # character offset where the content starts (None: no content)
    stop: int  # token index where parsing stopped
    skipped: list[tuple[int, int]]  # token ranges of adverbial phrases (channel, place, time)
    colon: bool = False  # the content was opened by «:» or a quotation mark


def _parse_subject(doc: _Doc, i: int, hi: int) -> _Subject:
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
            return _Subject(segs, tok.start - _lead_mark(gap), j, skipped, True)
        q = doc.opens(j)
        if q is not None:
            short = len(doc.text[q[0]:q[1]].split()) <= 3
            if not (short and (skip_start is not None or seg_start is not None)):
                if seg_start == j - 1 and j - 1 > i - 1 and _bare(doc.tokens[j - 1].norm) in OBJECT_NOUNS:
                    seg_start = None  # «وأكد رفض "..."»: the verb's object, not its subject
                close_seg(j)
                close_skip(j)
                return _Subject(segs, q[0], j, skipped, True)
        if j > i and _gap_has(gap, "،,;؛"):
            close_seg(j)
            close_skip(j)
        if _is_intro(doc, j):
            close_seg(j)
            close_skip(j)
            return _Subject(segs, tok.end, j, skipped)
        if w in (_n("قوله"), _n("قولها"), _n("قولهم"), _n("بالقول")):
            close_seg(j)
            close_skip(j)
            # «عن X قوله اليوم، إن ...»: the content starts at the next introducer if near
            for k in range(j + 1, min(hi, j + 5)):
                if _is_intro(doc, k):
                    return _Subject(segs, doc.tokens[k].end, k, skipped)
            return _Subject(segs, tok.end, j, skipped)
        if w in (_n("إلى"), _n("على")) and j + 1 < hi and _is_intro(doc, j + 1):
            close_seg(j)
            close_skip(j)
            return _Subject(segs, doc.tokens[j + 1].end, j + 1, skipped)
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
                and (lexicon("speech_channels.txt").get(_bare(w[1:])) in ("medium", "talk", "site")
                     or w[1:] in _org_names() or any(c.isdigit() or c.isascii() and c.isalpha() for c in w)):
            # «وقال لوكالة فرانس برس»، «المسؤول الأمني لشبكة CNN»: the outlet spoken to; before
            # the subject («وقالت لفرانس24 المخرجة ...») the subject follows the outlet's name
            if seg_start is None:
                _, nxt = _channel_name(doc, j, limit)
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
        if j > i and _kind(doc, j, "speech_verbs.txt") in ("verb", "part") and not _definite(doc, j):
            break
        if w in TIME_WORDS or tok.is_number:
            close_seg(j)
            j += 1
            continue
        if w in PREPOSITIONS or (w[:1] == "ل" and w[:3] != "لل" and len(w) <= 2) \
                or (w.startswith("لل") and seg_start is None):  # «للصحفيين»، «للشرق»
            # a preposition ends a name; inside a title it may belong to it (خبير في المعهد)
            if seg_start is not None and seg_role and not _channel_ahead(doc, j + 1, hi):
                j += 1
                continue
            close_seg(j)
            skip_start = j
            j += 1
            continue
        if seg_start is None:
            seg_start = j
            seg_role = _is_role(doc, j)
        j += 1
    close_seg(j)
    close_skip(j)
    return _Subject(segs, None, j, skipped)


def _lead_mark(gap: str) -> int:
    """How far back from the token the content starts: at a quotation mark after «:»."""
    for k, c in enumerate(gap):
        if c in OPEN_MARKS:
            return len(gap) - k
    return 0


def _channel_ahead(doc: _Doc, j: int, hi: int) -> bool:
    """Is token j a channel or time word (في بيان، خلال مؤتمر، في تصريحات ...)?"""
    if j >= hi:
        return True
    if _kind(doc, j, "speech_channels.txt") or doc.tokens[j].norm in TIME_WORDS:
        return True
    return _bare(doc.tokens[j].norm) in lexicon("speech_channels.txt")


@dataclass
class _Who:
    name: str | None
    role: str | None
    name_tokens: tuple[int, int] | None = None
    is_person: bool = False


def _split_np(doc: _Doc, a: int, b: int) -> _Who:
    """A noun phrase → (name, role): «المتحدث باسم الكرملين دميتري بيسكوف» → both."""
    pm = _person_tokens(doc, a, b)
    if pm is not None:
        # the entity tagger found the person: the words before it are the title
        p, n_end = pm
        if n_end - p == 1 and p - 1 > a and _bare_first_name(doc, p - 1):
            p -= 1  # the tagger took only the family name: «... هالة منصور» → «هالة منصور»
        if p == a:
            return _Who(doc.surface(p, n_end), None, (p, n_end), True)
        if _is_role(doc, a):
            # «مبعوث الرئيس الأمريكي دونالد ترامب ستيف ويتكوف»: a second name straight after
            # the first is the speaker; the first belongs to the title inside the head title
            nxt = _person_tokens(doc, n_end, b) if n_end < b else None
            if nxt is not None and nxt[0] == n_end and not _gap_has(doc.gaps[n_end], "،,:(") \
                    and not _definite(doc, n_end):
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[n_end - 1].end)
                return _Who(doc.surface(nxt[0], nxt[1]), role, nxt, True)
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[p - 1].end).rstrip(" ،,")
            return _Who(doc.surface(p, n_end), role, (p, n_end), True)
    if _is_role(doc, a):
        # a known first name inside the phrase starts the name: «مدير صحة محافظة عين الصفا
        # وائل الكبيسي» (the title's own construct nouns are indefinite like a name)
        for p in range(a + 1, min(b, a + 12)):
            if doc.tokens[p].norm == _n("مع") or (_is_role(doc, p) and _definite(doc, p)
                                                  and _bare(doc.tokens[p].norm) not in RANKS):
                break  # another person's title: «المبعوث ... مع الرئيس الروسي فلاديمير بوتين»
            if _first_name(doc, p) and doc.tokens[p - 1].norm not in CONNECTORS \
                    and doc.tokens[p - 1].norm != _n("باسم") and not _is_role(doc, p):
                n_end = _name_end(doc, p, b)
                if n_end - p == 1 and p - 1 > a and _bare_first_name(doc, p - 1):
                    p -= 1  # «... هالة منصور»: the known name is the family name
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[p - 1].end)
                return _Who(doc.surface(p, n_end), role, (p, n_end), True)
        k = a + 1
        while k < b:
            w = doc.tokens[k].norm
            prev = doc.tokens[k - 1].norm
            in_paren = "(" in doc.gaps[k] or (doc.text.rfind("(", doc.tokens[a].start, doc.tokens[k].start)
                                              > doc.text.rfind(")", doc.tokens[a].start, doc.tokens[k].start))
            if (_definite(doc, k) or _is_role(doc, k) or prev == _n("باسم") or prev in PREPOSITIONS
                    or in_paren or w in (_n("باسم"),) or w in PREPOSITIONS):
                k += 1
                continue
            break
        role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[k - 1].end)
        if k < b:
            n_end = _name_end(doc, k, b)
            # «مبعوث الرئيس الأمريكي دونالد ترامب ستيف ويتكوف»: a second name straight after
            # the first belongs to the head title; the first to the title inside it
            if (n_end < b and not _gap_has(doc.gaps[n_end], "،,:(")
                    and doc.tokens[n_end].norm in _person_words() and not _definite(doc, n_end)):
                n2 = _name_end(doc, n_end, b)
                role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[n_end - 1].end)
                return _Who(doc.surface(n_end, n2), role, (n_end, n2), True)
            return _Who(doc.surface(k, n_end), role.strip(), (k, n_end), True)
        return _Who(None, role.strip())
    if doc.tokens[a].norm in REPORT_WORDS and b > a + 1:
        return _Who(doc.surface(a + 1, _org_end(doc, a + 1, b)), doc.surface(a, a + 1))
    if lexicon("speech_channels.txt").get(_bare(doc.tokens[a].norm)) == "medium" and b > a + 1:
        # an outlet: «صحيفة نيويورك تايمز»، «وكالة الأنباء الروسية» (kind word kept)
        return _Who(doc.surface(a, min(b, a + 4)), None)
    if _definite(doc, a) or (a + 1 < b and _definite(doc, a + 1) and not _first_name(doc, a)):
        return _Who(doc.surface(a, _org_end(doc, a, b)), None)
    n_end = _name_end(doc, a, b)
    return _Who(doc.surface(a, n_end), None, (a, n_end), True)


def _person_tokens(doc: _Doc, a: int, b: int) -> tuple[int, int] | None:
    """Token range of the first PERSON mention inside tokens a..b-1 (entity tagger output)."""
    if not doc.mentions or b <= a:
        return None
    lo, hi = doc.tokens[a].start, doc.tokens[b - 1].end
    # mentions are in text order (_build): only those starting inside lo..hi are looked at
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


def _bare_first_name(doc: _Doc, k: int) -> bool:
    """Can token k be the first name before a one-word PERSON mention: a plain word (no
    article, not a title, preposition, time word or number), joined to the mention with no
    punctuation, after a word that ends the title, and inside no other entity mention?"""
    t = doc.tokens[k]
    w = t.norm
    if (_definite(doc, k) or _is_role(doc, k) or t.is_number or w in PREPOSITIONS or w in TIME_WORDS
            or w in CONNECTORS or w in INTRODUCERS or _bare(w) in HONORIFICS
            or _kind(doc, k, "speech_verbs.txt") or _gap_has(doc.gaps[k + 1], "،,:.()«»\"")):
        return False
    if doc.tokens[k - 1].norm in PREPOSITIONS or doc.tokens[k - 1].norm == _n("باسم"):
        return False  # «في سهيل»، «باسم موسكو»
    return not doc.mentions_over(t.start, t.end)


def _first_name(doc: _Doc, k: int) -> bool:
    """Is token k a person's first name the gazetteer knows (not a word with the article)?"""
    return not _definite(doc, k) and doc.tokens[k].norm in _person_words() and len(doc.tokens[k].norm) > 2


def _balanced(text: str, s: int, e: int) -> str:
    """text[s:e], extended over a closing bracket left open: «... (الكرملين» -> «... (الكرملين)»."""
    out = text[s:e]
    if out.count("(") > out.count(")"):
        close = text.find(")", e)
        if close != -1 and close - e < 40:
            out = text[s:close + 1]
    return out.strip()


def _name_end(doc: _Doc, a: int, b: int) -> int:
    """End of a person's name starting at token a (see MAX_NAME_WORDS)."""
    persons = _person_words()
    k = a
    words = 0
    while k < b:
        w = doc.tokens[k].norm
        if k > a and ("(" in doc.gaps[k] or _gap_has(doc.gaps[k], "،,.:")):
            break
        if w in CONNECTORS:
            k += 1
            continue
        if words >= MAX_NAME_WORDS and w not in persons:
            break
        family = words == 1 and (k + 1 >= b or _gap_has(doc.gaps[k + 1], "،,:.(")
                                 or doc.tokens[k + 1].norm in TIME_WORDS or _is_intro(doc, k + 1)
                                 or doc.tokens[k + 1].norm in PREPOSITIONS)
        if k > a and _definite(doc, k) and doc.tokens[k - 1].norm not in CONNECTORS \
                and not (_first_name(doc, k - 1) and words < MAX_NAME_WORDS) and not family:
            break  # «وائل الكبيسي»: a family name with the article after a first name is kept
        words += 1
        k += 1
    return max(k, a + 1)


def _who_from_segments(doc: _Doc, segs: list[tuple[int, int]]) -> _Who | None:
    """Name and role from the comma-separated pieces after a verb (role, name, appositive)."""
    name: _Who | None = None
    role: str | None = None
    for a, b in segs[:3]:
        if name is not None and role is None and _is_role(doc, a):
            # an appositive title after the name: «إيفان أوس، خبير في المعهد ...»
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
            break
        who = _split_np(doc, a, b)
        if who.name is None and who.role is not None:
            who.role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
        if who.name and name is None:
            name = who
            if who.role and role is None:
                role = who.role
        elif who.role and role is None:
            role = who.role if who.name is None else who.role
        elif name is not None and _is_role(doc, a) and role is None:
            role = _balanced(doc.text, doc.tokens[a].start, doc.tokens[b - 1].end)
        if name is not None and role is not None:
            break
    if name is None and role is None:
        return None
    if name is None:
        return _Who(None, role)
    return _Who(name.name, role, name.name_tokens, name.is_person)


# ---------------------------------------------------------------------------------------------
# Names met in the article: short forms and bare titles resolve to them


@dataclass
class _Known:
    name: str
    role: str | None
    pos: int
    entity: str | None = None


def _norm_words(s: str) -> list[str]:
    return [t.norm for t in tokenize(s)]


# Titles that name the same office: «وتابع الناطق» is «المتحدث باسم الوزارة» named before
ROLE_SYNONYMS = {_n("ناطق"): _n("متحدث"), _n("ناطقة"): _n("متحدثة")}


def _role_key(role: str) -> frozenset[str]:
    return frozenset(ROLE_SYNONYMS.get(_bare(w), _bare(w)) for w in _norm_words(role) if w not in (_n("باسم"),))


class _Registry:
    """Full names (with their roles) met in one article, for resolving later mentions."""

    def __init__(self) -> None:
        self.known: list[_Known] = []

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
        self.known.append(_Known(name, role, pos, entity))

    def unclip(self, name: str) -> str:
        """A known name that is ``name`` with letters before its first word («فراس النوري» for
        «راس النوري»): the entity tagger may read a name's first letter as a clitic."""
        for k in self.known:
            head = k.name[:len(k.name) - len(name)]
            if k.name.endswith(name) and head and " " not in head and len(head) <= 2:
                return k.name
        return name

    def by_name(self, name: str) -> _Known | None:
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

    def by_role(self, role: str, pos: int) -> _Known | None:
        key = _role_key(role)
        if not key:
            return None
        cands = [k for k in self.known if k.role and key <= _role_key(k.role)]
        if not cands:
            return None
        before = [k for k in cands if k.pos <= pos]
        return (before or cands)[-1]


def _prepass(doc: _Doc) -> _Registry:
    """Collect «title + full name» and «full name، title» pairs, and entity mentions."""
    reg = _Registry()
    n = len(doc.tokens)
    for i in range(n):
        if not _is_role(doc, i):
            continue
        if i > 0 and doc.tokens[i - 1].norm == _n("باسم"):
            continue
        # the title phrase: up to a comma or the end of the sentence
        lo, hi = doc.sent_bounds[doc.sent_of[i]]
        j = i + 1
        while j < hi and not _gap_has(doc.gaps[j], "،,:.«“\"") and j - i < 10:
            if _is_intro(doc, j) or doc.tokens[j].norm in TIME_WORDS or doc.tokens[j].norm in RELATIVES:
                break  # «المصدر الذي تحدث ...»: a relative clause is not the title's name
            j += 1
        who = _split_np(doc, i, j)
        if who.name and who.is_person:
            reg.add(who.name, who.role, doc.tokens[i].start)
        elif who.role and j < hi and _gap_has(doc.gaps[j], "،,") and j + 1 <= hi:
            # «المتحدث باسم الكرملين، دميتري بيسكوف،»
            if not _definite(doc, j) and not _is_role(doc, j) \
                    and doc.tokens[j].norm not in TIME_WORDS and not _is_intro(doc, j):
                e = _name_end(doc, j, hi)
                if e - j >= 2:
                    reg.add(doc.surface(j, e), who.role, doc.tokens[i].start)
    # «إيفان أوس، خبير في ...»: a two-word name followed by a title after a comma
    for i in range(1, n):
        if _is_role(doc, i) and _gap_has(doc.gaps[i], "،,") and i >= 2:
            a = i - 2
            if all(not _definite(doc, k) and doc.tokens[k].norm not in TIME_WORDS
                   and not _kind(doc, k, "speech_verbs.txt") for k in (a, a + 1)) \
                    and not _gap_has(doc.gaps[a + 1], "،,.:") and _kind(doc, a - 1, "speech_verbs.txt"):
                lo, hi = doc.sent_bounds[doc.sent_of[i]]
                j = i + 1
                while j < hi and not _gap_has(doc.gaps[j], "،,:."):
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


def _whole_word_name(doc: _Doc, m: Mention) -> str | None:
    """The mention from the start of the word it begins inside («راس النوري» inside «فراس
    النوري» → «فراس النوري»), or None when it starts on a word boundary."""
    i = bisect.bisect_right(doc.tokens, m.start, key=lambda t: t.end)  # first token ending after it
    if i < len(doc.tokens) and doc.tokens[i].start < m.start:
        return doc.text[doc.tokens[i].start:m.end]
    return None


def _resolve(doc: _Doc, reg: _Registry, who: _Who, pos: int) -> Speaker | None:
    """A speaker with the fullest name and role the article gives."""
    entity = None
    if who.name_tokens:
        m = _mention_over(doc, doc.tokens[who.name_tokens[0]].start, doc.tokens[who.name_tokens[1] - 1].end)
        if m is not None:
            name = m.canonical or m.text
            surface = who.name or ""
            first = doc.tokens[who.name_tokens[0]]
            if surface != m.text and surface.endswith(m.text) and (
                    (name == m.text and _n(surface.split()[0]) in _person_words())
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
    return bool(kw and lw) and _bare(kw[0]) == _bare(lw[0]) and len(known) > len(local)


def _rank_word(w: str) -> bool:
    """A definite rank or form of address (العميد، اللواء، الطبيب)."""
    w = _n(w)
    return (w.startswith("ال") or w.startswith("وال")) and _bare(w) in HONORIFICS


def _tidy_speaker(sp: Speaker) -> Speaker:
    """One rule for ranks (see HONORIFICS): out of the name and the title's tail, into brackets
    at the end of the role. «المتحدث باسم الجيش العميد» + «فراس النوري» → «المتحدث باسم الجيش
    (العميد)»; «العميد فراس النوري» with no title → name «فراس النوري», role «العميد»."""
    name_words = sp.name.split()
    ranks: list[str] = []
    # a rank heading a person's name: «العميد فراس النوري»
    if len(name_words) > 2 and _rank_word(name_words[0]):
        ranks.append(name_words.pop(0))
        while len(name_words) > 2 and _bare(_n(name_words[0])) in RANK_ADJECTIVES:
            ranks.append(name_words.pop(0))
    role_words = (sp.role or "").split()
    core = len(role_words)
    if role_words and not role_words[-1].endswith(")"):
        k = core
        while k > 0 and _bare(_n(role_words[k - 1])) in RANK_ADJECTIVES:
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


def _mention_over(doc: _Doc, start: int, end: int) -> Mention | None:
    for m in doc.mentions_over(start, end):
        if (m.type or "").upper() in ("PERSON", "PERS", "ORG"):
            return m
    return None


# ---------------------------------------------------------------------------------------------
# Channels (via)


def _channel_name(doc: _Doc, j: int, hi: int) -> tuple[str | None, int]:
    """The outlet named from token j on: a quoted or bracketed name, or the words after a
    kind of outlet (وكالة إنترفاكس). Returns (name, next token)."""
    channels = lexicon("speech_channels.txt")
    k = j
    medium: list[int] = []
    site_only = False  # the only kind words read are also common nouns (موقع الهجوم)
    while k < hi:
        gap = doc.gaps[k]
        if k > j and _gap_has(gap, "،,:"):
            break
        if doc.opens(k) is not None or "(" in gap:
            # a quoted / bracketed name
            e = k
            while e + 1 < hi and not doc.closes(e + 1) and ")" not in doc.gaps[e + 1] and e - k < 3:
                e += 1
            return doc.surface(k, e + 1), e + 1
        w = doc.tokens[k].norm
        if _bare(w) in channels or w in channels or (len(w) > 3 and w[0] == "ل" and _bare(w[1:]) in channels):
            kind = channels.get(_bare(w)) or channels.get(w) or channels.get(_bare(w[1:]))
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
            skip = 1 if m0.norm[:1] == "ل" and _bare(m0.norm) not in channels and m0.norm not in channels else 0
            return doc.text[m0.start + skip:doc.tokens[e - 1].end], e
        if w in PREPOSITIONS or w in TIME_WORDS or _kind(doc, k, "speech_verbs.txt"):
            break
        if medium and site_only and not _proper_after_site(doc, k):
            return None, k
        e = k + 1
        # a two-word outlet only when the organization gazetteer knows it (واشنطن بوست),
        # so that «تقريرًا لوكالة بلومبرغ تحدث عن» stops at بلومبرغ; words with the article
        # after a name are its own (قناة صوت الخليج الإخبارية)
        if e < hi and not _gap_has(doc.gaps[e], "،,:") and \
                f"{doc.tokens[k].norm} {doc.tokens[e].norm}" in _org_names():
            e += 1
        elif e < hi and medium and _definite(doc, e):
            e = _definite_run(doc, e, hi)
        return doc.surface(k, e), e
    if medium:
        return doc.surface(medium[0], medium[-1] + 1), medium[-1] + 1
    return None, k


# how many words with the article may follow an outlet's name or kind word (وكالة الأنباء
# السهيلية الرسمية: three)
MAX_OUTLET_ADJECTIVES = 3


def _definite_run(doc: _Doc, k: int, hi: int) -> int:
    """One past the run of words with the article from token k (no punctuation between)."""
    e = k
    while (e < hi and e - k < MAX_OUTLET_ADJECTIVES and _definite(doc, e)
           and (e == k or not _gap_has(doc.gaps[e], "،,:.(«“\""))
           and not doc.tokens[e].norm.startswith("لل") and _kind(doc, e, "speech_verbs.txt") is None):
        e += 1
    return max(e, k + 1)


def _proper_after_site(doc: _Doc, k: int) -> bool:
    """After «موقع»/«حساب»/«منصة», is token k a name (no article, not a preposition)?"""
    w = doc.tokens[k].norm
    return not _definite(doc, k) and w not in PREPOSITIONS and not w.endswith(("ه", "ها", "هم"))


def _find_via(doc: _Doc, ranges: list[tuple[int, int]], hi: int) -> list[str]:
    """Channels named inside the adverbial phrases of an attribution."""
    channels = lexicon("speech_channels.txt")
    out: list[str] = []
    fallback = ""  # «في مؤتمر صحفي»، «في بيان»: the channel when no outlet is named
    for a, b in ranges:
        k = a
        while k < b:
            w = doc.tokens[k].norm
            kind = channels.get(_bare(w)) or channels.get(w)
            if kind is None and len(w) > 3 and w[0] == "ل":
                kind = channels.get(_bare(w[1:]))
            if kind is None and w in (_n("ل"), _n("لـ")) and k + 1 <= b:
                kind = "talk"
            if kind is None and _kind(doc, k, "speech_verbs.txt") == "relay":
                kind = "carry"
            if kind is None:
                k += 1
                continue
            if kind == "talk":
                # «في حديث لـ"العربي"»، «في مقابلة مع صحيفة ...»; not «في مؤتمر صحافي»
                nxt_w = doc.tokens[k + 1].norm if k + 1 < len(doc.tokens) else ""
                if not (nxt_w in (_n("ل"), _n("لـ"), _n("مع"))
                        or (nxt_w[:1] == "ل" and _bare(nxt_w[1:]) in channels)
                        or (k + 1 < len(doc.tokens) and doc.opens(k + 1) is not None)):
                    if _bare(w) in FORMAT_CHANNELS and not fallback:
                        e = k + 1 if k + 1 < b and nxt_w in FORMAT_CHANNELS[_bare(w)] else k
                        fallback = doc.surface(k, e + 1)
                    k += 1
                    continue
            start = k if kind in ("medium", "site") else k + 1
            name, nxt = _channel_name(doc, start, max(b, min(hi, b + 1)))
            if name and name not in out:
                out.append(_strip_marks(name))
            k = max(nxt, k + 1)
    out = [v for v in out if v]
    return out or ([fallback] if fallback else [])


# statements whose form is itself the channel when no outlet carried them: the kind word and
# the words that may complete it (مؤتمر صحفي، بيان)
FORMAT_CHANNELS = {_n("مؤتمر"): {_n(w) for w in ("صحفي", "صحافي", "صحفيا", "صحافيا")},
                   _n("بيان"): set()}


def _strip_marks(s: str) -> str:
    return s.strip().strip("«»“”\"„()").strip()


# ---------------------------------------------------------------------------------------------
# Cues and quotes


@dataclass
class _Cue:
    tok: int
    kind: str  # verb | part | relay | post


def _cues(doc: _Doc, lo: int, hi: int) -> list[_Cue]:
    out = []
    for i in range(lo, hi):
        kind = _kind(doc, i, "speech_verbs.txt")
        if kind is None:
            continue
        if doc.quote_at(doc.tokens[i].start) is not None:
            q = doc.quote_at(doc.tokens[i].start)
            if len(doc.text[q[0]:q[1]].split()) > 3:
                continue  # a verb inside someone's quoted words
        out.append(_Cue(i, kind))
    return out


def _words(s: str) -> int:
    return len(tokenize(s))


# Connectives that open the next clause, cut from the end of a paraphrase.
TRAILING_CONNECTIVES = ("في حين", "فيما", "بينما", "حيث", "كما", "وسط", "في وقت", "بعدما")


def _make_quote(doc: _Doc, article: Article, speaker: Speaker, cue_start: int, c0: int, c1: int,
                via: list[str]) -> list[Quote]:
    """The quotes whose content is text[c0:c1]: one direct quote when quotation marks cover
    most of it; otherwise the paraphrase as an indirect quote (when long enough) and each
    quoted statement inside it as a direct quote («... أن عناصر الشرطة "لم يحملوا سوى ..."»)."""
    text = doc.text
    while c1 > c0 and (text[c1 - 1].isspace() or text[c1 - 1] in "،,.;؛:"):
        c1 -= 1
    # a connective left before the next clause's cue («...، في حين قالت منظمة ...»)
    for tail in TRAILING_CONNECTIVES:
        if text.endswith(tail, c0, c1) and (c1 - len(tail) == c0 or not text[c1 - len(tail) - 1].isalpha()):
            c1 -= len(tail)
            while c1 > c0 and (text[c1 - 1].isspace() or text[c1 - 1] in "،,;؛:"):
                c1 -= 1
            break
    while c0 < c1 and (text[c0].isspace() or text[c0] in ":،,"):
        c0 += 1
    for intro in ("إن ", "إنّ ", "أن ", "بأن "):
        if text.startswith(intro, c0):
            c0 += len(intro)
    if c1 <= c0:
        return []
    inside = doc.quotes_within(c0 - 1, c1 + 1)
    total = _words(text[c0:c1])
    quoted = [q for q in inside if _words(text[q[0] + 1:q[1]]) >= MIN_DIRECT_WORDS]
    qwords = sum(_words(text[q[0] + 1:q[1]]) for q in quoted)
    if quoted and total and qwords / total >= DIRECT_SHARE:
        s, e = quoted[0][0] + 1, quoted[-1][1]
        body = text[s:e].strip()
        s = text.index(body, s) if body else s
        end = max(e + 1, c1)
        return [Quote(article.id, speaker, body, True, Evidence(article.id, min(cue_start, s), min(end, len(text))),
                      via)]
    out: list[Quote] = []
    if total >= MIN_INDIRECT_WORDS and (not quoted or total - qwords >= MIN_PARAPHRASE_WORDS):
        out.append(Quote(article.id, speaker, text[c0:c1], False, Evidence(article.id, min(cue_start, c0), c1),
                         list(via)))
    for q in quoted:
        body = text[q[0] + 1:q[1]].strip()
        s = text.index(body, q[0])
        out.append(Quote(article.id, speaker, body, True,
                         Evidence(article.id, min(cue_start, s), min(q[1] + 1, len(text))), list(via)))
    return out


# The last article's tokens, sentences and first-pass registry: the claim reader reads the same
# article with the same mentions right after the quote reader (``extract_facts``), and building
# them twice cost ~2 s of worker time per 1,000 ANT articles. The key is the text and a snapshot
# of every mention's fields; the registry is handed out as a copy since readers add names to it.
_PREPARED: tuple[tuple, _Doc, list[_Known]] | None = None


def _prepare(article: Article, mentions: list[Mention] | None,
             analysed: AnalysedDoc | None = None) -> tuple[_Doc, _Registry]:
    """``_build`` and ``_prepass`` of ``article`` (reused when the same article comes again)."""
    global _PREPARED
    ms = list(mentions or [])
    key = (article.text, tuple(tuple(vars(m).values()) for m in ms))
    if _PREPARED is not None and _PREPARED[0] == key:
        doc, known = _PREPARED[1], _PREPARED[2]
    else:
        doc = _build(article, ms, analysed)
        known = _prepass(doc).known
        _PREPARED = (key, doc, [_Known(k.name, k.role, k.pos, k.entity) for k in known])
    reg = _Registry()
    reg.known = [_Known(k.name, k.role, k.pos, k.entity) for k in known]
    return doc, reg


def find_quotes(article: Article, mentions: list[Mention] | None = None,
                doc: AnalysedDoc | None = None) -> list[Quote]:
    """Direct and indirect quotes of ``article`` (see the module doc); ``doc`` is its
    analysed document when already built (``marsad.analysed``)."""
    if not article.text:
        return []
    doc, reg = _prepare(article, mentions, doc)
    quotes: list[Quote] = []
    last: Speaker | None = None
    used_quotes: set[tuple[int, int]] = set()

    for s_idx, (lo, hi) in enumerate(doc.sent_bounds):
        if hi <= lo:
            continue
        cues = _cues(doc, lo, hi)
        consumed_until = lo
        sent_speaker: Speaker | None = None
        pending: list[tuple[Speaker, int, int, list[str]]] = []  # speaker, cue start, content start, via
        ends: list[int] = []
        for ci, cue in enumerate(cues):
            i = cue.tok
            if i < consumed_until:
                continue
            tok = doc.tokens[i]
            # post-posed attribution: «... حسبما نقلت صحيفة X عن Y»
            if i > lo and (doc.tokens[i - 1].norm in POST_OPENERS or
                           (doc.tokens[i - 1].norm == "ما" and i - 2 >= lo and doc.tokens[i - 2].norm in POST_OPENERS)):
                opener = i - 1 if doc.tokens[i - 1].norm in POST_OPENERS else i - 2
                sp, via, stop = _post_attribution(doc, reg, i, hi, cue.kind)
                consumed_until = stop
                if sp is not None and opener > lo:
                    c0 = doc.tokens[lo].start if not pending else pending[-1][2]
                    if not pending:
                        for q in _make_quote(doc, article, sp, c0, c0, doc.tokens[opener].start, via):
                            quotes.append(q)
                            used_quotes.update(_quotes_in(doc, q))
                            last = sp
                    else:
                        ends.append(doc.tokens[opener].start)
                continue
            if cue.kind == "part":
                sub = _parse_subject(doc, i + 1, hi)
                if sub.content is None and doc.tokens[i].norm not in (_n("قائلا"), _n("قائلة")):
                    continue
                if sub.segments and not sub.colon:
                    continue  # «مؤكدًا التزام ...»: an object, not a content
                sp = sent_speaker or _initial_subject(doc, reg, lo, i)
                if sp is None:
                    continue
                content = sub.content if sub.content is not None else tok.end
                if pending:
                    ends.append(tok.start)
                pending.append((sp, tok.start, content, _find_via(doc, sub.skipped, hi)))
                consumed_until = sub.stop
                continue
            if cue.kind == "relay":
                sp, via, content, stop = _relay(doc, reg, i, hi)
                if sp is None or content is None:
                    continue
                if pending:
                    ends.append(tok.start)
                pending.append((sp, tok.start, content, via))
                sent_speaker = sp
                last = sp
                consumed_until = stop
                continue
            if cue.kind == "post" and i > lo:
                continue  # «حسبما أوردت ...» is read above; «وأوردت صحيفة X أن» opens its sentence
            if cue.kind == "deny":
                # «نفى المتحدث باسم ... X أي صلة ...»: no quote, but X is who speaks next
                sub = _parse_subject(doc, i + 1, hi)
                segs = [_cut_at_object(doc, a, b) for a, b in sub.segments[:2]]
                who = _who_from_segments(doc, [sg for sg in segs if sg[1] > sg[0]])
                if who is not None and who.name:
                    sp = _resolve(doc, reg, who, tok.start)
                    if sp is not None:
                        sent_speaker = sp
                        last = sp
                continue
            # a finite speech verb
            sub = _parse_subject(doc, i + 1, hi)
            who = _who_from_segments(doc, sub.segments)
            speaker: Speaker | None = None
            pre = _subject_before(doc, reg, i, lo) if (who is None or _after_relative(doc, i, lo)) else None
            if pre is not None:
                speaker = pre
                who = who or _Who(pre.name, pre.role)
            elif who is not None:
                speaker = _resolve(doc, reg, who, tok.start)
            if (who is not None and not who.is_person and (i == lo or _gap_has(doc.gaps[i], "،,"))
                    and last is not None and _object_not_subject(doc, reg, i, sub, last)):
                # «ودعا المجتمع الدولي إلى ...، لافتا إلى أن»: the verb's object; its subject is
                # the speaker of the sentences before
                speaker, who = last, _Who(last.name, last.role, None, True)
            if speaker is not None and who is not None:
                sent_speaker = speaker
            if doc.tokens[i].norm in COLON_ONLY and not sub.colon and not _says_by(doc, i, sub.stop):
                if speaker is not None and who is not None and who.is_person:
                    last = speaker  # «ورد ترامب على الاتهامات ...، وقال في تغريدة»: he speaks next
                continue
            if sub.content is None and (speaker is not None or last is not None):
                # «دعا ... إلى»، «أكد على»، «أعرب عن»، «حذر من»، «اتهم ... بـ»: what follows
                # the verb's own preposition is what was said
                sub.content = _prep_content(doc, i, sub)
            if sub.content is None:
                if speaker is not None and who is not None and who.is_person:
                    last = speaker
                elif speaker is not None and who is None:
                    last = speaker
                continue
            if speaker is None and who is None:
                # «واختار بن سالم مدينة ...، حيث قال إن»: the sentence's own subject first
                init = _initial_subject(doc, reg, lo, i, persons_only=True)
                speaker = init or last
            if speaker is None:
                continue
            if pending:
                ends.append(tok.start)
            pending.append((speaker, tok.start, sub.content, _find_via(doc, sub.skipped, hi)))
            sent_speaker = speaker
            last = speaker
            consumed_until = sub.stop
        sent_end = doc.tokens[hi - 1].end
        # a quotation running past the last token (closing mark after the full stop)
        q = doc.quote_at(sent_end - 1)
        if q is not None:
            sent_end = max(sent_end, q[1] + 1)
        ends.append(sent_end)
        for (sp, cstart, c0, via), c1 in zip(pending, ends):
            for q in _make_quote(doc, article, sp, cstart, c0, c1, via):
                quotes.append(q)
                used_quotes.update(_quotes_in(doc, q))
        # «...»، قال X: a quotation followed by its verb
        if not pending:
            q = None if doc.tokens[lo].norm in ACCORDING and not cues else \
                _quote_then_verb(doc, article, reg, lo, hi, used_quotes)
            if q is not None:
                quotes.append(q)
                used_quotes.update(_quotes_in(doc, q))
                last = q.speaker
            elif not cues or doc.tokens[lo].norm in (_n("جاء"), _n("وجاء")):
                # «وبحسب X، فإن ...»، «...، وفق المرصد»: attributed with no speech verb
                acc = _according_to(doc, reg, lo, hi)
                if acc is not None:
                    sp, c0, c1, cue_start = acc
                    for q in _make_quote(doc, article, sp, cue_start, c0, c1, []):
                        quotes.append(q)
                        used_quotes.update(_quotes_in(doc, q))
    tidy: dict[int, Speaker] = {}
    prev: Speaker | None = None
    for q in quotes:
        if id(q.speaker) not in tidy:
            sp = _unnamed(_tidy_speaker(_spell_out_pronoun(doc, q.speaker, q.evidence.start)))
            tidy[id(q.speaker)] = _unnamed(_fullest(doc, reg, sp, q.evidence.start, prev))
        q.speaker = tidy[id(q.speaker)]
        prev = q.speaker
    return quotes


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
_UNNAMED = {_n(k): v for k, v in UNNAMED_HEADS.items()}


def _unnamed_qualifier(word: str) -> bool:
    """Does ``word`` after an unnamed head keep it unnamed: a preposition («مسؤول في الخارجية»)
    or an adjective («مسؤول أمريكي»), not a genitive that makes it a title («مسؤول ملف ...»)?"""
    return _n(word) in PREPOSITIONS or word.replace("\u0640", "").endswith(_NISBA_ENDINGS)


def _nominative(word: str, number: int) -> str:
    """A dual or sound masculine plural adjective in the nominative (محليين → محليان/محليون)."""
    if word.endswith("ين") and len(word) > 4 and number in (2, 3):
        return word[:-2] + ("ان" if number == 2 else "ون")
    return word


def _unnamed(sp: Speaker) -> Speaker:
    """An unnamed source («مصدرين محليين»، «شهود عيان») in the nominative, role «مصدر غير مسمى»."""
    words = sp.name.split()
    role_words = (sp.role or "").split()
    if words and _n(words[0]) in _UNNAMED:
        head, number = _UNNAMED[_n(words[0])]
    elif role_words and _n(role_words[0]) in _UNNAMED:
        # «مصادر» read as a title before «طبية»: the phrase is the source
        head, number = _UNNAMED[_n(role_words[0])]
        named = any(_n(w) in _person_words() and _n(w) not in PREPOSITIONS for w in words)
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


def _spell_out_pronoun(doc: _Doc, sp: Speaker, pos: int) -> Speaker:
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
        if _bare(tok.norm) in ORG_HEADS and t + 1 < len(doc.tokens):
            spans.append((tok.start, doc.tokens[_org_end(doc, t, len(doc.tokens)) - 1].end))
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
# adjectives of relation as written (ى is a verb's ending: «ألقى» is not «الأممي»)
_NISBA_ENDINGS = ("ي", "ية", "يه", "يين", "يون", "يان", "يتين")
# the channel words a tagger or a parse may leave glued to a speaker's name (بوليانسكي لرويترز)
# adjectives that do not end like one: «المحكمة العليا»، «الدول الأربع»
_DEFINITE_ADJECTIVES = {_bare(_n(w)) for w in ("العليا", "الكبرى", "الأعلى", "الأربع", "الثلاث", "الخمس",
                                                "الست", "السبع", "العشرين", "الثماني", "الكبير", "الأحمر",
                                                "الأخضر", "الأبيض", "الأسود", "الأزرق")}
_PRESS_WORDS = {_n(w) for w in ("صحفيين", "صحافيين", "الصحفيين", "الصحافيين", "صحافة", "الصحافة",
                                 "للصحفيين", "للصحافيين", "للصحافة")}


def _body_word_stop(doc: _Doc, e: int) -> bool:
    t = doc.tokens[e]
    w = t.norm
    return (w in PREPOSITIONS or w in TIME_WORDS or w in INTRODUCERS or w in RELATIVES or t.is_number
            or _n(t.text) in THEN_WORDS
            or w == _n("باسم") or _kind(doc, e, "speech_verbs.txt") is not None
            or w.endswith(("ها", "هم", "هما")))


def _chain_ends_named(doc: _Doc, e: int, hi: int) -> bool:
    """Do the indefinite words from token e run (without punctuation, within three words) into a
    word with the article or an adjective: a construct chain («خارجية مجموعة السبع»), not an
    object («مقتل 18 شخصا»)?"""
    for k in range(e, min(hi, e + 2)):
        if k > e and _gap_has(doc.gaps[k], _STOP_PUNCT):
            return False
        if _body_word_stop(doc, k) or doc.tokens[k].norm[:1] in "وف" \
                or doc.tokens[k].text.startswith(("لإ", "لأ", "لـ", "لت")):
            return False  # a second party (و) or a purpose (لإتمام، لتنفيذ), not a name
        nisba = _nisba(doc, k)
        if _definite(doc, k) or nisba:
            return k > e or nisba
    return False


def _nisba(doc: _Doc, k: int) -> bool:
    w = doc.tokens[k].text.replace("\u0640", "")
    return len(w) > 3 and w.endswith(_NISBA_ENDINGS)


UNNAMED_PREPS = {_n(w) for w in ("على", "من", "في", "ب", "لدى")}


def _body_extent(doc: _Doc, k: int, hi: int) -> int:
    """One past the last word of the body's name whose head is token k: adjectives and
    genitives with the article, «لـ» genitives before a word with the article (المرصد السوري
    لحقوق الإنسان) and, while no word with the article has come, a construct chain or proper
    name (قوات سوريا الديموقراطية، وسائل إعلام ألمانية)."""
    e = k + 1
    definite = after_definite = _definite(doc, k)
    while e < hi and e - k < MAX_BODY_WORDS:
        if _gap_has(doc.gaps[e], _STOP_PUNCT) or _body_word_stop(doc, e):
            break
        w = doc.tokens[e].norm
        if w[:1] in "وف" and len(w) > 3 and (w[1:3] == "ال" or not _definite(doc, e)):
            break  # «فرنسا وغينيا الاستوائية»: a second party, not the first one's name
        if w.startswith("لل"):  # «للأنباء»
            e += 1
            definite = True
            continue
        if w.startswith("ل") and len(w) > 3 and e > k + 1 and e + 1 < hi and _definite(doc, e + 1) \
                and not _gap_has(doc.gaps[e + 1], _STOP_PUNCT) and not _body_word_stop(doc, e + 1):
            # «المرصد السوري لحقوق الإنسان»; straight after the head it is a purpose
            # («الحكومة لحماية المدارس»), not a name
            e += 1
            after_definite = False
            continue
        if _definite(doc, e):
            # after a word with the article only adjectives follow (الجيش اليمني، not «الجيش
            # اليمني السكان» where the verb's object comes next); after a construct noun or a
            # «لـ» genitive, its genitive does (مكتب الأمم، لحقوق الإنسان)
            if after_definite and not w.endswith(_ORG_ADJ_ENDINGS) and _bare(w) not in _DEFINITE_ADJECTIVES:
                break
            e += 1
            definite = after_definite = True
            continue
        if w == _n("بقيادة") and e + 1 < hi and not _gap_has(doc.gaps[e + 1], _STOP_PUNCT):
            e += 2  # «التحالف العربي بقيادة السعودية»
            break
        if e == k + 1 and _bare(doc.tokens[k].norm) in _UNNAMED and not _definite(doc, e):
            e += 1  # «مصدر مطلع»، «مسؤول كبير»: an unnamed source's adjective
            continue
        if definite or not _chain_ends_named(doc, e, hi):
            break
        after_definite = False
        e += 1
    # «مصدر مطلع على الخطة»، «مسؤول في الخارجية الأمريكية»: an unnamed source's complement
    if e + 1 < hi and _bare(doc.tokens[k].norm) in _UNNAMED and doc.tokens[e].norm in UNNAMED_PREPS \
            and not _gap_has(doc.gaps[e], _STOP_PUNCT) and _definite(doc, e + 1) \
            and not _gap_has(doc.gaps[e + 1], _STOP_PUNCT):
        e += 2
        while e < hi and e - k < MAX_BODY_WORDS and _definite(doc, e) and not _gap_has(doc.gaps[e], _STOP_PUNCT) \
                and doc.tokens[e].norm.endswith(_ORG_ADJ_ENDINGS):
            e += 1
        return e
    # «المحكمة العليا في السعودية»، «الحكومة في أبوجا مطلع الشهر»: a country or city closing
    # the name; «إدارة النقل في ولاية فلوريدا الأميركية»: a state, province or city by its name
    if e + 2 < hi and doc.tokens[e].norm == _n("في") and _bare(doc.tokens[e + 1].norm) in PLACE_KINDS \
            and not _gap_has(doc.gaps[e + 1], _STOP_PUNCT) and not _gap_has(doc.gaps[e + 2], _STOP_PUNCT) \
            and not _definite(doc, e + 2) and not _body_word_stop(doc, e + 2):
        e += 3
        while e < hi and e - k < MAX_BODY_WORDS + 3 and _definite(doc, e) and _nisba(doc, e) \
                and not _gap_has(doc.gaps[e], _STOP_PUNCT):
            e += 1
        return e
    if e + 1 < hi and doc.tokens[e].norm == _n("في") and not _gap_has(doc.gaps[e], _STOP_PUNCT) \
            and (e + 2 >= hi or _gap_has(doc.gaps[e + 2], _STOP_PUNCT) or _body_word_stop(doc, e + 2)
                 or doc.tokens[e + 2].norm in PLACE_TIME_AFTER) \
            and _is_place(doc, e + 1):
        e += 2
    return e


# how far (characters) after its verb a speaker's own name may stand, counted as named before
# its words («وأعلن التحالف العربي بقيادة السعودية عن ...»: the phrase itself gives the name)
SUBJECT_REACH = 60
PLACE_KINDS = {_n(w) for w in ("ولاية", "مدينة", "محافظة", "إقليم", "مقاطعة", "جزيرة")}
PLACE_TIME_AFTER = {_n(w) for w in ("مطلع", "أواخر", "منتصف", "أوائل", "بداية", "نهاية")}


def _is_place(doc: _Doc, k: int) -> bool:
    t = doc.tokens[k]
    if any((m.type or "").upper() in ("PLACE", "LOC") for m in doc.mentions_over(t.start, t.end)):
        return True
    return _bare(t.norm) in lexicon("gazetteer_countries.txt") or t.norm in lexicon("gazetteer_cities.txt")


def _head_at(doc: _Doc, k: int, head: str) -> int | None:
    """Character where the head noun ``head`` (bare form) starts in token k, after a proclitic
    و/ف/ب/ل; None when token k is not that noun (a «لل» form is skipped: its article is hidden)."""
    t = doc.tokens[k]
    if _bare(t.norm) == head:
        return t.start + (1 if t.norm[:1] in "وف" and t.norm[1:3] == "ال" else 0)
    if len(t.norm) > 3 and t.norm[0] in "وفبل" and not t.norm.startswith("لل") and _bare(t.norm[1:]) == head:
        return t.start + 1
    return None


def _fuzzy_in(word: str, words: list[str]) -> bool:
    for v in words:
        short, long_ = (word, v) if len(word) <= len(v) else (v, word)
        if short == long_ or (len(short) >= 3 and len(long_) - len(short) <= 2
                              and (long_.startswith(short) or long_.endswith(short))):
            return True  # a case ending or a proclitic more (الأممي ~ الأمم، لمكتب ~ مكتب)
    return False


def _head_candidates(doc: _Doc, head: str) -> list[int]:
    """The tokens k, in order, where ``_head_at(doc, k, head)`` may hold or token k+1 is that
    noun (an index of the article's bare forms, built once: looking at every token for each
    body speaker made long articles quadratic)."""
    if doc._heads is None:
        index: dict[str, set[int]] = {}
        for k, t in enumerate(doc.tokens):
            keys = {_bare(t.norm)}
            if len(t.norm) > 3 and t.norm[0] in "وفبل" and not t.norm.startswith("لل"):
                keys.add(_bare(t.norm[1:]))
            for key in keys:
                got = index.setdefault(key, set())
                got.add(k)
                if k:
                    got.add(k - 1)
        doc._heads = {key: sorted(ks) for key, ks in index.items()}
    return doc._heads.get(head, [])


def _fullest_body(doc: _Doc, name: str, pos: int) -> str | None:
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


def _body_phrases(doc: _Doc, name: str):
    """For ``_fullest_body``: the phrases naming the body ``name`` in the article (in text
    order), the distinct bodies with its head seen so far at each mention, the phrase to use
    when none stands before the speaker (None: not one body), a function giving the longest
    phrase that holds a given one, and whether ``name`` has more words than its head. Cached
    per article and name; None when the name has no words."""
    if doc._bodies is None:
        doc._bodies = {}
    if name not in doc._bodies:
        doc._bodies[name] = _find_body_phrases(doc, name)
    return doc._bodies[name]


def _find_body_phrases(doc: _Doc, name: str):
    words = [_bare(_n(w)) for w in name.split()]
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
        if start is not None and k + 1 < n and not _gap_has(doc.gaps[k + 1], _STOP_PUNCT) \
                and not _body_word_stop(doc, k + 1):
            bodies.append((start, _bare(doc.tokens[k + 1].norm)))
        via_ministry = False
        if start is None:
            # «الخارجية الروسية» for «وزارة الخارجية الروسية»
            if not (k + 1 < n and _bare(doc.tokens[k].norm) == _n("وزاره") and _bare(doc.tokens[k + 1].norm) == head):
                continue
            start, via_ministry = doc.tokens[k].start, True
        hi = doc.sent_bounds[doc.sent_of[k]][1]
        e = _body_extent(doc, k + 1 if via_ministry else k, hi)
        cw = [_bare(t.norm) for t in doc.tokens[k:e]]
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


def _person_names(doc: _Doc) -> set[str]:
    """The names of the article's PERSON mentions (as canonical, else as written); built once."""
    if doc._persons is None:
        doc._persons = {m.canonical or m.text for m in doc.mentions
                        if (m.type or "").upper() in ("PERSON", "PERS")}
    return doc._persons


def _appositive_person(doc: _Doc, name: str, role: str | None = None) -> tuple[str, int] | None:
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
            if k < len(doc.tokens) and _bare(doc.tokens[k].norm) in HONORIFICS | {_n("امير"), _n("شيخ")}:
                rank = doc.tokens[k].text
                k += 1
            e = k + 1
            while e < len(doc.tokens) and e - k < 6 and not _gap_has(doc.gaps[e], "،,.:()"):
                e += 1
            closed = e >= len(doc.tokens) or _gap_has(doc.gaps[e], "،,.:")
            if k < len(doc.tokens) and closed and 2 <= e - k <= 5 and not _definite(doc, k) \
                    and doc.tokens[k].norm[:1] not in "وف" and not any(
                    doc.tokens[j].norm in TIME_WORDS or doc.tokens[j].is_number or _is_intro(doc, j)
                    or doc.tokens[j].norm in PREPOSITIONS or _is_role(doc, j)
                    or _kind(doc, j, "speech_verbs.txt") for j in range(k, e)):
                return doc.surface(k, e) + (f"\t{rank}" if rank else ""), doc.tokens[k].start
        if role:
            break  # only where the title itself stands
        pos = doc.text.find(name, pos + 1)
    return None


def _name_before_title(doc: _Doc, role: str, name: str) -> str | None:
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
    while a > 0 and k - a < 3 and not _gap_has(doc.gaps[a], "،,.:") \
            and not _kind(doc, a - 1, "speech_verbs.txt") and doc.tokens[a - 1].norm not in PREPOSITIONS:
        a -= 1
    if not (a > 0 and _kind(doc, a - 1, "speech_verbs.txt")) or not 2 <= k + 1 - a <= 3:
        return None
    if any(_definite(doc, j) or _is_role(doc, j) or doc.tokens[j].norm in TIME_WORDS for j in range(a, k + 1)):
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
        and not ws[1].replace("\u0640", "").endswith(_NISBA_ENDINGS)


def _tokens_written(doc: _Doc, text: str) -> list[int]:
    """The tokens written exactly ``text``, in order (an index of the article built once)."""
    index = doc._found.get(("tokens",))
    if index is None:
        index = doc._found[("tokens",)] = {}
        for k, t in enumerate(doc.tokens):
            index.setdefault(t.text, []).append(k)
    return index.get(text, [])


def _first_name_before(doc: _Doc, name: str) -> str | None:
    """«أن ديني بيت ترك رسالة»: a one-word PERSON whose first name the tagger left out, when the
    word before it can be a first name and comes straight after «أن», a verb or a comma."""
    if name not in _person_names(doc):
        return None  # the tagger must know the word as a person somewhere
    key = ("first name before", name)
    if key not in doc._found:
        doc._found[key] = _find_first_name_before(doc, name)
    return doc._found[key]


def _find_first_name_before(doc: _Doc, name: str) -> str | None:
    for k in _tokens_written(doc, name):
        if k < 2:
            continue
        before = doc.tokens[k - 2]
        if _bare_first_name(doc, k - 1) and (_is_intro(doc, k - 2) or _gap_has(doc.gaps[k - 1], "،,")
                                             or _kind(doc, k - 2, "speech_verbs.txt")) and before.norm != _n("عن"):
            return doc.surface(k - 1, k + 1)
    return None


# Ministries named by their domain alone («الخارجية الفلسطينية» for the foreign ministry): what
# «الوزارة» may refer back to. Written for marsad from general knowledge of Arabic news style.
MINISTRY_DOMAINS = {_n(w) for w in ("خارجية", "داخلية", "دفاع", "صحة", "عدل", "مالية", "تربية", "زراعة",
                                    "اقتصاد", "طاقة", "نقل", "إعلام", "ثقافة", "سياحة")}


def _ministry_before(doc: _Doc, name: str, pos: int) -> str | None:
    """«الوزارة» after «قالت الخارجية الفلسطينية»: the ministry named by its domain just before."""
    if _bare(_n(name)) != _n("وزاره"):
        return None
    for k in range(len(doc.tokens) - 1, -1, -1):
        t = doc.tokens[k]
        if t.start >= pos:
            continue
        if t.start < pos - 2 * NEAR_BODY:
            break
        if _definite(doc, k) and _bare(t.norm) in MINISTRY_DOMAINS and k > 0 \
                and _bare(doc.tokens[k - 1].norm) not in (_n("وزير"), _n("وزيره"), _n("وزاره")):
            e = _body_extent(doc, k, doc.sent_bounds[doc.sent_of[k]][1])
            start = t.start + (1 if t.norm[:1] in "وفبل" and t.norm[1:3] == "ال" else 0)
            return doc.text[start:doc.tokens[e - 1].end] if e - k >= 2 else None
    return None


def _channel_word(word: str) -> bool:
    """«لرويترز»، «للصحافيين»، «لـCNN»: the outlet or the people a statement was given to."""
    w = _n(word)
    rest = w[1:].lstrip("ـ")
    return w[:1] == "ل" and (w[1:] in _org_names() or _bare(w[1:]) in lexicon("speech_channels.txt")
                             or w[1:] in _PRESS_WORDS or w in _PRESS_WORDS
                             or (rest[:1].isascii() and rest[:1].isalpha()))


def _fullest(doc: _Doc, reg: _Registry, sp: Speaker, pos: int, prev: Speaker | None) -> Speaker:
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
                e = _body_extent(doc, k + 1, doc.sent_bounds[doc.sent_of[k]][1])
                return Speaker(doc.surface(k + 1, e), None, sp.entity)
        elif all(w.replace("\u0640", "").endswith(_NISBA_ENDINGS) for w in words):
            return Speaker(f"{sp.role} {sp.name}", None, sp.entity)
        elif words[0].startswith("ل") and len(words[0]) > 3:
            # «بيان للجنة الدولية»: the body the statement is of, named in full
            at = doc.text.find(f"{sp.role} {sp.name}")
            if at >= 0:
                k = bisect.bisect_left(doc.tokens, at + len(sp.role) + 1, key=lambda t: t.start)
                if k < len(doc.tokens):
                    e = _body_extent(doc, k, doc.sent_bounds[doc.sent_of[k]][1])
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
        if ("ما after a verb",) not in doc._found:  # found once per article
            doc._found[("ما after a verb",)] = [k for k in _tokens_written(doc, "ما") if 1 <= k < len(doc.tokens) - 1
                                                and _kind(doc, k - 1, "speech_verbs.txt")]
        for k in doc._found[("ما after a verb",)]:
            if doc.text.startswith(sp.name, doc.tokens[k + 1].start):
                return Speaker(f"ما {sp.name}", None, sp.entity)
    if len(words) == 1 and not sp.role:
        first = _first_name_before(doc, sp.name)  # «بيت» for «ديني بيت»
        if first is not None:
            return Speaker(first, None, sp.entity)
    # a person: a first name the gazetteer knows opens it («العربي» alone is also a family name,
    # but «التحالف العربي» is a body), or the tagger read it as one
    person = bool(words) and ((_n(words[0]) in _person_words() and not words[0].startswith("ال"))
                              or sp.name in _person_names(doc))
    if sp.role and sp.role != UNNAMED_ROLE and not person:
        app = _appositive_person(doc, sp.name, sp.role)
        if app is not None:
            # a rank before the name goes to the end of the title in brackets (_tidy_speaker)
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


# Verbs of calling on and accusing, whose object may stand straight after them with the subject
# left out (the speaker of the sentences before): «ودعا المجتمع الدولي إلى»، «واتهم ميليشيات
# الحوثي بتعطيل ...». Written for marsad from general knowledge of Arabic news style.
OBJECT_VERBS = {_n(w) for w in ("دعا", "ودعا", "حث", "وحث", "طالب", "وطالب", "ناشد", "وناشد",
                                "اتهم", "واتهم", "دعت", "ودعت", "طالبت", "وطالبت", "اتهمت", "واتهمت")}


def _object_not_subject(doc: _Doc, reg: _Registry, i: int, sub: _Subject, last: Speaker) -> bool:
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
    elif b >= len(doc.tokens) or _org_end(doc, a, b) < b:
        return False
    nxt = doc.tokens[b].norm
    if not (nxt in (_n("إلى"), _n("على")) or (nxt[:1] == "ب" and len(nxt) > 3 and nxt not in CONNECTORS)):
        return False
    return len(last.name.split()) >= 2 and (reg.by_name(last.name) is not None
                                           or any(_n(w) in _person_words() for w in last.name.split()))


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


def _prep_content(doc: _Doc, i: int, sub: _Subject) -> int | None:
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
            i == 0 or _gap_has(doc.gaps[i], "،,.") or doc.tokens[i - 1].norm in KANA | {_n("قد")}
            or doc.sent_bounds[doc.sent_of[i]][0] == i):
        # «أعلن مصدر أمني الأحد مقتل 18 شخصا»، «أعلنت روسيا الثلاثاء رفضها المهلة»: what is
        # announced is the noun phrase after the subject (and its time word or comma)
        a = sub.segments[1][0]
        if not _definite(doc, a) or doc.tokens[a].norm.endswith(("ها", "هم", "ه")):
            return doc.tokens[a].start
    return None


ANNOUNCE_VERBS = {_n(w) for w in ("أعلن", "أعلنت", "أعلنوا")}


ACCORDING = {_n(w) for w in ("بحسب", "وبحسب", "حسب", "وحسب", "وفق", "ووفق", "وفقا", "ووفقا", "طبقا")}
THEN_WORDS = {_n(w) for w in ("فإن", "فان", "فقد", "فإنه", "فإنها")}
LAM_OPENERS = {_n(w) for w in ("وفقا", "ووفقا", "طبقا", "وطبقا", "ما", "لما")}


def _according_to(doc: _Doc, reg: _Registry, lo: int, hi: int) -> tuple[Speaker, int, int, int] | None:
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
        if a + 1 < b and doc.tokens[a].norm in (_n("ما"), _n("لما")) and _kind(doc, a + 1, "speech_verbs.txt") is None:
            a += 2  # «وفق ما ذكرته وكالة الأنباء»، «وفقا لما نقلته ...»: the outlet after the verb
        if a >= b or doc.tokens[a].norm in (_n("ما"), _n("لما")):
            return None
        if a >= b:
            return None
        t = doc.tokens[a]
        if _bare(t.norm[1:] if lam and t.norm[:1] == "ل" else t.norm) in _UNNAMED:
            # «وفقا لمسؤولين عسكريين أمريكيين»: an unnamed source and all its words
            e = _body_extent(doc, a, b)
            words = doc.surface(a, e)
            return _unnamed(Speaker(words[1:] if lam and t.norm[:1] == "ل" else words, None))
        if lam and t.norm[:1] == "ل" and len(t.norm) > 3 and not t.norm.startswith("لل"):
            # «وفقا لمكتب الأمم المتحدة»: read the name without its «لـ»
            sub = _parse_subject(doc, a, b)
            segs = [(a, b)] if not sub.segments else sub.segments
            who = _who_from_segments(doc, segs)
            if who is not None and who.name and who.name.startswith("ل"):
                who = _Who(who.name[1:], who.role, None, who.is_person)
        else:
            who = _who_from_segments(doc, _parse_subject(doc, a, b).segments)
        return _resolve(doc, reg, who, t.start) if who is not None else None

    first = doc.tokens[lo].norm
    if first in (_n("جاء"), _n("وجاء")):
        # «وجاء في لائحة الاتهام أن ...»: the document says it; «جاء ذلك خلال لقائه ...، وفق ما
        # ذكرته الوكالة» is the occasion, not a statement
        if lo + 2 < hi and doc.tokens[lo + 1].norm == _n("في"):
            for k in range(lo + 2, min(hi, lo + 8)):
                if _is_intro(doc, k):
                    sp = source(lo + 2, k)
                    return (sp, doc.tokens[k].end, doc.tokens[hi - 1].end, doc.tokens[lo].start) if sp else None
        return None
    if first in ACCORDING:
        # the source runs to «فإن» or a comma
        for k in range(lo + 1, min(hi, lo + 12)):
            if then(k) or _gap_has(doc.gaps[k], "،,"):
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
        if doc.tokens[k].norm in ACCORDING and _gap_has(doc.gaps[k], "،,"):
            sp = source(k + 1, hi)
            if sp is None:
                return None
            return sp, doc.tokens[lo].start, doc.tokens[k - 1].end, doc.tokens[lo].start
    return None


def _says_by(doc: _Doc, i: int, stop: int) -> bool:
    """«ورد بوعلام على الاتهامات بالقول إن ...»: a reply verb made speech by «بالقول»."""
    return any(doc.tokens[k].norm == _n("بالقول") for k in range(i + 1, min(stop + 1, len(doc.tokens))))


def _cut_at_object(doc: _Doc, a: int, b: int) -> tuple[int, int]:
    """A denier's noun phrase ends where the denied object starts (تقريرًا، مزاعم، أي ...)."""
    objects = {k for k, v in lexicon("claims_denial.txt").items() if v == "object"}
    for k in range(a, b):
        w = doc.tokens[k].norm
        if k > a and (w in objects or _bare(w) in objects or w in (_n("أي"), _n("ما"))):
            return a, k
    return a, b


def _after_relative(doc: _Doc, i: int, lo: int) -> bool:
    k = i - 1
    if k >= lo and doc.tokens[k].norm == _n("قد"):
        k -= 1
    return k >= lo and doc.tokens[k].norm in RELATIVES


def _initial_subject(doc: _Doc, reg: _Registry, lo: int, i: int, persons_only: bool = False
                     ) -> Speaker | None:
    """The subject of a sentence opening with a verb («وترفض أوكرانيا ...، قائلين إن»), after
    an opening adverbial («في المقابل، افتتحت مرشحة الحزب ...، مؤكدة أن»)."""
    if doc.tokens[lo].norm in PREPOSITIONS or _definite(doc, lo):
        for k in range(lo + 1, min(i, lo + 5)):
            if _gap_has(doc.gaps[k], "،,"):
                lo = k
                break
        else:
            return None
    first = doc.tokens[lo]
    if i <= lo + 1 or _definite(doc, lo) or first.norm in PREPOSITIONS or _kind(doc, lo, "speech_verbs.txt"):
        return None
    sub = _parse_subject(doc, lo + 1, i)
    who = _who_from_segments(doc, sub.segments[:1])
    if who is None:
        return None
    if persons_only:
        if not who.name_tokens:
            return None
        a, b = who.name_tokens
        if _person_tokens(doc, a, b) is None and reg.by_name(who.name or "") is None:
            return None
    return _resolve(doc, reg, who, first.start)


def _quotes_in(doc: _Doc, q: Quote) -> set[tuple[int, int]]:
    return set(doc.quotes_within(q.evidence.start, q.evidence.end))


def _subject_before(doc: _Doc, reg: _Registry, i: int, lo: int) -> Speaker | None:
    """A subject before the verb: «وكان زيلينسكي (قد) أعلن»، «تحذير بوتين الذي قال فيه»."""
    k = i - 1
    if k >= lo and doc.tokens[k].norm == _n("قد"):
        k -= 1
    if k >= lo and doc.tokens[k].norm in RELATIVES:
        for m in range(k - 1, max(lo - 1, k - 6), -1):
            who = _Who(doc.tokens[m].text, None, (m, m + 1), True)
            known = reg.by_name(doc.tokens[m].text)
            if known is not None:
                return _resolve(doc, reg, who, doc.tokens[m].start)
        # «بين فرنسا وغينيا الاستوائية التي تتهم باريس ...»: the noun phrase the relative follows
        # (a name and its adjectives with the article, no punctuation between)
        m = k - 1
        while m >= lo and k - m <= 3 and not _gap_has(doc.gaps[m + 1], "،,.:()«»\"") \
                and (m == k - 1 or _definite(doc, m + 1)) and not doc.tokens[m].is_number \
                and doc.tokens[m].norm not in PREPOSITIONS and not _kind(doc, m, "speech_verbs.txt"):
            if not _definite(doc, m):
                break
            m -= 1
        if lo <= m < k and k - m <= 3 and not _definite(doc, m) and doc.tokens[m].norm not in PREPOSITIONS \
                and not _gap_has(doc.gaps[m + 1] if m + 1 < k else "", "،,"):
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
            who = _split_np(doc, start + 1, k + 1)
            return _resolve(doc, reg, who, doc.tokens[start].start)
    return None


CONTRAST = {_n(w) for w in ("لكن", "ولكن", "لكنّ")}
CONTRAST_BEFORE_AN = {_n(w) for w in ("غير", "إلا", "بيد")}


def _post_attribution(doc: _Doc, reg: _Registry, i: int, hi: int, kind: str
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
    if an is not None and (kind == "relay" or kind == "post" or _bare(doc.tokens[j].norm) in lexicon("speech_channels.txt")
                           or _kind(doc, i, "speech_verbs.txt") in ("verb", "relay", "post")):
        name, _ = _channel_name(doc, j, an)
        if name:
            via.append(_strip_marks(name))
        sub = _parse_subject(doc, an + 1, hi)
    else:
        sub = _parse_subject(doc, j, hi)
    who = _who_from_segments(doc, sub.segments)
    if who is None:
        return None, via, sub.stop
    return _resolve(doc, reg, who, doc.tokens[i].start), via, hi


def _relay(doc: _Doc, reg: _Registry, i: int, hi: int
           ) -> tuple[Speaker | None, list[str], int | None, int]:
    """«نقلت وكالة إنترفاكس للأنباء عن X قوله اليوم، إن ...»."""
    an = None
    for k in range(i + 1, min(hi, i + 10)):
        if doc.tokens[k].norm == _n("عن"):
            an = k
            break
        if _is_intro(doc, k):
            break
    if an is None:
        return None, [], None, i + 1
    name, _ = _channel_name(doc, i + 1, an)
    via = [_strip_marks(name)] if name else []
    sub = _parse_subject(doc, an + 1, hi)
    who = _who_from_segments(doc, sub.segments)
    if who is None or sub.content is None:
        return None, via, None, sub.stop
    return _resolve(doc, reg, who, doc.tokens[an].start), via, sub.content, sub.stop


def _quote_then_verb(doc: _Doc, article: Article, reg: _Registry, lo: int, hi: int,
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
    if _kind(doc, k, "speech_verbs.txt") != "verb":
        return None
    sub = _parse_subject(doc, k + 1, hi)
    who = _who_from_segments(doc, sub.segments)
    if who is None:
        return None
    sp = _resolve(doc, reg, who, doc.tokens[k].start)
    if sp is None or _words(doc.text[q[0] + 1:q[1]]) < MIN_DIRECT_WORDS:
        return None
    body = doc.text[q[0] + 1:q[1]].strip()
    s = doc.text.index(body, q[0])
    return Quote(article.id, sp, body, True, Evidence(article.id, s, doc.tokens[min(hi, sub.stop) - 1].end),
                 _find_via(doc, sub.skipped, hi))
