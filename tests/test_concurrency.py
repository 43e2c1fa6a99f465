"""Several writers on one store, and runs that repeat themselves exactly.

Two ``marsad analyze`` processes and the server's ingest worker write one store at once: every
article ends in exactly one story that exists, nothing is stored twice, and the stories are
the ones a single run over the same inputs, in the order they were stored, gives. Between a
crash and the next run no stored article names a story that is not there. The same inputs
give the same story ids and memberships from run to run, whatever the string hash seed.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from marsad.errors import StoreError
from marsad.ingest import read_inputs
from marsad.model import RawDoc
from marsad.pipeline import Pipeline
from marsad.store import Store

from conftest import shared_path

TOKEN = "writers-token"

# (story, outlet, date, title, text): six stories told by several outlets over a few days.
ARTICLES = [
    ("flood", "صحيفة الشروق", "2024-02-11", "السيول تغمر أحياء مدينة الساحل وتقطع الطرق",
     "غمرت السيول أحياء واسعة من مدينة الساحل فجر الأحد بعد أمطار غزيرة استمرت عشر ساعات، "
     "وقطعت المياه الطريق الساحلي المؤدي إلى الميناء. وقال الدفاع المدني إن فرقه أجلت 140 أسرة "
     "من الأحياء المنخفضة إلى مدارس قريبة."),
    ("flood", "وكالة الأنباء العربية", "2024-02-11", "إجلاء 140 أسرة من الأحياء المنخفضة في الساحل بعد السيول",
     "أعلن الدفاع المدني إجلاء 140 أسرة من الأحياء المنخفضة في مدينة الساحل بعد أن غمرت السيول "
     "الشوارع والمنازل. وأوضح المتحدث باسم الدفاع المدني أن الأمطار الغزيرة رفعت منسوب الوادي "
     "إلى مستوى لم يسجل منذ عشرين عاما."),
    ("flood", "قناة الغد", "2024-02-12", "ارتفاع ضحايا سيول الساحل إلى ستة قتلى",
     "ارتفع عدد ضحايا السيول في مدينة الساحل إلى ستة قتلى بعد العثور على جثتين قرب مجرى الوادي، "
     "بحسب الدفاع المدني. وما زالت فرق الإنقاذ تبحث عن مفقودين في الأحياء المنخفضة التي غمرتها المياه."),
    ("flood", "صحيفة الوطن", "2024-02-12", "الحكومة تعلن الساحل منطقة منكوبة بعد السيول",
     "أعلنت الحكومة مدينة الساحل منطقة منكوبة بعد السيول التي غمرت أحياءها وأودت بحياة ستة أشخاص، "
     "وقررت صرف تعويضات عاجلة للأسر التي أجليت من منازلها. وقال وزير الإسكان إن فرقا هندسية "
     "ستقيم الأضرار في الأحياء المنخفضة."),
    ("flood", "موقع المرصد", "2024-02-13", "تعويضات لمتضرري سيول الساحل وعودة الأسر إلى منازلها",
     "بدأت الأسر التي أجليت من الأحياء المنخفضة في مدينة الساحل العودة إلى منازلها بعد انحسار مياه "
     "السيول، فيما بدأت الحكومة صرف التعويضات. وأعاد الدفاع المدني فتح الطريق الساحلي المؤدي إلى الميناء."),
    ("fever", "وكالة الأنباء العربية", "2024-02-14", "وزارة الصحة تسجل 120 إصابة بالحمى في المحافظة الشمالية",
     "أعلنت وزارة الصحة تسجيل 120 إصابة بالحمى النزفية في المحافظة الشمالية خلال أسبوع، ودعت "
     "المواطنين إلى تجنب المياه الراكدة. وقال المتحدث باسم الوزارة إن المستشفيات استقبلت المصابين "
     "وإن حالة معظمهم مستقرة."),
    ("fever", "صحيفة الشروق", "2024-02-15", "الحمى النزفية تنتشر في قرى المحافظة الشمالية",
     "انتشرت الحمى النزفية في قرى المحافظة الشمالية حيث ارتفع عدد الإصابات إلى 150 إصابة، وفق وزارة "
     "الصحة. وأرسلت الوزارة فرقا طبية ومبيدات لمكافحة البعوض في القرى القريبة من المستنقعات."),
    ("fever", "قناة الغد", "2024-02-15", "وفاة طفلين بالحمى النزفية في المحافظة الشمالية",
     "توفي طفلان بالحمى النزفية في مستشفى المحافظة الشمالية، في أول وفيات منذ بدء انتشار المرض، "
     "بحسب مدير الصحة في المحافظة. وأكدت وزارة الصحة أن عدد الإصابات بلغ 150 إصابة."),
    ("fever", "صحيفة الوطن", "2024-02-16", "حملة لمكافحة البعوض بعد تفشي الحمى في الشمال",
     "أطلقت وزارة الصحة حملة واسعة لمكافحة البعوض في المحافظة الشمالية بعد تفشي الحمى النزفية، "
     "وشملت رش المبيدات في 40 قرية. وقال وزير الصحة إن الإصابات الجديدة بدأت تتراجع."),
    ("fever", "موقع المرصد", "2024-02-17", "تراجع الإصابات بالحمى النزفية في المحافظة الشمالية",
     "قالت وزارة الصحة إن الإصابات الجديدة بالحمى النزفية في المحافظة الشمالية تراجعت إلى ثلاث "
     "إصابات يوميا بعد حملة مكافحة البعوض، وإن المستشفيات أخرجت معظم المصابين."),
    ("vote", "وكالة الأنباء العربية", "2024-02-20", "لجنة الانتخابات تعلن نتائج الانتخابات البلدية",
     "أعلنت لجنة الانتخابات نتائج الانتخابات البلدية التي جرت السبت، وفازت قائمة التجديد بأغلبية "
     "مقاعد المجلس البلدي في العاصمة. وبلغت نسبة المشاركة 41 في المئة بحسب رئيس اللجنة."),
    ("vote", "صحيفة الشروق", "2024-02-20", "قائمة التجديد تفوز بأغلبية المجلس البلدي في العاصمة",
     "فازت قائمة التجديد بثمانية عشر مقعدا من أصل ثلاثين في المجلس البلدي للعاصمة، وفق النتائج "
     "الرسمية التي أعلنتها لجنة الانتخابات. وهنأ رئيس القائمة الناخبين وتعهد بتحسين خدمات النظافة والنقل."),
    ("vote", "قناة الغد", "2024-02-21", "المعارضة تطعن في نتائج الانتخابات البلدية",
     "قدمت أحزاب المعارضة طعونا أمام المحكمة الإدارية في نتائج الانتخابات البلدية في العاصمة، "
     "وقالت إن مخالفات شابت فرز الأصوات في عدد من المراكز. وردت لجنة الانتخابات بأن الفرز جرى بحضور المراقبين."),
    ("vote", "صحيفة الوطن", "2024-02-22", "المحكمة الإدارية تنظر طعون الانتخابات البلدية",
     "بدأت المحكمة الإدارية النظر في طعون المعارضة على نتائج الانتخابات البلدية في العاصمة، وطلبت "
     "من لجنة الانتخابات محاضر الفرز في المراكز المطعون فيها. وفازت قائمة التجديد بأغلبية المجلس البلدي."),
    ("fire", "موقع المرصد", "2024-02-24", "حريق يلتهم عشرات المحال في سوق الخضار المركزي",
     "التهم حريق كبير عشرات المحال في سوق الخضار المركزي بالمدينة القديمة مساء الجمعة، وهرعت فرق "
     "الإطفاء إلى المكان وسيطرت على النيران بعد أربع ساعات. ولم تسجل إصابات بشرية بحسب الدفاع المدني."),
    ("fire", "صحيفة الشروق", "2024-02-25", "تماس كهربائي وراء حريق سوق الخضار",
     "رجحت التحقيقات الأولية أن يكون تماس كهربائي وراء الحريق الذي التهم 60 محلا في سوق الخضار "
     "المركزي، بحسب مدير الدفاع المدني. وقدر التجار خسائرهم بملايين الدنانير."),
    ("fire", "قناة الغد", "2024-02-25", "تجار سوق الخضار يطالبون بتعويضات بعد الحريق",
     "طالب تجار سوق الخضار المركزي البلدية بتعويضات عن المحال التي التهمها الحريق، وقالوا إن "
     "فرق الإطفاء تأخرت في الوصول بسبب ضيق الأزقة في المدينة القديمة."),
    ("fire", "وكالة الأنباء العربية", "2024-02-26", "البلدية تتعهد بإعادة بناء سوق الخضار المحترق",
     "تعهدت البلدية بإعادة بناء سوق الخضار المركزي الذي التهمه الحريق خلال ستة أشهر، وتخصيص "
     "موقع مؤقت للتجار المتضررين. وقال رئيس البلدية إن لجنة ستحصر خسائر المحال."),
    ("cup", "قناة الغد", "2024-02-28", "المنتخب الوطني يتوج بكأس العرب بعد الفوز في النهائي",
     "توج المنتخب الوطني لكرة القدم بكأس العرب بعد فوزه على منافسه بهدفين مقابل هدف في المباراة "
     "النهائية على الملعب الأولمبي. وسجل المهاجم هدف الفوز في الدقيقة الثمانين."),
    ("cup", "صحيفة الوطن", "2024-02-28", "هدف قاتل يمنح المنتخب الوطني لقب كأس العرب",
     "منح هدف في الدقيقة الثمانين المنتخب الوطني لقب كأس العرب لكرة القدم، بعد مباراة نهائية "
     "مثيرة على الملعب الأولمبي انتهت بفوزه بهدفين مقابل هدف. واحتفل آلاف المشجعين في الشوارع."),
    ("cup", "موقع المرصد", "2024-02-29", "استقبال حاشد لأبطال كأس العرب في المطار",
     "استقبلت جماهير غفيرة لاعبي المنتخب الوطني لكرة القدم في المطار بعد تتويجهم بكأس العرب، "
     "وأعلن رئيس الاتحاد مكافآت مالية للاعبين والجهاز الفني."),
    ("rate", "صحيفة الشروق", "2024-03-03", "البنك المركزي يرفع سعر الفائدة نصف نقطة",
     "قرر البنك المركزي رفع سعر الفائدة الرئيسي نصف نقطة مئوية إلى 7 في المئة لمواجهة التضخم، "
     "وقال محافظ البنك إن أسعار المواد الغذائية ما زالت ترتفع."),
    ("rate", "وكالة الأنباء العربية", "2024-03-03", "محافظ البنك المركزي: رفع الفائدة لكبح التضخم",
     "قال محافظ البنك المركزي إن رفع سعر الفائدة إلى 7 في المئة يهدف إلى كبح التضخم الذي بلغ "
     "9 في المئة الشهر الماضي، متوقعا أن تتراجع الأسعار خلال النصف الثاني من العام."),
    ("rate", "صحيفة الوطن", "2024-03-04", "رجال الأعمال يحذرون من أثر رفع الفائدة على القروض",
     "حذر رجال أعمال من أن قرار البنك المركزي رفع سعر الفائدة سيزيد كلفة القروض على الشركات "
     "الصغيرة، فيما رحب مصرفيون بالقرار بوصفه خطوة لكبح التضخم."),
]


def _record(i: int) -> dict[str, str]:
    _, outlet, date, title, text = ARTICLES[i]
    return {"title": title, "text": text, "date": date, "source": outlet}


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _marsad(*args: str) -> list[str]:
    return [sys.executable, "-c", "from marsad.cli import main; main()", *args]


def _story_view(db: Path) -> tuple[dict[str, list[str]], dict[str, str | None]]:
    """(story id -> its article ids, article id -> duplicate_of) of a store, after checking
    that it is sound: no article stored twice, every article names a story that exists, and
    every article is in exactly that one story's list."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT id, story, duplicate_of FROM articles ORDER BY seq").fetchall()
        stories = {sid: json.loads(data) for sid, data in con.execute("SELECT id, data FROM stories")}
        inputs = con.execute("SELECT COUNT(*) FROM inputs").fetchone()[0]
    finally:
        con.close()
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert inputs == len(ids)  # one article per input here, each input recorded once
    member: dict[str, list[str]] = {}
    for sid, data in stories.items():
        for aid in data["articles"]:
            member.setdefault(aid, []).append(sid)
    for aid, story, _ in rows:
        assert story in stories, f"article {aid} names story {story}, which is not stored"
        assert member.get(aid) == [story], f"article {aid} is in {member.get(aid)}, names {story}"
    assert set(member) == set(ids)
    return ({sid: sorted(d["articles"]) for sid, d in stories.items()},
            {aid: dup for aid, _, dup in rows})


def _stored_origins(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [o for (o,) in con.execute("SELECT origin FROM articles ORDER BY seq")]
    finally:
        con.close()


def _sequential(raws: list[RawDoc], db: Path) -> tuple[dict[str, list[str]], dict[str, str | None]]:
    """The stories of one writer reading ``raws`` in this order."""
    with Store(db) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False)
        report = p.ingest(raws)
        assert not report.errors
        p.finish()
    return _story_view(db)


def _wait_until_open(pids: list[int], path: Path, limit: float = 60.0) -> None:
    """Wait until each process has the store open (it then waits for the store), or ``limit``."""
    deadline = time.monotonic() + limit
    if not Path("/proc").is_dir():
        time.sleep(min(limit, 8.0))
        return
    target = os.path.realpath(path)
    todo = set(pids)
    while todo and time.monotonic() < deadline:
        for pid in list(todo):
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                todo.discard(pid)  # already gone: nothing to wait for
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        todo.discard(pid)
                        break
                except OSError:
                    pass
        time.sleep(0.05)
    time.sleep(0.3)


# -- several writers ----------------------------------------------------------------------------
def test_two_analyze_runs_and_the_server_write_one_store_at_once(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from marsad.api import create_app, raws_from_json

    # Every story is told partly by each writer.
    part_a = [i for i in range(len(ARTICLES)) if i % 3 == 0]
    part_b = [i for i in range(len(ARTICLES)) if i % 3 == 1]
    part_s = [i for i in range(len(ARTICLES)) if i % 3 == 2]
    file_a = _write_jsonl(tmp_path / "a.jsonl", [_record(i) for i in part_a])
    file_b = _write_jsonl(tmp_path / "b.jsonl", [_record(i) for i in part_b])
    posts = [[_record(i) for i in part_s[k:k + 2]] for k in range(0, len(part_s), 2)]
    db = tmp_path / "shared.db"

    # The store is held (SQLite's write lock) while the writers start, so that they all begin
    # together.
    Store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    procs: list[subprocess.Popen] = []
    client = None
    try:
        holder.execute("BEGIN IMMEDIATE")
        for f in (file_a, file_b):
            procs.append(subprocess.Popen(
                _marsad("analyze", str(f), "--db", str(db), "--no-embeddings", "-q"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        client = TestClient(create_app(db, token=TOKEN, with_facts=False, auto_finish=False))
        client.__enter__()  # starts the ingest worker, which waits for the store too
        _wait_until_open([p.pid for p in procs], db)
        holder.execute("COMMIT")
        for body in posts:
            r = client.post("/api/ingest", params={"finish": "sync"}, json=body,
                            headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 201, r.text
            assert len(r.json()["stored"]) == len(body)
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
    finally:
        holder.close()
        for p in procs:
            if p.poll() is None:
                p.kill()
        if client is not None:
            client.__exit__(None, None, None)

    stories, dups = _story_view(db)
    assert len(dups) == len(ARTICLES)

    # A single writer over the same inputs, in the order they were stored, gives the same
    # stories, with the same ids, and the same copies.
    raws = {r.origin: r for r in read_inputs([str(file_a), str(file_b)]) if isinstance(r, RawDoc)}
    for body in posts:
        raws.update((r.origin, r) for r in raws_from_json(json.dumps(body, ensure_ascii=False)))
    order = _stored_origins(db)
    writers = ["a" if o.startswith(str(file_a)) else "b" if o.startswith(str(file_b)) else "s" for o in order]
    assert sorted(writers) == sorted("a" * len(part_a) + "b" * len(part_b) + "s" * len(part_s))
    ref_stories, ref_dups = _sequential([raws[o] for o in order], tmp_path / "one.db")
    assert stories == ref_stories
    assert dups == ref_dups


def test_writers_taking_turns_input_by_input_give_the_stories_of_one_writer(tmp_path):
    db = tmp_path / "m.db"
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(len(ARTICLES))])
    raws = [r for r in read_inputs([str(src)]) if isinstance(r, RawDoc)]
    with Store(db) as s1, Store(db) as s2:
        p1 = Pipeline(s1, use_embeddings=False, with_facts=False)
        p2 = Pipeline(s2, use_embeddings=False, with_facts=False)
        for i, raw in enumerate(raws):
            assert len((p2 if i % 3 == 0 else p1).ingest([raw]).stored) == 1
            if i == 10:
                p2.finish()  # midway, by the writer that stored the fewest
        p2.finish()  # the last articles were stored by the other one
    turns = _story_view(db)
    assert turns == _sequential(raws, tmp_path / "one.db")
    # The checkpoint covers exactly what is stored: a new writer starts from it and agrees.
    with Store(db) as s3:
        Pipeline(s3, use_embeddings=False, with_facts=False).finish()
    assert _story_view(db) == turns


def test_a_checkpoint_that_claims_articles_it_never_saw_is_rebuilt(tmp_path):
    # What a writer that stamped its state with rows another process had committed left:
    # the state says it covers every stored article, but it holds only the first three.
    db = tmp_path / "m.db"
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(8)])
    raws = [r for r in read_inputs([str(src)]) if isinstance(r, RawDoc)]
    with Store(db) as store:
        Pipeline(store, use_embeddings=False, with_facts=False).ingest(raws[:3])
        early = {key: store.load_state(key) for key in ("dedup", "stories")}
        Pipeline(store, use_embeddings=False, with_facts=False).ingest(raws[3:])
        for key, (_, value) in early.items():
            store.save_state(key, store.max_seq(), value)
        Pipeline(store, use_embeddings=False, with_facts=False).finish()
    assert _story_view(db) == _sequential(raws, tmp_path / "one.db")


def test_an_article_never_names_a_missing_story_between_a_crash_and_the_next_run(tmp_path):
    db = tmp_path / "m.db"
    first = _write_jsonl(tmp_path / "first.jsonl", [_record(i) for i in range(0, len(ARTICLES), 2)])
    later = _write_jsonl(tmp_path / "later.jsonl", [_record(i) for i in range(1, len(ARTICLES), 2)])
    with Store(db) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False)
        p.ingest(read_inputs([str(first)]))
        p.finish()
    # The next run stores its articles, some in new stories, some in stories shown inside
    # another, and stops before recomputing the stories (as a crash there would).
    with Store(db) as store:
        Pipeline(store, use_embeddings=False, with_facts=False).ingest(read_inputs([str(later)]))
    pending, dups = _story_view(db)  # every article listed in the story it names
    assert len(dups) == len(ARTICLES)
    # ... and the run after it completes the stories: those of one uninterrupted run.
    with Store(db) as store:
        Pipeline(store, use_embeddings=False, with_facts=False).finish()
    raws = [r for r in read_inputs([str(first), str(later)]) if isinstance(r, RawDoc)]
    assert _story_view(db) == _sequential(raws, tmp_path / "one.db")


def test_a_write_that_fails_leaves_no_trace_in_the_clustering(tmp_path, monkeypatch):
    db = tmp_path / "m.db"
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(8)])
    raws = [r for r in read_inputs([str(src)]) if isinstance(r, RawDoc)]
    with Store(db) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False)
        p.ingest(raws[:3])
        real = store.add_input, store.add_inputs

        def disk_full(*args, **kw):
            raise sqlite3.OperationalError("database or disk is full")

        for name in ("add_input", "add_inputs"):  # whichever the pipeline stores with
            monkeypatch.setattr(store, name, disk_full)
        with pytest.raises(sqlite3.OperationalError):
            p.ingest(raws[3:4])  # placed in memory, then not stored
        monkeypatch.setattr(store, "add_input", real[0])
        monkeypatch.setattr(store, "add_inputs", real[1])
        p.ingest(raws[4:])  # the same writer goes on
        p.finish()
    stored = [r for i, r in enumerate(raws) if i != 3]
    assert _story_view(db) == _sequential(stored, tmp_path / "one.db")


def test_a_writer_gives_up_with_a_clear_error_when_the_store_stays_held(tmp_path):
    db = tmp_path / "m.db"
    with Store(db) as holder, Store(db, write_wait=0.3) as other:
        with holder.writing():
            started = time.monotonic()
            with pytest.raises(StoreError, match="another process has been writing"):
                Pipeline(other, use_embeddings=False, with_facts=False)
            assert 0.25 <= time.monotonic() - started < 5
        Pipeline(other, use_embeddings=False, with_facts=False)  # free again: it goes on


def test_a_writer_waits_for_the_store_and_then_sees_what_was_stored(tmp_path):
    db = tmp_path / "m.db"
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(6)])
    with Store(db) as holder:
        other = Store(db)
        done: dict[str, object] = {}

        def run() -> None:
            p = Pipeline(other, use_embeddings=False, with_facts=False)
            done["report"] = p.ingest(read_inputs([str(src)]))
            done["analysis"] = p.finish()

        with holder.writing():
            t = threading.Thread(target=run)
            t.start()
            time.sleep(0.5)
            assert t.is_alive() and not done  # waiting, not failing
        t.join(timeout=60)
        other.close()
        assert len(done["report"].stored) == 6
    _story_view(db)


# -- determinism --------------------------------------------------------------------------------
def _analysis_under_seed(path: Path, seed: str, tmp_path: Path) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    out = tmp_path / f"run-{seed}.json"
    done = subprocess.run(_marsad("analyze", str(path), "--no-embeddings", "--no-facts", "-q",
                                  "--json", str(out)), env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    return {"stories": {s["id"]: sorted(s["articles"]) for s in data["stories"]},
            "storylines": {line["id"]: sorted(line["stories"]) for line in data["storylines"]},
            "articles": {a["id"]: (a["story"], a["duplicate_of"]) for a in data["articles"]}}


def test_same_inputs_give_the_same_stories_and_ids_whatever_the_hash_seed(tmp_path):
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(len(ARTICLES))])
    one = _analysis_under_seed(src, "1", tmp_path)
    assert len(one["articles"]) == len(ARTICLES)
    assert one == _analysis_under_seed(src, "2", tmp_path)


_STORY_NAMES = """
import json, sys
from marsad.model import Article
from marsad.stories import StoryClusterer
c = StoryClusterer(use_embeddings=False)
for i, (outlet, date, title, text) in enumerate(json.loads(sys.stdin.read())):
    c.add(Article(id=f"a{i}", origin="x", title=title, text=text, published=date, outlet=outlet))
print(json.dumps({sid: sorted(c._story_doc(st).names) for sid, st in sorted(c._stories.items())}))
"""


def test_a_story_seen_as_a_whole_keeps_the_same_names_whatever_the_hash_seed():
    # A story's names (its members' rarest stems) are counted; when more than can be kept tie,
    # the ones kept must not depend on the order strings come out of a set, which changes with
    # the hash seed (it once decided whether one ANT story was folded into another).
    data = json.dumps([a[1:] for a in ARTICLES], ensure_ascii=False)
    outs = set()
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", _STORY_NAMES], input=data, capture_output=True,
                              text=True, timeout=300, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert done.returncode == 0, done.stderr
        outs.add(done.stdout)
    assert len(outs) == 1


def _ant_records(n: int) -> list[str]:
    """The first ``n`` ANT 2018 records outside April and May (reserved for evaluation)."""
    path = shared_path("data", "ant2018", "articles.jsonl.gz")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            try:
                t = parsedate_to_datetime(json.loads(line)["time"])
            except (KeyError, TypeError, ValueError):
                continue
            if t.year == 2018 and t.month in (4, 5):
                continue
            out.append(line)
            if len(out) == n:
                break
    return out


@pytest.mark.slow
def test_ant_run_repeats_itself_exactly(tmp_path):
    # 3,000 ANT records once gave 1,549, 1,549 and 1,547 stories in three identical runs (the
    # tie above); 1,500 keep the test near half a minute.
    src = tmp_path / "ant.jsonl"
    src.write_text("".join(_ant_records(1500)), encoding="utf-8")
    one = _analysis_under_seed(src, "1", tmp_path)
    assert len(one["articles"]) > 1400
    assert one == _analysis_under_seed(src, "3", tmp_path)
