"""Fuzzing the readers and extractors: whatever bytes an input holds, reading it and turning it
into articles ends in articles or in a per-input ``InputError``, never in an exception.

Inputs are generated to look like what marsad reads (scraped Arabic text with share lines and
an appended «اقرأ أيضا» article, HTML pages, JSON records and lists, JSON Lines, TREC XML),
then mutated: wrong field types, deep nesting, JSON escapes of lone surrogates, U+2028 inside
strings, other encodings, truncation, inserted and flipped bytes, gzip, random bytes.

Every example calls ``marsad.ingest.read_file`` (and ``read_inputs`` on a directory of them)
and ``marsad.pipeline.process_input`` on what was read; the same bodies are also posted to
the API's ``/api/ingest`` under various declared content types, which must never answer 500. An ``InputError`` that only wraps
another exception ("could not be extracted (TypeError: ...)") counts as a crash: it is the
batch's safety net catching a bug, not a clear message about the input.

Bounded for CI: derandomized (the same examples on every run), ``FUZZ_EXAMPLES`` examples
per kind (default 100; set the environment variable ``MARSAD_FUZZ_EXAMPLES`` higher for a long
local run), each under a generous deadline; the whole file runs in about 10 s here.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from marsad.errors import InputError  # noqa: E402
from marsad.ingest import read_file, read_inputs  # noqa: E402
from marsad.model import Article, RawDoc  # noqa: E402
from marsad.pipeline import input_key, process_input  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("MARSAD_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None,
                # one example reads and extracts one small input (~30 ms); 5 s leaves room for a
                # loaded CI machine while still failing an input that makes the work blow up
                deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# -- realistic pieces (written for these tests) ----------------------------------------------------
SENTENCES = [
    "أعلنت وزارة الصحة في بيان اليوم الثلاثاء ارتفاع عدد المصابين بالحمى في المحافظة الشمالية إلى 120 حالة.",
    "وقال المتحدث باسم الحكومة في مؤتمر صحفي إن «الوضع تحت السيطرة» وإن الفرق الطبية تعمل على مدار الساعة.",
    "ونفت الشركة المشغلة للميناء تقارير عن توقف الملاحة، مؤكدة أن السفن تصل وتغادر كالمعتاد.",
    "وذكرت وكالة الأنباء الرسمية أن 14 شخصا على الأقل قتلوا وأصيب 30 آخرون في الانفجار.",
    "ومن المقرر أن يجتمع وزراء الخارجية العرب في القاهرة يوم 12 مارس 2024 لبحث الأزمة.",
    "وأكد رئيس البلدية أن أعمال الصيانة ستنتهي قبل نهاية الشهر الجاري بتكلفة 3.5 مليون دولار.",
]
TITLES = ["الحكومة تعلن خطة جديدة لدعم المزارعين", "ارتفاع حصيلة ضحايا الفيضانات إلى 14",
          "وزير الخارجية: لا اتفاق بعد على وقف إطلاق النار", "عاجل | انقطاع الكهرباء عن أحياء العاصمة"]
BOILERPLATE = ["شارك على فيسبوك", "تويتر", "اقرأ أيضا:", "إقرأ أيضاً", "الرئيسية > أخبار > محليات",
               "جميع الحقوق محفوظة © 2024", "المصدر: رويترز", "القاهرة - (أ ف ب)", "الجمعة 26 يناير 2024"]
ODD = ["\u2028", "\u2029", "\x00", "\x1b[31m", "\u202e", "\ufeff", "\r", "\t", "\x85", "\ud83d\ude00", "&amp;",
       "&#0;", "&#xD800;", "<![CDATA[", "]]>", "</DOC>", "<DOC>", "\\", '"', "{", "[", "٣٤٥", "ﻻ", "ـــ"]

sentence = st.sampled_from(SENTENCES)
paragraph = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
words = st.one_of(st.sampled_from(TITLES), st.sampled_from(BOILERPLATE), st.sampled_from(ODD),
                  st.text(max_size=20))


@st.composite
def mixed_text(draw) -> str:
    """A scraped article: title lines, boilerplate, paragraphs, odd characters."""
    lines = [draw(st.sampled_from(TITLES))]
    for _ in range(draw(st.integers(1, 6))):
        lines.append(draw(st.one_of(paragraph, words, paragraph)))
    if draw(st.booleans()):
        lines += ["إقرأ أيضاً", draw(st.sampled_from(TITLES)), draw(paragraph)]
    return draw(st.sampled_from(["\n", "\n\n", "\r\n", " "])).join(lines)


scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 20), 10 ** 20),
                   st.floats(allow_nan=True, allow_infinity=True), mixed_text(), words)
json_value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                          max_leaves=8)
FIELDS = ["title", "text", "body", "content", "url", "date", "published", "source", "outlet", "html",
          "author", "credited", "headline", "time", "abstract", "docno"]


@st.composite
def record(draw) -> dict:
    rec = {}
    for key in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6, unique=True)):
        rec[key] = draw(st.one_of(mixed_text(), json_value, st.sampled_from(TITLES)))
    if draw(st.booleans()):
        rec["text"] = draw(mixed_text())
        if draw(st.integers(0, 3)) == 0:  # a JSON escape of a lone surrogate in the text
            rec["text"] = draw(st.sampled_from(["\ud800", "\udc00"])) + rec["text"]
    return rec


def _dumps(value, draw) -> str:
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)
    quotes = [i for i, c in enumerate(text) if c == '"']
    if quotes and draw(st.booleans()):  # an escape inside some string: a lone surrogate, NUL, U+2028
        i = draw(st.sampled_from(quotes)) + 1
        text = text[:i] + draw(st.sampled_from(["\\ud800", "\\udfff", "\\u2028", "\\u0000", "\\\\"])) + text[i:]
    return text


@st.composite
def json_doc(draw) -> tuple[str, str]:
    shape = draw(st.sampled_from(["one", "list", "wrapper", "nested", "value"]))
    if shape == "one":
        value = draw(record())
    elif shape == "list":
        value = draw(st.lists(st.one_of(record(), json_value), max_size=4))
    elif shape == "wrapper":
        value = {draw(st.sampled_from(["articles", "items", "data", "records"])): draw(st.lists(record(), max_size=3))}
    elif shape == "nested":
        depth = draw(st.sampled_from([50, 1_000, 20_000]))
        return ".json", "[" * depth + json.dumps(draw(record()), ensure_ascii=False) + "]" * depth
    else:
        value = draw(json_value)
    return ".json", _dumps(value, draw)


@st.composite
def jsonl_doc(draw) -> tuple[str, str]:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["record", "record", "value", "broken", "blank", "deep"]))
        if kind == "record":
            rec = draw(record())
            if draw(st.booleans()):  # U+2028 inside a string: JSON Lines split on \n only
                rec["text"] = str(rec.get("text")) + "\u2028" + draw(paragraph)
            lines.append(_dumps(rec, draw).replace("\\u2028", "\u2028"))
        elif kind == "value":
            lines.append(_dumps(draw(json_value), draw))
        elif kind == "broken":
            lines.append(_dumps(draw(record()), draw)[: draw(st.integers(0, 40))])
        elif kind == "deep":
            lines.append("[" * 5_000 + "]" * 5_000)
        else:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))
    return ".jsonl", draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def html_doc(draw) -> tuple[str, str]:
    title = draw(st.sampled_from(TITLES))
    paras = "".join(f"<p>{draw(paragraph)}</p>" for _ in range(draw(st.integers(0, 4))))
    head = f"<title>{title}</title>"
    if draw(st.booleans()):
        head += (f'<meta property="og:site_name" content="{draw(words)}">'
                 f'<meta property="article:published_time" content="{draw(st.sampled_from(["2024-03-12T10:00:00+03:00", "12/03/2024", "أمس", "9999-99-99", ""]))}">')
    if draw(st.booleans()):
        head += '<meta charset="windows-1256">'
    body = f"<article><h1>{title}</h1>{paras}</article>"
    if draw(st.booleans()):
        body = "<div>" * draw(st.sampled_from([10, 300, 3_000])) + body
    if draw(st.booleans()):
        body += f"<ul><li>{draw(words)}</li><li>{draw(st.sampled_from(BOILERPLATE))}</li></ul>"
    if draw(st.booleans()):
        body += f"<script>var x = '{draw(words)}';</script><!-- {draw(words)} -->"
    return draw(st.sampled_from([".html", ".htm"])), f"<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>{head}</head><body>{body}</body></html>"


@st.composite
def trec_doc(draw) -> tuple[str, str]:
    docs = []
    for i in range(draw(st.integers(1, 3))):
        fields = {"DOCNO": draw(st.sampled_from([f"NEWS-{i}", "", "<b>x</b>", "\u202e1"])),
                  "HEADLINE": draw(st.sampled_from(TITLES)),
                  "DATE": draw(st.sampled_from(["Mon, 12 Mar 2018 10:00:00 +0000", "2018-03-12", "غدا", ""])),
                  "TEXT": draw(mixed_text())}
        inner = "".join(f"<{k}>{draw(st.sampled_from(['', '<![CDATA[']))}{v}</{k}>" for k, v in fields.items()
                        if draw(st.integers(0, 4)))
        docs.append(f"<DOC>{inner}</DOC>" if draw(st.integers(0, 5)) else f"<DOC>{inner}")
    return ".xml", "\n".join(docs)


@st.composite
def txt_doc(draw) -> tuple[str, str]:
    return ".txt", draw(mixed_text())


ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "cp1256", "utf-16", "utf-16-le", "iso8859_6"]


@st.composite
def mutated_bytes(draw, doc) -> tuple[str, bytes]:
    """A document, encoded and then damaged at the byte level."""
    ext, text = draw(doc)
    enc = draw(st.sampled_from(ENCODINGS))
    data = text.encode(enc, errors="replace" if enc in ("cp1256", "iso8859_6") else "surrogatepass")
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["truncate", "insert", "flip", "repeat", "nothing"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif op == "flip":
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        elif op == "repeat":
            data = data[:at] + data[at:at + 200] * draw(st.integers(2, 20)) + data[at:]
    if draw(st.integers(0, 9)) == 0:  # gzipped, sometimes cut short
        data = gzip.compress(data)
        ext += ".gz"
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return ext, data


ANY_DOC = st.one_of(txt_doc(), html_doc(), json_doc(), jsonl_doc(), trec_doc())
ANY_INPUT = st.one_of(mutated_bytes(ANY_DOC),
                      st.tuples(st.sampled_from([".txt", ".json", ".jsonl", ".xml", ".html"]),
                                st.binary(max_size=400)))


# -- the properties ---------------------------------------------------------------------------------
_names = count()


def _write(tmp_path: Path, ext: str, data: bytes) -> Path:
    path = tmp_path / f"in-{next(_names)}{ext}"
    path.write_bytes(data)
    return path


def _check_article(a: Article, origin: str) -> None:
    assert isinstance(a, Article)
    assert isinstance(a.id, str) and a.id
    assert isinstance(a.title, str) and isinstance(a.text, str) and a.text.strip()
    assert a.published is None or isinstance(a.published, str)
    # the article can be stored and served: JSON of valid UTF-8 (no lone surrogates)
    json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")


def _check_error(e: InputError) -> None:
    assert isinstance(e, InputError) and e.origin and e.problem
    for wrapper in ("could not be extracted (", "fact extraction failed ("):
        assert wrapper not in e.problem, f"a crash caught by the safety net, not a clear error: {e}"


def _read_and_process(path: Path, with_facts: bool = False) -> int:
    """Read ``path`` and extract what it holds; the number of articles it gave."""
    articles = 0
    for item in read_file(str(path)):
        if isinstance(item, InputError):
            _check_error(item)
            continue
        assert isinstance(item, RawDoc), type(item)
        input_key(item)  # the pipeline's first step on every input: hashing what it holds
        result = process_input(item, with_facts=with_facts)
        if isinstance(result, InputError):
            _check_error(result)
            continue
        for article, _facts in result:
            _check_article(article, item.origin)
            articles += 1
    return articles


@FUZZ
@given(doc=ANY_INPUT)
def test_any_input_gives_articles_or_input_errors(tmp_path, doc):
    ext, data = doc
    _read_and_process(_write(tmp_path, ext, data))


@FUZZ
@given(doc=st.one_of(json_doc(), jsonl_doc()))
def test_json_records_of_any_shape(tmp_path, doc):
    ext, text = doc
    _read_and_process(_write(tmp_path, ext, text.encode("utf-8", "surrogatepass")))


@settings(FUZZ, max_examples=max(5, FUZZ_EXAMPLES // 4))
@given(doc=st.one_of(txt_doc(), html_doc(), trec_doc()))
def test_with_facts(tmp_path, doc):
    """The fact extractors too (entities, quotes, claims, events), on fewer examples: slower."""
    ext, text = doc
    _read_and_process(_write(tmp_path, ext, text.encode("utf-8", "surrogatepass")), with_facts=True)


@settings(FUZZ, max_examples=max(5, FUZZ_EXAMPLES // 4))
@given(docs=st.lists(ANY_INPUT, min_size=1, max_size=5))
def test_a_directory_of_broken_inputs_reads_through(tmp_path, docs):
    d = tmp_path / f"dir-{next(_names)}"
    d.mkdir()
    for ext, data in docs:
        _write(d, ext, data)
    items = list(read_inputs([str(d)]))
    assert len({i.origin.split("#")[0] for i in items}) == len(docs)  # every file answered for
    for item in items:
        if isinstance(item, InputError):
            _check_error(item)
        else:
            assert isinstance(item, RawDoc)


# A headline and a sentence of text, as JSON escapes, each behind a lone surrogate escape.
_LONE = ('{"title": "\\ud800' + json.dumps(TITLES[0])[1:-1] + '", "text": "\\udfff'
         + json.dumps(SENTENCES[0], ensure_ascii=True)[1:-1] + '"}')


@pytest.mark.parametrize("ext, text", [(".json", _LONE), (".jsonl", _LONE + "\n" + _LONE.replace("udfff", "udc00"))])
def test_lone_surrogate_escapes_are_mended_not_a_crash(tmp_path, ext, text):
    """Found by the fuzzing above: a JSON string escape of half a surrogate pair reached the
    pipeline as a string no codec can encode (hashing the input raised UnicodeEncodeError)."""
    path = _write(tmp_path, ext, text.encode("ascii"))
    assert _read_and_process(path) >= 1
    raw = next(iter(read_file(str(path))))
    assert raw.fields["title"].startswith("\ufffd") and raw.fields["title"][1:] == TITLES[0]


def test_the_generators_make_real_articles(tmp_path):
    """The fuzzing is not vacuous: unmutated generated inputs of each kind give articles."""
    samples = {
        ".txt": "\n\n".join([TITLES[0], *SENTENCES[:3]]),
        ".html": f"<html><head><title>{TITLES[1]}</title></head><body><article><h1>{TITLES[1]}</h1>"
                 + "".join(f"<p>{s}</p>" for s in SENTENCES[:4]) + "</article></body></html>",
        ".json": json.dumps({"title": TITLES[2], "text": " ".join(SENTENCES[2:5])}, ensure_ascii=False),
        ".jsonl": "\n".join(json.dumps({"title": t, "text": s + "\u2028" + s}, ensure_ascii=False)
                            for t, s in zip(TITLES, SENTENCES)),
        ".xml": f"<DOC><DOCNO>NEWS-1</DOCNO><HEADLINE>{TITLES[3]}</HEADLINE><TEXT>{' '.join(SENTENCES)}</TEXT></DOC>",
    }
    for ext, text in samples.items():
        assert _read_and_process(_write(tmp_path, ext, text.encode("utf-8"))) >= 1, ext


# -- the API's ingest: any body, any declared type, a 4xx or a stored article, never a 500 ----------
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "text/html",
                 "text/plain; charset=windows-1256", "text/plain; charset=punycode", "text/html; charset=utf-16",
                 "application/ld+json", "", "text/plain; charset=", "text/csv", "text/plain; charset=\"utf-7\""]


@FUZZ
@given(doc=st.one_of(ANY_INPUT, json_doc().map(lambda d: (d[0], d[1].encode("utf-8", "surrogatepass")))),
       ctype=st.sampled_from(CONTENT_TYPES))
def test_api_ingest_never_answers_500(api_client, doc, ctype):
    _ext, body = doc
    r = api_client.post("/api/ingest", params={"finish": "none"}, content=body,
                        headers={"Authorization": "Bearer fuzz", "Content-Type": ctype})
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert "detail" in r.json() or r.json()["stored"] is not None


@pytest.fixture(scope="module")
def api_client():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from marsad.api import create_app
    from marsad.store import Store

    with TestClient(create_app(Store(), token="fuzz", auto_finish=False, with_facts=False),
                    raise_server_exceptions=False) as c:
        yield c
