"""Renders of the briefs: the self-contained right-to-left HTML report, Markdown, the terminal
view and `marsad story`. Built on the hand-made Kharkiv analysis of test_briefs plus a story
whose text and title carry markup that must come out escaped."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import lxml.html
import pytest
from rich.console import Console

from marsad.briefs import add_briefs
from marsad.model import Article, Story, Storyline
from marsad.errors import StoryNotFound
from marsad.render.html import highlight, render_html
from marsad.render.markdown import render_markdown
from marsad.render.terminal import render_story

from test_briefs import kharkiv_analysis

INJECTED = ("نشر مجهولون شيفرة <script>alert(1)</script> في تعليقات موقع إخباري محلي، وقالت الشركة "
            "المشغلة إنها أزالتها خلال ساعة واحدة من اكتشافها وأبلغت السلطات المختصة بالحادث.\n"
            "وأوضحت الشركة في بيان أن بيانات المشتركين لم تتعرض لأي تسريب، وأن الثغرة أُغلقت نهائيا.")
INJECTED_TITLE = 'اختراق "موقع" <b>إخباري</b> & تعليقات <img src=x onerror=alert(2)>'


def full_analysis():
    an = kharkiv_analysis()
    a = Article("hack-1", "txt/hack.txt", title=INJECTED_TITLE, published="2024-06-01", outlet="<i>تقني</i>",
                text=INJECTED, story="S3", url="javascript:alert(3)")
    an.articles.append(a)
    an.stories.append(Story("S3", INJECTED_TITLE, "L2", ["hack-1"], ["<i>تقني</i>"], "2024-06-01",
                            "2024-06-01", ["<script>"]))
    an.storylines.append(Storyline("L2", "أمن <u>المعلومات</u>", ["S3"]))
    add_briefs(an)
    return an


@pytest.fixture(scope="module")
def analysis():
    return full_analysis()


@pytest.fixture(scope="module")
def page(analysis) -> str:
    return render_html(analysis)


@pytest.fixture(scope="module")
def doc(page):
    return lxml.html.document_fromstring(page)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker(HTMLParser):
    """Strict well-formedness: every element closed in order, no duplicate ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id":
                self.ids.append(v)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> at {self.getpos()}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def test_html_is_well_formed_rtl_arabic(page, doc):
    c = _Checker()
    c.feed(page)
    c.close()
    assert c.doctype and c.doctype.lower() == "doctype html"
    assert c.errors == []
    assert c.stack == []
    dup = {i for i in c.ids if c.ids.count(i) > 1}
    assert not dup
    assert doc.tag == "html"
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    assert doc.find(".//meta[@charset]").get("charset").lower() == "utf-8"
    css = doc.find(".//style").text
    assert "line-height" in css and "Naskh" in css


def test_html_is_self_contained(page, doc):
    assert doc.xpath("//link") == []
    assert doc.xpath("//script[@src]") == [] and doc.xpath("//img") == [] and doc.xpath("//iframe") == []
    css = " ".join(s.text or "" for s in doc.xpath("//style"))
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    # Only in-page links (and none to javascript:).
    for a in doc.xpath("//a[@href]"):
        href = a.get("href")
        assert href.startswith("#") or href.startswith(("http://", "https://")), href


def test_html_escapes_everything_from_the_data(page, doc):
    assert doc.xpath("//script") == []
    assert doc.xpath("//img") == [] and doc.xpath("//b") == [] and doc.xpath("//u") == []
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    body = doc.get_element_by_id("a-hack-1")
    assert "<script>alert(1)</script>" in body.text_content()
    assert "javascript:" not in page
    # The title with quotes and markup is shown as written, in text and in attributes.
    assert INJECTED_TITLE in doc.get_element_by_id("s-S3").text_content()
    titles = [a.get("title") for a in doc.xpath("//a[@class='cite']") if a.get("title")]
    assert any(INJECTED_TITLE in t for t in titles)


def test_index_lists_storylines_and_stories(doc, analysis):
    nav = doc.get_element_by_id("index")
    text = nav.text_content()
    assert "الحرب في أوكرانيا" in text and "أمن <u>المعلومات</u>" in text
    links = [a.get("href") for a in nav.xpath(".//a")]
    assert sorted(links) == sorted(f"#s-{s.id}" for s in analysis.stories)
    item = next(li for li in nav.xpath(".//li") if "خاركيف" in li.text_content())
    assert "منافذ: 4" in item.text_content() and "25 مايو 2024" in item.text_content()


def test_every_link_target_exists_and_evidence_is_highlighted(page, doc, analysis):
    ids = set(doc.xpath("//@id"))
    hrefs = [a.get("href") for a in doc.xpath("//a[@href]") if a.get("href").startswith("#")]
    assert hrefs
    for h in hrefs:
        assert h[1:] in ids, h
    ev_links = [h for h in hrefs if h.startswith("#ev-")]
    assert len(ev_links) > 20
    for h in set(ev_links):
        m = re.fullmatch(r"#ev-(.+)-(\d+)-(\d+)", h)
        aid, s, e = m.group(1), int(m.group(2)), int(m.group(3))
        mark = doc.get_element_by_id(h[1:])
        assert mark.tag == "mark"
        # The mark sits inside the text of its article and holds exactly the cited span.
        assert mark.xpath(f"ancestor::article[@id='a-{aid}']")
        art = next(a for a in analysis.articles if a.id == aid)
        assert mark.text_content() == art.text[s:e]


def test_every_cited_summary_sentence_is_verbatim_in_its_article(doc, analysis):
    for story in analysis.stories:
        section = doc.get_element_by_id(f"s-{story.id}")
        items = section.xpath(".//div[contains(@class,'summary')]//li")
        assert len(items) == len(story.brief["summary"]) >= 1
        for li, it in zip(items, story.brief["summary"]):
            art = next(a for a in analysis.articles if a.id == it["article"])
            assert art.text[it["start"]:it["end"]] == it["text"]
            assert it["text"] in li.text_content()
            link = li.xpath(".//a[@class='cite']")[0]
            assert link.get("href") == f"#ev-{art.id}-{it['start']}-{it['end']}"
            assert link.text_content() == art.outlet


def test_article_texts_are_all_there_once(doc, analysis):
    for a in analysis.articles:
        el = doc.get_element_by_id(f"a-{a.id}")
        assert a.text in el.text_content()


def test_reconciled_numbers_shown_with_history_in_order(doc):
    section = doc.get_element_by_id("s-S1")
    row = next(tr for tr in section.xpath(".//div[contains(@class,'numbers')]//tbody/tr")
               if "القتلى" in tr.xpath("./td")[0].text_content())
    cells = row.xpath("./td")
    assert cells[1].xpath(".//span[contains(@class,'big')]")[0].text_content() == "14"
    assert cells[2].xpath(".//span[contains(@class,'big')]")[0].text_content() == "8"
    rows = cells[3].xpath("./ul/li")
    hist = [li.xpath(".//span[@class='v']")[0].text_content() for li in rows]
    assert hist == ["8 على الأقل", "11 على الأقل", "14 على الأقل"]
    # The syndicated copy that repeats the first figure is folded into its row as a second source.
    assert [a.text_content() for a in rows[0].xpath(".//a[@class='cite']")] == ["النهار", "الوطن"]


def test_contradiction_shows_both_sides_with_sources(doc):
    box = doc.get_element_by_id("s-S2").xpath(".//div[@class='contra']")[0]
    ps = box.xpath("./p")
    assert "وزارة الدفاع الروسية" in ps[0].text_content() and "روسيا اليوم" in ps[0].text_content()
    assert "هيئة الأركان العامة الأوكرانية" in ps[1].text_content() and "الجزيرة نت" in ps[1].text_content()


def test_highlight_keeps_markup_valid_when_spans_cross():
    text = "أبجد هوز حطي كلمن سعفص قرشت"
    out = str(highlight(text, [(0, 12), (5, 22), (5, 8), (13, 17)], "x"))
    c = _Checker()
    c.feed(f"<div>{out}</div>")
    assert c.errors == [] and c.stack == []
    root = lxml.html.fragment_fromstring(f"<div>{out}</div>")
    assert root.text_content() == text
    assert root.get_element_by_id("ev-x-0-12").text_content() == text[0:12]
    assert root.get_element_by_id("ev-x-5-8").text_content() == text[5:8]
    assert root.get_element_by_id("ev-x-13-17").text_content() == text[13:17]
    # The crossing span starts at its own offset (its first piece carries the id).
    assert text[5:22].startswith(root.get_element_by_id("ev-x-5-22").text_content())
    assert str(highlight("<a>&", [(0, 3)], "y")) == '<mark class="ev" id="ev-y-0-3">&lt;a&gt;</mark>&amp;'


def test_markdown_cites_every_line_and_escapes(analysis):
    md = render_markdown(analysis, "S1")
    assert md.startswith("# ضربة روسية على متجر في خاركيف")
    for it in analysis.stories[0].brief["summary"]:
        assert f"{it['article']} · {it['start']}–{it['end']}" in md
    assert "| القتلى | **14**" in md
    assert "8 على الأقل" in md and md.index("11 على الأقل") < md.index("14 على الأقل")
    hack = render_markdown(analysis, "S3")
    assert "<script>" not in hack and "<b>" not in hack and "&lt;script&gt;" in hack


def test_markdown_and_terminal_accept_a_unique_prefix_only(analysis):
    an = full_analysis()
    an.stories[0].id = "abc123"
    an.stories[1].id = "abd456"
    assert render_markdown(an, "abc").startswith("# ضربة روسية")
    with pytest.raises(StoryNotFound, match="matches 2 stories"):
        render_markdown(an, "ab")
    with pytest.raises(StoryNotFound, match="abc123"):
        render_story(an, "zzz", Console(file=io.StringIO()))


def test_terminal_view_shows_the_brief(analysis):
    buf = io.StringIO()
    console = Console(file=buf, width=140, color_system=None, force_terminal=False)
    render_story(analysis, "S1", console)
    out = buf.getvalue()
    for needle in ("الخلاصة", "الأرقام", "من قال ماذا", "التسلسل الزمني", "المصادر", "أوليغ سينيغوبوف",
                   "14 على الأقل", "سكاي نيوز عربية"):
        assert needle in out, needle
    buf = io.StringIO()
    render_story(analysis, "S3", Console(file=buf, width=140, color_system=None))
    assert "<script>alert(1)</script>" in buf.getvalue()


def test_story_command(tmp_path, monkeypatch, analysis):
    from typer.testing import CliRunner

    import marsad.pipeline
    from marsad.cli import app

    def fake_load(db):
        assert db == str(tmp_path / "news.db")
        return full_analysis()

    monkeypatch.setattr(marsad.pipeline, "load_analysis", fake_load)
    runner = CliRunner()
    db = str(tmp_path / "news.db")
    r = runner.invoke(app, ["story", "S1", "--db", db, "--markdown"])
    assert r.exit_code == 0, r.output
    assert "## الخلاصة" in r.output and "nahar-1" in r.output
    r = runner.invoke(app, ["story", "S2", "--db", db])
    assert r.exit_code == 0, r.output
    assert "ستارومايورسكي" in r.output
    r = runner.invoke(app, ["story", "nope", "--db", db])
    assert r.exit_code == 1
    assert "no story 'nope'" in r.output and "S1" in r.output


def test_brief_json_round_trips(analysis):
    d = json.loads(json.dumps(analysis.to_dict(), ensure_ascii=False))
    assert all("summary" in s["brief"] for s in d["stories"])


# --------------------------------------------------------------------------------------------
# The real seed articles through the whole pipeline (skipped when ../shared/seeds is absent).

@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    from conftest import shared_path

    seeds = shared_path("seeds")
    pipeline = pytest.importorskip("marsad.pipeline")
    db = str(tmp_path_factory.mktemp("seeds") / "seeds.db")
    analysis, report = pipeline.analyze([str(seeds)], db=db, use_embeddings=False)
    assert not report.errors
    return db, analysis


@pytest.mark.slow
def test_seeds_report_is_valid_cited_and_linked(seeds_db):
    _db, an = seeds_db
    page = render_html(an)
    c = _Checker()
    c.feed(page)
    c.close()
    assert c.errors == [] and c.stack == []
    assert len(c.ids) == len(set(c.ids))
    doc = lxml.html.document_fromstring(page)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
    by_id = {a.id: a for a in an.articles}
    ids = set(doc.xpath("//@id"))
    n_links = 0
    for a in doc.xpath("//a[@href]"):
        href = a.get("href")
        assert href.startswith(("#", "http://", "https://")), href
        if href.startswith("#"):
            assert href[1:] in ids, href
        m = re.fullmatch(r"#ev-(.+)-(\d+)-(\d+)", href)
        if m:
            n_links += 1
            text = by_id[m.group(1)].text[int(m.group(2)):int(m.group(3))]
            assert doc.get_element_by_id(href[1:]).text_content() == text
    assert n_links > 10
    summaries = [it for s in an.stories for it in s.brief["summary"]]
    assert summaries
    for it in summaries:
        assert by_id[it["article"]].text[it["start"]:it["end"]] == it["text"]


@pytest.mark.slow
def test_story_command_on_the_seeds_store(seeds_db):
    from typer.testing import CliRunner

    from marsad.cli import app

    db, an = seeds_db
    story = max(an.stories, key=lambda s: len(s.articles))
    runner = CliRunner()
    r = runner.invoke(app, ["story", story.id[:10], "--db", db, "--markdown"])
    assert r.exit_code == 0, r.output
    from marsad.render.markdown import md

    assert r.output.startswith(f"# {md(story.title)}")
    assert "## الخلاصة" in r.output
    r = runner.invoke(app, ["story", story.id, "--db", db])
    assert r.exit_code == 0, r.output
    assert "الخلاصة" in r.output


def test_long_timeline_has_a_more_fold_and_markdown_notes_it():
    from marsad.briefs import TIMELINE_SHOWN
    from test_briefs import _timeline_analysis

    an = _timeline_analysis(extra_statements=30)
    add_briefs(an)
    page = render_html(an)
    checker = _Checker()
    checker.feed(page)
    assert not checker.errors and not checker.stack
    story = lxml.html.document_fromstring(page).get_element_by_id("s-Z")
    more = story.xpath(".//details[@class='tl-more']")
    assert len(more) == 1
    folded = more[0].xpath(".//ol[@class='timeline']/li")
    shown = story.xpath(".//ol[@class='timeline'][not(ancestor::details[@class='tl-more'])]/li")
    assert len(shown) == TIMELINE_SHOWN and len(shown) + len(folded) == 32
    badge = shown[0].xpath(".//span[contains(@class, 'badge')]")[0].text_content()
    assert "ضحايا" in badge and "محادثات" in badge
    md = render_markdown(an, "Z")
    timeline = md.split("## التسلسل الزمني", 1)[1].split("## ", 1)[0]
    assert "مطوية" in timeline and timeline.count("\n- ") == TIMELINE_SHOWN + 1


def test_a_denial_alone_reads_who_denies_what():
    from test_briefs import kharkiv_analysis as fresh

    an = fresh()
    add_briefs(an)
    md = render_markdown(an, "S1")
    part = md.split("## روايات متعارضة", 1)[1].split("## ", 1)[0]
    assert "غير منسوب" not in part and "(تأكيد" not in part
    assert "**وزارة الدفاع الروسية تنفي**: اتهامات كييف باستهداف المدنيين" in part
    assert "منسوب إلى كييف" in part
    box = lxml.html.document_fromstring(render_html(an)).get_element_by_id("s-S1").xpath(
        ".//div[contains(concat(' ', @class, ' '), ' contra ')]")[0]
    assert "alone" in box.get("class") and "وزارة الدفاع الروسية تنفي" in box.text_content()


def test_denial_verb_agrees_with_bodies_and_places():
    from marsad.render.common import denial_parts

    def verb(claimant):
        return denial_parts({"paired": False}, {"claimant": claimant, "stance": "denies", "target": "س"})[0]

    assert verb("قوات المعارضة") == "قوات المعارضة تنفي"
    assert verb("الحكومة الانتقالية") == "الحكومة الانتقالية تنفي"
    assert verb("أوكرانيا") == "أوكرانيا تنفي"
    assert verb("الجيش الوطني") == "الجيش الوطني ينفي"
    assert verb("سامر الخوري") == "سامر الخوري ينفي"


def test_report_can_be_bounded_to_the_most_covered_stories(tmp_path):
    from pathlib import Path

    from lxml import html as lxml_html

    from marsad.pipeline import analyze
    from marsad.render.html import render_html

    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    analysis, _ = analyze([str(corpus)], use_embeddings=False)
    assert len(analysis.stories) > 3
    page = render_html(analysis, max_stories=3)
    doc = lxml_html.fromstring(page)
    top = sorted(analysis.stories, key=lambda s: (len(s.outlets), len(s.articles), s.last_seen or ""), reverse=True)[:3]
    shown = {s.id for s in top}
    for s in analysis.stories:
        assert (doc.get_element_by_id(f"s-{s.id}", None) is not None) == (s.id in shown)
    left_out = [s for s in analysis.stories if s.id not in shown]
    assert str(len(left_out)) in doc.text_content()
    for a in analysis.articles:  # only the articles of the shown stories are rendered
        in_shown = a.story in shown or any(a.id in s.articles for s in top)
        assert (doc.get_element_by_id(f"a-{a.id}", None) is not None) == in_shown
