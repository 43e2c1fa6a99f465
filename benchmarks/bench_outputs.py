"""Outputs at scale: the contract JSON and the HTML report of N real ANT articles, built whole
versus written as streams (size, fact entries, copies folded, peak Python memory, CPU).

``MARSAD_BENCH_OUTPUTS_N`` (default 1,000) articles from February-March 2018 are analysed once
(facts on, embeddings off) into a throw-away store; peak memory is what ``tracemalloc`` sees
while one output is produced from the loaded analysis (the analysis itself excluded).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.common import shared


def _measure(fn) -> tuple[float, float]:
    """(CPU seconds, peak MB above the start) of ``fn()``."""
    tracemalloc.start()
    t = time.process_time()
    try:
        fn()
    finally:
        cpu = time.process_time() - t
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return cpu, peak


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    from benchmarks.bench_pipeline import _raws
    from marsad import __version__
    from marsad.pipeline import Pipeline, load_analysis
    from marsad.render.contract import write_contract_json_file
    from marsad.render.html import render_html, write_html_file
    from marsad.store import Store

    n = int(os.environ.get("MARSAD_BENCH_OUTPUTS_N", "1000"))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "m.db")
        store = Store(db)
        try:
            p = Pipeline(store, use_embeddings=False)
            p.ingest(list(_raws(n)))
            p.finish()
        finally:
            store.close()
        analysis = load_analysis(db)
        copies = sum(1 for a in analysis.articles if a.duplicate_of)
        print(f"   ANT 2018 (Feb-Mar), {len(analysis.articles):,} articles ({copies:,} syndicated copies), "
              f"{len(analysis.stories):,} stories")

        whole = {}

        def dump_whole():
            whole["s"] = json.dumps(analysis.to_dict(__version__), ensure_ascii=False, indent=1)

        cpu, peak = _measure(dump_whole)
        old = json.loads(whole.pop("s"))
        facts_old = sum(len(old[k]) for k in ("quotes", "claims", "events"))
        print(f"   JSON built whole, every copy's facts listed: {facts_old:,} fact entries, "
              f"peak {peak:,.0f} MB, CPU {cpu:.2f} s")
        out = Path(tmp) / "analysis.json"
        cpu, peak = _measure(lambda: write_contract_json_file(analysis, __version__, out))
        new = json.loads(out.read_text(encoding="utf-8"))
        facts_new = sum(len(new[k]) for k in ("quotes", "claims", "events"))
        folded = sum(len(x.get("copies", [])) for k in ("quotes", "claims", "events") for x in new[k])
        size_old = len(json.dumps(old, ensure_ascii=False, indent=1).encode())
        print(f"   JSON streamed, each fact once: {facts_new:,} fact entries ({folded:,} copies' spans "
              f"folded), {out.stat().st_size / 1e6:.1f} MB (was {size_old / 1e6:.1f} MB), "
              f"peak {peak:,.0f} MB, CPU {cpu:.2f} s")
        del old, new

        cpu, peak = _measure(lambda: io.StringIO().write(render_html(analysis)))
        print(f"   HTML built whole: peak {peak:,.0f} MB, CPU {cpu:.2f} s")
        page = Path(tmp) / "report.html"
        cpu, peak = _measure(lambda: write_html_file(analysis, page))
        print(f"   HTML streamed: {page.stat().st_size / 1e6:.1f} MB, peak {peak:,.0f} MB, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
