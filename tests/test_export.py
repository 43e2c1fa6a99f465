"""`marsad export`: the contract JSON and CSV tables of what a store holds, and --since."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.pipeline import Pipeline
from marsad.store import Store

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from marsad.ingest import read_inputs

    path = tmp_path_factory.mktemp("export") / "x.db"
    files = sorted(str(p) for p in (CORPUS / "html").glob("*.html"))[:6] + \
        sorted(str(p) for p in (CORPUS / "txt").glob("*.txt"))[:6]
    store = Store(path)
    pipeline = Pipeline(store, use_embeddings=False)
    pipeline.ingest(list(read_inputs(files)))
    pipeline.finish()
    store.close()
    return path


def test_json_is_the_contract_and_csv_tables_carry_the_evidence(db, tmp_path):
    result = CliRunner().invoke(app, ["export", "--db", str(db), "--json", "-", "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"marsad", "articles", "stories", "storylines", "entities", "quotes", "claims", "events"}
    assert len(data["articles"]) == 12
    with open(tmp_path / "csv" / "articles.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [a["id"] for a in data["articles"]]
    text = {r["id"]: r["text"] for r in rows}
    for name in ("quotes", "claims", "events"):
        with open(tmp_path / "csv" / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            table = list(csv.DictReader(fh))
        # one CSV row per article's fact; the JSON writes a syndicated copy's repeated fact once,
        # its span listed under the original's entry in `copies`
        assert len(table) == len(data[name]) + sum(len(x.get("copies", [])) for x in data[name])
        for r in table:  # the evidence column is the span its offsets name
            assert text[r["article"]][int(r["evidence_start"]):int(r["evidence_end"])] == r["evidence"]
    assert sum(1 for _ in open(tmp_path / "csv" / "quotes.csv", encoding="utf-8-sig")) > 1


def test_since_keeps_later_articles_and_their_stories(db):
    everything = json.loads(CliRunner().invoke(app, ["export", "--db", str(db), "--json", "-"]).stdout)
    later = json.loads(CliRunner().invoke(app, ["export", "--db", str(db), "--json", "-",
                                                "--since", "2024-03-15"]).stdout)
    dated = [a for a in everything["articles"] if a["published"]]
    assert dated and all(a["published"][:10] >= "2024-03-15" for a in later["articles"] if a["published"])
    assert 0 < len(later["articles"]) < len(everything["articles"])
    ids = {a["id"] for a in later["articles"]}
    assert all(ids.intersection(s["articles"]) for s in later["stories"])
    assert all(q["article"] in ids for q in later["quotes"])


def test_export_needs_an_output_and_a_valid_date(db):
    assert CliRunner().invoke(app, ["export", "--db", str(db)]).exit_code == 2
    assert CliRunner().invoke(app, ["export", "--db", str(db), "--json", "-", "--since", "March"]).exit_code == 2
