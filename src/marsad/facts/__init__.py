"""The facts stage: entities, quotes, claims and events of one article, each with evidence.

``extract_facts(article, doc)`` runs the four readers in turn on the article's analysed
document (``marsad.analysed.AnalysedDoc``: its sentences, tokens and normalized text, built
once and shared; built here when not given). When the entity tagger or the event reader
fails on an article with an unexpected error, the others still run (quotes then resolve
speakers with their own reading of titles and names) and the failure is logged. Two kinds of
failure are not the reader's own and always reach the caller: the input's time limit
(``marsad.budget``) and a ``MarsadError`` (a model file missing from the installation, an
input that cannot be read).
"""

from __future__ import annotations

import logging

from marsad.analysed import AnalysedDoc
from marsad.errors import MarsadError
from marsad.facts.claims import find_claims
from marsad.facts.entities import find_mentions
from marsad.facts.events import find_events
from marsad.facts.quotes import find_quotes
from marsad.model import Article, Facts

log = logging.getLogger(__name__)


def extract_facts(article: Article, doc: AnalysedDoc | None = None) -> Facts:
    """Entities, quotes, claims and events of ``article``; ``doc`` is its analysed document
    when the caller has built it (``AnalysedDoc.of(article)``)."""
    if doc is None or not doc.matches(article):
        doc = AnalysedDoc.of(article)
    mentions = []
    try:
        mentions = list(find_mentions(article, doc))
    except MarsadError:
        raise
    except Exception as exc:  # a failing tagger must not lose the article's other facts
        log.warning("entities failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    quotes = find_quotes(article, mentions, doc)
    claims = find_claims(article, mentions, quotes=quotes, analysed=doc)
    events = []
    try:
        events = list(find_events(article, mentions, doc))
    except MarsadError:
        raise
    except Exception as exc:  # same: keep the other facts
        log.warning("events failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    return Facts(mentions=mentions, quotes=quotes, claims=claims, events=events)


__all__ = ["extract_facts"]
