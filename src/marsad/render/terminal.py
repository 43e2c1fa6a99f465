"""One story in the terminal (rich): summary, numbers, contradictions, who said what,
timeline and sources, every line with its source (outlet · article id prefix).

Everything an input supplied (titles, quotes, outlet names, file names) passes through
``printable`` or ``escaped`` before it reaches the terminal, so a title cannot carry escape
sequences that recolour, move the cursor, retitle the window or hide text, and a file name
cannot start a line of its own.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from marsad.model import Analysis
from marsad.render import common

# C0 controls, DEL and C1 controls (U+0080-U+009F; a terminal reads U+009B as CSI, the
# one-character form of ESC [).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they reorder
# the rest of a line in a bidi-aware terminal and an unclosed one spills past the field that
# holds it, so a title could show text in another order than it has. The marks (LRM, RLM,
# ALM), which only decide the direction of neighbouring punctuation and are common in Arabic
# news text, are harmless and kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")
# Line breaks of every kind (also NEL, LINE and PARAGRAPH SEPARATOR) and tabs: one space.
_SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")


def _escape_char(m: re.Match) -> str:
    c = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def printable(text: Any) -> str:
    """``text`` safe to show in a terminal line: runs of line breaks and tabs become one space,
    other control characters are shown escaped (``\\x1b``), bidi overrides are dropped."""
    s = _SPACES.sub(" ", str(text))
    return _BIDI_CONTROLS.sub("", _CONTROLS.sub(_escape_char, s))


# The controls of multi-line output: all but tab and line feed.
_CONTROLS_IN_BLOCK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable_block(text: Any) -> str:
    """Multi-line ``text`` (Markdown) safe for a terminal: lines and tabs kept, every other
    control character shown escaped (a carriage return too: it would overwrite the line),
    bidi overrides dropped."""
    return _BIDI_CONTROLS.sub("", _CONTROLS_IN_BLOCK.sub(_escape_char, str(text)))


def escaped(text: Any) -> str:
    """``text`` with every control character and bidi override written as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``), as repr does: for names (paths, URLs) shown in an
    error line, where the exact name matters and a newline must not start a new line."""
    return _LINE_SEPARATORS.sub(_escape_char, _BIDI_CONTROLS.sub(_escape_char, _CONTROLS.sub(_escape_char, str(text))))


def _clean(value: Any) -> Any:
    """A brief (or any JSON-like value) with every string passed through ``printable``."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(v) for v in value)
    return value


# Article ids are shown by their first characters; 8 keeps sha-like ids unique in practice
# (the example corpus and the seeds have no clash at 6) and leaves room for the text.
ID_CHARS = 8


def _src(src: dict[str, Any]) -> Text:
    ev = src["evidence"]
    return Text(f" [{common.outlet_name(src.get('outlet'))} · {ev['article'][:ID_CHARS]}]", style="cyan")


def _srcs(sources: list[dict[str, Any]]) -> Text:
    t = Text()
    for s in sources:
        t.append_text(_src(s))
    return t


def _line(*parts: Text | str) -> Text:
    t = Text()
    for p in parts:
        t.append_text(p if isinstance(p, Text) else Text(p))
    return t


def render_story(analysis: Analysis, story_id: str, console: Console) -> None:
    """Print the brief of story ``story_id`` (an id or unique id prefix) to ``console``."""
    story = common.find_story(analysis, story_id)
    b = _clean(common.brief_of(story, analysis))
    outlets = _clean(common.story_outlets(story, analysis))
    line_title = _clean(next((line.title for line in analysis.storylines if line.id == story.storyline), None))

    head = Text(printable(story.title or story.id), style="bold")
    meta = [f"id {printable(story.id)}"]
    if line_title:
        meta.append(f"المسار: {line_title}")
    meta.append(f"المقالات: {len(story.articles)}")
    meta.append(f"المنافذ: {len(outlets)} ({'، '.join(outlets)})")
    span = common.fmt_date(story.first_seen)
    if story.last_seen and story.last_seen != story.first_seen:
        span += f" ← {common.fmt_date(story.last_seen)}"
    meta.append(span)
    console.print(Panel(Group(head, Text(" · ".join(meta), style="dim")), border_style="blue"))

    if b.get("summary"):
        console.print(Text("الخلاصة", style="bold blue"))
        for i, it in enumerate(b["summary"], 1):
            console.print(_line(f"{i}. ", it["text"], _src(it)))
        console.print()

    if b.get("numbers"):
        table = Table(title="الأرقام", title_style="bold blue", show_lines=True, expand=True)
        table.add_column("ما يُعَدّ")
        table.add_column("الأحدث", justify="right")
        table.add_column("الأكثر تداولًا", justify="right")
        table.add_column("ما قاله كل مصدر", ratio=3)
        for g in b["numbers"]:
            if g.get("has_figures") is False:
                continue
            lr = g["latest_report"]
            latest = Text(common.fmt_value(g["latest"]), style="bold red" if g["changed"] else "bold")
            latest.append(f"\n{common.outlet_name(lr['outlet'])}", style="dim")
            rows, others = common.history_rows(g)
            hist = Text()
            for h in rows:
                if hist:
                    hist.append("\n")
                hist.append(common.fmt_number(h["value"], h["qualifier"]), style="bold")
                hist.append(f"  {common.fmt_date(h['published'])}", style="dim")
                if h.get("note"):
                    hist.append(f" · {common.NOTES.get(h['note'], h['note'])}", style="dim")
                hist.append_text(_src(h))
                for c in h["copies"]:
                    hist.append_text(_src(c))
            if others:
                hist.append("\n")
                hist.append("أخرى: " + "، ".join(
                    f"{common.fmt_number(h['value'], h['qualifier'])} ({common.NOTES.get(h['note'], h['note'] or '')}، "
                    f"{common.outlet_name(h['outlet'])})" for h in others), style="dim")
            table.add_row(common.counts_label(g), latest,
                          f"{common.fmt_value(g['most_reported'])} ({len(g['most_reported_by'])})", hist)
        console.print(table)
        console.print()

    if b.get("contradictions"):
        console.print(Text("روايات متعارضة", style="bold blue"))
        for c in b["contradictions"]:
            says, den = c.get("says"), c["denies"]
            paired = common.is_paired(c)
            if paired:
                console.print(_line(Text(f"• {says['claimant']} (تأكيد): ", style="bold"),
                                    says.get("text") or says.get("target") or "", _srcs(says["sources"])))
            for k, den in enumerate(c.get("denials") or [den]):
                who, what, note = common.denial_parts(c, den)
                lead = "  " if paired or k else "• "
                console.print(_line(Text(f"{lead}{who}: ", style="bold red"), what,
                                    Text(f" ({note})", style="dim") if note else "", _srcs(den["sources"])))
        console.print()

    if b.get("quotes_by_speaker"):
        console.print(Text("من قال ماذا", style="bold blue"))
        for g in b["quotes_by_speaker"]:
            console.print(_line(Text(g["speaker"], style="bold"),
                                Text(f" — {g['role']}", style="dim") if g.get("role") else ""))
            for q in g["quotes"]:
                text = f"«{q['text']}»" if q["direct"] else f"{q['text']} (بتصرف)"
                via = Text(f" عبر {'، '.join(q['via'])}", style="dim") if q.get("via") else ""
                console.print(_line("  • ", text, _srcs(q["sources"]), via))
        console.print()

    if b.get("timeline"):
        console.print(Text("التسلسل الزمني", style="bold blue"))
        shown, folded = common.timeline_parts(b["timeline"])
        for t in shown:
            label = common.timeline_label(t)
            who = Text(f"{t['speaker']}: ", style="bold") if t.get("speaker") else ""
            console.print(_line(Text(f"{common.fmt_date(t['date'], with_time=False)}  ", style="dim"),
                                Text(f"[{label}] ", style="magenta"), who, t["text"], _srcs(t["sources"])))
        if folded:
            console.print(Text(common.FOLDED_NOTE.format(n=len(folded)), style="dim"))
        console.print()

    src = b.get("sources") or {}
    if src:
        console.print(Text("المصادر", style="bold blue"))
        for o in src.get("outlets", []):
            console.print(_line(Text(f"• {common.outlet_name(o['outlet'])}", style="bold"),
                                f": {len(o['articles'])} مقال", f" ({o['copies']} منقول)" if o.get("copies") else "",
                                Text(" " + " ".join(a[:ID_CHARS] for a in o["articles"]), style="dim")))
        for c in src.get("copies", []):
            console.print(_line("• نسخة منقولة: ", Text(common.outlet_name(c["outlet"]), style="bold"),
                                " عن ", Text(common.outlet_name(c.get("copy_of_outlet")), style="bold"),
                                Text(f" ({c['article'][:ID_CHARS]} ← {c['copy_of'][:ID_CHARS]})", style="dim")))
        if src.get("agencies"):
            console.print("• وكالات منسوب إليها: " + "، ".join(
                f"{g['name']} ({len(g['articles'])})" for g in src["agencies"]), markup=False)
