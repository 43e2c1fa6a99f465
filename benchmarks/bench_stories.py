"""Deduplication and story clustering: quality on hand-labelled real ANT windows
(``benchmarks/gold/stories_*.tsv``, see ``benchmarks/gold/README.md``), on the fictional example
corpus, the seeds' split, and speed/memory/counts over the ANT 2018 corpus (31,525 articles) in
time order.

Run alone: ``python -m benchmarks stories``. ``MARSAD_BENCH_ANT=N`` limits the ANT run to the
first N articles in time order (0 skips it); ``MARSAD_BENCH_EMBED=0`` turns embeddings off;
``MARSAD_BENCH_GOLD_ONLY=1`` runs the gold windows alone.
``python -m benchmarks.bench_stories errors GOLD.tsv [N]`` prints the N worst merges and splits
of one gold window in time order (docno, outlet, headline) to read what went wrong;
``python -m benchmarks.bench_stories fit GOLD.tsv`` fits the same-story weights on one window's
decisions and prints them with their ROC-AUC on every window.
``python -m benchmarks.bench_stories sprawl [name=value ...]`` clusters ANT's news articles of
February, March and June 2018 (``MARSAD_BENCH_MONTHS`` for others, never April or May) and
prints how large and how long the largest storylines grow; ``python -m benchmarks.bench_stories
gold GOLD.tsv[,GOLD2.tsv] [name=value ...]`` scores gold windows; both with those StoryConfig
settings over the defaults (e.g. ``line_gap_days=None``).
ANT corpus: Chouigui et al., "ANT Corpus: An Arabic News Text Collection for Textual
Classification", AICCSA 2017.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

from benchmarks.common import ROOT, ant_records, peak_rss_mb, shared
from marsad.dedup import Deduper
from marsad.model import Article
from marsad.stories import StoryClusterer, StoryConfig

CHECKPOINTS = (4000, 8000, 16000)
GOLD_DIR = ROOT / "benchmarks" / "gold"
# Shuffled runs per gold window (fixed seeds): how much the result depends on arrival order.
SHUFFLE_SEEDS = (1, 2, 3)


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


def _run(articles: list[Article], use_embeddings: bool,
         config: StoryConfig | None = None) -> tuple[Deduper, StoryClusterer]:
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings, config=config)
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
    from marsad.story_signals import epoch_days

    max_span = c.config.max_span_days
    spans = [(epoch_days(s.last_seen) or 0) - (epoch_days(s.first_seen) or 0) for s in stories if s.first_seen]
    print(f"     stories spanning more than {max_span:.0f} days as read (folds and merges "
          f"included): {sum(1 for x in spans if x > max_span)}, longest {max(spans):.0f} days")
    title = {a.id: f"{a.outlet}: {a.title[:60]}" for a in arts}
    # Samples to read are drawn outside April and May 2018 (reserved for independent
    # evaluation: marsad's output on them is never looked at).
    reserved = {a.id for a in arts if (a.published or "")[:7] in ("2018-04", "2018-05")}
    groups = [g for g in groups if not reserved & set(g.members)]
    multi = [s for s in multi if not reserved & set(s.articles)]
    rng = random.Random(7)
    for g in rng.sample([g for g in groups if len(g.outlets) > 1], min(3, len(groups))):
        print(f"     copy group {g.id}: " + " | ".join(title[m] for m in g.members[:3]))
    for s in rng.sample(multi, min(3, len(multi))):
        print(f"     story {s.id} ({len(s.articles)}, {s.first_seen[:10]}..{s.last_seen[:10]}): "
              + " | ".join(title[m] for m in s.articles[:4]))


def read_gold(path: Path) -> dict[str, tuple[str, str]]:
    """docno -> (story, storyline) from a gold file: ``docno<TAB>story<TAB>storyline`` per
    line; blank lines, lines starting with ``#`` and a ``docno`` header line are skipped."""
    out: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("docno\t"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 3:
            raise ValueError(f"{path.name}:{n}: expected docno<TAB>story<TAB>storyline")
        out[cols[0].strip()] = (cols[1].strip(), cols[2].strip())
    return out


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("stories_*.tsv")) if GOLD_DIR.exists() else []


def gold_articles(docnos) -> list[Article]:
    """The ANT articles of ``docnos``, in time order (docno breaks ties)."""
    want = set(docnos)
    arts = [_ant_article(r) for r in ant_records() if r["docno"] in want]
    arts.sort(key=lambda a: (a.published or "~", a.id))
    return arts


def cluster_window(arts: list[Article], use_embeddings: bool,
                   config: StoryConfig | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Deduplicate and cluster ``arts`` in the order given: (article -> story,
    article -> storyline) as read after the last article."""
    _, c = _run([Article(**{**a.__dict__}) for a in arts], use_embeddings, config)
    stories = c.stories()
    story = {x: s.id for s in stories for x in s.articles}
    line = {x: s.storyline for s in stories for x in s.articles}
    return story, line


def gold_window(path: Path, use_embeddings: bool, arts: list[Article] | None = None,
                config: StoryConfig | None = None) -> dict:
    """Story and storyline B-cubed P/R/F1 on one gold window, in time order and shuffled;
    returns {order: (story PRF, storyline PRF)}."""
    gold = read_gold(path)
    arts = gold_articles(gold) if arts is None else arts
    missing = len(gold) - len(arts)
    g_story = {a.id: gold[a.id][0] for a in arts}
    g_line = {a.id: gold[a.id][1] for a in arts}
    out = {}
    orders = [("time order", arts)]
    for seed in SHUFFLE_SEEDS:
        sh = list(arts)
        random.Random(seed).shuffle(sh)
        orders.append((f"shuffled (seed {seed})", sh))
    t0 = time.perf_counter()
    for name, order in orders:
        story, line = cluster_window(order, use_embeddings, config)
        out[name] = (bcubed(story, g_story), bcubed(line, g_line), len(set(story.values())),
                     len(set(line.values())))
    elapsed = time.perf_counter() - t0
    print(f"   {path.name}: {len(arts)} real ANT articles ({missing} docnos not found), "
          f"{len(set(g_story.values()))} gold stories, {len(set(g_line.values()))} gold storylines; "
          f"embeddings {'on' if use_embeddings else 'off'} ({elapsed:.1f} s)")
    for name, ((ps, rs, fs), (pl, rl, fl), ns, nl) in out.items():
        print(f"     {name:<20} stories B3 P {ps:.3f} R {rs:.3f} F1 {fs:.3f} ({ns})   "
              f"storylines B3 P {pl:.3f} R {rl:.3f} F1 {fl:.3f} ({nl})")
    shuf = [v for k, v in out.items() if k.startswith("shuffled")]
    if shuf:
        print(f"     {'shuffled mean / min':<20} stories F1 {sum(v[0][2] for v in shuf) / len(shuf):.3f} / "
              f"{min(v[0][2] for v in shuf):.3f}   storylines F1 "
              f"{sum(v[1][2] for v in shuf) / len(shuf):.3f} / {min(v[1][2] for v in shuf):.3f}")
    return out


def gold_windows(use_embeddings: bool) -> None:
    files = gold_files()
    if not files:
        print("   skipped: no benchmarks/gold/stories_*.tsv")
        return
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    for path in files:
        gold_window(path, use_embeddings)


def errors(path: Path, n: int = 10, use_embeddings: bool = True, shuffle: int | None = None) -> None:
    """Print the ``n`` worst merges (predicted stories mixing gold stories) and splits (gold
    stories spread over predicted stories) of one gold window, with docno, outlet and
    headline. For reading at the terminal; nothing is written."""
    gold = read_gold(path)
    arts = gold_articles(gold)
    if shuffle is not None:
        random.Random(shuffle).shuffle(arts)
    story, line = cluster_window(arts, use_embeddings)
    by_id = {a.id: a for a in arts}

    def show(x: str) -> str:
        a = by_id[x]
        return f"{x} {(a.published or '')[:16]} {a.outlet}: {a.title[:90]}"

    for level, pred, gi in (("story", story, 0), ("storyline", line, 1)):
        groups_p, groups_g = defaultdict(list), defaultdict(list)
        for x in pred:
            groups_p[pred[x]].append(x)
            groups_g[gold[x][gi]].append(x)
        # a merge costs the pairs of articles put together wrongly; a split the pairs cut apart
        def merge_cost(ms):
            c = Counter(gold[x][gi] for x in ms)
            return len(ms) ** 2 - sum(v * v for v in c.values())

        def split_cost(ms):
            c = Counter(pred[x] for x in ms)
            return len(ms) ** 2 - sum(v * v for v in c.values())

        print(f"== worst {level} merges ({path.name})")
        for pid, ms in sorted(groups_p.items(), key=lambda kv: -merge_cost(kv[1]))[:n]:
            if merge_cost(ms) == 0:
                break
            print(f"-- predicted {pid} ({len(ms)})")
            for x in sorted(ms, key=lambda x: gold[x][gi]):
                print(f"   [{gold[x][gi]}] {show(x)}")
        print(f"== worst {level} splits ({path.name})")
        for gid, ms in sorted(groups_g.items(), key=lambda kv: -split_cost(kv[1]))[:n]:
            if split_cost(ms) == 0:
                break
            print(f"-- gold {gid} ({len(ms)})")
            for x in sorted(ms, key=lambda x: pred[x]):
                print(f"   <{pred[x]}> {show(x)}")


def decisions(path: Path, use_embeddings: bool = True, seed: int | None = None) -> tuple[list[dict], list[int]]:
    """The join decisions the clusterer faces on one gold window, with the gold stories as
    they stand when each article arrives (time order, or shuffled with ``seed``): every
    article (copies left out) against each candidate story the index offers. Returns the
    features of each (article, story) pair and 1 when the article belongs to that story.
    What the same-story weights in ``marsad.stories`` are fitted on."""
    from marsad.stories import ClusterStory

    gold = read_gold(path)
    arts = gold_articles(gold)
    if seed is not None:
        random.Random(seed).shuffle(arts)
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    by_gold: dict[str, ClusterStory] = {}
    rows, ys = [], []
    for a in arts:
        a = Article(**{**a.__dict__})
        a.duplicate_of = d.add(a).duplicate_of
        doc = c._doc(a, learn=True)
        want = gold[a.id][0]
        if a.duplicate_of is None:
            for sid in c._candidates(doc, c._weeks_around(doc.t, c.config.max_gap_days)):
                st = c._stories[sid]
                f = c._features(doc, st, embed=use_embeddings)
                f["gap"] = c._gap(doc.t, st)
                rows.append(f)
                ys.append(int(sid == "g-" + want))
        st = by_gold.get(want)
        if st is None:
            st = by_gold[want] = ClusterStory(id="g-" + want, storyline="g", lead=doc.lead)
            c._stories[st.id] = st
        c._join(st, a, doc, 0.0)
        c._story_of[a.id] = st.id
    return rows, ys


def _row(f: dict, keys: list[str], config: StoryConfig | None = None) -> list[float]:
    """The logistic features of one decision, as ``marsad.stories.story_logit`` reads them."""
    day1_min_age = (config or StoryConfig()).day1_min_age
    age, day = f.get("age"), f.get("day")
    out = []
    for k in keys:
        if k == "day1":
            out.append(float(day == 1 and (age is None or age >= day1_min_age)))
        elif k == "day2":
            out.append(float(day is not None and day >= 2))
        elif k == "age":
            out.append(max(0.0, (age if age is not None else (day or 0)) - 1.0))
        else:
            out.append(float(f.get(k) or 0.0))
    return out


def fit(path: Path, use_embeddings: bool = True) -> None:
    """Fit the same-story weights (logistic regression, C=10) on one gold window's decisions
    and print them with the decisions' ROC-AUC on every gold window, for the feature sets of
    the ablation (what each signal adds)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    text = ["tfidf", "link", "title", "names"] + (["emb", "emb_link"] if use_embeddings else [])
    sets = {"text": text, "+where": text + ["where"], "+day": text + ["day1", "day2"],
            "+age": text + ["age"], "+day+age": text + ["day1", "day2", "age"],
            "all": text + ["where", "day1", "day2", "age"]}
    data = {p: decisions(p, use_embeddings) for p in gold_files()}
    rows, ys = data[path] if path in data else decisions(path, use_embeddings)
    for name, keys in sets.items():
        m = LogisticRegression(C=10, max_iter=3000).fit(np.array([_row(f, keys) for f in rows]), ys)
        aucs = " ".join(f"{p.name}: {roc_auc_score(y, m.decision_function(np.array([_row(f, keys) for f in r]))):.4f}"
                        for p, (r, y) in data.items())
        weights = ", ".join(f"{k} {w:.2f}" for k, w in zip(keys, m.coef_[0]))
        print(f"{name:<10} ROC-AUC {aucs}\n           bias {m.intercept_[0]:.2f}, {weights}")


# Storyline sprawl is measured on the news categories of these months (April and May 2018 are
# reserved for independent evaluation: their records are skipped before they are read).
# ``MARSAD_BENCH_MONTHS=2018-06,2018-07`` picks others (a continuous run shows how long a storyline
# grows without the two months' hole).
SPRAWL_MONTHS = tuple(os.environ.get("MARSAD_BENCH_MONTHS", "2018-02,2018-03,2018-06").split(","))
if {"2018-04", "2018-05"} & set(SPRAWL_MONTHS):
    raise SystemExit("April and May 2018 are reserved for independent evaluation")
SPRAWL_CATEGORIES = ("internationalNews", "middleEast")


def _overrides(args: list[str]) -> StoryConfig:
    """A StoryConfig with ``name=value`` settings (Python literals) over the defaults."""
    import ast
    from dataclasses import replace

    return replace(StoryConfig(), **{k: ast.literal_eval(v) for k, v in (a.split("=", 1) for a in args)})


def sprawl(config: StoryConfig, use_embeddings: bool = False, top: int = 8) -> None:
    """How far the largest storylines reach: ANT's news articles of SPRAWL_MONTHS in time order,
    clustered; the top storylines by stories with their articles, span in days and headlines."""
    if shared("data", "ant2018", "articles.jsonl.gz") is None:
        return
    arts = []
    for r in ant_records():
        if r.get("category") not in SPRAWL_CATEGORIES:
            continue
        a = _ant_article(r)
        if (a.published or "")[:7] in SPRAWL_MONTHS:
            arts.append(a)
    arts.sort(key=lambda a: (a.published or "~", a.id))
    c0 = time.process_time()
    _, c = _run(arts, use_embeddings, config)
    stories = c.stories()
    cpu = time.process_time() - c0
    lines = c.storylines(stories)
    by_id = {s.id: s for s in stories}
    title = {a.id: a.title for a in arts}
    def day(iso: str) -> float:
        return datetime.fromisoformat(iso).timestamp() / 86400

    def span(line) -> float:
        firsts = [day(by_id[s].first_seen) for s in line.stories if by_id[s].first_seen]
        lasts = [day(by_id[s].last_seen) for s in line.stories if by_id[s].last_seen]
        return (max(lasts) - min(firsts)) if firsts else 0.0

    sizes = sorted(((len(l.stories), l) for l in lines), key=lambda x: -x[0])
    spans = [span(l) for l in lines]
    print(f"   {len(arts)} ANT news articles of {', '.join(SPRAWL_MONTHS)} in time order "
          f"(embeddings {'on' if use_embeddings else 'off'}, {cpu:.0f} s CPU): {len(stories)} stories, "
          f"{len(lines)} storylines; storylines of 10+ stories {sum(1 for n, _ in sizes if n >= 10)}; "
          f"spanning over 30 days {sum(1 for x in spans if x > 30)} (holding "
          f"{sum(len(l.stories) for l, x in zip(lines, spans) if x > 30) / max(1, len(stories)):.0%} of the "
          f"stories), longest {max(spans):.0f} days; largest {[n for n, _ in sizes[:5]]} stories")
    for n, l in sizes[:top]:
        heads = " | ".join(title.get(by_id[s].articles[0], "")[:40] for s in l.stories[:3])
        print(f"     {n:>4} stories, {sum(len(by_id[s].articles) for s in l.stories):>4} articles, "
              f"{span(l):5.0f} days: {heads}")


def main() -> None:
    embed = os.environ.get("MARSAD_BENCH_EMBED", "1") != "0"
    print("   real news, hand-labelled windows (benchmarks/gold):")
    gold_windows(embed)
    if os.environ.get("MARSAD_BENCH_GOLD_ONLY") == "1":
        return
    print("   fictional example corpus (written and tuned by the project itself: not evidence "
          "of quality on real news):")
    for reverse in (False, True, None):
        example_corpus(True, reverse)
        example_corpus(False, reverse)
    seeds()
    limit = os.environ.get("MARSAD_BENCH_ANT")
    if limit != "0":
        ant(int(limit) if limit else None, embed)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "fit":
        fit(Path(sys.argv[2]), use_embeddings=os.environ.get("MARSAD_BENCH_EMBED", "1") != "0")
    elif len(sys.argv) > 1 and sys.argv[1] == "sprawl":
        sprawl(_overrides(sys.argv[2:]))
    elif len(sys.argv) > 1 and sys.argv[1] == "gold":
        for p in sys.argv[2].split(","):
            gold_window(Path(p), os.environ.get("MARSAD_BENCH_EMBED", "1") != "0", config=_overrides(sys.argv[3:]))
    elif len(sys.argv) > 2 and sys.argv[1] == "errors":
        errors(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10,
               use_embeddings=os.environ.get("MARSAD_BENCH_EMBED", "1") != "0",
               shuffle=int(os.environ["MARSAD_BENCH_SHUFFLE"]) if os.environ.get("MARSAD_BENCH_SHUFFLE") else None)
    else:
        main()
