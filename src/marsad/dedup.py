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
``state()`` / ``from_state()`` let the pipeline keep the index in its store and resume; the
settings are one ``DedupConfig`` object.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.analysed import AnalysedDoc, search_words
from marsad.errors import MarsadError
from marsad.state import (corrupt, dump_state, gc_paused, load_stage_state, pack_array,
                          unpack_array)
from marsad.model import Article

# Word shingle length. 3 words: calibrated on hand-made Arabic copies (tests/test_dedup.py)
# and on ANT 2018 — with 2, two independent reports of one press conference share many
# bigrams («وزير الخارجية», «في بيان») and reach containment .35–.45; with 3 they stay < .2
# while a copy with a new headline and a dropped last paragraph stays > .9.
SHINGLE = 3  # shingle_hashes() is written for 3

# Version of the saved state's layout (docs/STATE.md); 1 was a pickle of the whole object.
STATE_VERSION = 2


@dataclass(frozen=True)
class DedupConfig:
    """Tuned settings of deduplication, passed as an object (``Deduper(config=...)``, also to
    worker processes) and recorded beside the saved state. Defaults as calibrated below."""

    # Bodies shorter than this many words are too short for shingles to mean anything: they are
    # only matched exactly (title + body hash). 25 words ≈ two sentences.
    min_words: int = 25
    # LSH recall threshold on Jaccard: deliberately low, so a short copy inside a longer article
    # (Jaccard ≈ |short| / |long|) still becomes a candidate; the containment check decides.
    lsh_threshold: float = 0.3
    # Containment of the smaller shingle set in the larger needed to call two bodies copies
    # (0-1; higher is stricter: fewer, surer duplicates).
    # Calibrated by reading samples of ANT 2018 pairs (31.5k articles, 5 outlets): above .65 they
    # read as the same text (re-posts, one wire story lightly edited by two outlets); between .5
    # and .65 some are the same story told with shared wire sentences, and some are two CNN
    # reports built on one template (missile interceptions on different days), not copies.
    containment: float = 0.65
    # The first half (at least lead_words words) of the smaller of two copies must also be in
    # the larger: ANT's CNN pages end with the leads of other articles, and two unrelated CNN
    # stories sharing that tail reached containment .55–.63. Requiring half of the first half's
    # shingles rejects them, while copies that rewrote their opening sentence (example corpus:
    # .42 and .57 of their first 40 words shared) keep .68 and .80 of their first half.
    lead_words: int = 40
    lead_share: float = 0.5
    # And the larger one's first half must be, at least in part, in the smaller one: a new report
    # that carries an older article whole as background (ANT 2018's pages often end with the body
    # of an earlier or related article) contains the older one but opens with new text. Calibrated
    # on the 1,013 near-copy pairs ANT 2018 gave without it: the 158 whose larger first half shared
    # under .2 with the smaller read as different articles (a Huthi kidnapping vs an army advance,
    # an EU trade vehicle in September vs the May report it quotes), .2-.3 were mixed, and from
    # .4 up they read as one wire story rewritten; the example corpus's copies share .86-1.0.
    big_lead_share: float = 0.3
    # MinHash length: 128 gives a Jaccard estimate within ±.05 (one standard deviation ≈ .04)
    # at ~0.3 ms per article; 64 halves the cost and the memory for twice the variance.
    num_perm: int = 128

    def __post_init__(self) -> None:
        if not 0 < self.containment <= 1:
            raise MarsadError(f"dedup containment must be in (0, 1], got {self.containment}")
        if self.num_perm < 2 or self.min_words < 1:
            raise MarsadError("dedup num_perm must be at least 2 and min_words at least 1")


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


@lru_cache(maxsize=64)
def text_words(text: str) -> list[str]:
    """Words of ``text`` in ``normalize_for_search`` form (``marsad.analysed.search_words``:
    letters folded, diacritics and tatweel dropped, Latin lower-cased). Cached for the few
    latest texts. Do not mutate the list."""
    return search_words(text)


def body_words(article: Article) -> list[str]:
    """Normalized words of the article body (the text that copies share)."""
    return text_words(article.text or "")


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> MinHash:
    """An empty MinHash whose permutations (seed 1) every signature of this length uses."""
    return MinHash(num_perm=num_perm, seed=1, hashfunc=_identity)


@dataclass(frozen=True, eq=False)
class DedupFeatures:
    """What ``Deduper.add`` needs of one article, computed from the article alone (so in the
    worker that extracts it: ``article_features``). Picklable, about 2 KB for a typical
    article (its shingle hashes and MinHash signature)."""

    digest: str  # sha1 of the normalized content (the body; title + body when short)
    empty: bool  # nothing to compare (no words)
    short: bool  # fewer than min_words body words: matched exactly only
    shingles: np.ndarray  # sorted unique uint32 hashes of the body's 3-word shingles
    lead: np.ndarray  # the same of its first half (at least lead_words words)
    signature: np.ndarray | None  # MinHash hash values of ``shingles`` (None when short)
    key: tuple  # (min_words, lead_words, num_perm, MinHash scheme) they were computed with

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DedupFeatures):
            return NotImplemented
        return (self.digest, self.empty, self.short, self.key) == (other.digest, other.empty, other.short, other.key) \
            and np.array_equal(self.shingles, other.shingles) and np.array_equal(self.lead, other.lead) \
            and (self.signature is None) == (other.signature is None) \
            and (self.signature is None or np.array_equal(self.signature, other.signature))


def _feature_key(config: DedupConfig, perm: MinHash) -> tuple:
    return (config.min_words, config.lead_words, config.num_perm, perm.scheme)


def _features(article: Article, config: DedupConfig, perm: MinHash, doc: AnalysedDoc | None) -> DedupFeatures:
    if doc is not None and doc.matches(article):
        ws, title_ws = doc.words, (lambda: doc.title_words)
    else:
        ws, title_ws = body_words(article), (lambda: text_words(article.title or ""))
    short = len(ws) < config.min_words
    content = " ".join(title_ws() + ws) if short else " ".join(ws)
    digest = hashlib.sha1(content.encode("utf-8")).hexdigest()
    key = _feature_key(config, perm)
    none = np.zeros(0, dtype=np.uint32)
    if not content or short:
        return DedupFeatures(digest, not content, short, none, none, None, key)
    sh = shingle_hashes(ws)
    mh = MinHash(num_perm=config.num_perm, seed=1, hashfunc=_identity,
                 permutations=perm.permutations, scheme=perm.scheme)
    mh.update_batch(sh.tolist())
    lead = shingle_hashes(ws[:max(config.lead_words, len(ws) // 2) + SHINGLE - 1])
    return DedupFeatures(digest, False, False, sh, lead, mh.hashvalues, key)


def article_features(article: Article, config: DedupConfig | None = None,
                     doc: AnalysedDoc | None = None) -> DedupFeatures:
    """The per-article part of deduplication (normalized content hash, shingle hashes, MinHash
    signature), a pure function of the article and ``config`` (default ``DedupConfig()``);
    ``doc`` is its analysed document when already built. ``Deduper.add(article, features)``
    gives the same answer as ``Deduper.add(article)``."""
    config = config or DedupConfig()
    return _features(article, config, _permutations(config.num_perm), doc)


class Deduper:
    """Streaming exact + near-duplicate detector with the settings of ``config``
    (``DedupConfig``). ``threshold`` (the containment above which two articles are copies)
    and ``num_perm`` (the MinHash length), when given, override the config's.
    """

    def __init__(self, threshold: float | None = None, num_perm: int | None = None,
                 config: DedupConfig | None = None):
        config = config or DedupConfig()
        if threshold is not None and threshold != config.containment:
            if not 0 < threshold <= 1:
                raise MarsadError(f"Deduper threshold must be in (0, 1], got {threshold}")
            config = replace(config, containment=threshold)
        if num_perm is not None and num_perm != config.num_perm:
            config = replace(config, num_perm=num_perm)
        self.config = config
        self._lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
        self._shingles: dict[str, np.ndarray] = {}  # sorted unique shingle hashes per article
        self._sigs: dict[str, np.ndarray] = {}  # MinHash signature per article in the LSH index
        self._leads: dict[str, np.ndarray] = {}  # shingle hashes of the lead (config.lead_words)
        self._exact: dict[str, str] = {}  # content hash -> first article id with it
        self._entries: dict[str, _Entry] = {}
        self._groups: dict[str, list[str]] = {}  # group id -> member ids (arrival order)
        self._seq = 0
        self._perm = MinHash(num_perm=config.num_perm, seed=1, hashfunc=_identity)

    @property
    def threshold(self) -> float:
        return self.config.containment

    @property
    def num_perm(self) -> int:
        return self.config.num_perm

    # -- adding -------------------------------------------------------------------------
    def add(self, article: Article, features: DedupFeatures | None = None) -> DupResult:
        """Register one article and say whether it copies one already seen. ``features``:
        its ``article_features`` when computed already (in a worker); computed here when not
        given or computed with other settings."""
        if article.id in self._entries:  # idempotent: re-adding returns the same answer
            return self._result_for(article.id)
        if features is None or features.key != _feature_key(self.config, self._perm):
            features = _features(article, self.config, self._perm, None)
        order = (article.published or "~", self._seq)
        self._seq += 1

        if features.empty:  # nothing to compare: its own group
            return self._new_group(article, order, 0)

        first_exact = self._exact.get(features.digest)
        if first_exact is not None:
            group = self._entries[first_exact].group
            self._join(article, order, group, 0)
            return DupResult(self._earliest_before(group, article.id), group, True, 1.0)
        self._exact[features.digest] = article.id

        if features.short:
            return self._new_group(article, order, 0)

        sh, lead = features.shingles, features.lead
        mh = MinHash(num_perm=self.num_perm, seed=1, hashfunc=_identity, hashvalues=features.signature,
                     permutations=self._perm.permutations, scheme=self._perm.scheme)
        size = len(sh)

        best, best_c = None, 0.0
        for cand in self._lsh.query(mh):
            other = self._entries[cand]
            c = self._copy_score(sh, lead, self._shingles[cand], self._leads[cand])
            if c >= self.threshold and (c > best_c or (c == best_c and other.order < self._entries[best].order)):
                best, best_c = cand, c
        self._lsh.insert(article.id, mh)
        self._shingles[article.id] = sh
        self._sigs[article.id] = mh.hashvalues
        self._leads[article.id] = lead
        if best is None:
            return self._new_group(article, order, size)
        group = self._entries[best].group
        self._join(article, order, group, size)
        return DupResult(self._earliest_before(group, article.id), group, False, round(best_c, 3))

    def _copy_score(self, sh_a: np.ndarray, lead_a: np.ndarray, sh_b: np.ndarray, lead_b: np.ndarray) -> float:
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
            if lead_in < self.config.lead_share:
                return 0.0
        if len(big_lead):
            lead_in = len(np.intersect1d(big_lead, small, assume_unique=True)) / len(big_lead)
            if lead_in < self.config.big_lead_share:
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
    # The state is JSON (marsad.state; the layout is in docs/STATE.md): the entries, groups and
    # exact-copy hashes as plain values, and the near-copy index as four flat arrays (the
    # shingle and lead hashes of every article in the LSH index, concatenated, with their
    # lengths) and its MinHash signatures, from which the LSH index is filled again on load.
    @gc_paused
    def state(self) -> bytes:
        """Everything needed to resume, as the versioned JSON state with ``config`` beside it."""
        ids = list(self._shingles)

        def flat(arrays: list[np.ndarray], dtype) -> np.ndarray:
            return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)

        sigs = [self._sigs[i] for i in ids]
        body = {
            "seq": self._seq,
            "entries": [[e.id, e.order[0], e.order[1], e.group, e.size, e.outlet, e.credited]
                        for e in self._entries.values()],
            "groups": self._groups,
            "exact": self._exact,
            "minhash": {"seed": 1, "scheme": self._perm.scheme},
            "near": {
                "ids": ids,
                "shingles": pack_array(flat([self._shingles[i] for i in ids], np.uint32)),
                "shingle_counts": pack_array(np.array([len(self._shingles[i]) for i in ids], np.uint32)),
                "leads": pack_array(flat([self._leads[i] for i in ids], np.uint32)),
                "lead_counts": pack_array(np.array([len(self._leads[i]) for i in ids], np.uint32)),
                "signatures": pack_array(np.stack(sigs) if sigs else np.zeros((0, self.num_perm), np.uint32)),
            },
        }
        return dump_state("dedup", STATE_VERSION, self.config, body)

    @classmethod
    @gc_paused
    def from_state(cls, data: bytes, config: DedupConfig | None = None) -> "Deduper":
        """The deduper ``state()`` saved. With ``config``, a state built with another
        configuration is refused (MarsadError); without, the stored configuration is used."""
        config, body = load_stage_state(data, "dedup", STATE_VERSION, DedupConfig, config)
        try:
            obj = cls(config=config)
            obj._seq = int(body["seq"])
            for eid, published, arrival, group, size, outlet, credited in body["entries"]:
                obj._entries[eid] = _Entry(eid, (published, int(arrival)), group, int(size), outlet,
                                           list(credited))
            obj._groups = {g: list(m) for g, m in body["groups"].items()}
            obj._exact = dict(body["exact"])
            mh = body["minhash"]
            if mh["scheme"] != obj._perm.scheme or mh["seed"] != 1:
                obj._perm = MinHash(num_perm=obj.config.num_perm, seed=int(mh["seed"]), hashfunc=_identity,
                                    scheme=mh["scheme"])
            near = body["near"]
            ids = near["ids"]
            sh_at = np.cumsum(unpack_array(near["shingle_counts"]).astype(np.int64))[:-1]
            lead_at = np.cumsum(unpack_array(near["lead_counts"]).astype(np.int64))[:-1]
            shingles = np.split(unpack_array(near["shingles"]).astype(np.uint32, copy=False), sh_at) if ids else []
            leads = np.split(unpack_array(near["leads"]).astype(np.uint32, copy=False), lead_at) if ids else []
            sigs = unpack_array(near["signatures"])
            if not len(ids) == len(shingles) == len(leads) == len(sigs):
                raise ValueError("the near-copy arrays do not have one row per article")
            perm = obj._perm
            for i, eid in enumerate(ids):
                if eid not in obj._entries:
                    raise ValueError(f"{eid!r} is indexed but has no entry")
                obj._shingles[eid], obj._leads[eid] = shingles[i], leads[i]
                sig = obj._sigs[eid] = sigs[i].copy()
                obj._lsh.insert(eid, MinHash(num_perm=obj.config.num_perm, seed=perm.seed, hashfunc=_identity,
                                             hashvalues=sig, permutations=perm.permutations,
                                             scheme=perm.scheme))
            for g, members in obj._groups.items():
                for m in members:
                    if obj._entries[m].group != g:
                        raise ValueError(f"{m!r} is listed in group {g!r} but belongs to another")
        except MarsadError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise corrupt("deduplication", exc) from exc
        return obj


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A∩B| / min(|A|,|B|) from the Jaccard of A and B and their sizes."""
    if size_a == 0 or size_b == 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / min(size_a, size_b))
