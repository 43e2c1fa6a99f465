"""Exact and near-duplicate detection, and syndication groups.

Arabic outlets republish wire copy (and each other) with a new headline, a trimmed last
paragraph, or their own boilerplate around it. ``Deduper`` folds such copies together:

* **exact copies** share the hash of their normalized body (``normalize_for_search`` words);
  the headline is not hashed, so a copy with a rewritten headline is still exact;
* **near-duplicates** are found with MinHash LSH (datasketch) over word shingles of the
  normalized body, then confirmed by the exact *containment* of the smaller shingle set in
  the larger one (sorted 32-bit shingle hashes are kept per article, ~1 KB each), and by its
  lead being in the larger one. Containment rather than Jaccard is what makes a trimmed
  copy, or a copy with added boilerplate lines, still match its original.

Every article lands in a syndication group (a singleton when it has no copy); a group knows
its members in publication order, its first copy, and the agency the copies credit.
``state()`` / ``from_state()`` let the pipeline keep the index in its store and resume.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.errors import MarsadError
from marsad.state import dump_state, load_state
from marsad.model import Article
from marsad.text import words
from marsad.text.normalize import fold_presentation_forms

# Word shingle length. 3 words: calibrated on hand-made Arabic copies (tests/test_dedup.py)
# and on ANT 2018 — with 2, two independent reports of one press conference share many
# bigrams («وزير الخارجية», «في بيان») and reach containment .35–.45; with 3 they stay < .2
# while a copy with a new headline and a dropped last paragraph stays > .9.
SHINGLE = 3  # shingle_hashes() is written for 3

# Bodies shorter than this many words are too short for shingles to mean anything: they are
# only matched exactly (title + body hash). 25 words ≈ two sentences.
MIN_WORDS = 25

# LSH recall threshold on Jaccard: deliberately low, so a short copy inside a longer article
# (Jaccard ≈ |short| / |long|) still becomes a candidate; the containment check decides.
LSH_THRESHOLD = 0.3

# Containment of the smaller shingle set in the larger needed to call two bodies copies.
# Calibrated by reading samples of ANT 2018 pairs (31.5k articles, 5 outlets): above .65 they
# read as the same text (re-posts, one wire story lightly edited by two outlets); between .5
# and .65 some are the same story told with shared wire sentences, and some are two CNN
# reports built on one template (missile interceptions on different days), not copies.
CONTAINMENT = 0.65

# The first half (at least LEAD_WORDS words) of the smaller of two copies must also be in
# the larger: ANT's CNN pages end with the leads of other articles, and two unrelated CNN
# stories sharing that tail reached containment .55–.63. Requiring half of the first half's
# shingles rejects them, while copies that rewrote their opening sentence (example corpus:
# .42 and .57 of their first 40 words shared) keep .68 and .80 of their first half.
LEAD_WORDS = 40
LEAD_SHARE = 0.5
# And the larger one's first half must be, at least in part, in the smaller one: a new report
# that carries an older article whole as background (ANT 2018's pages often end with the body
# of an earlier or related article) contains the older one but opens with new text. Calibrated
# on the 1,013 near-copy pairs ANT 2018 gave without it: the 158 whose larger first half shared
# under .2 with the smaller read as different articles (a Huthi kidnapping vs an army advance,
# an EU trade vehicle in September vs the May report it quotes), .2-.3 were mixed, and from
# .4 up they read as one wire story rewritten; the example corpus's copies share .86-1.0.
BIG_LEAD_SHARE = 0.3

_STATE_VERSION = 1


def _identity(h: int) -> int:
    return h


@lru_cache(maxsize=500_000)
def _word_hash(w: str) -> int:
    # crc32: stable across processes (unlike ``hash()``), so a saved state stays valid.
    return zlib.crc32(w.encode("utf-8"))


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def shingle_hashes(ws: list[str]) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word ``SHINGLE``-grams (3 words) of ``ws``, mixed
    from per-word crc32 values with numpy (no string joins)."""
    n = len(ws) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32)
    wh = np.fromiter((_word_hash(w) for w in ws), dtype=np.uint64, count=len(ws))
    with np.errstate(over="ignore"):
        x = (wh[:n] * _M1 + wh[1:n + 1]) * _M2 + wh[2:n + 2]
        x ^= x >> np.uint64(31)
    return np.unique((x & np.uint64(0xFFFFFFFF)).astype(np.uint32))


@dataclass
class DupResult:
    """What ``Deduper.add`` says about one article."""

    duplicate_of: str | None  # earliest-published copy seen so far, or None
    group: str  # syndication group id
    exact: bool  # True when the body is an exact (normalized) copy
    similarity: float = 1.0  # containment with ``duplicate_of`` (1.0 for exact)


@dataclass
class SyndicationGroup:
    """Copies of one text. ``members`` are article ids in publication order."""

    id: str
    members: list[str] = field(default_factory=list)
    first: str = ""
    credited: str | None = None  # agency most members credit (e.g. رويترز), if any
    outlets: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "members": list(self.members), "first": self.first,
                "credited": self.credited, "outlets": list(self.outlets)}


@dataclass
class _Entry:
    id: str
    order: tuple  # (published or "~", arrival index): sort key for "earliest"
    group: str
    size: int  # number of distinct shingles
    outlet: str | None
    credited: list[str]


_PRESENTATION_FORMS = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFC]")


@lru_cache(maxsize=64)
def text_words(text: str) -> list[str]:
    """Words of ``text`` in ``normalize_for_search`` form (letters folded, diacritics and
    tatweel dropped, Latin lower-cased). Cached for the few latest texts, so the stories
    stage reuses what deduplication computed for the same article. Do not mutate the list."""
    if _PRESENTATION_FORMS.search(text):
        text = fold_presentation_forms(text)
    return words(text.lower())


def body_words(article: Article) -> list[str]:
    """Normalized words of the article body (the text that copies share)."""
    return text_words(article.text or "")


class Deduper:
    """Streaming exact + near-duplicate detector.

    ``threshold`` is the containment (0–1) of the smaller article's word shingles in the
    larger one above which two articles are copies; higher means stricter (fewer, surer
    duplicates). ``num_perm`` is the MinHash length: 128 gives a Jaccard estimate within
    ±.05 (one standard deviation ≈ .04) at ~0.3 ms per article; 64 halves the cost and the
    memory for twice the variance.
    """

    def __init__(self, threshold: float = CONTAINMENT, num_perm: int = 128):
        if not 0 < threshold <= 1:
            raise MarsadError(f"Deduper threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=num_perm)
        self._shingles: dict[str, np.ndarray] = {}  # sorted unique shingle hashes per article
        self._leads: dict[str, np.ndarray] = {}  # shingle hashes of the first LEAD_WORDS words
        self._exact: dict[str, str] = {}  # content hash -> first article id with it
        self._entries: dict[str, _Entry] = {}
        self._groups: dict[str, list[str]] = {}  # group id -> member ids (arrival order)
        self._seq = 0
        self._perm = MinHash(num_perm=num_perm, seed=1, hashfunc=_identity)

    # -- adding -------------------------------------------------------------------------
    def add(self, article: Article) -> DupResult:
        """Register one article and say whether it copies one already seen."""
        if article.id in self._entries:  # idempotent: re-adding returns the same answer
            return self._result_for(article.id)
        ws = body_words(article)
        short = len(ws) < MIN_WORDS
        content = " ".join(text_words(article.title or "") + ws) if short else " ".join(ws)
        digest = hashlib.sha1(content.encode("utf-8")).hexdigest()
        order = (article.published or "~", self._seq)
        self._seq += 1

        if not content:  # nothing to compare: its own group
            return self._new_group(article, order, 0)

        first_exact = self._exact.get(digest)
        if first_exact is not None:
            group = self._entries[first_exact].group
            self._join(article, order, group, 0)
            return DupResult(self._earliest_before(group, article.id), group, True, 1.0)
        self._exact[digest] = article.id

        if short:
            return self._new_group(article, order, 0)

        sh = shingle_hashes(ws)
        mh = MinHash(num_perm=self.num_perm, seed=1, hashfunc=_identity,
                     permutations=self._perm.permutations, scheme=self._perm.scheme)
        mh.update_batch(sh.tolist())
        size = len(sh)
        lead = shingle_hashes(ws[:max(LEAD_WORDS, len(ws) // 2) + SHINGLE - 1])

        best, best_c = None, 0.0
        for cand in self._lsh.query(mh):
            other = self._entries[cand]
            c = self._copy_score(sh, lead, self._shingles[cand], self._leads[cand])
            if c >= self.threshold and (c > best_c or (c == best_c and other.order < self._entries[best].order)):
                best, best_c = cand, c
        self._lsh.insert(article.id, mh)
        self._shingles[article.id] = sh
        self._leads[article.id] = lead
        if best is None:
            return self._new_group(article, order, size)
        group = self._entries[best].group
        self._join(article, order, group, size)
        return DupResult(self._earliest_before(group, article.id), group, False, round(best_c, 3))

    @staticmethod
    def _copy_score(sh_a: np.ndarray, lead_a: np.ndarray, sh_b: np.ndarray, lead_b: np.ndarray) -> float:
        """Containment of the smaller body in the larger, or 0 when the smaller one's lead is
        not in the larger one (two different articles that only share an appended block) or
        the larger one's lead is not in the smaller one (a new report carrying the older one
        as background)."""
        small, small_lead, big, big_lead = (sh_a, lead_a, sh_b, lead_b) if len(sh_a) <= len(sh_b) \
            else (sh_b, lead_b, sh_a, lead_a)
        if len(small) == 0:
            return 0.0
        inter = len(np.intersect1d(small, big, assume_unique=True))
        c = inter / len(small)
        if len(small_lead):
            lead_in = len(np.intersect1d(small_lead, big, assume_unique=True)) / len(small_lead)
            if lead_in < LEAD_SHARE:
                return 0.0
        if len(big_lead):
            lead_in = len(np.intersect1d(big_lead, small, assume_unique=True)) / len(big_lead)
            if lead_in < BIG_LEAD_SHARE:
                return 0.0
        return c

    def _new_group(self, article: Article, order: tuple, size: int) -> DupResult:
        gid = "g-" + article.id
        self._groups[gid] = []
        self._join(article, order, gid, size)
        return DupResult(None, gid, False, 0.0)

    def _join(self, article: Article, order: tuple, gid: str, size: int) -> None:
        self._entries[article.id] = _Entry(article.id, order, gid, size, article.outlet,
                                           list(article.credited or []))
        self._groups[gid].append(article.id)

    def _earliest_before(self, gid: str, article_id: str) -> str | None:
        """The earliest-published member of ``gid`` that precedes ``article_id``, if any."""
        me = self._entries[article_id].order
        earlier = [self._entries[m] for m in self._groups[gid] if m != article_id]
        earlier = [e for e in earlier if e.order < me]
        if not earlier:
            return None
        return min(earlier, key=lambda e: e.order).id

    def _result_for(self, article_id: str) -> DupResult:
        e = self._entries[article_id]
        first = self.duplicate_of(article_id)
        return DupResult(first, e.group, False, 1.0 if first else 0.0)

    # -- reading ------------------------------------------------------------------------
    def duplicate_of(self, article_id: str) -> str | None:
        """Current answer for an article already added: the group's first copy, or None when
        it is the first. Differs from what ``add`` returned only when an earlier-published
        copy arrived later (out-of-order input)."""
        e = self._entries.get(article_id)
        if e is None:
            raise MarsadError(f"article {article_id!r} was never added to the deduper")
        first = min((self._entries[m] for m in self._groups[e.group]), key=lambda x: x.order)
        return None if first.id == article_id else first.id

    def groups(self, min_size: int = 2) -> list[SyndicationGroup]:
        """Syndication groups with at least ``min_size`` members, earliest first copy first."""
        out = []
        for gid, members in self._groups.items():
            if len(members) < min_size:
                continue
            ents = sorted((self._entries[m] for m in members), key=lambda e: e.order)
            credits = Counter(c for e in ents for c in dict.fromkeys(e.credited))
            credited = credits.most_common(1)[0][0] if credits else None
            outlets = list(dict.fromkeys(e.outlet for e in ents if e.outlet))
            out.append(SyndicationGroup(gid, [e.id for e in ents], ents[0].id, credited, outlets))
        out.sort(key=lambda g: self._entries[g.first].order)
        return out

    def __len__(self) -> int:
        return len(self._entries)

    # -- persistence --------------------------------------------------------------------
    def state(self) -> bytes:
        """Everything needed to resume: pickle of the index (MinHash signatures, LSH, groups)."""
        return dump_state(_STATE_VERSION, self.__dict__)

    @classmethod
    def from_state(cls, data: bytes) -> "Deduper":
        d = load_state(data, _STATE_VERSION, "deduplication")
        obj = cls.__new__(cls)
        obj.__dict__.update(d)
        return obj


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A∩B| / min(|A|,|B|) from the Jaccard of A and B and their sizes."""
    if size_a == 0 or size_b == 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / min(size_a, size_b))
