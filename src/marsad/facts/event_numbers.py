"""What each number of an event sentence counts.

``classify_numbers`` keeps a number when it counts something the event is about and gives it a
canonical ``what`` (قتلى، جرحى، مسيرات ...), a role and a qualifier: a generic count of people
takes its meaning from the nearest cue, a part of the toll («بينهم») its own noun, and years,
rates, perpetrators, refugees, death sentences and the like are no toll. ``implicit_numbers``
reads the counts written without digits («أصيب مدني»، «مقتل ضابط وجندي»، «الشهداء الثلاثة»).
"""

from __future__ import annotations

import re

from marsad.facts.event_cues import Counted, Cue, disease_after, norm_form as _nf, noun_lexicon, word_forms
from marsad.facts.event_dates import DATE_WORDS
from marsad.text.numbers import NumberSpan, is_month
from marsad.text.tokenize import Token


# A generic count of people takes the meaning of a cue at most this many tokens away.
CUE_REACH = 6


# ---------------------------------------------------------------------------------------------
# Numbers

_CUE_WHAT = {"killed": "قتلى", "injured": "جرحى", "protest": "متظاهرين", "arrest": "معتقلين",
             "prisoner": "أسرى", "exchange": "أسرى", "release": "أسرى", "outage": "بلا كهرباء"}
_CUE_NAMES = set(_CUE_WHAT) | {"displace"}
_CLASS_WHAT = {"killed": "قتلى", "injured": "جرحى", "prisoners": "أسرى",
               "protesters": "متظاهرين", "arrested": "معتقلين"}
_TYPE_OF_WHAT = {"قتلى": "casualties", "جرحى": "casualties", "متظاهرين": "protest",
                 "معتقلين": "arrest", "أسرى": "prisoner_exchange", "بلا كهرباء": "outage"}
_AMONG = {_nf(w) for w in ("بينهم", "بينهن", "منهم", "منهن", "بينها", "بين", "منها")}
_YEAR_WORDS = {_nf(w) for w in ("عام", "العام", "سنة", "السنة", "عامي", "منذ")}
_TIME_NOUNS = {_nf(w) for w in ("يوم", "يوما", "أيام", "ساعة", "ساعات", "دقيقة", "دقائق",
                                "شهر", "شهرا", "أشهر", "شهور", "عام", "عاما", "أعوام", "سنة",
                                "سنوات", "سنين", "أسبوع", "أسابيع", "أسبوعا", "مرة", "مرات",
                                "كلم", "كيلومتر", "كيلومترا", "كيلومترات", "متر", "مترا",
                                "دولار", "دولارا", "يورو", "بالمئة", "بالمائة", "درجة", "عمره",
                                "عمرها", "العمر", "عاماً", "يومين", "ساعتين", "شهرين", "عامين",
                                "سنتين", "أسبوعين", "مرتين", "دقيقتين")}


def _noun_class(norm: str | None) -> str | None:
    if not norm:
        return None
    nouns = noun_lexicon()
    for f in word_forms(norm)[1]:
        if f in nouns:
            return nouns[f]
    return None


def _aerial_what(sp: NumberSpan, toks: list[Token]) -> str | None:
    """Canonical aerial weapon a number counts («40 طائرة مسيرة» → مسيرات)."""
    cls = _noun_class(sp.noun_norm)
    if cls is None or not cls.startswith("aerial:"):
        return None
    what = cls.split(":", 1)[1]
    if what == "طائرات":
        k = sp.last_token + 2  # the word after the noun
        nxt = toks[k].norm if k < len(toks) else ""
        if any(f in (_nf("مسيرة"), _nf("مسيرات"), _nf("انتحارية"), _nf("بدون"), _nf("درون"))
               for f in word_forms(nxt)[1]):
            what = "مسيرات"
    return what


def _nearest_cue(cues: list[Cue], tok: int, names: set[str]) -> Cue | None:
    """The cue of ``names`` nearest to token ``tok`` (before it preferred) within CUE_REACH."""
    best = None
    best_d = None
    for c in cues:
        if c.cue not in names or c.negated:
            continue
        if c.last < tok:
            d = tok - c.last
        elif c.first > tok:
            # a cue after the number («14 شخصا قتلوا») ranks behind one before it: in
            # «ارتفع عدد القتلى إلى 14 وأصيب 30» the 14 belongs to «القتلى», not to «وأصيب»
            d = (c.first - tok) + 3
        else:
            d = 0
        if d <= CUE_REACH and (best_d is None or d < best_d):
            best, best_d = c, d
    return best


_TOLL_HEADS = {_nf(w) for w in ("عدد", "حصيلة", "حصيله")}
_TO = {_nf(w) for w in ("إلى", "الى", "لتبلغ", "ليبلغ", "بلغت", "بلغ")}
_EARLIER = {_nf(w) for w in ("كانت", "كان")}
_QUAL_WORDS = {_nf(w) for w in ("أكثر", "من", "نحو", "حوالي", "حوالى", "قرابة", "ما", "يقارب", "يزيد",
                                "على", "عن", "أقل", "يناهز", "زهاء")}
_ONE_TWO_AFTER_NOUN = {_nf(w) for w in ("واحد", "واحدة", "اثنان", "اثنين", "اثنتان", "اثنتين")}


def _toll_what(toks: list[Token], tok: int, cues: list[Cue]) -> str | None:
    """«ارتفع عدد القتلى جراء الهجوم … إلى 14»: a number after «إلى/بلغ» takes the toll named
    earlier in the sentence («عدد القتلى»، «حصيلة الجرحى»)."""
    while tok > 1 and toks[tok - 1].norm in _QUAL_WORDS:
        tok -= 1  # «ارتفع عدد القتلى إلى أكثر من 9000»
    if tok == 0 or toks[tok - 1].norm not in _TO and word_forms(toks[tok - 1].norm)[0][-1] not in _TO:
        return None
    for c in sorted(cues, key=lambda c: -c.first):
        if c.cue in ("killed", "injured") and c.last < tok and c.first > 0:
            head = word_forms(toks[c.first - 1].norm)[1]
            if any(h in _TOLL_HEADS for h in head):
                return _CUE_WHAT[c.cue]
    return None


def _earlier(toks: list[Token], tok: int) -> bool:
    """«بعد أن كانت الحصيلة الأولية تشير إلى ثمانية قتلى»: a figure reported before this one."""
    for k in range(max(0, tok - 6), tok):
        if word_forms(toks[k].norm)[0][-1] in _EARLIER and k > 0 and (
                toks[k - 1].norm in (_nf("أن"), _nf("ان")) or word_forms(toks[k - 1].norm)[0][-1] == _nf("بعدما")):
            return True
    return False


def _part_noun(sp: NumberSpan, toks: list[Token], text_of) -> str | None:
    """The group a part is counted from: «تسعة من عناصر الشرطة» → «عناصر الشرطة»."""
    k = sp.last_token + 1
    if k < len(toks) and toks[k].norm == _nf("من") and k + 1 < len(toks):
        end = k + 1
        if end + 1 < len(toks) and toks[end + 1].norm.startswith("ال") and toks[end + 1].start - toks[end].end <= 1:
            end += 1
        return text_of(toks[k + 1].start, toks[end].end)
    if sp.noun and sp.noun != sp.text:
        return _canonical_noun(sp)
    return None


def classify_numbers(spans: list[NumberSpan], toks: list[Token], cues: list[Cue],
                     text: str = "") -> list[Counted]:
    """What each number of a sentence counts (numbers that count nothing an event is about
    are left out)."""
    out: list[Counted] = []
    prev_aerial: str | None = None
    only = _single_people_type(cues)
    for idx, sp in enumerate(spans):
        if sp.unit == "%":
            continue
        nn = sp.noun_norm
        if sp.first_token > 0 and _nf(sp.text) in _ONE_TWO_AFTER_NOUN:
            # «شخص واحد»، «لهجوم واحد»: the counted noun comes before
            prev = toks[sp.first_token - 1].norm
            # «إصابة اثنين من القتلى»: a partitive counts the group after «من», not the word before
            if nn != _nf("من") and _noun_class(prev) in (
                    "person", "killed", "injured", "prisoners", "protesters", "arrested"):
                nn = prev
            elif any(c.last == sp.first_token - 1 and c.cue in ("killed", "injured") for c in cues):
                pass  # «فأصاب اثنين منهم»: the object of a killed/injured verb is a count
            elif nn != _nf("من"):  # «اثنين من المصابين» is a count; «لهجوم واحد» is not
                continue
        if nn and (is_month(nn) or nn in _TIME_NOUNS or (word_forms(nn)[1][-1] in _TIME_NOUNS)):
            continue
        if sp.first_token > 0 and toks[sp.first_token - 1].norm in _YEAR_WORDS:
            continue
        if isinstance(sp.value, int) and 1900 <= sp.value <= 2100 and sp.noun_norm is None:
            continue
        if _year_or_label(sp, toks):
            continue  # «أيار/مايو 2018 وقتل فيه»، «الرحلة إم إتش 17»، «القرار 2401»
        before = toks[sp.first_token - 1].norm if sp.first_token > 0 else ""
        among = before in _AMONG or (sp.first_token > 1 and toks[sp.first_token - 2].norm in _AMONG and before in (_nf("من"),))
        if among and before == _nf("بين") and sp.first_token > 1 and toks[sp.first_token - 2].norm in _RANGE_HEAD:
            among = False  # «بما بين ألفين وثلاثة آلاف»: a range, not a part
        # «بينهم 5 أطفال وامرأتان»: a count joined by «و» right after a part is a part too
        joined_part = not among and bool(out) and (out[-1].role or "").startswith("among") \
            and _joined_to(sp, out[-1].span, toks, text)
        among = among or joined_part
        part_of = None  # «ثلاثة من المصابين»: a part of a group counted elsewhere
        if nn == _nf("من") and sp.last_token + 2 < len(toks):
            part_of = _noun_class(toks[sp.last_token + 2].norm)
            if part_of == "person":  # «عشرات الآلاف من الأشخاص» are those people, not a part
                part_of, nn = None, toks[sp.last_token + 2].norm
            elif part_of not in _CLASS_WHAT:
                part_of = None
        earlier = _earlier(toks, sp.first_token)
        # aerial weapons: «40 طائرة مسيرة»، «35 من أصل 40 مسيرة»، «35 منها»
        aerial = _aerial_what(sp, toks)
        ref = None
        if aerial is None and nn in (_nf("من"),) and sp.noun_end is not None:
            k = sp.last_token + 2
            if k < len(toks) and toks[k].norm == _nf("أصل") and idx + 1 < len(spans):
                ref = _aerial_what(spans[idx + 1], toks)
        if aerial is None and nn in (_nf("منها"), _nf("منهما")) and prev_aerial:
            ref = prev_aerial
        of_total = sp.first_token > 1 and toks[sp.first_token - 1].norm == _nf("أصل") \
            and toks[sp.first_token - 2].norm == _nf("من")
        if aerial is None and ref is None and of_total and prev_aerial:
            ref = prev_aerial  # «إسقاط ست مسيرات من أصل تسع»: the nine
        if aerial or ref:
            what = aerial or ref
            c = _nearest_cue(cues, sp.first_token, {"intercept", "launch"})
            role = "intercepted" if c is not None and c.cue == "intercept" else "launched"
            if ref is None and nn == _nf("من"):
                role = "intercepted"
            if of_total:
                role = "launched"  # «35 من أصل 40 مسيرة»: the 40
            etype = "interception" if role == "intercepted" or _has_cue(cues, "intercept") else "attack"
            out.append(Counted(sp, what, role, etype))
            if aerial:
                prev_aerial = aerial
            continue
        cls = _noun_class(nn)
        if cls == "attacks":
            out.append(Counted(sp, "هجمات", None, "attack"))
            continue
        if cls in ("protesters", "prisoners", "arrested"):
            # «قتلت قوات الجيش ثمانية متظاهرين»: protesters (or prisoners) killed or hurt
            c = _nearest_cue(cues, sp.first_token, {"killed", "injured"})
            if c is not None and c.last < sp.first_token and sp.first_token - c.last <= 3:
                cls = "person"
        if cls == "arrested" and (_has_cue(cues, "exchange") or _has_cue(cues, "release")):
            cls = "prisoners"  # «أفرجت السلطات عن 85 معتقلا»
        if cls not in _CLASS_WHAT and _no_toll(sp, toks, cues, spans, text):
            continue
        if cls == "injured" and sp.noun is not None and sp.noun != sp.text and disease_after(toks, sp.last_token + 1):
            continue  # «و1193 إصابة بالكوليرا»: cases of a disease
        role = "earlier" if earlier else ("cumulative" if _cumulative(toks, sp, text) else None)
        if cls in _CLASS_WHAT:
            what = _CLASS_WHAT[cls]
            if among:
                continue
            out.append(Counted(sp, what, role, _TYPE_OF_WHAT[what]))
            continue
        if nn and any(f in _HOMES for f in word_forms(nn)[1]) and \
                _nearest_cue(cues, sp.first_token, {"outage"}) is not None:
            out.append(Counted(sp, _CUE_WHAT["outage"], None, "outage"))  # «عن 22 ألف منزل»
            continue
        if cls is None and not _countable_here(sp, toks, cues):
            continue  # «نحو 50 سيارة»، «ثلاثة بيوت»: things, not the toll the cue names
        if cls is None or cls == "person" or sp.noun == sp.text:
            what = _toll_what(toks, sp.first_token, cues)
            if what is None and _object_of_other_act(sp, toks, cues):
                continue  # «وخطف عشر نساء»، «هاجم أربعة أشخاص»: not killed nor wounded
            if what is None:
                # «و79 جرحوا»: a cue verb right after the number, with no «و» opening a new
                # clause («إلى 14 وأصيب 30»), is the number's own
                own = [c for c in cues if c.first == sp.last_token + 1 and c.cue in _CUE_WHAT
                       and not c.negated and len(word_forms(toks[c.first].norm)[0]) == 1]
                if own:
                    what = _CUE_WHAT[own[0].cue]
            if what is None and among and (before in _OF_WHOM or joined_part):
                # «إن 9 مدنيين بينهم 3 أطفال وامرأتان لقوا مصرعهم»: «بينهم» points back to the
                # count just read; a part is a part of that toll, whatever cue is nearer
                head = next((o for o in reversed(out) if not (o.role or "").startswith("among")), None)
                if head is not None and head.what in ("قتلى", "جرحى"):
                    what = head.what
            if what is None:
                # a part («بينهم خمسة أطفال») belongs to the toll named before it
                c = _nearest_cue([c for c in cues if c.last < sp.first_token] if among else cues,
                                 sp.first_token, _CUE_NAMES)
                own_verb = None if among else _verb_after(sp, toks, cues, spans, text)
                if c is not None and c.last < sp.first_token and own_verb is not None \
                        and _after_complementizer(sp, toks):
                    # «قالت منظمة تعنى بإسعاف المصابين إن 9 مدنيين لقوا مصرعهم»: the clause «إن»
                    # opens is the count's own; a cue before «إن» belongs to the sentence around it
                    c = None
                if c is not None and c.cue == "displace":
                    continue  # «وتسبب بتشريد 2,6 مليون آخرين»، «وإجبار 2500 على الفرار»
                if c is not None:
                    what = _CUE_WHAT[c.cue]
                else:
                    what = own_verb
                    if what is None and cls == "person" and only is not None:
                        what = only  # «عملية تبادل … ليبلغ المجموع 243 شخصا»
            if what is None and cls is None and out:
                what = _elided_what(sp, toks, out[-1])  # «12000 مشترك في الشمال وحوالي 3000 في …»
            if what is None:
                continue
            if among or part_of is not None:
                group = _part_noun(sp, toks, lambda a, b: text[a:b]) if text else None
                if group is not None and _nf(group) in _NO_NOUN:
                    group = None  # «منهم ثمانية في قوات الأمن»: no noun of its own
                if group is None and joined_part:
                    group = sp.text  # «وامرأتان»
                if group is None:
                    continue
                base = _CLASS_WHAT.get(part_of or "", what)
                out.append(Counted(sp, group, f"among {base}", _TYPE_OF_WHAT[base]))
                continue
            out.append(Counted(sp, what, role, _TYPE_OF_WHAT[what]))
    return _drop_groups(out, toks, cues)


# Counts that are no toll though a killed/injured cue is near (seen in ANT brief number tables
# of February-March 2018, where each made a row or a value of its own):
# * the word before the count (qualifiers skipped) makes its people the perpetrators («على يد
#   9 رجال»), the rescued («إنقاذ 17 آخرين»), the captured («كما أسر 5 آخرون»)
#   or a rate and its base («بمعدل 95.4 حالة قتل لكل 100 ألف نسمة»); right before it, the
#   passengers of a plane
#   («طائرة تقل 71 شخصا»; not «لا تقل عن», where «عن» sits between);
# * its noun makes it refugees or displaced people («و7 ملايين لاجئ» after «350 ألف قتيل»),
#   bullets or stabs («أصيبت بأربع رصاصات») or a dual of things («سائقا السيارتين»);
# * its own verb, right after its noun, says what else befell them («15 ألف شخص تضرروا من
#   العاصفة» in a sentence that also names «عدد القتلى»).
# Refugees and those a verb describes are still a toll when a killed/injured cue governs the
# count directly («مقتل 12 لاجئا»، «قتل 20 شخصا كانوا …»).
_NOT_TOLL_BEFORE = {_nf(w) for w in ("يد", "بيد", "إنقاذ", "انقاذ", "بإنقاذ", "أسر", "لكل", "معدل", "بمعدل")}
_CARRYING = {_nf(w) for w in ("تقل", "يقل", "تقلان", "تحمل", "يحمل", "تنقل")}
_NOT_LESS = {_nf(w) for w in ("لا", "ما", "لن")}
_UPROOTED = {_nf(w) for w in ("لاجئ", "لاجئا", "لاجئين", "لاجئون", "نازح", "نازحا", "نازحين", "نازحون",
                              "مشرد", "مشردا", "مشردين", "مشردون", "مهجر", "مهجرا", "مهجرين", "مهجرون")}
_INSTRUMENTS = {_nf(w) for w in ("رصاصة", "رصاصات", "رصاصتين", "طلقة", "طلقات", "طلقتين", "طعنة",
                                 "طعنات", "طعنتين", "شظية", "شظايا")}
_THING_DUALS = {_nf(w) for w in ("سيارة", "منزل", "مبنى", "مستودع", "بلد", "دولة", "عبوة", "دولار")}
# verbs after a count that leave it the toll a cue names: auxiliaries («كانوا») and deaths the
# lexicon does not list («قضوا»، «فارقوا الحياة»)
_STILL_TOLL_VERBS = {_nf(w) for w in ("كانوا", "باتوا", "أصبحوا", "ظلوا", "صاروا", "بقوا", "ليسوا", "قضوا",
                                      "فارقوا", "توفوا", "ماتوا", "هلكوا", "غرقوا", "احترقوا", "اختنقوا")}


# How far (tokens) a killed/injured cue may govern a count it precedes: 3, «قتلت الغارة الجوية
# 12 لاجئا»، «قتلوا الجمعة خمسة أشخاص».
GOVERN_REACH = 3


def _governed(sp: NumberSpan, toks: list[Token], cues: list[Cue], spans: list[NumberSpan],
              text: str) -> bool:
    """A killed/injured cue at most GOVERN_REACH tokens before the count, in its clause (no
    punctuation, no other count between), that is no other count's noun («مقتل 12 لاجئا»، «قتلت
    الغارة 5 أطفال لجأوا إلى الملجأ»; not «350 ألف قتيل و7 ملايين لاجئ»)."""
    nouns = {o.last_token + 1 for o in spans if o is not sp and o.noun is not None and o.noun != o.text}
    between = {k for o in spans if o is not sp for k in range(o.first_token, o.last_token + 1)}
    for c in cues:
        if c.cue not in ("killed", "injured") or c.negated or c.last >= sp.first_token or c.last in nouns:
            continue
        if sp.first_token - c.last <= GOVERN_REACH \
                and not any(k in between for k in range(c.last + 1, sp.first_token)) \
                and not (text and re.search(r"[،,.؛;:]", text[toks[c.last].end:toks[sp.first_token].start])):
            return True
    return False


def _no_toll(sp: NumberSpan, toks: list[Token], cues: list[Cue], spans: list[NumberSpan],
             text: str) -> bool:
    k = sp.first_token - 1
    if k >= 0 and any(f in _CARRYING for f in word_forms(toks[k].norm)[0]) \
            and not (k > 0 and toks[k - 1].norm in _NOT_LESS):
        return True  # (not «ما لا يقل عن17»: the «عن» glued to the count)
    while k > 0 and toks[k].norm in _QUAL_WORDS:
        k -= 1
    has_noun = sp.noun is not None and sp.noun != sp.text
    at = sp.last_token + (2 if has_noun else 1)  # the word after the count and its noun
    if k >= 0 and any(f in _NOT_TOLL_BEFORE for f in word_forms(toks[k].norm)[0]) and not any(
            c.cue in ("killed", "injured") and at <= c.first <= at + 2 and toks[c.first].norm.endswith(_nf("وا"))
            for c in cues):
        return True  # (but «إنقاذ 3 أشخاص أصيبوا بجروح» are wounded; «حالة قتل» is no verb of theirs)
    if has_noun and sp.noun_norm is not None:
        forms = word_forms(sp.noun_norm)[1]
        if any(f in _INSTRUMENTS for f in forms):
            return True
        if any(f in _UPROOTED for f in forms) and not _governed(sp, toks, cues, spans, text):
            return True
    if not has_noun and sp.value == 2 and sp.noun_norm in _THING_DUALS:
        return True  # «السيارتين»: NumberSpan of a dual carries its singular as noun_norm
    # (not «وأصابوا»: a clause of its own; nor after «3800 والذين»: no noun of the count's)
    if at < len(toks) and len(word_forms(toks[at].norm)[0]) == 1 and \
            (not has_noun or len(word_forms(sp.noun_norm or "")[0]) == 1):
        verb = toks[at].norm
        if len(verb) >= 4 and verb.endswith(_nf("وا")) and verb not in _STILL_TOLL_VERBS \
                and not any(c.cue in _CUE_WHAT and at <= c.first <= at + 2 for c in cues) \
                and not _governed(sp, toks, cues, spans, text):
            return True
    return False


def _joined_to(sp: NumberSpan, prev: NumberSpan, toks: list[Token], text: str) -> bool:
    """Is ``sp`` joined by «و» right after ``prev`` and its noun («5 أطفال وامرأتان»; not
    «بينهم 12 طفلا، و64 جرحوا»)?"""
    gap = sp.first_token - prev.last_token
    prev_noun = prev.noun is not None and prev.noun != prev.text
    return gap == (2 if prev_noun else 1) and toks[sp.first_token].norm.startswith("و") \
        and not re.search(r"[،,.؛;:]", text[prev.end:sp.start])


# «قال إن 6 مسلحين من الجماعة على الأقل لقوا مصرعهم»: a plural (or dual) killed/injured verb
# after a count that no cue before it claims, at most SUBJECT_REACH tokens on in its clause (no
# punctuation and no other count between), is the count's own unless «و» opens it (a clause of
# its own: «وأصيب»); a noun cue («سقطوا بين قتيل وجريح») or a singular verb («التي قتل فيها») is
# no verb of the count.
# 8: the ANT sentences read put 3-6 tokens between a count and its «لقوا مصرعهم».
SUBJECT_REACH = 8
_OF_WHOM = {_nf(w) for w in ("بينهم", "بينهن", "منهم", "منهن")}
_COMPLEMENTIZERS = {_nf(w) for w in ("إن", "أن", "بأن", "لأن", "وأن", "وإن", "فإن")}


def _after_complementizer(sp: NumberSpan, toks: list[Token]) -> bool:
    k = sp.first_token - 1
    while k > 0 and toks[k].norm in _QUAL_WORDS:
        k -= 1
    return k >= 0 and toks[k].norm in _COMPLEMENTIZERS
_DUAL_VERBS = {_nf(w) for w in ("قتلا", "لقيا", "أصيبا", "جرحا", "قتلتا", "أصيبتا")}


def _verb_after(sp: NumberSpan, toks: list[Token], cues: list[Cue], spans: list[NumberSpan],
                text: str) -> str | None:
    stop = len(toks)
    part = None  # (parts of the count, «بينهم 3 أطفال وامرأتان», sit between it and its verb)
    for o in sorted((o for o in spans if o.first_token > sp.last_token), key=lambda o: o.first_token):
        if toks[o.first_token - 1].norm in _OF_WHOM or (part is not None and _joined_to(o, part, toks, text)):
            part = o
            continue
        stop = o.first_token
        break
    for c in sorted(cues, key=lambda c: c.first):
        if c.first <= sp.last_token or c.first >= stop or c.first - sp.last_token > SUBJECT_REACH:
            continue
        if c.cue not in ("killed", "injured") or c.negated:
            continue
        if text and re.search(r"[،,.؛;:!?؟]", text[toks[sp.last_token].end:toks[c.first].start]):
            return None
        if len(word_forms(toks[c.first].norm)[0]) > 1:
            return None  # «وأصيب»
        verb = toks[c.first].norm
        if verb.endswith(_nf("وا")) or verb in _DUAL_VERBS:
            return _CUE_WHAT[c.cue]
    return None


_OF_THEM = {_nf(w) for w in ("منهم", "منهن")}
# Homes a power cut leaves without power («انقطعت الكهرباء عن 22 ألف منزل»): counted only
# beside an outage cue.
_HOMES = {_nf(w) for w in ("منزل", "منازل", "منزلا", "مسكن", "مساكن", "بيت", "بيوت", "أسرة", "أسر",
                           "عائلة", "عائلات", "مشترك", "مشتركين", "مستهلك", "مستهلكين")}
# A count with no noun of its own joined by «و» to the count just before it counts the same
# thing there («أكثر من 12000 مشترك في منطقة الشمال وحوالي 3000 في الجنوب», as a report of
# power cuts writes it): at most this many tokens between them.
ELIDED_REACH = 6


def _elided_what(sp: NumberSpan, toks: list[Token], prev: Counted) -> str | None:
    if prev.role is not None or prev.what not in _TYPE_OF_WHAT:
        return None
    if sp.noun_norm is not None and sp.noun != sp.text and not any(f in _NO_NOUN for f in word_forms(sp.noun_norm)[1]):
        return None
    if sp.first_token - prev.span.last_token > ELIDED_REACH:
        return None
    # the count, or the qualifier words before it, open with «و» («وحوالي 5000»، «و5000»)
    k = sp.first_token
    while k - 1 > prev.span.last_token and word_forms(toks[k - 1].norm)[0][-1] in _QUAL_WORDS:
        k -= 1
    opener = toks[k].norm if k < sp.first_token else sp.text
    joined = _nf(opener).startswith("و") or (k - 1 > prev.span.last_token and toks[k - 1].norm == "و")
    return prev.what if joined else None


def _drop_groups(out: list[Counted], toks: list[Token], cues: list[Cue]) -> list[Counted]:
    """«على سيارة تقل ستة عمال فقتلوا ثلاثة منهم»: a count followed by a killed/injured verb
    and a part of them («ثلاثة منهم») is the group the verb picks from, not a toll."""
    parts = [c for c in out if c.span.last_token + 1 < len(toks)
             and toks[c.span.last_token + 1].norm in _OF_THEM and c.role is None]
    if not parts:
        return out
    drop = set()
    for g in out:
        for p in parts:
            if g is not p and g.what == p.what and g.span.last_token < p.span.first_token and any(
                    c.cue in ("killed", "injured") and not c.negated
                    and g.span.last_token < c.first < p.span.first_token for c in cues):
                drop.add(id(g))
    return [c for c in out if id(c) not in drop]


# Words before a number that make it a label, not a count: «الرحلة إم إتش 17»، «القرار 2401»،
# «المادة 5»، «طراز إف 16»، «رقم 3». Letter names spell Latin codes in Arabic script.
_LABEL_BEFORE = {_nf(w) for w in (
    "رقم", "الرقم", "رحلة", "الرحلة", "القرار", "قرار", "المادة", "البند", "الفقرة", "الفصل",
    "طراز", "الطريق", "الكيلومتر", "الكيلو", "إم", "ام", "إتش", "اتش", "إف", "اف", "إس", "اس",
    "بي", "سي", "تي", "دي", "جي", "كيه", "إيه", "ايه", "إكس", "اكس", "سو", "ميغ", "ميج",
    "آر", "إل", "زد")}  # not «إن/ان»، «أي»، «كي»: common words
_YEAR_BEFORE = {_nf(w) for w in (
    "في", "منذ", "عام", "العام", "سنة", "مطلع", "أواخر", "أوائل", "منتصف", "نهاية", "بداية",
    "حتى", "قبل", "بعد", "خلال", "ربيع", "صيف", "خريف", "شتاء")}


def _year_or_label(sp: NumberSpan, toks: list[Token]) -> bool:
    """A year («في 2015»، «مايو 2018 وقتل») or a label («الرحلة إم إتش 17»): no count."""
    if sp.first_token == 0:
        return False
    prev = word_forms(toks[sp.first_token - 1].norm)[0]
    text = sp.text.strip()
    if text.isdigit() and len(text) == 4 and 1900 <= sp.value <= 2100:
        # a four-digit year after a month, a preposition of time or a slash («أيار/مايو 2018»)
        if any(is_month(f) or f in _YEAR_BEFORE for f in prev):
            return True
        if _noun_class(sp.noun_norm) is None:
            return True  # «2018 وقتل فيه»: a count of 1900-2100 names what it counts
    return text.isdigit() and any(f in _LABEL_BEFORE for f in prev)


# What a number's noun may be when the lexicon does not class it and the number still takes
# the meaning of a cue: none («قتل 17 في الهجوم»), a cue («79 جرحوا»، «وقتل 14 وأصيب 30»), a
# function word, or a people noun of the nisba form («ثلاثة أميركيين»، «عشرة إرهابيين»).
_NO_NOUN = {_nf(w) for w in (
    "في", "من", "على", "عن", "إلى", "الى", "خلال", "جراء", "إثر", "اثر", "بعد", "قبل", "بسبب",
    "نتيجة", "بينهم", "منهم", "بينهن", "منهن", "بنيران", "برصاص", "حتى", "أمس", "اليوم", "و",
    "آخرين", "آخرون", "اخرين", "اخرون", "بحسب", "حسب", "وفق", "وفقا", "قتيلا", "قتلى", "منذ",
    "عند", "لدى", "بين", "داخل", "وسط", "قرب", "فيما", "بينما", "كما", "ما", "الذين", "اللذين",
    "ممن", "أثناء", "مع", "عقب", "حين", "وهم", "وهو", "هم", "أغلبهم", "معظمهم", "غالبيتهم",
    "بجروح", "بجراح", "جريحا", "جرحى", "مصابا", "مصابين", "شخصا", "أشخاص", "حالة", "حالات",
    "ضحية", "ضحايا", "شهيدا", "شهداء", "أيضا", "فقط", "كانوا", "آخر", "آخرا", "آخران", "آخرتان")}
# broken plurals of peoples and groups that the lexicon does not list («سبعة أفغان»)
_PEOPLE_PLURALS = {_nf(w) for w in (
    "أفغان", "أكراد", "عرب", "أجانب", "أتراك", "روس", "سياح", "رهائن", "أسرى", "ضحايا", "أبرياء",
    "قتلى", "جرحى", "مصابين", "أشخاص", "شبان", "فتيان", "فتيات", "نساء", "أطفال", "رجال", "جنود",
    "ضباط", "عمال", "طلاب", "تلاميذ", "تلميذات", "مهاجرين", "لاجئين", "مدنيين", "أفراد", "عناصر")}


_VAGUE_QUALIFIERS = {"dozens", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
                     "millions", "tens of millions"}


def _countable_here(sp: NumberSpan, toks: list[Token], cues: list[Cue]) -> bool:
    if sp.noun_norm is None or sp.noun == sp.text:
        return True
    if sp.qualifier in _VAGUE_QUALIFIERS and sp.noun_norm.startswith("و") and sp.noun_norm[1:2] != "ا":
        return True  # «عن عشرات الآلاف وتسبب في …»: a new clause, not the counted noun (seed 004)
    k = sp.last_token + 1
    if any(c.first == k for c in cues):
        return True
    forms = word_forms(sp.noun_norm)[1]
    if any(f in _NO_NOUN for f in forms):
        return True
    bare = forms[-1]
    if any(f in _PEOPLE_PLURALS for f in forms):
        return True
    # a sound plural («متحالفين»، «مستوطنون») or a nisba after its number («47 إرهابيا»): people
    return len(bare) >= 5 and bare.endswith(("ين", "ون", "يا"))


_RANGE_HEAD = {_nf(w) for w in ("ما", "بما", "مما")}
# A toll counted since a point in the past («منذ بدء العملية»، «منذ 2015»، «منذ أواخر آذار»،
# «حتى الآن»، «خلال الأشهر الثلاثة الماضية») is a running total, another quantity than the
# toll of the incident the story reports: its role is «cumulative». Seen in ANT stories of
# 16-17 March 2018, where such totals (1,350 since 18 February, 39 in three months) sat in
# the same brief row as the day's toll.
_SINCE = _nf("منذ")
_SINCE_START = {_nf(w) for w in (
    "تدخل", "إعلان", "اعلان", "عام", "العام", "أواخر", "اواخر", "مطلع", "أوائل", "اوائل", "منتصف",
    "نهاية", "سنوات", "أعوام", "اعوام", "أشهر", "اشهر", "شهور", "أسابيع", "اسابيع", "سنة", "السنة")}
# «منذ بدء الحرب» is a running total; «منذ بدء التحركات» (the protests the story is about) is the
# story's own toll («بلغ عدد المصابين 58 منذ بدء التحركات», example corpus)
_SINCE_OPEN = {_nf(w) for w in ("بدء", "بداية", "اندلاع", "انطلاق", "بدأ")}
_LONG_RUNNING = {_nf(w) for w in (
    "الحرب", "النزاع", "الصراع", "الانتفاضة", "الأزمة", "الازمة", "الثورة", "العملية", "العمليات",
    "الحملة", "الهجوم", "التدخل", "القتال", "المعارك")}
_SPAN_NOUNS = {_nf(w) for w in ("الأشهر", "الاشهر", "الأعوام", "الاعوام", "السنوات", "الأسابيع",
                                "الاسابيع", "الشهور", "السنين")}
_TO_DATE = (_nf("حتى"), _nf("الآن"))
CUMULATIVE_REACH = 10  # tokens between the number and its «منذ …» (same clause, no comma)


def _cumulative(toks: list[Token], sp: NumberSpan, text: str) -> bool:
    lo = max(0, sp.first_token - CUMULATIVE_REACH)
    hi = min(len(toks), sp.last_token + CUMULATIVE_REACH + 1)
    for k in range(lo, hi):
        f = word_forms(toks[k].norm)[0]
        nxt = toks[k + 1].norm if k + 1 < len(toks) else ""
        hit = False
        if _SINCE in f and nxt:
            n2 = word_forms(nxt)[1]
            hit = any(x in _SINCE_START or is_month(x) for x in n2) or (nxt[:4].isdigit() and len(nxt) == 4)
            if not hit and any(x in _SINCE_OPEN for x in n2) and k + 2 < len(toks):
                hit = any(x in _LONG_RUNNING for x in word_forms(toks[k + 2].norm)[0])
            if not hit and nxt.isdigit() and k + 2 < len(toks):
                hit = any(is_month(x) for x in word_forms(toks[k + 2].norm)[1])  # «منذ 18 شباط»
        elif _TO_DATE[0] in f and nxt == _TO_DATE[1]:
            hit = True
        elif any(x in _SPAN_NOUNS for x in word_forms(toks[k].norm)[1]) and k > 0 \
                and word_forms(toks[k - 1].norm)[0][-1] == _nf("خلال"):
            hit = True
        if hit:
            a, b = sorted((toks[k].start, toks[sp.first_token].start))
            if text and ("،" in text[a:b] or "," in text[a:b]):
                # «قتل 5 اليوم، فيما قتل 300 منذ بدء الحرب»: another clause's total; but a
                # since-phrase set off before its number («منذ بدء العملية في 20 يناير، عن مقتل
                # 245») is the number's own, unless a day names the count between them
                if k > sp.first_token or any(word_forms(t.norm)[0][-1] in DATE_WORDS
                                             for t in toks[k:sp.first_token]):
                    continue
            return True
    return False
# Acts whose object is no toll: a count right after one («وخطف عشر نساء»، «هاجم أربعة أشخاص»)
# is those kidnapped or those attacking, unless a killed/injured cue sits between.
_OTHER_ACTS = {"attack", "arrest", "protest", "release", "exchange", "launch", "displace"}


def _object_of_other_act(sp: NumberSpan, toks: list[Token], cues: list[Cue]) -> bool:
    best = None
    for c in cues:
        if c.last < sp.first_token and sp.first_token - c.last <= 2:
            if best is None or c.last > best.last or (c.last == best.last and c.cue in _CUE_WHAT):
                best = c
    return best is not None and best.cue in _OTHER_ACTS and not any(
        c.cue in ("killed", "injured") and c.first <= best.last and c.last >= best.first for c in cues)


# «أصيب مدني»، «مقتل جندي»: a lone singular person right after a killed/injured cue counts one;
# «الشهداء الثلاثة»، «الجنود الأربعة»: a definite number word after a definite people noun
# counts them. marsad.text.numbers reads neither (no number word is written / the number word
# carries the article), so events adds them as numbers of its own.
_SINGULAR_PEOPLE = {_nf(w) for w in (
    "شخص", "مدني", "جندي", "طفل", "طفلة", "امرأة", "رجل", "شرطي", "عنصر", "مسلح", "مقاتل",
    "عسكري", "ضابط", "مواطن", "فلسطيني", "إسرائيلي", "صحفي", "صحافي", "شاب", "شابة", "فتى",
    "فتاة", "مستوطن", "مسعف", "طالب", "عامل", "سائق", "حارس", "متظاهر", "موظف",
    # «مقتل رجل ومراهق» read as one killed (ANT, 19 March 2018)
    "مراهق", "مراهقة", "صبي", "رضيع", "رضيعة")}
_DEFINITE_COUNTS = {_nf(k): v for k, v in {
    "الاثنان": 2, "الاثنين": 2, "الاثنتان": 2, "الاثنتين": 2, "الثلاثة": 3, "الثلاث": 3,
    "الأربعة": 4, "الأربع": 4, "الخمسة": 5, "الخمس": 5, "الستة": 6, "الست": 6, "السبعة": 7,
    "السبع": 7, "الثمانية": 8, "الثماني": 8, "التسعة": 9, "التسع": 9, "العشرة": 10, "العشر": 10,
}.items()}
_ONE_AFTER = {_nf(w) for w in ("واحد", "واحدة")}
_COUNTED_PEOPLE = {"person", "killed", "injured", "prisoners", "protesters", "arrested"}


def implicit_numbers(toks: list[Token], cues: list[Cue], spans: list[NumberSpan],
                     text: str) -> list[NumberSpan]:
    """``spans`` with the implicit counts of the sentence added, in text order."""
    taken = {k for sp in spans for k in range(sp.first_token, sp.last_token + 2)}
    ends = {c.last for c in cues if c.cue in ("killed", "injured")}
    extra: list[NumberSpan] = []
    for i, t in enumerate(toks):
        if i in taken or i == 0:
            continue
        strict = word_forms(t.norm)[0]
        prev = i - 1
        if prev not in ends and prev > 0 and toks[prev].norm in DATE_WORDS:
            prev -= 1  # «وقتل أمس شرطي»
        if prev in ends and any(f in _SINGULAR_PEOPLE for f in strict):
            nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
            if nxt in _ONE_AFTER or (i + 1) in taken:
                continue
            # «مقتل ضابط وجندي»، «أصيب شرطي ومدني وسائق»: lone people joined by «و» are counted
            # together, one span over them all (ANT, March 2018: «ضابط وجندي» read as one killed)
            j = i + 1
            while j < len(toks) and j not in taken and toks[j].norm.startswith("و") \
                    and any(f in _SINGULAR_PEOPLE for f in word_forms(toks[j].norm)[0][1:]):
                j += 1
            last = toks[j - 1]  # (the noun is the whole span, as for one person: no noun after it)
            extra.append(NumberSpan(j - i, t.start, last.end, text[t.start:last.end], noun=text[t.start:last.end],
                                    noun_norm=t.norm, noun_start=t.start, noun_end=t.end,
                                    first_token=i, last_token=j - 1))
            continue
        value = next((_DEFINITE_COUNTS[f] for f in strict if f in _DEFINITE_COUNTS), None)
        if value is not None:
            p = toks[i - 1]
            if word_forms(p.norm)[1][-1] != p.norm and _noun_class(p.norm) in _COUNTED_PEOPLE \
                    and (i - 1) not in taken:
                extra.append(NumberSpan(value, t.start, t.end, text[t.start:t.end],
                                        noun=text[p.start:p.end], noun_norm=p.norm,
                                        noun_start=p.start, noun_end=p.end,
                                        first_token=i, last_token=i))
    if not extra:
        return spans
    return sorted(spans + extra, key=lambda sp: sp.start)


def _single_people_type(cues: list[Cue]) -> str | None:
    """The «what» of people counts in a sentence about one kind of people event only (a power
    cut is no such event: «نحو 280 من رجال الإطفاء … في حين انقطعت الكهرباء», ANT)."""
    kinds = {_CUE_WHAT[c.cue] for c in cues if c.cue in _CUE_WHAT and c.cue != "outage"}
    return kinds.pop() if len(kinds) == 1 else None


def _canonical_noun(sp: NumberSpan) -> str:
    noun = sp.noun or ""
    norm = _nf(noun)
    for f in word_forms(norm)[1][::-1]:
        if f != norm:
            # strip the clitics from the written form by length (letters only)
            return noun[len(noun) - len(f):] if len(f) <= len(noun) else noun
    return noun


def _has_cue(cues: list[Cue], name: str) -> bool:
    return any(c.cue == name for c in cues)
