"""Outputs written as streams: the contract JSON (laid out as before, each fact written once,
copies' evidence kept) and the HTML report, each replacing its file whole or not at all."""

from __future__ import annotations

import io
import json
import re

import pytest

from marsad.export import contract_json
from marsad.model import RawDoc
from marsad.pipeline import Pipeline
from marsad.render.contract import iter_contract_json, write_contract_json_file
from marsad.store import Store

AGENCY = (
    "أعلن وزير الصحة الأردني فراس الهواري، اليوم الثلاثاء، أن عدد المصابين في حادث انقلاب الحافلة "
    "على الطريق الصحراوي ارتفع إلى 23 مصابا، بينهم ستة في حالة حرجة. وقال الهواري في تصريح للصحفيين: "
    "\"فرقنا الطبية تعمل على مدار الساعة، وقد نقلنا الحالات الحرجة إلى مستشفى البشير في عمان\". "
    "وأضاف أن لجنة فنية ستحقق في أسباب الحادث، مشيرا إلى أن الحافلة كانت تقل 41 راكبا من عمال "
    "المياومة. ونفت إدارة السير المركزية أن يكون الطريق مغلقا وقت وقوع الحادث، مؤكدة أن الحركة "
    "كانت تسير بشكل طبيعي. وقالت مديرية الأمن العام في بيان إن السائق أوقف للتحقيق معه، وإن "
    "الفحوص الأولية تشير إلى خلل في المكابح."
)
EXTRA = (
    " وقال الناطق باسم نقابة أصحاب الحافلات عمر الشمايلة: \"نطالب بصيانة دورية إلزامية لكل حافلات "
    "النقل العام قبل منح الترخيص\"."
)


def _raws() -> list[RawDoc]:
    # one agency text published by two outlets; the second adds its own closing paragraph
    first = {"title": "23 مصابا في انقلاب حافلة على الطريق الصحراوي", "text": AGENCY,
             "source": "الرأي", "date": "2025-03-04T09:10:00"}
    copy = {"title": "ارتفاع عدد مصابي حادث الحافلة على الطريق الصحراوي إلى 23", "text": AGENCY + EXTRA,
            "source": "الغد", "date": "2025-03-04T11:40:00"}
    return [RawDoc(origin=f"wire/{i}.json", kind="record", fields=r) for i, r in enumerate((first, copy))]


@pytest.fixture(scope="module")
def analysis():
    store = Store(":memory:")
    try:
        p = Pipeline(store, use_embeddings=False)
        p.ingest(_raws())
        return p.finish()
    finally:
        store.close()


def test_the_copy_is_folded_and_its_facts_are_written_once(analysis):
    by_outlet = {a.outlet: a for a in analysis.articles}
    original, copy = by_outlet["الرأي"], by_outlet["الغد"]
    assert copy.duplicate_of == original.id, "the second outlet's text is a syndicated copy"
    assert analysis.facts[copy.id].quotes, "the copy has quotes of its own before folding"

    data = json.loads(contract_json(analysis, "t"))
    # the minister's quote appears once, under the original, with the copy's exact span beside it
    minister = [q for q in data["quotes"] if "فرقنا الطبية" in q["text"]]
    assert len(minister) == 1
    assert minister[0]["article"] == original.id
    spans = minister[0]["copies"]
    assert [s["article"] for s in spans] == [copy.id]
    assert "فرقنا الطبية" in copy.text[spans[0]["start"]:spans[0]["end"]]
    # what only the copy says keeps an entry of its own
    union = [q for q in data["quotes"] if "صيانة دورية" in q["text"]]
    assert len(union) == 1 and union[0]["article"] == copy.id and "copies" not in union[0]
    # no fact written twice, for every kind
    for kind in ("quotes", "claims", "events"):
        keys = [(x["text"], json.dumps(x.get("speaker") or x.get("claimant") or x.get("numbers"),
                                        sort_keys=True, ensure_ascii=False)) for x in data[kind]]
        assert len(keys) == len(set(keys)), kind
    # and every fact of every article still has its evidence somewhere in the document
    listed = {(x["evidence"]["article"], x["evidence"]["start"]) for k in ("quotes", "claims", "events")
              for x in data[k]} | {(c["article"], c["start"]) for k in ("quotes", "claims", "events")
                                   for x in data[k] for c in x.get("copies", [])}
    for aid, facts in analysis.facts.items():
        for f in [*facts.quotes, *facts.claims, *facts.events]:
            assert (aid, f.evidence.start) in listed


def test_without_copies_the_stream_is_byte_for_byte_the_whole_document(analysis):
    from marsad.model import Analysis

    originals = [a for a in analysis.articles if not a.duplicate_of]
    alone = Analysis(articles=originals, stories=analysis.stories, storylines=analysis.storylines,
                     entities=analysis.entities,
                     facts={a.id: analysis.facts[a.id] for a in originals})
    streamed = "".join(iter_contract_json(alone, "0.1.0"))
    assert streamed == json.dumps(alone.to_dict("0.1.0"), ensure_ascii=False, indent=1)


def test_the_file_is_replaced_whole_or_not_at_all(analysis, tmp_path, monkeypatch):
    out = tmp_path / "sub" / "analysis.json"
    write_contract_json_file(analysis, "t", out)
    before = out.read_bytes()
    assert json.loads(before)["articles"]

    import marsad.render.contract as contract

    def broken(*_a, **_k):
        yield "{\n"
        raise RuntimeError("disk full")

    monkeypatch.setattr(contract, "iter_contract_json", broken)
    with pytest.raises(RuntimeError):
        write_contract_json_file(analysis, "t", out)
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["analysis.json"]


def test_empty_sections_are_written_as_empty_lists():
    from marsad.model import Analysis

    buf = io.StringIO()
    buf.write("".join(iter_contract_json(Analysis(), "0.1.0")))
    assert json.loads(buf.getvalue()) == Analysis().to_dict("0.1.0")
    assert buf.getvalue() == json.dumps(Analysis().to_dict("0.1.0"), ensure_ascii=False, indent=1)


def test_the_html_report_is_written_story_by_story_and_replaced_whole(analysis, tmp_path, monkeypatch):
    from marsad.render import html

    out = tmp_path / "report.html"
    html.write_html_file(analysis, out)
    page = out.read_text(encoding="utf-8")
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # when the report was generated
    assert stamp.sub("", page) == stamp.sub("", html.render_html(analysis))
    assert "انقلاب حافلة" in page and page.rstrip().endswith("</html>")
    # the views are made while writing: a failure midway leaves the previous report untouched
    real = html._article_view
    calls = []

    def failing(a, spans):
        calls.append(a.id)
        if len(calls) > 1:
            raise RuntimeError("out of memory")
        return real(a, spans)

    monkeypatch.setattr(html, "_article_view", failing)
    with pytest.raises(RuntimeError):
        html.write_html_file(analysis, out)
    assert out.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
