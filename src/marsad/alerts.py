"""Watchlists and alerts: a desk names the people, bodies, places and words it follows; every
new article that mentions one raises an alert, kept in the store, served as an Atom feed
(``/alerts.atom``) and, when a webhook is configured, POSTed to it as JSON.

A watchlist, in a sources file::

    [alerts]
    webhook = "https://hooks.example.org/marsad"   # optional

    [[watchlist]]
    name = "الكرملين"
    entities = ["الكرملين", "دميتري بيسكوف"]      # people and bodies the facts stage names
    places = ["زابوريجيا"]                          # places the facts stage names
    keywords = ["محادثات السلام"]                   # words or phrases anywhere in the article

Terms match on normalized words without their proclitics, whole words in order: «الكرملين»
matches «وقال الكرملين» but not «كرملينات». Entity and place terms match the article's named
mentions of that kind; when an article has no mentions (facts off) they match its text.

Alerts live in the store's ``state`` table under ``alerts`` (the newest ``MAX_ALERTS``), so
any process reading the store serves the same feed. The webhook goes through marsad's
address guard like every other request, and an alert it could not take is offered again on
the next round, at most ``WEBHOOK_ATTEMPTS`` times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable
from xml.sax.saxutils import escape

from marsad.errors import InputError, MarsadError

ALERTS_STATE = "alerts"
MAX_ALERTS = 1000
WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT = 10.0


@dataclass
class Watchlist:
    """What one desk follows; every term is a word or a phrase."""

    name: str
    entities: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def watchlists_from(data: dict[str, Any], origin: str) -> tuple[list[Watchlist], str | None]:
    """Watchlists and the webhook URL from a parsed sources file."""
    out = []
    for i, entry in enumerate(data.get("watchlist", []) or [], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InputError(origin, f"watchlist {i} needs a name")
        lists = {}
        for key in ("entities", "places", "keywords"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise InputError(origin, f"watchlist {entry['name']!r}: {key} must be a list of words")
            lists[key] = [v.strip() for v in value]
        if not any(lists.values()):
            raise InputError(origin, f"watchlist {entry['name']!r} names no entities, places or keywords")
        out.append(Watchlist(entry["name"].strip(), **lists))
    alerts = data.get("alerts", {}) or {}
    webhook = alerts.get("webhook") if isinstance(alerts, dict) else None
    if webhook is not None and (not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))):
        raise InputError(origin, "alerts.webhook must be an http(s) URL")
    return out, webhook


def _words(text: str) -> list[str]:
    from marsad.text.tokenize import bases

    return bases(text)


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    if not n:
        return False
    first = needle[0]
    return any(hay[i] == first and hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def matches(watchlist: Watchlist, title: str, text: str, mentions: Iterable[Any] = ()) -> list[str]:
    """The terms of ``watchlist`` that an article (title, text, named mentions) matches."""
    body = _words(f"{title}\n{text}")
    mentions = list(mentions)
    named = {"entities": [], "places": []}
    for m in mentions:
        kind = "places" if m.type == "PLACE" else "entities"
        for name in {m.text, m.canonical or m.text}:
            named[kind].append(_words(name))
    hits = []
    for kind in ("entities", "places"):
        for term in getattr(watchlist, kind):
            tw = _words(term)
            if mentions:
                found = any(_contains(n, tw) for n in named[kind])
            else:
                found = _contains(body, tw)
            if found:
                hits.append(term)
    hits += [t for t in watchlist.keywords if _contains(body, _words(t))]
    return hits


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_alerts(store: Any) -> dict[str, Any]:
    got = store.load_state(ALERTS_STATE)
    if not got:
        return {"next": 1, "alerts": []}
    return json.loads(bytes(got[1]).decode("utf-8"))


def _save(store: Any, data: dict[str, Any]) -> None:
    data["alerts"] = data["alerts"][-MAX_ALERTS:]
    store.save_state(ALERTS_STATE, 0, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def raise_alerts(store: Any, watchlists: list[Watchlist], article_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Check new articles against the watchlists; store and return the alerts raised."""
    if not watchlists:
        return []
    data = load_alerts(store)
    seen = {(a["watchlist"], a["article"]) for a in data["alerts"]}
    new = []
    for aid in article_ids:
        article = store.get_article(aid)
        if article is None or article.duplicate_of:
            continue
        facts = store.get_facts(aid)
        mentions = facts.mentions if facts else []
        for wl in watchlists:
            if (wl.name, aid) in seen:  # one alert an article a watchlist
                continue
            hit = matches(wl, article.title, article.text, mentions)
            if hit:
                alert = {"id": data["next"], "watchlist": wl.name, "article": aid, "title": article.title,
                         "outlet": article.outlet, "url": article.url or article.origin, "story": article.story,
                         "published": article.published, "matched": hit, "created": _now(),
                         "delivered": False, "attempts": 0}
                data["next"] += 1
                data["alerts"].append(alert)
                new.append(alert)
    if new:
        _save(store, data)
    return new


def deliver(store: Any, webhook: str, allow_hosts: frozenset[str] = frozenset()) -> tuple[int, list[str]]:
    """POST each undelivered alert to ``webhook`` (JSON, one request an alert, through the
    address guard); returns (delivered, errors)."""
    import httpx

    from marsad.fetch.guard import check_url
    from marsad.fetch.http import GuardedTransport

    data = load_alerts(store)
    todo = [a for a in data["alerts"] if not a.get("delivered") and a.get("attempts", 0) < WEBHOOK_ATTEMPTS]
    if not todo:
        return 0, []
    check_url(webhook)
    delivered, errors = 0, []
    with httpx.Client(transport=GuardedTransport(allow_hosts), timeout=WEBHOOK_TIMEOUT, trust_env=False,
                      follow_redirects=False) as client:
        for alert in todo:
            alert["attempts"] = alert.get("attempts", 0) + 1
            payload = {k: v for k, v in alert.items() if k not in ("delivered", "attempts")}
            try:
                resp = client.post(webhook, json=payload)
                ok = 200 <= resp.status_code < 300
                if not ok:
                    errors.append(f"{webhook}: HTTP {resp.status_code}")
            except (MarsadError, httpx.HTTPError) as exc:
                ok = False
                errors.append(f"{webhook}: {exc}")
            alert["delivered"] = ok
            delivered += ok
            if len(errors) >= 3:
                break  # the hook is down: the rest wait for the next round
    _save(store, data)
    return delivered, errors


def atom_feed(alerts: list[dict[str, Any]], base_url: str) -> str:
    """The alerts, newest first, as an Atom feed; each entry links to the article's page."""
    base = base_url.rstrip("/")
    updated = alerts[-1]["created"] if alerts else _now()
    entries = []
    for a in reversed(alerts):
        title = f"[{a['watchlist']}] {a['title']}"
        summary = f"{a.get('outlet') or ''} — {'، '.join(a['matched'])}".strip(" —")
        entries.append(
            f"<entry><id>urn:marsad:alert:{a['id']}</id><title>{escape(title)}</title>"
            f"<link href=\"{escape(base)}/article/{escape(a['article'])}\"/>"
            f"<link rel=\"via\" href=\"{escape(a['url'] or '')}\"/>"
            f"<updated>{a['created']}</updated><summary>{escape(summary)}</summary>"
            f"<category term=\"{escape(a['watchlist'])}\"/></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
            f"<id>urn:marsad:alerts</id><title>مرصد: تنبيهات</title><updated>{updated}</updated>"
            f"<link rel=\"self\" href=\"{escape(base)}/alerts.atom\"/>" + "".join(entries) + "</feed>\n")
