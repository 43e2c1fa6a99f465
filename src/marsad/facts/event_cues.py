"""Event cues: the trigger lexicon, matching it on a sentence's tokens, and event typing.

``match_cues`` finds the cues of ``lexicons/events_triggers.tsv`` in a sentence (a death
sentence, a disease, a «met death» phrase or a lone definite noun held back); ``detect`` turns
a sentence's cues (their weights summed per type) and its counted numbers into its event types
(agreement and its negation, hypothetical agreements, exchanges); ``quick_filter`` is the regex
that skips sentences holding no cue at all. ``word_forms`` gives a token's normalized forms
without its prefixes; ``Cue`` and ``Counted`` are what the number, gate and place readers
share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.text.normalize import GAP, normalize
from marsad.text.numbers import NumberSpan
from marsad.text.tokenize import Token


LEXICONS = Path(__file__).parent / "lexicons"

# How far (in tokens) cues may sit from each other to combine. Calibrated by eye on the
# example corpus and the seeds: «لم تتوصلا إلى أي اتفاق» puts 3 tokens between the
# negation and the noun; «لم يتم التوصل إلى اتفاقات» 3; wider windows started to pair a
# negation of one clause with an agreement noun of the next.
AGREE_WINDOW = 7  # agreement verb … agreement noun («ووقعت الحكومة والحركة … في الدوحة اتفاقا»: 6)
NEGATION_WINDOW = 4  # negation … agreement verb/noun
HYPOTHETICAL_WINDOW = 3  # «إلا بعد التوصل»، «من أجل التوصل إلى»: condition/aim … verb
EXCHANGE_WINDOW = 4  # تبادل … أسرى («تبادل ألف سجين بألف»)


def norm_form(word: str) -> str:
    """A word as the cue and noun sets hold it: normalized, with no gap mark."""
    return normalize(word).replace(GAP, "")


_nf = norm_form


# ---------------------------------------------------------------------------------------------
# Lexicons


@dataclass(frozen=True, slots=True)
class _WordPat:
    form: str
    prefix: bool  # trailing *
    exact: bool  # leading =
    gap: bool = False  # «~»: up to three other tokens


@dataclass(frozen=True, slots=True)
class _Pattern:
    cue: str
    words: tuple[_WordPat, ...]
    weight: float = 1.0


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, list[_Pattern]], dict[str, list[_Pattern]], tuple[int, ...]]:
    """Trigger patterns indexed by their first word: (exact-form index, prefix index,
    prefix lengths in use)."""
    exact: dict[str, list[_Pattern]] = {}
    prefix: dict[str, list[_Pattern]] = {}
    for line in _read_lines(LEXICONS / "events_triggers.tsv"):
        cue, _, text = line.partition("\t")
        text, _, weight = text.partition("\t")
        words = []
        for w in text.split():
            if w == "~":
                words.append(_WordPat("", False, False, gap=True))
                continue
            ex = w.startswith("=")
            pre = w.endswith("*")
            words.append(_WordPat(_nf(w.strip("=*")), pre, ex))
        if not words:
            continue
        pat = _Pattern(cue.strip(), tuple(words), float(weight) if weight.strip() else 1.0)
        head = words[0]
        (prefix if head.prefix else exact).setdefault(head.form, []).append(pat)
    lengths = tuple(sorted({len(k) for k in prefix}))
    return exact, prefix, lengths


@lru_cache(maxsize=1)
def noun_lexicon() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in _read_lines(LEXICONS / "events_nouns.tsv"):
        cls, _, word = line.partition("\t")
        out[_nf(word.strip())] = cls.strip()
    return out


@lru_cache(maxsize=1)
def place_lexicon() -> dict[str, int]:
    """Normalized place name -> its length in tokens (own list + the NER gazetteers)."""
    names: dict[str, int] = {}
    for fname in ("events_places.txt", "gazetteer_countries.txt", "gazetteer_cities.txt"):
        for line in _read_lines(LEXICONS / fname):
            n = " ".join(_nf(w) for w in line.split())
            if n:
                names[n] = len(n.split())
    return names


# ---------------------------------------------------------------------------------------------
# Token forms

_ARTICLE_PREFIXES = ("وال", "فال", "بال", "وبال", "كال", "لل", "ولل", "ال")


@lru_cache(maxsize=100_000)
def word_forms(norm: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(forms an ``=`` pattern may match, all forms) of a normalized token: the word, minus a
    conjunction, minus a conjunction and preposition, minus the article."""
    strict = [norm]
    if len(norm) > 2 and norm[0] in "وف":
        strict.append(norm[1:])  # «ولم» → «لم» as well as «وقالت» → «قالت»
    loose = list(strict)
    for s in list(strict):
        if len(s) > 3 and s[0] in "بلك":
            loose.append(s[1:])
    for s in list(loose):
        if s.startswith("لل") and len(s) > 4:
            loose.append(s[2:])
        elif s.startswith("ال") and len(s) > 4:
            loose.append(s[2:])
    # a lexicon entry written with its article («الدفاعات») must still match «والدفاعات»
    return tuple(dict.fromkeys(strict)), tuple(dict.fromkeys(loose))


def _word_matches(wp: _WordPat, norm: str) -> bool:
    strict, loose = word_forms(norm)
    cands = strict if wp.exact else loose
    if wp.prefix:
        return any(c.startswith(wp.form) for c in cands)
    return wp.form in cands


@dataclass(frozen=True, slots=True)
class Cue:
    cue: str
    first: int  # token index
    last: int
    weight: float = 1.0
    negated: bool = False  # «لم يصب أحد»: the cue lends its meaning to no number


def match_cues(toks: list[Token]) -> list[Cue]:
    exact, prefix, lengths = _patterns()
    out: list[Cue] = []
    for i, t in enumerate(toks):
        loose = word_forms(t.norm)[1]
        cands: list[_Pattern] = []
        for f in loose:
            cands.extend(exact.get(f, ()))
            for L in lengths:
                if len(f) >= L:
                    cands.extend(prefix.get(f[:L], ()))
        seen: set[tuple[str, int]] = set()
        for pat in cands:
            if not _word_matches(pat.words[0], t.norm):
                continue
            end = _match_rest(pat.words, 1, toks, i + 1)
            if end is None:
                continue
            key = (pat.cue, end)
            if key not in seen:
                seen.add(key)
                w = pat.weight
                if pat.cue in _DEFINITE_WEAK and _definite_only(pat.words[0], t.norm):
                    w *= DEFINITE_FACTOR
                neg = i > 0 and any(f in _NEGATORS for f in word_forms(toks[i - 1].norm)[0])
                out.append(Cue(pat.cue, i, end, w, neg))
    out = _met_death(toks, _no_disease(toks, _no_sentence(toks, out)))
    # «وقف الهجمات الجوية»، «وقف إطلاق النار»: a ceasefire names the attacks it stops
    return [c for c in out if not (c.cue in ("attack", "launch") and any(
        f in _CEASE for k in (c.first - 1, c.first - 2) if k >= 0 for f in word_forms(toks[k].norm)[1]))]


# «قضت محكمة بإعدام رجل»، «حكم عليه بالإعدام»، «طالبت النيابة بإعدام 3 متهمين»: a death
# sentence, passed or asked for, kills no one; an execution carried out («أعدم مسلحون خمسة
# أشخاص»، «133 شخصا أعدموا») does. A cue on the noun «إعدام» with one of these words among the
# SENTENCE_REACH tokens before it is dropped. Seen in ANT articles of February-March 2018 (a man sentenced to death
# read as one killed, sixteen women sentenced as sixteen killed).
_SENTENCING = {_nf(w) for w in (
    "قضت", "قضى", "تقضي", "يقضي", "حكم", "حكمت", "يحكم", "تحكم", "حكما", "أحكام", "أحكاما",
    "عقوبة", "عقوبات", "طالب", "طالبت", "يطالب", "تطالب", "مطالبة", "المطالبة", "يواجه", "تواجه",
    "يواجهون", "أيدت", "أيد", "صادقت", "صادق", "أصدرت", "أصدر", "بحقه", "بحقهم", "بحقها",
    "محكمة", "المحكمة", "النيابة", "القاضي", "قاض", "القضاء")}
# 5: «قضت محكمة عسكرية الاثنين بإعدام» puts the verb 4 tokens before the cue, «قضت المحكمة
# الجنائية في بغداد بإعدام» the court 4.
SENTENCE_REACH = 5
_EXECUTION = _nf("إعدام")


def _no_sentence(toks: list[Token], cues: list[Cue]) -> list[Cue]:
    def sentenced(c: Cue) -> bool:
        if c.cue != "killed" or not any(f.startswith(_EXECUTION) for f in word_forms(toks[c.first].norm)[1]):
            return False
        return any(f in _SENTENCING for k in range(max(0, c.first - SENTENCE_REACH), c.first)
                   for f in word_forms(toks[k].norm)[1])
    return [c for c in cues if not sentenced(c)]


# «رصد 860 حالة إصابة بالمرض ذاته»، «40 إصابة جديدة بفيروس الحصبة»: cases of a disease are no
# wounded (an ANT story of March 2018 on diphtheria in Yemen had a «wounded» row of them). An
# injured cue with a disease among the DISEASE_REACH tokens after it is dropped; deaths of a
# disease stay deaths.
_DISEASES = {_nf(w) for w in (
    "مرض", "أمراض", "كوليرا", "فيروس", "حصبة", "دفتيريا", "خناق", "إنفلونزا", "انفلونزا", "أنفلونزا",
    "سرطان", "ملاريا", "وباء", "عدوى", "إيدز", "كورونا", "إيبولا", "سل", "حمى", "جرب", "شلل")}
DISEASE_REACH = 3


def disease_after(toks: list[Token], k: int) -> bool:
    return any(f in _DISEASES or f.startswith(_nf("فيروس"))
               for j in range(k + 1, min(len(toks), k + 1 + DISEASE_REACH)) for f in word_forms(toks[j].norm)[1])


def _no_disease(toks: list[Token], cues: list[Cue]) -> list[Cue]:
    return [c for c in cues if not (c.cue == "injured" and disease_after(toks, c.last))]


# «فيما لقي 2 آخران من أفراد الأمن مصرعهما»، «ولقي آخر حتفه»: «لقي» opens the count whose death
# «مصرع/حتف» closes; the lexicon's cue sits on «مصرعهما», after the count, where a wounded cue
# written before the count («أصيب 5 أشخاص فيما لقي …») was nearer and won. «لقي» followed by
# «مصرع/حتف» within MET_DEATH_REACH tokens is a killed cue of its own. 8: «لقي نحو 17 عنصرا من
# مليشيا الحوثي الإيرانية مصرعهم» (ANT, March 2018) puts 7 tokens between.
_MET = {_nf(w) for w in ("لقي", "لقيت", "لقيا", "لقيتا", "لقين", "يلقى", "تلقى", "يلقون")}
_DEATH_NOUNS = (_nf("مصرع"), _nf("حتف"))
MET_DEATH_REACH = 8


def _met_death(toks: list[Token], cues: list[Cue]) -> list[Cue]:
    have = {c.first for c in cues if c.cue == "killed"}
    extra = []
    for i, t in enumerate(toks):
        if i in have or not any(f in _MET for f in word_forms(t.norm)[0]):
            continue
        if any(f.startswith(_DEATH_NOUNS) for k in range(i + 1, min(len(toks), i + 1 + MET_DEATH_REACH))
               for f in word_forms(toks[k].norm)[1]):
            neg = i > 0 and any(f in _NEGATORS for f in word_forms(toks[i - 1].norm)[0])
            extra.append(Cue("killed", i, i, 1.0, neg))
    return cues + extra if extra else cues


# A cue word with the article («الهجوم»، «التفجير»، «الاغتيال»، «المتظاهرين») mostly refers
# back to an event already known or to the kind of act in general, not to a new one. On the
# tuning half of the event GSR the share of positive sentences was .18 for «الهجوم» against
# .43 for «هجوم», .10 / .24 for «التفجير» / «تفجير», .04 / .07 for «الاغتيال» / «اغتيال».
# Their weight is multiplied by DEFINITE_FACTOR. Measured with benchmarks/bench_events.py
# (tuning half / held-out half, F1): 1.0 → ASSAULT .397/.395, PROTEST .355/.355;
# 0.5 → .445/.447, .394/.401; 0.25 → .461/.456, .410/.419. We keep 0.5: 0.25 gains little and
# costs protest recall (.70 → .63), and in news a lone «الهجوم» still often names the event.
DEFINITE_FACTOR = 0.5
_DEFINITE_WEAK = {"attack", "killed", "injured", "protest"}


def _definite_only(wp: _WordPat, norm: str) -> bool:
    """Does the token carry the article while the pattern word does not («الهجوم» for هجوم)?"""
    if wp.form.startswith("ال"):
        return False
    k = 1 if len(norm) > 3 and norm[0] in "وف" else 0
    if len(norm) > k + 3 and norm[k] in "بك" and norm[k + 1:k + 3] == "ال":
        k += 1
    return norm.startswith("ال", k) or norm.startswith("لل", k)


_CEASE = {_nf(w) for w in ("وقف", "هدنة", "تهدئة", "إيقاف")}


def _match_rest(words: tuple[_WordPat, ...], k: int, toks: list[Token], i: int) -> int | None:
    """Index of the last token matched by words[k:] starting at token i (None: no match)."""
    if k == len(words):
        return i - 1
    wp = words[k]
    if wp.gap:
        for skip in range(0, 4):
            r = _match_rest(words, k + 1, toks, i + skip)
            if r is not None:
                return r
        return None
    if i >= len(toks) or not _word_matches(wp, toks[i].norm):
        return None
    return _match_rest(words, k + 1, toks, i + 1)


# ---------------------------------------------------------------------------------------------
# Types


def _near(a: list[Cue], b: list[Cue], window: int, a_before_b: bool = True) -> bool:
    for x in a:
        for y in b:
            d = y.first - x.last if a_before_b else abs(y.first - x.first)
            if 0 < d <= window or (not a_before_b and d <= window):
                return True
    return False


def detect(cues: list[Cue], toks: list[Token], counted: list[Counted],
           floor: dict[str, float] | None = None) -> list[str]:
    """Event types of a sentence from its cues (weights summed per type; an event needs 1)
    and its counted numbers (a casualty count makes a casualties event on its own)."""
    by: dict[str, list[Cue]] = {}
    for c in cues:
        by.setdefault(c.cue, []).append(c)
    types: list[str] = []
    has = by.__contains__

    def strength(*names: str) -> float:
        best: dict[int, float] = {}  # one weight per token: the strongest cue on it
        for name in names:
            for c in by.get(name, ()):
                best[c.first] = max(best.get(c.first, 0.0), c.weight)
        return sum(best.values())

    counted_types = {c.etype for c in counted}
    assault_floor = (floor or {}).get("ASSAULT", 1.0)  # see GATE_FLOOR
    protest_floor = (floor or {}).get("PROTEST", 1.0)
    casualties = strength("killed", "injured") >= assault_floor or "casualties" in counted_types
    interception = has("intercept") and has("aerial") and _near(by["intercept"], by["aerial"], 8, False)
    if casualties:
        types.append("casualties")
    if interception:
        types.append("interception")
    if (strength("attack", "killed", "injured") >= assault_floor and not casualties and not interception) \
            or "attack" in counted_types and not interception:
        types.append("attack")  # «تعرضت المدن لـ37 هجوما … أسفرت عن مقتل 52»: both
    # «فرضت واشنطن عقوبات … بعد اجتماع»، «… على مسؤولين شاركوا في المفاوضات»: talks named
    # after a sanctions predicate in its clause are that predicate's background, not the event
    after_sanctions = _after_sanctions(toks)
    if after_sanctions is not None:
        for name in ("talks", "fail"):
            if name in by:
                by[name] = [c for c in by[name] if not after_sanctions(c.first)]
                if not by[name]:
                    del by[name]
    if strength("talks") >= 1:
        types.append("talks")
    # agreements and their absence
    agreed = []
    if has("agree_verb") and has("agree_noun"):
        for v in by["agree_verb"]:
            for nn in by["agree_noun"]:
                if 0 <= nn.first - v.last <= AGREE_WINDOW:
                    agreed.append((v.first, nn.last))
    for d in by.get("agree_direct", ()):
        agreed.append((d.first, d.last))
    # «شريطة التوصل إلى اتفاقات»، «تسعى إلى التوصل إلى تسوية»: an agreement hoped for or set
    # as a condition is no event at all
    hypo = by.get("hypothetical", [])
    agreed = [(f, la) for f, la in agreed if not any(0 < f - h.last <= HYPOTHETICAL_WINDOW for h in hypo)]
    negated = False
    neg = by.get("negation", []) + by.get("fail", [])
    for first, last in agreed:
        for g in neg:
            if 0 < first - g.last <= NEGATION_WINDOW:
                negated = True
    if has("agree_noun"):
        for nn in by["agree_noun"]:
            for g in by.get("negation", ()):
                # «لا يوجد اتفاق»، «عدم التوصل إلى اتفاق»
                if 0 < nn.first - g.last <= 2:
                    negated = True
    if has("fail") and has("talks") and _near(by["fail"], by["talks"], 3):
        negated = True
    if negated:
        types.append("no_agreement")
    elif agreed:
        types.append("agreement")
    if has("exchange") and (has("prisoner") or any(
            c.first > 0 and word_forms(toks[c.first - 1].norm)[1][-1] in _EXCHANGE_HEADS for c in by["exchange"])):
        types.append("prisoner_exchange")  # «تبادل الأسرى»، «عملية التبادل»
    elif has("release") and (has("prisoner") or "prisoner_exchange" in counted_types):
        types.append("prisoner_exchange")  # «أفرجت الحكومة عن 130 محتجزا»
    if strength("protest") >= protest_floor or "protest" in counted_types:
        types.append("protest")
    if has("arrest"):
        types.append("arrest")
    # a vote alone («صوت مجلس الشيوخ»، «التصويت على ترشيحها») is a vote of a body, not an
    # election: «تصويت/صوت» weigh .5 and need an election noun or voters beside them
    if strength("election") >= 1:
        types.append("election")
    if "outage" in counted_types:
        types.append("outage")  # a power cut counts those it leaves without power
    return types


_EXCHANGE_HEADS = {_nf(w) for w in ("عملية", "صفقة", "عمليات", "صفقات")}


@dataclass(slots=True)
class Counted:
    span: NumberSpan
    what: str
    role: str | None
    etype: str


_NEGATORS = {_nf(w) for w in ("لم", "لن", "لا", "عدم", "دون", "بدون", "ولم", "محاولة", "محاولات",
                               "بمحاولة", "لمحاولة", "ومحاولة")}  # «محاولة اغتيال شخصين»: none killed


# ---------------------------------------------------------------------------------------------
# Actors, place, date

# Sanctions («فرض عقوبات»، «بفرض عقوبات اقتصادية»): PLOVER's SANCTION, no event type here;
# what follows them in their clause describes them (ANT 2018: sanctions on Russia typed talks).
_SANCTIONS = {_nf(w) for w in ("عقوبات", "العقوبات", "عقوبة", "العقوبة")}


def _after_sanctions(toks: list[Token]):
    """A test of token indices: does the token follow a sanctions noun of its own clause? None
    when the sentence names no sanctions. Tokens carry no punctuation: more than one character
    between two words («عقوبات، بعد») ends the clause."""
    first = next((i for i, t in enumerate(toks) if any(f in _SANCTIONS for f in word_forms(t.norm)[1])), None)
    if first is None:
        return None
    end = next((i for i in range(first + 1, len(toks)) if toks[i].start - toks[i - 1].end > 1), len(toks))
    return lambda k: first < k < end


_QUICK = None
# Cues that can make an event on their own (negation, launch, aerial … only qualify one).
EVENT_CUES = {"killed", "injured", "attack", "intercept", "talks", "agree_verb", "agree_direct",
              "agree_noun", "fail", "exchange", "release", "protest", "arrest", "election", "outage"}


def quick_filter() -> re.Pattern[str]:
    """A regex over normalized text that every cue's first word satisfies, to skip the
    many sentences that hold none cheaply."""
    global _QUICK
    if _QUICK is None:
        exact, prefix, _ = _patterns()
        heads = {k for index in (exact, prefix) for k, pats in index.items()
                 if k and any(p.cue in EVENT_CUES for p in pats)}
        _QUICK = re.compile(_trie_regex(heads))
    return _QUICK


NUMBER_CUES = {"killed", "injured", "attack", "launch", "intercept", "aerial", "protest", "arrest",
               "prisoner", "exchange", "release", "outage"}


def _trie_regex(words: set[str]) -> str:
    """One regex matching any of ``words``, factored by common prefixes (a plain alternation
    of ~400 words made the pre-filter the slowest step of find_events)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node and len(node) == 1:
            return ""
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)
