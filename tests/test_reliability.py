"""One bad input never costs the rest of the batch: errors cross process boundaries, worker
crashes are reported per input, the readers never block, never read without bound and never
skip silently, and loosely typed records are refused by name."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

import marsad.errors as errors
from marsad.cli import app
from marsad.errors import InputError, MarsadError
from marsad.ingest import read_inputs
from marsad.model import RawDoc
from marsad.pipeline import analyze, process_input, run_in_workers

FIX = Path(__file__).parent / "fixtures" / "pipeline"
GOOD = ["strike_first.txt", "strike_update.txt", "election.txt"]

ARTICLE = ("أعلنت وزارة الصحة في غزة مساء الاثنين أن ثلاثة فلسطينيين قتلوا وأصيب أكثر من عشرين "
           "آخرين برصاص القوات الإسرائيلية قرب السياج الحدودي شرق خان يونس. وقال المتحدث باسم "
           "الوزارة إن بين المصابين طفلين حالتهما خطيرة، فيما قال الجيش الإسرائيلي إنه رد على "
           "محاولات لاختراق السياج.")


def _error_instances() -> list[MarsadError]:
    out: list[MarsadError] = []
    for name in errors.__all__:
        cls = getattr(errors, name)
        out.append(cls("news.jsonl#3", "field 'text' is a number") if issubclass(cls, InputError)
                   else cls(f"{name}: مشكلة في الملف"))
    return out


@pytest.mark.parametrize("exc", _error_instances(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle(exc):
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    if isinstance(exc, InputError):
        assert (back.origin, back.problem) == (exc.origin, exc.problem)


def _raise(exc: MarsadError) -> None:
    raise exc


def test_every_error_crosses_a_real_process_pool():
    with ProcessPoolExecutor(max_workers=1) as pool:
        for exc in _error_instances():
            with pytest.raises(type(exc)) as got:
                pool.submit(_raise, exc).result()
            assert str(got.value) == str(exc)


def _write_batch(d: Path) -> None:
    d.mkdir()
    for name in GOOD:
        shutil.copy(FIX / name, d / name)
    lines = [
        json.dumps({"title": "عنوان", "text": ["قائمة", 3]}, ensure_ascii=False),
        json.dumps({"title": {"a": 1}, "text": None}),
        json.dumps({"title": "أرقام فقط", "text": 12345}, ensure_ascii=False),
        json.dumps({"title": "خبر سليم", "text": ARTICLE, "source": "وكالة"}, ensure_ascii=False),
    ]
    (d / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_wrong_typed_records_are_per_input_errors_with_two_workers(tmp_path):
    _write_batch(tmp_path / "in")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "in"), "--db", str(tmp_path / "s.db"),
                                      "--no-embeddings", "--workers", "2"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "records.jsonl#1" in out and "'text'" in out
    assert "records.jsonl#2" in out and "'title'" in out
    assert "records.jsonl#3" in out
    analysis, report = analyze([str(tmp_path / "in")], db=str(tmp_path / "s.db"),
                               use_embeddings=False, workers=2)
    # everything good was stored by the first run; the second finds nothing new to store
    assert report.stored == []
    assert len(analysis.articles) == len(GOOD) + 1
    assert {"12345", "True"}.isdisjoint(a.text for a in analysis.articles)


@pytest.mark.parametrize("fields, key", [
    ({"title": "عنوان", "text": 12345}, "text"),
    ({"title": "عنوان", "text": True}, "text"),
    ({"title": "عنوان", "body": ["فقرة أولى", {"x": 1}]}, "body"),
    ({"title": {"a": 1}, "text": ARTICLE}, "title"),
    ({"title": 2024, "text": ARTICLE}, "title"),
    ({"title": "عنوان", "text": ARTICLE, "url": ["https://example.com/a", 5]}, "url"),
])
def test_loose_field_types_name_the_field(fields, key):
    got = process_input(RawDoc(origin="feed.jsonl#7", kind="record", fields=fields))
    assert isinstance(got, InputError)
    assert got.origin == "feed.jsonl#7" and repr(key) in got.problem


def test_lists_of_paragraphs_and_named_objects_are_still_read():
    fields = {"title": {"name": "قتلى في غزة"}, "text": [ARTICLE, "فقرة ثانية عن ردود الفعل الدولية على الحادث."],
              "date": 1520848800, "source": {"name": "وكالة الأنباء"}}
    got = process_input(RawDoc(origin="feed.json", kind="record", fields=fields), with_facts=False)
    assert not isinstance(got, InputError), got
    article = got[0][0]
    assert article.title == "قتلى في غزة"
    assert "ردود الفعل الدولية" in article.text


def _exit_on_marker(raw):
    if "اقتل-العامل" in (raw.text or ""):
        os._exit(3)  # a worker dying as it would from the kernel's out-of-memory killer
    from marsad.ingest.extract import extract_articles as real
    return real(raw)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the crash is injected into forked workers")
def test_a_worker_that_dies_costs_only_its_own_input(monkeypatch):
    import marsad.ingest

    monkeypatch.setattr(marsad.ingest, "extract_articles", _exit_on_marker)
    raws = [RawDoc(origin=f"in/{i}.txt", kind="text", text=ARTICLE + f" خبر رقم {i}.") for i in range(6)]
    raws.insert(3, RawDoc(origin="in/bad.txt", kind="text", text=ARTICLE + " اقتل-العامل"))
    results = list(run_in_workers(raws, workers=2, with_facts=False, window=4))
    assert len(results) == len(raws)
    bad = results[3]
    assert isinstance(bad, InputError) and bad.origin == "in/bad.txt" and "died" in bad.problem
    for i, r in enumerate(results):
        if i != 3:
            assert not isinstance(r, InputError), r


def test_jsonl_lines_are_split_on_newline_only(tmp_path):
    recs = [{"title": "سطر أول", "text": ARTICLE + "\u2028فقرة بعد فاصل سطر."},
            {"title": "سطر ثان", "text": ARTICLE + "\x85 ونص بعد حرف NEL."},
            "{not json",
            {"title": "سطر رابع", "text": ARTICLE}]
    body = "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in recs)
    (tmp_path / "feed.jsonl").write_text(body + "\r\n", encoding="utf-8")
    got = list(read_inputs([str(tmp_path / "feed.jsonl")]))
    assert [type(g).__name__ for g in got] == ["RawDoc", "RawDoc", "InputError", "RawDoc"]
    assert got[2].origin.endswith("feed.jsonl#3") and "malformed" in got[2].problem
    assert "\u2028" in got[0].fields["text"]


def test_deeply_nested_json_is_a_clear_error_and_the_rest_is_kept(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    (tmp_path / "mixed.jsonl").write_text(
        json.dumps({"title": "خبر", "text": ARTICLE}, ensure_ascii=False) + "\n"
        + '{"text": ' + deep + "}\n"
        + json.dumps({"title": "متوسط العمق", "text": ARTICLE, "meta": json.loads("[" * 200 + "]" * 200)}) + "\n",
        encoding="utf-8")
    got = list(read_inputs([str(tmp_path)]))
    by_origin = {g.origin.rsplit("/", 1)[-1]: g for g in got}
    assert isinstance(by_origin["deep.json"], InputError)
    assert "nested too deeply" in by_origin["deep.json"].problem
    assert isinstance(by_origin["mixed.jsonl#1"], RawDoc)
    assert isinstance(by_origin["mixed.jsonl#2"], InputError)
    assert isinstance(by_origin["mixed.jsonl#3"], InputError)  # 200 levels: no record is like that


def test_only_regular_files_are_read(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(d / "pipe.txt")  # reading it would block for ever
    (d / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    got = {g.origin.rsplit("/", 1)[-1]: g for g in read_inputs([str(d)])}
    assert isinstance(got["good.txt"], RawDoc)
    assert isinstance(got["pipe.txt"], InputError) and "FIFO" in got["pipe.txt"].problem
    assert isinstance(got["zero.txt"], InputError) and "device" in got["zero.txt"].problem


def test_reads_are_bounded_even_when_stat_is_wrong(tmp_path, monkeypatch):
    f = tmp_path / "big.txt"
    f.write_text(ARTICLE * 50, encoding="utf-8")
    real_stat = os.stat

    class Small:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 10

    monkeypatch.setattr(os, "stat", lambda p, *a, **k: Small(real_stat(p, *a, **k)))
    (got,) = list(read_inputs([str(f)], max_bytes=1000))
    assert isinstance(got, InputError) and "too large" in got.problem


def test_an_unreadable_directory_is_reported_not_skipped(tmp_path, monkeypatch):
    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    (d / "locked" / "inside.txt").write_text(ARTICLE, encoding="utf-8")
    (d / "good.txt").write_text(ARTICLE, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):  # root reads any directory, so the refusal is simulated
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    got = list(read_inputs([str(d)]))
    errs = [g for g in got if isinstance(g, InputError)]
    assert len(errs) == 1 and errs[0].origin.endswith("in/locked")
    assert "cannot be read" in errs[0].problem
    assert any(isinstance(g, RawDoc) and g.origin.endswith("good.txt") for g in got)


def test_a_read_only_store_is_a_clear_error(tmp_path):
    """Permissions do not bind root: as root the second run drops the capabilities that let it
    write any file, so the store's mode bits apply to it as to any user."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(FIX / GOOD[0], src / GOOD[0])
    db = tmp_path / "store" / "ro.db"
    analyze([str(src)], db=str(db), use_embeddings=False)
    shutil.copy(FIX / GOOD[1], src / GOOD[1])
    os.chmod(db, 0o444)
    os.chmod(db.parent, 0o555)
    cmd = [sys.executable, "-m", "marsad.cli", "analyze", str(src), "--db", str(db), "--no-embeddings"]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop the override capabilities")
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        os.chmod(db.parent, 0o755)
        os.chmod(db, 0o644)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out  # the run as a whole could not be done (not one bad input)
    assert "read-only" in out and str(db) in out
    assert "Traceback" not in out


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the crash is injected into forked workers")
def test_a_worker_that_dies_on_a_chunk_costs_only_its_own_input(monkeypatch):
    import marsad.ingest

    raws = [RawDoc(origin=f"in/{i}.txt", kind="text", text=ARTICLE + f" خبر رقم {i}.") for i in range(7)]
    want = [process_input(r, True, None) for r in raws]  # here, before the crash is injected
    monkeypatch.setattr(marsad.ingest, "extract_articles", _exit_on_marker)
    raws.insert(4, RawDoc(origin="in/bad.txt", kind="text", text=ARTICLE + " اقتل-العامل"))
    # three inputs a task, their facts extracted together: the killer's task breaks the pool
    results = list(run_in_workers(raws, workers=2, with_facts=True, time_limit=None, chunk=3))
    assert len(results) == len(raws)
    bad = results.pop(4)
    assert isinstance(bad, InputError) and bad.origin == "in/bad.txt" and "died" in bad.problem
    assert [[(a, f) for a, f in r] for r in results] == [[(a, f) for a, f in w] for w in want]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the failure is injected into forked workers")
def test_a_task_that_raises_is_analysed_input_by_input(monkeypatch):
    import marsad.dedup
    from marsad.dedup import DedupConfig
    from marsad.pipeline import FeatureSpec
    from marsad.stories import StoryConfig

    real = marsad.dedup.article_features

    def fails_on_marker(article, *args, **kwargs):  # a bug in one article's features
        if "خطأ-الميزات" in article.text:
            raise RuntimeError("bad signature")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(marsad.dedup, "article_features", fails_on_marker)
    spec = FeatureSpec(DedupConfig(), StoryConfig(), embed=False)
    raws = [RawDoc(origin=f"in/{i}.txt", kind="text", text=ARTICLE + f" خبر رقم {i}.") for i in range(4)]
    raws.insert(1, RawDoc(origin="in/bug.txt", kind="text", text=ARTICLE + " خطأ-الميزات"))
    results = list(run_in_workers(raws, workers=2, with_facts=False, time_limit=None, features=spec, chunk=3))
    assert len(results) == len(raws)
    bug = results[1]
    assert isinstance(bug, InputError) and bug.origin == "in/bug.txt"
    assert "RuntimeError: bad signature" in bug.problem
    for i, r in enumerate(results):
        if i != 1:
            assert isinstance(r, list) and len(r) == 1 and r[0][0].origin == raws[i].origin
