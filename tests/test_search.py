"""Arabic full-text search: normalization and clitics, stems, phrases, filters, ranking,
snippets cut from the original text, escaping, pagination, and indexing older stores.

Every search test runs on both backends (a SQLite file and a PostgreSQL database, see
``store_url`` in conftest.py); the backfill of a store older than search is SQLite's alone."""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest

from marsad.errors import InputError
from marsad.model import Article, Facts
from marsad.store import Store, open_store
from marsad.store import search as search_mod
from marsad.text import normalize_for_search

import service_data
from conftest import BACKENDS, backend_url


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    """The service corpus in one store per backend, shared by the read-only tests."""
    with backend_url(request.param, tmp_path_factory.mktemp("search")) as url:
        s = service_data.fill(open_store(url))
        yield s
        s.close()


def ids(results) -> set[str]:
    return {h.id for h in results.hits}


def test_article_with_clitics_found_by_bare_word(store):
    # «وللكرملين» (and + to + the + Kremlin) is only in a-kremlin-3; «الكرملين» in the others.
    r = store.search("الكرملين")
    assert "a-kremlin-3" in ids(r)
    assert {"a-kremlin-1", "a-kremlin-2"} <= ids(r)
    snip = next(h.snippet for h in r.hits if h.id == "a-kremlin-3")
    assert "<mark>وللكرملين</mark>" in snip  # the word as written, clitics and all


def test_clitic_query_finds_bare_word(store):
    assert {"a-kremlin-1", "a-kremlin-2", "a-kremlin-3"} <= ids(store.search("وللكرملين"))
    assert {"a-kremlin-1", "a-kremlin-2", "a-kremlin-3"} <= ids(store.search("بالكرملين"))


def test_hamza_forms_match_both_ways(store):
    # a-kremlin-2 writes «اوكرانيا» without hamza; the others write «أوكرانيا».
    with_hamza = store.search("أوكرانيا")
    without = store.search("اوكرانيا")
    assert ids(with_hamza) == ids(without)
    assert {"a-kremlin-1", "a-kremlin-2", "a-kremlin-3"} <= ids(with_hamza)
    snip = next(h.snippet for h in with_hamza.hits if h.id == "a-kremlin-2")
    assert "<mark>واوكرانيا</mark>" in snip


def test_diacritics_and_tatweel_in_query_are_ignored(store):
    assert ids(store.search("الكرمـــلين")) == ids(store.search("الكرملين"))
    assert ids(store.search("أُوكْرَانِيَا")) == ids(store.search("أوكرانيا"))


def test_stemming_matches_plural_and_singular_forms(store):
    # «المسيرات» in the query, «بالمسيرات» and «مسيرة» in the articles.
    r = store.search("المسيرات")
    assert {"a-odesa-1", "a-odesa-2"} <= ids(r)


def test_all_words_must_match(store):
    assert ids(store.search("أوديسا 14")) == {"a-odesa-2"}
    assert ids(store.search("الكرملين أوديسا")) == set()


def test_phrase_query_keeps_word_order(store):
    assert ids(store.search('"اتفاق مع أوكرانيا"')) == {"a-kremlin-1"}
    assert ids(store.search("«اتفاق مع أوكرانيا»")) == {"a-kremlin-1"}
    # the same words in another order are not the phrase, though each word is there
    assert ids(store.search('"أوكرانيا مع اتفاق"')) == set()
    assert "a-kremlin-1" in ids(store.search("أوكرانيا مع اتفاق"))


def test_phrase_matches_clitic_forms_of_its_words(store):
    # «البحر الأسود» is written as is; the phrase query without the article still matches
    assert {"a-kremlin-1", "a-kremlin-2"} <= ids(store.search('"بحر الأسود"'))


def test_filters(store):
    assert ids(store.search("الكرملين", outlet="صحيفة الشرق اليوم")) == {"a-kremlin-2"}
    assert ids(store.search("الكرملين", date_from="2024-03-05", date_to="2024-03-05")) == {"a-kremlin-2"}
    assert ids(store.search("الكرملين", date_from="2024-03-05")) == {"a-kremlin-2", "a-kremlin-3"}
    assert ids(store.search("الهجوم", story="s-odesa")) == {"a-odesa-1", "a-odesa-2", "a-odesa-3"}
    assert ids(store.search("الهجوم", story="s-grain")) == set()


def test_entity_filter_by_id_name_and_alias(store):
    # only a-kremlin-1 mentions Peskov as an entity, though the others say «الكرملين»
    assert ids(store.search("الكرملين", entity="e-peskov")) == {"a-kremlin-1"}
    assert ids(store.search("الكرملين", entity="دميتري بيسكوف")) == {"a-kremlin-1"}
    assert ids(store.search("الكرملين", entity="e-kremlin")) == {"a-kremlin-2"}


def test_facets_count_matches_per_outlet_and_story(store):
    r = store.search("أوديسا", facets=True)
    outlets = dict(r.facets["outlets"])
    assert outlets == {"وكالة الأنباء العربية": 1, "صحيفة الشرق اليوم": 1, "قناة الخليج نيوز": 1}
    assert dict(r.facets["stories"]) == {"s-odesa": 3}


def test_snippet_is_original_text_escaped_with_marks(store):
    r = store.search("script")
    assert ids(r) == {"a-odesa-3"}
    snip = r.hits[0].snippet
    assert "<script" not in snip
    assert "&lt;<mark>script</mark>&gt;" in snip
    # the title carries markup too: escaped
    assert "<b>" not in r.hits[0].title_html and "&lt;b&gt;" in r.hits[0].title_html


def test_snippet_marks_exactly_the_original_words(store):
    r = store.search("الهجوم أوديسا")
    wanted = set(search_mod.query_terms("الهجوم")) | set(search_mod.query_terms("اوديسا"))
    seen = set()
    for h in r.hits:
        art = store.get_article(h.id)
        for marked in re.findall(r"<mark>(.*?)</mark>", h.snippet):
            assert re.search(rf"(?<!\w){re.escape(marked)}(?!\w)", art.text)  # a whole word as written
            assert search_mod.term(normalize_for_search(marked)) in wanted
            seen.add(marked)
    assert {"أوديسا", "الهجوم", "هجوم", "بهجوم"} & seen >= {"أوديسا", "الهجوم"}


def test_title_hit_outranks_body_hits(any_store):
    s = any_store
    body = ("عقد وزراء الزراعة العرب اجتماعا في القاهرة لبحث الأمن الغذائي وتوفير الأسمدة للمزارعين "
            "وتطوير شبكات الري في المناطق الريفية وتحسين سلاسل الإمداد. ") * 3
    a = Article(id="t1", origin="x", title="أسعار الحبوب ترتفع في الأسواق",
                text="ارتفعت الأسعار في الأسواق المحلية هذا الأسبوع بشكل ملحوظ.", outlet="أ")
    b = Article(id="t2", origin="y", title="اجتماع وزراء الزراعة العرب",
                text=body + "وتناول الاجتماع واردات الحبوب ومخزون الحبوب الاستراتيجي.", outlet="ب")
    c = Article(id="t3", origin="z", title="الطقس غدا", text="أمطار غزيرة على المناطق الساحلية.")
    for art in (a, b, c):
        s.add_input("k-" + art.id, art.origin, [(art, Facts())])
    r = s.search("الحبوب")
    assert [h.id for h in r.hits] == ["t1", "t2"]
    assert r.hits[0].score > r.hits[1].score > 0
    assert "<mark>الحبوب</mark>" in r.hits[0].title_html


def test_pagination_and_totals(store):
    everything = store.search("في")
    assert everything.total >= 6
    page1 = store.search("في", limit=2, offset=0)
    page2 = store.search("في", limit=2, offset=2)
    assert page1.total == page2.total == everything.total
    assert len(page1.hits) == len(page2.hits) == 2
    assert not ids(page1) & ids(page2)
    assert [h.id for h in page1.hits + page2.hits] == [h.id for h in everything.hits[:4]]


def test_bad_queries_are_input_errors(store):
    with pytest.raises(InputError, match="date"):
        store.search("الكرملين", date_from="04/03/2024")
    with pytest.raises(InputError, match="too long"):
        store.search("الكرملين " * 200)
    # FTS5 syntax in user text is not interpreted: quotes, stars, NEAR, parentheses
    assert store.search('NEAR( * "') .total == 0
    assert store.search("") .total == 0
    assert store.search("؟!،") .total == 0


def test_new_articles_are_searchable_at_once(any_store):
    a = Article(id="late-1", origin="z", title="الكرملين يعلن موعد جولة جديدة",
                text="أعلن الكرملين أن جولة جديدة من المحادثات ستعقد الأسبوع المقبل.", outlet="ج")
    any_store.add_input("late", "z", [(a, Facts())])
    assert ids(any_store.search("الكرملين")) == {"late-1"}


def test_sqlite_store_created_before_search_is_backfilled(tmp_path):
    db = tmp_path / "old.db"
    s = service_data.fill(Store(db))
    s.close()
    con = sqlite3.connect(db)  # drop the index as if the store predated it
    con.execute("DELETE FROM search_docs")
    con.execute("DELETE FROM search_fts")
    con.commit()
    con.close()
    with Store(db) as s2:
        assert {"a-kremlin-1", "a-kremlin-2", "a-kremlin-3"} <= ids(s2.search("الكرملين"))
        assert s2.search("الكرملين", entity="e-peskov").total == 1


def test_query_expansion_covers_clitic_forms():
    # a document word p + q is indexed as term(p + q): a query for q must include it
    for q in ["بوتين", "واشنطن", "كييف", "الكرملين", "فرنسا"]:
        terms = set(search_mod.query_terms(search_mod.term(q) and q))
        for p in ("و", "ل", "ب", "وب", "ال", "لل", "ولل"):
            base = q[2:] if q.startswith("ال") else q
            assert search_mod.term(p + base) in terms, (q, p)


def test_file_store_search_does_not_wait_for_a_writer(tmp_path):
    s = service_data.fill(Store(tmp_path / "live.db"))
    assert ids(s.search("الكرملين")) >= {"a-kremlin-1"}
    # While an ingest holds its write transaction open, a search runs on its own read-only
    # connection: it sees only what is committed (the writer's connection would see the row).
    with s.lock:
        s.connection.execute("BEGIN IMMEDIATE")
        late = Article(id="late-2", origin="w", title="الكرملين يرد", text="رد الكرملين على المقترح التركي.")
        search_mod.index_article(s.connection, 999, late, None)
        assert "late-2" not in ids(s.search("الكرملين"))
        s.connection.execute("ROLLBACK")
    s.add_input("late", "w", [(late, Facts())])
    assert "late-2" in ids(s.search("الكرملين"))
    s.close()


def test_a_search_neither_waits_for_a_writer_nor_sees_what_it_has_not_committed(store_url):
    with service_data.fill(open_store(store_url)) as s:
        late = Article(id="late-3", origin="w", title="الكرملين يرد", text="رد الكرملين على المقترح التركي.")
        stored, release = threading.Event(), threading.Event()

        def ingest() -> None:  # another thread holds the store while it writes
            with s.writing():
                s.add_input("late", "w", [(late, Facts())])
                stored.set()
                release.wait(20)

        writer = threading.Thread(target=ingest)
        writer.start()
        try:
            assert stored.wait(20)
            assert "late-3" not in ids(s.search("الكرملين"))  # answered while the writer holds on
        finally:
            release.set()
            writer.join()
        assert "late-3" in ids(s.search("الكرملين"))


def test_an_index_entry_from_the_analysed_document_is_the_one_from_the_text():
    from marsad.analysed import AnalysedDoc

    a = Article(id="d1", origin="d", title="وزير الخارجية يلتقي نظيره الفرنسي",
                text=("التقى وزيرُ الخارجيّة نظيرَه الفرنسيَّ في باريس، وبحثا الأوضاعَ في لبنان "
                      "وسوريا. وقال الوزير للصحفيين: «الحوار مستمر» — دون تفاصيل أخرى (14 نقطة)."),
                outlet="و", published="2024-05-02T10:00:00")
    plain = search_mod.index_entry(a, None)
    assert plain.body_terms and plain.day == "2024-05-02"
    fresh, tokenized = AnalysedDoc.of(a), AnalysedDoc.of(a)
    assert tokenized.tokens  # the fact readers have tokenized this one already
    assert search_mod.index_entry(a, None, fresh) == plain
    assert search_mod.index_entry(a, None, tokenized) == plain
    other = AnalysedDoc.of(Article(id="d2", origin="d", text="نص آخر"))  # not this article's: unused
    assert search_mod.index_entry(a, None, other) == plain
