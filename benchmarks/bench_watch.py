"""Fetch + analyze throughput of `marsad watch` against local sites, with the per-host limit kept.

SITES local news sites (one HTTP server each on its own 127.0.0.1 port, so each is its own
host to the fetcher) each serve robots.txt, an RSS feed of PAGES articles and the article
pages. The article texts are real ANT articles (March 2018 and earlier; April and May are
never used) when ../shared is present, otherwise short fictional ones. First a round that only
fetches (pages recorded, not analysed: what politeness alone costs); then one watch round fetches
and analyses every article (facts on, embeddings off, as `marsad serve` ingests); a second
round shows what an unchanged site costs (conditional GETs answered 304, nothing fetched).

The per-host limit is checked from the servers' own logs: the smallest gap between two
requests to one site must not be under DELAY.

Scale with MARSAD_BENCH_WATCH=SITESxPAGES (default 20x50) and MARSAD_BENCH_WATCH_DELAY
(seconds between requests to one host; default 1.0, marsad's default).
"""

from __future__ import annotations

import email.utils
import gzip
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import ANT, peak_rss_mb

FICTION = [
    "أعلنت بلدية المدينة بدء أعمال صيانة واسعة في شبكة الطرق الداخلية تستمر ثلاثة أشهر.",
    "وقال رئيس البلدية إن المشروع يشمل إعادة تأهيل الأرصفة وتركيب إنارة موفرة للطاقة.",
    "وأضاف أن كلفة الأعمال تبلغ نحو خمسة ملايين دينار تمولها الحكومة والبلدية مناصفة.",
    "ودعا السائقين إلى استخدام الطرق البديلة خلال ساعات الذروة لتجنب الازدحام.",
]


def _articles(n: int) -> list[tuple[str, str, str]]:
    """(title, body, RFC-2822 date) for n articles."""
    out: list[tuple[str, str, str]] = []
    if ANT.exists():
        with gzip.open(ANT, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                try:
                    when = email.utils.parsedate_to_datetime(rec.get("time") or "")
                except (TypeError, ValueError):
                    continue
                if when.year == 2018 and when.month in (4, 5):  # reserved for evaluation
                    continue
                if len(rec.get("text") or "") < 300:
                    continue
                out.append((rec["title"], rec["text"], rec["time"]))
                if len(out) >= n:
                    return out
    while len(out) < n:
        i = len(out)
        out.append((f"أعمال صيانة في شبكة الطرق رقم {i}", "\n".join(f"{s} ({i})" for s in FICTION),
                    "Mon, 12 Mar 2018 10:00:00 +0000"))
    return out


class _Site:
    def __init__(self, index: int, articles: list[tuple[str, str, str]]):
        self.log: list[float] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                with site.lock:
                    site.log.append(time.monotonic())
                status, ctype, body = site.route(self.path, self.headers.get("If-None-Match"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status in (200, 304):
                    self.send_header("ETag", '"v1"')
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.pages = {}
        items = []
        for j, (title, text, date) in enumerate(articles):
            path = f"/{index}/{j}.html"
            paras = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
            self.pages[path] = (f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head>'
                                f"<body><article><h1>{title}</h1>{paras}</article></body></html>").encode()
            items.append(f"<item><title>{title}</title><link>{self.base}{path}</link><pubDate>{date}</pubDate></item>")
        self.feed = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>site</title>'
                     + "".join(items) + "</channel></rss>").encode()

    def route(self, path: str, inm: str | None) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /admin/\n"
        if path == "/rss.xml":
            if inm == '"v1"':
                return 304, "application/rss+xml", b""
            return 200, "application/rss+xml", self.feed
        if path in self.pages:
            return 200, "text/html; charset=utf-8", self.pages[path]
        return 404, "text/plain", b"not found"

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _NullSink:
    def ingest(self, raws):
        return [], []

    def finish(self):
        pass


def _serve(conn, n_sites: int, n_pages: int, texts: list[tuple[str, str, str]]) -> None:
    """The sites, in a process of their own: their request times are then not delayed by the
    analysis running in the benchmark's process (one GIL), so the gaps they log are real."""
    sites = [_Site(i, texts[i * n_pages:(i + 1) * n_pages]) for i in range(n_sites)]
    for s in sites:
        s.start()
    conn.send([s.base for s in sites])
    while True:
        msg = conn.recv()
        if msg == "logs":
            conn.send([list(s.log) for s in sites])
        else:
            break
    for s in sites:
        s.stop()


def main() -> None:
    from marsad.fetch import FetchConfig, Fetcher, PipelineSink, Source, Watcher
    from marsad.store import Store

    n_sites, n_pages = (int(x) for x in os.environ.get("MARSAD_BENCH_WATCH", "20x50").lower().split("x"))
    delay = float(os.environ.get("MARSAD_BENCH_WATCH_DELAY", "1.0"))
    texts = _articles(n_sites * n_pages)
    real = ANT.exists()
    import multiprocessing as mp

    parent, child = mp.Pipe()
    server = mp.get_context("fork").Process(target=_serve, args=(child, n_sites, n_pages, texts), daemon=True)
    server.start()
    bases = parent.recv()
    print(f"   {n_sites} sites x {n_pages} articles ({'real ANT texts' if real else 'fictional texts'}), "
          f"per-host delay {delay} s, concurrency 8")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # fetching alone (pages recorded, nothing analysed): what the politeness costs
            bare = Store(Path(tmp) / "fetch-only.db")
            config0 = FetchConfig(delay=delay, allow_hosts=frozenset({"127.0.0.1"}), contact="bench@example.org")
            t0 = time.perf_counter()
            with Fetcher(config0) as fetcher:
                fetched = Watcher(bare, [Source(name=f"site{i}", feeds=[b + "/rss.xml"]) for i, b in enumerate(bases)],
                                  _NullSink(), fetcher, max_age=None).run_round().fetched
            wall0 = time.perf_counter() - t0
            print(f"   fetch only: {fetched} pages in {wall0:.1f} s ({fetched / wall0:.1f} pages/s)")
            bare.close()
            parent.send("logs")
            skip = [len(log) for log in parent.recv()]  # requests of the fetch-only run
            store = Store(Path(tmp) / "watch.db")
            sources = [Source(name=f"site{i}", outlet=f"site{i}", feeds=[b + "/rss.xml"])
                       for i, b in enumerate(bases)]
            config = FetchConfig(delay=delay, allow_hosts=frozenset({"127.0.0.1"}), contact="bench@example.org")
            sink = PipelineSink(store, use_embeddings=False, with_facts=True)
            cpu0, t0 = time.process_time(), time.perf_counter()
            with Fetcher(config) as fetcher:
                report = Watcher(store, sources, sink, fetcher, max_age=None).run_round()  # 2018 dates
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            stored = len(report.stored)
            floor = n_pages * delay  # one host's pages at one request per `delay`
            print(f"   round 1: {report.fetched} pages fetched, {stored} articles stored in {wall:.1f} s "
                  f"({stored / wall:.1f} articles/s; CPU {cpu:.1f} s = {1000 * cpu / max(1, stored):.0f} ms "
                  f"an article); the per-host limit alone needs >= {floor:.0f} s")
            parent.send("logs")
            logs = parent.recv()
            gaps = []
            for log, n in zip(logs, skip):
                ts = sorted(log[n:])  # round 1 only (the fetch-only run used another fetcher)
                gaps += [b - a for a, b in zip(ts, ts[1:])]
            print(f"   smallest gap between two requests to one host: {min(gaps):.3f} s (limit {delay} s)")
            before = sum(len(log) for log in logs)
            t1 = time.perf_counter()
            with Fetcher(config) as fetcher:
                again = Watcher(store, sources, sink, fetcher, max_age=None).run_round()
            parent.send("logs")
            after = sum(len(log) for log in parent.recv())
            print(f"   round 2 (unchanged sites): {after - before} requests, "
                  f"{again.fetched} pages fetched, {len(again.stored)} stored, {time.perf_counter() - t1:.1f} s")
            print(f"   store holds {store.count_articles()} articles; peak memory {peak_rss_mb():.0f} MB")
            store.close()
    finally:
        parent.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
