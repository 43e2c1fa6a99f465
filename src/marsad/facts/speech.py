"""The speech lexicon and the article as the quote readers see it.

``lexicon(name)`` reads a word list of ``lexicons/`` (speech verbs, roles, channels, ...); the
word sets below (introducers, time words, prepositions, ranks ...) hold words as ``norm_word``
gives them. The size thresholds say what a direct or an indirect quote needs. ``build_doc``
turns an article into a ``QuoteDoc``: its tokens with the text between them, its sentences, its
quotation-mark spans and its entity mentions. ``find_cues`` lists the speech cues of a sentence
(``cue_kind``: a finite verb, a participle, a relay verb ...); the small token tests
(``is_definite``, ``is_role``, ``is_intro``, ``gap_has``, ``org_end``) are shared by the
speaker, attribution and claim readers.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marsad.analysed import AnalysedDoc
from marsad.model import Article, Mention
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

OPEN_MARKS = "«“”\"„"
CLOSE_MARKS = "»”“\""
QUOTE_MARKS = set(OPEN_MARKS) | set(CLOSE_MARKS)


def norm_word(word: str) -> str:
    """A word as the word sets below hold it: normalized, with no gap mark."""
    return normalize(word).replace(GAP, "")


_n = norm_word


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
def org_names() -> frozenset[str]:
    """Multi-word organization and outlet names (واشنطن بوست), normalized."""
    path = LEXICONS / "gazetteer_orgs.txt"
    if not path.exists():
        return frozenset()
    return frozenset(" ".join(_n(w) for w in line.split()) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def person_words() -> frozenset[str]:
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
class QuoteDoc:
    text: str
    tokens: list[Token]
    gaps: list[str]  # text between token i-1 and token i
    sent_of: list[int]
    sent_bounds: list[tuple[int, int]]  # per sentence: first token, one past last token
    quotes: list[tuple[int, int]]  # (index of opening mark, index of closing mark)
    mentions: list[Mention] = field(default_factory=list)
    _reach: int | None = field(default=None, repr=False)  # longest mention (mentions_over)
    # what ``marsad.facts.speaker_names`` looks up once per article: heads of body names, body
    # phrases by name, the persons the mentions name, other per-article lookups
    memo_heads: dict[str, list[int]] | None = field(default=None, repr=False)
    memo_bodies: dict[str, tuple | None] | None = field(default=None, repr=False)
    memo_persons: set[str] | None = field(default=None, repr=False)
    memo_found: dict[tuple, object] = field(default_factory=dict, repr=False)

    def surface(self, i: int, j: int) -> str:
        """Article text from token i to token j-1 (inclusive), as written."""
        return self.text[self.tokens[i].start:self.tokens[j - 1].end]

    def word(self, i: int) -> str:
        """Token i's normalized form without a conjunction و/ف when that leaves a known word."""
        return self.tokens[i].norm

    # The quotation spans are disjoint and in text order (``quote_spans``), and the mentions are
    # in text order (``build_doc``): the lookups below are binary searches, so an article's work
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


def quote_spans(text: str) -> list[tuple[int, int]]:
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


def build_doc(article: Article, mentions: list[Mention], analysed: AnalysedDoc | None = None) -> QuoteDoc:
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
    return QuoteDoc(text, tokens, gaps, analysed.sentence_of, analysed.sentence_tokens, quote_spans(text),
                    sorted(mentions or [], key=lambda m: m.start))  # text order (stable: ties keep theirs)


# ---------------------------------------------------------------------------------------------
# Lexicon look-ups on tokens


def cue_kind(doc: QuoteDoc, i: int, lex: str) -> str | None:
    """Kind of token i in lexicon ``lex``, trying it whole and with و/ف peeled."""
    table = lexicon(lex)
    w = doc.tokens[i].norm
    if w in table:
        return table[w]
    if len(w) > 3 and w[0] in "وف" and w[1:] in table:
        return table[w[1:]]
    return None


def bare_form(w: str) -> str:
    """A word without a leading conjunction and article: «والمتحدث» -> «متحدث»."""
    if len(w) > 4 and w[0] in "وف" and w[1:3] == "ال":
        w = w[1:]
    if len(w) > 3 and w.startswith("ال"):
        w = w[2:]
    return w


def is_definite(doc: QuoteDoc, k: int) -> bool:
    """Does token k carry the article ال as written (not a name such as «أليكسي»)?"""
    w = doc.tokens[k].text.replace("\u0640", "")
    for p in ("ال", "وال", "فال", "بال", "لل", "ولل", "كال"):
        if w.startswith(p) and len(w) > len(p) + 1:
            return True
    return False


ORG_ADJ_ENDINGS = ("ي", "يه", "ين", "يون", "يين", "ه")


def org_end(doc: QuoteDoc, a: int, b: int) -> int:
    """End of an organization's noun phrase: a noun and its adjectives (الرئاسة الروسية) or a
    construct (وزارة الدفاع الروسية); stops at a word with a pronoun (التزامها)."""
    k = a + 1
    while k < b and k - a < 4 and is_definite(doc, k) and not gap_has(doc.gaps[k], "،,:(«“\""):
        w = doc.tokens[k].norm
        if w.endswith("ها") or w.endswith("هم"):
            break
        if is_definite(doc, a) and not w.endswith(ORG_ADJ_ENDINGS):
            break  # after a definite noun only adjectives follow (الرئاسة الروسية)
        k += 1
    return k


def is_role(doc: QuoteDoc, i: int) -> bool:
    roles = lexicon("speech_roles.txt")
    w = doc.tokens[i].norm
    return w in roles or bare_form(w) in roles


def is_intro(doc: QuoteDoc, i: int) -> bool:
    return doc.tokens[i].norm in INTRODUCERS


def gap_has(gap: str, chars: str) -> bool:
    return any(c in gap for c in chars)


# ---------------------------------------------------------------------------------------------
# Cues and quotes


@dataclass
class Cue:
    tok: int
    kind: str  # verb | part | relay | post


def find_cues(doc: QuoteDoc, lo: int, hi: int) -> list[Cue]:
    out = []
    for i in range(lo, hi):
        kind = cue_kind(doc, i, "speech_verbs.txt")
        if kind is None:
            continue
        if doc.quote_at(doc.tokens[i].start) is not None:
            q = doc.quote_at(doc.tokens[i].start)
            if len(doc.text[q[0]:q[1]].split()) > 3:
                continue  # a verb inside someone's quoted words
        out.append(Cue(i, kind))
    return out


def word_count(s: str) -> int:
    return len(tokenize(s))


# adjectives of relation as written (ى is a verb's ending: «ألقى» is not «الأممي»)
NISBA_ENDINGS = ("ي", "ية", "يه", "يين", "يون", "يان", "يتين")

THEN_WORDS = {_n(w) for w in ("فإن", "فان", "فقد", "فإنه", "فإنها")}
