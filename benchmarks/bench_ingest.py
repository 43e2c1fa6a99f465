"""Reading, cleaning and Arabic text analysis over the ANT corpus (31,525 real articles).

Each ANT record goes through ``extract_articles`` as a JSON-record RawDoc (field mapping,
cleaning, date / outlet / credited metadata, ids), then the text layer runs on each article:
``normalize``, ``tokenize`` (clitic split), ``split_sentences`` and ``stems``.

First the whole chain over the full corpus with WORKERS processes: the main process reads the
gzip and hands out chunks of CHUNK raw JSON lines (``imap``), each worker parses, extracts and
analyzes them. The workers are forked before anything but the word table is loaded, so they
start with empty caches. Then the rate of each stage alone (one process, on the first SAMPLE
records), and peak memory.

The machine is shared: the wall-clock rate depends on what else runs (the load average is
printed before and after), the CPU time an article costs does not, so both are printed.

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

from benchmarks.common import ANT, peak_rss_mb, shared

SAMPLE = 5_000  # records for the single-process stage rates
WORKERS = 2  # the machine has 2 cores
# Raw lines a worker takes at a time: 64 keeps the pickling and queue traffic per article
# small (one message per 64 articles) while the two workers still share the load evenly.
CHUNK = 64


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


def _work(lines: list[str]) -> tuple[int, int, int, int]:
    """Parse, extract and analyze raw JSON lines: (records, articles, errors, tokens)."""
    from marsad.errors import InputError
    from marsad.ingest import extract_articles

    recs = arts = errs = toks = 0
    for line in lines:
        recs += 1
        try:
            articles = extract_articles(_to_raw(json.loads(line)))
        except InputError:
            errs += 1
            continue
        for a in articles:
            arts += 1
            toks += _analyze_text(a.text)[0]
    return recs, arts, errs, toks


def _chunks(limit: int | None = None):
    """The corpus' raw lines, CHUNK at a time."""
    chunk: list[str] = []
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            chunk.append(line)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    from marsad.errors import InputError
    from marsad.ingest import extract_articles
    from marsad.text.lexicon import counts

    counts()  # load the word table once, before forking (the workers share it)

    # 1. the whole chain over the full corpus on WORKERS processes
    load0 = os.getloadavg()[0]
    cpu0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    n_rec = n_art = n_err = n_tok = 0
    with mp.get_context("fork").Pool(WORKERS) as pool:
        for r, a, e, k in pool.imap_unordered(_work, _chunks(), chunksize=1):
            n_rec += r
            n_art += a
            n_err += e
            n_tok += k
        pool.close()
        pool.join()
    wall = time.perf_counter() - t0
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0
    load1 = os.getloadavg()[0]
    print(f"   load average {load0:.1f} before, {load1:.1f} after, on {os.cpu_count()} cores")
    print(f"   all stages, {WORKERS} processes   {n_rec / wall:9,.0f} articles/s wall  "
          f"({n_rec:,} records -> {n_art:,} articles, {n_err} unusable, {n_tok:,} tokens "
          f"in {wall:.1f} s)")
    # On a shared machine the wall-clock rate depends on the load; the CPU time does not.
    print(f"   CPU cost                  {1000 * cpu / n_rec:9.3f} ms an article (workers + reader) "
          f"= {WORKERS * n_rec / cpu:,.0f} articles/s on {WORKERS} idle cores")
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # 2. each stage alone, one process, on the first SAMPLE records (wall and CPU time)
    def rates(n: int, wall: float, cpu: float, unit: str = "articles/s") -> str:
        return f"{n / wall:9,.0f} {unit} wall, {n / cpu:9,.0f} on CPU time"

    c0, t0 = time.process_time(), time.perf_counter()
    recs = [json.loads(line) for chunk in _chunks(SAMPLE) for line in chunk]
    t_read, c_read = time.perf_counter() - t0, time.process_time() - c0
    print(f"   read (gunzip+json)        {rates(len(recs), t_read, c_read, 'records/s ')}")

    c0, t0 = time.process_time(), time.perf_counter()
    articles = []
    errors = 0
    for r in recs:
        try:
            articles.extend(extract_articles(_to_raw(r)))
        except InputError:
            errors += 1
    t_ext, c_ext = time.perf_counter() - t0, time.process_time() - c0
    print(f"   extract+clean+metadata    {rates(len(recs), t_ext, c_ext)}  "
          f"({errors} inputs with nothing usable)")

    c0, t0 = time.process_time(), time.perf_counter()
    ntok = nsent = 0
    for a in articles:
        t, s = _analyze_text(a.text)
        ntok += t
        nsent += s
    t_txt, c_txt = time.perf_counter() - t0, time.process_time() - c0
    print(f"   text analysis             {rates(len(articles), t_txt, c_txt)}  "
          f"(normalize+tokenize+sentences+stems; {ntok / max(1, len(articles)):.0f} tokens and "
          f"{nsent / max(1, len(articles)):.0f} sentences an article)")
    print(f"   all stages, 1 process     "
          f"{rates(len(recs), t_read + t_ext + t_txt, c_read + c_ext + c_txt)}")
    print(f"   peak memory               {peak_rss_mb():9,.0f} MB (main), {child:,.0f} MB (largest worker)")
