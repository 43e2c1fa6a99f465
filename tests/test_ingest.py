"""Reading inputs: kinds, origins, directories and globs, encodings, and bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from marsad.errors import InputError
from marsad.ingest import article_id, decode, extract_articles, read_inputs
from marsad.model import RawDoc

FIX = Path(__file__).parent / "fixtures" / "ingest"

ARTICLE = ("وزارة الصحة تعلن افتتاح مستشفى جديد في الضاحية الجنوبية\n\n"
           "افتتحت وزارة الصحة، صباح الأحد، مستشفى جديدا بسعة مئتي سرير في الضاحية الجنوبية، "
           "بعد أربع سنوات من الأشغال، بحسب ما أعلن الوزير في مؤتمر صحفي.\n\n"
           "وقال الوزير إن المستشفى سيخدم أكثر من ثلاثمئة ألف نسمة، ويضم قسما للطوارئ ووحدة "
           "لغسيل الكلى.\n")


def _docs(paths, **kw):
    out = list(read_inputs([str(p) for p in paths], **kw))
    return [d for d in out if isinstance(d, RawDoc)], [e for e in out if isinstance(e, InputError)]


# --- kinds and origins -----------------------------------------------------------------------

def test_directory_is_read_recursively_in_sorted_order_with_relative_origins(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 whatever")  # unknown type: skipped silently
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    docs, errs = _docs([tmp_path])
    assert errs == []
    assert [d.origin for d in docs] == [f"{tmp_path}/a.txt", f"{tmp_path}/b/z.txt"]
    assert all(d.kind == "text" for d in docs)


def test_explicitly_named_unknown_type_is_an_error(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(b"PK\x03\x04....")
    docs, errs = _docs([p])
    assert docs == [] and len(errs) == 1
    assert errs[0].origin == str(p) and "unsupported file type" in errs[0].problem


def test_glob_and_missing_paths(tmp_path):
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    docs, errs = _docs([tmp_path / "x*.txt", tmp_path / "nothing*.txt", tmp_path / "gone.txt"])
    assert [Path(d.origin).name for d in docs] == ["x1.txt", "x2.txt"]
    assert [e.problem for e in errs] == ["no file matches this pattern", "no such file or directory"]


def test_jsonl_records_have_line_numbered_origins_and_a_bad_line_does_not_stop_the_file():
    out = list(read_inputs([str(FIX / "feed.jsonl")]))
    origins = [o.origin for o in out]
    assert origins == [f"{FIX}/feed.jsonl#1", f"{FIX}/feed.jsonl#2", f"{FIX}/feed.jsonl#3"]
    assert isinstance(out[1], InputError) and "malformed JSON line" in out[1].problem
    assert out[0].kind == "record" and out[0].fields["source"] == "وكالة الأنباء الإقليمية"


def test_json_file_with_one_record_or_a_list(tmp_path):
    rec = {"title": "عنوان الخبر الأول هنا", "text": ARTICLE}
    (tmp_path / "one.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([rec, rec, 5], ensure_ascii=False), encoding="utf-8")
    out = list(read_inputs([str(tmp_path / "one.json"), str(tmp_path / "many.json")]))
    assert [o.origin.rsplit("/", 1)[1] for o in out] == ["one.json", "many.json#1", "many.json#2", "many.json#3"]
    assert isinstance(out[3], InputError) and "expected an object" in out[3].problem


def test_json_wrapper_object_and_trec_paragraph_markup(tmp_path):
    rec = {"title": "عنوان الخبر", "text": ARTICLE}
    (tmp_path / "feed.json").write_text(json.dumps({"source": "x", "articles": [rec, rec]},
                                                   ensure_ascii=False), encoding="utf-8")
    docs, errs = _docs([tmp_path / "feed.json"])
    assert errs == [] and [d.origin.rsplit("/", 1)[1] for d in docs] == ["feed.json#1", "feed.json#2"]
    (tmp_path / "p.xml").write_text("<DOC><DOCNO>P1</DOCNO><TITLE>عنوان</TITLE><TEXT><P>الفقرة الأولى من الخبر."
                                    "</P><P>الفقرة الثانية من الخبر.</P></TEXT></DOC>", encoding="utf-8")
    docs, errs = _docs([tmp_path / "p.xml"])
    assert docs[0].fields["text"].split() == ["الفقرة", "الأولى", "من", "الخبر.", "الفقرة", "الثانية", "من", "الخبر."]
    assert "\n" in docs[0].fields["text"]


def test_trec_xml_records_are_named_by_docno_with_entities_and_cdata_resolved():
    docs, errs = _docs([FIX / "ant_style.xml"])
    assert errs == []
    assert [d.origin.rsplit("#", 1)[1] for d in docs] == ["TEST-pol-1-20240301", "TEST-eco-2-20240302"]
    assert "بنود الدعم & الرواتب" in docs[0].fields["text"]
    assert docs[1].fields["text"].startswith("قرر البنك المركزي")
    a = extract_articles(docs[0])[0]
    assert a.title == "البرلمان يقر قانون الموازنة بعد جلسة ماراثونية"
    assert a.published == "2024-03-01"


def test_gzipped_jsonl_is_read(tmp_path):
    p = tmp_path / "feed.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": "عنوان", "text": ARTICLE}, ensure_ascii=False) + "\n")
    docs, errs = _docs([p])
    assert errs == [] and docs[0].origin == f"{p}#1"


# --- encodings -------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("utf-16-be", b""), ("cp1256", b""), ("iso8859_6", b""),
])
def test_encodings_are_detected(tmp_path, encoding, bom):
    text = ARTICLE
    p = tmp_path / "a.txt"
    p.write_bytes(bom + text.encode(encoding))
    docs, errs = _docs([p])
    assert errs == [], errs
    assert docs[0].text.strip() == text.strip()
    a = extract_articles(docs[0])[0]
    assert a.title == "وزارة الصحة تعلن افتتاح مستشفى جديد في الضاحية الجنوبية"


def test_windows_1256_and_iso_8859_6_are_told_apart():
    sample = "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية والجبلية"
    assert decode(sample.encode("cp1256"))[1] == "windows-1256"
    assert decode(sample.encode("iso8859_6"))[1] == "iso-8859-6"


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, problem", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n \t\n", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
    ("nul.txt", b"abc\x00\x01\x02def" * 50, "binary file"),
    ("junk.txt", bytes([0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC]) * 40, "undecodable"),
    ("broken.json", '{"title": "عنوان", "text": '.encode(), "malformed JSON"),
    ("broken.xml", "<DOC><DOCNO>1</DOCNO><TEXT>نص".encode(), "malformed XML"),
    ("notrec.xml", b"<root><a>1</b></root>", "malformed XML"),
])
def test_bad_files_yield_errors_naming_input_and_problem(tmp_path, name, data, problem):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    out = list(read_inputs([str(tmp_path / name), str(tmp_path / "good.txt")]))
    errs = [o for o in out if isinstance(o, InputError)]
    assert len(errs) == 1, out
    assert errs[0].origin == str(tmp_path / name)
    assert problem in errs[0].problem
    assert isinstance(out[-1], RawDoc) and out[-1].origin.endswith("good.txt")  # the batch goes on


def test_size_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text(ARTICLE * 50, encoding="utf-8")
    docs, errs = _docs([p], max_bytes=1000)
    assert docs == [] and "file too large" in errs[0].problem


def test_malformed_or_empty_html_is_an_input_error():
    for html in ("", "just words, no markup at all", "<html><body><nav>الرئيسية</nav></body></html>"):
        with pytest.raises(InputError) as exc:
            extract_articles(RawDoc(origin="page.html", kind="html", html=html))
        assert exc.value.origin == "page.html"


def test_record_without_text_is_an_input_error():
    with pytest.raises(InputError, match="no article text"):
        extract_articles(RawDoc(origin="f.jsonl#4", kind="record", fields={"title": "عنوان فقط"}))


# --- ids -------------------------------------------------------------------------------------

def test_article_ids_are_stable_and_ignore_where_the_corpus_lives():
    a = article_id("/home/u/corpus/txt/a.txt", 0, "عنوان", "نص الخبر")
    assert a == article_id("other/place/txt/a.txt", 0, "عنوان آخر", "نص الخبر")
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != article_id("/home/u/corpus/txt/a.txt", 1, "عنوان", "نص الخبر")
    assert a != article_id("/home/u/corpus/txt/b.txt", 0, "عنوان", "نص الخبر")
    # diacritics and tatweel do not change the id
    assert article_id("x/y.txt", 0, "", "نصُّ الخبـــر") == article_id("x/y.txt", 0, "", "نص الخبر")
