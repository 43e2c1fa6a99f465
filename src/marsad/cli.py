"""The ``marsad`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from marsad import __version__
from marsad.budget import DEFAULT_TIME_LIMIT
from marsad.errors import MarsadError

app = typer.Typer(
    name="marsad",
    help="marsad (مرصد): read Arabic news from many outlets, fold syndicated copies, group "
    "articles into stories, extract who said what with evidence, and write cited briefs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)

out = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        print(f"marsad {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """marsad (مرصد): an offline observatory for Arabic news.

    Start with `marsad analyze DIR --db news.db --html report.html`, then
    `marsad story ID --db news.db` to read one story, or `marsad serve --db news.db`.
    """


@app.command()
def analyze(
    paths: List[str] = typer.Argument(..., help="Files, directories or globs: .txt, .html/.htm, "
                                      ".json/.jsonl (title/text/url/date/source), TREC-style .xml."),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write the full result as JSON "
                                           "(docs/CONTRACT.md) to FILE, or '-' for standard output."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained "
                                            "right-to-left HTML report of every story to FILE."),
    db: str = typer.Option(":memory:", "--db", help="Store to add to: a SQLite file (created if missing) or postgresql://... URL. "
                           "Without it the run is kept in memory only."),
    embeddings: bool = typer.Option(True, "--embeddings/--no-embeddings", help="Use multilingual "
                                    "sentence embeddings in story clustering (better, slower)."),
    facts: bool = typer.Option(True, "--facts/--no-facts", help="Extract entities, quotes, "
                               "claims and events."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes for extraction and facts."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS", help="Run extraction and "
                                       "facts on a Dask cluster instead: a scheduler address "
                                       "(tcp://host:8786) or local:N for N local worker processes. "
                                       "Needs pip install 'marsad[dask]'; the result is the same."),
    time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit", min=0, help="Seconds one input may take "
                                     "in extraction and facts; a slower one is reported as an error "
                                     "and the others go on (0: no limit)."),
    html_stories: int = typer.Option(300, "--html-stories", min=1, help="Show at most this many "
                                     "stories in the --html report (the most covered ones)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no summary."),
) -> None:
    """Read every input, run the whole pipeline and summarize the stories.

    The same input analyzed twice into the same --db adds nothing; a broken input is reported
    by name and the others are still processed (the exit status is 1 when any input failed).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from marsad.ingest import read_inputs
    from marsad.pipeline import Pipeline
    from marsad.store import open_store

    console = err if json_out == "-" else out
    try:
        with console.status("reading inputs…"):
            raws = list(read_inputs(paths))
        store = open_store(db)
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    try:
        pipeline = Pipeline(store, use_embeddings=embeddings, with_facts=facts, workers=workers,
                            time_limit=time_limit or None, dask=dask)
        show = not quiet and len(raws) >= 20 and console.is_terminal
        with Progress(TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=not show, transient=True) as bar:
            task = bar.add_task("analyze", total=len(raws))
            report = pipeline.ingest(raws, progress=lambda n: bar.advance(task, n))
        analysis = pipeline.finish()
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    finally:
        store.close()

    if json_out:
        from marsad.render.contract import write_contract_json, write_contract_json_file

        if json_out == "-":
            write_contract_json(analysis, __version__, sys.stdout)
            sys.stdout.write("\n")
        else:
            write_contract_json_file(analysis, __version__, json_out)
    if html_out:
        from marsad.render.html import write_html_file

        write_html_file(analysis, html_out, max_stories=html_stories)
    if not quiet:
        from marsad.summary import print_summary

        print_summary(console, analysis, report, json_out=json_out, html_out=html_out, db=db)
    for e in report.errors:
        _error(str(e))
    if report.errors:
        raise typer.Exit(1)


def _error(message: str) -> None:
    """One error line on standard error, never wrapped or read as markup (paths may hold [ ]);
    control characters are written escaped, so a file name holding a newline or an escape
    sequence cannot forge a line or drive the terminal."""
    from marsad.render.terminal import escaped

    err.print("[red]error:[/red] " + escape(escaped(message)), soft_wrap=True)


@app.command()
def story(
    story_id: str = typer.Argument(..., metavar="ID", help="Story id or a unique prefix of it."),
    db: str = typer.Option("marsad.db", "--db", help="Store written by `marsad analyze --db` (file or postgresql:// URL)."),
    markdown: bool = typer.Option(False, "--markdown", help="Print Markdown instead of the terminal view."),
) -> None:
    """Show one story's brief: cited summary, numbers, contradictions, who said what, timeline."""
    from marsad.pipeline import load_analysis
    from marsad.render.markdown import render_markdown
    from marsad.render.terminal import render_story

    try:
        analysis = load_analysis(db)
        if markdown:
            from marsad.render.terminal import printable_block

            sys.stdout.write(printable_block(render_markdown(analysis, story_id)))
        else:
            render_story(analysis, story_id, out)
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(1)


@app.command()
def pairs(
    file: str = typer.Argument(..., metavar="FILE.jsonl",
                               help='One {"text1": ..., "text2": ...} per line ("-" reads standard input).'),
    embeddings: bool = typer.Option(True, "--embeddings/--no-embeddings",
                                    help="Use sentence embeddings in the score (slower, better)."),
) -> None:
    """Score article pairs: prints {"score": s} per line, s in [0, 1] = how likely the two
    articles report the same story (the score story clustering uses)."""
    from marsad.errors import InputError
    from marsad.stories import same_story_scores

    try:
        if file == "-":
            lines = sys.stdin.read().splitlines()
        else:
            try:
                lines = Path(file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(file, f"cannot read: {exc}") from exc
        todo = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{file}:{n}", f"line {n} is not valid JSON ({exc.msg} at column {exc.colno})") from exc
            if not isinstance(rec, dict) or not isinstance(rec.get("text1"), str) or not isinstance(rec.get("text2"), str):
                raise InputError(f"{file}:{n}", f'line {n} needs an object with string fields "text1" and "text2"')
            todo.append((rec["text1"], rec["text2"]))
        scores = same_story_scores(todo, use_embeddings=embeddings)
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    sys.stdout.write("".join(json.dumps({"score": round(s, 4)}) + "\n" for s in scores))


@app.command()
def entities(
    conll: Path = typer.Option(..., "--conll", help="One token per line (`token` or `token TAG`); "
                               "a blank line ends a sentence."),
) -> None:
    """Tag named entities: prints `token TAG` per line, BIO over PERS, LOC, ORG, MISC."""
    from marsad.facts.entities import read_conll, tag_sentences

    try:
        sents = read_conll(conll)
        lines = []
        # the file is read as one document: a name is tagged alike wherever it recurs
        for i, (toks, tags) in enumerate(zip(sents, tag_sentences(sents))):
            if i:
                lines.append("")
            lines.extend(f"{t} {tag}" for t, tag in zip(toks, tags))
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")


@app.command()
def serve(
    db: str = typer.Option("marsad.db", "--db", help="Store: a SQLite file (created when missing) or a postgresql:// URL."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; loopback unless told otherwise."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    token: Optional[str] = typer.Option(None, "--token", envvar="MARSAD_TOKEN",
                                        help="Bearer token writes need (POST /api/ingest); none: read-only."),
    public_read: bool = typer.Option(True, "--public-read/--private-read",
                                     help="Whether reads (API and dashboard) need the token too."),
    embeddings: bool = typer.Option(False, "--embeddings/--no-embeddings",
                                    help="Sentence embeddings in story clustering of ingested articles."),
    allow_host: Optional[List[str]] = typer.Option(None, "--allow-host", help="A host name the server "
                                                   "answers to besides localhost/127.0.0.1/[::1] (NAME or "
                                                   "NAME:PORT; repeatable; '*' for any), e.g. the name a "
                                                   "reverse proxy forwards."),
    watch_sources: Optional[List[str]] = typer.Option(None, "--watch", metavar="SOURCE", help="Also watch "
                                                      "these sources (as `marsad watch`; repeatable)."),
    every: Optional[str] = typer.Option(None, "--every", help="With --watch: time between rounds."),
    contact: Optional[str] = typer.Option(None, "--contact", envvar="MARSAD_CONTACT",
                                          help="With --watch: an e-mail or URL put in the User-Agent."),
    fetch_allow_host: Optional[List[str]] = typer.Option(None, "--fetch-allow-host", help="With --watch: "
                                                         "as `marsad watch --allow-host`."),
    time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit", min=0, help="Seconds one "
                                     "ingested input may take, and one POST /api/ingest; what runs "
                                     "past it is reported in the answer's errors (0: no limit)."),
) -> None:
    """Serve the HTTP API (/api/, OpenAPI at /openapi.json) and the web dashboard (/)."""
    from marsad.api import serve as run_server

    if not public_read and not token:
        err.print("error: --private-read needs --token (or MARSAD_TOKEN)", markup=False)
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: listening on {host}: the API is reachable from other machines", markup=False)
    try:
        if watch_sources:
            from marsad.fetch.run import serve_and_watch

            serve_and_watch(db, watch_sources, _fetch_config(contact, fetch_allow_host, 1.0), every,
                            {"host": host, "port": port, "token": token, "public_read": public_read,
                             "use_embeddings": embeddings, "allow_hosts": allow_host or ()},
                            say=lambda line: err.print(line, markup=False, soft_wrap=True))
            return
        run_server(db, host=host, port=port, token=token, public_read=public_read, use_embeddings=embeddings,
                   allow_hosts=allow_host or (), time_limit=time_limit or None)
    except MarsadError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1)


def _fetch_config(contact: Optional[str], allow_host: Optional[List[str]], delay: float):
    from marsad.fetch import FetchConfig

    return FetchConfig(contact=contact, allow_hosts=frozenset(allow_host or ()), delay=delay)


_SOURCES_HELP = ("Sources files (TOML, see `marsad sources --help`) or feed, sitemap, URL-list "
                 "or article URLs (a page URL is read as one article: for a homepage, find its "
                 "feeds with `marsad sources discover URL`).")
_ALLOW_HELP = ("Fetch from this host even though it resolves to a loopback, private or "
               "link-local address (repeatable).")
_CONTACT_HELP = "An e-mail or URL put in the User-Agent, so sites can reach you."
_DELAY_HELP = "Seconds between two requests to one host (robots.txt Crawl-delay may ask more)."


@app.command()
def watch(
    sources: List[str] = typer.Argument(..., metavar="SOURCE...", help=_SOURCES_HELP),
    every: Optional[str] = typer.Option(None, "--every", help="Time between rounds: 90s, 10m, "
                                        "2h (default: the sources file's, else 10m)."),
    once: bool = typer.Option(False, "--once", help="Run one round and exit (for cron)."),
    db: str = typer.Option("marsad.db", "--db", help="Store: a SQLite file (created when missing) or a postgresql:// URL."),
    allow_host: Optional[List[str]] = typer.Option(None, "--allow-host", help=_ALLOW_HELP),
    contact: Optional[str] = typer.Option(None, "--contact", envvar="MARSAD_CONTACT", help=_CONTACT_HELP),
    delay: float = typer.Option(1.0, "--delay", min=0.0, help=_DELAY_HELP),
    max_age: str = typer.Option("7d", "--max-age", help="Skip listed articles dated older than this "
                                "(90m, 12h, 7d; 0: any age), so an archive sitemap is not crawled whole."),
    embeddings: bool = typer.Option(True, "--embeddings/--no-embeddings", help="Sentence "
                                    "embeddings in story clustering (better, slower)."),
    facts: bool = typer.Option(True, "--facts/--no-facts", help="Extract entities, quotes, claims and events."),
) -> None:
    """Watch outlets' feeds and sitemaps: every round fetches the new articles (politely:
    robots.txt, one request a second a host) and runs them through the pipeline into --db.

    Runs until SIGTERM or Ctrl-C, which finish the fetches under way and store them; a
    restart goes on where it stopped without fetching anything twice.
    """
    from marsad.fetch.run import install_stop, watch as run_watch

    import threading

    from marsad.fetch.sources import parse_every

    stop = threading.Event()
    restore = install_stop(stop, lambda line: err.print(line, markup=False))
    try:
        run_watch(db, sources, _fetch_config(contact, allow_host, delay), every=every, once=once,
                  use_embeddings=embeddings, with_facts=facts, stop=stop, max_age=parse_every(max_age) or None,
                  say=lambda line: err.print(line, markup=False, soft_wrap=True))
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    except KeyboardInterrupt:
        err.print("stopped at once; pages fetched are ingested on the next start", markup=False)
        raise typer.Exit(130)
    finally:
        restore()


@app.command()
def reextract(
    db: str = typer.Option(..., "--db", help="The store `marsad watch` wrote."),
    into: str = typer.Option(..., "--into", help="A new store to build (must not exist yet)."),
    embeddings: bool = typer.Option(True, "--embeddings/--no-embeddings", help="Sentence "
                                    "embeddings in story clustering (better, slower)."),
    facts: bool = typer.Option(True, "--facts/--no-facts", help="Extract entities, quotes, claims and events."),
) -> None:
    """Extract every watched page again from the bytes kept in --db (after marsad's extraction
    improved) into a new store, with the fetch state, so watching goes on from it."""
    from marsad.fetch.watch import PipelineSink
    from marsad.fetch.watch import reextract as run_reextract
    from marsad.store import is_postgres, open_store, store_exists

    if not store_exists(db):
        _error(f"{db}: no such store")
        raise typer.Exit(2)
    if not is_postgres(into) and store_exists(into):
        _error(f"{into}: already exists; --into must name a new store")
        raise typer.Exit(2)
    try:
        source, target = open_store(db), open_store(into)
        try:
            report = run_reextract(source, target, PipelineSink(target, use_embeddings=embeddings, with_facts=facts),
                                   say=lambda line: err.print(line, markup=False, soft_wrap=True))
        finally:
            source.close()
            target.close()
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    err.print(f"{report.resumed} pages extracted again, {len(report.stored)} articles stored in {into}",
              markup=False, soft_wrap=True)


sources_app = typer.Typer(help="Outlets to watch. A sources file is TOML: optional top-level "
                          "contact and every, then an array of outlet tables, each with a name, optionally an "
                          "outlet, and lists feeds, sitemaps, lists (URL lists) and urls; optionally watchlist "
                          "tables (name, entities, places, keywords) that raise alerts, and an alerts "
                          "table with a webhook. See examples/sources.toml.",
                          no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("discover")
def sources_discover(
    url: str = typer.Argument(..., help="A site's homepage."),
    name: Optional[str] = typer.Option(None, "--name", help="Outlet name for the printed entry."),
    allow_host: Optional[List[str]] = typer.Option(None, "--allow-host", help=_ALLOW_HELP),
    contact: Optional[str] = typer.Option(None, "--contact", envvar="MARSAD_CONTACT", help=_CONTACT_HELP),
) -> None:
    """Find a site's feeds (<link rel="alternate">) and sitemaps (robots.txt Sitemap: lines)
    and print them as a sources-file entry."""
    from marsad.fetch import Fetcher, discover

    try:
        with Fetcher(_fetch_config(contact, allow_host, 1.0)) as fetcher:
            found = discover(fetcher, url)
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    label = name or url

    def toml_list(items: list) -> str:
        return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"

    sys.stdout.write(f"[[outlet]]\nname = {json.dumps(label, ensure_ascii=False)}\n"
                     f"feeds = {toml_list(found['feeds'])}\nsitemaps = {toml_list(found['sitemaps'])}\n")
    if not found["feeds"] and not found["sitemaps"]:
        err.print(f"no feeds or sitemaps found at {url}", markup=False)
        raise typer.Exit(1)


@sources_app.command("status")
def sources_status(db: str = typer.Option("marsad.db", "--db", help="The store `marsad watch` writes.")) -> None:
    """Health of every watched listing: last fetch, status, errors, pages fetched per source."""
    from rich.table import Table

    from marsad.store import open_store, store_exists

    if not store_exists(db):
        _error(f"{db}: no such store")
        raise typer.Exit(2)
    try:
        store = open_store(db)
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    try:
        listings, pages = store.listing_states(), store.page_counts()
    finally:
        store.close()
    table = Table("source", "listing", "kind", "last fetch (UTC)", "status", "entries", "new articles", "error")
    for row in listings:
        table.add_row(escape(row["source"]), escape(row["url"]), row["kind"] or "", row["fetched_at"] or "",
                      str(row["status"] or ""), str(row["entries"]), str(row["new"]), escape(row["error"] or ""))
    out.print(table)
    for source, n in sorted(pages.items()):
        out.print(f"{escape(source)}: {n['pages']} pages fetched, {n['failed']} failed, "
                  f"{n['pending']} waiting for the pipeline", soft_wrap=True)


@app.command()
def export(
    db: str = typer.Option("marsad.db", "--db", help="The store to export."),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write the contract JSON (docs/CONTRACT.md) "
                                           "to FILE, or '-' for standard output."),
    csv_dir: Optional[Path] = typer.Option(None, "--csv", help="Write articles, stories, quotes, claims "
                                           "and events (with their evidence) as CSV files into DIR."),
    since_date: Optional[str] = typer.Option(None, "--since", metavar="DATE", help="Only articles "
                                             "published (or, undated, stored) on or after DATE "
                                             "(YYYY-MM-DD), their stories and facts."),
) -> None:
    """Export what a store holds: the contract JSON and CSV tables for spreadsheets."""
    import re as _re

    from marsad import export as ex
    from marsad.pipeline import load_analysis
    from marsad.render.contract import write_contract_json, write_contract_json_file
    from marsad.store import open_store

    if not json_out and not csv_dir:
        _error("nothing to do: give --json FILE|- and/or --csv DIR")
        raise typer.Exit(2)
    if since_date and not _re.fullmatch(r"\d{4}-\d{2}-\d{2}", since_date):
        _error(f"--since {since_date!r}: give a date as YYYY-MM-DD")
        raise typer.Exit(2)
    try:
        analysis = load_analysis(db)
        if since_date:
            store = open_store(db)
            try:
                analysis = ex.since(analysis, since_date, ex.stored_dates(store))
            finally:
                store.close()
    except MarsadError as exc:
        _error(str(exc))
        raise typer.Exit(2)
    if json_out == "-":
        write_contract_json(analysis, __version__, sys.stdout)
        sys.stdout.write("\n")
    elif json_out:
        write_contract_json_file(analysis, __version__, json_out)
    if csv_dir:
        for path in ex.write_csv(analysis, csv_dir):
            err.print(f"wrote {path}", markup=False, soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
