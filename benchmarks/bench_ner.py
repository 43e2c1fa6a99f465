"""Named entities: entity-level P/R/F1 on the ANERcorp test split (overall and per type), with
and without sentence breaks in the input, of the tagger marsad ships (``entities.TAGGER``)
and of the CRF alone for comparison; and the CPU time of entity tagging on 1,000 ANT articles
published in February-March 2018, one article at a time and many articles together.

Throughput is CPU time of this process (``time.process_time``; the tagger runs its matrix
products on one BLAS thread), so other load on the machine does not count, and it is
measured warm (every word of these articles seen once before, as in a long run); the cold
pass (first use of each word) is printed too.

ANERcorp: Benajiba et al. 2007, CC BY-SA 4.0, redistributed by CAMeL Lab.
ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
import time

from benchmarks.common import ANT, ROOT, peak_rss_mb, shared

ARTICLES = 1000
# Articles tagged together in the batched runs: what marsad.facts.extract_facts_many uses.
TOGETHER = 64
# ANT articles are read from February and March 2018 only (April and May are kept for
# evaluation): the docno ends in the publication date, e.g. "AL-culture-1-20180218".
MONTHS = ("201802", "201803")
# Every STRIDE-th such article, so that the sample spans the outlets and sections (the file
# is ordered by outlet and section).
STRIDE = 7


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


_DOCNO = re.compile(r'"docno":\s*"[^"]*-(\d{6})\d\d"')


def feb_mar_articles(n: int = ARTICLES, stride: int = STRIDE):
    """``n`` ANT articles of February-March 2018 (every ``stride``-th), as marsad Articles.
    A record of another month is skipped on its docno alone, before it is parsed."""
    from marsad.model import Article

    out, k = [], 0
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _DOCNO.search(line)
            if not m or m.group(1) not in MONTHS:
                continue
            if k % stride == 0:
                r = json.loads(line)
                out.append(Article(id=r["docno"], origin="ant", title=r.get("title") or "",
                                   text=r.get("text") or ""))
                if len(out) >= n:
                    break
            k += 1
    return out


def _cpu_per_article(fn, arts, size: int) -> float:
    """CPU seconds per article of ``fn`` over ``arts`` given ``size`` at a time (best of two)."""
    best = float("inf")
    for _ in range(2):
        c0 = time.process_time()
        for i in range(0, len(arts), size):
            fn(arts[i:i + size])
        best = min(best, (time.process_time() - c0) / len(arts))
    return best


def _anercorp(T, kind: str, sents) -> None:
    from marsad.facts import entities as ner

    n_tok = sum(len(t) for t, _ in sents)
    gold = [y for _, y in sents]
    t0 = time.process_time()
    # with breaks: one sentence a list, as `marsad entities --conll` reads a file with blank lines
    pred = ner.tag_sentences([toks for toks, _ in sents], tagger=kind)
    dt = time.process_time() - t0
    # without: every token in one list, as the file is distributed (no blank lines); the
    # tagger cuts it into sentences itself
    flat = ner.tag_sentences([[t for toks, _ in sents for t in toks]], tagger=kind)[0]
    cut, at = [], 0
    for y in gold:
        cut.append(flat[at:at + len(y)])
        at += len(y)
    sc, sc_flat = T.score(gold, pred), T.score(gold, cut)
    p, r, f, n = sc["ALL"]
    shipped = " (shipped)" if kind == ner.TAGGER else ""
    print(f"ANERcorp test, {kind}{shipped} ({len(sents)} sentences, {n_tok:,} tokens, {n} entities)")
    print(f"   entity-level  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  with sentence breaks")
    p, r, f, _ = sc_flat["ALL"]
    print(f"   entity-level  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  without (one token list)")
    for t in ner.LABELS:
        p, r, f, n = sc[t]
        print(f"   {t:<5}         P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n})")
    print(f"   tagging: {n_tok / dt:,.0f} tokens/s of CPU")


def main() -> None:
    from marsad.facts import entities as ner

    for kind in _taggers():
        t0 = time.perf_counter()
        ner.tag_sentences([["بدأ", "."]], tagger=kind)
        print(f"model load ({kind}): {time.perf_counter() - t0:.2f} s")

    test = shared("data", "anercorp", "test.txt")
    if test is not None:
        T = _train_module()
        sents = T.read_anercorp(test)
        for kind in _taggers():
            _anercorp(T, kind, sents)

    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
        return
    from marsad.analysed import AnalysedDoc
    from marsad.facts import ner_neural
    from marsad.text import words

    arts = feb_mar_articles()
    n_tok = sum(len(words(a.text)) for a in arts)
    # the tagger's own input: each article's sentences as tokens (what find_mentions tags)
    docs = [[[t.text for t in toks] for sent in AnalysedDoc.of(a).sentences
             if (toks := ner._article_tokens(a.text, sent.start, sent.end))] for a in arts]
    n_sent = sum(len(d) for d in docs)
    n_words = sum(len(s) for d in docs for s in d)  # tokens the tagger reads
    print(f"ANT Feb-Mar 2018: {len(arts)} articles, {n_sent:,} sentences, {n_tok:,} words")
    shipped = ner.TAGGER
    for kind in _taggers():
        # each tagger starts cold: the per-word features both build are cached
        ner._token_static.cache_clear()
        ner._token_info.cache_clear()
        if kind != "crf":
            ner_neural.tagger().enc.clear()
        ner.TAGGER = kind
        try:
            t0 = time.process_time()
            mentions = []
            for a in arts:
                mentions.extend(ner.find_mentions(a))
            dt = time.process_time() - t0
            print(f"   {kind}: find_mentions, cold (first use of each word), one at a time: "
                  f"{len(arts) / dt:.0f} articles/s of CPU, {len(mentions):,} mentions")
            rows = []
            if kind == "neural":
                tg = ner_neural.tagger()

                def tag(part):
                    tg.tag_sentences([s for d in part for s in d])
                rows.append(("the tagger alone (NeuralTagger.tag_sentences)", tag, docs))
            rows.append(("find_mentions_many", ner.find_mentions_many, arts))
            for label, fn, items in rows:
                n0 = tg.projected if kind == "neural" else 0
                one = _cpu_per_article(fn, items, 1)
                many = _cpu_per_article(fn, items, TOGETHER)
                print(f"   {kind}: {label}, warm: one at a time {1 / one:.0f} articles/s "
                      f"({one * 1000:.2f} ms an article); {TOGETHER} together {1 / many:.0f} "
                      f"articles/s ({many * 1000:.2f} ms)")
                if kind == "neural":
                    # these articles hold more distinct tokens than the projection store
                    # keeps (PROJ_CACHE), so some are projected again, as in a long run
                    again = (tg.projected - n0) / (4 * n_words)  # (four passes above)
                    print(f"      tokens projected again: {again:.1%} "
                          f"of those tagged (store of {ner_neural.PROJ_CACHE:,} tokens)")
            if kind == "neural":
                # the network alone: a store that keeps every token of these articles
                keep = ner_neural.PROJ_CACHE
                ner_neural.PROJ_CACHE = 10 ** 6
                try:
                    tag(docs)
                    many = _cpu_per_article(tag, docs, TOGETHER)
                finally:
                    ner_neural.PROJ_CACHE = keep
                tg._evict(0)  # back under the usual cap
                print(f"   {kind}: the tagger alone, every token's projection kept: {TOGETHER} "
                      f"together {1 / many:.0f} articles/s ({many * 1000:.2f} ms an article)")
        finally:
            ner.TAGGER = shipped
        t1 = time.process_time()
        ents = ner.link_entities(mentions)
        print(f"   {kind}: link_entities: {len(ents):,} entities in "
              f"{(time.process_time() - t1) * 1000:.0f} ms")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
