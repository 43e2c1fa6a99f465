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
from dataclasses import dataclass, field

from marsad.analysed import AnalysedDoc
from marsad.budget import check as check_budget
from marsad.errors import MarsadError
from marsad.facts.claims import find_claims
from marsad.facts.entities import find_mentions, find_mentions_many
from marsad.facts.events import EventsConfig, find_events
from marsad.facts.quotes import find_quotes, prepare
from marsad.model import Article, Facts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FactsConfig:
    """How the facts stage reads: ``events``, the event reader's configuration
    (``marsad.facts.events.EventsConfig``). Its defaults are the project's."""

    events: EventsConfig = field(default_factory=EventsConfig)


def extract_facts(article: Article, doc: AnalysedDoc | None = None,
                  config: FactsConfig | None = None) -> Facts:
    """Entities, quotes, claims and events of ``article``; ``doc`` is its analysed document
    when the caller has built it (``AnalysedDoc.of(article)``); ``config``: how to read
    (``FactsConfig``; its defaults when None)."""
    if doc is None or not doc.matches(article):
        doc = AnalysedDoc.of(article)
    mentions = []
    try:
        mentions = list(find_mentions(article, doc))
    except MarsadError:
        raise
    except Exception as exc:  # a failing tagger must not lose the article's other facts
        log.warning("entities failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    return _facts_with(article, doc, mentions, config)


# Articles whose sentences the entity tagger reads together in ``extract_facts_many``: its
# network then runs on batches of sentences of similar length from many articles (see
# ``benchmarks/bench_ner.py``: on 1,000 ANT Feb-Mar articles, one core, CPU time, the tagger
# took 4.4 ms an article 64 together against 7.8 ms one article at a time, find_mentions 6.2
# against 9.1 ms); a chunk bounds what is held at once for an input of thousands of articles
# (a JSONL file).
TAG_TOGETHER = 64


def extract_facts_many(articles: list[Article], docs: list[AnalysedDoc | None] | None = None,
                       config: FactsConfig | None = None) -> list[Facts]:
    """``extract_facts`` of each article (same result), the entity tagger run on the
    sentences of up to TAG_TOGETHER articles at once; ``docs``: their analysed documents
    when built; ``config`` as in ``extract_facts``. Should tagging a chunk fail, its articles
    are tagged one by one, so a failure costs only the failing article's mentions, as in
    ``extract_facts``."""
    docs = [d if d is not None and d.matches(a) else AnalysedDoc.of(a)
            for a, d in zip(articles, docs if docs is not None else [None] * len(articles))]
    out = []
    for c in range(0, len(articles), TAG_TOGETHER):
        part, pdocs = articles[c:c + TAG_TOGETHER], docs[c:c + TAG_TOGETHER]
        try:
            tagged = find_mentions_many(part, pdocs)
        except MarsadError:
            raise
        except Exception:  # noqa: BLE001 -- each article again alone, to find the one that fails
            out.extend(extract_facts(a, d, config) for a, d in zip(part, pdocs))
            continue
        for a, d, m in zip(part, pdocs, tagged):
            check_budget()
            out.append(_facts_with(a, d, list(m), config))
    return out


def _facts_with(article: Article, doc: AnalysedDoc, mentions: list,
                config: FactsConfig | None = None) -> Facts:
    """The quotes, claims and events of ``article`` given its entity mentions."""
    events_config = config.events if config is not None else None
    prepared = prepare(article, mentions, doc) if article.text else None  # shared by both readers
    quotes = find_quotes(article, mentions, doc, prepared)
    claims = find_claims(article, mentions, quotes=quotes, analysed=doc, prepared=prepared)
    events = []
    try:
        events = list(find_events(article, mentions, doc, events_config))
    except MarsadError:
        raise
    except Exception as exc:  # same: keep the other facts
        log.warning("events failed on %s: %s: %s", article.id, type(exc).__name__, exc)
    return Facts(mentions=mentions, quotes=quotes, claims=claims, events=events)


__all__ = ["EventsConfig", "FactsConfig", "extract_facts", "extract_facts_many"]
