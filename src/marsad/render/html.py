"""One self-contained right-to-left HTML report of an analysis.

The page has an index (storylines → stories), then for every story its brief (cited summary,
reconciled numbers, contradictions, who said what, timeline, sources) and the texts of its
articles. Every cited line links to ``#ev-<article>-<start>-<end>``, a ``<mark>`` around the
evidence inside the article text (``id="a-<article>"``). Inline CSS only: no fonts, scripts or
images are fetched from anywhere, and everything the data holds is escaped by Jinja2.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from marsad.briefs import build_briefs, iter_evidence
from marsad.model import Analysis, Article, Storyline
from marsad.render import common


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("marsad.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({
        "date": common.fmt_date,
        "day": lambda v: common.fmt_date(v, with_time=False),
        "num": common.fmt_number,
        "value": common.fmt_value,
        "outlet": common.outlet_name,
        "evid": common.ev_id,
    })
    env.globals.update({
        "EVENT_TYPES": common.EVENT_TYPES, "KINDS": common.KINDS, "STANCES": common.STANCES,
        "tl_label": common.timeline_label,
        "denial_parts": common.denial_parts,
        "is_paired": common.is_paired,
        "NOTES": common.NOTES,
        "counts_label": common.counts_label,
        "history_rows": common.history_rows,
        "is_web_url": lambda u: isinstance(u, str) and u.lower().startswith(("http://", "https://")),
    })
    return env


def highlight(text: str, spans: Iterable[tuple[int, int]], article_id: str) -> Markup:
    """``text`` escaped, with every span wrapped in ``<mark>``; the first piece of each span
    carries ``id="ev-<article>-<start>-<end>"``. Nested spans nest; a span that crosses another
    is closed and reopened around it (the reopened piece has no id), so the markup stays valid."""
    spans = sorted({(s, e) for s, e in spans if 0 <= s < e <= len(text)}, key=lambda x: (x[0], -x[1]))
    starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for sp in spans:
        starts[sp[0]].append(sp)
    bounds = sorted({0, len(text)} | {s for s, _ in spans} | {e for _, e in spans})
    out: list[str] = []
    stack: list[tuple[int, int]] = []
    pos = 0

    def open_(sp: tuple[int, int], first: bool) -> None:
        if first:
            eid = common.ev_id({"article": article_id, "start": sp[0], "end": sp[1]})
            out.append(f'<mark class="ev" id="{escape(eid)}">')
        else:
            out.append('<mark class="ev">')
        stack.append(sp)

    for b in bounds:
        out.append(str(escape(text[pos:b])))
        pos = b
        if any(e == b for _, e in stack):
            reopen = []
            while any(e == b for _, e in stack):
                sp = stack.pop()
                out.append("</mark>")
                if sp[1] != b:
                    reopen.append(sp)
            for sp in reversed(reopen):
                open_(sp, first=False)
        for sp in starts.get(b, []):
            open_(sp, first=True)
    assert not stack
    return Markup("".join(out))


def _article_view(a: Article, spans: list[tuple[int, int]]) -> dict[str, Any]:
    return {"a": a, "body": highlight(a.text, spans, a.id), "cited": len(spans)}


def story_views(analysis: Analysis) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]], set[str]]:
    """(index groups, story views, ids of the articles shown) for the templates.

    The views come one story at a time (a generator): the article texts with their evidence
    marked are built while the page is written, so a report of thousands of articles never
    holds them all at once. Which articles are shown is decided first, since a story's copy note
    links to an article shown under another story."""
    by_id = {a.id: a for a in analysis.articles}
    groups = common.storyline_groups(analysis)
    line_titles = {g["id"]: g["title"] for g in groups}
    missing = build_briefs(analysis, only_missing=True)
    briefs = {s.id: s.brief or missing.get(s.id, {}) for s in analysis.stories}

    spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for b in briefs.values():
        for ev in iter_evidence(b):
            spans[ev["article"]].add((ev["start"], ev["end"]))

    rendered: set[str] = set()
    plan = []
    for g in groups:
        for s in g["stories"]:
            b = briefs[s.id]
            arts = [by_id[i] for i in s.articles if i in by_id]
            order = {a["id"]: i for i, a in enumerate(b.get("sources", {}).get("articles", []))}
            arts.sort(key=lambda a: order.get(a.id, len(order)))
            shown = [a for a in arts if a.id not in rendered]  # an article of two stories is shown once
            rendered.update(a.id for a in shown)
            plan.append((g, s, b, shown))

    def views() -> Iterator[dict[str, Any]]:
        for g, s, b, shown in plan:
            yield {
                "s": s, "brief": b,
                "articles": [_article_view(a, sorted(spans.get(a.id, ()))) for a in shown],
                "outlets": common.story_outlets(s, analysis, by_id),
                "storyline_title": line_titles.get(g["id"]),
                "by_id": by_id,
            }

    return groups, views(), rendered


def select_stories(analysis: Analysis, max_stories: int) -> Analysis:
    """The ``max_stories`` most covered stories (most outlets, then most articles, then the
    latest) with only their storylines, articles and facts, for a report of bounded size."""
    if len(analysis.stories) <= max_stories:
        return analysis
    ranked = sorted(analysis.stories, key=lambda s: (len(s.outlets), len(s.articles), s.last_seen or ""),
                    reverse=True)
    keep = ranked[:max_stories]
    kept_ids = {s.id for s in keep}
    article_ids = {a for s in keep for a in s.articles}
    lines = [Storyline(l.id, l.title, [i for i in l.stories if i in kept_ids]) for l in analysis.storylines]
    return Analysis(articles=[a for a in analysis.articles if a.id in article_ids], stories=keep,
                    storylines=[l for l in lines if l.stories], entities=analysis.entities,
                    facts={k: v for k, v in analysis.facts.items() if k in article_ids})


def _report(analysis: Analysis, max_stories: int | None) -> Iterator[str]:
    total = len(analysis.stories)
    if max_stories is not None:
        analysis = select_stories(analysis, max_stories)
    groups, views, rendered = story_views(analysis)
    outlets = sorted({a.outlet for a in analysis.articles if a.outlet})
    template = _env().get_template("report.html.j2")
    return template.generate(
        groups=groups,
        stories=views,
        n_stories=len(analysis.stories),
        rendered=rendered,
        titles={a.id: a.title for a in analysis.articles},
        n_articles=len(analysis.articles),
        n_omitted=total - len(analysis.stories),
        n_copies=sum(1 for a in analysis.articles if a.duplicate_of),
        n_outlets=len(outlets),
        n_storylines=len([g for g in groups if g["id"] is not None]),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def render_html(analysis: Analysis, max_stories: int | None = None) -> str:
    """The whole report as one HTML string (UTF-8, ``<html lang="ar" dir="rtl">``).

    With ``max_stories``, only that many stories are shown (see ``select_stories``) and the
    header says how many were left out."""
    return "".join(_report(analysis, max_stories))


def write_html_file(analysis: Analysis, path: str | Path, max_stories: int | None = None) -> None:
    """The report written to ``path`` as it is rendered, story by story, through a temporary
    file renamed over ``path`` when complete (a crash leaves the previous file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for piece in _report(analysis, max_stories):
                fh.write(piece)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
