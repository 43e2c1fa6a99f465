"""Train marsad's named-entity tagger (a CRF over ANERcorp) and its word clusters.

    python scripts/train_ner.py                      # train, print dev and test scores, write the model
    python scripts/train_ner.py --rebuild-clusters   # first relearn the word clusters from ANT
    python scripts/train_ner.py --tune               # grid over c1/c2 on the dev split only

Data (under ../shared/data, never needed at run time):

* ANERcorp train/test (Benajiba et al. 2007, CC BY-SA 4.0, redistributed by CAMeL Lab):
  one ``token TAG`` per line, no sentence breaks; we segment on sentence-final punctuation.
  The dev split is the last ``DEV_FRACTION`` of the train sentences (the test split is the
  last sixth of the corpus, so a tail slice of train looks most like it). c1/c2 and the
  feature set are chosen on dev; the shipped model is then trained on all of train and
  scored once on test.
* ANT corpus v2.1 (Chouigui et al., AICCSA 2017), unlabeled: word clusters are learned from
  it — k-means at three granularities over SVD-reduced positive-PMI vectors of the positioned
  ±2 contexts of the most frequent words — and shipped as
  ``src/marsad/facts/models/ner_clusters.tsv.gz`` (word, three cluster ids, how often the
  word takes the article «ال» — proper names rarely do — and a log2 frequency bucket).

Scores are printed twice: tagging sentence by sentence, and with the document-level name
consistency marsad applies at run time (``entities.tag_sentences``).

Measured (ANERcorp test, entity level): F1 .739 (P .792, R .692) with document consistency,
.722 sentence by sentence; dev .744 / .741. The gazetteers are worth +2.9 F1 on dev (.703
without them); growing them and removing entries that are also common words (المدينة،
البيان، سعيد ...) moved dev from .732 to .741 (sentence by sentence). Feature experiments on dev that did not help and were dropped:
32-dim SVD word vectors as real-valued features (.731 vs .732), trigger-follower counts from
ANT (.730), labels the tagger itself gives each word across 10k ANT articles (.730), a
two-stage CRF with document features (.735, at twice the tagging cost), posterior decoding
with a smaller weight on O (at best .730). Name lists induced from ANT by surface patterns
(«وزارة/حزب/نادي/شركة ... X Y», «الرئيس/اللاعب/قال ... X Y», «كأس/بطولة ... X», seen in >= 3
articles; the name alone after شركة/نادي/فريق; first names seen before >= 3 surnames) as a
feature of their own: dev .744 → .742-.747 across four variants (sentence by sentence .741 →
.737-.742), i.e. noise. They cover few ANERcorp names (exact match: PERS 100 of 2,735, ORG 654
of 1,586 with 4,241 false hits on train) — ANT is 2018 news, ANERcorp 2007 — and were not kept.
A sentence-level sport cue (مباراة، فريق، الدوري ...) conjoined with the gazetteer type, meant
for clubs tagged as their city, gave .743. Gazetteer dropout in training (the gz features of a
token removed with probability 0.15 / 0.3 / 0.5): .747 / .749 / .736, no trend; training on a
second copy of the data without gazetteer features: .730.

Writes ``src/marsad/facts/models/ner.crfsuite``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.facts import entities as ner  # noqa: E402
from marsad.text.normalize import GAP, normalize  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
TRAIN = SHARED / "anercorp" / "train.txt"
TEST = SHARED / "anercorp" / "test.txt"
ANT = SHARED / "ant2018" / "articles.jsonl.gz"
MODELS = ROOT / "src" / "marsad" / "facts" / "models"

# Tail of the train sentences held out for tuning: 15% ≈ 19k tokens, close to the test size
# (25k), so dev scores are as stable as test scores would be.
DEV_FRACTION = 0.15

# ---------------------------------------------------------------------------------------
# word clusters from ANT
# ---------------------------------------------------------------------------------------

_ANT_WORD = re.compile(r"[\u0621-\u064Aa-z]+|[0-9]+")

# Vocabulary sizes and dimensions for the clusters. 100k words cover ~97% of ANT tokens;
# 5k context words per position keep the matrix at 100k x 20k; 200 SVD dimensions and
# k = 64/256/1024 give three granularities (like Brown-cluster prefixes of 4/8/10 bits).
VOCAB = 100_000
CONTEXTS = 5_000
DIMS = 200
KS = (64, 256, 1024)
MIN_COUNT = 3


def _ant_words(text: str) -> list[str]:
    t = normalize(text).replace(GAP, "").lower()
    return ["0" if w[0].isdigit() else w for w in _ANT_WORD.findall(t)]


def _read_ant():
    """ANT as one array of word ids (-1 between paragraphs) and the word → id index."""
    import numpy as np

    index: dict[str, int] = {}
    chunks = []
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for part in (rec.get("title") or "", rec.get("text") or ""):
                for para in part.split("\n"):
                    ws = _ant_words(para)
                    if len(ws) < 2:
                        continue
                    ids = [index.setdefault(w, len(index)) for w in ws]
                    ids.append(-1)  # paragraph boundary
                    chunks.append(np.asarray(ids, dtype=np.int64))
    return np.concatenate(chunks), index


def build_clusters(out: Path, seed: int = 0) -> None:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize as l2

    t0 = time.perf_counter()
    seq, index = _read_ant()
    print(f"ANT: {len(seq):,} tokens, {len(index):,} types ({time.perf_counter() - t0:.0f} s)", flush=True)
    words = np.array(list(index), dtype=object)
    counts = np.bincount(seq[seq >= 0], minlength=len(index))
    order = np.argsort(-counts, kind="stable")
    keep = order[: VOCAB]
    keep = keep[counts[keep] >= MIN_COUNT]
    rank = np.full(len(index) + 1, -1, dtype=np.int64)  # last slot maps the boundary (-1)
    rank[keep] = np.arange(len(keep))
    r = rank[seq]  # -1 for boundary / rare words
    V = len(keep)
    rows, cols = [], []
    for j, d in enumerate((-2, -1, 1, 2)):
        if d > 0:
            a, b = r[:-d], r[d:]
        else:
            a, b = r[-d:], r[:d]
        ok = (a >= 0) & (b >= 0) & (b < CONTEXTS)
        rows.append(a[ok])
        cols.append(b[ok] + j * CONTEXTS)
    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    M = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(V, 4 * CONTEXTS))
    M.sum_duplicates()
    print(f"co-occurrence: {M.shape}, nnz {M.nnz:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    # Positive PMI with context-distribution smoothing (alpha 0.75, Levy et al. 2015).
    total = M.sum()
    rs = np.asarray(M.sum(axis=1)).ravel()
    cs = np.asarray(M.sum(axis=0)).ravel() ** 0.75
    cs = cs / cs.sum() * total
    M = M.tocoo()
    pmi = np.log(M.data * total / (rs[M.row] * cs[M.col] + 1e-9) + 1e-12)
    ok = pmi > 0
    P = sp.csr_matrix((pmi[ok].astype(np.float32), (M.row[ok], M.col[ok])), shape=M.shape)
    svd = TruncatedSVD(n_components=DIMS, n_iter=5, random_state=seed)
    X = svd.fit_transform(P)
    X = X / np.sqrt(svd.singular_values_)  # eigenvalue weighting p = 0.5
    X = l2(X)
    print(f"SVD done ({time.perf_counter() - t0:.0f} s)", flush=True)
    labels = []
    for k in KS:
        km = MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=3, random_state=seed, max_iter=100)
        labels.append(km.fit_predict(X))
        print(f"k-means k={k} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    # How often the word is also written with the article «ال»: count(ال+w) / count(w).
    kw = words[keep]
    # mtime=0: the same clusters give the same bytes on every run
    with io.TextIOWrapper(gzip.GzipFile(out, "wb", compresslevel=9, mtime=0), encoding="utf-8") as fh:
        fh.write("# marsad NER word clusters learned from the ANT corpus v2.1 (Chouigui et al., AICCSA 2017)\n")
        fh.write("# word\tc64\tc256\tc1024\tal-ratio bucket\tlog2 frequency\n")
        for i, w in enumerate(kw):
            c = counts[index[w]]
            al = index.get("ال" + w)
            ca = counts[al] if al is not None else 0
            ratio = ca / (c + ca)
            # buckets: 0 never with «ال», 1 < 5%, 2 < 30%, 3 otherwise
            b = 0 if ca == 0 else 1 if ratio < 0.05 else 2 if ratio < 0.3 else 3
            fh.write(f"{w}\t{labels[0][i]}\t{labels[1][i]}\t{labels[2][i]}\t{b}\t{int(np.log2(c))}\n")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {V:,} words, {time.perf_counter() - t0:.0f} s)")


# ---------------------------------------------------------------------------------------
# ANERcorp
# ---------------------------------------------------------------------------------------

def read_anercorp(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of (tokens, tags), cut after sentence-final punctuation tokens."""
    sents: list[tuple[list[str], list[str]]] = []
    toks: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        tok, _, tag = line.rpartition(" ")
        tok = tok.strip() or "_"
        if tag not in {"O"} and tag[:2] not in {"B-", "I-"}:
            tok, tag = line.strip(), "O"
        toks.append(tok)
        tags.append(tag)
        if tok in {".", "!", "?", "؟"}:
            sents.append((toks, tags))
            toks, tags = [], []
    if toks:
        sents.append((toks, tags))
    return sents


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start, end, type) of a BIO sequence (conlleval conventions)."""
    out = set()
    start, typ = None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if typ is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


def score(gold: list[list[str]], pred: list[list[str]]) -> dict[str, tuple[float, float, float, int]]:
    """Entity-level precision, recall, F1 and support, overall and per type."""
    from collections import defaultdict

    tp: Counter = Counter()
    np_: Counter = Counter()
    ng: Counter = Counter()
    off = 0
    for g, p in zip(gold, pred):
        gs = {(s + off, e + off, t) for s, e, t in spans(g)}
        ps = {(s + off, e + off, t) for s, e, t in spans(p)}
        off += len(g)
        for s in gs:
            ng[s[2]] += 1
        for s in ps:
            np_[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1
    out: dict[str, tuple[float, float, float, int]] = defaultdict(tuple)
    for t in ("ALL",) + ner.LABELS:
        a = sum(tp.values()) if t == "ALL" else tp[t]
        b = sum(np_.values()) if t == "ALL" else np_[t]
        c = sum(ng.values()) if t == "ALL" else ng[t]
        p = a / b if b else 0.0
        r = a / c if c else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = (p, r, f, c)
    return dict(out)


def report(name: str, sc: dict) -> None:
    p, r, f, n = sc["ALL"]
    print(f"{name}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n} entities)")
    for t in ner.LABELS:
        p, r, f, n = sc[t]
        print(f"   {t:<5} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n})")


def featurize(sents):
    return [ner.sentence_features(toks) for toks, _ in sents]


def train(sents, feats, model: Path, c1: float, c2: float, iters: int) -> None:
    import pycrfsuite

    tr = pycrfsuite.Trainer(verbose=False)
    for x, (_, y) in zip(feats, sents):
        tr.append(x, y)
    tr.select("lbfgs")
    tr.set_params({"c1": c1, "c2": c2, "max_iterations": iters,
                   "feature.possible_transitions": True, "feature.minfreq": 1})
    tr.train(str(model))


def predict(model: Path, feats) -> list[list[str]]:
    import pycrfsuite

    tg = pycrfsuite.Tagger()
    tg.open(str(model))
    return [ner._repair_bio(tg.tag(x)) for x in feats]


def consistent(sents, tags: list[list[str]]) -> list[list[str]]:
    """The document-level label consistency ``tag_sentences`` applies at run time."""
    out = [list(t) for t in tags]
    W = ner.DOC_SENTENCES
    for w in range(0, len(sents), W):
        ner._propagate([([ner._Tok(t, 0, 0) for t in toks], ts)
                        for (toks, _), ts in zip(sents[w:w + W], out[w:w + W])])
    return out


def evaluate(name: str, model: Path, sents, feats) -> None:
    gold = [y for _, y in sents]
    pred = predict(model, feats)
    report(f"{name}, sentence by sentence", score(gold, pred))
    report(f"{name}, with document consistency (as marsad tags)", score(gold, consistent(sents, pred)))


# c1 (L1) / c2 (L2) chosen on the dev split (entity F1, sentence by sentence): 0.01/0.01 .729,
# 0.05/0.05 .732, 0.15/0.15 .727, 0.3/0.01 .724 — the surface is flat, 0.05/0.05 kept.
# L-BFGS iterations: 500 gave .730 on dev, no better than 200.
C1 = 0.05
C2 = 0.05
ITERS = 200


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rebuild-clusters", action="store_true")
    ap.add_argument("--tune", action="store_true", help="grid over c1/c2 on dev; writes nothing")
    ap.add_argument("--c1", type=float, default=C1)
    ap.add_argument("--c2", type=float, default=C2)
    ap.add_argument("--iters", type=int, default=ITERS)
    ap.add_argument("--dev-only", action="store_true", help="stop after the dev score")
    ap.add_argument("--out", type=Path, default=MODELS / "ner.crfsuite")
    args = ap.parse_args(argv)

    clusters_file = MODELS / "ner_clusters.tsv.gz"
    if args.rebuild_clusters or not clusters_file.exists():
        build_clusters(clusters_file)
        ner.clusters.cache_clear()

    t0 = time.perf_counter()
    sents = read_anercorp(TRAIN)
    n_dev = int(len(sents) * DEV_FRACTION)
    fit, dev = sents[:-n_dev], sents[-n_dev:]
    feats = featurize(sents)
    f_fit, f_dev = feats[:-n_dev], feats[-n_dev:]
    print(f"train: {len(sents)} sentences ({len(fit)} fit / {len(dev)} dev), "
          f"features in {time.perf_counter() - t0:.0f} s", flush=True)
    tmp = args.out.with_suffix(".dev.crfsuite")
    grid = [(c1, c2) for c1 in (0.01, 0.05, 0.15, 0.3) for c2 in (0.01, 0.05, 0.15)] if args.tune \
        else [(args.c1, args.c2)]
    for c1, c2 in grid:
        t1 = time.perf_counter()
        train(fit, f_fit, tmp, c1, c2, args.iters)
        evaluate(f"dev c1={c1} c2={c2} ({time.perf_counter() - t1:.0f} s)", tmp, dev, f_dev)
        sys.stdout.flush()
    tmp.unlink(missing_ok=True)
    if args.tune or args.dev_only:
        return 0

    t1 = time.perf_counter()
    train(sents, feats, args.out, args.c1, args.c2, args.iters)
    print(f"model: {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, trained in "
          f"{time.perf_counter() - t1:.0f} s on all {len(sents)} train sentences)")
    test = read_anercorp(TEST)
    evaluate("test", args.out, test, featurize(test))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
