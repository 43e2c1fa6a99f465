"""The facts stage: entities, quotes, claims and events of one article, each with evidence.

``extract_facts(article)`` runs the four readers in turn. The entity tagger and the event
reader are optional here: when either is missing or fails, the others still run (quotes then
resolve speakers with their own reading of titles and names).
"""

from __future__ import annotations

import logging

from marsad.model import Article, Facts

log = logging.getLogger(__name__)


def extract_facts(article: Article) -> Facts:
    """Entities, quotes, claims and events of ``article``."""
    from marsad.facts.claims import find_claims
    from marsad.facts.quotes import find_quotes

    mentions = []
    try:
        from marsad.facts import entities

        mentions = list(entities.find_mentions(article))
    except (ImportError, AttributeError) as exc:
        log.debug("entities unavailable: %s", exc)
    except Exception as exc:  # a failing tagger must not lose the article's other facts
        log.warning("entities failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    quotes = find_quotes(article, mentions)
    claims = find_claims(article, mentions, quotes=quotes)
    events = []
    try:
        from marsad.facts import events as events_mod

        events = list(events_mod.find_events(article, mentions))
    except (ImportError, AttributeError) as exc:
        log.debug("events unavailable: %s", exc)
    except Exception as exc:  # same: keep the other facts
        log.warning("events failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    return Facts(mentions=mentions, quotes=quotes, claims=claims, events=events)


__all__ = ["extract_facts"]
