"""Story briefs and renders: agreement with the example corpus gold, citation checks, and speed.

Prints, for the example corpus (and ../shared/seeds when present):
  * reconciled numbers vs examples/gold.json ``reconciled`` (latest and ordered history);
  * summary sentences that are verbatim in their article (must be all) and evidence links of
    the HTML report that land on a highlighted span with exactly the cited text (must be all);
  * time to build every brief and to render the HTML report;
and the time to brief and render an analysis 40 times the corpus (ids renamed) for scaling.
"""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path

from benchmarks.common import ROOT, peak_rss_mb, shared


def _analyze(path: Path):
    from marsad.pipeline import analyze

    analysis, _report = analyze([str(path)], use_embeddings=False)
    return analysis


def _gold_numbers(analysis, gold, own_story: bool = True) -> tuple[int, int, list[str]]:
    """Reconciled numbers against the gold. ``own_story``: the brief of the gold story's own
    articles (what the briefs do, whatever the clustering); else the brief of the pipeline
    story holding most of them (also depends on the story clustering)."""
    from collections import Counter

    from marsad.brief_numbers import what_key
    from marsad.briefs import build_brief
    from marsad.model import Story

    ok = total = 0
    misses = []
    stories = {s.id: s for s in analysis.stories}
    for key, expected in gold.get("reconciled", {}).items():
        origins = [(g["origin"], g["part"]) for g in gold["articles"] if g["story"] == key]
        arts = [a for a in analysis.articles
                if any(a.part == p and a.origin.replace("\\", "/").endswith(o) for o, p in origins)]
        sid = Counter(a.story for a in arts).most_common(1)[0][0] if arts else None
        if own_story:
            brief = build_brief(Story(f"gold-{key}", key, articles=[a.id for a in arts]), analysis) if arts else {}
        else:
            brief = stories[sid].brief if sid in stories else {}
        for exp in expected:
            total += 1
            groups = [g for g in brief.get("numbers", [])
                      if g["counts"] == what_key(exp["what"]) and not g.get("role")]
            g = max(groups, key=lambda g: g["reports"]) if groups else None
            if g and g["latest"] == exp["latest"] and g["values"] == exp["history"]:
                ok += 1
            else:
                misses.append(f"{key}/{exp['what']}: expected {exp['history']}, got "
                              f"{g['values'] if g else None}")
    return ok, total, misses


def _check_html(analysis, page: str) -> tuple[int, int]:
    import lxml.html

    doc = lxml.html.document_fromstring(page)
    by_id = {a.id: a for a in analysis.articles}
    good = total = 0
    for href in {a.get("href") for a in doc.xpath("//a[@href]")}:
        m = re.fullmatch(r"#ev-(.+)-(\d+)-(\d+)", href or "")
        if not m:
            continue
        total += 1
        el = doc.get_element_by_id(href[1:], None)
        text = by_id[m.group(1)].text[int(m.group(2)):int(m.group(3))]
        good += el is not None and el.text_content() == text
    return good, total


def _report(name: str, analysis, gold: dict | None) -> None:
    from marsad.briefs import add_briefs
    from marsad.render.html import render_html

    t0 = time.perf_counter()
    add_briefs(analysis)
    t_brief = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = render_html(analysis)
    t_html = time.perf_counter() - t0
    by_id = {a.id: a for a in analysis.articles}
    summ = [it for s in analysis.stories for it in s.brief["summary"]]
    verbatim = sum(by_id[it["article"]].text[it["start"]:it["end"]] == it["text"] for it in summ)
    good, links = _check_html(analysis, page)
    n_contra = sum(len(s.brief["contradictions"]) for s in analysis.stories)
    n_changed = sum(1 for s in analysis.stories for g in s.brief["numbers"] if g["changed"])
    print(f"{name}: {len(analysis.articles)} articles, {len(analysis.stories)} stories")
    print(f"   summary sentences verbatim: {verbatim}/{len(summ)}")
    print(f"   evidence links landing on the exact cited span: {good}/{links}")
    print(f"   contradictions: {n_contra}; numbers that changed across reports: {n_changed}")
    if gold is not None:
        ok, total, misses = _gold_numbers(analysis, gold)
        print(f"   reconciled numbers matching gold (latest + ordered history), brief of each gold "
              f"story's articles: {ok}/{total}")
        for m in misses:
            print(f"     miss: {m}")
        ok, total, misses = _gold_numbers(analysis, gold, own_story=False)
        print(f"   the same on the pipeline's stories (depends on the story clustering): {ok}/{total}")
        for m in misses:
            print(f"     miss: {m}")
    print(f"   briefs {t_brief * 1000:.0f} ms, HTML {t_html * 1000:.0f} ms ({len(page) // 1024} KB)")


def _scaled(analysis, times: int):
    from marsad.model import Analysis, Storyline

    big = Analysis()
    for k in range(times):
        an = copy.deepcopy(analysis)
        ren = {a.id: f"{a.id}-{k}" for a in an.articles}
        for a in an.articles:
            a.id = ren[a.id]
            a.story = f"{a.story}-{k}" if a.story else None
            a.duplicate_of = ren.get(a.duplicate_of) if a.duplicate_of else None
        for aid, f in list(an.facts.items()):
            for x in [*f.events, *f.quotes, *f.claims]:
                x.article = ren[x.article]
                x.evidence.article = ren[x.evidence.article]
            big.facts[ren[aid]] = f
        for s in an.stories:
            s.id = f"{s.id}-{k}"
            s.articles = [ren[i] for i in s.articles]
            s.brief = {}
        big.articles += an.articles
        big.stories += an.stories
        for s in an.stories:
            s.storyline = f"{s.storyline}-{k}" if s.storyline else None
        big.storylines += [Storyline(f"{line.id}-{k}", line.title, [f"{i}-{k}" for i in line.stories])
                           for line in an.storylines]
    return big


def main() -> None:
    corpus = ROOT / "examples" / "corpus"
    gold_path = ROOT / "examples" / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.exists() else None
    analysis = _analyze(corpus)
    _report("example corpus", analysis, gold)
    seeds = shared("seeds")
    if seeds is not None:
        _report("seeds", _analyze(seeds), None)

    from marsad.briefs import add_briefs
    from marsad.render.html import render_html

    big = _scaled(analysis, 40)
    t0 = time.perf_counter()
    add_briefs(big)
    t_brief = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = render_html(big)
    t_html = time.perf_counter() - t0
    print(f"corpus x40: {len(big.articles)} articles, {len(big.stories)} stories: briefs {t_brief:.2f} s "
          f"({t_brief / len(big.stories) * 1000:.1f} ms/story), HTML {t_html:.2f} s "
          f"({len(page) // (1024 * 1024)} MB); peak RSS {peak_rss_mb():.0f} MB")
