"""The whole pipeline on ANT 2018 news: articles/s, CPU per article, peak memory, a per-stage
breakdown, and the time per article along the run (flat when the work per article does not
grow with what is already stored).

Two measurements, each in a fresh process:

1. ``Pipeline.ingest`` + ``finish`` over the first N ANT records of February-March 2018 (JSON
   records, the way ``marsad analyze`` reads them) into a SQLite file, ``--workers 1`` and
   ``--workers 2`` (``MARSAD_BENCH_PIPELINE_WORKERS``, default "1,2"), facts and embeddings
   on. The main process's CPU is split by stage (the per-input work when it runs there;
   placing: dedup and stories; storing; finish: stories, entities, briefs, derived rows) by
   timing those calls; the workers' CPU (extraction, facts and the per-article features of
   dedup and stories: MinHash, term counts, lead embedding) is read from the operating system
   once they have exited. Wall time is
   reported for each window of articles (1st-4,000th, 4,001st-8,000th, ...).
2. The per-input stages one by one in one process over a sample (extraction, the analysed
   document, entities, quotes, claims, events, the features of dedup and stories), in CPU ms
   an article: what the workers above spend.

N defaults to 2,000 (about two minutes here); February-March 2018 hold 7,213 articles.
``MARSAD_BENCH_PIPELINE_MONTHS=all`` reads every record instead, so that
``MARSAD_BENCH_PIPELINE_N=31525`` runs all of ANT 2018 (the windows then show 4k/8k/16k/31.5k;
speed only, April-May 2018 included, no output looked at). The sample for the stage split is 300.

ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from pathlib import Path

from benchmarks.common import ROOT, ant_records, peak_rss_mb, shared

WINDOW = 4000  # articles per reported window of the long run
SAMPLE = 300


def _months() -> set[str] | None:
    got = os.environ.get("MARSAD_BENCH_PIPELINE_MONTHS", "2018-02,2018-03")
    return None if got == "all" else {m.strip() for m in got.split(",")}


def _raws(n: int):
    from marsad.model import RawDoc

    months, k = _months(), 0
    for rec in ant_records():
        if k >= n:
            break
        if months is not None:
            when = parsedate_to_datetime(rec["time"])
            if f"{when.year}-{when.month:02d}" not in months:
                continue
        k += 1
        yield RawDoc(origin=f"ant2018/articles.jsonl.gz#{rec.get('docno')}", kind="record", fields=rec)


def _timed(acc: Counter, key: str, fn):
    def run(*a, **k):
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            acc[key] += time.process_time() - t
    return run


def _child_pipeline(n: int, workers: int) -> None:
    import marsad.pipeline
    from marsad.dedup import Deduper
    from marsad.pipeline import Pipeline
    from marsad.store import open_store
    from marsad.stories import StoryClusterer

    acc: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.db"))
        # timed at the class (the state of these objects is saved; nothing is set on them)
        for cls, name, key in ((Deduper, "add", "place: dedup"), (StoryClusterer, "add", "place: stories"),
                               (type(store), "add_inputs", "store: add_inputs")):
            setattr(cls, name, _timed(acc, key, getattr(cls, name)))
        if workers == 1:  # in this process (with workers the function itself is sent to them)
            marsad.pipeline.process_input = _timed(acc, "per input: extract, facts, features",
                                                   marsad.pipeline.process_input)
        pipe = Pipeline(store, use_embeddings=True, with_facts=True, workers=workers)
        marks: list[tuple[int, float]] = [(0, time.perf_counter())]
        done = [0]

        def progress(k: int) -> None:
            done[0] += k
            if done[0] % WINDOW == 0:
                marks.append((done[0], time.perf_counter()))

        c0 = time.process_time()
        t0 = time.perf_counter()
        report = pipe.ingest(_raws(n), progress=progress)
        t1 = time.perf_counter()
        if marks[-1][0] != done[0]:
            marks.append((done[0], t1))
        c1 = time.process_time()
        pipe.finish()
        t2 = time.perf_counter()
        acc["finish (stories, entities, briefs)"] = time.process_time() - c1
        main_cpu = time.process_time() - c0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        store.close()
    print(json.dumps({
        "n": done[0], "stored": len(report.stored), "errors": len(report.errors),
        "ingest_s": t1 - t0, "finish_s": t2 - t1, "main_cpu": main_cpu,
        "workers_cpu": children.ru_utime + children.ru_stime,
        "workers_peak_mb": children.ru_maxrss / 1024, "main_peak_mb": peak_rss_mb(),
        "stages": dict(acc), "marks": marks}))


def _child_stages(n: int) -> None:
    from marsad.analysed import AnalysedDoc
    from marsad.dedup import article_features as dedup_features
    from marsad.facts.claims import find_claims
    from marsad.facts.entities import find_mentions
    from marsad.facts.events import find_events
    from marsad.facts.quotes import find_quotes, prepare
    from marsad.ingest import extract_articles
    from marsad.pipeline import process_input
    from marsad.stories import StoryClusterer
    from marsad.stories import article_features as story_features

    raws = list(_raws(n))
    process_input(raws[0])  # models and lexicons loaded first
    StoryClusterer(use_embeddings=True).warm_up()  # and what the features read (the encoder)
    for raw in raws:  # a first pass warms the per-word caches, as a long run's workers are
        for a in extract_articles(raw):
            ms = find_mentions(a)
            find_events(a, ms)
            story_features(a)
    acc: Counter = Counter()
    arts = []
    for raw in raws:
        t = time.process_time()
        got = extract_articles(raw)
        acc["extract + clean + metadata"] += time.process_time() - t
        arts.extend(got)
    for a in arts:
        t = time.process_time()
        doc = AnalysedDoc.of(a)
        doc.sentence_tokens, doc.normalized, doc.words, doc.title_words  # noqa: B018 -- computed here
        acc["analysed document"] += time.process_time() - t
        t = time.process_time()
        ms = find_mentions(a, doc)
        acc["entities"] += time.process_time() - t
        t = time.process_time()
        prepared = prepare(a, ms, doc)  # the parse both readers share, counted with the quotes
        qs = find_quotes(a, ms, doc, prepared)
        acc["quotes"] += time.process_time() - t
        t = time.process_time()
        find_claims(a, ms, quotes=qs, analysed=doc, prepared=prepared)
        acc["claims"] += time.process_time() - t
        t = time.process_time()
        find_events(a, ms, doc)
        acc["events"] += time.process_time() - t
        t = time.process_time()
        dedup_features(a, doc=doc)
        acc["features: dedup (MinHash)"] += time.process_time() - t
        t = time.process_time()
        story_features(a, doc=doc)
        acc["features: stories (terms, day)"] += time.process_time() - t
        t = time.process_time()
        story_features(a, doc=doc, embed=True)
        acc["features: stories with embedding"] += time.process_time() - t
    acc["features: lead embedding"] = acc.pop("features: stories with embedding") - acc["features: stories (terms, day)"]
    print(json.dumps({"n": len(arts), "stages": dict(acc)}))


def _run(code: str) -> dict | None:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        print(f"   failed: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    n = int(os.environ.get("MARSAD_BENCH_PIPELINE_N", "2000"))
    for workers in (int(w) for w in os.environ.get("MARSAD_BENCH_PIPELINE_WORKERS", "1,2").split(",")):
        _report(_run(f"from benchmarks.bench_pipeline import _child_pipeline; _child_pipeline({n}, {workers})"),
                workers)
    s = _run(f"from benchmarks.bench_pipeline import _child_stages; _child_stages({SAMPLE})")
    if s:
        print(f"   per-input stages in one process ({s['n']} articles, second pass), CPU ms an article:")
        for key, v in sorted(s["stages"].items(), key=lambda kv: -kv[1]):
            print(f"     {key:<36} {v / max(1, s['n']) * 1000:6.1f}")


def _report(r: dict | None, workers: int) -> None:
    if r:
        k = max(1, r["n"])
        wall = r["ingest_s"] + r["finish_s"]
        cpu = r["main_cpu"] + r["workers_cpu"]
        months = _months()
        print(f"   ANT 2018 ({', '.join(sorted(months)) if months else 'all months'}), first {r['n']:,} "
              f"records, --workers {workers}, facts and embeddings on, SQLite file ({r['stored']:,} articles stored, {r['errors']} errors)")
        print(f"   {k / wall:.1f} articles/s wall ({r['ingest_s']:.0f} s ingest + {r['finish_s']:.0f} s finish), "
              f"{cpu / k * 1000:.1f} ms CPU an article (workers {r['workers_cpu'] / k * 1000:.1f}, "
              f"main process {r['main_cpu'] / k * 1000:.1f})")
        print(f"   peak memory: main process {r['main_peak_mb']:.0f} MB, largest worker "
              f"{r['workers_peak_mb']:.0f} MB")
        print("   main process, CPU ms an article:")
        for key, v in sorted(r["stages"].items(), key=lambda kv: -kv[1]):
            print(f"     {key:<36} {v / k * 1000:6.1f}")
        other = r["main_cpu"] - sum(r["stages"].values())
        print(f"     {'other (encoder loading, results in)':<36} {other / k * 1000:6.1f}")
        print("   wall ms an article along the run (flat = no growth with what is stored):")
        for (a, ta), (b, tb) in zip(r["marks"], r["marks"][1:]):
            print(f"     articles {a + 1:>6,}-{b:<6,} {(tb - ta) / max(1, b - a) * 1000:7.1f}")


if __name__ == "__main__":
    main()
