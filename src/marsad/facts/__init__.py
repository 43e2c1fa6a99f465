"""The facts stage: entities, quotes, claims and events of one article, each with evidence.

``extract_facts(article)`` runs the four readers in turn. When the entity tagger or the event
reader fails on an article, the others still run (quotes then resolve speakers with their own
reading of titles and names) and the failure is logged.
"""

from __future__ import annotations

import logging

from marsad.facts.claims import find_claims
from marsad.facts.entities import find_mentions
from marsad.facts.events import find_events
from marsad.facts.quotes import find_quotes
from marsad.model import Article, Facts

log = logging.getLogger(__name__)


def extract_facts(article: Article) -> Facts:
    """Entities, quotes, claims and events of ``article``."""
    mentions = []
    try:
        mentions = list(find_mentions(article))
    except Exception as exc:  # a failing tagger must not lose the article's other facts
        log.warning("entities failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    quotes = find_quotes(article, mentions)
    claims = find_claims(article, mentions, quotes=quotes)
    events = []
    try:
        events = list(find_events(article, mentions))
    except Exception as exc:  # same: keep the other facts
        log.warning("events failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    return Facts(mentions=mentions, quotes=quotes, claims=claims, events=events)


__all__ = ["extract_facts"]
