"""Dates as Arabic news writes them, in every regional month style, and relative day words.

Month names (all map to 1..12):

* Egyptian / Gulf (Syriac-free transliterations): يناير فبراير مارس أبريل مايو يونيو يوليو
  أغسطس سبتمبر أكتوبر نوفمبر ديسمبر (also إبريل، يونيه، يوليه)
* Levantine / Iraqi: كانون الثاني، شباط، آذار، نيسان، أيار، حزيران، تموز، آب، أيلول، تشرين
  الأول، تشرين الثاني، كانون الأول
* Maghreb (Algeria, Tunisia): جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر
  نوفمبر ديسمبر
* Morocco: يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر

Written forms recognised: «26 يناير 2024», «الجمعة 26 يناير 2024», «الجمعة، ٢٦ يناير ٢٠٢٤»,
«2 آذار/مارس 2024», «2 آذار (مارس) 2024», «26 من يناير عام 2024», numeric «2024/01/26»,
«26-01-2024», «26.01.2024», each optionally followed by a time («- 10:30»، «الساعة 10:30
مساء»). Matching runs on ``normalize``d text (same length), so spans are valid on the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marsad.text.normalize import normalize

# Month tables by regional style, as written (with hamza); matching uses normalized forms.
MONTHS_EGYPT_GULF = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                     "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
MONTHS_LEVANT = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
                 "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
MONTHS_MAGHREB = ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت",
                  "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
MONTHS_MOROCCO = ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت",
                  "شتنبر", "أكتوبر", "نونبر", "دجنبر"]
# Spelling variants seen in news copy.
_MONTH_VARIANTS = {
    "إبريل": 4, "ابريل": 4, "أبريل": 4, "يونيه": 6, "يوليه": 7, "اغسطس": 8, "أغسطس": 8,
    "اكتوبر": 10, "كانون ثاني": 1, "كانون اول": 12, "تشرين اول": 10, "تشرين ثاني": 11,
    "فبرير": 2, "فيبراير": 2, "جانفييه": 1, "فيفرييه": 2, "جويلييه": 7, "سيبتمبر": 9,
    "نوفمبير": 11, "ديسيمبر": 12,
}

WEEKDAYS_AR = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
_WEEKDAY_VARIANTS = {"الإثنين": 0, "الأثنين": 0, "الاتنين": 0, "الثلاثا": 1, "الاربعاء": 2}


def _n(s: str) -> str:
    return normalize(s).replace("\x00", "")


#: normalized month name -> month number 1..12 (every regional style and variant)
MONTHS: dict[str, int] = {}
for _table in (MONTHS_EGYPT_GULF, MONTHS_LEVANT, MONTHS_MAGHREB, MONTHS_MOROCCO):
    for _i, _name in enumerate(_table):
        MONTHS[_n(_name)] = _i + 1
for _name, _m in _MONTH_VARIANTS.items():
    MONTHS[_n(_name)] = _m

#: normalized weekday name (with the article) -> Python weekday (Monday 0 … Sunday 6)
WEEKDAYS: dict[str, int] = {_n(w): i for i, w in enumerate(WEEKDAYS_AR)}
for _name, _d in _WEEKDAY_VARIANTS.items():
    WEEKDAYS[_n(_name)] = _d


@dataclass(frozen=True, slots=True)
class DateMatch:
    iso: str  # "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]"
    text: str  # as written in the input (date and time)
    start: int
    end: int
    date_text: str = ""  # the date part as written, without the time

    @property
    def date(self) -> str:
        """The day alone, "YYYY-MM-DD"."""
        return self.iso[:10]


def _alt(names) -> str:
    names = sorted(set(names), key=len, reverse=True)
    return "|".join(re.escape(x).replace(r"\ ", r"\s+") for x in names)


_MONTH = _alt(MONTHS)
_WEEKDAY = _alt(WEEKDAYS)
_D = r"[0-9]"
_TIME = (r"(?:\s*(?:[-–|،,]\s*)?(?:(?:ال)?ساعه\s*)?(?P<hh>[0-2]?[0-9]):(?P<mi>[0-5][0-9])"
         r"(?::(?P<ss>[0-5][0-9]))?(?:\s*(?P<ampm>صباحا|مساء|ظهرا|ص|م|am|pm|AM|PM)(?![\w]))?)?")
_WD = rf"(?:(?P<wd>(?:يوم\s+)?(?:{_WEEKDAY}))\s*[،,]?\s*)?"

_TEXTUAL = re.compile(
    rf"(?<![\w])(?P<date>{_WD}(?:ال)?(?P<day>{_D}{{1,2}})(?:\s*من)?\s+"
    rf"(?P<month>{_MONTH})(?:\s*(?:/|\(|-)\s*(?P<month2>{_MONTH})\s*\)?)?"
    rf"(?:\s*[،,]?\s*(?:عام|سنه|لعام|لسنه)?\s*(?P<year>{_D}{{4}})(?!{_D})(?:\s*م(?![\w]))?)?)"
    rf"{_TIME}"
)
_NUMERIC = re.compile(
    rf"(?<![\w/.\-])(?P<date>{_WD}(?:(?P<y1>{_D}{{4}})(?P<s1>[/.\-])(?P<m1>{_D}{{1,2}})(?P=s1)(?P<d1>{_D}{{1,2}})"
    rf"|(?P<d2>{_D}{{1,2}})(?P<s2>[/.\-])(?P<m2>{_D}{{1,2}})(?P=s2)(?P<y2>{_D}{{4}})))(?![\w/])"
    rf"(?:T?{_TIME[3:]}"
)
_HIJRI_AFTER = re.compile(r"\s*(?:ه|هـ)(?![\w])")


def _month_num(name: str) -> int:
    return MONTHS[re.sub(r"\s+", " ", name)]


def _time_part(m: re.Match) -> str:
    hh = m.group("hh")
    if hh is None:
        return ""
    h, mi = int(hh), int(m.group("mi"))
    ampm = (m.group("ampm") or "").lower()
    if ampm in ("مساء", "م", "pm") and h < 12:
        h += 12
    elif ampm in ("ظهرا",) and h < 11:
        h += 12
    elif ampm in ("صباحا", "ص", "am") and h == 12:
        h = 0
    if h > 23:
        return ""
    ss = m.group("ss")
    return f"T{h:02d}:{mi:02d}" + (f":{int(ss):02d}" if ss else "")


def _mk(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _from_textual(m: re.Match, year_default: int | None) -> str | None:
    mo = _month_num(m.group("month"))
    if m.group("month2") and _month_num(m.group("month2")) != mo:
        return None  # «آذار/أبريل» is not a double form of one month
    y = int(m.group("year")) if m.group("year") else year_default
    if y is None or not 1900 <= y <= 2100:
        return None
    d = _mk(y, mo, int(m.group("day")))
    return None if d is None else d.isoformat() + _time_part(m)


def _from_numeric(m: re.Match) -> str | None:
    if m.group("y1"):
        y, mo, d = int(m.group("y1")), int(m.group("m1")), int(m.group("d1"))
    else:
        y, a, b = int(m.group("y2")), int(m.group("d2")), int(m.group("m2"))
        # Arabic copy writes day/month/year; a second field over 12 means month/day/year.
        d, mo = (b, a) if b > 12 >= a else (a, b)
    if not 1900 <= y <= 2100:
        return None
    dd = _mk(y, mo, d)
    return None if dd is None else dd.isoformat() + _time_part(m)


def find_dates(text: str, year_default: int | None = None) -> list[DateMatch]:
    """Every date in ``text`` in order. A textual date without a year counts only when
    ``year_default`` is given (e.g. the publication year)."""
    normed = normalize(text)
    out: list[DateMatch] = []
    for m in _TEXTUAL.finditer(normed):
        if m.group("year") and _HIJRI_AFTER.match(normed, m.end("year")):
            continue
        iso = _from_textual(m, year_default)
        if iso:
            out.append(_match(text, normed, m, iso))
    for m in _NUMERIC.finditer(normed):
        iso = _from_numeric(m)
        if iso and not any(d.start <= m.start() < d.end for d in out):
            out.append(_match(text, normed, m, iso))
    out.sort(key=lambda d: d.start)
    return out


def _match(text: str, normed: str, m: re.Match, iso: str) -> DateMatch:
    s, e = m.span()
    e = _trim_end(text, normed, s, e)
    de = _trim_end(text, normed, s, m.end("date"))
    return DateMatch(iso, text[s:e], s, e, text[s:de])


def _trim_end(text: str, normed: str, s: int, e: int) -> int:
    while e < len(text) and normed[e] == "\x00":  # diacritics on the last word (مساءً)
        e += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in "،,-–|("):
        e -= 1
    return e


def find_date(text: str, year_default: int | None = None) -> DateMatch | None:
    """The first date written in ``text`` (see the module doc), or None."""
    found = find_dates(text, year_default)
    return found[0] if found else None


_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def parse_date(s: str | None, year_default: int | None = None) -> str | None:
    """ISO date (or date-time) of a string that is one date: ISO 8601, RFC 2822
    («Sun, 18 Feb 2018 21:35:43 +0400»), or any Arabic form ``find_date`` reads."""
    if not s:
        return None
    s = str(s).strip()
    m = _ISO.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _mk(y, mo, d) is None:
            return None
        if m.group(4):
            return f"{y:04d}-{mo:02d}-{d:02d}T{m.group(4)}:{m.group(5)}" + (f":{m.group(6)}" if m.group(6) else "")
        return f"{y:04d}-{mo:02d}-{d:02d}"
    if s.isascii():
        from email.utils import parsedate_to_datetime

        try:
            dt = parsedate_to_datetime(s)
            return dt.strftime("%Y-%m-%dT%H:%M:%S") if (dt.hour or dt.minute or dt.second) else dt.date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
        for fmt in ("%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y"):
            try:
                return datetime.strptime(s, fmt).date().isoformat()
            except ValueError:
                continue
    found = find_date(s, year_default)
    return found.iso if found else None


# Relative day words (normalized) -> offset in days from the publication date.
_RELATIVE = {"اليوم": 0, "امس": -1, "البارحه": -1, "غدا": 1, "امس الاول": -2, "اول امس": -2,
             "اول من امس": -2, "بعد غد": 2, "الليله": 0, "هذا الصباح": 0, "صباح اليوم": 0,
             "مساء اليوم": 0, "مساء امس": -1, "صباح امس": -1, "ليل امس": -1}
_PAST = {"الماضي", "الماضيه", "المنصرم", "المنصرمه", "الفايت", "الفايته"}
_NEXT = {"المقبل", "المقبله", "القادم", "القادمه"}


def resolve_relative(phrase: str, published_iso: str | None) -> str | None:
    """Date a relative expression refers to, given the publication date.

    «اليوم» → the publication day; «أمس» → the day before; «أمس الأول» → two days before;
    «غدا» → the day after; «اليوم الخميس» → the publication day when it is a Thursday (or
    the day before, for copy filed after midnight), else None; a weekday («الخميس»، «يوم الخميس»، «اليوم الخميس»، «أمس الجمعة»)
    → that weekday on or before the publication day («الخميس المقبل» → the next one,
    «الخميس الماضي» → strictly before). None when it cannot be resolved.
    """
    if not published_iso:
        return None
    try:
        pub = date.fromisoformat(published_iso[:10])
    except ValueError:
        return None
    norm = re.sub(r"\s+", " ", normalize(phrase).replace("\x00", "")).strip(" ،,.")
    norm = re.sub(r"^يوم ", "", norm)
    if norm in _RELATIVE:
        return (pub + timedelta(days=_RELATIVE[norm])).isoformat()
    parts = norm.split(" ")
    anchor = None
    if parts and parts[0] in ("اليوم", "امس", "غدا"):
        anchor = _RELATIVE[parts[0]]
        parts = parts[1:]
        if parts and parts[0] == "الاول" and anchor == -1:
            anchor, parts = -2, parts[1:]
    if parts and parts[0] == "يوم":
        parts = parts[1:]
    if not parts or parts[0] not in WEEKDAYS:
        return None
    wd = WEEKDAYS[parts[0]]
    rest = set(parts[1:])
    if anchor is not None:
        # «اليوم الخميس»: the named weekday must be that day, or the day before it when the
        # copy went out after midnight; anything else is a contradiction -> None.
        for slack in (0, -1):
            day = pub + timedelta(days=anchor + slack)
            if day.weekday() == wd:
                return day.isoformat()
        return None
    delta = (pub.weekday() - wd) % 7
    if rest & _NEXT:
        return (pub + timedelta(days=(wd - pub.weekday()) % 7 or 7)).isoformat()
    if rest & _PAST and delta == 0:
        delta = 7
    return (pub - timedelta(days=delta)).isoformat()
