"""Per-source health of what ``marsad watch`` follows, from the store: each listing's last
fetch, status and error, and the pages fetched, failed and waiting for the pipeline."""

from __future__ import annotations

from typing import Any


def source_health(store: Any) -> list[dict[str, Any]]:
    """One entry per source, in name order: ``name``, ``listings`` (url, kind, fetched_at,
    status, error, entries, new: articles stored from it so far, failures), ``pages``,
    ``failed``, ``pending``, ``ok`` (no listing failing now), ``last_fetch``."""
    by_source: dict[str, dict[str, Any]] = {}
    for row in store.listing_states():
        s = by_source.setdefault(row["source"], {"name": row["source"], "listings": []})
        s["listings"].append({k: row[k] for k in ("url", "kind", "fetched_at", "status", "error",
                                                    "entries", "new", "failures")})
    counts = store.page_counts()
    for name, c in counts.items():
        by_source.setdefault(name, {"name": name, "listings": []}).update(c)
    out = []
    for name in sorted(by_source):
        s = by_source[name]
        for k in ("pages", "failed", "pending"):
            s.setdefault(k, 0)
        s["ok"] = not any(li["error"] for li in s["listings"])
        s["last_fetch"] = max((li["fetched_at"] or "" for li in s["listings"]), default="") or None
        out.append(s)
    return out
