"""The readable summary ``marsad analyze`` prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from marsad.model import Analysis


def print_summary(console: Console, analysis: Analysis, report, json_out=None, html_out=None,
                  db: str = ":memory:") -> None:
    arts = analysis.articles
    dups = sum(1 for a in arts if a.duplicate_of)
    outlets = sorted({a.outlet for a in arts if a.outlet})
    n_quotes = sum(len(f.quotes) for f in analysis.facts.values())
    n_claims = sum(len(f.claims) for f in analysis.facts.values())
    n_events = sum(len(f.events) for f in analysis.facts.values())
    console.print(
        f"[bold]marsad[/bold]: {report.inputs} inputs → {len(report.stored)} new articles "
        f"({report.skipped} already stored, {len(report.errors)} failed); store holds {len(arts)} "
        f"articles from {len(outlets)} outlets, {dups} syndicated/duplicate copies.")
    console.print(f"{len(analysis.stories)} stories in {len(analysis.storylines)} storylines; "
                  f"{len(analysis.entities)} entities, {n_quotes} quotes, {n_claims} claims, "
                  f"{n_events} events.")
    by_line = {s.id: s.title for s in analysis.storylines}
    table = Table(show_lines=False, header_style="bold")
    table.add_column("story")
    table.add_column("title", overflow="fold")
    table.add_column("articles", justify="right")
    table.add_column("outlets", justify="right")
    table.add_column("first seen")
    table.add_column("last seen")
    table.add_column("storyline", overflow="fold")
    ordered = sorted(analysis.stories, key=lambda s: (-len(s.articles), s.first_seen or ""))
    for s in ordered[:30]:
        table.add_row(s.id[:14], s.title, str(len(s.articles)), str(len(s.outlets)),
                      (s.first_seen or "")[:10], (s.last_seen or "")[:10],
                      by_line.get(s.storyline or "", "") if s.storyline else "")
    if analysis.stories:
        console.print(table)
    if len(ordered) > 30:
        console.print(f"… and {len(ordered) - 30} more stories.")
    wrote = [w for w in (json_out if json_out and json_out != "-" else None, html_out,
                         db if db != ":memory:" else None) if w]
    if wrote:
        console.print("wrote: " + ", ".join(str(w) for w in wrote))
