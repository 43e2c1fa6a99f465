"""Several writers on one PostgreSQL store (needs ``MARSAD_TEST_PG``; skips without it).

Two ``marsad analyze`` processes and the server's ingest worker write one database at once:
every article ends in exactly one story that exists, nothing is stored twice, and the stories
are the ones a single writer over the same inputs, in the order they were stored, gives on
SQLite. Writers in one process taking turns agree with one writer too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("psycopg")

from marsad.ingest import read_inputs
from marsad.model import Article, Facts, RawDoc
from marsad.pipeline import Pipeline
from marsad.store import open_store
from marsad.store.postgres import WRITE_LOCK

from pg_server import fresh_database
from test_concurrency import ARTICLES

TOKEN = "writers-token"


def _record(i: int) -> dict[str, str]:
    _, outlet, date, title, text = ARTICLES[i]
    return {"title": title, "text": text, "date": date, "source": outlet}


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _story_view(url: str) -> tuple[dict[str, list[str]], dict[str, str | None], list[str]]:
    """(story -> its articles, article -> duplicate_of, origins in stored order) of a store,
    after checking it is sound: no article twice, each in exactly the story it names."""
    import psycopg

    with psycopg.connect(url) as con:
        rows = con.execute("SELECT id, story, duplicate_of, origin FROM articles ORDER BY seq").fetchall()
        stories = {sid: json.loads(data) for sid, data in con.execute("SELECT id, data FROM stories")}
        inputs = con.execute("SELECT COUNT(*) FROM inputs").fetchone()[0]
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert inputs == len(ids)
    member: dict[str, list[str]] = {}
    for sid, data in stories.items():
        for aid in data["articles"]:
            member.setdefault(aid, []).append(sid)
    for aid, story, _, _ in rows:
        assert story in stories, f"article {aid} names story {story}, which is not stored"
        assert member.get(aid) == [story], f"article {aid} is in {member.get(aid)}, names {story}"
    return ({sid: sorted(d["articles"]) for sid, d in stories.items()},
            {aid: dup for aid, _, dup, _ in rows}, [r[3] for r in rows])


def _sequential(raws: list[RawDoc], db: str) -> tuple[dict[str, list[str]], dict[str, str | None]]:
    with open_store(db) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False)
        assert not p.ingest(raws).errors
        p.finish()
        stories = {s.id: sorted(s.articles) for s in store.stories()}
        dups = {a.id: a.duplicate_of for a in store.articles()}
    return stories, dups


def _marsad(*args: str) -> list[str]:
    return [sys.executable, "-c", "from marsad.cli import main; main()", *args]


def test_two_analyze_runs_and_the_server_write_one_database_at_once(tmp_path):
    import psycopg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from marsad.api import create_app, raws_from_json

    part_a = [i for i in range(len(ARTICLES)) if i % 3 == 0]
    part_b = [i for i in range(len(ARTICLES)) if i % 3 == 1]
    part_s = [i for i in range(len(ARTICLES)) if i % 3 == 2]
    file_a = _write_jsonl(tmp_path / "a.jsonl", [_record(i) for i in part_a])
    file_b = _write_jsonl(tmp_path / "b.jsonl", [_record(i) for i in part_b])
    posts = [[_record(i) for i in part_s[k:k + 2]] for k in range(0, len(part_s), 2)]

    with fresh_database() as url:
        open_store(url).close()
        # The writers' lock is held while they start, so that they all begin together.
        holder = psycopg.connect(url)
        procs: list[subprocess.Popen] = []
        client = None
        try:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            for f in (file_a, file_b):
                procs.append(subprocess.Popen(_marsad("analyze", str(f), "--db", url, "--no-embeddings", "-q"),
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            client = TestClient(create_app(url, token=TOKEN, with_facts=False, auto_finish=False))
            client.__enter__()  # starts the ingest worker, which waits for the lock too
            deadline = time.monotonic() + 90
            with psycopg.connect(url, autocommit=True) as watcher:
                while time.monotonic() < deadline:
                    waiting = watcher.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                              " AND NOT granted").fetchone()[0]
                    if waiting >= 2 or any(p.poll() is not None for p in procs):
                        break
                    time.sleep(0.1)
            assert all(p.poll() is None for p in procs)  # both runs are waiting, none has finished
            holder.commit()
            for body in posts:
                r = client.post("/api/ingest", params={"finish": "sync"}, json=body,
                                headers={"Authorization": f"Bearer {TOKEN}"})
                assert r.status_code == 201, r.text
                assert len(r.json()["stored"]) == len(body)
            for p in procs:
                _, err = p.communicate(timeout=300)
                assert p.returncode == 0, err
        finally:
            holder.close()
            for p in procs:
                if p.poll() is None:
                    p.kill()
            if client is not None:
                client.__exit__(None, None, None)

        stories, dups, order = _story_view(url)
        assert len(dups) == len(ARTICLES)

    raws = {r.origin: r for r in read_inputs([str(file_a), str(file_b)]) if isinstance(r, RawDoc)}
    for body in posts:
        raws.update((r.origin, r) for r in raws_from_json(json.dumps(body, ensure_ascii=False)))
    writers = ["a" if o.startswith(str(file_a)) else "b" if o.startswith(str(file_b)) else "s" for o in order]
    assert sorted(writers) == sorted("a" * len(part_a) + "b" * len(part_b) + "s" * len(part_s))
    # the same stories, ids and copies as one writer over the same inputs in the stored order,
    # on SQLite
    assert (stories, dups) == _sequential([raws[o] for o in order], str(tmp_path / "one.db"))


def test_writers_taking_turns_on_one_database_give_the_stories_of_one_writer(tmp_path):
    src = _write_jsonl(tmp_path / "in.jsonl", [_record(i) for i in range(len(ARTICLES))])
    raws = [r for r in read_inputs([str(src)]) if isinstance(r, RawDoc)]
    with fresh_database() as url:
        with open_store(url) as s1, open_store(url) as s2:
            p1 = Pipeline(s1, use_embeddings=False, with_facts=False)
            p2 = Pipeline(s2, use_embeddings=False, with_facts=False)
            for i, raw in enumerate(raws):
                assert len((p2 if i % 3 == 0 else p1).ingest([raw]).stored) == 1
                if i == 10:
                    p2.finish()
            p2.finish()
        stories, dups, _ = _story_view(url)
        with open_store(url) as s3:  # a new writer starts from the checkpoint and agrees
            Pipeline(s3, use_embeddings=False, with_facts=False).finish()
        assert _story_view(url)[:2] == (stories, dups)
    assert (stories, dups) == _sequential(raws, str(tmp_path / "one.db"))


# -- search ranked over postings ------------------------------------------------------------
SEARCHES = [("الكرملين", {}), ("الكرملين", {"facets": True}), ("الكرملين الكرملين", {}),
            ("الكرملين وللكرملين", {"facets": True}), ("الحبوب البحر", {"outlet": "صحيفة الشرق اليوم"}),
            ("أوديسا", {"story": "s-odesa", "facets": True}), ("الكرملين", {"entity": "e-peskov"}),
            ("الكرملين", {"limit": 1, "offset": 1}), ("الكرملين", {"limit": 5, "offset": 50}),
            ("الكرملين", {"limit": 0, "facets": True}), ('"اتفاق مع أوكرانيا"', {"facets": True})]


def test_a_store_from_before_postings_is_upgraded_and_ranks_as_sqlite():
    """A PostgreSQL store of schema v5 (no postings, no article lengths in search_meta) is
    migrated on opening: the postings filled from the stored tokens are those indexing writes,
    and every search gives what SQLite gives, hits, order, scores, snippets, totals and facets."""
    import psycopg

    import service_data
    from marsad.store import SCHEMA_VERSION

    with fresh_database() as url, open_store(":memory:") as sq:
        service_data.fill(sq)
        with open_store(url) as pg:
            service_data.fill(pg)
        with psycopg.connect(url, autocommit=True) as con:
            written = sorted(con.execute("SELECT term, seq, title, body FROM search_postings").fetchall())
            lengths = con.execute("SELECT seq, tokens FROM search_meta ORDER BY seq").fetchall()
            con.execute("DROP TABLE search_postings")
            con.execute("ALTER TABLE search_meta DROP COLUMN tokens")
            con.execute("UPDATE marsad_schema SET version = 5")
        assert len(written) > 200 and all(t + b > 0 for _, _, t, b in written)
        with open_store(url) as pg:
            assert pg.schema_version == SCHEMA_VERSION
            with psycopg.connect(url) as con:
                assert sorted(con.execute("SELECT term, seq, title, body FROM search_postings").fetchall()) == written
                assert con.execute("SELECT seq, tokens FROM search_meta ORDER BY seq").fetchall() == lengths
            for q, kw in SEARCHES:
                assert pg.search(q, **kw).to_dict() == sq.search(q, **kw).to_dict(), (q, kw)


def test_postings_count_a_word_in_the_title_and_the_body_apart():
    """Each article's postings count a token's occurrences in its title and in its body, and
    its length is every token of both: the BM25 inputs FTS5 keeps for SQLite, so a word
    repeated in the headline, and a long body naming it often, rank and score alike."""
    import psycopg

    from marsad.store.search import analyze

    title = "الميناء يستقبل سفينة قمح والميناء يستعد لأخرى"
    text = ("أعلنت إدارة الميناء وصول سفينة محملة بالقمح صباح اليوم. وقال مدير الميناء إن "
            "أرصفة الميناء جاهزة لاستقبال ثلاث سفن أخرى خلال الأسبوع.")
    arts = [Article(id="p1", origin="in/p1.txt", title=title, text=text, outlet="وكالة الساحل",
                    published="2024-05-02T10:00:00+00:00"),
            Article(id="p2", origin="in/p2.txt", title="أسعار القمح تتراجع في الأسواق المحلية",
                    text="تراجعت أسعار القمح في الأسواق بعد وصول شحنات جديدة إلى الميناء الرئيسي.",
                    outlet="صحيفة المدينة", published="2024-05-03T10:00:00+00:00"),
            Article(id="p3", origin="in/p3.txt", title="حركة السفن", text=" ".join(["الميناء"] * 30),
                    outlet="وكالة الساحل", published="2024-05-03T12:00:00+00:00")]
    port = analyze("الميناء")[0][0]
    with fresh_database() as url, open_store(":memory:") as sq, open_store(url) as pg:
        for s in (sq, pg):
            for a in arts:
                s.add_input("k-" + a.id, a.origin, [(a, Facts())])
        with psycopg.connect(url) as con:
            got = con.execute("SELECT a.id, p.title, p.body, m.tokens FROM search_postings p"
                              " JOIN articles a ON a.seq = p.seq JOIN search_meta m ON m.seq = p.seq"
                              " WHERE p.term = %s ORDER BY a.id", (port,)).fetchall()
        assert got == [("p1", 2, 3, len(analyze(title)[0]) + len(analyze(text)[0])),
                       ("p2", 0, 1, len(analyze(arts[1].title)[0]) + len(analyze(arts[1].text)[0])),
                       ("p3", 0, 30, 32)]
        for q in ("الميناء", "الميناء القمح", "الميناء الميناء", "القمح"):
            a, b = sq.search(q, facets=True).to_dict(), pg.search(q, facets=True).to_dict()
            assert a == b and a["hits"], q


def test_phrase_instances_are_counted_as_fts5_counts_them():
    """A phrase is counted on the server in the articles holding its tokens: back-to-back
    instances each count, one in the headline weighs as a title hit, and a phrase whose
    instances overlap («شكرا شكرا» twice in «شكرا شكرا شكرا») is counted token by token; every
    answer is SQLite's, score for score."""
    texts = [("ميناء جدة يستقبل أول سفينة سياحية", "رست السفينة في ميناء جدة الإسلامي صباح اليوم."),
             ("حركة الملاحة في البحر الأحمر", "أعلن ميناء جدة ميناء جدة الإسلامي سابقا عن خطة توسعة، "
              "وقالت إدارة الميناء إن جدة ستستقبل سفنا أكبر."),
             ("الجمهور يهتف للاعبين", "هتف الجمهور «شكرا شكرا شكرا» بعد صافرة النهاية في جدة."),
             ("رسالة المدرب", "قال المدرب: شكرا شكرا للجماهير التي ملأت ملعب جدة."),
             ("جدة تستضيف النهائي", "تستضيف جدة المباراة النهائية، وقال مسؤول إن ميناء المدينة جاهز.")]
    arts = [Article(id=f"f{i}", origin=f"in/f{i}.txt", title=t, text=x, outlet="وكالة الساحل" if i % 2 else "صحيفة المدينة",
                    published=f"2024-05-0{i + 1}T10:00:00+00:00") for i, (t, x) in enumerate(texts)]
    with fresh_database() as url, open_store(":memory:") as sq, open_store(url) as pg:
        for s in (sq, pg):
            for a in arts:
                s.add_input("k-" + a.id, a.origin, [(a, Facts())])
        for q in ('"ميناء جدة"', '"ميناء جدة" الإسلامي', '"شكرا شكرا"', '"شكرا شكرا" جدة', "«ميناء جدة» شكرا"):
            for kw in ({}, {"facets": True}, {"outlet": "وكالة الساحل"}, {"limit": 1, "offset": 1}):
                assert pg.search(q, **kw).to_dict() == sq.search(q, **kw).to_dict(), (q, kw)
        port = sq.search('"ميناء جدة"')
        assert [h.id for h in port.hits] == ["f0", "f1"] and port.hits[0].score > port.hits[1].score > 0
        thanks = sq.search('"شكرا شكرا"')
        assert [h.id for h in thanks.hits] == ["f2", "f3"] and thanks.hits[0].score > thanks.hits[1].score
