"""The readable summary ``marsad analyze`` prints."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

# The summary lists at most this many stories; the JSON and HTML outputs hold them all.
MAX_STORIES = 40

from marsad.model import Analysis
from marsad.render.terminal import printable


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
    stories = {s.id: s for s in analysis.stories}
    groups: list[tuple[str, list]] = []
    seen: set[str] = set()
    for line in analysis.storylines:
        members = [stories[i] for i in line.stories if i in stories]
        seen.update(s.id for s in members)
        if members:
            groups.append((line.title, members))
    loose = [s for s in analysis.stories if s.id not in seen]
    if loose:
        groups.append(("", loose))
    groups.sort(key=lambda g: -sum(len(s.articles) for s in g[1]))
    shown = 0
    for title, members in groups:
        if shown >= MAX_STORIES:
            break
        console.print()
        console.print(f"[bold]▌ {escape(printable(title))}[/bold]" if title else "[bold]▌ —[/bold]", soft_wrap=True)
        for s in sorted(members, key=lambda s: s.first_seen or ""):
            if shown >= MAX_STORIES:
                break
            shown += 1
            span = (s.first_seen or "?")[:10]
            if s.last_seen and s.last_seen[:10] != span:
                span += " → " + s.last_seen[:10]
            console.print(f"  • {escape(printable(s.title))}", soft_wrap=True)
            console.print(f"    [dim]{s.id} · {len(s.articles)} articles · {len(s.outlets)} outlets · "
                          f"{span}[/dim]", soft_wrap=True)
    if len(analysis.stories) > shown:
        console.print(f"… and {len(analysis.stories) - shown} more stories (see --json or --html).")
    wrote = [w for w in (json_out if json_out and json_out != "-" else None, html_out,
                         db if db != ":memory:" else None) if w]
    if wrote:
        console.print("wrote: " + ", ".join(str(w) for w in wrote))
