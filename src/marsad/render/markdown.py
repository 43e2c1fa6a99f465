"""One story as Markdown: its brief with every line cited (outlet · article id · span)."""

from __future__ import annotations

import re
from typing import Any

from marsad.model import Analysis
from marsad.render import common

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md(text: Any) -> str:
    """Text safe inside Markdown: no raw HTML, no accidental emphasis, links or table cells."""
    s = "" if text is None else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())  # one line: a newline would end the list item or table row


def cite(src: dict[str, Any]) -> str:
    ev = src["evidence"]
    return f"[{md(common.outlet_name(src.get('outlet')))} · {md(ev['article'])} · {ev['start']}–{ev['end']}]"


def cites(sources: list[dict[str, Any]]) -> str:
    return " ".join(cite(s) for s in sources)


def render_markdown(analysis: Analysis, story_id: str) -> str:
    """The brief of story ``story_id`` (an id or a unique id prefix) as Markdown."""
    story = common.find_story(analysis, story_id)
    b = common.brief_of(story, analysis)
    lines: list[str] = []
    add = lines.append
    lines_title = {line.id: line.title for line in analysis.storylines}

    add(f"# {md(story.title or story.id)}")
    add("")
    meta = [f"القصة `{story.id}`"]
    if story.storyline and lines_title.get(story.storyline):
        meta.append(f"المسار: {md(lines_title[story.storyline])}")
    outlets = common.story_outlets(story, analysis)
    meta.append(f"المقالات: {len(story.articles)}")
    meta.append(f"المنافذ: {len(outlets)} ({md('، '.join(outlets))})")
    span = common.fmt_date(story.first_seen)
    if story.last_seen and story.last_seen != story.first_seen:
        span += f" ← {common.fmt_date(story.last_seen)}"
    meta.append(span)
    add(" · ".join(meta))

    if b.get("summary"):
        add("")
        add("## الخلاصة")
        add("")
        for i, it in enumerate(b["summary"], 1):
            add(f"{i}. {md(it['text'])} {cite(it)}")

    if b.get("numbers"):
        add("")
        add("## الأرقام")
        add("")
        add("| ما يُعَدّ | الأحدث | الأكثر تداولًا | ما قاله كل مصدر (بالترتيب الزمني) |")
        add("|---|---|---|---|")
        for g in b["numbers"]:
            if g.get("has_figures") is False:
                continue
            lr = g["latest_report"]
            latest = (f"**{common.fmt_value(g['latest'])}** ({md(common.outlet_name(lr['outlet']))}، "
                      f"{md(common.fmt_date(lr['published']))})")
            if g["changed"]:
                latest += " — تغيّر الرقم"
            most = f"{common.fmt_value(g['most_reported'])} (مصادر: {len(g['most_reported_by'])})"
            hist = " ← ".join(
                f"{md(common.fmt_number(h['value'], h['qualifier']))} {cite(h)}"
                + (f" ({md(common.NOTES.get(h['note'], h['note']))})" if h.get("note") else "")
                for h in g["history"] if h.get("primary", True) or h.get("note") == "earlier")
            others = [h for h in g["history"] if not h.get("primary", True) and h.get("note") != "earlier"]
            if others:
                hist += " (" + "؛ ".join(
                    f"{md(common.NOTES.get(h['note'], h['note'] or ''))}: "
                    f"{md(common.fmt_number(h['value'], h['qualifier']))} {cite(h)}" for h in others) + ")"
            add(f"| {md(common.counts_label(g))} | {latest} | {most} | {hist} |")
        context = [g for g in b["numbers"] if g.get("has_figures") is False]
        if context:
            add("")
            add("أرقام سياقية بلا حصيلة محددة: " + "؛ ".join(
                f"{md(common.counts_label(g))} — " + "، ".join(
                    f"{md(common.fmt_number(h['value'], h['qualifier']))} {cite(h)}" for h in g["history"])
                for g in context))

    if b.get("contradictions"):
        add("")
        add("## روايات متعارضة")
        add("")
        for c in b["contradictions"]:
            says, den = c.get("says"), c["denies"]
            paired = common.is_paired(c)
            if paired:
                add(f"- **{md(says['claimant'])}** (تأكيد): {md(says.get('text') or says.get('target'))} "
                    f"{cites(says['sources'])}")
            for k, den in enumerate(c.get("denials") or [den]):
                who, what, note = common.denial_parts(c, den)
                lead = "  " if paired or k else "- "
                note = f" _({md(note)})_" if note else ""
                add(f"{lead}**{md(who)}**: {md(what)}{note} {cites(den['sources'])}")

    if b.get("quotes_by_speaker"):
        add("")
        add("## من قال ماذا")
        for g in b["quotes_by_speaker"]:
            add("")
            add(f"### {md(g['speaker'])}" + (f" — {md(g['role'])}" if g.get("role") else ""))
            add("")
            for q in g["quotes"]:
                text = f"«{md(q['text'])}»" if q["direct"] else f"{md(q['text'])} (بتصرف)"
                via = f" · عبر {md('، '.join(q['via']))}" if q.get("via") else ""
                add(f"- {text} {cites(q['sources'])}{via}")

    if b.get("timeline"):
        add("")
        add("## التسلسل الزمني")
        add("")
        shown, folded = common.timeline_parts(b["timeline"])
        for t in shown:
            label = common.timeline_label(t)
            who = f"**{md(t['speaker'])}**: " if t.get("speaker") else ""
            add(f"- **{md(common.fmt_date(t['date'], with_time=False))}** · {md(label)} · {who}"
                f"{md(t['text'])} {cites(t['sources'])}")
        if folded:
            add(f"- _{md(common.FOLDED_NOTE.format(n=len(folded)))}_")

    src = b.get("sources") or {}
    if src:
        add("")
        add("## المصادر")
        add("")
        for o in src.get("outlets", []):
            extra = f" ({o['copies']} منقول)" if o.get("copies") else ""
            add(f"- **{md(common.outlet_name(o['outlet']))}**: {len(o['articles'])} مقال{extra} — "
                f"{', '.join('`' + a + '`' for a in o['articles'])}")
        for c in src.get("copies", []):
            cred = f" بنسبته إلى {md('، '.join(c['credited']))}" if c.get("credited") else ""
            add(f"- نسخة منقولة: `{c['article']}` ({md(common.outlet_name(c['outlet']))}) عن "
                f"`{c['copy_of']}` ({md(common.outlet_name(c.get('copy_of_outlet')))}){cred}")
        if src.get("agencies"):
            add("- وكالات منسوب إليها: " + "، ".join(
                f"{md(g['name'])} ({len(g['articles'])})" for g in src["agencies"]))
    add("")
    return "\n".join(lines)
