"""Reading, cleaning and Arabic text analysis over the ANT corpus (31,525 real articles).

Each ANT record goes through ``extract_articles`` as a JSON-record RawDoc (field mapping,
cleaning, date / outlet / credited metadata, ids), then the text layer runs on each article:
``normalize``, ``tokenize`` (clitic split), ``split_sentences`` and ``stems``.

Prints the rate of each stage alone (one process, on the first SAMPLE records), then the
whole chain over the full corpus with WORKERS processes (each reads the gzip and takes every
WORKERS-th record, so nothing is pickled between processes), and peak memory.

ANT Corpus v2.1: Chouigui et al., "ANT Corpus: An Arabic News Text Collection for Textual
Classification", AICCSA 2017.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing as mp
import operator
import os
import resource
import time

from benchmarks.common import ANT, ant_records, peak_rss_mb, shared

SAMPLE = 5_000  # records for the single-process stage rates
WORKERS = 2  # the machine has 2 cores


_NORM = operator.attrgetter("norm")


def _analyze_text(text: str) -> tuple[int, int]:
    from marsad.text import normalize, split_sentences, stems, tokenize

    normalize(text)
    toks = tokenize(text)
    sents = split_sentences(text)
    stems(list(map(_NORM, toks)))
    return len(toks), len(sents)


def _to_raw(rec: dict):
    from marsad.model import RawDoc

    return RawDoc(origin=f"ant2018/articles.jsonl.gz#{rec.get('docno')}", kind="record", fields=rec)


def _worker(args: tuple[int, int, int | None]) -> tuple[int, int, int, int, float]:
    """Process every ``step``-th record from ``k``: (records, articles, errors, tokens, CPU s)."""
    k, step, limit = args
    from marsad.errors import InputError
    from marsad.ingest import extract_articles

    t0 = time.process_time()
    recs = arts = errs = toks = 0
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            if i % step != k:
                continue
            recs += 1
            try:
                articles = extract_articles(_to_raw(json.loads(line)))
            except InputError:
                errs += 1
                continue
            for a in articles:
                arts += 1
                toks += _analyze_text(a.text)[0]
    return recs, arts, errs, toks, time.process_time() - t0


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    from marsad.errors import InputError
    from marsad.ingest import extract_articles
    from marsad.text.lexicon import counts

    counts()  # load the word table outside the timed stages (once per process)

    # 1. reading: gunzip + JSON
    load = os.getloadavg()[0]
    print(f"   load average {load:.1f} on {os.cpu_count()} cores")
    t0 = time.perf_counter()
    recs = list(ant_records(SAMPLE))
    t_read = time.perf_counter() - t0
    print(f"   read (gunzip+json)        {len(recs) / t_read:9,.0f} records/s   ({len(recs):,} records)")

    # 2. extraction + cleaning + metadata
    t0 = time.perf_counter()
    articles = []
    errors = 0
    for r in recs:
        try:
            articles.extend(extract_articles(_to_raw(r)))
        except InputError:
            errors += 1
    t_ext = time.perf_counter() - t0
    print(f"   extract+clean+metadata    {len(recs) / t_ext:9,.0f} articles/s  "
          f"({errors} inputs with nothing usable)")

    # 3. text analysis
    t0 = time.perf_counter()
    ntok = nsent = 0
    for a in articles:
        t, s = _analyze_text(a.text)
        ntok += t
        nsent += s
    t_txt = time.perf_counter() - t0
    print(f"   text: normalize+tokenize+sentences+stems {len(articles) / t_txt:7,.0f} articles/s  "
          f"({ntok / t_txt:,.0f} tokens/s, {ntok / max(1, len(articles)):.0f} tokens and "
          f"{nsent / max(1, len(articles)):.0f} sentences an article)")
    one = len(recs) / (t_read + t_ext + t_txt)
    print(f"   all stages, 1 process     {one:9,.0f} articles/s")
    del recs, articles

    # 4. the whole chain over the full corpus on WORKERS processes
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(_worker, [(k, WORKERS, None) for k in range(WORKERS)])
    wall = time.perf_counter() - t0
    n_rec = sum(r[0] for r in results)
    n_art = sum(r[1] for r in results)
    n_err = sum(r[2] for r in results)
    n_tok = sum(r[3] for r in results)
    cpu = sum(r[4] for r in results)
    print(f"   all stages, {WORKERS} processes   {n_rec / wall:9,.0f} articles/s   "
          f"({n_rec:,} records -> {n_art:,} articles, {n_err} unusable, {n_tok:,} tokens "
          f"in {wall:.1f} s)")
    # On a shared machine the wall-clock rate depends on the load; the CPU time does not.
    print(f"   CPU cost                  {n_rec / cpu:9,.0f} articles per CPU-second "
          f"(= {WORKERS * n_rec / cpu:,.0f} articles/s on {WORKERS} idle cores)")
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"   peak memory               {peak_rss_mb():9,.0f} MB (main), {child:,.0f} MB (largest worker)")
