"""Named entities: entity-level P/R/F1 on the ANERcorp test split (overall and per type) of
the tagger marsad ships (``entities.TAGGER``) and of the CRF alone for comparison, and the
throughput of ``find_mentions`` over ANT articles with each.

ANERcorp: Benajiba et al. 2007, CC BY-SA 4.0, redistributed by CAMeL Lab.
ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import importlib.util
import sys
import time

from benchmarks.common import ROOT, ant_records, peak_rss_mb, shared

ARTICLES = 500


def _train_module():
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_ner"] = mod
    spec.loader.exec_module(mod)
    return mod


def _taggers():
    from marsad.facts import entities as ner

    # the shipped tagger first, then the CRF alone when it is not the shipped one
    return [ner.TAGGER] + (["crf"] if ner.TAGGER != "crf" else [])


def main() -> None:
    from marsad.facts import entities as ner
    from marsad.model import Article

    for kind in _taggers():
        t0 = time.perf_counter()
        ner.tag_sentences([["بدأ", "."]], tagger=kind)
        print(f"model load ({kind}): {time.perf_counter() - t0:.2f} s")

    test = shared("data", "anercorp", "test.txt")
    if test is not None:
        T = _train_module()
        sents = T.read_anercorp(test)
        n_tok = sum(len(t) for t, _ in sents)
        for kind in _taggers():
            t0 = time.perf_counter()
            # the file read as documents, the way `marsad entities --conll` reads it
            pred = ner.tag_sentences([toks for toks, _ in sents], tagger=kind)
            dt = time.perf_counter() - t0
            sc = T.score([y for _, y in sents], pred)
            p, r, f, n = sc["ALL"]
            shipped = " (shipped)" if kind == ner.TAGGER else ""
            print(f"ANERcorp test, {kind}{shipped} ({len(sents)} sentences, {n_tok:,} tokens, {n} entities)")
            print(f"   entity-level  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
            for t in ner.LABELS:
                p, r, f, n = sc[t]
                print(f"   {t:<5}         P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n})")
            print(f"   tagging: {n_tok / dt:,.0f} tokens/s")

    if shared("data", "ant2018", "articles.jsonl.gz") is not None:
        from marsad.text import words

        arts = [Article(id=r["docno"], origin="ant", title=r.get("title") or "", text=r.get("text") or "")
                for r in ant_records(ARTICLES)]
        n_tok = sum(len(words(a.text)) for a in arts)
        shipped = ner.TAGGER
        for kind in _taggers():
            # each tagger starts cold: the per-word features both build are cached
            ner._token_static.cache_clear()
            ner._token_info.cache_clear()
            if kind != "crf":
                from marsad.facts import ner_neural

                ner_neural.tagger().enc.clear()
            ner.TAGGER = kind
            try:
                t0 = time.perf_counter()
                mentions = []
                for a in arts:
                    mentions.extend(ner.find_mentions(a))
                dt = time.perf_counter() - t0
            finally:
                ner.TAGGER = shipped
            t1 = time.perf_counter()
            ents = ner.link_entities(mentions)
            dl = time.perf_counter() - t1
            print(f"ANT, {kind} ({len(arts)} articles, {n_tok:,} words)")
            print(f"   find_mentions: {len(arts) / dt:.1f} articles/s, {n_tok / dt:,.0f} words/s, "
                  f"{len(mentions):,} mentions (cold: first use of each word)")
            # warm: the per-word inputs of these articles already built, as in a long run;
            # CPU time of this process (one core), so other load on the machine does not count
            ner.TAGGER = kind
            try:
                for label, size in (("one at a time", 1), ("batches of 64", 64)):
                    c0 = time.process_time()
                    for i in range(0, len(arts), size):
                        ner.find_mentions_many(arts[i:i + size])
                    dc = time.process_time() - c0
                    print(f"   find_mentions_many, warm, {label}: {len(arts) / dc:.0f} articles/s "
                          f"of CPU ({dc / len(arts) * 1000:.1f} ms an article)")
            finally:
                ner.TAGGER = shipped
            print(f"   link_entities: {len(ents):,} entities in {dl * 1000:.0f} ms")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
