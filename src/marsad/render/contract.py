"""The contract JSON (docs/CONTRACT.md) written as a stream, with syndicated copies' facts folded.

``marsad analyze --json`` and ``marsad export --json`` write what a run holds for thousands of
articles, so the document is produced item by item (``iter_contract_json``) instead of being
built whole as one dict and one string: memory stays at what the analysis itself holds.

Syndicated copies (an article whose ``duplicate_of`` names another) mostly repeat their
original's quotes, claims and events word for word; listing each again would write the same
fact once per copy (in one week of real news, 515 repeated quotes in 832 articles). A copy's fact
that is the same as one of its original's — same kind, same speaker or claimant, same words
once normalized, same numbers — is written once, under the original, whose entry then lists
the copies' exact evidence spans in ``copies`` (``[{"article", "start", "end"}]``); a copy's
fact that differs from every fact of its original (an added sentence, another speaker) is
written as its own entry. Every fact in a copy therefore still has its evidence in the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from marsad.model import Analysis, Claim, Event, Facts, Quote
from marsad.text import normalize_for_search

SECTIONS = ("articles", "stories", "storylines", "entities", "quotes", "claims", "events")
FACT_SECTIONS = ("quotes", "claims", "events")


def _words(text: str | None) -> str:
    return " ".join(normalize_for_search(text or "").split())


def fact_key(kind: str, fact: Quote | Claim | Event) -> tuple:
    """What makes two facts of two copies of one article the same fact."""
    if kind == "quotes":
        return (kind, _words(fact.speaker.name), _words(fact.text), fact.direct)
    if kind == "claims":
        return (kind, _words(fact.claimant), fact.stance, _words(fact.text))
    return (kind, fact.type, _words(fact.text),
            tuple(sorted((n.value, n.what or "") for n in fact.numbers)))


def _facts_of(facts: Facts, kind: str) -> list[Any]:
    return list(getattr(facts, kind))


def folded_facts(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The quotes, claims and events of ``analysis`` as contract dicts, each fact written once:
    a syndicated copy's fact equal to one of its original's becomes an entry of that fact's
    ``copies`` (its exact evidence span) instead of an entry of its own."""
    originals = {a.id: a.duplicate_of for a in analysis.articles}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in FACT_SECTIONS}
    # (original article id, fact key) -> the dict written for that fact
    written: dict[tuple[str, tuple], dict[str, Any]] = {}
    copies_of: dict[str, list[str]] = {}
    for aid in analysis.facts:
        orig = originals.get(aid)
        if orig and orig in analysis.facts and orig != aid:
            copies_of.setdefault(orig, []).append(aid)
    for aid, facts in analysis.facts.items():
        orig = originals.get(aid)
        if orig and orig in analysis.facts and orig != aid:
            continue  # written with its original, below
        for kind in FACT_SECTIONS:
            for fact in _facts_of(facts, kind):
                d = fact.to_dict()
                out[kind].append(d)
                written.setdefault((aid, fact_key(kind, fact)), d)
        for copy_id in copies_of.get(aid, ()):
            for kind in FACT_SECTIONS:
                for fact in _facts_of(analysis.facts[copy_id], kind):
                    same = written.get((aid, fact_key(kind, fact)))
                    if same is None:
                        d = fact.to_dict()
                        out[kind].append(d)
                        written[(aid, fact_key(kind, fact))] = d
                    else:
                        same.setdefault("copies", []).append(fact.evidence.to_dict())
    return out


def _item(value: Any) -> str:
    # exactly what json.dumps(..., indent=1) writes for an item of a top-level list
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n  ")


def _section(name: str, items: Iterable[Any]) -> Iterator[str]:
    yield f' "{name}": ['
    first = True
    for value in items:
        yield ("\n  " if first else ",\n  ") + _item(value)
        first = False
    yield "]" if first else "\n ]"


def iter_contract_json(analysis: Analysis, version: str) -> Iterator[str]:
    """The contract JSON of ``analysis`` in pieces (laid out as ``json.dumps(indent=1)``)."""
    facts = folded_facts(analysis)
    sections = {
        "articles": (a.to_dict() for a in analysis.articles),
        "stories": (s.to_dict() for s in analysis.stories),
        "storylines": (s.to_dict() for s in analysis.storylines),
        "entities": (e.to_dict() for e in analysis.entities),
        **facts,
    }
    yield "{\n" + f' "marsad": {json.dumps(version, ensure_ascii=False)},\n'
    for i, name in enumerate(SECTIONS):
        yield from _section(name, sections[name])
        yield ",\n" if i < len(SECTIONS) - 1 else "\n}"


def write_contract_json(analysis: Analysis, version: str, out: IO[str]) -> None:
    """Write the contract JSON to an open text stream, piece by piece."""
    for piece in iter_contract_json(analysis, version):
        out.write(piece)


def write_contract_json_file(analysis: Analysis, version: str, path: str | Path) -> None:
    """Write the contract JSON to ``path`` atomically (a temporary file renamed over it), so a
    crash never leaves a half-written document where the old one was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            write_contract_json(analysis, version, fh)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
