"""The same-story score (``marsad pairs``) on SemEval-2022 Task 8 Arabic pairs.

Prints the Pearson correlation between the score and the human ``Overall`` label (1 = same
story .. 4 = unrelated; reported as a positive number), and ROC-AUC for same story
(Overall <= 1.5) against unrelated (Overall >= 3.5), for the combined score with and without
embeddings and for each signal alone. Nothing is trained on these pairs.
Run alone: ``python -m benchmarks pairs``. Data: SemEval-2022 Task 8 (Chen et al. 2022).
"""

from __future__ import annotations

import json
import time

import numpy as np

from benchmarks.common import shared
from marsad.stories import (SentenceEncoder, StoryClusterer, encoder_lead, pair_features,
                            story_logit)
from marsad.story_signals import split_title, to_probability


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC-AUC by counting ordered pairs (ties count half)."""
    if not len(pos) or not len(neg):
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def _report(name: str, score: np.ndarray, overall: np.ndarray) -> None:
    r = -float(np.corrcoef(score, overall)[0, 1])
    auc = _auc(score[overall <= 1.5], score[overall >= 3.5])
    print(f"   {name:<34} Pearson {r:.3f}   ROC-AUC same vs unrelated {auc:.3f}")


def main() -> None:
    path = shared("data", "semeval2022_ar", "pairs.jsonl")
    if path is None:
        return
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    overall = np.array([float(r["Overall"]) for r in rows])
    print(f"   {len(rows)} pairs: {int((overall <= 1.5).sum())} same story, "
          f"{int((overall >= 3.5).sum())} unrelated")
    t0 = time.perf_counter()
    c = StoryClusterer(use_embeddings=True)
    texts = [t for r in rows for t in (r["text1"], r["text2"])]
    embs = SentenceEncoder.encode([encoder_lead(*split_title(t)) for t in texts])
    feats = []
    for i, r in enumerate(rows):
        c._pending = {"pair-0": embs[2 * i], "pair-1": embs[2 * i + 1]}
        feats.append(pair_features(r["text1"], r["text2"], True, clusterer=c))
    elapsed = time.perf_counter() - t0
    _report("combined, embeddings on", np.array([to_probability(story_logit(f)) for f in feats]), overall)
    no_emb = [dict(f, emb=None, emb_link=None) for f in feats]
    _report("combined, embeddings off", np.array([to_probability(story_logit(f)) for f in no_emb]), overall)
    for k in ("tfidf", "title", "names", "place", "emb"):
        v = np.array([f[k] or 0.0 for f in feats])
        if v.std() > 0:
            _report(f"{k} alone", v, overall)
    # Pairs where one side is a scraped donation page of one site rather than an article:
    # labelled by the annotators from the live pages, not judgeable from this text.
    junk = np.array(["الحوار المتمدن" in (r["text1"][:60] + r["text2"][:60]) for r in rows])
    keep = ~junk
    _report(f"combined, without {int(junk.sum())} scrape-failure pairs",
            np.array([to_probability(story_logit(f)) for f in feats])[keep], overall[keep])
    # The most any score read from these texts can reach: the human labels themselves on the
    # judgeable pairs and "unrelated" (4) on the scrape failures, whose text shows nothing.
    oracle = np.where(junk, 4.0, overall)
    print(f"   ceiling for a score read from this text (human labels, scrape failures as unrelated): "
          f"Pearson {float(np.corrcoef(oracle, overall)[0, 1]):.3f}")
    print(f"   ({elapsed:.1f} s for {len(rows)} pairs with embeddings)")


if __name__ == "__main__":
    main()
