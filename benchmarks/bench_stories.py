"""Deduplication and story clustering: quality on the example corpus, the seeds' split, and
speed/memory/counts over the ANT 2018 corpus (31,525 articles) in time order.

Run alone: ``python -m benchmarks stories``. ``MARSAD_BENCH_ANT=N`` limits the ANT run to the
first N articles in time order (0 skips it); ``MARSAD_BENCH_EMBED=0`` turns embeddings off.
ANT corpus: Chouigui et al., "ANT Corpus: An Arabic News Text Collection for Textual
Classification", AICCSA 2017.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import ROOT, ant_records, peak_rss_mb, shared
from marsad.dedup import Deduper
from marsad.model import Article
from marsad.stories import StoryClusterer

CHECKPOINTS = (4000, 8000, 16000)


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against gold labels (same keys)."""
    by_p, by_g = Counter(pred.values()), Counter(gold.values())
    both = Counter((pred[i], gold[i]) for i in pred)
    p = sum(both[(pred[i], gold[i])] / by_p[pred[i]] for i in pred) / len(pred)
    r = sum(both[(pred[i], gold[i])] / by_g[gold[i]] for i in pred) / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _read(paths: list[str]) -> list[Article]:
    from marsad.ingest import extract_articles, read_inputs

    out = []
    for raw in read_inputs(paths):
        if not isinstance(raw, Exception):
            out.extend(extract_articles(raw))
    return out


def _run(articles: list[Article], use_embeddings: bool) -> tuple[Deduper, StoryClusterer]:
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    for a in articles:
        a.duplicate_of = d.add(a).duplicate_of
        a.story = c.add(a)
    return d, c


def example_corpus(use_embeddings: bool, reverse: bool | None = False) -> None:
    """``reverse``: False time order, True newest first, None the order the files are read in
    (as ``marsad analyze`` places them)."""
    corpus, gold_path = ROOT / "examples" / "corpus", ROOT / "examples" / "gold.json"
    if not gold_path.exists():
        print("   skipped: examples/gold.json not present")
        return
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    g = {(x["origin"], x["part"]): x for x in gold["articles"]}
    arts = _read([str(corpus)])

    def key(a: Article) -> tuple[str, int]:
        return Path(a.origin).resolve().relative_to(corpus.resolve()).as_posix() if "#" not in a.origin \
            else a.origin[a.origin.find("feeds/"):], a.part

    arts = [a for a in arts if key(a) in g]
    # stable: input order within a day; reversed, newest first (how much the result depends on
    # the arrival order)
    if reverse is not None:
        arts.sort(key=lambda a: a.published or "~", reverse=reverse)
    d, c = _run(arts, use_embeddings)
    ids = {key(a): a.id for a in arts}
    found = missed = false = 0
    for a in arts:
        gd = g[key(a)]["duplicate_of"]
        want = ids.get((gd["origin"], gd["part"])) if gd else None
        got = d.duplicate_of(a.id)
        if want and got == want:
            found += 1
        elif want:
            missed += 1
        elif got:
            false += 1
    stories = c.stories()
    pred = {x: s.id for s in stories for x in s.articles}
    line_of = {s.id: s.storyline for s in stories}
    ps, rs, fs = bcubed(pred, {a.id: g[key(a)]["story"] for a in arts})
    pl, rl, fl = bcubed({i: line_of[s] for i, s in pred.items()}, {a.id: g[key(a)]["storyline"] for a in arts})
    print(f"   example corpus ({len(arts)} articles, {'file order' if reverse is None else 'newest first' if reverse else 'time order'}, "
          f"embeddings {'on' if use_embeddings else 'off'}): "
          f"copies found {found}/{found + missed}, false copies {false}; "
          f"stories B3 P {ps:.3f} R {rs:.3f} F1 {fs:.3f} ({len(stories)} vs {len(gold['stories'])} gold); "
          f"storylines B3 F1 {fl:.3f} (P {pl:.3f} R {rl:.3f})")


def seeds() -> None:
    path = shared("seeds")
    if path is None:
        return
    arts = _read([str(path)])
    arts.sort(key=lambda a: a.published or "~")
    d, c = _run(arts, True)
    stories = c.stories()
    print(f"   seeds: {len(arts)} articles -> {len(stories)} stories, "
          f"{len({s.storyline for s in stories})} storylines, {len(d.groups())} copy groups")
    for s in stories:
        print(f"     {s.id} ({len(s.articles)} articles, storyline {s.storyline}): {s.title[:70]}")


def _ant_article(r: dict) -> Article:
    try:
        published = email.utils.parsedate_to_datetime(r["time"]).isoformat()
    except (TypeError, ValueError):
        published = None
    return Article(id=r["docno"], origin=r.get("url") or r["docno"], title=r.get("title") or "",
                   text=r.get("text") or "", published=published, outlet=r.get("source"))


def ant(limit: int | None, use_embeddings: bool) -> None:
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    arts = [_ant_article(r) for r in ant_records()]
    arts.sort(key=lambda a: (a.published or "~", a.id))
    arts = arts[:limit] if limit else arts
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    t0, c0 = time.perf_counter(), time.process_time()
    marks = []

    def dedup(a: Article) -> None:
        a.duplicate_of = d.add(a).duplicate_of
        if len(d) - 1 in CHECKPOINTS:  # time when the previous article was placed
            marks.append((len(d) - 1, time.perf_counter() - t0, time.process_time() - c0))

    # add_many: the sentence encoder runs in a second process one batch ahead.
    c.add_many(arts, prepare=dedup)
    marks.append((len(arts), time.perf_counter() - t0, time.process_time() - c0))
    stories = c.stories()
    t_read = time.perf_counter() - t0
    groups = d.groups()
    multi = [s for s in stories if len(s.outlets) > 1]
    print(f"   ANT 2018, time order, embeddings {'on' if use_embeddings else 'off'}:")
    for n, wall, cpu in marks:
        print(f"     {n:>6} articles: {wall:6.1f} s wall ({wall / n * 1000:.2f} ms/article), "
              f"{cpu:6.1f} s CPU (this process, clustering and encoder threads)")
    print(f"     stories() for all: {t_read - marks[-1][1]:.1f} s; peak memory {peak_rss_mb():.0f} MB; "
          f"state {len(d.state()) / 1e6:.0f} MB dedup + {len(c.state()) / 1e6:.0f} MB stories")
    copies = sum(len(g.members) - 1 for g in groups)
    print(f"     copy groups {len(groups)} ({copies} copies, "
          f"{sum(1 for g in groups if len(g.outlets) > 1)} across outlets); stories {len(stories)}, "
          f"{len(multi)} with more than one outlet, {sum(1 for s in stories if len(s.articles) > 1)} with "
          f"more than one article; storylines {len(c.storylines())} (largest "
          f"{max(len(l.stories) for l in c.storylines())} stories)")
    sizes = Counter(len(s.articles) for s in stories)
    print(f"     story sizes: {sorted(sizes.items())[:10]} ... largest {max(sizes)}")
    from marsad.stories import MAX_SPAN_DAYS, _days

    spans = [(_days(s.last_seen) or 0) - (_days(s.first_seen) or 0) for s in stories if s.first_seen]
    print(f"     stories spanning more than {MAX_SPAN_DAYS:.0f} days as read (folds and merges "
          f"included): {sum(1 for x in spans if x > MAX_SPAN_DAYS)}, longest {max(spans):.0f} days")
    title = {a.id: f"{a.outlet}: {a.title[:60]}" for a in arts}
    rng = random.Random(7)
    for g in rng.sample([g for g in groups if len(g.outlets) > 1], min(3, len(groups))):
        print(f"     copy group {g.id}: " + " | ".join(title[m] for m in g.members[:3]))
    for s in rng.sample(multi, min(3, len(multi))):
        print(f"     story {s.id} ({len(s.articles)}, {s.first_seen[:10]}..{s.last_seen[:10]}): "
              + " | ".join(title[m] for m in s.articles[:4]))


def main() -> None:
    embed = os.environ.get("MARSAD_BENCH_EMBED", "1") != "0"
    for reverse in (False, True, None):
        example_corpus(True, reverse)
        example_corpus(False, reverse)
    seeds()
    limit = os.environ.get("MARSAD_BENCH_ANT")
    if limit != "0":
        ant(int(limit) if limit else None, embed)


if __name__ == "__main__":
    main()
