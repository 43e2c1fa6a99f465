"""The per-input work on a Dask cluster gives what one process gives, in input order, and a
failing input is reported alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from marsad.dask_runner import client_for, parse_address, run_on_dask  # noqa: E402
from marsad.errors import InputError, MarsadError  # noqa: E402
from marsad.ingest import read_inputs  # noqa: E402
from marsad.model import RawDoc  # noqa: E402
from marsad.pipeline import process_input  # noqa: E402

FIX = Path(__file__).parent / "fixtures" / "pipeline"


def _raws() -> list:
    raws = [r for r in read_inputs([str(FIX)]) if isinstance(r, RawDoc)]
    raws.append(RawDoc(origin="feed.jsonl#4", kind="record", fields={"title": "عنوان", "text": 12345}))
    raws.append(RawDoc(origin="empty.html", kind="html", html="<html><body></body></html>"))
    return raws


def _shape(result):
    if isinstance(result, InputError):
        return ("error", result.origin, result.problem)
    return [(a.id, a.title, a.text, f.to_dict() if hasattr(f, "to_dict") else repr(f)) for a, f in result]


def test_dask_results_equal_one_process_in_input_order():
    raws = _raws()
    with client_for("local:2") as client:
        got = list(run_on_dask(raws, client, with_facts=True, window=2))
    want = [process_input(r, True) for r in raws]
    assert [_shape(g) for g in got] == [_shape(w) for w in want]
    assert isinstance(got[-2], InputError) and "'text'" in got[-2].problem


@pytest.mark.parametrize("bad", ["local:0", "local:x", "nowhere"])
def test_bad_addresses_are_clear_errors(bad):
    with pytest.raises(MarsadError, match="--dask"):
        parse_address(bad)


def test_analyze_on_dask_gives_the_single_process_result(tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app

    runs = {}
    for name, extra in (("one", []), ("dask", ["--dask", "local:2"])):
        out = tmp_path / f"{name}.json"
        result = CliRunner().invoke(app, ["analyze", str(FIX), "--no-embeddings", "--json", str(out),
                                          "--quiet", *extra])
        assert result.exit_code == 1, result.output  # the fixtures hold two broken inputs
        runs[name] = json.loads(out.read_text(encoding="utf-8"))
    one, dask = runs["one"], runs["dask"]
    assert [a["id"] for a in one["articles"]] == [a["id"] for a in dask["articles"]]
    assert {s["id"]: s["articles"] for s in one["stories"]} == {s["id"]: s["articles"] for s in dask["stories"]}
    for key in ("quotes", "claims", "events", "entities"):
        assert one[key] == dask[key], key


def _die_in_a_worker() -> "_KillsItsWorker":
    import multiprocessing
    import os

    if "Dask Worker" in multiprocessing.current_process().name:
        os._exit(3)  # as a worker killed by the kernel's out-of-memory killer ends
    return _KillsItsWorker()  # the scheduler reading the task passes it on as it is


class _KillsItsWorker:
    """A field value whose unpickling ends the Dask worker process that reads it."""

    def __reduce__(self):
        return (_die_in_a_worker, ())


def test_inputs_share_tasks_and_the_one_that_kills_its_worker_is_named_alone():
    raws = [r for r in read_inputs([str(FIX)]) if isinstance(r, RawDoc)]
    killer = RawDoc(origin="poison.json", kind="record",
                    fields={"title": "عنوان", "text": "نص", "x": _KillsItsWorker()})
    batch = raws[:2] + [killer] + raws[2:]
    with client_for("local:2") as client:
        # three inputs a task: the killer's task dies on every worker Dask tries, then its
        # inputs run one a task and only the killer is reported
        got = list(run_on_dask(batch, client, with_facts=False, chunk=3))
    assert len(got) == len(batch)
    errors = [g for g in got if isinstance(g, InputError)]
    assert [e.origin for e in errors] == ["poison.json"]
    want = [process_input(r, False) for r in raws]
    assert [_shape(g) for g in got if not isinstance(g, InputError)] == [_shape(w) for w in want]


def test_a_task_extracts_the_facts_of_its_inputs_together_with_the_same_result():
    from marsad.dedup import DedupConfig
    from marsad.pipeline import FeatureSpec
    from marsad.stories import StoryConfig

    raws = _raws()  # the broken record and the empty page among them, in one task
    spec = FeatureSpec(DedupConfig(), StoryConfig(), embed=False)
    want = [process_input(r, True, None, spec) for r in raws]
    with client_for("local:1") as client:
        got = list(run_on_dask(raws, client, with_facts=True, features=spec, chunk=len(raws)))
    assert [_shape([item[:2] for item in g]) if isinstance(g, list) else _shape(g) for g in got] == \
        [_shape([item[:2] for item in w]) if isinstance(w, list) else _shape(w) for w in want]
    assert [[item[2].stories.terms for item in g] for g in got if isinstance(g, list)] == \
        [[item[2].stories.terms for item in w] for w in want if isinstance(w, list)]
    assert sum(1 for g in got if isinstance(g, InputError)) == 2
