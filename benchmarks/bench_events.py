"""Event sentence detection on the Arabic event GSR (ASSAULT and PROTEST), and facts throughput.

Data: ../shared/data/event_gsr (Open Event Data Alliance, MIT). A sentence is positive when
more annotators accepted the label than rejected it. Our ASSAULT = a sentence that yields an
``attack``, ``casualties`` or ``interception`` event; our PROTEST = a ``protest`` event (events
the gate marks ``doubtful`` do not count).

The lexicons (lexicons/events_triggers.tsv) were tuned on the *tuning half* of each file and
the figures that count are the *held-out half* (the gate is fitted on the tuning half, so its
tuning-half figures are training figures): a sentence belongs to the tuning half when
crc32 of its id is even, to the held-out half when odd. Both are printed.

``python -m benchmarks.bench_events cues`` lists, per cue pattern, how often it fires on the
tuning half and how often those sentences are positive (the table the lexicon was pruned with).

Throughput: ``find_events`` over the first 1,000 ANT articles (cite Chouigui et al.,
AICCSA 2017), entity mentions not included (timed by the entities benchmark).
"""

from __future__ import annotations

import csv
import sys
import time
import zlib
from collections import Counter

from benchmarks.common import ant_records, peak_rss_mb, shared
from marsad.facts.event_cues import match_cues
from marsad.facts.events import EventsConfig, find_events
from marsad.model import Article
from marsad.text import tokenize

FILES = {"ASSAULT": ("assault_gsr.csv", {"attack", "casualties", "interception"}),
         "PROTEST": ("protest_gsr.csv", {"protest"})}


def half(sentence_id: str) -> str:
    return "tune" if zlib.crc32(sentence_id.encode("utf-8")) % 2 == 0 else "held-out"


def load(name: str) -> list[tuple[str, str, bool]] | None:
    base = shared("data", "event_gsr")
    if base is None:
        return None
    fname, _ = FILES[name]
    with open(base / fname, encoding="utf-8", newline="") as fh:
        return [(r["id"], r["text"], int(r["accept"]) > int(r["reject"])) for r in csv.DictReader(fh)]


CUES_ALONE = EventsConfig(use_gate=False)


def predict(text: str, wanted: set[str], config: EventsConfig | None = None) -> bool:
    events = find_events(Article(id="gsr", origin="gsr", text=text), [], config=config)
    return any(e.type in wanted and not e.doubtful for e in events)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def detection(gate: bool = True) -> None:
    config = EventsConfig(use_gate=gate)
    for name, (_, wanted) in FILES.items():
        rows = load(name)
        if rows is None:
            return
        counts = {h: Counter() for h in ("tune", "held-out")}
        for sid, text, gold in rows:
            pred = predict(text, wanted, config)
            c = counts[half(sid)]
            c["tp" if pred and gold else "fp" if pred else "fn" if gold else "tn"] += 1
        for h in ("held-out", "tune"):
            c = counts[h]
            p, r, f = prf(c["tp"], c["fp"], c["fn"])
            n = sum(c.values())
            print(f"   {'gate' if gate else 'cues':4s} {name:8s} {h:9s} n={n:5d} positives={c['tp'] + c['fn']:4d}  "
                  f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}")


def throughput(n: int = 1000) -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    # February-March 2018 only: April and May are kept for evaluation (the docno ends in the
    # publication date, e.g. "AL-culture-1-20180218")
    feb_mar = (r for r in ant_records() if str(r.get("docno", ""))[-8:-2] in ("201802", "201803"))
    arts = [Article(id=str(r.get("docno", i)), origin="ant", text=r.get("text") or "",
                    published=None) for i, r in zip(range(n), feb_mar)]
    t0 = time.perf_counter()
    found = [e for a in arts for e in find_events(a, [])]
    dt = time.perf_counter() - t0
    doubtful = sum(e.doubtful for e in found)
    before = sum(len(find_events(a, [], config=CUES_ALONE)) for a in arts)
    print(f"   find_events: {len(arts)} ANT Feb-Mar 2018 articles in {dt:.2f} s = {len(arts) / dt:.0f} articles/s, "
          f"{len(found)} events ({doubtful} doubtful; {before} with the cues alone); "
          f"peak RSS {peak_rss_mb():.0f} MB")


def cue_report() -> None:
    for name in FILES:
        rows = load(name)
        if rows is None:
            return
        fired: Counter = Counter()
        good: Counter = Counter()
        for sid, text, gold in rows:
            if half(sid) != "tune":
                continue
            toks = tokenize(text)
            names = {(c.cue, " ".join(t.norm for t in toks[c.first:c.last + 1])) for c in match_cues(toks)}
            for key in names:
                fired[key] += 1
                good[key] += gold
        print(f"== {name} (tuning half): cue, matched words, sentences, share positive")
        for key, k in fired.most_common(120):
            print(f"   {key[0]:10s} {key[1]:25s} {k:4d}  {good[key] / k:.2f}")


def main() -> None:
    print("   event sentence detection (../shared/data/event_gsr; tuned on the crc32-even half)")
    print("   cues alone (before the gate), then cues + gate (models/events_gate.json):")
    detection(gate=False)
    detection(gate=True)
    throughput()


if __name__ == "__main__":
    cue_report() if sys.argv[1:] == ["cues"] else main()
