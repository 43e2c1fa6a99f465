"""The signals the story clusterer (``marsad.stories``) reads off one article.

Plain functions over text, no clustering state: the places a text names (a gazetteer of
countries, capitals and big cities, matched on stems), the day of the event an article
reports (the day its lead names, read against the publication date), the election phase a
headline reports, content stems and their sparse vectors, the document frequencies of the
shipped ANT word counts, and the title/body split of a standalone text. The tuned settings
they take are fields of ``marsad.stories.StoryConfig``, passed in by the caller.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from marsad.dedup import text_words
from marsad.text import STOPWORDS, stem, stems
from marsad.text.dates import WEEKDAYS, find_dates, resolve_relative
from marsad.text.normalize import normalize

PRIOR_CORPUS_DOCS = 31525  # documents the lexicon counts came from (ANT 2018)

# --- gazetteer: countries, capitals and big cities the region's news names ---------------
# Each line: canonical name, then other forms (adjectives, old names). Matched on stems.
_PLACES = """
سوريا سوري السورية السوريين
دمشق
حلب
ادلب
مصر المصرية المصري المصريين
القاهرة
الاسكندرية
السعودية السعودي السعوديين
الرياض
جدة
اليمن اليمني اليمنية
صنعاء
عدن
الحديدة
العراق العراقي العراقية
بغداد
الموصل
البصرة
لبنان اللبناني اللبنانية
بيروت
فلسطين الفلسطيني الفلسطينية الفلسطينيين
غزة
القدس
الضفة
اسرائيل الاسرائيلي الاسرائيلية
تركيا التركي التركية
انقرة
اسطنبول
ايران الايراني الايرانية
طهران
روسيا الروسي الروسية
موسكو
الكرملين
اوكرانيا الاوكراني الاوكرانية
كييف
ليبيا الليبي الليبية
طرابلس
بنغازي
تونس التونسي التونسية
الجزائر الجزائري الجزائرية
المغرب المغربي المغربية
الرباط
موريتانيا
السودان السوداني السودانية
الخرطوم
الاردن الاردني الاردنية
عمان
قطر القطري القطرية
الدوحة
الامارات الاماراتي الاماراتية
دبي
ابوظبي
الكويت الكويتي الكويتية
البحرين البحريني البحرينية
المنامة
مسقط العمانية
الصومال
افغانستان الافغاني
كابول
باكستان الباكستاني
الهند الهندي الهندية
الصين الصيني الصينية
بكين
اليابان الياباني
كوريا الكوري الكورية
بيونغ
سيول
امريكا الامريكي الامريكية اميركا الاميركي الاميركية
واشنطن
نيويورك
فرنسا الفرنسي الفرنسية
باريس
بريطانيا البريطاني البريطانية
لندن
المانيا الالماني الالمانية
برلين
ايطاليا الايطالي الايطالية
روما
اسبانيا الاسباني الاسبانية
مدريد
بلجيكا بروكسل
هولندا
النمسا فيينا
سويسرا جنيف
السويد
اليونان
البرازيل
الارجنتين
المكسيك
فنزويلا
كندا
استراليا
اثيوبيا
نيجيريا
كينيا
مالي
""".strip().splitlines()


# Stems of gazetteer names that are also common words (read off ANT's most frequent place
# stems: «الخبر» the news, «مالي» financial, «الجديدة» new, «درعا» shield, «القائم» standing,
# «البحرية» maritime taken for Bahrain...):
# never taken as places.
_NOT_PLACES = frozenset("""
ال كان جديد سلط حول داخل محمد مال سبت عقوب نها قايم مدن خمس حديث عقب ابيض اليه ليل احمد
خليج سيد ابل اب خبر قصير معاد متن ميد جون جبل اطلس سليم ولن نيل منصور مشهد مون اسف كوب بيد
حجه مات ايل ناصر وسيل علا ريد ضلوع ديو لوم اجور شجاع صيد لاس زاو بير خليل كاد مهد اسماعيل
درع شام برن بحر
""".split())


@lru_cache(maxsize=1)
def place_gazetteer() -> dict[str, str]:
    """Place stem -> canonical place: the list above (forms of one place share its first
    form), then the one-word countries and cities of the entity gazetteers
    (``marsad/facts/lexicons``), each its own place."""
    out: dict[str, str] = {}
    for line in _PLACES:
        forms = line.split()
        for f in forms:
            for s in stems(text_words(f)):
                if len(s) >= 3 and s not in _NOT_PLACES:
                    out.setdefault(s, forms[0])
    lexicons = Path(__file__).resolve().parent / "facts" / "lexicons"  # read, not imported
    for name in ("gazetteer_countries.txt", "gazetteer_cities.txt"):
        try:
            lines = (lexicons / name).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            ws = text_words(line) if line.strip() and not line.startswith("#") else []
            if len(ws) == 1:
                s = stems(ws)[0]
                if len(s) >= 3 and s not in _NOT_PLACES:
                    out.setdefault(s, s)
    return out


@lru_cache(maxsize=8)
def _phase_stems(cues: tuple[tuple[str, str], ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """(phase, stems of its cue words) for ``StoryConfig.phase_cues``, the outcome first."""
    return tuple((name, frozenset(s for s in stems(text_words(words)) if len(s) >= 2))
                 for name, words in cues)


FIRST_SENTENCE = re.compile(r"[^.!?؟\n]*")

# A day word of the lead, on normalized text: «اليوم الخميس», «أمس (الثلاثاء)», «الثلاثاء
# الماضي», «يوم الجمعة», a bare «أمس».
_WEEKDAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_DAY_WORD = re.compile(
    r"(?<![\w])و?(?:(?P<anchor>اليوم|امس|غدا)[\s(،,]{0,3})?(?:يوم\s+)?"
    r"(?:(?<![\w])و?(?P<wd>" + _WEEKDAY_NAMES + r"))(?![\w])"
    r"(?:[\s)،,]{0,3}(?P<when>الماضي|الماضيه|المنصرم|المنصرمه|المقبل|المقبله|القادم|القادمه)(?![\w]))?"
    r"|(?<![\w])و?(?P<yesterday>امس)(?![\w])")
_FUTURE = frozenset({"المقبل", "المقبله", "القادم", "القادمه"})


def event_day(title: str, body: str, published: str | None, *, lead_chars: int, back_days: int,
              body_chars: int) -> tuple[int | None, int | None]:
    """(day, weekday) of the event an article reports: the day its lead names («اليوم
    الخميس», «أمس (الثلاثاء)», «الثلاثاء الماضي», «أمس»; read against the publication date),
    else a date written in the lead («29 نوفمبر»), else the publication day. ``day`` is a
    proleptic ordinal (``date.toordinal``), None when undated; an undated article still gets
    the ``weekday`` (Monday 0) its lead names, so two undated reports of «اليوم الخميس» and
    «أمس الثلاثاء» are known to be of different days. ``lead_chars``, ``back_days`` and
    ``body_chars`` are ``StoryConfig.day_lead_chars``, ``event_back_days`` and
    ``day_body_chars``."""
    from datetime import date as _date

    lead = normalize(title + "\n" + body[:lead_chars]).replace("\x00", "")
    pub = None
    if published:
        try:
            pub = _date.fromisoformat(published[:10])
        except ValueError:
            pub = None
    for m in _DAY_WORD.finditer(lead):
        if m.group("yesterday"):
            if pub is not None:
                d = _date.fromordinal(pub.toordinal() - 1)
                return d.toordinal(), d.weekday()
            continue
        if m.group("when") in _FUTURE or m.group("anchor") == "غدا":
            continue  # an announced day to come is not the day of the news
        wd = WEEKDAYS[m.group("wd")]
        if pub is None:
            return None, wd
        iso = resolve_relative(" ".join(x for x in (m.group("anchor"), m.group("wd"), m.group("when"))
                                        if x), published)
        if iso is not None:
            d = _date.fromisoformat(iso)
            if pub.toordinal() - d.toordinal() > back_days:
                continue  # background: see StoryConfig.event_back_days
            return d.toordinal(), d.weekday()
    found = find_dates(lead, year_default=pub.year if pub is not None else None)
    if found:
        try:
            d = _date.fromisoformat(found[0].date)
        except ValueError:
            d = None
        if d is not None and (pub is None or 0 <= pub.toordinal() - d.toordinal() <= back_days):
            return d.toordinal(), d.weekday()
    if pub is not None:
        return pub.toordinal(), pub.weekday()
    # Undated and no day in the lead: the day the article was written, when its body says it
    # («... جرت أمس الجمعة» was written on a Saturday).
    for m in _DAY_WORD.finditer(normalize(body[lead_chars:body_chars])
                                .replace("\x00", "")):
        if m.group("wd") and m.group("anchor") in ("اليوم", "امس") and not m.group("when"):
            return None, (WEEKDAYS[m.group("wd")] + (m.group("anchor") == "امس")) % 7
    return None, None


def modal_day(days: Counter) -> Counter:
    """The most common day of a Counter (ties: the earliest), as a Counter of one."""
    if not days:
        return days
    best = max(days.items(), key=lambda kv: (kv[1], -kv[0]))
    return Counter({best[0]: best[1]})


def day_distance(doc_day: int | None, doc_wd: int | None, days: Counter, wdays: Counter) -> int | None:
    """Days between an article's event day and the closest of a story's (on weekdays alone,
    0-3, when either side is undated); None when either side gives no day."""
    if doc_day is not None and days:
        return min(abs(doc_day - d) for d in days)
    if doc_wd is not None and wdays:
        return min(min((doc_wd - w) % 7, (w - doc_wd) % 7) for w in wdays)
    return None


def headline_phase(title_terms: list[str], cues: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """The election phase a headline reports ({"outcome"}, {"vote"} or nothing); ``cues``:
    ``StoryConfig.phase_cues``."""
    got = set(title_terms)
    for name, cue in _phase_stems(cues):
        if got & cue:
            return frozenset((name,))
    return frozenset()


@lru_cache(maxsize=1)
def prior_df() -> dict[str, float]:
    """Document frequency per stem estimated from the shipped ANT word counts.

    On ANT 2018 itself, log df = 0.95 log cf - 0.05 (cf: the stem's count summed over its
    words; residual sd .5), so cf**0.95 stands for df.
    """
    try:
        from marsad.text.lexicon import counts
    except ImportError:  # the lexicon is optional: IDF then comes from the corpus alone
        return {}
    cf: Counter[str] = Counter()
    words = list(counts().items())
    for (w, c), s in zip(words, stems([w for w, _ in words])):
        cf[s] += c
    return {s: min(PRIOR_CORPUS_DOCS * 0.95, c ** 0.95) for s, c in cf.items()}


def epoch_days(published: str | None) -> float | None:
    """Days since the epoch (UTC) of an ISO date/datetime, or None when absent/unreadable."""
    if not published:
        return None
    try:
        dt = datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp() / 86400.0


_STEMS: dict[str, str] = {}  # word -> stem, a plain dict is faster than stem()'s lru_cache


def content_terms(text: str, limit: int | None = None) -> list[str]:
    """Content stems of ``text`` (its first ``limit`` words): normalized words, stop words and
    numbers dropped, clitics peeled and suffixes stemmed (``marsad.text.stems``)."""
    return word_terms(text_words(text), limit)


def word_terms(ws: list[str], limit: int | None = None) -> list[str]:
    """``content_terms`` of words already in ``text_words`` form."""
    if limit is not None:
        ws = ws[:limit]
    out = []
    for w in ws:
        if len(w) > 1 and not w[0].isdigit() and w not in STOPWORDS:
            s = _STEMS.get(w)
            if s is None:
                s = stem(w)
                if len(_STEMS) < 500_000:
                    _STEMS[w] = s
            if len(s) > 1:
                out.append(s)
    return out


def unit_vector(v: dict[str, float], keep: int) -> dict[str, float]:
    if len(v) > keep:
        v = dict(sorted(v.items(), key=lambda kv: -kv[1])[:keep])
    z = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / z for k, x in v.items()} if z else {}


def sparse_cos(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse (normalized) vectors. The key intersection runs in C and
    fsum is exact, so the result does not depend on set order (stable across runs)."""
    return math.fsum([a[k] * b[k] for k in a.keys() & b.keys()])


def split_title(text: str) -> tuple[str, str]:
    """(title, body) of a standalone text: its first line when that line is short, else
    its first 15 words (texts given to ``marsad pairs`` often glue title and lead)."""
    text = text.strip()
    first, _, rest = text.partition("\n")
    if rest and len(first) <= 200:
        return first.strip(), rest
    return " ".join(text.split()[:15]), text


def to_probability(lg: float) -> float:
    """The probability of log-odds ``lg`` (the logistic function)."""
    return 1.0 / (1.0 + math.exp(-lg))
