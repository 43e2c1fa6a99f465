"""Quotes, claims and stance: accuracy on the example corpus gold and ANS, and throughput.

* ANS stance (Khouja 2020, Apache-2.0), test split: macro-F1 and per-class F1 of
  ``marsad.facts.claims.stance`` (published BERT baseline: macro-F1 0.767), and of its lexical
  fallback model (used when the sentence encoder is not installed).
* Example corpus gold (examples/gold.json): quote recall (words found; words and speaker),
  the share of extracted quotes that match a gold quote (a lower bound of precision: the gold
  does not list every indirect quote), claim recall and precision, contradictions found.
* Throughput of quotes + claims over ANT articles (Chouigui et al., AICCSA 2017).
"""

from __future__ import annotations

import json
import time

from benchmarks.common import ROOT, ant_records, peak_rss_mb, shared


def _stance() -> None:
    path = shared("data", "ans", "stance", "test.csv")
    if path is None:
        return
    from sklearn.metrics import f1_score

    from marsad.facts.claims import LABELS, read_ans, stance

    rows = read_ans(path)
    t0 = time.perf_counter()
    pred = [stance(a, b) for a, b, _ in rows]
    dt = time.perf_counter() - t0
    gold = [lab for _, _, lab in rows]
    per = f1_score(gold, pred, average=None, labels=list(LABELS))
    print(f"   ANS stance test ({len(rows)} pairs): macro-F1 {f1_score(gold, pred, average='macro'):.3f} "
          f"(published BERT baseline 0.767); " + ", ".join(f"{lab} F1 {v:.3f}" for lab, v in zip(LABELS, per)))
    print(f"   stance speed: {len(rows) / dt:,.0f} pairs/s")
    from marsad.facts.stance import stance_scores

    lex = []
    for a, b, _ in rows:
        p = stance_scores(a, b, use_embeddings=False)
        lex.append(max(p, key=p.get))
    per = f1_score(gold, lex, average=None, labels=list(LABELS))
    print(f"   ANS stance test, lexical model alone (no sentence encoder): macro-F1 "
          f"{f1_score(gold, lex, average='macro'):.3f}; " + ", ".join(f"{lab} F1 {v:.3f}" for lab, v in zip(LABELS, per)))


def _corpus() -> dict:
    from marsad.ingest import extract_articles, read_inputs

    corpus = ROOT / "examples" / "corpus"
    out = {}
    for raw in read_inputs([str(corpus)]):
        if isinstance(raw, Exception):
            continue
        for a in extract_articles(raw):
            rel = a.origin.replace("\\", "/").split("corpus/", 1)[-1]
            out[(rel, a.part)] = a
    return out


def _gold(with_mentions: bool = False) -> None:
    gold_path = ROOT / "examples" / "gold.json"
    if not gold_path.exists():
        print("   skipped: examples/gold.json not present")
        return
    from marsad.facts.claims import contradictions, find_claims
    from marsad.facts.quotes import find_quotes
    from marsad.text import normalize_for_search as N

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    arts = _corpus()
    mentions = {k: [] for k in arts}
    if with_mentions:
        try:
            from marsad.facts.entities import find_mentions

            mentions = {k: find_mentions(a) for k, a in arts.items()}
        except Exception as exc:  # the tagger is optional here
            print(f"   skipped with mentions: {type(exc).__name__}: {exc}")
            return
        print("   -- with entity mentions (marsad.facts.entities) --")
    else:
        print("   -- quotes and claims alone (no entity mentions) --")
    quotes = {k: find_quotes(a, mentions[k]) for k, a in arts.items()}
    claims = {k: find_claims(a, mentions[k], quotes=quotes[k]) for k, a in arts.items()}

    def same(a: str | None, b: str | None) -> bool:
        a, b = N(a or ""), N(b or "")
        return bool(a) and bool(b) and (a in b or b in a)

    words = speaker = role = direct_ok = via_ok = 0
    matched: set[int] = set()
    for g in gold["quotes"]:
        qs = quotes.get((g["origin"], g["part"]), [])
        hits = [q for q in qs if N(g["text_contains"]) in N(q.text)]
        matched.update(id(q) for q in hits)
        words += bool(hits)
        good = [q for q in hits if same(q.speaker.name, g["speaker"])]
        speaker += bool(good)
        role += any(same(q.speaker.role, g.get("role")) or (not g.get("role") and not q.speaker.role) for q in good)
        direct_ok += any(q.direct == g["direct"] for q in good)
        via_ok += any(all(any(same(v, w) for w in q.via) for v in g.get("via", [])) for q in good)
    nq = len(gold["quotes"])
    gold_articles = {(g["origin"], g["part"]) for g in gold["quotes"]}
    extracted = [q for k in gold_articles for q in quotes.get(k, [])]
    print(f"   quotes (gold {nq}): words found {words / nq:.3f}, with speaker {speaker / nq:.3f}, "
          f"+role {role / nq:.3f}, +direct flag {direct_ok / nq:.3f}, +via {via_ok / nq:.3f}")
    print(f"   quotes extracted in gold articles: {len(extracted)}, matching a gold quote "
          f"{sum(id(q) in matched for q in extracted) / max(1, len(extracted)):.3f} (precision lower bound)")

    found = tc_ok = 0
    good_claims: set[int] = set()
    for g in gold["claims"]:
        cs = claims.get((g["origin"], g["part"]), [])
        hits = [c for c in cs if c.stance == g["stance"] and N(g["target_contains"]) in N(c.target)
                and same(c.claimant, g["claimant"])]
        good_claims.update(id(c) for c in hits)
        found += bool(hits)
        tc_ok += any(same(c.target_claimant, g["target_claimant"]) or (g["target_claimant"] is None and c.target_claimant is None)
                     for c in hits)
    nc = len(gold["claims"])
    claim_articles = {(g["origin"], g["part"]) for g in gold["claims"]}
    denials = [c for k, cs in claims.items() for c in cs if c.stance == "denies"]
    in_gold = [c for k in claim_articles for c in claims.get(k, []) if c.stance == "denies"]
    print(f"   claims (gold {nc}): found {found / nc:.3f}, +target claimant {tc_ok / nc:.3f}; denials extracted "
          f"corpus-wide {len(denials)}, in gold articles {len(in_gold)}, matching gold "
          f"{sum(id(c) in good_claims for c in in_gold) / max(1, len(in_gold)):.3f}")
    all_claims = [c for cs in claims.values() for c in cs]
    by_id = {a.id: a for a in arts.values()}
    pairs = contradictions(all_claims, by_id)
    print(f"   contradictions across articles: {len(pairs)} pairs from {len(all_claims)} claims")
    for p in pairs[:3]:
        a, d = all_claims[p["claim"]], all_claims[p["disputed_by"]]
        print(f"     {p['score']:.2f}  {a.claimant} ({a.stance}) <- {d.claimant} ({d.stance})")


def _speed(n: int = 400) -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    from marsad.facts.claims import find_claims
    from marsad.facts.quotes import find_quotes, prepare
    from marsad.model import Article

    # February-March 2018 only: April and May are kept for evaluation (the docno ends in the
    # publication date, e.g. "AL-culture-1-20180218")
    feb_mar = (r for r in ant_records() if str(r.get("docno", ""))[-8:-2] in ("201802", "201803"))
    arts = [Article(id=str(i), origin="ant", text=r.get("text") or "") for i, r in zip(range(n), feb_mar)]
    t0 = time.perf_counter()
    nq = nc = 0
    for a in arts:
        prepared = prepare(a, []) if a.text else None  # shared by both readers, as in extract_facts
        qs = find_quotes(a, [], prepared=prepared)
        nq += len(qs)
        nc += len(find_claims(a, [], quotes=qs, prepared=prepared))
    dt = time.perf_counter() - t0
    chars = sum(len(a.text) for a in arts)
    print(f"   quotes+claims on {len(arts)} ANT Feb-Mar 2018 articles ({chars / len(arts):,.0f} chars avg): "
          f"{len(arts) / dt:,.1f} articles/s, {nq} quotes, {nc} claims; peak RSS {peak_rss_mb():.0f} MB")


def main() -> None:
    _stance()
    _gold()
    _gold(with_mentions=True)
    _speed()


if __name__ == "__main__":
    main()
