"""Scaling of the per-input work: ANT articles analysed (facts on, embeddings off, into a fresh
store) in one process, a process pool of 2, and Dask LocalClusters of 1 and 2 workers.

Prints wall seconds, articles/s and the 2-vs-1 ratio of each runner, and checks that every
runner gives the single-process stories. ``MARSAD_BENCH_DASK_N`` sets the article count
(default 600). Only articles outside April-May 2018 are used (those months are reserved for
evaluation).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from benchmarks.common import ant_records, shared


def _records(n: int) -> list[dict]:
    out = []
    for r in ant_records():
        if parsedate_to_datetime(r["time"]).month in (4, 5):
            continue
        out.append({"title": r["title"], "text": r["text"], "date": r["time"], "source": r["source"],
                    "url": r["url"]})
        if len(out) >= n:
            break
    return out


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("   skipped: dask[distributed] not installed (pip install 'marsad[dask]')")
        return
    from marsad.pipeline import analyze

    n = int(os.environ.get("MARSAD_BENCH_DASK_N", "600"))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ant.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records(n)),
                       encoding="utf-8")
        print(f"   {n} ANT articles, facts on, embeddings off; load average {os.getloadavg()[0]:.1f}")
        runs = [("one process", {}), ("process pool, 2", {"workers": 2}),
                ("dask local:1", {"dask": "local:1"}), ("dask local:2", {"dask": "local:2"})]
        secs: dict[str, float] = {}
        reference = None
        for name, kw in runs:
            t0 = time.perf_counter()
            analysis, report = analyze([str(src)], db=str(Path(tmp) / f"{name}.db"),
                                       use_embeddings=False, **kw)
            secs[name] = time.perf_counter() - t0
            stories = sorted(sorted(s.articles) for s in analysis.stories)
            same = "" if reference is None else ("; same stories" if stories == reference
                                                 else "; STORIES DIFFER from one process")
            reference = reference or stories
            print(f"   {name:16s} {secs[name]:7.1f} s  {n / secs[name]:6.1f} articles/s  "
                  f"errors {len(report.errors)}{same}")
        print(f"   2 vs 1: process pool x{secs['one process'] / secs['process pool, 2']:.2f}, "
              f"dask x{secs['dask local:1'] / secs['dask local:2']:.2f} (2 cores; placing, storing "
              "and stories stay in the main process)")
