"""The number table of a story brief: one row per quantity of one incident, its values across
the story's reports reconciled (latest, most reported, history).

A number row counts one quantity of one incident: the same thing (what, role), at one place,
on one day, of one side (civilians or fighters), and of the story's own incident unless the
count's own clause names another («غارة ثانية»، «في هجوم آخر»، «الشهر الماضي»، «عام 2009»،
«في الثاني من مارس»: ``incident``) or a running total (role ``cumulative``; a war's apart from
an offensive's); a strike on a hospital that the story tells as a part of a larger toll is its
own row too (``incident`` «site المستشفى»).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Callable

from marsad.brief_story import NEVER, StoryView, parse_when
from marsad.model import Article
from marsad.text import normalize, normalize_for_search, split_sentences, stems, words
from marsad.text.dates import MONTHS
from marsad.text.normalize import GAP

# Event types that count the same things (people killed in an attack, drones launched at a
# city are reported under attack, casualties or interception by the facts stage), so their
# numbers are reconciled together; ``Number.role`` keeps launched apart from intercepted.
_TYPE_FAMILY = {"attack": "violence", "casualties": "violence", "interception": "violence"}

# What a number counts, folded to one key per meaning (normalized forms; see
# marsad.text.normalize): «قتلى»، «قتيلا»، «مقتل»، «شهداء» all count the killed.
_WHAT_CANON: dict[str, str] = {}
for _canon, _forms in {
    "killed": "قتلى قتيل قتيلا قتيلاً قتلا مقتل القتلى شهيد شهيدا شهداء الشهداء ضحية ضحايا "
              "الضحايا وفاة وفيات حالة_وفاة قتلوا لقوا",
    "wounded": "جرحى جريح جريحا الجرحى مصاب مصابا مصابين مصابون المصابين إصابة إصابات الإصابات "
               "جرح جرحوا أصيبوا",
    "missing": "مفقود مفقودين مفقودا المفقودين",
    "prisoners": "أسرى أسير أسيرا الأسرى معتقل معتقلين المعتقلين سجين سجناء السجناء محتجز "
                 "محتجزين رهينة رهائن الرهائن",
    "drones": "مسيرة مسيرات المسيرات طائرة_مسيرة درون",
    "missiles": "صاروخ صواريخ الصواريخ",
    "displaced": "نازح نازحين النازحين مهجر مهجرين",
    "arrested": "اعتقال اعتقل المعتقلين موقوف موقوفين",
}.items():
    for _f in _forms.split():
        for _w in words(_f.replace("_", " ")):
            _WHAT_CANON.setdefault(_w, _canon)


def what_key(what: str | None) -> str:
    """One key per thing counted: a canonical name when known, else the stems as written."""
    if not what:
        return "?"
    ws = words(what)
    for w in ws:
        if w in _WHAT_CANON:
            return _WHAT_CANON[w]
    for w in ws:  # a clitic or article in front: «والقتلى»، «للمصابين»
        for p in ("وال", "بال", "لل", "ال", "و", "ل", "ب"):
            if w.startswith(p) and w[len(p):] in _WHAT_CANON:
                return _WHAT_CANON[w[len(p):]]
    return " ".join(stems(ws)) or "?"


# Qualifiers of vague magnitudes («عشرات»، «آلاف»): their value is only a lower bound of the
# magnitude, never a count to reconcile against precise reports.
_VAGUE = {"dozens", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
          "millions", "a few"}
# Written right before a number, these make it a part of a toll («بينهم ثلاثة أطفال»، «بين
# القتلى ثلاثة أطفال»): the facts stage marks most with role «among …»; this catches the rest.
# Up to four words may sit between the cue and the number, but no punctuation: «بين القتلى ثلاثة
# أطفال وامرأتين» makes both counts parts, «بينهم طفل، وأصيب 20» leaves the 20 alone.
_PART_OF = re.compile(r"(?:^|\s)(?:[وف]?(?:من\s+)?بين(?:هم|هن)?|[وف]?منهم|[وف]?منهن)(?:\s+[^\s،,.؛:]+){0,4}\s*$")
_PART_AFTER = re.compile(r"\s*(?:منهم|منهن|من\s+بينهم|من\s+بينهن)(?:\s|$|[،,.])")
# Roles of the facts stage that describe a report rather than a different count: «بعد أن كانت
# الحصيلة الأولية ثمانية» (earlier) is the same toll as an older figure, kept in its history.
_NOTE_ROLES = {"earlier"}
# Words before a four-digit number that make it a year («منذ 2022»، «ربيع 2022»، «عام 2021»).
_YEAR_BEFORE = set(words("منذ عام العام سنة السنة ربيع صيف خريف شتاء مطلع أوائل أواخر منتصف نهاية "
                         "بداية مطلع حتى قبل بعد خلال"))
# How far back (characters) to look for those cue words. 30: «بين القتلى ثلاثة» puts the cue 12
# characters before the number, «بين القتلى ثلاثة أطفال وامرأتين» 28; 40 still stays inside one
# clause in the example corpus and the seeds.
_CUE_WINDOW = 40


# A number recalled as an earlier figure (normalized forms): «أعلن في وقت سابق عن مقتل ثمانية»,
# «بعد أن كانت الحصيلة الأولية تشير إلى ثمانية», «تقارير أولية تحدثت عن نحو 200».
_EARLIER = re.compile(r"(?:في وقت سابق|سابقا|(?:ال)?حصيله (?:ال)?اوليه|تقارير اوليه|(?:ال)?ارقام (?:ال)?اوليه|"
                      r"بعد ان كانت|بعد ان كان|قبل ان ترتفع|قبل ان يرتفع)")
# How far back in the sentence to look for those cues. 45: «وكان المحافظ أعلن في وقت سابق عن
# مقتل» (seeds) puts the cue 18 characters before the number, «بعد أن كانت الحصيلة الأولية تشير
# إلى» (example corpus) 37; the whole sentence would wrongly reach a cue that follows the
# article's own figure only when the figure comes after it, which 45 keeps out in both.
_EARLIER_WINDOW = 45


def _clause_before(text: str, pos: int, window: int) -> str:
    """Up to ``window`` characters before ``pos``, not reaching back past a sentence end."""
    chunk = text[max(0, pos - window):pos]
    cut = max(chunk.rfind(c) for c in ".!؟?\n")
    return chunk[cut + 1:] if cut >= 0 else chunk


def _report_kind(a: Article, n: Any) -> str:
    """``primary`` for a count that can be the story's figure, else why it is not one."""
    if n.qualifier in _VAGUE:
        return "vague"
    role = getattr(n, "role", None) or ""
    if role in _NOTE_ROLES:
        return role
    if role.startswith("among"):
        return "part"
    if n.start is not None and 0 < n.start <= len(a.text):
        before = _clause_before(a.text, n.start, _CUE_WINDOW)
        if _PART_OF.search(normalize_for_search(before)):
            return "part"
        if n.end is not None and _PART_AFTER.match(normalize_for_search(a.text[n.end:n.end + _CUE_WINDOW])):
            return "part"  # «ثلاثة منهم في حالة حرجة»
        if _EARLIER.search(normalize_for_search(_clause_before(a.text, n.start, _EARLIER_WINDOW))):
            return "earlier"  # «وكان المحافظ أعلن في وقت سابق عن مقتل ثمانية أشخاص»
        if isinstance(n.value, int) and 1900 <= n.value <= 2100 and len((n.text or "").strip()) == 4:
            prev = words(before)
            if prev and prev[-1] in _YEAR_BEFORE:
                return "year"
    return "primary"


_SHARE_WORD = re.compile(r"(?:^|\s)[وب]?(?:ال)?نسب[ةه](?=\s|$)")
# Matched on normalized text (ئ → ي, ة → ه): «61.4 بالمئة من الأصوات».
_VOTES_AFTER = re.compile(r"^\s*(?:%|بالميه|بالمايه|في الميه|في المايه)?\s*(?:من\s+)?(?:ال)?اصوات")
_VOTE_CUE = re.compile(r"(?:^|\s)(?:[وف]?(?:ال)?اصوات|[وف]?(?:فوز|حل|حلت|حصل|حصلت|نال|نالت|حصد|حصدت)|"
                       r"(?:ال)?(?:انتخابات|اقتراع|تصويت))(?=\s|$|[،,.])")
# How far (characters) a share's label may sit before it («بلغت نسبة المشاركة النهائية في
# الانتخابات الرئاسية 44.7»: 49). 80 keeps to the clause in the example corpus.
_SHARE_WINDOW = 80


# «20% من الأراضي الأوكرانية»: a share of the whole named right after it (a definite noun and
# at most one definite adjective), as written. Seed 002.
_OF_WHOLE = re.compile(r"^\s*(?:%|٪|بالميه|بالمايه|في الميه|في المايه)?\s*من\s+(?P<x>ال\w+(?:\s+ال\w+)?)")
# «… بإنجاز جميع أعمال الترميم في المدينة القديمة، بنسبة 100%»: the measure is the phrase before
# «بنسبة», back to a word that opens the clause it belongs to (a verb of report or a
# conjunction), at most SHARE_PHRASE_WORDS words. Seed 002.
SHARE_PHRASE_WORDS = 6
_SHARE_MARK = re.compile(r"(?:^|\s|[،,])\s*(?:[وب]?نسب[ةه])\s*$")
_PHRASE_STOP = set(words("أن إن أنه أنها الذي التي الذين يفيد تفيد يؤكد تؤكد قال قالت أعلن أعلنت "
                         "ذكر ذكرت على عن في من إلى و ثم أو لكن بعد قبل منذ حتى"))


def _share_of_whole(after: str) -> str | None:
    m = _OF_WHOLE.match(normalize_for_search(after[:120]))
    if not m:
        return None
    # the same words as written: the one or two words after «من»
    xs = m.group("x").split()
    n = 1 if len(xs) > 1 and xs[1] in ("التي", "الذي", "الذين", "اللذين", "اللتين", "اللتان") else len(xs)
    raw = after.split()
    at = next((i for i, w in enumerate(raw) if normalize_for_search(w) == "من"), None)
    if at is None:
        return None
    return " ".join(raw[at + 1:at + 1 + n]).strip("،,.:؛")


def _share_of_phrase(before: str) -> str | None:
    m = _SHARE_MARK.search(before)
    if not m:
        return None
    head = before[:m.start()].rstrip()
    if not head or head[-1] in ".:؛!؟?":
        return None
    got: list[str] = []
    for w in reversed(head.split()):
        nw = words(w)
        bare = nw[0][1:] if nw and len(nw[0]) > 3 and nw[0][0] in "وف" else (nw[0] if nw else "")
        if not nw or nw[0] in _PHRASE_STOP or bare in _PHRASE_STOP or any(c in w for c in "،,:؛\"«»“”%٪") \
                or any(ch.isdigit() for ch in w) or "مئ" in w or "مائ" in w:
            break  # (nor across another figure: «بنسبة 35 بالمئة والديزل بنسبة 28»)
        got.append(w)
        if len(got) >= SHARE_PHRASE_WORDS:
            break
    if len(got) < 2:
        return None
    phrase = " ".join(reversed(got))
    if phrase[:1] in "بو" and len(words(phrase)[0]) >= 3:
        phrase = phrase[1:]  # «بتحرير …» → «تحرير …»، «وكل …» → «كل …»
    return phrase


def _shares(st: StoryView) -> list[tuple[tuple[str, str, str], str, dict[str, Any]]]:
    """Percentages of the story's articles with what they measure: «نسبة المشاركة» from the
    words before, or «نسبة أصوات <person>» for a vote share («فوز مراد بن سالم بنسبة 60.9
    بالمئة من الأصوات»). A percentage whose measure the sentence does not name is left out."""
    from marsad.text.numbers import find_numbers

    out = []
    for a in st.articles:
        t = st.time_key(a)
        persons = sorted((m.start, m.end, m.canonical or m.text) for m in st.facts[a.id].mentions
                         if m.type in ("PERSON", "PERS"))
        for sent in split_sentences(a.text):
            if "%" not in sent.text and "المئ" not in sent.text and "المائ" not in sent.text:
                continue
            for n in find_numbers(sent.text):
                if n.unit != "%":
                    continue
                start, end = sent.start + n.start, sent.start + n.end
                b0 = max(sent.start, start - _SHARE_WINDOW)
                raw_before = a.text[b0:start]
                before = normalize(raw_before)  # same length: offsets map back to the text
                after = normalize_for_search(a.text[end:min(sent.end, end + 30)])
                label = None
                marks = list(_SHARE_WORD.finditer(before))
                rest_at = marks[-1].end() if marks else len(before)
                rest = [(m.start(), m.end()) for m in re.finditer(r"\S+", before[rest_at:])]
                words_after = [before[rest_at + i:rest_at + j].replace(GAP, "") for i, j in rest]
                if words_after and not words_after[0][:1].isdigit() and (
                        words_after[0].startswith("ال")
                        or (len(words_after) > 1 and words_after[1].startswith("ال"))):
                    # «نسبة المشاركة ...», «نسبة التزام الأعضاء ...»: the measure named after
                    # «نسبة» (one definite noun, or a noun and its definite complement), as written.
                    last = 0 if words_after[0].startswith("ال") else 1
                    label = "نسبة " + raw_before[rest_at + rest[0][0]:rest_at + rest[last][1]].strip("،,.")
                elif (marks and not rest) or _VOTES_AFTER.match(after):
                    # «حصوله على 61.4 بالمئة من الأصوات», «حلت ثانية بنسبة 27.9 بالمئة»
                    if _VOTES_AFTER.match(after) or _VOTE_CUE.search(normalize_for_search(sent.text)):
                        who = [p for p in persons if sent.start <= p[0] and p[1] <= start]
                        if who:
                            label = "نسبة أصوات " + who[-1][2]
                if label is None:
                    label = _share_of_whole(a.text[end:sent.end]) or \
                        _share_of_phrase(a.text[sent.start:start])
                if label is None:
                    continue
                key = ("share", what_key(label), "")
                out.append((key, label, {
                    "value": n.value, "qualifier": n.qualifier, "text": n.text, "what": label,
                    "role": None, "event_type": "share", "outlet": a.outlet, "article": a.id,
                    "published": a.published, "duplicate_of": a.duplicate_of,
                    "evidence": {"article": a.id, "start": sent.start, "end": sent.end},
                    "number_span": {"article": a.id, "start": start, "end": end},
                    "primary": n.qualifier not in _VAGUE, "note": None if n.qualifier not in _VAGUE else "vague",
                    "_t": (t[0], t[1], sent.start), "_pos": start,
                }))
    return out


def _split_by(groups: dict, written: dict, key_of: Callable[[dict[str, Any]], str | None],
              own: Callable[[dict[str, Any], set[str], set[str]], set[str]]) -> dict:
    """Each group whose reports give two or more keys (``key_of``; None: no key) split into one
    group per key. A report without a key joins the one key ``own(report, keys of its article,
    all keys)`` gives, else the key most reported (ties: the one reported first)."""
    out: dict = {}
    for key, reports in groups.items():
        keyed: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in reports:
            k = key_of(r)
            if k is not None:
                keyed[k].append(r)
        if len(keyed) < 2:
            out[key] = reports
            continue
        main = min(keyed, key=lambda k: (-len(keyed[k]), min(r["_t"] for r in keyed[k])))
        by_article: dict[str, set[str]] = defaultdict(set)
        for k, rs in keyed.items():
            for r in rs:
                by_article[r["article"]].add(k)
        for r in reports:
            if key_of(r) is None:
                mine = own(r, by_article.get(r["article"], set()), set(keyed))
                keyed[next(iter(mine)) if len(mine) == 1 else main].append(r)
        for k, rs in keyed.items():
            sub = (*key, k)
            out[sub] = rs
            written[sub] = written[key]
    return out


# Whom a toll counts, from the noun right after its number (normalized): civilians and fighters
# are two quantities («مقتل 215 مدنيا» beside «مقتل أكثر من 300 عنصر من الفصائل»: one row in an
# ANT story of 18 March 2018).
_CIVILIANS = set(words("مدني مدنيا مدنيين مدنيون المدنيين مواطن مواطنا مواطنين مواطنون"))
_FIGHTERS = set(words(
    "عنصر عنصرا عناصر عنصرين مقاتل مقاتلا مقاتلين مقاتلون مقاتلان جندي جنديا جنود جنديين جنديان "
    "مسلح مسلحا مسلحين مسلحون شرطي شرطيا شرطيين شرطيان ضابط ضابطا ضباط ارهابي ارهابيا ارهابيين "
    "ارهابيون متشدد متشددا متشددين عسكري عسكريا عسكريين عسكريون مسلحي عناصر"))


def _side(text: str, end: int) -> str | None:
    ws = words(text[end:end + 40])
    if not ws:
        return None
    w = ws[0]
    if w in _CIVILIANS:
        return "civilians"
    if w in _FIGHTERS:
        return "fighters"
    return None


def _split_by_side(groups: dict, written: dict) -> dict:
    """Tolls of civilians and of fighters are two quantities: a group whose reports count both
    is split by side; a report that names neither joins the side its article counts, else the
    side most reported."""
    return _split_by(groups, written, lambda r: r.get("_side") if r.get("event_type") != "share" else None,
                     lambda r, article, keys: article)


def _split_by_place(groups: dict, written: dict) -> dict:
    """Counts of the same thing at different places are different events («30 مسيرة على
    حلب», «85 مسيرة على حمص»): a group whose reports name two or more places is split
    by place. A report without a place joins the one place its article names, else the place
    most reported."""
    return _split_by(groups, written,
                     lambda r: normalize_for_search(r["place"]) if r.get("place") else None,
                     lambda r, article, keys: article or (keys & r.get("_places", set())))


# A toll that grows («ارتفع عدد القتلى إلى ثلاثة بعد وفاة شاب صباح الأربعاء») names the day of
# the update, not of the incident: its date does not split it from the incident's figures.
_TOLL_UPDATE = re.compile(r"(?:^|\s)[وف]?(?:ارتفع|ارتفعت|ارتفاع|ترتفع|يرتفع|حصيله|الحصيله|عدد)(?=\s|$)")


# A date in a sentence that reports a statement before its number is most often the statement's
# («نفى المتحدث، اليوم الأربعاء، تقريرا … عن الهجوم الذي أودى بحياة 14»: example corpus), not
# the incident's: such a report does not split a row by date.
_SAID_BEFORE = re.compile(r"(?:^|\s)[وف]?(?:قال|قالت|اعلن|اعلنت|نفي|نفت|اكد|اكدت|ذكر|ذكرت|افاد|افادت|"
                          r"اوضح|اوضحت|اضاف|اضافت|صرح|صرحت|افاد|اشار|اشارت|تابع|تابعت)(?=\s|$)")


def _split_by_date(groups: dict, written: dict) -> dict:
    """Counts of the same thing on different days are different incidents («قتل 43 مدنيا
    الجمعة», «قتل 11 مدنيا السبت» in one story of ANT, 17 March 2018): a group whose reports
    give two or more event dates is split by date. A report without one joins the one date its
    article gives, else the date most reported; so does a rising toll, whose date is the
    update's («ارتفع عدد القتلى … بعد وفاة جرحى صباح السبت»)."""
    return _split_by(groups, written,
                     lambda r: r["_date"] if r.get("_date") and not r.get("_update") else None,
                     lambda r, article, keys: set() if r.get("_update") else article)


# Which incident a count belongs to, from the words of its own clause (normalized forms). Every
# count of a story is the story's incident unless its clause says otherwise:
# * another incident of the same kind: «في غارة ثانية»، «في هجوم آخر»، «تفجير مماثل»، «في حادث
#   منفصل»، «الانفجارات السابقة» (an attack noun and an ordinal or «other» word right after
#   it); «الغارة الأولى» is the story's own;
# * an earlier period: «الشهر الماضي»، «الأسبوع الماضي»، «العام الماضي»، «قبل أيام»، «في وقت
#   سابق من الشهر» (a previous incident's toll);
# * a running total: «منذ بداية العام»، «منذ مطلع الشهر» (the facts stage marks most running
#   totals «cumulative»; this catches the period words it does not read).
# Seen in ANT stories of February-March 2018 (two strikes on Eastern Ghouta towns on one day in
# one row; a previous month's wounded beside the day's).
_ATTACK_NOUN = (r"(?:[وفبل]|لل|وب|وال|بال|فال|ال)?(?:غاره|غارات|هجوم|هجمات|ضربه|ضربات|تفجير|تفجيرات|انفجار|انفجارات|"
                r"قصف|حادث|حادثه|اعتداء|عمليه|كمين|اشتباك|اشتباكات|هجمه)")
_ORDINALS = {"ثانيه": "2", "ثاني": "2", "ثان": "2", "ثالثه": "3", "ثالث": "3", "رابعه": "4",
             "رابع": "4", "خامسه": "5", "خامس": "5"}
_OTHER_INCIDENT = re.compile(
    r"(?:^|\s)" + _ATTACK_NOUN + r"\s+(?:[^\s،,.؛]+\s+)?(?:ال)?(?P<w>ثانيه|ثاني|ثان|ثالثه|ثالث|رابعه|رابع|خامسه|"
    r"خامس|اخر|اخري|منفصل|منفصله|مماثل|مماثله|سابق|سابقه|سابقين)(?=\s|$|[،,.؛:])")
_PREVIOUS_PERIOD = re.compile(
    r"(?:^|\s)(?:(?:ال)?(?P<p>شهر|اسبوع|عام|سنه)\s+(?:ال)?(?:ماضي|ماضيه|منصرم|منصرمه|فائت|فائته)|"
    r"قبل\s+(?:ايام|اسبوع|اسبوعين|اسابيع|شهر|شهرين|اشهر|عام|عامين|سنه|سنتين|سنوات)|"
    r"في\s+وقت\s+سابق\s+من\s+(?:ال)?(?:شهر|عام|سنه|اسبوع))(?=\s|$|[،,.؛:])")
_YEARS_LONG = r"(?:سنوات|اعوام|سنين|عامين|سنتين|عقود|عقد)"
_RUNNING_TOTAL = re.compile(
    r"(?:^|\s)(?:منذ\s+(?:بدايه|بدء|مطلع|اول|مستهل)\s+(?:ال)?(?:عام|سنه|شهر|اسبوع|العام|السنه|الشهر)|"
    r"منذ\s+(?:\S+\s+)?" + _YEARS_LONG + r"|حصيله\s+\S+\s+" + _YEARS_LONG + r"|"
    r"(?:خلال|مدار|مدي)\s+(?:ال)?(?:اعوام|سنوات|اشهر|شهور|اسابيع)\s+(?:ال)?\S+\s+(?:ال)?(?:ماضيه|اخيره))"
    r"(?=\s|$|[،,.؛:])")
# A running total of a war (months or years of it) is another quantity than the running total
# of the offensive the story reports («تسبب الهجوم حتى الآن بمقتل 1220» beside «نصف مليون قتيل
# منذ اندلاع الحرب»: one row in an ANT story of 15 March 2018).
_WAR_TOTAL = re.compile(r"(?:^|\s)(?:ال)?(?:حرب|نزاع|صراع|انتفاضه|ثوره|ازمه|حرب الاهليه)(?!\w)|"
                        r"(?:^|\s)(?:منذ|حصيله|مدار|خلال)\s+(?:ال)?\S*\s*(?:ال)?" + _YEARS_LONG)
# A month named without its day («وفي كانون الثاني/يناير تسبب الإعصار بمقتل 51»، «في منتصف
# فبراير المنصرم قتل 17»), or a year («عقب هجوم عام 2015»), other than the publication's: an
# earlier incident. A month with its day is a date, read by the date split (_split_by_date).
_MONTH_NAMES = sorted((m for m in MONTHS if len(m) > 3 and m != "ماي"), key=len, reverse=True)
_MONTH_ALONE = re.compile(r"(?:^|\s)(?:[وف]?(?:في|ب|منتصف|مطلع|اواخر|اوائل|نهايه|بدايه|خلال|شهر))\s+"
                          r"(?:شهر\s+)?(?P<m>" + "|".join(_MONTH_NAMES) + r")(?=\s|$|[،,.؛:/])")
# A day of a month («في الثالث من مارس»، «في 12 مارس») more than DATED_BEFORE_DAYS days before
# the article's publication: the count is of an earlier incident (a series of parcel bombs
# recalled in the report of the latest one, whose only toll was an earlier bomb's: ANT story
# of 19 March 2018). 3: the dates recalled there are 7 and 17 days old; the number tables of
# the other nine stories checked (200 ANT articles of 15-20 March 2018), the example corpus and
# the seeds are unchanged by it.
DATED_BEFORE_DAYS = 3
_DAY_WORDS = {"الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6,
              "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10}
_DAY_OF_MONTH = re.compile(r"(?:^|\s)(?:[وف]?(?:في|يوم))\s+(?P<d>[0-9]{1,2}|" + "|".join(_DAY_WORDS) +
                           r")\s+(?:من\s+)?(?:شهر\s+)?(?P<m>" + "|".join(_MONTH_NAMES) + r")(?=\s|$|[،,.؛:/])")
# A running total of a span of days or more counted out («شهدت المدينة ثلاثة تفجيرات خلال
# عشرة أيام، وأدت إلى مقتل شخصين»، «في غضون شهر»: the same ANT story of 19 March 2018). Two
# days («خلال يومين») are left to the story's own offensive.
_SPAN_TOTAL = re.compile(
    r"(?:^|\s)(?:خلال|غضون|مدي|مدار)\s+(?:(?:[0-9]+|ثلاثه|اربعه|خمسه|سته|سبعه|ثمانيه|تسعه|عشره|بضعه)\s+"
    r"(?:ايام|اسابيع|اشهر|شهور|اعوام|سنوات)|اسبوعين|شهرين|عامين|سنتين)(?=\s|$|[،,.؛:])|"
    r"(?:^|\s)(?:في\s+)?غضون\s+(?:شهر|اسبوع)(?=\s|$|[،,.؛:])")
_YEAR_NAMED = re.compile(r"(?:^|\s)(?<!مولود )(?<!المولود )(?<!مواليد )(?<!ولد )(?<!ولدت )"
                         r"(?:[وف]?(?:في|عام|العام|سنه|خلال))\s+(?:عام\s+)?(?P<y>(?:19|20)\d\d)(?=\s|$|[،,.؛:])")


def _date_before(pub: Any, month: int, day: int) -> str | None:
    """The ISO date of ``day`` ``month`` (the publication's year, or the year before for a
    later month) when it is more than DATED_BEFORE_DAYS days before the publication."""
    if pub is None:
        return None
    try:
        when = date(pub.year if month <= pub.month else pub.year - 1, month, day)
        published = date(pub.year, pub.month, pub.day)
    except (ValueError, AttributeError):
        return None
    return when.isoformat() if (published - when).days > DATED_BEFORE_DAYS else None


def incident_cue(text: str, lo: int, start: int, end: int, hi: int,
                  published: str | None = None) -> str | None:
    """Which incident the count at ``start:end`` reports, from its clause: ``text[lo:hi]`` is its
    sentence cut at the counts before and after it, and forward at the next punctuation (a
    fronted phrase before the count, «وفي هجوم آخر، قتل جنديان», stays its own). None: the
    story's incident; else «incident N», «other incident», «previous <period>» or «cumulative»."""
    after = text[end:hi]
    cut = min((i for i in (after.find(c) for c in "،,.؛;\n") if i >= 0), default=len(after))
    clause = normalize_for_search(text[lo:start] + " # " + after[:cut])
    if _RUNNING_TOTAL.search(clause) or _SPAN_TOTAL.search(clause):
        return "cumulative"
    pub = parse_when(published)
    for m in _DAY_OF_MONTH.finditer(clause):
        if "منذ" in clause[:m.start()].split():
            continue  # «منذ بدء العملية العسكرية في 20 يناير»: the start of a running total
        d = m.group("d")
        day = int(d) if d.isdigit() else _DAY_WORDS[d]
        when = _date_before(pub, MONTHS[m.group("m")], day)
        if when is not None:
            return "previous " + when
    for m in _MONTH_ALONE.finditer(clause):
        if pub is not None and MONTHS[m.group("m")] != pub.month:
            return "previous " + m.group("m")
    for m in _YEAR_NAMED.finditer(clause):
        if pub is not None and int(m.group("y")) < pub.year:
            return "previous " + m.group("y")
    m = _OTHER_INCIDENT.search(clause)
    if m:
        w = m.group("w")
        return f"incident {_ORDINALS[w]}" if w in _ORDINALS else "other incident"
    m = _PREVIOUS_PERIOD.search(clause)
    if m and not _SAID_BEFORE.search(normalize_for_search(text[lo:start])):
        # (a period before a speech verb dates the statement: «وكانت اللجنة قد أعلنت الأسبوع
        # الماضي أن … اثنين من القتلى الثلاثة», example corpus)
        return "previous " + (m.group("p") or "period")
    return None


# Counts joined by a conjunction («قتل 64 شخصا وإصابة أكثر من 150 آخرين»، «39 فلسطينيا، و5
# إسرائيليين منذ …») share their clause: a cue of one is the other's when at most this many
# words, and no sentence stop, sit between them. 5: the longest such gap in the ANT stories
# read (4, «شخصا وإصابة أكثر من»); «قتل خمسة في الغارة الأولى على البلدة، وقتل ثلاثة في غارة
# ثانية» puts 7 between two incidents.
CONJOINED_WORDS = 5


def _event_cues(a: Article, e: Any) -> dict[int, tuple[str | None, str]]:
    """id(number) -> (its incident cue, its clause normalized) for the numbers of event ``e``."""
    nums = sorted((n for n in e.numbers if n.start is not None and n.end is not None
                   and e.evidence.start <= n.start < n.end <= e.evidence.end), key=lambda n: n.start)
    out: dict[int, tuple[str | None, str]] = {}
    got: list[str | None] = []
    for i, n in enumerate(nums):
        lo = nums[i - 1].end if i else e.evidence.start
        hi = nums[i + 1].start if i + 1 < len(nums) else e.evidence.end
        cue = incident_cue(a.text, lo, n.start, n.end, hi, a.published)
        if cue is None and (getattr(n, "role", None) or "") == "cumulative":
            cue = "cumulative"
        got.append(cue)
        out[id(n)] = (cue, normalize_for_search(a.text[lo:hi]))
    for _ in range(2):  # left to right, then right to left
        for i in range(1, len(nums)):
            gap = a.text[nums[i - 1].end:nums[i].start]
            if re.search(r"[.؛;!?؟\n]", gap) or len(words(gap)) > CONJOINED_WORDS:
                continue
            if got[i] is None and got[i - 1] is not None:
                got[i] = got[i - 1]
            elif got[i - 1] is None and got[i] is not None:
                got[i - 1] = got[i]
    for n, cue in zip(nums, got):
        out[id(n)] = (cue, out[id(n)][1])
    return out


_AT_PLACE = re.compile(r"(?:^|\s)(?:[وف]?(?:في|ب|على|داخل|قرب))(?:\s+(?:منطقه|منطقتي|مدينه|مقاطعه|محافظه|ولايه|"
                       r"اقليم|بلده|قريه))?\s*$")


def _number_places(a: Article, e: Any, mentions: list) -> dict[int, str]:
    """id(number) -> the place its own clause names, for an event that counts one thing at
    several places («أكثر من 12000 مشترك في منطقة الشمال وحوالي 3000 في الجنوب», as
    in a report of power cuts): the first place the tagger found after the count and before
    the next count, written right after «في»، «ب»، «على» (or «في منطقة»). Events counting each thing once keep the
    event's place."""
    nums = sorted((n for n in e.numbers if n.start is not None and n.end is not None
                   and e.evidence.start <= n.start < n.end <= e.evidence.end), key=lambda n: n.start)
    if len({what_key(n.what) for n in nums}) == len(nums):
        return {}
    places = sorted((m.start, m.end, m.text) for m in mentions if m.type in ("PLACE", "LOC")
                    and e.evidence.start <= m.start and m.end <= e.evidence.end)
    out: dict[int, str] = {}
    for i, n in enumerate(nums):
        hi = nums[i + 1].start if i + 1 < len(nums) else e.evidence.end
        for s0, e0, name in places:
            if n.end <= s0 and e0 <= hi:
                if _AT_PLACE.search(normalize_for_search(a.text[n.end:s0])) and \
                        not re.search(r"[.،,؛]", a.text[n.end:s0]):
                    out[id(n)] = name
                break
    return out


def _own_period_only(groups: dict, written: dict) -> None:
    """A count an earlier period tags («في فبراير الماضي»، «عام 1988») is the story's own
    incident when its article counts nothing else untagged: a story about a past incident (a
    trial, an anniversary) dates it without another incident beside it."""
    def tagged(k: tuple) -> bool:
        return len(k) > 3 and str(k[-1]).startswith("previous ")

    # articles that also count the story's own incident (any untagged count, read once before
    # anything moves: «قتل 173 … في 2009» beside «انقطعت الكهرباء عن 22 ألف منزل» today)
    own = {r["article"] for k, rs in groups.items() if not tagged(k) for r in rs}
    for key in [k for k in groups if tagged(k)]:
        base = key[:-1]
        values = {r["value"] for r in groups.get(base, ())}
        # (the same value untagged elsewhere in the story is that incident told again: «قتل 17
        # شخصا في منتصف فبراير المنصرم» beside «مقتل 17 شخصا في المدرسة»)
        back = [r for r in groups[key] if r["article"] not in own or r["value"] in values]
        if back:
            for r in back:
                r["incident"] = None
                if r.get("what"):
                    written[base][r["what"]] += 1
                    written[key][r["what"]] -= 1
            groups[base] = groups.get(base, []) + back
            groups[key] = [r for r in groups[key] if not any(r is b for b in back)]
            if not groups[key]:
                del groups[key]


# A place struck that a count's own clause names (normalized forms -> the name shown): a strike
# on a hospital is one incident of a day's shelling, and its toll a part of the day's («قتل 40
# مدنيا، بينهم 12 جراء غارة استهدفت المستشفى» beside «غارة أصابت المستشفى وقتلت 7»: the day's
# toll and the hospital's shared one row in an ANT story of 17 March 2018).
_SITES = {"مستشفي": "المستشفى", "مشفي": "المستشفى", "مدرسه": "المدرسة", "مسجد": "المسجد",
          "كنيسه": "الكنيسة", "مخبز": "المخبز"}
# A site joined to another target by «و» («قصف استهدف السوق ومشفى البلدة») is one of the
# targets of a larger count, not a strike of its own (in the same story).
_SITE = re.compile(r"(?:^|\s)(?:[فب]|لل|ال|بال|فال)?(?P<s>" + "|".join(_SITES) + r")(?=\s|$|[،,.؛:\"»])")
# ... hit by the strike the count reports: an attack word in the same clause,
_STRIKE = re.compile(r"(?:^|\s)(?:[وف]?(?:استهدف|استهدفت|اصاب|اصابت|طال|طالت|قصف|ضرب|ضربت)|"
                     + _ATTACK_NOUN + r")(?=\s|$|[،,.؛:])")
# ... and not the hospital the wounded were taken to, or died in.
_TREATED = re.compile(r"(?:^|\s)[وف]?(?:نقل|نقلوا|نقلت|اسعاف|اسعافهم|علاج|للعلاج|يتلقون|توفي|توفوا|متاثرا|"
                      r"متاثرين|يرقد|يرقدون)(?=\s|$)")


def _struck_site(text: str, lo: int, end: int, hi: int) -> str | None:
    """The place struck (a hospital, a school …) that the clause of the count ending at ``end``
    names: ``text[lo:hi]`` as in incident_cue, cut after the count at the next punctuation
    («مقتل 40 مدنيا في المدينة، بينهم 12 … استهدفت المستشفى» names no site for the 40)."""
    after = text[end:hi]
    cut = min((i for i in (after.find(c) for c in "،,.؛;\n") if i >= 0), default=len(after))
    clause = normalize_for_search(text[lo:end] + " " + after[:cut])
    m = _SITE.search(clause)
    if m is None or not _STRIKE.search(clause) or _TREATED.search(clause):
        return None
    return _SITES[m.group("s")]


def _number_sites(a: Article, e: Any) -> dict[int, str]:
    """id(number) -> the place struck its clause names, for the numbers of event ``e``."""
    nums = sorted((n for n in e.numbers if n.start is not None and n.end is not None
                   and e.evidence.start <= n.start < n.end <= e.evidence.end), key=lambda n: n.start)
    out: dict[int, str] = {}
    for i, n in enumerate(nums):
        lo = nums[i - 1].end if i else e.evidence.start
        hi = nums[i + 1].start if i + 1 < len(nums) else e.evidence.end
        site = _struck_site(a.text, lo, n.end, hi)
        if site:
            out[id(n)] = site
    return out


def _split_by_site(groups: dict, written: dict) -> dict:
    """Counts whose clause names a place struck (``_struck_site``) are their own row when the
    story tells them as a part of a larger toll: some report gives the site's count as a part
    («بينهم 12 … جراء غارة استهدفت المستشفى»), or some article gives it beside a larger count
    that names no site. A story about the strike on one hospital alone keeps its counts in one
    row."""
    parts = {r["_site"] for rs in groups.values() for r in rs if r.get("_site")
             and (r["note"] == "part" or (r.get("role") or "").startswith("among"))}
    out: dict = {}
    for key, reports in groups.items():
        by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rest = []
        for r in reports:
            (by_site[r["_site"]] if r.get("_site") else rest).append(r)
        larger: dict[str, float] = defaultdict(float)
        for r in rest:
            if r["note"] != "vague" and isinstance(r["value"], (int, float)):
                larger[r["article"]] = max(larger[r["article"]], r["value"])
        kept = list(rest)
        for site, rs in by_site.items():
            if not (rest and site in parts) and not any(
                    isinstance(r["value"], (int, float)) and larger.get(r["article"], 0) > r["value"] for r in rs):
                kept.extend(rs)
                continue
            sub = (*key, "site " + site)
            for r in rs:
                r["incident"] = r["incident"] or "site " + site
                if r.get("what"):
                    written[sub][r["what"]] += 1
                    written[key][r["what"]] -= 1
            out[sub] = rs
        if kept:
            out[key] = kept
    return out


def number_rows(st: StoryView) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    written: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for a in st.articles:
        t = st.time_key(a)
        places = {normalize_for_search(x) for m in st.facts[a.id].mentions if m.type in ("PLACE", "LOC")
                  for x in (m.text, m.canonical) if x}
        for e in st.facts[a.id].events:
            if not st.valid(e.evidence):
                continue
            # The event's place, when the entity tagger also read it as a place.
            place = e.place if e.place and normalize_for_search(e.place) in places else None
            cues = _event_cues(a, e)
            own_places = _number_places(a, e, st.facts[a.id].mentions)
            sites = _number_sites(a, e)
            for n in e.numbers:
                if n.value is None or n.unit == "%":
                    continue  # percentages are read with what they measure by _shares
                kind = _report_kind(a, n)
                if kind == "year":
                    continue
                role = getattr(n, "role", None) or ""
                group_role = "" if role in _NOTE_ROLES else role
                key = (_TYPE_FAMILY.get(e.type, e.type), what_key(n.what), group_role)
                incident = None
                if id(n) in cues:
                    cue, clause = cues[id(n)]
                    if cue == "cumulative" and not group_role.startswith("among"):
                        key = (key[0], key[1], "cumulative")
                    if key[2] == "cumulative" and _WAR_TOTAL.search(clause):
                        key, incident = (*key, "war"), "war"  # a war's running total
                    elif cue is not None and cue != "cumulative" and role not in _NOTE_ROLES:
                        key = (*key, cue)  # another incident than the story's: its own row
                        incident = cue
                ev = e.evidence
                if n.start is not None and n.end is not None and 0 <= n.start < n.end <= len(a.text):
                    num_span = {"article": a.id, "start": n.start, "end": n.end}
                else:
                    num_span = None
                groups[key].append({
                    "value": n.value,
                    "qualifier": n.qualifier,
                    "text": n.text,
                    "what": n.what,
                    "role": role or None,
                    "event_type": e.type,
                    "outlet": a.outlet,
                    "article": a.id,
                    "published": a.published,
                    "duplicate_of": a.duplicate_of,
                    "evidence": {"article": a.id, "start": ev.start, "end": ev.end},
                    "number_span": num_span,
                    "place": own_places.get(id(n), place),
                    "incident": incident,
                    "_date": None if n.start is None or _SAID_BEFORE.search(
                        normalize_for_search(a.text[ev.start:n.start])) else e.date,
                    "_update": bool(_TOLL_UPDATE.search(normalize_for_search(e.text or ""))),
                    "_side": _side(a.text, n.end) if n.end is not None else None,
                    "_site": sites.get(id(n)),
                    "_places": places,
                    "primary": kind == "primary",
                    "note": None if kind == "primary" else kind,
                    "_t": (t[0], t[1], ev.start),
                    "_pos": n.start if n.start is not None else ev.start,
                })
                if n.what:
                    written[key][n.what] += 1
    _own_period_only(groups, written)
    for key, label, report in _shares(st):
        groups[key].append(report)
        written[key][label] += 1
    groups = _split_by_date(_split_by_place(_split_by_side(groups, written), written), written)
    # (after the place and date splits: a site's count names the place and day that the
    # counts of its article without one join)
    groups = _split_by_site(groups, written)

    out = []
    for key, reports in groups.items():
        reports.sort(key=lambda r: (r["_t"], r["_pos"]))
        # One figure per article: a toll is given first (the lead) and as a total, so the
        # article's figure is the largest count of the first sentence holding one; other counts
        # of the same thing in that article (an earlier toll it recalls, a detail of a quote)
        # stay in the history as "also mentioned". Calibrated on the example corpus: «إلى 11
        # قتيلا ... بعد أن كانت الحصيلة الأولية تشير إلى ثمانية قتلى» gives 11, and a hospital
        # director's «أربعة ... ستة» later in the article does not replace the lead's 20 wounded.
        by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in reports:
            if r["primary"]:
                by_article[r["article"]].append(r)
        for rs in by_article.values():
            first_sentence = rs[0]["_t"]
            lead = [r for r in rs if r["_t"] == first_sentence]
            top = max(lead, key=lambda r: r["value"])
            for r in rs:
                if r is not top:
                    r["primary"], r["note"] = False, "also mentioned"
        # A value earlier reports gave only as a detail of a larger figure («243، هم 130 أفرجت
        # عنهم الحكومة و113 ...») is that detail again when a later article leads with it.
        details: set[Any] = set()
        top_so_far = None
        for r in reports:
            if r["primary"]:
                if r["value"] in details and top_so_far is not None and top_so_far > r["value"]:
                    r["primary"], r["note"] = False, "part"
                else:
                    top_so_far = r["value"] if top_so_far is None else max(top_so_far, r["value"])
            elif r["note"] in ("also mentioned", "part"):
                details.add(r["value"])
        has_figures = any(r["primary"] for r in reports)
        # A vague magnitude («عشرات»، «آلاف») is no value: it stays in the history with its
        # qualifier but never among the values, and a group of vague reports only is no row.
        figures = [r for r in reports if r["primary"]] or [r for r in reports if r["note"] != "vague"]
        if not figures:
            continue
        dated = [r for r in figures if r["_t"][0] != NEVER]
        # The latest report by publication time. Reports published at the same moment are
        # ordered as the story lists them; counts of victims only grow, so among reports of the
        # same latest moment the largest value wins.
        pool = dated or figures
        last_t = pool[-1]["_t"][0]
        latest = max((r for r in pool if r["_t"][0] == last_t), key=lambda r: (r["value"], r["_t"]))
        # Most reported: the value the most distinct outlets (or articles, when the outlet is
        # unknown) gave; ties go to the later value.
        backers: dict[Any, set[str]] = defaultdict(set)
        first_seen: dict[Any, tuple] = {}
        for r in figures:
            backers[r["value"]].add(r["outlet"] or r["article"])
            first_seen.setdefault(r["value"], r["_t"])
        most = max(backers, key=lambda v: (len(backers[v]), first_seen[v]))
        # Earlier figures an article recalls («بعد أن كانت الحصيلة الأولية ثمانية») are part of
        # the history of values, just before that article's own figure.
        for r in reports:
            if r["note"] == "earlier":
                first_seen.setdefault(r["value"], (r["_t"][0], r["_t"][1], -1))
        values = sorted(first_seen, key=lambda v: first_seen[v])
        for r in reports:
            r.pop("_t")
            r.pop("_pos")
            r.pop("_places", None)
            r.pop("_date", None)
            r.pop("_update", None)
            r.pop("_side", None)
            r.pop("_site", None)
        what = written[key].most_common(1)[0][0] if written[key] else None
        out.append({
            "key": ":".join(k for k in key if k),
            "what": what,
            "counts": key[1],
            "role": key[2] or None,
            "place": Counter(r["place"] for r in reports if r.get("place")).most_common(1)[0][0]
            if len(key) > 3 and any(r.get("place") for r in reports) else None,
            # None: the story's own incident; else «incident 2», «other incident», «previous
            # <period>» (see incident_cue), «site <place struck>» (see _split_by_site)
            "incident": next((r["incident"] for r in reports if r.get("incident")), None),
            # «civilians» / «fighters» when the story counts both apart (see _split_by_side)
            "side": next((k for k in key[3:] if k in ("civilians", "fighters")), None),
            "event_types": sorted({r["event_type"] for r in reports}),
            "latest": latest["value"],
            "latest_report": {k: latest[k] for k in ("value", "qualifier", "outlet", "article", "published", "evidence")},
            "most_reported": most,
            "most_reported_by": sorted(x for x in backers[most] if x),
            "values": values,
            "changed": len(values) > 1,
            # False when every report is vague, a part or a recalled toll: context, not a figure.
            "has_figures": has_figures,
            "reports": len(figures),
            "history": reports,
        })
    # Numbers that changed first (that is what an editor must check), then the most reported.
    out.sort(key=lambda g: (not g["has_figures"], not g["changed"], -g["reports"], g["key"]))
    return out

