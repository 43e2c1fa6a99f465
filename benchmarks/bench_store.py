"""Storing analysed ANT articles: CPU per article to write inputs (articles, facts, search
index, story rows) and to reassign stories, on SQLite and on PostgreSQL.

The first N ANT records of February-March 2018 (``MARSAD_BENCH_STORE_N``, default 2,000) are
extracted with their facts once (``process_input``, not timed), each article given a story of
its own; then, for each backend, into a new store:

* ``one input a transaction``: ``add_input`` per input, as ``Pipeline`` stores them;
* ``batched``: ``add_inputs`` over groups of ``MARSAD_BENCH_STORE_BATCH`` inputs (default 64)
  in one transaction each, when the store has it;
* story reassignment (every article moved to a story of three, as ``Pipeline.finish`` does
  after clustering): ``set_article_story`` per article in one writing block, and
  ``set_article_stories`` with the whole mapping, when the store has it.

CPU is this process's (``time.process_time``); PostgreSQL's server works in processes of its
own, so its runs also print wall time (loaded machine: read it as an upper bound). The
PostgreSQL runs use ``MARSAD_BENCH_PG`` or a throw-away server (see ``benchmarks/pg.py``).

ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import os
import tempfile
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from benchmarks import pg
from benchmarks.common import ant_records, shared


def _raws(n: int):
    """The first ``n`` ANT records of February-March 2018, as ``marsad analyze`` reads them."""
    from marsad.model import RawDoc

    k = 0
    for rec in ant_records():
        if k >= n:
            return
        when = parsedate_to_datetime(rec["time"])
        if (when.year, when.month) not in ((2018, 2), (2018, 3)):
            continue
        k += 1
        yield RawDoc(origin=f"ant2018/articles.jsonl.gz#{rec.get('docno')}", kind="record", fields=rec)


def _items(n: int) -> list[tuple[str, str, list]]:
    from marsad.pipeline import input_key, process_input

    out = []
    for raw in _raws(n):
        got = process_input(raw, with_facts=True, time_limit=None)
        if isinstance(got, list) and got:
            for a, _ in got:
                a.story = "s-" + a.id
            out.append((input_key(raw), raw.origin, got))
    return out


def _copy(items):
    import copy

    return copy.deepcopy(items)


def _time(fn) -> tuple[float, float]:
    c, t = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c, time.perf_counter() - t


def _store_runs(url: str, items, batch: int, label: str) -> None:
    from marsad.store import open_store

    n = sum(len(it) for _, _, it in items)
    mapping = {a.id: f"t-{k // 3}" for k, (a, _) in enumerate(x for _, _, it in items for x in it)}
    for mode in ("one input a transaction", "batched"):
        data = _copy(items)
        with open_store(url() if callable(url) else url) as store:
            if mode == "batched" and not hasattr(store, "add_inputs"):
                continue

            def write():
                if mode == "batched":
                    for i in range(0, len(data), batch):
                        store.add_inputs(data[i:i + batch])
                else:
                    for key, origin, its in data:
                        store.add_input(key, origin, its)

            def assign():
                if mode == "batched" and hasattr(store, "set_article_stories"):
                    store.set_article_stories(mapping)
                    return
                with store.writing():
                    for aid, sid in mapping.items():
                        store.set_article_story(aid, sid)

            w_cpu, w_wall = _time(write)
            s_cpu, s_wall = _time(assign)
            assert store.count_articles() == n
            assert store.get_article(next(iter(mapping))).story == "t-0"
        print(f"   {label:<10} {mode:<24} store {w_cpu / n * 1000:5.2f} ms CPU an article"
              f" ({w_wall / n * 1000:5.2f} wall); stories {s_cpu / n * 1000:5.3f} ms CPU"
              f" ({s_wall / n * 1000:5.3f} wall)", flush=True)


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    n = int(os.environ.get("MARSAD_BENCH_STORE_N", "2000"))
    batch = int(os.environ.get("MARSAD_BENCH_STORE_BATCH", "64"))
    items = _items(n)
    print(f"   {sum(len(it) for _, _, it in items)} articles in {len(items)} inputs"
          f" (ANT Feb-Mar 2018), facts on", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        k = [0]

        def sqlite_url() -> str:
            k[0] += 1
            return str(Path(tmp) / f"bench{k[0]}.db")

        _store_runs(sqlite_url, items, batch, "SQLite")
    admin = pg.admin_url()
    if admin is None:
        return
    with pg.database(admin, "marsad_bench_store") as url:
        _store_runs(lambda: pg.empty(url), items, batch, "PostgreSQL")


if __name__ == "__main__":
    main()
