"""Cleaning on the five real seed articles (../shared/seeds, read at run time; skipped when
absent). Expectations are taken from the seed files themselves by line position, so nothing
of their text lives in the project."""

from __future__ import annotations

import re

import pytest

from conftest import shared_path
from marsad.ingest import extract_articles, read_inputs
from marsad.model import RawDoc
from marsad.text import normalize_for_search as nfs


def _seed(prefix: str):
    d = shared_path("seeds")
    [path] = sorted(d.glob(f"{prefix}_*.txt"))
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    [raw] = list(read_inputs([str(path)]))
    assert isinstance(raw, RawDoc)
    return lines, extract_articles(raw)


def _long(lines: list[str], lo: int = 0, hi: int | None = None) -> list[str]:
    """The seed's paragraph lines (12+ words) in a range of lines."""
    return [ln for ln in lines[lo:hi] if len(ln.split()) >= 12]


def _kept(article, line: str) -> bool:
    return nfs(line) in nfs(article.text)


def test_seed_000_repeated_headline_and_footer():
    lines, arts = _seed("000")
    [a] = arts
    head = lines[2]
    assert lines.count(head) == 3  # the scrape repeats the headline three times
    assert a.title == head and not a.title_derived
    assert head not in a.text
    for i in (0, 6, 26, 28, 30, 31):  # breaking label, app prompt, newsletter, follow, prev, next
        assert lines[i] in a.removed, lines[i]
        assert not _kept(a, lines[i])
    for para in _long(lines, 8, 26):
        assert _kept(a, para)
    assert a.credited == ["تاس"]


def test_seed_001_date_title_caption_sources():
    lines, arts = _seed("001")
    [a] = arts
    assert a.title == lines[2]
    assert a.published == "2024-01-26"
    assert a.published_text == lines[4]  # as written, weekday included
    caption = lines[5]
    assert caption in a.removed and not _kept(a, caption)
    for i in (0, 29, 30, 31):  # skip link, sources header and value, share
        assert lines[i] in a.removed
    for para in _long(lines, 7):
        assert _kept(a, para)
    # the two sub-headings stay in the body, in place
    assert lines[11] in a.text.split("\n\n") and lines[19] in a.text.split("\n\n")
    assert a.outlet == "العربي"
    assert set(a.credited) >= {"رويترز", "إنترفاكس", "بلومبرغ"}


def test_seed_002_appended_article_is_split_off_and_related_list_removed():
    lines, arts = _seed("002")
    assert [a.part for a in arts] == [0, 1]
    main, second = arts
    marker = next(i for i, ln in enumerate(lines) if re.match(r"^إقرأ أيضا", ln))
    related = next(i for i, ln in enumerate(lines) if ln.startswith("مقالات مشابهة"))
    # part 0: no headline in the scrape, so the title comes from the lead
    assert main.title_derived and nfs(lines[0]).startswith(nfs(main.title).rstrip("…"))
    for para in _long(lines, 0, marker):
        if not para.startswith(("طباعة", "كلمات")):
            assert _kept(main, para) and not _kept(second, para)
    for i in (22, 24, 26, marker):  # print/share/tags bar, source, keywords, the marker
        assert lines[i] in main.removed
    assert main.outlet == "صدى البلد"
    # part 1: the appended article, with its own headline and whole body
    hidx = next(i for i in range(marker + 1, len(lines)) if lines[i])
    headline = lines[hidx]
    assert second.title == headline and not second.title_derived
    assert headline not in second.text
    for para in _long(lines, hidx + 1, related):
        assert _kept(second, para) and not _kept(main, para)
    # the related-articles list is boilerplate, even the item repeating part 1's headline
    for ln in lines[related:]:
        if ln:
            assert not _kept(main, ln) and not _kept(second, ln)
    assert second.id != main.id
    # the appended article's dateline names its own outlet, then its city in parentheses: it
    # is that outlet's, not the one the file's source line credits for part 0
    dateline = next(ln for ln in lines[hidx + 1:related] if ln)
    assert dateline in second.removed
    assert second.outlet == dateline.split("(")[0].strip() != main.outlet


@pytest.mark.parametrize("line, outlet", [
    ("الوطن (دمشق)", "الوطن"),
    ("عكاظ (جدة) -", "عكاظ"),
    ("دمشق (رويترز)", None),  # a city, then the agency: no outlet
    ("القاهرة (خاص)", None),
    ("دمشق (سوريا)", None),  # a place first: a city dateline
    ("وقال الوزير في مؤتمر صحفي عقده في العاصمة (بيروت) إن الحكومة ستستقيل", None),
])
def test_outlet_of_a_dateline(line, outlet):
    from marsad.ingest.metadata import outlet_from_dateline

    assert outlet_from_dateline(line) == outlet


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_seeds_003_004_title_and_whole_body(prefix):
    lines, arts = _seed(prefix)
    [a] = arts
    assert a.title == lines[0] and not a.title_derived
    for para in _long(lines, 1):
        assert _kept(a, para)
    if prefix == "003":
        assert a.removed == [] and a.credited == ["سبوتنيك"]
        assert lines[14] in a.text.split("\n\n")  # sub-heading kept
    else:
        assert set(a.removed) == {lines[2], lines[24], lines[25]}  # byline, share, comment


def test_every_seed_yields_ids_that_do_not_depend_on_the_checkout_location():
    d = shared_path("seeds")
    ids = []
    for raw in read_inputs([str(d)]):
        ids += [a.id for a in extract_articles(raw)]
    again = []
    for raw in read_inputs([str(d) + "/"]):
        again += [a.id for a in extract_articles(raw)]
    assert ids == again and len(set(ids)) == 6
