"""What ``marsad watch`` and ``marsad serve --watch`` run: the watcher wired to a store and a
pipeline, stopped cleanly by SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading
from typing import Any, Callable

from marsad.fetch.http import FetchConfig, Fetcher
from marsad.fetch.sources import parse_every, sources_from_args
from marsad.fetch.watch import MAX_AGE, PipelineSink, RoundReport, ServiceSink, Watcher
from marsad.store import AnyStore, open_store

DEFAULT_EVERY = 600.0  # seconds between rounds: news sites update feeds every few minutes


def _settings(source_args: list[str], every: str | None, config: FetchConfig):
    sources, settings = sources_from_args(source_args)
    seconds = parse_every(every if every is not None else settings.get("every", DEFAULT_EVERY))
    if not config.contact and isinstance(settings.get("contact"), str):
        config.contact = settings["contact"]
    return sources, seconds, settings


def alert_round(store: AnyStore, report: RoundReport, settings: dict[str, Any], config: FetchConfig,
                say: Callable[[str], None]) -> None:
    """Check a round's new articles against the watchlists; deliver alerts to the webhook."""
    from marsad.alerts import deliver, raise_alerts

    watchlists = settings.get("watchlists") or []
    if not watchlists:
        return
    new = raise_alerts(store, watchlists, report.stored)
    if new:
        say(f"{len(new)} alerts: " + "; ".join(f"[{a['watchlist']}] {a['title']}" for a in new[:5]))
    if settings.get("webhook"):
        sent, errors = deliver(store, settings["webhook"], config.allow_hosts)
        if sent or errors:
            say(f"webhook: {sent} alerts delivered" + (f"; {errors[0]}" if errors else ""))


def round_lines(report: RoundReport) -> str:
    """One summary line for a round."""
    state = "stopped" if report.stopped else "done"
    extra = f", {report.resumed} resumed" if report.resumed else ""
    return (f"round {state} in {report.seconds:.1f} s: {report.fetched} pages fetched, "
            f"{len(report.stored)} articles stored{extra}")


def install_stop(stop: threading.Event, say: Callable[[str], None]) -> Callable[[], None]:
    """SIGTERM and SIGINT set ``stop``; a second signal interrupts at once (what was fetched
    is in the store and is ingested on the next start). Returns a function restoring the
    previous handlers."""
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        say("stopping: finishing the fetches under way and storing what was fetched "
            "(signal again to stop at once)")
        stop.set()

    for s in previous:
        signal.signal(s, handler)

    def restore() -> None:
        for s, h in previous.items():
            signal.signal(s, h)

    return restore


def watch(db: str, source_args: list[str], config: FetchConfig, every: str | None = None,
          once: bool = False, use_embeddings: bool = True, with_facts: bool = True,
          say: Callable[[str], None] = print, stop: threading.Event | None = None,
          max_age: float | None = MAX_AGE) -> int:
    """Watch the sources into the store at ``db`` until stopped (one round with ``once``);
    returns the number of articles stored. ``max_age``: seconds beyond which a dated listing
    entry is not fetched (None: any age)."""
    sources, seconds, settings = _settings(source_args, every, config)
    if not config.contact:
        say("warning: no --contact set; sites cannot reach whoever runs this monitor")
    stop = stop or threading.Event()
    stored = 0
    store = open_store(db)
    try:
        with Fetcher(config, stop=stop) as fetcher:
            sink = PipelineSink(store, use_embeddings=use_embeddings, with_facts=with_facts)
            watcher = Watcher(store, sources, sink, fetcher, say=say, max_age=max_age)

            def on_round(report: RoundReport) -> None:
                nonlocal stored
                stored += len(report.stored)
                say(round_lines(report))
                alert_round(store, report, settings, config, say)

            say(f"watching {len(sources)} sources" + ("" if once else f" every {seconds:.0f} s"))
            watcher.run(seconds, once=once, on_round=on_round)
    finally:
        store.close()
    return stored


def serve_and_watch(db: str, source_args: list[str], config: FetchConfig, every: str | None,
                    server: dict[str, Any], say: Callable[[str], None] = print) -> None:
    """Serve the API and dashboard and watch the sources in one process: the watcher hands
    what it fetches to the server's own pipeline; stopping the server stops the watcher."""
    import uvicorn

    from marsad.api import allowed_hosts, create_app, server_config

    sources, seconds, settings = _settings(source_args, every, config)
    app = create_app(db, token=server.get("token"), public_read=server.get("public_read", True),
                     use_embeddings=server.get("use_embeddings", False),
                     hosts=allowed_hosts(server["host"], server["port"], server.get("allow_hosts", ())))
    stop = threading.Event()
    store = open_store(db)
    fetcher = Fetcher(config, stop=stop)
    watcher = Watcher(store, sources, ServiceSink(app.state.service), fetcher, say=say)

    def loop() -> None:
        try:
            def on_round(report: RoundReport) -> None:
                say(round_lines(report))
                alert_round(store, report, settings, config, say)

            watcher.run(seconds, on_round=on_round)
        except Exception as exc:  # noqa: BLE001 -- the server goes on; the failure is shown
            say(f"error: the watcher stopped: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=loop, name="marsad-watch", daemon=True)

    class WatchingServer(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            # stop the watcher first, so what it fetched reaches the pipeline before the
            # server shuts its pipeline down (what does not is ingested on the next start)
            stop.set()
            thread.join(timeout=60)
            super().handle_exit(sig, frame)

    thread.start()
    try:
        WatchingServer(server_config(app, server["host"], server["port"], log_level="info")).run()
    finally:
        stop.set()
        thread.join(timeout=120)
        fetcher.close()
        store.close()
