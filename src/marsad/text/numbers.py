"""Arabic numbers: digits and number words, with qualifiers and the counted noun.

``parse_number`` reads one number phrase; ``find_numbers`` finds every number in a text with
its character span (offsets into the text as given), the qualifier written around it and the
noun it counts.

What is understood:

* digits in any script — ``17500``, ``17,500``, ``3.5``, ``٣٫٥``, ``١٤``, ``۱۴`` — alone or with a
  multiplier word: «2.5 مليون», «40 ألفا», «3 آلاف»;
* number words, with clitics (و ب ل ك ف): units (واحد، اثنان/اثنين، ثلاثة … عشرة, masculine and
  feminine), teens («أحد عشر»، «ثلاثة عشر»), tens («عشرون/عشرين»), hundreds («مئة/مائة»،
  «مئتان»، «ثلاثمئة»، «ثلاث مئة»), multipliers («ألف/ألفا/ألفان/آلاف»، «مليون/ملايين»، «مليار»)
  and compounds joined by «و» («خمسة وعشرون»، «ألف وثلاثمئة»، «مليون و200 ألف»);
* duals of countable nouns: «شخصين»، «شخصان»، «جنديين»، «طفلين»، «طائرتين» count 2, and the
  word itself is the counted noun;
* vague magnitudes: «عشرات» (10, qualifier ``dozens``), «مئات» (100, ``hundreds``), «آلاف» alone
  (1000, ``thousands``), «عشرات الآلاف» (10000, ``tens of thousands``), «مئات الآلاف», «ملايين»,
  «بضعة» (3, ``a few``): the value is the lower bound of the magnitude;
* qualifiers: «على الأقل» (before or after), «ما لا يقل عن» → ``at least``; «نحو»، «حوالي»،
  «قرابة»، «زهاء»، «ما يقارب»، «تقريبا» (after) → ``about``; «أكثر من»، «ما يزيد على/عن»، «ما يربو
  على» → ``more than``; «أقل من» → ``less than``; «حتى»، «ما يصل إلى» → ``up to``. An explicit
  qualifier wins over a vague magnitude's;
* a percent sign or «في المئة/بالمئة» after a number sets ``unit`` to ``%``.

A word that is a number only by accident is left alone: «الاثنين» (Monday), «الأحد» (Sunday),
«أحد» alone («أحد الجنود»: one of the soldiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.text.normalize import GAP, normalize
from marsad.text.tokenize import Token, tokenize

__all__ = ["NumberSpan", "parse_number", "find_numbers", "DUAL_NOUNS"]


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """One number found in a text.

    ``start``/``end`` are offsets into the text given to ``find_numbers`` and cover the number
    as written (digits and number words, not the qualifier); ``text == source[start:end]``.
    ``noun`` is the word right after the number (for a dual, the dual word itself), as written,
    with ``noun_norm`` its normalized form (for a dual: the singular, «شخص»), and ``noun_start``/``noun_end``
    its offsets.
    """

    value: int | float
    start: int
    end: int
    text: str
    qualifier: str | None = None
    unit: str | None = None
    noun: str | None = None
    noun_norm: str | None = None
    noun_start: int | None = None
    noun_end: int | None = None
    first_token: int = 0  # index (into ``tokenize(text)``) of the number's first token
    last_token: int = 0  # index of its last token (the dual word, for a dual)


# ---------------------------------------------------------------------------------------------
# Lexicon (normalized forms: أإآ→ا, ى→ي, ة→ه, ئ→ي, ؤ→و; see marsad.text.normalize)

_UNITS: dict[str, int] = {}
for _forms, _v in (
    (("واحد", "واحده", "واحدا"), 1),
    (("اثنان", "اثنين", "اثنتان", "اثنتين", "ثنتان", "ثنتين", "اثنا", "اثني", "اثنتا", "اثنتي"), 2),
    (("ثلاث", "ثلاثه"), 3),
    (("اربع", "اربعه"), 4),
    (("خمس", "خمسه"), 5),
    (("ست", "سته"), 6),
    (("سبع", "سبعه"), 7),
    (("ثمان", "ثماني", "ثمانيه"), 8),
    (("تسع", "تسعه"), 9),
):
    for _f in _forms:
        _UNITS[_f] = _v
# «أحد/إحدى» are «one» only inside a teen (أحد عشر); alone they mean «one of» / Sunday.
_TEEN_ONLY = {"احد": 1, "احدي": 1}
_TEN = {"عشر", "عشره"}
_TENS: dict[str, int] = {}
for _stem, _v in (("عشر", 20), ("ثلاث", 30), ("اربع", 40), ("خمس", 50), ("ست", 60),
                  ("سبع", 70), ("ثمان", 80), ("تسع", 90)):
    _TENS[_stem + "ون"] = _v
    _TENS[_stem + "ين"] = _v
_HUNDREDS: dict[str, int] = {"مئه": 100, "مائه": 100, "ميه": 100,
                              "مئتان": 200, "مئتين": 200, "مئتا": 200, "مئتي": 200,
                              "مائتان": 200, "مائتين": 200, "مائتا": 200, "مائتي": 200}
for _stem, _v in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8),
                  ("ثماني", 8), ("تسع", 9)):
    _HUNDREDS[_stem + "مئه"] = _v * 100
    _HUNDREDS[_stem + "مائه"] = _v * 100
# Multipliers: form -> (multiplier, count it implies when it stands alone)
_MULT: dict[str, tuple[int, int]] = {
    "الف": (1000, 1), "الفا": (1000, 1), "الفان": (1000, 2), "الفين": (1000, 2),
    "الاف": (1000, 1), "الوف": (1000, 1),
    "مليون": (10**6, 1), "مليونا": (10**6, 1), "مليونان": (10**6, 2), "مليونين": (10**6, 2),
    "ملايين": (10**6, 1),
    "مليار": (10**9, 1), "مليارا": (10**9, 1), "مليارين": (10**9, 2), "مليارات": (10**9, 1),
    "بليون": (10**9, 1),
}
_PLURAL_MULT = {"الاف", "الوف", "ملايين", "مليارات"}
# Vague magnitudes standing alone: form -> (value, qualifier)
_VAGUE: dict[str, tuple[int, str]] = {
    "عشرات": (10, "dozens"),
    "مئات": (100, "hundreds"), "مئات": (100, "hundreds"), "ميات": (100, "hundreds"),
    "الاف": (1000, "thousands"), "الوف": (1000, "thousands"),
    "ملايين": (10**6, "millions"),
    "بضع": (3, "a few"), "بضعه": (3, "a few"),
    # with the article, alone: «وترك الآلاف بدون تدفئة» (seed 004), «قتل المئات»
    "الالاف": (1000, "thousands"), "المئات": (100, "hundreds"), "العشرات": (10, "dozens"),
}
_VAGUE_OF = {  # «عشرات الآلاف», «مئات الآلاف», «عشرات الملايين»
    ("عشرات", "الاف"): (10_000, "tens of thousands"),
    ("عشرات", "الالاف"): (10_000, "tens of thousands"),
    ("مئات", "الاف"): (100_000, "hundreds of thousands"),
    ("مئات", "الالاف"): (100_000, "hundreds of thousands"),
    ("عشرات", "الملايين"): (10**7, "tens of millions"),
    ("عشرات", "ملايين"): (10**7, "tens of millions"),
    ("بضعه", "الاف"): (3000, "a few thousand"),
    ("بضع", "الاف"): (3000, "a few thousand"),
    ("بضعه", "ملايين"): (3 * 10**6, "a few million"),
}
_HALF = {"نصف"}

# Countable nouns whose dual means «two of them» (singular, normalized). Only nouns whose dual
# spelling cannot be read as a plural: «مدنيين» (plural or dual) is left out, «جنديين» kept.
DUAL_NOUNS = {
    "شخص", "جندي", "طفل", "رجل", "امراه", "قتيل", "جريح", "ضابط", "اسير", "سجين", "رهينه",
    "صاروخ", "طايره", "مسيره", "قذيفه", "غاره", "عبوه", "سياره", "منزل", "مبني", "مستودع",
    "صحفي", "شرطي", "مقاتل", "مسلح", "عنصر", "شقيق", "مواطن", "موظف", "عامل", "حارس",
    "يوم", "شهر", "عام", "سنه", "اسبوع", "ساعه", "دقيقه", "مره", "دولار", "بلد", "دوله",
}
# Nouns whose sound masculine plural is spelled like their dual in the oblique case
# («مقاتلين»، «شرطيين»، «موظفين»: fighters / policemen / employees far more often than two of
# them): only the nominative dual «مقاتلان» counts two. Read as duals, such plurals made about
# 39 of the 795 numbers found in a week of ANT 2018 articles (832) wrong.
_SOUND_PLURAL = {
    "مقاتل", "مسلح", "مواطن", "موظف", "صحفي", "صحافي", "شرطي", "عامل", "عسكري", "مدني",
    "مسعف", "ناشط", "مستوطن", "متظاهر", "محتج", "معتقل", "مراقب", "مسؤول", "مهاجر", "نازح",
    "لاجي", "مصاب", "مفقود",
}



def _nf(word: str) -> str:
    return normalize(word).replace(GAP, "")


# The forms above are written as a reader spells them; match them in normalized form.
_UNITS = {_nf(k): v for k, v in _UNITS.items()}
_TEEN_ONLY = {_nf(k): v for k, v in _TEEN_ONLY.items()}
_TENS = {_nf(k): v for k, v in _TENS.items()}
_HUNDREDS = {_nf(k): v for k, v in _HUNDREDS.items()}
_MULT = {_nf(k): v for k, v in _MULT.items()}
_PLURAL_MULT = {_nf(k) for k in _PLURAL_MULT}
_VAGUE = {_nf(k): v for k, v in _VAGUE.items()}
_VAGUE_OF = {(_nf(a), _nf(b)): v for (a, b), v in _VAGUE_OF.items()}
DUAL_NOUNS = {_nf(k) for k in DUAL_NOUNS}
_SOUND_PLURAL = {_nf(k) for k in _SOUND_PLURAL}

_CONJ = "وف"
_PREP = "بلك"

_QUAL_BEFORE: list[tuple[tuple[str, ...], str]] = [
    (("ما", "لا", "يقل", "عن"), "at least"), (("لا", "يقل", "عن"), "at least"),
    (("علي", "الاقل"), "at least"),
    (("ما", "يزيد", "علي"), "more than"), (("ما", "يزيد", "عن"), "more than"),
    (("يزيد", "علي"), "more than"), (("يزيد", "عن"), "more than"),
    (("ما", "يربو", "علي"), "more than"), (("يربو", "علي"), "more than"),
    (("ما", "يفوق"), "more than"), (("اكثر", "من"), "more than"), (("اكثر", "من"), "more than"),
    (("اقل", "من"), "less than"), (("ما", "دون"), "less than"),
    (("لا", "يتجاوز"), "up to"), (("لم", "يتجاوز"), "up to"), (("لا", "يتعدي"), "up to"),
    (("ما", "لا", "يزيد", "علي"), "up to"), (("ما", "لا", "يزيد", "عن"), "up to"),
    (("ما", "يصل", "الي"), "up to"), (("يصل", "الي"), "up to"), (("حتي",), "up to"),
    (("ما", "يقارب"), "about"), (("ما", "يناهز"), "about"), (("يقارب",), "about"),
    (("يناهز",), "about"), (("نحو",), "about"), (("حوالي",), "about"), (("قرابه",), "about"),
    (("زهاء",), "about"), (("تقريبا",), "about"),
]
# Longest first: «ما لا يزيد على» (up to) must win over «يزيد على» (more than).
_QUAL_BEFORE.sort(key=lambda e: -len(e[0]))
_QUAL_AFTER: list[tuple[tuple[str, ...], str]] = [
    (("علي", "الاقل"), "at least"), (("علي", "اقل", "تقدير"), "at least"),
    (("تقريبا",), "about"), (("او", "اكثر"), "at least"),
]
_MONTHS = {
    "يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "يوليوز", "اغسطس", "سبتمبر",
    "اكتوبر", "نوفمبر", "ديسمبر", "جانفي", "فيفري", "افريل", "ماي", "جوان", "جويليه", "اوت",
    "غشت", "شتنبر", "نونبر", "دجنبر", "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز",
    "اب", "ايلول", "تشرين",
}

_DIGITS = re.compile(r"^([وفبلك]{0,3})(\d+(?:[.,]\d+)*)$")
# A word glued to the digits that follow it, a missing space («عن22 ألف منزل»، «مصرع64 شخصا»,
# ANT March 2018): the digits are read as a number of their own. Two or more letters.
_CODE_LETTERS = {"اف", "سو", "ميغ", "ميج", "ام", "اتش", "تي", "بي", "اس", "كوفيد", "كورونا", "جي", "دي",
                 "سي", "اي", "ايه", "كيه", "زد", "ار", "ال"}
_GLUED_DIGITS = re.compile(r"^([\u0621-\u064a]{2,})(\d+(?:[.,]\d+)*)$")


def _strip_prefix(norm: str) -> list[tuple[str, str]]:
    """(prefix, rest) candidates for a normalized word: as is, minus a conjunction, minus a
    conjunction and a preposition. Longest-rest first."""
    out = [("", norm)]
    if len(norm) > 2 and norm[0] in _CONJ:
        out.append((norm[0], norm[1:]))
        if len(norm) > 3 and norm[1] in _PREP:
            out.append((norm[:2], norm[2:]))
    if len(norm) > 2 and norm[0] in _PREP:
        out.append((norm[0], norm[1:]))
    return out


def _digit_value(s: str) -> int | float | None:
    """Value of a digit string after normalization: ``17,500`` → 17500, ``3.5`` → 3.5,
    ``3,5`` → 3.5 (a comma followed by other than three digits is a decimal comma)."""
    if "," in s:
        parts = s.split(",")
        if all(len(p) == 3 for p in parts[1:]) and "." not in s:
            s = "".join(parts)
        elif len(parts) == 2 and "." not in s:
            s = parts[0] + "." + parts[1]
        else:
            s = s.replace(",", "")
    try:
        if "." in s:
            if s.count(".") > 1:
                return None
            return float(s)
        return int(s)
    except ValueError:
        return None


@dataclass(slots=True)
class _Word:
    kind: str  # digit | unit | teen1 | ten | tens | hundred | mult | vague | half | dual
    value: int | float
    prefix: str  # clitic letters before the number word
    form: str  # normalized form without the prefix
    mult_count: int = 1
    qualifier: str | None = None


def _classify(norm: str) -> _Word | None:
    for prefix, rest in _strip_prefix(norm):
        if prefix and "ب" in prefix and len(rest) < 3:
            continue
        if rest in _UNITS:
            return _Word("unit", _UNITS[rest], prefix, rest)
        if rest in _TEEN_ONLY:
            return _Word("teen1", 1, prefix, rest)
        if rest in _TEN:
            return _Word("ten", 10, prefix, rest)
        if rest in _TENS:
            return _Word("tens", _TENS[rest], prefix, rest)
        if rest in _HUNDREDS:
            return _Word("hundred", _HUNDREDS[rest], prefix, rest)
        if rest in _VAGUE and rest not in _MULT:
            v, q = _VAGUE[rest]
            return _Word("vague", v, prefix, rest, qualifier=q)
        if rest in _MULT:
            m, c = _MULT[rest]
            return _Word("mult", m, prefix, rest, mult_count=c)
        if rest in _HALF:
            return _Word("half", 0.5, prefix, rest)
    m = _DIGITS.match(norm)
    if m is None:
        m = _GLUED_DIGITS.match(norm)
        if m and any(m.group(1)[k:] in _CODE_LETTERS for k in range(3)):
            return None  # «إف16»، «سو35»: a model name, not a number
    if m:
        v = _digit_value(m.group(2))
        if v is not None:
            return _Word("digit", v, m.group(1), m.group(2))
    return None


def _dual(norm: str) -> tuple[str, str] | None:
    """(prefix, singular) when ``norm`` is the dual of a countable noun («شخصين» → شخص)."""
    for prefix, rest in _strip_prefix(norm):
        for art in ("ال", ""):
            if art and not rest.startswith(art):
                continue
            w = rest[len(art):]
            for suf in ("ين", "ان", "ا"):
                if not w.endswith(suf) or len(w) < len(suf) + 2:
                    continue
                base = w[: -len(suf)]
                if suf == "ا" and not base.endswith("ت"):
                    continue  # construct dual «طائرتا» only; «شخصا» is an accusative singular
                if suf == "ين" and base in _SOUND_PLURAL:
                    continue  # «المقاتلين»، «ثلاثة مواطنين»: a plural as often as not
                if base in DUAL_NOUNS:
                    return prefix + art, base
                if base.endswith("ت") and base[:-1] + "ه" in DUAL_NOUNS:
                    return prefix + art, base[:-1] + "ه"
                if base.endswith("ي") and len(base) > 3 and base in DUAL_NOUNS:
                    return prefix + art, base
    return None


def _letters_offset(surface: str, n: int) -> int:
    """Offset in ``surface`` just after its first ``n`` letters (diacritics/tatweel skipped)."""
    normed = normalize(surface)
    seen = 0
    for i, c in enumerate(normed):
        if seen == n:
            # skip any placeholder right after the prefix (tatweel in «بـ35»)
            j = i
            while j < len(normed) and normed[j] == GAP:
                j += 1
            return j
        if c != GAP:
            seen += 1
    return len(surface)


def _match_seq(toks: list[Token], i: int, seq: tuple[str, ...]) -> bool:
    """Do the tokens at i, i+1, ... read ``seq`` (first word may carry a clitic)?"""
    if i < 0 or i + len(seq) > len(toks):
        return False
    for k, w in enumerate(seq):
        n = toks[i + k].norm
        if n == w:
            continue
        if k == 0 and len(n) > len(w) and n.endswith(w) and n[: len(n) - len(w)] in ("و", "ف", "ب", "ل", "وب", "ول"):
            continue
        return False
    return True


def _qualifier_before(toks: list[Token], i: int) -> tuple[str | None, int]:
    """Qualifier ending right before token i: (qualifier, index of its first token)."""
    for seq, q in _QUAL_BEFORE:
        j = i - len(seq)
        if _match_seq(toks, j, seq):
            return q, j
    return None, i


def _qualifier_after(toks: list[Token], i: int) -> tuple[str | None, int]:
    """Qualifier starting at token i: (qualifier, index of the token after it)."""
    for seq, q in _QUAL_AFTER:
        if _match_seq(toks, i, seq):
            return q, i + len(seq)
    return None, i


_PERCENT_WORDS = {"بالمئه", "بالمائه", "بالميه"}


def find_numbers(text: str, tokens: list[Token] | None = None) -> list[NumberSpan]:
    """Every number in ``text`` (see the module doc), in order.

    ``tokens`` may be passed when the caller already has ``tokenize(text)``.
    """
    toks = tokens if tokens is not None else tokenize(text)
    out: list[NumberSpan] = []
    n = len(toks)
    i = 0
    consumed = 0  # tokens before this index were read as a qualifier after an earlier number
    while i < n:
        tok = toks[i]
        w = _classify(tok.norm)
        if w is None:
            d = _dual(tok.norm)
            if d is not None:
                prefix, single = d
                s = tok.start + _letters_offset(tok.text, len(prefix))
                qual, q_at = _qualifier_before(toks, i)
                if q_at < consumed:
                    qual = None
                if qual is None:
                    qual, consumed = _qualifier_after(toks, i + 1)
                out.append(NumberSpan(2, s, tok.end, text[s:tok.end], qual, None,
                                      text[s:tok.end], single, s, tok.end, i, i))
            i += 1
            continue
        j, value, vague_q = _read_number(toks, i, w)
        if j is None:
            i += 1
            continue
        last = toks[j]
        first_w = w
        s = tok.start + _letters_offset(tok.text, len(first_w.prefix))
        e = last.end
        unit = None
        k = j + 1
        if e < len(text) and text[e:e + 1] in "%٪":
            unit = "%"
        elif k < n and toks[k].norm in _PERCENT_WORDS:
            unit = "%"
            k += 1
        elif k + 1 < n and toks[k].norm == "في" and toks[k + 1].norm in ("المئه", "المائه", "الميه"):
            unit = "%"
            k += 2
        qual, q_at = _qualifier_before(toks, i)
        if q_at < consumed:
            qual = None  # «11 قتيلا على الأقل و26 جريحا»: the qualifier was the 11's
        noun = noun_norm = None
        ns = ne = None
        if k < n and unit is None:
            nt = toks[k]
            if not _classify(nt.norm) and nt.start - e <= 2:
                noun, noun_norm, ns, ne = nt.text, nt.norm, nt.start, nt.end
                k += 1
        if qual is None:
            qual, consumed = _qualifier_after(toks, k)
            if qual is None:
                qual, consumed = _qualifier_after(toks, j + 1)
        if qual is None:
            qual = vague_q
        out.append(NumberSpan(value, s, e, text[s:e], qual, unit, noun, noun_norm, ns, ne, i, j))
        # the counted noun is read with its number: «ثلاثة مواطنين» is three citizens, its
        # plural «مواطنين» no second number (a dual) of its own
        i = j + 2 if noun is not None else j + 1
    return out


def _read_number(toks: list[Token], i: int, w: _Word) -> tuple[int | None, int | float, str | None]:
    """Read a number phrase starting at token i (already classified as ``w``).

    Returns (index of its last token, value, vague qualifier) or (None, 0, None) when the
    words do not make a number (a lone «أحد», a lone «نصف»).
    """
    n = len(toks)
    total: int | float = 0  # completed thousands/millions groups
    current: int | float = 0  # the group below the last multiplier
    last_mult = 10**12  # magnitude of the last multiplier read (what may follow with «و»)
    vague_q: str | None = None
    j = i
    k = i
    cur = w
    first = True
    while True:
        nxt = _classify(toks[k + 1].norm) if k + 1 < n else None
        kind = cur.kind
        if kind == "teen1" and first and not (nxt is not None and nxt.kind == "ten" and not nxt.prefix):
            return None, 0, None
        if kind == "teen1" or (kind == "unit" and nxt is not None and nxt.kind == "ten" and not nxt.prefix):
            if nxt is not None and nxt.kind == "ten" and not nxt.prefix:
                current += cur.value + 10
                k += 1
                j = k
            elif kind == "teen1":
                break
            else:
                current += cur.value
                j = k
        elif kind in ("unit", "ten", "tens", "digit"):
            current += cur.value
            j = k
        elif kind == "hundred":
            if current and current < 10 and not cur.prefix and cur.value == 100:
                current *= 100  # «ثلاث مئة»
            else:
                current += cur.value
            j = k
        elif kind == "vague":
            if not first:
                break
            pair = _VAGUE_OF.get((cur.form, toks[k + 1].norm if k + 1 < n else ""))
            if pair is not None:
                total, vague_q = pair
                j = k + 1
                k += 1
                nxt = _classify(toks[k + 1].norm) if k + 1 < n else None
                current = 0
                last_mult = 10**12
                # nothing continues a vague magnitude
                break
            value, vague_q = _VAGUE[cur.form]
            # «عشرات» / «مئات» followed by a count word: not a compound — stop here
            return k, value, vague_q
        elif kind == "mult":
            if first:
                if cur.form in _PLURAL_MULT:
                    return k, cur.value, _VAGUE.get(cur.form, (0, None))[1]
                total += cur.value * cur.mult_count
            else:
                count = current if current else 1
                if cur.form in _PLURAL_MULT and current == 0:
                    break
                total += count * cur.value
                current = 0
            last_mult = cur.value
            j = k
        elif kind == "half":
            if nxt is not None and nxt.kind == "mult" and not nxt.prefix and first:
                total += 0.5 * nxt.value
                last_mult = nxt.value
                k += 1
                j = k
            elif not first and cur.prefix.startswith("و") and last_mult < 10**12:
                total += 0.5 * last_mult
                j = k
            else:
                if first:
                    return None, 0, None
                break
        first = False
        # what may follow
        if j + 1 >= n:
            break
        nt = toks[j + 1]
        if nt.start - toks[j].end > 2:
            break
        nw = _classify(nt.norm)
        if nw is None:
            break
        if nw.kind == "mult" and not nw.prefix:
            if current == 0 and total and nw.value >= last_mult:
                break
            k = j + 1
            cur = nw
            continue
        if nw.kind == "hundred" and not nw.prefix and current and current < 10 and nw.value == 100:
            k = j + 1
            cur = nw
            continue
        if not nw.prefix.startswith("و") or nw.prefix not in ("و",):
            break
        # «و» joins a smaller part: units before tens (خمسة وعشرون), anything under the
        # hundreds already read, anything under the last multiplier.
        if nw.kind in ("vague", "teen1"):
            break
        if nw.kind == "half":
            k = j + 1
            cur = nw
            continue
        if cur.kind == "unit":
            joins = nw.kind == "tens"  # «خمسة وعشرون»
        elif cur.kind == "hundred":
            joins = nw.kind in ("unit", "ten", "tens") or (nw.kind == "digit" and nw.value < 100)
        elif cur.kind in ("mult", "half") and last_mult < 10**12:
            joins = nw.kind in ("unit", "ten", "tens", "hundred") or (nw.kind == "digit" and nw.value < last_mult)
            if nw.kind == "digit" and nw.value >= last_mult:
                # «مليون و200 ألف»: a digit group followed by a smaller multiplier
                nn = _classify(toks[j + 2].norm) if j + 2 < n else None
                joins = nn is not None and nn.kind == "mult" and not nn.prefix and nn.value < last_mult
        else:
            joins = False
        if not joins:
            break
        k = j + 1
        cur = nw
    value = total + current
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return j, value, vague_q


def parse_number(s: str) -> int | float | None:
    """The value of the first number in ``s`` («17,500»، «١٤»، «2.5 مليون»، «خمسة وعشرون»،
    «نحو 40 ألفا»، «شخصين»، «عشرات»), or None when ``s`` holds none."""
    if not s or not s.strip():
        return None
    spans = find_numbers(s)
    return spans[0].value if spans else None


def is_month(word_norm: str) -> bool:
    """Is this normalized word a month name (so a number before it is a day of the month)?"""
    return word_norm in _MONTHS
