"""The SQLite store: versioned schema, idempotent inputs, all-or-nothing transactions."""

from __future__ import annotations

import sqlite3

import pytest

from marsad.errors import StoreError
from marsad.model import Article, Evidence, Facts, Mention, Number, Event, Quote, Speaker, Story, Storyline
from marsad.store import SCHEMA_VERSION, Store

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


def test_new_store_has_current_schema(tmp_path):
    with Store(tmp_path / "m.db") as s:
        assert s.schema_version == SCHEMA_VERSION
        mode = s.connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_same_input_twice_adds_nothing(tmp_path):
    a = _article(1)
    with Store(tmp_path / "m.db") as s:
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 1
        assert s.has_input("k1")
    with Store(tmp_path / "m.db") as s:  # reopened: still there, still idempotent
        assert s.add_input("k1", a.origin, [(a, _facts(a))]) == 0
        assert s.count_articles() == 1


def test_facts_round_trip_with_evidence(tmp_path):
    a = _article(2)
    with Store(tmp_path / "m.db") as s:
        s.add_input("k", a.origin, [(a, _facts(a))])
        f = s.get_facts(a.id)
    assert f.quotes[0].speaker.name == "سامر الحلبي"
    ev = f.quotes[0].evidence
    assert "فرق الإنقاذ" in a.text[ev.start:ev.end]
    n = f.events[0].numbers[0]
    assert (n.value, n.what, n.qualifier) == (8, "قتلى", "at least")
    assert a.text[n.start:n.end] == "ثمانية"


def test_failed_input_leaves_nothing_half_written(tmp_path):
    good, bad = _article(3), _article(4)
    bad.title = object()  # cannot be bound as an SQL parameter: fails mid-transaction
    with Store(tmp_path / "m.db") as s:
        with pytest.raises(Exception):
            s.add_input("k", good.origin, [(good, Facts()), (bad, Facts())])
        assert s.count_articles() == 0
        assert not s.has_input("k")
        assert s.get_facts(good.id) is None


def test_derived_tables_are_replaced_whole(tmp_path):
    with Store(tmp_path / "m.db") as s:
        s.replace_derived([Story("s-1", "غارة على سوق", "l-1", ["a1"])], [Storyline("l-1", "الحرب", ["s-1"])], [])
        s.replace_derived([Story("s-2", "محادثات الهدنة", "l-1", ["a2"])], [Storyline("l-1", "الحرب", ["s-2"])], [])
        assert [st.id for st in s.stories()] == ["s-2"]
        assert s.storylines()[0].stories == ["s-2"]


def test_state_checkpoint_round_trip(tmp_path):
    with Store(tmp_path / "m.db") as s:
        s.save_state("dedup", 7, b"\x00\x01state")
    with Store(tmp_path / "m.db") as s:
        assert s.load_state("dedup") == (7, b"\x00\x01state")
        assert s.load_state("missing") is None


def test_not_a_store_is_a_clear_error(tmp_path):
    p = tmp_path / "notes.db"
    p.write_bytes(b"this is a text file, not sqlite" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        Store(p)


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "future.db"
    con = sqlite3.connect(p)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store(p)
