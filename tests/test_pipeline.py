"""`marsad analyze` end to end on small realistic inputs: contract shape, idempotence, bad input,
and a crash mid-batch that loses nothing reported stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.model import RawDoc
from marsad.pipeline import Pipeline, load_analysis
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
