"""What changed in a store: the stories new or grown since a time, and the fastest growing
stories of the last hours, counted by when their articles were stored (what a monitoring desk
means by "new": arrived since it last looked, whatever date the article carries)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from marsad.errors import InputError

_WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?Z?$")


def parse_since(text: str | None, default_hours: float = 24.0, now: datetime | None = None) -> str:
    """``YYYY-MM-DD[THH:MM[:SS]][Z]`` (UTC) as the store writes times; None: ``default_hours`` ago."""
    now = now or datetime.now(timezone.utc)
    if not text:
        return (now - timedelta(hours=default_hours)).strftime("%Y-%m-%d %H:%M:%S")
    text = text.strip()
    if not _WHEN.match(text):
        raise InputError("since", f"{text!r} is not a time like 2024-03-12 or 2024-03-12T08:00")
    text = text.rstrip("Z").replace("T", " ")
    if len(text) == 10:
        text += " 00:00:00"
    elif len(text) == 16:
        text += ":00"
    return text


def story_changes(store: Any, since: str, hours: float = 6.0, limit: int = 20,
                  now: datetime | None = None) -> dict[str, Any]:
    """``changed``: stories with articles stored since ``since`` (``new`` when all of them
    are), most new articles first; ``growing``: stories by articles stored in the last
    ``hours``, most first. Each item: story id, title, articles, new_articles, outlets,
    first_stored, last_stored."""
    now = now or datetime.now(timezone.utc)
    recent = (now - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
    rows = store.story_store_times(since, recent)
    stories = {s.id: s for s in store.stories()}

    def item(row: tuple, fresh: int) -> dict[str, Any]:
        sid, total, _, _, first, last = row
        s = stories.get(sid)
        return {"story": sid, "title": s.title if s else "", "articles": total, "new_articles": fresh,
                "new": first >= since, "outlets": list(s.outlets) if s else [],
                "first_stored": first, "last_stored": last}

    latest_first = sorted(rows, key=lambda r: r[5], reverse=True)
    changed = sorted((r for r in latest_first if r[2]), key=lambda r: -r[2])
    growing = sorted((r for r in latest_first if r[3]), key=lambda r: -r[3])
    return {"since": since, "hours": hours,
            "changed": [item(r, r[2]) for r in changed[:limit]],
            "growing": [item(r, r[3]) for r in growing[:limit]]}
