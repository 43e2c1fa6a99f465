"""`marsad analyze` end to end on small realistic inputs: contract shape, idempotence, bad input,
and a crash mid-batch that loses nothing reported stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.errors import InputError
from marsad.model import RawDoc
from marsad.pipeline import FeatureSpec, Pipeline, load_analysis, process_input, process_inputs
from marsad.store import Store

FIX = Path(__file__).parent / "fixtures" / "pipeline"
GOOD = ["strike_first.txt", "strike_update.txt", "election.txt"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name in GOOD:
        shutil.copy(FIX / name, d / name)
    return d


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_analyze_writes_the_contract_json(corpus, tmp_path):
    out = tmp_path / "out.json"
    res = _run("analyze", str(corpus), "--json", str(out), "--no-embeddings", "-q")
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"marsad", "articles", "stories", "storylines", "entities", "quotes", "claims", "events"}
    assert len(data["articles"]) == 3
    for a in data["articles"]:
        assert set(a) >= {"id", "origin", "part", "title", "title_derived", "published",
                          "published_text", "outlet", "credited", "text", "removed", "duplicate_of", "story"}
        assert a["story"] in {s["id"] for s in data["stories"]}
    titles = {a["title"] for a in data["articles"]}
    assert "مقتل ثمانية أشخاص في غارة بطائرة مسيرة على سوق في مدينة الساحل" in titles
    strike = [a for a in data["articles"] if "الساحل" in a["title"]]
    election = [a for a in data["articles"] if "الانتخابات" in a["title"]]
    assert strike[0]["story"] == strike[1]["story"] != election[0]["story"]


def test_same_inputs_twice_give_same_ids_and_add_nothing(corpus, tmp_path):
    db = tmp_path / "m.db"
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    assert _run("analyze", str(corpus), "--db", str(db), "--json", str(first), "--no-embeddings", "-q").exit_code == 0
    assert _run("analyze", str(corpus), "--db", str(db), "--json", str(second), "--no-embeddings", "-q").exit_code == 0
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert [x["id"] for x in a["articles"]] == [x["id"] for x in b["articles"]]
    assert sorted(s["id"] for s in a["stories"]) == sorted(s["id"] for s in b["stories"])
    with Store(db) as s:
        assert s.count_articles() == 3


def test_bad_inputs_are_named_and_the_rest_still_processed(corpus, tmp_path):
    shutil.copy(FIX / "empty.txt", corpus / "empty.txt")
    shutil.copy(FIX / "broken.bin.txt", corpus / "broken.bin.txt")
    out = tmp_path / "out.json"
    res = CliRunner().invoke(app, ["analyze", str(corpus), "--json", str(out), "--no-embeddings", "-q"])
    assert res.exit_code == 1
    assert "empty.txt" in res.output and "broken.bin.txt" in res.output
    assert len(json.loads(out.read_text())["articles"]) == 3


def test_crash_mid_batch_loses_nothing_stored(corpus, tmp_path, monkeypatch):
    from marsad import pipeline as pl
    from marsad.ingest import read_inputs

    db = tmp_path / "m.db"
    raws = [r for r in read_inputs([str(corpus)]) if isinstance(r, RawDoc)]
    real = pl.process_input
    calls = {"n": 0}

    def crash_on_second(raw, with_facts=True, time_limit=None, features=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the batch
        return real(raw, with_facts, time_limit, features)

    monkeypatch.setattr(pl, "process_input", crash_on_second)
    with Store(db) as store:
        with pytest.raises(KeyboardInterrupt):
            Pipeline(store, use_embeddings=False).ingest(raws)
        assert store.count_articles() == 1  # the first input was reported stored and is kept
    monkeypatch.setattr(pl, "process_input", real)
    with Store(db) as store:
        p = Pipeline(store, use_embeddings=False)  # replays the stored article into the state
        report = p.ingest(raws)
        assert report.skipped == 1 and len(report.stored) == 2
        analysis = p.finish()
    assert len(analysis.articles) == 3
    clustered = {aid for s in analysis.stories for aid in s.articles}
    assert clustered == {a.id for a in analysis.articles}
    assert load_analysis(str(db)).stories


def test_missing_path_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(app, ["analyze", str(tmp_path / "nope"), "--no-embeddings", "-q"])
    assert res.exit_code != 0
    assert "nope" in res.output


# Inputs of several articles each (a «read also» marker before an appended article starts a
# new one), for the chunked analysis below.
HARBOUR = ("انفجار قرب ميناء المدينة القديمة يوقع خمسة قتلى\n\n"
           "قتل خمسة أشخاص وأصيب اثنا عشر آخرون مساء الخميس في انفجار وقع قرب الميناء التجاري في "
           "المدينة القديمة، بحسب ما أعلن الدفاع المدني.\n"
           "وقال المتحدث باسم الدفاع المدني العقيد ماهر السعدي إن فرق الإنقاذ ما زالت تبحث عن "
           "مفقودين تحت الأنقاض.\n\n"
           "اقرأ أيضا:\n"
           "الحكومة تعلن خطة جديدة لتطوير الموانئ البحرية خلال خمس سنوات\n"
           "15 مارس 2024\n"
           "أعلنت الحكومة الأربعاء خطة لتطوير الموانئ البحرية بكلفة تبلغ ثلاثة مليارات دولار، تشمل "
           "توسيع الأرصفة وتحديث معدات الشحن.\n"
           "وقالت وزيرة النقل هالة المصري إن الخطة ستوفر نحو عشرة آلاف فرصة عمل جديدة.\n")
SCHOOLS = ("إضراب المعلمين يغلق مئات المدارس في الجنوب\n\n"
           "أغلقت نحو ثلاثمئة مدرسة أبوابها الأحد في المحافظات الجنوبية مع بدء إضراب مفتوح دعت إليه "
           "نقابة المعلمين للمطالبة بزيادة الأجور.\n"
           "وقال نقيب المعلمين سامر الخطيب إن الإضراب سيستمر حتى تستجيب الوزارة لمطالب المعلمين.\n\n"
           "اقرأ أيضا:\n"
           "وزير التربية يدعو النقابة إلى الحوار ويعد بدراسة المطالب\n"
           "16 مارس 2024\n"
           "دعا وزير التربية والتعليم فادي منصور نقابة المعلمين إلى طاولة الحوار، مؤكدا أن الوزارة "
           "تدرس زيادة الأجور في موازنة العام المقبل.\n"
           "ونفى الوزير أن تكون الحكومة قد هددت المضربين بالفصل.\n\n"
           "اقرأ أيضا:\n"
           "أولياء الأمور يطالبون بحل سريع يعيد أبناءهم إلى الصفوف\n"
           "16 مارس 2024\n"
           "طالبت جمعية أولياء الأمور في بيان الحكومة والنقابة بالتوصل إلى حل سريع، محذرة من ضياع "
           "الفصل الدراسي على أكثر من مئة ألف طالب.\n"
           "وقال رئيس الجمعية إن الطلاب هم الخاسر الأكبر من استمرار الإضراب.\n")
FLOODS = ("سيول جارفة تقطع الطرق في ثلاث محافظات\n\n"
          "قطعت السيول الطرق الرئيسية في ثلاث محافظات شمالية الثلاثاء بعد أمطار غزيرة استمرت يومين، "
          "وأعلنت الأرصاد الجوية أن منسوب الأمطار تجاوز 80 ملم في بعض المناطق.\n"
          "وقال محافظ الشمال نبيل حداد إن فرق الطوارئ أجلت 40 عائلة من منازلها.\n\n"
          "اقرأ أيضا:\n"
          "البنك المركزي يبقي سعر الفائدة دون تغيير للشهر الرابع\n"
          "12 مارس 2024\n"
          "أبقى البنك المركزي سعر الفائدة الرئيسي دون تغيير عند خمسة بالمئة، مشيرا إلى تراجع معدل "
          "التضخم إلى 3.2 بالمئة في شباط.\n"
          "وقال محافظ البنك إن السياسة النقدية ستبقى حذرة حتى نهاية العام.\n")
TALKS = ("استأنف وفدا الحكومة والمعارضة الاثنين في جنيف المحادثات حول تبادل الأسرى برعاية الأمم "
         "المتحدة. وقال المبعوث الأممي كريم العلي إن الطرفين وافقا على إطلاق مئتي أسير في مرحلة أولى، "
         "فيما نفى متحدث باسم المعارضة التوصل إلى اتفاق نهائي.")


def _chunk_inputs() -> list[RawDoc]:
    return [
        RawDoc(origin="in/harbour.txt", kind="text", text=HARBOUR),
        RawDoc(origin="in/schools.txt", kind="text", text=SCHOOLS),
        RawDoc(origin="feed.jsonl#2", kind="record", fields={"title": "عنوان", "text": 12345}),
        RawDoc(origin="in/floods.txt", kind="text", text=FLOODS),
        RawDoc(origin="feed.jsonl#5", kind="record",
               fields={"title": "استئناف محادثات الأسرى في جنيف", "text": TALKS, "source": "وكالة الأنباء",
                       "date": "2024-03-18"}),
    ]


def _same(result) -> object:
    """A result with everything it holds, comparable with ``==`` (features by their pickle)."""
    import pickle

    if isinstance(result, InputError):
        return ("error", result.origin, result.problem)
    return [(vars(a), f, *(pickle.dumps(x) for x in rest)) for a, f, *rest in result]


@pytest.mark.parametrize("time_limit", [None, 60.0])
def test_a_chunk_of_inputs_gives_what_each_input_gives_alone(time_limit):
    from marsad.dedup import DedupConfig
    from marsad.stories import StoryConfig

    raws = _chunk_inputs()
    spec = FeatureSpec(DedupConfig(), StoryConfig(), embed=False)
    together = process_inputs(raws, True, time_limit, spec)
    alone = [process_input(r, True, time_limit, spec) for r in raws]
    assert [len(r) if isinstance(r, list) else 0 for r in alone] == [2, 3, 0, 2, 1]
    assert [_same(r) for r in together] == [_same(r) for r in alone]
    assert isinstance(together[2], InputError) and "'text'" in together[2].problem
    assert sum(len(f.mentions) for r in together if isinstance(r, list) for _, f, _ in r) > 0


def test_a_failing_chunk_is_analysed_input_by_input(monkeypatch):
    import marsad.facts as facts

    real = facts.extract_facts_many
    calls: list[int] = []

    def fails_on_floods(articles, docs=None):
        calls.append(len(articles))
        if any("السيول" in a.text for a in articles):
            raise RuntimeError("tagger failed")
        return real(articles, docs)

    monkeypatch.setattr(facts, "extract_facts_many", fails_on_floods)
    raws = _chunk_inputs()
    got = process_inputs(raws, True, None)
    assert calls[0] == 8  # the whole chunk at once, then each input alone
    assert isinstance(got[3], InputError) and got[3].origin == "in/floods.txt"
    assert "fact extraction failed (RuntimeError: tagger failed)" in got[3].problem
    assert isinstance(got[2], InputError) and got[2].origin == "feed.jsonl#2"
    monkeypatch.setattr(facts, "extract_facts_many", real)
    for i in (0, 1, 4):
        assert _same(got[i]) == _same(process_input(raws[i], True, None))


def test_a_chunk_past_its_time_names_the_slow_input_and_keeps_the_others(monkeypatch):
    import time

    import marsad.facts as facts
    from marsad import budget

    real = facts.extract_facts_many
    process_input(raws_warm := _chunk_inputs()[4], True, None)  # models loaded
    del raws_warm

    def slow_on_schools(articles, docs=None):
        if any("المعلمين" in a.text for a in articles):
            while True:  # a runaway input: it stops only at its budget
                budget.check()
                time.sleep(0.01)
        return real(articles, docs)

    monkeypatch.setattr(facts, "extract_facts_many", slow_on_schools)
    raws = _chunk_inputs()
    t0 = time.monotonic()
    got = process_inputs(raws, True, 1.0)
    # the chunk had what its four good inputs left of 1 s each, then the slow one 1 s alone
    assert time.monotonic() - t0 < 20
    assert isinstance(got[1], InputError) and got[1].origin == "in/schools.txt"
    assert "took longer than 1 s" in got[1].problem
    assert [isinstance(g, InputError) for g in got] == [False, True, True, False, False]
    monkeypatch.setattr(facts, "extract_facts_many", real)
    for i in (0, 3, 4):
        assert _same(got[i]) == _same(process_input(raws[i], True, None))
