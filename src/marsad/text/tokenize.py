"""Clitic-aware Arabic tokenization with offsets into the original text.

A token is a maximal run of letters/digits (Arabic or Latin). Each token also carries its
normalized form and a light clitic split in three layers, outermost first: conjunction
(و ف), preposition (ب ل ك) and the article (ال; «لل» is ل + ال), e.g. «وللكرملين» →
prefix «ولل» + base «كرملين», «والمفاوضات» → «وال» + «مفاوضات».

A leading و ف ب ل ك is often part of the word (وزير، فرنسا، بيان، كامل، لسان). The split
asks the word frequencies of Arabic news (``marsad.text.lexicon``): a letter is peeled when
the rest is itself a common word, common enough next to the whole form (ratios below), and
the word is not in the small list of known exceptions. The article is peeled unless the
word is written with an initial hamza (إلغاء، ألمانيا) or is in the list of words that
merely start with «ال» (الذين، التزام). Without the frequency table (or for words it does
not hold) the rules fall back to: peel «ال» and conjunction + «ال», keep the rest whole.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from marsad.budget import check as check_budget
from marsad.text import lexicon
from marsad.text.normalize import GAP, normalize

# Letters, digits and the invisible characters that may sit inside a word (diacritics,
# tatweel, zero-width joiners) — those are folded away in ``norm``.
_WORD = re.compile(
    r"[0-9A-Za-z\u0621-\u063A\u0641-\u064A\u0660-\u0669\u066E-\u06D3\u06F0-\u06F9"
    r"\u064B-\u065F\u0670\u0640\u200C\u200D\uFB50-\uFDFF\uFE70-\uFEFC\x00]+"
    r"(?:[.,٫٬][0-9\u0660-\u0669\u06F0-\u06F9]+)*"
)
# The same pattern for other modules that find words without building Tokens (search index).
WORD_PATTERN = _WORD

# A clitic is only peeled when a base of at least 3 letters remains: with 2, «بلد» → ب + لد,
# «الف» (ألف) → ال + ف.
MIN_BASE = 3

# Peel a conjunction when count(rest) >= 0.04 × count(word). Calibrated on the ANT word
# counts: true splits go as low as وأضاف (0.05), وأضافت (0.06); at 0.1 those stayed whole.
CONJ_RATIO = 0.04
# Peel a preposition when count(rest) >= 0.1 × count(word): بسبب 0.12, بشكل 0.12, لمدة 0.25
# split; بيان 0.02, كبير 0.03, كانت 0.03, كبار 0.06, بطولة 0.04 stay whole.
PREP_RATIO = 0.10
# The rest must be seen at least this often to count as a word of its own (typos and names
# seen a handful of times are noise).
MIN_REST = 10

# Frequent words whose first letter is not a clitic although the rest is a common word
# (found by listing every word seen ≥150 times in ANT whose rest passes the ratios above).
KEEP = frozenset("""
كامل كامله كاملا كاملين فكره افكار كميات كميه لسان بعيد بعيده باتت كليه فنيه فنيا فعاليه
فعاليات كلها كلما لولا فعلي فعليه فعليا فيصل فريد بديل بديله بديلا بنود كروز ليون لقبه بلديه
بلديات فيلق فيهم بعده بعدها بنما كتله كتبت فروا كريم بطاقه بطاقات بوست لابد وافق وافقت بكين
بيونغ كبري وجهه وحده وصفه بحريه لماذا ليست فيها فيما كانت كانوا كان كبير كبار بيان بيانات
وطن وطني وطنيه ولايه ولايات وزير وزراء وزاره وكاله وكالات فريق فرنسا فرنسي فرنسيه لبنان ليبيا
بريطانيا بغداد بيروت لندن كوريا كندا فنزويلا فلسطين فلسطيني بوتين بومبيو بولتون بولندا لقاء
لقاءات لجنه لجان لعبه كلمه فتره فترات بلاد بلاده بلدان بحث كتاب كتب كتائب وسط وسيله وصول
بطوله بطولات فساد فعلا فرضت فرض كبيره كثير كثيره كثيرا كلينتون لاعب لاعبين لاعبا وليد ودي
وعد وعود ولاده ليلا ليله ليالي فيديو فيسبوك فوز فوزه لبناني لبنانيه كوري كوريه فرع فروع
""".split())

KEEP_AL = frozenset("""
الذين اللذين اللذان اللتان اللتين اللاتي اللواتي اللايي الله اللهم التزام التزامات التزامها
التزامه التقاط التفاف التحاق التماس التباس التهاب التقاء التقي التقت التقوا الغاء المانيا
الماني المانيه الكسندر اليزابيث الكتروني الكترونيه العاب البانيا الاسكا
""".split())

_CONJ = "وف"
_PREP = "بلك"
_HAMZA = "أإآ"


class Token(NamedTuple):
    """One word (immutable; a named tuple because tokenizing creates millions of them)."""

    text: str  # surface form as written
    start: int  # offset into the original text
    end: int
    norm: str  # normalized (diacritics removed, letters folded)
    prefix: str  # peeled proclitics in normalized form ("" when none)
    base: str  # normalized form without the proclitics

    @property
    def is_number(self) -> bool:
        return self.norm[:1].isdigit()


def _peel(word: str, rest: str, ratio: float, lex: dict[str, int]) -> bool:
    """Is the first letter of ``word`` a clitic, ``rest`` being the word without it?"""
    if word in KEEP:
        return False
    cw = lex.get(word, 0)
    cr = lex.get(rest, 0)
    if cr >= MIN_REST and cr >= ratio * cw:
        return True
    if cw == 0 and cr > 0:  # an unseen form of a known word (و + a rare inflection)
        return True
    # Unknown to the table: a following article is a sure sign (والزيلينسكي), and so is
    # a conjunction و before a long unknown word (names).
    if cw == 0 and cr == 0:
        if rest.startswith("ال") and len(rest) >= 2 + MIN_BASE:
            return True
        if word[0] == "و" and len(rest) >= 4:
            return True
    return False


@lru_cache(maxsize=300_000)
def split_clitics(norm: str, hamza_at: int = -1) -> tuple[str, str]:
    """Split a normalized word into (proclitics, base).

    ``hamza_at`` is the index in ``norm`` of an alef that carries a hamza in the original
    (أ/إ/آ); an «ال» there is not the article. ``-1`` when unknown or none.
    """
    if len(norm) <= MIN_BASE or norm[0].isdigit() or norm.isascii():
        return "", norm
    lex = lexicon.counts()
    i = 0
    # conjunction
    if norm[0] in _CONJ and len(norm) - 1 >= MIN_BASE and _peel(norm, norm[1:], CONJ_RATIO, lex):
        i = 1
    # preposition; «لل» is ل + ال (للحكومة) unless the word is ل + a word starting with ل (للبنان)
    rest = norm[i:]
    if rest[:1] in _PREP and len(rest) - 1 >= MIN_BASE:
        if rest.startswith("لل") and len(rest) - 2 >= MIN_BASE:
            base = rest[2:]
            if lex.get("ال" + base, 0) >= lex.get("ل" + base, 0) and ("ال" + base) not in KEEP_AL:
                return norm[:i + 2], base
            if lex.get("ل" + base, 0) > 0:
                return norm[:i + 1], rest[1:]
        elif _peel(rest, rest[1:], PREP_RATIO, lex):
            i += 1
    # article
    rest = norm[i:]
    if (rest.startswith("ال") and len(rest) - 2 >= MIN_BASE and rest not in KEEP_AL
            and hamza_at != i):
        i += 2
    return norm[:i], norm[i:]


def _hamza_index(surface: str, norm: str) -> int:
    """Index in ``norm`` of the first alef written with a hamza/madda in ``surface`` when it
    is one of the first three letters (all the article test needs), else -1."""
    k = 0
    for c in surface:
        if k >= 3:
            break
        if c in _HAMZA:
            return k
        if normalize(c) != GAP:
            k += 1
    return -1


# surface word -> (norm, prefix, base): words repeat, so each distinct surface form is
# normalized and split once. Cleared when it grows past _WORD_CACHE_MAX entries.
_WORD_CACHE: dict[str, tuple[str, str, str] | None] = {}
_WORD_CACHE_MAX = 500_000


def _analyze(surface: str) -> tuple[str, str, str] | None:
    norm = normalize(surface)
    if GAP in norm:
        norm = norm.replace(GAP, "")
        if not norm:
            return None
    head = surface[:4]
    h = _hamza_index(surface, norm) if ("أ" in head or "إ" in head or "آ" in head) else -1
    prefix, base = split_clitics(norm, h)
    return norm, prefix, base


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with offsets into it (``text[t.start:t.end] == t.text``)."""
    # Every stage tokenizes as it goes (per sentence, per span), so this is where an input
    # that has spent its time budget is stopped (a clock read: ~1% of this function's time).
    check_budget()
    cache = _WORD_CACHE
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    out: list[Token] = []
    append = out.append
    new = tuple.__new__
    for m in _WORD.finditer(text):
        surface = m.group()
        info = cache.get(surface, False)
        if info is False:
            info = cache[surface] = _analyze(surface)
        if info is None:
            continue
        s, e = m.span()
        append(new(Token, (surface, s, e, info[0], info[1], info[2])))
    return out


def words(text: str) -> list[str]:
    """Normalized word forms of ``text`` (no offsets) — the fast path for indexing."""
    normed = normalize(text)
    return [w for w in (m.group(0).replace(GAP, "") for m in _WORD.finditer(normed)) if w]


def bases(text: str) -> list[str]:
    """Normalized words of ``text`` without their proclitics (no offsets)."""
    return [split_clitics(w)[1] for w in words(text)]
