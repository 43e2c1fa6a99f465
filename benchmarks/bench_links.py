"""Entity links after a store is read again: how many mentions, quote speakers, claimants,
target claimants and event actors carry the id of a cross-article entity.

Two corpora, each analysed (facts on, embeddings off: links do not depend on stories) into a
fresh SQLite file that is then closed and opened again, the way ``marsad serve``, ``marsad
export`` and ``load_analysis`` read it:

1. the example corpus (``examples/corpus``);
2. the first N ANT 2018 records of February-March (``MARSAD_BENCH_LINKS_N``, default 300;
   April and May are never read).

Speakers are also counted without the unnamed sources (role «مصدر غير مسمى»: «مصدر
دبلوماسي», «شهود»), which name no entity. Also the CPU of the first ``finish`` (every link
written) and of a second one with nothing new (no link row rewritten).

ANT corpus v2.1: Chouigui et al., AICCSA 2017.
"""

from __future__ import annotations

import os
import tempfile
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from benchmarks.common import ROOT, ant_records, shared

MONTHS = {"2018-02", "2018-03"}
UNNAMED = "مصدر غير مسمى"


def _ant_raws(n: int):
    from marsad.model import RawDoc

    k = 0
    for rec in ant_records():
        if k >= n:
            break
        when = parsedate_to_datetime(rec["time"])
        if f"{when.year}-{when.month:02d}" not in MONTHS:
            continue
        k += 1
        yield RawDoc(origin=f"ant2018/articles.jsonl.gz#{rec.get('docno')}", kind="record", fields=rec)


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else "0/0"


def _measure(name: str, raws: list) -> None:
    from marsad.pipeline import Pipeline, load_analysis
    from marsad.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "links.db")
        with open_store(db) as store:
            p = Pipeline(store, use_embeddings=False)
            p.ingest(raws)
            t0 = time.process_time()
            p.finish()
            first = time.process_time() - t0
            t0 = time.process_time()
            p.finish()
            again = time.process_time() - t0
        with open_store(db) as store:  # read again, as a server would
            a = load_analysis(store)
    facts = list(a.facts.values())
    mentions = [m for f in facts for m in f.mentions]
    quotes = [q for f in facts for q in f.quotes]
    named = [q for q in quotes if q.speaker.role != UNNAMED]
    claims = [c for f in facts for c in f.claims]
    targets = [c for c in claims if c.target_claimant]
    actors = [(e, i) for f in facts for e in f.events for i in range(len(e.actors))]
    print(f"   {name}: {len(a.articles)} articles, {len(a.entities)} entities, after reload:")
    print(f"     mentions linked {_pct(sum(1 for m in mentions if m.entity), len(mentions))}")
    print(f"     speakers {_pct(sum(1 for q in quotes if q.speaker.entity), len(quotes))}, named sources "
          f"only {_pct(sum(1 for q in named if q.speaker.entity), len(named))}")
    print(f"     claimants {_pct(sum(1 for c in claims if c.claimant_entity), len(claims))}, target claimants "
          f"{_pct(sum(1 for c in targets if c.target_claimant_entity), len(targets))}")
    print(f"     actors {_pct(sum(1 for e, i in actors if e.actor_entity(i)), len(actors))}")
    print(f"     finish CPU: {first:.2f} s (links written), again {again:.2f} s (none rewritten)")


def main() -> None:
    from marsad.ingest import read_inputs

    _measure("example corpus", list(read_inputs([str(ROOT / "examples" / "corpus")])))
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    n = int(os.environ.get("MARSAD_BENCH_LINKS_N", "300"))
    _measure(f"ANT Feb-Mar 2018, first {n}", list(_ant_raws(n)))


if __name__ == "__main__":
    main()
