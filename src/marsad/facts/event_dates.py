"""The date of an event: a weekday, «أمس»، «الشهر الماضي» or a written date in its sentence,
resolved against the article's publication date (``resolve_relative_date``, ``date_of``).
"""

from __future__ import annotations

import datetime as dt
import re

from marsad.facts.event_cues import norm_form as _nf, word_forms
from marsad.text.dates import resolve_relative
from marsad.text.tokenize import Token, tokenize


WEEKDAYS = {_nf(k): v for k, v in {"الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2,
                                   "الخميس": 3, "الجمعة": 4, "السبت": 5, "الأحد": 6}.items()}
_MONTH_NUM = {_nf(k): v for k, v in {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "ابريل": 4, "مايو": 5,
    "يونيو": 6, "يوليو": 7, "يوليوز": 7, "أغسطس": 8, "غشت": 8, "سبتمبر": 9, "شتنبر": 9,
    "أكتوبر": 10, "نوفمبر": 11, "نونبر": 11, "ديسمبر": 12, "دجنبر": 12, "جانفي": 1,
    "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8, "شباط": 2, "آذار": 3,
    "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9}.items()}
_TWO_WORD_MONTHS = {(_nf("كانون"), _nf("الثاني")): 1, (_nf("كانون"), _nf("الأول")): 12,
                    (_nf("تشرين"), _nf("الأول")): 10, (_nf("تشرين"), _nf("الثاني")): 11}
_PAST = {_nf(w) for w in ("الماضي", "الماضية", "المنصرم", "المنصرمة", "الفائت", "الفائتة")}
_NEXT = {_nf(w) for w in ("المقبل", "المقبلة", "القادم", "القادمة")}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _published_date(published: str | None) -> dt.date | None:
    if not published:
        return None
    m = _ISO.match(published)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def resolve_relative_date(expression: str, published: str | None) -> str | None:
    """ISO date of a relative date expression («اليوم الخميس»، «أمس»، «أول أمس»، «الليلة
    الماضية»، «الجمعة الماضية»، «29 نوفمبر») against the ISO publication date, or None."""
    pub = _published_date(published)
    toks = [t.norm for t in tokenize(expression)]
    forms = [word_forms(t)[0][-1] for t in toks]
    return _resolve(forms, pub)


def _resolve(forms: list[str], pub: dt.date | None) -> str | None:
    # explicit day + month (+ year)
    for i, f in enumerate(forms):
        if f.isdigit() and i + 1 < len(forms):
            month = _MONTH_NUM.get(forms[i + 1])
            if month is None and i + 2 < len(forms):
                month = _TWO_WORD_MONTHS.get((forms[i + 1], forms[i + 2]))
            if month is not None and 1 <= int(f) <= 31:
                year = None
                for g in forms[i + 2:i + 4]:
                    if g.isdigit() and len(g) == 4:
                        year = int(g)
                        break
                if year is None and pub is not None:
                    year = pub.year if (month, int(f)) <= (pub.month, pub.day) else pub.year - 1
                if year is None:
                    return None
                try:
                    return dt.date(year, month, int(f)).isoformat()
                except ValueError:
                    return None
    if pub is None:
        return None
    for i, f in enumerate(forms):
        nxt = forms[i + 1] if i + 1 < len(forms) else ""
        if f == _nf("أمس") or f == _nf("البارحة"):
            back = 2 if i > 0 and forms[i - 1] in (_nf("أول"), _nf("من")) and (
                forms[i - 1] == _nf("أول") or (i > 1 and forms[i - 2] == _nf("أول"))) else 1
            return (pub - dt.timedelta(days=back)).isoformat()
        if f == _nf("الليلة") and nxt in _PAST:
            return (pub - dt.timedelta(days=1)).isoformat()
        if f in WEEKDAYS:
            wd = WEEKDAYS[f]
            if nxt in _NEXT:
                delta = (wd - pub.weekday()) % 7 or 7
                return (pub + dt.timedelta(days=delta)).isoformat()
            delta = (pub.weekday() - wd) % 7
            if nxt in _PAST and delta == 0:
                delta = 7
            return (pub - dt.timedelta(days=delta)).isoformat()
        if f == _nf("اليوم") and nxt not in (_nf("التالي"),):
            return pub.isoformat()
    return None


DATE_WORDS = {_nf(w) for w in ("اليوم", "أمس", "البارحة", "الليلة")} | set(WEEKDAYS)


def date_of(sent_toks: list[Token], published: str | None) -> str | None:
    forms = [word_forms(t.norm)[0][-1] for t in sent_toks]
    if not any(f in DATE_WORDS or f in _MONTH_NUM for f in forms):
        return None
    if published:  # the shared date module knows more regional forms than the fallback below
        for i, f in enumerate(forms):
            if f in DATE_WORDS:
                first = i
                while first > 0 and forms[first - 1] in (_nf("أول"), _nf("من")) and i - first < 2:
                    first -= 1  # «أول أمس»، «أول من أمس»
                if first < i and forms[first] != _nf("أول"):
                    first = i
                phrase = " ".join(t.text for t in sent_toks[first:i + 2])
                try:
                    got = resolve_relative(phrase, published)
                except Exception:  # noqa: BLE001 - a malformed publication date must not break extraction
                    got = None
                if isinstance(got, str) and _ISO.match(got):
                    return got[:10]
                break
    return _resolve(forms, _published_date(published))
