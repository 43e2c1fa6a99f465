"""PostgreSQL search latency on 10,000 ANT articles: the serving benchmark's query mix run
one at a time, with the CPU each query costs marsad (this process) and the PostgreSQL server
(its one backend), and the wall time; the same queries on a SQLite store of the same
articles, whose answers PostgreSQL's must equal (hits, order, scores, snippets, totals,
facets).

The first ``MARSAD_BENCH_PGSEARCH_N`` ANT records of February-March and June-October 2018
(default 10,000: every February-March record, then June's) are stored as in ``benchmarks/bench_serve.py``'s fast path (articles and the search index, no
facts). Every query of ``bench_serve.QUERIES`` with every filter set of ``bench_serve.FILTERS``
(400 searches, ``limit=10``) runs once to warm the caches and is then timed ``ROUNDS`` times;
then ``THREADS`` threads of this process share one store (its pool of connections, as the
server's request threads do) and run the mix once each, back to back: the wall time of a
search under that load, and the searches a second.
PostgreSQL: ``MARSAD_BENCH_PG`` or a throw-away server (see ``benchmarks/pg.py``).

Run: ``python -m benchmarks pgsearch``. ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from email.utils import parsedate_to_datetime

from benchmarks import pg
from benchmarks.bench_serve import FILTERS, QUERIES
from benchmarks.common import ant_records, shared

N = int(os.environ.get("MARSAD_BENCH_PGSEARCH_N", "10000"))
# February-March 2018 holds 7,213 ANT records; June-October make up the rest (April and May
# are kept for evaluation and never read here)
MONTHS = (2, 3, 6, 7, 8, 9, 10)
ROUNDS = 2
THREADS = 16
_TICK = os.sysconf("SC_CLK_TCK")


def _articles(n: int) -> list:
    from marsad.model import Article

    out = []
    for r in ant_records():
        try:
            when = parsedate_to_datetime(r["time"])
        except Exception:  # undated: its month is unknown
            continue
        if when.year != 2018 or when.month not in MONTHS:
            continue
        out.append(Article(id=r["docno"], origin=r.get("url") or r["docno"], title=r.get("title") or "",
                           text=r.get("text") or "", outlet=r.get("source"), published=when.isoformat(),
                           url=r.get("url")))
    out.sort(key=lambda a: (MONTHS.index(int(a.published[5:7])), a.published, a.id))
    return out[:n]


def _load(url: str, arts: list) -> float:
    from marsad.model import Facts
    from marsad.store import open_store

    t0 = time.perf_counter()
    with open_store(url) as s:
        for i in range(0, len(arts), 500):
            s.add_input(f"ant-{i}", "ant2018", [(a, Facts()) for a in arts[i:i + 500]])
    return time.perf_counter() - t0


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / _TICK


def _searches() -> list[tuple[str, dict]]:
    out = []
    for q in QUERIES:
        for f in FILTERS:
            kw = {k: (v == "true") if k == "facets" else v for k, v in f.items()}
            out.append((q, {**kw, "limit": 10}))
    return out


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    if shared("data", "ant2018") is None:
        return
    admin = pg.admin_url()
    if admin is None:
        return
    import psycopg

    from marsad.store import open_store
    from marsad.store.postgres import PostgresStore

    arts = _articles(N)
    searches = _searches()
    print(f"   {len(arts)} ANT articles (Feb-Mar, Jun); {len(searches)} searches x {ROUNDS} rounds", flush=True)
    with tempfile.TemporaryDirectory() as tmp, pg.database(admin, "marsad_bench_pgsearch") as url:
        sq_path = os.path.join(tmp, "s.db")
        print(f"   load: SQLite {_load(sq_path, arts):.1f} s, PostgreSQL {_load(url, arts):.1f} s wall", flush=True)
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("VACUUM ANALYZE")
        with open_store(sq_path) as sq, PostgresStore(url, pool_size=1) as store, \
                psycopg.connect(admin, autocommit=True) as con:
            dbname = url.rsplit("/", 1)[1]
            store.max_seq()  # the pool's one connection is open
            pids = [r[0] for r in con.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                              (dbname,)).fetchall()]
            assert len(pids) == 1, pids
            backend = pids[0]
            differ = 0
            for q, kw in searches:  # warm-up, and the answers compared with SQLite's
                if store.search(q, **kw).to_dict() != sq.search(q, **kw).to_dict():
                    differ += 1
            print(f"   answers differing from SQLite's: {differ} of {len(searches)}", flush=True)
            for name, s, pid in (("SQLite", sq, None), ("PostgreSQL", store, backend)):
                cpu, server, wall = [], [], []
                for _ in range(ROUNDS):
                    for q, kw in searches:
                        c0, w0 = time.process_time(), time.perf_counter()
                        b0 = _cpu(pid) if pid else 0.0
                        s.search(q, **kw)
                        wall.append(time.perf_counter() - w0)
                        cpu.append(time.process_time() - c0)
                        if pid:
                            server.append(_cpu(pid) - b0)
                line = (f"   {name:<10} a query: marsad CPU {statistics.mean(cpu) * 1e3:.1f} ms,"
                        f" wall mean {statistics.mean(wall) * 1e3:.1f} ms, p50 {_pct(wall, 50) * 1e3:.1f},"
                        f" p95 {_pct(wall, 95) * 1e3:.1f}, max {max(wall) * 1e3:.1f} ms")
                if server:
                    line += f"; server CPU {statistics.mean(server) * 1e3:.1f} ms"
                print(line, flush=True)
        with open_store(sq_path) as sq, open_store(url) as store:
            for name, s in (("SQLite", sq), ("PostgreSQL", store)):
                print(f"   {name:<10} {THREADS} threads: {_concurrent(s, searches)}", flush=True)


def _concurrent(store, searches: list[tuple[str, dict]]) -> str:
    walls: list[float] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        mine = []
        for q, kw in searches[i:] + searches[:i]:
            w0 = time.perf_counter()
            store.search(q, **kw)
            mine.append(time.perf_counter() - w0)
        with lock:
            walls.extend(mine)

    threads = [threading.Thread(target=client, args=(i * 25,)) for i in range(THREADS)]
    c0, w0 = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return (f"{len(walls) / wall:.0f} searches/s, wall p50 {_pct(walls, 50) * 1e3:.0f} ms,"
            f" p95 {_pct(walls, 95) * 1e3:.0f} ms; marsad CPU {cpu / len(walls) * 1e3:.1f} ms a search")
