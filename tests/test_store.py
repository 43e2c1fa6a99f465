"""The store on both backends (SQLite file, PostgreSQL database; see ``store_url`` in
conftest.py): versioned schema, idempotent inputs, all-or-nothing transactions, several
writers. Tests of what only SQLite has (its file, WAL, PRAGMAs) say so in their names."""

from __future__ import annotations

import sqlite3

import pytest

from marsad.errors import StoreError
from marsad.model import Article, Evidence, Facts, Mention, Number, Event, Quote, Speaker, Story, Storyline
from marsad.store import SCHEMA_VERSION, Store, open_store

from conftest import BACKENDS, backend_url

TEXT = ("أعلنت وزارة الصحة في المدينة الساحلية مقتل ثمانية أشخاص على الأقل في غارة جوية استهدفت "
        "سوقا شعبيا فجر اليوم الأحد. وقال المتحدث باسم الوزارة سامر الحلبي إن «فرق الإنقاذ ما زالت "
        "تبحث عن مفقودين تحت الأنقاض».")


def _article(i: int, text: str = TEXT) -> Article:
    return Article(id=f"a{i:04d}", origin=f"txt/report_{i}.txt", title="غارة جوية على سوق شعبي",
                   published="2024-03-03", outlet="النهار العربي", credited=["رويترز"], text=text)


def _facts(a: Article) -> Facts:
    start = a.text.index("«")
    end = a.text.index("»") + 1
    q = Quote(article=a.id, speaker=Speaker("سامر الحلبي", "المتحدث باسم الوزارة"),
              text=a.text[start + 1:end - 1], direct=True, evidence=Evidence(a.id, start, end))
    n0 = a.text.index("ثمانية")
    ev = Event(article=a.id, type="casualties", evidence=Evidence(a.id, 0, a.text.index(".") + 1),
               numbers=[Number(8, "قتلى", None, "at least", "ثمانية", n0, n0 + 6)])
    m = Mention(a.id, "سامر الحلبي", "PERSON", a.text.index("سامر"), a.text.index("سامر") + 11)
    return Facts(mentions=[m], quotes=[q], events=[ev])


def test_new_store_has_current_schema(store_url):
    with open_store(store_url) as s:
        assert s.schema_version == SCHEMA_VERSION


def test_new_sqlite_store_is_in_wal_mode(tmp_path):
    with Store(tmp_path / "m.db") as s:
        mode = s.connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_same_input_twice_adds_nothing(store_url):
    a = _article(1)
    with open_store(store_url) as s:
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 1
        assert s.has_input("k1")
    with open_store(store_url) as s:  # reopened: still there, still idempotent
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 0
        assert s.count_articles() == 1


def test_facts_round_trip_with_evidence(store_url):
    a = _article(2)
    with open_store(store_url) as s:
        s.add_input("k", a.origin, [(a, _facts(a))])
        f = s.get_facts(a.id)
    assert f.quotes[0].speaker.name == "سامر الحلبي"
    ev = f.quotes[0].evidence
    assert "فرق الإنقاذ" in a.text[ev.start:ev.end]
    n = f.events[0].numbers[0]
    assert (n.value, n.what, n.qualifier) == (8, "قتلى", "at least")
    assert a.text[n.start:n.end] == "ثمانية"


def test_failed_input_leaves_nothing_half_written(store_url):
    good, bad = _article(3), _article(4)
    bad.title = object()  # cannot be bound as an SQL parameter: fails mid-transaction
    with open_store(store_url) as s:
        with pytest.raises(Exception):
            s.add_input("k", good.origin, [(good, Facts()), (bad, Facts())])
        assert s.count_articles() == 0
        assert not s.has_input("k")
        assert s.get_facts(good.id) is None


def test_derived_tables_are_replaced_whole(store_url):
    with open_store(store_url) as s:
        s.replace_derived([Story("s-1", "غارة على سوق", "l-1", ["a1"])], [Storyline("l-1", "الحرب", ["s-1"])], [])
        s.replace_derived([Story("s-2", "محادثات الهدنة", "l-1", ["a2"])], [Storyline("l-1", "الحرب", ["s-2"])], [])
        assert [st.id for st in s.stories()] == ["s-2"]
        assert s.storylines()[0].stories == ["s-2"]


def test_state_checkpoint_round_trip(store_url):
    with open_store(store_url) as s:
        s.save_state("dedup", 7, b"\x00\x01state")
    with open_store(store_url) as s:
        assert s.load_state("dedup") == (7, b"\x00\x01state")
        assert s.load_state("missing") is None


def test_a_file_that_is_not_a_sqlite_store_is_a_clear_error(tmp_path):
    p = tmp_path / "notes.db"
    p.write_bytes(b"this is a text file, not sqlite" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        Store(p)


def test_newer_schema_is_refused(store_url):
    if store_url.startswith("postgresql://"):
        import psycopg

        open_store(store_url).close()
        with psycopg.connect(store_url, autocommit=True) as con:
            con.execute("UPDATE marsad_schema SET version = %s", (SCHEMA_VERSION + 5,))
    else:
        con = sqlite3.connect(store_url)
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
        con.close()
    with pytest.raises(StoreError, match=f"v{SCHEMA_VERSION + 5} is newer"):
        open_store(store_url)


# -- several writers --------------------------------------------------------------------------
def test_writes_in_one_writing_block_commit_together_or_not_at_all(store_url):
    a, b = _article(10), _article(11)
    with open_store(store_url) as s:
        with pytest.raises(RuntimeError):
            with s.writing():
                s.add_input("ka", a.origin, [(a, Facts())])  # joins the block, does not commit
                s.add_input("kb", b.origin, [(b, Facts())])
                raise RuntimeError("stopped before the block ended")
        assert s.count_articles() == 0 and not s.has_input("ka")
        with s.writing():
            s.add_input("ka", a.origin, [(a, Facts())])
            s.add_input("kb", b.origin, [(b, Facts())])
        assert s.count_articles() == 2


def _name(url: str) -> str:
    """How a store's messages name it: the file, or the database (the password left out)."""
    return url.rsplit("/", 1)[-1]


def test_a_writer_waits_for_another_then_gives_up_naming_the_store(store_url):
    with open_store(store_url) as holder, open_store(store_url, write_wait=0.3) as other:
        with holder.writing():
            with pytest.raises(StoreError, match=rf"{_name(store_url)}: another process has been writing"):
                other.add_input("k", "x", [(_article(12), Facts())])
        assert other.add_input("k", "x", [(_article(12), Facts())]) == 1  # free again


def test_stored_articles_always_name_a_story_that_exists(store_url):
    first, second = _article(13), _article(14)
    first.story, second.story = "s-a0013", "s-a0013"
    with open_store(store_url) as s:
        s.add_input("k1", first.origin, [(first, Facts())])
        s.add_input("k2", second.origin, [(second, Facts())])
        shown = {st.id: st for st in s.stories()}
        assert list(shown) == ["s-a0013"]  # a placeholder until stories are recomputed
        assert shown["s-a0013"].title == first.title
        assert shown["s-a0013"].articles == [first.id, second.id]
        # Stories recomputed by a writer that had not seen the second article yet: the
        # article keeps a story row that lists it.
        s.set_article_story(first.id, "s-big")
        s.replace_derived([Story("s-big", "غارة جوية على سوق شعبي", "l-1", [first.id])],
                          [Storyline("l-1", "الحرب", ["s-big"])], [])
        shown = {st.id: st.articles for st in s.stories()}
        assert shown == {"s-big": [first.id], "s-a0013": [second.id]}
        # A third article of the story shown is listed in its row at once.
        third = _article(15)
        third.story = "s-big"
        s.add_input("k3", third.origin, [(third, Facts())])
        assert {st.id: st.articles for st in s.stories()}["s-big"] == [first.id, third.id]
        s.set_article_story(second.id, "s-big")
        s.replace_derived([Story("s-big", "غارة جوية على سوق شعبي", "l-1", [first.id, second.id, third.id])],
                          [Storyline("l-1", "الحرب", ["s-big"])], [])
        assert [st.id for st in s.stories()] == ["s-big"]


def test_a_checkpoint_is_never_replaced_by_one_that_covers_less(store_url):
    with open_store(store_url) as s:
        s.save_states({"dedup": b"nine", "stories": b"nine"}, 9)
        s.save_states({"dedup": b"five", "stories": b"five"}, 5)  # a slower writer's
        assert s.load_states(["dedup", "stories"]) == {"dedup": (9, b"nine"), "stories": (9, b"nine")}
        s.save_states({"dedup": b"twelve"}, 12)
        assert s.load_state("dedup") == (12, b"twelve")


@pytest.mark.parametrize("backend", BACKENDS)
def test_writers_opening_a_new_store_at_once_create_it_once(backend, tmp_path):
    import threading

    for n in range(6):
        with backend_url(backend, tmp_path / str(n)) as url:
            start = threading.Barrier(3)
            errors: list[BaseException] = []

            def open_it() -> None:
                start.wait()
                try:
                    open_store(url).close()
                except BaseException as exc:  # noqa: BLE001 -- collected for the assertion
                    errors.append(exc)

            threads = [threading.Thread(target=open_it) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            with open_store(url) as s:
                assert s.schema_version == SCHEMA_VERSION


def test_a_long_wait_for_another_writer_is_said_once(store_url, caplog):
    with open_store(store_url) as holder, open_store(store_url, write_wait=1.3) as other:
        with holder.writing(), caplog.at_level("WARNING", logger="marsad.store"):
            for _ in range(2):
                with pytest.raises(StoreError):
                    other.add_input("k", "x", [(_article(16), Facts())])
    said = [r.getMessage() for r in caplog.records if "waiting for it" in r.getMessage()]
    assert len(said) == 1 and _name(store_url) in said[0]


# -- bulk writes ------------------------------------------------------------------------------
def test_several_inputs_in_one_call_are_stored_as_one_at_a_time_would_store_them(tmp_path, store_url):
    from marsad.store.search import index_entry

    arts = [_article(20 + i) for i in range(5)]
    arts[0].story = arts[1].story = "s-a"  # a story row made by the first, extended by the second
    arts[2].story = "s-b"
    again = _article(20)  # the same article id again, in a later input of the batch
    batch = [("k1", "o1", [(arts[0], _facts(arts[0])), (arts[1], Facts())]),
             ("k2", "o2", [(arts[2], _facts(arts[2])), (again, Facts())]),
             ("k3", "o3", []),
             ("k4", "o4", [(arts[3], Facts()), (arts[4], Facts())])]
    with open_store(store_url) as bulk, Store(tmp_path / "one.db") as one:
        # an entry analysed elsewhere is used as given (here: of another text, to tell)
        elsewhere = index_entry(Article(id="x", origin="x", text="نص آخر تماما عن الانتخابات"), None)
        assert bulk.add_inputs(batch, entries={arts[4].id: elsewhere}) == [2, 1, 0, 2]
        assert [one.add_input(k, o, items) for k, o, items in batch] == [2, 1, 0, 2]
        assert bulk.add_inputs(batch) == [0, 0, 0, 0]  # all there already
        for s in (bulk, one):
            assert [a.id for a in s.articles()] == [a.id for a in arts]
            assert all(s.has_input(k) for k in ("k1", "k2", "k3", "k4"))
            assert {st.id: st.articles for st in s.stories()} == {
                "s-a": ["a0020", "a0021"], "s-b": ["a0022"]}
            assert s.get_facts("a0022").quotes[0].speaker.name == "سامر الحلبي"
            assert s.search("سامر الحلبي", entity="سامر الحلبي").total == 2
        assert {h.id for h in bulk.search("الانتخابات").hits} == {arts[4].id}
        assert not one.search("الانتخابات").hits
        assert one.search("غارة").total == 5 and bulk.search("غارة").total == 4  # a0024 indexed as given


def test_a_failed_batch_of_inputs_leaves_none_of_them(store_url):
    good, bad = _article(30), _article(31)
    bad.title = object()  # cannot be encoded: fails before anything is written
    worse = _article(32)
    with open_store(store_url) as s:
        with pytest.raises(Exception):
            s.add_inputs([("k1", good.origin, [(good, Facts())]), ("k2", bad.origin, [(bad, Facts())])])
        with pytest.raises(Exception):
            with s.writing():  # fails after the batch was written, before the commit
                s.add_inputs([("k1", good.origin, [(good, Facts())]), ("k3", worse.origin, [(worse, Facts())])])
                raise RuntimeError("crash")
        assert s.count_articles() == 0 and not s.has_input("k1") and not s.has_input("k3")
        assert s.search("غارة").total == 0 and s.stories() == []


def test_story_assignments_in_one_call(store_url):
    arts = [_article(40 + i) for i in range(4)]
    with open_store(store_url) as s:
        s.add_inputs([(a.id, a.origin, [(a, Facts())]) for a in arts])
        s.set_article_stories({"a0040": "s-x", "a0042": "s-x", "a0043": "s-y", "nowhere": "s-z"})
        s.set_article_stories({})
        got = {a.id: a.story for a in s.articles()}
        assert got == {"a0040": "s-x", "a0041": None, "a0042": "s-x", "a0043": "s-y"}
        assert s.get_article("a0043").story == "s-y"  # the stored JSON too, not only the column
        assert s.list_articles(10, 0, story="s-x")[0] == 2
        assert [d["story"] for d in s.list_articles(10, 0, story="s-y")[1]] == ["s-y"]
        assert s.search("غارة", story="s-x").total == 2
        s.set_article_story("a0041", "s-y")
        assert s.list_articles(10, 0, story="s-y")[0] == 2
