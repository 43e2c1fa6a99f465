"""The saved dedup and story state (docs/STATE.md): its size, and the CPU time to save and to
load it, for the first N ANT 2018 articles of February-March (default 2,000; embeddings on,
as ``marsad analyze`` runs), and whether the loaded state gives the same stories.

``MARSAD_BENCH_STATE_N`` sets N; ``MARSAD_BENCH_EMBED=0`` turns the embeddings off. CPU time
(``time.process_time``), best of three. Speed and size only: no output is looked at beyond
the round trip's equality.

ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import os
import time
from email.utils import parsedate_to_datetime

from benchmarks.common import ant_records, shared

MONTHS = {"2018-02", "2018-03"}  # April-May 2018 are reserved for independent evaluation


def _articles(n: int) -> list:
    from marsad.errors import InputError
    from marsad.ingest import extract_articles
    from marsad.model import RawDoc

    out: list = []
    for rec in ant_records():
        if len(out) >= n:
            break
        when = parsedate_to_datetime(rec["time"])
        if f"{when.year}-{when.month:02d}" not in MONTHS:
            continue
        try:
            out += extract_articles(RawDoc(origin=f"ant2018#{rec.get('docno')}", kind="record", fields=rec))
        except InputError:
            continue
    return out[:n]


def _best(fn, times: int = 3) -> tuple[float, object]:
    best, value = None, None
    for _ in range(times):
        t = time.process_time()
        value = fn()
        dt = time.process_time() - t
        best = dt if best is None else min(best, dt)
    return best, value


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    from marsad.dedup import Deduper
    from marsad.stories import StoryClusterer

    n = int(os.environ.get("MARSAD_BENCH_STATE_N", "2000"))
    embed = os.environ.get("MARSAD_BENCH_EMBED", "1") != "0"
    arts = _articles(n)
    d, c = Deduper(), StoryClusterer(use_embeddings=embed)

    def dedup(a):
        a.duplicate_of = d.add(a).duplicate_of

    c.add_many(arts, prepare=dedup)
    print(f"   ANT 2018 Feb-Mar, {len(arts):,} articles, embeddings {'on' if embed else 'off'}:")
    for name, obj, cls in (("dedup", d, Deduper), ("stories", c, StoryClusterer)):
        t_save, data = _best(obj.state)
        t_load, back = _best(lambda: cls.from_state(data))
        same = (back.groups() == obj.groups()) if name == "dedup" else (
            [(s.id, s.articles) for s in back.stories()] == [(s.id, s.articles) for s in obj.stories()])
        print(f"     {name:<8} {len(data) / 1e6:6.2f} MB ({len(data) / len(arts) / 1e3:.1f} KB an article), "
              f"save {t_save * 1e3:6.0f} ms, load {t_load * 1e3:6.0f} ms CPU; "
              f"loaded state gives the same {'groups' if name == 'dedup' else 'stories'}: {same}")


if __name__ == "__main__":
    main()
