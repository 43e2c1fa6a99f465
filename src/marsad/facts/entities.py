"""Named entities: a neural tagger (char CNN + BiLSTM + CRF, run in numpy by
``ner_neural``) and a CRF, both trained on ANERcorp, role/title patterns, within-article
coreference and cross-article linking.

Public interface (the rest of marsad relies on it):

* ``tag_tokens(tokens)`` — BIO tags over PERS, LOC, ORG, MISC (the ANERcorp tag set).
* ``find_mentions(article)`` — :class:`~marsad.model.Mention` objects with offsets into
  ``article.text``, types PERSON | ORG | PLACE | OTHER, the attached clitics stripped
  («وبيسكوف» → «بيسكوف»), ``canonical`` set to the full name found in the same article
  («بيسكوف» → «دميتري بيسكوف») and ``role`` from title patterns («المتحدث باسم الكرملين»).
* ``link_entities(mentions)`` — one :class:`~marsad.model.Entity` per person, organization
  or place across articles; sets ``mention.entity``.
* ``link_facts(facts, entity_names(entities))`` — sets the entity of one article's quote
  speakers, claimants, target claimants and event actors from those entities.
* ``nearest_person(mentions, offset, window)`` / ``person_at(mentions, start, end)`` — for
  the quote and claim extractors.

The models (``models/ner_neural.npz``, ``models/ner.crfsuite``) and the CRF's word clusters
(``models/ner_clusters.tsv.gz``, learned from the unlabeled ANT corpus) ship inside the
package and are loaded lazily on first use; ``scripts/train_ner_neural.py`` and
``scripts/train_ner.py`` rebuild them. ``TAGGER`` picks the tagger (see there). Trained on ANERcorp (Benajiba et al. 2007,
CC BY-SA 4.0, redistributed by CAMeL Lab): see ``models/README.md``.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from marsad.analysed import AnalysedDoc
from marsad.errors import ModelMissing
from marsad.model import Article, Entity, Facts, Mention
from marsad.text.normalize import GAP, normalize
from marsad.text.stem import stem
from marsad.text.tokenize import split_clitics, tokenize

TYPES = {"PERS": "PERSON", "ORG": "ORG", "LOC": "PLACE", "MISC": "OTHER"}
LABELS = ("PERS", "LOC", "ORG", "MISC")

_PUNCT_END = {".", "!", "?", "؟"}
_ARABIC_PUNCT = set("،؛؟«»\"'()[]{}:;,.!?-–—/…“”")


# ---------------------------------------------------------------------------------------
# resources (lazy, cached)
# ---------------------------------------------------------------------------------------

_HERE = Path(__file__).resolve().parent


def _package_file(*parts: str) -> Path:
    return _HERE.joinpath(*parts)


# norm_word and _forms are pure and called for every token by the gazetteer, the label
# propagation and the mention builder (~1.7 calls each per token): cached, they cost a dict
# lookup (find_mentions on 300 ANT articles: ~0.6 ms an article less).
@lru_cache(maxsize=1 << 17)
def norm_word(token: str) -> str:
    """The normalized lookup form of one token: letters folded, diacritics dropped,
    Latin lower-cased, surrounding punctuation stripped (ANERcorp has tokens like «(د»)."""
    w = normalize(token).replace(GAP, "").lower()
    stripped = w.strip("".join(_ARABIC_PUNCT))
    return stripped or w


@dataclass(frozen=True)
class _Cluster:
    c64: str
    c256: str
    c1024: str
    al: str  # how often ال+word occurs: 0 never, 1 rarely, 2 sometimes, 3 often
    freq: str  # log2 bucket of the word's ANT frequency


@lru_cache(maxsize=1)
def clusters() -> dict[str, _Cluster]:
    """word → cluster ids (learned from the ANT corpus by scripts/train_ner.py)."""
    out: dict[str, _Cluster] = {}
    f = _package_file("models", "ner_clusters.tsv.gz")
    if not f.is_file():
        return out
    with gzip.open(f, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            freq = parts[5] if len(parts) > 5 else "0"
            out[parts[0]] = _Cluster(parts[1], parts[2], parts[3], parts[4], freq)
    return out


# In gazetteer_persons.txt, the names after this line are also common words; the quote
# reader uses them, the tagger's gazetteer feature does not.
_AMBIGUOUS_SECTION = "# --- names that are also common words"


def _lexicon_lines(name: str) -> Iterable[str]:
    f = _package_file("lexicons", name)
    if not f.is_file():
        return []
    out = []
    for ln in f.read_text(encoding="utf-8").splitlines():
        if ln.startswith(_AMBIGUOUS_SECTION):
            break
        if ln.strip() and not ln.startswith("#"):
            out.append(ln.strip())
    return out


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(norm_word(t) for t in text.split())


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, dict[tuple[str, ...], str]]:
    """first word → {phrase words: type} over the gazetteer_* lexicons."""
    files = {"gazetteer_countries.txt": "LOC", "gazetteer_cities.txt": "LOC",
             "gazetteer_orgs.txt": "ORG", "gazetteer_persons.txt": "PERS",
             "gazetteer_misc.txt": "MISC"}
    out: dict[str, dict[tuple[str, ...], str]] = {}
    for name, typ in files.items():
        for line in _lexicon_lines(name):
            ph = _phrase(line)
            if ph:
                out.setdefault(ph[0], {}).setdefault(ph, typ)
    return out


@lru_cache(maxsize=1)
def triggers() -> dict[str, frozenset[str]]:
    """word → entity types it announces (ner_triggers.tsv)."""
    out: dict[str, set[str]] = {}
    for line in _lexicon_lines("ner_triggers.tsv"):
        typ, _, phrase = line.partition("\t")
        ph = _phrase(phrase)
        if len(ph) == 1:
            out.setdefault(ph[0], set()).add(typ.strip())
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def role_heads() -> frozenset[str]:
    return frozenset(norm_word(w) for w in _lexicon_lines("roles_titles.tsv"))


@lru_cache(maxsize=1)
def _tagger():
    """The packaged CRF model, opened once."""
    import pycrfsuite

    f = _package_file("models", "ner.crfsuite")
    if not f.is_file():
        raise ModelMissing("marsad/facts/models/ner.crfsuite is missing; run scripts/train_ner.py")
    t = pycrfsuite.Tagger()
    t.open(str(f))
    return t


# ---------------------------------------------------------------------------------------
# features
# ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 17)
def _forms(w: str) -> tuple[str, ...]:
    """Lookup forms of a normalized word: itself, without proclitics, and with the article
    restored when a conjunction/preposition was peeled with it («للولايات» → «الولايات»)."""
    prefix, base = split_clitics(w)
    if not prefix:
        return (w,)
    forms = [w, base]
    if prefix.endswith("ال") or prefix.endswith("لل"):
        forms.append("ال" + base)
    return tuple(forms)


def _shape(tok: str, w: str) -> str:
    if not w:
        return "empty"
    if w.isdigit():
        return "digit"
    if any(c.isdigit() for c in w):
        return "alnum"
    if w.isascii():
        return "latin" if w.isalpha() else "sym"
    if all(c in _ARABIC_PUNCT for c in tok):
        return "punct"
    return "arabic"


def _gazetteer_tags(words: Sequence[str]) -> list[str]:
    """Longest gazetteer match over a sentence: B-TYPE / I-TYPE / '' per word."""
    gaz = gazetteer()
    n = len(words)
    out = [""] * n
    i = 0
    while i < n:
        best = None
        for f in _forms(words[i]):
            for ph, typ in gaz.get(f, {}).items():
                k = len(ph)
                if i + k <= n and all(words[i + j] == ph[j] for j in range(1, k)):
                    if best is None or k > best[0]:
                        best = (k, typ)
        if best:
            k, typ = best
            out[i] = "B-" + typ
            for j in range(1, k):
                out[i + j] = "I-" + typ
            i += k
        else:
            i += 1
    return out


def _token_features(tok: str, w: str) -> dict[str, str]:
    """Context-free features of one token (also reused for its neighbours)."""
    prefix, base = split_clitics(w)
    cl = clusters()
    c = cl.get(w)
    via = "w"
    if c is None and prefix:
        c = cl.get(base) or cl.get("ال" + base)
        via = "b"
    f = {
        "w": w,
        "b": base,
        "p": prefix,
        "s": stem(base),
        "sh": _shape(tok, w),
    }
    if c is not None:
        f["c64"] = c.c64
        f["c256"] = c.c256
        f["c1k"] = c.c1024
        f["al"] = c.al + via
        f["fq"] = c.freq
    else:
        f["c64"] = "oov"
    if prefix and via == "w":
        # the clitic-free form's clusters too: «ونيكول» is rare, «نيكول» is a known name
        cb = cl.get(base) or cl.get("ال" + base)
        if cb is not None:
            f["bc256"] = cb.c256
            f["bc1k"] = cb.c1024
            f["bal"] = cb.al
    trig = triggers().get(w) or triggers().get(base)
    if trig:
        f["tr"] = "|".join(sorted(trig))
    return f


_NEIGHBOURS = (-2, -1, 1, 2)
_CLUSTER_KEYS = ("c64", "c256", "c1k", "al", "fq", "tr", "bc256", "bc1k", "bal")


# Per distinct token, its own features and its features as each neighbour: a word's
# features never depend on the sentence, so they are built once per worker and reused
# (the same few thousand words fill most news sentences). On 1,000 ANT articles this took
# sentence_features from 4.3 s to ~1.3 s (cProfile) with identical feature lists.
@lru_cache(maxsize=1 << 17)
def _token_info(tok: str) -> tuple[str, dict[str, str]]:
    """A token's normalized word and its own features (what the neural tagger reads: it
    needs none of the CRF's feature strings, which cost most of ``_token_static``)."""
    w = norm_word(tok)
    return w, _token_features(tok, w)


@lru_cache(maxsize=1 << 17)
def _token_static(tok: str) -> tuple[str, dict[str, str], list[str], dict[int, list[str]]]:
    w, f = _token_info(tok)
    b = f["b"]
    own = ["bias", "w=" + w, "b=" + b, "p=" + f["p"], "s=" + f["s"], "sh=" + f["sh"],
           "len=" + str(min(len(b), 8)),
           "pre2=" + w[:2], "pre3=" + w[:3], "suf2=" + w[-2:], "suf3=" + w[-3:],
           "bsuf1=" + b[-1:], "bsuf2=" + b[-2:], "bpre2=" + b[:2]]
    for k in _CLUSTER_KEYS:
        if k in f:
            own.append(f"{k}={f[k]}")
    near: dict[int, list[str]] = {}
    for d in _NEIGHBOURS:
        feats = [f"{d}:w={f['w']}", f"{d}:b={f['b']}", f"{d}:c256={f.get('c256', 'oov')}",
                 f"{d}:c1k={f.get('c1k', 'oov')}"]
        if abs(d) == 1:
            feats += [f"{d}:c64={f.get('c64', 'oov')}", f"{d}:p={f['p']}",
                      f"{d}:al={f.get('al', 'oov')}", f"{d}:sh={f['sh']}"]
        if "tr" in f:
            feats.append(f"{d}:tr={f['tr']}")
        near[d] = feats
    return w, f, own, near


def sentence_features(tokens: Sequence[str]) -> list[dict[str, float]]:
    """CRF features of one sentence: per token, a dict of indicator features (value 1.0)."""
    static = [_token_static(t) for t in tokens]
    words = [s[0] for s in static]
    gaz = _gazetteer_tags(words)
    n = len(tokens)
    out: list[dict[str, float]] = []
    for i in range(n):
        w = static[i][1]["w"]
        feats = list(static[i][2])
        if gaz[i]:
            feats.append("gz=" + gaz[i])
            feats.append("gzt=" + gaz[i][2:])
        if i == 0:
            feats.append("BOS")
        if i == n - 1:
            feats.append("EOS")
        for d in _NEIGHBOURS:
            j = i + d
            if j < 0 or j >= n:
                feats.append(f"{d}:pad")
                continue
            feats += static[j][3][d]
            if gaz[j]:
                feats.append(f"{d}:gz={gaz[j]}")
        if i > 0:
            feats.append(f"-1|0:w={static[i - 1][1]['w']}|{w}")
        if i < n - 1:
            feats.append(f"0|1:w={w}|{static[i + 1][1]['w']}")
        out.append(dict.fromkeys(feats, 1.0))
    return out


# ---------------------------------------------------------------------------------------
# tagging
# ---------------------------------------------------------------------------------------

def _repair_bio(tags: list[str]) -> list[str]:
    """Turn an I-X that does not continue an X into B-X (CRFs rarely emit these)."""
    out = list(tags)
    for i, t in enumerate(out):
        if t.startswith("I-"):
            prev = out[i - 1] if i else "O"
            if prev == "O" or prev[2:] != t[2:]:
                out[i] = "B-" + t[2:]
    return out


# Label consistency across a document: after tagging, a word tagged as a name somewhere is
# tagged wherever else it stands alone untagged (see ``_propagate``). A "document" is an
# article in ``find_mentions``; for ``tag_tokens`` / ``tag_sentences`` it is a window of
# DOC_SENTENCES sentences (ANERcorp has no document breaks; 30 sentences is one to three
# of its news articles). On the ANERcorp dev split this moved entity F1 from .733 to .744
# (windows of 10: .742; 100: .744; the whole split as one document: .739); with the final
# model .741 → .744 on dev and .722 → .739 on test.
DOC_SENTENCES = 30


def _sentences(tokens: Sequence[str]) -> list[list[str]]:
    sents, start = [], 0
    for i, tok in enumerate(tokens):
        if tok in _PUNCT_END or i == len(tokens) - 1:
            sents.append(list(tokens[start:i + 1]))
            start = i + 1
    return sents


# The tagger behind ``tag_sentences`` / ``tag_tokens`` / ``find_mentions``:
#   "crf"       the CRF alone (models/ner.crfsuite)
#   "neural"    the char-CNN + BiLSTM + CRF networks run in numpy (ner_neural.py)
#   "ensemble"  the best valid BIO path through the two taggers' weighted log marginals
# On the ANERcorp dev split (entity F1 with document consistency) the CRF scored .744, the
# neural tagger .78-.80 and the ensemble at best .782 (neural weight 0.7; 0.5: .771), so
# the neural tagger is the default; on test it measured .771 against the CRF's .739.
TAGGERS = ("crf", "neural", "ensemble")
TAGGER = "neural"
# Weight of the neural marginals in the ensemble (the CRF's get 1 - weight); 0.7 was the
# best of 0.3-0.7 on dev (above).
ENSEMBLE_WEIGHT = 0.7


def _crf_tags(sents: Sequence[Sequence[str]]) -> list[list[str]]:
    tagger = _tagger()
    return [_repair_bio(tagger.tag(sentence_features(s))) if s else [] for s in sents]


def _crf_marginals(sents: Sequence[Sequence[str]]):
    """Per-token tag probabilities of the CRF (n x 9 per sentence, ner_neural.TAGS order)."""
    import numpy as np

    from marsad.facts import ner_neural

    tagger = _tagger()
    labels = set(tagger.labels())
    out = []
    for s in sents:
        m = np.zeros((len(s), len(ner_neural.TAGS)))
        if s:
            tagger.set(sentence_features(s))
            for k, t in enumerate(ner_neural.TAGS):
                if t in labels:
                    m[:, k] = [tagger.marginal(t, i) for i in range(len(s))]
        out.append(m)
    return out


def _ensemble_tags(sents: Sequence[Sequence[str]]) -> list[list[str]]:
    import numpy as np

    from marsad.facts import ner_neural

    neural = ner_neural.tagger().sentence_marginals(sents)
    out = []
    for s, a, b in zip(sents, neural, _crf_marginals(sents)):
        if not s:
            out.append([])
            continue
        sc = ENSEMBLE_WEIGHT * np.log(a + 1e-9) + (1 - ENSEMBLE_WEIGHT) * np.log(b + 1e-9)
        out.append([ner_neural.TAGS[k] for k in ner_neural.best_bio_path(sc)])
    return out


def tag_sentences(sents: Sequence[Sequence[str]], window: int = DOC_SENTENCES,
                  consistent: bool = True, tagger: str | None = None,
                  split: bool = True) -> list[list[str]]:
    """BIO tags for the sentences of one document (``consistent``: propagate names within
    windows of ``window`` sentences; ``tagger``: one of TAGGERS, default TAGGER).

    With ``split`` each given sentence is first cut after its sentence-final punctuation
    (the tagger was trained on sentences), so a text given as one long token list — a CoNLL
    file without blank lines — is tagged exactly as the same tokens given sentence by
    sentence. ANERcorp test as distributed (no blank lines): entity F1 .705 read as one
    sequence, .771 cut here, the same as with a blank line after each sentence."""
    if split and any(len(s) > 1 and any(t in _PUNCT_END for t in s[:-1]) for s in sents):
        parts: list[list[str]] = []
        owner: list[int] = []
        for k, s in enumerate(sents):
            for piece in _sentences(s) if s else [[]]:
                parts.append(piece)
                owner.append(k)
        tagged = tag_sentences(parts, window, consistent, tagger, split=False)
        out: list[list[str]] = [[] for _ in sents]
        for k, ts in zip(owner, tagged):
            out[k].extend(ts)
        return out  # (each piece starts with O or B-: both taggers repair a leading I-)
    kind = tagger or TAGGER
    if kind == "crf":
        tags = _crf_tags(sents)
    elif kind == "neural":
        from marsad.facts import ner_neural

        tags = ner_neural.tagger().tag_sentences(sents)
    elif kind == "ensemble":
        tags = _ensemble_tags(sents)
    else:
        raise ValueError(f"unknown tagger {kind!r}; expected one of {TAGGERS}")
    if consistent:
        for w in range(0, len(sents), max(1, window)):
            _propagate([([_Tok(t, 0, 0) for t in s], ts)
                        for s, ts in zip(sents[w:w + window], tags[w:w + window])])
    return tags


def tag_tokens(tokens: list[str]) -> list[str]:
    """BIO tags (PERS, LOC, ORG, MISC) for one sequence of tokens.

    The sequence is cut at sentence-final punctuation (the model was trained on sentences)
    and read as one document, so passing a whole article at once tags its repeated names
    consistently.
    """
    if not tokens:
        return []
    return [t for ts in tag_sentences(_sentences(tokens)) for t in ts]


# ---------------------------------------------------------------------------------------
# mentions in an article
# ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int


def _article_tokens(text: str, start: int, end: int) -> list[_Tok]:
    """Word tokens (marsad.text.tokenize) plus one token per punctuation mark between them,
    the way ANERcorp tokenizes, with offsets into ``text``."""
    out: list[_Tok] = []
    pos = start
    for t in tokenize(text[start:end]):
        s, e = t.start + start, t.end + start
        if s > pos and not text[pos:s].isspace():  # (most gaps are one space: skipped whole)
            for k in range(pos, s):
                ch = text[k]
                if not ch.isspace() and ch != GAP:
                    out.append(_Tok(ch, k, k + 1))
        out.append(_Tok(text[s:e], s, e))
        pos = e
    for k in range(pos, end):
        ch = text[k]
        if not ch.isspace():
            out.append(_Tok(ch, k, k + 1))
    return out


def _strip_offset(surface: str, n_norm: int) -> int:
    """Index into ``surface`` after its first ``n_norm`` letters (diacritics are skipped)."""
    normed = normalize(surface)
    k = seen = 0
    while k < len(surface) and seen < n_norm:
        if normed[k] != GAP:
            seen += 1
        k += 1
    while k < len(surface) and normed[k] == GAP:
        k += 1
    return k


# A clitic is peeled from an entity's first word only on evidence that the bare form is the
# name: it is a mention elsewhere in the article or in the gazetteers, or the clitic form is
# unknown to ANT news while the bare form is known. Beyond that, a conjunction «و» is peeled
# when the bare form is at least _PEEL_MARGIN log2-frequency buckets (4x) more common in ANT
# («ومروان», «وماكرون»), and a preposition (ب ل ك ف) only when the whole form is rare
# (< 2^_RARE_FULL occurrences): «فادي», «فراس» are names although «ادي», «راس» are common
# words. Checked on names whose first letter looks like a clitic: keeps «وليد», «وائل»,
# «وسام», «فيصل», «بشار», «فادي», «فراس», «لافروف»; peels «وبيسكوف», «وماكرون», «ومروان»,
# «لموسكو» (gazetteer), «والقاهرة» (→ «القاهرة»).
_PEEL_MARGIN = 2
_RARE_FULL = 3


def _peel(word: str, typ: str, known_bare: set[str]) -> int:
    """How many normalized letters of proclitics to drop from an entity's first word."""
    w = norm_word(word)
    prefix, base = split_clitics(w)
    if not prefix:
        return 0
    # keep the article: «والقاهرة» → «القاهرة»; «للكرملين» keeps «كرملين» (ال merged into لل)
    keep_al = prefix.endswith("ال")
    drop = len(prefix) - (2 if keep_al else 0)
    if drop <= 0:
        return 0
    bare = ("ال" + base) if keep_al else base
    if bare in known_bare:
        return drop
    gz = gazetteer()
    if (w,) in gz.get(w, {}):
        return 0
    if (bare,) in gz.get(bare, {}):
        return drop
    cl = clusters()
    full_c, bare_c = cl.get(w), cl.get(bare)
    if bare_c is None:
        return 0
    if full_c is None:
        return drop
    if prefix[:drop] == "و":
        return drop if int(bare_c.freq) - int(full_c.freq) >= _PEEL_MARGIN else 0
    return drop if int(full_c.freq) < _RARE_FULL else 0


# How many tokens a role phrase may span before a name («نائب وزير الدفاع الروسي» = 4);
# 7 covers the longest in the example paragraphs without swallowing a previous clause.
ROLE_SPAN = 7
_ROLE_BREAK = {"قال", "وقال", "قالت", "وقالت", "اكد", "واكد", "ان", "إن", "أن", "الذي", "التي",
               "كما", "حيث", "بعد", "مع", "بين", "اضاف", "واضاف", "اعلن", "واعلن",
               "يقول", "تقول", "وفق", "حسب", "او", "ثم"}
_ROLE_BREAK_N = frozenset(normalize(w) for w in _ROLE_BREAK)


def _role_before(toks: list[_Tok], i: int, text: str) -> str | None:
    """The role phrase that ends right before token ``i`` (the first word of a name)."""
    heads = role_heads()
    best = None
    if i >= 2 and toks[i - 1].text in {"،", ","}:
        # «المتحدث باسم الكرملين، دميتري بيسكوف»: the role set off by a comma
        role = _role_before(toks, i - 1, text)
        if role:
            return role
    for j in range(i - 1, max(-1, i - 1 - ROLE_SPAN), -1):
        t = toks[j].text
        w = norm_word(t)
        if not w or all(c in _ARABIC_PUNCT for c in t):
            break
        if w in _ROLE_BREAK_N:
            break
        forms = _forms(w)
        if any(f in heads for f in forms):
            best = j
    if best is None:
        return None
    start = toks[best].start
    prefix, base = split_clitics(norm_word(toks[best].text))
    if prefix and not (("ال" + base) in heads or base in heads) and norm_word(toks[best].text) in heads:
        pass
    elif prefix:
        # «والرئيس» → «الرئيس»; «ووزير» → «وزير»
        keep_al = prefix.endswith("ال")
        drop = len(prefix) - (2 if keep_al else 0)
        start += _strip_offset(toks[best].text, drop)
    role = text[start:toks[i - 1].end].strip()
    return role or None


def _role_after(toks: list[_Tok], k: int, text: str) -> str | None:
    """An appositive role after a name: «دميتري بيسكوف، المتحدث باسم الكرملين،»."""
    if k + 1 >= len(toks) or toks[k].text not in {"،", ","}:
        return None
    first = norm_word(toks[k + 1].text)
    if not any(f in role_heads() for f in _forms(first)):
        return None
    end = k + 1
    j = k + 1
    while j < len(toks) and j <= k + ROLE_SPAN:
        t = toks[j].text
        if all(c in _ARABIC_PUNCT for c in t) or norm_word(t) in _ROLE_BREAK_N:
            break
        end = j
        j += 1
    return text[toks[k + 1].start:toks[end].end].strip() or None


def _key(name: str) -> str:
    return " ".join(norm_word(t) for t in name.split())


# Name particles that never make a mention on their own when a known name is propagated.
_PARTICLES = {"بن", "ابن", "بنت", "ابو", "ام", "ال", "عبد", "دي", "دو", "فون", "فان", "لا"}


def _spans_of(tags: list[str]) -> list[tuple[int, int, str]]:
    out = []
    i = 0
    while i < len(tags):
        if tags[i] == "O":
            i += 1
            continue
        typ = tags[i][2:]
        k = i + 1
        while k < len(tags) and tags[k] == "I-" + typ:
            k += 1
        out.append((i, k, typ))
        i = k
    return out


def _propagate(sents: list[tuple[list[_Tok], list[str]]]) -> None:
    """Label consistency within one article: a word the tagger found as a name somewhere
    («ماكرون» inside «إيمانويل ماكرون») is tagged wherever else it stands alone untagged,
    clitics included («وماكرون»). Only words that rarely (< 5%) also occur with the article «ال»
    in ANT news are propagated for people (common nouns do), so «الرئيس» never spreads."""
    known: dict[str, str] = {}
    cl = clusters()
    for toks, tags in sents:
        for i, k, typ in _spans_of(tags):
            words = [norm_word(t.text) for t in toks[i:k]]
            if typ == "PERS":
                cands = [words[-1]] if len(words) > 1 else words
            elif k - i == 1:
                cands = words
            else:
                continue
            for w in cands:
                for f in _forms(w)[::-1]:
                    if len(f) < 3 or f in _PARTICLES:
                        continue
                    c = cl.get(f)
                    if typ == "PERS" and c is not None and c.al not in ("0", "1"):
                        continue
                    known.setdefault(f, typ)
                    break
    if not known:
        return
    for toks, tags in sents:
        for j, t in enumerate(toks):
            if tags[j] != "O":
                continue
            w = norm_word(t.text)
            typ = next((known[f] for f in _forms(w) if f in known), None)
            if typ is None:
                continue
            # not inside a name the tagger left untagged on both sides
            if (j + 1 < len(tags) and tags[j + 1].startswith("I-")):
                continue
            tags[j] = "B-" + typ


def _is_english_phrase(toks: list[_Tok]) -> bool:
    """Latin words with a lower-case one among them: English prose, not a name."""
    words = [t.text for t in toks if t.text.isalpha()]
    return bool(words) and all(w.isascii() for w in words) and any(w.islower() for w in words)


def find_mentions(article: Article, doc: AnalysedDoc | None = None) -> list[Mention]:
    """Named-entity mentions of one article with clitics stripped, roles and coreference;
    ``doc`` is its analysed document when already built (``marsad.analysed``)."""
    return find_mentions_many([article], None if doc is None else [doc])[0]


def find_mentions_many(articles: Sequence[Article],
                       analysed: Sequence[AnalysedDoc | None] | None = None) -> list[list[Mention]]:
    """``find_mentions`` of each article, the sentences of all of them tagged together: the
    network then runs on batches of sentences of similar length from many articles, not on
    each article's own mix of short and long ones (each article's result is the same as
    alone). On 500 ANT articles, one core: ~8 ms an article one at a time, see
    ``benchmarks/bench_ner.py`` for the batched figure. ``analysed``: the articles' analysed
    documents when already built (their sentences are used)."""
    docs = []
    for article, doc in zip(articles, analysed if analysed is not None else [None] * len(articles)):
        if doc is None or not doc.matches(article):
            doc = AnalysedDoc.of(article)
        text = doc.text
        docs.append([toks for sent in doc.sentences
                     if (toks := _article_tokens(text, sent.start, sent.end))])
    flat = [[t.text for t in toks] for tok_sents in docs for toks in tok_sents]
    tagged = tag_sentences(flat, consistent=False, split=False)
    out, k = [], 0
    for article, tok_sents in zip(articles, docs):
        out.append(_mentions(article, tok_sents, tagged[k:k + len(tok_sents)]))
        k += len(tok_sents)
    return out


def _mentions(article: Article, tok_sents: list[list[_Tok]], tagged: list[list[str]]) -> list[Mention]:
    text = article.text or ""
    sents = list(zip(tok_sents, tagged))
    _propagate(sents)  # the whole article is the document
    raw: list[tuple[str, int, int, str | None]] = []  # type, start, end, role
    for toks, tags in sents:
        for i, k, typ in _spans_of(tags):
            # drop punctuation at the edges of a span
            a, b = i, k
            while a < b and all(c in _ARABIC_PUNCT for c in toks[a].text):
                a += 1
            while b > a and all(c in _ARABIC_PUNCT for c in toks[b - 1].text):
                b -= 1
            if a < b and _is_english_phrase(toks[a:b]):
                continue  # «Skip to main content»: left-over page furniture, not a name
            if a < b:
                role = None
                if typ == "PERS":
                    role = _role_before(toks, a, text) or _role_after(toks, b, text)
                raw.append((typ, toks[a].start, toks[b - 1].end, role))
    # peel clitics (using the bare forms seen elsewhere in the article as evidence)
    bare_seen: set[str] = set()
    for _, s, e, _ in raw:
        for w in text[s:e].split():
            bare_seen.add(norm_word(w))
    raw = _split_coordinated(raw, text, bare_seen)
    ends = {(typ, e) for typ, _, e, _ in raw}
    mentions: list[Mention] = []
    for typ, s, e, role in raw:
        surface = text[s:e]
        first = surface.split()[0]
        drop = _peel(first, typ, bare_seen)
        if not drop and _coordinated(first, typ, s, text, ends):
            drop = 1
        if drop:
            cut = _strip_offset(first, drop)
            if cut < len(surface) and not surface[cut].isspace():
                s += cut
        mentions.append(Mention(article=article.id, text=text[s:e], type=TYPES[typ],
                                start=s, end=e, role=role))
    _corefer(mentions)
    return mentions


def _split_coordinated(raw: list[tuple[str, int, int, str | None]], text: str,
                       seen: set[str]) -> list[tuple[str, int, int, str | None]]:
    """Split a span that joins two names with «و» («بوتين وزيلينسكي»): at a later word that
    starts with و when the rest of the word is seen elsewhere in the article as a name of its
    own (a first name such as «وليد» is not split: «ليد» is no name)."""
    out = []
    for typ, s, e, role in raw:
        cut = None
        pos = s
        for k, w in enumerate(text[s:e].split()):
            pos = text.index(w, pos)
            nw = norm_word(w)
            if k and len(nw) > 3 and nw[0] == "و" and nw[1:] in seen:
                cut = pos
                break
            pos += len(w)
        if cut is None:
            out.append((typ, s, e, role))
            continue
        left_end = cut
        while left_end > s and text[left_end - 1].isspace():
            left_end -= 1
        out.append((typ, s, left_end, role))
        out.append((typ, cut, e, None))
    return out


def _coordinated(first: str, typ: str, start: int, text: str, ends: set[tuple[str, int]]) -> bool:
    """«تامبوف وفورونيج»: a name whose first word carries «و» right after a name of the same
    type is the second of two; its «و» is the conjunction."""
    w = norm_word(first)
    if len(w) <= 3 or w[0] != "و":
        return False
    k = start
    while k > 0 and text[k - 1].isspace():
        k -= 1
    return (typ, k) in ends


def _corefer(mentions: list[Mention]) -> None:
    """Within one article: a short person name takes the full name it abbreviates
    («بيسكوف» → «دميتري بيسكوف»), and inherits that person's role when it has none."""
    full: dict[str, Mention] = {}
    by_word: dict[str, list[Mention]] = {}
    for m in mentions:
        m.canonical = m.text
        if m.type != "PERSON":
            continue
        words = _key(m.text).split()
        if len(words) >= 2:
            full.setdefault(_key(m.text), m)
            for wd in (words[-1], words[0]):
                by_word.setdefault(wd, []).append(m)
    roles: dict[str, str] = {}
    for m in mentions:
        if m.type == "PERSON" and m.role:
            roles.setdefault(_key(m.text), m.role)
    # the full names by each of their word-final parts («بوتين», «فلاديمير بوتين» ...), in
    # order, and each name's target worked out once: a scan of every name for every mention
    # made an article's coreference quadratic in its length
    by_tail: dict[str, list[Mention]] = {}
    for kk, f in full.items():
        for p, c in enumerate(kk):
            if c == " ":
                by_tail.setdefault(kk[p + 1:], []).append(f)
    targets: dict[str, Mention | None] = {}
    for m in mentions:
        if m.type != "PERSON":
            continue
        k = _key(m.text)
        if k not in targets:
            targets[k] = _coref_target(k, by_word, by_tail)
        target = targets[k]
        if target is not None:
            m.canonical = target.text
        if m.role is None:
            m.role = roles.get(_key(m.canonical or m.text))


def _coref_target(k: str, by_word: dict[str, list[Mention]],
                  by_tail: dict[str, list[Mention]]) -> Mention | None:
    """The full name a person mention keyed ``k`` abbreviates, if one (see ``_corefer``)."""
    words = k.split()
    if len(words) == 1:
        cands = by_word.get(words[0], [])
        names = {_key(c.text) for c in cands}
        # the surname first (the usual short form), then an unambiguous first name
        last = [c for c in cands if _key(c.text).split()[-1] == words[0]]
        if len({_key(c.text) for c in last}) == 1:
            return last[0]
        if len(names) == 1:
            return cands[0]
        return None
    # a longer name that contains this one («فلاديمير بوتين» inside «فلاديمير فلاديميروفيتش بوتين»)
    longer = [f for f in by_tail.get(k, []) if len(_key(f.text).split()) > len(words)]
    if len({_key(f.text) for f in longer}) == 1:
        return longer[0]
    return None


# ---------------------------------------------------------------------------------------
# across articles
# ---------------------------------------------------------------------------------------

def _skeleton(key: str) -> str:
    """A name without its inner long vowels: «دونالد ترمب» and «دونالد ترامب» agree."""
    return " ".join(w[:1] + "".join(c for c in w[1:] if c not in "اوي") for w in key.split())


def entity_id(type_: str, name: str) -> str:
    """Stable entity id: "e-" + a short hash of the type and the normalized name."""
    h = hashlib.sha1(f"{type_}|{_key(name)}".encode("utf-8")).hexdigest()[:12]
    return "e-" + h


def _vowel_variant(a: str, b: str) -> bool:
    """Whether two normalized words are one spelling with and without some inner long vowels
    («ترمب» / «ترامب», «مدفيديف» / «ميدفيديف»): the shorter is the longer with some of its
    ا و ي after the first letter left out (the looser consonant skeleton also took «أيمن»
    for «أمين»)."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if not a or a[0] != b[0]:
        return False
    i = 0
    for c in b:
        if i < len(a) and c == a[i]:
            i += 1
        elif c not in "اوي":
            return False
    return i == len(a)


def _spelling_variants(k1: str, k2: str) -> bool:
    """Whether two normalized person names are spellings of one name: the same first name
    (people who share a surname are not one person: «أيمن الصفدي» / «أحمد الصفدي») and
    the other words the same up to inner long vowels (``_vowel_variant``)."""
    w1, w2 = k1.split(), k2.split()
    if len(w1) != len(w2):
        return False
    if len(w1) > 1 and w1[0] != w2[0]:
        return False
    return all(_vowel_variant(a, b) for a, b in zip(w1, w2))


# Words of a role that say nothing of which post it is: a role that shares only these with
# another does not agree with it.
_ROLE_FILLER = frozenset(norm_word(w) for w in ("السابق", "الأسبق", "الحالي", "العام", "باسم", "الى", "إلى"))


def _role_words(roles: Iterable[str]) -> set[str]:
    out = set()
    for r in roles:
        for w in r.split():
            n = norm_word(w)
            if len(n) >= 3 and n not in _ROLE_FILLER and n not in _ROLE_BREAK_N:
                out.add(stem(n))
    return out


def roles_agree(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two lists of roles may be one person's: either is empty, or they share a word
    that names the post («وزير الخارجية» / «وزير الخارجية الأردني»). «المتحدث باسم
    التحالف» and «رئيس الوزراء العراقي السابق» do not agree."""
    if not a or not b:
        return True
    return bool(_role_words(a) & _role_words(b))


def link_entities(mentions: list[Mention]) -> list[Entity]:
    """One entity per person / organization / place across articles.

    Mentions are grouped by type and normalized canonical name; spellings of one person's
    name (``_spelling_variants``) join the most mentioned one; a one-word person group
    («بيسكوف» in an article that never spells the full name) then joins the single
    multi-word person whose surname it is, except in an article where both carry roles and
    no role agrees (``roles_agree``: a coalition spokesman «المالكي» is not a former prime
    minister «نوري المالكي»). People who share a surname with different first names stay apart. Sets
    ``mention.entity`` and returns the entities, most mentioned first.
    """
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        groups.setdefault((m.type, _key(m.canonical or m.text)), []).append(m)
    # spelling variants of one name («ترامب» / «ترمب», «ميدفيديف» / «مدفيديف»): same
    # consonant skeleton and spellings of each other → the most mentioned spelling
    by_skel: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        typ, k = key
        if typ == "PERSON" and len(k) >= 6:
            kin = by_skel.setdefault((typ, _skeleton(k)), [])
            best = next((b for b in kin if _spelling_variants(b[1], k)), None)
            if best is None:
                kin.append(key)
            else:
                groups[best].extend(groups.pop(key))
    persons_by_last: dict[str, set[str]] = {}
    for (typ, k) in groups:
        if typ == "PERSON" and len(k.split()) >= 2:
            persons_by_last.setdefault(_skeleton(k.split()[-1]), set()).add(k)
    merged: dict[tuple[str, str], list[Mention]] = {}
    for (typ, k), ms in groups.items():
        if typ == "PERSON" and len(k.split()) == 1:
            fulls = {f for f in persons_by_last.get(_skeleton(k), set()) if _vowel_variant(f.split()[-1], k)}
            if len(fulls) == 1:
                # article by article: the «المالكي» of one article may be a spokesman, of
                # another the former prime minister
                full = next(iter(fulls))
                full_roles = [m.role for m in groups[(typ, full)] if m.role]
                by_article: dict[str, list[Mention]] = {}
                for m in ms:
                    by_article.setdefault(m.article, []).append(m)
                for group in by_article.values():
                    agree = roles_agree([m.role for m in group if m.role], full_roles)
                    merged.setdefault((typ, full if agree else k), []).extend(group)
                continue
        merged.setdefault((typ, k), []).extend(ms)
    entities: list[Entity] = []
    for (typ, k), ms in merged.items():
        names = [m.canonical or m.text for m in ms if _key(m.canonical or m.text) == k]
        # most frequent spelling, then the longest, then the first in code-point order, so the
        # same mentions always give the same name (a set's order changes from run to run)
        name = min(set(names), key=lambda n: (-names.count(n), -len(n), n)) if names else ms[0].text
        eid = entity_id(typ, k)
        aliases: list[str] = []
        roles: list[str] = []
        for m in ms:
            m.entity = eid
            for a in (m.text, m.canonical):
                if a and a != name and a not in aliases:
                    aliases.append(a)
            if m.role and m.role not in roles:
                roles.append(m.role)
        entities.append(Entity(id=eid, name=name, type=typ, aliases=aliases, roles=roles,
                               mentions=len(ms)))
    entities.sort(key=lambda e: (-e.mentions, e.name))
    return entities


# The order in which an article's own mentions of one name are taken when they were linked
# to entities of several types (a speaker «سهيل» tagged both a person and a place).
_TYPE_ORDER = {"PERSON": 0, "ORG": 1, "PLACE": 2, "OTHER": 3}


@dataclass
class EntityNames:
    """Which entities go by each normalized name (their names and aliases): what the names
    facts carry (speakers, claimants, actors) are linked by. Built by ``entity_names``."""

    ids: dict[str, list[str]]  # normalized name -> ids of the entities going by it
    types: dict[str, str]  # entity id -> its type


def entity_names(entities: Sequence[Entity]) -> EntityNames:
    ids: dict[str, list[str]] = {}
    for e in entities:
        for n in dict.fromkeys(_key(x) for x in [e.name, *e.aliases] if x):
            if n:
                ids.setdefault(n, []).append(e.id)
    return EntityNames(ids=ids, types={e.id: e.type for e in entities})


def _pick(counts: dict[str, int], types: dict[str, str]) -> str | None:
    """The entity an article's mentions of one name stand for: the only one, else the one of
    the first type (``_TYPE_ORDER``) mentioned most; None on a tie."""
    if len(counts) == 1:
        return next(iter(counts))
    ranked = sorted(counts, key=lambda e: (_TYPE_ORDER.get(types.get(e, ""), 9), -counts[e]))
    a, b = ranked[0], ranked[1]
    if (_TYPE_ORDER.get(types.get(a, ""), 9), counts[a]) == (_TYPE_ORDER.get(types.get(b, ""), 9), counts[b]):
        return None
    return a


def link_facts(facts: Facts, names: EntityNames) -> None:
    """Set the entity of every quote speaker, claimant, target claimant and event actor of
    one article (None where it names none).

    A name is linked as the article's own mentions of it are («الصفدي» there is the «أيمن
    الصفدي» the article names, whatever other «الصفدي» there are); a name the article's
    mentions do not give (the tagger missed it there) is linked to the one entity that goes
    by it across articles (the person, when entities of several types go by it), and left
    unlinked when several of one type do (a surname two people share);
    a full name no entity goes by is the person whose surname alone the article names.
    The mentions must be linked already (``link_entities``)."""
    local: dict[str, dict[str, int]] = {}
    bare: dict[str, set[str]] = {}  # a person the article names by one word only -> entities
    for m in facts.mentions:
        if m.entity:
            for n in {_key(m.text), _key(m.canonical or m.text)}:
                c = local.setdefault(n, {})
                c[m.entity] = c.get(m.entity, 0) + 1
            k = _key(m.canonical or m.text)
            if m.type == "PERSON" and len(k) >= 3 and " " not in k:
                bare.setdefault(k, set()).add(m.entity)
    cache: dict[str, str | None] = {}

    def resolve(name: str | None) -> str | None:
        if not name:
            return None
        k = _key(name)
        if k not in cache:
            ids = names.ids.get(k, [])
            words = k.split()
            if k in local:
                cache[k] = _pick(local[k], names.types)
            elif ids:
                # of entities of several types going by one name (the tagger read «إليسا» as a
                # person and once as a body), the person; two of one type: ambiguous
                first = min(_TYPE_ORDER.get(names.types.get(e, ""), 9) for e in ids)
                top = [e for e in ids if _TYPE_ORDER.get(names.types.get(e, ""), 9) == first]
                cache[k] = top[0] if len(top) == 1 else None
            elif 2 <= len(words) <= 4 and len(bare.get(words[-1], ())) == 1:
                # the speaker «جميلة بوحيرد» of an article whose tagger found only «بوحيرد»
                cache[k] = next(iter(bare[words[-1]]))
            else:
                cache[k] = None
        return cache[k]

    for q in facts.quotes:
        q.speaker.entity = resolve(q.speaker.name)
    for c in facts.claims:
        c.claimant_entity = resolve(c.claimant)
        c.target_claimant_entity = resolve(c.target_claimant)
    for e in facts.events:
        e.actor_entities = [resolve(a) for a in e.actors]


# ---------------------------------------------------------------------------------------
# helpers for the quote and claim extractors
# ---------------------------------------------------------------------------------------

def person_at(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """The first person mention that lies inside [start, end)."""
    for m in sorted(mentions, key=lambda m: m.start):
        if m.type == "PERSON" and m.start >= start and m.end <= end:
            return m
    return None


def nearest_person(mentions: Sequence[Mention], offset: int, window: int = 200,
                   types: tuple[str, ...] = ("PERSON",)) -> Mention | None:
    """The mention of one of ``types`` closest to ``offset`` within ``window`` characters
    (preferring one before the offset on a tie: Arabic news names the speaker first)."""
    best = None
    best_d = None
    for m in mentions:
        if m.type not in types:
            continue
        if m.end <= offset:
            d = offset - m.end
        elif m.start >= offset:
            d = m.start - offset + 0.5
        else:
            d = 0
        if d <= window and (best_d is None or d < best_d):
            best, best_d = m, d
    return best


# ---------------------------------------------------------------------------------------
# CoNLL-style files (``marsad entities --conll FILE``)
# ---------------------------------------------------------------------------------------

def _is_tag(s: str) -> bool:
    return s == "O" or (s[:2] in {"B-", "I-"} and len(s) > 2)


def read_conll(path) -> list[list[str]]:
    """Sentences of tokens from a file with one ``token`` or ``token TAG`` per line and a
    blank line between sentences. Raises InputError when the file cannot be read."""
    from marsad.errors import InputError

    p = Path(path)
    try:
        data = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a directory, expected a CoNLL file") from None
    except UnicodeDecodeError:
        raise InputError(str(p), "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot be read ({exc.strerror or exc})") from None
    sents: list[list[str]] = []
    cur: list[str] = []
    for line in data.splitlines():
        line = line.strip()
        if not line:
            if cur:
                sents.append(cur)
                cur = []
            continue
        tok, _, last = line.rpartition(" ")
        if not (tok.strip() and _is_tag(last)):
            tok = line
        cur.append(tok.strip())
    if cur:
        sents.append(cur)
    return sents
