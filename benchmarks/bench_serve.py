"""Serving under load: search latency at 50 concurrent clients while ingest runs, over loopback.

Set-up (printed with its timings):

* The ANT corpus (../shared/data/ant2018, Chouigui et al., AICCSA 2017) without its April and
  May 2018 articles (reserved for evaluation) is split: every 5th record is held out for live
  ingest, the rest (17,068 articles) is the base; a run during which the held-out
  records run out says so.
* The base is loaded through the FAST PATH: records become Articles directly (title, text,
  outlet, date) and go through ``add_input`` in batches of 500, which writes the articles
  and the full-text index; extraction and facts are skipped for them. The dedup/story state
  over them is then built once by the pipeline's catch-up (embeddings off, as the server runs)
  and checkpointed, so the server's ingest starts from it instead of replaying the base.
* The server runs ``marsad.api.create_app`` under uvicorn in its own process on 127.0.0.1
  (ingest pipeline with facts and embeddings off; background recomputation of stories off).
* Load, two runs of ``DURATION`` seconds each, 50 clients (one connection each) sending
  GET /api/search with a mix of Arabic words, phrases and filters. The load generator is wrk
  (C, epoll; ``/usr/bin/wrk``, Debian package ``wrk``) driven by a Lua script generated into
  the temporary directory, so that the clients do not take the CPU the server needs on a
  small machine; without wrk, 50 httpx.AsyncClient clients in this process (whose own
  scheduling adds most of the latency they measure on 2 cores). ``MARSAD_BENCH_CLIENTS=wrk,httpx``
  runs both, one after the other. Two runs per client:
  first with a think time (each client pauses a random time of mean ``THINK`` s between its
  searches, as people do), then back to back (no think time: the saturation throughput,
  where latency is simply clients / throughput). During both runs one more client POSTs the
  held-out records to /api/ingest in batches of ``INGEST_BATCH`` (the real pipeline: record
  extraction, cleaning, dedup, story assignment, store + index, in the server's worker process).
* The load average before and after, the server's CPU time per request and the load
  generator's CPU time are printed too: on a shared machine the wall-clock
  latencies depend on what else runs, the CPU cost does not.
* Afterwards: failed requests, articles before/after, and every id the ingest reported as
  stored is fetched back (no article lost) and the count matches.

* All of this runs once per backend (``MARSAD_BENCH_BACKENDS``, default ``sqlite,postgresql``):
  a SQLite file, then a PostgreSQL database (``MARSAD_BENCH_PG``, or a throw-away server
  started as the tests start one; see ``benchmarks/pg.py``), each loaded with the same base
  and ingesting the same held-out records; the latencies are printed side by side at the end.

Run: ``python -m benchmarks serve`` (about 1.5 minutes a backend here with wrk, 2.5 with both
clients).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import socket
import tempfile
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from benchmarks import pg
from benchmarks.common import ant_records, peak_rss_mb, shared
from marsad.store import is_postgres

CLIENTS = 50
DURATION = 30.0  # seconds of load per run
THINK = 1.0  # mean pause between one client's searches in the first run (s)
MAX_REQUESTS = 20_000
INGEST_BATCH = 25
# 1 in 5 held out (about 6,300 articles): with wrk the ingest, which then has the second core,
# stores about 95 articles/s in the think-time run, and 1 in 10 ran out in the second run.
HOLD_OUT_EVERY = 5
TOKEN = "bench-token"
SEED = 7
# One wrk thread drives the 50 connections: it used 1% of one core at 50 req/s (think time)
# and 6% at 1,600 req/s (none); a second thread would only take CPU from the server.
WRK_THREADS = 1
SERVER_TIMES = 10_000  # the server keeps the times of its last 10,000 searches (api.py)

# Queries a newsroom would type over 2018 news: single words (clitic and hamza variants),
# names, phrases, and some with filters.
QUERIES = [
    "ترامب", "الرئيس الأمريكي", "السعودية", "قطر", "إيران", "ايران", "النفط", "أسعار النفط",
    '"كأس العالم"', "محمد صلاح", "الحوثيين", "سوريا", "الغوطة الشرقية", "الأمم المتحدة",
    "البنك المركزي", "الانتخابات", "مجلس الأمن", '"ولي العهد"', '"كوريا الشمالية"', "روسيا",
    "وروسيا", "تركيا", "بتركيا", "العراق", "لبنان", "الاتحاد الأوروبي", "مصر", "الإمارات",
    "القدس", "فلسطين", "فيلم", "الدوري الإسباني", "برشلونة", "ريال مدريد", "الاقتصاد",
    "البورصة", "الذكاء الاصطناعي", "هاتف", "أبل", "فيسبوك", "الصين", "بوتين", "ماكرون",
    "اللاجئين", "الإرهاب", "داعش", "الجيش", "المعارضة", "الحكومة", "البرلمان",
]
FILTERS = [{}, {}, {}, {}, {"outlet": "skynews"}, {"outlet": "BBC"},
           {"date_from": "2018-03-01", "date_to": "2018-04-30"}, {"facets": "true"}]


def _published(r: dict) -> str | None:
    try:
        return parsedate_to_datetime(r["time"]).isoformat()
    except Exception:  # a record without a parsable date stays undated
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_base(db: str, records: list[dict], state: dict[str, tuple[int, bytes]] | None = None,
              ) -> tuple[float, float, dict[str, tuple[int, bytes]]]:
    """Fast path: Articles straight into the store at URL ``db`` (+ search index), then the
    dedup/story state over them: built by the pipeline's own catch-up (every base article
    placed, as a run over them would; the server's pipeline then starts from that checkpoint
    instead of replaying 25,000 articles on the first ingest), or ``state`` saved as given
    (the same articles in the same order in another store). Returns (seconds loading,
    seconds building the state, the state)."""
    from marsad.model import Article, Facts
    from marsad.pipeline import DEDUP_STATE, STORIES_STATE, Pipeline
    from marsad.store import open_store

    t0 = time.perf_counter()
    store = open_store(db)
    batch = []
    for i, r in enumerate(records):
        batch.append((Article(id=r["docno"], origin=r.get("url") or r["docno"], title=r.get("title") or "",
                              text=r.get("text") or "", outlet=r.get("source"), published=_published(r),
                              url=r.get("url")), Facts()))
        if len(batch) == 500:
            store.add_input(f"ant-base-{i}", "ant2018", batch)
            batch = []
    if batch:
        store.add_input("ant-base-last", "ant2018", batch)
    t1 = time.perf_counter()
    if state is None:
        Pipeline(store, use_embeddings=False, with_facts=False)  # places the base, checkpoints it
        state = store.load_states([DEDUP_STATE, STORIES_STATE])
    else:
        # the same articles in the same order: the state covers everything stored here
        store.save_states({k: v for k, (_, v) in state.items()}, store.max_seq())
    store.close()
    return t1 - t0, time.perf_counter() - t1, state


def _serve(db: str, port: int) -> None:
    import uvicorn

    from marsad.api import create_app, server_config

    app = create_app(db, token=TOKEN, with_facts=False, use_embeddings=False, auto_finish=False)
    uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning", access_log=False)).run()


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def _new_ingest() -> dict:
    return {"stored": [], "skipped": 0, "errors": 0, "failed": 0, "batches": 0, "lat": [],
            "t0": time.perf_counter(), "ran_out_s": None}


async def _ingester(base: str, batches: list[list[dict]], running, ingest: dict) -> None:
    """POST ``batches`` (consumed from the front) to /api/ingest while ``running()``."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120.0,
                                 headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        while batches and running():
            recs = batches.pop(0)
            t0 = time.perf_counter()
            try:
                resp = await c.post("/api/ingest", params={"finish": "none"}, json=recs)
                ingest["lat"].append(time.perf_counter() - t0)
                ingest["batches"] += 1
                if resp.status_code in (200, 201):
                    body = resp.json()
                    ingest["stored"] += body["stored"]
                    ingest["skipped"] += body["skipped"]
                    ingest["errors"] += len(body["errors"])
                else:
                    ingest["failed"] += 1
                    if ingest["failed"] == 1:
                        print(f"   ingest HTTP {resp.status_code}: {resp.text[:300]}")
            except httpx.HTTPError as exc:
                ingest["failed"] += 1
                print(f"   ingest error: {type(exc).__name__}: {exc}")
    if not batches and running():
        ingest["ran_out_s"] = time.perf_counter() - ingest["t0"]


async def _run_load(base: str, batches: list[list[dict]], think: float, duration: float) -> dict:
    """``CLIENTS`` clients searching for ``duration`` s, each pausing a random time of mean
    ``think`` s (exponential; 0: back to back) between searches, while one client POSTs the
    ``batches`` (consumed from the front) to /api/ingest."""
    import httpx

    lat: list[float] = []
    failures: dict[str, int] = {}
    stop_at = time.perf_counter() + duration
    sent = 0
    ingest = _new_ingest()

    def fail(kind: str) -> None:
        failures[kind] = failures.get(kind, 0) + 1

    async def client(i: int) -> None:
        nonlocal sent
        r = random.Random(SEED * 1000 + i + int(think * 100))
        async with httpx.AsyncClient(base_url=base, timeout=30.0,
                                     limits=httpx.Limits(max_connections=1)) as c:
            if think:  # spread the first requests over one think time
                await asyncio.sleep(r.uniform(0, think))
            while time.perf_counter() < stop_at and sent < MAX_REQUESTS:
                sent += 1
                params = {"q": r.choice(QUERIES), "limit": "10", **r.choice(FILTERS)}
                t0 = time.perf_counter()
                try:
                    resp = await c.get("/api/search", params=params)
                    dt = time.perf_counter() - t0
                    if resp.status_code != 200:
                        fail(f"HTTP {resp.status_code}")
                    else:
                        lat.append(dt)
                except httpx.HTTPError as exc:
                    fail(type(exc).__name__)
                if think:
                    await asyncio.sleep(r.expovariate(1 / think))

    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(_ingester(base, batches, lambda: time.perf_counter() < stop_at, ingest),
                         *(client(i) for i in range(CLIENTS)))
    ms = [x * 1000 for x in lat]
    pcts = {p: _pct(ms, p) for p in (50, 95, 99)} | {"max": max(ms, default=float("nan"))}
    return {"n": len(lat) + sum(failures.values()), "pcts": pcts, "failures": failures,
            "wall": time.perf_counter() - t0, "ingest": ingest,
            "client_cpu": time.process_time() - cpu0}  # this process: the clients and the ingest POSTs


_WRK_LUA = r"""-- generated by benchmarks/bench_serve.py: marsad search load for wrk
local QUERIES = {%(queries)s}
local FILTERS = {%(filters)s}
local THINK_MS = %(think_ms)d
local SEED = %(seed)d

local function enc(s)
  return (string.gsub(s, "[^%%w%%-%%._~]", function(c) return string.format("%%%%%%02X", string.byte(c)) end))
end

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(SEED * 1000 + tid + THINK_MS)
  non2xx = 0
end

function request()
  local path = "/api/search?q=" .. enc(QUERIES[math.random(#QUERIES)]) .. "&limit=10" .. FILTERS[math.random(#FILTERS)]
  return wrk.format("GET", path)
end

-- think time: exponential with mean THINK_MS (also before a connection's first request,
-- which spreads the first requests)
function delay()
  if THINK_MS == 0 then return 0 end
  return math.floor(-THINK_MS * math.log(1 - math.random()))
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local n2 = 0
  for _, t in ipairs(threads) do n2 = n2 + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format("MARSAD_WRK requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d p99_us=%%d max_us=%%d " ..
    "connect=%%d read=%%d write=%%d status=%%d timeout=%%d non2xx=%%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, n2))
end
"""


def _lua_str(s: str) -> str:
    """A Lua string literal for ``s`` (UTF-8 bytes as decimal escapes: no quoting issue)."""
    return '"' + "".join(f"\\{b}" for b in s.encode("utf-8")) + '"'


def _wrk_script(tmp: str, think: float) -> str:
    from urllib.parse import urlencode

    filters = ["&" + urlencode(f) if f else "" for f in FILTERS]
    path = os.path.join(tmp, f"search-{int(think * 1000)}.lua")
    Path(path).write_text(_WRK_LUA % {
        "queries": ", ".join(_lua_str(q) for q in QUERIES),
        "filters": ", ".join(_lua_str(f) for f in filters),
        "think_ms": int(think * 1000), "seed": SEED}, encoding="utf-8")
    return path


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


async def _run_wrk(wrk: str, tmp: str, base: str, batches: list[list[dict]], think: float,
                   duration: float) -> dict:
    """wrk with ``CLIENTS`` connections for ``duration`` s (think time as in ``_run_load``),
    while one httpx client in this process POSTs the ``batches`` to /api/ingest."""
    script = _wrk_script(tmp, think)
    ingest = _new_ingest()
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        wrk, f"-t{WRK_THREADS}", f"-c{CLIENTS}", f"-d{int(duration)}s", "--timeout", "10s",
        "-s", script, base, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    running = [True]
    ing = asyncio.ensure_future(_ingester(base, batches, lambda: running[0], ingest))
    out = (await proc.communicate())[0].decode("utf-8", "replace")
    wall = time.perf_counter() - t0
    running[0] = False
    await ing
    m = re.search(r"^MARSAD_WRK (.*)$", out, re.M)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}):\n{out[-2000:]}")
    v = {k: int(x) for k, x in (kv.split("=") for kv in m.group(1).split())}
    failures = {k: v[k] for k in ("connect", "read", "write", "timeout") if v[k]}
    if v["non2xx"] or v["status"]:  # wrk counts >= 400 as status errors, the script any non-2xx
        failures["non-2xx"] = max(v["non2xx"], v["status"])
    return {"n": v["requests"] + sum(v[k] for k in ("connect", "read", "write", "timeout")), "wall": v["duration_us"] / 1e6, "failures": failures, "ingest": ingest,
            "pcts": {p: v[f"p{p}_us"] / 1000 for p in (50, 95, 99)} | {"max": v["max_us"] / 1000},
            "client_cpu": _children_cpu() - cpu0, "ingest_wall": wall}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _report(name: str, res: dict, server_cpu: float) -> None:
    n_fail = sum(res["failures"].values())
    n = res["n"]
    print(f"   [{name}] {n} searches in {res['wall']:.1f} s ({n / res['wall']:.0f} req/s); "
          f"server CPU {server_cpu / max(n, 1) * 1000:.1f} ms per request "
          f"({server_cpu / res['wall'] * 100:.0f}% of one core)"
          + (f"; load generator CPU {res['client_cpu'] / res['wall'] * 100:.0f}% of one core"
             if res.get("client_cpu") is not None else ""))
    p = res["pcts"]
    if res["n"]:
        print(f"   [{name}] search latency ms: p50 {p[50]:.1f}  p95 {p[95]:.1f}  "
              f"p99 {p[99]:.1f}  max {p['max']:.1f}   (goal p95 < 100)")
    sm = res.get("server_ms")
    if sm:
        last = f" (its last {SERVER_TIMES} searches)" if n > SERVER_TIMES else ""
        print(f"   [{name}] of which inside the server{last} (request in to response out): p50 {sm['p50']}  "
              f"p95 {sm['p95']}  p99 {sm['p99']} ms")
    print(f"   [{name}] failed search requests: {n_fail} {res['failures'] or ''}")
    ing = res["ingest"]
    il = [x * 1000 for x in ing["lat"]]
    print(f"   [{name}] ingest in parallel: {ing['batches']} POSTs, {len(ing['stored'])} articles stored, "
          f"{ing['skipped']} skipped, {ing['errors']} input errors, {ing['failed']} failed requests"
          + (f"; POST p50 {_pct(il, 50):.0f} ms, p95 {_pct(il, 95):.0f} ms" if il else "")
          + (f"; held-out records ran out after {ing['ran_out_s']:.0f} s" if ing["ran_out_s"] is not None
             else ""))


async def _count(base: str) -> int:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60.0) as c:
        return (await c.get("/api/stats")).json()["articles"]


async def _check_stored(base: str, ids: list[str]) -> int:
    """How many of ``ids`` cannot be fetched back."""
    import httpx

    missing = 0
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as c:
        for aid in ids:
            r = await c.get(f"/api/articles/{aid}")
            if r.status_code != 200:
                missing += 1
    return missing


def _serve_backend(label: str, db: str, tmp: str, base_recs: list[dict], held: list[dict],
                   clients: list[str], wrk: str | None, state: dict | None = None,
                   ) -> tuple[list[tuple[str, dict, float]], dict]:
    """Load the base into the store at ``db``, serve it and run the loads; the runs and the
    dedup/story state of the base."""
    import httpx

    secs, state_secs, state = load_base(db, base_recs, state)
    size_mb = pg.size_mb(db) if is_postgres(db) else Path(db).stat().st_size / 1e6
    print(f"   [{label}] base: {len(base_recs)} ANT articles loaded by the fast path (store + search index) "
          f"in {secs:.1f} s ({len(base_recs) / secs:.0f} articles/s); store {size_mb:.0f} MB; dedup/story "
          f"state over them {state_secs:.1f} s", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = mp.get_context("spawn").Process(target=_serve, args=(db, port))
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/stats", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or not proc.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        # one warm-up query per query string (first-use caches), not measured
        with httpx.Client(base_url=base, timeout=60) as c:
            for q in QUERIES:
                c.get("/api/search", params={"q": q, "limit": "10"})
        before = asyncio.run(_count(base))
        batches = []
        for k in range(0, len(held), INGEST_BATCH):
            recs = [{"title": r.get("title") or "", "text": r.get("text") or "", "url": r.get("url"),
                     "date": r.get("time"), "source": r.get("source")} for r in held[k:k + INGEST_BATCH]]
            batches.append([x for x in recs if x["text"].strip()])
        runs = []
        for client in clients:
            for name, think in (("think 1 s", THINK), ("no think time", 0.0)):
                c0 = _cpu_seconds(proc.pid)
                if client == "wrk":
                    res = asyncio.run(_run_wrk(wrk, tmp, base, batches, think, DURATION))
                else:
                    res = asyncio.run(_run_load(base, batches, think, DURATION))
                cpu = _cpu_seconds(proc.pid) - c0
                res["server_ms"] = httpx.get(base + "/api/stats", params={"window": max(1, res["n"])},
                                             timeout=60).json().get("search_server_ms")
                runs.append((f"{client}, {name}", res, cpu))
        after = asyncio.run(_count(base))
        stored = [aid for _, res, _ in runs for aid in res["ingest"]["stored"]]
        missing = asyncio.run(_check_stored(base, stored))
    finally:
        proc.terminate()
        proc.join(timeout=10)
    for name, res, cpu in runs:
        _report(f"{label}, {name}", res, cpu)
    print(f"   [{label}] articles before {before}, after {after}: +{after - before} (ingest reported "
          f"{len(stored)} stored); lost: {len(stored) - (after - before) + missing} "
          f"({missing} reported ids not found)", flush=True)
    return runs, state


def main() -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return

    wrk = shutil.which("wrk")
    wanted = [c.strip() for c in os.environ.get("MARSAD_BENCH_CLIENTS", "wrk").split(",") if c.strip()]
    clients = [c for c in wanted if c in ("wrk", "httpx") and (c != "wrk" or wrk)]
    if "wrk" in wanted and not wrk:
        print("   wrk not found (Debian package wrk): the load comes from httpx clients in this process")
    clients = clients or ["httpx"]
    backends = [b.strip() for b in os.environ.get("MARSAD_BENCH_BACKENDS", "sqlite,postgresql").split(",")]
    load0 = os.getloadavg()
    records = [r for r in ant_records() if parsedate_to_datetime(r["time"]).month not in (4, 5)]
    held = [r for i, r in enumerate(records) if i % HOLD_OUT_EVERY == 0]
    base_recs = [r for i, r in enumerate(records) if i % HOLD_OUT_EVERY != 0]
    rng = random.Random(SEED)
    rng.shuffle(held)
    desc = {"wrk": f"wrk -t{WRK_THREADS} -c{CLIENTS} (C, epoll), a separate process",
            "httpx": f"{CLIENTS} httpx.AsyncClient clients in the bench process"}
    print(f"   {CLIENTS} concurrent clients over 127.0.0.1, {DURATION:.0f} s per run; load from "
          + "; then ".join(desc[c] for c in clients)
          + f"; queries: {len(QUERIES)} words/phrases x {len(FILTERS)} filter sets", flush=True)
    by_backend: dict[str, list[tuple[str, dict, float]]] = {}
    state = None  # the base's dedup/story state, built on the first backend, copied to the next
    with tempfile.TemporaryDirectory(prefix="marsad-bench-serve-") as tmp:
        if "sqlite" in backends:
            # each backend ingests the same held-out records, from the first
            by_backend["SQLite"], state = _serve_backend("SQLite", os.path.join(tmp, "serve.db"), tmp,
                                                         base_recs, list(held), clients, wrk)
        admin = pg.admin_url() if "postgresql" in backends else None
        if admin is not None:
            with pg.database(admin, "marsad_bench_serve") as url:
                by_backend["PostgreSQL"], state = _serve_backend("PostgreSQL", url, tmp, base_recs, list(held),
                                                                 clients, wrk, state)
    load1 = os.getloadavg()
    print(f"   load average (1/5/15 min) {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f} before, "
          f"{load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f} after, on {os.cpu_count()} cores")
    if by_backend:
        names = list(by_backend)
        print("   search latency under load, ms (p50 / p95 / p99), ingest running alongside:")
        print("     " + f"{'run':<24}" + "".join(f"{n:>26}" for n in names))
        for i, (run, _, _) in enumerate(next(iter(by_backend.values()))):
            cells = []
            for n in names:
                p = by_backend[n][i][1]["pcts"]
                cells.append(f"{p[50]:7.1f} / {p[95]:6.1f} / {p[99]:6.1f}")
            print("     " + f"{run:<24}" + "".join(f"{c:>26}" for c in cells))
    print(f"   bench process peak memory {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
