"""Article metadata read from the text: publication date, outlet, credited agencies/outlets.

* Published date: from a date line in the article's header (or a dateline opening the
  first paragraph) in any regional style (``marsad.text.dates``); ``published_text`` keeps
  the date exactly as written, without a time of day.
* Outlet: «المصدر: X» / «المصادر: X - رويترز» lines, copyright lines («جميع الحقوق محفوظة ©
  X 2024»), a brand line at the top («X | الصفحة الرئيسية»). Agencies named there are credits,
  not the outlet.
* Credited: the agencies and outlets the body credits, from ``text/data/agencies.tsv``
  (رويترز، أ ف ب، تاس، سبوتنيك، إنترفاكس، بلومبرغ، الأناضول …) in their short form, plus any
  «وكالة الأنباء X» and «صحيفة “X”» the table does not know, as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.text.dates import DateMatch, find_date
from marsad.text.normalize import GAP, bmp_table, normalize, translate_bmp

AGENCIES_FILE = Path(__file__).resolve().parent.parent / "text" / "data" / "agencies.tsv"

# Variants this short, or in this list, are common words or places too (وام = و + أم,
# قنا = Qena, بترا = Petra): they count only in a credit position — «(X)», «- X» ending a
# line, or right after «وكالة».
_AMBIGUOUS = {"وام", "قنا", "بترا", "وفا", "واس", "واع", "سانا", "كونا", "ا ب", "ا.ب", "بنا",
              "تاس", "واج", "وات", "افي", "ايفي", "انسا"}
_CLITIC = r"(?:[وفبلك]|لل|و[بلك]|ف[بلك])?"
_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "لل", "وب", "ول", "وك", "فب", "فل", "فك", "ولل", "فلل")
_SEP = re.compile(r"[\s()\[\]«»\"“”'.,،:؛!?؟\-–]+")
# The same separators as a normalization table that turns them into spaces: the words of a
# text are then ``str.split`` of one array lookup (3-4 times faster than ``_SEP.split``).
_SEP_TABLE = bmp_table({c: " " for c in range(0x10000) if _SEP.fullmatch(chr(c))})


@dataclass(frozen=True)
class Source:
    key: str
    form: str  # short form stored in Article.credited


@dataclass(frozen=True)
class _Lexicon:
    variants: dict[str, Source]  # normalized variant -> source
    by_word: dict[str, frozenset[str]]  # a variant's longest word, with clitics -> variants
    probes: tuple[tuple[str, str], ...]  # (substring, variant) for one-letter-word variants
    probe_gate: re.Pattern  # any of the probes (most texts hold none: one scan rules them out)


def _trie_pattern(words: list[str]) -> str:
    """A regex matching exactly ``words``, factored by common prefixes (a|ab|ac → a(?:|b|c))."""
    if words == [""]:
        return ""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[:1], []).append(w[1:])
    alts = [re.escape(c) + _trie_pattern(sorted(set(rest))) if c else "" for c, rest in groups.items()]
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    variants: dict[str, Source] = {}
    for line in AGENCIES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, form, vs = line.split("\t")
        for v in vs.split("|"):
            variants[_norm(v)] = Source(key, form)
    # Gate: trying every variant at every position is slow, so only the variants whose
    # longest word occurs in the text (clitics allowed) are tried. Variants made of one-letter
    # words (أ ف ب) are found by substring probes bounded by a space or a parenthesis.
    by_word: dict[str, set[str]] = {}
    probes: list[tuple[str, str]] = []
    for v in variants:
        toks = v.replace(".", " ").split()
        longest = max(toks, key=len)
        if len(longest) >= 3:
            for c in _CLITICS:
                by_word.setdefault(c + longest, set()).add(v)
        else:  # (at least two characters: the shortest is «ا ب»)
            for pre in ("(", " ", "-", "\n"):
                probes.append((pre + v, v))
    # The gate: a probe's first four characters (bound, then three of the variant), as a
    # pattern factored by character that the regex engine scans for quickly.
    heads = sorted({p[:4] for p, _ in probes})
    gate = re.compile(_trie_pattern(heads) if heads else "(?!)")
    return _Lexicon(variants, {k: frozenset(v) for k, v in by_word.items()}, tuple(probes), gate)


@lru_cache(maxsize=1024)  # room for every candidate set seen in ANT (527)
def _variant_patterns(cands: frozenset[str]) -> tuple[re.Pattern | None, re.Pattern | None]:
    """The credit regexes over just these variants (plain ones anywhere, ambiguous ones only
    in a credit position)."""
    plain = sorted((v for v in cands if v not in _AMBIGUOUS), key=len, reverse=True)
    amb = sorted((v for v in cands if v in _AMBIGUOUS), key=len, reverse=True)
    pat = pat_amb = None
    if plain:
        alt = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in plain)
        pat = re.compile(rf"(?<![\w.])(?:\(\s*)?[\"«“”']?{_CLITIC}(?P<v>{alt})(?![\w])")
    if amb:
        alt_amb = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in amb)
        pat_amb = re.compile(
            rf"(?:\(\s*(?P<a>{alt_amb})\s*\)|وكاله\s+(?:الانباء\s+|انباء\s+)?[\"«“”']?(?P<b>{alt_amb})(?![\w])"
            rf"|[-–]\s*(?P<c>{alt_amb})\s*$)", re.M)
    return pat, pat_amb


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", normalize(s).replace(GAP, "")).strip()


def source_of(name: str) -> Source | None:
    """The known agency/outlet a name stands for («وكالة سبوتنيك» → سبوتنيك), or None."""
    variants = _lexicon().variants
    n = _norm(name).strip(" \"«»“”'()")
    n = re.sub(r"^وكاله\s+(?:الانباء\s+|انباء\s+)?", "", n) if n not in variants else n
    return variants.get(n)


# Unknown national agencies: «وكالة الأنباء السهيلية» → kept as written (adjective included,
# a trailing «الرسمية» not). «وكالة أنباء X» needs X to look like a name (not a function word).
_GENERIC_AGENCY = re.compile(r"وكاله\s+(?:الانباء|انباء)\s+(?P<x>[\"«“]?[^\s\"«»“”،,.:()]+[\"»”]?)")
_GENERIC_SKIP = {"الرسميه", "المحليه", "الحكوميه", "الرسمي", "الدوليه", "العالميه", "التي", "الي",
                 "في", "عن", "من", "ان", "الخاصه"}
_QUOTED_OUTLET = re.compile(r"(?:صحيفه|جريده|مجله|قناه|شبكه|موقع|اذاعه|تلفزيون)\s*[\"«“”]"
                            r"(?P<x>[^\"«»“”\n]{2,40})[\"»”]")


_AGENCY_WORDS = frozenset(c + "وكاله" for c in _CLITICS)
_OUTLET_WORDS = frozenset(c + w for c in _CLITICS for w in ("صحيفه", "جريده", "مجله", "قناه", "شبكه",
                                                             "موقع", "اذاعه", "تلفزيون"))


def find_credited(text: str) -> list[str]:
    """Agencies and outlets credited in ``text``, once each, in order of first mention."""
    if not text:
        return []
    lex = _lexicon()
    normed = normalize(text)
    words = set(translate_bmp(text, _SEP_TABLE).split())  # the pieces of _SEP.split(normed)
    cands: set[str] = set()
    for w in words & lex.by_word.keys():
        cands |= lex.by_word[w]
    if lex.probe_gate.search(normed) is not None:
        for probe, v in lex.probes:
            if probe in normed:
                cands.add(v)
    # A candidate whose words are not all in the text cannot match anywhere: dropping it
    # leaves the matches as they are and keeps the candidate sets few (527 distinct ones
    # over the whole ANT corpus instead of 1,511), so their patterns are compiled once.
    cands = {v for v in cands if all(w in normed for w in v.split(" "))}
    found: list[tuple[int, int, str, str]] = []  # (start, end, key, form)
    pat, pat_amb = _variant_patterns(frozenset(cands)) if cands else (None, None)
    if pat is not None:
        for m in pat.finditer(normed):
            src = lex.variants[_norm(m.group("v"))]
            found.append((m.start("v"), m.end("v"), src.key, src.form))
    if pat_amb is not None:
        for m in pat_amb.finditer(normed):
            g = next(x for x in ("a", "b", "c") if m.group(x))
            src = lex.variants[_norm(m.group(g))]
            found.append((m.start(g), m.end(g), src.key, src.form))
    if not words.isdisjoint(_AGENCY_WORDS):
        for m in _GENERIC_AGENCY.finditer(normed):
            x = m.group("x").replace(GAP, "")
            if x.strip("\"«»“”") in _GENERIC_SKIP:
                continue
            s, e = m.start(), m.end("x")
            if any(a <= s < b or s <= a < e for a, b, _, _ in found):
                continue
            after = re.sub(r"^\s*(?:الرسميه\s*)?", "", normed[e:e + 40])
            if after[:1] in "(\"«“”" and after and any(a >= e for a, _, _, _ in found
                                                       if a <= e + 40):
                continue  # «وكالة الأنباء الروسية (سبوتنيك)»: the known name follows
            written = re.sub(r"\s+", " ", text[s:e]).strip(" \"«»“”")
            src = source_of(written)
            if src:
                found.append((s, e, src.key, src.form))
            else:
                found.append((s, e, "w:" + _norm(written), written))
    if not words.isdisjoint(_OUTLET_WORDS) and any(q in normed for q in "«\"“”"):
        for m in _QUOTED_OUTLET.finditer(normed):
            s, e = m.start("x"), m.end("x")
            if any(a <= s < b for a, b, _, _ in found):
                continue
            written = text[s:e].strip()
            src = source_of(written)
            found.append((s, e, src.key if src else "w:" + _norm(written), src.form if src else written))
    found.sort()
    out: list[str] = []
    seen: set[str] = set()
    for _, _, key, form in found:
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


# --- outlet -----------------------------------------------------------------------------------

_SOURCE_LINE = re.compile(r"^\s*(?:المصدر|المصادر|مصدر الخبر|source)\s*[:：]\s*(?P<x>.*)$", re.I)
_COPYRIGHT = re.compile(r"(?:جميع|كل|كافة)\s+الحقوق\s+محفوظة|©|حقوق\s+النشر|copyright", re.I)


def source_line_value(line: str) -> str | None:
    """What an «المصدر: …» line names, or None when the line is not one."""
    m = _SOURCE_LINE.match(line)
    return m.group("x") if m else None


def split_names(s: str) -> list[str]:
    """«العربي - رويترز» → ["العربي", "رويترز"]."""
    parts = [p.strip(" .:-–|\"«»“”") for p in re.split(r"\s+[-–|/]\s+|\s*[،,]\s*", s)]
    return [p for p in parts if p]


def outlet_from_source_line(value: str) -> tuple[str | None, list[str]]:
    """Outlet and credited sources named on an «المصدر: …» line."""
    outlet, credited = None, []
    for name in split_names(value):
        src = source_of(name)
        if src:
            credited.append(src.form)
        elif outlet is None and len(name.split()) <= 5:
            outlet = name
    return outlet, credited


def outlet_from_copyright(line: str) -> str | None:
    """«جميع الحقوق محفوظة © النهار العربي 2024» → «النهار العربي»."""
    if not _COPYRIGHT.search(line):
        return None
    s = _COPYRIGHT.sub(" ", line)
    s = re.sub(r"(?:محفوظة|محفوظه)\s+(?:ل|لـ|لموقع|لصحيفة|لجريدة)?", " ", s)
    s = re.sub(r"[0-9٠-٩]{4}(?:\s*[-–]\s*[0-9٠-٩]{4})?", " ", s)
    s = re.sub(r"^[\s\-–|.,،:©]+|[\s\-–|.,،:©]+$", "", re.sub(r"\s+", " ", s))
    s = re.sub(r"^(?:لـ|ل)\s*", "", s)
    if s and 1 <= len(s.split()) <= 5 and not source_of(s):
        return s
    return None


# --- published date ---------------------------------------------------------------------------

# A line is a date line when, besides the date, at most this many characters of label remain
# («نشر في:»، «آخر تحديث:»، «تاريخ النشر:»): 24 covers every label in the example corpus.
DATE_LINE_SLACK = 24
_DATE_LABEL = re.compile(r"(?:نشر|تاريخ النشر|آخر تحديث|اخر تحديث|تحديث|منذ|بتاريخ|في|updated|published)\s*[:：]?", re.I)


def date_line(line: str) -> DateMatch | None:
    """The date of a line that is just a date (with a label or a time at most)."""
    if len(line) > 90:
        return None
    m = find_date(line)
    if m is None:
        return None
    rest = (line[:m.start] + line[m.end:])
    rest = _DATE_LABEL.sub("", rest)
    rest = re.sub(r"[\s|\-–:،,/]+", " ", rest).strip()
    return m if len(rest) <= DATE_LINE_SLACK else None


def dateline_date(paragraph: str) -> DateMatch | None:
    """A date inside the dateline that opens a paragraph («القاهرة - الجمعة 26 يناير 2024 - …»):
    it must start within the first 60 characters and end before the first sentence does."""
    m = find_date(paragraph[:160])
    if m is None or m.start > 60:
        return None
    head = paragraph[:m.start]
    if re.search(r"[.؟?!]", head) or len(head.split()) > 6:
        return None
    return m


# --- outlet dateline --------------------------------------------------------------------------

GAZETTEERS = [Path(__file__).resolve().parent.parent / "facts" / "lexicons" / name
              for name in ("gazetteer_cities.txt", "gazetteer_countries.txt")]
# «البلاد (موسكو)»: an outlet's name, then the city it reports from in parentheses, alone on a
# line above an appended article (seed 002, whose file is credited to another outlet).
_OUTLET_DATELINE = re.compile(r"^\s*(?P<o>[^\s()\[\]\-–:|،,.]+(?:\s+[^\s()\[\]\-–:|،,.]+){0,2})\s*"
                              r"\(\s*(?P<p>[^()]{2,30}?)\s*\)\s*[-–:]?\s*$")


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    names: set[str] = set()
    for path in GAZETTEERS:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                names.add(_norm(line))
    return frozenset(names)


def outlet_from_dateline(line: str) -> str | None:
    """«البلاد (موسكو)» → «البلاد»: the outlet of a dateline naming an outlet and, in
    parentheses, a known city or country. «موسكو (رويترز)» (a city, then an agency) names no
    outlet, nor does a line whose first name is itself a place."""
    if len(line) > 60:
        return None
    m = _OUTLET_DATELINE.match(line)
    if not m:
        return None
    outlet, place = m.group("o").strip(), m.group("p").strip()
    places = _places()
    if _norm(place) not in places or _norm(outlet) in places or source_of(place) or source_of(outlet):
        return None
    return outlet
