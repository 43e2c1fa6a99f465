"""Neural named-entity tagger run in numpy: char CNN + word BiLSTM + CRF.

The weights (``models/ner_neural.npz``) are trained by ``scripts/train_ner_neural.py`` (in
PyTorch, which marsad itself never imports) on ANERcorp (Benajiba et al. 2007, CC BY-SA 4.0,
redistributed by CAMeL Lab); the word vectors come from the unlabeled ANT corpus v2.1. See
``models/README.md``.

Per token the network reads: a word vector for the normalized word and one for its
clitic-free base («وبيروت» → «بيروت») — for a word without an ANT vector, one predicted
from its characters (``mimick``) —, a character CNN over the word, and the tokens'
gazetteer hit, trigger-word types, ANT cluster and article-«ال» bucket that the CRF reads
too (``entities._token_info`` / ``entities._gazetteer_tags``). A BiLSTM over the
sentence feeds a linear-chain CRF whose Viterbi path is restricted to valid BIO sequences.
The file holds several such networks (different seeds); their scores are averaged.

``NeuralTagger.tag_sentences`` tags the sentences it is given in batches of up to ``BATCH``
sentences of similar length: the LSTMs (both directions of every network) share one
time-step loop per batch, over its longest sentence. Given the sentences of many articles
at once (``entities.find_mentions_many``, ``marsad.facts.extract_facts_many``), each batch
holds sentences of many articles; a sentence's tags never depend on the others in its batch.
Work and memory are bounded whatever the input: a sentence longer than ``MAX_SEQ`` tokens is
read in overlapping windows (``windows``), and a batch holds at most ``BATCH_TOKENS`` token
slots. The costs, on ANT articles: the step loop's matrix products (four 100-unit LSTMs, two
networks x two directions) are most of it, then projecting words the store does not hold
(below), then the gazetteer scan and Viterbi (``benchmarks/bench_ner.py``).

What a token feeds the LSTMs never depends on its sentence except for its gazetteer tag, so
its input projection through every LSTM is computed once per process and kept
(``PROJ_CACHE`` rows); a batch gathers those rows, adds the gazetteer tags' part, and runs
the step loop on the sequences still running only. ``Encoder.batch`` and ``emissions``
build the full inputs (training and tests read them); they give the same scores.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from marsad.budget import check as check_budget
from marsad.errors import ModelMissing
from marsad.text.normalize import GAP, normalize

TAGS = ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
GAZ = ("",) + TAGS[1:]
_GAZ_ID = {g: i for i, g in enumerate(GAZ)}
TRIG = ("PERS", "LOC", "ORG", "MISC")
SHAPES = ("empty", "digit", "alnum", "latin", "sym", "punct", "arabic")
AL = ("oov", "0w", "1w", "2w", "3w", "0b", "1b", "2b", "3b")
N_CLUSTERS = 256
MAX_CHARS = 16  # longer words keep their first 8 and last 8 characters
PAD, UNK = 0, 1
# Sentences per batch: a news article is one batch (one LSTM time-step loop); longer inputs
# (a whole CoNLL file) are cut into batches of similar-length sentences to bound memory.
BATCH = 64
# Token slots of one batch (sequences x the longest): what bounds its memory. A news
# article's longest batch has 64 sentences of up to ~120 tokens and stays whole; windows of
# long sentences (MAX_SEQ) go 32 a batch. Measured: a one-sentence list of 70,000 tokens
# peaks 190 MB above the loaded model (a 21,000-token one read whole: 450 MB; 16,384
# slots: 360 MB).
BATCH_TOKENS = 8192
# Most tokens one sequence holds. A longer "sentence" (a list of thousands of names with no
# full stop) is read in overlapping windows of this many tokens, each keeping the tags of its
# middle and leaving WINDOW_MARGIN tokens of context on either side to its neighbours, so the
# memory of one batch is bounded (BATCH_TOKENS) whatever the input. Read whole, a
# 170 kB article that was one 10,000-item list peaked at 3.1 GB. 256 is above the longest
# sentence of ANERcorp (train 217, test 146 tokens), so the benchmark reads exactly as before.
MAX_SEQ = 256
# Context each window leaves on either side of the tags it keeps. Calibrated on the 550
# ANERcorp train sentences of 50+ tokens, read in windows instead of whole: windows of 48,
# margin 8 kept 99.56% of the entities the same; margin 16, 99.68%; windows of 96, margin
# 32, 99.96% (tags: 99.97 / 99.98 / 100.00%). 32 on 256-token windows is wider still.
WINDOW_MARGIN = 32
# Distinct tokens whose input projections (M*4H = 1,600 floats, 6.4 kB each) one process
# keeps (128 MB at 20,000); past it the less used half is dropped. Measured on the first
# 8,000 ANT articles (2.4M tokens, 139,000 distinct): the 30,000 most frequent tokens are
# 92% of all, 15,000 86%; a token not kept costs ~50 us to project again. At 30,000 a
# worker of bench_pipeline (2,000 articles, 2 workers) peaked at 706 MB against 530 MB
# before the store, and the run (main process 584 MB) near 2 GB in all. find_mentions on
# 1,000 ANT articles read in turn, one core: 11.2 ms an article at 20,000, 11.1 at 30,000.
PROJ_CACHE = 20_000

_MODEL_FILE = Path(__file__).resolve().parent / "models" / "ner_neural.npz"


def allowed_transitions() -> np.ndarray:
    """[from, to] True where a BIO transition is valid (I-X only after B-X or I-X)."""
    K = len(TAGS)
    ok = np.ones((K, K), dtype=bool)
    for j, t in enumerate(TAGS):
        if t.startswith("I-"):
            for i, s in enumerate(TAGS):
                ok[i, j] = s[2:] == t[2:] and s != "O"
    return ok


def allowed_starts() -> np.ndarray:
    return np.array([not t.startswith("I-") for t in TAGS])


def word_key(w: str) -> str:
    """The vocabulary form of a normalized word (numbers fold to «0», as in the ANT vectors)."""
    return "0" if w[:1].isdigit() else w


def _char_ids(tok: str, chars: dict[str, int]) -> list[int]:
    s = normalize(tok).replace(GAP, "").lower() or tok
    if len(s) > MAX_CHARS:
        s = s[: MAX_CHARS // 2] + s[-MAX_CHARS // 2:]
    return [chars.get(c, UNK) for c in s]


_SHAPE_ID = {x: i for i, x in enumerate(SHAPES)}
_AL_ID = {x: i for i, x in enumerate(AL)}


@lru_cache(maxsize=64)
def _trigger_inputs(trig: str) -> tuple[float, ...]:
    """The trigger-type inputs of a token whose trigger feature is ``trig`` («PERS|LOC»)."""
    return tuple(1.0 if t in trig.split("|") else 0.0 for t in TRIG)


MIMICK_WIDTHS = (2, 3, 4)
MIMICK_MAX = 24  # characters of a word the vector predictor reads
BOW, EOW = "\x02", "\x03"  # word-boundary marks in the character vocabulary


def mimick_ids(words: Sequence[str], chars: dict[str, int]) -> np.ndarray:
    """Character ids of words wrapped in boundary marks, padded (N x L, L >= widest filter)."""
    seqs = [[chars.get(c, UNK) for c in BOW + w[:MIMICK_MAX] + EOW] for w in words]
    L = max([len(q) for q in seqs] + [max(MIMICK_WIDTHS)])
    out = np.zeros((len(seqs), L), np.int64)
    for i, q in enumerate(seqs):
        out[i, : len(q)] = q
    return out


def _conv_max(e: np.ndarray, lengths: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int) -> np.ndarray:
    """Conv1d (PyTorch weight layout F x C x width) over N x L x C, max over the positions
    whose window starts inside the sequence, then ReLU."""
    F, C, k = w.shape
    if pad:
        padded = np.zeros((e.shape[0], e.shape[1] + 2 * pad, e.shape[2]), e.dtype)
        padded[:, pad:pad + e.shape[1]] = e
        e = padded
    P = e.shape[1] - k + 1
    win = np.concatenate([e[:, j:j + P] for j in range(k)], axis=-1)  # N, P, k*C
    conv = win @ w.transpose(2, 1, 0).reshape(k * C, F) + b
    n_pos = np.clip(lengths + 2 * pad - k + 1, 1, P)
    valid = np.arange(P)[None, :] < n_pos[:, None]
    return np.maximum(np.where(valid[..., None], conv, -np.inf).max(axis=1), 0.0)


def _by_length(lengths: np.ndarray, least: int, fn) -> np.ndarray:
    """``fn(rows, width)`` on the rows of each length (at least ``least``) in turn, results
    put back in row order: padded ids (N x L) are read only up to each row's own length, not
    all to the longest. The padding rows of the character embeddings are zero, so a window
    reads the same values either way. On words of ANT articles not seen before this took the
    character CNN and the vector predictor from 6 to ~3 and from 27 to ~10 us a word."""
    width = np.maximum(lengths, least)
    out = None
    for L in np.unique(width).tolist():
        rows = np.flatnonzero(width == L)
        got = fn(rows, L)
        if out is None:
            out = np.empty((len(lengths),) + got.shape[1:], got.dtype)
        out[rows] = got
    return out


def mimick(p: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Word vectors predicted from characters (for words without an ANT vector): a
    multi-width character CNN trained to reproduce the ANT vectors of known words."""
    lengths = (ids > 0).sum(1)

    def run(rows: np.ndarray, L: int) -> np.ndarray:
        e = p["mm_char_emb"][ids[rows, :L]]
        n = lengths[rows]
        return np.concatenate([_conv_max(e, n, p[f"mm_conv{k}_w"], p[f"mm_conv{k}_b"], 0)
                               for k in MIMICK_WIDTHS], axis=-1)

    h = _by_length(lengths, max(MIMICK_WIDTHS), run)
    return (h @ p["mm_out_w"].T + p["mm_out_b"]).astype(np.float32)


class Encoder:
    """Token → network inputs, shared by training and run time.

    ``emb`` holds the ANT word vectors (row 0 padding, row 1 unknown, then ``words``);
    with ``mm`` (the mimick weights) a word without a vector gets one predicted from its
    characters instead of the unknown row."""

    def __init__(self, words: Sequence[str], chars: Sequence[str], emb: np.ndarray,
                 mm: dict[str, np.ndarray] | None = None):
        # ids 0 and 1 are padding and unknown in both vocabularies
        self.words = {w: i + 2 for i, w in enumerate(words)}
        self.chars = {c: i + 2 for i, c in enumerate(chars)}
        self.emb = emb
        self.mm = mm
        self._cache: dict[str, tuple] = {}
        self._predicted: dict[str, np.ndarray] = {}

    def clear(self) -> None:
        """Forget the per-token inputs built so far (they are cached across documents)."""
        self._cache.clear()
        self._predicted.clear()

    def _vector(self, w: str) -> np.ndarray:
        wid = self.words.get(word_key(w))
        if wid is not None:
            return self.emb[wid]
        if self.mm is None or not w:
            return self.emb[UNK]
        v = self._predicted.get(w)
        if v is None:
            v = mimick(self.mm, mimick_ids([word_key(w)], self.chars))[0]
        return v

    def _predict(self, tokens: Sequence[str]) -> None:
        """Predict the vectors of a batch's words without an ANT vector in one go."""
        if self.mm is None:
            return
        from marsad.facts import entities as ner

        need = set()
        for tok in tokens:
            if tok in self._cache:
                continue
            w, f = ner._token_info(tok)
            for x in {w, f["b"]}:  # («ال» + base is only read when it has an ANT vector)
                if x and word_key(x) not in self.words and x not in self._predicted:
                    need.add(x)
        if need:
            need_l = sorted(need)
            vecs = mimick(self.mm, mimick_ids([word_key(x) for x in need_l], self.chars))
            if len(self._predicted) > 200_000:
                self._predicted.clear()
            self._predicted.update(zip(need_l, vecs))

    def token(self, tok: str, keep: bool = True) -> tuple:
        """The inputs of one token (vectors, character ids, shape, «ال», cluster, triggers,
        normalized word); ``keep``: cache them (up to 200,000 tokens)."""
        got = self._cache.get(tok)
        if got is not None:
            return got
        from marsad.facts import entities as ner

        w, f = ner._token_info(tok)
        b = f["b"]
        wv = self._vector(w)
        if b == w:
            bv = wv
        elif word_key(b) in self.words or ("ال" + b) not in self.words:
            bv = self._vector(b)
        else:
            bv = self._vector("ال" + b)
        tr = _trigger_inputs(f.get("tr", ""))
        c = f.get("c256")
        cid = int(c) + 1 if c is not None and c.isdigit() else 0
        got = (np.concatenate([wv, bv]), _char_ids(tok, self.chars), _SHAPE_ID.get(f["sh"], 0),
               _AL_ID.get(f.get("al", "oov"), 0), cid, tr, w)
        if keep and len(self._cache) < 200_000:
            self._cache[tok] = got
        return got

    def batch(self, sents: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
        """Padded arrays for a batch of sentences (B sentences, T = longest)."""
        from marsad.facts import entities as ner

        B = len(sents)
        T = max((len(s) for s in sents), default=0) or 1
        D = 2 * self.emb.shape[1]
        out = {
            "vec": np.zeros((B, T, D), np.float32),
            "char": np.zeros((B, T, MAX_CHARS), np.int64), "shape": np.zeros((B, T), np.int64),
            "al": np.zeros((B, T), np.int64), "clu": np.zeros((B, T), np.int64),
            "gaz": np.zeros((B, T), np.int64), "trig": np.zeros((B, T, len(TRIG)), np.float32),
            "mask": np.zeros((B, T), bool),
        }
        self._predict([t for s in sents for t in s])
        for b, s in enumerate(sents):
            toks = [self.token(t) for t in s]
            gz = ner._gazetteer_tags([t[6] for t in toks])
            for i, (vec, ch, sh, al, cid, tr, _) in enumerate(toks):
                out["vec"][b, i] = vec
                out["char"][b, i, : len(ch)] = ch
                out["shape"][b, i] = sh
                out["al"][b, i] = al
                out["clu"][b, i] = cid
                out["gaz"][b, i] = GAZ.index(gz[i]) if gz[i] in GAZ else 0
                out["trig"][b, i] = tr
            out["mask"][b, : len(s)] = True
        return out


def _lstms(xs: list[np.ndarray], lengths: np.ndarray,
           weights: list[tuple[np.ndarray, np.ndarray, np.ndarray, bool]]) -> list[np.ndarray]:
    """Several LSTMs (e.g. both directions of every network) over one padded batch, run in a
    single time-step loop. ``weights``: (input weights, hidden weights, bias, reverse) in
    PyTorch's layout and gate order (i, f, g, o); ``xs`` the input (B x T x D) of each.
    Returns each LSTM's outputs at the real tokens (N x H, in ``x[mask]`` order)."""
    B, T, _ = xs[0].shape
    H = weights[0][1].shape[1]
    M = len(weights)
    perm, half = _gate_order(H)
    mask = np.arange(T)[None, :] < lengths[:, None]
    # input projections of the real tokens (one matrix product per distinct input)
    proj = np.zeros((int(mask.sum()), M, 4 * H), np.float32)
    seen: set[int] = set()
    for x in xs:
        if id(x) in seen:
            continue
        seen.add(id(x))
        ks = [j for j, y in enumerate(xs) if y is x]
        w = np.concatenate([weights[j][0][perm] * half[:, None] for j in ks], axis=0)
        b = np.concatenate([weights[j][2][perm] * half for j in ks])
        pr = x[mask] @ w.T + b
        for n, j in enumerate(ks):
            proj[:, j] = pr[:, n * 4 * H:(n + 1) * 4 * H]
    whT = np.stack([(wh[perm] * (half[:, None] / 2)).T for _, wh, _, _ in weights])  # M, H, 4H
    lengths = np.asarray(lengths, np.int64)
    out, steps, back, rows = _lstm_steps(proj.reshape(-1, 4 * H), np.arange(len(proj)), lengths,
                                         whT, [w[3] for w in weights])
    out *= 0.5  # (the loop carries twice the hidden state; halving is exact)
    return [out[back if rev else steps, k, rows] for k, (_, _, _, rev) in enumerate(weights)]


def _gate_order(H: int) -> tuple[np.ndarray, np.ndarray]:
    """Gate rows reordered to (i, f, o, g) (one sigmoid over the first three, one tanh), and
    the factor each row is scaled by: sigmoid(x) = (tanh(x / 2) + 1) / 2 (numpy's tanh is
    ~10x faster than scipy's expit), so the sigmoid gates' weights are halved up front and
    one tanh serves all four gates."""
    perm = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
    half = np.where(np.arange(4 * H) < 3 * H, 0.5, 1.0).astype(np.float32)
    return perm, half


def _lstm_steps(table: np.ndarray, tok_rows: np.ndarray, lengths: np.ndarray, whT2: np.ndarray,
                reverse: Sequence[bool], fix: tuple[np.ndarray, np.ndarray] | None = None):
    """The time-step loop of M LSTMs over one padded batch.

    ``table``: input projections (gate order and scaling of ``_gate_order``), M rows a token
    (row ``r * M + k`` is LSTM k's for token row r); ``tok_rows``: the token row of each real
    token (N, in ``x[mask]`` order); ``fix``: (indices into those N tokens, M x 4H additions
    each), added to the gathered inputs (the gazetteer tags, which depend on the sentence).
    ``whT2``: hidden weights (M x H x 4H), same order, times 0.5: the loop carries twice the
    hidden state, 2h = (tanh(x/2) + 1) * tanh(c), so no gate needs its sigmoid finished
    (every factor of two is exact in floating point: the outputs are bit for bit those of
    the plain form). Returns the outputs, 2h (T x M x B x H), and the step, backward step and
    row of each real token."""
    B = len(lengths)
    T = int(lengths.max()) if B else 1
    M, H = whT2.shape[0], whT2.shape[1]
    mask = np.arange(T)[None, :] < lengths[:, None]
    rows, steps = np.nonzero(mask)  # the real tokens, in x[mask] order
    back = lengths[rows] - 1 - steps  # their step when a sequence is read backwards
    # the sequences are run longest first, so that at step t the ones still running (both
    # directions start at step 0) are the first ``live[t]``: the loop computes no padding.
    # On ANT articles (one article a batch, its sentences 3 to 150 tokens) this halved the
    # loop's time.
    order = np.argsort(-lengths, kind="stable")
    at = np.empty(B, np.int64)
    at[order] = np.arange(B)
    rows = at[rows]
    live = (lengths[None, :] > np.arange(T)[:, None]).sum(1)
    # laid out time-major (T, M, B, 4H) so that each step reads one contiguous block, in one
    # gather from ``table`` (padding slots read row 0 and are never used)
    slot = np.zeros((T, M, B), np.int64)
    for k, rev in enumerate(reverse):
        slot[back if rev else steps, k, rows] = tok_rows * M + k
    xp = np.take(table, slot, axis=0)
    if fix is not None and len(fix[0]):
        i, add = fix
        for k, rev in enumerate(reverse):
            xp[(back if rev else steps)[i], k, rows[i]] += add[:, k]
    out = np.zeros((T, M, B, H), np.float32)
    c = np.zeros((M, B, H), np.float32)
    g = np.empty((M, B, 4 * H), np.float32)
    tmp = np.empty_like(c)
    # the step loop runs in place on preallocated arrays: at a few dozen rows per step the
    # cost is the number of numpy calls as much as the arithmetic
    for t in range(T):
        n = live[t]
        gv, cv, tv, hv = g[:, :n], c[:, :n], tmp[:, :n], out[t, :, :n]
        if t:
            np.matmul(out[t - 1, :, :n], whT2, out=gv)
            gv += xp[t, :, :n]
        else:
            gv[...] = xp[0, :, :n]
        np.tanh(gv, out=gv)
        gv[..., :3 * H] += 1.0  # 2 * sigmoid of the input, output and forget gates
        cv *= gv[..., H:2 * H]
        np.multiply(gv[..., :H], gv[..., 3 * H:], out=tv)
        cv += tv
        cv *= 0.5
        np.tanh(cv, out=hv)
        hv *= gv[..., 2 * H:3 * H]
    return out, steps, back, rows


def best_bio_path(scores: np.ndarray) -> list[int]:
    """The highest-scoring valid BIO path through per-token tag scores (T x K, e.g. log
    probabilities averaged over two taggers)."""
    ok = allowed_transitions()
    T, K = scores.shape
    pen = np.where(ok, 0.0, -1e4)
    cur = np.where(allowed_starts(), 0.0, -1e4) + scores[0]
    back = np.zeros((T, K), np.int64)
    for t in range(1, T):
        cand = cur[:, None] + pen
        back[t] = cand.argmax(0)
        cur = cand.max(0) + scores[t]
    k = int(cur.argmax())
    path = [k]
    for t in range(T - 1, 0, -1):
        k = int(back[t, k])
        path.append(k)
    return path[::-1]


def _lse(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis, keepdims=True))).squeeze(axis)


def viterbi(em: np.ndarray, mask: np.ndarray, trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> list[list[int]]:
    """Best tag paths of a padded batch (B x T x K scores, transitions restricted to BIO).
    The whole batch is decoded in one pass over the steps, forward and back: the sequences
    are visited longest first, so at step t the ones still running are the first ``live[t]``
    (a finished one keeps its score, and its back pointers past its end point each tag to
    itself, so its path starts at its own last token)."""
    trans = np.where(allowed_transitions(), trans, -1e4)
    start = np.where(allowed_starts(), start, -1e4)
    B, T, K = em.shape
    lengths = mask.sum(1)
    order = np.argsort(-lengths, kind="stable")
    em = em[order]
    live = (lengths[None, :] > np.arange(T)[:, None]).sum(1)
    score = start[None, :] + em[:, 0]
    back = np.empty((T, B, K), np.int8 if K < 128 else np.int64)
    back[:] = np.arange(K)
    for t in range(1, T):
        n = live[t]
        cand = score[:n, :, None] + trans  # n, from, to
        back[t, :n] = cand.argmax(1)
        np.max(cand, 1, out=score[:n])  # (the score at that argmax)
        score[:n] += em[:n, t]
    score += end[None, :]
    k = score.argmax(1)
    path = np.empty((T, B), np.int64)
    idx = np.arange(B)
    for t in range(T - 1, 0, -1):
        path[t] = k
        k = back[t, idx, k]
    path[0] = k
    cols = path.T.tolist()
    out: list[list[int]] = [[] for _ in range(B)]
    for r, b in enumerate(order.tolist()):
        out[b] = cols[r][:int(lengths[b])]
    return out


def marginals(em: np.ndarray, mask: np.ndarray, trans: np.ndarray, start: np.ndarray,
              end: np.ndarray) -> np.ndarray:
    """Per-token tag probabilities (forward-backward over the BIO-restricted CRF)."""
    trans = np.where(allowed_transitions(), trans, -1e4)
    start = np.where(allowed_starts(), start, -1e4)
    B, T, K = em.shape
    alpha = np.empty((B, T, K), np.float64)
    alpha[:, 0] = start + em[:, 0]
    for t in range(1, T):
        nxt = _lse(alpha[:, t - 1, :, None] + trans[None], 1) + em[:, t]
        alpha[:, t] = np.where(mask[:, t, None], nxt, alpha[:, t - 1])
    beta = np.empty((B, T, K), np.float64)
    lengths = mask.sum(1)
    beta[:, T - 1] = end
    for t in range(T - 2, -1, -1):
        nxt = _lse(trans[None] + (em[:, t + 1] + beta[:, t + 1])[:, None, :], 2)
        # the last real token of a sentence ends it; later steps are padding
        last = (lengths - 1 == t)[:, None]
        beta[:, t] = np.where(last, end[None], np.where(mask[:, t + 1, None], nxt, beta[:, t + 1]))
    logz = alpha + beta
    logz -= _lse(logz, 2)[..., None]
    return np.exp(logz)


class NeuralTagger:
    """One network, or several trained from different seeds (arrays prefixed ``k0_``,
    ``k1_`` ... in the weights file) that share the word vectors and the vector predictor;
    several are combined by averaging their scores (``_potentials``)."""

    def __init__(self, path: Path | str = _MODEL_FILE):
        p = Path(path)
        if not p.is_file():
            raise ModelMissing(f"{p.name} is missing; run scripts/train_ner_neural.py")
        z = np.load(p)
        words = bytes(z["words"]).decode("utf-8").split("\n")
        chars = bytes(z["chars"]).decode("utf-8").split("\n")
        f32 = {k: z[k].astype(np.float32) for k in z.files
               if k not in ("words", "chars", "emb_q", "emb_scale", "chunk")}
        # word vectors are stored as int8 with one scale per row
        emb = z["emb_q"].astype(np.float32) * z["emb_scale"].astype(np.float32)[:, None]
        emb = np.vstack([np.zeros((2, emb.shape[1]), np.float32), emb])
        mm = {k: v for k, v in f32.items() if k.startswith("mm_")} or None
        self.enc = Encoder(words, chars, emb, mm)
        # tokens per sequence when sentences are read together (0: one sentence a sequence)
        self.chunk = int(z["chunk"]) if "chunk" in z.files else 0
        self.models: list[dict[str, np.ndarray]] = []
        for i in range(len(f32)):
            pre = f"k{i}_"
            m = {k[len(pre):]: v for k, v in f32.items() if k.startswith(pre)}
            if not m:
                break
            self.models.append(m)
        if not self.models:
            self.models = [{k: v for k, v in f32.items() if not k.startswith("mm_")}]
        self.p = self.models[0]
        self._prepare()

    def _prepare(self) -> None:
        """What the tagging path precomputes from the weights: every LSTM's input weights in
        gate order (``_gate_order``) over all networks (both directions of each), the
        projection of each gazetteer tag (the one input that depends on the neighbours), the
        hidden weights, and the output layer with the networks' average folded in."""
        H = self.models[0]["lstm_wh_f"].shape[1]
        perm, half = _gate_order(H)
        n = len(self.models)
        D = self.enc.emb.shape[1] * 2
        C = self.models[0]["char_conv_b"].shape[0]
        G = self.models[0]["gaz_emb"].shape[1]
        gaz_cols = slice(D + C, D + C + G)  # features(): vec, char CNN, gazetteer, ...
        self._wi, self._bi, self._gaz, whT, rev = [], [], [], [], []
        for p in self.models:
            w = np.concatenate([p["lstm_wi_f"][perm] * half[:, None],
                                p["lstm_wi_b"][perm] * half[:, None]])  # 8H x D_in
            self._bi.append(np.concatenate([p["lstm_b_f"][perm] * half,
                                            p["lstm_b_b"][perm] * half]))
            self._gaz.append(p["gaz_emb"] @ w[:, gaz_cols].T)  # 9 x 8H
            w = w.copy()
            w[:, gaz_cols] = 0.0  # the token's own projection leaves the gazetteer out
            self._wi.append(np.ascontiguousarray(w.T))
            for d in ("f", "b"):
                whT.append((p[f"lstm_wh_{d}"][perm] * half[:, None]).T)
                rev.append(d == "b")
        # halved: the step loop carries twice the hidden state (``_lstm_steps``)
        self._whT2 = np.ascontiguousarray(np.stack(whT) * 0.5).astype(np.float32)
        self._rev = rev
        gaz_all = np.concatenate(self._gaz, axis=1).astype(np.float32)  # 9 x M*4H
        # most tokens have no gazetteer tag: that tag's projection goes into each token's
        # stored row, and a tagged token adds the difference (one gather a batch, not two)
        self._gaz_none = gaz_all[GAZ.index("")]
        self._gaz_delta = gaz_all - self._gaz_none
        self._out_w = np.concatenate([p["out_w"].T for p in self.models]).astype(np.float32) / n
        self._out_w2 = self._out_w * 0.5  # (read on the loop's doubled outputs)
        self._out_b = (sum(p["out_b"] for p in self.models) / n).astype(np.float32)
        self._crf = (sum(p["trans"] for p in self.models) / n, sum(p["start"] for p in self.models) / n,
                     sum(p["end"] for p in self.models) / n)
        self._rows: dict[str, int] = {}
        self.projected = 0  # tokens whose input projection was computed (kept or not since)
        # token -> (normalized word, longest gazetteer phrase that may start at it)
        self._gz_starts: dict[str, tuple[str, int]] = {}
        # gazetteer tags of a window of words (the same names recur: half of the windows of
        # 1,000 ANT Feb-Mar articles had been seen before in them)
        self._gz_windows: dict[tuple[str, ...], list[str]] = {}
        self._store = np.zeros((0, gaz_all.shape[1]), np.float32)
        self._hits = np.zeros(0, np.int64)

    def _token_rows(self, toks: list[str]) -> np.ndarray:
        """Row of each token in the projection store (``_store``), computing the rows of the
        tokens not seen before in one batch. A token's projection (word vectors, character
        CNN, trigger, «ال», shape and cluster inputs through every LSTM's input weights) never
        depends on its sentence, so it is computed once per process; at PROJ_CACHE rows the
        less used half is dropped (``_evict``)."""
        new = [t for t in dict.fromkeys(toks) if t not in self._rows]
        if new:
            if len(self._rows) + len(new) > PROJ_CACHE:
                self._evict(len(dict.fromkeys(toks)))
                new = [t for t in dict.fromkeys(toks) if t not in self._rows]
            rows = self._rows
            proj = self._project(new)
            self.projected += len(new)
            base = len(rows)
            if base + len(new) > self._store.shape[0]:
                size = min(max(2 * self._store.shape[0], base + len(new), 4096),
                           max(PROJ_CACHE, base + len(new)))
                grown = np.zeros((size, proj.shape[1]), np.float32)
                grown[:base] = self._store[:base]
                self._store = grown
                hits = np.zeros(size, np.int64)
                hits[:base] = self._hits[:base]
                self._hits = hits
            self._store[base:base + len(new)] = proj
            self._hits[base:base + len(new)] = 0
            rows.update(zip(new, range(base, base + len(new))))
        idx = np.array(list(map(self._rows.__getitem__, toks)), np.int64)
        used = np.bincount(idx)
        self._hits[:len(used)] += used
        return idx

    def _gazetteer_words(self, seq: Sequence[str]) -> list[tuple[str, int]]:
        """Per token of ``seq``: its normalized word, and the length of the longest gazetteer
        phrase that may start at it (0: none) — over the phrases whose first word is one of
        its lookup forms (``entities._forms``: the word, its clitic-free base, «ال» + base;
        all three are tried, a bound at least as long). Per token, cached."""
        starts = self._gz_starts
        got = [starts.get(t) for t in seq]
        if None in got:
            from marsad.facts import entities as ner

            gaz = ner.gazetteer()
            if len(starts) > 200_000:
                starts.clear()
            for i, t in enumerate(seq):
                if got[i] is None:
                    w, f = ner._token_info(t)
                    longest = max((len(ph) for x in {w, f["b"], "ال" + f["b"]}
                                   for ph in gaz.get(x, ())), default=0)
                    got[i] = starts[t] = (w, longest)
        return got

    def _gazetteer_ids(self, seq: Sequence[str]) -> list[int] | None:
        """The gazetteer tags of ``seq`` (ids into GAZ; None: all untagged), as
        ``entities._gazetteer_tags`` gives them for the whole sequence, computed only where
        a name may start. That scan is greedy from the left: at each word it takes the longest
        phrase starting there and moves past it, else moves one word on. A word where no
        phrase may start never matches, and the match at a word reads only as many words as
        its longest phrase, so the scan is run on that window alone. Most words of a news
        sentence start no gazetteer name; this took the gazetteer's share of tagging from
        ~17% to ~5% (cProfile, 300 ANT Feb-Mar articles)."""
        from marsad.facts import entities as ner

        info = self._gazetteer_words(seq)
        ids = None
        n, i = len(seq), 0
        while i < n:
            longest = info[i][1]
            if not longest:
                i += 1
                continue
            key = tuple([w for w, _ in info[i:i + longest]])
            got = self._gz_windows.get(key)
            if got is None:
                if len(self._gz_windows) > 50_000:
                    self._gz_windows.clear()
                got = self._gz_windows[key] = ner._gazetteer_tags(key)
            if not got[0]:
                i += 1
                continue
            k = 1
            while k < len(got) and got[k] == "I" + got[0][1:]:
                k += 1
            if ids is None:
                ids = [0] * n
            ids[i:i + k] = [_GAZ_ID.get(g, 0) for g in got[:k]]
            i += k
        return ids

    def _evict(self, room: int) -> None:
        """Keep the most used half of the projection store (and room for ``room`` more)."""
        keep_n = max(0, min(PROJ_CACHE // 2, PROJ_CACHE - room))
        toks = list(self._rows)
        used = self._hits[:len(toks)]
        keep = np.sort(np.argsort(-used, kind="stable")[:keep_n])
        self._store[:len(keep)] = self._store[keep]
        self._hits[:len(keep)] = used[keep] // 2  # old counts fade
        self._rows = {toks[i]: j for j, i in enumerate(keep.tolist())}

    def _project(self, toks: list[str]) -> np.ndarray:
        """Input projections (N x M*4H) of tokens, with the gazetteer input of an untagged token."""
        enc = self.enc
        enc._predict(toks)
        # (not cached: what is kept is the projection; ~1 kB a token less per process)
        got = [enc.token(t, keep=False) for t in toks]
        N = len(got)
        vec = np.stack([g[0] for g in got]).astype(np.float32)
        char = np.zeros((N, MAX_CHARS), np.int64)
        for i, g in enumerate(got):
            char[i, : len(g[1])] = g[1]
        shape = np.array([g[2] for g in got], np.int64)
        al = np.array([g[3] for g in got], np.int64)
        clu = np.array([g[4] for g in got], np.int64)
        trig = np.array([g[5] for g in got], np.float32).reshape(N, len(TRIG))
        lengths = (char > 0).sum(-1)
        outs = []
        for p, w, b in zip(self.models, self._wi, self._bi):
            conv = _by_length(lengths, 1, lambda rows, L: _conv_max(
                p["char_emb"][char[rows, :L]], lengths[rows], p["char_conv_w"], p["char_conv_b"], 1))
            x = np.concatenate([vec, conv.astype(np.float32),
                                np.zeros((N, p["gaz_emb"].shape[1]), np.float32), trig,
                                p["al_emb"][al], p["shape_emb"][shape], p["clu_emb"][clu]],
                               axis=-1).astype(np.float32)
            outs.append(x @ w + b)
        return np.concatenate(outs, axis=1).astype(np.float32) + self._gaz_none

    def _fast_emissions(self, seqs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Emission scores (B x T x K, averaged over the networks) and mask of a batch of
        token sequences, from the cached token projections."""
        lengths = np.array([len(q) for q in seqs], np.int64)
        flat = [t for q in seqs for t in q]
        rows = self._token_rows(flat)
        gid = np.zeros(len(flat), np.int64)
        at = 0
        for q in seqs:
            ids = self._gazetteer_ids(q)
            if ids is not None:
                gid[at:at + len(q)] = ids
            at += len(q)
        tagged = np.flatnonzero(gid)
        M = self._whT2.shape[0]
        fix = (tagged, self._gaz_delta[gid[tagged]].reshape(len(tagged), M, self._whT2.shape[2]))
        table = self._store.reshape(self._store.shape[0] * M, -1)
        out, steps, back, brow = _lstm_steps(table, rows, lengths, self._whT2, self._rev, fix)
        hs = np.concatenate([out[back if rev else steps, k, brow] for k, rev in enumerate(self._rev)],
                            axis=1)
        T = int(lengths.max())
        mask = np.arange(T)[None, :] < lengths[:, None]
        em = np.zeros(mask.shape + (len(self._out_b),), np.float32)
        em[mask] = hs @ self._out_w2 + self._out_b
        return em, mask

    @staticmethod
    def features(x: dict[str, np.ndarray], p: dict[str, np.ndarray]) -> np.ndarray:
        B, T = x["mask"].shape
        # the character CNN runs over the real tokens only (not the padding)
        mask = x["mask"]
        cid = x["char"][mask]  # N, L
        conv = _conv_max(p["char_emb"][cid], (cid > 0).sum(-1), p["char_conv_w"], p["char_conv_b"], 1)
        char_feat = np.zeros((B, T, conv.shape[1]), np.float32)
        char_feat[mask] = conv
        parts = [x["vec"], char_feat, p["gaz_emb"][x["gaz"]], x["trig"], p["al_emb"][x["al"]],
                 p["shape_emb"][x["shape"]], p["clu_emb"][x["clu"]]]
        return np.concatenate([a.astype(np.float32) for a in parts], axis=-1)

    def emissions(self, x: dict[str, np.ndarray], p: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return self._all_emissions(x, [p or self.p])[0]

    def _all_emissions(self, x: dict[str, np.ndarray], models: list[dict[str, np.ndarray]]) -> list[np.ndarray]:
        """Emission scores (B x T x K) of each network; all LSTMs share one time-step loop."""
        lengths = x["mask"].sum(1)
        hs, weights = [], []
        for p in models:
            h = self.features(x, p)
            hs += [h, h]
            weights += [(p["lstm_wi_f"], p["lstm_wh_f"], p["lstm_b_f"], False),
                        (p["lstm_wi_b"], p["lstm_wh_b"], p["lstm_b_b"], True)]
        outs = _lstms(hs, lengths, weights)
        mask = x["mask"]
        ems = []
        for k, p in enumerate(models):
            em = np.zeros(mask.shape + (p["out_b"].shape[0],), np.float32)
            em[mask] = np.concatenate(outs[2 * k:2 * k + 2], axis=-1) @ p["out_w"].T + p["out_b"]
            ems.append(em)
        return ems

    def _potentials(self, x: dict[str, np.ndarray]):
        """Emission and transition scores averaged over the networks (one CRF whose scores
        are the mean of theirs). On the ANERcorp dev split, two networks combined this way
        scored F1 .795 / .780 (best / last epoch, with document consistency) against .782 /
        .773 when their tag probabilities were averaged instead, and it costs no
        forward-backward pass."""
        if "seqs" in x:
            em, _ = self._fast_emissions(x["seqs"])
            return (em,) + self._crf
        ems = self._all_emissions(x, self.models)
        n = len(self.models)
        return (sum(ems) / n, sum(p["trans"] for p in self.models) / n,
                sum(p["start"] for p in self.models) / n, sum(p["end"] for p in self.models) / n)

    def _probs(self, x: dict[str, np.ndarray]) -> np.ndarray:
        """Per-token tag probabilities (B x T x K) under the averaged scores."""
        em, trans, start, end = self._potentials(x)
        return marginals(em, x["mask"], trans, start, end)

    def _paths(self, x: dict[str, np.ndarray]) -> list[list[int]]:
        em, trans, start, end = self._potentials(x)
        return viterbi(em, x["mask"], trans, start, end)

    def batches(self, sents: Sequence[Sequence[str]], max_len: int = MAX_SEQ,
                 margin: int = WINDOW_MARGIN):
        """(pieces, inputs) per batch; a piece is (sentence index, offset in the sequence,
        length, offset in the sentence). With ``self.chunk`` consecutive sentences are read
        as one sequence of up to ``chunk`` tokens (the network was trained that way), else one
        sentence a sequence; a sentence longer than ``max_len`` tokens is read in overlapping
        windows (``windows``) and each window gives the tags of its middle part."""
        seqs: list[tuple[list[str], list[tuple[int, int, int, int]]]] = []
        cur: list[str] = []
        pieces: list[tuple[int, int, int, int]] = []
        for i, s in enumerate(sents):
            if not s:
                continue
            if len(s) > max_len:
                for a, b, keep_a, keep_b in windows(len(s), max_len, margin):
                    seqs.append((list(s[a:b]), [(i, keep_a - a, keep_b - keep_a, keep_a)]))
                continue
            if cur and (not self.chunk or len(cur) + len(s) > min(self.chunk, max_len)):
                seqs.append((cur, pieces))
                cur, pieces = [], []
            pieces.append((i, len(cur), len(s), 0))
            cur = cur + list(s)
        if cur:
            seqs.append((cur, pieces))
        seqs.sort(key=lambda q: len(q[0]))
        with _blas_controller().limit(limits=1, user_api="blas"):
            c = 0
            while c < len(seqs):
                e = c + 1  # sorted by length: the sequence added last is the longest
                while e < len(seqs) and e - c < BATCH and (e + 1 - c) * len(seqs[e][0]) <= BATCH_TOKENS:
                    e += 1
                part = seqs[c:e]
                c = e
                check_budget()  # an input past its time budget stops here (marsad.budget)
                lengths = np.array([len(q[0]) for q in part])
                yield [q[1] for q in part], {
                    "seqs": [q[0] for q in part],
                    "mask": np.arange(lengths.max())[None, :] < lengths[:, None]}

    def sentence_marginals(self, sents: Sequence[Sequence[str]], max_len: int = MAX_SEQ,
                           margin: int = WINDOW_MARGIN) -> list[np.ndarray]:
        """Per-token tag probabilities (n x len(TAGS)) for each sentence of one document
        (``max_len``, ``margin``: see ``windows``)."""
        out: list[np.ndarray] = [np.zeros((len(s), len(TAGS))) for s in sents]
        for pieces, x in self.batches(sents, max_len, margin):
            m = self._probs(x)
            for r, ps in enumerate(pieces):
                for i, off, n, at in ps:
                    out[i][at:at + n] = m[r, off:off + n]
        return out

    def tag_sentences(self, sents: Sequence[Sequence[str]], max_len: int = MAX_SEQ,
                      margin: int = WINDOW_MARGIN) -> list[list[str]]:
        """BIO tags for the sentences of one document, tagged in one batch (``max_len``,
        ``margin``: see ``windows``)."""
        out: list[list[str]] = [["O"] * len(s) for s in sents]
        for pieces, x in self.batches(sents, max_len, margin):
            for ps, path in zip(pieces, self._paths(x)):
                for i, off, n, at in ps:
                    out[i][at:at + n] = [TAGS[k] for k in path[off:off + n]]
        for tags in out:
            for j, t in enumerate(tags):
                # a name running on from the sentence (or the window) before starts here
                if t[0] == "I" and (j == 0 or tags[j - 1][2:] != t[2:]):
                    tags[j] = "B-" + t[2:]
        return out


def windows(n: int, max_len: int = MAX_SEQ, margin: int = WINDOW_MARGIN) -> list[tuple[int, int, int, int]]:
    """How a sequence of ``n`` tokens is read in pieces of at most ``max_len``: (start, end,
    keep from, keep to) per window. Windows overlap by ``2 * margin`` tokens and each keeps
    the tags of its middle, so every token is tagged with ``margin`` tokens of context on
    both sides (the first and last window keep their outer edge too); the kept parts tile
    0..n exactly. One window (0, n, 0, n) when the sequence fits."""
    if n <= max_len:
        return [(0, n, 0, n)]
    margin = max(0, min(margin, (max_len - 1) // 2))
    step = max_len - 2 * margin
    out = []
    a = 0
    while True:
        b = min(a + max_len, n)
        out.append((a, b, 0 if a == 0 else a + margin, n if b == n else b - margin))
        if b == n:
            return out
        a += step


@lru_cache(maxsize=1)
def _blas_controller():
    """The matrices here are small (a few dozen rows per LSTM step): a multi-threaded BLAS
    spends its time waking threads. On the ANERcorp dev split, with another process busy on
    the second core, one BLAS thread tagged in 2.3 s what the default threads took 64 s for."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@lru_cache(maxsize=1)
def tagger() -> NeuralTagger:
    """The packaged neural tagger, loaded once."""
    return NeuralTagger()
